r"""Reference implementation of the content-download row rules, in plain Python (`re` only).

The content datasets (`content-python`, `content-rpm`, `content-maven`) are cut from the
content app's access lines. This module is an oracle for `pulp-backfill convert --dataset D`:
it is written from the rules alone, shares no code with the Swift parser, and shares none with
`access_rows.py` either (its own line extraction, JSON reading and timestamp parsing), so that
a mistake in one implementation is not copied into the other.

Reading the input: an NDJSON line is bytes; invalid UTF-8 becomes U+FFFD (Python's
"replace" error handler substitutes one U+FFFD per maximal invalid subpart, as the tool does),
JSON is read by Python's `json` module made strict (no NaN/Infinity) and with lone surrogate
escapes (`\ud800`) turned into U+FFFD, as the tool's reader does.

API:
* `parse(dataset, timestamp, message, ptr)` → `("kept", row)` | `("skipped", reason)` |
  `("malformed", "timestamp")`; `row` maps every column of `SCHEMAS[dataset]` to its value
  (timestamp as integer nanoseconds since the epoch, UTC).
* `SCHEMAS[dataset]`: the exact pyarrow schema of each content dataset.
* `evaluate(dataset, lines)` → (kept rows in file order, Counter of outcomes by reason).
* `expected_table(dataset, ndjson_lines)` → the pyarrow Table `convert` must write.
"""
from __future__ import annotations

import calendar
import json
import re
from collections import Counter

import pyarrow as pa

# ---- schemas -------------------------------------------------------------------------------

_COMMON = [
    ("timestamp", pa.timestamp("ns")),
    ("domain", pa.string()),
    ("distribution", pa.string()),
    ("package_name", pa.string()),
    ("package_version", pa.string()),
    ("architecture", pa.string()),
    ("artifact_path", pa.string()),
    ("artifact_size", pa.int64()),
    ("status_code", pa.int16()),
    ("cache_hit", pa.bool_()),
    ("user_agent", pa.string()),
    ("org_id", pa.string()),
    ("x_forwarded_for", pa.string()),
    ("request_time_ms", pa.int32()),
]
_EXTRA = {
    "content-python": [("build_tag", pa.string()), ("pyver", pa.string()), ("abi", pa.string())],
    "content-rpm": [("epoch", pa.int32()), ("release", pa.string())],
    "content-maven": [("group_id", pa.string()), ("classifier", pa.string()), ("packaging", pa.string())],
}
SCHEMAS = {name: pa.schema([pa.field(n, t, nullable=True) for n, t in _COMMON + extra])
           for name, extra in _EXTRA.items()}
DATASETS = tuple(SCHEMAS)
FILE_STEMS = {"content-python": "pulp_content_python", "content-rpm": "pulp_content_rpm",
              "content-maven": "pulp_content_maven"}
SKIP_REASONS = ("line-shape", "path", "other-dataset", "file-name")
MALFORMED_REASONS = ("timestamp",)

_INT16_MAX, _INT32_MAX, _INT64_MAX = 2**15 - 1, 2**31 - 1, 2**63 - 1

# ---- reading the input: bytes → text → JSON --------------------------------------------------

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_constants(name):
    raise ValueError(f"not JSON: {name}")


def _fix_surrogates(value):
    """Python's json keeps a lone surrogate escape as a lone surrogate; the tool reads U+FFFD.
    (A pair of escapes is already joined into one character by json.)"""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    return value


def json_value(text: str):
    """One strict JSON value; raises ValueError otherwise."""
    return json.loads(text, parse_constant=_no_constants)


def decode_row(line) -> dict:
    """One NDJSON line (bytes or str) → {"@timestamp", "@message", "@ptr"}, each a string or
    None (absent, or not a string)."""
    text = line.decode("utf-8", errors="replace") if isinstance(line, (bytes, bytearray)) else line
    doc = json_value(text)
    if not isinstance(doc, dict):
        raise ValueError("an NDJSON line must be a JSON object")
    return {k: _fix_surrogates(doc[k]) if isinstance(doc.get(k), str) else None
            for k in ("@timestamp", "@message", "@ptr")}


def split_ndjson(data: bytes) -> list[bytes]:
    """The non-blank lines of an NDJSON file's bytes."""
    return [l for l in data.split(b"\n") if l.strip(b" \t\r")]


def extract_line(message: str | None) -> str:
    """The logged line of a result row: a JSON-object @message gives its string member
    `message`, else its string member `log`, else @message itself; trailing CR/LF dropped."""
    if message is None:
        return ""
    text = message
    try:
        doc = json_value(message)
    except (ValueError, RecursionError):
        doc = None
    if isinstance(doc, dict):
        for member in ("message", "log"):
            if isinstance(doc.get(member), str):
                text = _fix_surrogates(doc[member])
                break
    while text and text[-1] in "\r\n":
        text = text[:-1]
    return text


# ---- timestamps ------------------------------------------------------------------------------

_TS_INSIGHTS = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?")
_TS_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
                     r"(?:(Z)|([+-])([0-9]{2}):?([0-9]{2}))")
_TS_LINE = re.compile(r"([0-9]{2})/([A-Z][a-z]{2})/([0-9]{4}):([0-9]{2}):([0-9]{2}):([0-9]{2}) ([+-])([0-9]{2})([0-9]{2})")
_MONTH = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1)}


def _epoch_ns(year, month, day, hour, minute, second, fraction: str | None, offset_minutes: int) -> int | None:
    if year < 1 or not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 59):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    seconds = calendar.timegm((year, month, day, hour, minute, second)) - offset_minutes * 60
    nanos = int(fraction + "0" * (9 - len(fraction))) if fraction else 0
    return seconds * 1_000_000_000 + nanos


def parse_result_timestamp(value: str | None) -> int | None:
    """@timestamp: Insights' `YYYY-MM-DD HH:MM:SS.fff` (UTC) or ISO 8601 with `T`, an optional
    fraction and `Z` or an offset."""
    if value is None:
        return None
    m = _TS_INSIGHTS.fullmatch(value)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        return _epoch_ns(y, mo, d, h, mi, s, m.group(7), 0)
    m = _TS_ISO.fullmatch(value)
    if m:
        y, mo, d, h, mi, s = (int(g) for g in m.groups()[:6])
        offset = 0
        if m.group(8) is None:
            offset = int(m.group(10)) * 60 + int(m.group(11))
            if m.group(9) == "-":
                offset = -offset
        return _epoch_ns(y, mo, d, h, mi, s, m.group(7), offset)
    return None


def parse_line_time(value: str) -> int | None:
    """The line's own time field (between `[` and `]`): `dd/Mon/yyyy:HH:MM:SS ±hhmm`."""
    m = _TS_LINE.fullmatch(value)
    if not m or m.group(2) not in _MONTH:
        return None
    offset = int(m.group(8)) * 60 + int(m.group(9))
    if m.group(7) == "-":
        offset = -offset
    return _epoch_ns(int(m.group(3)), _MONTH[m.group(2)], int(m.group(1)), int(m.group(4)),
                     int(m.group(5)), int(m.group(6)), None, offset)


# ---- the content line ------------------------------------------------------------------------

# The aiohttp format of the content app, as one regular expression (fullmatch): host, time,
# request, status, bytes, referer (shortest), user agent (longest: it may hold raw quotes),
# cache, artifact_size, rh_org_id, x_forwarded_for, request_time (absent on older lines).
LINE = re.compile(
    r'(\S+) \[([^\]]*)\] "([^"]*)" (\S+) (\S+) "(.*?)" "(.*)" cache:"([^"]*)" artifact_size:"([^"]*)" '
    r'rh_org_id:"([^"]*)" x_forwarded_for:"([^"]*)"(?: request_time:"([^"]*)")?')
REQUEST = re.compile(r"[A-Z]+ ([^ ]+)(?: [^ ]+)?")
PREFIX = "/api/pulp-content/"
_PACKAGES_LETTER = re.compile(r"[A-Za-z0-9]")
_DIGITS = re.compile(r"[0-9]+")
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?")
WHEEL = re.compile(
    r"(?P<name>[^\s-]+?)-(?P<ver>[^\s-]*?)(-(?P<build>\d[^-]*?))?-(?P<pyver>[^\s-]+?)-(?P<abi>[^\s-]+?)"
    r"-(?P<plat>[^\s-]+?)\.whl")
SUFFIXES = {
    "content-python": (".whl", ".whl.metadata"),
    "content-rpm": (".rpm",),
    "content-maven": (".jar", ".pom"),
}


def dataset_of_file(name: str) -> str | None:
    for dataset, suffixes in SUFFIXES.items():
        if name.endswith(suffixes):
            return dataset
    return None


def _python_fields(file_name: str):
    name = file_name[:-len(".metadata")] if file_name.endswith(".metadata") else file_name
    m = WHEEL.fullmatch(name)
    if not m:
        return None
    return {"package_name": m["name"], "package_version": m["ver"], "build_tag": m["build"],
            "pyver": m["pyver"], "abi": m["abi"], "architecture": m["plat"]}


def _rpm_fields(file_name: str):
    nevra = file_name[:-len(".rpm")]
    if "." not in nevra or nevra.count("-") < 2:
        return None
    rest, arch = nevra.rsplit(".", 1)
    # The dashes counted above may sit in the architecture ("a.b-c-d"): then the rest has no
    # version and release to split, and the file name is not a NEVRA either.
    if rest.count("-") < 2:
        return None
    rest, release = rest.rsplit("-", 1)
    name, version = rest.rsplit("-", 1)
    epoch = 0
    if ":" in version:
        epoch_text, version = version.split(":", 1)
        if not _DIGITS.fullmatch(epoch_text) or int(epoch_text) > _INT32_MAX:
            return None
        epoch = int(epoch_text)
    return {"package_name": name, "package_version": version, "architecture": arch,
            "epoch": epoch, "release": release}


def _maven_fields(segments: list[str], file_name: str):
    """(fields, None), or (None, reason)."""
    if len(segments) < 4:
        return None, "path"
    artifact, version = segments[-2], segments[-1]
    stem = f"{artifact}-{version}"
    if not file_name.startswith(stem):
        return None, "file-name"
    rest = file_name[len(stem):]
    if "." not in rest:
        return None, "file-name"
    packaging = rest[rest.rindex(".") + 1:]
    if rest == "." + packaging:
        classifier = None
    elif rest.startswith("-") and rest.endswith("." + packaging):
        classifier = rest[1:len(rest) - len(packaging) - 1]
    else:
        return None, "file-name"
    return {"distribution": segments[0], "group_id": ".".join(segments[1:-2]), "package_name": artifact,
            "package_version": version, "architecture": None, "classifier": classifier,
            "packaging": packaging}, None


def _request_time_ms(value: str | None) -> int | None:
    if value is None or not _SECONDS.fullmatch(value):
        return None
    try:
        ms = round(float(value) * 1000)
    except OverflowError:  # an enormous digit string reads as infinity
        return None
    return ms if ms <= _INT32_MAX else None


def _whole(value: str, limit: int) -> int | None:
    if not _DIGITS.fullmatch(value):
        return None
    n = int(value)
    return n if n <= limit else None


def parse(dataset: str, timestamp: str | None, message: str | None, ptr: str | None = None):
    """One Insights result row → ("kept", row) | ("skipped", reason) | ("malformed", "timestamp").
    `ptr` plays no part in a row's values (only in file order, see `evaluate`)."""
    if dataset not in SCHEMAS:
        raise ValueError(f"unknown content dataset {dataset!r}")
    line = extract_line(message)
    m = LINE.fullmatch(line)
    if not m:
        return "skipped", "line-shape"
    (_host, line_time, request, status, _bytes, _referer, agent, cache, size, org, xff,
     request_time) = m.groups()
    rm = REQUEST.fullmatch(request)
    if not rm:
        return "skipped", "line-shape"
    target = rm.group(1)
    cut = [i for i in (target.find("?"), target.find("#")) if i >= 0]
    path = target[:min(cut)] if cut else target

    if not path.startswith(PREFIX):
        return "skipped", "path"
    parts = path[len(PREFIX):].split("/")
    if len(parts) < 3:
        return "skipped", "path"
    domain, middle, file_name = parts[0], parts[1:-1], parts[-1]
    if len(middle) >= 2 and middle[-2] == "Packages" and _PACKAGES_LETTER.fullmatch(middle[-1]):
        middle = middle[:-2]
    elif middle and middle[-1] == "repodata":
        middle = middle[:-1]
    if not middle:
        return "skipped", "path"

    if dataset_of_file(file_name) != dataset:
        return "skipped", "other-dataset"
    if dataset == "content-python":
        fields = _python_fields(file_name)
        if fields is None:
            return "skipped", "file-name"
        fields["distribution"] = "/".join(middle)
    elif dataset == "content-rpm":
        fields = _rpm_fields(file_name)
        if fields is None:
            return "skipped", "file-name"
        fields["distribution"] = "/".join(middle)
    else:
        fields, reason = _maven_fields(middle, file_name)
        if fields is None:
            return "skipped", reason

    when = parse_result_timestamp(timestamp)
    if when is None:
        when = parse_line_time(line_time)
    if when is None:
        return "malformed", "timestamp"

    code = _whole(status, _INT16_MAX)
    row = {
        "timestamp": when,
        "domain": domain,
        "artifact_path": path,
        "artifact_size": _whole(size, _INT64_MAX),
        "status_code": code if code is not None and 100 <= code <= 599 else None,
        "cache_hit": {"HIT": True, "MISS": False}.get(cache),
        "user_agent": agent,
        "org_id": None if org in ("", "-") else org,
        "x_forwarded_for": xff,
        "request_time_ms": _request_time_ms(request_time),
        **fields,
    }
    return "kept", {name: row[name] for name in SCHEMAS[dataset].names}


def evaluate(dataset: str, ndjson_lines):
    """(kept rows in file order, Counter of outcomes). Rows are sorted by (timestamp, @ptr as
    UTF-8 bytes; a missing @ptr is empty), ties keep input order. The counter has one key per
    skip reason, "timestamp" for malformed rows and "kept"."""
    keyed, counts = [], Counter()
    for line in ndjson_lines:
        if isinstance(line, (bytes, bytearray)) and not line.strip(b" \t\r\n"):
            continue
        if isinstance(line, str) and not line.strip(" \t\r\n"):
            continue
        raw = decode_row(line)
        outcome, value = parse(dataset, raw["@timestamp"], raw["@message"], raw["@ptr"])
        if outcome == "kept":
            counts["kept"] += 1
            keyed.append(((value["timestamp"], (raw["@ptr"] or "").encode("utf-8"), len(keyed)), value))
        else:
            counts[value] += 1
    keyed.sort(key=lambda kv: kv[0])
    return [row for _, row in keyed], counts


def table_of(dataset: str, rows: list[dict]) -> pa.Table:
    schema = SCHEMAS[dataset]
    return pa.table({f.name: pa.array([r[f.name] for r in rows], type=f.type) for f in schema}, schema=schema)


def expected_table(dataset: str, ndjson_lines) -> pa.Table:
    """The Table `pulp-backfill convert --dataset DATASET` must write for these NDJSON lines."""
    return table_of(dataset, evaluate(dataset, ndjson_lines)[0])

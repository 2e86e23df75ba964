r"""Reference implementation of the access-log row rules (docs/row-rules.md), in plain Python.

It is written independently of the Swift AccessLog module so that the interop
tests can compare what `pulp-backfill convert` writes against an oracle, and so
that the benchmark's "Python path" does the same work as our converter.
It favours clarity over speed.

It reads input the way the tool does, from raw bytes, with its own decoders (not Python's
`json` module, whose choices differ: it keeps lone surrogates, accepts NaN, and cannot read
invalid UTF-8):

* `repair_utf8`: invalid UTF-8 becomes U+FFFD, one per maximal invalid subsequence (Unicode
  3.9, "substitution of maximal subparts"), as Swift's `String(decoding:as: UTF8.self)` does;
* `parse_json`: RFC 8259 JSON; `\uXXXX` escapes with surrogate pairs joined and any lone
  surrogate escape read as U+FFFD; `\/` is `/`; `\u0000` is a real U+0000 (kept, never a
  terminator); nesting deeper than 512 rejected; a repeated member's last value wins.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa

# The seed exporter's schema (its README, "Parquet Schema"): the compatibility contract.
SEED_SCHEMA = pa.schema([
    ("timestamp", pa.timestamp("ns")),
    ("message", pa.string()),
    ("user", pa.string()),
    ("org_id", pa.string()),
    ("domain", pa.string()),
    ("distribution", pa.string()),
    ("package", pa.string()),
    ("status_code", pa.int16()),
    ("user_agent", pa.string()),
    ("x_forwarded_for", pa.string()),
])
COLUMNS = [f.name for f in SEED_SCHEMA]

DEFAULT_FILTER = ["/api/pypi/"]
DEFAULT_EXCLUDE = ["/livez", "/status"]

_REQUEST = re.compile(r"^[A-Z]+ ([^ ]+)(?: [^ ]+)?$")
_PYPI_PATH = re.compile(r"^/api/pypi/([^/]+)/(.+?)/simple/([^/]+)/?$")
_INSIGHTS_TS = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$")
_ISO_TS = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$")
_CLF_TS = re.compile(r"\[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\]")
_MONTHS = {m: i for i, m in enumerate(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1)}


# ---- input decoding: bytes → text → JSON values ---------------------------------------------

def repair_utf8(data: bytes) -> str:
    """Decodes UTF-8, replacing each maximal invalid subsequence with U+FFFD. Well-formed
    sequences per Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF.
    A maximal subpart is the longest prefix of a well-formed sequence that is present; a
    byte that cannot start one is a subpart of its own."""
    out = []
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            out.append(chr(b))
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            length, low, high = 2, 0x80, 0xBF
        elif b == 0xE0:
            length, low, high = 3, 0xA0, 0xBF
        elif 0xE1 <= b <= 0xEC or 0xEE <= b <= 0xEF:
            length, low, high = 3, 0x80, 0xBF
        elif b == 0xED:
            length, low, high = 3, 0x80, 0x9F
        elif b == 0xF0:
            length, low, high = 4, 0x90, 0xBF
        elif 0xF1 <= b <= 0xF3:
            length, low, high = 4, 0x80, 0xBF
        elif b == 0xF4:
            length, low, high = 4, 0x80, 0x8F
        else:  # 0x80-0xC1, 0xF5-0xFF never start a sequence
            out.append("\ufffd")
            i += 1
            continue
        j = i + 1
        ok = j < n and low <= data[j] <= high
        if ok:
            j += 1
            while j < i + length and j < n and 0x80 <= data[j] <= 0xBF:
                j += 1
            ok = j == i + length
        if not ok:  # data[i:j] is the maximal subpart
            out.append("\ufffd")
            i = j
            continue
        code = b & (0xFF >> (length + 1))
        for k in range(i + 1, j):
            code = (code << 6) | (data[k] & 0x3F)
        out.append(chr(code))
        i = j
    return "".join(out)


class JSONError(ValueError):
    pass


@dataclass(frozen=True)
class JSONNumber:
    """A JSON number, kept as its text: never a string member (rule 1 asks for strings)."""
    text: str


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_JSON_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_JSON_MAX_DEPTH = 512


def parse_json(text: str):
    """One complete JSON value (surrounding whitespace allowed); raises JSONError otherwise.
    Objects become dicts (last repeated member wins), numbers `JSONNumber`s (only their syntax
    matters here)."""
    value, i = _json_value(text, _json_ws(text, 0), 0)
    if _json_ws(text, i) != len(text):
        raise JSONError("data after the value")
    return value


def _json_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in " \t\n\r":
        i += 1
    return i


def _json_value(s: str, i: int, depth: int):
    if i >= len(s):
        raise JSONError("expected a value")
    c = s[i]
    if c == '"':
        return _json_string(s, i)
    if c in "{[":
        if depth + 1 > _JSON_MAX_DEPTH:
            raise JSONError("too deep")
        close = "}" if c == "{" else "]"
        result = {} if c == "{" else []
        i = _json_ws(s, i + 1)
        if i < len(s) and s[i] == close:
            return result, i + 1
        while True:
            if c == "{":
                if i >= len(s) or s[i] != '"':
                    raise JSONError("expected a key")
                key, i = _json_string(s, i)
                i = _json_ws(s, i)
                if i >= len(s) or s[i] != ":":
                    raise JSONError("expected ':'")
                value, i = _json_value(s, _json_ws(s, i + 1), depth + 1)
                result[key] = value
            else:
                value, i = _json_value(s, i, depth + 1)
                result.append(value)
            i = _json_ws(s, i)
            if i < len(s) and s[i] == ",":
                i = _json_ws(s, i + 1)
                continue
            if i < len(s) and s[i] == close:
                return result, i + 1
            raise JSONError("expected ',' or a closing bracket")
    for literal, value in (("true", True), ("false", False), ("null", None)):
        if s.startswith(literal, i):
            return value, i + len(literal)
    m = _JSON_NUMBER.match(s, i)
    if m and m.end() > i:
        return JSONNumber(m.group(0)), m.end()
    raise JSONError(f"unexpected character at {i}")


def _json_hex4(s: str, i: int) -> int | None:
    digits = s[i:i + 4]
    if len(digits) == 4 and all(d in "0123456789abcdefABCDEF" for d in digits):
        return int(digits, 16)
    return None


def _json_string(s: str, i: int):
    """The string literal opening at s[i]; returns (text, index after the closing quote)."""
    out = []
    i += 1
    while True:
        if i >= len(s):
            raise JSONError("unterminated string")
        c = s[i]
        if c == '"':
            return "".join(out), i + 1
        if ord(c) < 0x20:
            raise JSONError("control character in a string")
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = s[i + 1] if i + 1 < len(s) else ""
        if e in _JSON_SIMPLE_ESCAPES and e:
            out.append(_JSON_SIMPLE_ESCAPES[e])
            i += 2
            continue
        if e != "u":
            raise JSONError("invalid escape")
        code = _json_hex4(s, i + 2)
        if code is None:
            raise JSONError("invalid \\u escape")
        i += 6
        if 0xD800 <= code <= 0xDBFF:
            low = _json_hex4(s, i + 2) if s.startswith("\\u", i) else None
            if low is not None and 0xDC00 <= low <= 0xDFFF:
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                i += 6
            else:
                code = 0xFFFD  # a high surrogate without its low half
        elif 0xDC00 <= code <= 0xDFFF:
            code = 0xFFFD      # a low surrogate alone
        out.append(chr(code))


def decode_ndjson_line(line: bytes) -> dict:
    """One NDJSON line (raw bytes) → the row dict: `@timestamp`, `@message`, `@ptr` when they
    are strings (anything else counts as absent). Raises JSONError for a line that is not one
    JSON object."""
    doc = parse_json(repair_utf8(line))
    if not isinstance(doc, dict):
        raise JSONError("not an object")
    return {k: doc[k] for k in ("@timestamp", "@message", "@ptr") if isinstance(doc.get(k), str)}


def load_ndjson(path) -> list[dict]:
    """Every non-blank line of an NDJSON file, decoded by `decode_ndjson_line`."""
    with open(path, "rb") as f:
        data = f.read()
    return [decode_ndjson_line(line) for line in data.split(b"\n") if line.strip(b" \t\r")]


# ---- the row contract ----------------------------------------------------------------------

@dataclass
class Outcome:
    kind: str            # "kept", "skipped", "malformed"
    row: dict | None = None


def access_line(message: str | None) -> str:
    """Rule 1: the wrapped line of an OpenShift JSON document, else the message itself."""
    if message is None:
        return ""
    line = message
    try:
        doc = parse_json(message)
    except JSONError:
        doc = None
    if isinstance(doc, dict):
        if isinstance(doc.get("message"), str):
            line = doc["message"]
        elif isinstance(doc.get("log"), str):
            line = doc["log"]
    return line.rstrip("\r\n")


def quoted_values(line: str):
    """Rule 2: yields (text, index after the closing quote) for each quoted value."""
    i, n = 0, len(line)
    while i < n:
        start = line.find('"', i)
        if start < 0:
            return
        j = start + 1
        out = []
        while j < n:
            c = line[j]
            if c == "\\" and j + 1 < n and line[j + 1] in '"\\':
                out.append(line[j + 1])
                j += 2
                continue
            if c == '"':
                break
            out.append(c)
            j += 1
        if j >= n:
            return  # unterminated
        yield "".join(out), j + 1
        i = j + 1


def _quoted_at(line: str, i: int):
    """The quoted value starting exactly at i, as (text, end) or None."""
    if i >= len(line) or line[i] != '"':
        return None
    for text, end in quoted_values(line[i:]):
        return text, i + end
    return None


def _skip_spaces(line: str, i: int, required: bool) -> int | None:
    j = i
    while j < len(line) and line[j] == " ":
        j += 1
    if required and j == i:
        return None
    return j


_NO_LABEL = object()


def _label_raw(line: str, label: str):
    """Rule 6: the raw token after `label` where the label starts the line or follows a space
    (may be "" or "-"), or `_NO_LABEL` when no such label is in the line."""
    k = line.find(label)
    while k >= 0:
        if k == 0 or line[k - 1] == " ":
            start = k + len(label)
            end = line.find(" ", start)
            return line[start:] if end < 0 else line[start:end]
        k = line.find(label, k + 1)
    return _NO_LABEL


def _label_token(line: str, label: str):
    """Rule 6: the label's token, None when it is missing, empty or `-`."""
    tok = _label_raw(line, label)
    return None if tok is _NO_LABEL or tok in ("", "-") else tok


# docs/row-rules.md "Older lines", lines from before 2026-01-06: no labels; the start of the
# line, after an optional "(" (production wraps the whole line in parentheses), is
# `pulp [CID]: HOST IDENT USER [`.
# Read here as: CID runs to the first "]"; HOST, IDENT and USER are non-empty and hold no space;
# single spaces between them; "[" right after the space that follows USER. The older lines had
# no labels, so a USER that is a label other rules read (org_id:, x_forwarded_for:) is no user:
# such a line is a labelled line that lacks `user:`.
_OLDER_START = re.compile(
    r"\(?pulp \[[^\]]*\]: (?P<host>[^ ]+) (?P<ident>[^ ]+) (?!org_id:|x_forwarded_for:)(?P<user>[^ ]+) \[")


def _user(line: str):
    """The `user` column: rule 6 when the line has a `user:` label (`user:-` is null and ends
    the matter), else USER of an older label-less line (`-` is null), else null."""
    tok = _label_raw(line, "user:")
    if tok is _NO_LABEL:
        m = _OLDER_START.match(line)
        tok = m.group("user") if m else "-"
    return None if tok in ("", "-") else tok


def _nanos(y, mo, d, h, mi, s, frac, offset_minutes=0) -> int:
    secs = calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) - offset_minutes * 60
    ns = int((frac or "").ljust(9, "0")) if frac else 0
    return secs * 1_000_000_000 + ns


def parse_timestamp(value: str | None) -> int | None:
    """Rule 10 (first half): Insights' `YYYY-MM-DD HH:MM:SS.fff` or ISO 8601, as UTC nanoseconds."""
    if not value:
        return None
    m = _INSIGHTS_TS.match(value)
    off = 0
    if not m:
        m = _ISO_TS.match(value)
        if not m:
            return None
        z = m.group(8)
        if z != "Z":
            digits = z[1:].replace(":", "")
            off = int(digits[:2]) * 60 + int(digits[2:])
            if z[0] == "-":
                off = -off
    y, mo, d, h, mi, s = (int(m.group(k)) for k in range(1, 7))
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    return _nanos(y, mo, d, h, mi, s, m.group(7), off)


def parse_clf_timestamp(line: str) -> int | None:
    m = _CLF_TS.search(line)
    if not m or m.group(2) not in _MONTHS:
        return None
    d, y, h, mi, s = int(m.group(1)), int(m.group(3)), int(m.group(4)), int(m.group(5)), int(m.group(6))
    mo = _MONTHS[m.group(2)]
    try:
        datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    off = int(m.group(8)) * 60 + int(m.group(9))
    if m.group(7) == "-":
        off = -off
    return _nanos(y, mo, d, h, mi, s, None, off)


def parse_row(raw: dict, include=DEFAULT_FILTER, exclude=DEFAULT_EXCLUDE) -> Outcome:
    """One Insights result row → Outcome (rules 1–11)."""
    message = raw.get("@message")
    if not isinstance(message, str):
        message = None
    line = access_line(message)
    if "django.request:WARNING" in line:
        return Outcome("skipped")

    request = None
    for text, end in quoted_values(line):
        m = _REQUEST.match(text)
        if m:
            request = (m.group(1), end)
            break
    if request is None:
        return Outcome("skipped")
    target, after = request
    path = re.split(r"[?#]", target, maxsplit=1)[0]
    if include and not any(path.startswith(p) for p in include):
        return Outcome("skipped")
    if any(path.startswith(p) for p in exclude):
        return Outcome("skipped")
    pm = _PYPI_PATH.match(path)
    if not pm:
        return Outcome("skipped")

    status_code, user_agent = None, None
    i = _skip_spaces(line, after, required=True)
    if i is not None:
        j = i
        while j < len(line) and line[j].isdigit() and line[j].isascii():
            j += 1
        if j > i:
            code = int(line[i:j])
            status_code = code if 100 <= code <= 599 else None
            k = _skip_spaces(line, j, required=True)
            if k is not None:
                b = k
                if b < len(line) and line[b] == "-":
                    b += 1
                else:
                    while b < len(line) and line[b].isdigit() and line[b].isascii():
                        b += 1
                if b > k:
                    k2 = _skip_spaces(line, b, required=True)
                    ref = _quoted_at(line, k2) if k2 is not None else None
                    if ref:
                        k3 = _skip_spaces(line, ref[1], required=True)
                        ua = _quoted_at(line, k3) if k3 is not None else None
                        if ua:
                            user_agent = ua[0]

    xff = None
    k = line.find("x_forwarded_for:")
    if k >= 0:
        q = _quoted_at(line, k + len("x_forwarded_for:"))
        if q:
            first = q[0].split(",")[0].strip(" ")
            xff = None if first in ("", "-") else first

    ts = parse_timestamp(raw.get("@timestamp") if isinstance(raw.get("@timestamp"), str) else None)
    if ts is None:
        ts = parse_clf_timestamp(line)
    if ts is None:
        return Outcome("malformed")

    return Outcome("kept", {
        "timestamp": ts,
        "message": message,
        "user": _user(line),
        "org_id": _label_token(line, "org_id:"),
        "domain": pm.group(1),
        "distribution": pm.group(2),
        "package": pm.group(3),
        "status_code": status_code,
        "user_agent": user_agent,
        "x_forwarded_for": xff,
        "_ptr": raw.get("@ptr") if isinstance(raw.get("@ptr"), str) else "",
    })


def expected_rows(raw_rows, include=DEFAULT_FILTER, exclude=DEFAULT_EXCLUDE):
    """Kept rows sorted by (timestamp, @ptr) plus (skipped, malformed) counts."""
    kept, skipped, malformed = [], 0, 0
    for raw in raw_rows:
        o = parse_row(raw, include, exclude)
        if o.kind == "kept":
            kept.append(o.row)
        elif o.kind == "skipped":
            skipped += 1
        else:
            malformed += 1
    kept.sort(key=lambda r: (r["timestamp"], r["_ptr"].encode()))
    return kept, skipped, malformed

"""Reference implementation of the row contract (design.md section 2), in plain Python.

It is written independently of the Swift AccessLog module so that the interop
tests can compare what `pulp-backfill convert` writes against an oracle, and so
that the benchmark's "Python path" does the same work as our converter.
It favours clarity over speed.
"""
from __future__ import annotations

import calendar
import json
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
        doc = json.loads(message)
    except (ValueError, RecursionError):
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


def _label_token(line: str, label: str):
    """Rule 6: token after `label` where the label starts the line or follows a space."""
    pos = 0
    while True:
        k = line.find(label, pos)
        if k < 0:
            return None
        if k == 0 or line[k - 1] == " ":
            end = line.find(" ", k + len(label))
            tok = line[k + len(label):] if end < 0 else line[k + len(label):end]
            return None if tok in ("", "-") else tok
        pos = k + 1


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
        "user": _label_token(line, "user:"),
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

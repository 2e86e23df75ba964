"""Deterministic generator of Insights result rows shaped like the production log group.

Used by the interop tests (edge cases on purpose) and by the benchmark (bulk rows).
Every row is a dict with `@timestamp`, `@message`, `@ptr`, as one NDJSON line.
"""
from __future__ import annotations

import base64
import json
import random
from datetime import datetime, timedelta, timezone

USERS = ["testuser", "svc-rhoai", "alice", "bob", "ci-bot", "-", "-", "-"]
ORGS = ["org123", "5894300", "777", "42", "-"]
DOMAINS = ["public", "acme", "public-rhai", "domain1"]
DISTS = ["main", "prod", "rhoai/3.5-EA2/cpu-ubi9", "dist1", "staging/nightly"]
PACKAGES = ["numpy", "requests", "zope.interface", "statuspage", "status-client", "torch",
            "Django", "pydantic_core", "caf%C3%A9", "six"]
AGENTS = [
    'pip/24.0 {\\"ci\\":null,\\"cpu\\":\\"x86_64\\",\\"implementation\\":{\\"name\\":\\"CPython\\",\\"version\\":\\"3.12.3\\"}}',
    'uv/0.9.26 {\\"installer\\":{\\"name\\":\\"uv\\"}}',
    "poetry/1.8.3", "pip/23.3.1", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0",
    "curl/8.5.0", "", "Wget/1.21 (linux-gnu) \u00e9t\u00e9",
]
XFF = ["23.48.249.160,10.0.0.1", "10.20.30.40", "66.187.232.140, 66.187.232.140, 23.220.105.201",
       "2001:db8::7", "-", "", " 198.51.100.23 , 10.0.0.2"]


def ptr_for(n: int) -> str:
    return base64.b64encode(b"ptr-%012d-pulp" % n).decode()


def access_line(rng: random.Random, when: datetime, path: str, method="GET", status="200",
                agent=None, user=None, org=None, xff=None) -> str:
    agent = rng.choice(AGENTS) if agent is None else agent
    user = rng.choice(USERS) if user is None else user
    org = rng.choice(ORGS) if org is None else org
    xff = rng.choice(XFF) if xff is None else xff
    clf = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    return (f'pulp [{rng.getrandbits(32):08x}]: 10.128.4.{rng.randint(1, 250)} - user:{user} org_id:{org} '
            f'[{clf}] "{method} {path} HTTP/1.1" {status} {rng.choice(["0", "456", "18734", "-"])} '
            f'"-" "{agent}" {rng.randint(1, 900)} x_forwarded_for:"{xff}"')


def wrap(line: str, when: datetime, member="message") -> str:
    doc = {
        "@timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
        "hostname": "ip-10-0-141-7.ec2.internal",
        "kubernetes": {"container_name": "pulp-api", "namespace_name": "pulp-prod",
                       "pod_name": "pulp-api-7d9f8c6b5-x2k4q", "labels": {"app": "pulp-api"}},
        "level": "info", "log_type": "application", member: line,
    }
    return json.dumps(doc, separators=(",", ":"))


def insights_ts(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"


def pypi_path(rng: random.Random) -> str:
    p = f"/api/pypi/{rng.choice(DOMAINS)}/{rng.choice(DISTS)}/simple/{rng.choice(PACKAGES)}/"
    r = rng.random()
    if r < 0.05:
        p += "?format=json"
    elif r < 0.07:
        p = p[:-1]  # no trailing slash
    elif r < 0.08:
        p += "#frag"
    return p


def bulk_rows(n: int, seed: int = 7, start=datetime(2026, 2, 4, 14, 0, tzinfo=timezone.utc)):
    """Mostly keepable rows (~95%), for benchmarks: the shape of a busy production hour."""
    rng = random.Random(seed)
    step_ms = max(1, 3_600_000 * 24 // max(n, 1))
    rows = []
    t = start
    for i in range(n):
        t = t + timedelta(milliseconds=rng.randint(0, step_ms))
        r = rng.random()
        if r < 0.03:
            line = access_line(rng, t, "/livez", agent="kube-probe/1.29")
        elif r < 0.05:
            line = access_line(rng, t, "/api/v3/status/")
        else:
            line = access_line(rng, t, pypi_path(rng), status=rng.choice(["200", "200", "304", "404"]))
        rows.append({"@timestamp": insights_ts(t), "@message": wrap(line, t), "@ptr": ptr_for(i)})
    return rows


def edge_rows(seed: int = 11):
    """Rows that exercise every rule, in a scrambled order."""
    rng = random.Random(seed)
    base = datetime(2026, 2, 4, 14, 0, tzinfo=timezone.utc)
    rows = []

    def add(ts, message, n=None):
        rows.append({"@timestamp": ts, "@message": message, "@ptr": ptr_for(len(rows) if n is None else n)})

    for i in range(300):
        t = base + timedelta(milliseconds=rng.randint(0, 3_600_000))
        line = access_line(rng, t, pypi_path(rng), status=rng.choice(["200", "304", "404", "500", "99", "600", "-"]))
        kind = rng.random()
        if kind < 0.6:
            add(insights_ts(t), wrap(line, t))
        elif kind < 0.7:
            add(insights_ts(t), wrap(line, t, member="log"))
        elif kind < 0.8:
            add(insights_ts(t), line)
        elif kind < 0.85:
            add(t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), wrap(line + "\r\n", t))
        elif kind < 0.9:
            add((t + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S+02:00"), wrap(line, t))
        elif kind < 0.95:
            add(None, wrap(line, t))  # CLF fallback
        else:
            add("not a time", line)   # CLF fallback again
    same = base + timedelta(minutes=5)
    for i in range(20):  # many rows in one millisecond: order by @ptr
        add(insights_ts(same), wrap(access_line(rng, same, pypi_path(rng)), same), n=10_000 + (19 - i))
    # Skips and malformed rows
    add(insights_ts(base), wrap(access_line(rng, base, "/livez"), base))
    add(insights_ts(base), wrap(access_line(rng, base, "/status/"), base))
    add(insights_ts(base), wrap(access_line(rng, base, "/api/pypi/acme/prod/legacy/", method="POST"), base))
    add(insights_ts(base), wrap("django.request:WARNING: Not Found: /api/pypi/acme/prod/simple/x/", base))
    add(insights_ts(base), wrap(access_line(rng, base, "/api/pypi/acme/prod/simple/"), base))
    add(None, "no timestamp anywhere \"GET /api/pypi/acme/prod/simple/numpy/ HTTP/1.1\" 200 1 \"-\" \"pip\"")
    add(insights_ts(base), "")
    add(insights_ts(base), "{\"message\": 12}")
    # Escaped quotes in the user agent, status with odd spacing, unicode everywhere
    add(insights_ts(base), 'user:ü org_id:- "GET /api/pypi/d/e/simple/p/ HTTP/1.1"   204  -  "r\\"ef"  "a\\\\b \\"q\\"" x_forwarded_for:"  fe80::1 , 1.2.3.4"')
    add(insights_ts(base), '"BAD request line" "GET /api/pypi/d/e/simple/p2 HTTP/1.1" 200')
    rng.shuffle(rows)
    return rows


def big_message_rows(n=12, size=100_000, seed=5):
    """Rows whose @message is ~100 KB (a long user agent inside the wrapper)."""
    rng = random.Random(seed)
    base = datetime(2026, 2, 4, 15, 0, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        t = base + timedelta(seconds=i)
        agent = "pip/24.0 " + "".join(rng.choice("abcdefghij") for _ in range(size))
        line = access_line(rng, t, pypi_path(rng), agent=agent)
        rows.append({"@timestamp": insights_ts(t), "@message": wrap(line, t), "@ptr": ptr_for(i)})
    return rows


def all_null_rows(n=50):
    """Kept rows whose optional fields are all null: anonymous, no status, no agent, no XFF."""
    base = datetime(2026, 2, 4, 16, 0, tzinfo=timezone.utc)
    rows = []
    for i in range(n):
        t = base + timedelta(seconds=i)
        line = f'user:- org_id:- "GET /api/pypi/d/dist/simple/pkg{i % 7}/ HTTP/1.1" - x_forwarded_for:"-"'
        rows.append({"@timestamp": insights_ts(t), "@message": line, "@ptr": ptr_for(i)})
    return rows


# ---- the three access-line shapes a backfill of history meets (docs/row-rules.md "Older lines")
# before 2026-01-06: `pulp [cid]: HOST IDENT USER [time] "req" status bytes "ref" "ua" duration`
# from 2026-01-06:   `pulp [cid]: HOST IDENT user:U org_id:O [time] …`
# from 2026-01-21:   the same plus ` x_forwarded_for:"…"` at the end
# each of them, in production, wrapped in parentheses: `(pulp [cid]: … )`.
OLDER_USERS = ["alice", "bob", "svc-rhoai", "-", "-", "caf\u00e9", "\U0001F600", "a(b", "x)", "[x", "x]",
               "a:b", "svc@corp.example", "dom\\name", "o'brien", "tab\tin", "org_id:5", "()", "[]", "--"]
OLDER_CIDS = ["abc-123", "0f1e2d3c", "-", "", "a b", "[x", "None"]
OLDER_HOSTS = ["10.128.4.9", "2001:db8::7", "-", "ip-10-0-1-2.ec2.internal"]
# (text in the line, the user agent it stands for)
OLDER_AGENTS = [("pip/24.0", "pip/24.0"), ("uv/0.9.26 (linux)", "uv/0.9.26 (linux)"), ("", ""),
                ('pip/24.0 {\\"ci\\":null}', 'pip/24.0 {"ci":null}'), ("ends with )", "ends with )"),
                ("a) b (c", "a) b (c"), ("x user:zed y", "x user:zed y")]
# (text inside x_forwarded_for:"…", the value it stands for)
OLDER_XFF = [("23.48.249.160,10.0.0.1", "23.48.249.160"), ("-", None), ("", None), (" 198.51.100.23 , 10.0.0.2", "198.51.100.23"),
             ("2001:db8::7)", "2001:db8::7)")]


def older_shape_rows(n: int = 3000, seed: int = 17):
    """Rows of all three shapes, with and without the parentheses, JSON-wrapped or plain, plus
    label-less starts that must NOT give a user (two or four tokens, doubled spaces, a missing
    `pulp `, a CID with `]`, …). Returns (rows, intended): `intended` maps each row's @ptr to
    the cells the generator meant that line to yield — user, org_id, status_code, user_agent,
    x_forwarded_for — worked out here from the choices made, not by parsing the line, so the
    reference implementation can be checked against it."""
    rng = random.Random(seed)
    rows, intended = [], {}
    for i in range(n):
        shape = rng.choice(["older", "older", "labels", "xff"])
        if shape == "older":
            t = datetime(2025, 12, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 35 * 86400))
        elif shape == "labels":
            t = datetime(2026, 1, 6, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 14 * 86400))
        else:
            t = datetime(2026, 1, 21, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 20 * 86400))
        clf = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
        user = rng.choice(OLDER_USERS)
        org = rng.choice(["42", "org123", "-"])
        cid = rng.choice(OLDER_CIDS)
        host = rng.choice(OLDER_HOSTS)
        ident = rng.choice(["-", "-", "-", "ident"])
        parens = rng.random() < 0.5
        want_user = None if user == "-" else user
        want_org = None
        if shape == "older":
            start = f"pulp [{cid}]: {host} {ident} {user} ["
            r = rng.random()
            if r < 0.25:  # starts that do not have the older shape: no user may be taken
                want_user = None
                start = rng.choice([
                    f"pulp [{cid}]: {host} {user} [",                       # two tokens
                    f"pulp [{cid}]: {host} {ident} {user} extra [",         # four tokens
                    f"pulp [{cid}]: {host} {ident} John {user} [",          # a user with a space
                    f"pulp [{cid}]: {host}  {ident} {user} [",              # a doubled space
                    f"pulp [{cid}]: {host} {ident} {user}  [",              # two spaces before [
                    f"pulp [{cid}]:  {host} {ident} {user} [",              # two spaces after ]:
                    f"pulp [{cid}]:{host} {ident} {user} [",                # no space after ]:
                    f"pulp [{cid}] : {host} {ident} {user} [",              # space before the colon
                    f"pulp [a]b]: {host} {ident} {user} [",                 # a CID holding "]"
                    f"pulp{cid}]: {host} {ident} {user} [",                 # no " [" after pulp
                    f"Pulp [{cid}]: {host} {ident} {user} [",               # not "pulp"
                    f" pulp [{cid}]: {host} {ident} {user} [",              # a leading space
                    f"x pulp [{cid}]: {host} {ident} {user} [",             # not at the start
                    f"pulp [{cid}]: {host}\t{ident} {user} [",              # a tab is no separator
                    f"pulp [{cid}]: {host} {ident} {user} ",                # no "[" after USER
                ])
                if start.endswith(f"John {user} [") and user.startswith("["):
                    want_user = "John"  # "HOST IDENT John [x [": three tokens, then " [" — the shape holds
                if parens and rng.random() < 0.3:
                    start = "(" + start  # "((pulp": only one "(" may come first
            if user == "org_id:5":
                # A space comes before USER in every start above, so rule 6 reads it as org_id,
                # and a label is never the bare user of an older line.
                want_org, want_user = "5", None
        else:
            start = f"pulp [{cid}]: {host} {ident} user:{user} org_id:{org} ["
            # "user:org_id:5" holds no org_id: label (it follows ":", not a space): org_id is ORG.
            want_org = None if org == "-" else org
        status = rng.choice(["200", "200", "304", "404", "99", "-"])
        size = rng.choice(["0", "456", "-"])
        agent_text, agent = rng.choice(OLDER_AGENTS)
        duration = rng.choice([" 550", " 1", ""])
        line = f'{start}{clf}] "GET {pypi_path(rng)} HTTP/1.1" {status} {size} "-" "{agent_text}"{duration}'
        want_xff = None
        if shape == "xff":
            xff_text, want_xff = rng.choice(OLDER_XFF)
            line += f' x_forwarded_for:"{xff_text}"'
        if parens:
            line = "(" + line + ")"
        if agent_text == "x user:zed y" and not (shape == "labels" or shape == "xff"):
            want_user = "zed"  # a user: label anywhere in the line is rule 6's, older shape or not
        ptr = ptr_for(50_000 + i)
        intended[ptr] = {
            "user": want_user, "org_id": want_org,
            "status_code": int(status) if status.isdigit() and 100 <= int(status) <= 599 else None,
            "user_agent": agent if status != "-" else None,  # no status: the user agent is not read
            "x_forwarded_for": want_xff,
        }
        kind = rng.random()
        if kind < 0.6:
            rows.append({"@timestamp": insights_ts(t), "@message": wrap(line, t), "@ptr": ptr})
        elif kind < 0.9:
            rows.append({"@timestamp": insights_ts(t), "@message": line, "@ptr": ptr})
        else:  # no @timestamp: the time comes from the line, wrapper or not
            rows.append({"@message": line, "@ptr": ptr})
    return rows, intended


def write_ndjson(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False))
            f.write("\n")


def write_query_results(path, rows):
    """A saved GetQueryResults response, as the console or `aws logs get-query-results` gives it."""
    results = [[{"field": k, "value": v} for k, v in r.items() if v is not None] for r in rows]
    doc = {"results": results, "statistics": {"recordsMatched": len(rows), "recordsScanned": len(rows),
                                              "bytesScanned": 0}, "status": "Complete"}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)


# ---- raw NDJSON lines with JSON escapes, invalid UTF-8 and U+0000 ---------------------------
# Private-use characters mark what a plain `json.dumps` cannot write; `_json_literal` and
# `_finish` turn them into the real thing at the JSON level they sit in.
INVALID_UTF8 = {  # marker → raw bytes that are not UTF-8 (each sequence repaired on its own)
    "\ue000": b"\xff",                 # never a UTF-8 byte
    "\ue001": b"\xc3",                 # a lead byte without its continuation
    "\ue002": b"\xed\xa0\x80",         # a UTF-16 surrogate encoded as UTF-8
    "\ue003": b"\xc0\xaf",             # an overlong "/": must not become a path separator
    "\ue004": b"\xf0\x9f\x98",         # a 4-byte sequence cut short (one U+FFFD)
    "\ue005": b"\xf4\x90\x80\x80",     # above U+10FFFF
    "\ue006": b"\x80\xbf",             # lone continuation bytes
}
LONE_SURROGATES = {  # marker → escape text of a surrogate without its partner
    "\ue010": "\\ud800",
    "\ue011": "\\udc00",
    "\ue012": "\\ud83dx",               # a high surrogate followed by a plain character
    "\ue013": "\\ude00\\ud83d",         # the halves in the wrong order
}


def _json_literal(text: str, rng: random.Random, escape_slash: bool, ascii_only: bool) -> str:
    """A JSON string literal for `text`: `/` as `\\/` when asked, non-ASCII as `\\uXXXX`
    (surrogate pairs above U+FFFF) when asked, U+0000 and other controls as `\\u00XX` (or a
    short escape), markers left for `_finish` or turned into lone surrogate escapes."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in LONE_SURROGATES:
            out.append(LONE_SURROGATES[ch])
        elif ch in INVALID_UTF8:
            out.append(ch)
        elif ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "/" and escape_slash:
            out.append("\\/")
        elif ch in "\n\r\t" and rng.random() < 0.5:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif code < 0x20:
            out.append(f"\\u{code:04x}" if rng.random() < 0.5 else f"\\u{code:04X}")
        elif code >= 0x80 and ascii_only:
            if code > 0xFFFF:
                v = code - 0x10000
                out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _finish(text: str) -> bytes:
    data = text.encode("utf-8")
    for marker, raw in INVALID_UTF8.items():
        data = data.replace(marker.encode("utf-8"), raw)
    return data


def escape_lines(n: int = 300, seed: int = 13) -> list[bytes]:
    """Raw NDJSON lines whose strings carry `\\uXXXX` escapes (é, 😀 as a surrogate pair),
    `\\/` in paths, U+0000 (in user agents, users, packages, @ptr), lone surrogate escapes and
    raw invalid UTF-8 bytes — at the NDJSON level and inside the OpenShift wrapper. Mostly
    keepable rows; timestamps collide so @ptr (with its odd bytes) decides the order."""
    rng = random.Random(seed)
    base = datetime(2026, 2, 4, 17, 0, tzinfo=timezone.utc)
    odd = ["\u00e9", "\U0001F600", "\u0000", "\u65e5", "e\u0301", "\t", "\\", '"', "/"] \
        + list(INVALID_UTF8) + list(LONE_SURROGATES)

    def sprinkle(word: str, chance: float) -> str:
        out = []
        for ch in word:
            out.append(ch)
            if rng.random() < chance:
                out.append(rng.choice(odd))
        return "".join(out)

    lines = []
    for i in range(n):
        t = base + timedelta(milliseconds=rng.choice([0, 1, 2, rng.randint(0, 3_599_999)]))
        token_odd = [c for c in odd if c not in ' "\\/']
        user = rng.choice(["alice", "-", "svc\u0000bot", "b\u00f6b", "u\ue000x", "\U0001F600", "nul\u0000"])
        org = rng.choice(["42", "-", "org\ue002", "\u00e9"])
        package = rng.choice(["numpy", "caf\u00e9", "caf%C3%A9", "pkg\u0000x", "p\ue000", "p\ue010",
                              "\U0001F600", "a\ue003b"]) + rng.choice(token_odd) * (rng.random() < 0.3)
        dist = rng.choice(["main", "rhoai/3.5-EA2/cpu-ubi9", "d\u00e9v", "x\ue004y/z"])
        domain = rng.choice(["public", "acme", "dom\u00e9"])
        path = f"/api/pypi/{domain}/{dist}/simple/{package}/"
        if rng.random() < 0.1:
            path = rng.choice(["/livez", "/status/", "/api/v3/\u00e9/", "/api/pypi/acme/prod/simple/"])
        agent = sprinkle(rng.choice(["pip/24.0", "uv/0.9 (linux)", "nul\u0000char", "ua \\\"q\\\" end", ""]), 0.15)
        xff = rng.choice(["10.0.0.1, 10.0.0.2", "-", " 2001:db8::\u00e9 ", "1.2.3.4\u0000"])
        clf = t.strftime("%d/%b/%Y:%H:%M:%S +0000")
        status = rng.choice(["200", "304", "404"])
        line = (f'pulp [{i:08x}]: 10.0.0.{i % 250} - user:{user} org_id:{org} [{clf}] '
                f'"GET {path} HTTP/1.1" {status} {rng.randint(0, 9999)} '
                f'"-" "{agent}" {rng.randint(1, 900)} x_forwarded_for:"{xff}"')
        kind = rng.random()
        slash_outer, ascii_outer = rng.random() < 0.5, rng.random() < 0.5
        if kind < 0.4:    # plain access line: escapes at the NDJSON level only
            message = _json_literal(line, rng, slash_outer, ascii_outer)
        elif kind < 0.9:  # OpenShift wrapper: the line escaped inside, the wrapper escaped again
            inner = _json_literal(line, rng, rng.random() < 0.5, rng.random() < 0.5)
            member = rng.choice(["message", "log"])
            wrapper = '{"kubernetes":{"pod_name":"pulp-api-0"},"' + member + '":' + inner + ',"level":"info"}'
            message = _json_literal(wrapper, rng, slash_outer, ascii_outer)
        else:             # a raw U+0000 inside the wrapper's string: not JSON, so the line is the text
            wrapper = '{"log":"' + line.replace('"', "'") + '\u0000"}'
            message = _json_literal(wrapper, rng, slash_outer, ascii_outer)
        ptr = rng.choice([ptr_for(i), ptr_for(i) + "\u0000", ptr_for(i) + "\ue000", "\u00e9" + ptr_for(i)])
        ts = insights_ts(t) if rng.random() < 0.9 else None
        members = [f'"@message":{message}', f'"@ptr":{_json_literal(ptr, rng, False, ascii_outer)}']
        if ts is not None:
            members.append(f'"@timestamp":{_json_literal(ts, rng, False, False)}')
        members.append('"@logStream":"pulp-api-0"')
        rng.shuffle(members)
        lines.append(_finish("{" + ",".join(members) + "}"))
    return lines


def write_lines(path, lines: list[bytes]):
    """Raw NDJSON lines, written byte for byte."""
    with open(path, "wb") as f:
        for line in lines:
            f.write(line + b"\n")

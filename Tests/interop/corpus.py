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

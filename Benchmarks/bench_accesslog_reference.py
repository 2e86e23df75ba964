"""Reference for Benchmarks/bench_accesslog.sh: the same per-row work in Python.

`generate` writes N sample-like NDJSON rows (the fixture's 10 events, cycled, with distinct
@ptr values). `run` times Python's json.loads + re implementation of the row rules
(README "Access-log rows") on that file, the way an in-process Python exporter would do it,
and prints the same JSON summary as accesslog-bench.
"""
import datetime
import json
import re
import sys
import time

REQUEST = re.compile(r'"([A-Z]+) ([^ "]+)(?: [^ "]+)?"')
STATUS_AGENT = re.compile(r' +(\d+)(?: +(?:\d+|-) +"(?:[^"\\]|\\.)*" +"((?:[^"\\]|\\.)*)")?')
SIMPLE_PATH = re.compile(r"^/api/pypi/([^/]+)/(.+?)/simple/([^/]+)/?$")
USER = re.compile(r"(?:^| )user:(\S*)")
ORG = re.compile(r"(?:^| )org_id:(\S*)")
XFF = re.compile(r'x_forwarded_for:"((?:[^"\\]|\\.)*)"')
CLF = re.compile(r"\[(\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
INCLUDE = ("/api/pypi/",)
EXCLUDE = ("/livez", "/status")


def unquote(text):
    return text.replace('\\"', '"').replace("\\\\", "\\")


def none_if_dash(value):
    return None if value in ("", "-") else value


def timestamp_ns(text, line):
    try:
        moment = datetime.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        found = CLF.search(line)
        if not found:
            return None
        moment = datetime.datetime.strptime(found.group(1), "%d/%b/%Y:%H:%M:%S %z")
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def parse(event):
    message = event.get("@message") or ""
    line = message
    if message.lstrip().startswith("{"):
        try:
            wrapper = json.loads(message)
            if isinstance(wrapper, dict):
                inner = wrapper.get("message")
                if not isinstance(inner, str):
                    inner = wrapper.get("log")
                if isinstance(inner, str):
                    line = inner
        except ValueError:
            pass
    line = line.rstrip("\r\n")
    if "django.request:WARNING" in line:
        return None
    request = REQUEST.search(line)
    if not request:
        return None
    path = re.split(r"[?#]", request.group(2), maxsplit=1)[0]
    if path.startswith(EXCLUDE) or not path.startswith(INCLUDE):
        return None
    simple = SIMPLE_PATH.match(path)
    if not simple:
        return None
    nanos = timestamp_ns(event.get("@timestamp"), line)
    if nanos is None:
        return None
    status, agent = None, None
    tail = STATUS_AGENT.match(line, request.end())
    if tail:
        code = int(tail.group(1))
        status = code if 100 <= code <= 599 else None
        agent = unquote(tail.group(2)) if tail.group(2) is not None else None
    user = USER.search(line)
    org = ORG.search(line)
    xff = XFF.search(line)
    return (
        nanos, message,
        none_if_dash(user.group(1)) if user else None,
        none_if_dash(org.group(1)) if org else None,
        simple.group(1), simple.group(2), simple.group(3), status, agent,
        none_if_dash(unquote(xff.group(1)).split(",")[0].strip()) if xff else None,
        event.get("@ptr") or "",
    )


def generate(fixture, output, rows):
    with open(fixture) as source:
        events = [json.loads(line) for line in source if line.strip()]
    with open(output, "w") as sink:
        for index in range(rows):
            event = dict(events[index % len(events)])
            event["@ptr"] = f"{event['@ptr']}-{index}"
            sink.write(json.dumps(event) + "\n")


def run(path, repeats):
    with open(path, "rb") as source:
        lines = source.read().splitlines()
    size = sum(len(line) + 1 for line in lines)
    best = float("inf")
    best_cpu = float("inf")
    kept = 0
    for _ in range(repeats):
        start = time.perf_counter()
        cpu_start = time.thread_time()
        rows = []
        for raw in lines:
            row = parse(json.loads(raw))
            if row is not None:
                rows.append(row)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.thread_time() - cpu_start)
        kept = len(rows)
    print(json.dumps({
        "rows": len(lines), "kept": kept, "bytes": size, "seconds": best,
        "rows_per_second": int(len(lines) / best), "mb_per_second": int(size / 1e6 / best),
        "cpu_seconds": best_cpu, "rows_per_cpu_second": int(len(lines) / best_cpu),
    }))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        run(sys.argv[2], int(sys.argv[3]))

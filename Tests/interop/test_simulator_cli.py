"""insights-sim as a command: usage errors, --events files, `expected`, clean shutdown."""
import json
import signal
import subprocess
import urllib.request

import pytest

from test_simulator_boto3 import LOG_GROUP, SIM, ROOT, Simulator, wait

FIXTURE = ROOT / "Tests" / "Fixtures" / "sample-events.ndjson"


def run(*args, timeout=60):
    return subprocess.run([str(SIM), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args", [
    ["--bogus"],
    ["--port", "70000"],
    ["--fault-reset", "1.5"],
    ["--latency-ms", "9-3"],
    ["--start", "yesterday"],
    ["--require-sigv4", "--sigv4-access-key", ""],
    ["--describe-log-groups-rate", "-1"],
    ["expected", "--start", "2026-02-04T14:00:00Z"],
    ["expected", "--start", "2026-02-04T15:00:00Z", "--end", "2026-02-04T14:00:00Z"],
    ["expected", "--start", "2026-02-04T14:00:00Z", "--end", "2026-02-04T14:01:00Z", "--events", "/nonexistent.ndjson"],
])
def test_usage_errors_are_one_line_exit_2(args):
    r = run(*args)
    assert r.returncode == 2, r
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("insights-sim: ") and "Traceback" not in r.stderr


@pytest.mark.parametrize("content", [
    '{"@timestamp": "2026-02-04 14:00:00.000", "@message": "x"}\n{broken\n',
    '["not an object"]\n',
    '{"@message": "no timestamp"}\n',
    '{"@timestamp": "yesterday", "@message": "x"}\n',
])
def test_malformed_events_file(tmp_path, content):
    f = tmp_path / "bad.ndjson"
    f.write_text(content)
    for args in (["--events", str(f)], ["expected", "--start", "0", "--end", "1", "--events", str(f)]):
        r = run(*args, timeout=20)
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and r.stdout == "", r


def test_events_file_is_served_and_expected_agrees():
    exp = run("expected", "--start", "2026-02-04T14:30:00Z", "--end", "2026-02-04T14:30:08.999Z", "--events", str(FIXTURE))
    assert exp.returncode == 0
    expected = [json.loads(line) for line in exp.stdout.splitlines()]
    source = [json.loads(line) for line in FIXTURE.read_text().splitlines() if line.strip()]
    # Everything but the last sample (at 14:30:08.999, the excluded end) in file order.
    assert [e["@ptr"] for e in expected] == [s["@ptr"] for s in source][:-1]
    assert [e["@message"] for e in expected] == [s["@message"] for s in source][:-1]

    s = Simulator("--events", str(FIXTURE), "--latency-ms", "0-0", "--query-base-ms", "10")
    try:
        c = s.client()
        q = c.start_query(logGroupName=LOG_GROUP, startTime=1770215400, endTime=1770215408,
                          queryString="sort @timestamp asc")
        r, _ = wait(c, q["queryId"])
        served = [{f["field"]: f["value"] for f in row} for row in r["results"]]
        # endTime 14:30:08 includes 14:30:08.999.
        assert [row["@ptr"] for row in served] == [x["@ptr"] for x in source]
        assert served[:-1] == expected
    finally:
        s.stop()


def test_stats_endpoint_and_sigint_summary():
    s = Simulator("--latency-ms", "0-0")
    c = s.client()
    c.describe_log_groups()
    with urllib.request.urlopen(f"{s.endpoint}/_sim/stats") as resp:
        stats = json.load(resp)
    assert stats["requests"]["DescribeLogGroups"]["ok"] == 1
    assert stats["peakConcurrentQueries"] == 0 and "bytesScanned" in stats
    # One request: a peak of exactly one, for that API only (fails if requests are not counted
    # into the window, or counted twice, or under another API).
    assert stats["peakRequestsPerSecond"] == {"DescribeLogGroups": 1}
    # Every fault kind is listed, by its --fault-<kind> name, at 0 (nothing was injected).
    assert stats["faults"] == {"throttle": 0, "5xx": 0, "reset": 0, "slow": 0, "query-failed": 0}
    s.proc.send_signal(signal.SIGINT)
    out, _ = s.proc.communicate(timeout=20)
    assert s.proc.returncode == 0
    assert "insights-sim statistics" in out and "DescribeLogGroups: ok=1 peakPerSecond=1" in out


def test_expected_is_deterministic_and_sliceable():
    full = run("expected", "--start", "2026-02-04T13:58:00Z", "--end", "2026-02-04T14:02:00Z", "--seed", "9").stdout
    a = run("expected", "--start", "2026-02-04T13:58:00Z", "--end", "2026-02-04T14:00:00Z", "--seed", "9").stdout
    b = run("expected", "--start", "2026-02-04T14:00:00Z", "--end", "2026-02-04T14:02:00Z", "--seed", "9").stdout
    assert full and full == a + b
    assert run("expected", "--start", "2026-02-04T13:58:00Z", "--end", "2026-02-04T14:02:00Z", "--seed", "9").stdout == full
    assert run("expected", "--start", "2026-02-04T13:58:00Z", "--end", "2026-02-04T14:02:00Z", "--seed", "10").stdout != full
    rows = [json.loads(line) for line in b.splitlines()]
    assert rows[0]["@timestamp"] == "2026-02-04 14:00:00.000"
    assert list(rows[0]) == ["@timestamp", "@message", "@logStream", "@ptr"]

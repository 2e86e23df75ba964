"""boto3's CloudWatch Logs client against insights-sim, unchanged: start, poll, results,
stop, describe, and every error type the client must recognise."""
import json
import os
import subprocess
import time
from pathlib import Path

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from conftest import bin_dir
from servers import InsightsSim

ROOT = Path(__file__).resolve().parents[2]
LOG_GROUP = "/aws/containerinsights/pulp-prod/application"
T0 = 1770213600  # 2026-02-04 14:00:00 UTC


SIM = bin_dir() / "insights-sim"
Simulator = InsightsSim


@pytest.fixture
def sim():
    s = Simulator("--latency-ms", "0-1", "--query-base-ms", "100", "--query-ms-per-mib", "10",
                  "--start-query-rate", "0", "--get-results-rate", "0", "--seed", "11")
    yield s
    s.stop()


def wait(client, query_id, limit_s=30.0):
    deadline = time.monotonic() + limit_s
    seen = []
    while time.monotonic() < deadline:
        r = client.get_query_results(queryId=query_id)
        seen.append(r["status"])
        if r["status"] not in ("Scheduled", "Running"):
            return r, seen
        time.sleep(0.02)
    raise AssertionError(f"query {query_id} did not finish: {seen[-5:]}")


def expected_rows(start: int, end_exclusive: int, seed: str = "11"):
    out = subprocess.run([str(SIM), "expected", "--start", str(start), "--end", str(end_exclusive), "--seed", seed],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def test_start_poll_results_match_expected(sim):
    c = sim.client()
    q = c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 59,
                      queryString="fields @timestamp, @message | sort @timestamp asc | limit 10000")
    r, seen = wait(c, q["queryId"])
    assert r["status"] == "Complete" and set(seen) <= {"Scheduled", "Running", "Complete"}
    rows = [{f["field"]: f["value"] for f in row} for row in r["results"]]
    # endTime is inclusive up to its last millisecond: [T0, T0+60 s).
    exp = expected_rows(T0, T0 + 60)
    assert len(rows) == len(exp) > 0
    assert rows == [{"@timestamp": e["@timestamp"], "@message": e["@message"], "@ptr": e["@ptr"]} for e in exp]
    stats = r["statistics"]
    assert stats["recordsMatched"] == len(exp) and stats["recordsScanned"] == len(exp) and stats["bytesScanned"] > 0


def test_filter_parse_and_stats(sim):
    c = sim.client()
    q = c.start_query(logGroupNames=[LOG_GROUP], startTime=T0, endTime=T0 + 299,
                      queryString='filter @message like /\\/simple\\/status/ and @message not like "livez" '
                                  '| parse @message "* [*] *" as a, b, c | fields @timestamp, b | limit 5')
    r, _ = wait(c, q["queryId"])
    assert 0 < len(r["results"]) <= 5
    for row in r["results"]:
        fields = [f["field"] for f in row]
        assert fields[-1] == "@ptr" and "b" in fields
    exp = [e for e in expected_rows(T0, T0 + 300) if "/simple/status" in e["@message"] and "livez" not in e["@message"]]
    assert r["statistics"]["recordsMatched"] == len(exp)

    q = c.start_query(logGroupIdentifiers=[f"arn:aws:logs:eu-west-1:123456789012:log-group:{LOG_GROUP}:*"],
                      startTime=T0, endTime=T0 + 599, queryString="stats count(*) by bin(5m)")
    r, _ = wait(c, q["queryId"])
    counts = [{f["field"]: f["value"] for f in row} for row in r["results"]]
    assert [row["bin(5m)"] for row in counts] == ["2026-02-04 14:00:00.000", "2026-02-04 14:05:00.000"]
    assert [int(row["count(*)"]) for row in counts] == [len(expected_rows(T0, T0 + 300)), len(expected_rows(T0 + 300, T0 + 600))]


def test_stop_and_describe(sim):
    # A 10-minute query is surely still running when StopQuery arrives.
    slow = Simulator("--latency-ms", "0-0", "--query-base-ms", "600000")
    try:
        c = slow.client()
        q = c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 3599, queryString="fields @message")
        assert c.get_query_results(queryId=q["queryId"])["status"] == "Scheduled"
        assert c.stop_query(queryId=q["queryId"])["success"] is True
        r = c.get_query_results(queryId=q["queryId"])
        assert r["status"] == "Cancelled" and r["results"] == []
    finally:
        slow.stop()
    c = sim.client()
    groups = c.describe_log_groups(logGroupNamePrefix="/aws/containerinsights/")["logGroups"]
    assert [g["logGroupName"] for g in groups] == [LOG_GROUP]
    assert groups[0]["arn"].startswith("arn:aws:logs:eu-west-1:")
    assert c.describe_log_groups(logGroupNamePrefix="/nope")["logGroups"] == []


def error_code(call):
    with pytest.raises(ClientError) as info:
        call()
    e = info.value.response
    return e["Error"]["Code"], e["ResponseMetadata"]["HTTPStatusCode"], e["ResponseMetadata"]["RequestId"]


def test_client_errors(sim):
    c = sim.client()
    code, status, rid = error_code(lambda: c.start_query(logGroupName="/nope", startTime=T0, endTime=T0 + 1, queryString="fields @message"))
    assert (code, status) == ("ResourceNotFoundException", 400) and rid
    assert error_code(lambda: c.start_query(logGroupName=LOG_GROUP, startTime=T0 + 10, endTime=T0, queryString="fields @message"))[:2] == ("InvalidParameterException", 400)
    assert error_code(lambda: c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 1, queryString="dedup @message"))[:2] == ("MalformedQueryException", 400)
    assert error_code(lambda: c.get_query_results(queryId="00000000-0000-4000-a000-000000000000"))[:2] == ("ResourceNotFoundException", 400)
    with pytest.raises(c.exceptions.MalformedQueryException) as info:
        c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 1, queryString="fields @message | frobnicate")
    assert info.value.response["queryCompileError"]["location"]["startCharOffset"] == 18


def test_quota_errors():
    s = Simulator("--latency-ms", "0-0", "--query-base-ms", "600000", "--max-concurrent-queries", "2",
                  "--start-query-rate", "100", "--get-results-rate", "0.1")
    try:
        c = s.client()
        for _ in range(2):
            c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 1, queryString="fields @message")
        with pytest.raises(c.exceptions.LimitExceededException):
            c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 1, queryString="fields @message")
        codes = []
        for _ in range(3):
            try:
                c.get_query_results(queryId="x")
                codes.append("ok")
            except ClientError as e:
                codes.append(e.response["Error"]["Code"])
        assert "ThrottlingException" in codes
    finally:
        out = s.stop()
    # The operator summary is printed on SIGTERM.
    assert "LimitExceededException=1" in out and "peakConcurrentQueries=2" in out


def test_service_unavailable_fault():
    s = Simulator("--latency-ms", "0-0", "--fault-5xx", "1")
    try:
        c = s.client(retries=0)
        code, status, _ = error_code(lambda: c.describe_log_groups())
        assert code == "ServiceUnavailableException" and status in (500, 503)
        stats = s.stats()
        # The fault is counted under its flag's name, once per request that met it (fails if a
        # test of the backfill could not tell a 5xx fired).
        assert stats["faults"]["5xx"] == 1 and stats["requests"]["DescribeLogGroups"] == {"ServiceUnavailableException": 1}
    finally:
        s.stop()

"""The tool at its DEFAULT pacing (--concurrency 8, --start-rate 5, --poll-rate 5: none of them
passed) against insights-sim at AWS's default quotas (5 StartQuery/s, 5 GetQueryResults/s, 30
concurrent queries). Everything is judged from insights-sim's own counters (/_sim/stats): counts,
never wall-clock timings.

How many requests a quota admits in one second: insights-sim's quota is a token bucket
(Sources/InsightsSimulator/TokenBucket.swift) holding one second's worth of tokens (5) and
refilled at 5 per second, so within any one second it accepts at most 5 + 4 = 9 requests.
`peakRequestsPerSecond` counts every request received within one second (a sliding window, see
SimulatorStatistics.swift), throttled ones included. The tool paces one token below the bucket
(bursts of 4, then 5 per second): 8 in a second as sent, up to 9 as received once the first
requests' connection set-up has delayed them. A client pacing at 6/s is throttled within its
first second; its back-off (x0.7) can keep its peak at 9, which is why the throttle count is
asserted too (with no throttle, the peak cannot exceed 9: the peak check is the cross-check)."""
from __future__ import annotations

from servers import InsightsSim
from test_backfill import (CORPUS, GROUP, assert_files_by_hour, assert_same_rows, env_for, expected_table, exported_table,
                           pulp)

# AWS's default quotas, spelled out (they are also insights-sim's defaults).
AWS_QUOTAS = ["--start-query-rate", "5", "--get-results-rate", "5", "--max-concurrent-queries", "30"]
QUOTA_RATE = 5
# The most requests insights-sim's bucket (5 tokens, 5 per second) accepts within one second.
MOST_IN_ONE_SECOND = QUOTA_RATE + (QUOTA_RATE - 1)
DEFAULT_CONCURRENCY = 8
# Two hours holding a burst above 10,000 events (more than one query for a chunk): 24 chunks.
TWO_HOURS = ("2026-02-04T09:00:00Z", "2026-02-04T11:00:00Z")


def run_default_backfill(sim: InsightsSim, tmp_path, start: str, end: str, chunks: int) -> dict:
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    # One query per chunk (pacing flags left at their defaults): the quotas are judged over
    # many queries, and density counts would fetch these sparse hours with a handful.
    p = pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
             "--output-path", str(out), "--catalog", str(catalog), "--one-query-per-chunk", env=env_for(sim), timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert f"done: {chunks} chunk(s)" in p.stdout, p.stdout
    want = expected_table(sim, start, end, tmp_path)
    assert_same_rows(exported_table(out), want)
    assert_files_by_hour(out, want)
    return sim.stats()


def assert_within_quotas(stats: dict):
    peaks = stats["peakRequestsPerSecond"]
    # Fails if more StartQuery arrived within one second than the quota's bucket accepts (a
    # burst above the quota's, or a rate above it kept up for a second).
    assert peaks["StartQuery"] <= MOST_IN_ONE_SECOND, peaks
    # The same for GetQueryResults (its own 5 per second).
    assert peaks["GetQueryResults"] <= MOST_IN_ONE_SECOND, peaks
    # insights-sim, counting as AWS does, never had to say no: fails on any ThrottlingException
    # (a request above the rate: --start-rate 6 or --poll-rate 6 fail here) or
    # LimitExceededException (a query above the 30 in flight).
    assert stats["throttles"] == 0, stats["requests"]
    assert stats["limitExceeded"] == 0, stats["requests"]
    # Fails if more queries than the default --concurrency ran at once.
    assert stats["peakConcurrentQueries"] <= DEFAULT_CONCURRENCY, stats["peakConcurrentQueries"]


def test_default_rates_keep_the_request_quotas(tmp_path):
    """Queries of 0.3 s: the request rates, not --concurrency, limit the run."""
    sim = InsightsSim(*CORPUS, *AWS_QUOTAS, "--latency-ms", "0-2", "--query-base-ms", "300", "--require-sigv4")
    try:
        stats = run_default_backfill(sim, tmp_path, *TWO_HOURS, chunks=24)
        assert_within_quotas(stats)
        # The pacing was exercised: more StartQuery in one second than the rate's steady state,
        # i.e. the run met the burst edge of the bucket. Fails if the run never got near the
        # quota (then the bound above proved nothing).
        assert stats["peakRequestsPerSecond"]["StartQuery"] > QUOTA_RATE, stats["peakRequestsPerSecond"]
        # A chunk above 10,000 rows needed more than one query: 24 chunks, more StartQuery.
        assert stats["requests"]["StartQuery"]["ok"] > 24, stats["requests"]
    finally:
        sim.stop()


def test_default_concurrency_caps_the_queries_in_flight(tmp_path):
    """Queries of 2.5 s: at 5 StartQuery per second, more than 8 would be in flight if the tool
    let them, so --concurrency is what limits the run. One hour (12 chunks) is enough to fill
    the 8 slots."""
    sim = InsightsSim(*CORPUS, *AWS_QUOTAS, "--latency-ms", "0-2", "--query-base-ms", "2500", "--require-sigv4")
    try:
        stats = run_default_backfill(sim, tmp_path, "2026-02-04T10:00:00Z", "2026-02-04T11:00:00Z", chunks=12)
        assert_within_quotas(stats)
        # Exactly the default --concurrency at the peak: fails if the tool runs fewer queries at
        # once than it may (and then `<= 8` above would prove nothing).
        assert stats["peakConcurrentQueries"] == DEFAULT_CONCURRENCY, stats["peakConcurrentQueries"]
    finally:
        sim.stop()

"""`make bench`: the backfill executor against insights-sim with its quotas scaled up.

Reports, in one run:
  * wall time of a 3-day `pulp-backfill backfill --one-query-per-chunk` ÷ the quota-bound
    minimum (StartQuery calls ÷ StartQuery rate) — target ≤ 1.10: how close the executor's pacing
    comes to the StartQuery quota (density-aware queries, the default, make so few queries on
    this sparse corpus that latency, not the quota, bounds them: see bench_density.py);
  * the seed exporter's algorithm (chunks one after another, poll with backoff, boto3) on the
    same simulator, over the first hours of the range, extrapolated to the 3 days;
  * peak RSS of `backfill` (default planner) for 1 day and for 7 days of history (its VmHWM) —
    target: flat and < 200 MB.
Ratios only; nothing here is a pass/fail test.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ["PULP_BACKFILL_BIN_DIR"])
GROUP = "/aws/containerinsights/pulp-prod/application"
START_RATE, POLL_RATE, CONCURRENCY = 50, 100, 30
SIM_ARGS = ["--events-per-hour", os.environ.get("BENCH_EVENTS_PER_HOUR", "2000"), "--burst-every", "96",
            "--start", "2026-01-01T00:00:00Z", "--end", "2026-02-01T00:00:00Z",
            "--max-concurrent-queries", str(CONCURRENCY), "--start-query-rate", str(START_RATE),
            "--get-results-rate", str(POLL_RATE), "--query-base-ms", "250", "--query-jitter", "0.6",
            "--query-ms-per-mib", "0", "--latency-ms", "1-5"]


class Sim:
    def __init__(self):
        self.proc = subprocess.Popen([str(BIN / "insights-sim"), "--port", "0", *SIM_ARGS],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.endpoint = "http://127.0.0.1:" + self.proc.stdout.readline().strip().rsplit(":", 1)[1]

    def stats(self) -> dict:
        return json.loads(urllib.request.urlopen(self.endpoint + "/_sim/stats").read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def env_for(sim: Sim) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_EC2_METADATA_DISABLED="true",
               AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=sim.endpoint)
    return env


class PeakRSS(threading.Thread):
    """The process's own peak resident size: VmHWM of its memory map, read until it exits.

    Not only wait4's ru_maxrss: on Linux that also counts the memory map the child was forked
    from — this Python process, ~46 MB with boto3 loaded — so it can never read lower than
    that. VmHWM starts afresh at exec and only grows, so the last reading before the exit is
    the peak (a peak in the final few milliseconds could be missed); both are printed."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.kib, self.done = pid, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.kib = max(self.kib, int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.005)


def backfill(sim: Sim, days: int, work: Path, first_day: int = 5, *extra: str) -> dict:
    """Runs one backfill of `days` days from 2026-01-`first_day`; returns wall seconds, StartQuery
    calls, peak RSS (MB) and the catalog's path."""
    before = sim.stats()["requests"].get("StartQuery", {})
    start = time.perf_counter()
    tag = f"{days}d-from-{first_day}"
    catalog = work / f"c-{tag}.sqlite"
    proc = subprocess.Popen([str(BIN / "pulp-backfill"), "backfill", "--cloudwatch-group", GROUP,
                             "--start-time", f"2026-01-{first_day:02d}T00:00:00Z",
                             "--end-time", f"2026-01-{first_day + days:02d}T00:00:00Z",
                             "--output-path", str(work / f"out-{tag}"), "--catalog", str(catalog),
                             "--concurrency", str(CONCURRENCY), "--start-rate", str(START_RATE),
                             "--poll-rate", str(POLL_RATE), "--log-format", "json", *extra],
                            env=env_for(sim), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = PeakRSS(proc.pid)
    peak.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    peak.done.set()
    peak.join()
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"backfill failed: {err[-2000:]}")
    after = sim.stats()["requests"].get("StartQuery", {})
    queries = sum(after.values()) - sum(before.values())
    # Calls by answer: "ok" or the error (ThrottlingException, LimitExceededException). All of
    # them count towards the minimum, as each takes a StartQuery token; shown so that a low
    # ratio bought with rejected calls would be seen.
    outcomes = {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k, 0) != before.get(k, 0)}
    return {"wall": wall, "queries": queries, "outcomes": outcomes, "rss_mb": peak.kib / 1024, "catalog": catalog,
            "ru_maxrss_mb": usage.ru_maxrss / 1024,
            "summary": out.strip()}


def seed_algorithm(sim: Sim, hours: int) -> dict:
    """The seed exporter's loop: one 5-minute chunk at a time, StartQuery, then poll with a
    growing sleep until Complete (boto3, default retries)."""
    logs = boto3.client("logs", endpoint_url=sim.endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")
    t0 = 1767571200  # 2026-01-05T00:00:00Z
    start = time.perf_counter()
    rows = 0
    for chunk in range(hours * 12):
        s = t0 + chunk * 300
        q = logs.start_query(logGroupName=GROUP, startTime=s, endTime=s + 299,
                             queryString="fields @timestamp, @message | sort @timestamp asc | limit 10000", limit=10000)
        delay = 0.5
        for _ in range(1000):
            time.sleep(delay)
            r = logs.get_query_results(queryId=q["queryId"])
            if r["status"] not in ("Scheduled", "Running"):
                break
            delay = min(delay * 2, 5)
        rows += len(r["results"])
    return {"wall": time.perf_counter() - start, "chunks": hours * 12, "rows": rows}


def main():
    work = Path(tempfile.mkdtemp(prefix="pulp-bench-"))
    sim = Sim()
    try:
        three = backfill(sim, 3, work, 5, "--one-query-per-chunk")
        minimum = three["queries"] / START_RATE
        seed = seed_algorithm(sim, hours=int(os.environ.get("BENCH_SEED_HOURS", "3")))
        seed_3d = seed["wall"] / seed["chunks"] * 3 * 288
        one = backfill(sim, 1, work)
        seven = backfill(sim, 7, work)
        # Peak RSS follows the densest data met, not the length of the range: the 7-day range
        # holds clusters of burst windows the first day does not. So also one day holding the
        # 7-day range's densest hour — length changes, densest data does not.
        with sqlite3.connect(seven["catalog"]) as db:
            dense_ms, dense_rows = db.execute('SELECT hour_ms, "rows" FROM partition ORDER BY "rows" DESC LIMIT 1').fetchone()
        dense_day = time.gmtime(dense_ms / 1000).tm_mday
        dense = backfill(sim, 1, work, first_day=dense_day)
        print(f"backfill vs Insights quotas (simulator: {CONCURRENCY} concurrent, {START_RATE} StartQuery/s, "
              f"{POLL_RATE} GetQueryResults/s, 100–400 ms queries)")
        print(f"  3 days, one query per chunk: {three['queries']} queries in {three['wall']:.1f} s; quota-bound minimum {minimum:.1f} s; "
              f"ratio {three['wall'] / minimum:.2f} (target <= 1.10)")
        rejected = three["queries"] - three["outcomes"].get("ok", 0)
        print(f"    StartQuery answers: {', '.join(f'{k} {v}' for k, v in sorted(three['outcomes'].items()))}; "
              f"ratio counting accepted calls only {three['wall'] / ((three['queries'] - rejected) / START_RATE):.2f}")
        print(f"  seed algorithm (sequential, poll with backoff): {seed['chunks']} chunks in {seed['wall']:.1f} s "
              f"→ {seed_3d / 60:.0f} min for 3 days; ratio to the minimum {seed_3d / minimum:.1f}; "
              f"pulp-backfill is {seed_3d / three['wall']:.1f}x faster")
        print(f"  peak RSS: 1 day {one['rss_mb']:.0f} MB, 7 days {seven['rss_mb']:.0f} MB (target: flat, < 200 MB); "
              f"7 days took {seven['wall']:.1f} s for {seven['queries']} queries")
        print(f"    1 day holding the 7-day range's densest hour ({dense_rows:,} rows, 2026-01-{dense_day:02d}): "
              f"{dense['rss_mb']:.0f} MB — same densest data, 1/7 of the length")
        print(f"    (wait4 ru_maxrss, which includes this Python process's resident size at the fork: "
              f"1 day {one['ru_maxrss_mb']:.0f} MB, 7 days {seven['ru_maxrss_mb']:.0f} MB)")
    finally:
        sim.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

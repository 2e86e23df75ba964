"""Density-aware queries against insights-sim, judged by the simulator's own counters
(/_sim/stats): sparse chunks share queries, a dense chunk is fetched in parts sized from a
finer count instead of being continued, events that arrive after counting are still exported
exactly (continuation), and SIGKILLs during merged fetches lose and duplicate nothing."""
from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import bin_dir
from servers import InsightsSim
from test_backfill import (CORPUS, GROUP, SHAPE, assert_files_by_hour, assert_same_rows, env_for, expected_table,
                           exported_table, pulp)

QUICK = ["--latency-ms", "0-2", "--query-base-ms", "40", "--query-ms-per-mib", "2",
         "--start-query-rate", "200", "--get-results-rate", "400"]


def start_queries(sim: InsightsSim) -> int:
    return sum(sim.stats()["requests"]["StartQuery"].values())


def run_backfill(sim: InsightsSim, start: str, end: str, out: Path, catalog: Path, *extra: str,
                 rates: tuple = ("--start-rate", "100", "--poll-rate", "200")) -> subprocess.CompletedProcess:
    return pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
                "--output-path", str(out), "--catalog", str(catalog), *rates, *extra, env=env_for(sim))


def status_json(catalog: Path, sim: InsightsSim) -> dict:
    p = pulp("status", "--catalog", str(catalog), "--format", "json", env=env_for(sim))
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["backfills"][0]


def access_event(ms: int, i: int, tag: str = "on-time") -> dict:
    """One access line whose package names the event, so every exported row is accounted for."""
    t = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    line = (f'10.0.0.1 - user:alice org_id:7 [{t:%d/%b/%Y:%H:%M:%S} +0000] '
            f'"GET /api/pypi/acme/main/simple/{tag}-{i}/ HTTP/1.1" 200 512 "-" "pip/24.0" x_forwarded_for:"1.2.3.4"')
    return {"@timestamp": t.strftime("%Y-%m-%d %H:%M:%S.") + f"{ms % 1000:03d}", "@message": line,
            "@ptr": f"{tag}-{i}"}


def write_events(path: Path, events: list[dict]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def spread(start: datetime, seconds: int, count: int, tag: str, first: int = 0) -> list[dict]:
    """`count` events spread evenly over `seconds` from `start`."""
    base = int(start.timestamp() * 1000)
    return [access_event(base + (i * seconds * 1000) // count, first + i, tag) for i in range(count)]


def exported_packages(out: Path) -> list[str]:
    names = []
    for f in sorted(out.rglob("*.parquet")):
        names += pq.read_table(f, columns=["package"]).column("package").to_pylist()
    return names


HOUR = datetime(2026, 2, 4, 14, tzinfo=timezone.utc)


def test_sparse_chunks_share_one_query(tmp_path):
    # 3 hours of ~2,000 events an hour without bursts: 36 chunks, ~6,000 events in all, under
    # the default budget of 8,000, so one density count and one fetch instead of 36 queries.
    sim = InsightsSim("--seed", "7", "--events-per-hour", "2000", "--burst-every", "0",
                      "--start", "2026-02-04T00:00:00Z", "--end", "2026-02-05T00:00:00Z", *QUICK)
    try:
        start, end = "2026-02-04T08:00:00Z", "2026-02-04T11:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        p = run_backfill(sim, start, end, out, catalog)
        assert p.returncode == 0, p.stderr[-2000:]
        # Fails if chunks are fetched one query each (36), or if the day is counted twice.
        assert start_queries(sim) == 2, sim.stats()["requests"]["StartQuery"]
        # Ground truth: the simulator's events through `convert` (the same row rules).
        src, want = tmp_path / "expected.ndjson", tmp_path / "expected.parquet"
        src.write_text(sim.expected(start, end, "--seed", "7", "--events-per-hour", "2000", "--burst-every", "0"))
        c = subprocess.run([str(bin_dir() / "pulp-backfill"), "convert", "--input", str(src), "--output", str(want)],
                           capture_output=True, text=True)
        assert c.returncode == 0, c.stderr
        assert sorted(exported_packages(out)) == sorted(pq.read_table(want, columns=["package"]).column("package").to_pylist())
        status = status_json(catalog, sim)
        density = status["density"]
        # status: expected vs fetched rows, queries saved (36 one-per-chunk queries - 2).
        assert density["expected_rows"] == density["fetched_rows"] > 5000, density
        assert density["queries_saved"] == 34, density
        assert status["queries"] == 2, status["queries"]
    finally:
        sim.stop()


def test_a_dense_chunk_is_split_without_a_continuation(tmp_path):
    # 12,000 events in 14:55-15:00 (40 a second, 2,400 a minute), nothing else in the hour. The
    # day's minute counts say the hour's chunks hold 12,000 > 8,000, so their claim is fetched
    # in parts cut at minutes: 14:00-14:58 (7,200) and 14:58-15:00 (4,800), neither answer full.
    # Total: 1 day count + 2 parts.
    events = spread(HOUR + timedelta(minutes=55), 300, 12_000, "dense")
    sim = InsightsSim("--events", str(write_events(tmp_path / "events.ndjson", events)), *QUICK)
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        p = run_backfill(sim, "2026-02-04T14:00:00Z", "2026-02-04T15:00:00Z", out, catalog)
        assert p.returncode == 0, p.stderr[-2000:]
        # Fails if the dense chunk is queried whole (a full answer of 10,000, then a
        # continuation: 3 queries) or cut badly (more parts).
        assert start_queries(sim) == 3, sim.stats()["requests"]["StartQuery"]
        con = sqlite3.connect(catalog)
        dense = con.execute("SELECT expected_rows, fetched_events FROM chunk WHERE expected_rows > 0").fetchall()
        matched = con.execute("SELECT sum(records_matched) FROM chunk").fetchone()[0]
        con.close()
        assert dense == [(12_000, 12_000)], dense
        # The parts matched 7,200 (+40 of the second 14:58:00, which the first part's inclusive
        # end second holds) and 4,800: a continuation would match rows a second time.
        assert matched == 7_240 + 4_800, matched
        assert sorted(exported_packages(out)) == sorted(e["@ptr"] for e in events)
    finally:
        sim.stop()


def test_events_that_arrive_after_counting_are_exported_exactly(tmp_path):
    # 3,000 events in each chunk of 14:00-15:00 (counted, 600 a minute): two claims of 6 chunks
    # (18,000: two parts of at most 9,000), each fetched in two parts of 15 minutes (9,000). But
    # 5,000 events arrive in 14:00-14:05 that the count never saw: the first part matches
    # 14,000, its answer is full and a continuation fetches the rest.
    on_time = [e for k in range(12) for e in spread(HOUR + timedelta(minutes=5 * k), 300, 3000, "on-time", 3000 * k)]
    late = spread(HOUR, 300, 5000, "late")
    sim = InsightsSim("--events", str(write_events(tmp_path / "events.ndjson", on_time)),
                      "--late-events", str(write_events(tmp_path / "late.ndjson", late)), *QUICK)
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        p = run_backfill(sim, "2026-02-04T14:00:00Z", "2026-02-04T15:00:00Z", out, catalog)
        assert p.returncode == 0, p.stderr[-2000:]
        # Fails if a row of either kind is lost (a merged answer cut at 10,000) or duplicated.
        got = exported_packages(out)
        assert len(got) == 41_000 and sorted(got) == sorted(e["@ptr"] for e in on_time + late)
        # 1 count + 2 parts + 1 continuation + 2 parts: fails if the full answer is not continued
        # (then rows would be missing above anyway) or the parts are not cut as counted.
        assert start_queries(sim) == 6, sim.stats()["requests"]["StartQuery"]
        density = status_json(catalog, sim)["density"]
        assert density["expected_rows"] == 36_000 and density["fetched_rows"] == 41_000, density
    finally:
        sim.stop()


def test_twenty_sigkills_during_merged_fetches_lose_and_duplicate_nothing(tmp_path):
    # Queries take ~0.3 s, so kills land while merged fetches (budget 1,500: runs of ~9
    # chunks) and parts of the burst windows' split chunks are in flight.
    sim = InsightsSim(*CORPUS, "--latency-ms", "0-2", "--query-base-ms", "300", "--query-ms-per-mib", "2",
                      "--start-query-rate", "200", "--get-results-rate", "400")
    try:
        start, end = "2026-02-04T06:00:00Z", "2026-02-04T12:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        cmd = [str(bin_dir() / "pulp-backfill"), "backfill", "--cloudwatch-group", GROUP, "--start-time", start,
               "--end-time", end, "--output-path", str(out), "--catalog", str(catalog), "--start-rate", "100",
               "--poll-rate", "200", "--query-budget", "1500"]
        env = env_for(sim)
        rng = random.Random(14)
        kills = 0
        for _ in range(20):
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.2, 1.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        assert kills >= 10, kills
        p = pulp(*cmd[1:], env=env, timeout=120)
        assert p.returncode == 0, p.stderr[-3000:]
        status = status_json(catalog, sim)
        assert status["chunks"]["done"] == status["chunks"]["total"] == 72, status["chunks"]
        con = sqlite3.connect(catalog)
        merged = con.execute("SELECT count(*) FROM chunk WHERE queries = 0 AND state = 'done'").fetchone()[0]
        days = con.execute("SELECT count(*) FROM density_day WHERE events > 0").fetchone()[0]
        con.close()
        assert merged > 20, merged  # chunks fetched by a query of another chunk of their claim
        assert days == 1, days  # the day was counted once and kept
        want = expected_table(sim, start, end, tmp_path)
        assert_same_rows(exported_table(out), want)  # 0 rows lost or duplicated
        assert_files_by_hour(out, want)
    finally:
        sim.stop()


def test_query_share_leaves_room_for_other_users(tmp_path):
    # Queries of 6 s at 5 StartQuery/s: up to 30 could be in flight; --concurrency 30 asks for
    # them all, --query-share 0.5 of --max-concurrent-queries 30 allows 15. One query per chunk
    # so that 36 queries are there to run at once.
    sim = InsightsSim(*CORPUS, "--latency-ms", "0-2", "--query-base-ms", "6000", "--query-jitter", "0")
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        p = run_backfill(sim, "2026-02-04T09:00:00Z", "2026-02-04T12:00:00Z", out, catalog, "--one-query-per-chunk",
                         "--concurrency", "30", "--query-share", "0.5", rates=("--start-rate", "5", "--poll-rate", "10"))
        assert p.returncode == 0, p.stderr[-2000:]
        # Fails above 15 (the share ignored) or below it (fewer slots used than allowed, so
        # the bound proved nothing).
        assert sim.stats()["peakConcurrentQueries"] == 15, sim.stats()["peakConcurrentQueries"]
    finally:
        sim.stop()

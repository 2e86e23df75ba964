"""Promises the README makes about runs that no other test holds the tool to: signals
(143, a second signal exits at once, StopQuery for what is in flight), the query-time limit,
a second too dense for Insights failing its chunk loudly, `--write-empty`, `--log-format json`
and `-v`. Each test starts its own insights-sim on loopback, shaped for what it checks."""
from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from access_rows import COLUMNS, SEED_SCHEMA
from conftest import bin_dir
from corpus import access_line, insights_ts, ptr_for, wrap
from servers import InsightsSim

GROUP = "/aws/containerinsights/pulp-prod/application"
# ~600 events an hour and no burst windows: every chunk is one small query, so run time is
# set by the simulator's query time, which each test chooses.
SHAPE = ["--seed", "11", "--events-per-hour", "600", "--burst-every", "0"]
WINDOW = ["--start", "2026-02-04T00:00:00Z", "--end", "2026-02-04T06:00:00Z"]
# Fast answers and quotas well above what the runs below ask for.
RATES = ["--latency-ms", "0-2", "--start-query-rate", "200", "--get-results-rate", "400"]


def start_sim(*args: str) -> InsightsSim:
    return InsightsSim(*SHAPE, *WINDOW, *RATES, *args)


def env_for(sim: InsightsSim) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PULP_BACKFILL_CATALOG"}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=sim.endpoint,
               AWS_EC2_METADATA_DISABLED="true")
    return env


def pulp(*args: str, env: dict, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "pulp-backfill"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def backfill_args(start: str, end: str, out: Path, catalog: Path, *extra: str) -> list[str]:
    # One query per chunk: these promises are about queries in flight, interruptions and
    # per-chunk lines, which need a query per chunk to observe (at 600 events an hour, density
    # counts would fetch an hour with one query; test_density.py covers that planner).
    return ["backfill", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
            "--output-path", str(out), "--catalog", str(catalog), "--start-rate", "100", "--poll-rate", "200",
            "--one-query-per-chunk", *extra]


def plan(start: str, end: str, out: Path, catalog: Path, env: dict):
    p = pulp("plan", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
             "--output-path", str(out), "--catalog", str(catalog), env=env)
    assert p.returncode == 0, p.stderr


def converted(ndjson: str, tmp: Path, name: str) -> pa.Table:
    """Insights rows through `convert`: the ground truth a backfill's files must equal."""
    src, out = tmp / f"{name}.ndjson", tmp / f"{name}.parquet"
    src.write_text(ndjson)
    p = pulp("convert", "--input", str(src), "--output", str(out), env=dict(os.environ))
    assert p.returncode == 0, p.stderr
    return pq.read_table(out)


def expected_table(sim: InsightsSim, start: str, end: str, tmp: Path) -> pa.Table:
    return converted(sim.expected(start, end, *SHAPE), tmp, "expected")


def hour_file(out: Path, hour: str) -> Path:
    """The hive-layout file of `hour` ("2026-02-04T01")."""
    day, hh = hour.split("T")
    return out / f"date={day}" / f"hour={hh}" / f"pulp_access_logs_{day.replace('-', '')}T{hh}0000Z.parquet"


def exported_table(out: Path) -> pa.Table:
    files = sorted(out.rglob("*.parquet"))
    assert files, "no hourly files"
    for f in files:
        assert pq.read_schema(f).equals(SEED_SCHEMA, check_metadata=False), f
    return pa.concat_tables([pq.read_table(f) for f in files])


def assert_same_rows(got: pa.Table, want: pa.Table):
    assert want.num_rows > 0, "the ground truth is empty: the comparison would prove nothing"
    assert got.num_rows == want.num_rows, (got.num_rows, want.num_rows)
    key = [(c, "ascending") for c in COLUMNS]
    assert got.sort_by(key).equals(want.sort_by(key)), "exported rows differ from the ground truth"


def catalog_json(catalog: Path, env: dict) -> list[dict]:
    p = pulp("catalog", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def status_json(catalog: Path, env: dict) -> list[dict]:
    """One report per backfill."""
    p = pulp("status", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["backfills"]


def api_count(stats: dict, api: str, outcome: str = "ok") -> int:
    return stats["requests"].get(api, {}).get(outcome, 0)


def wait_until(predicate, timeout: float, what: str, step: float = 0.05):
    """Polls `predicate` until true; bounded by `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Running:
    """pulp-backfill in the background; its stderr lines are collected as they come."""

    def __init__(self, args: list[str], env: dict):
        self.proc = subprocess.Popen([str(bin_dir() / "pulp-backfill"), *args], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err_lines: list[str] = []
        self.out = ""
        self._lock = threading.Lock()
        self._readers = [threading.Thread(target=self._read_err, daemon=True),
                         threading.Thread(target=self._read_out, daemon=True)]
        for r in self._readers:
            r.start()

    def _read_err(self):
        for line in self.proc.stderr:
            with self._lock:
                self.err_lines.append(line)

    def _read_out(self):
        data = self.proc.stdout.read()
        with self._lock:
            self.out = data

    def stderr_has(self, text: str) -> bool:
        with self._lock:
            return any(text in line for line in self.err_lines)

    def finish(self, timeout: float) -> tuple[int, str, str]:
        """Waits for the exit (killing the process if it overstays) and returns (code, stdout, stderr)."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            for r in self._readers:
                r.join(timeout=5)
        return self.proc.returncode, self.out, "".join(self.err_lines)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.finish(timeout=10)


# 1 ──────────────────────────────────────────────────────────────────────────────────────────

def test_sigterm_exits_143_and_the_next_run_finishes_exactly(tmp_path):
    # Queries of 300 ms, two at a time: 24 chunks take several seconds, so SIGTERM right
    # after the first chunk lands mid-run.
    sim = start_sim("--query-base-ms", "300", "--query-jitter", "0")
    run = None
    try:
        start, end = "2026-02-04T00:00:00Z", "2026-02-04T02:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        run = Running(backfill_args(start, end, out, catalog, "--concurrency", "2", "-v"), env)
        wait_until(lambda: run.stderr_has("chunk done") or run.proc.poll() is not None, 60, "a first chunk")
        assert run.proc.poll() is None, "the run ended before it could be interrupted"
        run.proc.send_signal(signal.SIGTERM)
        code, _, err = run.finish(timeout=30)
        # Fails if SIGTERM kills the process by default (-15), exits 0/1, or says nothing of what is left.
        assert code == 143, err[-2000:]
        remaining = re.search(r"stopped: (\d+) chunk\(s\) remain", err)
        assert remaining, err[-2000:]
        left = int(remaining.group(1))
        assert 0 < left < 24, left  # mid-run: some done, some left
        # Leases were given back: nothing is left "running" for a dead process.
        [report] = status_json(catalog, env)
        assert report["chunks"]["running"] == 0, report["chunks"]
        # The next run does exactly what was left, and the files equal the ground truth:
        # fails if a chunk is lost, redone (rows duplicated) or left unexported.
        p = pulp("run", "--catalog", str(catalog), "--start-rate", "100", "--poll-rate", "200", env=env)
        assert p.returncode == 0, p.stderr
        assert f"done: {left} chunk(s)" in p.stdout, (left, p.stdout)
        assert_same_rows(exported_table(out), expected_table(sim, start, end, tmp_path))
        assert hour_file(out, "2026-02-04T00").exists() and hour_file(out, "2026-02-04T01").exists()
    finally:
        if run:
            run.kill()
        sim.stop()


# 2 ──────────────────────────────────────────────────────────────────────────────────────────

def test_a_second_signal_exits_at_once(tmp_path):
    # Every answer takes 4 s and queries run for a minute: after SIGINT the run has to wait
    # 4 s for each StopQuery answer, so its orderly shutdown is slow. A second signal must
    # not wait for it.
    sim = InsightsSim(*SHAPE, *WINDOW, "--latency-ms", "4000-4000", "--query-base-ms", "60000",
                      "--start-query-rate", "200", "--get-results-rate", "400", "--stop-query-rate", "0")
    run = None
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        run = Running(backfill_args("2026-02-04T00:00:00Z", "2026-02-04T01:00:00Z", out, catalog,
                                    "--concurrency", "2"), env_for(sim))
        # Polling has begun: the StartQuery answers arrived and the queries are in flight.
        wait_until(lambda: api_count(sim.stats(), "GetQueryResults") >= 1 or run.proc.poll() is not None, 40,
                   "the first GetQueryResults")
        assert run.proc.poll() is None, "".join(run.err_lines)
        run.proc.send_signal(signal.SIGINT)
        # The first shutdown is under way: StopQuery was sent and its answer is 4 s away.
        wait_until(lambda: api_count(sim.stats(), "StopQuery") >= 1 or run.proc.poll() is not None, 15,
                   "StopQuery after the first signal")
        assert run.proc.poll() is None, "the first shutdown was not slow; this test cannot tell a second signal's effect"
        sent = time.monotonic()
        run.proc.send_signal(signal.SIGTERM)
        code, _, err = run.finish(timeout=30)
        elapsed = time.monotonic() - sent
        # Fails if the second signal is ignored: the run would finish its shutdown ~4 s later
        # and exit 130 (the first signal's code) instead of 143 at once.
        assert code == 143, (code, err[-2000:])
        assert elapsed < 2.0, f"exited {elapsed:.1f}s after the second signal"
        assert "signal again to exit now" in err
    finally:
        if run:
            run.kill()
        sim.stop()


# 3 ──────────────────────────────────────────────────────────────────────────────────────────

def test_interrupt_sends_stopquery_for_queries_in_flight(tmp_path):
    # Queries that take a minute: on SIGINT all three are in flight and nothing else is
    # (the three query slots are full, so no StartQuery is pending).
    sim = start_sim("--query-base-ms", "60000")
    run = None
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        run = Running(backfill_args("2026-02-04T00:00:00Z", "2026-02-04T01:00:00Z", out, catalog,
                                    "--concurrency", "3"), env)
        # Each query has been polled once (the first poll comes ~1 s after StartQuery), so the
        # run holds all three query ids: none is still on its way back in a StartQuery answer.
        wait_until(lambda: api_count(sim.stats(), "GetQueryResults") >= 3 or run.proc.poll() is not None, 30,
                   "three polled queries")
        assert run.proc.poll() is None, "".join(run.err_lines)
        assert sim.stats()["activeQueries"] == 3
        run.proc.send_signal(signal.SIGINT)
        code, _, err = run.finish(timeout=30)
        assert code == 130, err[-2000:]
        assert "chunk(s) remain" in err
        stats = sim.stats()
        # Fails if the interrupted run abandons its queries: they would keep running (and
        # keep counting against the account's 30 concurrent queries) for the full minute.
        assert stats["queriesStarted"] == 3, stats
        assert api_count(stats, "StopQuery") == 3, stats["requests"]
        assert stats["activeQueries"] == 0, stats
        [report] = status_json(catalog, env)
        assert report["chunks"]["running"] == 0 and report["chunks"]["done"] == 0, report["chunks"]
    finally:
        if run:
            run.kill()
        sim.stop()


def test_interrupt_during_startquery_still_stops_the_query(tmp_path):
    # Every answer takes 1.5 s: SIGINT comes after the simulator started both queries but
    # before their ids reached the run. Those queries are in flight all the same.
    sim = InsightsSim(*SHAPE, *WINDOW, "--latency-ms", "1500-1500", "--query-base-ms", "60000",
                      "--start-query-rate", "200", "--get-results-rate", "400", "--stop-query-rate", "0")
    run = None
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        run = Running(backfill_args("2026-02-04T00:00:00Z", "2026-02-04T01:00:00Z", out, catalog,
                                    "--concurrency", "2"), env_for(sim))
        wait_until(lambda: api_count(sim.stats(), "StartQuery") >= 2 or run.proc.poll() is not None, 30, "two StartQuery")
        time.sleep(0.3)
        assert run.proc.poll() is None, "".join(run.err_lines)
        run.proc.send_signal(signal.SIGINT)
        code, _, err = run.finish(timeout=30)
        assert code == 130, err[-2000:]
        stats = sim.stats()
        # Fails while a query started by a cancelled StartQuery is left running for its full minute.
        assert stats["activeQueries"] == 0, stats
        assert api_count(stats, "StopQuery") == stats["queriesStarted"] == 2, stats["requests"]
    finally:
        if run:
            run.kill()
        sim.stop()


# 4 ──────────────────────────────────────────────────────────────────────────────────────────

def test_queries_past_the_time_limit_are_stopped_and_the_chunk_fails(tmp_path):
    # Queries take 3 s; the run's limit is 1 s (Insights' real one: 15 minutes).
    sim = start_sim("--query-base-ms", "3000", "--query-jitter", "0", "--stop-query-rate", "0")
    try:
        start, end = "2026-02-04T02:00:00Z", "2026-02-04T03:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        args = backfill_args(start, end, out, catalog, "--concurrency", "12", "--max-attempts", "2")
        p = pulp(*args, "--query-timeout-seconds", "1", env=env)
        stats = sim.stats()
        # Fails if a slow query is waited for past the limit (the run would succeed), or is
        # abandoned without StopQuery (StopQuery < StartQuery), or is not retried.
        assert p.returncode == 1, p.stdout + p.stderr[-2000:]
        assert api_count(stats, "StartQuery") == 24, stats["requests"]  # 12 chunks × 2 attempts
        assert api_count(stats, "StopQuery") == api_count(stats, "StartQuery"), stats["requests"]
        assert "limit (stopped)" in p.stderr
        assert not list(out.rglob("*.parquet"))
        [report] = status_json(catalog, env)
        assert report["chunks"]["failed"] == 12, report["chunks"]
        # The same backfill with the default limit waits for the 3-second queries and is exact.
        p = pulp(*args, env=env)
        assert p.returncode == 0, p.stderr[-2000:]
        assert_same_rows(exported_table(out), expected_table(sim, start, end, tmp_path))
    finally:
        sim.stop()


# 5 ──────────────────────────────────────────────────────────────────────────────────────────

DENSE_SECOND = datetime(2026, 2, 4, 0, 7, 30, tzinfo=timezone.utc)


def insights_row(n: int, when: datetime, rng: random.Random) -> dict:
    path = f"/api/pypi/public/main/simple/pkg{n % 97}/"
    return {"@timestamp": insights_ts(when), "@message": wrap(access_line(rng, when, path), when), "@ptr": ptr_for(n)}


def test_a_second_of_ten_thousand_events_fails_its_chunk_loudly(tmp_path):
    """An events file: hour 00 holds 10,000 events in one second (00:07:30) among ordinary
    ones, hour 01 only ordinary ones."""
    rng = random.Random(5)
    rows, hour1 = [], []
    n = 0
    for i in range(10_000):
        rows.append(insights_row(n, DENSE_SECOND + timedelta(microseconds=(i % 1000) * 1000), rng))
        n += 1
    base = datetime(2026, 2, 4, 0, 0, tzinfo=timezone.utc)
    for minute in range(0, 120, 3):
        row = insights_row(n, base + timedelta(minutes=minute, seconds=17), rng)
        n += 1
        rows.append(row)
        if minute >= 60:
            hour1.append(row)
    events = tmp_path / "events.ndjson"
    events.write_text("".join(json.dumps(r) + "\n" for r in rows))
    sim = InsightsSim("--events", str(events), *RATES, "--query-base-ms", "40")
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        p = pulp(*backfill_args("2026-02-04T00:00:00Z", "2026-02-04T02:00:00Z", out, catalog), env=env)
        # Fails if the dense chunk is exported incomplete (exit 0, a file for hour 00) or
        # fails silently (no error naming the chunk and the cause).
        assert p.returncode == 1, p.stdout + p.stderr[-2000:]
        failed = [line for line in p.stderr.splitlines() if "chunk failed" in line]
        assert len(failed) == 1, p.stderr[-3000:]
        assert "chunk=2026-02-04T00:05" in failed[0] and "share the second 1770163650" in failed[0], failed[0]
        assert "1 chunk(s) failed" in p.stderr
        [report] = status_json(catalog, env)
        assert report["chunks"]["failed"] == 1, report["chunks"]
        [failure] = report["failures"]
        assert failure["start"].startswith("2026-02-04T00:05") and "share the second" in failure["last_error"], failure
        assert not hour_file(out, "2026-02-04T00").exists()
        assert [part["hour"][:13] for part in catalog_json(catalog, env)] == ["2026-02-04T01"]
        # The other hour is exported exactly.
        want = converted("".join(json.dumps(r) + "\n" for r in hour1), tmp_path, "hour1")
        assert_same_rows(pq.read_table(hour_file(out, "2026-02-04T01")), want)
    finally:
        sim.stop()


# 6 ──────────────────────────────────────────────────────────────────────────────────────────

def test_write_empty_writes_a_zero_row_file_for_an_empty_hour(tmp_path):
    # The simulator serves events only in hour 00; hour 01 of the backfill is empty.
    sim = InsightsSim(*SHAPE, "--start", "2026-02-04T00:00:00Z", "--end", "2026-02-04T01:00:00Z", *RATES,
                      "--query-base-ms", "40")
    try:
        env = env_for(sim)
        start, end = "2026-02-04T00:00:00Z", "2026-02-04T02:00:00Z"
        parts = {}
        for flag in ("with", "without"):
            out, catalog = tmp_path / flag / "out", tmp_path / flag / "c.sqlite"
            catalog.parent.mkdir()
            extra = ["--write-empty"] if flag == "with" else []
            p = pulp(*backfill_args(start, end, out, catalog, *extra), env=env)
            assert p.returncode == 0, p.stderr[-2000:]
            assert hour_file(out, "2026-02-04T00").exists()
            parts[flag] = {part["hour"][:13]: part for part in catalog_json(catalog, env)}
            # Both runs register the empty hour, with zero rows (it is done, not pending).
            assert sorted(parts[flag]) == ["2026-02-04T00", "2026-02-04T01"], parts[flag]
            assert parts[flag]["2026-02-04T01"]["rows"] == 0
        empty_with = hour_file(tmp_path / "with" / "out", "2026-02-04T01")
        # Fails if --write-empty writes nothing, or a file that is not a valid zero-row file
        # of the seed's schema.
        assert empty_with.exists()
        assert pq.read_schema(empty_with).equals(SEED_SCHEMA, check_metadata=False)
        assert pq.read_table(empty_with).num_rows == 0
        assert parts["with"]["2026-02-04T01"]["uris"] == [str(empty_with)]
        assert parts["with"]["2026-02-04T01"]["bytes"] == empty_with.stat().st_size
        # Fails if an empty hour gets a file without the flag.
        assert not hour_file(tmp_path / "without" / "out", "2026-02-04T01").exists()
        assert parts["without"]["2026-02-04T01"]["uris"] == []
    finally:
        sim.stop()


# 7 ──────────────────────────────────────────────────────────────────────────────────────────

def json_lines(stderr: str) -> list[dict]:
    """Every line of stderr as a JSON object; fails naming the first line that is not one."""
    objects = []
    for line in stderr.splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
        assert isinstance(value, dict), line
        assert "message" in value or "event" in value, line
        objects.append(value)
    return objects


def test_log_format_json_makes_every_stderr_line_json(tmp_path):
    # Failed queries make warning lines; 12 chunks one at a time take more than the 5 s
    # after which a non-terminal run prints a progress line.
    sim = start_sim("--query-base-ms", "400", "--query-jitter", "0", "--fault-query-failed", "0.35", "--fault-seed", "4")
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        plan("2026-02-04T03:00:00Z", "2026-02-04T04:00:00Z", out, catalog, env)
        p = pulp("run", "--catalog", str(catalog), "--concurrency", "1", "--max-attempts", "10",
                 "--start-rate", "100", "--poll-rate", "200", "--log-format", "json", "-v", "--one-query-per-chunk", env=env)
        assert p.returncode == 0, p.stderr[-2000:]
        # Fails if any line of the run (log event, progress, summary) is plain text.
        lines = json_lines(p.stderr)
        events = [line.get("event") for line in lines]
        messages = [line.get("message") for line in lines]
        assert events.count("progress") >= 1 and events.count("summary") == 1, events
        assert messages.count("chunk done") == 12, messages
        # One warning per query the simulator failed (fails if retries are logged as text or not at all).
        failed_queries = sim.stats()["faults"].get("query-failed", 0)
        assert failed_queries >= 1, "no fault fired: the warning path went untested"
        assert messages.count("chunk attempt failed; retrying") == failed_queries, messages
        assert all("level" in line for line in lines if "message" in line)
        summary = lines[[i for i, e in enumerate(events) if e == "summary"][0]]
        assert summary["chunks_done"] == 12 and summary["hours_exported"] == 1, summary
    finally:
        sim.stop()


def test_backfill_with_log_format_json_prints_only_json(tmp_path):
    sim = start_sim("--query-base-ms", "40")
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        p = pulp(*backfill_args("2026-02-04T03:00:00Z", "2026-02-04T04:00:00Z", out, catalog, "--log-format", "json"),
                 env=env_for(sim))
        assert p.returncode == 0, p.stderr[-2000:]
        # Fails while any stderr line of `backfill` is plain text.
        json_lines(p.stderr)
    finally:
        sim.stop()


@pytest.mark.parametrize("ending", ["failed-chunk", "interrupted"])
def test_log_format_json_holds_when_a_run_fails_or_is_interrupted(tmp_path, ending):
    # 3-second queries: with a 1-second limit and one attempt the chunk fails; with the
    # default limit the run is still polling when SIGINT comes.
    sim = start_sim("--query-base-ms", "3000", "--query-jitter", "0", "--stop-query-rate", "0")
    run = None
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        plan("2026-02-04T03:00:00Z", "2026-02-04T03:05:00Z", out, catalog, env)
        args = ["run", "--catalog", str(catalog), "--log-format", "json", "--max-attempts", "1"]
        if ending == "failed-chunk":
            args += ["--query-timeout-seconds", "1"]
        run = Running(args, env)
        if ending == "interrupted":
            wait_until(lambda: api_count(sim.stats(), "GetQueryResults") >= 1 or run.proc.poll() is not None, 30,
                       "the first poll")
            run.proc.send_signal(signal.SIGINT)
        code, _, err = run.finish(timeout=30)
        assert code == (1 if ending == "failed-chunk" else 130), err
        # Fails while any stderr line is plain text.
        json_lines(err)
    finally:
        if run:
            run.kill()
        sim.stop()


# 8 ──────────────────────────────────────────────────────────────────────────────────────────

def test_verbose_adds_a_line_per_chunk_and_hour(tmp_path):
    sim = start_sim("--query-base-ms", "40")
    try:
        env = env_for(sim)
        start, end = "2026-02-04T04:00:00Z", "2026-02-04T05:00:00Z"
        runs = {}
        for name, extra in (("verbose", ["-v"]), ("quiet", [])):
            out, catalog = tmp_path / name / "out", tmp_path / name / "c.sqlite"
            catalog.parent.mkdir()
            p = pulp(*backfill_args(start, end, out, catalog, *extra), env=env)
            assert p.returncode == 0, p.stderr[-2000:]
            runs[name] = (p.stderr, pq.read_metadata(hour_file(out, "2026-02-04T04")).num_rows)
            # Text mode: no line of stderr is a JSON object.
            for line in p.stderr.splitlines():
                with pytest.raises(ValueError):
                    json.loads(line)
        verbose, rows = runs["verbose"]
        done = [line for line in verbose.splitlines() if "chunk done" in line]
        # Fails if -v does not log each chunk with its rows and queries, or each exported hour.
        assert len(done) == 12, verbose
        assert all(re.search(r"\bqueries=\d+\b", line) for line in done), done
        assert sum(int(re.search(r"\brows=(\d+)\b", line).group(1)) for line in done) == rows
        assert len([line for line in verbose.splitlines() if "hour exported" in line]) == 1, verbose
        # Fails if the per-chunk and per-hour lines appear without -v.
        quiet, _ = runs["quiet"]
        assert "chunk done" not in quiet and "hour exported" not in quiet, quiet
        assert re.search(r"chunks 12/12", quiet), quiet  # the closing progress line is still there
    finally:
        sim.stop()

"""Resume you can trust, tried the way a user would: kill -9 a backfill again and again and
rerun the same command with the DEFAULT lease; chunks another host holds are waited for (or
`--no-wait` exits 75); strings with U+0000 and invalid UTF-8 come out of a backfill exactly as
out of `convert`; one destination that cannot be written fails its hours alone; `status`
reports the Insights calls and bytes the simulator counted."""
from __future__ import annotations

import hashlib
import json
import random
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import readers
from conftest import bin_dir
from servers import InsightsSim, Moto
from test_backfill import (CORPUS, FAST, GROUP, SHAPE, assert_files_by_hour, assert_same_rows, catalog_json, env_for,
                           expected_table, exported_table, pulp)


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


def backfill_cmd(start: str, end: str, catalog: Path, *outputs: str, extra: tuple = ()) -> list[str]:
    """The command a user types; the lease is left at its default (300 s)."""
    args = ["backfill", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end, "--catalog", str(catalog),
            "--start-rate", "100", "--poll-rate", "200", *extra]
    for out in outputs:
        args += ["--output-path", out]
    return args


def status_json(catalog: Path, env: dict) -> dict:
    p = pulp("status", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["backfills"][0]


def assert_four_readers_agree(out: Path):
    """Every hourly file reads the same, cell for cell, in pyarrow, DuckDB, polars and fastparquet."""
    for f in sorted(out.rglob("*.parquet")):
        rows = readers.read_pyarrow(f)
        for read in (readers.read_duckdb, readers.read_polars, readers.read_fastparquet):
            assert read(f) == rows, (read.__name__, f)


def test_sigkill_twenty_times_then_the_same_command_finishes_with_the_default_lease(sim, tmp_path):
    moto = Moto(tmp_path / "moto.log")
    try:
        moto.client("s3").create_bucket(Bucket="pulp-logs")
        start, end = "2026-02-04T08:00:00Z", "2026-02-04T11:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url)
        cmd = [str(bin_dir() / "pulp-backfill"), *backfill_cmd(start, end, catalog, str(out), "s3://pulp-logs/v1")]
        rng = random.Random(31)
        kills = 0
        for _ in range(20):
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.05, 1.2))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.wait(timeout=30)
        assert kills >= 10, kills
        # The obvious next step: the same command. Its leases' owners are dead processes on this
        # host, so it takes their chunks over at once (a 60 s timeout is far below the 300 s
        # lease: fails if it waits for the leases to run out, or exits 0 leaving chunks behind).
        p = pulp(*cmd[1:], env=env, timeout=60)
        assert p.returncode == 0, p.stderr[-3000:]
        status = status_json(catalog, env)
        assert status["chunks"]["done"] == status["chunks"]["total"] == 36, status["chunks"]
        assert status["chunks"]["running"] == 0 and status["chunks"]["stale_leases"] == 0
        want = expected_table(sim, start, end, tmp_path)
        assert_same_rows(exported_table(out), want)  # 0 rows lost or duplicated
        assert_files_by_hour(out, want)
        assert_four_readers_agree(out)
        s3 = moto.client("s3")
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="pulp-logs")["Contents"])
        local = sorted(out.rglob("*.parquet"))
        assert len(keys) == len(local) == 3
        for key, f in zip(keys, local):
            assert key == "v1/" + str(f.relative_to(out)), (key, f)
            assert s3.get_object(Bucket="pulp-logs", Key=key)["Body"].read() == f.read_bytes()
    finally:
        moto.stop()


def hold_chunks(catalog: Path, count: int, host: str, pid: int, seconds: float, offset: int = 0) -> list[int]:
    """Marks `count` pending chunks as leased by another process, the way a run records its
    leases (owner, host, pid, start time, expiry)."""
    con = sqlite3.connect(catalog)
    try:
        ids = [r[0] for r in con.execute("SELECT id FROM chunk WHERE state = 'pending' ORDER BY start_ms LIMIT ? OFFSET ?",
                                          (count, offset))]
        expires = int((time.time() + seconds) * 1000)
        con.executemany("""UPDATE chunk SET state = 'running', lease_owner = ?, lease_host = ?, lease_pid = ?,
                           lease_process_start = 'boot:1', lease_expires_ms = ?, attempts = 1 WHERE id = ?""",
                        [(f"{host}:{pid}:1", host, pid, expires, i) for i in ids])
        con.commit()
        return ids
    finally:
        con.close()


def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_chunks_of_another_host_are_waited_for_and_no_wait_exits_75(sim, tmp_path):
    start, end = "2026-02-04T14:00:00Z", "2026-02-04T15:00:00Z"
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    plan = pulp("plan", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
                "--output-path", str(out), "--catalog", str(catalog), env=env)
    assert plan.returncode == 0, plan.stderr
    hold_chunks(catalog, 3, "pod-elsewhere", 4242, seconds=10)
    # Same host, dead owner: stale (not "running"), and taken over at once by the next run.
    hold_chunks(catalog, 2, socket.gethostname(), dead_pid(), seconds=300)
    status = status_json(catalog, env)
    assert status["chunks"]["running"] == 3 and status["chunks"]["stale_leases"] == 2, status["chunks"]
    table = pulp("status", "--catalog", str(catalog), env=env).stdout
    assert "3 chunk(s) by pod-elsewhere:4242, lease free in" in table, table
    assert "2 stale" in table, table

    # --no-wait: everything else is done, then exit 75 naming who holds the rest.
    p = pulp(*backfill_cmd(start, end, catalog, str(out), extra=("--no-wait",)), env=env, timeout=60)
    assert p.returncode == 75, (p.returncode, p.stderr[-2000:])
    assert "3 chunk(s) are held by other processes (pod-elsewhere:4242)" in p.stderr, p.stderr
    assert status_json(catalog, env)["chunks"]["done"] == 9

    # Default: wait with a live line until the foreign lease expires, then finish the job.
    p = pulp(*backfill_cmd(start, end, catalog, str(out)), env=env, timeout=120)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "waiting for 3 chunk(s) leased by pod-elsewhere:4242, free in" in p.stderr, p.stderr
    assert status_json(catalog, env)["chunks"]["done"] == 12
    want = expected_table(sim, start, end, tmp_path)
    assert_same_rows(exported_table(out), want)
    assert_files_by_hour(out, want)


def odd_events(tmp_path: Path, sim: InsightsSim) -> Path:
    """An hour of the corpus in which some user agents hold U+0000, some invalid UTF-8 (raw
    bytes inside the @message text), some \\uXXXX escapes and astral characters."""
    raw = sim.expected("2026-02-04T16:00:00Z", "2026-02-04T17:00:00Z", *SHAPE).splitlines()
    lines: list[bytes] = []
    specials = ["nul\u0000char", "BAD1", "caf\u00e9 \U0001F600", "BAD2", "\u0000"]
    for i, line in enumerate(raw):
        event = json.loads(line)
        try:
            inner = json.loads(event["@message"])
            message = inner["message"]
        except (ValueError, KeyError, TypeError):
            inner = None  # not the container's JSON record: left as it is
        if inner is not None and i % 5 == 0:
            agent = specials[(i // 5) % len(specials)]
            ua_start = message.rfind('" "') + 3
            ua_end = message.find('"', ua_start)
            if ua_start > 2 and ua_end > ua_start:
                inner["message"] = message[:ua_start] + agent + message[ua_end:]
                event["@message"] = json.dumps(inner)
        encoded = json.dumps(event).encode()
        for placeholder, bad in (("BAD1", b"bad\xff\xfeutf8"), ("BAD2", b"\xc3(trunc")):
            encoded = encoded.replace(placeholder.encode(), bad)
        lines.append(encoded)
    path = tmp_path / "odd.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert b"\\\\u0000" in path.read_bytes() and b"\xff\xfe" in path.read_bytes()
    return path


def test_nul_and_invalid_utf8_come_out_of_a_backfill_exactly_as_out_of_convert(sim, tmp_path):
    events = odd_events(tmp_path, sim)
    served = InsightsSim("--events", str(events), *FAST)
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(served)
        p = pulp(*backfill_cmd("2026-02-04T16:00:00Z", "2026-02-04T17:00:00Z", catalog, str(out)), env=env)
        assert p.returncode == 0, p.stderr[-2000:]
        converted = tmp_path / "converted.parquet"
        c = pulp("convert", "--input", str(events), "--output", str(converted), env=env)
        assert c.returncode == 0, c.stderr
        files = sorted(out.rglob("*.parquet"))
        assert len(files) == 1
        got, want = pq.read_table(files[0]), pq.read_table(converted)
        # The odd strings are there (fails if the corpus lost them before the comparison).
        agents = set(want.column("user_agent").to_pylist())
        assert "nul\u0000char" in agents and "\u0000" in agents and "caf\u00e9 \U0001F600" in agents, agents
        assert any(a and "\ufffd" in a for a in agents)
        # Cell for cell, in the same order (fails if staging truncates at U+0000 or re-encodes).
        assert got.num_rows == want.num_rows
        for name in want.column_names:
            assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
    finally:
        served.stop()


def test_a_destination_that_cannot_be_written_fails_its_hours_alone(sim, tmp_path):
    start, end = "2026-02-04T18:00:00Z", "2026-02-04T20:00:00Z"
    good, bad, catalog = tmp_path / "good", tmp_path / "bad", tmp_path / "c.sqlite"
    bad.mkdir()
    blocker = bad / "date=2026-02-04"
    blocker.write_text("a file where the date folder should go")  # mkdir fails (even as root)
    env = env_for(sim)
    p = pulp(*backfill_cmd(start, end, catalog, str(good), str(bad)), env=env)
    assert p.returncode == 1, p.stderr[-2000:]
    assert "2 hour(s) failed to export" in p.stderr and str(bad) in p.stderr, p.stderr
    # The other destination got every hour (fails if one failed upload ends the run).
    want = expected_table(sim, start, end, tmp_path)
    assert_same_rows(exported_table(good), want)
    status = status_json(catalog, env)
    assert sorted(h["hour"] for h in status["failed_hours"]) == ["2026-02-04T18:00:00Z", "2026-02-04T19:00:00Z"]
    assert all(str(bad) in h["last_error"] for h in status["failed_hours"]), status["failed_hours"]
    assert status["partitions_done"] == 0
    table = pulp("status", "--catalog", str(catalog), env=env).stdout
    assert "failed hours: 2" in table, table

    blocker.unlink()
    p = pulp("run", "--catalog", str(catalog), env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    status = status_json(catalog, env)
    assert status["failed_hours"] == [] and status["partitions_done"] == 2
    good_files, bad_files = sorted(good.rglob("*.parquet")), sorted(bad.rglob("*.parquet"))
    assert [f.relative_to(good) for f in good_files] == [f.relative_to(bad) for f in bad_files]
    for g, b in zip(good_files, bad_files):
        assert g.read_bytes() == b.read_bytes()
    for part in catalog_json(catalog, env):
        assert len(part["uris"]) == 2
        assert all(hashlib.sha256(Path(u).read_bytes()).hexdigest() == part["sha256"] for u in part["uris"])


def test_status_cost_equals_what_the_simulator_counted(tmp_path):
    # Faults that make requests and queries fail and be retried. (No connection resets: a
    # StartQuery whose answer is lost started a query whose id, and cost, no client can know.)
    faulty = InsightsSim(*CORPUS, *FAST, "--fault-throttle", "0.05", "--fault-5xx", "0.05",
                         "--fault-query-failed", "0.03", "--fault-seed", "5")
    try:
        start, end = "2026-02-04T09:00:00Z", "2026-02-04T11:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(faulty)
        p = pulp(*backfill_cmd(start, end, catalog, str(out), extra=("--max-attempts", "8")), env=env)
        assert p.returncode == 0, p.stderr[-2000:]
        stats = faulty.stats()
        assert stats["faults"].get("5xx", 0) > 0 and stats["faults"].get("query-failed", 0) > 0, stats["faults"]
        status = status_json(catalog, env)
        requests = stats["requests"]
        # Every StartQuery and GetQueryResults request sent (throttled, failed and retried ones
        # included) and every byte scanned: fails if a retried or failed attempt goes unrecorded.
        assert status["queries"] == sum(requests["StartQuery"].values()), (status["queries"], requests["StartQuery"])
        assert status["get_query_results_calls"] == sum(requests["GetQueryResults"].values()), requests["GetQueryResults"]
        assert status["bytes_scanned"] == stats["bytesScanned"], (status["bytes_scanned"], stats["bytesScanned"])
        assert_same_rows(exported_table(out), expected_table(faulty, start, end, tmp_path))
    finally:
        faulty.stop()

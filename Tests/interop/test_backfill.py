"""The backfill executor end to end against insights-sim (SigV4 checked) and S3 on moto:
every row of the range exactly once, across bursts above 10,000 events per 5 minutes,
faults, interrupts and SIGKILL at random moments."""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from access_rows import COLUMNS, SEED_SCHEMA
from conftest import bin_dir
from servers import InsightsSim, Moto

GROUP = "/aws/containerinsights/pulp-prod/application"
# ~2,000 events an hour (diurnal), one 5-minute window in 48 above 10,000 events.
SHAPE = ["--seed", "7", "--events-per-hour", "2000", "--burst-every", "48"]
# The served window; `insights-sim expected` takes its own --start/--end (the range asked for).
CORPUS = [*SHAPE, "--start", "2026-02-04T00:00:00Z", "--end", "2026-02-05T00:00:00Z"]
FAST = ["--latency-ms", "0-2", "--query-base-ms", "40", "--query-ms-per-mib", "2",
        "--start-query-rate", "200", "--get-results-rate", "400", "--require-sigv4"]


def env_for(sim: InsightsSim, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PULP_BACKFILL_CATALOG"}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=sim.endpoint,
               AWS_EC2_METADATA_DISABLED="true")
    env.update(extra)
    return env


def pulp(*args: str, env: dict, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "pulp-backfill"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def backfill_args(start: str, end: str, out: Path, catalog: Path, *extra: str) -> list[str]:
    return ["backfill", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
            "--output-path", str(out), "--catalog", str(catalog), "--concurrency", "16",
            "--start-rate", "100", "--poll-rate", "200", *extra]


def expected_table(sim: InsightsSim, start: str, end: str, tmp: Path) -> pa.Table:
    """Ground truth: the simulator's events for the range, through our own row parser, plus a
    `ptr` column: each row's @ptr, taken from the simulator's events (the Parquet files have no
    @ptr column, but their rows must be in (timestamp, @ptr) order)."""
    events = sim.expected(start, end, *SHAPE)
    src = tmp / "expected.ndjson"
    src.write_text(events)
    out = tmp / "expected.parquet"
    p = subprocess.run([str(bin_dir() / "pulp-backfill"), "convert", "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    table = pq.read_table(out)
    # `message` is @message byte for byte, and the generated @message embeds the event's own
    # time, so equal messages are equal rows: which of their @ptrs goes to which does not
    # change the expected order.
    ptrs: dict[str, list[str]] = {}
    for line in events.splitlines():
        event = json.loads(line)
        ptrs.setdefault(event["@message"], []).append(event["@ptr"])
    return table.append_column("ptr", pa.array([ptrs[m].pop() for m in table.column("message").to_pylist()], pa.string()))


def exported_table(out: Path) -> pa.Table:
    files = sorted(out.rglob("*.parquet"))
    assert files, "no hourly files"
    for f in files:
        assert pq.read_schema(f).equals(SEED_SCHEMA, check_metadata=False)
    return pa.concat_tables([pq.read_table(f) for f in files])


def assert_same_rows(got: pa.Table, want: pa.Table):
    """The same rows as one bag, whatever the order and whichever file holds them."""
    got, want = got.select(COLUMNS), want.select(COLUMNS)
    assert got.num_rows == want.num_rows, (got.num_rows, want.num_rows)
    key = [(c, "ascending") for c in COLUMNS]
    assert got.sort_by(key).equals(want.sort_by(key)), "exported rows differ from the ground truth"


HOUR_NS = 3_600_000_000_000


def in_file_order(want: pa.Table) -> pa.Table:
    """`want` (with its `ptr` column) sorted by (timestamp, @ptr) here in Python, independently of
    the tool's sort; @ptr compares as bytes (it is ASCII), as the tool orders it."""
    ts = want.column("timestamp").cast(pa.int64()).to_pylist()
    ptr = want.column("ptr").to_pylist()
    return want.take(sorted(range(want.num_rows), key=lambda i: (ts[i], ptr[i])))


def hour_of_file(f: Path) -> int:
    """The hour start (ns since the epoch) that a file's name says: ..._YYYYMMDDTHH0000Z.parquet."""
    stamp = f.name.rsplit("_", 1)[1].removesuffix(".parquet")
    when = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert when.minute == 0 and when.second == 0, f.name
    if f.parent.name.startswith("hour="):  # hive layout: the folders say the same hour
        assert (f.parent.parent.name, f.parent.name) == (when.strftime("date=%Y-%m-%d"), when.strftime("hour=%H")), f
    return int(when.timestamp()) * 1_000_000_000


def assert_files_by_hour(out: Path, want: pa.Table):
    """Per hour file: exactly the rows of `want` whose timestamp falls in the hour that the file's
    name says, in (timestamp, @ptr) order; one file per hour holding rows, no other file.
    Catches what one sorted bag of all files cannot: a row in its neighbour hour's file, a file
    out of order."""
    files = sorted(out.rglob("*.parquet"))
    by_hour = {hour_of_file(f): f for f in files}
    assert len(by_hour) == len(files), f"two files for one hour: {files}"
    ordered = in_file_order(want)
    ts = ordered.column("timestamp").cast(pa.int64()).to_pylist()
    rows_of_hour: dict[int, list[int]] = {}
    for i, t in enumerate(ts):
        rows_of_hour.setdefault(t - t % HOUR_NS, []).append(i)
    # Fails if an hour with rows has no file, or a file exists for an hour without rows.
    assert sorted(by_hour) == sorted(rows_of_hour), (sorted(by_hour), sorted(rows_of_hour))
    for hour, f in by_hour.items():
        got = pq.read_table(f)
        assert got.schema.equals(SEED_SCHEMA, check_metadata=False), f
        got_ts = got.column("timestamp").cast(pa.int64()).to_pylist()
        # Fails if a row was written to another hour's file.
        outside = [t for t in got_ts if not hour <= t < hour + HOUR_NS]
        assert not outside, f"{f.name} holds {len(outside)} row(s) outside its hour, e.g. {outside[0]}"
        expected = ordered.take(rows_of_hour[hour]).select(COLUMNS)
        # Fails if the hour lost or duplicated a row.
        assert got.num_rows == expected.num_rows, (f.name, got.num_rows, expected.num_rows)
        if not got.equals(expected):
            assert_same_rows(got, expected)  # fails here if the rows themselves differ…
            # …else they are the right rows in the wrong order.
            raise AssertionError(f"{f.name}: rows are not in (timestamp, @ptr) order")


def catalog_json(catalog: Path, env: dict) -> list[dict]:
    p = pulp("catalog", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def assert_partitions_match_files(catalog: Path, env: dict, hours: int):
    parts = catalog_json(catalog, env)
    assert len(parts) == hours
    for part in parts:
        local = [u for u in part["uris"] if not u.startswith("s3://")]
        for uri in local:
            data = Path(uri).read_bytes()
            assert hashlib.sha256(data).hexdigest() == part["sha256"], uri
            assert len(data) == part["bytes"]
            assert pq.read_metadata(uri).num_rows == part["rows"]


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


def test_a_day_with_bursts_is_exported_exactly(sim, tmp_path):
    start, end = "2026-02-04T00:00:00Z", "2026-02-05T00:00:00Z"
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    p = pulp(*backfill_args(start, end, out, catalog, "--concurrency", "24"), env=env)
    assert p.returncode == 0, p.stderr
    assert "done: 288 chunk(s)" in p.stdout, p.stdout
    want = expected_table(sim, start, end, tmp_path)
    # Bursts: some 5-minute window holds more than one Insights answer (10,000 rows).
    ts = want.column("timestamp").cast(pa.int64()).to_pylist()
    per_window = {}
    for t in ts:
        per_window[t // 300_000_000_000] = per_window.get(t // 300_000_000_000, 0) + 1
    assert max(per_window.values()) > 10_000
    assert_same_rows(exported_table(out), want)
    assert_files_by_hour(out, want)
    assert_partitions_match_files(catalog, env, hours=24)
    # Hive layout, one file per hour.
    assert (out / "date=2026-02-04" / "hour=13" / "pulp_access_logs_20260204T130000Z.parquet").exists()
    # Re-running changes nothing and queries nothing.
    before = sim.stats()["requests"]["StartQuery"]
    p = pulp("run", "--catalog", str(catalog), env=env)
    assert p.returncode == 0 and "done: 0 chunk(s)" in p.stdout, p.stdout + p.stderr
    assert sim.stats()["requests"]["StartQuery"] == before


# Every fault kind of insights-sim, each at a rate that fires it several times in the run below
# (about 50 StartQuery and 250 requests in all), so that "it fired" does not hang on luck.
FAULTS = {"throttle": "0.08", "5xx": "0.08", "reset": "0.08", "slow": "0.08", "query-failed": "0.2"}


def test_faults_do_not_lose_or_duplicate_rows(tmp_path):
    faulty = InsightsSim(*CORPUS, *FAST, *[a for kind, p in FAULTS.items() for a in (f"--fault-{kind}", p)],
                         "--slow-ms", "200", "--fault-seed", "3")
    try:
        start, end = "2026-02-04T09:00:00Z", "2026-02-04T12:00:00Z"  # holds two bursts
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(faulty)
        # One query per chunk: every kind of fault must fire, and shared queries make three hours
        # a handful of requests. (Shared queries under kills: test_density.py.)
        p = pulp(*backfill_args(start, end, out, catalog, "--max-attempts", "8", "--one-query-per-chunk"), env=env)
        assert p.returncode == 0, p.stderr[-2000:]
        want = expected_table(faulty, start, end, tmp_path)
        assert_same_rows(exported_table(out), want)
        assert_files_by_hour(out, want)
        assert_partitions_match_files(catalog, env, hours=3)
        faults = faulty.stats()["faults"]
        # Each kind was injected and survived: fails if a kind never fired (the run above then
        # proves nothing about it) or if insights-sim stops counting it under its name.
        for kind in ("throttle", "5xx", "reset", "slow", "query-failed"):
            assert faults.get(kind, 0) >= 1, f"fault {kind!r} never fired: {faults}"
    finally:
        faulty.stop()


def test_interrupt_releases_chunks_and_resume_finishes(sim, tmp_path):
    start, end = "2026-02-04T03:00:00Z", "2026-02-04T07:00:00Z"
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    proc = subprocess.Popen([str(bin_dir() / "pulp-backfill"), *backfill_args(start, end, out, catalog, "--concurrency", "2")],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "chunk(s) remain" in err
    # The interrupted run gave its chunks back: none is leased (live or stale), some are pending
    # again (fails if leases are left behind for the next run to wait out).
    chunks = json.loads(pulp("status", "--catalog", str(catalog), "--format", "json", env=env).stdout)["backfills"][0]["chunks"]
    assert chunks["running"] == 0 and chunks["stale_leases"] == 0, chunks
    assert chunks["pending"] > 0 and chunks["done"] + chunks["pending"] == chunks["total"], chunks
    p = pulp("run", "--catalog", str(catalog), env=env)
    assert p.returncode == 0, p.stderr
    want = expected_table(sim, start, end, tmp_path)
    assert_same_rows(exported_table(out), want)
    assert_files_by_hour(out, want)
    assert_partitions_match_files(catalog, env, hours=4)


def dead_pid() -> int:
    """The pid of a process that has exited (pids are not reused this soon)."""
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def plant_leftovers(out: Path, catalog: Path, backfill_id: int, hours: list[datetime], pid: int) -> list[Path]:
    """The temporary files a run killed while exporting `hours` leaves behind, named as the tool
    names them (HourCompactor: `.pulp-backfill-<backfill>-<hour ms>.parquet.tmp-<pid>` beside the
    catalog; AtomicFile, through LocalDirectoryDestination: `.<file>.tmp-<pid>` beside the file)."""
    planted = []
    for hour in hours:
        ms = int(hour.timestamp()) * 1000
        work = catalog.parent / f".pulp-backfill-{backfill_id}-{ms}.parquet.tmp-{pid}"
        folder = out / hour.strftime("date=%Y-%m-%d") / hour.strftime("hour=%H")
        folder.mkdir(parents=True, exist_ok=True)
        copy = folder / f".{hour.strftime('pulp_access_logs_%Y%m%dT%H0000Z.parquet')}.tmp-{pid}"
        for f in (work, copy):
            f.write_bytes(b"PAR1 half a file")
            planted.append(f)
    return planted


def test_sigkill_at_random_moments_then_resume_is_exact(sim, tmp_path):
    start, end = "2026-02-04T08:00:00Z", "2026-02-04T11:00:00Z"
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    plan = pulp("plan", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
                "--output-path", str(out), "--catalog", str(catalog), env=env)
    assert plan.returncode == 0, plan.stderr
    status = json.loads(pulp("status", "--catalog", str(catalog), "--format", "json", env=env).stdout)
    backfill_id = status["backfills"][0]["backfill_id"]
    hours = [datetime(2026, 2, 4, h, tzinfo=timezone.utc) for h in (8, 9, 10)]
    # Leftovers of a killed run for every hour, before any run: whichever run exports an hour
    # meets them.
    planted = plant_leftovers(out, catalog, backfill_id, hours, dead_pid())
    rng = random.Random(20)
    run = [str(bin_dir() / "pulp-backfill"), "run", "--catalog", str(catalog), "--concurrency", "8",
           "--start-rate", "100", "--poll-rate", "200", "--lease-seconds", "2"]
    kills = 0
    for _ in range(20):
        proc = subprocess.Popen(run, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 1.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    assert kills >= 10
    # And again for the hours still to export, so the resume below meets some of its own.
    exported = {part["hour"][:13] for part in catalog_json(catalog, env)}
    planted += plant_leftovers(out, catalog, backfill_id,
                               [h for h in hours if h.strftime("%Y-%m-%dT%H") not in exported], dead_pid())
    time.sleep(2.5)  # the last killed run's leases expire
    for _ in range(3):  # a run ends when nothing is claimable; chunks of a just-expired lease come next
        p = pulp(*run[1:], env=env)
        assert p.returncode == 0, p.stderr
        time.sleep(0.5)
    want = expected_table(sim, start, end, tmp_path)
    assert_same_rows(exported_table(out), want)
    assert_files_by_hour(out, want)
    assert_partitions_match_files(catalog, env, hours=3)
    # Fails if exporting an hour no longer removes a dead process's temporary files (planted
    # above, so this cannot pass merely because no kill happened to land mid-write).
    assert not [f for f in planted if f.exists()], f"planted leftovers survived: {[f for f in planted if f.exists()]}"
    leftovers = [p for p in tmp_path.rglob("*") if ".tmp-" in p.name]
    assert not leftovers, f"temporary files of killed runs were not cleaned up: {leftovers}"


def test_local_and_s3_destinations_get_identical_files(sim, tmp_path):
    moto = Moto(tmp_path / "moto.log")
    try:
        moto.client("s3").create_bucket(Bucket="pulp-logs")
        start, end = "2026-02-04T20:00:00Z", "2026-02-04T22:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url)
        p = pulp(*backfill_args(start, end, out, catalog, "--output-path", "s3://pulp-logs/access/v1", "--layout", "flat"), env=env)
        assert p.returncode == 0, p.stderr
        s3 = moto.client("s3")
        keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="pulp-logs")["Contents"])
        assert keys == ["access/v1/pulp_access_logs_20260204T200000Z.parquet", "access/v1/pulp_access_logs_20260204T210000Z.parquet"]
        for key in keys:
            body = s3.get_object(Bucket="pulp-logs", Key=key)["Body"].read()
            assert body == (out / key.rsplit("/", 1)[1]).read_bytes()
        parts = catalog_json(catalog, env)
        assert all(len(p["uris"]) == 2 for p in parts)
        want = expected_table(sim, start, end, tmp_path)
        assert_same_rows(exported_table(out), want)
        assert_files_by_hour(out, want)  # flat layout: the hour comes from the file name alone
    finally:
        moto.stop()


def test_export_keeps_the_seed_contract(sim, tmp_path):
    env = env_for(sim)
    out = tmp_path / "logs.parquet"
    p = pulp("export", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T14:00:00Z",
             "--end-time", "2026-02-04T15:00:00Z", "--output-path", str(out), "--start-rate", "100", "--poll-rate", "200", env=env)
    assert p.returncode == 0, p.stderr
    want = expected_table(sim, "2026-02-04T14:00:00Z", "2026-02-04T15:00:00Z", tmp_path)
    got = pq.read_table(out)
    assert_same_rows(got, want)
    # The range file is in (timestamp, @ptr) order: fails if the rows are right but not sorted
    # (e.g. left in the order their concurrent chunks finished).
    assert got.equals(in_file_order(want).select(COLUMNS)), "export's rows are not in (timestamp, @ptr) order"
    empty = tmp_path / "none.parquet"
    p = pulp("export", "--cloudwatch-group", GROUP, "--start-time", "2026-03-01T00:00:00Z",
             "--end-time", "2026-03-01T00:10:00Z", "--output-path", str(empty), env=env)
    assert p.returncode == 0, p.stderr
    assert not empty.exists() and "nothing written" in p.stdout

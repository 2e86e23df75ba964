"""`pulp-backfill plan|status|catalog` from the outside: outputs, exit codes, nothing written."""
import contextlib
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from conftest import bin_dir

BIN = bin_dir()
CLI = str(BIN / "pulp-backfill")
PROBE = str(BIN / "catalog-probe")


def cli(*args, cwd, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k != "PULP_BACKFILL_CATALOG"}
    env.update(env_extra or {})
    return subprocess.run([CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


def plan_args(start="2026-02-04T10:00:00Z", end="2026-02-04T12:02:00Z", outputs=("s3://my-bucket/logs",), group="/aws/pulp"):
    args = ["plan", "--cloudwatch-group", group, "--start-time", start, "--end-time", end]
    for output in outputs:
        args += ["--output-path", output]
    return args


def snapshot(directory: Path):
    return sorted((p.name, p.read_bytes()) for p in directory.iterdir())


# ---------------------------------------------------------------- bad input

BAD_INPUT = [
    # (name, args, expected exit code)
    ("unreadable start", plan_args(start="yesterday-ish"), 2),
    ("unreadable end", plan_args(end="2026-02-30T00:00Z"), 2),
    ("end before start", plan_args(start="2026-02-04T12:00Z", end="2026-02-04T11:00Z"), 2),
    ("end equals start", plan_args(start="2026-02-04T12:00Z", end="2026-02-04T12:00Z"), 2),
    ("bucket with uppercase", plan_args(outputs=["s3://My-Bucket/x"]), 2),
    ("bucket too short", plan_args(outputs=["s3://ab"]), 2),
    ("s3 without bucket", plan_args(outputs=["s3://"]), 2),
    ("other scheme", plan_args(outputs=["gs://bucket/x"]), 2),
    ("no output path", plan_args(outputs=[]), 2),
    ("missing group", ["plan", "--start-time", "1 hour ago", "--end-time", "now", "--output-path", "o"], 2),
    ("unknown option", plan_args() + ["--frobnicate"], 2),
    ("status unknown format", ["status", "--format", "xml"], 2),
    ("catalog unknown format", ["catalog", "--format", "parquet"], 2),
    ("catalog unreadable from", ["catalog", "--from", "last tuesday"], 2),
    ("status missing catalog", ["status"], 1),
    ("catalog missing catalog", ["catalog", "--format", "json"], 1),
    ("plan in missing directory", plan_args() + ["--catalog", "no/such/dir/c.sqlite"], 1),
]


@pytest.mark.parametrize("name,args,code", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, name, args, code):
    result = cli(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pulp-backfill: error: "), result.stderr
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("content", [os.urandom(4096), b"hello, not a database\n" * 20], ids=["random", "text"])
@pytest.mark.parametrize("command", [plan_args(), ["status"], ["catalog"], plan_args() + ["--dry-run"]],
                         ids=["plan", "status", "catalog", "dry-run"])
def test_a_file_that_is_not_a_catalog_is_refused_untouched(tmp_path, content, command):
    path = tmp_path / "pulp-backfill.sqlite"
    path.write_bytes(content)
    before = snapshot(tmp_path)
    result = cli(*command, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "is not a pulp-backfill catalog" in result.stderr
    assert snapshot(tmp_path) == before


def test_foreign_sqlite_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    before = snapshot(tmp_path)
    for command in (plan_args(), ["status"], ["catalog"]):
        result = cli(*command, "--catalog", str(path), cwd=tmp_path)
        assert result.returncode == 1 and "is not a pulp-backfill catalog" in result.stderr
    assert snapshot(tmp_path) == before


@contextlib.contextmanager
def read_only_directory(path: Path):
    """chmod 555 for normal users; root ignores permissions, so use the immutable attribute."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without a working chattr: cannot make a directory read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("command", [plan_args(), plan_args() + ["--dry-run"], ["status"], ["catalog"]],
                         ids=["plan", "dry-run", "status", "catalog"])
def test_read_only_directory_leaves_nothing(tmp_path, command):
    locked = tmp_path / "locked"
    locked.mkdir()
    with read_only_directory(locked):
        result = cli(*command, "--catalog", str(locked / "c.sqlite"), cwd=tmp_path)
        assert result.returncode == (0 if "--dry-run" in command else 1), result.stderr
        assert result.stderr.count("\n") == (0 if "--dry-run" in command else 1)
        assert list(locked.iterdir()) == []


def test_catalog_path_that_is_a_file_used_as_directory(tmp_path):
    (tmp_path / "file").write_text("x")
    result = cli(*plan_args(), "--catalog", str(tmp_path / "file" / "c.sqlite"), cwd=tmp_path)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_newer_catalog_is_refused(tmp_path):
    assert cli(*plan_args(), cwd=tmp_path).returncode == 0
    db = sqlite3.connect(tmp_path / "pulp-backfill.sqlite")
    db.execute("PRAGMA user_version = 999")
    db.close()
    before = snapshot(tmp_path)
    result = cli("status", cwd=tmp_path)
    assert result.returncode == 1 and "newer pulp-backfill" in result.stderr and result.stderr.count("\n") == 1
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- plan

def test_dry_run_prints_the_estimate_and_creates_nothing(tmp_path):
    result = cli(*plan_args(), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # 10:00–12:02 is widened to whole hours: 10:00–13:00.
    assert "chunks:            36 new" in out
    assert "hours:             3" in out
    assert "StartQuery:        36 calls" in out
    assert "GetQueryResults:   72 calls" in out
    assert "minimum duration:  15s" in out
    assert list(tmp_path.iterdir()) == []
    slow = cli(*plan_args(), "--dry-run", "--start-query-rate", "0.5", cwd=tmp_path)
    assert "minimum duration:  1m 12s (bound by StartQuery rate" in slow.stdout


def test_plan_replan_and_default_catalog_locations(tmp_path):
    first = cli(*plan_args(end="2026-02-04T11:00:00Z"), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "created backfill 1" in first.stdout and "12 added" in first.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pulp-backfill.sqlite"]
    # Overlapping re-plan (its start widened to 10:00), destinations with a trailing slash:
    # same backfill, only new chunks.
    second = cli(*plan_args(start="2026-02-04T10:30:00Z", outputs=["s3://my-bucket/logs/"]), cwd=tmp_path)
    assert "extended backfill 1" in second.stdout and "24 added, 36 in the backfill" in second.stdout
    assert "start widened to 2026-02-04T10:00:00Z" in second.stderr, second.stderr
    again = cli(*plan_args(), cwd=tmp_path)
    assert "0 added, 36 in the backfill" in again.stdout
    # PULP_BACKFILL_CATALOG and --catalog.
    env_path = tmp_path / "env.sqlite"
    assert cli(*plan_args(), cwd=tmp_path, env_extra={"PULP_BACKFILL_CATALOG": str(env_path)}).returncode == 0
    assert env_path.exists()
    flag_path = tmp_path / "flag.sqlite"
    assert cli(*plan_args(), "--catalog", str(flag_path), cwd=tmp_path,
               env_extra={"PULP_BACKFILL_CATALOG": str(env_path)}).returncode == 0
    assert flag_path.exists()
    db = sqlite3.connect(tmp_path / "pulp-backfill.sqlite")
    starts = [r[0] for r in db.execute("SELECT start_ms FROM chunk ORDER BY start_ms")]
    db.close()
    assert len(starts) == len(set(starts)) == 36


def test_future_end_is_clamped_then_cut_at_the_last_settled_hour(tmp_path):
    now = datetime.now(timezone.utc)
    start = (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = cli(*plan_args(start=start, end="2099-01-01T00:00:00Z"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "clamped to now" in result.stderr and "end cut to" in result.stderr, result.stderr
    db = sqlite3.connect(tmp_path / "pulp-backfill.sqlite")
    end_ms = db.execute("SELECT max(end_ms) FROM chunk").fetchone()[0]
    db.close()
    # The end is the last whole hour that ended at least 15 minutes ago (the default --settle);
    # fails if an hour still receiving late events is planned.
    settled = (now - timedelta(minutes=15)).replace(minute=0, second=0, microsecond=0)
    assert end_ms == int(settled.timestamp() * 1000)


def test_nothing_settled_yet_is_nothing_to_do(tmp_path):
    # A range inside the current hour: no whole hour ended 15 minutes ago yet. Exit 0 (an hourly
    # job started early has nothing to do), a notice, and no chunk planned.
    start = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = cli(*plan_args(start=start, end="now"), "--settle", "2h", cwd=tmp_path)
    assert result.returncode == 0 and "nothing to do" in result.stderr, result.stderr
    assert not (tmp_path / "pulp-backfill.sqlite").exists()
    bad = cli(*plan_args(), "--settle", "soon", cwd=tmp_path)
    assert bad.returncode == 2 and "--settle" in bad.stderr and bad.stderr.count("\n") == 1, bad.stderr


def test_relative_times_work(tmp_path):
    result = cli(*plan_args(start="2 hours ago", end="1 hour ago"), "--dry-run", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # Whole hours: 12 or 24 chunks, depending on where in the hour (and its settle time) now is.
    assert any(f"chunks:            {n} new" in result.stdout for n in (12, 24)), result.stdout


# ---------------------------------------------------------------- status and catalog

@pytest.fixture
def exported(tmp_path):
    """A catalog with two backfills; one fully exported through catalog-probe."""
    assert cli(*plan_args(outputs=["out", "s3://my-bucket/logs"]), cwd=tmp_path).returncode == 0
    assert cli(*plan_args(group="/aws/other", end="2026-02-04T10:30:00Z"), cwd=tmp_path).returncode == 0
    catalog = str(tmp_path / "pulp-backfill.sqlite")
    # Complete only the first backfill's chunks (ids 1..36), then "compact" its hours.
    db = sqlite3.connect(catalog)
    db.execute("UPDATE chunk SET state = 'done', rows = 0, queries = 1, bytes_scanned = 1073741824 WHERE backfill_id = 2")
    db.commit()
    db.close()
    subprocess.run([PROBE, "claim", "--catalog", catalog, "--owner", "t", "--rows", "7"], check=True, capture_output=True)
    subprocess.run([PROBE, "compact", "--catalog", catalog], check=True, capture_output=True)
    return tmp_path


def test_status_json_and_table(exported):
    result = cli("status", "--format", "json", cwd=exported)
    assert result.returncode == 0, result.stderr
    backfills = {b["log_group"]: b for b in json.loads(result.stdout)["backfills"]}
    main = backfills["/aws/pulp"]
    assert main["chunks"] == {"total": 36, "pending": 0, "running": 0, "done": 36, "failed": 0, "stale_leases": 0}
    assert main["rows"] == 36 * 7 and main["partitions_done"] == 3 and main["partitions_total"] == 3
    assert main["destinations"] == [str(exported / "out"), "s3://my-bucket/logs"]
    assert main["active"] is False and main["eta_seconds"] is None
    other = backfills["/aws/other"]
    assert other["partitions_done"] == other["partitions_total"] == 1 and other["bytes_scanned"] == 12 * 1073741824
    assert abs(other["estimated_cost_usd"] - 0.06) < 1e-9
    table = cli("status", cwd=exported).stdout
    assert "backfill 1: /aws/pulp (us-east-1)" in table and "3/3 hours exported" in table
    assert "est. cost $0.0600" in table


def test_catalog_formats(exported):
    result = cli("catalog", "--format", "json", cwd=exported)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == 4  # 3 hours of /aws/pulp, 1 of /aws/other
    for record in records:
        assert list(sorted(record)) == sorted(["hour", "rows", "bytes", "uris", "sha256", "min_timestamp",
                                               "max_timestamp", "exported_at", "log_group", "dataset", "found", "partial"])
        assert record["dataset"] == "access"
        assert record["found"] is False  # exported by this catalog, not found at the destinations
    pulp = [r for r in records if r["log_group"] == "/aws/pulp"]
    assert [r["hour"] for r in pulp] == ["2026-02-04T10:00:00Z", "2026-02-04T11:00:00Z", "2026-02-04T12:00:00Z"]
    assert [r["rows"] for r in pulp] == [12 * 7, 12 * 7, 12 * 7]
    assert not any(r["partial"] for r in records)
    assert pulp[0]["uris"][0].startswith(str(exported / "out") + "/") and pulp[0]["uris"][1].startswith("s3://my-bucket/logs/")
    assert pulp[0]["min_timestamp"].startswith("2026-02-04T10:00:00") and pulp[0]["max_timestamp"].startswith("2026-02-04T10:5")
    other = [r for r in records if r["log_group"] == "/aws/other"][0]
    assert other["rows"] == 0 and other["min_timestamp"] is None

    rows = list(csv.reader(io.StringIO(cli("catalog", "--format", "csv", cwd=exported).stdout)))
    assert rows[0] == ["hour", "rows", "bytes", "uris", "sha256", "min_timestamp", "max_timestamp", "exported_at", "log_group", "dataset"]
    assert len(rows) == 5 and rows[1][0] == "2026-02-04T10:00:00Z"

    table = cli("catalog", cwd=exported).stdout.splitlines()
    header = table[0]
    assert header.startswith("HOUR (UTC)")
    column = header.index("LOG GROUP")
    data = [line for line in table[1:] if line[:4] == "2026"]
    assert len(data) == 4
    assert all(line[column:].startswith("/aws/") for line in data)  # columns line up

    filtered = json.loads(cli("catalog", "--format", "json", "--cloudwatch-group", "/aws/pulp",
                              "--from", "2026-02-04T10:30:00Z", "--to", "2026-02-04T12:00:00Z", cwd=exported).stdout)
    assert [r["hour"] for r in filtered] == ["2026-02-04T10:00:00Z", "2026-02-04T11:00:00Z"]
    # --dataset filters (every backfill here is of the access dataset).
    assert len(json.loads(cli("catalog", "--format", "json", "--dataset", "access", cwd=exported).stdout)) == 4
    assert json.loads(cli("catalog", "--format", "json", "--dataset", "content-rpm", cwd=exported).stdout) == []
    empty = cli("catalog", "--cloudwatch-group", "/nope", cwd=exported)
    assert empty.returncode == 0 and empty.stdout == "no exported partitions\n"


def test_status_shows_failures_and_eta_of_an_active_run(tmp_path):
    assert cli(*plan_args(), cwd=tmp_path).returncode == 0
    db = sqlite3.connect(tmp_path / "pulp-backfill.sqlite")
    now_ms = int(datetime.now(timezone.utc).timestamp() * 1000)
    db.execute("UPDATE chunk SET state = 'done', finished_at_ms = ? WHERE id <= 10", (now_ms - 60_000,))
    db.execute("UPDATE chunk SET state = 'failed', attempts = 3, last_error = 'query failed: MalformedQueryException', "
               "finished_at_ms = ? WHERE id = 11", (now_ms - 1000,))
    db.execute("UPDATE chunk SET state = 'running', lease_owner = 'x', lease_expires_ms = ? WHERE id IN (12, 13)", (now_ms + 600_000,))
    db.execute("UPDATE chunk SET state = 'running', lease_owner = 'dead', lease_expires_ms = ? WHERE id = 14", (now_ms - 1,))
    db.commit()
    db.close()
    status = json.loads(cli("status", "--format", "json", cwd=tmp_path).stdout)["backfills"][0]
    assert status["chunks"] == {"total": 36, "pending": 22, "running": 2, "done": 10, "failed": 1, "stale_leases": 1}
    assert status["active"] is True
    # 11 finished in the last 15 minutes; 26 chunks left → 26 / (11 / 900 s)
    assert abs(status["eta_seconds"] - 26 / (11 / 900)) < 1e-6
    assert status["failures"][0]["last_error"] == "query failed: MalformedQueryException"
    table = cli("status", cwd=tmp_path).stdout
    assert "MalformedQueryException" in table and "eta:         35m 28s" in table


def test_an_hour_exported_from_part_of_its_range_is_partial_and_planned_whole_again(tmp_path):
    """An older version planned 10:00–10:30 and exported hour 10 from those chunks only: the
    catalog marks it partial, and planning the hour again (now always whole) reopens it."""
    assert cli(*plan_args(end="2026-02-04T11:00:00Z"), cwd=tmp_path).returncode == 0
    catalog = str(tmp_path / "pulp-backfill.sqlite")
    db = sqlite3.connect(catalog)
    db.execute("DELETE FROM chunk WHERE start_ms >= ?", (1770201000000,))  # 10:30 onwards: as the old plan had it
    db.commit()
    db.close()
    subprocess.run([PROBE, "claim", "--catalog", catalog, "--owner", "t", "--rows", "7"], check=True, capture_output=True)
    subprocess.run([PROBE, "compact", "--catalog", catalog], check=True, capture_output=True)
    [record] = json.loads(cli("catalog", "--format", "json", cwd=tmp_path).stdout)
    assert record["partial"] is True and record["rows"] == 6 * 7
    assert "partial " in cli("catalog", cwd=tmp_path).stdout
    again = cli(*plan_args(end="2026-02-04T11:00:00Z"), cwd=tmp_path)
    # Fails if the half-exported hour were left as it is (its missing half would never come).
    assert "6 added, 12 in the backfill" in again.stdout and "reopened:   1" in again.stdout, again.stdout
    status = json.loads(cli("status", "--format", "json", cwd=tmp_path).stdout)["backfills"][0]
    assert status["chunks"]["pending"] == 12

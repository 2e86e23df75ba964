#!/usr/bin/env python3
"""Catalog benchmark: `status` and `catalog` on a year-long backfill.

Builds a catalog with one backfill over a whole year (105,120 five-minute chunks) and
8,760 exported hourly partitions (two destinations each), then times the commands of a
release build. Budget: well under one second each. As a reference floor, the same data is
also read with Python's sqlite3 (one aggregate over all chunks; one full partition listing),
so the ratio shows what the CLI adds on top of SQLite itself.

    PULP_BACKFILL_BIN_DIR=$(swift build -c release --show-bin-path) .venv/bin/python Benchmarks/bench_catalog.py
"""
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def bin_dir() -> Path:
    env = os.environ.get("PULP_BACKFILL_BIN_DIR")
    if env:
        return Path(env)
    subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    return Path(out.stdout.strip())


def timed(fn):
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def build_catalog(cli: str, path: Path) -> float:
    start = time.perf_counter()
    subprocess.run([cli, "plan", "--cloudwatch-group", "/aws/containerinsights/pulp-prod/application",
                    "--start-time", "2025-01-01T00:00:00Z", "--end-time", "2026-01-01T00:00:00Z",
                    "--output-path", str(path.parent / "out"), "--output-path", "s3://pulp-logs/access",
                    "--catalog", str(path)], check=True, capture_output=True)
    plan_seconds = time.perf_counter() - start
    # Simulate a finished year: every chunk done and compacted, a few failures, one
    # partition per hour with two files. Written directly with SQL for speed.
    db = sqlite3.connect(path)
    db.execute("""UPDATE chunk SET state = 'done', attempts = 1, queries = 1, rows = 400 + (id % 97),
                  skipped = id % 5, malformed = id % 11 / 10, records_matched = 500, bytes_scanned = 2000000,
                  started_at_ms = end_ms + 1000, finished_at_ms = end_ms + 3000, compacted = 1""")
    db.execute("""UPDATE chunk SET state = 'failed', attempts = 5, compacted = 0,
                  last_error = 'GetQueryResults: result full (10000 rows) and cannot be split further'
                  WHERE id % 5000 = 0""")
    hours = [r[0] for r in db.execute("SELECT DISTINCT hour_ms FROM chunk ORDER BY hour_ms")]
    db.executemany("""INSERT INTO partition (backfill_id, hour_ms, rows, bytes, sha256, min_timestamp_ns,
                      max_timestamp_ns, exported_at_ms, writer_version) VALUES (1, ?, 5500, 480000, ?, ?, ?, ?, 'bench')""",
                   [(h, f"{h:064x}", h * 1_000_000, (h + 3_599_999) * 1_000_000, h + 7_200_000) for h in hours])
    files = []
    for partition_id, hour in db.execute("SELECT id, hour_ms FROM partition").fetchall():
        key = f"pulp_access_logs_{hour}.parquet"
        files.append((partition_id, str(path.parent / "out"), f"{path.parent / 'out'}/{key}"))
        files.append((partition_id, "s3://pulp-logs/access", f"s3://pulp-logs/access/{key}"))
    db.executemany("INSERT INTO partition_file (partition_id, destination, uri) VALUES (?, ?, ?)", files)
    db.commit()
    chunks = db.execute("SELECT count(*) FROM chunk").fetchone()[0]
    partitions = db.execute("SELECT count(*) FROM partition").fetchone()[0]
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(f"catalog: {chunks} chunks, {partitions} partitions, {path.stat().st_size / 1e6:.1f} MB "
          f"(plan of the year took {plan_seconds:.2f} s)")
    return plan_seconds


def reference_status(path: Path):
    db = sqlite3.connect(path)
    db.execute("""SELECT backfill_id, sum(state = 'done'), sum(rows), sum(bytes_scanned), count(DISTINCT hour_ms)
                  FROM chunk GROUP BY backfill_id""").fetchall()
    db.close()


def reference_catalog(path: Path):
    db = sqlite3.connect(path)
    db.execute("""SELECT p.*, f.uri FROM partition p JOIN partition_file f ON f.partition_id = p.id
                  ORDER BY p.hour_ms""").fetchall()
    db.close()


def main():
    cli = str(bin_dir() / "pulp-backfill")
    # `--keep DIR`: build the catalog in DIR and leave it there (for profiling by hand).
    keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else None
    with tempfile.TemporaryDirectory(prefix="bench-catalog-") as tmp:
        directory = Path(keep or tmp)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "year.sqlite"
        path.unlink(missing_ok=True)
        build_catalog(cli, path)

        def run(*args):
            return lambda: subprocess.run([cli, *args, "--catalog", str(path)], check=True, capture_output=True)

        rows = [
            ("status (table)", run("status"), lambda: reference_status(path)),
            ("status --format json", run("status", "--format", "json"), lambda: reference_status(path)),
            ("catalog (table)", run("catalog"), lambda: reference_catalog(path)),
            ("catalog --format json", run("catalog", "--format", "json"), lambda: reference_catalog(path)),
            ("catalog --format csv", run("catalog", "--format", "csv"), lambda: reference_catalog(path)),
            ("catalog --from/--to (1 week)", run("catalog", "--from", "2025-06-01", "--to", "2025-06-08"), lambda: reference_catalog(path)),
        ]
        print(f"median of {RUNS} runs; budget 1.000 s; reference = the same query in Python sqlite3")
        print(f"{'command':32} {'seconds':>8} {'of budget':>10} {'reference':>10} {'ratio':>7}")
        worst = 0.0
        for name, command, reference in rows:
            seconds = timed(command)
            ref = timed(reference)
            worst = max(worst, seconds)
            print(f"{name:32} {seconds:8.3f} {seconds / 1.0:9.1%} {ref:10.3f} {seconds / ref:6.1f}x")
        print("PASS: every command under 1 s" if worst < 1.0 else "FAIL: a command took 1 s or more")
        return 0 if worst < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""`--timestamp-unit ns|us|ms`: the timestamp column's unit in every file (convert, backfill,
export), the same instants in every unit, read alike by four readers; the unit is part of a
backfill's identity, so one backfill never mixes units."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import readers
from conftest import bin_dir
from servers import InsightsSim
from test_backfill import CORPUS, FAST, GROUP, SHAPE, env_for, pulp

UNITS = {"ns": 1, "us": 1_000, "ms": 1_000_000}


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def events(sim, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("unit") / "events.ndjson"
    path.write_text(sim.expected("2026-02-04T10:00:00Z", "2026-02-04T11:00:00Z", *SHAPE))
    return path


def convert(events: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "pulp-backfill"), "convert", "--input", str(events), "--output", str(out), *extra],
                          capture_output=True, text=True)


@pytest.mark.parametrize("unit", ["us", "ms"])
def test_convert_writes_the_unit_and_the_same_instants(events, tmp_path, unit):
    base, other = tmp_path / "ns.parquet", tmp_path / f"{unit}.parquet"
    assert convert(events, base).returncode == 0
    p = convert(events, other, "--timestamp-unit", unit)
    assert p.returncode == 0, p.stderr
    a, b = pq.read_table(base), pq.read_table(other)
    # The logical type says the unit, not UTC-adjusted (Spark: timestamp_ntz).
    assert b.schema.field("timestamp").type == pa.timestamp(unit), b.schema
    assert pq.read_schema(base).field("timestamp").type == pa.timestamp("ns")
    assert b.schema.remove(0).equals(a.schema.remove(0))
    # Insights has milliseconds: nothing is lost, every other column identical.
    ns = a.column("timestamp").cast(pa.int64()).to_pylist()
    assert all(t % 1_000_000 == 0 for t in ns)
    assert b.column("timestamp").cast(pa.int64()).to_pylist() == [t // UNITS[unit] for t in ns]
    for name in a.column_names[1:]:
        assert a.column(name).equals(b.column(name)), name
    # Column statistics in the file's unit (fails if min/max were written in nanoseconds).
    stats = pq.ParquetFile(other).metadata.row_group(0).column(0).statistics
    assert stats.min == b.column("timestamp")[0].as_py() and stats.max == b.column("timestamp")[-1].as_py()
    # Four readers agree on the file cell for cell. Some give the timestamp in the file's unit,
    # some in nanoseconds: both are brought to nanoseconds (a value below 10^17 cannot be ns here).
    def in_ns(rows):
        return [((r[0] * UNITS[unit] if abs(r[0]) < 10**17 else r[0]),) + tuple(r[1:]) for r in rows]
    rows = in_ns(readers.read_pyarrow(other))
    assert [r[0] for r in rows] == ns
    for read in (readers.read_duckdb, readers.read_polars, readers.read_fastparquet):
        assert in_ns(read(other)) == rows, read.__name__


def test_a_backfill_records_its_unit_and_never_mixes_units(sim, tmp_path):
    env = env_for(sim)
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    args = ["backfill", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T10:00:00Z", "--end-time",
            "2026-02-04T11:00:00Z", "--output-path", str(out), "--catalog", str(catalog),
            "--start-rate", "100", "--poll-rate", "200"]
    p = pulp(*args, "--timestamp-unit", "us", env=env)
    assert p.returncode == 0, p.stderr
    files = sorted(out.rglob("*.parquet"))
    assert len(files) == 1 and pq.read_schema(files[0]).field("timestamp").type == pa.timestamp("us")
    expected = tmp_path / "expected.parquet"
    src = tmp_path / "expected.ndjson"
    src.write_text(sim.expected("2026-02-04T10:00:00Z", "2026-02-04T11:00:00Z", *SHAPE))
    assert convert(src, expected, "--timestamp-unit", "us").returncode == 0
    assert pq.read_table(files[0]).equals(pq.read_table(expected))
    status = json.loads(pulp("status", "--catalog", str(catalog), "--format", "json", env=env).stdout)["backfills"]
    assert [b["timestamp_unit"] for b in status] == ["us"]
    # The same flags with another unit are another backfill (its files would mix units).
    plan = pulp("plan", *args[1:-4], "--timestamp-unit", "ns", env=env)
    assert plan.returncode == 0, plan.stderr
    assert "created backfill 2" in plan.stdout, plan.stdout
    again = pulp("plan", *args[1:-4], "--timestamp-unit", "us", env=env)
    assert "extended backfill 1" in again.stdout, again.stdout


def test_export_writes_the_unit(sim, tmp_path):
    env = env_for(sim)
    out = tmp_path / "range.parquet"
    p = pulp("export", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T10:00:00Z", "--end-time",
             "2026-02-04T10:30:00Z", "--output-path", str(out), "--timestamp-unit", "ms",
             "--start-rate", "100", "--poll-rate", "200", env=env)
    assert p.returncode == 0, p.stderr
    assert pq.read_schema(out).field("timestamp").type == pa.timestamp("ms")


def test_an_unknown_unit_is_a_usage_error(events, tmp_path):
    p = convert(events, tmp_path / "x.parquet", "--timestamp-unit", "s")
    assert p.returncode == 2 and not (tmp_path / "x.parquet").exists()
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) <= 3, p.stderr

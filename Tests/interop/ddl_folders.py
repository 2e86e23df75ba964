"""Folders of hourly files as a backfill lays them out, for the table-DDL tests (test_ddl.py,
test_spark.py): rows from corpus.py converted by `pulp-backfill convert --timestamp-unit U`
into `date=YYYY-MM-DD/hour=HH/pulp_access_logs_….parquet` (hive) or side by side (flat).

`expected_rows` reads the same files with pyarrow — the reference every engine must equal —
with the timestamp as integer nanoseconds whatever the unit, and date/hour from the folder.
"""
from __future__ import annotations

import subprocess
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import corpus

FILE_COLUMNS = ["timestamp", "message", "user", "org_id", "domain", "distribution", "package",
                "status_code", "user_agent", "x_forwarded_for"]


def _hour_rows() -> dict[datetime, list[dict]]:
    """Three hours of rows: two busy ones, and one whose optional fields are all null."""
    by_hour: dict[datetime, list[dict]] = defaultdict(list)
    for row in corpus.bulk_rows(600, seed=23):
        t = datetime.strptime(row["@timestamp"], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)
        by_hour[t.replace(minute=0, second=0, microsecond=0)].append(row)
    first = sorted(by_hour)[:2]
    hours = {h: by_hour[h] for h in first}
    hours[datetime(2026, 2, 4, 16, 0, tzinfo=timezone.utc)] = corpus.all_null_rows(20)
    return hours


def make_folder(bins: Path, root: Path, unit: str, layout: str = "hive") -> Path:
    """Converts each hour's rows into its file under `root`; returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    for hour, rows in _hour_rows().items():
        name = f"pulp_access_logs_{hour:%Y%m%dT%H}0000Z.parquet"
        folder = root / f"date={hour:%Y-%m-%d}" / f"hour={hour:%H}" if layout == "hive" else root
        folder.mkdir(parents=True, exist_ok=True)
        source = root.parent / f".{root.name}-{hour:%Y%m%d%H}.ndjson"
        corpus.write_ndjson(source, rows)
        subprocess.run([str(bins / "pulp-backfill"), "convert", "--input", str(source),
                        "--output", str(folder / name), "--timestamp-unit", unit],
                       check=True, capture_output=True, text=True)
        source.unlink()
    return root


def expected_rows(root: Path, layout: str = "hive") -> list[tuple]:
    """pyarrow's rows of every file under `root`: FILE_COLUMNS (timestamp in ns), then for
    hive the folder's date (str) and hour (int)."""
    rows = []
    for f in sorted(root.rglob("*.parquet")):
        t = pq.read_table(f)
        cols = {c: t.column(c).to_pylist() for c in FILE_COLUMNS if c != "timestamp"}
        cols["timestamp"] = t.column("timestamp").cast(pa.timestamp("ns")).cast(pa.int64()).to_pylist()
        extra = ()
        if layout == "hive":
            extra = (f.parent.parent.name.removeprefix("date="), int(f.parent.name.removeprefix("hour=")))
        rows += [tuple(cols[c][i] for c in FILE_COLUMNS) + extra for i in range(t.num_rows)]
    assert rows, f"no rows under {root}"
    return sorted(rows, key=repr)


def ns_of_naive(value: datetime | None) -> int | None:
    """Epoch nanoseconds of a timestamp without time zone (its wall clock read as UTC)."""
    if value is None:
        return None
    return (value - datetime(1970, 1, 1)) // timedelta(microseconds=1) * 1000


def ddl(bins: Path, engine: str, location, unit: str, layout: str = "hive", table: str | None = None) -> str:
    args = [str(bins / "pulp-backfill"), "ddl", "--engine", engine, "--location", str(location),
            "--timestamp-unit", unit, "--layout", layout]
    if table:
        args += ["--table", table]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def statements(sql: str) -> list[str]:
    """The statements of generated DDL: comment lines dropped, split at lines ending in `;`."""
    out, current = [], []
    for line in sql.splitlines():
        if line.lstrip().startswith("--"):
            continue
        current.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(current).rstrip().removesuffix(";"))
            current = []
    assert not "".join(current).strip(), f"text after the last statement: {current}"
    return out

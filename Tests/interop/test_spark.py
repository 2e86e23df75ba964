"""Spark (pyspark, local[2]) reads the hourly files: a `--timestamp-unit us` hive folder with no
setting at all (timestamp_ntz), and `ns`/`us`/`ms` folders through the DDL that
`pulp-backfill ddl --engine spark` generates — every way gives pyarrow's rows.

One SparkSession for the module (starting the JVM is most of the cost); it needs Java 17+,
and the module is skipped, saying so, where there is no `java`.
"""
from __future__ import annotations

import os
import shutil
import sys

import pytest

import ddl_folders

if shutil.which("java") is None:
    pytest.skip("Spark needs Java 17+ and there is no `java` on PATH", allow_module_level=True)

from pyspark.errors import AnalysisException  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql.types import LongType, TimestampNTZType  # noqa: E402

# pyspark warns that it does not fully support pandas 3; these tests do not use pandas.
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")

FILE_COLUMNS = ddl_folders.FILE_COLUMNS
NANOS_AS_LONG = "spark.sql.legacy.parquet.nanosAsLong"


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]").appName("pulp-backfill-interop")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("spark-warehouse")))
        .config("spark.driver.memory", "512m")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folders(bins, tmp_path_factory):
    """(unit, layout) → three hours' files written by `convert --timestamp-unit unit`."""
    root = tmp_path_factory.mktemp("spark-data")
    wanted = [("us", "hive"), ("ns", "hive"), ("ms", "flat")]
    return {(u, l): ddl_folders.make_folder(bins, root / f"{u}-{l}", u, l) for u, l in wanted}


@pytest.fixture
def clean_session(spark):
    """Each test starts without the nanosecond setting and leaves no table behind."""
    spark.conf.unset(NANOS_AS_LONG)
    yield spark
    spark.conf.unset(NANOS_AS_LONG)
    for t in spark.catalog.listTables():
        spark.sql(f"DROP TABLE IF EXISTS {t.name}")


def as_epoch_ns(value) -> int | None:
    """A Spark timestamp value as epoch nanoseconds: BIGINT (ns DDL) as is, TIMESTAMP_NTZ (a
    naive datetime: wall clock = UTC) converted."""
    return value if value is None or isinstance(value, int) else ddl_folders.ns_of_naive(value)


def rows_of(df, with_partitions: bool) -> list[tuple]:
    cols = FILE_COLUMNS + (["date", "hour"] if with_partitions else [])
    out = []
    for r in df.select(*cols).collect():
        values = [as_epoch_ns(r["timestamp"])] + [r[c] for c in FILE_COLUMNS[1:]]
        if with_partitions:
            values += [str(r["date"]), r["hour"]]
        out.append(tuple(values))
    return sorted(out, key=repr)


def test_us_folder_is_read_natively(clean_session, folders):
    """`spark.read.parquet` on a `--timestamp-unit us` backfill, no setting: the timestamp is a
    timestamp_ntz and every row equals pyarrow's. Fails if Spark refuses the files, types the
    column otherwise (e.g. the writer marked it UTC-adjusted) or reads any value differently."""
    spark = clean_session
    assert spark.conf.get(NANOS_AS_LONG, "false") == "false"
    folder = folders[("us", "hive")]
    df = spark.read.parquet(str(folder))
    assert isinstance(df.schema["timestamp"].dataType, TimestampNTZType)
    assert rows_of(df, with_partitions=True) == ddl_folders.expected_rows(folder)


def test_ns_folder_needs_the_setting(clean_session, folders):
    """Why the generated Spark DDL for `ns` starts with a SET and declares BIGINT: this Spark
    refuses TIMESTAMP(NANOS) without it. Fails when a Spark upgrade reads nanoseconds natively —
    then the ns DDL (TableDDL.swift) should follow."""
    with pytest.raises(AnalysisException, match="TIMESTAMP\\(NANOS"):
        clean_session.read.parquet(str(folders[("ns", "hive")])).collect()


def run_generated_ddl(spark, bins, folder, unit: str, layout: str, table: str):
    for statement in ddl_folders.statements(ddl_folders.ddl(bins, "spark", folder, unit, layout, table=table)):
        spark.sql(statement)
    return spark.table(table)


def test_generated_ddl_reads_ns_and_us_alike(clean_session, bins, folders):
    """The generated Spark DDL run by Spark itself over an `ns` folder and a `us` folder (hive:
    partitions recovered) gives the same rows — timestamps compared as epoch values — and both
    equal pyarrow's. Fails if a statement is refused, a partition is missed, or a unit's
    timestamp type or value is wrong."""
    spark = clean_session
    ns = run_generated_ddl(spark, bins, folders[("ns", "hive")], "ns", "hive", "logs_ns")
    us = run_generated_ddl(spark, bins, folders[("us", "hive")], "us", "hive", "logs_us")
    assert isinstance(ns.schema["timestamp"].dataType, LongType)
    assert isinstance(us.schema["timestamp"].dataType, TimestampNTZType)
    assert len(spark.sql("SHOW PARTITIONS logs_ns").collect()) == 3
    ns_rows, us_rows = rows_of(ns, True), rows_of(us, True)
    assert ns_rows == us_rows
    assert ns_rows == ddl_folders.expected_rows(folders[("ns", "hive")])
    # The conversion the ns DDL's comment offers gives the us table's timestamps.
    converted = spark.sql("SELECT timestamp_micros(div(`timestamp`, 1000)) AS t FROM logs_ns").collect()
    native = spark.sql("SELECT CAST(`timestamp` AS TIMESTAMP) AS t FROM logs_us").collect()
    assert sorted(r.t for r in converted) == sorted(r.t for r in native)


def test_generated_ddl_flat_layout(clean_session, bins, folders):
    """A flat (`--layout flat`, `ms`) folder through the generated DDL: no partitions, rows equal
    pyarrow's. Fails if the flat DDL still declares partitions or misreads millisecond files."""
    folder = folders[("ms", "flat")]
    table = run_generated_ddl(clean_session, bins, folder, "ms", "flat", "logs_flat")
    assert table.columns == FILE_COLUMNS
    assert rows_of(table, False) == ddl_folders.expected_rows(folder, "flat")


def test_a_us_backfill_is_read_natively_and_equals_pyarrow(clean_session, tmp_path):
    """The user path: `backfill --timestamp-unit us` against insights-sim, then
    `spark.read.parquet(folder)` with no setting. Fails if the backfill's files (not only
    convert's) carry a type Spark refuses or reads otherwise."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from servers import InsightsSim
    from test_backfill import CORPUS, FAST, GROUP, env_for, pulp

    sim = InsightsSim(*CORPUS, *FAST)
    try:
        out = tmp_path / "out"
        p = pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T10:00:00Z",
                 "--end-time", "2026-02-04T12:00:00Z", "--output-path", str(out), "--catalog", str(tmp_path / "c.sqlite"),
                 "--timestamp-unit", "us", "--start-rate", "100", "--poll-rate", "200", env=env_for(sim))
        assert p.returncode == 0, p.stderr
    finally:
        sim.stop()
    df = clean_session.read.parquet(str(out))
    assert isinstance(df.schema["timestamp"].dataType, TimestampNTZType)
    got = sorted(((as_epoch_ns(r["timestamp"]),) + tuple(r[c] for c in FILE_COLUMNS[1:]) for r in df.select(*FILE_COLUMNS).collect()),
                 key=repr)
    table = pa.concat_tables([pq.read_table(f) for f in sorted(out.rglob("*.parquet"))])
    ts = table.column("timestamp").cast(pa.int64()).to_pylist()
    want = sorted(((t * 1000,) + tuple(table.column(c)[i].as_py() for c in FILE_COLUMNS[1:]) for i, t in enumerate(ts)), key=repr)
    assert len(got) == len(want) > 1000 and got == want

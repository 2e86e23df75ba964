"""`pulp-backfill ddl --dataset content-*`: each engine's DDL parses in its dialect (sqlglot)
and declares exactly the columns of the dataset's files (pyarrow's schema of what `convert
--dataset D` wrote, int64/int16/bool/int32 included); DuckDB runs its view over a real folder
of such files and returns pyarrow's rows."""
from __future__ import annotations

import subprocess

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlglot import exp

import content_cases
import ddl_folders
from test_ddl import ENGINE_TYPES, expected_columns, parse

DATASETS = ["content-python", "content-rpm", "content-maven"]
LOCATION = "s3://analytics/pulp/content"
# The content datasets' other Parquet types, as sqlglot renders each dialect's type (DuckDB: as
# DESCRIBE shows them).
MORE_TYPES = {
    "athena": {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.bool_(): "BOOLEAN"},
    "trino": {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.bool_(): "BOOLEAN"},
    "spark": {pa.int64(): "BIGINT", pa.int32(): "INT", pa.bool_(): "BOOLEAN"},
    "snowflake": {pa.int64(): "BIGINT", pa.int32(): "INT", pa.bool_(): "BOOLEAN"},
    "duckdb": {pa.int64(): "BIGINT", pa.int32(): "INTEGER", pa.bool_(): "BOOLEAN"},
}
for engine, types in MORE_TYPES.items():
    ENGINE_TYPES[engine].update(types)


def ddl(bins, engine: str, dataset: str, location, layout: str) -> str:
    return subprocess.run([str(bins / "pulp-backfill"), "ddl", "--engine", engine, "--dataset", dataset, "--location",
                           str(location), "--layout", layout], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def folders(bins, tmp_path_factory):
    """dataset → a hive folder with one hour's file written by `convert --dataset D`."""
    root = tmp_path_factory.mktemp("ddl-content")
    out = {}
    for dataset in DATASETS:
        source = root / f"{dataset}.ndjson"
        content_cases.write_lines(source, content_cases.bulk_lines(dataset, 400, seed=5))
        folder = root / dataset / "date=2026-07-20" / "hour=09"
        folder.mkdir(parents=True)
        subprocess.run([str(bins / "pulp-backfill"), "convert", "--dataset", dataset, "--input", str(source),
                        "--output", str(folder / "f.parquet")], check=True, capture_output=True, text=True)
        out[dataset] = root / dataset
    return out


@pytest.mark.parametrize("engine", ["athena", "trino", "spark", "snowflake"])
@pytest.mark.parametrize("dataset", DATASETS)
def test_ddl_declares_the_datasets_columns(bins, folders, engine, dataset):
    """Fails if a content dataset's DDL is invalid SQL in the dialect, or misses, renames,
    reorders or mistypes a column of its files."""
    tables = [s for s in parse(ddl(bins, engine, dataset, LOCATION, "hive"), engine)
              if isinstance(s, exp.Create) and s.kind == "TABLE"]
    assert len(tables) == 1
    declared = [(cd.name, cd.args["kind"].sql(engine)) for cd in tables[0].find_all(exp.ColumnDef)]
    schema = pq.read_schema(next(folders[dataset].rglob("*.parquet")))
    assert declared == expected_columns(engine, schema, "hive")
    assert tables[0].this.this.name == dataset.replace("-", "_").replace("content_", "pulp_content_")


@pytest.mark.parametrize("dataset", DATASETS)
def test_duckdb_view_reads_the_datasets_files(bins, folders, dataset):
    """Fails if DuckDB's view over the folder types a column otherwise or returns other rows."""
    folder = folders[dataset]
    con = duckdb.connect()
    try:
        for statement in ddl_folders.statements(ddl(bins, "duckdb", dataset, folder, "hive")):
            con.execute(statement)
        table = dataset.replace("-", "_").replace("content_", "pulp_content_")
        described = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {table}").fetchall()]
        schema = pq.read_schema(next(folder.rglob("*.parquet")))
        assert described == expected_columns("duckdb", schema, "hive")
        rows = con.execute(f"SELECT epoch_ns(\"timestamp\"), * EXCLUDE (\"timestamp\", date, hour) FROM {table}").fetchall()
    finally:
        con.close()
    file = pq.read_table(next(folder.rglob("*.parquet")))
    file = file.set_column(0, "timestamp", file.column("timestamp").cast(pa.int64()))
    expected = [tuple(r.values()) for r in file.to_pylist()]
    assert len(expected) > 50
    assert sorted(rows, key=repr) == sorted(expected, key=repr)

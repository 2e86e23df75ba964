"""`pulp-backfill ddl`: each engine's DDL parses in that engine's SQL dialect (sqlglot) and
declares exactly the columns the files hold, with the types their Parquet types need; DuckDB
executes its DDL over real folders and returns pyarrow's rows. (Spark runs its DDL in
test_spark.py; the exact text is pinned by Tests/BackfillCoreTests/TableDDLTests.swift.)

The expected columns come from the files themselves (pyarrow's schema of what
`pulp-backfill convert --timestamp-unit U` wrote), not from the generator's code.
"""
from __future__ import annotations

import subprocess

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlglot
from sqlglot import exp

import ddl_folders

ENGINES = ["athena", "trino", "spark", "duckdb", "snowflake"]
UNITS = ["ns", "us", "ms"]
LAYOUTS = ["hive", "flat"]
LOCATION = "s3://analytics/pulp/access-logs"

# The engine type each file column needs, keyed by pyarrow's type, as sqlglot renders it in
# that dialect — plus the partition columns. Spark has no nanosecond timestamp: BIGINT (with
# spark.sql.legacy.parquet.nanosAsLong); Trino/Snowflake carry the unit's precision; Athena's
# TIMESTAMP has one precision.
ENGINE_TYPES = {
    "athena": {pa.timestamp("ns"): "TIMESTAMP", pa.timestamp("us"): "TIMESTAMP", pa.timestamp("ms"): "TIMESTAMP",
               pa.string(): "VARCHAR", pa.int16(): "SMALLINT", "date": "VARCHAR", "hour": "INTEGER"},
    "trino": {pa.timestamp("ns"): "TIMESTAMP(9)", pa.timestamp("us"): "TIMESTAMP(6)", pa.timestamp("ms"): "TIMESTAMP(3)",
              pa.string(): "VARCHAR", pa.int16(): "SMALLINT", "date": "VARCHAR", "hour": "INTEGER"},
    "spark": {pa.timestamp("ns"): "BIGINT", pa.timestamp("us"): "TIMESTAMP_NTZ", pa.timestamp("ms"): "TIMESTAMP_NTZ",
              pa.string(): "STRING", pa.int16(): "SMALLINT", "date": "STRING", "hour": "INT"},
    "snowflake": {pa.timestamp("ns"): "TIMESTAMPNTZ(9)", pa.timestamp("us"): "TIMESTAMPNTZ(6)",
                  pa.timestamp("ms"): "TIMESTAMPNTZ(3)", pa.string(): "VARCHAR", pa.int16(): "SMALLINT"},
    # DuckDB's view declares no types: these are what DESCRIBE must show once it runs.
    "duckdb": {pa.timestamp("ns"): "TIMESTAMP_NS", pa.timestamp("us"): "TIMESTAMP", pa.timestamp("ms"): "TIMESTAMP",
               pa.string(): "VARCHAR", pa.int16(): "SMALLINT", "date": "VARCHAR", "hour": "INTEGER"},
}


@pytest.fixture(scope="module")
def folders(bins, tmp_path_factory):
    """(unit, layout) → a folder of three hours' files written by `convert --timestamp-unit unit`."""
    root = tmp_path_factory.mktemp("ddl")
    return {(u, l): ddl_folders.make_folder(bins, root / f"{u}-{l}", u, l) for u in UNITS for l in LAYOUTS}


def file_schema(folder) -> pa.Schema:
    return pq.read_schema(next(folder.rglob("*.parquet")))


def expected_columns(engine: str, schema: pa.Schema, layout: str) -> list[tuple[str, str]]:
    types = ENGINE_TYPES[engine]
    cols = [(f.name, types[f.type]) for f in schema]
    if layout == "hive" and engine != "snowflake":  # Snowflake's table has the file columns only
        cols += [("date", types["date"]), ("hour", types["hour"])]
    return cols


def parse(sql: str, engine: str) -> list[exp.Expression]:
    # RAISE: any statement the dialect cannot parse fails the test (sqlglot falls back to an
    # opaque Command only for whole statements it knows it does not model, like CALL).
    return [s for s in sqlglot.parse(sql, read=engine, error_level=sqlglot.ErrorLevel.RAISE) if s is not None]


def literal_props(create: exp.Create) -> dict[str, str]:
    props = create.args.get("properties")
    out = {}
    for p in props.expressions if props else []:
        if type(p) is exp.Property and isinstance(p.this, exp.Literal):  # not Location…Property
            out[p.this.this] = p.args["value"].this
    return out


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("unit", UNITS)
@pytest.mark.parametrize("engine", ["athena", "trino", "spark", "snowflake"])
def test_ddl_parses_and_declares_the_files_columns(bins, folders, engine, unit, layout):
    """Fails if the DDL is not valid SQL in the engine's dialect, or its CREATE TABLE misses,
    renames, reorders or mistypes a column of the files (or the date/hour partitions)."""
    sql = ddl_folders.ddl(bins, engine, LOCATION, unit, layout)
    statements = parse(sql, engine)
    tables = [s for s in statements if isinstance(s, exp.Create) and s.kind == "TABLE"]
    assert len(tables) == 1, [s.sql(engine) for s in statements]
    declared = [(cd.name, cd.args["kind"].sql(engine)) for cd in tables[0].find_all(exp.ColumnDef)]
    assert declared == expected_columns(engine, file_schema(folders[(unit, layout)]), layout)
    # The statements split as a user's client would split them: same count as sqlglot's.
    assert len(ddl_folders.statements(sql)) == len(statements)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_athena_projects_partitions_over_the_location(bins, layout):
    """Fails if a projection property is missing or wrong, or the template does not point at
    the date=/hour= folders under the location (Athena would find no files)."""
    [create] = parse(ddl_folders.ddl(bins, "athena", LOCATION, "us", layout), "athena")
    assert create.args.get("properties").find(exp.LocationProperty).this.this == LOCATION + "/"
    props = literal_props(create)
    if layout == "flat":
        assert not any(k.startswith("projection.") for k in props)
        assert create.find(exp.PartitionedByProperty) is None
        return
    assert props["projection.enabled"] == "true"
    assert props["projection.date.type"] == "date"
    assert props["projection.date.format"] == "yyyy-MM-dd"
    assert props["projection.date.range"].endswith(",NOW")
    assert (props["projection.hour.type"], props["projection.hour.range"], props["projection.hour.digits"]) == ("integer", "0,23", "2")
    assert props["storage.location.template"] == LOCATION + "/date=${date}/hour=${hour}/"
    assert [c.name for c in create.find(exp.PartitionedByProperty).find_all(exp.ColumnDef)] == ["date", "hour"]


def test_trino_table_is_external_parquet_partitioned_last(bins):
    """Fails if the Hive-connector properties are missing or the partition columns are not the
    last two (the Hive connector refuses partition columns anywhere else)."""
    statements = parse(ddl_folders.ddl(bins, "trino", LOCATION, "ns"), "trino")
    create = next(s for s in statements if isinstance(s, exp.Create))
    text = create.sql("trino")
    assert f"external_location='{LOCATION}'" in text
    assert "format='PARQUET'" in text
    assert "PARTITIONED_BY=ARRAY['date', 'hour']" in text.replace("partitioned_by", "PARTITIONED_BY")
    assert [c.name for c in create.find_all(exp.ColumnDef)][-2:] == ["date", "hour"]
    assert any(isinstance(s, exp.Set) and "NANOSECONDS" in s.sql("trino") for s in statements)
    assert any(isinstance(s, exp.Command) and "sync_partition_metadata" in s.sql("trino") for s in statements)


def test_snowflake_stage_table_and_copy(bins):
    """Fails if the stage does not point at the location as Parquet with logical types, or the
    COPY does not match columns by name from that stage."""
    statements = parse(ddl_folders.ddl(bins, "snowflake", LOCATION, "us"), "snowflake")
    assert [type(s).__name__ for s in statements] == ["Create", "Create", "Copy"]
    stage = statements[0].sql("snowflake")
    assert statements[0].kind == "STAGE" and f"URL='{LOCATION}/'" in stage.replace(" = ", "=")
    assert "USE_LOGICAL_TYPE" in stage and "PARQUET" in stage
    copy = statements[2]
    params = {p.this.name: p for p in copy.args["params"]}
    assert params["MATCH_BY_COLUMN_NAME"].expression.name == "CASE_INSENSITIVE"
    assert copy.args["files"][0].sql("snowflake") == "@pulp_access_logs_stage"
    assert copy.this.name == "pulp_access_logs"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("unit", UNITS)
def test_duckdb_view_runs_over_the_folder(bins, folders, unit, layout):
    """DuckDB executes the generated DDL over a folder of real files: the view's columns and
    types are the files' (plus date/hour from the folders), its rows are pyarrow's. Fails if
    the glob misses files, a partition is mistyped, or a value differs."""
    folder = folders[(unit, layout)]
    sql = ddl_folders.ddl(bins, "duckdb", folder, unit, layout)
    [view] = parse(sql, "duckdb")
    assert view.kind == "VIEW"
    con = duckdb.connect()
    try:
        for statement in ddl_folders.statements(sql):
            con.execute(statement)
        described = [(r[0], r[1]) for r in con.execute("DESCRIBE pulp_access_logs").fetchall()]
        assert described == expected_columns("duckdb", file_schema(folder), layout)
        rows = con.execute("SELECT epoch_ns(\"timestamp\"), * EXCLUDE (\"timestamp\") FROM pulp_access_logs").fetchall()
    finally:
        con.close()
    expected = ddl_folders.expected_rows(folder, layout)
    assert len(expected) > 100
    assert sorted(map(tuple, rows), key=repr) == expected


def test_bad_flags_exit_2(bins):
    """Usage errors exit 2 with one line: an unknown engine/unit/layout (refused by the parser),
    an unknown dataset, a table name that is not an identifier, Athena on a local path.
    Fails if any of them prints DDL or exits otherwise."""
    base = [str(bins / "pulp-backfill"), "ddl", "--location", LOCATION]
    for extra in (["--engine", "mysql"], ["--engine", "spark", "--timestamp-unit", "s"],
                  ["--engine", "spark", "--layout", "daily"], ["--engine", "spark", "--dataset", "no-such-dataset"],
                  ["--engine", "duckdb", "--table", "x; DROP TABLE y"]):
        r = subprocess.run(base + extra, capture_output=True, text=True)
        assert r.returncode == 2, (extra, r.returncode, r.stderr)
        assert r.stdout == "" and len(r.stderr.strip().splitlines()) == 1, (extra, r.stdout, r.stderr)
    r = subprocess.run([str(bins / "pulp-backfill"), "ddl", "--engine", "athena", "--location", "/srv/logs"],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "S3" in r.stderr
    ok = subprocess.run(base + ["--engine", "duckdb", "--dataset", "access", "--table", "main.pulp"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "CREATE VIEW main.pulp AS" in ok.stdout

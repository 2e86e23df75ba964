"""Read a Parquet file with each of the four readers our users have, as plain Python rows.

Every reader returns a list of tuples in the access columns' order (`COLUMNS`), the
timestamp as integer nanoseconds, nulls as None — so that results compare cell for cell.
"""
from __future__ import annotations

import math

import duckdb
import fastparquet
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from access_rows import COLUMNS


def _rows_from_columns(cols: dict) -> list[tuple]:
    n = len(cols[COLUMNS[0]]) if cols else 0
    return [tuple(cols[c][i] for c in COLUMNS) for i in range(n)]


def read_pyarrow(path) -> list[tuple]:
    t = pq.read_table(path)
    cols = {c: t.column(c).to_pylist() for c in COLUMNS if c != "timestamp"}
    cols["timestamp"] = t.column("timestamp").cast(pa.int64()).to_pylist()
    return _rows_from_columns(cols)


def read_duckdb(path) -> list[tuple]:
    con = duckdb.connect()
    try:
        others = ", ".join(f'"{c}"' for c in COLUMNS[1:])
        return [tuple(r) for r in con.execute(
            f"SELECT epoch_ns(timestamp), {others} FROM read_parquet(?)", [str(path)]).fetchall()]
    finally:
        con.close()


def read_polars(path) -> list[tuple]:
    df = pl.read_parquet(path)
    cols = {c: df[c].to_list() for c in COLUMNS if c != "timestamp"}
    cols["timestamp"] = df["timestamp"].cast(pl.Int64).to_list()
    return _rows_from_columns(cols)


def _none_if_nan(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:  # pragma: no cover
        pass
    return v


def read_fastparquet(path) -> list[tuple]:
    pf = fastparquet.ParquetFile(str(path))
    df = pf.to_pandas()
    cols = {}
    for c in COLUMNS:
        s = df[c]
        if c == "timestamp":
            cols[c] = [None if _none_if_nan(v) is None else int(v.value) for v in s.tolist()] \
                if s.dtype == object else [int(v) for v in s.astype("int64").tolist()]
        elif c == "status_code":
            cols[c] = [None if _none_if_nan(v) is None else int(v) for v in s.tolist()]
        else:
            cols[c] = [_none_if_nan(v) for v in s.tolist()]
    return _rows_from_columns(cols)


READERS = {
    "pyarrow": read_pyarrow,
    "duckdb": read_duckdb,
    "polars": read_polars,
    "fastparquet": read_fastparquet,
}


def as_tuples(expected_rows: list[dict]) -> list[tuple]:
    return [tuple(r[c] for c in COLUMNS) for r in expected_rows]

// The Python side of the reader-interop tests, kept as a string so the test target needs no
// resources. Given a manifest of files (and for each the values the Swift side wrote), it reads
// every file with pyarrow, DuckDB, polars and fastparquet, compares every cell, and prints one
// JSON document with per-reader results and the pyarrow view of the metadata.

let readerInteropScript = #"""
import json, sys, math

import pyarrow as pa
import pyarrow.parquet as pq
import duckdb
import polars as pl
import fastparquet
import pandas as pd
import numpy as np


def arrow_columns(table):
    out = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_timestamp(col.type):
            col = col.cast(pa.int64())
        out[name] = col.to_pylist()
    return out


def read_pyarrow(path):
    return arrow_columns(pq.read_table(path))


def read_duckdb(path):
    con = duckdb.connect()
    rel = con.sql("SELECT * FROM read_parquet('%s')" % path.replace("'", "''"))
    types = {name: str(t) for name, t in zip(rel.columns, rel.types)}
    table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.fetch_arrow_table()
    con.close()
    return arrow_columns(table), types


def read_polars(path):
    return arrow_columns(pl.read_parquet(path).to_arrow())


def read_fastparquet(path):
    df = fastparquet.ParquetFile(path).to_pandas()
    out = {}
    for name in df.columns:
        series = df[name]
        values = []
        is_time = pd.api.types.is_datetime64_any_dtype(series.dtype)
        for v in series.tolist():
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                values.append(None)
            elif is_time:
                values.append(int(pd.Timestamp(v).value))
            elif isinstance(v, (bytes, bytearray)):
                values.append(bytes(v).decode("utf-8"))
            elif isinstance(v, str):
                values.append(v)
            elif isinstance(v, (bool, np.bool_)):
                values.append(bool(v))
            else:
                values.append(int(v))
        out[name] = values
    return out


def compare(expected, actual):
    """Returns None when every cell matches, else a description of the first difference."""
    mismatches = 0
    first = None
    for column in expected["columns"]:
        name = column["name"]
        want = column["values"]
        got = actual.get(name)
        if got is None:
            return "column %s missing" % name
        if len(got) != len(want):
            return "column %s: %d rows, expected %d" % (name, len(got), len(want))
        for i, (a, b) in enumerate(zip(want, got)):
            # In Python True == 1: a bool column read back as integers (or the reverse) must
            # still count as a mismatch.
            if a != b or isinstance(a, bool) != isinstance(b, bool):
                mismatches += 1
                if first is None:
                    first = "column %s row %d: expected %r, got %r" % (name, i, str(a)[:80], str(b)[:80])
    if mismatches:
        return "%d mismatches; first: %s" % (mismatches, first)
    return None


def stat_value(v):
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", errors="replace")
    return v


def read_varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return result, pos


def unzigzag(n):
    return (n >> 1) ^ -(n & 1)


def parse_value(buf, pos, t):
    """An independent Thrift compact-protocol reader, enough for page headers."""
    if t == 1:
        return True, pos
    if t == 2:
        return False, pos
    if t == 3:
        return buf[pos], pos + 1
    if t in (4, 5, 6):
        n, pos = read_varint(buf, pos)
        return unzigzag(n), pos
    if t == 7:
        return buf[pos:pos + 8], pos + 8
    if t == 8:
        n, pos = read_varint(buf, pos)
        return buf[pos:pos + n], pos + n
    if t in (9, 10):
        header = buf[pos]
        pos += 1
        size, et = header >> 4, header & 0x0F
        if size == 15:
            size, pos = read_varint(buf, pos)
        items = []
        for _ in range(size):
            if et in (1, 2):
                items.append(buf[pos] == 1)
                pos += 1
            else:
                v, pos = parse_value(buf, pos, et)
                items.append(v)
        return items, pos
    if t == 12:
        return parse_struct(buf, pos)
    raise ValueError("unsupported compact type %d" % t)


def parse_struct(buf, pos):
    fields, last = {}, 0
    while True:
        b = buf[pos]
        pos += 1
        if b == 0:
            return fields, pos
        t, delta = b & 0x0F, b >> 4
        if delta == 0:
            n, pos = read_varint(buf, pos)
            fid = unzigzag(n)
        else:
            fid = last + delta
        last = fid
        fields[fid], pos = parse_value(buf, pos, t)


def page_list(data, col):
    """[page_type, encoding] for every page of a column chunk, walked from its first page."""
    start = col.dictionary_page_offset if col.has_dictionary_page else col.data_page_offset
    end = start + col.total_compressed_size
    pos, pages = start, []
    while pos < end:
        header, pos = parse_struct(data, pos)
        page_type = header[1]
        detail = header.get(5) or header.get(7) or {}
        pages.append([page_type, detail.get(2)])
        pos += header[3]
    if pos != end:
        raise ValueError("pages overrun the chunk")
    return pages


def metadata(path):
    with open(path, "rb") as fh:
        data = fh.read()
    f = pq.ParquetFile(path)
    md = f.metadata
    groups = []
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        cols = []
        for c in range(rg.num_columns):
            col = rg.column(c)
            st = col.statistics
            cols.append({
                "path": col.path_in_schema,
                "compression": col.compression,
                "encodings": list(col.encodings),
                "has_dictionary_page": col.has_dictionary_page,
                "num_values": col.num_values,
                "pages": page_list(data, col),
                "null_count": st.null_count if st is not None and st.has_null_count else None,
                "has_min_max": bool(st is not None and st.has_min_max),
                "min": stat_value(st.min_raw) if st is not None and st.has_min_max else None,
                "max": stat_value(st.max_raw) if st is not None and st.has_min_max else None,
            })
        groups.append({"num_rows": rg.num_rows, "columns": cols})
    return {
        "created_by": md.created_by,
        "key_value": {k.decode(): v.decode() for k, v in (md.metadata or {}).items()},
        "num_rows": md.num_rows,
        "schema": [str(t) for t in f.schema_arrow.types],
        "read_schema": [str(t) for t in pq.read_schema(path).types],
        "nullable": [field.nullable for field in pq.read_schema(path)],
        "names": f.schema_arrow.names,
        "row_groups": groups,
    }


def main():
    manifest = json.load(sys.stdin)
    results = {}
    for item in manifest:
        path = item["path"]
        with open(item["expected"]) as fh:
            expected = json.load(fh)
        result = {"readers": {}}
        for reader in ("pyarrow", "duckdb", "polars", "fastparquet"):
            try:
                if reader == "pyarrow":
                    actual = read_pyarrow(path)
                elif reader == "duckdb":
                    actual, result["duckdb_types"] = read_duckdb(path)
                elif reader == "polars":
                    actual = read_polars(path)
                else:
                    actual = read_fastparquet(path)
                problem = compare(expected, actual)
                result["readers"][reader] = problem or "ok"
            except Exception as error:  # reported, and the Swift test fails on it
                result["readers"][reader] = "error: %s: %s" % (type(error).__name__, error)
        try:
            result["metadata"] = metadata(path)
        except Exception as error:
            result["metadata_error"] = "%s: %s" % (type(error).__name__, error)
        results[path] = result
    json.dump(results, sys.stdout)


main()
"""#

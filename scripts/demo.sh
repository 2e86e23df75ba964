#!/usr/bin/env bash
# make demo: convert the sample Insights rows the project ships into Parquet, then read the
# file back with DuckDB and pyarrow, as an analyst would.
set -euo pipefail
bin_dir=$1
py=$2
out=demo-out
mkdir -p "$out"
echo "== pulp-backfill convert (Tests/Fixtures/sample-events.ndjson → $out/sample.parquet)"
"$bin_dir/pulp-backfill" convert --input Tests/Fixtures/sample-events.ndjson --output "$out/sample.parquet"
echo
echo "== read back with DuckDB"
"$py" - "$out/sample.parquet" <<'PY'
import sys, duckdb, pyarrow.parquet as pq
f = sys.argv[1]
con = duckdb.connect()
con.sql(f"SELECT timestamp, user, org_id, domain, distribution, package, status_code, user_agent, x_forwarded_for FROM read_parquet('{f}')").show(max_width=200)
print("schema (pyarrow):")
print(pq.read_table(f).schema)
m = pq.ParquetFile(f).metadata
print(f"created_by: {m.created_by}; rows: {m.num_rows}; row groups: {m.num_row_groups}; codec: {m.row_group(0).column(0).compression if m.num_row_groups else '-'}")
PY

#!/usr/bin/env bash
# make demo: a real backfill on a fresh machine, no AWS account needed.
# Starts insights-sim (the project's CloudWatch Logs Insights stand-in) with a day of synthetic
# Pulp traffic (API and content-app lines), backfills it into ./demo-out, interrupts the run once
# and resumes it, shows the catalog and queries the hourly files with DuckDB, then backfills
# the same day's wheel downloads (--dataset content-python) from the same log group.
set -euo pipefail
bin_dir=$1
py=$2
out=demo-out
rm -rf "$out"
mkdir -p "$out"
GROUP=/aws/containerinsights/pulp-prod/application

"$bin_dir/insights-sim" --port 0 --events-per-hour 4000 --content-per-hour 3000 --start 2026-02-04T00:00:00Z --end 2026-02-05T00:00:00Z \
    --query-base-ms 300 --query-ms-per-mib 40 --latency-ms 5-25 --start-query-rate 10 --get-results-rate 20 \
    --require-sigv4 > "$out/insights-sim.out" 2> "$out/insights-sim.log" &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$out/insights-sim.out" 2>/dev/null && break; sleep 0.1; done
port=$(head -1 "$out/insights-sim.out" | sed 's/.*://')
echo "insights-sim listening on 127.0.0.1:$port (quotas: 30 concurrent queries, 10 StartQuery/s, 20 GetQueryResults/s)"

# The simulator checks SigV4 signatures made with its test credentials.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
export AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=http://127.0.0.1:$port
args=(--cloudwatch-group "$GROUP" --start-time 2026-02-04 --end-time 2026-02-05
      --output-path "$out/files" --catalog "$out/catalog.sqlite" --concurrency 16 --start-rate 10 --poll-rate 20)

echo
echo "== pulp-backfill backfill (a day: 288 chunks), interrupted after 6 seconds"
"$bin_dir/pulp-backfill" backfill "${args[@]}" &
run=$!
sleep 6
kill -INT $run
set +e; wait $run; code=$?; set -e
echo "(exit code $code: interrupted cleanly)"

echo
echo "== pulp-backfill status"
"$bin_dir/pulp-backfill" status --catalog "$out/catalog.sqlite"

echo
echo "== pulp-backfill run (resumes where the interrupted run stopped)"
"$bin_dir/pulp-backfill" run --catalog "$out/catalog.sqlite" --concurrency 16 --start-rate 10 --poll-rate 20

echo
echo "== pulp-backfill catalog"
"$bin_dir/pulp-backfill" catalog --catalog "$out/catalog.sqlite"

echo
echo "== the hourly files, queried with DuckDB (hive partitioning)"
"$py" - "$out/files" <<'PY'
import sys, duckdb
files = sys.argv[1] + "/**/*.parquet"
con = duckdb.connect()
con.sql(f"SELECT count(*) AS rows, count(DISTINCT hour) AS hours, min(timestamp) AS first, max(timestamp) AS last FROM read_parquet('{files}', hive_partitioning = true)").show()
con.sql(f"SELECT package, count(*) AS downloads FROM read_parquet('{files}') GROUP BY package ORDER BY downloads DESC LIMIT 5").show()
PY

echo
echo "== pulp-backfill backfill --dataset content-python (wheel downloads, same log group and catalog)"
"$bin_dir/pulp-backfill" backfill --dataset content-python --cloudwatch-group "$GROUP" --start-time 2026-02-04 \
    --end-time 2026-02-05 --output-path "$out/wheels" --catalog "$out/catalog.sqlite" --concurrency 16 --start-rate 10 --poll-rate 20
"$bin_dir/pulp-backfill" status --catalog "$out/catalog.sqlite"
"$py" - "$out/wheels" <<'PY'
import sys, duckdb
files = sys.argv[1] + "/**/*.parquet"
duckdb.sql(f"SELECT package_name, count(*) AS downloads, count(DISTINCT pyver) AS pythons, sum(cache_hit::INT) AS cache_hits FROM read_parquet('{files}') GROUP BY package_name ORDER BY downloads DESC LIMIT 5").show()
PY

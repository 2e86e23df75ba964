#!/usr/bin/env bash
# AccessLog throughput: NDJSON decode + @message wrapper + the row rules (README "Access-log rows"),
# one core, Swift release build vs. the Python json.loads + re reference, on the same generated file.
#
#   Benchmarks/bench_accesslog.sh            # 200 000 rows, best of 3
#   BENCH_ROWS=1000000 Benchmarks/bench_accesslog.sh
#
# accesslog-bench lives in the Benchmarks package (Benchmarks/Package.swift), not in the tool's
# build: it comes from $PULP_BACKFILL_BENCH_BIN_DIR when set (`make bench` builds the package
# first), else this script builds it in release itself.
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS="${BENCH_ROWS:-200000}"
REPEATS="${BENCH_REPEATS:-3}"
PY="${PULP_BACKFILL_PYTHON:-.venv/bin/python}"
OUT="${BENCH_OUT:-bench-out}"
mkdir -p "$OUT"
DATA="$OUT/accesslog-events.ndjson"

if [[ -z "${PULP_BACKFILL_BENCH_BIN_DIR:-}" ]]; then
    swift build -c release --package-path Benchmarks --product accesslog-bench >/dev/null
    PULP_BACKFILL_BENCH_BIN_DIR="$(swift build -c release --package-path Benchmarks --show-bin-path)"
fi
BIN="$PULP_BACKFILL_BENCH_BIN_DIR/accesslog-bench"

"$PY" Benchmarks/bench_accesslog_reference.py generate Tests/Fixtures/sample-events.ndjson "$DATA" "$ROWS"

swift_json="$("$BIN" "$DATA" "$REPEATS")"
python_json="$("$PY" Benchmarks/bench_accesslog_reference.py run "$DATA" "$REPEATS")"

"$PY" - "$swift_json" "$python_json" <<'PYEOF'
import json, sys
swift, python = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"AccessLog per-row parsing, {swift['rows']} rows, {swift['bytes'] / swift['rows']:.0f} bytes/row, one core")
print(f"{'':28}{'Swift':>14}{'Python ref':>14}{'ratio':>10}")
for key, label in (("rows_per_second", "rows/s (wall)"), ("rows_per_cpu_second", "rows/s (thread CPU time)"), ("mb_per_second", "MB/s (wall)")):
    print(f"{label:28}{swift[key]:>14,}{python[key]:>14,}{swift[key] / python[key]:>9.1f}x")
print(f"{'kept rows':28}{swift['kept']:>14,}{python['kept']:>14,}")
print(f"{'Swift decode-only rows/s':28}{swift['decode_only_rows_per_second']:>14,}")
if swift["kept"] != python["kept"]:
    sys.exit("kept-row counts differ between Swift and the Python reference")
PYEOF

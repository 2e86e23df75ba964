"""`make bench` part 1: our Parquet encoder and `convert` against the Python reference,
side by side, on the same generated rows, in one run. Prints ratios; asserts nothing.

  encoder : encoder-bench ndjson (rows already in memory)  vs  pyarrow.parquet.write_table
  convert : pulp-backfill convert (NDJSON → Parquet, end to end)  vs  the exporter's Python path

Two folders of binaries (both release builds under `make bench`):
  PULP_BACKFILL_BIN_DIR        the tool's, for pulp-backfill  (swift build -c release --show-bin-path)
  PULP_BACKFILL_BENCH_BIN_DIR  the Benchmarks package's, for encoder-bench
                               (swift build -c release --package-path Benchmarks --show-bin-path)
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

import corpus  # noqa: E402
from access_rows import COLUMNS, SEED_SCHEMA, parse_row  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
OUT = ROOT / "bench-out"
BIN = Path(os.environ["PULP_BACKFILL_BIN_DIR"])
BENCH_BIN = Path(os.environ["PULP_BACKFILL_BENCH_BIN_DIR"])


def best_of(fn, repeat=REPEAT):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def input_file() -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"input-{ROWS}.ndjson"
    if not path.exists():
        print(f"generating {ROWS:,} rows into {path} ...", file=sys.stderr)
        tmp = path.with_suffix(".tmp")
        corpus.write_ndjson(tmp, corpus.bulk_rows(ROWS, seed=2026))
        tmp.rename(path)
    return path


def kept_rows(path: Path) -> list[dict]:
    """json → the row rules (the Python reference parser) → kept rows in file order."""
    kept = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            o = parse_row(json.loads(line))
            if o.kind == "kept":
                kept.append(o.row)
    kept.sort(key=lambda r: (r["timestamp"], r["_ptr"].encode()))
    return kept


def reference_table(path: Path) -> pa.Table:
    kept = kept_rows(path)
    cols = {c: [r[c] for r in kept] for c in COLUMNS}
    return pa.Table.from_pydict(cols, schema=SEED_SCHEMA)


def python_path_parsed(src: Path, dst: Path):
    """The exporter's path doing the same work as convert: json → row rules → from_pylist → write_table."""
    kept = kept_rows(src)
    for r in kept:
        del r["_ptr"]
    pq.write_table(pa.Table.from_pylist(kept, schema=SEED_SCHEMA), dst, compression="snappy")


def python_path_raw(src: Path, dst: Path):
    """The exporter's literal path, fields as Insights would have parsed them server-side:
    json → from_pylist → write_table, with no client-side row parsing at all (a lower bound)."""
    with open(src, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    pq.write_table(pa.Table.from_pylist(rows), dst, compression="snappy")


def main():
    src = input_file()
    size_mb = src.stat().st_size / 1e6
    print(f"input: {ROWS:,} Insights rows, {size_mb:,.0f} MB NDJSON ({src})")

    # --- encoder: rows in memory → Parquet file -----------------------------------------
    table = reference_table(src)
    n = table.num_rows
    pa_file = OUT / "pyarrow.parquet"
    t_pa = best_of(lambda: pq.write_table(table, pa_file, compression="snappy"))
    swift = subprocess.run([str(BENCH_BIN / "encoder-bench"), "ndjson", "--input", str(src),
                            "--output", str(OUT / "swift.parquet"), "--repeat", str(REPEAT)],
                           check=True, capture_output=True, text=True)
    enc = json.loads(swift.stdout)
    assert enc["rows"] == n, (enc, n)
    ours_t, ours_b, pa_b = enc["seconds"], enc["bytes"], pa_file.stat().st_size
    same = pq.read_table(OUT / "swift.parquet").equals(pq.read_table(pa_file))
    print()
    print(f"encoder ({n:,} rows, snappy, best of {REPEAT})")
    print(f"  {'':22}{'rows/s':>14}{'file bytes':>16}")
    print(f"  {'pulp-backfill':22}{n / ours_t:>14,.0f}{ours_b:>16,}")
    print(f"  {'pyarrow.write_table':22}{n / t_pa:>14,.0f}{pa_b:>16,}")
    print(f"  throughput ratio (ours / pyarrow): {t_pa / ours_t:.2f}x   (target >= 1.00x)")
    print(f"  size ratio (ours / pyarrow):       {ours_b / pa_b:.3f}   (target <= 1.05)")
    print(f"  same table read back from both files: {same}")

    # --- convert end to end -------------------------------------------------------------
    conv_out = OUT / "convert.parquet"
    t_conv = best_of(lambda: subprocess.run([str(BIN / "pulp-backfill"), "convert", "--input", str(src),
                                             "--output", str(conv_out)], check=True, capture_output=True))
    t_raw = best_of(lambda: python_path_raw(src, OUT / "python-raw.parquet"), repeat=1)
    t_parsed = best_of(lambda: python_path_parsed(src, OUT / "python-parsed.parquet"), repeat=1)
    same = pq.read_table(conv_out).equals(pq.read_table(OUT / "python-parsed.parquet"))
    print()
    print(f"convert end to end ({ROWS:,} input rows → {n:,} written)")
    print(f"  {'pulp-backfill convert':44}{t_conv:>8.2f} s")
    print(f"  {'python: json → from_pylist → write_table':44}{t_raw:>8.2f} s   ratio {t_raw / t_conv:.2f}x (target >= 3x)")
    print(f"  {'python: json → row rules → ... (same work)':44}{t_parsed:>8.2f} s   ratio {t_parsed / t_conv:.2f}x")
    print(f"  same rows as the Python path with row rules: {same}")


if __name__ == "__main__":
    main()

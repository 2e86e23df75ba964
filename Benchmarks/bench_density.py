"""`make bench`: density-aware queries vs one query per chunk, side by side in one run.

insights-sim at AWS's default quotas and its default latencies (5 StartQuery/s, 5
GetQueryResults/s, 30 concurrent queries, 1.5 s query base), one simulated week at the default
density (20,000 events an hour, ±50 % daily curve, one 5-minute window in 24 above 10,000
events). The same `pulp-backfill backfill` twice, each against a fresh simulator: the default
planner (a `stats count(*) by bin(5m)` per day, sparse neighbours sharing a query, dense chunks
fetched in parts) and `--one-query-per-chunk` (the behaviour before it), both at
`--concurrency 24` (the most the default `--query-share` 0.8 allows). Reports:
  * StartQuery calls (density counts included) ÷ Σ per day ceil(rows / 10,000), where rows are
    the query rows of the day (events the server-side filter matched) — target ≤ 1.3;
  * wall time ÷ (chunks ÷ StartQuery rate), the bound of one query per chunk — target ≤ 0.35;
  * whether both runs wrote identical files (same names, same bytes).
Ratios only; nothing here is a pass/fail test. BENCH_DENSITY_DAYS shortens the range.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(os.environ["PULP_BACKFILL_BIN_DIR"])
GROUP = "/aws/containerinsights/pulp-prod/application"
DAYS = int(os.environ.get("BENCH_DENSITY_DAYS", "7"))
START_RATE = 5.0
# Both runs: as many queries in flight as --query-share (0.8 of 30) allows. At the default 8,
# ~1.7 s queries cap either planner at ~4 queries/s, below the StartQuery quota.
CONCURRENCY = "24"
# The simulator's defaults are AWS's quotas and its own latencies; only the served window is set.
SIM_ARGS = ["--start", "2026-01-01T00:00:00Z", "--end", "2026-02-01T00:00:00Z"]


class Sim:
    def __init__(self):
        self.proc = subprocess.Popen([str(BIN / "insights-sim"), "--port", "0", *SIM_ARGS],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.endpoint = "http://127.0.0.1:" + self.proc.stdout.readline().strip().rsplit(":", 1)[1]

    def stats(self) -> dict:
        return json.loads(urllib.request.urlopen(self.endpoint + "/_sim/stats").read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def backfill(work: Path, tag: str, *extra: str) -> dict:
    sim = Sim()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_EC2_METADATA_DISABLED="true",
                   AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=sim.endpoint)
        out, catalog = work / f"out-{tag}", work / f"c-{tag}.sqlite"
        start = time.perf_counter()
        p = subprocess.run([str(BIN / "pulp-backfill"), "backfill", "--cloudwatch-group", GROUP,
                            "--start-time", "2026-01-05T00:00:00Z", "--end-time", f"2026-01-{5 + DAYS:02d}T00:00:00Z",
                            "--output-path", str(out), "--catalog", str(catalog), "--log-format", "json",
                            "--concurrency", CONCURRENCY, *extra],
                           env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if p.returncode != 0:
            sys.exit(f"backfill {tag} failed: {p.stderr[-2000:]}")
        stats = sim.stats()
    finally:
        sim.stop()
    with sqlite3.connect(catalog) as db:
        chunks = db.execute("SELECT count(*) FROM chunk").fetchone()[0]
        per_day = db.execute("SELECT start_ms / 86400000 AS day, sum(fetched_events) FROM chunk GROUP BY day").fetchall()
        exported = db.execute('SELECT sum("rows") FROM partition').fetchone()[0]
        counts = db.execute("SELECT coalesce(sum(queries), 0) FROM density_day").fetchone()[0]
    files = {str(f.relative_to(out)): hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(out.rglob("*.parquet"))}
    return {"wall": wall, "starts": sum(stats["requests"]["StartQuery"].values()),
            "throttled": sum(v for k, v in stats["requests"]["StartQuery"].items() if k != "ok"),
            "polls": sum(stats["requests"]["GetQueryResults"].values()),
            "chunks": chunks, "counts": counts, "per_day": per_day, "exported": exported, "files": files}


def main():
    work = Path(tempfile.mkdtemp(prefix="pulp-bench-density-"))
    try:
        new = backfill(work, "density")
        old = backfill(work, "one-per-chunk", "--one-query-per-chunk")
        floor = sum(math.ceil(rows / 10_000) for _, rows in new["per_day"])
        bound = new["chunks"] / START_RATE
        print(f"density-aware queries vs one query per chunk ({DAYS} days, 20,000 events/h with bursts; "
              f"simulator defaults: 5 StartQuery/s, 5 GetQueryResults/s, 30 concurrent, 1.5 s queries)")
        print(f"  StartQuery: {new['starts']} (incl. {new['counts']} density counts; {new['throttled']} throttled) vs {old['starts']} "
              f"({old['throttled']} throttled); floor Σ ceil(rows/10,000) per day = {floor}; "
              f"ratio {new['starts'] / floor:.2f} (target <= 1.3; one per chunk {old['starts'] / floor:.2f})")
        print(f"  GetQueryResults: {new['polls']} ({new['polls'] / new['starts']:.2f} per query) vs {old['polls']} "
              f"({old['polls'] / old['starts']:.2f} per query)")
        print(f"  wall: {new['wall']:.1f} s vs {old['wall']:.1f} s; one query per chunk at 5/s = {bound:.0f} s; "
              f"ratio {new['wall'] / bound:.2f} (target <= 0.35; one per chunk {old['wall'] / bound:.2f})")
        same = new["files"] == old["files"]
        print(f"  output: {len(new['files'])} files, {new['exported']:,} rows vs {len(old['files'])} files, "
              f"{old['exported']:,} rows; identical files: {'yes' if same else 'NO'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Guards for faults that no other test would notice (scripts/mutation-check.sh breaks the code on
purpose and expects some test to fail): here, a lease that is never renewed while its chunk's
query is still running."""
from __future__ import annotations

import sqlite3
import subprocess
import time
from pathlib import Path

from conftest import bin_dir
from servers import InsightsSim
from test_backfill import GROUP, SHAPE, assert_files_by_hour, assert_same_rows, catalog_json, env_for, expected_table, \
    exported_table, pulp

# One hour (plan takes whole hours): 12 chunks, all in flight at once (--concurrency 12), each
# Insights query running ~6 s: three times the 2 s lease below.
START, END = "2026-02-04T14:00:00Z", "2026-02-04T15:00:00Z"
CHUNKS = 12
SLOW = ["--latency-ms", "0-2", "--query-base-ms", "6000", "--query-jitter", "0", "--query-ms-per-mib", "2",
        "--start-query-rate", "200", "--get-results-rate", "400", "--require-sigv4"]


def chunk_leases(catalog: Path) -> dict[int, tuple[str, int | None]]:
    """chunk id → (state, lease_expires_ms), read as any other process would."""
    db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=10)
    try:
        rows = db.execute("SELECT id, state, lease_expires_ms FROM chunk").fetchall()
    finally:
        db.close()
    assert len(rows) == CHUNKS, rows
    return {i: (state, until) for i, state, until in rows}


def test_a_lease_is_renewed_while_its_chunk_runs_so_a_second_run_leaves_it_alone(tmp_path):
    sim = InsightsSim(*SHAPE, "--start", "2026-02-04T00:00:00Z", "--end", "2026-02-05T00:00:00Z", *SLOW)
    first = None
    try:
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim)
        p = pulp("plan", "--cloudwatch-group", GROUP, "--start-time", START, "--end-time", END,
                 "--output-path", str(out), "--catalog", str(catalog), env=env)
        assert p.returncode == 0, p.stderr
        first = subprocess.Popen([str(bin_dir() / "pulp-backfill"), "run", "--catalog", str(catalog), "--lease-seconds", "2",
                                  "--concurrency", str(CHUNKS), "--start-rate", "100", "--poll-rate", "200"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Bounded wait (60 s: a loaded CI machine starts processes slowly) for the first run to
        # claim every chunk.
        for _ in range(1200):
            claimed = chunk_leases(catalog)
            if all(state == "running" for state, _ in claimed.values()):
                break
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        assert all(state == "running" for state, _ in claimed.values()), claimed
        # Past the 2 s lease, well before the ~6 s queries end.
        time.sleep(3.0)
        renewed = chunk_leases(catalog)
        # Fails if the leases were not renewed: they would still end where the claims set them.
        assert all(renewed[i][0] == "running" and renewed[i][1] > claimed[i][1] for i in claimed), (claimed, renewed)
        # A live owner on this host holds every chunk: --no-wait exits 75. Fails (exit 0) if the
        # leases ran out, because this run would then take the chunks over and export them itself.
        second = pulp("run", "--catalog", str(catalog), "--no-wait", env=env, timeout=60)
        assert second.returncode == 75, (second.returncode, second.stderr[-2000:])
        assert "held by other processes" in second.stderr, second.stderr

        stdout, stderr = first.communicate(timeout=60)
        assert first.returncode == 0, stderr[-2000:]
        # Fails if the first run lost a chunk to the second one.
        assert "taken over" not in stderr, stderr[-2000:]
        # Exported exactly once: one partition, one file, the chunk's rows.
        partitions = catalog_json(catalog, env)
        assert len(partitions) == 1 and len(partitions[0]["uris"]) == 1, partitions
        want = expected_table(sim, START, END, tmp_path)
        assert want.num_rows > 0
        assert_same_rows(exported_table(out), want)
        assert_files_by_hour(out, want)
    finally:
        if first is not None and first.poll() is None:
            first.kill()
            first.communicate()
        sim.stop()

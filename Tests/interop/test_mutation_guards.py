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

# One 5-minute chunk whose Insights query runs ~6 s: three times the 2 s lease below.
START, END = "2026-02-04T14:00:00Z", "2026-02-04T14:05:00Z"
SLOW = ["--latency-ms", "0-2", "--query-base-ms", "6000", "--query-jitter", "0", "--query-ms-per-mib", "2",
        "--start-query-rate", "200", "--get-results-rate", "400", "--require-sigv4"]


def chunk_lease(catalog: Path) -> tuple[str, int | None]:
    """(state, lease_expires_ms) of the backfill's one chunk, read as any other process would."""
    db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=10)
    try:
        rows = db.execute("SELECT state, lease_expires_ms FROM chunk").fetchall()
    finally:
        db.close()
    assert len(rows) == 1, rows
    return rows[0]


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
                                  "--concurrency", "1", "--start-rate", "100", "--poll-rate", "200"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Bounded wait (15 s) for the first run to claim the chunk.
        for _ in range(300):
            state, claimed_until = chunk_lease(catalog)
            if state == "running":
                break
            assert first.poll() is None, first.communicate()
            time.sleep(0.05)
        assert state == "running", state
        # Past the 2 s lease, well before the ~6 s query ends.
        time.sleep(3.0)
        state, renewed_until = chunk_lease(catalog)
        # Fails if the lease was not renewed: it would still end where the claim set it.
        assert state == "running" and renewed_until > claimed_until, (state, claimed_until, renewed_until)
        # A live owner on this host holds the chunk: --no-wait exits 75. Fails (exit 0) if the
        # lease ran out, because this run would then take the chunk over and export it itself.
        second = pulp("run", "--catalog", str(catalog), "--no-wait", env=env, timeout=60)
        assert second.returncode == 75, (second.returncode, second.stderr[-2000:])
        assert "held by other processes" in second.stderr, second.stderr

        stdout, stderr = first.communicate(timeout=60)
        assert first.returncode == 0, stderr[-2000:]
        # Fails if the first run lost its chunk to the second one.
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

"""Several processes on one catalog: claims never collide, SIGKILL never corrupts.

Uses the test-only `catalog-probe` executable (Sources/catalog-probe), which claims and
completes chunks through the Catalog module exactly as `run` will.
"""
import json
import random
import select
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from conftest import bin_dir

BIN = bin_dir()
PROBE = str(BIN / "catalog-probe")
CLI = str(BIN / "pulp-backfill")


def probe(*args, timeout=120):
    return subprocess.run([PROBE, *args], check=True, capture_output=True, text=True, timeout=timeout)


def check_catalog(path: Path):
    """The catalog opens with our binary, passes integrity_check, and every done chunk has
    exactly its rows (and no other chunk has any)."""
    status = subprocess.run([CLI, "status", "--format", "json", "--catalog", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    backfills = json.loads(status.stdout)["backfills"]
    assert len(backfills) == 1
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        done_without_rows = db.execute(
            """SELECT c.id, c.rows, (SELECT count(*) FROM staged_row s WHERE s.chunk_id = c.id)
               FROM chunk c WHERE c.state = 'done'
               AND c.rows <> (SELECT count(*) FROM staged_row s WHERE s.chunk_id = c.id)""").fetchall()
        assert done_without_rows == []
        orphan_rows = db.execute(
            "SELECT count(*) FROM staged_row s JOIN chunk c ON c.id = s.chunk_id WHERE c.state <> 'done'").fetchone()[0]
        assert orphan_rows == 0
        return db.execute("SELECT count(*) FROM chunk WHERE state = 'done'").fetchone()[0]
    finally:
        db.close()


def test_two_processes_never_claim_the_same_chunk(tmp_path):
    catalog = tmp_path / "c.sqlite"
    chunks = 600
    probe("setup", "--catalog", str(catalog), "--chunks", str(chunks))
    workers = [subprocess.Popen([PROBE, "claim", "--catalog", str(catalog), "--owner", f"worker-{i}",
                                 "--batch", "3", "--rows", "4"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for i in range(2)]
    claimed = []
    for worker in workers:
        out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err
        ids = [int(line.split()[1]) for line in out.splitlines() if line.startswith("claimed ")]
        assert out.splitlines()[-1] == f"finished {len(ids)}"
        claimed.append(ids)
    assert set(claimed[0]).isdisjoint(claimed[1])
    assert len(claimed[0]) + len(claimed[1]) == chunks
    assert len(set(claimed[0]) | set(claimed[1])) == chunks
    assert check_catalog(catalog) == chunks
    db = sqlite3.connect(catalog)
    # Each chunk was claimed exactly once (a second claim would have counted a second attempt).
    assert db.execute("SELECT DISTINCT attempts FROM chunk").fetchall() == [(1,)]
    assert db.execute("SELECT count(*) FROM staged_row").fetchone()[0] == 4 * chunks
    db.close()


def read_line(process, deadline):
    """One stdout line, or None at the deadline (never blocks forever)."""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.1)
        if ready:
            return process.stdout.readline()
        if process.poll() is not None:
            return None
    return None


def test_sigkill_during_big_transactions_leaves_a_consistent_catalog(tmp_path):
    catalog = tmp_path / "c.sqlite"
    chunks = 400
    probe("setup", "--catalog", str(catalog), "--chunks", str(chunks))
    rng = random.Random(20260204)
    committed_total = 0
    for round_ in range(6):
        # Short leases: the next round's owner takes over chunks the killed process held.
        process = subprocess.Popen([PROBE, "stage", "--catalog", str(catalog), "--owner", f"killed-{round_}",
                                    "--rows", "3000", "--lease-ms", "300"], stdout=subprocess.PIPE, text=True)
        first = read_line(process, time.monotonic() + 60)
        assert first and first.startswith("committed "), "probe did not commit anything"
        time.sleep(rng.uniform(0.0, 0.4))  # a random moment, most likely inside a 3000-row transaction
        process.send_signal(signal.SIGKILL)
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        committed_total += 1 + sum(1 for line in rest.splitlines() if line.startswith("committed "))
        done = check_catalog(catalog)
        # Every commit the probe reported is durable (done may be higher: a commit can land
        # between the COMMIT and the print).
        assert done >= committed_total
        committed_total = done
        time.sleep(0.35)  # let the dead owner's lease expire
    # A final run finishes everything, including chunks the killed processes held.
    finish = probe("stage", "--catalog", str(catalog), "--owner", "finisher", "--rows", "10", "--lease-ms", "60000", timeout=600)
    assert finish.stdout.splitlines()[-1].startswith("finished ")
    assert check_catalog(catalog) == chunks

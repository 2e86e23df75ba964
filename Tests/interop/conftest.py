import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))


def bin_dir() -> Path:
    env = os.environ.get("PULP_BACKFILL_BIN_DIR")
    if env:
        return Path(env)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return Path(out)


@pytest.fixture(scope="session")
def bins() -> Path:
    d = bin_dir()
    assert (d / "pulp-backfill").exists(), f"build first: no pulp-backfill in {d}"
    return d


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return ROOT / "Tests" / "Fixtures"

"""The access dataset's files stay what the previous release wrote: for the same rows, every
column chunk (its pages, headers and statistics included) is byte-identical, through `convert`
(three codecs, two timestamp units) and through a backfill's hourly files. The golden digests
in Tests/Fixtures/golden/access-column-chunks.json were recorded with the release before
datasets existed; only `created_by` (the version) may differ, and it is not in a column chunk.

Regenerate (only when a change of the files is intended, and say why in the commit):
    PULP_BACKFILL_BIN_DIR=<old bin dir> python Tests/interop/test_access_golden.py > Tests/Fixtures/golden/access-column-chunks.json
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from conftest import bin_dir  # noqa: E402
from servers import InsightsSim  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "Tests/Fixtures/golden/access-column-chunks.json"
FIXTURE = ROOT / "Tests/Fixtures/sample-events.ndjson"
GROUP = "/aws/containerinsights/pulp-prod/application"
CORPUS = ["--seed", "7", "--events-per-hour", "2000", "--burst-every", "48"]
START, END = "2026-02-04T10:00:00Z", "2026-02-04T12:00:00Z"
CONVERSIONS = [(codec, unit) for codec in ("snappy", "zstd", "none") for unit in ("ns", "us")]


def column_chunk_digests(path: Path) -> list[dict]:
    """sha256 of each column chunk's bytes, by row group and column (an independent walk:
    pyarrow's footer gives the offsets, the bytes are read from the file)."""
    meta = pq.ParquetFile(path).metadata
    data = path.read_bytes()
    groups = []
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        columns = {}
        for c in range(rg.num_columns):
            col = rg.column(c)
            start = col.dictionary_page_offset if col.has_dictionary_page else col.data_page_offset
            columns[col.path_in_schema] = hashlib.sha256(data[start:start + col.total_compressed_size]).hexdigest()
        groups.append({"rows": rg.num_rows, "columns": columns})
    return groups


def pulp(*args: str, env: dict | None = None) -> str:
    p = subprocess.run([str(bin_dir() / "pulp-backfill"), *args], capture_output=True, text=True, env=env, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    return p.stdout


def digests(work: Path) -> dict:
    sim = InsightsSim(*CORPUS, "--start", "2026-02-04T00:00:00Z", "--end", "2026-02-05T00:00:00Z",
                      "--latency-ms", "0-2", "--query-base-ms", "40", "--start-query-rate", "200", "--get-results-rate", "400")
    try:
        events = work / "events.ndjson"
        events.write_text(sim.expected(START, END, *CORPUS) + FIXTURE.read_text())
        result = {}
        for codec, unit in CONVERSIONS:
            out = work / f"convert-{codec}-{unit}.parquet"
            pulp("convert", "--input", str(events), "--output", str(out), "--compression", codec, "--timestamp-unit", unit)
            result[f"convert {codec} {unit}"] = column_chunk_digests(out)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=sim.endpoint,
                   AWS_EC2_METADATA_DISABLED="true")
        folder = work / "hours"
        pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", START, "--end-time", END, "--output-path", str(folder),
             "--catalog", str(work / "c.sqlite"), "--start-rate", "100", "--poll-rate", "200", "--layout", "flat", env=env)
        for file in sorted(folder.glob("*.parquet")):
            result[f"backfill {file.name}"] = column_chunk_digests(file)
        return result
    finally:
        sim.stop()


def test_access_column_chunks_equal_the_previous_release(tmp_path):
    golden = json.loads(GOLDEN.read_text())
    now = digests(tmp_path)
    # Fails if a column chunk of the access dataset changed: a reordered or retyped column, a
    # different encoding, dictionary, page cut, statistic or compression of the same rows.
    assert sorted(now) == sorted(golden)
    for name in golden:
        assert now[name] == golden[name], name


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as work:
        print(json.dumps(digests(Path(work)), indent=1, sort_keys=True))

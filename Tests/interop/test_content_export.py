"""`export --content-type python|rpm|maven`, the upstream `export-content-logs`: one file for
the range with the dataset's exact rows and schema, nothing (and exit 0) for a range without
rows; `--content-type` and a different `--dataset` together are a usage error."""
from __future__ import annotations

import pyarrow.parquet as pq
import pytest

import content_rows
from servers import InsightsSim
from test_backfill import FAST, GROUP, env_for, pulp

CONTENT = ["--seed", "11", "--events-per-hour", "300", "--content-per-hour", "600", "--burst-every", "0",
           "--start", "2026-07-20T00:00:00Z", "--end", "2026-07-20T06:00:00Z"]


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CONTENT, *FAST)
    yield s
    s.stop()


@pytest.mark.parametrize("content_type", ["python", "rpm", "maven"])
def test_one_file_with_exactly_the_datasets_rows(sim, tmp_path, content_type):
    dataset = "content-" + content_type
    out = tmp_path / "range.parquet"
    p = pulp("export", "--content-type", content_type, "--cloudwatch-group", GROUP, "--start-time", "2026-07-20T01:10:00Z",
             "--end-time", "2026-07-20T02:40:00Z", "--output-path", str(out), "--start-rate", "100", "--poll-rate", "200",
             env=env_for(sim))
    assert p.returncode == 0, p.stderr[-2000:]
    events = sim.expected("2026-07-20T01:10:00Z", "2026-07-20T02:40:00Z", *CONTENT[:-4]).splitlines()
    expected = content_rows.expected_table(dataset, [line.encode() for line in events])
    assert expected.num_rows > 20  # else the comparison proves little
    # Fails if a row is lost, added, changed, out of (timestamp, @ptr) order, or typed otherwise.
    assert pq.read_schema(out) == content_rows.SCHEMAS[dataset]
    assert pq.read_table(out).equals(expected)


def test_an_empty_range_writes_nothing_and_exits_0(sim, tmp_path):
    out = tmp_path / "empty.parquet"
    # Before the served corpus: no events at all.
    p = pulp("export", "--content-type", "rpm", "--cloudwatch-group", GROUP, "--start-time", "2026-07-19T10:00:00Z",
             "--end-time", "2026-07-19T11:00:00Z", "--output-path", str(out), "--start-rate", "100", "--poll-rate", "200",
             env=env_for(sim))
    assert p.returncode == 0, p.stderr[-2000:]
    assert "nothing written" in p.stdout and not out.exists()


def test_content_type_and_another_dataset_are_a_usage_error(sim, tmp_path):
    p = pulp("export", "--content-type", "rpm", "--dataset", "content-maven", "--cloudwatch-group", GROUP,
             "--start-time", "2026-07-20T01:00:00Z", "--end-time", "2026-07-20T02:00:00Z",
             "--output-path", str(tmp_path / "x.parquet"), env=env_for(sim))
    assert p.returncode == 2 and "disagree" in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not list(tmp_path.iterdir())  # nothing created

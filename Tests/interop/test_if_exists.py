"""`--if-exists skip|overwrite|fail`: before an hour is queried, its file is looked up at every
destination (local stat, S3 one listing per day). Run with a throwaway catalog, like an hourly
job without a volume: present everywhere → found, never queried; present at some → written to
the others only; `overwrite` rewrites all; `fail` stops before any query."""
from __future__ import annotations

import json
import shutil
import subprocess

import pyarrow.parquet as pq
import pytest

from conftest import bin_dir
from servers import InsightsSim, Moto
from test_backfill import CORPUS, FAST, GROUP, SHAPE, catalog_json, env_for, pulp

START, END = "2026-02-04T10:00:00Z", "2026-02-04T13:00:00Z"
NAMES = [f"pulp_access_logs_20260204T{h}0000Z.parquet" for h in (10, 11, 12)]


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    m = Moto(tmp_path_factory.mktemp("moto") / "moto.log")
    m.client("s3").create_bucket(Bucket="pulp-logs")
    yield m
    m.stop()


def starts(sim: InsightsSim) -> int:
    return sum(sim.stats()["requests"].get("StartQuery", {}).values())


def job(sim, moto, out, catalog, *extra) -> subprocess.CompletedProcess:
    """The hourly job's command: flat upstream names, a local folder and a bucket."""
    env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url)
    return pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", START, "--end-time", END, "--layout", "flat",
                "--output-path", str(out), "--output-path", "s3://pulp-logs/data", "--catalog", str(catalog),
                "--start-rate", "100", "--poll-rate", "200", *extra, env=env)


def s3_objects(moto) -> dict[str, bytes]:
    s3 = moto.client("s3")
    listed = s3.list_objects_v2(Bucket="pulp-logs", Prefix="data/").get("Contents", [])
    return {o["Key"][5:]: s3.get_object(Bucket="pulp-logs", Key=o["Key"])["Body"].read() for o in listed}


def mtimes(out) -> dict[str, int]:
    return {f.name: f.stat().st_mtime_ns for f in out.glob("*.parquet")}


def test_skip_overwrite_and_fail_with_throwaway_catalogs(sim, moto, tmp_path):
    out = tmp_path / "out"
    first = job(sim, moto, out, tmp_path / "c1.sqlite")
    assert first.returncode == 0, first.stderr[-2000:]
    assert sorted(s3_objects(moto)) == NAMES and sorted(mtimes(out)) == NAMES
    local_before, s3_before = mtimes(out), s3_objects(moto)

    # Run 2, a new empty catalog: every hour exists everywhere → found, zero StartQuery, nothing written.
    before = starts(sim)
    second = job(sim, moto, out, tmp_path / "c2.sqlite")
    assert second.returncode == 0, second.stderr[-2000:]
    assert starts(sim) == before, "a found hour was queried"
    assert "3 hour(s) found at every destination" in second.stdout, second.stdout
    assert mtimes(out) == local_before and s3_objects(moto) == s3_before
    env = env_for(sim)
    listed = catalog_json(tmp_path / "c2.sqlite", env)
    assert [p["found"] for p in listed] == [True] * 3
    for p, name in zip(listed, NAMES):
        assert p["rows"] == pq.read_metadata(out / name).num_rows > 0
        assert p["min_timestamp"] and p["max_timestamp"] and len(p["uris"]) == 2
    status = json.loads(pulp("status", "--catalog", str(tmp_path / "c2.sqlite"), "--format", "json", env=env).stdout)
    assert status["backfills"][0]["partitions_found"] == 3 and status["backfills"][0]["chunks"]["done"] == 36

    # Run 3: one hour deleted from the bucket → that hour is queried and written to the bucket only.
    moto.client("s3").delete_object(Bucket="pulp-logs", Key="data/" + NAMES[1])
    before = starts(sim)
    third = job(sim, moto, out, tmp_path / "c3.sqlite")
    assert third.returncode == 0, third.stderr[-2000:]
    # The missing hour alone is counted and fetched (its chunks share queries): one query per
    # chunk would be 12, and querying the found hours too would be more.
    assert 0 < starts(sim) - before <= 12, "only the missing hour's 12 chunks are queried"
    assert s3_objects(moto)[NAMES[1]] == (out / NAMES[1]).read_bytes()
    assert mtimes(out) == local_before, "a local file that existed was written again"

    # fail: stops before any query, naming the files that exist.
    before = starts(sim)
    failed = job(sim, moto, out, tmp_path / "c4.sqlite", "--if-exists", "fail")
    assert failed.returncode == 1 and "already exist" in failed.stderr and NAMES[0] in failed.stderr, failed.stderr
    assert starts(sim) == before

    # overwrite: everything queried and written again.
    before = starts(sim)
    rewritten = job(sim, moto, out, tmp_path / "c5.sqlite", "--if-exists", "overwrite")
    assert rewritten.returncode == 0, rewritten.stderr[-2000:]
    # Every hour queried again: fails if an existing hour is left alone. Density counts let the
    # 36 chunks share queries, so what proves it is the rows fetched: each hour's events.
    assert starts(sim) - before >= 3
    status = json.loads(pulp("status", "--catalog", str(tmp_path / "c5.sqlite"), "--format", "json", env=env_for(sim)).stdout)
    assert status["backfills"][0]["density"]["fetched_chunks"] == 36, status["backfills"][0]["density"]
    assert all(mtimes(out)[n] > local_before[n] for n in NAMES)


def test_a_folder_filled_by_the_upstream_exporter_is_found(sim, tmp_path):
    """Files the upstream tool wrote (its flat names, written here by `convert`, as a stand-in)
    count as present: a fresh catalog queries nothing for those hours."""
    out = tmp_path / "upstream"
    out.mkdir()
    for hour, name in zip((10, 11, 12), NAMES):
        src = tmp_path / f"{hour}.ndjson"
        src.write_text(sim.expected(f"2026-02-04T{hour}:00:00Z", f"2026-02-04T{hour + 1}:00:00Z", *SHAPE))
        p = subprocess.run([str(bin_dir() / "pulp-backfill"), "convert", "--input", str(src), "--output", str(out / name)],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    before = starts(sim)
    env = env_for(sim)
    p = pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", START, "--end-time", END, "--layout", "flat",
             "--output-path", str(out), "--catalog", str(tmp_path / "c.sqlite"), env=env)
    assert p.returncode == 0, p.stderr
    assert starts(sim) == before and "3 hour(s) found" in p.stdout
    rows = [part["rows"] for part in catalog_json(tmp_path / "c.sqlite", env)]
    assert rows == [pq.read_metadata(out / n).num_rows for n in NAMES]

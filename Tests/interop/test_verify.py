"""`pulp-backfill verify`: every exported hour at every destination checked against the
catalog — a flipped byte, a truncated file, a deleted S3 object and a file replaced by another
hour's are each reported; `--repair` + `run` fixes them; a clean backfill verifies with exit 0."""
from __future__ import annotations

import pytest

from servers import InsightsSim, Moto
from test_backfill import CORPUS, FAST, GROUP, env_for, expected_table, exported_table, assert_files_by_hour, pulp


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


def test_verify_reports_each_corruption_and_repair_fixes_it(sim, tmp_path):
    moto = Moto(tmp_path / "moto.log")
    try:
        s3 = moto.client("s3")
        s3.create_bucket(Bucket="pulp-logs")
        start, end = "2026-02-04T10:00:00Z", "2026-02-04T14:00:00Z"
        out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
        env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url)
        p = pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end, "--output-path", str(out),
                 "--output-path", "s3://pulp-logs/v1", "--layout", "flat", "--catalog", str(catalog),
                 "--start-rate", "100", "--poll-rate", "200", env=env)
        assert p.returncode == 0, p.stderr
        verify = ["verify", "--catalog", str(catalog)]
        clean = pulp(*verify, env=env)
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "verified: 4 hour(s), 8 file(s), no problems" in clean.stdout
        deep = pulp(*verify, "--deep", env=env)
        assert deep.returncode == 0, deep.stdout + deep.stderr

        name = "pulp_access_logs_20260204T{:02d}0000Z.parquet".format
        # Hour 10: one byte flipped in the middle of the local file (same size: only the hash sees it).
        f10 = out / name(10)
        data = bytearray(f10.read_bytes())
        data[len(data) // 2] ^= 0xFF
        f10.write_bytes(bytes(data))
        # Hour 11: the local file truncated (its footer is gone).
        f11 = out / name(11)
        f11.write_bytes(f11.read_bytes()[: f11.stat().st_size // 2])
        # Hour 12: the S3 object deleted.
        s3.delete_object(Bucket="pulp-logs", Key="v1/" + name(12))
        # Hour 13: the S3 object replaced by hour 10's file (a valid Parquet file of the wrong hour).
        other_hour = s3.get_object(Bucket="pulp-logs", Key="v1/" + name(10))["Body"].read()
        s3.put_object(Bucket="pulp-logs", Key="v1/" + name(13), Body=other_hour)

        bad = pulp(*verify, env=env)
        assert bad.returncode == 1, bad.stdout + bad.stderr
        lines = bad.stdout.splitlines()
        def problems(hour: int, where: str) -> list[str]:
            return [l for l in lines if l.startswith(f"2026-02-04T{hour:02d}:00:00Z") and where in l]
        # Each corruption is named at its hour and place (fails if a check is skipped).
        assert any("sha256" in l for l in problems(10, str(f10))), lines
        assert any("size" in l for l in problems(11, str(f11))) and any("footer" in l for l in problems(11, str(f11))), lines
        assert problems(12, "s3://pulp-logs/v1/") == [f"2026-02-04T12:00:00Z s3://pulp-logs/v1/{name(12)}: missing"], lines
        assert any("timestamps" in l or "rows" in l or "size" in l for l in problems(13, "s3://")), lines
        # Untouched files are not blamed.
        assert not problems(10, "s3://") and not problems(12, str(out)), lines
        assert "problem(s) in 4 of 4 hour(s)" in bad.stderr, bad.stderr

        repaired = pulp(*verify, "--repair", env=env)
        assert repaired.returncode == 1 and "4 hour(s) planned again" in repaired.stderr, repaired.stderr
        run = pulp("run", "--catalog", str(catalog), "--start-rate", "100", "--poll-rate", "200", env=env)
        assert run.returncode == 0, run.stderr
        again = pulp(*verify, "--deep", env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        want = expected_table(sim, start, end, tmp_path)
        assert_files_by_hour(out, want)
        for hour in range(10, 14):
            assert s3.get_object(Bucket="pulp-logs", Key="v1/" + name(hour))["Body"].read() == (out / name(hour)).read_bytes()
    finally:
        moto.stop()


def test_verify_of_an_empty_catalog_and_bad_flags(sim, tmp_path):
    env = env_for(sim)
    plan = pulp("plan", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T10:00:00Z", "--end-time",
                "2026-02-04T10:10:00Z", "--output-path", str(tmp_path / "out"), "--catalog", str(tmp_path / "c.sqlite"), env=env)
    assert plan.returncode == 0, plan.stderr
    p = pulp("verify", "--catalog", str(tmp_path / "c.sqlite"), env=env)
    assert p.returncode == 0 and "verified: 0 hour(s), 0 file(s)" in p.stdout, p.stdout + p.stderr
    p = pulp("verify", "--catalog", str(tmp_path / "c.sqlite"), "--from", "yesterday-ish", env=env)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    p = pulp("verify", "--catalog", str(tmp_path / "missing.sqlite"), env=env)
    assert p.returncode == 1 and not (tmp_path / "missing.sqlite").exists(), p.stderr

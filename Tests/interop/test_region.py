"""One region for every command: `plan` then `backfill` with the same flags and environment
extend ONE backfill, whichever of --aws-region, AWS_REGION, AWS_DEFAULT_REGION, the profile's
region or the default decides it (the region is part of a backfill's identity, so a command
that decided differently would plan a second backfill)."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import bin_dir
from servers import InsightsSim

GROUP = "/aws/containerinsights/pulp-prod/application"
# A small corpus without bursts: the point here is identity, not volume.
CORPUS = ["--seed", "11", "--events-per-hour", "600", "--burst-every", "0",
          "--start", "2026-02-04T10:00:00Z", "--end", "2026-02-04T11:00:00Z"]
FAST = ["--latency-ms", "0-2", "--query-base-ms", "20", "--start-query-rate", "200", "--get-results-rate", "400",
        "--require-sigv4"]
START, END = "2026-02-04T10:00:00Z", "2026-02-04T11:00:00Z"  # one whole hour: 12 five-minute chunks


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


def clean_env(tmp: Path, sim: InsightsSim | None = None, config: str | None = None, **extra: str) -> dict:
    """No AWS_* from the caller and a HOME of our own, so neither the machine's ~/.aws nor
    its AWS_REGION can decide the region; the profile files are the test's temp files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PULP_BACKFILL_CATALOG"}
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    env.update(HOME=str(home), AWS_EC2_METADATA_DISABLED="true",
               AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-credentials-file"))
    if config is not None:
        (tmp / "aws-config").write_text(config)
        env["AWS_CONFIG_FILE"] = str(tmp / "aws-config")
    if sim is not None:
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_ENDPOINT_URL_CLOUDWATCH_LOGS=sim.endpoint)
    env.update(extra)
    return env


def pulp(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "pulp-backfill"), *args], env=env, capture_output=True, text=True, timeout=300)


def plan_flags(tmp: Path, *extra: str) -> list[str]:
    return ["--cloudwatch-group", GROUP, "--start-time", START, "--end-time", END,
            "--output-path", str(tmp / "out"), "--catalog", str(tmp / "c.sqlite"), *extra]


def backfills(tmp: Path, env: dict) -> list[dict]:
    p = pulp("status", "--catalog", str(tmp / "c.sqlite"), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["backfills"]


def plan_then_backfill(tmp: Path, sim: InsightsSim, env: dict, *flags: str) -> tuple[str, str]:
    """`plan` then `backfill` with the same plan flags; returns plan's stdout, backfill's stderr."""
    p = pulp("plan", *plan_flags(tmp, *flags), env=env)
    assert p.returncode == 0, p.stderr
    assert "created backfill 1" in p.stdout, p.stdout
    b = pulp("backfill", *plan_flags(tmp, *flags), "--concurrency", "4", "--start-rate", "100", "--poll-rate", "200", env=env)
    assert b.returncode == 0, b.stderr
    assert "done: 12 chunk(s)" in b.stdout, b.stdout
    return p.stdout, b.stderr


def assert_one_backfill(tmp: Path, env: dict, region: str):
    # Fails if `plan` and `backfill` decided different regions: status would list two
    # backfills (the planned one never run, and the one `backfill` created and ran).
    found = backfills(tmp, env)
    assert [(b["backfill_id"], b["aws_region"]) for b in found] == [(1, region)], found
    assert found[0]["chunks"]["total"] == 12 and found[0]["chunks"]["done"] == 12, found[0]["chunks"]
    assert found[0]["rows"] > 0, found[0]


@pytest.mark.parametrize("profile_flag", [None, "pulp"])
def test_profile_region_gives_one_backfill(sim, tmp_path, profile_flag):
    # The profile is `default` (no flag) or named with --profile, which `plan` accepts too.
    # The other profile's region differs, so picking the wrong profile is visible.
    if profile_flag is None:
        config = "[default]\nregion = eu-west-1\n[profile pulp]\nregion = sa-east-1\n"
    else:
        # A profile named on the command line hides AWS_ACCESS_KEY_ID (as in boto3), so it
        # carries the simulator's keys itself; `plan` reads only its region.
        config = ("[default]\nregion = sa-east-1\n[profile pulp]\nregion = eu-west-1\n"
                  "aws_access_key_id = test\naws_secret_access_key = test\n")
    env = clean_env(tmp_path, sim, config=config)
    flags = ["--profile", profile_flag] if profile_flag else []
    plan_out, backfill_err = plan_then_backfill(tmp_path, sim, env, *flags)
    source = f"profile {profile_flag or 'default'}"
    # Fails if plan ignored the profile (it used to record us-east-1 whatever the profile said).
    assert f"(eu-west-1, from {source})" in plan_out, plan_out
    # Fails if backfill planned anything new: the same backfill, every chunk already planned.
    assert "backfill 1: 0 chunk(s) added, 12 in total, region eu-west-1" in backfill_err, backfill_err
    assert_one_backfill(tmp_path, env, "eu-west-1")
    # doctor (the AWS configuration) names the same region and source.
    d = pulp("doctor", "--cloudwatch-group", GROUP, *flags, env=env)
    assert f"ok   region: eu-west-1 (from {source})" in d.stdout, d.stdout + d.stderr


def test_aws_region_beats_the_profile_and_gives_one_backfill(sim, tmp_path):
    env = clean_env(tmp_path, sim, config="[default]\nregion = eu-west-1\n", AWS_REGION="ap-south-1",
                    AWS_DEFAULT_REGION="ca-central-1")
    plan_out, backfill_err = plan_then_backfill(tmp_path, sim, env)
    # Fails if plan ignored AWS_REGION, or if AWS_DEFAULT_REGION or the profile came first.
    assert "(ap-south-1, from AWS_REGION)" in plan_out, plan_out
    assert "0 chunk(s) added, 12 in total, region ap-south-1" in backfill_err, backfill_err
    assert_one_backfill(tmp_path, env, "ap-south-1")


def test_plan_defaults_and_flag(tmp_path):
    # Nothing at all (no flag, no AWS_* variables, no profile files): us-east-1, as the seed did.
    env = clean_env(tmp_path)
    p = pulp("plan", *plan_flags(tmp_path), env=env)
    assert p.returncode == 0, p.stderr
    assert "(us-east-1, from default)" in p.stdout, p.stdout
    assert [b["aws_region"] for b in backfills(tmp_path, env)] == ["us-east-1"]
    # `plan --aws-region` still works, and beats AWS_REGION: a second, separate backfill.
    env_region = clean_env(tmp_path, AWS_REGION="ap-south-1")
    p = pulp("plan", *plan_flags(tmp_path, "--aws-region", "eu-central-1"), env=env_region)
    assert p.returncode == 0 and "created backfill 2" in p.stdout, p.stdout + p.stderr
    assert [b["aws_region"] for b in backfills(tmp_path, env)] == ["us-east-1", "eu-central-1"]


@pytest.mark.parametrize("command", ["plan", "backfill", "export", "doctor", "upload"])
def test_invalid_region_or_missing_profile_is_a_usage_error(tmp_path, command):
    # Exit 2 with one line, before anything is planned or sent; fails if a bad region were
    # recorded (the catalog would exist) or if the failure were a runtime error (exit 1).
    (tmp_path / "file.parquet").write_bytes(b"PAR1")
    base = {
        "plan": ["plan", *plan_flags(tmp_path)],
        "backfill": ["backfill", *plan_flags(tmp_path)],
        "export": ["export", "--cloudwatch-group", GROUP, "--start-time", START, "--end-time", END,
                   "--output-path", str(tmp_path / "x.parquet")],
        "doctor": ["doctor", "--cloudwatch-group", GROUP],
        "upload": ["upload", "--source", str(tmp_path / "file.parquet"), "--destination", "s3://bucket/key"],
    }[command]
    cases = [
        ([], dict(AWS_REGION="US-EAST-1"), "invalid AWS region 'US-EAST-1' from AWS_REGION"),
        (["--aws-region", "eu west 1"], {}, "invalid AWS region 'eu west 1' from --aws-region"),
        ([], dict(config="[default]\nregion = Europe\n"), "invalid AWS region 'Europe' from profile default"),
        (["--profile", "nope", "--aws-region", "us-east-1"], dict(config="[default]\n"), "AWS profile 'nope' not found"),
    ]
    for extra, settings, message in cases:
        # Keys in the environment, so a missing-credentials error cannot stand in for the
        # configuration error (it exits 1, and would fail the exit-code check anyway).
        p = pulp(*base, *extra, env=clean_env(tmp_path, AWS_ACCESS_KEY_ID="k", AWS_SECRET_ACCESS_KEY="s",
                                              AWS_ENDPOINT_URL="http://127.0.0.1:9", **settings))
        assert p.returncode == 2, (extra, p.returncode, p.stderr)
        assert p.stderr.count("\n") == 1 and message in p.stderr, p.stderr
    assert not (tmp_path / "c.sqlite").exists()

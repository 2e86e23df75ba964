"""`doctor` parses `--output-path` with `plan`'s rules (OutputDestination.parse, the one parser of
every command): a destination `plan` rejects is a usage error for `doctor` too, with the same
message, before any AWS request. `doctor` used to accept some of these (its own S3 URI parser
knew fewer bucket rules) and found out only when a run failed."""
from __future__ import annotations

import os
import subprocess

import pytest

from conftest import bin_dir
from servers import free_port

GROUP = "/aws/containerinsights/pulp-prod/application"


def env_for(tmp_path) -> dict:
    # Every AWS endpoint is a closed port on loopback: a doctor that got past parsing would print
    # failed checks (exit 1), not the usage error (exit 2) asserted below.
    closed = f"http://127.0.0.1:{free_port()}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PULP_BACKFILL_CATALOG"}
    env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1",
               AWS_ENDPOINT_URL=closed, AWS_EC2_METADATA_DISABLED="true", HOME=str(tmp_path))
    return env


def pulp(*args: str, env: dict, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir() / "pulp-backfill"), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("destination", [
    "s3://192.168.0.1/logs",        # formatted as an IP address (doctor's old parser accepted it)
    "s3://xn--pulp-logs/logs",      # reserved prefix (accepted before)
    "s3://pulp-logs--ol-s3/logs",   # reserved suffix (accepted before)
    "s3://pulp-logs/a//b",          # empty prefix segment (accepted before)
    "s3://Pulp_Logs/logs",          # not a bucket name (rejected before, with another message)
    "S3://pulp-logs/logs",          # the scheme in capitals
    "ftp://pulp-logs/logs",         # no such kind of destination
    "a-file",                       # exists and is not a directory (doctor failed its check, exit 1)
])
def test_doctor_rejects_what_plan_rejects_with_the_same_message(tmp_path, destination):
    (tmp_path / "a-file").write_text("not a directory")
    env = env_for(tmp_path)
    plan = pulp("plan", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T00:00:00Z",
                "--end-time", "2026-02-04T01:00:00Z", "--output-path", destination,
                "--catalog", str(tmp_path / "c.sqlite"), env=env, cwd=tmp_path)
    doctor = pulp("doctor", "--cloudwatch-group", GROUP, "--output-path", destination, env=env, cwd=tmp_path)
    # Fails if plan accepted the destination (the case would test nothing) or doctor accepted it,
    # reached the network, or worded the problem differently.
    assert plan.returncode == 2, plan.stdout + plan.stderr
    assert "invalid --output-path" in plan.stderr and plan.stderr.count("\n") == 1, plan.stderr
    assert doctor.returncode == 2, doctor.stdout + doctor.stderr
    assert doctor.stderr == plan.stderr
    assert doctor.stdout == "", doctor.stdout  # no check ran
    assert not (tmp_path / "c.sqlite").exists()


def test_doctor_still_checks_a_destination_plan_accepts(tmp_path):
    # The other side of the rule: a valid bucket name gets past parsing and is checked (here it
    # fails, as every endpoint is closed). Fails if the parser rejected valid names too.
    env = env_for(tmp_path)
    doctor = pulp("doctor", "--cloudwatch-group", GROUP, "--output-path", "s3://pulp-logs.example-1/logs/",
                  "--output-path", "out", env=env, cwd=tmp_path)
    assert doctor.returncode == 1, doctor.stdout + doctor.stderr
    assert "invalid --output-path" not in doctor.stderr
    assert any(line.startswith("ok   region: us-east-1") for line in doctor.stdout.splitlines()), doctor.stdout

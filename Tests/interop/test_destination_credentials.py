"""Each S3 destination with credentials of its own, as production's jobs write one file to two
buckets with two sets of keys: `--destination-env URI=PREFIX` reads PREFIXACCESS_KEY_ID… from
the environment (no secret on the command line), `--destination-profile URI=PROFILE` a profile.
moto checks every signature and each IAM user may write only its own bucket."""
from __future__ import annotations

import json

import pytest

from servers import InsightsSim, Moto
from test_backfill import CORPUS, FAST, GROUP, env_for, pulp

BUCKETS = ("pulp-main", "pulp-backup")


def policy(bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]})


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = Moto(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        root = server.client("s3")
        for bucket in BUCKETS:
            root.create_bucket(Bucket=bucket)
        iam = server.client("iam")
        server.keys = {}
        for bucket in BUCKETS:
            iam.create_user(UserName=bucket)
            iam.put_user_policy(UserName=bucket, PolicyName="own-bucket", PolicyDocument=policy(bucket))
            key = iam.create_access_key(UserName=bucket)["AccessKey"]
            server.keys[bucket] = (key["AccessKeyId"], key["SecretAccessKey"])
        server.enforce_auth()
        yield server
    finally:
        server.stop()


def objects(moto: Moto, bucket: str) -> dict[str, bytes]:
    """The bucket's objects, except those of the profile test (its own prefix: tests run in random
    order on one module-wide moto, so it may have run first)."""
    key, secret = moto.keys[bucket]
    s3 = moto.client("s3", key=key, secret=secret)
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed
            if not o["Key"].startswith(PROFILE_PREFIX)}


PROFILE_PREFIX = "by-profile/"


def args(catalog, *extra) -> list[str]:
    return ["backfill", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T10:00:00Z", "--end-time",
            "2026-02-04T12:00:00Z", "--output-path", "s3://pulp-main/data", "--output-path", "s3://pulp-backup",
            "--layout", "flat", "--catalog", str(catalog), "--start-rate", "100", "--poll-rate", "200", *extra]


def test_each_bucket_is_written_with_its_own_keys_from_the_environment(sim, moto, tmp_path):
    main_key, backup_key = moto.keys["pulp-main"], moto.keys["pulp-backup"]
    env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url, S3_ACCESS_KEY_ID=main_key[0], S3_SECRET_ACCESS_KEY=main_key[1],
                  BACKUP_S3_ACCESS_KEY_ID=backup_key[0], BACKUP_S3_SECRET_ACCESS_KEY=backup_key[1])
    p = pulp(*args(tmp_path / "c.sqlite", "--destination-env", "s3://pulp-main/data=S3_",
                   "--destination-env", "s3://pulp-backup=BACKUP_S3_"), env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    main, backup = objects(moto, "pulp-main"), objects(moto, "pulp-backup")
    names = ["pulp_access_logs_20260204T100000Z.parquet", "pulp_access_logs_20260204T110000Z.parquet"]
    assert sorted(main) == ["data/" + n for n in names] and sorted(backup) == names
    assert all(main["data/" + n] == backup[n] for n in names)
    # No secret on the command line, in the output or in the catalog.
    for secret in (main_key[1], backup_key[1]):
        assert secret not in p.stdout + p.stderr
        assert secret.encode() not in (tmp_path / "c.sqlite").read_bytes()
    # doctor checks each destination with its own credentials.
    d = pulp("doctor", "--cloudwatch-group", GROUP, "--output-path", "s3://pulp-main/data", "--output-path", "s3://pulp-backup",
             "--destination-env", "s3://pulp-main/data=S3_", "--destination-env", "s3://pulp-backup=BACKUP_S3_", env=env)
    lines = [l for l in d.stdout.splitlines() if " destination s3://" in l]
    assert len(lines) == 2 and all(l.startswith("ok") and "own credentials" in l for l in lines), d.stdout + d.stderr


def test_one_set_of_keys_for_both_buckets_is_refused_by_the_other_bucket(sim, moto, tmp_path):
    # Fails if the destination's own credentials were silently used anyway (or not needed).
    main_key = moto.keys["pulp-main"]
    env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                  S3_ACCESS_KEY_ID=main_key[0], S3_SECRET_ACCESS_KEY=main_key[1])
    p = pulp(*args(tmp_path / "c.sqlite", "--destination-env", "s3://pulp-main/data=S3_",
                   "--destination-env", "s3://pulp-backup=S3_"), env=env)
    assert p.returncode == 1 and "s3://pulp-backup" in p.stderr, p.stderr[-2000:]


def test_a_profile_gives_a_destination_its_keys(sim, moto, tmp_path):
    backup_key = moto.keys["pulp-backup"]
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[backup]\naws_access_key_id = {backup_key[0]}\naws_secret_access_key = {backup_key[1]}\n")
    main_key = moto.keys["pulp-main"]
    env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url, AWS_SHARED_CREDENTIALS_FILE=str(credentials),
                  AWS_CONFIG_FILE=str(tmp_path / "none"), S3_ACCESS_KEY_ID=main_key[0], S3_SECRET_ACCESS_KEY=main_key[1])
    main, backup = "s3://pulp-main/" + PROFILE_PREFIX, "s3://pulp-backup/" + PROFILE_PREFIX
    p = pulp("backfill", "--cloudwatch-group", GROUP, "--start-time", "2026-02-04T12:00:00Z", "--end-time",
             "2026-02-04T13:00:00Z", "--output-path", main, "--output-path", backup, "--layout", "flat",
             "--catalog", str(tmp_path / "c.sqlite"), "--start-rate", "100", "--poll-rate", "200",
             "--destination-env", f"{main}=S3_", "--destination-profile", f"{backup}=backup", env=env)
    assert p.returncode == 0, p.stderr[-2000:]
    key, secret = moto.keys["pulp-backup"]
    listed = moto.client("s3", key=key, secret=secret).list_objects_v2(Bucket="pulp-backup", Prefix=PROFILE_PREFIX)
    assert [o["Key"] for o in listed.get("Contents", [])] == [PROFILE_PREFIX + "pulp_access_logs_20260204T120000Z.parquet"]


@pytest.mark.parametrize("flag, value, needle", [
    ("--destination-env", "pulp-backup=BACKUP_S3_", "expected s3://"),
    ("--destination-env", "s3://pulp-backup=", "empty"),
    ("--destination-env", "s3://pulp-backup=NOT_SET_", "NOT_SET_ACCESS_KEY_ID"),
    ("--destination-env", "s3://elsewhere=S3_", "not a destination"),
])
def test_bad_destination_credentials_are_usage_errors(sim, moto, tmp_path, flag, value, needle):
    env = env_for(sim, AWS_ENDPOINT_URL_S3=moto.url, S3_ACCESS_KEY_ID="k", S3_SECRET_ACCESS_KEY="s")
    p = pulp(*args(tmp_path / "c.sqlite", flag, value), env=env)
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert needle in p.stderr and len(p.stderr.strip().splitlines()) <= 2, p.stderr

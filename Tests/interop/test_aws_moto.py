"""The AWS layer against moto with signature checking on.

A moto server is started on a free loopback port, an IAM user with keys, a role, a log group
with events and a bucket are created while moto still accepts anything, then moto is told to
verify every request (`/moto-api/reset-auth` 0, the runtime form of INITIAL_NO_AUTH_ACTION_COUNT).
From then on every Swift request must carry a signature botocore accepts, and IAM policies apply.

A second moto without auth checking serves web identity (moto answers AssumeRoleWithWebIdentity
with HTTP 500 when auth checking is on). Container credentials and IMDSv2 are served by a
loopback HTTP server in this file. Every output of every command is kept and, in the last
test, searched for the secrets involved.
"""
import hashlib
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3
import pytest

from conftest import bin_dir
from servers import Moto, free_port

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
GROUP = "/aws/containerinsights/pulp-prod/application"
BUCKET = "pulp-exports"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/backfill"
WEB_IDENTITY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.web-identity-token-for-tests.c2lnbmF0dXJl"
CONTAINER_TOKEN = "container-authorization-token-for-tests"

# Every stdout/stderr produced by the tool in this module, for the secret scan at the end.
OUTPUTS: list[str] = []
# Every secret that must never appear in those outputs.
SECRETS: set[str] = {WEB_IDENTITY_TOKEN, CONTAINER_TOKEN}


BIN = bin_dir()
TOOL = str(BIN / "pulp-backfill")
PROBE = str(BIN / "aws-probe")


ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})


def populate(moto: Moto) -> dict:
    """Log group with events and a bucket; returns the event timestamps (ms)."""
    logs = moto.client("logs")
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName="pulp-api-0")
    now_ms = int(time.time() * 1000)
    stamps = [now_ms - 600_000 + i * 1000 for i in range(5)]
    logs.put_log_events(logGroupName=GROUP, logStreamName="pulp-api-0", logEvents=[
        {"timestamp": t, "message": f'10.0.0.1 - - "GET /api/pypi/acme/prod/simple/pkg{i}/ HTTP/1.1" 200 12 "-" "pip/24"'}
        for i, t in enumerate(stamps)])
    moto.client("s3").create_bucket(Bucket=BUCKET)
    return {"stamps": stamps}


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    server = Moto(tmp_path_factory.mktemp("moto") / "moto-auth.log")
    try:
        iam = server.client("iam")
        iam.create_user(UserName="pulp")
        iam.put_user_policy(UserName="pulp", PolicyName="admin", PolicyDocument=ADMIN_POLICY)
        key = iam.create_access_key(UserName="pulp")["AccessKey"]
        iam.create_role(RoleName="backfill", AssumeRolePolicyDocument=TRUST_POLICY)
        iam.put_role_policy(RoleName="backfill", PolicyName="admin", PolicyDocument=ADMIN_POLICY)
        data = populate(server)
        server.enforce_auth()
        server.key_id, server.secret = key["AccessKeyId"], key["SecretAccessKey"]
        server.stamps = data["stamps"]
        SECRETS.add(server.secret)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def open_moto(tmp_path_factory):
    """moto without auth checking, for web identity."""
    server = Moto(tmp_path_factory.mktemp("moto") / "moto-open.log")
    try:
        populate(server)
        yield server
    finally:
        server.stop()


def clean_env(tmp_path: Path, **extra) -> dict:
    """An environment with no AWS settings from the machine: fresh HOME, no profile files, no IMDS."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "AWS_CONFIG_FILE": str(tmp_path / "no-config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def key_env(moto: Moto, tmp_path: Path, **extra) -> dict:
    return clean_env(tmp_path, AWS_ACCESS_KEY_ID=moto.key_id, AWS_SECRET_ACCESS_KEY=moto.secret,
                     AWS_ENDPOINT_URL=moto.url, AWS_REGION=REGION, **extra)


@pytest.fixture(autouse=True)
def no_secret_in_this_tests_outputs():
    """After every test: nothing the tool printed during it contains a secret known by then.
    Checked per test (not once at the end), so the check holds whatever order the tests run in
    or when a test runs alone. Fails if any command printed a key, token or secret."""
    first = len(OUTPUTS)
    yield
    for output in OUTPUTS[first:]:
        for secret in SECRETS:
            assert secret not in output, "a secret was printed"


def run(args, env, timeout=120) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout)
    OUTPUTS.append(result.stdout + result.stderr)
    return result


def probe(args, env, expect_ok=True) -> dict:
    result = run([PROBE, *args], env)
    if expect_ok:
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        assert result.returncode == 1, result.stdout + result.stderr
    return json.loads(result.stdout)


def assert_one_line_error(result, code):
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pulp-backfill: error: ")
    assert "Traceback" not in result.stderr and "Fatal error" not in result.stderr
    return lines[0]


# --- CloudWatch Logs ------------------------------------------------------------------------

def test_insights_query_and_describe_with_environment_keys(moto, tmp_path):
    env = key_env(moto, tmp_path)
    who = probe(["whoami"], env)
    assert who["source"] == "env (AWS_ACCESS_KEY_ID)" and who["accessKeyId"] == moto.key_id
    assert probe(["describe", "/aws/containerinsights/"], env)["groups"] == [GROUP]
    start, end = moto.stamps[0] // 1000 - 1, moto.stamps[-1] // 1000 + 1
    answer = probe(["insights", GROUP, str(start), str(end), "fields @timestamp, @message | sort @timestamp asc"], env)
    assert answer["status"] == "Complete"
    rows = [dict(row) for row in answer["rows"]]
    assert len(rows) == 5
    assert [r["@message"].split('"')[1] for r in rows] == [f"GET /api/pypi/acme/prod/simple/pkg{i}/ HTTP/1.1" for i in range(5)]
    assert all("@ptr" in r for r in rows)


def test_insights_on_a_missing_group_is_a_typed_error(moto, tmp_path):
    answer = probe(["insights", "/no/such/group", "0", "10", "fields @message"], key_env(moto, tmp_path), expect_ok=False)
    assert answer["kind"] == "resourceNotFound" and answer["retryable"] is False
    assert "ResourceNotFoundException" in answer["error"]


# --- S3 ----------------------------------------------------------------------------------------

def test_multipart_upload_of_21_mb_round_trips_and_leaves_no_upload_behind(moto, tmp_path):
    size = 21 * 1024 * 1024 + 123
    answer = probe(["s3-roundtrip", BUCKET, "probe/multi part é+~.bin", str(size), "5"], key_env(moto, tmp_path))
    assert answer == {**answer, "size": size, "headSize": size, "matched": True}
    assert answer["eTag"].strip('"').endswith("-5")  # five parts: 4 × 5 MiB + the rest
    s3 = moto.client("s3", moto.key_id, moto.secret)
    assert s3.head_object(Bucket=BUCKET, Key="probe/multi part é+~.bin")["ContentLength"] == size
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_upload_command_single_put_and_multipart(moto, tmp_path):
    env = key_env(moto, tmp_path)
    s3 = moto.client("s3", moto.key_id, moto.secret)
    small = tmp_path / "hour.parquet"
    small.write_bytes(os.urandom(300_000))
    key = "date=2026-02-04/hour=14/pulp access+logs é.parquet"
    result = run([TOOL, "upload", "--source", str(small), "--destination", f"s3://{BUCKET}/{key}"], env)
    assert result.returncode == 0, result.stderr
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == small.read_bytes()

    big = tmp_path / "big.parquet"
    big.write_bytes(os.urandom(12 * 1024 * 1024))
    result = run([TOOL, "upload", "--source", str(big), "--destination", f"s3://{BUCKET}/big.parquet",
                  "--multipart-threshold-mib", "5", "--part-size-mib", "5"], env)
    assert result.returncode == 0, result.stderr
    body = s3.get_object(Bucket=BUCKET, Key="big.parquet")["Body"].read()
    assert hashlib.sha256(body).digest() == hashlib.sha256(big.read_bytes()).digest()


def test_upload_with_separate_s3_credentials_only(moto, tmp_path):
    src = tmp_path / "f.parquet"
    src.write_bytes(b"PAR1" + b"x" * 100)
    env = clean_env(tmp_path)  # no main credentials at all
    result = run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/s3-only.parquet",
                  "--s3-endpoint-url", moto.url, "--s3-access-key-id", moto.key_id,
                  "--s3-secret-access-key", moto.secret, "--s3-region", REGION], env)
    assert result.returncode == 0, result.stderr
    assert moto.client("s3", moto.key_id, moto.secret).get_object(Bucket=BUCKET, Key="s3-only.parquet")["Body"].read() == src.read_bytes()


# --- doctor --------------------------------------------------------------------------------

def test_doctor_passes_with_every_check(moto, tmp_path):
    local = tmp_path / "out" / "nested"
    result = run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--output-path", f"s3://{BUCKET}/exports/",
                  "--output-path", str(local)], key_env(moto, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "ok   credentials: env (AWS_ACCESS_KEY_ID)" in out
    assert f"ok   region: {REGION} (from AWS_REGION)" in out
    assert f"endpoint logs: {moto.url} (from AWS_ENDPOINT_URL)" in out
    assert f"ok   log group: {GROUP} exists" in out
    assert "ok   logs insights: query answered (Complete)" in out
    assert f"ok   destination s3://{BUCKET}/exports/: writable" in out
    assert f"ok   destination {local}: writable" in out
    assert local.is_dir() and list(local.iterdir()) == []
    listed = moto.client("s3", moto.key_id, moto.secret).list_objects_v2(Bucket=BUCKET, Prefix="exports/")
    assert listed.get("KeyCount", 0) == 0  # the probe object was deleted


def test_doctor_reports_each_failure_on_one_line(moto, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run([TOOL, "doctor", "--cloudwatch-group", "/no/such/group", "--output-path", "s3://no-such-bucket/x/",
                  "--output-path", str(blocker / "sub")], key_env(moto, tmp_path))
    assert result.returncode == 1
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(fails) == 3, result.stdout
    assert "log group: /no/such/group not found" in fails[0] and "--aws-region" in fails[0]
    assert "s3://no-such-bucket/x/" in fails[1] and "NoSuchBucket" in fails[1]
    assert "cannot create the directory" in fails[2]


def test_wrong_secret_key_is_refused_with_a_clear_message(moto, tmp_path):
    wrong = "wrongSecretKeyForTests0123456789abcdefXYZ"
    SECRETS.add(wrong)
    env = clean_env(tmp_path, AWS_ACCESS_KEY_ID=moto.key_id, AWS_SECRET_ACCESS_KEY=wrong, AWS_ENDPOINT_URL=moto.url)
    answer = probe(["describe", "/aws"], env, expect_ok=False)
    assert answer["kind"] == "invalidCredentials" and answer["retryable"] is False
    assert ("InvalidSignatureException" in answer["error"] or "SignatureDoesNotMatch" in answer["error"])
    assert "secret key" in answer["error"]
    src = tmp_path / "f.parquet"
    src.write_bytes(b"x")
    line = assert_one_line_error(run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/k"], env), 1)
    assert "SignatureDoesNotMatch" in line and "doctor" in line
    result = run([TOOL, "doctor", "--cloudwatch-group", GROUP], env)
    assert result.returncode == 1 and "FAIL log group / logs insights" in result.stdout


# --- credential sources ----------------------------------------------------------------------

def write_profiles(tmp_path: Path, moto: Moto, extra_config: str = "") -> dict:
    creds = tmp_path / "credentials"
    creds.write_text(f"[pulp]\naws_access_key_id = {moto.key_id}\naws_secret_access_key = {moto.secret}\n")
    config = tmp_path / "config"
    config.write_text(f"[profile pulp]\nregion = eu-west-3\n\n[profile role]\nrole_arn = {ROLE_ARN}\n"
                      f"source_profile = pulp\nregion = {REGION}\n{extra_config}")
    return {"AWS_SHARED_CREDENTIALS_FILE": creds, "AWS_CONFIG_FILE": config}


def test_profile_from_shared_files_with_upload_and_doctor(moto, tmp_path):
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, AWS_PROFILE="pulp", **write_profiles(tmp_path, moto))
    who = probe(["whoami"], env)
    assert who == {**who, "source": "shared-credentials-file (profile pulp)", "region": "eu-west-3", "temporary": False}
    src = tmp_path / "f.parquet"
    src.write_bytes(b"PAR1profile")
    assert run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/profile.parquet"], env).returncode == 0
    # --profile on the command line instead of AWS_PROFILE; the group lives in us-east-1.
    env.pop("AWS_PROFILE")
    result = run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--profile", "pulp", "--aws-region", REGION,
                  "--output-path", f"s3://{BUCKET}/p"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "credentials: shared-credentials-file (profile pulp)" in result.stdout


def test_profile_role_arn_with_source_profile_assumes_the_role(moto, tmp_path):
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, AWS_PROFILE="role", **write_profiles(tmp_path, moto))
    who = probe(["whoami"], env)
    assert who["source"].startswith("assume-role (profile role") and who["temporary"] is True
    assert who["accessKeyId"] != moto.key_id
    assert probe(["describe", "/aws"], env)["groups"] == [GROUP]


def test_credential_process(moto, tmp_path):
    script = tmp_path / "creds.py"
    script.write_text("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': %r, 'SecretAccessKey': %r}))\n"
                      % (moto.key_id, moto.secret))
    extra = f"\n[profile proc]\ncredential_process = {sys.executable} {script}\n"
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, AWS_PROFILE="proc", **write_profiles(tmp_path, moto, extra))
    assert probe(["whoami"], env)["source"] == "custom-process (profile proc)"
    assert probe(["describe", "/aws"], env)["groups"] == [GROUP]


def test_explicit_flags_and_s3_profile(moto, tmp_path):
    env = clean_env(tmp_path, **write_profiles(tmp_path, moto))
    result = run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--endpoint-url", moto.url, "--aws-access-key-id", moto.key_id,
                  "--aws-secret-access-key", moto.secret], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "credentials: explicit (command-line flags), long-term key" in result.stdout
    src = tmp_path / "f.parquet"
    src.write_bytes(b"PAR1s3profile")
    result = run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/s3-profile.parquet",
                  "--s3-profile", "pulp", "--s3-endpoint-url", moto.url], env)
    assert result.returncode == 0, result.stderr


def test_unknown_profile_is_a_usage_error(moto, tmp_path):
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, **write_profiles(tmp_path, moto))
    line = assert_one_line_error(run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--profile", "nope"], env), 2)
    assert "profile 'nope' not found" in line


class MetadataServer:
    """Loopback stand-in for the container credentials endpoint and IMDSv2."""

    def __init__(self, credentials: dict):
        self.credentials = credentials
        self.seen_authorization = []
        self.imds_token = "imds-session-token-for-tests"
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body: bytes):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self):
                if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.reply(200, outer.imds_token.encode())
                self.reply(400, b"")

            def do_GET(self):
                creds = json.dumps(outer.credentials).encode()
                if self.path == "/container/creds":
                    outer.seen_authorization.append(self.headers.get("Authorization"))
                    if self.headers.get("Authorization") != CONTAINER_TOKEN:
                        return self.reply(401, b"")
                    return self.reply(200, creds)
                if self.headers.get("X-aws-ec2-metadata-token") != outer.imds_token:
                    return self.reply(401, b"")
                if self.path == "/latest/meta-data/iam/security-credentials/":
                    return self.reply(200, b"backfill-instance-role")
                if self.path == "/latest/meta-data/iam/security-credentials/backfill-instance-role":
                    return self.reply(200, creds)
                self.reply(404, b"")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def role_credentials(moto):
    """Temporary credentials for the role, issued by moto (so moto accepts them)."""
    sts = moto.client("sts", moto.key_id, moto.secret)
    c = sts.assume_role(RoleArn=ROLE_ARN, RoleSessionName="served")["Credentials"]
    SECRETS.update([c["SecretAccessKey"], c["SessionToken"]])
    return {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"], "Token": c["SessionToken"],
            "Expiration": c["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_container_credentials_with_authorization_token_file(moto, tmp_path, role_credentials):
    server = MetadataServer(role_credentials)
    try:
        token_file = tmp_path / "eks-pod-identity-token"
        token_file.write_text(CONTAINER_TOKEN + "\n")
        env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, AWS_CONTAINER_CREDENTIALS_FULL_URI=server.url + "/container/creds",
                        AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=token_file)
        who = probe(["whoami"], env)
        assert who["source"] == "container-role" and who["accessKeyId"] == role_credentials["AccessKeyId"] and who["temporary"]
        assert probe(["describe", "/aws"], env)["groups"] == [GROUP]
        assert server.seen_authorization and set(server.seen_authorization) == {CONTAINER_TOKEN}
    finally:
        server.stop()


def test_instance_metadata_v2(moto, tmp_path, role_credentials):
    server = MetadataServer(role_credentials)
    try:
        env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, AWS_EC2_METADATA_SERVICE_ENDPOINT=server.url)
        env.pop("AWS_EC2_METADATA_DISABLED")
        who = probe(["whoami"], env)
        assert who["source"] == "iam-role (EC2 instance metadata)" and who["accessKeyId"] == role_credentials["AccessKeyId"]
        assert probe(["describe", "/aws"], env)["groups"] == [GROUP]
    finally:
        server.stop()


def test_web_identity_with_upload_and_doctor(open_moto, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(WEB_IDENTITY_TOKEN)
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=open_moto.url, AWS_ROLE_ARN=ROLE_ARN,
                    AWS_WEB_IDENTITY_TOKEN_FILE=token_file, AWS_REGION=REGION)
    who = probe(["whoami"], env)
    assert who["source"] == "assume-role-with-web-identity" and who["temporary"] is True
    src = tmp_path / "f.parquet"
    src.write_bytes(b"PAR1irsa")
    result = run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/irsa.parquet"], env)
    assert result.returncode == 0, result.stderr
    assert open_moto.client("s3").get_object(Bucket=BUCKET, Key="irsa.parquet")["Body"].read() == b"PAR1irsa"
    result = run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--output-path", f"s3://{BUCKET}"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "credentials: assume-role-with-web-identity, temporary credentials" in result.stdout


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("destination", ["http://bucket/key", "s3://", "s3://bucket-only", "s3://Bad_Bucket/key", "s3://bucket/prefix/"])
def test_malformed_s3_uri_is_a_usage_error(moto, tmp_path, destination):
    src = tmp_path / "f"
    src.write_bytes(b"x")
    line = assert_one_line_error(run([TOOL, "upload", "--source", str(src), "--destination", destination], key_env(moto, tmp_path)), 2)
    assert "s3://bucket/key" in line or "bucket name" in line


def test_unreadable_web_identity_token_file(moto, tmp_path):
    env = clean_env(tmp_path, AWS_ENDPOINT_URL=moto.url, AWS_ROLE_ARN=ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE=tmp_path / "missing")
    result = run([TOOL, "doctor", "--cloudwatch-group", GROUP], env)
    assert result.returncode == 1
    assert "FAIL credentials: AWS credentials: web identity token file" in result.stdout
    src = tmp_path / "f"
    src.write_bytes(b"x")
    line = assert_one_line_error(run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/k"], env), 1)
    assert "AWS_WEB_IDENTITY_TOKEN_FILE" in line


def test_unreachable_endpoint_and_bad_endpoint_url(moto, tmp_path):
    closed = f"http://127.0.0.1:{free_port()}"
    src = tmp_path / "f"
    src.write_bytes(b"x")
    env = key_env(moto, tmp_path)
    line = assert_one_line_error(run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/k",
                                      "--endpoint-url", closed], env), 1)
    assert "connection refused" in line and closed in line
    line = assert_one_line_error(run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--endpoint-url", "not a url"], env), 2)
    assert "not a valid http(s) URL" in line


# --- secrets in error output ---------------------------------------------------------------

def test_no_secret_appears_in_error_output(moto, tmp_path):
    """The outputs most likely to quote a secret — a refused signature, a failed upload, doctor
    with the secret on the command line — name the problem (and the access key id) but never
    the secret or the session token. Fails if any of them prints one; self-contained, so it
    passes alone and in any order."""
    wrong = "anotherWrongSecretForTheScan0123456789ab"
    token = "FQoGZXIvYXdzTokenThatMustNotBePrinted0000"
    SECRETS.update([wrong, token])
    env = clean_env(tmp_path, AWS_ACCESS_KEY_ID=moto.key_id, AWS_SECRET_ACCESS_KEY=wrong,
                    AWS_SESSION_TOKEN=token, AWS_ENDPOINT_URL=moto.url, AWS_REGION=REGION)
    src = tmp_path / "f.parquet"
    src.write_bytes(b"x")
    first = len(OUTPUTS)
    upload = run([TOOL, "upload", "--source", str(src), "--destination", f"s3://{BUCKET}/k"], env)
    doctor = run([TOOL, "doctor", "--cloudwatch-group", GROUP, "--endpoint-url", moto.url,
                  "--aws-access-key-id", moto.key_id, "--aws-secret-access-key", wrong], clean_env(tmp_path))
    refused = run([PROBE, "describe", "/aws"], env)
    # The commands really failed on the credentials (else this proves nothing about error text).
    assert upload.returncode == 1 and refused.returncode == 1 and doctor.returncode == 1
    produced = OUTPUTS[first:]
    assert len(produced) == 3 and all(output.strip() for output in produced)
    for output in produced:
        for secret in (wrong, token, moto.secret):
            assert secret not in output, "a secret was printed"

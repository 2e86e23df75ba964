"""S3 destinations under faults: the tool → fault_proxy.FaultProxy → moto (signatures checked).

The proxy forwards every request unchanged and injects 5xx answers, connection resets, slow
answers and a permanent 403 for one bucket. moto verifies every SigV4 signature, so a request
the proxy altered would be refused and show up as a failed upload. The logs side is
insights-sim, as in test_backfill.py.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import socket
import socketserver
import threading
from datetime import datetime, timedelta
from pathlib import Path

import boto3
import botocore.config
import botocore.exceptions
import pyarrow.parquet as pq
import pytest

from fault_proxy import FaultProxy
from servers import InsightsSim, Moto
from test_backfill import CORPUS, FAST, assert_same_rows, backfill_args, env_for, expected_table, exported_table, pulp

ADMIN_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
BUCKETS = ("pulp-a", "pulp-b")
DEST_A, DEST_B = "s3://pulp-a/data", "s3://pulp-b"


# -- the proxy on its own ---------------------------------------------------------------------

class _Recorder(socketserver.ThreadingTCPServer):
    """An upstream that keeps the raw bytes of each request and answers `200 ok`."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.requests: list[bytes] = []
        super().__init__(("127.0.0.1", 0), _RecorderHandler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def close(self):
        self.shutdown()
        self.server_close()


class _RecorderHandler(socketserver.StreamRequestHandler):
    def handle(self):
        raw = bytearray()
        while (line := self.rfile.readline()) not in (b"\r\n", b""):
            raw += line
        raw += b"\r\n"
        head = raw.decode("latin-1").lower()
        if "transfer-encoding: chunked" in head:
            while True:
                line = self.rfile.readline()
                raw += line
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    while (trailer := self.rfile.readline()) not in (b"\r\n", b""):
                        raw += trailer
                    raw += trailer
                    break
                raw += self.rfile.read(size + 2)
        elif "content-length:" in head:
            length = int(head.split("content-length:")[1].split("\r\n")[0])
            raw += self.rfile.read(length)
        self.server.requests.append(bytes(raw))
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")


def _exchange(url: str, request: bytes) -> bytes:
    port = int(url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
        return answer


def test_proxy_forwards_requests_byte_for_byte():
    # A signed-looking request with an odd target, mixed-case fields, a Host naming the upstream
    # and a chunked body with an extension and a trailer; the upstream must receive exactly the
    # same bytes. Fails if the proxy re-encodes the target, reorders, renames, drops or adds a
    # field, or re-frames the body.
    upstream = _Recorder()
    try:
        with FaultProxy(upstream.url) as proxy:
            chunked = (b"PUT /pulp-a/data/date%3D2026-02-04/a%20b~c.parquet?partNumber=1&uploadId=x%2By HTTP/1.1\r\n"
                       b"Host: 127.0.0.1:9\r\n"
                       b"X-Amz-Date: 20260204T000000Z\r\n"
                       b"x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n"
                       b"Content-Encoding: aws-chunked\r\n"
                       b"x-amz-decoded-content-length: 11\r\n"
                       b"Authorization: AWS4-HMAC-SHA256 Credential=k/20260204/us-east-1/s3/aws4_request, "
                       b"SignedHeaders=host;x-amz-date, Signature=00ff\r\n"
                       b"Transfer-Encoding: chunked\r\n"
                       b"Connection: close\r\n\r\n"
                       b"5;chunk-signature=aa\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-trailer-x: 1\r\n\r\n")
            answer = _exchange(proxy.url, chunked)
            assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"ok"), answer
            sized = (b"POST /pulp-b/k?uploads HTTP/1.1\r\nHost: example\r\nContent-Length: 7\r\n"
                     b"Content-MD5: abc==\r\nConnection: close\r\n\r\n\x00\x01\r\n\xff\xfe\n")
            answer = _exchange(proxy.url, sized)
            assert answer.startswith(b"HTTP/1.1 200"), answer
            assert upstream.requests == [chunked, sized]
            assert proxy.forwarded == 2 and proxy.injected == {"5xx": 0, "reset": 0, "slow": 0, "denied": 0}
    finally:
        upstream.close()


def test_proxy_injects_each_kind_it_is_told_to():
    # p = 1 for one kind at a time: each must produce its fault and count it, and nothing may
    # reach the upstream. Fails if a kind is not injected, is miscounted, or leaks through.
    upstream = _Recorder()
    try:
        request = b"PUT /pulp-a/k HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
        with FaultProxy(upstream.url, seed=1, p_5xx=1.0) as proxy:
            answers = [_exchange(proxy.url, request) for _ in range(8)]
            assert all(a.split(b" ")[1] in (b"500", b"503") for a in answers), answers
            assert {a.split(b" ")[1] for a in answers} == {b"500", b"503"}
            assert all(b"<Code>InternalError</Code>" in a or b"<Code>SlowDown</Code>" in a for a in answers)
            assert proxy.injected["5xx"] == 8 and proxy.forwarded == 0
        with FaultProxy(upstream.url, seed=1, p_reset=1.0) as proxy:
            for _ in range(4):
                try:
                    assert _exchange(proxy.url, request) == b""  # closed without an answer
                except OSError:
                    pass  # or reset outright (ECONNRESET, EPIPE)
            assert proxy.injected["reset"] == 4 and proxy.forwarded == 0
            assert proxy.errors == []  # the resets were the proxy's doing, not a crash
        with FaultProxy(upstream.url, seed=1, p_slow=1.0, slow_seconds=(0.05, 0.1)) as proxy:
            assert _exchange(proxy.url, request).startswith(b"HTTP/1.1 200")
            assert proxy.injected["slow"] == 1 and proxy.forwarded == 1
        with FaultProxy(upstream.url, deny_buckets={"pulp-b"}) as proxy:
            denied = _exchange(proxy.url, request.replace(b"/pulp-a/", b"/pulp-b/"))
            assert denied.startswith(b"HTTP/1.1 403") and b"<Code>AccessDenied</Code>" in denied, denied
            assert _exchange(proxy.url, request).startswith(b"HTTP/1.1 200")  # another bucket passes
            proxy.heal()
            assert _exchange(proxy.url, request.replace(b"/pulp-a/", b"/pulp-b/")).startswith(b"HTTP/1.1 200")
            assert proxy.injected["denied"] == 1 and proxy.forwarded == 2
        assert len(upstream.requests) == 3
        # The cap on failures in a row: with p_5xx = 1 and a cap of 2, every third try passes.
        with FaultProxy(upstream.url, p_5xx=1.0, max_failures_in_a_row=2) as proxy:
            codes = [_exchange(proxy.url, request).split(b" ")[1] for _ in range(6)]
            assert [c == b"200" for c in codes] == [False, False, True, False, False, True], codes
    finally:
        upstream.close()


# -- the tool through the proxy ---------------------------------------------------------------

@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*CORPUS, *FAST)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    """moto checking every signature, with an IAM user whose keys the tool uses for S3."""
    server = Moto(tmp_path_factory.mktemp("moto") / "moto.log")
    try:
        iam = server.client("iam")
        iam.create_user(UserName="pulp")
        iam.put_user_policy(UserName="pulp", PolicyName="admin", PolicyDocument=ADMIN_POLICY)
        key = iam.create_access_key(UserName="pulp")["AccessKey"]
        server.key_id, server.secret = key["AccessKeyId"], key["SecretAccessKey"]
        server.enforce_auth()
        # Enforcement is on: a wrong secret is refused. Without this, the proxy could alter a
        # signed part unnoticed.
        with pytest.raises(botocore.exceptions.ClientError) as refused:
            s3_client(server, secret="wrong").list_buckets()
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        yield server
    finally:
        server.stop()


def s3_client(moto: Moto, secret: str | None = None):
    """boto3 straight to moto (not through the proxy), signed by the IAM user."""
    return boto3.client("s3", region_name="us-east-1", endpoint_url=moto.url, aws_access_key_id=moto.key_id,
                        aws_secret_access_key=secret or moto.secret,
                        config=botocore.config.Config(retries={"total_max_attempts": 1}))


def empty_buckets(moto: Moto):
    s3 = s3_client(moto)
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket in BUCKETS:
        if bucket in existing:
            for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
                s3.delete_object(Bucket=bucket, Key=obj["Key"])
        else:
            s3.create_bucket(Bucket=bucket)


def s3_args(moto: Moto) -> list[str]:
    # The logs side signs with the simulator's test keys (env_for); S3 with moto's IAM user.
    return ["--s3-access-key-id", moto.key_id, "--s3-secret-access-key", moto.secret]


def local_files(out: Path) -> dict[str, bytes]:
    """Hourly files under the local folder, by their key relative to it."""
    return {str(f.relative_to(out)): f.read_bytes() for f in sorted(out.rglob("*.parquet"))}


def bucket_objects(moto: Moto, bucket: str, prefix: str = "") -> dict[str, bytes]:
    s3 = s3_client(moto)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert all(k.startswith(prefix) for k in keys), keys
    return {k[len(prefix):]: s3.get_object(Bucket=bucket, Key=k)["Body"].read() for k in keys}


def assert_destination_matches_local(moto: Moto, bucket: str, prefix: str, files: dict[str, bytes]):
    # Same keys, same bytes: fails on a missing, extra, truncated or altered object.
    objects = bucket_objects(moto, bucket, prefix)
    assert sorted(objects) == sorted(files), (bucket, sorted(objects), sorted(files))
    for key, data in files.items():
        assert objects[key] == data, f"s3://{bucket}/{prefix}{key} differs from the local file"


def assert_each_file_holds_its_hour(files: dict[str, bytes]):
    # Each hourly file holds only rows of the hour in its name, in timestamp order; fails on a
    # row in the wrong hour's file or a file out of order (a bag-of-rows comparison misses both).
    for key, data in files.items():
        stamp = re.search(r"_(\d{8}T\d{2})0000Z\.parquet$", key).group(1)
        hour = datetime.strptime(stamp, "%Y%m%dT%H")
        ts = pq.read_table(io.BytesIO(data), columns=["timestamp"]).column("timestamp").to_pylist()
        assert ts, key
        assert ts == sorted(ts), f"{key} is not in timestamp order"
        assert hour <= ts[0] and ts[-1] < hour + timedelta(hours=1), (key, ts[0], ts[-1])


def status_json(catalog: Path, env: dict) -> list[dict]:
    p = pulp("status", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["backfills"]


def test_two_s3_destinations_survive_a_fault_mix(sim, moto, tmp_path):
    empty_buckets(moto)
    start, end = "2026-02-04T20:00:00Z", "2026-02-04T23:00:00Z"
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    # Seed 4's first six outcomes are slow, 5xx, forward, reset, forward, forward: the run makes
    # at least six requests (3 hours × 2 buckets), so every kind is injected whatever order the
    # requests come in (the outcome sequence depends only on the seed). At most 2 failures in a
    # row for one request: the tool's default 3 tries per S3 call always get through.
    with FaultProxy(moto.url, seed=4, p_5xx=0.15, p_reset=0.05, p_slow=0.10, slow_seconds=(0.2, 1.0),
                    max_failures_in_a_row=2) as proxy:
        env = env_for(sim, AWS_ENDPOINT_URL_S3=proxy.url)
        p = pulp(*backfill_args(start, end, out, catalog, "--output-path", DEST_A, "--output-path", DEST_B,
                                *s3_args(moto)), env=env)
        assert p.returncode == 0, (p.stderr[-3000:], proxy.log)
        # Every kind fired and was survived; fails if the mix injected nothing of a kind.
        assert proxy.injected["5xx"] >= 1 and proxy.injected["reset"] >= 1 and proxy.injected["slow"] >= 1, proxy.injected
        assert proxy.injected["denied"] == 0
        assert proxy.forwarded >= 6, proxy.forwarded  # 3 hours × 2 buckets reached moto
        # A crashing handler would look like one more reset, one nobody injected.
        assert proxy.errors == [], proxy.errors
    files = local_files(out)
    assert len(files) == 3, sorted(files)
    assert_destination_matches_local(moto, "pulp-a", "data/", files)
    assert_destination_matches_local(moto, "pulp-b", "", files)
    assert_same_rows(exported_table(out), expected_table(sim, start, end, tmp_path))
    assert_each_file_holds_its_hour(files)
    # The catalog names the three copies of each hour, and its checksum is the files'.
    p = pulp("catalog", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    parts = json.loads(p.stdout)
    assert len(parts) == 3
    for part in parts:
        local = [u for u in part["uris"] if not u.startswith("s3://")]
        assert len(part["uris"]) == 3 and len(local) == 1, part["uris"]
        key = str(Path(local[0]).relative_to(out))
        assert sorted(u for u in part["uris"] if u.startswith("s3://")) == [f"{DEST_A}/{key}", f"{DEST_B}/{key}"]
        assert hashlib.sha256(files[key]).hexdigest() == part["sha256"]


def test_a_refusing_destination_fails_its_hours_alone_and_the_next_run_heals(sim, moto, tmp_path):
    empty_buckets(moto)
    start, end = "2026-02-04T20:00:00Z", "2026-02-04T22:00:00Z"
    hours = ["2026-02-04T20:00:00Z", "2026-02-04T21:00:00Z"]
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    with FaultProxy(moto.url, deny_buckets={"pulp-b"}) as proxy:
        env = env_for(sim, AWS_ENDPOINT_URL_S3=proxy.url)
        # `overwrite`: nothing is listed first (with `skip`, an unlistable destination stops the
        # run before any query: see the next test), so the uploads meet the refusal.
        p = pulp(*backfill_args(start, end, out, catalog, "--output-path", DEST_A, "--output-path", DEST_B,
                                "--if-exists", "overwrite", *s3_args(moto)), env=env)
        # The refused destination fails its hours, the run goes on and exits 1 naming it.
        assert p.returncode == 1, (p.returncode, p.stderr[-3000:])
        assert DEST_B in p.stderr, p.stderr[-3000:]
        # …and only it: fails if the healthy destination is blamed too.
        errors = [line for line in p.stderr.splitlines() if "error" in line.lower()]
        assert errors and not any("s3://pulp-a" in line for line in errors), errors
        assert proxy.injected["denied"] >= 2, proxy.injected  # both hours tried pulp-b
        files = local_files(out)
        assert len(files) == 2, sorted(files)
        assert_destination_matches_local(moto, "pulp-a", "data/", files)
        assert bucket_objects(moto, "pulp-b") == {}
        assert_same_rows(exported_table(out), expected_table(sim, start, end, tmp_path))
        # status names each failed hour with its error.
        [backfill] = status_json(catalog, env)
        failed = backfill["failed_hours"]
        assert sorted(f["hour"] for f in failed) == hours, failed
        for f in failed:
            assert f["attempts"] >= 1 and ("AccessDenied" in f["last_error"] or "403" in f["last_error"]), f
        table = pulp("status", "--catalog", str(catalog), env=env)
        assert "failed hours:" in table.stdout, table.stdout

        # Healed, the next run exports the failed hours to pulp-b.
        proxy.heal()
        denied_before = proxy.injected["denied"]
        p = pulp("run", "--catalog", str(catalog), *s3_args(moto), env=env)
        assert p.returncode == 0, p.stderr[-3000:]
        assert proxy.injected["denied"] == denied_before
    files = local_files(out)
    assert len(files) == 2
    assert_destination_matches_local(moto, "pulp-a", "data/", files)
    assert_destination_matches_local(moto, "pulp-b", "", files)
    assert_same_rows(exported_table(out), expected_table(sim, start, end, tmp_path))
    assert_each_file_holds_its_hour(files)
    [backfill] = status_json(catalog, env)
    assert backfill["failed_hours"] == []


def test_skip_stops_before_any_query_when_a_destination_cannot_be_listed(sim, moto, tmp_path):
    """With `--if-exists skip` (the default) the hours that exist must be known: a destination
    that refuses its listing would otherwise be written every hour it already holds (and a
    warehouse loading it would load them twice). Fails if the run queries, writes anything, or
    exits 0."""
    empty_buckets(moto)
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    before = sum(sim.stats()["requests"].get("StartQuery", {}).values())
    with FaultProxy(moto.url, deny_buckets={"pulp-b"}) as proxy:
        env = env_for(sim, AWS_ENDPOINT_URL_S3=proxy.url)
        p = pulp(*backfill_args("2026-02-04T20:00:00Z", "2026-02-04T22:00:00Z", out, catalog, "--output-path", DEST_A,
                                "--output-path", DEST_B, *s3_args(moto)), env=env)
        assert proxy.injected["denied"] >= 1, proxy.injected
    assert p.returncode == 1, (p.returncode, p.stderr[-3000:])
    assert "cannot list the files that exist" in p.stderr and DEST_B in p.stderr, p.stderr[-3000:]
    assert sum(sim.stats()["requests"].get("StartQuery", {}).values()) == before
    assert local_files(out) == {} and bucket_objects(moto, "pulp-a") == {} and bucket_objects(moto, "pulp-b") == {}

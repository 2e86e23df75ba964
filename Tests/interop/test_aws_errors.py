"""Error classification and failure handling of the AWS layer, against loopback fakes.

moto cannot throttle, fail with 5xx, drop connections or fail half-way through a multipart
upload, so a small fake server plays CloudWatch Logs and S3 here. `aws-probe` (the test-only
driver of the AWS module) reports each error's kind, retryability and message as JSON.
"""
import http.server
import json
import os
import socket
import subprocess
import threading
import time

import pytest

from conftest import bin_dir

SECRET = "fakeSecretKeyThatMustNeverBePrinted0123"
TOKEN = "fakeSessionTokenThatMustNeverBePrinted"


PROBE = str(bin_dir() / "aws-probe")

# logGroupNamePrefix → (HTTP status, body) the fake Logs answers DescribeLogGroups with.
LOGS_ERRORS = {
    "throttle": (400, {"__type": "com.amazonaws.logs#ThrottlingException", "message": "Rate exceeded"}),
    "limit": (400, {"__type": "LimitExceededException", "message": "Too many concurrent queries"}),
    "notfound": (400, {"__type": "ResourceNotFoundException", "message": "The specified log group does not exist."}),
    "param": (400, {"__type": "InvalidParameterException", "message": "bad limit"}),
    "malformed": (400, {"__type": "MalformedQueryException", "message": "unexpected symbol"}),
    "denied": (400, {"__type": "AccessDeniedException", "message": "not authorized to perform logs:DescribeLogGroups"}),
    "unrecognized": (400, {"__type": "UnrecognizedClientException", "message": "The security token included in the request is invalid."}),
    "badsig": (400, {"__type": "InvalidSignatureException", "message": f"signature mismatch for secret {SECRET} token {TOKEN}"}),
    "unavailable": (503, {"__type": "ServiceUnavailableException", "message": "try again"}),
    "internal": (500, None),
}
EXPECTED = {
    "throttle": ("throttling", True, True), "limit": ("limitExceeded", True, True),
    "notfound": ("resourceNotFound", False, False), "param": ("invalidParameter", False, False),
    "malformed": ("malformedQuery", False, False), "denied": ("accessDenied", False, False),
    "unrecognized": ("invalidCredentials", False, False), "badsig": ("invalidCredentials", False, False),
    "unavailable": ("serviceUnavailable", True, False), "internal": ("serverError", True, False),
}


class FakeAWS:
    """Fake CloudWatch Logs (JSON 1.1) and S3 (path-style) on one loopback port."""

    def __init__(self):
        self.requests = []
        self.fail_part = 2
        self.calls_by_prefix = {}
        self.start_queries = []
        self.polls = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def body(self):
                return self.rfile.read(int(self.headers.get("Content-Length", 0)))

            def do_POST(self):
                data = self.body()
                outer.requests.append((self.command, self.path, dict(self.headers)))
                target = self.headers.get("X-Amz-Target", "")
                if target.startswith("Logs_20140328."):
                    assert self.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDFAKE/")
                    action = target.split(".", 1)[1]
                    request = json.loads(data or b"{}")
                    if action == "StartQuery":
                        outer.start_queries.append(request)
                        return self.reply(200, json.dumps({"queryId": "q-7"}).encode())
                    if action == "GetQueryResults":
                        outer.polls += 1
                        if outer.polls < 3:
                            return self.reply(200, json.dumps({"status": "Running", "results": []}).encode())
                        return self.reply(200, json.dumps({
                            "status": "Complete",
                            "results": [[{"field": "@timestamp", "value": "2026-02-04 14:00:00.000"},
                                         {"field": "@message", "value": "m\u00e9 \"q\""}, {"field": "@ptr", "value": "p1"}]],
                            "statistics": {"recordsMatched": 1.0, "recordsScanned": 10.0, "bytesScanned": 999.0}}).encode())
                    if action == "StopQuery":
                        return self.reply(200, json.dumps({"success": request["queryId"] == "q-1"}).encode())
                    prefix = request.get("logGroupNamePrefix", "")
                    outer.calls_by_prefix[prefix] = outer.calls_by_prefix.get(prefix, 0) + 1
                    if prefix.startswith("flaky"):
                        # Throttled twice, then fine.
                        if outer.calls_by_prefix[prefix] <= 2:
                            return self.reply(400, json.dumps(LOGS_ERRORS["throttle"][1]).encode())
                        return self.reply(200, json.dumps({"logGroups": [{"logGroupName": prefix}]}).encode())
                    if prefix == "reset":
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if prefix == "slow":
                        time.sleep(4)
                        return
                    status, body = LOGS_ERRORS[prefix]
                    return self.reply(status, json.dumps(body).encode() if body else b"")
                if self.path.endswith("?uploads"):
                    return self.reply(200, b"<InitiateMultipartUploadResult><UploadId>up-1</UploadId></InitiateMultipartUploadResult>")
                self.reply(400)

            def do_PUT(self):
                data = self.body()
                outer.requests.append((self.command, self.path, dict(self.headers)))
                if f"partNumber={outer.fail_part}&" in self.path:
                    return self.reply(500, b"<Error><Code>InternalError</Code><Message>disk on fire</Message></Error>")
                self.reply(200, headers=[("ETag", f'"etag-{len(data)}"')])

            def do_DELETE(self):
                outer.requests.append((self.command, self.path, dict(self.headers)))
                self.reply(204)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def fake():
    """A fresh fake per test: its counters (polls, calls per prefix, requests) start at zero, so
    every test passes alone and in any order."""
    server = FakeAWS()
    yield server
    server.stop()


def env_for(url, tmp_path, **extra):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_ACCESS_KEY_ID": "AKIDFAKE", "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": TOKEN,
           "AWS_ENDPOINT_URL": url, "AWS_MAX_ATTEMPTS": "1"}
    env.update(extra)
    return env


def probe(args, env):
    result = subprocess.run([PROBE, *args], env=env, capture_output=True, text=True, timeout=60)
    assert SECRET not in result.stdout + result.stderr and TOKEN not in result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.parametrize("case", sorted(LOGS_ERRORS))
def test_service_errors_are_typed(fake, tmp_path, case):
    code, answer = probe(["describe", case], env_for(fake.url, tmp_path))
    assert code == 1
    kind, retryable, throttling = EXPECTED[case]
    assert (answer["kind"], answer["retryable"], answer["throttling"]) == (kind, retryable, throttling)
    assert answer["error"].startswith("CloudWatch Logs DescribeLogGroups failed (HTTP ")
    assert "\n" not in answer["error"]
    if case == "throttle":
        assert "ThrottlingException: Rate exceeded" in answer["error"] and "com.amazonaws" not in answer["error"]
    if case == "badsig":
        assert "<redacted>" in answer["error"]


def test_connection_reset_and_refused_and_timeout_are_retryable_transport_errors(fake, tmp_path):
    code, answer = probe(["describe", "reset"], env_for(fake.url, tmp_path))
    assert code == 1 and answer["kind"] == "transport" and answer["retryable"] is True
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    code, answer = probe(["describe", "x"], env_for(closed, tmp_path))
    assert code == 1 and answer["kind"] == "transport" and "connection refused" in answer["error"]
    code, answer = probe(["describe", "slow"], env_for(fake.url, tmp_path, AWS_PROBE_READ_TIMEOUT_SECONDS="1"))
    assert code == 1 and answer["kind"] == "transport" and "timed out" in answer["error"]


def test_stop_query(fake, tmp_path):
    assert probe(["stop", "q-1"], env_for(fake.url, tmp_path)) == (0, {"stopped": True})
    assert probe(["stop", "q-other"], env_for(fake.url, tmp_path)) == (0, {"stopped": False})


def test_failed_part_aborts_the_multipart_upload(fake, tmp_path):
    fake.requests.clear()
    code, answer = probe(["s3-roundtrip", "bucket", "dir/obj.bin", str(12 * 1024 * 1024), "5"], env_for(fake.url, tmp_path))
    assert code == 1 and "InternalError: disk on fire" in answer["error"] and answer["retryable"] is True
    calls = [(method, path.split("?")[0], path.split("?")[1] if "?" in path else "") for method, path, _ in fake.requests]
    assert calls[0] == ("POST", "/bucket/dir/obj.bin", "uploads")
    assert calls[-1] == ("DELETE", "/bucket/dir/obj.bin", "uploadId=up-1")
    assert not any("CompleteMultipartUpload" in q or (m == "POST" and "uploadId" in q) for m, _, q in calls)
    # Every part carried an MD5 and the session token; S3 requests always state their payload hash.
    parts = [h for m, p, h in fake.requests if m == "PUT"]
    assert parts and all("Content-MD5" in h and h.get("X-Amz-Security-Token") == TOKEN for h in parts)
    assert all(len(h["X-Amz-Content-SHA256"]) == 64 for h in parts)


def test_retryable_errors_are_retried_up_to_max_attempts(fake, tmp_path):
    assert probe(["describe", "flaky-a"], env_for(fake.url, tmp_path, AWS_MAX_ATTEMPTS="3")) == (0, {"groups": ["flaky-a"]})
    assert fake.calls_by_prefix["flaky-a"] == 3
    code, answer = probe(["describe", "flaky-b"], env_for(fake.url, tmp_path, AWS_MAX_ATTEMPTS="2"))
    assert code == 1 and answer["kind"] == "throttling" and fake.calls_by_prefix["flaky-b"] == 2
    fake.calls_by_prefix.pop("param", None)
    code, answer = probe(["describe", "param"], env_for(fake.url, tmp_path, AWS_MAX_ATTEMPTS="5"))
    assert code == 1 and fake.calls_by_prefix["param"] == 1  # not retryable: asked once


def test_start_query_parameters_and_polling_until_complete(fake, tmp_path):
    code, answer = probe(["insights", "/aws/group", "1770213600", "1770213899", "fields @timestamp, @message"],
                         env_for(fake.url, tmp_path))
    assert code == 0
    assert fake.start_queries == [{"logGroupName": "/aws/group", "startTime": 1770213600, "endTime": 1770213899,
                                   "queryString": "fields @timestamp, @message", "limit": 10000}]
    assert fake.polls == 3  # Running, Running, Complete
    assert answer["status"] == "Complete" and answer["recordsMatched"] == 1.0
    assert answer["rows"] == [[["@timestamp", "2026-02-04 14:00:00.000"], ["@message", 'mé "q"'], ["@ptr", "p1"]]]

"""A loopback HTTP proxy of the tests' own, between the tool and an S3 stand-in (moto), that
forwards every request unchanged and injects faults by a seeded RNG.

Forwarding is byte-faithful where a signature could notice: method, path and query as sent
(the raw request target), every header field in order with its original spelling (Host and
the SigV4 Authorization included), and the body exactly as framed by the client: a
`Content-Length` body as is, a `Transfer-Encoding: chunked` body with its chunk framing (an
`aws-chunked` body, whose signed chunks travel inside either framing, therefore also
unchanged). With moto checking signatures, any change to a signed part is a 403.

Faults, decided per request by one `random.Random(seed)` in arrival order:
  * `5xx`    an S3 XML error answer, 500 InternalError or 503 SlowDown (the request is read,
             never forwarded);
  * `reset`  the connection is closed with a TCP RST and no answer, either as soon as the
             request head is read or after the whole request was read;
  * `slow`   a sleep of `slow_seconds` (uniform) before the request is forwarded;
  * `denied` every request whose bucket (the first path segment: custom endpoints use
             path-style addressing) is in `deny_buckets` gets a 403 AccessDenied; no RNG draw.
`injected` counts each kind, `forwarded` the requests that reached the upstream.
"""
from __future__ import annotations

import http.client
import io
import random
import socket
import struct
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KINDS = ("5xx", "reset", "slow", "denied")

_ERRORS = {
    500: ("InternalError", "We encountered an internal error. Please try again."),
    503: ("SlowDown", "Please reduce your request rate."),
    403: ("AccessDenied", "Access Denied"),
}


def s3_error_body(status: int, path: str) -> bytes:
    code, message = _ERRORS[status]
    resource = urllib.parse.urlsplit(path).path
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            f"<Resource>{resource}</Resource><RequestId>faultproxy</RequestId></Error>").encode()


class FaultProxy:
    """`FaultProxy(upstream_url, seed=…, p_5xx=…, p_reset=…, p_slow=…)`; `start()` binds
    127.0.0.1 on a free port (`url`), `stop()` closes it. Also a context manager."""

    def __init__(self, upstream: str, *, seed: int = 0, p_5xx: float = 0.0, p_reset: float = 0.0,
                 p_slow: float = 0.0, slow_seconds: tuple[float, float] = (0.2, 1.0),
                 deny_buckets: set[str] | tuple[str, ...] = (), max_failures_in_a_row: int | None = None):
        assert p_5xx + p_reset + p_slow <= 1.0
        parts = urllib.parse.urlsplit(upstream)
        assert parts.scheme == "http" and parts.hostname, upstream
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.p_5xx, self.p_reset, self.p_slow = p_5xx, p_reset, p_slow
        self.slow_seconds = slow_seconds
        self.deny_buckets = set(deny_buckets)
        # At most this many failing faults (5xx, reset) in a row for one method + target, so a
        # client that tries max_failures_in_a_row + 1 times always gets through; None: no cap.
        self.max_failures_in_a_row = max_failures_in_a_row
        self.injected = dict.fromkeys(KINDS, 0)
        self.forwarded = 0
        # (method, target, outcome) of every request, for assertions and failure messages.
        self.log: list[tuple[str, str, str]] = []
        # Exceptions raised while handling a request (a crash looks like a reset to the client,
        # one nobody counted): a test asserts this stays empty.
        self.errors: list[str] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._failures_in_a_row: dict[tuple[str, str], int] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> "FaultProxy":
        proxy = self

        class Handler(_ForwardingHandler):
            pass
        Handler.proxy = proxy

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                with proxy._lock:
                    proxy.errors.append(traceback.format_exc(limit=4))
        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- configuration while running ---------------------------------------------------------

    def heal(self):
        """No more faults of any kind: every request is forwarded from now on."""
        with self._lock:
            self.deny_buckets = set()
            self.p_5xx = self.p_reset = self.p_slow = 0.0

    def outcomes(self, kind: str) -> list[tuple[str, str]]:
        with self._lock:
            return [(m, t) for m, t, o in self.log if o == kind]

    # -- the decision, one per request -------------------------------------------------------

    def _decide(self, method: str, target: str) -> tuple[str, float, bool, int]:
        """(outcome, slow delay, reset before reading the body, 5xx status) for one request."""
        bucket = urllib.parse.unquote(urllib.parse.urlsplit(target).path.lstrip("/").split("/", 1)[0])
        with self._lock:
            if bucket in self.deny_buckets:
                self.injected["denied"] += 1
                self.log.append((method, target, "denied"))
                return "denied", 0.0, False, 403
            # Four draws per request whatever the outcome, so the sequence of outcomes depends
            # only on the seed and the number of requests, not on which request comes when.
            u = self._rng.random()
            delay = self._rng.uniform(*self.slow_seconds)
            early = self._rng.random() < 0.5
            status = 500 if self._rng.random() < 0.5 else 503
            if u < self.p_5xx:
                outcome = "5xx"
            elif u < self.p_5xx + self.p_reset:
                outcome = "reset"
            elif u < self.p_5xx + self.p_reset + self.p_slow:
                outcome = "slow"
            else:
                outcome = "forward"
            key = (method, target)
            if outcome in ("5xx", "reset"):
                if self.max_failures_in_a_row is not None and self._failures_in_a_row.get(key, 0) >= self.max_failures_in_a_row:
                    outcome = "forward"
                else:
                    self._failures_in_a_row[key] = self._failures_in_a_row.get(key, 0) + 1
            if outcome in ("forward", "slow"):
                self._failures_in_a_row.pop(key, None)
            if outcome != "forward":
                self.injected[outcome] += 1
            self.log.append((method, target, outcome))
            return outcome, delay, early, status

    def _count_forwarded(self):
        with self._lock:
            self.forwarded += 1


class _ForwardingHandler(BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"  # keep-alive, as the tool's connection pool expects

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        self._handle()

    do_PUT = do_POST = do_DELETE = do_HEAD = do_GET

    def _handle(self):
        outcome, delay, early, status = self.proxy._decide(self.command, self.path)
        if outcome == "reset" and early:
            return self._reset()
        body = self._read_body()
        if body is None:  # malformed framing: nothing sensible to forward
            return self._reset()
        if outcome == "reset":
            return self._reset()
        if outcome == "denied":
            return self._answer_error(403)
        if outcome == "5xx":
            return self._answer_error(status)
        if outcome == "slow":
            time.sleep(delay)
        self._forward(body)

    def _read_body(self) -> bytes | None:
        """The request body exactly as it was framed on the wire."""
        encoding = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in encoding:
            raw = bytearray()
            while True:
                line = self.rfile.readline(65537)
                if not line.endswith(b"\r\n"):
                    return None
                raw += line
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    return None
                if size == 0:
                    while True:  # trailer fields, then the empty line
                        trailer = self.rfile.readline(65537)
                        raw += trailer
                        if trailer in (b"\r\n", b"\n", b""):
                            return bytes(raw)
                data = self.rfile.read(size + 2)
                if len(data) != size + 2:
                    return None
                raw += data
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        return data if len(data) == length else None

    def _reset(self):
        """Close with a TCP RST (SO_LINGER 0) and no answer."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        # The socket's fd closes only once the handler's file objects are closed too.
        for f in (self.rfile, self.wfile):
            try:
                f.close()
            except OSError:
                pass
        self.connection.close()
        # The base class still flushes and closes these after the handler returns.
        self.rfile, self.wfile = io.BytesIO(), io.BytesIO()

    def _answer_error(self, status: int):
        body = s3_error_body(status, self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-request-id", "faultproxy")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self, body: bytes):
        upstream = http.client.HTTPConnection(self.proxy.upstream_host, self.proxy.upstream_port, timeout=120)
        try:
            # The raw target and every field as received; http.client adds nothing with these skips.
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                upstream.putheader(name, value)
            upstream.endheaders(body if body else None)
            response = upstream.getresponse()
            data = response.read()  # http.client knows HEAD answers have no body
            self.proxy._count_forwarded()
            self.send_response_only(response.status, response.reason)
            chunked = False
            for name, value in response.getheaders():
                lower = name.lower()
                if lower == "transfer-encoding":
                    chunked = True  # decoded by http.client: sent on with a length instead
                    continue
                if lower == "connection":
                    continue
                self.send_header(name, value)
            if chunked:
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        finally:
            upstream.close()

"""Loopback servers the interop tests start and stop themselves: insights-sim and moto."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import bin_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class InsightsSim:
    """`insights-sim --port 0 ARGS`; the bound port is the first line it prints."""

    def __init__(self, *args: str):
        self.args = list(args)
        self.proc = subprocess.Popen([str(bin_dir() / "insights-sim"), "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = self.proc.stdout.readline().strip()
        assert first.startswith("listening on 127.0.0.1:"), (first, self.proc.stderr.read() if self.proc.poll() is not None else "")
        self.port = int(first.rsplit(":", 1)[1])
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def client(self, retries: int = 0):
        """boto3's logs client, unchanged, pointed at the simulator."""
        import boto3
        import botocore.config
        return boto3.client(
            "logs", endpoint_url=self.endpoint, region_name="eu-west-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=botocore.config.Config(retries={"total_max_attempts": retries + 1, "mode": "standard"}),
        )

    def expected(self, start: str, end: str, *corpus_args: str) -> str:
        return subprocess.run([str(bin_dir() / "insights-sim"), "expected", "--start", start, "--end", end, *corpus_args],
                              check=True, capture_output=True, text=True).stdout

    def stats(self) -> dict:
        import json
        return json.loads(urllib.request.urlopen(self.endpoint + "/_sim/stats", timeout=5).read())

    def stop(self) -> str:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=20)
        return out


class Moto:
    """moto's server; it accepts anything until `enforce_auth()` turns signature checking on."""

    def __init__(self, log_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log_path, "wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT, env=env)
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + "/moto-api/", timeout=1).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto did not start; see {log_path}")

    def client(self, service: str, key="testing", secret="testing", token=None, region="us-east-1"):
        import boto3
        return boto3.client(service, region_name=region, endpoint_url=self.url, aws_access_key_id=key,
                            aws_secret_access_key=secret, aws_session_token=token)

    def enforce_auth(self):
        """From now on moto verifies every signature (the runtime INITIAL_NO_AUTH_ACTION_COUNT)."""
        urllib.request.urlopen(urllib.request.Request(self.url + "/moto-api/reset-auth", data=b"0", method="POST",
                                                      headers={"Content-Type": "text/plain"})).read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

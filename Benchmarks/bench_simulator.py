#!/usr/bin/env python3
"""insights-sim throughput, side by side with its targets (README "Benchmarks") and with moto's server.

1. Corpus generation: `insights-sim generate-benchmark` makes one day of the default corpus
   (20,000 events/hour with bursts) on one thread; events per second of wall time and of
   that thread's CPU time, against the 250,000/s target.
2. HTTP: several keep-alive client threads hammer DescribeLogGroups and GetQueryResults on
   loopback (quotas and latency off); requests per second against the 500/s target and
   against `moto.server` answering DescribeLogGroups with the same client.

Binary: $PULP_BACKFILL_BIN_DIR/insights-sim (fallback: `swift build -c release --show-bin-path`).
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
LOG_GROUP = "/aws/containerinsights/pulp-prod/application"
THREADS = int(os.environ.get("BENCH_THREADS", "8"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))


def bin_dir() -> Path:
    env = os.environ.get("PULP_BACKFILL_BIN_DIR")
    if env:
        return Path(env)
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True, capture_output=True, text=True)
    return Path(out.stdout.strip())


SIM = bin_dir() / "insights-sim"


def hammer(port: int, requests: list[tuple[str, bytes]]) -> tuple[int, int, float]:
    """Runs THREADS keep-alive clients for SECONDS; returns (ok, errors, elapsed)."""
    counts = [[0, 0] for _ in range(THREADS)]
    stop = time.monotonic() + SECONDS

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        k = i
        while time.monotonic() < stop:
            target, body = requests[k % len(requests)]
            k += 1
            conn.request("POST", "/", body=body, headers={
                "X-Amz-Target": f"Logs_20140328.{target}", "Content-Type": "application/x-amz-json-1.1",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260204/us-east-1/logs/aws4_request"})
            resp = conn.getresponse()
            resp.read()
            counts[i][0 if resp.status == 200 else 1] += 1
        conn.close()

    began = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    return sum(c[0] for c in counts), sum(c[1] for c in counts), elapsed


def post(port: int, target: str, body: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/", body=json.dumps(body), headers={
        "X-Amz-Target": f"Logs_20140328.{target}", "Content-Type": "application/x-amz-json-1.1",
        # moto routes requests to a service by the SigV4 credential scope.
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260204/us-east-1/logs/aws4_request"})
    raw = conn.getresponse().read()
    conn.close()
    return json.loads(raw) if raw.strip() else {}


def bench_generation() -> dict:
    out = subprocess.run([str(SIM), "generate-benchmark", "--start", "2026-02-04T00:00:00Z", "--end", "2026-02-05T00:00:00Z"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def bench_simulator_http() -> tuple[float, int]:
    proc = subprocess.Popen([str(SIM), "--port", "0", "--latency-ms", "0-0", "--start-query-rate", "0", "--get-results-rate", "0",
                             "--describe-log-groups-rate", "0",
                             "--query-base-ms", "0", "--query-ms-per-mib", "0"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline().strip().rsplit(":", 1)[1])
        qid = post(port, "StartQuery", {"logGroupName": LOG_GROUP, "startTime": 1770213600, "endTime": 1770213659,
                                        "queryString": "fields @timestamp, @message | limit 20"})["queryId"]
        for _ in range(200):
            if post(port, "GetQueryResults", {"queryId": qid})["status"] == "Complete":
                break
            time.sleep(0.01)
        ok, errors, elapsed = hammer(port, [("DescribeLogGroups", b"{}"), ("GetQueryResults", json.dumps({"queryId": qid}).encode())])
        return ok / elapsed, errors
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_moto_http() -> float | None:
    port = free_port()
    proc = subprocess.Popen([PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                post(port, "CreateLogGroup", {"logGroupName": LOG_GROUP})
                break
            except (ConnectionError, OSError, json.JSONDecodeError):
                time.sleep(0.05)
        else:
            return None
        ok, _, elapsed = hammer(port, [("DescribeLogGroups", b"{}")])
        return ok / elapsed
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def main() -> None:
    gen = bench_generation()
    wall_rate = gen["events"] / gen["seconds"]
    cpu_rate = gen["events"] / gen["cpuSeconds"]
    sim_rps, sim_errors = bench_simulator_http()
    moto_rps = bench_moto_http()
    print(f"corpus generation: {gen['events']} events (one day, default corpus)")
    print(f"  {wall_rate:12,.0f} events/s wall   target 250,000  ratio {wall_rate / 250_000:5.2f}x")
    print(f"  {cpu_rate:12,.0f} events/s CPU    target 250,000  ratio {cpu_rate / 250_000:5.2f}x")
    print(f"HTTP on loopback ({THREADS} keep-alive clients, {SECONDS:.0f} s, DescribeLogGroups + GetQueryResults):")
    print(f"  insights-sim {sim_rps:10,.0f} requests/s  target 500  ratio {sim_rps / 500:5.2f}x  (non-200: {sim_errors})")
    if moto_rps:
        print(f"  moto.server  {moto_rps:10,.0f} requests/s  (DescribeLogGroups)  insights-sim/moto {sim_rps / moto_rps:5.2f}x")
    else:
        print("  moto.server  did not start; no reference figure")


if __name__ == "__main__":
    main()

r"""The server-side filter executed, not just read: Insights holds raw JSON text, where a `/` of
the access line may be written `\/`, so the regex the tool puts in its query must match a path
prefix in either spelling (and any mix), and must not match other paths.

The query text is the one `pulp-backfill backfill` really sends (recorded by a loopback proxy
between the tool and insights-sim). It is then run three ways over the same events:
* by insights-sim, which implements the filter language, during the backfill and again on its own;
* by Python's `re`, on the regexes cut out of the query text;
* end to end: every row the client rules keep (the Python row reference) is in the output.
"""
from __future__ import annotations

import http.client
import http.server
import json
import re
import subprocess
import threading
from pathlib import Path

import boto3
import botocore.config
import pytest

import readers
from access_rows import expected_rows, load_ndjson
from conftest import bin_dir
from servers import InsightsSim

GROUP = "/aws/containerinsights/pulp-prod/application"
HOUR = "2026-02-04T10:00:00Z"
HOUR_END = "2026-02-04T11:00:00Z"
FAST = ["--latency-ms", "0-2", "--query-base-ms", "30", "--query-ms-per-mib", "1",
        "--start-query-rate", "200", "--get-results-rate", "400", "--require-sigv4"]


class RecordingProxy:
    """Forwards every request to insights-sim unchanged (the Host header too, so SigV4 still
    verifies) and records the queryString of each StartQuery."""

    def __init__(self, target_port: int):
        self.queries: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("X-Amz-Target", "").endswith(".StartQuery"):
                    outer.queries.append(json.loads(body)["queryString"])
                connection = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                try:
                    connection.request("POST", self.path, body=body, headers=dict(self.headers.items()))
                    response = connection.getresponse()
                    data = response.read()
                finally:
                    connection.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def access_line(i: int, path: str) -> str:
    return (f'pulp [{i:08x}]: 10.0.0.1 - user:alice org_id:42 [04/Feb/2026:10:{i // 60 % 60:02d}:{i % 60:02d} +0000] '
            f'"GET {path} HTTP/1.1" 200 12 "-" "pip/24.0" 5 x_forwarded_for:"1.2.3.4"')


def escaped(text: str, which: str) -> str:
    """`text` with its slashes JSON-escaped: all, none, or every other one (a mix)."""
    if which == "all":
        return text.replace("/", "\\/")
    if which == "mixed":
        parts = text.split("/")
        return "".join(p + ("\\/" if k % 2 else "/") for k, p in enumerate(parts[:-1])) + parts[-1]
    return text


PATHS_KEPT = ["/api/pypi/acme/prod/simple/numpy/", "/api/pypi/dom.x/main/simple/six/",
              "/api/pypi/public-rhai/rhoai/3.5/cpu/simple/torch/"]
PATHS_OTHER = ["/livez", "/status/", "/api/v3/tasks/", "/api/pypi", "/api/pypiX/a/simple/b/",
               "/api/pypi/domAx/main/simple/six/", "/api/pypi-x/d/simple/p/"]


def events(tmp: Path) -> Path:
    """An hour of events: each path written plain, with every `/` as `\\/` (inside an OpenShift
    wrapper whose JSON escapes slashes), and with a mix; plus paths that must not match."""
    rows = []
    i = 0
    for path in PATHS_KEPT + PATHS_OTHER:
        for spelling in ("none", "all", "mixed"):
            for copy in range(2):
                line = access_line(i, path)
                if spelling == "none":
                    message = line
                else:  # the wrapper as raw JSON text, slashes escaped as a JSON encoder may do
                    inner = json.dumps(line)[1:-1]
                    message = '{"kubernetes":{"pod_name":"api-0"},"log":"' + escaped(inner, spelling) + '"}'
                rows.append({"@timestamp": f"2026-02-04 10:{i // 60 % 60:02d}:{i % 60:02d}.{copy:03d}",
                             "@message": message, "@ptr": f"ptr-{i:04d}", "@logStream": "api-0",
                             "path": path, "spelling": spelling})
                i += 1
    src = tmp / "events.ndjson"
    with open(src, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps({k: r[k] for k in ("@timestamp", "@message", "@ptr", "@logStream")}) + "\n")
    (tmp / "events-meta.json").write_text(json.dumps(rows))
    return src


def message_regexes(query: str) -> list[str]:
    """The `@message like /…/` regexes of a query, read as insights-sim's lexer reads a regex
    literal (`\\/` stands for `/`, any other backslash pair is kept)."""
    out = []
    for m in re.finditer(r"@message like /", query):
        i, text = m.end(), []
        while query[i] != "/":
            if query[i] == "\\" and query[i + 1] == "/":
                text.append("/")
                i += 2
            elif query[i] == "\\":
                text.append(query[i:i + 2])
                i += 2
            else:
                text.append(query[i])
                i += 1
        out.append("".join(text))
    return out


@pytest.mark.parametrize("filters", [
    [],  # the seed's defaults: --filter-paths /api/pypi/ --exclude-paths /livez,/status
    ["--filter-paths", "/api/pypi/dom.x/,/api/pypi/public-rhai/", "--exclude-paths", "/livez"],
], ids=["default", "dot-and-dash"])
def test_server_filter_matches_both_spellings_and_nothing_else(tmp_path, filters):
    """Fails if the server filter misses a path written with `\\/` (rows lost for good), matches
    a path it should not (dot not escaped, prefix not anchored to `/`), or if the filter is
    missing from the query altogether."""
    include = filters[1].split(",") if filters else ["/api/pypi/"]
    exclude = filters[3].split(",") if filters else ["/livez", "/status"]
    src = events(tmp_path)
    meta = json.loads((tmp_path / "events-meta.json").read_text())
    # Independent expectation: the path prefix appears once `\/` is read as `/`.
    should_match = {r["@ptr"] for r in meta if any(p in r["@message"].replace("\\/", "/") for p in include)}
    assert {r["spelling"] for r in meta if r["@ptr"] in should_match} == {"none", "all", "mixed"}
    assert len(should_match) < len(meta)

    sim = InsightsSim("--events", str(src), *FAST)
    proxy = RecordingProxy(sim.port)
    try:
        out, catalog = tmp_path / "out", tmp_path / "catalog.sqlite"
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
               "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": proxy.url, "AWS_EC2_METADATA_DISABLED": "true",
               "AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
        p = subprocess.run([str(bin_dir() / "pulp-backfill"), "backfill", "--cloudwatch-group", GROUP,
                            "--start-time", HOUR, "--end-time", HOUR_END, "--output-path", str(out),
                            "--catalog", str(catalog), "--start-rate", "100", "--poll-rate", "200", *filters],
                           env=env, capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        returned_during_backfill = sim.stats()["rowsReturned"]

        # 1. The query the tool sent carries a filter (one regex per include prefix); its
        # density counts (`stats count(*)`) filter the same way, or they would count other rows.
        fetches = [q for q in proxy.queries if q.startswith("fields ")]
        assert fetches and len(set(fetches)) == 1, proxy.queries
        query = fetches[0]
        regexes = message_regexes(query)
        counts = [q for q in proxy.queries if "stats count(*)" in q]
        assert all(message_regexes(c) == regexes for c in counts), counts
        assert len(fetches) + len(counts) == len(proxy.queries), proxy.queries
        assert len(regexes) == len(include), query

        # 2. Python's re on those regexes: exactly the expected messages.
        by_re = {r["@ptr"] for r in meta if any(re.search(rx, r["@message"]) for rx in regexes)}
        assert by_re == should_match, (query, sorted(by_re ^ should_match))
        # The events tell the spellings apart: without its optional backslashes the same
        # regex would miss the escaped paths (so a filter that drops `\\?` fails above).
        without = [rx.replace("\\\\?", "") for rx in regexes]
        assert without != regexes
        assert {r["@ptr"] for r in meta if any(re.search(rx, r["@message"]) for rx in without)} < should_match

        # 3. insights-sim running the same query text on its own: the same messages.
        logs = boto3.client("logs", endpoint_url=sim.endpoint, region_name="us-east-1", aws_access_key_id="test",
                            aws_secret_access_key="test", config=botocore.config.Config(retries={"max_attempts": 1}))
        query_id = logs.start_query(logGroupName=GROUP, startTime=1770199200, endTime=1770202799,
                                    queryString=query)["queryId"]
        answer = {"status": "Running"}
        for _ in range(600):  # bounded: the simulated query takes well under a second
            answer = logs.get_query_results(queryId=query_id)
            if answer["status"] not in ("Scheduled", "Running"):
                break
            threading.Event().wait(0.05)
        assert answer["status"] == "Complete", answer["status"]
        by_sim = {f["value"] for row in answer["results"] for f in row if f["field"] == "@ptr"}
        assert by_sim == should_match, sorted(by_sim ^ should_match)
        # During the backfill the server returned only matching events (each chunk once: no
        # continuation is needed at this size): the filter ran there too. (The simulator also
        # counts the density query's per-minute rows, hence the catalog's count of fetched events.)
        status = json.loads(subprocess.run([str(bin_dir() / "pulp-backfill"), "status", "--catalog", str(catalog),
                                            "--format", "json"], env=env, capture_output=True, text=True,
                                           check=True).stdout)
        assert status["backfills"][0]["density"]["fetched_rows"] == len(should_match), status["backfills"][0]["density"]
        assert len(should_match) <= returned_during_backfill <= len(should_match) + 60
    finally:
        proxy.stop()
        sim.stop()

    # 4. End to end: every row the client rules keep is in the hour's file, and nothing else.
    kept, _, _ = expected_rows(load_ndjson(src), include, exclude)
    assert {r["spelling"] for r in meta if r["@ptr"] in {k["_ptr"] for k in kept}} == {"none", "all", "mixed"}
    files = sorted(out.rglob("*.parquet"))
    assert len(files) == 1, files
    assert readers.read_pyarrow(files[0]) == readers.as_tuples(kept)

"""insights-sim serving every dataset from one log group: boto3, unchanged, runs the upstream
exporters' own queries against a corpus with content-app lines, and each result equals a
Python filter written here over `insights-sim expected` (the ground truth). Also: the default
corpus is byte-identical to the one from before the corpus options (pinned sha256)."""
import hashlib
import json
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import bin_dir
from servers import InsightsSim

LOG_GROUP = "/aws/containerinsights/pulp-prod/application"
T0 = 1784556000  # 2026-07-20 14:00:00 UTC (content lines carry request_time from 2026-07-17)
CORPUS = ["--seed", "23", "--events-per-hour", "3000", "--burst-every", "0", "--content-per-hour", "6000"]

PYTHON_QUERY = ('fields @timestamp, @message, @ptr | filter @message like "/api/pulp-content/" and '
                '(@message like ".whl" or @message like ".whl.metadata") | sort @timestamp asc | limit 10000')
LINE_QUERY = ('fields @timestamp, coalesce(message, @message) as line | filter ispresent(kubernetes.container_name) '
              'and kubernetes.container_name = "pulp-content" | filter line like "/api/pulp-content/" '
              '| sort @timestamp asc | limit 10000')


def expected(start: int, end: int, *corpus: str) -> list[dict]:
    out = subprocess.run([str(bin_dir() / "insights-sim"), "expected", "--start", str(start), "--end", str(end), *corpus],
                         check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def discovered(message: str) -> dict:
    """What Insights discovers in a JSON @message: members flattened with dots, arrays by
    index, null left out. Anything that is not a JSON object discovers nothing."""
    try:
        doc = json.loads(message)
    except ValueError:
        return {}
    if not isinstance(doc, dict):
        return {}
    out = {}

    def walk(value, name):
        if value is None:
            return
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{name}.{k}")
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{name}.{i}")
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        else:
            out[name] = value if isinstance(value, str) else json.dumps(value)

    for k, v in doc.items():
        walk(v, k)
    return out


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim("--latency-ms", "0-1", "--query-base-ms", "50", "--query-ms-per-mib", "5",
                    "--start-query-rate", "0", "--get-results-rate", "0", *CORPUS)
    yield s
    s.stop()


def run_query(sim, query: str, start: int, end: int) -> list[dict]:
    c = sim.client()
    qid = c.start_query(logGroupName=LOG_GROUP, startTime=start, endTime=end, queryString=query)["queryId"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = c.get_query_results(queryId=qid)
        if r["status"] not in ("Scheduled", "Running"):
            assert r["status"] == "Complete", r["status"]
            return [[(f["field"], f["value"]) for f in row] for row in r["results"]]
        time.sleep(0.02)
    raise AssertionError(f"query {qid} did not finish in 30 s")


def by_time(rows):
    # `sort @timestamp asc` keeps the corpus order for equal timestamps (a stable sort).
    return sorted(rows, key=lambda e: e["@timestamp"])


def test_python_exporter_query_equals_filter_over_expected(sim):
    """Substring `like` chains in parentheses. Fails if string patterns are not substring
    tests, `or` binds wrongly, or rows, order or fields differ from the ground truth."""
    got = run_query(sim, PYTHON_QUERY, T0, T0 + 299)
    want = [[("@timestamp", e["@timestamp"]), ("@message", e["@message"]), ("@ptr", e["@ptr"])]
            for e in by_time(expected(T0, T0 + 300, *CORPUS))
            if "/api/pulp-content/" in e["@message"] and (".whl" in e["@message"] or ".whl.metadata" in e["@message"])]
    assert len(want) > 50
    assert any(".whl.metadata" in row[1][1] for row in want)
    assert got == want


def test_line_query_equals_filter_over_expected(sim):
    """ispresent + a dotted discovered field + coalesce(message, @message) as line + a filter on
    the alias. Fails if discovery, coalesce or the alias is wrong, or an API line slips in."""
    got = run_query(sim, LINE_QUERY, T0, T0 + 299)
    want = []
    for e in by_time(expected(T0, T0 + 300, *CORPUS)):
        fields = discovered(e["@message"])
        if fields.get("kubernetes.container_name") != "pulp-content":
            continue
        line = fields.get("message", e["@message"])
        if "/api/pulp-content/" in line:
            want.append([("@timestamp", e["@timestamp"]), ("line", line), ("@ptr", e["@ptr"])])
    assert len(want) > 200
    # The content lines' user agents hold raw quotes: the line is the decoded member.
    assert any('{"installer"' in row[1][1] for row in want)
    assert got == want


@pytest.mark.parametrize("query,keep", [
    # An RPM exporter-style chain and a Maven one with two suffixes.
    ('fields @timestamp, @message, @ptr | filter @message like "/api/pulp-content/" and @message like ".rpm" '
     '| sort @timestamp asc | limit 10000',
     lambda m, f: "/api/pulp-content/" in m and ".rpm" in m),
    ('fields @timestamp, @message, @ptr | filter @message like "/api/pulp-content/" and (@message like ".jar" or '
     '@message like ".pom") | sort @timestamp asc | limit 10000',
     lambda m, f: "/api/pulp-content/" in m and (".jar" in m or ".pom" in m)),
    # Everything that is not from the content container, API lines and unwrapped ones included.
    ('fields @timestamp, @message, @ptr | filter not ispresent(kubernetes.container_name) or '
     'kubernetes.container_name != "pulp-content" | sort @timestamp asc | limit 10000',
     lambda m, f: f.get("kubernetes.container_name") != "pulp-content"),
])
def test_dataset_style_queries_equal_filter_over_expected(sim, query, keep):
    """Fails if any of these upstream-style filters keeps or drops a row the Python filter does not."""
    got = run_query(sim, query, T0 + 300, T0 + 599)
    want = [[("@timestamp", e["@timestamp"]), ("@message", e["@message"]), ("@ptr", e["@ptr"])]
            for e in by_time(expected(T0 + 300, T0 + 600, *CORPUS)) if keep(e["@message"], discovered(e["@message"]))]
    assert len(want) > 20
    assert got == want


def test_unsupported_syntax_is_malformed_with_its_position(sim):
    """Fails if an unknown function is accepted or the error does not say where it is."""
    c = sim.client()
    with pytest.raises(ClientError) as info:
        c.start_query(logGroupName=LOG_GROUP, startTime=T0, endTime=T0 + 299,
                      queryString="fields @timestamp, strlen(@message) as n | limit 5")
    error = info.value.response
    assert error["Error"]["Code"] == "MalformedQueryException"
    assert error["queryCompileError"]["location"] == {"startCharOffset": 19, "endCharOffset": 25}


# Digests of `insights-sim expected` with the default corpus (seed 42), taken before the corpus
# options existed: every test and benchmark built on that corpus still sees the same bytes.
DEFAULT_DIGESTS = [
    ("2026-02-04T14:00:00Z", "2026-02-04T14:10:00Z", 4905, "c7b9f41481195516cb3a7cd0852b03149f1ea5e36a8f6faef92d44ee31dae621"),
    ("2026-01-05T23:55:00Z", "2026-01-06T00:05:00Z", 1829, "7aa2120a3b68ebc6f0961596850a8b73f043ad44d6d1943453d0e13fa1784868"),
    ("2026-01-20T23:55:00Z", "2026-01-21T00:05:00Z", 1793, "27a81e66315c8c3d630b53937e6651ab175f79d035679d68e92e9bc490356604"),
    ("2026-07-16T23:55:00Z", "2026-07-17T00:05:00Z", 1802, "bc0170b805d1ec47c4568278905781ebc59ab73dc4ecc5e707027a4c22a4f21e"),
]


@pytest.mark.parametrize("start,end,lines,digest", DEFAULT_DIGESTS)
def test_default_corpus_is_byte_identical(start, end, lines, digest):
    """Fails if the default corpus changed by one byte (with the options absent or at their
    defaults spelled out)."""
    sim = str(bin_dir() / "insights-sim")
    for extra in ([], ["--content-per-hour", "0"]):
        out = subprocess.run([sim, "expected", "--start", start, "--end", end, *extra], check=True, capture_output=True).stdout
        assert out.count(b"\n") == lines
        assert hashlib.sha256(out).hexdigest() == digest


def test_content_lines_leave_the_api_lines_as_they_were():
    """The content lines come from their own random stream. Fails if turning them on changes,
    drops or reorders one API line."""
    plain = expected(T0, T0 + 600, "--seed", "23", "--events-per-hour", "3000", "--burst-every", "0")
    mixed = expected(T0, T0 + 600, *CORPUS)
    content = [e for e in mixed if e.get("@logStream", "").endswith("_pulp-content.log")]
    assert len(content) > 500
    assert [e for e in mixed if not e.get("@logStream", "").endswith("_pulp-content.log")] == plain
    assert len({e["@ptr"] for e in mixed}) == len(mixed)


def test_historical_shapes_by_date():
    """--historical-shapes: no labels before 2026-01-06, labels without x_forwarded_for until
    2026-01-21, parentheses on some lines. Fails if a line has the wrong shape for its date."""
    def lines(start, end):
        out = []
        for e in expected(start, end, "--events-per-hour", "6000", "--historical-shapes"):
            line = discovered(e["@message"]).get("message", e["@message"])
            if not line.startswith("django.request"):
                out.append(line)
        return out
    bare = lines(1767657600 - 900, 1767657600)          # the last 15 minutes of 2026-01-05
    labelled = lines(1767657600, 1767657600 + 900)
    today = lines(1768953600, 1768953600 + 900)
    assert all("user:" not in l and "x_forwarded_for" not in l for l in bare) and len(bare) > 500
    assert all(" user:" in l and "x_forwarded_for" not in l for l in labelled)
    assert all(" user:" in l and 'x_forwarded_for:"' in l for l in today)
    for group in (bare, labelled, today):
        wrapped = [l for l in group if l.startswith("(pulp [")]
        assert 0 < len(wrapped) < len(group) / 4 and all(l.endswith(")") for l in wrapped)


def test_help_documents_the_corpus_options_and_events_excludes_them(tmp_path):
    """Fails if the options are missing from --help or silently ignored with --events."""
    sim = str(bin_dir() / "insights-sim")
    for command in (["serve", "--help"], ["expected", "--help"]):
        text = subprocess.run([sim, *command], check=True, capture_output=True, text=True).stdout
        assert "--content-per-hour" in text and "--historical-shapes" in text
    events = tmp_path / "e.ndjson"
    events.write_text('{"@timestamp": "2026-07-20 14:00:00.000", "@message": "x"}\n')
    r = subprocess.run([sim, "expected", "--start", str(T0), "--end", str(T0 + 1), "--events", str(events),
                        "--content-per-hour", "10"], capture_output=True, text=True)
    assert r.returncode == 2 and "--events" in r.stderr

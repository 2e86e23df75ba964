"""`pulp-backfill convert --dataset content-python|content-rpm|content-maven` against the
independent Python reference (`content_rows.py`): every cell of every row, in file order, in
pyarrow, DuckDB, polars and fastparquet; the exact pyarrow schema of each dataset; the skip
counts; zero-row files. The reference itself is checked first, by hand, on the sample fixture."""
from __future__ import annotations

import math
import re
import subprocess
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import fastparquet
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import content_cases
import content_rows
from content_rows import DATASETS, SCHEMAS, SKIP_REASONS

SUMMARY = re.compile(r"(\d+) rows written, (\d+) skipped, (\d+) malformed")
SAMPLE = "samples/content-events.ndjson"


# ---- running convert and reading its file ----------------------------------------------------

def convert(bins: Path, dataset: str, inp: Path, out: Path) -> str:
    p = subprocess.run([str(bins / "pulp-backfill"), "convert", "--dataset", dataset, "--input", str(inp),
                        "--output", str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return p.stdout


def _cell(v):
    """A reader's cell as a plain Python value (None for every flavour of null)."""
    if v is None:
        return None
    try:
        import pandas as pd
        if v is pd.NA or v is pd.NaT:
            return None
        if isinstance(v, pd.Timestamp):
            return int(v.value)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        return v.item()
    return v


def read_pyarrow(path, names):
    t = pq.read_table(path)
    cols = [t.column(n).cast(pa.int64()).to_pylist() if n == "timestamp" else t.column(n).to_pylist() for n in names]
    return list(zip(*cols)) if cols and len(cols[0]) else []


def read_duckdb(path, names):
    con = duckdb.connect()
    try:
        others = ", ".join(f'"{n}"' for n in names[1:])
        return [tuple(r) for r in con.execute(
            f"SELECT epoch_ns(timestamp), {others} FROM read_parquet(?)", [str(path)]).fetchall()]
    finally:
        con.close()


def read_polars(path, names):
    df = pl.read_parquet(path)
    cols = [df[n].cast(pl.Int64).to_list() if n == "timestamp" else df[n].to_list() for n in names]
    return list(zip(*cols)) if cols and len(cols[0]) else []


def read_fastparquet(path, names):
    df = fastparquet.ParquetFile(str(path)).to_pandas()
    cols = [[_cell(v) for v in df[n].tolist()] for n in names]
    return list(zip(*cols)) if cols and len(cols[0]) else []


READERS = {"pyarrow": read_pyarrow, "duckdb": read_duckdb, "polars": read_polars, "fastparquet": read_fastparquet}


def check_file(path: Path, dataset: str, expected: list[dict]):
    """Fails on any cell that differs in any reader, a row out of (timestamp, @ptr) order, a
    column renamed, retyped, reordered, added or missing."""
    schema = pq.read_schema(path)
    assert schema.equals(SCHEMAS[dataset], check_metadata=False), f"{schema}\n!=\n{SCHEMAS[dataset]}"
    assert [f.nullable for f in schema] == [True] * len(schema)
    names = SCHEMAS[dataset].names
    want = [tuple(r[n] for n in names) for r in expected]
    for reader, read in READERS.items():
        got = read(path, names)
        assert len(got) == len(want), f"{reader}: {len(got)} rows, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                diff = {n: (a, b) for n, a, b in zip(names, g, w) if a != b}
                pytest.fail(f"{reader}: row {i} differs (got, want): {diff}\nwant {w}")
    assert pq.ParquetFile(path).metadata.num_rows == len(expected)


def check_counts(stdout: str, counts: Counter):
    """The summary line's totals equal the reference's; if the output also names a reason with
    a count next to it, that count must equal the reference's too."""
    m = SUMMARY.search(stdout)
    skipped = sum(counts[r] for r in SKIP_REASONS)
    assert m and tuple(map(int, m.groups())) == (counts["kept"], skipped, counts["timestamp"]), \
        (stdout, dict(counts))
    for reason in SKIP_REASONS:
        for found in re.finditer(rf"(?:(\d+)\s+{reason}\b|\b{reason}[:=\s]+(\d+))", stdout):
            assert int(found.group(1) or found.group(2)) == counts[reason], (reason, stdout, dict(counts))


def lines_of(path: Path) -> list[bytes]:
    return content_rows.split_ndjson(path.read_bytes())


# ---- the reference, checked by hand on the sample fixture ------------------------------------

def _ns(y, mo, d, h, mi, s, ms=0):
    return int(datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc).timestamp()) * 1_000_000_000 + ms * 1_000_000


_C = "/api/pulp-content/"
# Worked out by hand from the row rules, line by line (the fixture's line order). Per line: the
# dataset that keeps it and the row it gives, or None when no dataset keeps it together with
# the skip reason each dataset counts it under.
SAMPLE_BY_HAND = [
    ("content-python", dict(  # no build tag; uv's UA holds raw quotes; both XFF addresses kept
        timestamp=_ns(2026, 7, 20, 9, 0, 0, 412), domain="acme-ai", distribution="wheels/cuda12",
        package_name="torch", package_version="2.6.0", architecture="manylinux_2_28_x86_64",
        artifact_path=_C + "acme-ai/wheels/cuda12/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        artifact_size=812345678, status_code=200, cache_hit=False, user_agent='uv/0.7.2 {"installer":{"name":"uv"}}',
        org_id="11223344", x_forwarded_for="198.51.100.7, 10.0.0.4", request_time_ms=2481,
        build_tag=None, pyver="cp311", abi="cp311")),
    ("content-python", dict(  # .whl.metadata; 0.0009 s → 0.9 ms → 1
        timestamp=_ns(2026, 7, 20, 9, 0, 1, 3), domain="acme-ai", distribution="wheels/cuda12",
        package_name="torch", package_version="2.6.0", architecture="manylinux_2_28_x86_64",
        artifact_path=_C + "acme-ai/wheels/cuda12/torch-2.6.0-cp311-cp311-manylinux_2_28_x86_64.whl.metadata",
        artifact_size=4521, status_code=200, cache_hit=True, user_agent="pip/25.1", org_id="11223344",
        x_forwarded_for="198.51.100.7", request_time_ms=1, build_tag=None, pyver="cp311", abi="cp311")),
    ("content-python", dict(  # build tag 1; size "-" and org "-" → null; 1.5 ms → 2 (tie to even)
        timestamp=_ns(2026, 7, 20, 9, 0, 2, 250), domain="public-py", distribution="index/tools",
        package_name="ruff", package_version="0.9.1", architecture="musllinux_1_2_aarch64",
        artifact_path=_C + "public-py/index/tools/ruff-0.9.1-1-py3-none-musllinux_1_2_aarch64.whl",
        artifact_size=None, status_code=304, cache_hit=True, user_agent="pip/24.3", org_id=None,
        x_forwarded_for="203.0.113.9", request_time_ms=2, build_tag="1", pyver="py3", abi="none")),
    (None, {"content-python": "file-name", "content-rpm": "other-dataset", "content-maven": "other-dataset"}),
    ("content-rpm", dict(  # Packages/z dropped from the distribution; no epoch → 0
        timestamp=_ns(2026, 7, 20, 9, 0, 4, 0), domain="copr-pub", distribution="user/project-42/epel-9-x86_64",
        package_name="zsh", package_version="5.9", architecture="x86_64",
        artifact_path=_C + "copr-pub/user/project-42/epel-9-x86_64/Packages/z/zsh-5.9-8.el9.x86_64.rpm",
        artifact_size=3541233, status_code=200, cache_hit=False,
        user_agent="libdnf (Red Hat Enterprise Linux 9.5; generic; Linux.x86_64)", org_id="55667788",
        x_forwarded_for="192.0.2.44", request_time_ms=62, epoch=0, release="8.el9")),
    ("content-rpm", dict(  # epoch 1; noarch; 0.0005 s → 0.5 ms → 0 (tie to even)
        timestamp=_ns(2026, 7, 20, 9, 0, 5, 120), domain="copr-pub", distribution="user/project-42/epel-9-x86_64",
        package_name="python3-attrs", package_version="22.2.0", architecture="noarch",
        artifact_path=_C + "copr-pub/user/project-42/epel-9-x86_64/Packages/p/python3-attrs-1:22.2.0-3.el9.noarch.rpm",
        artifact_size=120001, status_code=200, cache_hit=True, user_agent="dnf/4.14.0", org_id="55667788",
        x_forwarded_for="192.0.2.44, 192.0.2.1", request_time_ms=0, epoch=1, release="3.el9")),
    (None, {d: "other-dataset" for d in DATASETS}),                          # repodata/primary.xml.gz
    (None, {"content-python": "other-dataset", "content-rpm": "file-name",     # bogus.rpm: no dot, no dashes
            "content-maven": "other-dataset"}),
    ("content-maven", dict(  # group com.fasterxml.jackson.core; no classifier
        timestamp=_ns(2026, 7, 20, 9, 0, 8, 333), domain="jvm", distribution="libs-release",
        package_name="jackson-databind", package_version="2.18.2", architecture=None,
        artifact_path=_C + "jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2.jar",
        artifact_size=1698765, status_code=302, cache_hit=False, user_agent="Apache-Maven/3.9.9 (Java 21.0.5; Linux 6.12.9)",
        org_id="99887766", x_forwarded_for="198.51.100.23", request_time_ms=120,
        group_id="com.fasterxml.jackson.core", classifier=None, packaging="jar")),
    ("content-maven", dict(  # classifier javadoc; 4.5 ms → 4 (tie to even)
        timestamp=_ns(2026, 7, 20, 9, 0, 9, 500), domain="jvm", distribution="libs-release",
        package_name="jackson-databind", package_version="2.18.2", architecture=None,
        artifact_path=_C + "jvm/libs-release/com/fasterxml/jackson/core/jackson-databind/2.18.2/jackson-databind-2.18.2-javadoc.jar",
        artifact_size=3412876, status_code=302, cache_hit=True, user_agent="Gradle/8.12", org_id="99887766",
        x_forwarded_for="198.51.100.23", request_time_ms=4,
        group_id="com.fasterxml.jackson.core", classifier="javadoc", packaging="jar")),
    ("content-maven", dict(  # SNAPSHOT version; pom
        timestamp=_ns(2026, 7, 20, 9, 0, 10, 101), domain="jvm", distribution="libs-snapshot",
        package_name="widget", package_version="0.3-SNAPSHOT", architecture=None,
        artifact_path=_C + "jvm/libs-snapshot/org/acme/widget/0.3-SNAPSHOT/widget-0.3-SNAPSHOT.pom",
        artifact_size=1200, status_code=302, cache_hit=False, user_agent="Apache-Maven/3.9.9", org_id="99887766",
        x_forwarded_for="198.51.100.24", request_time_ms=50, group_id="org.acme", classifier=None, packaging="pom")),
    (None, {d: "other-dataset" for d in DATASETS}),                          # .jar.sha1: no dataset keeps it
    ("content-python", dict(  # before request_time was logged → null; pyver py2.py3
        timestamp=_ns(2026, 6, 10, 18, 30, 0, 0), domain="public-py", distribution="index/tools",
        package_name="six", package_version="1.17.0", architecture="any",
        artifact_path=_C + "public-py/index/tools/six-1.17.0-py2.py3-none-any.whl",
        artifact_size=11050, status_code=200, cache_hit=True, user_agent="pip/23.2", org_id=None,
        x_forwarded_for="203.0.113.50", request_time_ms=None, build_tag=None, pyver="py2.py3", abi="none")),
]


def test_reference_agrees_with_the_sample_worked_out_by_hand(fixtures_dir):
    """The oracle itself: each of the fixture's 13 lines gives, in each dataset, the row or the
    skip reason worked out by hand. Fails if the reference misreads any rule the sample uses
    (wrapper, Packages pair, epoch, classifier, ties to even, a missing request_time, …)."""
    lines = lines_of(fixtures_dir / SAMPLE)
    assert len(lines) == len(SAMPLE_BY_HAND) == 13
    for i, (line, (owner, want)) in enumerate(zip(lines, SAMPLE_BY_HAND)):
        raw = content_rows.decode_row(line)
        for dataset in DATASETS:
            got = content_rows.parse(dataset, raw["@timestamp"], raw["@message"], raw["@ptr"])
            if owner == dataset:
                assert got[0] == "kept", (i, dataset, got)
                assert list(got[1]) == SCHEMAS[dataset].names, (i, list(got[1]))
                assert got[1] == want, (i, {k: (got[1][k], want[k]) for k in want if got[1][k] != want[k]})
            elif owner is None:
                assert got == ("skipped", want[dataset]), (i, dataset, got)
            else:
                assert got == ("skipped", "other-dataset"), (i, dataset, got)


def _row(message, timestamp="2026-07-20 09:00:00.000", dataset="content-rpm"):
    return content_rows.parse(dataset, timestamp, message, "p")


def _line(target, *, time="20/Jul/2026:09:00:00 +0000", status="200", size="1", rt=None, ua="ua"):
    tail = "" if rt is None else f' request_time:"{rt}"'
    return (f'1.2.3.4 [{time}] "GET {target} HTTP/1.1" {status} 1 "-" "{ua}" cache:"HIT" artifact_size:"{size}" '
            f'rh_org_id:"-" x_forwarded_for:"-"{tail}')


def test_reference_edge_rules_by_hand():
    """The rules the sample does not reach, each worked out by hand. Fails if the reference
    gets any of them wrong (so the comparison with convert would be against a wrong oracle)."""
    rpm = "/api/pulp-content/d/r/"
    # Epoch: digits that fit int32, else the file name is malformed; only the first ':' splits.
    assert _row(_line(rpm + "a-2147483647:1-2.x86_64.rpm"))[1]["epoch"] == 2147483647
    assert _row(_line(rpm + "a-2147483648:1-2.x86_64.rpm")) == ("skipped", "file-name")
    assert _row(_line(rpm + "a-x:1-2.x86_64.rpm")) == ("skipped", "file-name")
    got = _row(_line(rpm + "a-1:2:3-4.x86_64.rpm"))[1]
    assert (got["epoch"], got["package_version"], got["release"]) == (1, "2:3", "4")
    assert _row(_line(rpm + "foo-1.x86_64.rpm")) == ("skipped", "file-name")
    # Packages/<one letter or digit> is dropped once; two letters are not; repodata likewise.
    assert _row(_line("/api/pulp-content/d/r/Packages/z/a-1-2.x86_64.rpm"))[1]["distribution"] == "r"
    assert _row(_line("/api/pulp-content/d/r/Packages/zz/a-1-2.x86_64.rpm"))[1]["distribution"] == "r/Packages/zz"
    assert _row(_line("/api/pulp-content/d/r/repodata/a-1-2.x86_64.rpm"))[1]["distribution"] == "r"
    assert _row(_line("/api/pulp-content/d/Packages/z/a-1-2.x86_64.rpm")) == ("skipped", "path")
    assert _row(_line("/api/pulp-content/d/a-1-2.x86_64.rpm")) == ("skipped", "path")
    # Query and fragment are cut before the path rules; artifact_path has neither.
    got = _row(_line("/api/pulp-content/d/r/a-1-2.x86_64.rpm?x=1#y"))[1]
    assert got["artifact_path"] == "/api/pulp-content/d/r/a-1-2.x86_64.rpm"
    # request_time: seconds × 1000, IEEE doubles, ties to even; not a plain decimal → null.
    for rt, ms in (("0.0025", 2), ("0.0035", 4), ("3.", 3000), ("1e3", None), ("-", None), ("", None),
                   (".5", None), ("2147483.647", 2147483647), ("2147483.648", None)):
        assert _row(_line(rpm + "a-1-2.x86_64.rpm", rt=rt))[1]["request_time_ms"] == ms, rt
    assert _row(_line(rpm + "a-1-2.x86_64.rpm"))[1]["request_time_ms"] is None  # older line
    # status and size: digits only; status 100..599; size fits int64.
    for status, want in (("99", None), ("600", None), ("0200", 200), ("-", None)):
        assert _row(_line(rpm + "a-1-2.x86_64.rpm", status=status))[1]["status_code"] == want
    for size, want in (("9223372036854775807", 2**63 - 1), ("9223372036854775808", None), ("-5", None)):
        assert _row(_line(rpm + "a-1-2.x86_64.rpm", size=size))[1]["artifact_size"] == want
    # Timestamp: @timestamp, else the line's time (with its offset), else malformed — but only
    # for a row that passed every skip rule.
    line = _line(rpm + "a-1-2.x86_64.rpm", time="20/Jul/2026:11:00:00 +0200")
    assert _row(line, None)[1]["timestamp"] == _ns(2026, 7, 20, 9, 0, 0)
    assert _row(line, "2026-07-20T10:00:00.5+01:00")[1]["timestamp"] == _ns(2026, 7, 20, 9, 0, 0, 500)
    assert _row(_line(rpm + "a-1-2.x86_64.rpm", time="x"), "garbage") == ("malformed", "timestamp")
    assert _row(_line(rpm + "bogus.rpm", time="x"), None) == ("skipped", "file-name")
    # Maven: at least 4 segments (after the drop); classifier may be empty; no other suffix.
    mvn = "/api/pulp-content/d/repo/g/a/1.0/"
    got = content_rows.parse("content-maven", None, _line(mvn + "a-1.0-.jar"), None)[1]
    assert (got["classifier"], got["packaging"], got["group_id"]) == ("", "jar", "g")
    assert content_rows.parse("content-maven", None, _line("/api/pulp-content/d/repo/a/1.0/a-1.0.jar"), None) \
        == ("skipped", "path")
    assert content_rows.parse("content-maven", None, _line(mvn + "a-1.0.tar.jar"), None) == ("skipped", "file-name")
    assert content_rows.parse("content-maven", None, _line(mvn + "b-1.0.jar"), None) == ("skipped", "file-name")
    # Wheels: a build tag starts with a digit; `-b1-` is no build tag, so no wheel name.
    assert content_rows.parse("content-python", None, _line(
        "/api/pulp-content/d/r/p-1-b1-py3-none-any.whl"), None) == ("skipped", "file-name")
    # A user agent holding raw quotes is taken whole, as logged (no unescaping).
    got = _row(_line(rpm + "a-1-2.x86_64.rpm", ua='a" "b \\" c'))[1]
    assert got["user_agent"] == 'a" "b \\" c'


def test_generated_cases_cover_the_rules():
    """The generated input holds what the convert tests are about (fails if the generator drifts
    into easy cases): many kept rows per dataset, every skip reason, malformed rows, timestamp
    ties, fallback timestamps, invalid UTF-8, U+0000, raw quotes, build tags, epochs, classifiers."""
    lines = content_cases.edge_lines()
    raw = b"\n".join(lines)
    for needle in (b"\xff", b"\xc0\xaf", b"\\u0000", b"\\ud800", b'\\"log\\"', b"request_time", b".whl.metadata",
                   b"Packages/z/", b"repodata", b".jar.sha1", b"-SNAPSHOT", b"?token=", b"1e3", b"0.0025"):
        assert needle in raw, needle
    assert sum(b'"@timestamp"' not in l for l in lines) > 300
    assert sum(b'"@ptr"' not in l for l in lines) > 300
    for dataset in DATASETS:
        rows, counts = content_rows.evaluate(dataset, lines)
        assert counts["kept"] > 800 and counts["timestamp"] > 40, (dataset, counts)
        assert all(counts[r] > 100 for r in SKIP_REASONS), (dataset, counts)
        stamps = Counter(r["timestamp"] for r in rows)
        assert sum(n for n in stamps.values() if n > 1) > 300, "too few timestamp ties"
        # Rows equal in both timestamp and @ptr, whose order only the input order decides.
        keys = Counter()
        for line in lines:
            raw = content_rows.decode_row(line)
            got = content_rows.parse(dataset, raw["@timestamp"], raw["@message"], raw["@ptr"])
            if got[0] == "kept":
                keys[(got[1]["timestamp"], raw["@ptr"] or "")] += 1
        assert sum(n for n in keys.values() if n > 1) > 50, "too few full ties"
        assert sum(r["request_time_ms"] is None for r in rows) > 100
        assert sum(r["request_time_ms"] is not None for r in rows) > 300
        assert sum("\x00" in r["user_agent"] for r in rows) > 20
        assert sum("\ufffd" in r["user_agent"] for r in rows) > 40
        assert sum('"' in r["user_agent"] for r in rows) > 100
        assert sum(r["artifact_size"] == 2**63 - 1 for r in rows) > 5
        assert {r["cache_hit"] for r in rows} == {True, False, None}
        assert sum(r["status_code"] is None for r in rows) > 50
    rpm, _ = content_rows.evaluate("content-rpm", lines)
    assert sum(r["epoch"] > 0 for r in rpm) > 100 and sum(r["architecture"] == "noarch" for r in rpm) > 50
    py, _ = content_rows.evaluate("content-python", lines)
    assert sum(r["build_tag"] is not None for r in py) > 100
    assert sum(r["artifact_path"].endswith(".metadata") for r in py) > 100
    mvn, _ = content_rows.evaluate("content-maven", lines)
    assert sum(r["classifier"] is not None for r in mvn) > 200 and sum(r["classifier"] == "" for r in mvn) > 20
    assert {r["packaging"] for r in mvn} == {"jar", "pom"}


# ---- convert against the reference -----------------------------------------------------------

@pytest.fixture(scope="module")
def edge_input(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("content") / "edge.ndjson"
    content_cases.write_lines(path, content_cases.edge_lines())
    return path


@pytest.mark.parametrize("dataset", DATASETS)
def test_generated_cases_cell_for_cell(bins, edge_input, tmp_path, dataset):
    """Five thousand edge-case lines through `convert --dataset`: every cell as the reference
    has it in four readers, rows in (timestamp, @ptr) order, the exact schema, the skip and
    malformed counts. Fails on any rule the Swift parser reads differently from the reference."""
    out = tmp_path / f"{dataset}.parquet"
    stdout = convert(bins, dataset, edge_input, out)
    rows, counts = content_rows.evaluate(dataset, lines_of(edge_input))
    check_counts(stdout, counts)
    check_file(out, dataset, rows)
    assert pq.read_table(out).equals(content_rows.table_of(dataset, rows))


@pytest.mark.parametrize("dataset", DATASETS)
def test_sample_fixture_cell_for_cell(bins, fixtures_dir, tmp_path, dataset):
    """The shipped sample through `convert --dataset`: exactly the hand-checked rows of the
    dataset, in time order. Fails if convert keeps, drops or changes any of them."""
    src = fixtures_dir / SAMPLE
    out = tmp_path / f"{dataset}.parquet"
    stdout = convert(bins, dataset, src, out)
    rows, counts = content_rows.evaluate(dataset, lines_of(src))
    by_hand = sorted((row for owner, row in SAMPLE_BY_HAND if owner == dataset), key=lambda r: r["timestamp"])
    assert rows == by_hand
    check_counts(stdout, counts)
    check_file(out, dataset, rows)


@pytest.mark.parametrize("dataset", DATASETS)
def test_zero_row_file(bins, fixtures_dir, tmp_path, dataset):
    """An input of which the dataset keeps nothing (the other datasets' sample lines) still
    gives a valid zero-row file with the dataset's schema, read by all four readers — as
    `convert` does for access. Fails if the file is missing, unreadable or has another schema."""
    kept_elsewhere = [line for line, (owner, _) in zip(lines_of(fixtures_dir / SAMPLE), SAMPLE_BY_HAND)
                      if owner != dataset]
    src = tmp_path / "others.ndjson"
    content_cases.write_lines(src, kept_elsewhere)
    out = tmp_path / f"{dataset}-empty.parquet"
    stdout = convert(bins, dataset, src, out)
    rows, counts = content_rows.evaluate(dataset, kept_elsewhere)
    assert rows == [] and counts["other-dataset"] > 0
    check_counts(stdout, counts)
    check_file(out, dataset, [])

"""`pulp-backfill convert`: every file it writes reads identically in pyarrow, DuckDB,
polars and fastparquet, with the seed exporter's exact schema, correct statistics and
the chosen codec; bad input fails cleanly without leaving a file behind."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import fastparquet
import pyarrow.parquet as pq
import pytest

import corpus
from access_rows import COLUMNS, SEED_SCHEMA, access_line, decode_ndjson_line, expected_rows, load_ndjson, repair_utf8
from readers import READERS, as_tuples

CODEC_NAMES = {"snappy": "SNAPPY", "zstd": "ZSTD", "none": "UNCOMPRESSED"}
SUMMARY = re.compile(r"(\d+) rows written, (\d+) skipped, (\d+) malformed")


def convert(bins: Path, inp: Path, out: Path, *extra: str, expect_ok=True):
    p = subprocess.run([str(bins / "pulp-backfill"), "convert", "--input", str(inp), "--output", str(out), *extra],
                       capture_output=True, text=True, timeout=300)
    if expect_ok:
        assert p.returncode == 0, p.stderr
    return p


def load_raw(path: Path):
    """The input rows as the reference reads them: from the file's bytes, with its own JSON and
    UTF-8 decoding (never the converter's)."""
    return load_ndjson(path)


def check_file(path: Path, expected: list[dict], codec="snappy"):
    """All four readers agree with the expected rows; schema, codec, stats and created_by hold."""
    want = as_tuples(expected)
    for name, reader in READERS.items():
        got = reader(path)
        assert len(got) == len(want), f"{name}: {len(got)} rows, expected {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert g == w, f"{name}: row {i} differs:\n got {g}\nwant {w}"

    assert pq.read_table(path).schema.equals(SEED_SCHEMA, check_metadata=False), pq.read_table(path).schema
    meta = pq.ParquetFile(path).metadata
    assert meta.created_by.startswith("pulp-backfill version "), meta.created_by
    assert meta.num_rows == len(expected)

    first = 0
    for g in range(meta.num_row_groups):
        rg = meta.row_group(g)
        rows = expected[first:first + rg.num_rows]
        first += rg.num_rows
        for j, col in enumerate(COLUMNS):
            cc = rg.column(j)
            assert cc.compression == CODEC_NAMES[codec], (col, cc.compression)
            check_statistics(col, cc.statistics, [r[col] for r in rows])
    assert first == len(expected)


def check_statistics(col, stats, values):
    assert stats is not None, f"{col}: no statistics"
    present = [v for v in values if v is not None]
    assert stats.null_count == len(values) - len(present), col
    if not present:
        assert not stats.has_min_max, col
        return
    if col in ("timestamp", "status_code"):
        assert stats.has_min_max, col
        assert (stats.min_raw, stats.max_raw) == (min(present), max(present)), col
        return
    big = max(len(v.encode()) for v in present) > 4096
    if not stats.has_min_max:
        assert big, f"{col}: min/max missing for small values"
        return
    raw_min, raw_max = stats.min_raw, stats.max_raw
    raw_min = raw_min if isinstance(raw_min, bytes) else raw_min.encode()
    raw_max = raw_max if isinstance(raw_max, bytes) else raw_max.encode()
    lo, hi = min(v.encode() for v in present), max(v.encode() for v in present)
    if big:  # truncated statistics must still bound every value
        assert raw_min <= lo and raw_max >= hi, col
    else:
        assert (raw_min, raw_max) == (lo, hi), col


def test_sample_fixture(bins, fixtures_dir, tmp_path):
    src = fixtures_dir / "sample-events.ndjson"
    out = tmp_path / "sample.parquet"
    p = convert(bins, src, out)
    kept, skipped, malformed = expected_rows(load_raw(src))
    assert len(kept) == 6 and skipped == 4 and malformed == 0
    m = SUMMARY.search(p.stdout)
    assert m and tuple(map(int, m.groups())) == (len(kept), skipped, malformed), p.stdout
    check_file(out, kept)


@pytest.mark.parametrize("codec", ["snappy", "zstd", "none"])
def test_edge_corpus_every_codec(bins, tmp_path, codec):
    rows = corpus.edge_rows()
    src = tmp_path / "edge.ndjson"
    corpus.write_ndjson(src, rows)
    out = tmp_path / f"edge-{codec}.parquet"
    p = convert(bins, src, out, "--compression", codec)
    kept, skipped, malformed = expected_rows(load_raw(src))
    m = SUMMARY.search(p.stdout)
    assert m and tuple(map(int, m.groups())) == (len(kept), skipped, malformed), p.stdout
    check_file(out, kept, codec)


def test_json_escapes_invalid_utf8_and_nul_cell_for_cell(bins, tmp_path):
    """Strings with `\\uXXXX` escapes (é, 😀 as a surrogate pair), `\\/` in paths, U+0000 in
    user agents, users, packages and @ptr, lone surrogate escapes and raw invalid UTF-8 bytes —
    at the NDJSON level and inside the OpenShift wrapper — come out of `convert` exactly as the
    reference decodes them, cell for cell in four readers, in (timestamp, @ptr) order. Fails on
    any escape decoded differently, a repair that differs from U+FFFD per maximal invalid
    subsequence, a string cut at U+0000, or an order that treats @ptr differently."""
    lines = corpus.escape_lines()
    src = tmp_path / "escapes.ndjson"
    corpus.write_lines(src, lines)
    out = tmp_path / "escapes.parquet"
    p = convert(bins, src, out)
    kept, skipped, malformed = expected_rows(load_raw(src))
    m = SUMMARY.search(p.stdout)
    assert m and tuple(map(int, m.groups())) == (len(kept), skipped, malformed), p.stdout
    check_file(out, kept)

    # The corpus holds what this test is about (fails if it drifts into plain text).
    raw = b"".join(lines)
    for needle in (b"\\u00e9", b"\\ud83d\\ude00", b"\\u0000", b"\\/api\\/pypi\\/", b"\\\\/api\\\\/pypi",
                   b"\\ud800", b"\xff", b"\xc0\xaf", b"\xed\xa0\x80"):
        assert needle in raw, needle
    assert raw.count(b"\xf0\x9f\x98") > raw.count(b"\xf0\x9f\x98\x80")          # a cut-short sequence
    assert re.search(rb"\xc3(?![\x80-\xbf])", raw)                               # a lead byte alone
    def cells(col):
        return [r[col] for r in kept if r[col] is not None]
    assert sum("\x00" in v for v in cells("user_agent")) > 10
    assert sum("\x00" in v for v in cells("user")) > 10
    assert sum("\x00" in v for v in cells("package")) > 5
    assert sum("\ufffd" in v for v in cells("user_agent") + cells("package") + cells("distribution")) > 20
    assert any("\U0001F600" in v for v in cells("user_agent")) and any("\u00e9" in v for v in cells("domain"))
    assert sum("\x00" in r["_ptr"] or "\ufffd" in r["_ptr"] for r in kept) > 20
    assert len(kept) > 200 and skipped > 10


def test_older_line_shapes_cell_for_cell(bins, tmp_path):
    """The three shapes a backfill of history meets — label-less lines from before 2026-01-06
    (the user is the token before `[time]`), `user:… org_id:…` lines, and lines ending with
    `x_forwarded_for:"…"` — each with and without the production wrapper `(pulp [cid]: … )`,
    JSON-wrapped or plain, with `-` users, users with odd characters, and label-less starts that
    must not give a user (two or four tokens before `[`, doubled spaces, no `pulp [CID]: `).
    `convert` must match the reference cell for cell in four readers, and the reference must
    give what the generator meant each line to hold. Fails if an older line loses its user, a
    wrong start takes one, or the wrapper's `)` costs or changes any other value."""
    rows, intended = corpus.older_shape_rows()
    src = tmp_path / "older.ndjson"
    corpus.write_ndjson(src, rows)
    out = tmp_path / "older.parquet"
    p = convert(bins, src, out)
    kept, skipped, malformed = expected_rows(load_raw(src))
    m = SUMMARY.search(p.stdout)
    assert m and tuple(map(int, m.groups())) == (len(kept), skipped, malformed), p.stdout

    # The reference against the generator's own record of each line (so the oracle is not
    # merely agreeing with the converter): user, org_id, status, user agent, x_forwarded_for.
    for r in kept:
        want = intended[r["_ptr"]]
        assert {k: r[k] for k in want} == want, (r["message"], want)

    # The corpus holds what this test is about (fails if the generator drifts).
    lines = {r["_ptr"]: access_line(r["message"]) for r in kept}
    labelless = [r for r in kept if "user:" not in lines[r["_ptr"]]]
    older_user = [r for r in labelless if r["user"] is not None]
    assert len(kept) > 2900 and len(older_user) > 700
    assert sum(lines[r["_ptr"]].startswith("(pulp [") for r in older_user) > 300
    assert sum(not lines[r["_ptr"]].startswith("(") for r in older_user) > 300
    assert sum(r["user"] is None and "pulp [" in lines[r["_ptr"]] for r in labelless) > 250  # "-" and wrong starts
    for odd in ("\u00e9", "\U0001F600", "(", ")", "[", "]", ":", "\t", "\\"):
        assert any(odd in r["user"] for r in older_user), odd
    assert sum(lines[r["_ptr"]].endswith('")') and r["x_forwarded_for"] is not None for r in kept) > 100
    check_file(out, kept)


def test_reference_decoders_are_sound():
    """The reference's own decoders, checked against outside authorities so the oracle above
    is not just agreeing with itself: UTF-8 repair gives the Unicode Standard's example for
    "U+FFFD substitution of maximal subparts" (table 3-8) and matches Python's codec on random
    bytes; the JSON decoder reads valid, surrogate-free lines exactly as Python's `json` does.
    Fails if either reference decoder is wrong."""
    table_3_8 = bytes.fromhex("61F18080E180C2628063 80BF64".replace(" ", ""))
    assert repair_utf8(table_3_8) == "a\ufffd\ufffd\ufffdb\ufffdc\ufffd\ufffdd"
    import random
    rng = random.Random(8)
    edgy = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF,
            0xF0, 0xF4, 0xF5, 0xFF]
    for _ in range(20000):
        data = bytes(rng.choice(edgy) if rng.random() < 0.7 else rng.randrange(256) for _ in range(rng.randrange(10)))
        assert repair_utf8(data) == data.decode("utf-8", errors="replace"), data
    for row in corpus.edge_rows(seed=21) + corpus.big_message_rows(n=2, size=1000):
        line = json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=rng.random() < 0.5)
        want = {k: v for k, v in json.loads(line).items() if isinstance(v, str)}
        assert decode_ndjson_line(line.encode()) == want, line


def test_query_results_input_gives_identical_file(bins, tmp_path):
    rows = corpus.edge_rows(seed=3)
    nd, qr = tmp_path / "rows.ndjson", tmp_path / "saved-results.json"
    corpus.write_ndjson(nd, rows)
    corpus.write_query_results(qr, rows)
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    convert(bins, nd, a)
    convert(bins, qr, b)
    assert a.read_bytes() == b.read_bytes()
    check_file(b, expected_rows(load_raw(nd))[0])


def test_large_scrambled_input_parsed_in_slices(bins, tmp_path):
    """Inputs over 1 MiB are parsed in many slices at once: rows scrambled across slices, with
    many timestamp ties, still come out in file order, every cell as the reference has it."""
    import random
    rows = []
    for seed in range(40):
        rows += corpus.edge_rows(seed=100 + seed)
    # Plus lines with escapes, U+0000 and invalid UTF-8, which must survive slicing too.
    lines = [json.dumps({k: v for k, v in r.items() if v is not None}, ensure_ascii=False).encode() for r in rows]
    lines += corpus.escape_lines(n=1500, seed=99)
    random.Random(5).shuffle(lines)
    src = tmp_path / "big.ndjson"
    corpus.write_lines(src, lines)
    assert src.stat().st_size > 2 << 20
    out = tmp_path / "big.parquet"
    p = convert(bins, src, out, "--row-group-rows", "700")
    kept, skipped, malformed = expected_rows(load_raw(src))
    m = SUMMARY.search(p.stdout)
    assert m and tuple(map(int, m.groups())) == (len(kept), skipped, malformed), p.stdout
    assert pq.ParquetFile(out).metadata.num_row_groups > 1
    check_file(out, kept)


def test_input_from_a_pipe(bins, fixtures_dir, tmp_path):
    src = fixtures_dir / "sample-events.ndjson"
    out = tmp_path / "piped.parquet"
    with open(src, "rb") as f:
        p = subprocess.run([str(bins / "pulp-backfill"), "convert", "--input", "/dev/stdin", "--output", str(out)],
                           stdin=f, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    check_file(out, expected_rows(load_raw(src))[0])


def test_filters(bins, tmp_path):
    rows = corpus.edge_rows(seed=4)
    src = tmp_path / "rows.ndjson"
    corpus.write_ndjson(src, rows)
    out = tmp_path / "f.parquet"
    convert(bins, src, out, "--filter-paths", "/api/pypi/acme/,/api/pypi/public/",
            "--exclude-paths", "/api/pypi/acme/prod/simple/numpy,/livez")
    kept, _, _ = expected_rows(load_raw(src), ["/api/pypi/acme/", "/api/pypi/public/"],
                               ["/api/pypi/acme/prod/simple/numpy", "/livez"])
    assert kept and all(r["domain"] in ("acme", "public") for r in kept)
    check_file(out, kept)


def test_hundred_kilobyte_messages(bins, tmp_path):
    src = tmp_path / "big.ndjson"
    corpus.write_ndjson(src, corpus.big_message_rows())
    out = tmp_path / "big.parquet"
    convert(bins, src, out)
    kept, _, _ = expected_rows(load_raw(src))
    assert len(kept) == 12 and all(len(r["message"]) > 100_000 for r in kept)
    check_file(out, kept)


def test_all_null_columns(bins, tmp_path):
    src = tmp_path / "nulls.ndjson"
    corpus.write_ndjson(src, corpus.all_null_rows())
    out = tmp_path / "nulls.parquet"
    convert(bins, src, out)
    kept, _, _ = expected_rows(load_raw(src))
    assert len(kept) == 50
    for col in ("user", "org_id", "status_code", "user_agent", "x_forwarded_for"):
        assert all(r[col] is None for r in kept), col
    check_file(out, kept)


def test_zero_row_file(bins, tmp_path):
    src = tmp_path / "skips.ndjson"
    corpus.write_ndjson(src, [{"@timestamp": "2026-02-04 14:00:00.000", "@message": "GET /livez", "@ptr": "x"}])
    out = tmp_path / "empty.parquet"
    p = convert(bins, src, out)
    assert SUMMARY.search(p.stdout).groups() == ("0", "1", "0")
    check_file(out, [])


def test_multiple_row_groups_and_pages(bins, tmp_path):
    src = tmp_path / "bulk.ndjson"
    corpus.write_ndjson(src, corpus.bulk_rows(3000))
    out = tmp_path / "bulk.parquet"
    convert(bins, src, out, "--row-group-rows", "1000", "--data-page-bytes", "16384")
    kept, _, _ = expected_rows(load_raw(src))
    meta = pq.ParquetFile(out).metadata
    assert meta.num_row_groups == -(-len(kept) // 1000)
    msg = COLUMNS.index("message")
    # ~1000 messages of ~700 bytes cannot fit one 16 KiB page: the chunk must hold many pages.
    assert meta.row_group(0).column(msg).total_uncompressed_size > 20 * 16384
    check_file(out, kept)


def test_dictionary_per_chunk_never_mixed(bins, tmp_path):
    """Unique messages overflow a dictionary: that chunk is PLAIN throughout, while
    low-cardinality columns are dictionary-encoded; fastparquet (which loses values of
    mixed chunks) reads every cell — checked in check_file."""
    src = tmp_path / "bulk.ndjson"
    corpus.write_ndjson(src, corpus.bulk_rows(6000, seed=9))
    out = tmp_path / "dict.parquet"
    convert(bins, src, out)
    kept, _, _ = expected_rows(load_raw(src))
    check_file(out, kept)
    pf = fastparquet.ParquetFile(str(out))
    for rg in pf.row_groups:
        for cc in rg.columns:
            name = cc.meta_data.path_in_schema[0]
            data_encodings = {s.encoding for s in (cc.meta_data.encoding_stats or []) if s.page_type == 0}
            # 0 = PLAIN, 8 = RLE_DICTIONARY, 2 = PLAIN_DICTIONARY
            assert not (0 in data_encodings and (data_encodings & {2, 8})), f"{name}: mixed {data_encodings}"
            if name == "message":
                assert data_encodings == {0}, data_encodings
            if name in ("domain", "user", "package"):
                assert data_encodings & {2, 8}, f"{name}: expected a dictionary, got {data_encodings}"


# ---- bad input: one line on stderr, right exit code, no output file -------------------------

def assert_clean_failure(p, code, out: Path):
    assert p.returncode == code, (p.returncode, p.stderr)
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    assert len(lines) == 1, p.stderr
    assert "Fatal error" not in p.stderr and "Stack" not in p.stderr
    if out.is_dir():
        return
    assert not out.exists(), "a failed run left an output file"
    if out.parent.is_dir():
        assert not [f for f in out.parent.iterdir() if f.name.startswith("." + out.name)], "temp file left behind"


def test_missing_input(bins, tmp_path):
    out = tmp_path / "o.parquet"
    assert_clean_failure(convert(bins, tmp_path / "nope.ndjson", out, expect_ok=False), 2, out)


def test_directory_as_input(bins, tmp_path):
    out = tmp_path / "o.parquet"
    assert_clean_failure(convert(bins, tmp_path, out, expect_ok=False), 2, out)


def test_invalid_json_leaves_no_file_and_keeps_old_one(bins, tmp_path):
    src = tmp_path / "bad.ndjson"
    rows = corpus.bulk_rows(2000)
    corpus.write_ndjson(src, rows)
    with open(src, "a") as f:
        f.write('{"@timestamp": "2026-02-04 14:00:00.000", "@message": "unterminated\n')
    out = tmp_path / "o.parquet"
    assert_clean_failure(convert(bins, src, out, expect_ok=False), 1, out)
    assert "line 2001" in convert(bins, src, out, expect_ok=False).stderr
    out.write_bytes(b"previous export")
    p = convert(bins, src, out, expect_ok=False)
    assert p.returncode == 1 and out.read_bytes() == b"previous export"


def test_directory_as_output(bins, fixtures_dir, tmp_path):
    p = convert(bins, fixtures_dir / "sample-events.ndjson", tmp_path, expect_ok=False)
    assert_clean_failure(p, 2, tmp_path)


def test_output_in_missing_directory(bins, fixtures_dir, tmp_path):
    out = tmp_path / "missing" / "o.parquet"
    assert_clean_failure(convert(bins, fixtures_dir / "sample-events.ndjson", out, expect_ok=False), 2, out)


def test_unwritable_output(bins, fixtures_dir, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o555)
    out = ro / "o.parquet"
    try:
        if os.access(ro, os.W_OK):  # root ignores permissions: use a filesystem nobody may write
            out = Path("/proc/pulp-backfill-test.parquet")
        p = convert(bins, fixtures_dir / "sample-events.ndjson", out, expect_ok=False)
        assert p.returncode == 1, p.stderr
        assert len([l for l in p.stderr.splitlines() if l.strip()]) == 1
        assert not out.exists()
    finally:
        os.chmod(ro, 0o755)


def test_unknown_codec(bins, fixtures_dir, tmp_path):
    out = tmp_path / "o.parquet"
    p = convert(bins, fixtures_dir / "sample-events.ndjson", out, "--compression", "lz4", expect_ok=False)
    assert_clean_failure(p, 2, out)
    assert "lz4" in p.stderr

"""`pulp-backfill backfill --dataset content-python|content-rpm|content-maven` end to end
against insights-sim serving content-app lines beside the API lines of one log group: every
hourly file equals, cell for cell and in four readers, the independent Python reference
(`content_rows.py`) applied to the simulator's ground truth for that hour; the skip counts
equal the reference's over the rows the server returns; SIGKILL and the same command gives
the same bytes; datasets sharing a catalog stay apart; an hour without rows of the dataset
writes no file unless `--write-empty`; `status` counts an hour found at its destination after
a kill consistently."""
from __future__ import annotations

import functools
import json
import random
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import content_rows
from access_rows import SEED_SCHEMA
from conftest import bin_dir
from content_rows import DATASETS, FILE_STEMS, SCHEMAS, SKIP_REASONS
from servers import InsightsSim
from test_backfill import FAST, GROUP, catalog_json, env_for, hour_of_file, pulp
from test_content_convert import check_file

# A small corpus: ~300 API lines and ~600 content-app lines an hour, no bursts. The served
# window spans midnight of 2026-07-17, the day the content lines start to log request_time,
# so the hours hold both line shapes.
SHAPE = ["--seed", "11", "--events-per-hour", "300", "--burst-every", "0", "--content-per-hour", "600"]
SERVED = ("2026-07-16T22:00:00Z", "2026-07-17T02:00:00Z")
# The backfilled range: the four served hours and one after them, in which the simulator has
# no event at all.
START, END = "2026-07-16T22:00:00Z", "2026-07-17T03:00:00Z"
HOUR_NS = 3_600_000_000_000
STEMS = {"access": "pulp_access_logs", **FILE_STEMS}


@pytest.fixture(scope="module")
def sim():
    s = InsightsSim(*SHAPE, "--start", SERVED[0], "--end", SERVED[1], *FAST)
    yield s
    s.stop()


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def hours_of(start: str, end: str) -> list[datetime]:
    t = datetime.fromisoformat(start.replace("Z", "+00:00"))
    stop = datetime.fromisoformat(end.replace("Z", "+00:00"))
    out = []
    while t < stop:
        out.append(t)
        t += timedelta(hours=1)
    return out


@functools.lru_cache(maxsize=None)
def served_lines(start: str, end: str) -> tuple[str, ...]:
    """The simulator's ground truth for [start, end) cut to the window the module's simulator
    serves (outside it the simulator answers no event)."""
    lo, hi = max(start, SERVED[0]), min(end, SERVED[1])
    if lo >= hi:
        return ()
    out = subprocess.run([str(bin_dir() / "insights-sim"), "expected", "--start", lo, "--end", hi, *SHAPE],
                         check=True, capture_output=True, text=True).stdout
    return tuple(line for line in out.splitlines() if line.strip())


def backfill_cmd(dataset: str, out: Path, catalog: Path, *extra: str, start=START, end=END,
                 concurrency=16) -> list[str]:
    """The command a user types (hive layout, default lease), fast quotas for the simulator."""
    return ["backfill", "--dataset", dataset, "--cloudwatch-group", GROUP, "--start-time", start, "--end-time", end,
            "--output-path", str(out), "--catalog", str(catalog), "--concurrency", str(concurrency),
            "--start-rate", "100", "--poll-rate", "200", *extra]


def status_of(catalog: Path, env: dict, dataset: str) -> dict:
    p = pulp("status", "--catalog", str(catalog), "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    found = [b for b in json.loads(p.stdout)["backfills"] if b["dataset"] == dataset]
    assert len(found) == 1, p.stdout
    return found[0]


# ---- what the server returns -----------------------------------------------------------------

# The content datasets' server-side filter, written here from README "Datasets" (the content
# path prefix, `/` possibly JSON-escaped as `\/`, and one of the dataset's file suffixes anywhere
# in @message; `.whl` also covers `.whl.metadata`). Only rows it lets through reach the
# client, so only they are counted as skipped.
CONTENT_PATH = re.compile(r"\\?/api\\?/pulp-content\\?/")
SERVER_SUFFIXES = {"content-python": (".whl",), "content-rpm": (".rpm",), "content-maven": (".jar", ".pom")}


def server_returns(dataset: str, line: str) -> bool:
    message = json.loads(line).get("@message") or ""
    return bool(CONTENT_PATH.search(message)) and any(s in message for s in SERVER_SUFFIXES[dataset])


def reference_outcomes(dataset: str, lines: list[str]) -> Counter:
    """The reference's outcomes over the rows the server returns; the filter must lose no row
    the reference keeps (fails if the filter written above, or the tool's, drops a kept row)."""
    returned = [l for l in lines if server_returns(dataset, l)]
    _, counts = content_rows.evaluate(dataset, returned)
    assert counts["kept"] == content_rows.evaluate(dataset, lines)[1]["kept"]
    return counts


def status_totals(counts: Counter) -> dict:
    """What `status --format json` must report for these reference outcomes."""
    return {"rows": counts["kept"], "skipped": sum(counts[r] for r in SKIP_REASONS),
            "malformed": counts["timestamp"]}


def status_reasons(counts: Counter) -> dict:
    return {r: counts[r] for r in SKIP_REASONS if counts[r]}


def assert_status_counts(status: dict, dataset: str, counts: Counter):
    """`status --format json` names the dataset and counts rows, skips by reason and malformed
    rows exactly as the reference does over the rows the server returned. Fails if a reason is
    mislabelled, a skipped row is counted twice (or once per retried chunk), or an access reason
    shows up in a content backfill."""
    assert status["dataset"] == dataset
    got = {k: status[k] for k in ("rows", "skipped", "malformed")}
    assert got == status_totals(counts), (got, dict(counts))
    assert status["skipped_by_reason"] == status_reasons(counts), (status["skipped_by_reason"], dict(counts))
    assert set(status["skipped_by_reason"]) <= set(SKIP_REASONS)


# ---- the files -------------------------------------------------------------------------------

def files_by_hour(out: Path, dataset: str, shared: bool = False) -> dict[int, Path]:
    """Hour start (ns) → file, for every Parquet file under `out` named with the dataset's stem;
    fails on a file of another name (unless the folder is `shared` with other datasets) or a
    second file for an hour."""
    stem = STEMS[dataset]
    files = sorted(out.rglob("*.parquet"))
    if shared:
        files = [f for f in files if f.name.startswith(stem + "_")]
    for f in files:
        assert f.name.startswith(stem + "_"), f"{f.name} does not carry the stem of {dataset}"
    by_hour = {hour_of_file(f): f for f in files}
    assert len(by_hour) == len(files), files
    return by_hour


def assert_hour_files_exact(out: Path, dataset: str, start: str, end: str, lines_of_hour=None, write_empty=False,
                            shared=False):
    """Each hour of [start, end) against the reference over the simulator's events of that hour:
    a file holding exactly the reference's rows (cell for cell in four readers, in (timestamp,
    @ptr) order, the exact schema; every timestamp inside the hour its name says), and no file
    for an hour the reference keeps nothing of (a zero-row file with `write_empty`)."""
    by_hour = files_by_hour(out, dataset, shared)
    lines_of_hour = lines_of_hour or (lambda h: served_lines(iso(h), iso(h + timedelta(hours=1))))
    kept_hours = 0
    for hour in hours_of(start, end):
        ns = int(hour.timestamp()) * 1_000_000_000
        lines = lines_of_hour(hour)
        rows, _ = content_rows.evaluate(dataset, lines)
        if not rows and not write_empty:
            # Fails if an hour without rows of the dataset gets a (zero-row) file anyway.
            assert ns not in by_hour, f"{by_hour.get(ns)}: a file for an hour without {dataset} rows"
            continue
        f = by_hour.pop(ns, None)
        # Fails if an hour holding rows has no file.
        assert f is not None, f"no file for {iso(hour)} ({len(rows)} {dataset} rows expected)"
        kept_hours += bool(rows)
        # Fails if a row landed in its neighbour hour's file.
        ts = pq.read_table(f, columns=["timestamp"]).column("timestamp").cast(pa.int64()).to_pylist()
        assert all(ns <= t < ns + HOUR_NS for t in ts), f"{f.name} holds a row outside its hour"
        # Schema, nullability, every cell in pyarrow, DuckDB, polars and fastparquet, row order.
        check_file(f, dataset, rows)
        assert pq.read_schema(f).equals(SCHEMAS[dataset], check_metadata=False)
        assert pq.read_table(f).equals(content_rows.expected_table(dataset, lines))
    # Fails if a file exists for an hour outside the range.
    assert not by_hour, f"unexpected files: {sorted(by_hour.values())}"
    return kept_hours


def assert_catalog_matches(catalog: Path, env: dict, dataset: str, out: Path):
    """`catalog --dataset` lists each hour of the range once, with the file's rows, or none."""
    parts = catalog_json_of(catalog, env, dataset)
    assert [p["hour"] for p in parts] == [iso(h) for h in hours_of(START, END)]
    for part in parts:
        assert part["dataset"] == dataset
        if part["rows"]:
            (uri,) = part["uris"]
            assert Path(uri).parent.parent.parent == out and pq.read_metadata(uri).num_rows == part["rows"]
        else:
            assert part["uris"] == []


def catalog_json_of(catalog: Path, env: dict, dataset: str) -> list[dict]:
    p = pulp("catalog", "--catalog", str(catalog), "--dataset", dataset, "--format", "json", env=env)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def done_chunks(catalog: Path) -> int:
    """Chunks done so far, read from the catalog directly (as test_resume does; spawning
    `status` every few milliseconds would be too slow); 0 before a run created it."""
    if not catalog.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM chunk WHERE state = 'done'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:  # not migrated yet
        return 0


def tree_bytes(out: Path) -> dict[str, bytes]:
    return {str(f.relative_to(out)): f.read_bytes() for f in sorted(out.rglob("*")) if f.is_file()}


# One uninterrupted backfill per dataset, shared by the tests that check it and compare with it.
_CLEAN: dict[str, tuple[Path, Path]] = {}


@pytest.fixture(scope="module")
def clean_runs(sim, tmp_path_factory):
    def run(dataset: str) -> tuple[Path, Path]:
        if dataset not in _CLEAN:
            root = tmp_path_factory.mktemp(f"clean-{dataset}")
            out, catalog = root / "out", root / "c.sqlite"
            p = pulp(*backfill_cmd(dataset, out, catalog), env=env_for(sim), timeout=120)
            assert p.returncode == 0, p.stderr[-3000:]
            _CLEAN[dataset] = (out, catalog)
        return _CLEAN[dataset]
    yield run
    _CLEAN.clear()


# ---- 1. a backfill is exact ------------------------------------------------------------------

@pytest.mark.parametrize("dataset", DATASETS)
def test_backfill_of_a_few_hours_is_exact(sim, clean_runs, dataset):
    """Five hours (the last without any event) into a local hive folder: every hour file is the
    reference's table for that hour in four readers, the empty hour has no file, the catalog
    lists every hour, and `status` counts skips by reason as the reference does."""
    out, catalog = clean_runs(dataset)
    env = env_for(sim)
    # Hive folders and the dataset's own stem.
    assert (out / "date=2026-07-16" / "hour=22" / f"{FILE_STEMS[dataset]}_20260716T220000Z.parquet").exists()
    kept_hours = assert_hour_files_exact(out, dataset, START, END)
    # Fails if the corpus thins out so far that an hour of the range proves nothing.
    assert kept_hours == 4
    assert_catalog_matches(catalog, env, dataset, out)
    counts = reference_outcomes(dataset, served_lines(START, END))
    # Rows that reach the client and are skipped: fails if the corpus stops exercising skips.
    assert counts["kept"] > 200 and sum(counts[r] for r in SKIP_REASONS) > 5, dict(counts)
    status = status_of(catalog, env, dataset)
    assert status["partitions_found"] == 0
    assert_status_counts(status, dataset, counts)


# ---- 2. SIGKILL, then the same command --------------------------------------------------------

@pytest.mark.parametrize("dataset", DATASETS)
def test_sigkill_then_the_same_command_gives_the_same_bytes(sim, clean_runs, tmp_path, dataset):
    """A handful of kill -9 at random moments, then the same command (default lease): it
    finishes (exit 0) and the folder is byte for byte the uninterrupted run's. Fails if a kill
    loses, duplicates or reorders a row, leaves a temporary file, or a resumed hour differs."""
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    # The uninterrupted run carries the whole sparse corpus in one or two density-merged
    # queries, done in one go. This command asks for small merged queries (about two chunks
    # each), four at a time, so that a run gets its chunks done a few at a time over ~5 s and a
    # kill can land between any two of its steps; its files must still be the uninterrupted
    # run's, byte for byte (fails if grouping chunks into queries changes a file).
    cmd = [str(bin_dir() / "pulp-backfill"),
           *backfill_cmd(dataset, out, catalog, "--query-budget", "20", concurrency=4)]
    rng = random.Random(DATASETS.index(dataset) + 5)
    # Kills at random moments: every other one at a random time from the run's start (during
    # start-up, the density counts or the first fetches), the others right after the run got
    # a random number of chunks done (between chunk commits and hour exports).
    kills = 0
    for i in range(5):
        before = done_chunks(catalog)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 2:
            target, deadline = before + rng.randint(1, 10), time.monotonic() + 30
            while proc.poll() is None and done_chunks(catalog) < target and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.1))
        else:
            time.sleep(rng.uniform(0.05, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    done_before_last_run = done_chunks(catalog)
    # Fails if the runs finish before the kills land, or if the kills only ever hit start-ups
    # (no chunk done) or left nothing for the same command to finish.
    assert kills >= 4, kills
    assert 0 < done_before_last_run < 60, done_before_last_run
    # The leases' owners are dead processes on this host: the same command takes their chunks
    # over at once (the timeout is far below the default 300 s lease).
    p = pulp(*cmd[1:], env=env, timeout=90)
    assert p.returncode == 0, p.stderr[-3000:]
    status = status_of(catalog, env, dataset)
    assert status["chunks"]["done"] == status["chunks"]["total"], status["chunks"]
    leftovers = [f for f in tmp_path.rglob("*") if ".tmp-" in f.name]
    assert not leftovers, f"temporary files of killed runs were not cleaned up: {leftovers}"
    clean_out, _ = clean_runs(dataset)
    got, want = tree_bytes(out), tree_bytes(clean_out)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from the uninterrupted run's"
    assert_hour_files_exact(out, dataset, START, END)
    assert_catalog_matches(catalog, env, dataset, out)
    # A kill between a file's rename and the catalog's commit leaves a complete file that the
    # next run finds at its destination (`--if-exists skip`): the hour is registered as found,
    # from the file's footer, and never queried again. Whether `status` then counts that hour's
    # rows and skips (fetched by the killed run) or not is the tool's choice; either way every
    # other hour's rows and skips count exactly once, even when its chunks were retried after a
    # kill: fails if a retried chunk's rows or skips count twice or are lost. (That totals and
    # reasons agree with each other for a found hour is test_a_found_hour_is_counted_consistently.)
    found = {p["hour"] for p in catalog_json_of(catalog, env, dataset) if p["found"]}
    assert status["partitions_found"] == len(found)
    queried = [line for h in hours_of(START, END) if iso(h) not in found
               for line in served_lines(iso(h), iso(h + timedelta(hours=1)))]
    options = [reference_outcomes(dataset, served_lines(START, END)), reference_outcomes(dataset, queried)]
    assert status["dataset"] == dataset
    got = {k: status[k] for k in ("rows", "skipped", "malformed")}
    assert got in [status_totals(c) for c in options], (got, found, options)
    assert status["skipped_by_reason"] in [status_reasons(c) for c in options], (status["skipped_by_reason"], found)


def test_a_found_hour_is_counted_consistently(sim, tmp_path):
    """The state a kill leaves between an hour file's rename and the catalog commit that
    registers it, made on purpose: the hour's chunks done (their rows and skips recorded), the
    file complete at its destination, no partition. The same command then finds the file and
    registers the hour as found; `status` must stay consistent: its rows, skipped total and
    skips by reason either all count the found hour or all leave it out. Fails if the reasons
    count it while the totals do not (or the reverse)."""
    dataset, start, end = "content-python", "2026-07-16T22:00:00Z", "2026-07-17T00:00:00Z"
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    cmd = backfill_cmd(dataset, out, catalog, start=start, end=end)
    p = pulp(*cmd, env=env, timeout=120)
    assert p.returncode == 0, p.stderr[-3000:]
    before = tree_bytes(out)
    hour = datetime(2026, 7, 16, 23, tzinfo=timezone.utc)
    hour_ms = int(hour.timestamp()) * 1000
    # What the killed run's catalog holds: its registration transaction (partition, its files,
    # the chunks marked compacted) never committed. (Its staged rows would still be there;
    # registering a found hour deletes them, so their absence changes nothing here.)
    con = sqlite3.connect(catalog)
    try:
        (partition,) = con.execute("SELECT id FROM partition WHERE hour_ms = ?", (hour_ms,)).fetchone()
        con.execute("DELETE FROM partition_file WHERE partition_id = ?", (partition,))
        con.execute("DELETE FROM partition WHERE id = ?", (partition,))
        con.execute("UPDATE chunk SET compacted = 0 WHERE hour_ms = ?", (hour_ms,))
        con.commit()
    finally:
        con.close()
    p = pulp(*cmd, env=env, timeout=120)
    assert p.returncode == 0 and "1 hour(s) found" in p.stdout, p.stdout + p.stderr[-3000:]
    assert tree_bytes(out) == before
    status = status_of(catalog, env, dataset)
    assert status["partitions_found"] == 1
    everything = reference_outcomes(dataset, served_lines(start, end))
    other_hour = reference_outcomes(dataset, served_lines(start, iso(hour)))
    # The found hour had rows and skips to count (else this proves nothing).
    assert everything["kept"] > other_hour["kept"] and status_reasons(everything) != status_reasons(other_hour)
    got = ({k: status[k] for k in ("rows", "skipped", "malformed")}, status["skipped_by_reason"])
    assert got in [(status_totals(c), status_reasons(c)) for c in (everything, other_hour)], got


# ---- 3. datasets sharing one catalog and one folder --------------------------------------------

def test_datasets_in_one_catalog_are_separate_backfills(sim, tmp_path):
    """access and the three content datasets over the same range into ONE catalog and ONE folder:
    four backfills; `catalog --dataset D` lists only D's hours; each file carries its dataset's
    stem and holds that dataset's rows. Fails if a dataset reuses another's backfill (then it
    would plan no chunks and export nothing), files collide, or the catalog filter leaks."""
    out, catalog = tmp_path / "out", tmp_path / "c.sqlite"
    env = env_for(sim)
    start, end = "2026-07-16T23:00:00Z", "2026-07-17T01:00:00Z"
    for dataset in ("access", *DATASETS):
        p = pulp(*backfill_cmd(dataset, out, catalog, start=start, end=end), env=env, timeout=120)
        assert p.returncode == 0, p.stderr[-3000:]
        done = re.search(r"done: (\d+) chunk\(s\)", p.stdout)
        assert done and int(done.group(1)) > 0, p.stdout
    p = pulp("status", "--catalog", str(catalog), "--format", "json", env=env)
    backfills = json.loads(p.stdout)["backfills"]
    assert sorted(b["dataset"] for b in backfills) == sorted(["access", *DATASETS])
    assert len({b["backfill_id"] for b in backfills}) == 4
    everything = catalog_json(catalog, env)
    assert len(everything) == 4 * len(hours_of(start, end))
    for dataset, stem in STEMS.items():
        parts = catalog_json_of(catalog, env, dataset)
        # Only its own hours, each once.
        assert [p["hour"] for p in parts] == [iso(h) for h in hours_of(start, end)], (dataset, parts)
        assert {p["dataset"] for p in parts} == {dataset}
        for part in parts:
            for uri in part["uris"]:
                assert Path(uri).name.startswith(stem + "_") and Path(uri).name.endswith(
                    part["hour"][:13].replace("-", "").replace(":", "") + "0000Z.parquet"), uri
    # Per hour folder, one file per dataset with rows; each content file exact.
    folder = out / "date=2026-07-16" / "hour=23"
    assert sorted(f.name for f in folder.iterdir()) == sorted(f"{s}_20260716T230000Z.parquet" for s in STEMS.values())
    for dataset in DATASETS:
        assert_hour_files_exact(out, dataset, start, end, shared=True)
        assert_status_counts(status_of(catalog, env, dataset), dataset,
                             reference_outcomes(dataset, served_lines(start, end)))
    # The access files hold exactly what `convert` (access) makes of the hour's events, in the
    # access schema: fails if a content backfill's rows or file replaced an access file's.
    access_files = files_by_hour(out, "access", shared=True)
    assert len(access_files) == 2
    for ns, f in access_files.items():
        hour = datetime.fromtimestamp(ns // 1_000_000_000, timezone.utc)
        events = tmp_path / f"access-{ns}.ndjson"
        events.write_text("\n".join(served_lines(iso(hour), iso(hour + timedelta(hours=1)))) + "\n")
        want = tmp_path / f"access-{ns}.parquet"
        p = pulp("convert", "--input", str(events), "--output", str(want), env=env)
        assert p.returncode == 0, p.stderr
        assert pq.read_schema(f).equals(SEED_SCHEMA, check_metadata=False), f
        assert pq.read_table(f).equals(pq.read_table(want)), f
    # Each backfill counts only its own dataset's skip reasons.
    access_reasons = set(status_of(catalog, env, "access")["skipped_by_reason"])
    assert access_reasons and not access_reasons & set(SKIP_REASONS), access_reasons


# ---- 4. an hour without rows of the dataset ---------------------------------------------------

@pytest.mark.parametrize("dataset", DATASETS)
def test_an_hour_without_rows_of_the_dataset_writes_no_file_unless_write_empty(tmp_path, dataset):
    """A corpus whose first hour holds API lines, other datasets' lines and lines of this
    dataset's kind that its rules skip (so rows do reach the client) but none it keeps: no file
    for that hour by default (the catalog registers it with 0 rows); with `--write-empty` a
    zero-row file with the exact schema, read by all four readers; the next hour is the same
    file either way."""
    start, end = "2026-07-17T01:00:00Z", "2026-07-17T03:00:00Z"
    first, second = hours_of(start, end)
    generated = subprocess.run([str(bin_dir() / "insights-sim"), "expected", "--start", start, "--end", end, *SHAPE],
                               check=True, capture_output=True, text=True).stdout.splitlines()

    def hour_of(line: str) -> datetime:
        return datetime.strptime(json.loads(line)["@timestamp"][:13], "%Y-%m-%d %H").replace(tzinfo=timezone.utc)

    def kept(line: str) -> bool:
        raw = content_rows.decode_row(line)
        return content_rows.parse(dataset, raw["@timestamp"], raw["@message"], raw["@ptr"])[0] == "kept"

    lines = [l for l in generated if l.strip() and not (hour_of(l) == first and kept(l))]
    by_hour = {first: [l for l in lines if hour_of(l) == first], second: [l for l in lines if hour_of(l) == second]}
    counts_first = reference_outcomes(dataset, by_hour[first])
    # The first hour: rows reach the client and are all skipped (fails if the corpus gives this
    # dataset no skipped row that hour: then "no rows of the dataset" would just be "no rows").
    assert counts_first["kept"] == 0 and sum(counts_first[r] for r in SKIP_REASONS) > 0, dict(counts_first)
    events = tmp_path / "events.ndjson"
    events.write_text("\n".join(lines) + "\n")
    sim = InsightsSim("--events", str(events), *FAST)
    try:
        env = env_for(sim)
        runs = {}
        for name, extra in (("default", ()), ("write-empty", ("--write-empty",))):
            out, catalog = tmp_path / name / "out", tmp_path / name / "c.sqlite"
            catalog.parent.mkdir()
            p = pulp(*backfill_cmd(dataset, out, catalog, *extra, start=start, end=end), env=env, timeout=120)
            assert p.returncode == 0, p.stderr[-3000:]
            assert_hour_files_exact(out, dataset, start, end, lines_of_hour=by_hour.__getitem__,
                                    write_empty=bool(extra))
            assert_status_counts(status_of(catalog, env, dataset), dataset, reference_outcomes(dataset, lines))
            parts = {p["hour"]: p for p in catalog_json_of(catalog, env, dataset)}
            assert parts[iso(first)]["rows"] == 0
            runs[name] = (out, parts)
        # Default: no file for the first hour, registered without a uri.
        out, parts = runs["default"]
        assert parts[iso(first)]["uris"] == [] and not list(out.rglob("*20260717T010000Z*"))
        # --write-empty: a zero-row file with the dataset's exact schema (check_file above read
        # it in the four readers), registered with its uri.
        out_empty, parts_empty = runs["write-empty"]
        (empty,) = out_empty.rglob("*20260717T010000Z.parquet")
        assert pq.read_metadata(empty).num_rows == 0 and parts_empty[iso(first)]["uris"] == [str(empty)]
        assert pq.read_schema(empty).equals(SCHEMAS[dataset], check_metadata=False)
        # The hour with rows is the same file either way.
        name = f"date=2026-07-17/hour=02/{FILE_STEMS[dataset]}_20260717T020000Z.parquet"
        assert (out / name).read_bytes() == (out_empty / name).read_bytes()
    finally:
        sim.stop()

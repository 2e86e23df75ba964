#!/usr/bin/env python3
"""Mutation check: break the code on purpose, one line at a time, and expect a test to fail.

Run through scripts/mutation-check.sh (see README.md, "Mutation check"). Everything happens in a
git worktree of HEAD (default <repo>/.build-mutation/tree, with its own .build): the working tree
this script lives in is never written to. For each mutation: replace one line of one file
(exactly one occurrence of the old text, or the check stops: a refactor that moved the line must
update this table), rebuild, run only the tests listed for it, restore the file, and report
CAUGHT (a test failed) or MISSED (all passed). Before the first mutation the same tests run on
the unmutated tree: a test that already fails would otherwise count as a catch.

Needs only the Python standard library; the tests use the project's .venv.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    what: str
    path: str  # relative to the repository root
    old: str  # must occur exactly once in the file, within one line
    new: str
    swift: list[str] = field(default_factory=list)  # `swift test --filter` patterns
    pytest: list[str] = field(default_factory=list)  # node ids under the repository root


MUTATIONS = [
    Mutation(
        "start-rate-6", "StartQuery paced at 6/s by default instead of 5",
        "Sources/pulp-backfill/RunOptions.swift",
        "var startRate: Double = 5", "var startRate: Double = 6",
        pytest=["Tests/interop/test_pacing.py::test_default_rates_keep_the_request_quotas"]),
    Mutation(
        # Only the fetcher's own tests can see this one: end to end, staging drops the repeated
        # rows anyway (INSERT OR IGNORE on staged_row's key, which includes @ptr), so a backfill
        # still exports each row once (test_backfill's day with bursts passes with it).
        "ptr-dedup-skipped", "rows seen in an earlier (overlapping) answer are not dropped by @ptr",
        "Sources/BackfillCore/Executor/ChunkFetcher.swift",
        "if let ptr = row.ptr, !seen.insert(ptr).inserted { continue }",
        "if let ptr = row.ptr, !seen.insert(ptr).inserted, ptr.isEmpty { continue }",
        swift=["ChunkFetcherTests"]),
    Mutation(
        # Paging stays finite: each page's cursor is a row of the previous page's remainder, so
        # the rows after it are a strict subset of the rows after the previous cursor.
        "rows-unsorted", "an hour's staged rows read in (@ptr, timestamp) order instead of (timestamp, @ptr)",
        "Sources/Catalog/Catalog+Compaction.swift",
        'sql += " ORDER BY timestamp_ns, ptr LIMIT ?"', 'sql += " ORDER BY ptr, timestamp_ns LIMIT ?"',
        pytest=["Tests/interop/test_backfill.py::test_a_day_with_bursts_is_exported_exactly"]),
    Mutation(
        # Subtler than the one above (whose paging loses or repeats rows): every row comes out
        # once, each page of 2,000 in reverse; only the per-file order check can see it.
        "page-rows-reversed", "each page of an hour's rows handed to the writer in reverse order",
        "Sources/Catalog/Catalog+Compaction.swift",
        "try body(page)", "try body(Array(page.reversed()))",
        pytest=["Tests/interop/test_backfill.py::test_a_day_with_bursts_is_exported_exactly"]),
    Mutation(
        "filter-regex-no-optional-backslash", "the server filter regex no longer matches a JSON-escaped \\/",
        "Sources/BackfillCore/Executor/InsightsQuery.swift",
        'case "/": out += #"\\\\?\\/"#', 'case "/": out += #"\\/"#',
        pytest=["Tests/interop/test_server_filter.py::test_server_filter_matches_both_spellings_and_nothing_else"]),
    Mutation(
        "sigv4-tilde-encoded", "SigV4 percent-encodes ~ (it is unreserved)",
        "Sources/AWS/AWSPercentEncoding.swift",
        'UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):',
        'UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):',
        swift=["SigV4BotocoreTests"]),
    Mutation(
        "lease-never-renewed", "a running chunk's lease is never renewed",
        "Sources/BackfillCore/Executor/BackfillExecutor.swift",
        "for _ in 0..<10_000 {", "for _ in 0..<0 {",
        pytest=["Tests/interop/test_mutation_guards.py::test_a_lease_is_renewed_while_its_chunk_runs_so_a_second_run_leaves_it_alone"]),
    Mutation(
        "end-second-not-clipped", "a row at the chunk's (exclusive) end millisecond is kept",
        "Sources/BackfillCore/Executor/ChunkFetcher.swift",
        "guard millis >= startMillis && millis < endMillis else { continue }",
        "guard millis >= startMillis && millis <= endMillis else { continue }",
        swift=["ChunkFetcherTests"]),
    Mutation(
        "null-count-off-by-one", "every column chunk's statistics null_count written one too high",
        "Sources/Parquet/ParquetMetadata.swift",
        "writer.writeField(3, i64: nullCount)", "writer.writeField(3, i64: nullCount + 1)",
        swift=["readersAgreeWithWhatWasWritten"],
        pytest=["Tests/interop/test_convert.py::test_edge_corpus_every_codec"]),
    Mutation(
        # GRDB binds a String with length -1, so SQLite stores it only up to its first U+0000.
        "nul-truncated", "staged strings bound as C text (cut at U+0000) instead of as their bytes",
        "Sources/Catalog/Catalog+RunSupport.swift",
        "return Data(value.utf8).databaseValue", "return value.databaseValue",
        swift=["LeaseOwnerAndExactStagingTests"],
        pytest=["Tests/interop/test_resume.py::test_nul_and_invalid_utf8_come_out_of_a_backfill_exactly_as_out_of_convert"]),
    Mutation(
        "dead-holders-ignored", "chunks of a dead owner on this host wait for their lease to expire",
        "Sources/Catalog/Catalog+Leases.swift",
        "for dead in deadHolders {", "for dead in deadHolders.prefix(0) {",
        swift=["LeaseOwnerAndExactStagingTests"],
        pytest=["Tests/interop/test_resume.py::test_sigkill_twenty_times_then_the_same_command_finishes_with_the_default_lease"]),
    Mutation(
        "hour-failure-ends-run", "an hour that cannot be exported throws (ends the run) instead of failing alone",
        "Sources/BackfillCore/Executor/HourCompactor.swift",
        "return .failed(attempts: attempt, error: message)", "throw errors[0].1",
        pytest=["Tests/interop/test_resume.py::test_a_destination_that_cannot_be_written_fails_its_hours_alone",
                "Tests/interop/test_s3_faults.py::test_a_refusing_destination_fails_its_hours_alone_and_the_next_run_heals"]),
    Mutation(
        # settleMillis is never negative, so the cut never happens.
        "settle-cut-removed", "plan/backfill no longer cut the end at the last settled hour (late events lost)",
        "Sources/BackfillCore/Planning/SettledHours.swift",
        "if end > settled {", "if end > settled && settleMillis < 0 {",
        pytest=["Tests/interop/test_catalog_cli.py::test_future_end_is_clamped_then_cut_at_the_last_settled_hour",
                "Tests/interop/test_catalog_cli.py::test_nothing_settled_yet_is_nothing_to_do"]),
    Mutation(
        # Not "skip the call": the usage would then be taken by the next attempt and still
        # counted. Discarding it is what loses a failed attempt's cost.
        "retried-attempt-cost-lost", "a retried attempt's Insights calls and bytes are dropped, not recorded",
        "Sources/BackfillCore/Executor/BackfillExecutor.swift",
        'try await recordUsage(chunk, usage)\n                settings.logger.warning("chunk attempt failed; retrying"',
        '_ = usage.take()\n                settings.logger.warning("chunk attempt failed; retrying"',
        pytest=["Tests/interop/test_resume.py::test_status_cost_equals_what_the_simulator_counted"]),
]


class CheckError(Exception):
    """The check itself cannot go on (not a verdict on a mutation)."""


def log(message: str) -> None:
    print(f"[mutation-check {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: Path, env: dict | None = None, quiet: bool = True, log_to: Path | None = None) -> int:
    """Runs `cmd`; its output goes to `log_to` (appended) or, unless quiet, to stderr."""
    if log_to is not None:
        with open(log_to, "a") as f:
            f.write(f"\n$ (cd {cwd} && {' '.join(cmd)})\n")
            f.flush()
            return subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT).returncode
    out = subprocess.DEVNULL if quiet else sys.stderr
    return subprocess.run(cmd, cwd=cwd, env=env, stdout=out, stderr=out).returncode


def git(*args: str, cwd: Path) -> str:
    p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise CheckError(f"git {' '.join(args)} failed in {cwd}: {p.stderr.strip()}")
    return p.stdout


def prepare_worktree(tree: Path) -> None:
    """A worktree of this repository's HEAD at `tree`: created, or reused and moved to HEAD."""
    head = git("rev-parse", "HEAD", cwd=REPO).strip()
    if not (tree / ".git").exists():
        if tree.exists() and any(tree.iterdir()):
            raise CheckError(f"{tree} exists and is not a git worktree; remove it or set MUTATION_WORKTREE")
        tree.parent.mkdir(parents=True, exist_ok=True)
        log(f"creating worktree {tree} at {head[:12]}")
        git("worktree", "add", "--detach", str(tree), head, cwd=REPO)
    else:
        top = Path(git("rev-parse", "--show-toplevel", cwd=tree).strip()).resolve()
        if top != tree.resolve() or top == REPO:
            raise CheckError(f"{tree} is not a worktree of its own (top level {top})")
        # A check killed mid-mutation leaves its file changed: restore tracked files first.
        git("checkout", "-q", "--", ".", cwd=tree)
        git("checkout", "-q", "--detach", head, cwd=tree)
        log(f"reusing worktree {tree}, now at {head[:12]}")
    # Pinned dependency versions (git-ignored here): the same ones the main tree builds with.
    resolved = REPO / "Package.resolved"
    if resolved.exists():
        (tree / "Package.resolved").write_bytes(resolved.read_bytes())


def find_python(tree: Path) -> str:
    """PULP_BACKFILL_PYTHON, else the main tree's .venv, else the worktree's (made by `make venv`)."""
    chosen = os.environ.get("PULP_BACKFILL_PYTHON")
    if chosen:
        return chosen
    for venv in (REPO / ".venv", tree / ".venv"):
        if (venv / "bin" / "python").exists():
            return str(venv / "bin" / "python")
    log("no .venv: running `make venv` in the worktree")
    if run(["make", "venv"], cwd=tree, quiet=False) != 0:
        raise CheckError("`make venv` failed")
    return str(tree / ".venv" / "bin" / "python")


def apply(tree: Path, m: Mutation) -> None:
    path = tree / m.path
    if not path.exists():
        raise CheckError(f"{m.name}: {m.path} does not exist")
    text = path.read_text()
    count = text.count(m.old)
    if count != 1:
        raise CheckError(f"{m.name}: expected the old text exactly once in {m.path}, found it {count} time(s): {m.old!r}")
    # One line changes: the old text's own line (the text may carry the next line as context).
    start = text.index(m.old)
    before = text.splitlines()
    after = (text[:start] + m.new + text[start + len(m.old):]).splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    if len(before) != len(after) or len(changed) != 1:
        raise CheckError(f"{m.name}: the mutation must change exactly one line of {m.path}")
    path.write_text(text[:start] + m.new + text[start + len(m.old):])


def restore(tree: Path, m: Mutation) -> None:
    git("checkout", "-q", "--", m.path, cwd=tree)


def build(tree: Path, swift: str, log_to: Path, tests: bool) -> bool:
    cmd = [swift, "build", *(["--build-tests"] if tests else [])]
    return run(cmd, cwd=tree, log_to=log_to) == 0


TEST_COUNT = re.compile(r"Test run with (\d+) tests?|Executed (\d+) tests?")


def run_tests(tree: Path, m: Mutation, env: dict, python: str, swift: str, log_to: Path,
              stop_at_first_failure: bool, baseline: bool) -> list[str]:
    """The tests of `m` that failed. On the baseline, a filter that matches no test or a test id
    pytest cannot collect is an error (it could never catch anything)."""
    failed: list[str] = []
    for pattern in m.swift:
        mark = log_to.stat().st_size if log_to.exists() else 0
        code = run([swift, "test", "--skip-build", "--filter", pattern], cwd=tree, env=env, log_to=log_to)
        if baseline:
            with open(log_to) as f:
                f.seek(mark)
                counts = [int(a or b) for a, b in TEST_COUNT.findall(f.read())]
            if sum(counts) == 0:
                raise CheckError(f"{m.name}: `swift test --filter {pattern}` ran no test")
        if code != 0:
            failed.append(f"swift:{pattern}")
            if stop_at_first_failure:
                return failed
    for node in m.pytest:
        code = run([python, "-m", "pytest", "-q", "-x", node], cwd=tree, env=env, log_to=log_to)
        if code not in (0, 1):  # 2 interrupted, 3 internal error, 4 usage (e.g. no such test), 5 none collected
            raise CheckError(f"{m.name}: pytest {node} could not run (exit {code}); see {log_to}")
        if code == 1:
            failed.append(node.rsplit("/", 1)[-1])
            if stop_at_first_failure:
                return failed
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description="Break the code one line at a time; every break must fail a test.")
    parser.add_argument("names", nargs="*", help="mutations to run (default: all); see --list")
    parser.add_argument("--list", action="store_true", help="list the mutations and their tests, and exit")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip running the tests on the unmutated tree first (faster; trusts they pass)")
    parser.add_argument("--all-tests", action="store_true",
                        help="run every test listed for a mutation, not only up to the first failure")
    args = parser.parse_args()

    if args.list:
        for m in MUTATIONS:
            # Read-only: whether the old text is still exactly once in this tree's file.
            source = REPO / m.path
            found = source.read_text().count(m.old) if source.exists() else 0
            print(f"{m.name:38} {m.what}{'' if found == 1 else f'  [OLD TEXT FOUND {found} TIMES]'}")
            print(f"{'':38}   {m.path}: {m.old.splitlines()[0]!r} -> {m.new.splitlines()[0]!r}")
            for t in [*(f"swift test --filter {p}" for p in m.swift), *(f"pytest {n}" for n in m.pytest)]:
                print(f"{'':38}   {t}")
        return 0
    known = {m.name: m for m in MUTATIONS}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"unknown mutation(s): {', '.join(unknown)} (see --list)", file=sys.stderr)
        return 2
    selected = [known[n] for n in args.names] if args.names else MUTATIONS

    began = time.monotonic()
    tree = Path(os.environ.get("MUTATION_WORKTREE", str(REPO / ".build-mutation" / "tree"))).resolve()
    swift = os.environ.get("SWIFT", "swift")
    log_to = tree.parent / "mutation-check.log"
    try:
        prepare_worktree(tree)
        python = find_python(tree)
        bin_dir = tree / ".build" / "debug"
        env = {**os.environ, "PULP_BACKFILL_PYTHON": python, "PULP_BACKFILL_BIN_DIR": str(bin_dir)}
        log_to.write_text("")
        log(f"build and test output: {log_to}")
        needs_swift_tests = any(m.swift for m in selected)
        log("building the unmutated tree (a new worktree's first build takes ~15 min)")
        if not build(tree, swift, log_to, tests=needs_swift_tests):
            raise CheckError(f"the unmutated tree does not build; see {log_to}")
        if not args.no_baseline:
            log("baseline: the tests of every selected mutation, on the unmutated tree")
            for m in selected:
                failed = run_tests(tree, m, env, python, swift, log_to, stop_at_first_failure=False, baseline=True)
                if failed:
                    raise CheckError(f"baseline: {', '.join(failed)} already fail(s) without mutation ({m.name}); see {log_to}")

        missed, results = [], []
        for m in selected:
            t0 = time.monotonic()
            log(f"{m.name}: {m.what}")
            apply(tree, m)
            try:
                if not build(tree, swift, log_to, tests=bool(m.swift)):
                    raise CheckError(f"{m.name}: the mutated tree does not build (fix the mutation); see {log_to}")
                failed = run_tests(tree, m, env, python, swift, log_to, stop_at_first_failure=not args.all_tests,
                                   baseline=False)
            finally:
                restore(tree, m)
            seconds = time.monotonic() - t0
            if failed:
                line = f"CAUGHT  {m.name:38} by {', '.join(failed)}  ({seconds:.0f} s)"
            else:
                missed.append(m.name)
                line = f"MISSED  {m.name:38} no listed test failed  ({seconds:.0f} s)"
            results.append(line)
            print(line, flush=True)
        total = time.monotonic() - began
        print(f"summary: {len(selected) - len(missed)} of {len(selected)} mutations caught, {len(missed)} missed"
              f"{' (' + ', '.join(missed) + ')' if missed else ''}; {total / 60:.1f} min", flush=True)
        return 1 if missed else 0
    except CheckError as error:
        print(f"mutation-check: ERROR: {error}", file=sys.stderr, flush=True)
        return 2
    except KeyboardInterrupt:
        print("mutation-check: interrupted (the worktree file is restored)", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())

"""Options whose value is one of a few words: `--help` lists the words, and any other word is
refused while the command line is parsed (one line on stderr, exit 2, nothing written or read)."""
import os
import re
import subprocess

import pytest

PLAN_REQUIRED = ["--cloudwatch-group", "/aws/pulp", "--start-time", "2026-02-04T10:00:00Z",
                 "--end-time", "2026-02-04T11:00:00Z", "--output-path", "out"]
CONVERT_REQUIRED = ["--input", "in.ndjson", "--output", "out.parquet"]

# (command and the flags it needs, option, the words its help must list)
CHOICES = [
    (["run"], "--log-format", ["text", "json"]),
    (["backfill", *PLAN_REQUIRED], "--log-format", ["text", "json"]),
    (["run"], "--if-exists", ["skip", "overwrite", "fail"]),
    (["status"], "--format", ["table", "json"]),
    (["catalog"], "--format", ["table", "json", "csv"]),
    (["plan", *PLAN_REQUIRED], "--compression", ["snappy", "zstd", "none"]),
    (["plan", *PLAN_REQUIRED], "--layout", ["hive", "flat"]),
    (["plan", *PLAN_REQUIRED], "--timestamp-unit", ["ns", "us", "ms"]),
    (["plan", *PLAN_REQUIRED], "--dataset", ["access", "content-python", "content-rpm", "content-maven"]),
    (["convert", *CONVERT_REQUIRED], "--dataset", ["access", "content-python", "content-rpm", "content-maven"]),
    (["ddl", "--location", "/srv/logs"], "--engine", ["athena", "trino", "spark", "duckdb", "snowflake"]),
]


def run(bins, args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PULP_BACKFILL_CATALOG"}
    return subprocess.run([str(bins / "pulp-backfill"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args,option,words", CHOICES, ids=[f"{c[0][0]} {c[1]}" for c in CHOICES])
def test_help_lists_the_words_and_another_word_fails_in_the_parser(bins, tmp_path, args, option, words):
    # Fails if the option's help does not list exactly its words in order (a plain String option
    # lists none).
    help_text = " ".join(run(bins, [args[0], "--help"], tmp_path).stdout.split())
    options = help_text[help_text.index("OPTIONS:"):]
    entry = options[options.index(option + " <"):]
    listed = re.search(r"\(values: ([^;)]*)", entry)
    assert listed and listed.group(1).split(", ") == words, entry[:300]

    # Fails if a word outside the set gets past the parser: a value checked later would reach
    # the catalog (status/catalog/run say "no catalog", exit 1) or print something.
    bad = run(bins, [*args, option, "no-such-word"], tmp_path)
    assert bad.returncode == 2, bad.stderr
    assert bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pulp-backfill: error: "), bad.stderr
    assert "'no-such-word'" in lines[0] and option in lines[0], lines[0]
    assert list(tmp_path.iterdir()) == []


def test_format_words_are_accepted_in_any_case(bins, tmp_path):
    # `--format JSON` was accepted before the formats became enums; it still must be. Fails if
    # the parser refuses it (exit 2) instead of reaching the missing catalog (exit 1).
    for command in ("status", "catalog"):
        p = run(bins, [command, "--format", "JSON"], tmp_path)
        assert p.returncode == 1 and "no catalog at" in p.stderr, (command, p.returncode, p.stderr)

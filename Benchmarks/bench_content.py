"""Content datasets: `pulp-backfill convert --dataset D` vs. a Python path doing the same rules.

For each of content-python, content-rpm and content-maven: a generated, production-shaped
NDJSON input (BENCH_ROWS lines, default 200 000, ~90 % kept by the dataset; see
Tests/interop/content_cases.py `bulk_lines`) is converted to a snappy Parquet file twice, side
by side in one run:

* ours: the `pulp-backfill` binary in PULP_BACKFILL_BIN_DIR (a release build under `make bench`);
* Python: `json.loads` + compiled regular expressions for the row rules, the rows sorted by
  (timestamp, @ptr), one `pa.Table.from_pylist` and one `pq.write_table(..., compression="snappy")`
  — how an in-process Python exporter would do it.

Each side's best wall time of BENCH_REPEATS runs (default 3) is printed with the ratio
(target: ours ≥ 3× faster), and the two files must hold the same table (else exit 1).

    PULP_BACKFILL_BIN_DIR=$(swift build -c release --show-bin-path) .venv/bin/python Benchmarks/bench_content.py
"""
from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
import content_cases  # noqa: E402
from content_rows import SCHEMAS, parse_line_time, parse_result_timestamp  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", "200000"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench-out"))
TARGET = 3.0

# ---- the Python path -------------------------------------------------------------------------

LINE = re.compile(
    r'(\S+) \[([^\]]*)\] "([^"]*)" (\S+) (\S+) "(.*?)" "(.*)" cache:"([^"]*)" artifact_size:"([^"]*)" '
    r'rh_org_id:"([^"]*)" x_forwarded_for:"([^"]*)"(?: request_time:"([^"]*)")?')
REQUEST = re.compile(r"[A-Z]+ ([^ ]+)(?: [^ ]+)?")
CUT = re.compile(r"[?#]")
DIGITS = re.compile(r"[0-9]+")
SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?")
LETTER = re.compile(r"[A-Za-z0-9]")
WHEEL = re.compile(
    r"(?P<name>[^\s-]+?)-(?P<ver>[^\s-]*?)(-(?P<build>\d[^-]*?))?-(?P<pyver>[^\s-]+?)-(?P<abi>[^\s-]+?)"
    r"-(?P<plat>[^\s-]+?)\.whl")
PREFIX = "/api/pulp-content/"
CACHE = {"HIT": True, "MISS": False}
I32, I64 = 2**31 - 1, 2**63 - 1
SUFFIXES = {"content-python": (".whl", ".whl.metadata"), "content-rpm": (".rpm",), "content-maven": (".jar", ".pom")}
OTHERS = {d: tuple(s for o, ss in SUFFIXES.items() if o != d for s in ss) for d in SUFFIXES}


def python_fields(name):
    if name.endswith(".metadata"):
        name = name[:-9]
    m = WHEEL.fullmatch(name)
    if not m:
        return None
    return {"package_name": m["name"], "package_version": m["ver"], "architecture": m["plat"],
            "build_tag": m["build"], "pyver": m["pyver"], "abi": m["abi"]}


def rpm_fields(name):
    nevra = name[:-4]
    if "." not in nevra or nevra.count("-") < 2:
        return None
    rest, arch = nevra.rsplit(".", 1)
    parts = rest.rsplit("-", 2)
    if len(parts) < 3:
        return None
    pkg, version, release = parts
    epoch = 0
    if ":" in version:
        e, version = version.split(":", 1)
        if not DIGITS.fullmatch(e) or int(e) > I32:
            return None
        epoch = int(e)
    return {"package_name": pkg, "package_version": version, "architecture": arch, "epoch": epoch,
            "release": release}


def maven_fields(middle, name):
    if len(middle) < 4:
        return None
    artifact, version = middle[-2], middle[-1]
    stem = artifact + "-" + version
    if not name.startswith(stem):
        return None
    rest = name[len(stem):]
    dot = rest.rfind(".")
    if dot < 0:
        return None
    packaging = rest[dot + 1:]
    if dot == 0:
        classifier = None
    elif rest[0] == "-":
        classifier = rest[1:dot]
    else:
        return None
    return {"distribution": middle[0], "group_id": ".".join(middle[1:-2]), "package_name": artifact,
            "package_version": version, "architecture": None, "classifier": classifier, "packaging": packaging}


class PythonConverter:
    def __init__(self, dataset):
        self.dataset = dataset
        self.schema = SCHEMAS[dataset]
        self.suffixes = SUFFIXES[dataset]
        self.fields = {"content-python": python_fields, "content-rpm": rpm_fields}.get(dataset)
        self.seconds = {}  # "YYYY-MM-DD HH:MM:SS" → epoch seconds (rows of an hour share few)

    def timestamp(self, value, line_time):
        if value is not None and len(value) == 23 and value[19] == "." and value[20:].isascii() \
                and value[20:].isdigit():
            whole = value[:19]
            if whole not in self.seconds:
                ns = parse_result_timestamp(whole)  # validated once per second of the input
                self.seconds[whole] = None if ns is None else ns // 1_000_000_000
            secs = self.seconds[whole]
            if secs is not None:
                return secs * 1_000_000_000 + int(value[20:]) * 1_000_000
        ts = parse_result_timestamp(value)
        return ts if ts is not None else parse_line_time(line_time)

    def row(self, event):
        """One decoded result row → (sort key, row dict), or None (skipped / malformed)."""
        message = event.get("@message")
        if not isinstance(message, str):
            return None
        line = message
        if message[:1] == "{":
            try:
                doc = json.loads(message)
            except ValueError:
                doc = None
            if isinstance(doc, dict):
                inner = doc.get("message")
                if not isinstance(inner, str):
                    inner = doc.get("log")
                if isinstance(inner, str):
                    line = inner
        line = line.rstrip("\r\n")
        m = LINE.fullmatch(line)
        if not m:
            return None
        _h, line_time, request, status, _b, _r, agent, cache, size, org, xff, rt = m.groups()
        rm = REQUEST.fullmatch(request)
        if not rm:
            return None
        path = CUT.split(rm.group(1), 1)[0]
        if not path.startswith(PREFIX):
            return None
        parts = path[len(PREFIX):].split("/")
        if len(parts) < 3:
            return None
        name = parts[-1]
        if not name.endswith(self.suffixes):
            return None
        middle = parts[1:-1]
        if len(middle) >= 2 and middle[-2] == "Packages" and LETTER.fullmatch(middle[-1]):
            del middle[-2:]
        elif middle[-1] == "repodata":
            del middle[-1]
        if not middle:
            return None
        if self.fields is None:
            fields = maven_fields(middle, name)
        else:
            fields = self.fields(name)
            if fields is not None:
                fields["distribution"] = "/".join(middle)
        if fields is None:
            return None
        stamp = event.get("@timestamp")
        ts = self.timestamp(stamp if isinstance(stamp, str) else None, line_time)
        if ts is None:
            return None
        code = int(status) if DIGITS.fullmatch(status) else 0
        n = int(size) if DIGITS.fullmatch(size) else None
        ms = None
        if rt is not None and SECONDS.fullmatch(rt):
            try:
                ms = round(float(rt) * 1000)
            except OverflowError:
                ms = None
            if ms is not None and ms > I32:
                ms = None
        fields.update(timestamp=ts, domain=parts[0], artifact_path=path,
                      artifact_size=n if n is not None and n <= I64 else None,
                      status_code=code if 100 <= code <= 599 else None, cache_hit=CACHE.get(cache),
                      user_agent=agent, org_id=None if org in ("", "-") else org, x_forwarded_for=xff,
                      request_time_ms=ms)
        ptr = event.get("@ptr")
        return (ts, (ptr if isinstance(ptr, str) else "").encode()), fields

    def convert(self, src: Path, out: Path) -> int:
        keyed = []
        with open(src, "rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                got = self.row(json.loads(raw.decode("utf-8", errors="replace")))
                if got is not None:
                    keyed.append(got)
        keyed.sort(key=lambda kv: kv[0])  # stable: ties keep input order
        table = pa.Table.from_pylist([row for _, row in keyed], schema=self.schema)
        pq.write_table(table, out, compression="snappy")
        return len(keyed)


# ---- the run ---------------------------------------------------------------------------------

def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def time_ours(binary: Path, dataset: str, src: Path, out: Path):
    best = best_cpu = float("inf")
    for _ in range(REPEATS):
        cpu0, t0 = children_cpu(), time.perf_counter()
        p = subprocess.run([str(binary), "convert", "--dataset", dataset, "--input", str(src), "--output", str(out)],
                           capture_output=True, text=True)
        wall, cpu = time.perf_counter() - t0, children_cpu() - cpu0
        if p.returncode != 0:
            sys.exit(f"pulp-backfill convert --dataset {dataset} failed ({p.returncode}): {p.stderr.strip()}")
        best, best_cpu = min(best, wall), min(best_cpu, cpu)
    return best, best_cpu


def time_python(dataset: str, src: Path, out: Path):
    best = best_cpu = float("inf")
    kept = 0
    for _ in range(REPEATS):
        cpu0, t0 = time.process_time(), time.perf_counter()
        kept = PythonConverter(dataset).convert(src, out)
        best, best_cpu = min(best, time.perf_counter() - t0), min(best_cpu, time.process_time() - cpu0)
    return best, best_cpu, kept


def main() -> int:
    bin_dir = os.environ.get("PULP_BACKFILL_BIN_DIR")
    if not bin_dir:
        sys.exit("set PULP_BACKFILL_BIN_DIR to the folder holding pulp-backfill (a release build)")
    binary = Path(bin_dir) / "pulp-backfill"
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"Content convert, {ROWS:,} rows per dataset, best of {REPEATS}, snappy "
          f"(ours: {binary}; Python: json + re + from_pylist + write_table)")
    print(f"{'dataset':16}{'kept':>9}{'MB':>7}{'ours s':>9}{'cpu s':>8}{'Python s':>10}{'cpu s':>8}{'ratio':>8}")
    failed = []
    for dataset in SCHEMAS:
        src = OUT / f"content-{dataset}.ndjson"
        content_cases.write_lines(src, content_cases.bulk_lines(dataset, ROWS))
        ours_out, py_out = OUT / f"{dataset}-ours.parquet", OUT / f"{dataset}-python.parquet"
        py_wall, py_cpu, kept = time_python(dataset, src, py_out)
        ours_wall, ours_cpu = time_ours(binary, dataset, src, ours_out)
        ratio = py_wall / ours_wall
        print(f"{dataset:16}{kept:>9,}{src.stat().st_size / 1e6:>7.0f}{ours_wall:>9.2f}{ours_cpu:>8.2f}"
              f"{py_wall:>10.2f}{py_cpu:>8.2f}{ratio:>7.1f}x")
        ours_table, py_table = pq.read_table(ours_out), pq.read_table(py_out)
        if not ours_table.equals(py_table):
            failed.append(f"{dataset}: the two files differ ({ours_table.num_rows} vs {py_table.num_rows} rows)")
        if ratio < TARGET:
            print(f"  below the {TARGET:.0f}x target")
    for message in failed:
        print(message, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

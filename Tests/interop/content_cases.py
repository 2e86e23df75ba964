"""Seeded generator of content-app result rows (NDJSON lines, as bytes) full of edge cases.

`edge_lines(n, seed)` mixes, for all three content datasets at once: JSON-wrapped lines (in
`message` or `log`) and plain ones, with and without `request_time`; wheels with build tags,
`.whl.metadata` and names that are no wheel; RPMs with epochs (good and bad), `noarch`,
`Packages/x/` and `repodata/` paths and too few dashes; Maven jars and poms with classifiers,
SNAPSHOT versions and checksum files; paths that are no content path; query strings and
fragments; raw quotes, non-ASCII, invalid UTF-8 and U+0000 in user agents; `-` values; odd
request times, statuses and sizes; missing and unreadable `@timestamp` (falling back to the
line's own time, or malformed when that is unreadable too); missing `@ptr` and timestamp ties.

`bulk_lines(dataset, n, seed)` gives production-shaped input for the benchmark: mostly rows the
dataset keeps, sorted by time as Insights returns them.

Nothing here decides what a line should give: that is `content_rows.py`'s job. The generator
only writes lines; `test_content_convert.py` checks that the mix holds what it is meant to.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

MISSING = object()  # a member left out of the NDJSON object

# Private-use characters that stand for raw byte sequences that are not UTF-8; `_encode`
# replaces them after JSON encoding, so they land in the NDJSON bytes as they are.
_INVALID = {
    "\ue000": b"\xff",
    "\ue001": b"\xc3",              # a lead byte alone (always followed by ASCII here)
    "\ue002": b"\xed\xa0\x80",      # an encoded surrogate
    "\ue003": b"\xf0\x9f\x98",      # a four-byte sequence cut short
    "\ue004": b"\xc0\xaf",          # an overlong "/"
}
_LONE_SURROGATE = "\ud800"          # written as the escape \ud800 (needs ensure_ascii)

HOSTS = ["10.130.2.17", "10.128.4.123", "::1", "-", "192.0.2.1"]
DOMAINS = ["acme-ai", "public-py", "copr-pub", "jvm", "public-rhai", "d\u00e9mo"]
DISTS = ["wheels", "wheels/cuda12", "rhoai/3.5-EA2/cpu-ubi9", "index/tools", "user/project-42/epel-9-x86_64",
         "rhel9/baseos", "libs-release", "x"]
AGENTS = [
    "pip/24.0", "uv/0.7.2", 'uv/0.7.2 {"installer":{"name":"uv"}}',
    'pip/24.0 {"ci":null,"cpu":"x86_64","implementation":{"name":"CPython","version":"3.12.3"}}',
    'pip/24.0 {\\"ci\\":null}', "dnf/4.14.0", "libdnf (Red Hat Enterprise Linux 9.5; generic; Linux.x86_64)",
    "Apache-Maven/3.9.9 (Java 21.0.5; Linux 6.12.9)", "Gradle/8.12", "curl/8.9", "", "-",
    "Wget/1.21 \u00e9t\u00e9 \U0001F600", "nul\x00char", "tab\there", 'a" "b', 'ends with quote "',
    'x" cache:"HIT" artifact_size:"1" rh_org_id:"2" x_forwarded_for:"3',
    "bad\ue000bytes", "bad\ue001x", "bad\ue002x\ue003x\ue004x", "lone" + _LONE_SURROGATE + "x", "\\",
]
REFERERS = ["-", "https://pypi.example/simple/torch/", "", 'has "quotes" in it', "\u00e9"]
CACHES = ["HIT", "HIT", "MISS", "MISS", "-", "", "hit", "EXPIRED"]
SIZES = ["19456789", "0", "4521", "-", "", "-5", "9223372036854775807", "9223372036854775808", "12a", "00012",
         "+5", "99999999999999999999999"]
ORGS = ["11223344", "55667788", "-", "", "org with space", "\u00e9", "0"]
XFFS = ["198.51.100.7, 10.0.0.4", "203.0.113.9", "-", "", " 192.0.2.44 , 192.0.2.1", "2001:db8::7",
        "23.48.249.160,10.0.0.1"]
REQUEST_TIMES = ["0.003200", "2.481200", "0.000900", "0.0005", "0.0025", "0.0015", "0.0035", "1e3", "-", "",
                 "12", "3.", ".5", "0", "2147483.647", "2147483.6475", "2147483.648", "99999999999", "-0.1",
                 " 0.1", "0.1 ", "\u0663.\u0665", "1" * 400, "0.1234564999", "NaN"]
STATUSES = ["200", "200", "200", "304", "302", "404", "100", "599", "99", "600", "-", "0200", "abc", "99999"]
BYTES = ["812345678", "0", "-", "702"]

WHEEL_NAMES = ["torch", "numpy", "zope.interface", "pydantic_core", "Django", "ruff", "six", "caf\u00e9"]
WHEEL_VERSIONS = ["2.6.0", "1.0rc1", "0.9.1", "1.17.0", "2024.1+local", ""]
BUILD_TAGS = ["1", "2_abc", "123x", "0"]
PYVERS = ["py3", "cp311", "py2.py3", "cp312"]
ABIS = ["none", "cp311", "abi3"]
PLATFORMS = ["any", "manylinux_2_28_x86_64", "win_amd64", "macosx_11_0_arm64", "musllinux_1_2_aarch64"]

RPM_NAMES = ["zsh", "python3-attrs", "kernel-core", "glibc", "lib\u00e9", "perl-Time-HiRes"]
RPM_VERSIONS = ["5.9", "22.2.0", "5.14.0", "2.34", "0.9+git20260101", "1.0~rc1"]
RPM_RELEASES = ["8.el9", "3.el9", "427.el9", "100.el9_4.2", "1", "0.1.fc41"]
RPM_ARCHES = ["x86_64", "noarch", "aarch64", "i686", "src", "ppc64le"]
RPM_EPOCHS = ["", "", "", "0:", "1:", "10:", "2147483647:"]

MAVEN_REPOS = ["libs-release", "libs-snapshot", "central", "r"]
MAVEN_GROUPS = [["com", "fasterxml", "jackson", "core"], ["org", "acme"], ["io"], ["org", "apache", "commons"]]
MAVEN_ARTIFACTS = ["jackson-databind", "widget", "commons-lang3", "a"]
MAVEN_VERSIONS = ["2.18.2", "0.3-SNAPSHOT", "3.17.0", "1", "1.0-rc-1"]
MAVEN_CLASSIFIERS = [None, None, None, "sources", "javadoc", "linux-x86_64", "tests", "", "a.b"]

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
BASE = datetime(2026, 7, 20, 9, 0, tzinfo=timezone.utc)


# ---- pieces ----------------------------------------------------------------------------------

def wheel_name(rng: random.Random) -> str:
    build = "-" + rng.choice(BUILD_TAGS) if rng.random() < 0.3 else ""
    name = (f"{rng.choice(WHEEL_NAMES)}-{rng.choice(WHEEL_VERSIONS)}{build}-{rng.choice(PYVERS)}-"
            f"{rng.choice(ABIS)}-{rng.choice(PLATFORMS)}.whl")
    return name + ".metadata" if rng.random() < 0.25 else name


def bad_wheel_name(rng: random.Random) -> str:
    return rng.choice([
        "not-a-wheel.whl", "torch.whl", "-1.0-py3-none-any.whl", "pkg-1.0-b1-py3-none-any.whl",
        "pkg-1.0-1-2-py3-none-any.whl", "pkg\t1-1.0-py3-none-any.whl", "pkg-1.0-py3-none-any-extra.whl",
        "pkg-1.0-py3-none-.whl", "pkg-1.0-\u0663x-py3-none-any.whl", "pkg-1.0-py3-none-any.whl.metadata.metadata",
        "pkg-1.0-py3-none-any\u00a0x.whl", "pkg-1.0--py3-none-any.whl", "a-b-c-d-e-f-g.whl.metadata",
        ".whl", ".whl.metadata",
    ])


def rpm_name(rng: random.Random) -> str:
    return (f"{rng.choice(RPM_NAMES)}-{rng.choice(RPM_EPOCHS)}{rng.choice(RPM_VERSIONS)}-"
            f"{rng.choice(RPM_RELEASES)}.{rng.choice(RPM_ARCHES)}.rpm")


def bad_rpm_name(rng: random.Random) -> str:
    return rng.choice([
        "bogus.rpm", "foo-1.x86_64.rpm", "nodot-1-2.rpm", "a-2147483648:1.0-1.x86_64.rpm", "a-x:1.0-1.noarch.rpm",
        "a-:1.0-1.noarch.rpm", "a-1:2:3-4.noarch.rpm", "a-\u0661:1.0-1.noarch.rpm", "a.b-c-d.rpm", "-1-2.x86_64.rpm",
        "a--.x86_64.rpm", "a-1-2..rpm", "a-1-2.rpm.rpm", ".rpm", "a-01:1-1.x86_64.rpm", "a-+1:1-1.x86_64.rpm",
    ])


def maven_parts(rng: random.Random):
    """(distribution segments, file name) of a well-formed Maven artifact path (mostly)."""
    repo, group = rng.choice(MAVEN_REPOS), rng.choice(MAVEN_GROUPS)
    artifact, version = rng.choice(MAVEN_ARTIFACTS), rng.choice(MAVEN_VERSIONS)
    classifier = rng.choice(MAVEN_CLASSIFIERS)
    packaging = rng.choice(["jar", "jar", "pom"])
    name = f"{artifact}-{version}" + ("" if classifier is None else f"-{classifier}") + f".{packaging}"
    return [repo, *group, artifact, version], name


def bad_maven(rng: random.Random):
    segs, name = maven_parts(rng)
    artifact, version = segs[-2], segs[-1]
    r = rng.randrange(9)
    if r == 0:
        return [segs[0], artifact, version], name                      # no group: too few segments
    if r == 1:
        return segs, f"other-{version}.jar"                             # not the artifact
    if r == 2:
        return segs[:-1] + ["1.0-SNAPSHOT"], f"{artifact}-1.0-20260101.123456-1.jar"  # timestamped snapshot
    if r == 3:
        return segs, f"{artifact}-{version}.tar.jar"
    if r == 4:
        return segs, f"{artifact}-{version}jar.jar"
    if r == 5:
        return segs, f"{artifact}-{version}.jar"[:-4] + "jar"          # no dot before "jar": other-dataset
    if r == 6:
        return segs, f"{artifact}-{version}_x.pom"
    if r == 7:
        return segs[:2], name                                          # two segments
    return segs + ["repodata"], name                                   # repodata dropped: still fine


def checksum_name(rng: random.Random) -> str:
    return rng.choice([
        "jackson-databind-2.18.2.jar.sha1", "widget-0.3-SNAPSHOT.pom.md5", "a-1.jar.asc", "primary.xml.gz",
        "repomd.xml", "pkg-1.0.tar.gz", "torch-2.6.0-py3-none-any.whl.sha256", "zsh-5.9-8.el9.x86_64.rpm.sig",
        "index.html", "", "TORCH-1.0-PY3-NONE-ANY.WHL", "a-1.Jar", "a-1.POM", "maven-metadata.xml", "x.whlx",
        "a-1-1.x86_64.RPM",
    ])


def content_dir(rng: random.Random, kind: str) -> list[str]:
    """Distribution segments (plus the trailing pair or segment the rules drop)."""
    dist = rng.choice(DISTS).split("/")
    r = rng.random()
    if kind == "rpm" and r < 0.45:
        letter = rng.choice(["z", "p", "Z", "0", "9"])
        return dist + ["Packages", letter]
    if kind == "rpm" and r < 0.55:
        return dist + ["repodata"]
    if r < 0.62:  # pairs and segments that look droppable but are not (kept in the distribution)
        return dist + rng.choice([["Packages", "zz"], ["Packages", "\u00e9"], ["packages", "z"], ["Packages", ""],
                                  ["repodata", "x"], ["Repodata"], ["Packages", "z", "repodata"],
                                  ["repodata", "Packages", "z"]])
    if r < 0.66:
        return dist + [""]  # an empty segment (a doubled slash)
    return dist


def request_target(rng: random.Random, path: str) -> str:
    r = rng.random()
    if r < 0.06:
        return path + "?token=abc&x=/y.rpm"
    if r < 0.09:
        return path + "#frag"
    if r < 0.10:
        return path + "?"
    if r < 0.11:
        return path + "#a?b"
    return path


def bad_path(rng: random.Random) -> str:
    return rng.choice([
        "/api/pulp-content/", "/api/pulp-content/dom/file.whl", "/api/pulp-content/dom/torch-1-py3-none-any.whl",
        "/api/pulp-content-x/d/e/torch-1.0-py3-none-any.whl", "/API/pulp-content/d/e/zsh-5.9-8.el9.x86_64.rpm",
        "api/pulp-content/d/e/zsh-5.9-8.el9.x86_64.rpm", "/api/pulp-content", "//api/pulp-content/d/e/a-1.jar",
        "/api/pypi/public/main/simple/numpy/", "/api/pulp-content/d/Packages/z/zsh-5.9-8.el9.x86_64.rpm",
        "/api/pulp-content/d/repodata/zsh-5.9-8.el9.x86_64.rpm", "/api/pulp-content/d/e?/f/torch-1.0-py3-none-any.whl",
        "/api/pulp-content/d/e#/f/a-1.jar", "/livez", "/", "*",
        "/api/pulp-content/d%2Fe/torch-1.0-py3-none-any.whl",  # kept: %2F is not decoded (two segments... of 3)
    ])


# ---- one line --------------------------------------------------------------------------------

def clf_time(when: datetime, offset_minutes: int = 0) -> str:
    local = when + timedelta(minutes=offset_minutes)
    sign = "+" if offset_minutes >= 0 else "-"
    o = abs(offset_minutes)
    return f"{local.day:02d}/{MONTHS[local.month - 1]}/{local.year:04d}:{local:%H:%M:%S} {sign}{o // 60:02d}{o % 60:02d}"


def content_line(rng: random.Random, when: datetime, target: str, *, method="GET", protocol=" HTTP/1.1",
                 time_field=None, request_time=MISSING) -> str:
    if time_field is None:
        time_field = clf_time(when, rng.choice([0, 0, 0, 120, -480, 330]))
    if request_time is MISSING:
        request_time = rng.choice(REQUEST_TIMES) if rng.random() < 0.8 else None
    tail = "" if request_time is None else f' request_time:"{request_time}"'
    return (f'{rng.choice(HOSTS)} [{time_field}] "{method} {target}{protocol}" {rng.choice(STATUSES)} '
            f'{rng.choice(BYTES)} "{rng.choice(REFERERS)}" "{rng.choice(AGENTS)}" cache:"{rng.choice(CACHES)}" '
            f'artifact_size:"{rng.choice(SIZES)}" rh_org_id:"{rng.choice(ORGS)}" '
            f'x_forwarded_for:"{rng.choice(XFFS)}"{tail}')


def break_shape(rng: random.Random, line: str) -> str:
    """A content line that the line shape (or the request shape) refuses."""
    r = rng.randrange(14)
    if r == 0:
        return line.replace(' cache:"', ' cache="', 1)
    if r == 1:
        return line.replace('"GET ', '"get ', 1)
    if r == 2:
        return line.replace('"GET ', '"GET  ', 1)
    if r == 3:
        return line.replace(" HTTP/1.1\"", " HTTP/1.1 extra\"", 1)
    if r == 4:
        return line + " trailing"
    if r == 5:
        return "(" + line + ")"
    if r == 6:
        return line.replace(" [", "\t[", 1)
    if r == 7:
        return line.replace('" cache:', '\n" cache:', 1)  # a newline inside the user agent
    if r == 8:
        return line.split(" rh_org_id:")[0]
    if r == 9:
        return line.replace('request_time:"', 'request_time="', 1) if "request_time" in line else line + " x"
    if r == 10:
        return line.replace(" ", "\u00a0", 1)  # a no-break space ends the host: not the shape
    if r == 11:
        return line.replace('"GET ', '"GET', 1)
    if r == 12:
        return 'django.request:WARNING: Not Found: /api/pulp-content/d/e/a-1.jar'
    return ('pulp [abc]: 10.128.4.9 - user:alice org_id:1 [20/Jul/2026:09:00:00 +0000] '
            '"GET /api/pypi/public/main/simple/numpy/ HTTP/1.1" 200 456 "-" "pip/24.0" 550 x_forwarded_for:"1.2.3.4"')


def wrap(line: str, when: datetime, member: str, ascii_only: bool) -> str:
    doc = {"@timestamp": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
           "kubernetes": {"container_name": "pulp-content", "namespace_name": "pulp-prod"},
           "level": "info", member: line}
    return json.dumps(doc, ensure_ascii=ascii_only)


def insights_ts(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S.") + f"{when.microsecond // 1000:03d}"


def result_timestamp(rng: random.Random, when: datetime):
    r = rng.random()
    if r < 0.70:
        return insights_ts(when)
    if r < 0.76:
        return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    if r < 0.79:
        return (when + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"
    if r < 0.81:
        return (when - timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S.%f") + "-05:30"
    if r < 0.90:
        return MISSING
    return rng.choice(["", "garbage", "2026-02-30 10:00:00.000", "2026-07-20 25:00:00.000", "20/Jul/2026:09:00:00",
                       "1784538000412", "2026-07-20  09:00:00.000"])


def _encode(obj: dict, ascii_only: bool) -> bytes:
    text = json.dumps(obj, ensure_ascii=ascii_only)
    data = text.encode("utf-8")
    if not ascii_only:
        for mark, raw in _INVALID.items():
            data = data.replace(mark.encode("utf-8"), raw)
    return data


def one_row(rng: random.Random, index: int, when: datetime) -> bytes:
    kind = rng.choices(["python", "rpm", "maven", "bad-python", "bad-rpm", "bad-maven", "other", "bad-path", "shape"],
                       weights=[20, 20, 20, 6, 6, 6, 7, 6, 9])[0]
    domain = rng.choice(DOMAINS)
    if kind in ("python", "bad-python"):
        segs, name = content_dir(rng, "python"), wheel_name(rng) if kind == "python" else bad_wheel_name(rng)
        path = "/api/pulp-content/" + "/".join([domain, *segs, name])
    elif kind in ("rpm", "bad-rpm"):
        segs, name = content_dir(rng, "rpm"), rpm_name(rng) if kind == "rpm" else bad_rpm_name(rng)
        path = "/api/pulp-content/" + "/".join([domain, *segs, name])
    elif kind == "maven":
        segs, name = maven_parts(rng)
        path = "/api/pulp-content/" + "/".join([domain, *segs, name])
    elif kind == "bad-maven":
        segs, name = bad_maven(rng)
        path = "/api/pulp-content/" + "/".join([domain, *segs, name])
    elif kind == "other":
        path = "/api/pulp-content/" + "/".join([domain, *content_dir(rng, "other"), checksum_name(rng)])
    elif kind == "bad-path":
        path = bad_path(rng)
    else:
        path = "/api/pulp-content/" + "/".join([domain, *content_dir(rng, "python"), wheel_name(rng)])

    method = rng.choice(["GET", "GET", "GET", "HEAD"])
    protocol = rng.choice([" HTTP/1.1", " HTTP/1.1", " HTTP/2.0", ""])
    time_field = None
    ts = result_timestamp(rng, when)
    if rng.random() < 0.12:  # an unreadable line time: fine with a good @timestamp, malformed without
        time_field = rng.choice(["", "garbage", "20/jul/2026:09:00:00 +0000", "32/Jul/2026:09:00:00 +0000",
                                 "20/Jul/2026:09:00:00", "20/Jul/2026:24:00:00 +0000", "29/Feb/2026:09:00:00 +0000"])
        if rng.random() < 0.5:
            ts = MISSING
    line = content_line(rng, when, request_target(rng, path), method=method, protocol=protocol, time_field=time_field)
    if kind == "shape":
        line = break_shape(rng, line)
    if rng.random() < 0.05:
        line += rng.choice(["\n", "\r\n", "\r", "\n\n"])  # trailing line ends are dropped

    ascii_only = rng.random() < 0.3
    if _LONE_SURROGATE in line:
        ascii_only = True
    elif any(mark in line for mark in _INVALID):
        ascii_only = False
    r = rng.random()
    if r < 0.55:
        message = wrap(line, when, "message", ascii_only)
    elif r < 0.63:
        message = wrap(line, when, "log", ascii_only)
    elif r < 0.65:  # `message` not a string: `log` is the line
        doc = json.loads(wrap(line, when, "log", True))
        doc["message"] = 12
        message = json.dumps(doc, ensure_ascii=ascii_only)
    elif r < 0.66:  # a JSON object without either member: the whole document is the line
        message = json.dumps({"msg": line}, ensure_ascii=ascii_only)
    else:
        message = line

    ptr = rng.choice([f"ptr-{index:06d}", f"ptr-{index:06d}", f"ptr-{index % 97:06d}", MISSING, "",
                      "\u00e9", "\ufffd", "\U0001F600", "\ue000", "z" * 3, "ptr\x00nul"])
    row = {}
    if ts is not MISSING:
        row["@timestamp"] = ts
    row["@message"] = message
    if ptr is not MISSING:
        row["@ptr"] = ptr
    if ptr is not MISSING and "\ue000" in ptr and _LONE_SURROGATE not in message:
        ascii_only = False  # the ptr's mark becomes a raw invalid byte
    return _encode(row, ascii_only)


def edge_lines(n: int = 5000, seed: int = 1) -> list[bytes]:
    """`n` NDJSON lines, in no particular order, with many ties on the timestamp."""
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        when = BASE + timedelta(seconds=rng.randrange(0, 240), milliseconds=rng.choice([0, 0, 500, 412]))
        lines.append(one_row(rng, i, when))
    # Rows that only the line-ending and wrapper rules touch, and a few literal oddities.
    lines.append(b'{"@timestamp": "2026-07-20 09:00:00.000", "@ptr": "no-message"}')
    lines.append(b'{"@timestamp": 12, "@message": 13, "@ptr": 14}')
    lines.append(b'{"@message": "{\\"message\\": \\"x\\", \\"log\\": \\"y\\"}", "@ptr": "wrapped-not-content"}')
    return lines


def write_lines(path, lines: list[bytes]) -> None:
    with open(path, "wb") as f:
        for line in lines:
            f.write(line + b"\n")


# ---- bulk input for the benchmark ------------------------------------------------------------

def bulk_lines(dataset: str, n: int, seed: int = 7) -> list[bytes]:
    """Production-shaped rows for one dataset: ~90 % kept by it, the rest other content files
    (checksums, metadata, other types) — JSON-wrapped, in time order, distinct @ptr values."""
    rng = random.Random(seed)
    kind = {"content-python": "python", "content-rpm": "rpm", "content-maven": "maven"}[dataset]
    when = BASE
    out = []
    agents = ["pip/24.0", 'uv/0.7.2 {"installer":{"name":"uv"}}', "dnf/4.14.0", "Apache-Maven/3.9.9 (Java 21.0.5)"]
    for i in range(n):
        when += timedelta(milliseconds=rng.randrange(0, 30))
        domain = rng.choice(DOMAINS[:5])
        if rng.random() < 0.9:
            if kind == "python":
                name = wheel_name(rng)
                path = f"/api/pulp-content/{domain}/{rng.choice(DISTS)}/{name}"
            elif kind == "rpm":
                path = f"/api/pulp-content/{domain}/{rng.choice(DISTS)}/Packages/z/{rpm_name(rng)}"
            else:
                segs, name = maven_parts(rng)
                path = "/api/pulp-content/" + "/".join([domain, *segs, name])
        else:
            path = f"/api/pulp-content/{domain}/{rng.choice(DISTS)}/{checksum_name(rng) or 'index.html'}"
        line = (f'10.130.2.{rng.randrange(1, 250)} [{clf_time(when)}] "GET {path} HTTP/1.1" 200 '
                f'{rng.randrange(1000, 10**9)} "-" "{rng.choice(agents)}" cache:"{rng.choice(["HIT", "MISS"])}" '
                f'artifact_size:"{rng.randrange(1000, 10**9)}" rh_org_id:"{rng.choice(["11223344", "-"])}" '
                f'x_forwarded_for:"198.51.100.{rng.randrange(1, 250)}, 10.0.0.4" '
                f'request_time:"{rng.randrange(0, 5000) / 1000:.6f}"')
        row = {"@timestamp": insights_ts(when), "@message": wrap(line, when, "message", True), "@ptr": f"bulk{i:09d}"}
        out.append(json.dumps(row).encode())
    return out

"""The four hourly CronJobs of deploy/cronjobs.yaml, run as Kubernetes would run them.

The manifest is parsed (not copied): each job's arguments get Kubernetes' `$(VAR)` substitution
from the container's env (Secret keys given by the test, literal values as written), the
emptyDir mounts become fresh folders (a new, empty catalog every run, as a pod without a
volume), and the image's ENTRYPOINT is taken from deploy/Containerfile. Insights is
insights-sim (signatures checked with the AWS_* keys only) serving a corpus around the current
time; S3 is moto checking signatures, with two buckets owned by two IAM users whose keys come
from the S3_* and BACKUP_S3_* variables. Both buckets are versioned, so "nothing written" is
checked on object versions, not only on bytes (rewriting a file with equal bytes would keep
its ETag).

Per job: run 1 exports exactly the missing settled hours of the window to both buckets and
leaves the hours the upstream exporter already wrote alone; run 2 (new catalog) makes zero
StartQuery calls and writes nothing; after one hour is deleted from the backup bucket, run 3
queries that hour only and writes it to the backup bucket only."""
from __future__ import annotations

import json
import os
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from access_rows import SEED_SCHEMA
from conftest import ROOT, bin_dir
from servers import InsightsSim, Moto

MANIFEST = ROOT / "deploy" / "cronjobs.yaml"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"

# What the jobs being replaced do (how production runs today): dataset → (minute, file stem,
# sub-prefix of the main bucket's files).
PRODUCTION = {
    "access": (15, "pulp_access_logs", "data"),
    "content-python": (25, "pulp_content_python", "data"),
    "content-rpm": (35, "pulp_content_rpm", "data"),
    "content-maven": (45, "pulp_content_maven", "data/maven"),
}
SECRET_VARIABLES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "S3_BUCKET_NAME", "S3_ACCESS_KEY_ID",
                    "S3_SECRET_ACCESS_KEY", "BACKUP_S3_BUCKET_NAME", "BACKUP_S3_ACCESS_KEY_ID", "BACKUP_S3_SECRET_ACCESS_KEY"}

# Insights keys the simulator accepts (and moto does not know): a job signing S3 requests with
# them, or Insights requests with a bucket's keys, fails.
INSIGHTS_KEY, INSIGHTS_SECRET = "AKIAINSIGHTSCRONJOB1", "insights-secret-of-the-cronjob-test"
MAIN_BUCKET, BACKUP_BUCKET = "pulp-analytics", "pulp-analytics-backup"
HOUR = timedelta(hours=1)
# A low rate keeps every query tiny; every 5-minute mark of the corpus still has an event, so
# each hour holds rows (an hour without rows writes no file).
CORPUS = ["--seed", "11", "--events-per-hour", "60", "--burst-every", "0"]
# Content-app lines: ~240 an hour spread over wheels, RPMs, Maven files and others, so every
# hour holds rows of each content dataset.
CONTENT_CORPUS = ["--content-per-hour", "240"]
SIM_SPEED = ["--latency-ms", "0-2", "--query-base-ms", "40", "--query-ms-per-mib", "2",
             "--start-query-rate", "200", "--get-results-rate", "400"]


# ---- the manifest -------------------------------------------------------------------------------

def cronjobs() -> dict[str, dict]:
    """The manifest's CronJobs by dataset (the `--dataset` argument, `access` when absent)."""
    jobs = {}
    for doc in yaml.safe_load_all(MANIFEST.read_text()):
        assert doc["kind"] == "CronJob", doc["kind"]
        args = doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
        dataset = args[args.index("--dataset") + 1] if "--dataset" in args else "access"
        assert dataset not in jobs, f"two jobs for {dataset}"
        jobs[dataset] = doc
    return jobs


def pod_spec(job: dict) -> dict:
    return job["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def entrypoint() -> list[str]:
    """The image's ENTRYPOINT (exec form), which the container's args follow."""
    lines = [l for l in CONTAINERFILE.read_text().splitlines() if l.startswith("ENTRYPOINT ")]
    assert len(lines) == 1, lines
    return json.loads(lines[0][len("ENTRYPOINT "):])


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' expansion of command, args and env values: `$(NAME)` → the variable's value
    when it is defined (else left as written), `$$` → `$`."""
    return re.sub(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)",
                  lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def option(args: list[str], name: str) -> str:
    assert args.count(name) == 1, (name, args)
    return args[args.index(name) + 1]


def test_manifest_keeps_the_production_jobs_shape():
    # Fails if a job's schedule, concurrency, resources, variable names or destinations drift
    # from the jobs it replaces, or if a job gains a persistent volume.
    jobs = cronjobs()
    assert sorted(jobs) == sorted(PRODUCTION)
    for dataset, job in jobs.items():
        minute, _, prefix = PRODUCTION[dataset]
        assert job["spec"]["schedule"] == f"{minute} * * * *"
        assert job["spec"]["concurrencyPolicy"] == "Forbid"
        spec = pod_spec(job)
        assert all("emptyDir" in v and set(v) == {"name", "emptyDir"} for v in spec["volumes"]), spec["volumes"]
        (container,) = spec["containers"]
        assert container["resources"] == {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}}
        assert "command" not in container, "the image's entrypoint runs"
        secret_keys = {e["name"] for e in container["env"] if "valueFrom" in e}
        assert secret_keys == SECRET_VARIABLES
        assert all(e["valueFrom"]["secretKeyRef"]["key"] == e["name"] for e in container["env"] if "valueFrom" in e)
        args = container["args"]
        assert all(isinstance(a, str) for a in args), "Kubernetes takes only strings as args"
        assert args[0] == "backfill" and option(args, "--if-exists") == "skip" and option(args, "--layout") == "flat"
        # A trailing window of 3 days (a failed run is refilled by the next ones), hours
        # exported once they ended 15 minutes ago (as today's jobs at :15 do).
        assert option(args, "--start-time") == "3 days ago" and option(args, "--settle") == "15m"
        main, backup = f"s3://$(S3_BUCKET_NAME)/{prefix}", "s3://$(BACKUP_S3_BUCKET_NAME)"
        assert [args[i + 1] for i, a in enumerate(args) if a == "--output-path"] == [main, backup]
        assert sorted(args[i + 1] for i, a in enumerate(args) if a == "--destination-env") == \
            sorted([f"{main}=S3_", f"{backup}=BACKUP_S3_"])
        assert option(args, "--end-time") == "now"
        # No secret value is ever written into the arguments (they show in the process list).
        assert not any(f"$({name})" in a for a in args for name in SECRET_VARIABLES if "KEY" in name)
    assert entrypoint() == ["pulp-backfill"]


# ---- running a job -------------------------------------------------------------------------------

class Job:
    """One CronJob of the manifest, run like its pod: substituted arguments, the Secret's
    values, emptyDir mounts as new folders (a fresh catalog each run)."""

    def __init__(self, manifest_job: dict, secrets: dict[str, str], plumbing: dict[str, str], tmp: Path):
        self.spec = pod_spec(manifest_job)
        (self.container,) = self.spec["containers"]
        self.secrets, self.plumbing, self.tmp = secrets, plumbing, tmp
        self.runs: list[Path] = []

    def container_env(self, mounts: dict[str, Path]) -> dict[str, str]:
        env: dict[str, str] = {}
        for e in self.container["env"]:
            if "valueFrom" in e:
                env[e["name"]] = self.secrets[e["valueFrom"]["secretKeyRef"]["key"]]
            else:
                env[e["name"]] = expand(e["value"], env)
        # Paths inside a mount point into the folder standing in for it.
        for name, value in env.items():
            for mount, folder in mounts.items():
                if value == mount or value.startswith(mount + "/"):
                    env[name] = str(folder) + value[len(mount):]
        return env

    def args(self, env: dict[str, str]) -> list[str]:
        return [expand(a, env) for a in self.container["args"]]

    def run(self) -> subprocess.CompletedProcess:
        folder = self.tmp / f"pod-{len(self.runs) + 1}"
        emptydirs = {v["name"] for v in self.spec["volumes"] if "emptyDir" in v}
        mounts = {}
        for m in self.container.get("volumeMounts", []):
            assert m["name"] in emptydirs
            mounts[m["mountPath"]] = folder / m["name"]
            mounts[m["mountPath"]].mkdir(parents=True)
        self.runs.append(folder)
        container_env = self.container_env(mounts)
        catalog = container_env.get("PULP_BACKFILL_CATALOG", "")
        assert any(catalog.startswith(str(f) + "/") for f in mounts.values()), "the catalog must be in an emptyDir"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "BACKUP_S3_", "PULP_BACKFILL_"))}
        env.update(self.plumbing)
        env.update(container_env)
        program = entrypoint()
        command = [str(bin_dir() / Path(program[0]).name), *program[1:], *self.args(container_env)]
        return subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True, timeout=300)

    @property
    def catalog(self) -> Path:
        return next(self.runs[-1].rglob("*.sqlite"))


# ---- helpers -------------------------------------------------------------------------------------

def policy(bucket: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]})


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def floor_hour(t: datetime) -> datetime:
    return t.replace(minute=0, second=0, microsecond=0)


def ago(text: str) -> timedelta:
    count, unit, word = text.split()
    assert word == "ago", text
    return timedelta(**{unit if unit.endswith("s") else unit + "s": int(count)})


def duration(text: str) -> timedelta:
    if text == "0":
        return timedelta(0)
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours"}[text[-1]]: int(text[:-1])})


def wait_clear_of_boundaries(args: list[str], margin: int = 75):
    """The window's ends move when the clock passes a whole hour (the widened start) or a whole
    hour plus the settle time (the settle cut). A job's runs take well under `margin` seconds,
    so starting at least that far from both keeps every run's window the one computed here."""
    settle = duration(option(args, "--settle"))
    for _ in range(2):
        now = datetime.now(timezone.utc)
        into = [(now - floor_hour(now)).total_seconds(), (now - settle - floor_hour(now - settle)).total_seconds()]
        wait = max([3600 - s + 2 for s in into if s > 3600 - margin] or [0])
        if not wait:
            return
        time.sleep(wait)


def starts(sim: InsightsSim) -> int:
    return sum(sim.stats()["requests"].get("StartQuery", {}).values())


def fetched_chunks(job) -> int:
    """Chunks whose rows the job's last run fetched from Insights (its catalog's `status`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    status = json.loads(subprocess.run([str(bin_dir() / "pulp-backfill"), "status", "--catalog", str(job.catalog),
                                        "--format", "json"], capture_output=True, text=True, env=env, check=True).stdout)
    return sum(b["density"]["fetched_chunks"] for b in status["backfills"])


def versions(s3, bucket: str) -> dict[str, list[tuple]]:
    """Every version of every key: (version id, ETag, LastModified, latest?, delete marker?)."""
    out: dict[str, list[tuple]] = {}
    listed = s3.list_object_versions(Bucket=bucket)
    for v in listed.get("Versions", []):
        out.setdefault(v["Key"], []).append((v["VersionId"], v["ETag"], v["LastModified"], v["IsLatest"], False))
    for v in listed.get("DeleteMarkers", []):
        out.setdefault(v["Key"], []).append((v["VersionId"], None, v["LastModified"], v["IsLatest"], True))
    assert not listed.get("IsTruncated")
    return {k: sorted(v) for k, v in out.items()}


def current(s3, bucket: str) -> dict[str, bytes]:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}


CONTENT_COMMON = [
    ("timestamp", pa.timestamp("ns")), ("domain", pa.string()), ("distribution", pa.string()),
    ("package_name", pa.string()), ("package_version", pa.string()), ("architecture", pa.string()),
    ("artifact_path", pa.string()), ("artifact_size", pa.int64()), ("status_code", pa.int16()),
    ("cache_hit", pa.bool_()), ("user_agent", pa.string()), ("org_id", pa.string()),
    ("x_forwarded_for", pa.string()), ("request_time_ms", pa.int32())]
CONTENT_EXTRA = {
    "content-python": [("build_tag", pa.string()), ("pyver", pa.string()), ("abi", pa.string())],
    "content-rpm": [("epoch", pa.int32()), ("release", pa.string())],
    "content-maven": [("group_id", pa.string()), ("classifier", pa.string()), ("packaging", pa.string())],
}


def upstream_file(dataset: str, hour: datetime, rows: int) -> bytes:
    """A file as the upstream exporter writes it (pyarrow, its schema, snappy): `rows` rows
    inside `hour`, all other columns null."""
    schema = SEED_SCHEMA if dataset == "access" else pa.schema(CONTENT_COMMON + CONTENT_EXTRA[dataset])
    times = [hour + timedelta(minutes=7 * i + 1) for i in range(rows)]
    columns = [pa.array(times, pa.timestamp("ns"))] + [pa.nulls(rows, f.type) for f in list(schema)[1:]]
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_arrays(columns, schema=schema), sink, compression="snappy")
    return sink.getvalue().to_pybytes()


def expected_rows(sim: InsightsSim, dataset: str, hour: datetime, corpus: list[str], tmp: Path) -> int:
    """Rows of `hour` per the simulator's ground truth through `convert` (the same row rules)."""
    src, out = tmp / f"expected-{hour:%H}.ndjson", tmp / f"expected-{hour:%H}.parquet"
    src.write_text(sim.expected(iso(hour), iso(hour + HOUR), *corpus))
    dataset_args = [] if dataset == "access" else ["--dataset", dataset]
    p = subprocess.run([str(bin_dir() / "pulp-backfill"), "convert", *dataset_args, "--input", str(src), "--output", str(out)],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return pq.read_metadata(out).num_rows


def content_ready() -> str | None:
    """Why the content jobs cannot run yet (None when they can): they need `backfill --dataset`
    and the simulator's content-app lines."""
    backfill = subprocess.run([str(bin_dir() / "pulp-backfill"), "backfill", "--help"], capture_output=True, text=True).stdout
    serve = subprocess.run([str(bin_dir() / "insights-sim"), "serve", "--help"], capture_output=True, text=True).stdout
    missing = [what for what, ok in [("pulp-backfill backfill --dataset", "--dataset" in backfill),
                                     (f"insights-sim {CONTENT_CORPUS[0]}", CONTENT_CORPUS[0] in serve)] if not ok]
    return f"not built yet: {', '.join(missing)}" if missing else None


# ---- the three runs ------------------------------------------------------------------------------

@pytest.mark.parametrize("dataset", list(PRODUCTION))
def test_three_runs_of_the_hourly_job(dataset, tmp_path):
    if dataset != "access" and (why := content_ready()):
        pytest.skip(why)
    manifest_job = cronjobs()[dataset]
    args = pod_spec(manifest_job)["containers"][0]["args"]
    _, stem, prefix = PRODUCTION[dataset]
    assert option(args, "--end-time") == "now"
    wait_clear_of_boundaries(args)

    # The window the job must cover: whole hours from the one holding "N days ago" up to the
    # last hour that ended at least the settle time ago.
    now = datetime.now(timezone.utc)
    first = floor_hour(now - ago(option(args, "--start-time")))
    end = floor_hour(now - duration(option(args, "--settle")))
    window = [first + i * HOUR for i in range(int((end - first) / HOUR))]
    assert len(window) >= 48
    # Missing before run 1: the last two settled hours (what an hourly run normally finds) and
    # one from the day before (a run that failed then). The upstream exporter wrote the rest.
    missing = [window[-30], window[-2], window[-1]]
    upstream = [h for h in window if h not in missing]

    corpus = CORPUS + (CONTENT_CORPUS if dataset != "access" else [])
    # The corpus covers the window and the hours after it up to now (rows a job must not export yet).
    sim = InsightsSim(*corpus, "--start", iso(first - HOUR), "--end", iso(floor_hour(now) + 2 * HOUR), *SIM_SPEED,
                      "--require-sigv4", "--sigv4-access-key", INSIGHTS_KEY, "--sigv4-secret-key", INSIGHTS_SECRET)
    moto = Moto(tmp_path / "moto.log")
    try:
        keys = {}
        root, iam = moto.client("s3"), moto.client("iam")
        for bucket in (MAIN_BUCKET, BACKUP_BUCKET):
            root.create_bucket(Bucket=bucket)
            root.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
            iam.create_user(UserName=bucket)
            iam.put_user_policy(UserName=bucket, PolicyName="own-bucket", PolicyDocument=policy(bucket))
            key = iam.create_access_key(UserName=bucket)["AccessKey"]
            keys[bucket] = (key["AccessKeyId"], key["SecretAccessKey"])
        secrets = {
            "AWS_ACCESS_KEY_ID": INSIGHTS_KEY, "AWS_SECRET_ACCESS_KEY": INSIGHTS_SECRET, "AWS_REGION": "us-east-1",
            "S3_BUCKET_NAME": MAIN_BUCKET, "S3_ACCESS_KEY_ID": keys[MAIN_BUCKET][0], "S3_SECRET_ACCESS_KEY": keys[MAIN_BUCKET][1],
            "BACKUP_S3_BUCKET_NAME": BACKUP_BUCKET, "BACKUP_S3_ACCESS_KEY_ID": keys[BACKUP_BUCKET][0],
            "BACKUP_S3_SECRET_ACCESS_KEY": keys[BACKUP_BUCKET][1],
        }
        # Test plumbing only (in the cluster the real endpoints apply): where the services listen.
        plumbing = {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": sim.endpoint, "AWS_ENDPOINT_URL_S3": moto.url,
                    "AWS_EC2_METADATA_DISABLED": "true"}
        job = Job(manifest_job, secrets, plumbing, tmp_path)

        def name(h: datetime) -> str:
            return f"{stem}_{h:%Y%m%dT%H0000Z}.parquet"

        def main_key(h: datetime) -> str:
            return f"{prefix}/{name(h)}"

        # The upstream exporter's files: 3 rows each, in both buckets under its names (put
        # before moto checks signatures: quicker, and who wrote them does not matter).
        for h in upstream:
            body = upstream_file(dataset, h, 3)
            root.put_object(Bucket=MAIN_BUCKET, Key=main_key(h), Body=body)
            root.put_object(Bucket=BACKUP_BUCKET, Key=name(h), Body=body)
        moto.enforce_auth()
        s3 = {b: moto.client("s3", key=keys[b][0], secret=keys[b][1]) for b in keys}
        before = {b: versions(s3[b], b) for b in s3}

        def check(p: subprocess.CompletedProcess):
            assert p.returncode == 0, p.stderr[-3000:]
            for secret in (INSIGHTS_SECRET, keys[MAIN_BUCKET][1], keys[BACKUP_BUCKET][1]):
                assert secret not in p.stdout + p.stderr, "a secret in the job's output"

        # Run 1: exactly the missing hours are queried (12 five-minute chunks each) and written
        # to both buckets; the upstream files are found, never queried, never written again.
        # Fails if found hours are queried, an unsettled hour (the corpus has rows there) or an
        # hour outside the window is exported, or a bucket is written with the wrong keys.
        n = starts(sim)
        check(job.run())
        # Chunks of sparse hours share queries (density counts first): what proves that only the
        # missing hours were queried is the chunks fetched, 12 per missing hour.
        assert 0 < starts(sim) - n <= 12 * len(missing) + 4
        assert fetched_chunks(job) == 12 * len(missing)
        after1 = {b: versions(s3[b], b) for b in s3}
        assert sorted(after1[MAIN_BUCKET]) == sorted(main_key(h) for h in window)
        assert sorted(after1[BACKUP_BUCKET]) == sorted(name(h) for h in window)
        for b, key_of in ((MAIN_BUCKET, main_key), (BACKUP_BUCKET, name)):
            assert {k: after1[b][k] for k in before[b]} == before[b], f"an upstream file in {b} was written again"
            assert all(len(after1[b][key_of(h)]) == 1 for h in missing)
        main_now, backup_now = current(s3[MAIN_BUCKET], MAIN_BUCKET), current(s3[BACKUP_BUCKET], BACKUP_BUCKET)
        for h in missing:
            assert main_now[main_key(h)] == backup_now[name(h)]
            got = pq.read_metadata(pa.BufferReader(main_now[main_key(h)])).num_rows
            assert got == expected_rows(sim, dataset, h, corpus, tmp_path) > 0, h
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        listed = json.loads(subprocess.run([str(bin_dir() / "pulp-backfill"), "catalog", "--catalog", str(job.catalog),
                                            "--format", "json"], capture_output=True, text=True, env=env, check=True).stdout)
        assert [p["found"] for p in listed] == [h not in missing for h in window]
        assert all(p["rows"] == 3 for p in listed if p["found"])

        # Run 2, a new pod (new empty catalog): every hour is in both buckets → zero StartQuery
        # calls and no object written. Fails if the job re-queries or rewrites existing hours.
        n = starts(sim)
        check(job.run())
        assert starts(sim) - n == 0
        assert {b: versions(s3[b], b) for b in s3} == after1

        # Run 3: one hour deleted from the backup bucket → that hour alone is queried and
        # written to the backup bucket alone, with the same bytes as the main bucket's copy.
        # Fails if the main bucket's copy (loaded by the warehouse) is written a second time.
        lost = missing[-1]
        s3[BACKUP_BUCKET].delete_object(Bucket=BACKUP_BUCKET, Key=name(lost))
        deleted = versions(s3[BACKUP_BUCKET], BACKUP_BUCKET)
        n = starts(sim)
        check(job.run())
        assert 0 < starts(sim) - n <= 12 + 1
        assert fetched_chunks(job) == 12
        assert versions(s3[MAIN_BUCKET], MAIN_BUCKET) == after1[MAIN_BUCKET]
        after3 = versions(s3[BACKUP_BUCKET], BACKUP_BUCKET)
        assert {k: v for k, v in after3.items() if k != name(lost)} == {k: v for k, v in deleted.items() if k != name(lost)}
        assert len(after3[name(lost)]) == len(deleted[name(lost)]) + 1
        restored = s3[BACKUP_BUCKET].get_object(Bucket=BACKUP_BUCKET, Key=name(lost))["Body"].read()
        assert restored == main_now[main_key(lost)]
    finally:
        sim.stop()
        moto.stop()

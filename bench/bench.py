#!/usr/bin/env python3
"""The migration benchmark; started by bench/run.sh, which installs the tools and builds the service first.

Against one local S3Proxy (fresh data folder, SigV4 clients, a free port) and one generated legacy database, it
measures side by side, REPEATS times in a rotating order so that the noise of a shared machine spreads over all:
  ours    the packaged service's migration job (POST /api/migrate-images, wait: true), with the service's RSS
          (/proc/PID/status) and heap (/q/metrics, GC log) sampled throughout
  raw     the same objects PUT by a tight loop of the same SDK at the same concurrency (bench/PutBench.java raw)
  rclone  rclone copy of the same images as files (PUT with Content-MD5, then HEAD, like ours)
  seed    the seed plan's algorithm: batches of 10, 3 at a time, 100 ms pause (bench/PutBench.java seed)
then the JVM start time to the first ready probe of every build found (bench/start.py: plain 17, AppCDS, plain 25, AOT
cache), GET throughput with wrk for a base64 row and an R2 row (redirect, and streamed with IMAGE_SERVE_MODE=proxy),
each beside nginx serving the same bytes from a file (bench/serve.py), and last the replica figure:
  replicas  one migrate job on PostgreSQL (REPLICA_PG, trust auth; a fresh database per run, dropped afterwards) holding
          REPLICA_N legacy rows (loaded with psql \copy after Flyway made the schema, then ANALYZEd), run by 1 replica
          and by 2 replicas of the service (the second joins the job started on the first), each reaching S3Proxy
          through bench/LatencyProxy.java, which delays every chunk REPLICA_DELAY_MS one way: images/s from the POST to
          the job's completion, the ratio 2 ÷ 1 (target ≥ 1.6), each replica's uploads, and checks (objects == images
          migrated, one key per row, no upload twice, no batch taken over).
Prints a table and writes bench/results/<date>-migration.md and bench/results/latest.md. Every wait is bounded; only
loopback (and the local PostgreSQL) is used; every process started here is stopped here. Standard library only.

Knobs (environment): N, SIZE_KB, CONCURRENCY, BATCH_SIZE, REPEATS, START_REPEATS, GET_SECONDS, GET_CONNECTIONS,
GET_PROXY, GET_NGINX, SERVICE_JAVA_OPTS, BOUNDED_HEAP, CONTENDERS, BENCH_WORK, BENCH_RESULTS; for the replicas: REPLICAS (0 skips
them), REPLICA_N (min(N, 1000)), REPLICA_DELAY_MS (50), REPLICA_BATCH_SIZE (about 40 batches: REPLICA_N / 40, at least
2 x CONCURRENCY, at most BATCH_SIZE), REPLICA_REPEATS (3; the order of 1 and 2 replicas alternates),
REPLICA_JOIN_INTERVAL (PT0.5S), REPLICA_PG (postgres@127.0.0.1:5432), REPLICA_ANALYZE (1); ONLY=replicas (or a
comma-separated choice of the contenders, start, get and replicas) runs just those; the steady state: STEADY_N (20000;
0 skips it), STEADY_CONTENDERS (ours-etag,ours,raw,rclone), STEADY_REPEATS (1), selected by ONLY=steady; eager
variants are off in the service unless BENCH_VARIANTS_EAGER=1.
"""
import datetime
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import contextlib
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import serve
import start as start_bench

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APP = os.path.abspath(os.environ.get("APP_DIR", "") or os.path.join(ROOT, "target", "quarkus-app"))
S3PROXY_JAR = os.path.join(ROOT, "target", "s3proxy", "s3proxy.jar")


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


N = env_int("N", 2000)
SIZE_KB = env_int("SIZE_KB", 200)
CONCURRENCY = env_int("CONCURRENCY", 8)
BATCH_SIZE = env_int("BATCH_SIZE", 100)
REPEATS = env_int("REPEATS", 3)
START_REPEATS = env_int("START_REPEATS", 5)
GET_SECONDS = env_int("GET_SECONDS", 10)
GET_CONNECTIONS = env_int("GET_CONNECTIONS", 16)
GET_PROXY = os.environ.get("GET_PROXY", "1") != "0"
GET_NGINX = os.environ.get("GET_NGINX", "1") != "0"
SERVICE_JAVA_OPTS = os.environ.get("SERVICE_JAVA_OPTS", "").split()
BOUNDED_HEAP = os.environ.get("BOUNDED_HEAP", "128m")
DEFAULT_BATCH_SIZE = env_int("SERVICE_DEFAULT_BATCH_SIZE", 10)
WORK = os.path.abspath(os.environ.get("BENCH_WORK", os.path.join(ROOT, "target", "bench")))
RESULTS = os.path.abspath(os.environ.get("BENCH_RESULTS", os.path.join(ROOT, "bench", "results")))
ADMIN_KEY = "bench-admin-key-0123456789abcdef"
S3_KEY, S3_SECRET = "bench-access-key", "bench-secret-key"
# ours-etag: the same job with "verify": "etag" (the PUT's ETag verifies, no HEAD);
# ours-xmx: the same job in a service with a bounded heap (-Xmx BOUNDED_HEAP); ours-b10: with the service's default
# batchSize, once (repeat 1 only).
ALL_TOOLS = ["ours", "ours-etag", "ours-xmx", "ours-b10", "raw", "rclone", "seed"]
ONCE = {"ours-b10"}
OURS = ("ours", "ours-etag", "ours-xmx", "ours-b10")
TOOLS = [t for t in ALL_TOOLS if t in (os.environ.get("CONTENDERS", "") or ",".join(ALL_TOOLS)).split(",")]
# The replica figure: one migration job on PostgreSQL, run by 1 and then by 2 replicas of the service, each reaching
# S3Proxy through bench/LatencyProxy.java (REPLICA_DELAY_MS one way, so a round trip gains twice that).
REPLICAS = os.environ.get("REPLICAS", "1") != "0"
REPLICA_N = env_int("REPLICA_N", min(N, 1000))
REPLICA_DELAY_MS = env_int("REPLICA_DELAY_MS", 50)
# Many batches per replica (a replica claims one batch at a time): about 40 batches, at least 2 x CONCURRENCY rows each.
REPLICA_BATCH_SIZE = env_int("REPLICA_BATCH_SIZE", min(BATCH_SIZE, max(2 * CONCURRENCY, REPLICA_N // 40)))
REPLICA_REPEATS = env_int("REPLICA_REPEATS", 3)
# How often a replica looks for running jobs to join (the service's default is PT5S, long beside a job of seconds).
REPLICA_JOIN_INTERVAL = os.environ.get("REPLICA_JOIN_INTERVAL", "") or "PT0.5S"
REPLICA_PG = os.environ.get("REPLICA_PG", "") or "postgres@127.0.0.1:5432"
# ANALYZE the images table after loading it (REPLICA_ANALYZE=0 leaves it without statistics).
REPLICA_ANALYZE = os.environ.get("REPLICA_ANALYZE", "1") != "0"
# ONLY=replicas (or any comma-separated choice of the contenders, start, get, replicas) runs just those measurements.
ONLY = [x.strip() for x in os.environ.get("ONLY", "").split(",") if x.strip()]
if ONLY:
    TOOLS = [t for t in TOOLS if t in ONLY]
    START_REPEATS = START_REPEATS if "start" in ONLY else 0
    GET_SECONDS = GET_SECONDS if "get" in ONLY else 0
    REPLICAS = REPLICAS and "replicas" in ONLY
# The steady-state figure: the contenders once more on a larger data set (STEADY_N rows, 0 skips it), long enough that
# the service's JIT compilation is a small part of the run; ONLY=steady (with others) selects it.
STEADY_N = env_int("STEADY_N", 20000)
STEADY_REPEATS = env_int("STEADY_REPEATS", 1)
STEADY_TOOLS = [t.strip() for t in (os.environ.get("STEADY_CONTENDERS", "") or "ours-etag,ours,raw,rclone").split(",")
                if t.strip() in ALL_TOOLS]
if ONLY and "steady" not in ONLY:
    STEADY_N = 0
# Eager variants (VARIANTS_EAGER, on by default in the service) are off in the migration runs: raw and rclone make
# none, and the variant benchmark (bench/variants.sh) measures them. BENCH_VARIANTS_EAGER=1 keeps the default.
BENCH_VARIANTS_EAGER = os.environ.get("BENCH_VARIANTS_EAGER", "0") == "1"
TICK = os.sysconf("SC_CLK_TCK")

started_processes = []


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start(cmd, logfile, env=None):
    out = open(logfile, "wb")
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT, start_new_session=True)
    proc.logfile = out
    started_processes.append(proc)
    return proc


def stop(proc, timeout=30):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    proc.logfile.close()
    if proc in started_processes:
        started_processes.remove(proc)


def stop_all():
    for proc in list(started_processes):
        try:
            stop(proc, 10)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(method, url, body=None, headers=None, timeout=10):
    """One request; answers (status, body) for every status, redirects included (they are not followed)."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def proc_status(pid):
    values = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    values[key] = int(value.split()[0]) * 1024
    except OSError:
        pass
    return values


def cpu_seconds(pid):
    """CPU time (user + system) of a process so far, every thread included."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except OSError:
        return None


def thread_cpu(pid):
    """CPU seconds per thread group of a JVM (JIT compiler, GC, HTTP client, workers...): name -> seconds."""
    groups = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return groups
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        group = re.sub(r"[0-9#]+", "", name).strip(" -") or name
        groups[group] = groups.get(group, 0) + (int(fields[11]) + int(fields[12])) / TICK
    return groups


def children_cpu():
    import resource
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def heap_used(port):
    status, body = http("GET", f"http://127.0.0.1:{port}/q/metrics", timeout=5)
    if status != 200:
        return None
    used = committed = 0.0
    for line in body.decode().splitlines():
        if 'area="heap"' in line:
            if line.startswith("jvm_memory_used_bytes"):
                used += float(line.rsplit(" ", 1)[1])
            elif line.startswith("jvm_memory_committed_bytes"):
                committed += float(line.rsplit(" ", 1)[1])
    return used, committed


class Sampler(threading.Thread):
    """Samples the service's RSS every 100 ms and its heap every 500 ms until stopped (at most 15 minutes)."""

    def __init__(self, pid, port):
        super().__init__(daemon=True)
        self.pid, self.port = pid, port
        self.rss, self.heap, self.committed = [], [], []
        self.halt = threading.Event()

    def run(self):
        deadline = time.monotonic() + 900
        tick = 0
        while not self.halt.is_set() and time.monotonic() < deadline:
            rss = proc_status(self.pid).get("VmRSS")
            if rss:
                self.rss.append(rss)
            if tick % 5 == 0:
                try:
                    h = heap_used(self.port)
                    if h:
                        self.heap.append(h[0])
                        self.committed.append(h[1])
                except OSError:
                    pass
            tick += 1
            self.halt.wait(0.1)


class Progress(threading.Thread):
    """Reads the job's folded processed count every 250 ms straight from its SQLite file (WAL: a reader never holds up
    the service's writer; the service's own status endpoint would scan the whole table each time), for the rate of its
    second half."""

    def __init__(self, db):
        super().__init__(daemon=True)
        self.db = db
        self.samples = []
        self.halt = threading.Event()

    def run(self):
        deadline = time.monotonic() + 900
        while not self.halt.is_set() and time.monotonic() < deadline:
            try:
                with contextlib.closing(sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=1)) as c:
                    row = c.execute("SELECT processed FROM migration_jobs ORDER BY created_at DESC LIMIT 1").fetchone()
                if row:
                    self.samples.append((time.monotonic(), row[0]))
            except sqlite3.Error:
                pass
            self.halt.wait(0.25)

    def second_half_rate(self, processed, migrated):
        """Images migrated per second from the first sample at half the rows to the last sample (None if too few)."""
        half = [(t, p) for t, p in self.samples if p >= processed / 2]
        if len(half) < 2 or half[-1][0] - half[0][0] < 1 or not processed:
            return None
        (t1, p1), (t2, p2) = half[0], half[-1]
        return (p2 - p1) / (t2 - t1) * migrated / processed


def gc_log_figures(path):
    """Largest heap after a collection (about the live data) and largest committed heap, from -Xlog:gc."""
    after, committed, pauses = [], [], 0
    try:
        with open(path) as f:
            for line in f:
                m = re.search(r"Pause .*? (\d+)M->(\d+)M\((\d+)M\)", line)
                if m:
                    pauses += 1
                    after.append(int(m.group(2)))
                    committed.append(int(m.group(3)))
    except OSError:
        pass
    return {"gcPauses": pauses, "maxAfterGcMb": max(after) if after else None,
            "maxCommittedMb": max(committed) if committed else None}


class S3Proxy:
    def __init__(self, folder):
        self.folder = folder
        self.data = os.path.join(folder, "s3")
        os.makedirs(self.data, exist_ok=True)
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        props = os.path.join(folder, "s3proxy.properties")
        with open(props, "w") as f:
            f.write(f"s3proxy.endpoint={self.endpoint}\ns3proxy.authorization=aws-v2-or-v4\n"
                    f"s3proxy.identity={S3_KEY}\ns3proxy.credential={S3_SECRET}\n"
                    f"jclouds.provider=filesystem\njclouds.filesystem.basedir={self.data}\n")
        self.proc = start(["java", "-Xmx512m", "-jar", S3PROXY_JAR, "--properties", props],
                          os.path.join(folder, "s3proxy.log"))
        deadline = time.monotonic() + 60
        while not port_open(self.port):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"S3Proxy did not start; see {folder}/s3proxy.log")
            time.sleep(0.2)

    def bucket(self, name):
        path = os.path.join(self.data, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return name

    def count(self, name):
        n = 0
        for _, _, files in os.walk(os.path.join(self.data, name)):
            n += len(files)
        return n

    def drop(self, name):
        shutil.rmtree(os.path.join(self.data, name), ignore_errors=True)


class Service:
    """The packaged service (java -jar quarkus-run.jar) on its own port, database and bucket."""

    def __init__(self, folder, name, sqlite, s3, bucket, extra_env=None, java_opts=()):
        self.port = free_port()
        self.gc_log = os.path.join(folder, f"{name}-gc.log")
        env = dict(os.environ)
        for key in list(env):
            if key.startswith(("MIGRATION_", "IMAGE_", "R2_", "QUARKUS_")) or key in ("DATABASE_URL", "ENABLE_R2_STORAGE"):
                del env[key]
        env.update({"PORT": str(self.port), "HOST": "127.0.0.1", "SQLITE_PATH": sqlite, "R2_ENDPOINT": s3.endpoint,
                    "R2_ACCESS_KEY_ID": S3_KEY, "R2_SECRET_ACCESS_KEY": S3_SECRET, "R2_BUCKET": bucket,
                    "ADMIN_API_KEY": ADMIN_KEY, "MIGRATION_RESUME_ON_START": "false"})
        if not BENCH_VARIANTS_EAGER:
            env["VARIANTS_EAGER"] = "false"
        env.update(extra_env or {})
        cmd = ["java", *SERVICE_JAVA_OPTS, *java_opts, f"-Xlog:gc:file={self.gc_log}", "-jar",
               os.path.join(APP, "quarkus-run.jar")]
        self.log = os.path.join(folder, f"{name}.log")
        self.t0 = time.monotonic()
        self.proc = start(cmd, self.log, env)
        self.pid = self.proc.pid
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout=180):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the service exited; see {self.log}")
            try:
                status, _ = http("GET", self.base + "/q/health/ready", timeout=2)
                if status == 200:
                    return time.monotonic() - self.t0
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit(f"the service was not ready within {timeout} s; see {self.log}")

    def quarkus_started(self):
        with open(self.log, errors="replace") as f:
            m = re.search(r"started in ([\d.]+)s", f.read())
        return float(m.group(1)) if m else None

    def migrate(self, concurrency, batch_size, verify=None):
        request = {"action": "migrate", "concurrency": concurrency, "batchSize": batch_size, "wait": True}
        if verify:
            request["verify"] = verify
        body = json.dumps(request)
        status, answer = http("POST", self.base + "/api/migrate-images", body.encode(),
                              {"Content-Type": "application/json", "Authorization": f"Bearer {ADMIN_KEY}"},
                              timeout=900)
        if status != 200:
            raise SystemExit(f"migrate answered {status}: {answer[:500]!r}")
        return json.loads(answer)

    def stop(self):
        stop(self.proc)


def java_classpath():
    return os.path.join(WORK, "classes") + os.pathsep + os.path.join(APP, "lib", "main", "*")


def compile_putbench():
    out = os.path.join(WORK, "classes")
    os.makedirs(out, exist_ok=True)
    subprocess.run(["javac", "-nowarn", "-d", out, "-cp", os.path.join(APP, "lib", "main", "*"),
                    os.path.join(ROOT, "bench", "PutBench.java")], check=True, timeout=300,
                   stderr=subprocess.DEVNULL)


def putbench(folder, name, args, s3):
    env = dict(os.environ, BENCH_S3_ENDPOINT=s3.endpoint, BENCH_S3_KEY=S3_KEY, BENCH_S3_SECRET=S3_SECRET)
    s3cpu0 = cpu_seconds(s3.proc.pid)
    with open(os.path.join(folder, f"{name}.log"), "wb") as err:
        out = subprocess.run(["java", "-cp", java_classpath(), "PutBench", *args], stdout=subprocess.PIPE,
                             stderr=err, env=env, cwd=ROOT, timeout=900, check=True)
    # S3Proxy's CPU over the whole program, its start included: a slight overcount for these two.
    return dict(json.loads(out.stdout.decode().strip().splitlines()[-1]), s3CpuSeconds=cpu_seconds(s3.proc.pid) - s3cpu0)


# ---------------------------------------------------------------------------------------------------------------------
# The four contenders. Each returns {images, bytes, seconds, ...} and leaves its objects counted.

def run_ours(ctx, r, name="ours", batch_size=BATCH_SIZE, java_opts=(), verify=None):
    folder, s3 = ctx["folder"], ctx["s3"]
    db = os.path.join(folder, f"{name}-{r}.db")
    shutil.copyfile(ctx["data"] + "/legacy.db", db)
    bucket = s3.bucket(f"{name}-{r}")
    service = Service(folder, f"{name}-{r}", db, s3, bucket, java_opts=java_opts)
    try:
        service.wait_ready()
        # Idle baseline: the service has started, run Flyway on the legacy table and answered a status request.
        http("GET", service.base + "/api/migrate-images", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=60)
        time.sleep(2)
        baseline_rss = proc_status(service.pid).get("VmRSS", 0)
        baseline_heap = (heap_used(service.port) or (0, 0))[0]
        sampler = Sampler(service.pid, service.port)
        sampler.start()
        progress = Progress(db)
        progress.start()
        cpu0, threads0, s3cpu0 = cpu_seconds(service.pid), thread_cpu(service.pid), cpu_seconds(s3.proc.pid)
        t = time.monotonic()
        job = service.migrate(CONCURRENCY, batch_size, verify)
        seconds = time.monotonic() - t
        cpu1, threads1, s3cpu1 = cpu_seconds(service.pid), thread_cpu(service.pid), cpu_seconds(s3.proc.pid)
        sampler.halt.set()
        progress.halt.set()
        sampler.join(5)
        progress.join(5)
        hwm = proc_status(service.pid).get("VmHWM", 0)
    finally:
        service.stop()
    if job.get("state") != "completed":
        raise SystemExit(f"{name} run {r}: job ended {job.get('state')}: {json.dumps(job)[:800]}")
    gc = gc_log_figures(service.gc_log)
    peak_rss = max(sampler.rss) if sampler.rss else 0
    return {"images": job["migrated"], "bytes": job["bytes"], "seconds": seconds, "failed": job["failed"],
            "skipped": job["skipped"], "objects": s3.count(bucket), "bucket": bucket, "db": db,
            "jobSeconds": (parse_time(job["finishedAt"]) - parse_time(job["startedAt"])),
            "baselineRss": baseline_rss, "peakRss": peak_rss, "vmHwm": hwm, "rssGrowth": peak_rss - baseline_rss,
            "baselineHeap": baseline_heap, "peakHeap": max(sampler.heap) if sampler.heap else None,
            "peakHeapCommitted": max(sampler.committed) if sampler.committed else None,
            "cpuSeconds": cpu1 - cpu0, "s3CpuSeconds": s3cpu1 - s3cpu0,
            "threads": {k: round(v - threads0.get(k, 0), 2) for k, v in threads1.items() if v - threads0.get(k, 0) > 0},
            "secondHalfRate": progress.second_half_rate(job["processed"], job["migrated"]), **gc}


def parse_time(value):
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def run_raw(ctx, r):
    bucket = ctx["s3"].bucket(f"raw-{r}")
    res = putbench(ctx["folder"], f"raw-{r}", ["raw", ctx["data"] + "/manifest.tsv", ctx["data"] + "/files", bucket,
                                               str(CONCURRENCY)], ctx["s3"])
    return {**res, "objects": ctx["s3"].count(bucket), "bucket": bucket}


def run_rclone(ctx, r):
    s3 = ctx["s3"]
    bucket = s3.bucket(f"rclone-{r}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
    env.update({"RCLONE_CONFIG_BENCH_TYPE": "s3", "RCLONE_CONFIG_BENCH_PROVIDER": "Other",
                "RCLONE_CONFIG_BENCH_ACCESS_KEY_ID": S3_KEY, "RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY": S3_SECRET,
                "RCLONE_CONFIG_BENCH_ENDPOINT": s3.endpoint, "RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE": "true",
                "RCLONE_CONFIG_BENCH_REGION": "auto"})
    cmd = ["rclone", "copy", ctx["data"] + "/files", f"bench:{bucket}", "--config", "/dev/null",
           "--transfers", str(CONCURRENCY), "--checkers", str(CONCURRENCY), "--s3-no-check-bucket", "--retries", "1"]
    with open(os.path.join(ctx["folder"], f"rclone-{r}.log"), "wb") as err:
        cpu0, s3cpu0 = children_cpu(), cpu_seconds(s3.proc.pid)
        t = time.monotonic()
        subprocess.run(cmd, stdout=err, stderr=err, env=env, timeout=900, check=True)
        seconds = time.monotonic() - t
        cpu, s3cpu = children_cpu() - cpu0, cpu_seconds(s3.proc.pid) - s3cpu0
    objects = s3.count(bucket)
    return {"images": objects, "bytes": ctx["imageBytes"] if objects == ctx["valid"] else None, "seconds": seconds,
            "objects": objects, "bucket": bucket, "cpuSeconds": cpu, "s3CpuSeconds": s3cpu}


def run_seed(ctx, r):
    db = os.path.join(ctx["folder"], f"seed-{r}.db")
    shutil.copyfile(ctx["data"] + "/legacy.db", db)
    bucket = ctx["s3"].bucket(f"seed-{r}")
    res = putbench(ctx["folder"], f"seed-{r}", ["seed", db, bucket], ctx["s3"])
    os.remove(db)
    return {**res, "objects": ctx["s3"].count(bucket), "bucket": bucket}


RUNNERS = {"ours": run_ours,
           "ours-etag": lambda ctx, r: run_ours(ctx, r, "ours-etag", verify="etag"),
           "ours-xmx": lambda ctx, r: run_ours(ctx, r, "ours-xmx", java_opts=(f"-Xmx{BOUNDED_HEAP}",)),
           "ours-b10": lambda ctx, r: run_ours(ctx, r, "ours-b10", batch_size=DEFAULT_BATCH_SIZE),
           "raw": run_raw, "rclone": run_rclone, "seed": run_seed}


# ---------------------------------------------------------------------------------------------------------------------

def start_figures():
    """bench/start.py's variants (plain 17, AppCDS, plain 25, AOT cache: each build that exists) START_REPEATS times."""
    chosen = start_bench.variants()
    if not chosen:
        return None
    samples, _ = start_bench.measure(chosen, START_REPEATS)
    return {"chosen": chosen, "samples": samples}


def framing(url):
    """The answer's framing headers: a response must not carry both Content-Length and Transfer-Encoding."""
    import http.client
    conn = http.client.HTTPConnection(url.split("/")[2], timeout=10)
    conn.request("GET", "/" + url.split("/", 3)[3])
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return {"contentLength": r.getheader("Content-Length"), "transferEncoding": r.getheader("Transfer-Encoding"),
            "bodyBytes": len(body)}


def get_throughput(ctx, ours_last):
    """wrk against a base64 row and an R2 row of the last migrated database (its bucket kept for this), each beside
    nginx serving the same bytes from a file (bench/serve.py)."""
    s3, folder = ctx["s3"], ctx["folder"]
    results = {}
    modes = [("redirect", {})] + ([("proxy", {"IMAGE_SERVE_MODE": "proxy"})] if GET_PROXY else [])
    nginx = serve.Nginx(folder, free_port()) if GET_NGINX else None
    base64_id = r2_id = None
    try:
        for mode, extra in modes:
            service = Service(folder, f"get-{mode}", ours_last["db"], s3, ours_last["bucket"], extra)
            try:
                service.wait_ready()
                if base64_id is None:
                    image = open(os.path.join(ctx["data"], "files", ctx["firstKey"]), "rb").read()
                    status, answer = http("POST", service.base + "/api/images?personaId=gen-x&prompt=bench",
                                          image, {"Content-Type": ctx["firstType"]}, timeout=30)
                    stored = json.loads(answer)
                    if status != 201 or stored.get("storage") != "base64":
                        raise SystemExit(f"upload for the GET test answered {status}: {answer[:300]!r}")
                    base64_id = stored["id"]
                    status, answer = http("GET", service.base + "/api/images?limit=50", timeout=30)
                    r2_id = next(i["id"] for i in json.loads(answer)["items"] if i.get("storage") == "r2")
                targets = [("r2", r2_id)] if mode == "proxy" else [("base64", base64_id), ("r2", r2_id)]
                for kind, image_id in targets:
                    url = f"{service.base}/api/images/{image_id}"
                    status, body = serve.body_of(url)
                    res = serve.measure(f"{kind} ({mode})", url, GET_SECONDS, GET_CONNECTIONS, log)
                    res.update(status=status, bodyBytes=len(body), framing=framing(url))
                    results[f"{kind}-{mode}"] = res
                    if kind == "r2" and mode == "redirect" and status == 302:
                        # The store itself, for the proxied figure's ceiling: the presigned URL the 302 named.
                        location = serve.location_of(url)
                        store = serve.measure("r2 (S3Proxy direct)", location, GET_SECONDS, GET_CONNECTIONS, log)
                        store.update(status=serve.body_of(location)[0], bodyBytes=len(serve.body_of(location)[1]))
                        results["store-r2"] = store
                    if nginx and status == 200:
                        # Side by side: nginx serves exactly the bytes the service just answered.
                        nurl = nginx.serve(f"{kind}.img", body)
                        n = serve.measure(f"{kind} (nginx)", nurl, GET_SECONDS, GET_CONNECTIONS, log)
                        n.update(status=200, bodyBytes=len(body))
                        results[f"nginx-{kind}"] = n
            finally:
                service.stop()
    finally:
        if nginx:
            nginx.stop()
    return results


# ---------------------------------------------------------------------------------------------------------------------
# Replicas: one job on PostgreSQL, by 1 and by 2 services, against a store REPLICA_DELAY_MS away (bench/LatencyProxy).

LEGACY_COLUMNS = ("id", "session_id", "participant_id", "table_id", "persona_id", "persona_title", "image_url",
                  "image_data", "image_mime_type", "prompt", "provider", "status", "r2_key", "migration_status",
                  "migrated_at", "created_at", "updated_at")


def pg_user_host_port():
    user, _, hostport = REPLICA_PG.rpartition("@")
    host, _, port = hostport.partition(":")
    return user or "postgres", host, port or "5432"


def psql(sql, database="postgres", timeout=300):
    """One psql command (trust auth); answers its unaligned output."""
    user, host, port = pg_user_host_port()
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", user,
                          "-d", database, "-tA", "-c", sql], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=timeout)
    if out.returncode != 0:
        raise SystemExit(f"psql failed ({sql[:80]}): {out.stderr.decode()[:500]}")
    return out.stdout.decode().strip()


def legacy_csv(sqlite_path, csv_path):
    """The legacy rows as CSV for COPY: NULL as an empty unquoted field, every text quoted (so '' stays '')."""
    import sqlite3

    def field(value):
        if value is None:
            return ""
        if isinstance(value, (int, float)):
            return repr(value)
        return '"' + str(value).replace('"', '""') + '"'

    con = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    try:
        with open(csv_path, "w", newline="") as f:
            for row in con.execute(f"SELECT {', '.join(LEGACY_COLUMNS)} FROM images"):
                f.write(",".join(field(v) for v in row) + "\n")
    finally:
        con.close()


class LatencyProxy:
    """bench/LatencyProxy.java in front of S3Proxy: every chunk delayed by delay_ms in each direction."""

    def __init__(self, folder, name, target_port, delay_ms):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = os.path.join(folder, f"{name}.log")
        self.proc = start(["java", "-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                           os.path.join(ROOT, "bench", "LatencyProxy.java"), str(self.port), "127.0.0.1",
                           str(target_port), str(delay_ms)], self.log)
        deadline = time.monotonic() + 60
        while not self.listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"LatencyProxy did not start; see {self.log}")
            time.sleep(0.1)

    def listening(self):
        try:
            with open(self.log, errors="replace") as f:
                return "listening on" in f.read()
        except OSError:
            return False

    def stop(self):
        """Stops it; answers the bytes it carried to the store and back (its last log line)."""
        stop(self.proc)
        with open(self.log, errors="replace") as f:
            m = re.search(r"(\d+) connections, (\d+) bytes to the target, (\d+) bytes back", f.read())
        return {"connections": int(m.group(1)), "bytesUp": int(m.group(2)), "bytesDown": int(m.group(3))} if m else {}


def round_trip_ms(url, n=7):
    """Median time of one small request (a fresh connection each time)."""
    samples = []
    for _ in range(n):
        t = time.monotonic()
        http("GET", url, timeout=10)
        samples.append((time.monotonic() - t) * 1000)
    return median(samples)


def metric_sum(port, name, label=None):
    status, body = http("GET", f"http://127.0.0.1:{port}/q/metrics", timeout=10)
    total = 0.0
    for line in body.decode().splitlines() if status == 200 else []:
        if (line.startswith(name + "{") or line.startswith(name + " ")) and (label is None or label in line):
            total += float(line.rsplit(" ", 1)[1])
    return total


def jit_seconds(pid):
    """CPU seconds of a JVM's JIT compiler threads so far."""
    return sum(v for k, v in thread_cpu(pid).items() if k.startswith(("C CompilerThre", "CompilerThre")))


def per_count_ms(total_seconds, count):
    return total_seconds * 1000 / count if count else None


def log_time(path, pattern):
    """Wall-clock time (epoch seconds) of the first log line matching pattern (its yyyy-MM-dd HH:mm:ss,SSS stamp)."""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if re.search(pattern, line):
                    m = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})", line)
                    if m:
                        return time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) + int(m.group(2)) / 1000
    except OSError:
        pass
    return None


def run_replicas(ctx, data, csv_path, valid, image_bytes, count, r):
    """One job by COUNT replicas on a fresh PostgreSQL database and bucket; timed from the POST to 'completed'."""
    folder, s3 = ctx["folder"], ctx["s3"]
    user, host, port = pg_user_host_port()
    database = f"bench_r{count}_{os.getpid()}"
    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(f"CREATE DATABASE {database}")
    bucket = s3.bucket(f"replicas{count}-{r}")
    names = ["replica-a", "replica-b", "replica-c", "replica-d"][:count]
    proxies, services = {}, {}
    result = {"replicas": count, "database": database, "bucket": bucket}
    try:
        for name in names:
            proxies[name] = LatencyProxy(folder, f"r{count}-{r}-{name}-proxy", s3.port, REPLICA_DELAY_MS)
        direct = round_trip_ms(s3.endpoint + "/")
        delayed = round_trip_ms(proxies[names[0]].endpoint + "/")
        result["probe"] = {"directMs": direct, "proxiedMs": delayed}
        log(f"replicas={count}: one request to S3Proxy directly {direct:.1f} ms, through the latency proxy "
            f"{delayed:.1f} ms (connection set-up is not delayed; each byte is, {REPLICA_DELAY_MS} ms each way)")
        for name in names:
            services[name] = Service(folder, f"r{count}-{r}-{name}", os.path.join(folder, f"r{count}-{name}.db"), s3,
                                     bucket, extra_env={
                                         "DATABASE_URL": f"postgresql://{user}@{host}:{port}/{database}",
                                         "R2_ENDPOINT": proxies[name].endpoint, "MIGRATION_WORKER_ID": name,
                                         # Joining a job started elsewhere needs this on (README, replicas).
                                         "MIGRATION_RESUME_ON_START": "true",
                                         "MIGRATION_JOIN_INTERVAL": REPLICA_JOIN_INTERVAL})
        for service in services.values():
            service.wait_ready()
        # Flyway made the schema; now the legacy rows, as the legacy app left them.
        psql(f"\\copy images({', '.join(LEGACY_COLUMNS)}) FROM '{csv_path}' WITH (FORMAT csv)", database, timeout=900)
        if REPLICA_ANALYZE:
            # What autovacuum does a minute after a bulk load (this machine's PostgreSQL runs with autovacuum off).
            # Without statistics the planner reads the job's pages through idx_images_r2_key and sorts, so the page
            # query computes length(image_data) of every pending row, about 1 s per page at 2,000 rows of 200 KB.
            psql("ANALYZE images", database)
        loaded = int(psql("SELECT COUNT(*) FROM images", database))
        if loaded != ctx["replicaRows"]:
            raise SystemExit(f"loaded {loaded} rows into {database}, expected {ctx['replicaRows']}")
        a = services[names[0]]
        auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
        pids = {**{n: s.pid for n, s in services.items()}, "s3proxy": s3.proc.pid,
                **{f"{n}-proxy": p.proc.pid for n, p in proxies.items()}}
        cpu0 = {k: cpu_seconds(v) for k, v in pids.items()}
        jit0 = {n: jit_seconds(s.pid) for n, s in services.items()}
        body = json.dumps({"action": "migrate", "concurrency": CONCURRENCY, "batchSize": REPLICA_BATCH_SIZE})
        wall0 = time.time()
        t = time.monotonic()
        status, answer = http("POST", a.base + "/api/migrate-images", body.encode(),
                              {"Content-Type": "application/json", **auth}, timeout=60)
        if status not in (200, 202):
            raise SystemExit(f"replicas={count}: migrate answered {status}: {answer[:500]!r}")
        job_id = json.loads(answer)["jobId"]
        deadline = t + 900
        first_batch = {}
        while True:
            status, answer = http("GET", f"{a.base}/api/migrate-images/jobs/{job_id}", headers=auth, timeout=30)
            job = json.loads(answer) if status == 200 else {}
            if len(first_batch) < count:
                # When each replica claimed its first batch (claims are deleted once folded, so look while it runs).
                for line in psql(f"SELECT claimed_by, MIN(claimed_at) FROM migration_claims WHERE job_id = "
                                 f"'{job_id}' AND batch_no >= 0 GROUP BY claimed_by", database).splitlines():
                    worker, _, at = line.partition("|")
                    if worker and worker not in first_batch:
                        first_batch[worker] = int(at) / 1000 - wall0
            if job.get("state") not in (None, "running", "waiting-for-storage"):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"replicas={count}: job {job_id} did not end within 900 s: {answer[:500]!r}")
            time.sleep(0.1)
        seconds = time.monotonic() - t
        cpu = {k: (cpu_seconds(v) or 0) - (cpu0[k] or 0) for k, v in pids.items()}
        jit = {n: jit_seconds(s.pid) - jit0[n] for n, s in services.items()}
        per_replica = {}
        for name, service in services.items():
            per_replica[name] = {
                "uploaded": int(metric_sum(service.port, "migration_images_total", 'outcome="migrated"')),
                "bytes": int(metric_sum(service.port, "migration_uploaded_bytes_total")),
                "takenOver": int(metric_sum(service.port, "migration_claims_taken_over_total")),
                # Upload and verify (PUT, then HEAD) per image, retries included: the store's share of an image's time.
                "uploadMs": per_count_ms(metric_sum(service.port, "migration_upload_duration_seconds_sum"),
                                         metric_sum(service.port, "migration_upload_duration_seconds_count")),
                "joinedAfter": None if name == names[0] else
                (lambda w: None if w is None else w - wall0)(log_time(service.log, r"Joining migrate job")),
                "firstBatchAfter": first_batch.get(name),
            }
        rows = psql("SELECT COUNT(r2_key), COUNT(DISTINCT r2_key) FROM images", database).split("|")
        result.update({"state": job.get("state"), "jobId": job_id, "seconds": seconds, "images": job.get("migrated"),
                       "failed": job.get("failed"), "processed": job.get("processed"), "total": job.get("total"),
                       "bytes": job.get("bytes"), "workers": job.get("workers") or [],
                       "jobSeconds": parse_time(job["finishedAt"]) - parse_time(job["startedAt"])
                       if job.get("finishedAt") and job.get("startedAt") else None,
                       "perReplica": per_replica, "cpu": cpu, "jit": jit, "rowsWithKey": int(rows[0]),
                       "distinctKeys": int(rows[1]), "load": loadavg()})
    finally:
        for service in services.values():
            service.stop()
        carried = {name: proxy.stop() for name, proxy in proxies.items()}
        try:
            psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        except SystemExit as e:
            log(f"could not drop {database}: {e}")
    objects = s3.count(bucket)
    s3.drop(bucket)
    for name, c in carried.items():
        result["perReplica"].setdefault(name, {})["carried"] = c
    images = result.get("images") or 0
    up = sum(c.get("bytesUp", 0) for c in carried.values())
    checks = {
        "completed": result.get("state") == "completed",
        "all valid images migrated": images == valid,
        "objects in the bucket == images migrated": objects == images,
        "one distinct key per migrated row": result["rowsWithKey"] == result["distinctKeys"] == images,
        "uploads counted by the replicas == images migrated (no image uploaded twice)":
            sum(p.get("uploaded", 0) for p in result["perReplica"].values()) == images,
        "no batch taken over": all(p.get("takenOver", 0) == 0 for p in result["perReplica"].values()),
    }
    if count > 1:
        checks["every replica uploaded a share"] = all(p.get("uploaded", 0) > 0 for p in result["perReplica"].values())
    result.update(objects=objects, checks=checks, rate=images / result["seconds"] if result.get("seconds") else None,
                  bytesUp=up, upOverImageBytes=up / image_bytes if image_bytes else None)
    return result


def replica_figures(ctx):
    """REPLICA_REPEATS rounds of 1 replica and 2 replicas (the order alternates), on the same legacy rows."""
    data = ctx["data"]
    if REPLICA_N != N:
        data = os.path.join(WORK, f"data-n{REPLICA_N}-s{SIZE_KB}")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_legacy_db.py"), "--out", data, "--n",
                        str(REPLICA_N), "--size-kb", str(SIZE_KB)], check=True, timeout=900)
    with open(os.path.join(data, "summary.json")) as f:
        summary = json.load(f)
    csv_path = os.path.join(ctx["folder"], "replica-rows.csv")
    legacy_csv(os.path.join(data, "legacy.db"), csv_path)
    ctx["replicaRows"] = summary["rows"]
    valid, image_bytes = summary["counts"]["valid"], summary["imageBytes"]
    runs = {1: [], 2: []}
    try:
        for r in range(1, REPLICA_REPEATS + 1):
            for count in ((1, 2) if r % 2 else (2, 1)):
                res = run_replicas(ctx, data, csv_path, valid, image_bytes, count, r)
                runs[count].append(res)
                shares = ", ".join(f"{n} {p.get('uploaded')} (first batch after {fmt(p.get('firstBatchAfter'), 2)} s"
                                   + (f", joined after {p['joinedAfter']:.2f} s" if p.get("joinedAfter") is not None
                                      else "") + f", upload+verify {fmt(p.get('uploadMs'), 0)} ms/image)"
                                   for n, p in res["perReplica"].items())
                failed = [k for k, ok in res["checks"].items() if not ok]
                log(f"replicas={count} run {r}: {res['images']} images in {res['seconds']:.2f} s = "
                    f"{fmt(res['rate'])}/s (job {fmt(res['jobSeconds'], 2)} s); uploads {shares}; objects "
                    f"{res['objects']}; CPU s {json.dumps({k: round(v, 1) for k, v in res['cpu'].items()})} (JIT "
                    f"{json.dumps({k: round(v, 1) for k, v in res['jit'].items()})}); "
                    f"checks {'all passed' if not failed else 'FAILED: ' + '; '.join(failed)}")
    finally:
        os.remove(csv_path)
    rate1 = median([x["rate"] for x in runs[1]])
    rate2 = median([x["rate"] for x in runs[2]])
    return {"runs": runs, "rows": summary["rows"], "valid": valid, "imageBytes": image_bytes, "rate1": rate1,
            "rate2": rate2, "ratio": rate2 / rate1 if rate1 and rate2 else None}


# ---------------------------------------------------------------------------------------------------------------------

def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def mb(value):
    return None if value is None else value / 1e6


def mib(value):
    return None if value is None else value / (1024 * 1024)


def machine():
    info = {"cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as f:
            info["memGiB"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    info["java"] = subprocess.run(["java", "-version"], stderr=subprocess.PIPE).stderr.decode().splitlines()[0]
    info["rclone"] = subprocess.run(["rclone", "version"], stdout=subprocess.PIPE).stdout.decode().splitlines()[0]
    return info


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    bench_started = time.monotonic()
    os.makedirs(WORK, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = os.path.join(WORK, f"run-{stamp}")
    os.makedirs(folder)
    info = machine()
    load_before = loadavg()
    log(f"N={N} SIZE_KB={SIZE_KB} CONCURRENCY={CONCURRENCY} BATCH_SIZE={BATCH_SIZE} REPEATS={REPEATS}; "
        f"contenders {','.join(TOOLS) or 'none'}; replicas {'yes' if REPLICAS else 'no'}; work folder {folder}; "
        f"load {load_before}")

    data = os.path.join(WORK, f"data-n{N}-s{SIZE_KB}")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_legacy_db.py"), "--out", data, "--n", str(N),
                    "--size-kb", str(SIZE_KB)], check=True, timeout=900)
    with open(os.path.join(data, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(data, "manifest.tsv")) as f:
        first = f.readline().split("\t")
    compile_putbench()

    s3 = S3Proxy(folder)
    ctx = {"folder": folder, "data": data, "s3": s3, "valid": summary["counts"]["valid"],
           "imageBytes": summary["imageBytes"], "firstKey": first[1], "firstType": first[3]}
    runs = {tool: [] for tool in TOOLS}
    try:
        # Warm S3Proxy's JIT and the page cache once, so that the first contender does not pay for it.
        warm = s3.bucket("warmup")
        putbench(folder, "warmup", ["raw", data + "/manifest.tsv", data + "/files", warm, str(CONCURRENCY)], s3)
        s3.drop(warm)
        ours_last = None
        for r in range(1, REPEATS + 1 if TOOLS else 1):
            order = TOOLS[(r - 1) % len(TOOLS):] + TOOLS[:(r - 1) % len(TOOLS)]
            for tool in order:
                if tool in ONCE and r > 1:
                    continue
                res = RUNNERS[tool](ctx, r)
                res["rate"] = res["images"] / res["seconds"]
                res["mbps"] = mb(res["bytes"]) / res["seconds"] if res["bytes"] is not None else None
                runs[tool].append(res)
                extra = ""
                if tool in OURS:
                    extra = (f", RSS +{fmt(mib(res['rssGrowth']), 0)} MiB (peak {fmt(mib(res['peakRss']), 0)}), "
                             f"heap peak {fmt(mib(res['peakHeap']), 0)} MiB, after GC max {res['maxAfterGcMb']} MB")
                log(f"run {r} {tool}: {res['images']} images in {res['seconds']:.2f} s = {res['rate']:.1f}/s, "
                    f"{fmt(res['mbps'])} MB/s, CPU {fmt(per_image_ms(res, 'cpuSeconds'), 2)} ms/image "
                    f"(S3Proxy {fmt(per_image_ms(res, 's3CpuSeconds'), 2)}), objects {res['objects']}{extra}")
                if tool in OURS:
                    log(f"run {r} {tool}: service CPU by thread group (s): {json.dumps(res['threads'])}")
                if res["objects"] != ctx["valid"] and tool != "seed":
                    raise SystemExit(f"{tool} left {res['objects']} objects, expected {ctx['valid']}")
                if tool == "ours":
                    if ours_last:
                        s3.drop(ours_last["bucket"])
                        os.remove(ours_last["db"])
                    ours_last = res
                else:
                    s3.drop(res["bucket"])
                    if res.get("db"):
                        os.remove(res["db"])
        starts, gets = None, {}
        if START_REPEATS > 0:
            log("JVM start time (bench/start.py: every build found under target/)")
            starts = start_figures()
        if GET_SECONDS > 0:
            if not ours_last:
                log("GET throughput needs a migrated database and bucket: one run of ours, not reported")
                ours_last = run_ours(ctx, 0, "get-data")
            log("GET throughput")
            gets = get_throughput(ctx, ours_last)
        steady = None
        if STEADY_N > 0 and STEADY_TOOLS:
            log(f"steady state: STEADY_N={STEADY_N}, contenders {','.join(STEADY_TOOLS)}, {STEADY_REPEATS} repeat(s)")
            steady = steady_figures(folder, s3)
        replicas = None
        if REPLICAS:
            log(f"replicas: REPLICA_N={REPLICA_N}, {REPLICA_DELAY_MS} ms each way, batchSize {REPLICA_BATCH_SIZE}, "
                f"concurrency {CONCURRENCY}, join interval {REPLICA_JOIN_INTERVAL}")
            replicas = replica_figures(ctx)
            log(f"replicas: 1 replica {fmt(replicas['rate1'])} images/s, 2 replicas {fmt(replicas['rate2'])} images/s, "
                f"ratio {fmt(replicas['ratio'], 2)} (target 1.6)")
    finally:
        stop_all()
    report = write_report(info, load_before, loadavg(), summary, runs, starts, gets,
                          time.monotonic() - bench_started, folder, replicas, steady)
    print(report["table"])
    log(f"report: {report['path']} (and {os.path.join(RESULTS, 'latest.md')}); work files in {folder}")
    if replicas and any(not ok for count in (1, 2) for x in replicas["runs"][count] for ok in x["checks"].values()):
        raise SystemExit("bench: a replica run failed its checks (see the report)")


def steady_figures(folder, s3):
    """The contenders on STEADY_N rows, each run once per repeat in a rotating order; buckets and copies dropped after."""
    data = os.path.join(WORK, f"data-n{STEADY_N}-s{SIZE_KB}")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_legacy_db.py"), "--out", data, "--n",
                    str(STEADY_N), "--size-kb", str(SIZE_KB)], check=True, timeout=3600)
    with open(os.path.join(data, "summary.json")) as f:
        summary = json.load(f)
    ctx = {"folder": folder, "data": data, "s3": s3, "valid": summary["counts"]["valid"],
           "imageBytes": summary["imageBytes"]}
    runs = {t: [] for t in STEADY_TOOLS}
    for r in range(1, STEADY_REPEATS + 1):
        order = STEADY_TOOLS[(r - 1) % len(STEADY_TOOLS):] + STEADY_TOOLS[:(r - 1) % len(STEADY_TOOLS)]
        for tool in order:
            # Numbered apart from the cold runs, whose last ours bucket the GET figures used.
            res = RUNNERS[tool](ctx, 100 + r)
            res["rate"] = res["images"] / res["seconds"]
            s3.drop(res["bucket"])
            if res.get("db"):
                os.remove(res["db"])
            if res["objects"] != ctx["valid"]:
                raise SystemExit(f"steady {tool} left {res['objects']} objects, expected {ctx['valid']}")
            runs[tool].append(res)
            half = res.get("secondHalfRate")
            log(f"steady {r} {tool}: {res['images']} images in {res['seconds']:.1f} s = {res['rate']:.1f}/s"
                + (f" (second half {half:.1f}/s)" if half else "")
                + f", CPU {fmt(per_image_ms(res, 'cpuSeconds'), 2)} ms/image"
                + (f", RSS +{fmt(mib(res['rssGrowth']), 0)} MiB, after GC max {res['maxAfterGcMb']} MB"
                   if tool in OURS else ""))
    return {"summary": summary, "runs": runs}


def steady_section(add, steady, cold):
    """The report's steady-state section, beside the cold figures of the same contenders."""
    runs, summary = steady["runs"], steady["summary"]
    rate = {t: median([x["rate"] for x in runs[t]]) for t in runs}
    cold_rate = {t: median([x["rate"] for x in cold.get(t, [])]) for t in runs}

    def ratio(a, b):
        return None if not a or not b else a / b

    add(f"## Steady state: {summary['rows']} rows")
    add("")
    add(f"The same contenders on {summary['rows']} legacy rows ({summary['counts']['valid']} valid images, "
        f"{mb(summary['imageBytes']):.0f} MB), {STEADY_REPEATS} run(s) each: long enough that the service's JIT "
        f"compilation, which falls inside every timed span, is a small part of it. Timed like the cold runs; "
        "'second half' is ours' rate from the poll (every 250 ms) that saw half the rows processed to the last poll.")
    add("")
    add("| contender | images | s | images/s | second half, images/s | CPU ms/image | cold run images/s |")
    add("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for t in runs:
        half = median([x.get("secondHalfRate") for x in runs[t]])
        add(f"| {t} | {runs[t][0]['images']} | {fmt(median([x['seconds'] for x in runs[t]]), 1)} | {fmt(rate[t])} | "
            f"{fmt(half)} | {fmt(median([per_image_ms(x, 'cpuSeconds') for x in runs[t]]), 2)} | "
            f"{fmt(cold_rate[t])} |")
    add("")
    if any(t in OURS for t in runs):
        add("| ours at steady state | RSS growth over idle | heap after a collection, largest | collections |")
        add("| --- | ---: | ---: | ---: |")
        for t in (t for t in runs if t in OURS):
            add(f"| {t} | {fmt(mib(max(x['rssGrowth'] for x in runs[t])), 0)} MiB | "
                f"{fmt(max(x['maxAfterGcMb'] or 0 for x in runs[t]), 0)} MB | "
                f"{fmt(median([x['gcPauses'] for x in runs[t]]), 0)} |")
        add("")
    checks = []
    e_raw, e_rclone = ratio(rate.get("ours-etag"), rate.get("raw")), ratio(rate.get("ours-etag"), rate.get("rclone"))
    h_raw = ratio(rate.get("ours"), rate.get("raw"))
    if e_raw is not None:
        checks.append(("`verify: etag` ≥ 0.9 × raw at steady state", f"{fmt(e_raw, 2)} ×", e_raw >= 0.9))
    if e_rclone is not None:
        checks.append(("`verify: etag` ≥ rclone at steady state", f"{fmt(e_rclone, 2)} ×", e_rclone >= 1.0))
    if h_raw is not None:
        checks.append(("`verify: head` (ours) ≥ 0.7 × raw at steady state", f"{fmt(h_raw, 2)} ×", h_raw >= 0.7))
    if checks:
        add("| target (issue 13) | measured | result |")
        add("| --- | --- | --- |")
        for label, measured, ok in checks:
            add(f"| {label} | {measured} | {'met' if ok else 'MISSED'} |")
        add("")
    return checks


def per_image_ms(res, key):
    value = res.get(key)
    return None if value is None or not res.get("images") else value * 1000 / res["images"]


THREAD_GROUPS = [("JIT compiler", ("C CompilerThre", "CompilerThre")),
                 ("workers: DB, decode, hashing, SDK marshalling and signing", ("executor-thread",)),
                 ("aws-crt HTTP event loops", ("AwsEventLoop",)),
                 ("migration job thread: pages, checkpoints", ("migration-job",)),
                 ("garbage collector", ("GC Thread", "G Conc", "G Refine", "G Main Marker", "G Young RemSet"))]


def thread_groups(threads):
    out = {name: 0.0 for name, _ in THREAD_GROUPS}
    out["other"] = 0.0
    for thread, seconds in threads.items():
        for name, prefixes in THREAD_GROUPS:
            if thread.startswith(prefixes):
                out[name] += seconds
                break
        else:
            out["other"] += seconds
    return out


def write_report(info, load_before, load_after, summary, runs, starts, gets, elapsed, folder, replicas=None,
                 steady=None):
    runs = {t: runs.get(t, []) for t in ALL_TOOLS}
    contenders = any(runs[t] for t in ALL_TOOLS)
    med = {t: {"rate": median([x["rate"] for x in runs[t]]), "mbps": median([x["mbps"] for x in runs[t]]),
               "seconds": median([x["seconds"] for x in runs[t]]), "images": runs[t][0]["images"] if runs[t] else None,
               "cpu": median([per_image_ms(x, "cpuSeconds") for x in runs[t]]),
               "s3cpu": median([per_image_ms(x, "s3CpuSeconds") for x in runs[t]])}
           for t in ALL_TOOLS}
    mem_keys = ("baselineRss", "peakRss", "vmHwm", "rssGrowth", "peakHeap", "peakHeapCommitted", "maxAfterGcMb",
                "maxCommittedMb", "jobSeconds", "baselineHeap", "gcPauses")
    mem = {t: {k: median([x[k] for x in runs[t]]) for k in mem_keys} for t in OURS}
    max_growth = {t: max([x["rssGrowth"] for x in runs[t]], default=None) for t in OURS}
    ours = runs["ours"]

    def ratio(a, b):
        return None if not a or not b else a / b

    r_raw, r_rclone, r_seed = (ratio(med["ours"]["rate"], med[t]["rate"]) for t in ("raw", "rclone", "seed"))
    e_raw, e_rclone = (ratio(med["ours-etag"]["rate"], med[t]["rate"]) for t in ("raw", "rclone"))
    avg_kb = summary["imageBytes"] / summary["counts"]["valid"] / 1024
    bound_mib = CONCURRENCY * avg_kb / 1024
    lines = []
    add = lines.append
    date = datetime.date.today().isoformat()
    add(f"# Migration benchmark, {date}")
    add("")
    only = f"ONLY={','.join(ONLY)} " if ONLY else ""
    add(f"Command: `{only}N={N} SIZE_KB={SIZE_KB} CONCURRENCY={CONCURRENCY} bench/run.sh` ("
        + (f"batchSize {BATCH_SIZE}, {REPEATS} repeats, figures are medians; contenders {', '.join(TOOLS)}"
           if contenders else "no contenders")
        + (f"; steady state: STEADY_N={STEADY_N}, {STEADY_REPEATS} run(s) of {', '.join(STEADY_TOOLS)}"
           if steady else "")
        + ("; eager variants off (VARIANTS_EAGER=false)" if not BENCH_VARIANTS_EAGER else "")
        + (f"; replicas: REPLICA_N={REPLICA_N}, REPLICA_DELAY_MS={REPLICA_DELAY_MS}, REPLICA_BATCH_SIZE="
           f"{REPLICA_BATCH_SIZE}, REPLICA_REPEATS={REPLICA_REPEATS}" if replicas else "")
        + f"). Took {elapsed / 60:.1f} min.")
    add("")
    add(f"Machine: {info['cpus']} cores, {info.get('memGiB')} GiB, {info['platform']}; {info['java']}; "
        f"{info['rclone']}; S3Proxy 4.1.0 (filesystem backend) on loopback. **The machine was shared** with other "
        f"engineers' builds and tests (load average {load_before} before, {load_after} after), so absolute figures "
        f"are noisy and move between runs; the contenders ran interleaved, in a rotating order, against the same "
        f"S3Proxy, so the ratios and the CPU time per image are the figures to read.")
    add("")
    c = summary["counts"]
    add(f"Data: {summary['rows']} legacy rows, {c['valid']} valid images ({c['png']} PNG, {c['jpeg']} JPEG; "
        f"{mb(summary['imageBytes']):.1f} MB, {avg_kb:.0f} KB on average, random bytes after a real header; "
        f"{c['dataUri']} as data: URIs, {c['mimeMismatch']} with a wrong image_mime_type, {c['alsoExternal']} also "
        f"with an external URL), {c['corruptBase64']} corrupt base64, {c['notAnImage']} base64 that is not an image, "
        f"{c['externalOnly']} external-URL-only rows, {c['none']} empty failed generations.")
    add("")
    # Every section adds its (target, measured, met) rows here; they are listed together at the top.
    targets = []
    summary_mark = len(lines)
    # Sections whose measurement did not run (ONLY=..., GET_SECONDS=0, START_REPEATS=0) are cut out again below.
    mark = len(lines)
    add("## Migration throughput")
    add("")
    add("| contender | images | median s | images/s | MB/s | runs (images/s) | ours / this |")
    add("| --- | ---: | ---: | ---: | ---: | --- | ---: |")
    names = {"ours": f"**ours**: the service's job, concurrency {CONCURRENCY}, batchSize {BATCH_SIZE}",
             "ours-etag": "ours with `\"verify\": \"etag\"` (the PUT's ETag verifies; no HEAD)",
             "ours-xmx": f"ours, the service with `-Xmx{BOUNDED_HEAP}`",
             "ours-b10": f"ours with the service's default batchSize {DEFAULT_BATCH_SIZE} (one run)",
             "raw": f"raw ceiling: SDK PUT loop, concurrency {CONCURRENCY}",
             "rclone": f"rclone copy --transfers {CONCURRENCY}",
             "seed": "seed algorithm: batches of 10, 3 at a time, 100 ms pause"}
    for t in TOOLS:
        m = med[t]
        per_run = ", ".join(f"{x['rate']:.1f}" for x in runs[t])
        rr = "" if t == "ours" else fmt(ratio(med["ours"]["rate"], m["rate"]), 2)
        add(f"| {names[t]} | {m['images']} | {fmt(m['seconds'], 2)} | {fmt(m['rate'])} | {fmt(m['mbps'])} | "
            f"{per_run} | {rr} |")
    add("")
    add(f"Ratios (images/s, medians): **ours/raw = {fmt(r_raw, 2)}**, **ours/rclone = {fmt(r_rclone, 2)}**, "
        f"**ours/seed = {fmt(r_seed, 2)}**; with `verify: etag`: ours-etag/raw = {fmt(e_raw, 2)}, "
        f"ours-etag/rclone = {fmt(e_rclone, 2)}.")
    add("")
    add("## CPU time per image")
    add("")
    add("CPU time is what a shared machine disturbs least. Process CPU over the timed span, every thread included "
        "(JIT compiler and GC too), per image uploaded; S3Proxy's CPU over the same span (for raw and seed, the whole "
        "program including its start). Ours sends two requests per image (PUT, then the verifying HEAD), as rclone "
        "does; raw and seed send one.")
    add("")
    add("| contender | its process, ms/image | S3Proxy, ms/image | together |")
    add("| --- | ---: | ---: | ---: |")
    for t in TOOLS:
        m = med[t]
        together = m["cpu"] + m["s3cpu"] if m["cpu"] is not None and m["s3cpu"] is not None else None
        add(f"| {t} | {fmt(m['cpu'], 2)} | {fmt(m['s3cpu'], 2)} | {fmt(together, 2)} |")
    add("")
    if ours:
        groups = [thread_groups(x["threads"]) for x in ours]
        add("The service's CPU during the job by thread group (ours, median of runs, ms per image):")
        add("")
        add("| threads | ms/image |")
        add("| --- | ---: |")
        for name in [g for g, _ in THREAD_GROUPS] + ["other"]:
            add(f"| {name} | {fmt(median([g[name] * 1000 / x['images'] for g, x in zip(groups, ours)]), 2)} |")
        add("")
    add("## Memory of the service during the migration")
    add("")
    add(f"| figure (median of runs) | ours (JVM defaults) | ours with `-Xmx{BOUNDED_HEAP}` |")
    add("| --- | ---: | ---: |")

    def row(label, key, conv, unit):
        add(f"| {label} | {fmt(conv(mem['ours'][key]), 0)} {unit} | {fmt(conv(mem['ours-xmx'][key]), 0)} {unit} |")

    def same(v):
        return v

    row("RSS idle (after start, Flyway and a status request)", "baselineRss", mib, "MiB")
    row("RSS peak during the job (sampled every 100 ms)", "peakRss", mib, "MiB")
    row("VmHWM at the end (start-up included)", "vmHwm", mib, "MiB")
    add(f"| **RSS growth over idle** | **{fmt(mib(mem['ours']['rssGrowth']), 0)} MiB** (largest "
        f"{fmt(mib(max_growth['ours']), 0)}) | **{fmt(mib(mem['ours-xmx']['rssGrowth']), 0)} MiB** (largest "
        f"{fmt(mib(max_growth['ours-xmx']), 0)}) |")
    row("heap used, peak (every 500 ms from /q/metrics, garbage included)", "peakHeap", mib, "MiB")
    row("heap committed, peak", "peakHeapCommitted", mib, "MiB")
    row("**heap after a collection, largest** (GC log: about what was live)", "maxAfterGcMb", same, "MB")
    row("collections during the run", "gcPauses", same, "")
    add(f"| images in flight × average image ({CONCURRENCY} × {avg_kb:.0f} KB) | {bound_mib:.1f} MiB | |")
    add("")
    add("With the JVM's defaults (`java -jar`, as `./run.sh` starts it"
        f"{', plus ' + ' '.join(SERVICE_JAVA_OPTS) if SERVICE_JAVA_OPTS else ''}) the maximum heap is a quarter of "
        "the RAM, and G1 lets the heap grow with the allocation rate rather than with what is live: the RSS growth "
        "measures that latitude, not a leak. What stays live after a collection does not depend on N; the bounded "
        "run shows the same job in a small fixed heap.")
    add("")
    add("## Targets")
    add("")
    add("| target | measured | result |")
    add("| --- | --- | --- |")
    add(f"| migration ≥ 0.8 × raw ceiling | {fmt(r_raw, 2)} × | {'met' if r_raw and r_raw >= 0.8 else 'MISSED'} |")
    add(f"| migration ≥ rclone | {fmt(r_rclone, 2)} × | {'met' if r_rclone and r_rclone >= 1.0 else 'MISSED'} |")
    add(f"| the same with `verify: etag` | {fmt(e_raw, 2)} × raw, {fmt(e_rclone, 2)} × rclone | "
        f"{'met' if e_raw and e_raw >= 0.8 and e_rclone and e_rclone >= 1.0 else 'MISSED'} |")
    for t, label in (("ours", "JVM defaults"), ("ours-xmx", f"-Xmx{BOUNDED_HEAP}")):
        g = max_growth[t]
        verdict = "n/a" if g is None else ("met" if g < 256 * 1024 * 1024 else "MISSED")
        add(f"| RSS growth < 256 MB ({N} × {SIZE_KB} KB, concurrency {CONCURRENCY}), {label} | {fmt(mib(g), 0)} MiB "
            f"(largest run) | {verdict} |")
    add(f"| heap bounded by concurrency × image size | largest after-GC heap {fmt(mem['ours']['maxAfterGcMb'], 0)} MB "
        f"(bounded run {fmt(mem['ours-xmx']['maxAfterGcMb'], 0)} MB) with {bound_mib:.1f} MiB of images in flight | "
        f"see the memory table |")
    if replicas:
        add(replica_target_row(replicas))
    add("")
    if not contenders:
        del lines[mark:]
    else:
        targets += [(f"migration ≥ 0.8 × raw (cold, {N} rows)", f"{fmt(r_raw, 2)} ×", bool(r_raw and r_raw >= 0.8)),
                    (f"migration ≥ rclone (cold, {N} rows)", f"{fmt(r_rclone, 2)} ×",
                     bool(r_rclone and r_rclone >= 1.0))]
    mark = len(lines)
    targets += serve.section(add, gets, GET_SECONDS, GET_CONNECTIONS, fmt)
    broken = [f"{key}: `Content-Length: {g['framing']['contentLength']}` with `Transfer-Encoding: "
              f"{g['framing']['transferEncoding']}`" for key, g in gets.items()
              if g.get("framing") and g["framing"]["contentLength"] is not None
              and g["framing"]["transferEncoding"] is not None]
    if broken:
        add("**Finding: invalid HTTP framing.** These answers carry both headers, which RFC 9112 §6.3 forbids: "
            + "; ".join(broken) + ".")
        add("")
    if not gets:
        del lines[mark:]
    mark = len(lines)
    add("## JVM start to the first ready probe (bench/start.py)")
    add("")
    add(start_bench.METHOD + " Variants: each build found under target/ (`./mvnw package`; `scripts/build-aot.sh` "
        "for the AOT cache on JDK 25 and `scripts/build-aot.sh appcds` for AppCDS on 17, which bench/run.sh makes "
        "when they are missing or older than the sources), run interleaved.")
    add("")
    if starts:
        start_lines, start_targets = start_bench.table(starts["chosen"], starts["samples"])
        for line in start_lines:
            add(line)
        targets += start_targets
    add("")
    if not starts:
        del lines[mark:]
    if steady:
        targets += steady_section(add, steady, runs)
    if replicas:
        replica_section(add, replicas)
    if replicas:
        ratio = replicas["ratio"]
        targets.append(("2 replicas ≥ 1.6 × 1 replica", f"{fmt(ratio, 2)} ×", bool(ratio and ratio >= 1.6)))
    if targets:
        glance = ["## Targets at a glance", "", "| target | measured | result |", "| --- | --- | --- |"]
        glance += [f"| {t} | {m} | {'met' if ok else '**MISSED**'} |" for t, m, ok in targets]
        lines[summary_mark:summary_mark] = glance + [""]
    mark = len(lines)
    add("## How each contender was measured")
    add("")
    add(f"- **ours**: the packaged service (`java -jar {os.path.relpath(APP, ROOT)}/quarkus-run.jar`) on a fresh copy of the "
        f"legacy database and an empty bucket; time of `POST /api/migrate-images` `{{\"action\":\"migrate\","
        f"\"concurrency\":{CONCURRENCY},\"batchSize\":{BATCH_SIZE},\"wait\":true}}` from request to answer (the "
        f"job's own startedAt→finishedAt, median {fmt(mem['ours']['jobSeconds'], 2)} s). Per image: read the base64 row, "
        f"decode, sniff, SHA-256 and MD5, PUT with Content-MD5, HEAD (size and ETag); then one transaction per batch "
        f"for its verified rows and their job items (since issue 13; one per image before), and a checkpoint. Corrupt and non-image rows are recorded as failed "
        f"({ours[0]['failed'] if ours else 'n/a'} per run). Checked: the bucket holds exactly the {c['valid']} "
        f"valid images.")
    add("- **ours-etag** is the same job with `\"verify\": \"etag\"`: no HEAD; the PUT's answer (ETag = MD5 of what "
        "the store kept, after it checked Content-MD5) is the verification, as with `rclone --s3-no-head`.")
    add(f"- **ours-xmx** is the same with `-Xmx{BOUNDED_HEAP}` on the service's command line; **ours-b10** the same "
        f"with `batchSize` {DEFAULT_BATCH_SIZE}, the service's default (one run).")
    add(f"- **raw**: `bench/PutBench.java raw`, the same SDK and client settings as the service (aws-crt, path "
        f"style, WHEN_REQUIRED checksums, LegacyMd5Plugin, no SDK retries), reading each file, hashing it (MD5 for "
        f"Content-MD5, SHA-256 for the same metadata) and PUTting it with the same headers, at most {CONCURRENCY} in "
        f"flight; no database, no HEAD. Timed inside the program from the first PUT to the last answer.")
    add(f"- **rclone**: `rclone copy <files> bench:<bucket> --transfers {CONCURRENCY} --checkers {CONCURRENCY} "
        f"--s3-no-check-bucket` with the remote configured by environment variables (provider Other, path style, "
        f"region auto); rclone sends Content-MD5 and HEADs each object after its PUT, like ours. Timed as the whole "
        f"process (its start and one listing of the empty bucket included).")
    add("- **seed**: `bench/PutBench.java seed` on a fresh copy of the legacy database: rows read 10 at a time, "
        "uploaded 3 at a time (slices of 3 awaited together, as `Promise.all` over slices), each row updated after "
        "its PUT, 100 ms pause between batches; no Content-MD5, no HEAD, no type sniffing (base64 that decodes is "
        f"uploaded even when it is not an image: {runs['seed'][0]['images'] if runs['seed'] else 'n/a'} objects).")
    add(f"- S3Proxy got a warm-up pass before the first contender; every contender wrote into its own empty bucket, "
        f"deleted after it was counted. Work files of this run: `{os.path.relpath(folder, ROOT)}`.")
    add("")
    if not contenders:
        del lines[mark:]
    text = "\n".join(lines)
    os.makedirs(RESULTS, exist_ok=True)
    name = f"{date}-migration.md" if (N, SIZE_KB, CONCURRENCY) == (2000, 200, 8) and not ONLY else \
        f"{date}-migration-n{N}-s{SIZE_KB}-c{CONCURRENCY}{'-only-' + '-'.join(ONLY) if ONLY else ''}.md"
    path = os.path.join(RESULTS, name)
    with open(path, "w") as f:
        f.write(text)
    shutil.copyfile(path, os.path.join(RESULTS, "latest.md"))
    table_start = text.find("\n## ") + 1
    table_end = text.index("## How each contender") if "## How each contender" in text else len(text)
    return {"path": path, "table": text[table_start:table_end]}


def replica_target_row(rep):
    ratio = rep["ratio"]
    return (f"| 2 replicas ≥ 1.6 × 1 replica, store {REPLICA_DELAY_MS} ms away each way | {fmt(ratio, 2)} × "
            f"({fmt(rep['rate2'])} vs {fmt(rep['rate1'])} images/s) | "
            f"{'n/a' if ratio is None else ('met' if ratio >= 1.6 else 'MISSED')} |")


def replica_section(add, rep):
    """The report's replica figure: 1 replica and 2 replicas on one PostgreSQL job against a store far away."""
    runs = rep["runs"]
    add(f"## Two replicas against a store {REPLICA_DELAY_MS} ms away")
    add("")
    add(f"One `migrate` job (concurrency {CONCURRENCY} per replica, **batchSize {REPLICA_BATCH_SIZE}**, so that each "
        f"replica claims many batches: {rep['rows']} rows make {-(-rep['rows'] // REPLICA_BATCH_SIZE)} batches) on a "
        f"fresh PostgreSQL database holding {rep['rows']} legacy rows ({rep['valid']} valid images, "
        f"{mb(rep['imageBytes']):.1f} MB), started on replica-a with `POST /api/migrate-images`; replica-b (when "
        f"present) joins it (`MIGRATION_RESUME_ON_START=true`, `MIGRATION_JOIN_INTERVAL={REPLICA_JOIN_INTERVAL}`). "
        f"Each replica reaches S3Proxy through its own `bench/LatencyProxy.java`, which delays every chunk by "
        f"{REPLICA_DELAY_MS} ms in each direction ({2 * REPLICA_DELAY_MS} ms per round trip, bandwidth not limited; "
        f"the database is not delayed). Timed from the POST to the first poll (every 100 ms) that sees the job "
        f"`completed`.")
    add("")
    add("| replicas | images | s (POST → completed) | job s | images/s | uploads per replica (the replicas' "
        "counters; times after the POST) | shares in the job report (processed) | CPU s: replicas (of which JIT), "
        "S3Proxy, latency proxies | load |")
    add("| ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- |")
    for count in (1, 2):
        for x in runs[count]:
            uploads = "; ".join(f"{n} {p.get('uploaded')} ("
                                + (f"joined at {p['joinedAfter']:.2f} s, " if p.get("joinedAfter") is not None else "")
                                + f"first batch at {fmt(p.get('firstBatchAfter'), 2)} s, "
                                  f"{fmt(p.get('uploadMs'), 0)} ms per PUT+HEAD)"
                                for n, p in x["perReplica"].items())
            shares = ", ".join(f"{w['workerId']} {w['processed']}" for w in x["workers"]) or "n/a"
            cpu = x["cpu"]
            replica_cpu = " + ".join(f"{cpu[n]:.1f} (JIT {x['jit'][n]:.1f})" for n in x["perReplica"])
            proxy_cpu = sum(v for k, v in cpu.items() if k.endswith("-proxy"))
            add(f"| {count} | {x['images']} | {fmt(x['seconds'], 2)} | {fmt(x['jobSeconds'], 2)} | {fmt(x['rate'])} | "
                f"{uploads} | {shares} | {replica_cpu}, {cpu['s3proxy']:.1f}, {proxy_cpu:.1f} | {x['load']} |")
    add("")
    ratio = rep["ratio"]
    add(f"**2 replicas ÷ 1 replica = {fmt(ratio, 2)}** ({fmt(rep['rate2'])} vs {fmt(rep['rate1'])} images/s"
        f"{', medians' if REPLICA_REPEATS > 1 else ''}); target ≥ 1.6: "
        f"**{'n/a' if ratio is None else ('met' if ratio >= 1.6 else 'MISSED')}**.")
    add("")
    probe = runs[1][0]["probe"] if runs[1] else runs[2][0]["probe"]
    add(f"Latency check: one small request to S3Proxy took {probe['directMs']:.1f} ms directly and "
        f"{probe['proxiedMs']:.1f} ms through the latency proxy (median of 7, a new connection each; the proxy accepts "
        f"at once, so only the bytes are delayed, not the connection set-up).")
    add("")
    failed = [(count, x["bucket"], k) for count in (1, 2) for x in runs[count]
              for k, ok in x["checks"].items() if not ok]
    names = list(runs[2][0]["checks"]) if runs[2] else list(runs[1][0]["checks"]) if runs[1] else []
    if failed:
        add("**Checks that FAILED**: " + "; ".join(f"{count} replica(s), {bucket}: {k}" for count, bucket, k in failed)
            + ".")
    else:
        add("Checked after every run: " + "; ".join(names) + ".")
    up = [f"{x['upOverImageBytes']:.3f}" for count in (1, 2) for x in runs[count] if x.get("upOverImageBytes")]
    add(f"Bytes the replicas sent to the store ÷ image bytes: {', '.join(up)} (request headers, aws-chunked "
        f"signatures and HEADs; an image uploaded twice would add about {100 / max(rep['valid'], 1):.2f} %).")
    add("")
    add(f"Both replicas, S3Proxy, PostgreSQL and the latency proxies share this machine's {os.cpu_count()} cores: "
        "when their CPU seconds approach cores × seconds (or the load average exceeds the cores), the figure measures "
        "the machine, not the replicas' sharing. Each run starts fresh JVMs, so JIT compilation falls inside the timed "
        "span, twice over with 2 replicas; a larger REPLICA_N amortizes it.")
    add("")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        stop_all()
        sys.exit(130)
    except BaseException:
        stop_all()
        raise

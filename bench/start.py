"""Start-up benchmark; run by bench/start.sh. Standard library only.

Measures, for each build found under target/, the time from spawning the JVM to the first 200 of /q/health/ready
(which lists one key of the bucket and checks the database) and the process's RSS at that moment, on a fresh SQLite
file (Flyway creates the schema) and an empty bucket each run, the runs of all variants interleaved so that a busy
machine disturbs them alike. One S3Proxy serves every run. Writes bench/results/start-<date>.md and start-latest.md.

Variants (each only when its build exists):
  before     target/start-baseline/  plain JVM build of an earlier commit (bench/start.sh BASELINE=<commit> makes it)
  jvm17      target/quarkus-app/     ./mvnw package, the default java
  appcds17   target/quarkus-app-cds/ scripts/build-aot.sh appcds: -XX:SharedArchiveFile=app-cds.jsa
  jvm25      target/quarkus-app/     the same plain build on the AOT JDK, without a cache (what the JDK alone changes)
  aot25      target/quarkus-app-aot/ scripts/build-aot.sh: -XX:AOTCache=app.aot
Knobs (environment): RUNS (5), VARIANTS (comma-separated choice of the above), AOT_JAVA_HOME.
"""
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "target")
RUNS = int(os.environ.get("RUNS", "5"))
AOT_JAVA_HOME = os.environ.get("AOT_JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
S3_KEY, S3_SECRET = "bench-key", "bench-secret"
TARGET_AOT, TARGET_PLAIN = 0.8, 1.5


def default_java():
    return shutil.which("java")


def recorded_java(folder):
    """The JDK that wrote an archive (scripts/build-aot.sh records it); an archive works only with that JDK."""
    path = os.path.join(folder, "java-home")
    if os.path.exists(path):
        with open(path) as f:
            return os.path.join(f.read().strip(), "bin", "java")
    return None


def variants():
    found = []

    def add(name, label, folder, java, opts=(), archive=None):
        if java and os.path.exists(os.path.join(folder, "quarkus-run.jar")) and (
                archive is None or os.path.exists(os.path.join(folder, archive))):
            found.append({"name": name, "label": label, "dir": folder, "java": java, "opts": list(opts),
                          "archive": archive})

    aot_java = os.path.join(AOT_JAVA_HOME, "bin", "java")
    add("before", "plain JVM, before the start cuts", os.path.join(TARGET, "start-baseline"), default_java())
    add("jvm17", "plain JVM (`java -jar`)", os.path.join(TARGET, "quarkus-app"), default_java())
    cds = os.path.join(TARGET, "quarkus-app-cds")
    add("appcds17", "AppCDS archive (`-XX:SharedArchiveFile=app-cds.jsa`)", cds, recorded_java(cds),
        ["-XX:SharedArchiveFile=app-cds.jsa"], "app-cds.jsa")
    add("jvm25", "plain JVM on the AOT JDK, no cache", os.path.join(TARGET, "quarkus-app"),
        aot_java if os.path.exists(aot_java) else None)
    aot = os.path.join(TARGET, "quarkus-app-aot")
    add("aot25", "AOT cache (`-XX:AOTCache=app.aot`, aot-jar)", aot, recorded_java(aot), ["-XX:AOTCache=app.aot"],
        "app.aot")
    chosen = os.environ.get("VARIANTS")
    if chosen:
        names = chosen.split(",")
        found = [v for v in found if v["name"] in names]
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def java_version(java):
    out = subprocess.run([java, "-version"], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL).stderr.decode()
    return out.splitlines()[0] if out else "?"


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cpu_seconds(pid):
    """User + system CPU of the process so far: what a shared machine disturbs least."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ready(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def start_s3proxy(work):
    port = free_port()
    data = os.path.join(work, "s3")
    os.makedirs(data)
    props = os.path.join(work, "s3proxy.properties")
    with open(props, "w") as f:
        f.write(f"s3proxy.endpoint=http://127.0.0.1:{port}\ns3proxy.authorization=aws-v2-or-v4\n"
                f"s3proxy.identity={S3_KEY}\ns3proxy.credential={S3_SECRET}\n"
                f"jclouds.provider=filesystem\njclouds.filesystem.basedir={data}\n")
    log = open(os.path.join(work, "s3proxy.log"), "w")
    proc = subprocess.Popen([default_java(), "-Xmx512m", "-jar", os.path.join(TARGET, "s3proxy", "s3proxy.jar"),
                             "--properties", props], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 60
    while not port_open(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"S3Proxy did not start; see {work}/s3proxy.log")
        time.sleep(0.2)
    return proc, port, data


def one_start(variant, work, run, s3_port, s3_data):
    folder = os.path.join(work, f"{variant['name']}-{run}")
    os.makedirs(folder)
    bucket = f"start-{variant['name']}-{run}"
    os.makedirs(os.path.join(s3_data, bucket))
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MIGRATION_", "IMAGE_", "R2_", "QUARKUS_", "JAVA_TOOL", "JDK_JAVA"))
           and k not in ("DATABASE_URL", "ENABLE_R2_STORAGE")}
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "SQLITE_PATH": os.path.join(folder, "images.db"),
                "R2_ENDPOINT": f"http://127.0.0.1:{s3_port}", "R2_ACCESS_KEY_ID": S3_KEY,
                "R2_SECRET_ACCESS_KEY": S3_SECRET, "R2_BUCKET": bucket, "MIGRATION_RESUME_ON_START": "false"})
    cmd = [variant["java"], *variant["opts"], "-jar", "quarkus-run.jar"]
    log_path = os.path.join(folder, "service.log")
    with open(log_path, "w") as log:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=variant["dir"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/q/health/ready"
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"{variant['name']} exited; see {log_path}")
            if ready(url):
                seconds = time.monotonic() - t0
                rss = rss_bytes(proc.pid)
                cpu = cpu_seconds(proc.pid)
                break
            if time.monotonic() - t0 > 120:
                raise SystemExit(f"{variant['name']} not ready in 120 s; see {log_path}")
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    with open(log_path, errors="replace") as f:
        text = f.read()
    m = re.search(r"started in ([\d.]+)s", text)
    return {"readySeconds": seconds, "rss": rss, "cpuSeconds": cpu, "quarkusSeconds": float(m.group(1)) if m else None,
            "archiveRejected": bool(re.search(r"(?i)(unable to use|mismatch|An error has occurred while processing the"
                                              r" (shared archive|AOT cache))", text))}


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def fmt(x, digits=2):
    return "–" if x is None else f"{x:.{digits}f}"


def measure(chosen, runs):
    """Every variant RUNS times, interleaved, against one S3Proxy: {name: [sample, ...]} and the work folder."""
    work = tempfile.mkdtemp(prefix="start-", dir=os.path.join(TARGET))
    s3, s3_port, s3_data = start_s3proxy(work)
    samples = {v["name"]: [] for v in chosen}
    try:
        # One unmeasured start first: the page cache then holds every jar for all variants alike.
        one_start(chosen[0], work, "warm", s3_port, s3_data)
        for run in range(runs):
            order = chosen[run % len(chosen):] + chosen[:run % len(chosen)]
            for v in order:
                s = one_start(v, work, run, s3_port, s3_data)
                samples[v["name"]].append(s)
                print(f"start: {v['name']:9} run {run + 1}/{runs}: ready {s['readySeconds']:.2f} s, "
                      f"CPU {s['cpuSeconds']:.2f} s, "
                      f"RSS {s['rss'] / 2**20:.0f} MiB", flush=True)
    finally:
        os.killpg(s3.pid, signal.SIGTERM)
        s3.wait()
    with open(os.path.join(work, "samples.json"), "w") as f:
        json.dump(samples, f, indent=1)
    return samples, work


def main():
    chosen = variants()
    if not chosen:
        raise SystemExit("bench/start: no build found under target/ (./mvnw package, scripts/build-aot.sh)")
    load_before = loadavg()
    began = time.monotonic()
    samples, work = measure(chosen, RUNS)
    report(chosen, samples, load_before, loadavg(), time.monotonic() - began, work)


def table(chosen, samples):
    """The variants' table and the target rows [(target, measured, met)], for this report and bench/run.sh's."""
    lines = ["| variant | JDK | start → ready, median s | runs (s) | Quarkus \"started in\" s | CPU s to ready | "
             "RSS at ready MiB | archive |", "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: |"]
    med = {}
    for v in chosen:
        s = samples[v["name"]]
        ready = [x["readySeconds"] for x in s]
        med[v["name"]] = statistics.median(ready)
        quarkus = [x["quarkusSeconds"] for x in s if x["quarkusSeconds"] is not None]
        archive = "–"
        if v["archive"]:
            archive = f"{os.path.getsize(os.path.join(v['dir'], v['archive'])) / 2**20:.0f} MiB"
        rejected = " (archive REJECTED in a run)" if any(x["archiveRejected"] for x in s) else ""
        lines.append(f"| **{v['name']}**: {v['label']}{rejected} | {java_version(v['java'])} | "
                     f"**{statistics.median(ready):.2f}** | {', '.join(fmt(x) for x in ready)} | "
                     f"{fmt(statistics.median(quarkus) if quarkus else None)} | "
                     f"{statistics.median([x['cpuSeconds'] for x in s]):.2f} | "
                     f"{statistics.median([x['rss'] for x in s]) / 2**20:.0f} | {archive} |")
    rows = []
    if "aot25" in med:
        rows.append((f"start → ready ≤ {TARGET_AOT} s with the AOT cache", f"{med['aot25']:.2f} s",
                     med["aot25"] <= TARGET_AOT))
    for name in ("jvm17", "appcds17"):
        if name in med:
            rows.append((f"start → ready ≤ {TARGET_PLAIN} s without it ({name})", f"{med[name]:.2f} s",
                         med[name] <= TARGET_PLAIN))
    if "before" in med:
        ratios = ", ".join(f"{n} {med['before'] / m:.2f} ×" for n, m in med.items() if n != "before")
        lines += ["", f"Faster than `before` (its median ÷ each variant's): {ratios}."]
    return lines, rows


METHOD = ("Each run: the JVM spawned → the first 200 from `/q/health/ready` (the readiness checks list one key of the "
          "bucket on a local S3Proxy and check the database), polled every 20 ms, on a fresh SQLite file (Flyway "
          "creates the schema) and an empty bucket; RSS and the process's CPU time (user + system, all threads) read "
          "at that first 200. Medians of the runs. On a busy machine the CPU time moves least.")


def report(chosen, samples, load_before, load_after, elapsed, work):
    today = datetime.date.today().isoformat()
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) / 2**20
    lines = [f"# Start-up benchmark, {today}", "",
             f"Command: `RUNS={RUNS} bench/start.sh`. Took {elapsed / 60:.1f} min. Machine: {os.cpu_count()} cores, "
             f"{mem:.1f} GiB, {platform.platform()}; load average {load_before} before, {load_after} after (other "
             "builds may share the machine: the variants ran interleaved, so they share its disturbance).", "",
             METHOD, ""]
    rows_text, rows = table(chosen, samples)
    lines += rows_text
    lines += ["", "## Targets", "", "| target | measured | result |", "| --- | --- | --- |"]
    lines += [f"| {t} | {m} | {'met' if ok else 'MISSED'} |" for t, m, ok in rows]
    lines += ["", f"Work files: `{os.path.relpath(work, ROOT)}`.", ""]
    text = "\n".join(lines)
    results = os.path.join(ROOT, "bench", "results")
    for name in (f"start-{today}.md", "start-latest.md"):
        with open(os.path.join(results, name), "w") as f:
            f.write(text)
    print(text)


if __name__ == "__main__":
    main()

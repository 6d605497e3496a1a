"""The GET side of the benchmark (imported by bench/bench.py): wrk against the service and, side by side, against nginx
serving the very same bytes from disk. Standard library only.

wrk (-t2, GET_CONNECTIONS connections, --latency) is the load generator the issue's targets name; every measured URL
gets a 2 s warm-up first. nginx is Debian's, started here with its own prefix, config and port (worker_processes auto,
sendfile, no access log, keep-alive without a request limit), its body checked byte for byte against the service's.
"""
import hashlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

TARGET_302 = 10_000
TARGET_NGINX_RATIO = 0.5


def wrk(url, seconds, connections):
    """wrk for SECONDS: requests/s, latency percentiles, requests done, non-2xx/3xx answers and socket errors."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=seconds + 60).stdout.decode()

    def latency_ms(percent):
        m = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    done = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "requests": int(done.group(1)) if done else 0,
            "p50ms": latency_ms(50), "p99ms": latency_ms(99), "bad": int(bad.group(1)) if bad else 0,
            "socketErrors": errors.group(1).strip() if errors else None, "raw": out[-1500:]}


def body_of(url, follow=False):
    """The answer's status and body; a redirect is followed only when FOLLOW (to read an R2 row's bytes)."""
    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(Stay)
    try:
        with opener.open(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def location_of(url):
    """The Location of a redirect answer."""
    import http.client
    host, path = url.split("/")[2], "/" + url.split("/", 3)[3]
    conn = http.client.HTTPConnection(host, timeout=10)
    conn.request("GET", path)
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.getheader("Location")


class Nginx:
    """Debian's nginx on a free port of loopback, serving the files put into its root."""

    def __init__(self, folder, port):
        self.folder = os.path.join(folder, "nginx")
        self.root = os.path.join(self.folder, "www")
        os.makedirs(self.root, exist_ok=True)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(self.folder, "tmp", sub), exist_ok=True)
        self.port = port
        tmp = os.path.join(self.folder, "tmp")
        # As root the workers would switch to nobody, which may not read the work folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = os.path.join(self.folder, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{user}worker_processes auto;
pid {self.folder}/nginx.pid;
error_log {self.folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types {{ image/png png; image/jpeg jpg; image/webp webp; }}
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        root {self.root};
    }}
}}
""")
        self.proc = subprocess.Popen([nginx_binary(), "-p", self.folder, "-c", conf, "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.folder, "stderr.log"), "wb"),
                                     start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # 403/404 for the bare root: it answers
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"nginx did not start; see {self.folder}/error.log and stderr.log")
                time.sleep(0.1)

    def serve(self, name, data):
        """Puts DATA under NAME and answers its URL, after checking that nginx gives back exactly those bytes."""
        with open(os.path.join(self.root, name), "wb") as f:
            f.write(data)
        url = f"http://127.0.0.1:{self.port}/{name}"
        status, body = body_of(url)
        if status != 200 or hashlib.sha256(body).digest() != hashlib.sha256(data).digest():
            raise SystemExit(f"nginx answered {status} with {len(body)} bytes for {name}, expected {len(data)}")
        return url

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)


def nginx_binary():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


WARMUP_SECONDS = int(os.environ.get("GET_WARMUP", "") or 8)


def measure(label, url, seconds, connections, log):
    """One URL: a warm-up (GET_WARMUP s: the JIT compiles the streamed path for longer than 2 s), then the timed run."""
    wrk(url, WARMUP_SECONDS, connections)
    res = wrk(url, seconds, connections)
    log(f"GET {label}: {res['rps']:.0f} req/s, p50 {res['p50ms']} ms, p99 {res['p99ms']} ms, "
        f"non-2xx/3xx {res['bad']}, socket errors {res['socketErrors']}")
    return res


ROWS = {"base64-redirect": ("base64 row (bytes from the database)", "service", "nginx-base64"),
        "nginx-base64": ("the same bytes as a file", "**nginx**", None),
        "r2-redirect": ("R2 row", "service: 302 to a presigned URL", None),
        "store-r2": ("the same object, presigned GET", "**S3Proxy** (the store itself)", "nginx-r2"),
        "r2-proxy": ("R2 row", "service: streamed from S3Proxy (IMAGE_SERVE_MODE=proxy)", "nginx-r2"),
        "nginx-r2": ("the same bytes as a file", "**nginx**", None)}


def section(add, gets, seconds, connections, fmt):
    """The report's GET section; answers the target rows [(target, measured, met)]."""
    add(f"## Image GET throughput (wrk -t2 -c{connections} --latency, {seconds} s after a {WARMUP_SECONDS} s warm-up)")
    add("")
    add("| row | server | answer | requests/s | MB/s | p50 ms | p99 ms | non-2xx/3xx, socket errors | ÷ nginx |")
    add("| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: |")
    for key, (row, server, versus) in ROWS.items():
        if key not in gets:
            continue
        g = gets[key]
        ratio = g["rps"] / gets[versus]["rps"] if versus in gets and gets[versus]["rps"] else None
        answer = f"{g['status']}, {g['bodyBytes']:,} bytes"
        add(f"| {row} | {server} | {answer} | {fmt(g['rps'], 0)} | {fmt(g['rps'] * g['bodyBytes'] / 1e6)} | "
            f"{fmt(g['p50ms'], 2)} | {fmt(g['p99ms'], 2)} | {g['bad']}, {g['socketErrors'] or 'none'} | "
            f"{fmt(ratio, 2) if ratio else ''} |")
    add("")
    add("wrk, the service, S3Proxy and nginx share the 2 cores: each figure is what the machine gives with the load "
        "generator on it. nginx ran right after the service's run of the same bytes (worker_processes auto, sendfile, "
        "no access log). A 302 is the whole answer in the redirect mode: the client then fetches the object from the "
        "bucket or CDN, not from the service. The proxied GET cannot be faster than the store it reads from: S3Proxy "
        "serving the same object to wrk directly (its presigned URL) is that ceiling here. Before 2026-12-06 these figures came from hey, a heavier client (the "
        "302 then measured 1,796 req/s with hey; bench/redirect.sh measured 1,801 with wrk on the build before the "
        "serving cache).")
    if "r2-proxy" in gets and gets.get("store-r2", {}).get("rps"):
        add("")
        add(f"The proxied GET ÷ the store's own GET of the same object: "
            f"**{gets['r2-proxy']['rps'] / gets['store-r2']['rps']:.2f} ×**.")
    add("")
    rows = []
    if "r2-redirect" in gets:
        rps = gets["r2-redirect"]["rps"]
        rows.append((f"302 to R2 ≥ {TARGET_302:,} req/s", f"{rps:,.0f} req/s", rps >= TARGET_302))
    for ours, versus, label in (("base64-redirect", "nginx-base64", "base64 GET"),
                                ("r2-proxy", "nginx-r2", "proxied GET")):
        if ours in gets and versus in gets and gets[versus]["rps"]:
            ratio = gets[ours]["rps"] / gets[versus]["rps"]
            rows.append((f"{label} ≥ {TARGET_NGINX_RATIO} × nginx (same bytes)",
                         f"{ratio:.2f} × ({gets[ours]['rps']:,.0f} vs {gets[versus]['rps']:,.0f} req/s)",
                         ratio >= TARGET_NGINX_RATIO))
    return rows

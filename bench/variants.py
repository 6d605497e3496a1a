#!/usr/bin/env python3
"""The variant benchmark (issue 12); started by bench/variants.sh, which installs vips and wrk, builds the service and
writes the project's runtime classpath first. Standard library only; reuses bench/bench.py's S3Proxy and Service.

codec  (parts 1 and 2) on GALLERY_N generated 1792x1024 persona PNGs (bench/PersonaGallery.java, cached per
       N/seed/grain under BENCH_WORK):
  bytes       the `small` variant (WIDTH px WebP at QUALITY) made by the service's codec (VariantCodec, in
              bench/VariantFigures.java) against the originals (target <= 5 %), and the SSIM of each variant (decoded by
              libwebp) against a reference area-average resize of the original (bench/VariantFigures.java ssim).
  speed       ROUNDS rounds, each: ours (one JVM, one thread: an untimed warm-up pass, then a timed pass of decode +
              resize + encode from bytes in memory), `vips thumbnail in.png out.webp[Q=QUALITY] WIDTH` once per image
              (VIPS_CONCURRENCY=1, the batch timed, process start-ups included), and `vipsthumbnail` over the whole
              batch in one process (VIPS_CONCURRENCY=1). Medians of the rounds; target ours >= 0.5 x vips.
  equal SSIM  vips at MATCH_QUALITIES too, to state vips' bytes at our SSIM (interpolated between the two qualities
              around it).
http   (part 3) the packaged service (APP_DIR, default target/quarkus-app) with ENABLE_R2_STORAGE=true against a local
       S3Proxy, IMAGE_SERVE_MODE=proxy, VARIANTS_EAGER=false: HTTP_WARMUP + HTTP_N images uploaded; the warm-up images'
       variants are requested first (untimed, JIT), then the first and a second
       `GET /api/images/{id}?variant=small` (Accept: image/webp) of each of the HTTP_N images, then wrk -t2 -c16
       -dWRK_SECONDS on one variant URL (and, WRK_ORIGINAL=1, on the original's URL for comparison). Skipped with a
       message when the service answers 400/404 to ?variant= or serves the original instead of a WebP.

Knobs (environment): GALLERY_N (50), SEED (1), GRAIN (0.5), WIDTH (480), QUALITY (80), ROUNDS (3),
MATCH_QUALITIES (75,85; empty skips), HTTP_N (10), HTTP_WARMUP (3), WRK_SECONDS (10), WRK_CONNECTIONS (16),
WRK_ORIGINAL (1), PARTS (codec,http), CODEC_CLASSPATH (target/classes), APP_DIR, BENCH_WORK (target/bench),
BENCH_RESULTS (bench/results).
"""
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402 - the migration benchmark's helpers (S3Proxy, Service, http, processes)

ROOT = bench.ROOT
env_int = bench.env_int
GALLERY_N = env_int("GALLERY_N", 50)
SEED = env_int("SEED", 1)
GRAIN = float(os.environ.get("GRAIN", "") or 0.5)
WIDTH = env_int("WIDTH", 480)
QUALITY = env_int("QUALITY", 80)
ROUNDS = env_int("ROUNDS", 3)
MATCH_QUALITIES = [int(q) for q in (os.environ.get("MATCH_QUALITIES", "75,85")).split(",") if q.strip()]
HTTP_N = env_int("HTTP_N", 10)
HTTP_WARMUP = env_int("HTTP_WARMUP", 3)
WRK_SECONDS = env_int("WRK_SECONDS", 10)
WRK_CONNECTIONS = env_int("WRK_CONNECTIONS", 16)
WRK_ORIGINAL = os.environ.get("WRK_ORIGINAL", "1") != "0"
PARTS = [p.strip() for p in (os.environ.get("PARTS", "") or "codec,http").split(",") if p.strip()]
CODEC_CP = os.path.abspath(os.environ.get("CODEC_CLASSPATH", "") or os.path.join(ROOT, "target", "classes"))
WORK = os.path.abspath(os.environ.get("BENCH_WORK", "") or os.path.join(ROOT, "target", "bench"))
RESULTS = os.path.abspath(os.environ.get("BENCH_RESULTS", "") or os.path.join(ROOT, "bench", "results"))
CLASSES = os.path.join(WORK, "variant-classes")
log = bench.log


def classpath():
    with open(os.path.join(WORK, "variants.classpath")) as f:
        deps = f.read().strip()
    return os.pathsep.join([CLASSES, CODEC_CP, deps])


def java(args, timeout=900):
    out = subprocess.run(["java", "-cp", classpath(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=ROOT, timeout=timeout)
    if out.returncode != 0:
        raise SystemExit(f"java {args[0]} failed:\n{out.stderr.decode()[-3000:]}")
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def compile_java():
    os.makedirs(CLASSES, exist_ok=True)
    sources = [os.path.join(ROOT, "bench", f) for f in ("PersonaGallery.java", "VariantFigures.java")]
    out = subprocess.run(["javac", "-nowarn", "-d", CLASSES, "-cp", classpath(), *sources], stderr=subprocess.PIPE,
                         timeout=300)
    if out.returncode != 0:
        raise SystemExit("bench: cannot compile bench/VariantFigures.java against the codec in "
                         f"{CODEC_CP} (is io.zinteract.images.variant.codec built?):\n{out.stderr.decode()[-2000:]}")


def gallery():
    """The generated originals, made once per (N, SEED, GRAIN) and kept for later runs."""
    folder = os.path.join(WORK, f"variants-gallery-n{GALLERY_N}-s{SEED}-g{GRAIN:g}")
    pngs = sorted(f for f in os.listdir(folder) if f.endswith(".png")) if os.path.isdir(folder) else []
    made = len(pngs) != GALLERY_N
    if made:
        shutil.rmtree(folder, ignore_errors=True)
        log(f"generating {GALLERY_N} persona PNGs in {folder}")
        t0 = time.monotonic()
        java(["PersonaGallery", folder, str(GALLERY_N), str(SEED), str(GRAIN)])
        log(f"generated in {time.monotonic() - t0:.1f} s")
        pngs = sorted(f for f in os.listdir(folder) if f.endswith(".png"))
    sizes = [os.path.getsize(os.path.join(folder, f)) for f in pngs]
    return folder, pngs, sizes, made


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_timed(cmds, env):
    """Runs the commands one after the other: wall seconds and the children's CPU seconds."""
    cpu0, t0 = children_cpu(), time.perf_counter()
    for cmd in cmds:
        subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
    return time.perf_counter() - t0, children_cpu() - cpu0


VIPS_ENV = dict(os.environ, VIPS_CONCURRENCY="1")


def vips_per_file(src, names, out, quality):
    os.makedirs(out, exist_ok=True)
    return run_timed([["vips", "thumbnail", os.path.join(src, n), f"{os.path.join(out, n[:-4])}.webp[Q={quality}]",
                       str(WIDTH)] for n in names], VIPS_ENV)


def vips_batch(src, names, out, quality):
    os.makedirs(out, exist_ok=True)
    return run_timed([["vipsthumbnail", "-s", str(WIDTH), "-o", f"{out}/%s.webp[Q={quality}]",
                       *[os.path.join(src, n) for n in names]]], VIPS_ENV)


def vips_batch_png(src, names, out):
    os.makedirs(out, exist_ok=True)
    return run_timed([["vipsthumbnail", "-s", str(WIDTH), "-o", f"{out}/%s.png",
                       *[os.path.join(src, n) for n in names]]], VIPS_ENV)


def decode_webps(folder):
    """Each variant decoded to PNG by libwebp (vips copy), the one decoder for every contender."""
    for f in sorted(os.listdir(folder)):
        if f.endswith(".webp"):
            subprocess.run(["vips", "copy", os.path.join(folder, f), os.path.join(folder, f[:-5] + ".png")],
                           check=True, timeout=60)


def webp_bytes(folder):
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder) if f.endswith(".webp"))


def codec_part(folder, src, names):
    runs = []
    for r in range(1, ROUNDS + 1):
        ours_out = os.path.join(folder, f"ours-r{r}")
        ours = java(["VariantFigures", "ours", src, ours_out, str(WIDTH), str(QUALITY)])
        wall, cpu = vips_per_file(src, names, os.path.join(folder, f"vips-r{r}"), QUALITY)
        bwall, bcpu = vips_batch(src, names, os.path.join(folder, f"vipsthumbnail-r{r}"), QUALITY)
        run = {"ours": ours["seconds"], "oursCpu": ours["cpuSeconds"], "oursProcessCpu": ours["processCpuSeconds"],
               "oursDecode": ours["decodeSeconds"],
               "vips": wall, "vipsCpu": cpu, "batch": bwall, "batchCpu": bcpu, "load": bench.loadavg(),
               "width": ours["width"], "height": ours["height"], "oursBytes": ours["bytesOut"]}
        runs.append(run)
        log(f"round {r}: ours {GALLERY_N / ours['seconds']:.2f} images/s, vips thumbnail {GALLERY_N / wall:.2f}, "
            f"vipsthumbnail {GALLERY_N / bwall:.2f} (load {run['load']})")
    # Bytes and SSIM from round 1's outputs (every round encodes the same images the same way).
    ours_dir, vips_dir = os.path.join(folder, "ours-r1"), os.path.join(folder, "vips-r1")
    # Lossless outputs of both resizes tell the resize's share of the SSIM from the encoder's.
    java(["VariantFigures", "ours", src, os.path.join(folder, "ours-png"), str(WIDTH), str(QUALITY), "png"])
    vips_batch_png(src, names, os.path.join(folder, "vips-png"))
    contenders = {"ours": ours_dir, f"vips-q{QUALITY}": vips_dir, "ours-png": os.path.join(folder, "ours-png"),
                  "vips-png": os.path.join(folder, "vips-png")}
    for q in MATCH_QUALITIES:
        if q != QUALITY:
            out = os.path.join(folder, f"vips-q{q}")
            vips_batch(src, names, out, q)
            contenders[f"vips-q{q}"] = out
    for d in contenders.values():
        decode_webps(d)
    log("SSIM of every variant against the reference resize")
    ssim = java(["VariantFigures", "ssim", src, *[f"{k}={v}" for k, v in contenders.items()]])
    same = all(open(os.path.join(vips_dir, n[:-4] + ".webp"), "rb").read()
               == open(os.path.join(folder, "vipsthumbnail-r1", n[:-4] + ".webp"), "rb").read() for n in names)
    per_image = [os.path.getsize(os.path.join(ours_dir, n[:-4] + ".webp")) for n in names]
    ladder = sorted(((int(k.split("-q")[1]), statistics.mean(ssim[k]), webp_bytes(d))
                     for k, d in contenders.items() if k.startswith("vips-q")))
    return {"runs": runs, "ssim": ssim, "sameVipsOutputs": same, "oursBytes": webp_bytes(ours_dir),
            "oursPerImage": per_image, "vipsBytes": webp_bytes(vips_dir), "ladder": ladder}


def matched_vips_bytes(ladder, target):
    """vips' bytes at our mean SSIM, linear between the two qualities whose SSIM brackets it; None outside them."""
    for (q0, s0, b0), (q1, s1, b1) in zip(ladder, ladder[1:]):
        if s0 <= target <= s1 and s1 > s0:
            t = (target - s0) / (s1 - s0)
            return {"bytes": b0 + t * (b1 - b0), "between": (q0, q1), "quality": q0 + t * (q1 - q0)}
    return None


def timed_get(url, headers):
    import http.client
    host = url.split("/")[2]
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(host, timeout=60)
    conn.request("GET", "/" + url.split("/", 3)[3], headers=headers)
    r = conn.getresponse()
    body = r.read()
    ms = (time.perf_counter() - t0) * 1000
    conn.close()
    return {"status": r.status, "ms": ms, "type": r.getheader("Content-Type"), "bytes": len(body), "body": body[:300]}


def wrk(url, seconds, headers):
    cmd = ["wrk", "-t2", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run(cmd + [url], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         timeout=seconds + 60).stdout.decode()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = re.search(r"Latency\s+(\S+)", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "latencyAvg": lat.group(1) if lat else None, "raw": out.strip()[-400:]}


def pct(values, p):
    """Nearest-rank percentile."""
    v = sorted(values)
    return v[max(0, min(len(v) - 1, -(-p * len(v) // 100) - 1))]


def http_part(folder, src, names):
    s3 = bench.S3Proxy(folder)
    service = None
    try:
        bucket = s3.bucket("variants")
        service = bench.Service(folder, "service", os.path.join(folder, "images.db"), s3, bucket,
                                {"ENABLE_R2_STORAGE": "true", "IMAGE_SERVE_MODE": "proxy", "VARIANTS_EAGER": "false"})
        service.wait_ready()
        ids, count = [], HTTP_WARMUP + HTTP_N
        for n in (names * (count // len(names) + 1))[:count]:
            body = open(os.path.join(src, n), "rb").read()
            status, answer = bench.http("POST", service.base + "/api/images?personaId=bench-variants&prompt=bench",
                                        body, {"Content-Type": "image/png"}, timeout=60)
            stored = json.loads(answer) if status == 201 else {}
            if status != 201 or stored.get("storage") != "r2":
                raise SystemExit(f"upload answered {status}: {answer[:300]!r}")
            ids.append((stored["id"], len(body)))
        accept = {"Accept": "image/webp"}
        probe = timed_get(f"{service.base}/api/images/{ids[0][0]}?variant=small", accept)
        if probe["status"] in (400, 404):
            return {"skipped": f"`GET /api/images/{{id}}?variant=small` answered {probe['status']} "
                               f"({probe['body'][:200].decode(errors='replace')}): the variant endpoint is not in this "
                               "build"}
        if probe["status"] != 200 or probe["type"] != "image/webp":
            return {"skipped": f"`GET /api/images/{{id}}?variant=small` with Accept: image/webp answered "
                               f"{probe['status']} {probe['type']}, {probe['bytes']} bytes (the original is "
                               f"{ids[0][1]} bytes): this build ignores `variant`"}
        for image_id, _ in ids[1:HTTP_WARMUP]:
            timed_get(f"{service.base}/api/images/{image_id}?variant=small", accept)
        first, second = [], []
        for image_id, _ in ids[HTTP_WARMUP:]:
            url = f"{service.base}/api/images/{image_id}?variant=small"
            first.append(timed_get(url, accept))
            second.append(timed_get(url, accept))
        bad = [r for r in first + second if r["status"] != 200 or r["type"] != "image/webp"]
        url = f"{service.base}/api/images/{ids[HTTP_WARMUP][0]}?variant=small"
        wrk(url, 2, accept)  # warm-up, not recorded
        res = {"probe": probe, "first": first, "second": second, "bad": len(bad),
               "wrk": wrk(url, WRK_SECONDS, accept)}
        if WRK_ORIGINAL:
            original = f"{service.base}/api/images/{ids[HTTP_WARMUP][0]}"
            wrk(original, 2, {})
            res["wrkOriginal"] = wrk(original, WRK_SECONDS, {})
            res["originalBytes"] = ids[HTTP_WARMUP][1]
        log(f"first GET median {statistics.median(r['ms'] for r in first):.1f} ms; wrk {res['wrk']['rps']} req/s")
        return res
    finally:
        if service:
            service.stop()
        bench.stop(s3.proc)


def fmt(v, digits=1):
    return "n/a" if v is None else f"{v:,.{digits}f}"


def verdict(ok):
    return "met" if ok else "MISSED"


def tool_version(cmd):
    try:
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
        return out.stdout.decode().strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def app_label():
    """The service part 3 started: its folder and, for a build made elsewhere, the commit noted beside it."""
    rel = os.path.relpath(bench.APP, ROOT)
    note = os.path.join(os.path.dirname(os.path.dirname(bench.APP)), ".commit")
    if os.path.exists(note):
        return f"`{rel}` (built from commit {open(note).read().strip()})"
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h"], stdout=subprocess.PIPE,
                            timeout=30).stdout.decode().strip()
    return f"`{rel}` (this checkout, {commit})"


def knobs():
    app = f"APP_DIR={os.path.relpath(bench.APP, ROOT)} " if os.environ.get("APP_DIR") else ""
    return (app + f"GALLERY_N={GALLERY_N} SEED={SEED} GRAIN={GRAIN:g} WIDTH={WIDTH} QUALITY={QUALITY} ROUNDS={ROUNDS} "
            f"MATCH_QUALITIES={','.join(map(str, MATCH_QUALITIES))} HTTP_N={HTTP_N} HTTP_WARMUP={HTTP_WARMUP} "
            f"WRK_SECONDS={WRK_SECONDS} WRK_CONNECTIONS={WRK_CONNECTIONS} PARTS={','.join(PARTS)}")


def write_report(info, codec, http):
    today = datetime.date.today().isoformat()
    sizes = info["sizes"]
    n = len(sizes)
    lines = []
    add = lines.append
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    commit = subprocess.run(["git", "-C", ROOT, "log", "-1", "--format=%h %s"], stdout=subprocess.PIPE,
                            timeout=30).stdout.decode().strip()
    add(f"# Variant benchmark, {today}\n")
    made = f", drawing the gallery {info['galleryMade']:.0f} s of it" if info["galleryMade"] else ""
    add(f"Command: `bench/variants.sh` ({knobs()}). Took {info['elapsed'] / 60:.1f} min{made}.\n")
    add(f"Machine: {os.cpu_count()} cores, {mem}, {platform.platform()}; "
        f"{tool_version(['java', '-version'])}; {tool_version(['vips', '--version'])}; wrk "
        f"{tool_version(['wrk', '-v']).split()[1] if tool_version(['wrk', '-v']).startswith('wrk') else 'unknown'}. "
        f"Codec: `io.zinteract.images.variant.codec.VariantCodec` from `{os.path.relpath(CODEC_CP, ROOT)}`, built "
        f"from `{commit}`. **The machine was shared** with other builds (load average {info['loadBefore']} before, "
        f"{info['loadAfter']} after): absolute speeds move between runs; the contenders ran interleaved, round by "
        "round, so the ratios are the figures to read.\n")
    add(f"Data: {n} different generated 1792x1024 PNG portraits (`bench/PersonaGallery.java`, seed {SEED}: gradient "
        "background with out-of-focus lights, head, neck and shoulders as shaded ellipses lit from one side, eyes, "
        "600-1500 antialiased hair strokes, cloth folds, soft light and vignette, then a film grain of "
        f"sigma {GRAIN:g} levels on luma, a third of it on chroma), written by the JDK's PNG writer: **mean "
        f"{statistics.mean(sizes) / 1e6:.2f} MB** (min {min(sizes) / 1e6:.2f}, max {max(sizes) / 1e6:.2f}; "
        f"{sum(sizes) / 1e6:.1f} MB in all). Without the grain they would weigh about 1 MB; real generated images "
        "weigh 1-3 MB.\n")
    targets = ["## Targets\n", "| target | measured | result |", "| --- | --- | --- |"]
    sections = []
    if codec:
        runs, ssim = codec["runs"], codec["ssim"]
        ours_ips = GALLERY_N / statistics.median(r["ours"] for r in runs)
        vips_ips = GALLERY_N / statistics.median(r["vips"] for r in runs)
        batch_ips = GALLERY_N / statistics.median(r["batch"] for r in runs)
        ours_cpu = statistics.median(r["oursCpu"] for r in runs) / GALLERY_N * 1000
        ours_pcpu = statistics.median(r["oursProcessCpu"] for r in runs) / GALLERY_N * 1000
        vips_cpu = statistics.median(r["vipsCpu"] for r in runs) / GALLERY_N * 1000
        batch_cpu = statistics.median(r["batchCpu"] for r in runs) / GALLERY_N * 1000
        share = codec["oursBytes"] / sum(sizes)
        worst = max(b / s for b, s in zip(codec["oursPerImage"], sizes))
        ours_ssim, vips_ssim = ssim["ours"], ssim[f"vips-q{QUALITY}"]
        w, h = runs[0]["width"], runs[0]["height"]
        matched = matched_vips_bytes(codec["ladder"], statistics.mean(ours_ssim))
        targets += [
            f"| `small` WebP ({w}x{h}, Q {QUALITY}) bytes <= 5 % of the originals | {share * 100:.2f} % "
            f"({codec['oursBytes'] / 1e3:,.0f} KB for {sum(sizes) / 1e6:.1f} MB; largest single image "
            f"{worst * 100:.2f} %) | {verdict(share <= 0.05)} |",
            f"| ours >= 0.5 x `vips thumbnail` (a process per image, VIPS_CONCURRENCY=1), images/s on one core | "
            f"{ours_ips / vips_ips:.2f} x ({ours_ips:.2f} vs {vips_ips:.2f} images/s) | "
            f"{verdict(ours_ips >= 0.5 * vips_ips)} |",
            f"| the same against `vipsthumbnail` (one process for the batch, no start-ups) | "
            f"{ours_ips / batch_ips:.2f} x ({ours_ips:.2f} vs {batch_ips:.2f} images/s) | "
            f"{verdict(ours_ips >= 0.5 * batch_ips)} |",
            f"| the same in CPU time per image (ours' whole JVM, GC and JIT included, vs vipsthumbnail) | "
            f"{batch_cpu / ours_pcpu:.2f} x ({ours_pcpu:.1f} vs {batch_cpu:.1f} ms) | "
            f"{verdict(batch_cpu / ours_pcpu >= 0.5)} |",
            f"| SSIM of the variant against a reference resize (no target in the issue) | mean "
            f"{statistics.mean(ours_ssim):.4f}, min {min(ours_ssim):.4f} (vips at the same Q: mean "
            f"{statistics.mean(vips_ssim):.4f}, min {min(vips_ssim):.4f}) | reported |",
        ]
        s = ["## 1. Gallery bytes and quality\n",
             "| images | bytes (sum) | mean per image | share of the originals | SSIM mean | SSIM min |",
             "| --- | ---: | ---: | ---: | ---: | ---: |",
             f"| originals (PNG 1792x1024) | {sum(sizes) / 1e6:,.1f} MB | {statistics.mean(sizes) / 1e6:.2f} MB | "
             "100 % | | |",
             f"| **ours**: `small` WebP {w}x{h}, quality {QUALITY / 100:.2f} (libwebp's {QUALITY}) | "
             f"{codec['oursBytes'] / 1e3:,.1f} KB | {codec['oursBytes'] / n / 1e3:.1f} KB | {share * 100:.2f} % | "
             f"{statistics.mean(ours_ssim):.4f} | {min(ours_ssim):.4f} |"]
        for q, mean_ssim, b in codec["ladder"]:
            key = f"vips-q{q}"
            s.append(f"| vips thumbnail, WebP Q={q} | {b / 1e3:,.1f} KB | {b / n / 1e3:.1f} KB | "
                     f"{b / sum(sizes) * 100:.2f} % | {mean_ssim:.4f} | {min(ssim[key]):.4f} |")
        for key, label in (("ours-png", "ours, PNG (lossless: the resize alone)"),
                           ("vips-png", "vips thumbnail, PNG (lossless: the resize alone)")):
            s.append(f"| {label} | | | | {statistics.mean(ssim[key]):.4f} | {min(ssim[key]):.4f} |")
        s.append("")
        s.append(f"At the same quality setting ({QUALITY}: vips' Q, and the codec's {QUALITY / 100:.2f}, which "
                 f"webp-imageio hands to libwebp as {QUALITY}), ours is "
                 f"**{codec['oursBytes'] / codec['vipsBytes']:.3f} x** "
                 f"vips' bytes at a mean SSIM of {statistics.mean(ours_ssim):.4f} against vips' "
                 f"{statistics.mean(vips_ssim):.4f}.")
        if matched:
            s.append(f"At equal SSIM: vips reaches our mean SSIM ({statistics.mean(ours_ssim):.4f}) at about "
                     f"Q {matched['quality']:.1f} (interpolated between Q {matched['between'][0]} and "
                     f"{matched['between'][1]}) with about {matched['bytes'] / 1e3:,.1f} KB: ours is "
                     f"**{codec['oursBytes'] / matched['bytes']:.3f} x** vips' bytes at equal SSIM.")
        else:
            s.append("Equal SSIM: our mean SSIM lies outside the range of the vips qualities tried "
                     "(MATCH_QUALITIES), so no bytes at equal SSIM are stated.")
        s.append(f"\nSSIM self-check of the implementation: identical images {ssim['selfCheck']['identical']:.6f}, "
                 f"the reference against its own 3x3 box blur {ssim['selfCheck']['blurred3x3']:.4f}. vips thumbnail "
                 "(a process per image) and vipsthumbnail (one process) wrote "
                 f"{'byte-identical' if codec['sameVipsOutputs'] else 'DIFFERENT'} files.\n")
        s += ["## 2. Throughput, PNG -> WebP at one width, one core\n",
              "| round | ours images/s | ours CPU ms/image: thread, whole JVM | ours decode ms/image (wall) | "
              "vips thumbnail images/s | vips CPU ms/image | vipsthumbnail images/s | vipsthumbnail CPU ms/image | "
              "load |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for i, r in enumerate(runs, 1):
            s.append(f"| {i} | {GALLERY_N / r['ours']:.2f} | {r['oursCpu'] / GALLERY_N * 1000:.1f}, "
                     f"{r['oursProcessCpu'] / GALLERY_N * 1000:.1f} | {r['oursDecode'] / GALLERY_N * 1000:.1f} | "
                     f"{GALLERY_N / r['vips']:.2f} | "
                     f"{r['vipsCpu'] / GALLERY_N * 1000:.1f} | {GALLERY_N / r['batch']:.2f} | "
                     f"{r['batchCpu'] / GALLERY_N * 1000:.1f} | {r['load']} |")
        s.append(f"| median | **{ours_ips:.2f}** | {ours_cpu:.1f}, {ours_pcpu:.1f} | | **{vips_ips:.2f}** | "
                 f"{vips_cpu:.1f} | "
                 f"**{batch_ips:.2f}** | {batch_cpu:.1f} | |")
        s.append(f"\n**ours / vips thumbnail = {ours_ips / vips_ips:.2f}**, ours / vipsthumbnail = "
                 f"{ours_ips / batch_ips:.2f} (images/s, medians of the rounds); target >= 0.5. Output bytes "
                 f"at quality {QUALITY}: ours {codec['oursBytes'] / 1e3:,.1f} KB, vips "
                 f"{codec['vipsBytes'] / 1e3:,.1f} KB (section 1). On a loaded machine (load average above the "
                 "cores) the images/s move with the other work; CPU time per image moves least: ours' whole JVM "
                 f"spends {ours_pcpu:.1f} ms per image, vipsthumbnail {batch_cpu:.1f} ms, a vips process per image "
                 f"{vips_cpu:.1f} ms.\n")
        sections += s
    if http is None:
        targets.append("| lazy first-request latency, cached req/s | not run (PARTS) | not measured |")
    elif "skipped" in http:
        targets.append("| lazy first-request latency, cached req/s | not measured: see section 3 | not measured |")
        sections += ["## 3. Lazy variant and cached throughput over HTTP\n",
                     f"**Skipped:** {http['skipped']} (service {app_label()}). Run `PARTS=http APP_DIR=<a build with the variant endpoint>/"
                     "target/quarkus-app bench/variants.sh` (or the whole command) on the integration branch.\n"]
    else:
        first = [r["ms"] for r in http["first"]]
        second = [r["ms"] for r in http["second"]]
        targets.append(f"| lazy first request, cached throughput (no target in the issue) | first GET median "
                       f"{statistics.median(first):.0f} ms, p95 {pct(first, 95):.0f} ms; wrk "
                       f"{http['wrk']['rps']:,.0f} req/s | reported |")
        s = ["## 3. Lazy variant and cached throughput over HTTP\n",
             f"The packaged service {app_label()}, ENABLE_R2_STORAGE=true against S3Proxy (filesystem) on loopback, "
             f"IMAGE_SERVE_MODE=proxy, VARIANTS_EAGER=false; {HTTP_WARMUP + HTTP_N} generated PNGs uploaded "
             f"(`POST /api/images`), the variants of {HTTP_WARMUP} requested first as a warm-up, then for each of "
             f"{HTTP_N} others `GET /api/images/{{id}}?variant=small` with `Accept: image/webp`, twice (a new "
             "connection each, timed to the last byte).\n",
             "| request | median ms | p95 ms (nearest rank) | max ms | answers |", "| --- | ---: | ---: | ---: | --- |",
             f"| very first variant (cold JVM, first image) | {http['probe']['ms']:.1f} | | | "
             f"{http['probe']['status']} {http['probe']['type']}, {http['probe']['bytes']} bytes |",
             f"| first GET of a variant (made on request) | {statistics.median(first):.1f} | {pct(first, 95):.1f} | "
             f"{max(first):.1f} | {len(first)} |",
             f"| second GET (cached) | {statistics.median(second):.1f} | {pct(second, 95):.1f} | {max(second):.1f} | "
             f"{len(second)} |", ""]
        if http["bad"]:
            s.append(f"**{http['bad']} answers were not 200 image/webp.**\n")
        if statistics.median(first) < 2 * statistics.median(second):
            s.append("The first GET is hardly slower than the second: the service may have made the variants "
                     "eagerly after the upload (if VARIANTS_EAGER is not its setting), so this may not be the lazy "
                     "path.\n")
        s += [f"wrk -t2 -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s, `Accept: image/webp`, on one variant URL (after a 2 s "
              "warm-up):\n", "| URL | req/s | latency avg | non-2xx |", "| --- | ---: | ---: | ---: |",
              f"| variant small | **{http['wrk']['rps']:,.1f}** | {http['wrk']['latencyAvg']} | "
              f"{http['wrk']['non2xx']} |"]
        if "wrkOriginal" in http:
            o = http["wrkOriginal"]
            s.append(f"| the original ({http['originalBytes'] / 1e6:.2f} MB PNG), for comparison | {o['rps']:,.1f} | "
                     f"{o['latencyAvg']} | {o['non2xx']} |")
        s.append("\nwrk, the service and S3Proxy share the machine's cores: these are lower bounds.\n")
        sections += s
    add("\n".join(targets) + "\n")
    lines += sections
    add("## How it was measured\n")
    add(f"- **ours**: `bench/VariantFigures.java ours` in its own JVM: all {n} PNGs read into memory, one untimed "
        f"warm-up pass (JIT), then one timed pass on one thread: `codec.decode(bytes, deadline)` then "
        f"`codec.render(decoded, {WIDTH}, VariantFormat.WEBP, deadline)` per image (`CodecLimits(100000000, 2 min, "
        f"{QUALITY / 100:.2f}, 0.82)`); wall time, the thread's CPU time and the whole JVM's. The timed pass's "
        "outputs are the bytes measured.")
    add(f"- **vips thumbnail**: `VIPS_CONCURRENCY=1 vips thumbnail in.png out.webp[Q={QUALITY}] {WIDTH}` once per "
        "image, one after the other; the batch timed from the first start to the last exit (process start-ups "
        "included), CPU time of the children. **vipsthumbnail**: `VIPS_CONCURRENCY=1 vipsthumbnail -s "
        f"{WIDTH} -o out/%s.webp[Q={QUALITY}] *.png`, one process (vips shrinks in sRGB, not --linear). Each vips run "
        "starts a process: its start-up (about the difference between the two vips columns) falls into the first; "
        "the second is vips' own speed.")
    add("- **SSIM**: `bench/VariantFigures.java ssim`: each variant decoded by libwebp (`vips copy x.webp x.png`, the "
        "same decoder for every contender), compared on luma (BT.601) with an 11x11 gaussian window (sigma 1.5; K1 "
        "0.01, K2 0.03, L 255; windows inside the image only) against the original's luma area-averaged to the "
        "variant's size (each output pixel the exact mean of the source area it covers). The separable Java code was "
        "checked once against a direct 2-D window sum in Python on a 160x100 crop: 0.976773 in both.")
    add(f"- Each round runs ours, then vips thumbnail, then vipsthumbnail; rounds: {ROUNDS}, medians. Work files: "
        f"`{os.path.relpath(info['folder'], ROOT)}`; the gallery is cached in `{os.path.relpath(info['src'], ROOT)}`.")
    text = "\n".join(lines) + "\n"
    os.makedirs(RESULTS, exist_ok=True)
    for name in (f"{today}-variants.md", "variants-latest.md"):
        with open(os.path.join(RESULTS, name), "w") as f:
            f.write(text)
    return text


def main():
    t_start = time.monotonic()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = os.path.join(WORK, f"variants-{stamp}")
    os.makedirs(folder)
    load_before = bench.loadavg()
    compile_java()
    t_gallery = time.monotonic()
    src, names, sizes, made = gallery()
    gallery_seconds = time.monotonic() - t_gallery if made else None
    codec = codec_part(folder, src, names) if "codec" in PARTS else None
    http = http_part(folder, src, names) if "http" in PARTS else None
    info = {"sizes": sizes, "loadBefore": load_before, "loadAfter": bench.loadavg(), "folder": folder,
            "elapsed": time.monotonic() - t_start, "src": src,
            "galleryMade": gallery_seconds}
    report = write_report(info, codec, http)
    print(report)


if __name__ == "__main__":
    try:
        main()
    finally:
        bench.stop_all()

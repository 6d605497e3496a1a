#!/usr/bin/env bash
# The variant benchmark (issue 12) in one command: bench/variants.sh. Writes bench/results/<date>-variants.md and
# bench/results/variants-latest.md, and prints the report. About 3-4 min on 2 cores (the first run also draws the
# gallery, about a minute; it is kept in target/bench for later runs).
#   1. bytes: GALLERY_N generated 1792x1024 persona PNGs, their `small` (WIDTH px) WebP variants made by the service's
#      codec vs the originals (target <= 5 %), SSIM of each variant against a reference area-average resize;
#   2. speed: our codec PNG -> WebP on one thread vs `vips thumbnail` (VIPS_CONCURRENCY=1), target ours >= 0.5 x vips,
#      and both outputs' bytes at the same quality and at equal SSIM;
#   3. http: lazy first `GET /api/images/{id}?variant=small` (Accept: image/webp) and wrk on a cached variant, through
#      the packaged service (R2 on a local S3Proxy, IMAGE_SERVE_MODE=proxy, VARIANTS_EAGER=false); skipped with a
#      message when the service has no variant endpoint.
# Knobs (environment variables, or NAME=value arguments): GALLERY_N (50), SEED (1), GRAIN (0.5, film grain sigma in
# levels), WIDTH (480), QUALITY (80, libwebp's scale, for both), ROUNDS (3), MATCH_QUALITIES (75,85: vips
# qualities tried for equal SSIM; empty skips), HTTP_N (10), HTTP_WARMUP (3), WRK_SECONDS (10), WRK_CONNECTIONS (16),
# WRK_ORIGINAL (1: wrk on the original too), PARTS (codec,http), CODEC_CLASSPATH (target/classes), APP_DIR
# (target/quarkus-app: the service part 3 starts), BENCH_WORK (target/bench), BENCH_RESULTS (bench/results).
# E.g. `PARTS=http APP_DIR=/path/to/other/target/quarkus-app bench/variants.sh`, or `GALLERY_N=10 ROUNDS=1 ...` to try.
# Installs libvips-tools and wrk from Debian if they are missing (needs root or sudo); builds the service if the build
# is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case "$arg" in
    *=*) export "${arg?}" ;;
    *) echo "usage: [GALLERY_N=50] [ROUNDS=3] [PARTS=codec,http] bench/variants.sh  (or bench/variants.sh NAME=value ...)" >&2; exit 2 ;;
  esac
done

missing=()
command -v vips > /dev/null || missing+=(libvips-tools)
command -v wrk > /dev/null || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  echo "bench: installing ${missing[*]} from Debian"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi
for tool in java javac python3 vips vipsthumbnail wrk; do
  command -v "$tool" > /dev/null || { echo "bench: $tool is needed" >&2; exit 1; }
done

JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ ! -f target/s3proxy/s3proxy.jar ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "bench: building the service (./mvnw package -DskipTests)..."
  # generate-test-resources fetches S3Proxy, which package with -DskipTests still runs.
  ./mvnw -B -q package -DskipTests
fi

# The bench's Java classes compile and run against target/classes and the project's runtime dependencies.
WORK="${BENCH_WORK:-target/bench}"
mkdir -p "$WORK"
CP="$WORK/variants.classpath"
if [ ! -s "$CP" ] || [ pom.xml -nt "$CP" ]; then
  ./mvnw -B -q -o dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CP" \
    || ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=runtime -Dmdep.outputFile="$CP"
fi

exec python3 bench/variants.py

#!/usr/bin/env bash
# The migration benchmark in one command: bench/run.sh [N=2000] [SIZE_KB=200] [CONCURRENCY=8] (as environment
# variables, e.g. `N=200 bench/run.sh` for a quick run). Installs wrk, nginx and rclone from Debian if they are missing (needs
# root or sudo), builds the service if the build is missing or older than the sources, then runs bench/bench.py, which
# prints a table and writes bench/results/<date>-migration.md and bench/results/latest.md.
# Other knobs: BATCH_SIZE (100), REPEATS (3), START_REPEATS (5), GET_SECONDS (10), GET_CONNECTIONS (16), GET_PROXY (1),
# GET_NGINX (1: nginx serves the same bytes beside each 200 GET), BENCH_ARCHIVES (1: build the AOT/AppCDS archives),
# SERVICE_JAVA_OPTS (none), BENCH_WORK (target/bench).
# Last comes the replica figure (1 vs 2 replicas on one PostgreSQL job, the store behind bench/LatencyProxy.java; needs
# psql and a PostgreSQL with trust auth): REPLICAS (1; 0 skips it), REPLICA_N (min(N, 1000)), REPLICA_DELAY_MS (50, one
# way), REPLICA_BATCH_SIZE (about 40 batches), REPLICA_REPEATS (3), REPLICA_JOIN_INTERVAL (PT0.5S), REPLICA_PG
# (postgres@127.0.0.1:5432), REPLICA_ANALYZE (1). ONLY=replicas runs just that (ONLY takes a comma-separated choice of
# ours, ours-xmx, ours-b10, raw, rclone, seed, start, get, replicas, steady), e.g. `ONLY=replicas N=300 bench/run.sh`.
# The steady-state figure runs after the GETs: STEADY_N (20000 rows; 0 skips it), STEADY_CONTENDERS
# (ours-etag,ours,raw,rclone), STEADY_REPEATS (1), e.g. `ONLY=steady STEADY_N=20000 bench/run.sh`. Eager variants are
# off in the service during the migration runs (BENCH_VARIANTS_EAGER=1 keeps the service's default, on).
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case "$arg" in
    *=*) export "${arg?}" ;;
    *) echo "usage: [N=2000] [SIZE_KB=200] [CONCURRENCY=8] bench/run.sh  (or bench/run.sh N=200 ...)" >&2; exit 2 ;;
  esac
done

missing=()
command -v wrk > /dev/null || missing+=(wrk)
command -v nginx > /dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v rclone > /dev/null || missing+=(rclone)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  echo "bench: installing ${missing[*]} from Debian"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" > /dev/null
fi
for tool in java javac python3 wrk rclone; do
  command -v "$tool" > /dev/null || { echo "bench: $tool is needed" >&2; exit 1; }
done
if [ "${REPLICAS:-1}" != 0 ] && ! command -v psql > /dev/null; then
  echo "bench: psql (and a PostgreSQL, REPLICA_PG) is needed for the replica figure; REPLICAS=0 skips it" >&2
  exit 1
fi

JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ ! -f target/s3proxy/s3proxy.jar ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "bench: building the service (./mvnw package -DskipTests)..."
  # generate-test-resources fetches S3Proxy, which package with -DskipTests still runs.
  ./mvnw -B -q package -DskipTests
fi
# The start figure measures every build it finds: make the AOT cache (JDK 25) and the AppCDS archive (17) when they are
# missing or older than the sources (BENCH_ARCHIVES=0 measures only what is there).
if [ "${BENCH_ARCHIVES:-1}" != 0 ] && { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",start,"* ]]; }; then
  for mode in aot appcds; do
    dir=target/quarkus-app-$([ "$mode" = aot ] && echo aot || echo cds)
    if [ ! -f "$dir/java-home" ] || [ -n "$(find src/main pom.xml -newer "$dir/java-home" -print -quit)" ]; then
      if [ "$mode" = aot ] && [ ! -x "${AOT_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java" ]; then
        echo "bench: no JDK 25 for the AOT cache (AOT_JAVA_HOME); its start figure is left out" >&2; continue
      fi
      echo "bench: scripts/build-aot.sh $mode (missing or older than the sources)..."
      scripts/build-aot.sh "$mode" > "target/build-$mode.log" 2>&1 || { echo "bench: build-aot $mode failed; see target/build-$mode.log" >&2; exit 1; }
    fi
  done
fi

exec python3 bench/bench.py

#!/usr/bin/env bash
# The start-up benchmark: bench/start.sh [RUNS=5] [VARIANTS=jvm17,aot25,...] [BASELINE=<commit>]
# JVM spawned → first 200 from /q/health/ready, and RSS at that moment, for every build found: the plain package
# (target/quarkus-app, built here when missing or older than the sources), on the default JDK and on the AOT JDK, and the
# archives of scripts/build-aot.sh (AppCDS, AOT cache) when they were built. BASELINE=<commit> also builds that commit's
# plain package (from `git archive`, in target/start-baseline-src) and measures it as "before". Writes
# bench/results/start-<date>.md and bench/results/start-latest.md (bench/start.py).
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
  case "$arg" in
    *=*) export "${arg?}" ;;
    *) echo "usage: bench/start.sh [RUNS=5] [VARIANTS=before,jvm17,appcds17,jvm25,aot25] [BASELINE=<commit>]" >&2; exit 2 ;;
  esac
done

JAR=target/quarkus-app/quarkus-run.jar
if [ ! -f "$JAR" ] || [ ! -f target/s3proxy/s3proxy.jar ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; then
  echo "bench/start: building the service (./mvnw package -DskipTests)..."
  ./mvnw -B -q package -DskipTests ${MVN_ARGS:-}
fi
for dir in target/quarkus-app-aot target/quarkus-app-cds; do
  if [ -d "$dir" ] && [ -n "$(find src/main pom.xml -newer "$dir/quarkus-run.jar" -print -quit)" ]; then
    echo "bench/start: $dir is older than the sources; scripts/build-aot.sh rebuilds it (measured as it is)" >&2
  fi
done
if [ -n "${BASELINE:-}" ]; then
  src=target/start-baseline-src
  rm -rf "$src" target/start-baseline
  mkdir -p "$src"
  git archive "$BASELINE" | tar -x -C "$src"
  echo "bench/start: building $BASELINE in $src..."
  (cd "$src" && ./mvnw -B -q package -DskipTests -Dmaven.test.skip=true ${MVN_ARGS:-})
  cp -r "$src/target/quarkus-app" target/start-baseline
  git rev-parse --short "$BASELINE" > target/start-baseline/commit
fi
exec python3 bench/start.py

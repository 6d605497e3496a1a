#!/usr/bin/env bash
# Runs r2-image-service on this machine: embedded SQLite under data/ and, when no R2 account is configured
# (neither R2_ENDPOINT nor R2_ACCOUNT_ID is set), a local S3Proxy bucket under data/s3proxy. With R2_* set, the same
# artifact talks to Cloudflare R2 instead. Builds the service first if the build is missing or older than the sources.
# --dev runs Quarkus dev mode (live reload, Dev UI, Swagger UI) against the same bucket instead of the packaged jar.
set -euo pipefail
cd "$(dirname "$0")"

usage() {
  cat <<'HELP'
Usage: ./run.sh [--dev] [--help]

Starts r2-image-service on http://localhost:8080 (PORT). Without R2_ENDPOINT or R2_ACCOUNT_ID it also starts a
local S3Proxy bucket on 127.0.0.1:9000 (S3PROXY_PORT, files in data/s3proxy) and points the service at it.
Stop with Ctrl-C (S3Proxy stops too). Reset: stop it, then delete data/ (database and bucket).

  --dev    Quarkus dev mode (./mvnw quarkus:dev): live reload, Dev UI at /q/dev-ui, Swagger UI at /q/swagger-ui.
           Same bucket; its database is target/dev-db/images.db.
  --help   this text

Uses the start-up archive of scripts/build-aot.sh (AOT cache, else AppCDS) when it is newer than the sources;
RUN_ARCHIVE=none starts the plain build.

Environment: PORT (service port, default 8080), S3PROXY_PORT (local bucket port, default 9000),
ENABLE_R2_STORAGE (true: new images go to the bucket; default false: base64 in SQLite), SQLITE_PATH
(default data/images.db), R2_* (a real R2 account, no local bucket), ADMIN_API_KEY; all settings: README.md.
HELP
}

DEV=""
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

JAR=target/quarkus-app/quarkus-run.jar
# A start-up archive from scripts/build-aot.sh, when it is newer than the sources: the AOT cache (JDK 24+), else AppCDS.
# It runs on the JDK that wrote it (recorded in java-home beside it), from its own folder, as it was trained.
# RUN_ARCHIVE=none starts the plain build instead.
JAVA=java
APP_DIR=""
ARCHIVE_OPT=""
use_archive() {
  local dir=$1 archive=$2 option=$3 java_bin
  [ -s "$dir/$archive" ] && [ -f "$dir/java-home" ] || return 1
  java_bin="$(cat "$dir/java-home")/bin/java"
  # src/main and pom.xml make the package (the test build installs npm packages under src/test).
  if [ -n "$(find src/main pom.xml -newer "$dir/$archive" -print -quit)" ]; then
    echo "run.sh: $dir/$archive is older than the sources, not used (scripts/build-aot.sh rebuilds it)"
    return 1
  fi
  [ -x "$java_bin" ] || { echo "run.sh: $java_bin, which wrote $dir/$archive, is gone; not used"; return 1; }
  JAVA=$java_bin APP_DIR=$dir ARCHIVE_OPT="-XX:$option=$archive"
}
if [ -z "$DEV" ] && [ "${RUN_ARCHIVE:-auto}" != none ]; then
  use_archive target/quarkus-app-aot app.aot AOTCache || use_archive target/quarkus-app-cds app-cds.jsa SharedArchiveFile || true
fi
if [ -n "$DEV" ]; then
  if [ ! -f target/s3proxy/s3proxy.jar ]; then
    echo "run.sh: fetching S3Proxy (./mvnw generate-test-resources -DskipTests)..."
    ./mvnw -B -q generate-test-resources -DskipTests
  fi
elif [ -z "$APP_DIR" ] && { [ ! -f "$JAR" ] || [ -n "$(find src pom.xml -newer "$JAR" -print -quit)" ]; }; then
  echo "run.sh: building the service (./mvnw package -DskipTests)..."
  ./mvnw -B -q package -DskipTests
fi

mkdir -p data
export SQLITE_PATH="${SQLITE_PATH:-data/images.db}"
# Absolute, so that it names the same file when the service runs from its archive's folder.
case "$SQLITE_PATH" in /*) ;; *) SQLITE_PATH="$PWD/$SQLITE_PATH" ;; esac
export R2_BUCKET="${R2_BUCKET:-z-interact-images}"
PORT="${PORT:-8080}"
export PORT

S3PROXY_PID=""
cleanup() {
  if [ -n "$S3PROXY_PID" ]; then kill "$S3PROXY_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT INT TERM

if [ -z "${R2_ENDPOINT:-}" ] && [ -z "${R2_ACCOUNT_ID:-}" ]; then
  S3PROXY_PORT="${S3PROXY_PORT:-9000}"
  S3PROXY_DIR="$PWD/data/s3proxy"
  mkdir -p "$S3PROXY_DIR/$R2_BUCKET"
  cat > data/s3proxy.properties <<PROPS
s3proxy.endpoint=http://127.0.0.1:${S3PROXY_PORT}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=local-access-key
s3proxy.credential=local-secret-key
jclouds.provider=filesystem
jclouds.filesystem.basedir=${S3PROXY_DIR}
PROPS
  if (exec 3<>"/dev/tcp/127.0.0.1/${S3PROXY_PORT}") 2>/dev/null; then
    echo "run.sh: port ${S3PROXY_PORT} is taken; set S3PROXY_PORT to a free port" >&2
    exit 1
  fi
  java -Xmx256m -jar target/s3proxy/s3proxy.jar --properties data/s3proxy.properties > data/s3proxy.log 2>&1 &
  S3PROXY_PID=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/${S3PROXY_PORT}") 2>/dev/null; then break; fi
    if ! kill -0 "$S3PROXY_PID" 2>/dev/null; then echo "run.sh: S3Proxy failed to start, see data/s3proxy.log" >&2; exit 1; fi
    sleep 0.2
  done
  export R2_ENDPOINT="http://127.0.0.1:${S3PROXY_PORT}"
  export R2_ACCESS_KEY_ID=local-access-key
  export R2_SECRET_ACCESS_KEY=local-secret-key
  echo "run.sh: no R2 account configured; local S3Proxy bucket '${R2_BUCKET}' at ${R2_ENDPOINT} (files in data/s3proxy)"
  if [ -z "${ADMIN_API_KEY:-}" ]; then
    # A local sandbox: let the seed plan's curl lines run without a key. Never set this where R2 is real.
    export ADMIN_ALLOW_UNAUTHENTICATED="${ADMIN_ALLOW_UNAUTHENTICATED:-true}"
    echo "run.sh: no ADMIN_API_KEY: admin endpoints open on this local sandbox (ADMIN_ALLOW_UNAUTHENTICATED=${ADMIN_ALLOW_UNAUTHENTICATED})"
  fi
else
  echo "run.sh: using R2 at ${R2_ENDPOINT:-https://${R2_ACCOUNT_ID}.r2.cloudflarestorage.com}, bucket '${R2_BUCKET}'"
fi

if [ -n "$DEV" ]; then
  echo "run.sh: dev mode, ENABLE_R2_STORAGE=${ENABLE_R2_STORAGE:-false}, SQLite at target/dev-db/images.db"
  echo "run.sh: r2-image-service will listen on http://localhost:${PORT} (Dev UI: /q/dev-ui, Swagger UI: /q/swagger-ui)"
  # Its own process group, so that the trap below stops Maven and the dev-mode JVM it forks together on Ctrl-C; no
  # terminal input (a background group reading the terminal would be stopped), so Dev UI replaces the console keys.
  set -m
  ./mvnw -B quarkus:dev < /dev/null &
  APP_PID=$!
  set +m
  trap 'kill -- -"$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; cleanup' EXIT INT TERM
  wait "$APP_PID"
  exit $?
fi
echo "run.sh: ENABLE_R2_STORAGE=${ENABLE_R2_STORAGE:-false}, SQLite at ${SQLITE_PATH}"
echo "run.sh: r2-image-service will listen on http://localhost:${PORT} (health: /q/health, API: /api/images)"
if [ -n "$APP_DIR" ]; then
  echo "run.sh: starting with $APP_DIR ($ARCHIVE_OPT, $("$JAVA" -version 2>&1 | head -1))"
  # shellcheck disable=SC2086
  (cd "$APP_DIR" && exec "$JAVA" $ARCHIVE_OPT -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar quarkus-run.jar) &
else
  # shellcheck disable=SC2086
  java -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} -jar "$JAR" &
fi
APP_PID=$!
trap 'kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; cleanup' EXIT INT TERM
wait "$APP_PID"

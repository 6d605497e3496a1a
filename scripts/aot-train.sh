#!/usr/bin/env bash
# The training run of a start-up archive: starts the packaged service in APP_DIR with the JVM option that records the
# archive, against a local S3Proxy bucket and a fresh SQLite file, sends it scripts/AotTraining.java's workload, then
# stops it with SIGTERM; the JVM writes the archive as it exits. Used by scripts/build-aot.sh and src/main/docker/Dockerfile.aot.
#
#   scripts/aot-train.sh JAVA APP_DIR RECORD_OPTION ARCHIVE
#   e.g. scripts/aot-train.sh /usr/lib/jvm/temurin-25-jdk-amd64/bin/java target/quarkus-app-aot -XX:AOTCacheOutput=app.aot app.aot
#
# The service runs from APP_DIR as `java ... -jar quarkus-run.jar`, the way it must later run with the archive. Needs
# S3Proxy's jar (S3PROXY_JAR, default target/s3proxy/s3proxy.jar, fetched by ./mvnw package); the workload is Java.
# TRAINING_ROUNDS (10) sets the rounds of requests; TRAINING_JAVA_OPTS adds JVM options to the service (keep them
# those of production: an archive is used only by a JVM started with compatible options); TRAINING_CLASSPATH names a
# folder with AotTraining compiled (a JRE cannot run a source file).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 4 ]; then
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
JAVA=$1
APP_DIR=$(cd "$2" && pwd)
RECORD=$3
ARCHIVE=$4
S3PROXY_JAR=${S3PROXY_JAR:-target/s3proxy/s3proxy.jar}
[ -f "$APP_DIR/quarkus-run.jar" ] || { echo "aot-train: no $APP_DIR/quarkus-run.jar" >&2; exit 1; }
[ -f "$S3PROXY_JAR" ] || { echo "aot-train: no S3Proxy at $S3PROXY_JAR (./mvnw package fetches it)" >&2; exit 1; }

work=$(mktemp -d)
S3_PID=""
APP_PID=""
cleanup() {
  if [ -n "$APP_PID" ]; then kill "$APP_PID" 2> /dev/null || true; fi
  if [ -n "$S3_PID" ]; then kill "$S3_PID" 2> /dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port_open() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    port_open "$port" || { echo "$port"; return; }
  done
}

S3_PORT=$(free_port)
APP_PORT=$(free_port)
MGMT_PORT=$(free_port)
mkdir -p "$work/bucket/training"
cat > "$work/s3proxy.properties" << PROPS
s3proxy.endpoint=http://127.0.0.1:${S3_PORT}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=training-key
s3proxy.credential=training-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=${work}/bucket
PROPS
"$JAVA" -Xmx256m -jar "$S3PROXY_JAR" --properties "$work/s3proxy.properties" > "$work/s3proxy.log" 2>&1 &
S3_PID=$!
for _ in $(seq 1 150); do
  port_open "$S3_PORT" && break
  kill -0 "$S3_PID" 2> /dev/null || { cat "$work/s3proxy.log" >&2; exit 1; }
  sleep 0.2
done

rm -f "$APP_DIR/$ARCHIVE"
echo "aot-train: recording $ARCHIVE in $APP_DIR with $("$JAVA" -version 2>&1 | head -1)"
(
  cd "$APP_DIR"
  # Only the settings of this run; the rest are the defaults production starts with.
  exec env -u DATABASE_URL -u R2_ACCOUNT_ID -u R2_PUBLIC_URL -u R2_SSE_C_KEY \
    PORT="$APP_PORT" MANAGEMENT_PORT="$MGMT_PORT" HOST=127.0.0.1 MANAGEMENT_HOST=127.0.0.1 SQLITE_PATH="$work/images.db" ENABLE_R2_STORAGE=true \
    R2_ENDPOINT="http://127.0.0.1:$S3_PORT" R2_ACCESS_KEY_ID=training-key R2_SECRET_ACCESS_KEY=training-secret \
    R2_BUCKET=training ADMIN_API_KEY=training-admin-key-0123456789 \
    "$JAVA" "$RECORD" -XX:+ExitOnOutOfMemoryError ${TRAINING_JAVA_OPTS:-} -jar quarkus-run.jar
) > "$work/service.log" 2>&1 &
APP_PID=$!

if [ -n "${TRAINING_CLASSPATH:-}" ]; then workload=(-cp "$TRAINING_CLASSPATH" AotTraining); else workload=(scripts/AotTraining.java); fi
if ! "$JAVA" "${workload[@]}" "http://127.0.0.1:$APP_PORT" "http://127.0.0.1:$MGMT_PORT" training-admin-key-0123456789 "${TRAINING_ROUNDS:-10}"; then
  echo "aot-train: the workload failed; the service's log:" >&2
  tail -50 "$work/service.log" >&2
  exit 1
fi

# SIGTERM: Quarkus shuts down, then the JVM writes the archive (an AOT cache is assembled by a child JVM) and exits.
kill -TERM "$APP_PID"
status=0
wait "$APP_PID" || status=$?
APP_PID=""
if [ ! -s "$APP_DIR/$ARCHIVE" ]; then
  echo "aot-train: $ARCHIVE was not written (exit status $status); the service's log:" >&2
  tail -50 "$work/service.log" >&2
  exit 1
fi
echo "aot-train: wrote $APP_DIR/$ARCHIVE ($(du -h "$APP_DIR/$ARCHIVE" | cut -f1))"

#!/usr/bin/env bash
# Builds the service with a start-up archive, trained by a run of the packaged service (scripts/aot-train.sh):
#
#   scripts/build-aot.sh          # Leyden AOT cache, JDK 24+: target/quarkus-app-aot/ with app.aot
#   scripts/build-aot.sh appcds   # AppCDS, the JDK 17 fallback: target/quarkus-app-cds/ with app-cds.jsa
#
# aot uses AOT_JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64) for the build, the training and later every run;
# appcds uses JAVA_HOME (or the java on PATH). The archive only works with the very JDK that wrote it, so the script
# records that JDK beside the archive (java-home); ./run.sh starts the service with it when the archive is newer than
# the sources. The plain build (./mvnw package, target/quarkus-app) is not touched. MVN_ARGS adds Maven options (-o).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-aot}
case "$MODE" in
  aot)
    JAVA_HOME=${AOT_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
    PROFILE=aot DIR=target/quarkus-app-aot ARCHIVE=app.aot RECORD=-XX:AOTCacheOutput=app.aot ;;
  appcds)
    if [ -z "${JAVA_HOME:-}" ]; then JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")"); fi
    PROFILE=appcds DIR=target/quarkus-app-cds ARCHIVE=app-cds.jsa RECORD=-XX:ArchiveClassesAtExit=app-cds.jsa ;;
  -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: scripts/build-aot.sh [aot|appcds]" >&2; exit 2 ;;
esac
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
[ -x "$JAVA" ] || { echo "build-aot: no java at $JAVA (set AOT_JAVA_HOME or JAVA_HOME)" >&2; exit 1; }
feature=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
if [ "$MODE" = aot ] && [ "${feature:-0}" -lt 24 ]; then
  echo "build-aot: an AOT cache needs JDK 24 or newer; $JAVA is $feature (scripts/build-aot.sh appcds works on 17)" >&2
  exit 1
fi

echo "build-aot: ./mvnw package -P$PROFILE with JDK $feature ($JAVA_HOME)"
rm -rf "$DIR"
# shellcheck disable=SC2086
./mvnw -B -q package -P"$PROFILE" -DskipTests ${MVN_ARGS:-}
scripts/aot-train.sh "$JAVA" "$DIR" "$RECORD" "$ARCHIVE"
echo "$JAVA_HOME" > "$DIR/java-home"
echo "build-aot: done; ./run.sh uses it, or: cd $DIR && $JAVA -XX:$([ "$MODE" = aot ] && echo AOTCache || echo SharedArchiveFile)=$ARCHIVE -jar quarkus-run.jar"

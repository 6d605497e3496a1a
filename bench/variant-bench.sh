#!/usr/bin/env bash
# The variant codec's timings on one thread (bench/VariantBench.java), then vips on the same input when it is installed.
# Usage: bench/variant-bench.sh [input.png]  (ITER=15 WEBPQ=0.8 as environment variables). Needs `./mvnw compile` first.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench-variant.cp -Dmdep.includeScope=runtime
tn="$HOME/.m2/repository/net/coobird/thumbnailator/0.4.21/thumbnailator-0.4.21.jar"
[ -f "$tn" ] || ./mvnw -B -q dependency:get -Dartifact=net.coobird:thumbnailator:0.4.21
cp="target/classes:$(cat target/bench-variant.cp):$tn"
mkdir -p target/bench-variant/classes
javac -d target/bench-variant/classes -cp "$cp" bench/VariantBench.java bench/ThumbnailatorResize.java bench/TexturedScene.java
java -Xmx1g -Diter="${ITER:-15}" -Dwebpq="${WEBPQ:-0.8}" -cp "target/bench-variant/classes:$cp" \
  io.zinteract.images.variant.codec.VariantBench "$@"
if command -v vips > /dev/null; then
  in=target/bench-variant/in.png
  q=$(python3 -c "print(round(${WEBPQ:-0.8} * 100))")
  vips thumbnail "$in" target/bench-variant/vips.webp[Q=$q] 480 # warm-up
  start=$(date +%s%N)
  for _ in $(seq 10); do vips thumbnail "$in" target/bench-variant/vips.webp[Q=$q] 480; done
  end=$(date +%s%N)
  echo "vips thumbnail 480 Q=$q: $(( (end - start) / 10000000 )) ms a run (process included), $(stat -c %s target/bench-variant/vips.webp) bytes"
fi

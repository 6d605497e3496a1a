#!/usr/bin/env bash
# Tries the README's run command as a newcomer would: starts ./run.sh with R2 storage on (local S3Proxy), uploads an
# image with the README's curl line, and checks that GET returns identical bytes from the bucket. Then the same with
# R2 storage off (SQLite). Exits non-zero on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap '[ -n "${KEEP_SMOKE:-}" ] || rm -rf "$work"' EXIT
python3 - "$work/face.png" <<'PY'
import struct, sys, zlib
w, h = 32, 24
raw = b''.join(b'\x00' + bytes((x * 7 + y * 3) % 256 for x in range(w * 3)) for y in range(h))
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b'')
open(sys.argv[1], 'wb').write(png)
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

check() {
  local flag=$1 expect=$2
  local port s3port
  port=$(free_port); s3port=$(free_port)
  rm -rf "$work/data"
  ENABLE_R2_STORAGE=$flag PORT=$port S3PROXY_PORT=$s3port SQLITE_PATH="$work/data/images.db" ./run.sh > "$work/run-$flag.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 150); do
    curl -fsS "localhost:$port/q/health/ready" > /dev/null 2>&1 && break
    sleep 0.2
  done
  local body id
  body=$(curl -fsS -F file=@"$work/face.png" -F personaId=gen-x -F prompt=hi "localhost:$port/api/images")
  id=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["storage"]==sys.argv[2], d; print(d["id"])' "$body" "$expect")
  curl -fsSL "localhost:$port/api/images/$id" -o "$work/back.png"
  cmp "$work/face.png" "$work/back.png"
  echo "smoke: ENABLE_R2_STORAGE=$flag stored in $expect and served identical bytes for $id"
  # The README's generation line: the placeholder provider needs no account.
  body=$(curl -fsS -X POST "localhost:$port/api/generate-image" -H 'Content-Type: application/json' \
    -d '{"prompt":"a lighthouse","personaId":"gen-z"}')
  id=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["storage"]["type"]==sys.argv[2], d; assert d["generation"]["placeholder"], d; print(d["id"])' "$body" "$expect")
  curl -fsSL "localhost:$port/api/images/$id" -o "$work/generated.png"
  python3 -c 'import sys; assert open(sys.argv[1],"rb").read(8)==b"\x89PNG\r\n\x1a\n"' "$work/generated.png"
  echo "smoke: generated image $id stored in $expect and served as a PNG"
  if [ "$flag" = false ]; then migrate_like_the_seed "$port" "$id"; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

# The seed plan's Phase 3.2 and Quick Start lines, exactly as written (no admin key: ./run.sh's local sandbox), then
# the base64 rows must be served from the bucket with the same bytes.
migrate_like_the_seed() {
  local port=$1 generated=$2 base="localhost:$1"
  curl -fsS "$base/api/migrate-images" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["r2"]["status"]=="connected", d; assert d["counts"]["base64Only"]==2, d'
  curl -fsS -X POST "$base/api/migrate-images" -H "Content-Type: application/json" -d '{"action": "migrate", "dryRun": true}' > "$work/dry.json"
  wait_job "$base" "$work/dry.json"
  job=$(curl -fsS -X POST "$base/api/migrate-images" -H "Content-Type: application/json" -d '{"action": "migrate", "batchSize": 10}' | tee "$work/migrate.json")
  wait_job "$base" "$work/migrate.json"
  curl -fsS -X POST "$base/api/migrate-images" -H "Content-Type: application/json" -d '{"action": "validate"}' > "$work/validate.json"
  wait_job "$base" "$work/validate.json"
  curl -fsS -X POST "$base/api/migrate-images" -d '{"action": "migrate"}' > "$work/quick.json"
  wait_job "$base" "$work/quick.json"
  curl -fsS "$base/api/migrate-images" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["counts"]["r2Only"]==2 and d["counts"]["base64Only"]==0, d'
  curl -fsS -D "$work/headers" -o /dev/null "$base/api/images/$generated"
  grep -qi '^X-Image-Storage: r2' "$work/headers"
  curl -fsSL "$base/api/images/$generated" -o "$work/generated-after.png"
  cmp "$work/generated.png" "$work/generated-after.png"
  echo "smoke: the seed plan's migration lines moved both base64 images to the bucket; bytes identical"
}

wait_job() {
  local base=$1 file=$2 jobid state
  jobid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobId"])' "$file")
  for _ in $(seq 1 150); do
    state=$(curl -fsS "$base/api/migrate-images/jobs/$jobid" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
    case "$state" in completed) return 0 ;; failed|cancelled) echo "job $jobid ended $state" >&2; return 1 ;; esac
    sleep 0.2
  done
  echo "job $jobid did not finish" >&2; return 1
}

check true r2
check false base64

#!/usr/bin/env bash
# The redirect (302) figure on its own: bench/redirect.sh [APP_DIR=target/quarkus-app] [SECONDS_=10]. Starts S3Proxy
# (target/s3proxy/s3proxy.jar, from `./mvnw package`) and the packaged service with ENABLE_R2_STORAGE=true (presigned
# redirects, the serving cache on by default), uploads one image, then runs wrk -t2 -c16 on its GET after a 3 s
# warm-up and prints wrk's output and the service's CPU time per request. Needs wrk, curl and python3. To compare
# builds, pass another build's quarkus-app folder as APP_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=${1:-${APP_DIR:-target/quarkus-app}}
W=target/bench/redirect-$(date +%H%M%S); rm -rf "$W"; mkdir -p "$W/s3/bench"; W=$(cd "$W" && pwd)
S3PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$W/s3proxy.properties" <<P
s3proxy.endpoint=http://127.0.0.1:$S3PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access-key
s3proxy.credential=bench-secret-key
jclouds.provider=filesystem
jclouds.filesystem.basedir=$W/s3
P
java -Xmx512m -jar target/s3proxy/s3proxy.jar --properties "$W/s3proxy.properties" > "$W/s3proxy.log" 2>&1 &
S3PID=$!
env -i PATH="$PATH" HOME="$HOME" PORT=$PORT HOST=127.0.0.1 SQLITE_PATH="$W/images.db" R2_ENDPOINT=http://127.0.0.1:$S3PORT \
  R2_ACCESS_KEY_ID=bench-access-key R2_SECRET_ACCESS_KEY=bench-secret-key R2_BUCKET=bench ENABLE_R2_STORAGE=true \
  ADMIN_API_KEY=bench-admin-key-0123456789abcdef java -jar "$APP/quarkus-run.jar" > "$W/service.log" 2>&1 &
SPID=$!
trap 'kill $SPID $S3PID 2>/dev/null; wait 2>/dev/null' EXIT
for i in $(seq 1 300); do curl -sf -o /dev/null http://127.0.0.1:$PORT/q/health/ready && break; sleep 0.2; done
python3 -c 'import struct,zlib
def png(w,h):
    raw=b"".join(b"\x00"+bytes((x*7+y*3)%256 for x in range(w*3)) for y in range(h))
    c=lambda t,d: struct.pack(">I",len(d))+t+d+struct.pack(">I",zlib.crc32(t+d)&0xffffffff)
    return b"\x89PNG\r\n\x1a\n"+c(b"IHDR",struct.pack(">IIBBBBB",w,h,8,2,0,0,0))+c(b"IDAT",zlib.compress(raw))+c(b"IEND",b"")
open("'"$W"'/img.png","wb").write(png(64,48))'
ID=$(curl -sf -X POST -H 'Content-Type: image/png' --data-binary @"$W/img.png" "http://127.0.0.1:$PORT/api/images?personaId=gen-x&prompt=bench" | python3 -c 'import json,sys;print(json.load(sys.stdin)["id"])')
URL=http://127.0.0.1:$PORT/api/images/$ID
curl -s -o /dev/null -w "status %{http_code} storage %header{x-image-storage}\n" "$URL"
wrk -t2 -c16 -d3s "$URL" > /dev/null
cpu() { awk '{print $14+$15}' /proc/$SPID/stat; }
C0=$(cpu)
wrk -t2 -c16 -d${SECONDS_:-10}s "$URL" | tee "$W/wrk.txt"
C1=$(cpu)
N=$(grep -oE '^ *[0-9]+ requests in' "$W/wrk.txt" | grep -oE '[0-9]+' | head -1)
TCK=$(getconf CLK_TCK)
python3 -c "print(f'service CPU: {($C1-$C0)/$TCK:.2f} s for $N requests = {($C1-$C0)/$TCK/$N*1e6:.0f} us per request')"

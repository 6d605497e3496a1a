#!/usr/bin/env bash
# Installs s3rver, the bucket CORS tests' S3 server, exactly as pinned by package-lock.json. The build runs this in
# generate-test-resources (skipped with -DskipTests); it does nothing when node_modules came from this very lock file.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node > /dev/null 2>&1 || ! command -v npm > /dev/null 2>&1; then
  echo "The tests need Node.js 18+ with npm on the PATH (for s3rver, the bucket CORS tests' S3 server): install Node.js, then run ./mvnw -B verify again." >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "The tests need Node.js 18+ for s3rver; this one is $(node --version): install a newer Node.js." >&2
  exit 1
fi

stamp=node_modules/.installed-from-package-lock.json
if cmp -s package-lock.json "$stamp" && [ -f node_modules/s3rver/bin/s3rver.js ]; then
  exit 0
fi
echo "Installing s3rver for the tests (npm ci --prefix src/test/s3rver)..."
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json "$stamp"

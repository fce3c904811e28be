#!/usr/bin/env bash
# pack-install.sh DIR: `npm pack` the package (the repo root; pkg/ must be built) and install
# the tarball into a scratch npm project in DIR, as a user would. Used by scripts/test.sh and
# test/package/.
set -euo pipefail
dir=$(realpath "$1")
cd "$(dirname "$0")/.."
rm -f "$dir"/marekvs-*.tgz
npm pack --silent --pack-destination "$dir" >/dev/null
( cd "$dir" && { [ -f package.json ] || npm init -y >/dev/null; } \
  && npm install --no-audit --no-fund --loglevel=error ./marekvs-*.tgz )

#!/usr/bin/env bash
# Builds the optimized npm package into pkg/: cargo (release, wasm32) → wasm-bindgen (web
# target, used by every entry in js/) → wasm-opt from the npm `binaryen` package.
#
# Debian's wasm-opt (binaryen 108) corrupts modules that use exception handling, so only the
# npm one (>= 132) is used, by path; MAREKVS_WASM_OPT=0 skips optimization.
# -O3 without its `ssa-nomerge` pass: with it, the Lua VM's locals come out in a shape V8
# allocates registers for worse (together with build.rs compiling lvm.c apart: fib(27) in
# Chromium ≈ 5 % faster, Node and the Rust command paths level; docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh

cargo build --release --target wasm32-unknown-unknown
raw=target/wasm32-unknown-unknown/release/marekvs.wasm
rm -rf pkg
wasm-bindgen --target web --out-dir pkg --out-name marekvs "$raw"
if [ "${MAREKVS_WASM_OPT:-1}" != 0 ]; then
  node_modules/.bin/wasm-opt pkg/marekvs_bg.wasm -o pkg/marekvs_bg.wasm \
    "${MAREKVS_WASM_OPT_LEVEL:--O3}" --skip-pass=ssa-nomerge --enable-exception-handling --enable-bulk-memory \
    --enable-reference-types --enable-multivalue --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-sign-ext
fi
rm -f pkg/.gitignore pkg/package.json
# CommonJS glue + types, the base64 copy for marekvs/inline (scripts/package-extras.mjs).
node scripts/package-extras.mjs
node scripts/build-www.mjs   # the playground's page bundle (CodeMirror) into www/dist/
ls -l pkg/marekvs_bg.wasm | awk '{print "[build] pkg/marekvs_bg.wasm " $5 " bytes"}'

#!/usr/bin/env bash
# Chooses the release opt-level by measurement: for each cargo opt-level × wasm-opt level,
# builds the package and reports the .wasm size (raw, gzip) and fib(27) in Node (median of 7).
#   bash bench/opt-levels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
printf '| cargo opt-level | wasm-opt | raw bytes | gzip bytes | fib(27) Node ms |\n|---|---|---|---|---|\n'
for cargo_level in 3 2 s z; do
  for wasm_opt in -O3 -Oz; do
    CARGO_PROFILE_RELEASE_OPT_LEVEL=$cargo_level MAREKVS_WASM_OPT_LEVEL=$wasm_opt \
      bash scripts/build.sh >/dev/null 2>&1
    raw=$(stat -c %s pkg/marekvs_bg.wasm)
    gz=$(gzip -9 -c pkg/marekvs_bg.wasm | wc -c)
    ms=$(node --input-type=module -e "
      import { readFileSync } from 'node:fs';
      const { LuaEngine } = await import('./js/node.mjs');
      const e = new LuaEngine(600000);
      const code = readFileSync('bench/lua/fib.lua', 'utf8');
      const t = Array.from({ length: 7 }, () => { const t0 = performance.now(); e.eval(code); return performance.now() - t0; }).sort((a, b) => a - b);
      console.log(t[3].toFixed(1));")
    printf '| %s | %s | %s | %s | %s |\n' "$cargo_level" "$wasm_opt" "$raw" "$gz" "$ms"
  done
done
# Leave the default build in place.
bash scripts/build.sh >/dev/null 2>&1

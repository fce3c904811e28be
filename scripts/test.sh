#!/usr/bin/env bash
# Every test: lint, native cargo tests, the optimized npm package, wasm tests in Chromium,
# Node tests of the packed package, browser tests of the page, the differential harness.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
step() { printf '\n=== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy"
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

step "cargo test (native)"
cargo test

step "build the optimized npm package"
bash scripts/build.sh

step "wasm-pack test --headless --chrome"
# Only the test targets that hold browser tests (each wasm target is a full LTO build).
# Some browser tests run long synchronous loops (100,000 errors); the runner's webdriver
# requests wait for the page, so give them more than the default 20 s on a busy machine.
WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300} \
  wasm-pack test --headless --chrome --release -- --test wasm_lua_engine --test scripting

step "node tests of the packed npm package"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
bash scripts/pack-install.sh "$scratch"
cp test/node/*.test.mjs "$scratch/"
( cd "$scratch" && node --test ./*.test.mjs )

step "the packed package per runtime: workerd (miniflare), Chromium module worker, esbuild, Vite, tsc"
MAREKVS_SCRATCH="$scratch" node --test test/package/

step "browser tests of the page, the playground and the Node class in Web Workers"
node --test test/www/ test/browser/

step "Node class: shard workers, routing, links, restarts, convergence under faults"
node --test test/cluster/

step "differential harness (self-test against a second redis-server)"
node --test test/differential/

step "marekvs serve: real clients, routing across shards, protocol edge cases, shutdown"
node --test test/server/

step "differential: redis-server vs marekvs serve (one partition: standalone Redis semantics)"
MAREKVS_CMD='node bin/marekvs.mjs serve --port {port} --partitions 1' node --test test/differential/

step "scripting differential: redis-server 7.0 vs marekvs serve (documented Lua 5.4 differences asserted)"
MAREKVS_CMD='node bin/marekvs.mjs serve --port {port} --partitions 1' node --test test/scripts/

#!/usr/bin/env bash
# Server throughput: redis-benchmark against redis-server and `marekvs serve --shards 2` in
# the same run, printed as a markdown table (requests/s and the marekvs/redis ratio).
#
#   bash bench/redis-benchmark.sh                 # -t set,get,incr,lpush,hset,zadd -P 16 -q
#   BENCH_N=500000 BENCH_REPEAT=5 BENCH_ARGS='-r 100000' bash bench/redis-benchmark.sh
#   BENCH_TESTS=evalsha bash bench/redis-benchmark.sh   # EVALSHA of return redis.call('INCR', KEYS[1])
#   BENCH_BASE=/tmp/old bash bench/redis-benchmark.sh     # also a baseline tree (before → after)
#
# BENCH_BASE names another checkout with its own built pkg/ (e.g. `git worktree add` of the
# old commit + `bash scripts/build.sh` there, or a copy of bin/ js/ pkg/ package.json): its
# `marekvs serve` runs too, each test on the three servers back to back.
#
# Needs the built package (bash scripts/build.sh) and Debian's redis-server/redis-benchmark.
# Not a test: numbers depend on the machine and on what else runs on it.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-200000}
SHARDS=${BENCH_SHARDS:-2}
TESTS=${BENCH_TESTS:-set,get,incr,lpush,hset,zadd}
EXTRA=${BENCH_ARGS:-}

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" --logfile '' \
  --loglevel warning >/dev/null &
pids+=($!)
mport=$(free_port)
node bin/marekvs.mjs serve --port "$mport" --shards "$SHARDS" 2>"$tmp/marekvs.log" &
pids+=($!)
ports=("$rport" "$mport")
if [ -n "${BENCH_BASE:-}" ]; then
  bport=$(free_port)
  node "$BENCH_BASE/bin/marekvs.mjs" serve --port "$bport" --shards "$SHARDS" 2>"$tmp/base.log" &
  pids+=($!)
  ports+=("$bport")
fi
for port in "${ports[@]}"; do
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
done

run() { # port test → "TEST rps" lines
  if [ "$2" = evalsha ]; then
    # EVALSHA of `return redis.call('INCR', KEYS[1])`, loaded first on that server.
    local sha
    sha=$(redis-cli -p "$1" SCRIPT LOAD "return redis.call('INCR', KEYS[1])")
    # shellcheck disable=SC2086
    redis-benchmark -p "$1" -P 16 -q -n "$N" $EXTRA EVALSHA "$sha" 1 counter 2>/dev/null | tr '\r' '\n' |
      sed -n 's/^\([A-Z_ ]*[A-Z]\)[^:]*: \([0-9.]*\) requests per second.*/\1 \2/p'
    return
  fi
  # shellcheck disable=SC2086
  redis-benchmark -p "$1" -t "$2" -P 16 -q -n "$N" $EXTRA 2>/dev/null | tr '\r' '\n' |
    sed -n 's/^\([A-Z_ ]*[A-Z]\)[^:]*: \([0-9.]*\) requests per second.*/\1 \2/p'
}
# Each test runs on both servers back to back (so the two see the same machine load),
# BENCH_REPEAT times (default 3); the table keeps each server's best run per test.
load0=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$tmp/redis.all"
: >"$tmp/marekvs.all"
: >"$tmp/base.all"
for _ in $(seq "${BENCH_REPEAT:-3}"); do
  for t in ${TESTS//,/ }; do
    run "$rport" "$t" >>"$tmp/redis.all"
    [ -z "${bport:-}" ] || run "$bport" "$t" >>"$tmp/base.all"
    run "$mport" "$t" >>"$tmp/marekvs.all"
  done
done
best() { awk '!($1 in m) { order[n++] = $1 } $2 > m[$1] { m[$1] = $2 } END { for (i = 0; i < n; i++) print order[i], m[order[i]] }' "$1"; }
best "$tmp/redis.all" >"$tmp/redis.txt"
best "$tmp/marekvs.all" >"$tmp/marekvs.txt"
best "$tmp/base.all" >"$tmp/base.txt"

echo "redis-benchmark -t $TESTS -P 16 -q -n $N${EXTRA:+ $EXTRA}, best of ${BENCH_REPEAT:-3} — $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(redis-server --version | cut -d' ' -f1-3), node $(node --version), marekvs serve --shards $SHARDS"
echo "load average before → after: $load0 → $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [ -n "${bport:-}" ]; then
  echo "| test | redis-server | base (req/s) | marekvs serve --shards $SHARDS (req/s) | base / redis | ratio |"
  echo "|---|---:|---:|---:|---:|---:|"
  awk 'FILENAME == ARGV[1] { m[$1] = $2; next } FILENAME == ARGV[2] { b[$1] = $2; next }
    ($1 in m) && ($1 in b) { printf "| %s | %.0f | %.0f | %.0f | %.2f | %.2f |\n", $1, $2, b[$1], m[$1], b[$1] / $2, m[$1] / $2 }' \
    "$tmp/marekvs.txt" "$tmp/base.txt" "$tmp/redis.txt"
else
  echo "| test | redis-server (req/s) | marekvs serve --shards $SHARDS (req/s) | ratio |"
  echo "|---|---:|---:|---:|"
  awk 'NR == FNR { m[$1] = $2; next } ($1 in m) { printf "| %s | %.0f | %.0f | %.2f |\n", $1, $2, m[$1], m[$1] / $2 }' \
    "$tmp/marekvs.txt" "$tmp/redis.txt"
fi

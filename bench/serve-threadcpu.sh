#!/usr/bin/env bash
# CPU per request of each thread of `marekvs serve`, measured while redis-benchmark runs
# (robust under load, unlike throughput): the CPU time of every thread of the server process
# (utime + stime from /proc/<pid>/task/*/stat) over one `redis-benchmark -t <test> -P 16 -n N`,
# divided by N. With BENCH_BASE=<another checkout with its own pkg/> the base tree's server
# runs too, alternated with this one BENCH_ROUNDS times (default 2), so both see the same load.
#
#   bash bench/serve-threadcpu.sh                          # set,get, N = 1,000,000
#   BENCH_TESTS=set,incr BENCH_N=400000 BENCH_BASE=/tmp/old bash bench/serve-threadcpu.sh
#   BENCH_REDIS=1 bash bench/serve-threadcpu.sh         # also redis-server's CPU per request
#
# Prints, per run, req/s and µs of CPU per request of the main thread, the busiest worker, the
# other threads together, and the whole process.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${BENCH_N:-1000000}
TESTS=${BENCH_TESTS:-set,get}
SHARDS=${BENCH_SHARDS:-2}
trees=("$PWD")
[ -z "${BENCH_BASE:-}" ] || trees=("$BENCH_BASE" "$PWD")

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
snap() { for f in /proc/"$1"/task/*/stat; do
  # comm may hold spaces: take the fields after the last ')'.
  sed -E 's/^([0-9]+) \((.*)\) (.*)$/\1 \2|\3/' "$f" | awk -F'|' '{split($2, a, " "); n = $1; sub(/^[0-9]+ /, "", n); gsub(/ /, "_", n); split($1, t, " "); print t[1], n, a[12] + a[13]}'
done 2>/dev/null | sort; }

echo "# $(date -u +%H:%M) UTC, load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, node $(node --version), -P 16 -n $N, --shards $SHARDS"
for _ in $(seq "${BENCH_ROUNDS:-2}"); do
  for t in ${TESTS//,/ }; do
    for tree in "${trees[@]}" ${BENCH_REDIS:+redis-server}; do
      port=$(free_port)
      if [ "$tree" = redis-server ]; then
        redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir /tmp --logfile '' \
          --loglevel warning >/dev/null &
      else
        node "$tree/bin/marekvs.mjs" serve --port "$port" --shards "$SHARDS" 2>/dev/null &
      fi
      spid=$!
      for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
      redis-benchmark -p "$port" -t "$t" -P 16 -q -n 100000 >/dev/null 2>&1 # warm-up
      before=$(snap "$spid")
      rps=$(redis-benchmark -p "$port" -t "$t" -P 16 -q -n "$N" 2>/dev/null | tr '\r' '\n' |
        sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -1)
      after=$(snap "$spid")
      kill "$spid"
      wait "$spid" 2>/dev/null || true
      # The thread whose id is the pid is the main thread; "worker" is the busiest other
      # thread (the shard worker redis-benchmark's keys hash to), "rest" all the others
      # (the idle worker, V8 and libuv helper threads).
      join <(echo "$before") <(echo "$after") | awk -v n="$N" -v pid="$spid" -v rps="$rps" -v t="$t" -v tree="$(basename "$tree")" '
        { d = ($5 - $3) / 100 / n * 1e6; total += d
          if ($1 == pid) main = d; else if (d > worker) { rest += worker; worker = d } else rest += d }
        END { printf "%-5s %-18s %8.0f req/s  us/request: main %.2f  worker %.2f  rest %.2f  total %.2f\n", t, tree, rps, main, worker, rest, total }'
    done
  done
done

// Replication benchmark in Node: two worker_threads, one wasm shard each, linked by `connect`
// over a MessageChannel whose ports are transferred into the workers (docs/replication.md,
// "Benchmark"). Throughput: A writes N effects in chunks as fast as it can, timed from its
// first write to B having applied all; compared with the raw applyEffects (and write) rate of
// one thread without ports, measured in the same invocation. Latency: A writes SETs paced at
// 10k/s; B records when each became visible. Each end's thread CPU time is reported too.
//   node bench/replication.mjs [--runs 3] [--n 200000] [--chunk 1000] [--rate 10000] [--seconds 3]
//     [--workloads SET,INCR,HSET,MSET] [--latencyBy count|describe] [--catchupN 120000]
//     [--parts link,catchup,latency] [--ab DIR_A,DIR_B] [--warmup EFFECTS]
// `--warmup`: effects written on each fresh worker or link before its timed run (default a
// tenth of `--n`); a longer one measures workers whose wasm code has been tiered up.
// `--ab pkg-base,pkg`: every link and catch-up measurement once per package directory, in
// alternating order (a `replication/` folder in a directory replaces js/replication/).
import { Worker } from 'node:worker_threads';
import { runAll, report, args } from './replication-runs.mjs';

function spawn(pkg) {
  const w = new Worker(new URL('./replication-worker.mjs', import.meta.url), { workerData: { pkg: pkg ?? null } });
  w.on('error', (e) => { console.error('worker error:', e); process.exit(1); });
  return {
    post: (msg, transfer) => w.postMessage(msg, transfer),
    listen: (fn) => w.on('message', fn),
    terminate: () => w.terminate(),
  };
}

const opts = args();
console.log(`replication benchmark, Node ${process.version}, ${new Date().toISOString()}`);
const out = await runAll({ spawn, log: (l) => console.log(l), ...opts });
console.log('\n' + report(out, `Node ${process.version} (worker_threads)`));

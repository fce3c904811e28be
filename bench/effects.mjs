// Effects in Node (wasm), through the npm package: N writes on shard A (effects emitted),
// takeEffects (encode), applyEffects on a fresh shard B (decode + validate + merge), per
// workload; bytes per effect. Native counterpart: cargo run --release --example effects.
//   bash scripts/build.sh && node bench/effects.mjs [N] [PKG_DIR...]
// With package directories (e.g. a copy of an older pkg/ and pkg/), the builds run
// alternately, ROUNDS times (env, default 1 without directories, 3 with), and the best
// run of each is reported: compare builds within one invocation on a noisy machine.
import { loadBuild } from './builds.mjs';

const N = Number(process.argv[2] ?? 50_000);
const dirs = process.argv.slice(3);
const rounds = Number(process.env.ROUNDS ?? (dirs.length ? 3 : 1));
const workloads = {
  SET: (i) => ['SET', `k${i}`, `v${i}`],
  INCR: (i) => ['INCR', `c${i % 1000}`],
  HSET: (i) => ['HSET', `h${i % 100}`, `f${i}`, `v${i}`],
  SADD: (i) => ['SADD', `s${i % 100}`, `m${i}`],
  ZADD: (i) => ['ZADD', `z${i % 100}`, String(i), `m${i}`],
  RPUSH: (i) => ['RPUSH', `l${i % 100}`, `v${i}`],
};

async function load(dir) {
  if (!dir) return (await import('../js/node.mjs')).Shard;
  return (await loadBuild(dir)).Shard;
}

function run(Shard, name, gen) {
  const a = new Shard({ partitions: 1, seed: 1 });
  const b = new Shard({ partitions: 1, seed: 2 });
  a.nodeId = 1n;
  b.nodeId = 2n;
  const cmds = Array.from({ length: N }, (_, i) => gen(i));
  let t0 = performance.now();
  const batches = [];
  for (let i = 0; i < N; i++) {
    a.command(cmds[i]);
    if (i % 10_000 === 9_999) batches.push(a.takeEffects());
  }
  batches.push(a.takeEffects());
  const writeMs = performance.now() - t0;
  const bytes = batches.reduce((s, x) => s + x.length, 0);
  t0 = performance.now();
  let applied = 0;
  for (const batch of batches) applied += b.applyEffects(batch);
  const applyMs = performance.now() - t0;
  if (a.command(['DEBUG', 'DIGEST']) !== b.command(['DEBUG', 'DIGEST'])) throw new Error(`${name}: replicas differ`);
  a.free();
  b.free();
  return { writes: N / (writeMs / 1000), apply: applied / (applyMs / 1000), bytes: bytes / applied };
}

const builds = dirs.length ? dirs : [undefined];
const shards = [];
for (const d of builds) shards.push(await load(d));
const best = builds.map(() => ({}));
for (let r = 0; r < rounds; r++) {
  for (const name of Object.keys(workloads)) {
    shards.forEach((Shard, i) => {
      const x = run(Shard, name, workloads[name]);
      const b = best[i][name];
      best[i][name] = b ? { writes: Math.max(b.writes, x.writes), apply: Math.max(b.apply, x.apply), bytes: x.bytes } : x;
    });
  }
}
const fmt = (x) => Math.round(x).toLocaleString('en');
console.log(`effects in Node ${process.version} (wasm), N = ${N} writes per workload, best of ${rounds}`);
if (builds.length === 1) {
  console.log('| workload | writes/s on A (incl. emit) | apply on B (effects/s) | bytes per effect |\n|---|---:|---:|---:|');
  for (const name of Object.keys(workloads)) {
    const x = best[0][name];
    console.log(`| ${name} | ${fmt(x.writes)} | ${fmt(x.apply)} | ${x.bytes.toFixed(1)} |`);
  }
} else {
  console.log(`builds: ${builds.join(' → ')}`);
  console.log('| workload | writes/s on A | apply on B (effects/s) | apply ratio |\n|---|---:|---:|---:|');
  for (const name of Object.keys(workloads)) {
    const w = best.map((b) => fmt(b[name].writes)).join(' → ');
    const a = best.map((b) => fmt(b[name].apply)).join(' → ');
    const ratio = (best[best.length - 1][name].apply / best[0][name].apply).toFixed(2);
    console.log(`| ${name} | ${w} | ${a} | ${ratio}× |`);
  }
}

// Effects in Node (wasm), through the npm package: N writes on shard A (effects emitted),
// takeEffects (encode), applyEffects on a fresh shard B (decode + validate + merge), per
// workload; bytes per effect. Native counterpart: cargo run --release --example effects.
//   npm run build && node bench/effects.mjs [N]
import { Shard } from '../js/node.mjs';

const N = Number(process.argv[2] ?? 50_000);
const workloads = {
  SET: (i) => ['SET', `k${i}`, `v${i}`],
  INCR: (i) => ['INCR', `c${i % 1000}`],
  HSET: (i) => ['HSET', `h${i % 100}`, `f${i}`, `v${i}`],
  SADD: (i) => ['SADD', `s${i % 100}`, `m${i}`],
  ZADD: (i) => ['ZADD', `z${i % 100}`, String(i), `m${i}`],
  RPUSH: (i) => ['RPUSH', `l${i % 100}`, `v${i}`],
};
console.log(`effects in Node ${process.version} (wasm), N = ${N} writes per workload`);
console.log('| workload | writes/s on A (incl. emit) | apply on B (effects/s) | bytes per effect |\n|---|---:|---:|---:|');
for (const [name, gen] of Object.entries(workloads)) {
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
  console.log(`| ${name} | ${Math.round(N / (writeMs / 1000)).toLocaleString('en')} | ${Math.round(applied / (applyMs / 1000)).toLocaleString('en')} | ${(bytes / applied).toFixed(1)} |`);
  a.free();
  b.free();
}

// One thread, no ports: N writes on shard A (16 partitions) with takeEffects per 1,000, then
// applyEffects of those batches on a fresh shard B; thread CPU time per effect of each phase
// (/proc/thread-self/schedstat, Linux), for one or more builds, alternating round by round:
// on a shared machine compare the builds within one invocation (docs/replication.md,
// "After the link's own work").
//   node bench/replication-apply-cpu.mjs DIR[,DIR...] [ROUNDS=6] [N=120000] [SET|INCR]
// A DIR holds wasm-bindgen's `marekvs.js` and `marekvs_bg.wasm` (pkg/ or a copy of an older one).
import { readFileSync } from 'node:fs';
import { loadBuild } from './builds.mjs';

const cpuNs = () => Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]);
const dirs = (process.argv[2] ?? 'pkg').split(',');
const rounds = Number(process.argv[3] ?? 6);
const N = Number(process.argv[4] ?? 120_000);
const work = process.argv[5] ?? 'SET';
const gen = work === 'INCR' ? (i) => ['INCR', `c${i % 1000}`] : (i) => ['SET', `k${i}`, `v${i}`];
const builds = [];
for (const d of dirs) builds.push((await loadBuild(d)).Shard);
const res = dirs.map(() => ({ write: [], apply: [] }));
for (let r = 0; r < rounds; r++) {
  for (let k = 0; k < builds.length; k++) {
    const j = r % 2 ? builds.length - 1 - k : k;
    const Shard = builds[j];
    const a = new Shard({ partitions: 16, seed: 1 });
    const b = new Shard({ partitions: 16, seed: 2 });
    a.nodeId = 1n;
    b.nodeId = 2n;
    const batches = [];
    let t = cpuNs();
    for (let i = 0; i < N; i++) {
      a.command(gen(i));
      if (i % 1000 === 999) batches.push(a.takeEffects());
    }
    batches.push(a.takeEffects());
    res[j].write.push((cpuNs() - t) / N / 1000);
    t = cpuNs();
    let applied = 0;
    for (const x of batches) applied += b.applyEffects(x);
    res[j].apply.push((cpuNs() - t) / applied / 1000);
    if (a.command(['DEBUG', 'DIGEST']) !== b.command(['DEBUG', 'DIGEST'])) throw new Error(`${dirs[j]}: replicas differ`);
    a.free();
    b.free();
  }
}
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const f = (xs) => `${med(xs).toFixed(3)} [${xs.map((x) => x.toFixed(2)).join(' ')}]`;
console.log(`${work}, N = ${N}, ${rounds} rounds, Node ${process.version}: CPU µs per effect, median [each round]`);
dirs.forEach((d, j) => console.log(`${d}: writes + takeEffects ${f(res[j].write)} | applyEffects ${f(res[j].apply)}`));

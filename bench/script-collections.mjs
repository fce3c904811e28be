// A script's write to a large collection: EVALSHA of a one-element write (LPUSH, HSET, ZADD,
// SADD) on a key holding n elements, against the same write as a plain command, for each build
// given (docs/performance.md, "Scripts writing to large collections"). Until 2026-11-27 the
// undo record of a script copied the whole key at its first write, so the script's cost grew
// with the collection.
//   node bench/script-collections.mjs [pkg-dir ...]   (default: pkg)
// Each build gets its own shard; the builds run one after the other (the effect measured is a
// factor of 1,000 or more, far beyond this machine's noise).
import { loadBuild, median } from './builds.mjs';

const dirs = process.argv.slice(2);
if (!dirs.length) dirs.push(new URL('../pkg', import.meta.url).pathname);

const kinds = [
  ['list', (k, i) => ['RPUSH', k, `v${i}`], "return redis.call('LPUSH', KEYS[1], ARGV[1])"],
  ['hash', (k, i) => ['HSET', k, `f${i}`, `v${i}`], "return redis.call('HSET', KEYS[1], ARGV[1], ARGV[1])"],
  ['zset', (k, i) => ['ZADD', k, String(i), `m${i}`], "return redis.call('ZADD', KEYS[1], 5, ARGV[1])"],
  ['set', (k, i) => ['SADD', k, `m${i}`], "return redis.call('SADD', KEYS[1], ARGV[1])"],
];
const sizes = [100, 10_000, 100_000];

console.log(`script writes to large collections, Node ${process.version}, ${new Date().toISOString()}`);
console.log('\n| build | type | elements | EVALSHA µs/call | plain command µs/call |\n|---|---|---:|---:|---:|');
for (const dir of dirs) {
  const { Shard } = await loadBuild(dir);
  const s = new Shard();
  for (const [type, fill, body] of kinds) {
    const sha = s.command(['SCRIPT', 'LOAD', body]);
    for (const n of sizes) {
      const key = `${type}:${n}`;
      for (let i = 0; i < n; i++) s.command(fill(key, i));
      // Calls per round: enough for a stable figure, few enough for the old build's copies.
      const calls = n >= 100_000 ? 20 : 200;
      const evals = [], plain = [];
      for (let round = 0; round < 5; round++) {
        let t = performance.now();
        for (let i = 0; i < calls; i++) s.command(['EVALSHA', sha, '1', key, `x${round}:${i}`]);
        evals.push(((performance.now() - t) / calls) * 1000);
        t = performance.now();
        for (let i = 0; i < calls; i++) s.command(fill(key, n + round * calls + i));
        plain.push(((performance.now() - t) / calls) * 1000);
      }
      console.log(`| ${dir} | ${type} | ${n.toLocaleString('en')} | ${median(evals).toFixed(1)} | ${median(plain).toFixed(1)} |`);
    }
  }
}

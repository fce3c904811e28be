// Sorted-set queries on a large set, through the JS API: the delayed-job pattern
// (`ZRANGEBYSCORE k -inf <now> LIMIT 0 1`), a leaderboard's top 10 (`ZREVRANGE k 0 9`), a
// rank near the top (`ZREVRANK`), and a narrow `ZCOUNT`; µs per call, median of 5 rounds after one uncounted, for
// each build given; then a whole HSCAN and ZSCAN iteration (docs/performance.md, "Sorted-set
// queries on large sets").
//   node bench/zset-queries.mjs [pkg-dir ...]   (default: pkg)
import { loadBuild, median } from './builds.mjs';

const dirs = process.argv.slice(2);
if (!dirs.length) dirs.push(new URL('../pkg', import.meta.url).pathname);
const N = 100_000;

const queries = [
  ['ZRANGEBYSCORE -inf 10 LIMIT 0 1', ['ZRANGEBYSCORE', 'z', '-inf', '10', 'LIMIT', '0', '1']],
  ['ZREVRANGE 0 9', ['ZREVRANGE', 'z', '0', '9']],
  ['ZRANGE 0 9 WITHSCORES', ['ZRANGE', 'z', '0', '9', 'WITHSCORES']],
  ['ZREVRANK (top 5)', ['ZREVRANK', 'z', `m${N - 5}`]],
  ['ZRANK (middle)', ['ZRANK', 'z', `m${N / 2}`]],
  ['ZCOUNT 500 600', ['ZCOUNT', 'z', '500', '600']],
];

console.log(`sorted-set queries on ${N.toLocaleString('en')} members, Node ${process.version}, ${new Date().toISOString()}`);
console.log(`\n| query | ${dirs.join(' | ')} |\n|---|${dirs.map(() => '---:').join('|')}|`);
const rows = queries.map(([name]) => [name]);
for (const dir of dirs) {
  const { Shard } = await loadBuild(dir);
  const s = new Shard();
  for (let i = 0; i < N; i++) s.command(['ZADD', 'z', String(i), `m${i}`]);
  queries.forEach(([, argv], q) => {
    const calls = 50;
    const times = [];
    // One round first, not counted: each query's first calls run before V8 tiers them up.
    for (let i = 0; i < calls; i++) s.command(argv);
    for (let round = 0; round < 5; round++) {
      const t = performance.now();
      for (let i = 0; i < calls; i++) s.command(argv);
      times.push(((performance.now() - t) / calls) * 1000);
    }
    rows[q].push(median(times).toFixed(1));
  });
}
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

// A whole HSCAN / ZSCAN iteration (COUNT 100) over 20,000 elements: ms per iteration.
console.log(`\n| full iteration, COUNT 100, 20,000 elements | ${dirs.join(' | ')} |\n|---|${dirs.map(() => '---:').join('|')}|`);
const scans = [['HSCAN ms', 'HSET', (i) => [`f${i}`, 'v']], ['ZSCAN ms', 'ZADD', (i) => [String(i), `m${i}`]]];
const scanRows = scans.map(([name]) => [name]);
for (const dir of dirs) {
  const { Shard } = await loadBuild(dir);
  const s = new Shard();
  scans.forEach(([, add, args], q) => {
    const key = `scan${q}`;
    for (let i = 0; i < 20_000; i++) s.command([add, key, ...args(i)]);
    const times = [];
    for (let round = 0; round < 3; round++) {
      const t = performance.now();
      let cursor = '0';
      do {
        cursor = s.command([scans[q][0].slice(0, 5), key, cursor, 'COUNT', '100'])[0];
      } while (cursor !== '0');
      times.push(performance.now() - t);
    }
    scanRows[q].push(median(times).toFixed(1));
  });
}
for (const r of scanRows) console.log(`| ${r.join(' | ')} |`);

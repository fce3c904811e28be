// EVALSHA of `return redis.call('INCR', KEYS[1])`, GET and PING through `Shard.command` in
// Node, ns per call. Given several package roots (directories holding js/ and pkg/, e.g. a
// copy of an older build), loads each in this one process and alternates their rounds, so
// the figures compare builds under the same machine load; the median round is printed.
//   node bench/evalsha-node.mjs [root ...]        (default: this checkout)
import { fileURLToPath } from 'node:url';

const roots = process.argv.slice(2);
if (roots.length === 0) roots.push(fileURLToPath(new URL('..', import.meta.url)));
const n = Number(process.env.EVALSHA_N ?? 100_000);
const rounds = Number(process.env.EVALSHA_ROUNDS ?? 7);

const cases = [];
for (const root of roots) {
  const { Shard } = await import(`${root}/js/node.mjs`);
  const shard = new Shard({});
  const sha = shard.command(['SCRIPT', 'LOAD', "return redis.call('INCR', KEYS[1])"]);
  const evalsha = ['EVALSHA', sha, '1', 'counter'];
  cases.push({ root, name: 'EVALSHA', f: () => shard.command(evalsha) });
  cases.push({ root, name: 'GET', f: () => shard.command(['GET', 'counter']) });
  cases.push({ root, name: 'PING', f: () => shard.command(['PING']) });
}
const times = new Map(cases.map((c) => [c, []]));
for (const c of cases) for (let i = 0; i < n / 5; i++) c.f();
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) c.f();
    times.get(c).push(Number(process.hrtime.bigint() - t0) / n);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Shard.command in Node ${process.version}, ns/call, median of ${rounds} alternating rounds of ${n}`);
for (const c of cases) console.log(`${c.name.padEnd(8)} ${median(times.get(c)).toFixed(0).padStart(7)}  ${c.root}`);

// Speed of two (or more) builds of the package side by side in one Node process: before →
// after figures for a change (speed, size trade-offs, opt-levels, C flags, wasm-opt flags) on a
// shared machine. Each build is a directory holding the wasm-bindgen web glue `marekvs.js` and
// its `marekvs_bg.wasm` (e.g. a copy of pkg/ from before a change, and pkg/). Rounds alternate
// between the builds (A B B A …) so the machine's load drifts over all of them alike; per
// workload it prints each build's median (process CPU time) and its ratio to the first build,
// and for the Lua programs wasmoon's (the npm peer, same rounds).
//   node --no-liftoff bench/ab.mjs [rounds] DIR_A DIR_B ...
// (--no-liftoff: otherwise whichever build runs first pays V8's tier-up in its first rounds.)
// AB_ONLY=<regex> runs only the workloads whose name matches (e.g. AB_ONLY='EVALSHA|GET|incr').
// Workloads: the Lua programs of bench/lua.mjs (LuaEngine.eval, ms), EVALSHA of
// `return redis.call('INCR', KEYS[1])`, GET and PING, EVAL of fresh scripts (compiled each
// time: parser cost), and the write commands of bench/native_writes.rs (SET/INCR/LPUSH/HSET/
// SADD/ZADD over 10,000 keys) through Shard.command (ns per command; the packed path, as the
// package's entries install it).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadBuild, median } from './builds.mjs';

const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 5;
if (args.length < 1) throw new Error('usage: node bench/ab.mjs [rounds] DIR_A DIR_B ...');
const root = new URL('..', import.meta.url);
const lua = Object.fromEntries(['fib', 'strings', 'sort'].map((n) =>
  [n, readFileSync(new URL(`bench/lua/${n}.lua`, root), 'utf8')]));

const builds = [];
for (const dir of args) builds.push({ dir, glue: await loadBuild(dir), times: {} });
const { LuaFactory } = createRequire(import.meta.url)('wasmoon');
const wasmoon = await new LuaFactory().createEngine();

// Timed in process CPU time (user + system), not wall time: on a shared machine the time this
// process waits for a core is not counted.
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const nsPer = (n, fn) => {
  const t0 = cpuMs();
  for (let i = 0; i < n; i++) fn(i);
  return ((cpuMs() - t0) * 1e6) / n;
};
const WRITES = {
  set: (i) => ['SET', `key:${i % 10000}`, 'xxx'],
  incr: (i) => ['INCR', `counter:${i % 10000}`],
  lpush: (i) => ['LPUSH', `mylist${i % 10000}`, 'xxx'],
  hset: (i) => ['HSET', `myhash${i % 100}`, `element:${i % 10000}`, 'xxx'],
  sadd: (i) => ['SADD', `myset${i % 100}`, `element:${i % 10000}`],
  zadd: (i) => ['ZADD', `myzset${i % 100}`, String(i % 997), `element:${i % 10000}`],
};
let fresh = 0;
const workloads = {
  // ms per program
  ...Object.fromEntries(Object.entries(lua).map(([n, code]) => [`lua ${n} ms`, (b) => {
    const e = (b.engine ??= new b.glue.LuaEngine(600_000, 1 << 30));
    const t0 = cpuMs();
    e.eval(code);
    return cpuMs() - t0;
  }])),
  'EVALSHA INCR ns': (b) => {
    const s = (b.shard ??= new b.glue.Shard({}));
    const sha = (b.sha ??= s.command(['SCRIPT', 'LOAD', "return redis.call('INCR', KEYS[1])"]));
    const argv = ['EVALSHA', sha, '1', 'counter'];
    return nsPer(20_000, () => s.command(argv));
  },
  'GET ns': (b) => {
    const s = (b.shard ??= new b.glue.Shard({}));
    return nsPer(20_000, () => s.command(['GET', 'counter']));
  },
  'PING ns': (b) => {
    const s = (b.shard ??= new b.glue.Shard({}));
    return nsPer(20_000, () => s.command(['PING']));
  },
  'EVAL fresh script ns': (b) => {
    const s = (b.shard ??= new b.glue.Shard({}));
    return nsPer(2_000, () => s.command(['EVAL',
      `local t = {} for i = 1, #ARGV do t[i] = ARGV[i] .. ${fresh++} end return redis.call('SET', KEYS[1], table.concat(t, ','))`,
      '1', 'k', 'a', 'b']));
  },
  ...Object.fromEntries(Object.entries(WRITES).map(([n, mk]) => [`${n} ns`, (b) => {
    const s = (b.shard ??= new b.glue.Shard({}));
    const cmds = Array.from({ length: 20_000 }, (_, i) => mk(i));
    return nsPer(cmds.length, (i) => s.command(cmds[i]));
  }])),
};

const only = process.env.AB_ONLY ? new RegExp(process.env.AB_ONLY) : null;
for (const name of Object.keys(workloads)) if (only && !only.test(name)) delete workloads[name];
const peer = {}; // wasmoon's times per Lua program
for (const [name, fn] of Object.entries(workloads)) {
  for (const b of builds) fn(b); // warm-up
  const code = Object.entries(lua).find(([n]) => name === `lua ${n} ms`)?.[1];
  if (code !== undefined) await wasmoon.doString(code); // warm-up
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...builds].reverse() : builds;
    for (const b of order) (b.times[name] ??= []).push(fn(b));
    if (code !== undefined) {
      const t0 = cpuMs();
      await wasmoon.doString(code);
      (peer[name] ??= []).push(cpuMs() - t0);
    }
  }
}
wasmoon.global.close();
console.log(`median of ${rounds} alternating rounds; ratio to ${builds[0].dir}`);
console.log(`| workload | ${builds.map((b) => b.dir).join(' | ')} | wasmoon |\n|---|${builds.map(() => '---:').join('|')}|---:|`);
for (const name of Object.keys(workloads)) {
  const base = median(builds[0].times[name]);
  console.log(`| ${name} | ${builds.map((b) => {
    const m = median(b.times[name]);
    return b === builds[0] ? m.toFixed(1) : `${m.toFixed(1)} (${(m / base).toFixed(3)})`;
  }).join(' | ')} | ${peer[name] ? median(peer[name]).toFixed(1) : ''} |`);
}

// A/B of the Lua workloads (bench/lua/*.lua) in Node: the package in pkg/ against another
// build of it (e.g. a copy of pkg/ from before a change) and against wasmoon, in ONE process,
// rounds interleaved (A, B, wasmoon, A, B, ...) so machine load hits all alike. Prints the
// median per workload and the ratios. Use it for before → after figures on a busy machine.
//   cp -r pkg /tmp/pkg-before; <change, bash scripts/build.sh>; node bench/lua-ab.mjs /tmp/pkg-before [rounds]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const baseDir = process.argv[2];
if (!baseDir) throw new Error('usage: node bench/lua-ab.mjs <baseline pkg dir> [rounds]');
const rounds = Number(process.argv[3] ?? 7);
const NAMES = ['fib', 'strings', 'sort'];
const codes = Object.fromEntries(NAMES.map((n) => [n, readFileSync(`${root}bench/lua/${n}.lua`, 'utf8')]));

async function load(dir) {
  const mod = await import(pathToFileURL(resolve(dir, 'marekvs.js')).href);
  mod.initSync({ module: readFileSync(resolve(dir, 'marekvs_bg.wasm')) });
  return new mod.LuaEngine(600_000, 1 << 30);
}
const engines = { before: await load(baseDir), after: await load(`${root}pkg`) };
const { LuaFactory } = require('wasmoon');
const wasmoon = await new LuaFactory().createEngine();

const times = {};
const put = (who, n, ms) => (((times[who] ??= {})[n] ??= []).push(ms));
for (let r = 0; r < rounds; r++) {
  for (const n of NAMES) {
    for (const [who, e] of Object.entries(engines)) {
      const t0 = performance.now();
      e.eval(codes[n]);
      put(who, n, performance.now() - t0);
    }
    const t0 = performance.now();
    await wasmoon.doString(codes[n]);
    put('wasmoon', n, performance.now() - t0);
  }
}
wasmoon.global.close();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Node, median of ${rounds} interleaved rounds, ms`);
console.log('| workload | before | after | after/before | wasmoon | after/wasmoon |\n|---|---|---|---|---|---|');
for (const n of NAMES) {
  const [b, a, w] = ['before', 'after', 'wasmoon'].map((who) => median(times[who][n]));
  console.log(`| ${n} | ${b.toFixed(1)} | ${a.toFixed(1)} | ${(a / b).toFixed(2)} | ${w.toFixed(1)} | ${(a / w).toFixed(2)} |`);
}
console.log(`load: ${execFileSync('uptime', { encoding: 'utf8' }).trim()}; Node ${process.version}`);

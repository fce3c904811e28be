// Lua compute workloads (bench/lua/*.lua) natively, in Node and in Chromium through the npm
// package, and through the peers wasmoon (Lua 5.4 on emscripten) and fengari (Lua 5.3 in
// JS), median of N runs each, timed by the host; then, in the same invocation, EVALSHA of
// `return redis.call('INCR', KEYS[1])` through the JS API (ns per call), the package's .wasm
// size and Node cold start.
//   npm run build && node bench/lua.mjs [runs]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { launchChromium } from '../scripts/chromium.mjs';
import { startServer } from '../scripts/serve.mjs';

const require = createRequire(import.meta.url);
const runs = Number(process.argv[2] ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const NAMES = ['fib', 'strings', 'sort'];
const files = NAMES.map((n) => `bench/lua/${n}.lua`);
const codes = Object.fromEntries(NAMES.map((n, i) => [n, readFileSync(root + files[i], 'utf8')]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const time = (fn) => {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return median(out);
};
const timeAsync = async (fn) => {
  const out = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return median(out);
};
const results = {};
const put = (who, name, ms) => ((results[who] ??= {})[name] = ms);

// Native.
const nativeOut = execFileSync('cargo', ['run', '-q', '--release', '--example', 'native_lua', '--', String(runs), ...files],
  { cwd: root, encoding: 'utf8' });
for (const line of nativeOut.trim().split('\n')) {
  const [path, ms] = line.split(' ');
  put('native', NAMES[files.indexOf(path)], Number(ms));
}

// Node through the package.
const pkg = await import('../js/node.mjs');
const engine = new pkg.LuaEngine(600_000, 1 << 30);
for (const n of NAMES) put('marekvs Node', n, time(() => engine.eval(codes[n])));

// Chromium through the package.
const server = await startServer({ port: 0 });
const browser = await launchChromium();
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
const chromiumMs = await page.evaluate(async ({ codes, runs }) => {
  const { LuaEngine } = await import('/js/browser.mjs');
  const e = new LuaEngine(600_000, 1 << 30);
  const out = {};
  for (const [n, code] of Object.entries(codes)) {
    const ts = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      e.eval(code);
      ts.push(performance.now() - t0);
    }
    out[n] = ts.sort((a, b) => a - b)[Math.floor(ts.length / 2)];
  }
  return out;
}, { codes, runs });
for (const [n, ms] of Object.entries(chromiumMs)) put('marekvs Chromium', n, ms);
await browser.close();
server.close();

// Peers.
const { LuaFactory } = require('wasmoon');
const wasmoon = await new LuaFactory().createEngine();
for (const n of NAMES) put('wasmoon Node', n, await timeAsync(() => wasmoon.doString(codes[n])));
wasmoon.global.close();
const fengari = require('fengari');
for (const n of NAMES) {
  put('fengari Node', n, time(() => {
    const L = fengari.lauxlib.luaL_newstate();
    fengari.lualib.luaL_openlibs(L);
    if (fengari.lauxlib.luaL_loadstring(L, fengari.to_luastring(codes[n])) !== 0) throw new Error('load');
    fengari.lua.lua_call(L, 0, 1);
  }));
}

console.log(`Lua workloads, median of ${runs} runs, ms (× native)`);
console.log(`| runtime | ${NAMES.join(' | ')} |\n|---|${NAMES.map(() => '---').join('|')}|`);
for (const [who, row] of Object.entries(results)) {
  console.log(`| ${who} | ${NAMES.map((n) => `${row[n].toFixed(1)} (${(row[n] / results.native[n]).toFixed(2)}×)`).join(' | ')} |`);
}

// EVALSHA through the JS API, in-process.
if (pkg.Shard) {
  const shard = new pkg.Shard({});
  const sha = shard.command(['SCRIPT', 'LOAD', "return redis.call('INCR', KEYS[1])"]);
  const argv = ['EVALSHA', sha, '1', 'counter'];
  for (let i = 0; i < 20_000; i++) shard.command(argv);
  const n = 200_000;
  const perCall = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) shard.command(argv);
    perCall.push(Number(process.hrtime.bigint() - t0) / n);
  }
  const getArgv = ['GET', 'counter'];
  const plain = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) shard.command(getArgv);
    plain.push(Number(process.hrtime.bigint() - t0) / n);
  }
  console.log(`\nEVALSHA "return redis.call('INCR', KEYS[1])" via Shard.command: ${median(perCall).toFixed(0)} ns/call (GET via Shard.command: ${median(plain).toFixed(0)} ns/call, same run)`);
}

const wasm = readFileSync(new URL('../pkg/marekvs_bg.wasm', import.meta.url));
console.log(`\nwasm: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} gzip -9, ${brotliCompressSync(wasm).length} brotli`);
const coldScript = `const t0 = performance.now();
const { LuaEngine } = await import(${JSON.stringify(root + 'js/node.mjs')});
const t1 = performance.now();
new LuaEngine().eval('return 1');
console.log(JSON.stringify({ importMs: t1 - t0, firstEvalMs: performance.now() - t1 }));`;
const colds = Array.from({ length: 5 }, () =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', coldScript], { encoding: 'utf8' })));
console.log(`Node cold start (median of 5): import ${median(colds.map((c) => c.importMs)).toFixed(1)} ms, first eval ${median(colds.map((c) => c.firstEvalMs)).toFixed(2)} ms`);
console.log(`machine: ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown CPU'}, Node ${process.version}`);

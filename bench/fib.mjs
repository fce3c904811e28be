// fib(27) in Lua: native vs Node (wasm) vs Chromium (wasm), median of N runs each, one
// invocation. Also the package's .wasm size (raw, gzip, brotli) and Node cold start.
//   npm run build && node bench/fib.mjs [runs]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../scripts/serve.mjs';

const runs = Number(process.argv[2] ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
const code = readFileSync(new URL('lua_compute.lua', import.meta.url), 'utf8');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Cold start: a fresh Node process importing the package and running a first eval.
const coldScript = `const t0 = performance.now();
const { LuaEngine } = await import(${JSON.stringify(root + 'js/node.mjs')});
const t1 = performance.now();
new LuaEngine().eval('return 1');
const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstEvalMs: t2 - t1 }));`;
const colds = Array.from({ length: 5 }, () =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', coldScript], { encoding: 'utf8' })));

const native = Number(execFileSync('cargo', ['run', '-q', '--release', '--example', 'native_fib', '--', String(runs)],
  { cwd: root, encoding: 'utf8' }).trim());

const { LuaEngine } = await import('../js/node.mjs');
const engine = new LuaEngine(600_000);
const node = median(Array.from({ length: runs }, () => Number(engine.eval(code))));

const server = await startServer({ port: 0 });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
const chromiumTimes = await page.evaluate(async ({ code, runs }) => {
  const { LuaEngine } = await import('/js/browser.mjs');
  const e = new LuaEngine(600_000);
  return Array.from({ length: runs }, () => Number(e.eval(code)));
}, { code, runs });
const chromiumMs = median(chromiumTimes);
await browser.close();
server.close();

const wasm = readFileSync(new URL('../pkg/marekvs_bg.wasm', import.meta.url));
const rows = [
  ['native', native],
  ['Node (wasm)', node],
  ['Chromium (wasm)', chromiumMs],
];
console.log(`fib(27), median of ${runs} runs`);
console.log('| runtime | ms | × native |\n|---|---|---|');
for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(1)} | ${(ms / native).toFixed(2)} |`);
console.log(`\nwasm: ${wasm.length} bytes raw, ${gzipSync(wasm, { level: 9 }).length} gzip -9, ${brotliCompressSync(wasm).length} brotli`);
console.log(`Node cold start (median of 5): import ${median(colds.map((c) => c.importMs)).toFixed(1)} ms, first eval ${median(colds.map((c) => c.firstEvalMs)).toFixed(2)} ms`);

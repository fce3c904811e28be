// One program of bench/lua/ run many times in one headless Chromium page through a build of
// the package: the load to profile Chromium's own compilation of the module with (V8's code
// for the module differs from Node 20's: Chromium carries a much newer V8). Prints the median
// wall time per run; timing belongs to bench/lua-rounds.mjs.
//   node bench/chromium-lua-loop.mjs [build dir] [runs] [V8 flags]
// e.g. a profile of a build with names (wasm-bindgen --keep-debug, wasm-opt -g), with Debian's
// linux-perf, from an empty directory (V8 writes its jit-*.dump files there):
//   perf record -k 1 -e cpu-clock -o perf.data node bench/chromium-lua-loop.mjs DIR 300 --perf-prof
//   perf inject -j -i perf.data -o perf.jit.data
//   perf annotate -i perf.jit.data --stdio -s JS:luaV_execute-<index>-turbofan
// LUA_ONLY=<name> picks the program (default fib).
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../scripts/chromium.mjs';

const [dir = 'pkg', runs = '100', flags] = process.argv.slice(2);
const root = fileURLToPath(new URL('..', import.meta.url));
const base = resolve(dir);
const code = readFileSync(join(root, `bench/lua/${process.env.LUA_ONLY ?? 'fib'}.lua`), 'utf8');

const server = createServer((req, res) => {
  const path = decodeURIComponent(req.url.split('?')[0]);
  if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>lua</title>');
  const file = normalize(join(base, path));
  let body;
  try {
    if (!file.startsWith(base)) throw new Error('outside');
    body = readFileSync(file);
  } catch {
    return res.writeHead(404).end();
  }
  res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(body);
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const args = flags ? [...CHROMIUM_ARGS, `--js-flags=${flags}`] : CHROMIUM_ARGS;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const ms = await page.evaluate(async ({ n, code }) => {
    const glue = await import('/marekvs.js');
    await glue.default({ module_or_path: '/marekvs_bg.wasm' });
    const engine = new glue.LuaEngine(600_000, 1 << 30);
    for (let i = 0; i < 5; i++) engine.eval(code); // V8's tier-up
    const times = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      engine.eval(code);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  }, { n: Number(runs), code });
  console.log(`${process.env.LUA_ONLY ?? 'fib'}: median ${ms.toFixed(2)} ms over ${runs} runs in Chromium (${dir})`);
} finally {
  await browser.close();
  server.close();
}

// The Lua programs of bench/lua/ natively, in Node and in Chromium through the package, and
// through wasmoon (the npm peer: Lua 5.4 on emscripten) in Node and in Chromium — all
// interleaved in the same rounds, so the ratios hold on a machine whose speed drifts.
//   node bench/lua-rounds.mjs [rounds] [build dir ...]      (default: 9 rounds, pkg)
// e.g. `node bench/lua-rounds.mjs 11 /work/pkg-base pkg` also compares two builds.
// LUA_ONLY=<regex> selects programs (fib, strings, sort); LUA_CHROMIUM=0 leaves Chromium out.
//
// What is timed, on every side: one `eval` of the program's source (compile + run of the
// chunk, result returned to the host), each measured by its own host around that call:
// - native: a long-lived `native_lua --serve` process (release build, same patched Lua C at
//   -O3, glibc malloc) runs a program when Node writes its path on stdin and answers with the
//   thread's CPU time (CLOCK_THREAD_CPUTIME_ID) and wall time of the eval; Node waits idle.
// - marekvs in Node: `LuaEngine.eval(code)`; process CPU time (process.cpuUsage) and wall.
// - wasmoon in Node: `await engine.doString(code)`; process CPU time and wall.
// - Chromium (one headless page, a separate process): `LuaEngine.eval` / `doString`; wall time
//   by performance.now() inside the page (coarsened to 0.1 ms), CPU time as the renderer main
//   thread's (DevTools `Performance.getMetrics` ThreadTime) around the `page.evaluate` call,
//   less the median of an empty evaluate's; Node waits on the DevTools round trip meanwhile.
// Before the rounds every runtime runs each program 3 times (V8's tier-up); wasmoon starts
// each program with a fresh engine. Within a round the runtimes take turns in an order that
// rotates from round to round. Printed per program: each runtime's median (CPU | wall ms), and
// the median over rounds of the per-round ratios (CPU / CPU and wall / wall) to native and, for
// marekvs, to wasmoon in the same host (the ratios to native with a distribution-free ≈ 95 %
// interval for that median, from the order statistics of the rounds' ratios: bench/builds.mjs
// `medianInterval`); with several build dirs also each build against the
// first one in the same host. (Node's process CPU time also counts V8's
// background threads — compilers, GC helpers — while the eval runs.)
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { resolve, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBuild, median, medianInterval } from './builds.mjs';

const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 9;
const dirs = args.length ? args : ['pkg'];
const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.env.LUA_ONLY ? new RegExp(process.env.LUA_ONLY) : null;
const NAMES = ['fib', 'strings', 'sort'].filter((n) => !only || only.test(n));
const path = (n) => join(root, `bench/lua/${n}.lua`);
const codes = Object.fromEntries(NAMES.map((n) => [n, readFileSync(path(n), 'utf8')]));
const WARMUP = 3;
const withChromium = process.env.LUA_CHROMIUM !== '0';

// Native: one serving process.
execFileSync('cargo', ['build', '-q', '--release', '--example', 'native_lua'], { cwd: root, stdio: 'inherit' });
const nativeProc = spawn(join(root, 'target/release/examples/native_lua'), ['--serve'],
  { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
const nativeLines = createInterface({ input: nativeProc.stdout })[Symbol.asyncIterator]();
const native = async (n) => {
  nativeProc.stdin.write(`${path(n)}\n`);
  const { value } = await nativeLines.next();
  const [cpu, wall] = value.split(' ').map(Number);
  return { cpu, wall };
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const timed = async (fn) => {
  const c0 = cpuMs();
  const t0 = performance.now();
  await fn();
  const wall = performance.now() - t0;
  return { cpu: cpuMs() - c0, wall };
};

// Runtimes: name → (program name) => Promise<{cpu?, wall}>
const runtimes = { native };
const builds = [];
for (const dir of dirs) {
  const glue = await loadBuild(dir);
  const engine = new glue.LuaEngine(600_000, 1 << 30);
  const label = dirs.length > 1 ? ` ${dir}` : '';
  builds.push(label);
  runtimes[`marekvs Node${label}`] = (n) => timed(() => engine.eval(codes[n]));
}
// wasmoon gets a fresh engine per program: after some tens of runs in one engine its state
// breaks (`attempt to index a nil value (upvalue '_ENV')`, or a trap in sort).
const { LuaFactory } = createRequire(import.meta.url)('wasmoon');
const wasmoonFactory = new LuaFactory();
let wasmoon;
const resets = [async () => {
  wasmoon?.global.close();
  wasmoon = await wasmoonFactory.createEngine();
}];
runtimes['wasmoon Node'] = (n) => timed(() => wasmoon.doString(codes[n]));

// Chromium: a page that loads every build and wasmoon from a small static server.
let browser;
let server;
if (withChromium) {
  const { launchChromium } = await import('../scripts/chromium.mjs');
  const mounts = { ...Object.fromEntries(dirs.map((d, i) => [`b${i}`, resolve(root, d)])),
    wasmoon: join(root, 'node_modules/wasmoon/dist') };
  server = createServer((req, res) => {
    const [, top, ...rest] = decodeURIComponent(req.url.split('?')[0]).split('/');
    if (!top) return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>lua-rounds</title>');
    const base = mounts[top];
    const file = base && normalize(join(base, ...rest));
    if (!file || !file.startsWith(base)) return res.writeHead(404).end();
    try {
      const body = readFileSync(file);
      const type = file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
      res.writeHead(200, { 'content-type': type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  browser = await launchChromium();
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error('page:', e));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.addScriptTag({ url: '/wasmoon/index.js' });
  await page.evaluate(async ({ n, codes }) => {
    globalThis.codes = codes;
    globalThis.engines = [];
    for (let i = 0; i < n; i++) {
      const glue = await import(`/b${i}/marekvs.js`);
      await glue.default({ module_or_path: `/b${i}/marekvs_bg.wasm` });
      globalThis.engines.push(new glue.LuaEngine(600_000, 1 << 30));
    }
    globalThis.wasmoonFactory = new globalThis.wasmoon.LuaFactory('/wasmoon/glue.wasm');
  }, { n: dirs.length, codes });
  resets.push(() => page.evaluate(async () => {
    globalThis.wasmoonEngine?.global.close();
    globalThis.wasmoonEngine = await globalThis.wasmoonFactory.createEngine();
  }));
  // The renderer's main-thread CPU time (DevTools `Performance.getMetrics` ThreadTime) around
  // the evaluate call, less the median cost of an empty evaluate measured the same way.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const threadMs = async () => (await cdp.send('Performance.getMetrics')).metrics
    .find((m) => m.name === 'ThreadTime').value * 1000;
  const inPage = async (fn, arg) => {
    const c0 = await threadMs();
    const r = await page.evaluate(fn, arg);
    return { cpu: (await threadMs()) - c0, wall: r.wall };
  };
  const empties = [];
  for (let i = 0; i < 21; i++) empties.push((await inPage(() => ({ wall: 0 }))).cpu);
  const emptyCpu = median(empties);
  const inChromium = async (fn, arg) => {
    const r = await inPage(fn, arg);
    return { cpu: r.cpu - emptyCpu, wall: r.wall };
  };
  builds.forEach((label, i) => {
    runtimes[`marekvs Chromium${label}`] = (n) => inChromium(({ i, n }) => {
      const t0 = performance.now();
      globalThis.engines[i].eval(globalThis.codes[n]);
      return { wall: performance.now() - t0 };
    }, { i, n });
  });
  runtimes['wasmoon Chromium'] = (n) => inChromium(async (n) => {
    const t0 = performance.now();
    await globalThis.wasmoonEngine.doString(globalThis.codes[n]);
    return { wall: performance.now() - t0 };
  }, n);
  console.log(`Chromium: an empty evaluate costs ${emptyCpu.toFixed(3)} ms of renderer main-thread CPU (subtracted)`);
}

const load0 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const started = new Date().toISOString();
const names = Object.keys(runtimes);
const times = {}; // program → runtime → [{cpu, wall}]
for (const n of NAMES) {
  for (const reset of resets) await reset();
  for (const who of names) for (let i = 0; i < WARMUP; i++) await runtimes[who](n);
  times[n] = Object.fromEntries(names.map((who) => [who, []]));
  for (let r = 0; r < rounds; r++) {
    const k = r % names.length;
    const order = [...names.slice(k), ...names.slice(0, k)];
    for (const who of order) times[n][who].push(await runtimes[who](n));
  }
}
const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
nativeProc.stdin.end();
wasmoon.global.close();
await browser?.close();
server?.close();

const ab = dirs.length > 1;
const ratios = (n, a, b, key) => times[n][a].map((x, r) => x[key] / times[n][b][r][key]);
const ratio = (n, a, b, key) => median(ratios(n, a, b, key));
// The ratio to native with its ≈ 95 % interval: `1.28 (1.26–1.30)`.
const withInterval = (n, a, key) => {
  const xs = ratios(n, a, 'native', key);
  const iv = medianInterval(xs);
  const r = median(xs).toFixed(2);
  return iv ? `${r} (${iv[0].toFixed(2)}–${iv[1].toFixed(2)})` : r;
};
const fmt = (x) => x.toFixed(1);
console.log(`Lua programs, ${rounds} interleaved rounds (after ${WARMUP} warm-up runs each), ${started}, load ${load0} → ${load1}`);
console.log(`node ${process.execArgv.join(' ')} ${process.version}; ${execFileSync('nproc', { encoding: 'utf8' }).trim()} cores, ${readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1]}`);
for (const n of NAMES) {
  console.log(`\n${n}: median ms (CPU | wall); ratio = median of per-round ratios (≈ 95 % interval of that median)`);
  console.log(`| runtime | CPU ms | wall ms | × native | × wasmoon (same host) |${ab ? ` × ${dirs[0]} (same host) |` : ''}`);
  console.log(`|---|---:|---:|---:|---:|${ab ? '---:|' : ''}`);
  for (const who of names) {
    const xs = times[n][who];
    const cpu = median(xs.map((x) => x.cpu));
    const wall = median(xs.map((x) => x.wall));
    const inChromium = who.includes('Chromium');
    const vsNative = who === 'native' ? '1.00'
      : `${withInterval(n, who, 'cpu')} CPU, ${withInterval(n, who, 'wall')} wall`;
    const peer = inChromium ? 'wasmoon Chromium' : 'wasmoon Node';
    const vsPeer = who.startsWith('marekvs') && times[n][peer]
      ? `${ratio(n, who, peer, 'cpu').toFixed(2)} CPU, ${ratio(n, who, peer, 'wall').toFixed(2)} wall` : '';
    // With several builds, each marekvs row also against the first build in the same host.
    const first = `marekvs ${inChromium ? 'Chromium' : 'Node'} ${dirs[0]}`;
    const vsFirst = !ab ? '' : who.startsWith('marekvs') && who !== first
      ? ` ${ratio(n, who, first, 'cpu').toFixed(3)} CPU, ${ratio(n, who, first, 'wall').toFixed(3)} wall |` : ' |';
    console.log(`| ${who} | ${fmt(cpu)} | ${fmt(wall)} | ${vsNative} | ${vsPeer} |${vsFirst}`);
  }
}

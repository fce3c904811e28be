// The installed tarball in headless Chromium: imported unbundled from module Web Workers, and
// bundled by esbuild and by Vite (the `browser` condition; Vite turns the entry's
// `new URL('../pkg/marekvs_bg.wasm', import.meta.url)` into an emitted asset).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { launchChromium } from '../../scripts/chromium.mjs';
import { scratchDir, serveStatic } from './helpers.mjs';

const root = join(scratchDir(), 'browser');
const EXPECTED = ['v', 'CROSSSLOT', '42'];
const check = (entry) => `import { Shard, LuaEngine } from '${entry}';
export function check() {
  const s = new Shard({ partitions: 16 });
  s.command(['SET', 'k', 'v']);
  let crossslot;
  try { s.command(['EVAL', 'return 1', 2, '{a}x', '{b}y']); } catch (e) { crossslot = e.code; }
  return [s.command(['EVAL', "return redis.call('GET', KEYS[1])", 1, 'k']), crossslot, new LuaEngine().eval('return 6 * 7')];
}
`;
const workerOf = (importLine) => `${importLine}
try { postMessage({ result: check() }); } catch (e) { postMessage({ error: String(e && e.stack || e) }); }
`;

let server;
let browser;
let page;

function write(rel, text) {
  const file = join(root, rel);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
  return file;
}

before(async () => {
  write('blank.html', '<!doctype html><title>blank</title>');
  // Unbundled: the package's own files, as a CDN would serve them.
  write('raw/check-browser.mjs', check('/node_modules/marekvs/js/browser.mjs'));
  write('raw/worker-browser.mjs', workerOf("import { check } from './check-browser.mjs';"));
  write('raw/check-web.mjs', check('/node_modules/marekvs/js/web.mjs'));
  write('raw/worker-web.mjs', workerOf("import init from '/node_modules/marekvs/js/web.mjs';\nimport { check } from './check-web.mjs';\nawait init();"));
  write('raw/check-inline.mjs', check('/node_modules/marekvs/js/inline.mjs'));
  write('raw/worker-inline.mjs', workerOf("import { check } from './check-inline.mjs';"));

  // esbuild: `marekvs/inline` needs no set-up; `marekvs/web` + `marekvs/wasm` with the file loader.
  write('esb-src/check-inline.mjs', check('marekvs/inline'));
  write('esb-src/worker-inline.mjs', workerOf("import { check } from './check-inline.mjs';"));
  write('esb-src/check-web.mjs', check('marekvs/web'));
  write('esb-src/worker-web.mjs', workerOf(
    "import init from 'marekvs/web';\nimport wasmUrl from 'marekvs/wasm';\nimport { check } from './check-web.mjs';\nawait init({ module_or_path: new URL(wasmUrl, import.meta.url) });",
  ));
  await esbuild({
    entryPoints: [join(root, 'esb-src/worker-inline.mjs'), join(root, 'esb-src/worker-web.mjs')],
    outdir: join(root, 'esbuild'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    loader: { '.wasm': 'file' },
    logLevel: 'warning',
  });

  // Vite: the default entry (`browser` condition) in the page and in a module worker.
  write('vite-src/check.mjs', check('marekvs'));
  write('vite-src/worker.mjs', workerOf("import { check } from './check.mjs';"));
  write('vite-src/main.mjs', `import { check } from './check.mjs';
window.pageResult = check();
const w = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
window.workerResult = new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); });
`);
  write('vite-src/index.html', '<!doctype html><script type="module" src="./main.mjs"></script>');
  await viteBuild({
    root: join(root, 'vite-src'),
    base: './',
    logLevel: 'warn',
    configFile: false,
    build: { outDir: join(root, 'vite'), emptyOutDir: true },
    worker: { format: 'es' },
  });

  server = await serveStatic(scratchDir());
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function inWorker(path) {
  await page.goto(`${server.url}/browser/blank.html`);
  return page.evaluate(
    (src) =>
      new Promise((resolve) => {
        const w = new Worker(src, { type: 'module' });
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => resolve({ error: `worker error: ${e.message}` });
      }),
    `${server.url}${path}`,
  );
}

for (const [name, path] of [
  ['default browser entry (top-level await init)', '/browser/raw/worker-browser.mjs'],
  ['marekvs/web with explicit init()', '/browser/raw/worker-web.mjs'],
  ['marekvs/inline (base64)', '/browser/raw/worker-inline.mjs'],
]) {
  test(`module Web Worker, unbundled: ${name}`, async () => {
    assert.deepEqual(await inWorker(path), { result: EXPECTED });
  });
}

test('esbuild bundle of marekvs/inline, in a module Web Worker', async () => {
  assert.deepEqual(await inWorker('/browser/esbuild/worker-inline.js'), { result: EXPECTED });
});

test('esbuild bundle of marekvs/web + marekvs/wasm (file loader), in a module Web Worker', async () => {
  assert.deepEqual(await inWorker('/browser/esbuild/worker-web.js'), { result: EXPECTED });
});

test('Vite build of the default entry: page and module worker', async () => {
  await page.goto(`${server.url}/browser/vite/index.html`);
  await page.waitForFunction(() => window.pageResult !== undefined, null, { timeout: 30_000 });
  assert.deepEqual(await page.evaluate(() => window.pageResult), EXPECTED);
  assert.deepEqual(await page.evaluate(() => window.workerResult), { result: EXPECTED });
});

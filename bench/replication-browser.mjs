// Replication benchmark in headless Chromium: the page bench/replication-browser/ starts two
// module Web Workers with one wasm shard each, linked by `connect` over a MessageChannel whose
// ports are transferred into them; same workloads and report as bench/replication.mjs.
// Serves bench/, js/ and pkg/ itself (scripts/serve.mjs serves only the playground's folders).
//   node bench/replication-browser.mjs [--runs 3] [--n 200000] [--chunk 1000] [--rate 10000] [--seconds 3]
//     [--workloads SET,INCR,HSET,MSET] [--latencyBy count|describe]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../scripts/chromium.mjs';
import { args } from './replication-runs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const SERVED = ['bench', 'js', 'pkg'];
const TYPES = { '.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

function serveStatic() {
  const server = createServer(async (req, res) => {
    const rel = normalize(decodeURIComponent(req.url.split('?')[0])).replace(/^[/\\]+/, '');
    if (!SERVED.includes(rel.split('/')[0]) || rel.includes('..')) return res.writeHead(404).end();
    try {
      const body = await readFile(join(root, rel));
      res.writeHead(200, {
        // Cross-origin isolated: performance.now() at 5 µs instead of 100 µs.
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'content-type': TYPES[extname(rel)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}


const server = await serveStatic();
const browser = await launchChromium();
try {
  const version = browser.version();
  console.log(`replication benchmark, Chromium ${version}, ${new Date().toISOString()}`);
  const page = await browser.newPage();
  page.on('console', (m) => console.log(m.text()));
  page.on('pageerror', (e) => console.error(`page error: ${e}`));
  await page.goto(`http://127.0.0.1:${server.address().port}/bench/replication-browser/index.html`);
  await page.waitForSelector('body[data-ready]');
  const { report } = await page.evaluate((opts) => window.bench.run(opts),
    { ...args(), title: `Chromium ${version} (Web Workers)` });
  console.log('\n' + report);
} finally {
  await browser.close();
  server.close();
}

// Shared by the test/package/ tests: the packed package installed into a scratch project
// (MAREKVS_SCRATCH from scripts/test.sh, or made here with scripts/pack-install.sh), and a
// static file server for the browser tests. Nothing runs at import.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../', import.meta.url));

let scratch = null;
/** A directory whose node_modules/marekvs is the installed tarball. */
export function scratchDir() {
  if (scratch) return scratch;
  if (process.env.MAREKVS_SCRATCH) return (scratch = process.env.MAREKVS_SCRATCH);
  scratch = mkdtempSync(join(tmpdir(), 'marekvs-package-'));
  execFileSync('bash', [join(repo, 'scripts/pack-install.sh'), scratch], { stdio: 'inherit' });
  const made = scratch;
  process.on('exit', () => rmSync(made, { recursive: true, force: true }));
  return scratch;
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.cjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** Serves `root` on 127.0.0.1 (free port); resolves to { url, close }. */
export function serveStatic(root) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    let file = join(root, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
      });
    });
  });
}

/** Gzip and brotli sizes of a buffer. */
export { gzipSync, brotliCompressSync } from 'node:zlib';

// `npm start`: serves the playground (www/) and the npm package's files (js/, pkg/) on
// http://localhost:8080 (PORT overrides; HOST, default 127.0.0.1). Static files only.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
const SERVED = ['www', 'js', 'pkg', 'node_modules'];

/** Maps a URL path to a file inside one of the served folders, or null. */
function resolvePath(urlPath) {
  let path = decodeURIComponent(urlPath.split('?')[0]);
  if (path === '/' || path === '') path = '/www/index.html';
  const rel = normalize(path).replace(/^[/\\]+/, '');
  const top = rel.split(sep)[0];
  if (!SERVED.includes(top) || rel.includes('..')) return null;
  return join(root, rel);
}

export function startServer({ port = 8080, host = '127.0.0.1' } = {}) {
  const server = createServer(async (req, res) => {
    const file = resolvePath(req.url ?? '/');
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  const server = await startServer({ port, host });
  const addr = server.address();
  console.log(`marekvs playground: http://${host === '127.0.0.1' ? 'localhost' : host}:${addr.port}/`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// Bundles the playground's page code (www/src/main.mjs, with CodeMirror 6 from npm) into
// www/dist/playground.js with esbuild. The replica worker (www/replica-worker.mjs) is not
// bundled: it imports the npm package's browser entry as served (/js/browser.mjs).
// `node scripts/build-www.mjs` (run by scripts/build.sh); the browser tests call buildWww().
import { build } from 'esbuild';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(root, 'www/dist/playground.js');

/** Builds www/dist/; returns the bundle's size in bytes. */
export async function buildWww({ minify = true } = {}) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['www/src/main.mjs'],
    outfile: OUT,
    bundle: true,
    format: 'esm',
    target: ['chrome95', 'firefox100', 'safari15.2'],
    minify,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    write: false,
  });
  await mkdir(join(root, 'www/dist'), { recursive: true });
  // Each file is written under a temporary name and renamed: test files run in parallel
  // processes may build at the same time, and the server must never serve half a file.
  let bytes = 0;
  for (const f of result.outputFiles) {
    const tmp = join(root, 'www/dist', `.${basename(f.path)}.${process.pid}.tmp`);
    await writeFile(tmp, f.contents);
    await rename(tmp, f.path);
    if (f.path === OUT) bytes = f.contents.length;
  }
  return bytes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const bytes = await buildWww();
  console.log(`[build] www/dist/playground.js ${bytes} bytes`);
}

// TypeScript declarations of the installed tarball: `tsc --noEmit` over fixtures/api.mts (the
// whole API, ESM) and fixtures/api.cts (CommonJS), with NodeNext and bundler resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repo, scratchDir } from './helpers.mjs';

const tsc = join(repo, 'node_modules/typescript/bin/tsc');

function check(name, compilerOptions, files) {
  const dir = join(scratchDir(), `types-${name}`);
  mkdirSync(dir, { recursive: true });
  for (const f of files) copyFileSync(join(repo, 'test/package/fixtures', f), join(dir, f));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', lib: ['es2022', 'dom'], types: [], ...compilerOptions },
      files,
    }),
  );
  const r = spawnSync(process.execPath, [tsc, '-p', dir], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

test('tsc --noEmit: the whole API, ESM and CommonJS, NodeNext resolution', () => {
  check('nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['api.mts', 'api.cts']);
});

test('tsc --noEmit: the whole API, bundler resolution', () => {
  check('bundler', { module: 'preserve', moduleResolution: 'bundler' }, ['api.mts']);
});

// `marekvs/cluster` types (js/cluster/cluster.d.ts): `tsc --noEmit` over fixtures/api.mts,
// which imports the package by its own name (package.json "exports" → "./cluster" → types).
// One resolution mode: the "types" condition comes first for every platform, so NodeNext and
// bundler resolution reach the same file (tsc is slow on a busy machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function check(name, compilerOptions) {
  const dir = `${repo}test-output/cluster-types-${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/tsconfig.json`, JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, target: 'es2022', lib: ['es2022', 'dom'], types: [], ...compilerOptions },
    files: [`${repo}test/cluster/fixtures/api.mts`],
  }));
  const r = spawnSync(process.execPath, [`${repo}node_modules/typescript/bin/tsc`, '-p', dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

test('tsc --noEmit: marekvs/cluster, NodeNext resolution', () => {
  check('nodenext', { module: 'nodenext', moduleResolution: 'nodenext' });
});

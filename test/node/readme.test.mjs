// The README's example, run as users would run it: the ```js block under "## Example" of the
// installed package's README.md, executed by node next to the installed package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test("the README's example runs and prints what its comments say", () => {
  const readme = readFileSync(fileURLToPath(new URL('README.md', import.meta.resolve('marekvs/package.json'))), 'utf8');
  const section = readme.slice(readme.indexOf('## Example'));
  const code = section.match(/```js\n([\s\S]*?)```/)[1];
  const file = fileURLToPath(new URL('./readme-example.mjs', import.meta.url));
  // Next to the package (so `import 'marekvs'` resolves as it does for users), removed after.
  writeFileSync(file, code);
  let run;
  try {
    run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  } finally {
    rmSync(file, { force: true });
  }
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.equal(lines[0], 'paid');
  assert.equal(lines[1], "CROSSSLOT Keys in request don't hash to the same slot");
  assert.match(lines[2], /^SCRIPTTIMEOUT .* 0$/);
});

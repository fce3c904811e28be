// The installed tarball from Node: ESM (`import`), CommonJS (`require`), `marekvs/inline` and
// `marekvs/web` with explicit init, each in a fresh process resolving `marekvs` like a user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { scratchDir } from './helpers.mjs';

const run = (args, code) =>
  execFileSync(process.execPath, [...args, '-e', code], { cwd: scratchDir(), encoding: 'utf8' }).trim();

const CHECK = `
  const s = new Shard({ partitions: 16 });
  s.command(['SET', 'k', 'v']);
  let crossslot;
  try { s.command(['EVAL', 'return 1', 2, '{a}x', '{b}y']); } catch (e) { crossslot = e.code; }
  console.log(JSON.stringify([s.command(['EVAL', "return redis.call('GET', KEYS[1])", 1, 'k']), crossslot, new LuaEngine().eval('return 6 * 7')]));
`;
const EXPECTED = JSON.stringify(['v', 'CROSSSLOT', '42']);

test('import from Node ESM (node condition, no init step)', () => {
  assert.equal(run(['--input-type=module'], `import { Shard, LuaEngine } from 'marekvs';${CHECK}`), EXPECTED);
});

test('require from CommonJS (node + require condition)', () => {
  assert.equal(run(['--input-type=commonjs'], `const { Shard, LuaEngine } = require('marekvs');${CHECK}`), EXPECTED);
});

test('marekvs/inline (base64) and marekvs/web (explicit initSync) in Node ESM', () => {
  assert.equal(run(['--input-type=module'], `import { Shard, LuaEngine } from 'marekvs/inline';${CHECK}`), EXPECTED);
  const web = `import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
    import { initSync, Shard, LuaEngine } from 'marekvs/web';
    const wasm = readFileSync(createRequire(import.meta.url).resolve('marekvs/wasm'));
    initSync({ module: new WebAssembly.Module(wasm) });${CHECK}`;
  assert.equal(run(['--input-type=module'], web), EXPECTED);
});

// The final (optimized) module may import only what wasm-bindgen generated: anything else
// (WASI's fd_write, an `env` symbol the linker left undefined) would fail to instantiate in
// browsers and edge isolates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkgDir = new URL('.', import.meta.resolve('marekvs/package.json'));

test('the module imports only wasm-bindgen glue', () => {
  const wasm = readFileSync(fileURLToPath(new URL('pkg/marekvs_bg.wasm', pkgDir)));
  const glue = readFileSync(fileURLToPath(new URL('pkg/marekvs.js', pkgDir)), 'utf8');
  const provided = new Set([...glue.matchAll(/^\s+(__wbg_\w+|__wbindgen_\w+):/gm)].map((m) => m[1]));
  assert.ok(provided.size > 0, 'found the glue import object');
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  assert.ok(imports.length > 0);
  const foreign = imports.filter((i) => i.module !== './marekvs_bg.js' || !provided.has(i.name));
  assert.deepEqual(foreign, []);
});

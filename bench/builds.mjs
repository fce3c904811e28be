// Loading several builds of the package into one Node process, for benchmarks that compare
// them under the same machine load (bench/ab.mjs, bench/effects.mjs). A build is a directory
// holding wasm-bindgen's web glue `marekvs.js` and `marekvs_bg.wasm` (e.g. `pkg/` or a copy of
// it from before a change).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installFastCommand } from '../js/shard-command.mjs';

/** The build's module exports (`Shard`, `LuaEngine`, ...), initialised, with `Shard.command`
 * as the package's entries install it (the packed path, for builds that have it). A build
 * directory holding its own `shard-command.mjs` (a copy of js/shard-command.mjs from that
 * build's commit) gets that one, so changes to the JS side are compared too; otherwise the
 * current js/shard-command.mjs. */
export async function loadBuild(dir) {
  const glue = await import(pathToFileURL(resolve(dir, 'marekvs.js')).href);
  glue.initSync({ module: readFileSync(resolve(dir, 'marekvs_bg.wasm')) });
  const own = resolve(dir, 'shard-command.mjs');
  const install = existsSync(own)
    ? (await import(pathToFileURL(own).href)).installFastCommand
    : installFastCommand;
  if (typeof glue.Shard.prototype.__commandPacked === 'function') install(glue.Shard);
  return glue;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

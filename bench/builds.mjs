// Loading several builds of the package into one Node process, for benchmarks that compare
// them under the same machine load (bench/ab.mjs, bench/effects.mjs). A build is a directory
// holding wasm-bindgen's web glue `marekvs.js` and `marekvs_bg.wasm` (e.g. `pkg/` or a copy of
// it from before a change).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { installFastCommand } from '../js/shard-command.mjs';

/** The build's module exports (`Shard`, `LuaEngine`, ...), initialised, with `Shard.command`
 * as the package's entries install it (the packed path, for builds that have it). */
export async function loadBuild(dir) {
  const glue = await import(pathToFileURL(resolve(dir, 'marekvs.js')).href);
  glue.initSync({ module: readFileSync(resolve(dir, 'marekvs_bg.wasm')) });
  if (typeof glue.Shard.prototype.__commandPacked === 'function') installFastCommand(glue.Shard);
  return glue;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

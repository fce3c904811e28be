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

/** A distribution-free ≈ 95 % confidence interval for the median of `xs` (independent rounds):
 * the order statistics x(k) and x(n+1-k) with k the largest such that P(Binomial(n, ½) < k)
 * ≤ 2.5 % (n = 21: the 6th and 16th of 21, 97.3 % coverage). `null` below 6 samples, where
 * no such k exists. */
export function medianInterval(xs) {
  const n = xs.length;
  let below = 0; // P(Binomial(n, ½) < k), built up term by term
  let term = 0.5 ** n; // P(Binomial(n, ½) = j), starting at j = 0
  let k = 0;
  for (let j = 0; j < n && below + term <= 0.025; j++) {
    below += term;
    term = (term * (n - j)) / (j + 1);
    k = j + 1;
  }
  if (k < 1) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return [sorted[k - 1], sorted[n - k]];
}

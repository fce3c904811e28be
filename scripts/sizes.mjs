// Raw, gzip (level 9) and brotli (quality 11) sizes of what each entry of the package loads:
// its JS files as shipped plus the wasm module (or its base64 copy). `node scripts/sizes.mjs`
// after `bash scripts/build.sh`; prints a Markdown table (docs/edge.md).
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const size = (files) => {
  let raw = 0, gz = 0, br = 0;
  for (const f of files) {
    const b = readFileSync(new URL(f, root));
    raw += b.length;
    gz += gzipSync(b, { level: 9 }).length;
    br += brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  return { raw, gz, br };
};
const WASM = 'pkg/marekvs_bg.wasm';
const GLUE = 'pkg/marekvs.js';
const entries = [
  ['the wasm module alone', [WASM]],
  ['`marekvs` · node (import)', ['js/node.mjs', GLUE, WASM]],
  ['`marekvs` · node (require)', ['js/node.cjs', 'pkg/marekvs.cjs', WASM]],
  ['`marekvs` · browser / default', ['js/browser.mjs', GLUE, WASM]],
  ['`marekvs` · workerd, `marekvs/workerd`', ['js/workerd.mjs', GLUE, WASM]],
  ['`marekvs/web`', ['js/web.mjs', GLUE, WASM]],
  ['`marekvs/inline`', ['js/inline.mjs', GLUE, 'pkg/marekvs_wasm_base64.mjs']],
];
const kb = (n) => (n / 1024).toFixed(1);
console.log('| entry | raw KiB | gzip KiB | brotli KiB |\n|---|---:|---:|---:|');
for (const [name, files] of entries) {
  const s = size(files);
  console.log(`| ${name} | ${kb(s.raw)} | ${kb(s.gz)} | ${kb(s.br)} |`);
}

// Two copies of the package whose modules differ only by wasm branch hints (the
// `metadata.code.branch_hint` section, which Chromium's V8 reads since 137; LLVM 19 does not
// write it): the experiment of docs/performance.md ("Tried, each as an A/B"), to measure with
//   node bench/branch-hints.mjs /tmp/plain /tmp/hinted && LUA_ONLY=fib node bench/lua-rounds.mjs 11 /tmp/plain /tmp/hinted
// (after `bash scripts/build.sh`; the pkg/ it copies supplies the JS files). Both modules go
// through the same steps (wasm-bindgen with names, scripts/build.sh's wasm-opt flags plus -g,
// printed as text, parsed back and stripped of names), so they differ by the hints alone.
//
// Hinted: in the functions named by HINT_FUNCS (a regex, default `^luaV_execute$`), an `if`
// whose one arm calls a cold function (COLD, comma-separated names) at its own level — not
// under a nested block, loop or if, and before any branch out — is hinted towards the other
// arm; a `br_if` out of a block whose following statements make such a call is hinted taken.
// HINT_KINDS picks which of `if` and `br_if` hints are written (default both).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [plainDir, hintedDir] = process.argv.slice(2).map((d) => resolve(d));
if (!hintedDir) throw new Error('usage: node bench/branch-hints.mjs PLAIN_DIR HINTED_DIR');
const root = fileURLToPath(new URL('..', import.meta.url));
const funcs = new RegExp(process.env.HINT_FUNCS ?? '^luaV_execute$');
const kinds = (process.env.HINT_KINDS ?? 'if,br_if').split(',');
const COLD = new Set((process.env.COLD ?? [
  'luaC_step', 'luaD_growstack', 'luaE_extendCI', 'marekvs_budget_tick', 'luaG_runerror',
  'luaG_forerror', 'luaG_typeerror', 'luaG_opinterror', 'luaG_tointerror', 'luaG_ordererror',
  'luaG_concaterror', 'luaD_throw', 'luaD_hook', 'luaD_hookcall', 'luaG_traceexec', 'luaF_close',
  'luaF_newtbcupval', 'luaG_getfuncline', 'luaC_barrierback_', 'luaC_barrier_', 'luaH_resize',
].join(',')).split(','));
const FEATURES = ['--enable-exception-handling', '--enable-bulk-memory', '--enable-reference-types',
  '--enable-multivalue', '--enable-mutable-globals', '--enable-nontrapping-float-to-int', '--enable-sign-ext'];
const wasmOpt = (...args) => execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [...args, ...FEATURES],
  { maxBuffer: 1 << 30, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

const tmp = mkdtempSync(join(tmpdir(), 'marekvs-hints-'));
try {
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', tmp, '--out-name', 'marekvs', '--keep-debug',
    join(root, 'target/wasm32-unknown-unknown/release/marekvs.wasm')]);
  wasmOpt(join(tmp, 'marekvs_bg.wasm'), '-o', join(tmp, 'named.wasm'), '-O3', '-g', '--skip-pass=ssa-nomerge');
  const text = wasmOpt(join(tmp, 'named.wasm'), '--print');
  const { hinted, counts } = addHints(text.split('\n'));
  writeFileSync(join(tmp, 'plain.wat'), text);
  writeFileSync(join(tmp, 'hinted.wat'), hinted.join('\n'));
  for (const [dir, wat] of [[plainDir, 'plain.wat'], [hintedDir, 'hinted.wat']]) {
    rmSync(dir, { recursive: true, force: true });
    cpSync(join(root, 'pkg'), dir, { recursive: true });
    cpSync(join(root, 'js/shard-command.mjs'), join(dir, 'shard-command.mjs'));
    cpSync(join(tmp, 'marekvs.js'), join(dir, 'marekvs.js'));
    wasmOpt(join(tmp, wat), '-o', join(dir, 'marekvs_bg.wasm'), '--strip-debug');
  }
  console.log(`hints: ${JSON.stringify(counts)}; ${plainDir} and ${hintedDir} written`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** Binaryen's printed text (one construct per line, one space of indent per level) with hint
 * annotations inserted before the chosen `if` / `br_if` lines. */
function addHints(lines) {
  const indent = (k) => lines[k].length - lines[k].trimStart().length;
  const trimmed = (k) => lines[k].trim();
  // The line after the construct opened at k: the next one indented no deeper.
  const endOf = (k) => { let e = k + 1; while (e < lines.length && indent(e) > indent(k)) e++; return e; };
  const children = (k) => {
    const out = [];
    for (let c = k + 1, e = endOf(k); c < e; c++) if (indent(c) === indent(k) + 1 && !trimmed(c).startsWith(')')) out.push(c);
    return out;
  };
  const CONTROL = /^\((if|block|loop|try|try_table|select|br_if|br_table|then|else|catch)\b/;
  // Do these statements call a cold function unconditionally before any branch out?
  const callsCold = (stmts) => {
    for (const s of stmts) {
      if (/^\((br|br_if|br_table|return|unreachable|return_call)\b/.test(trimmed(s))) return false;
      if (CONTROL.test(trimmed(s))) continue;
      for (let k = s, e = endOf(s); k < e; k++) {
        const m = trimmed(k).match(/^\(call \$(?:"([^"]+)"|([^\s)]+))/);
        if (!m || !COLD.has(m[1] ?? m[2])) continue;
        let nested = false;
        for (let a = k - 1, level = indent(k); a >= s && !nested; a--) {
          if (indent(a) < level) { level = indent(a); nested = CONTROL.test(trimmed(a)); }
        }
        if (!nested) return true;
      }
    }
    return false;
  };
  const hints = new Map();
  const counts = { if: 0, br_if: 0 };
  let inside = false;
  for (let k = 0; k < lines.length; k++) {
    const t = trimmed(k);
    if (indent(k) === 1 && t.startsWith('(func ')) {
      const m = t.match(/^\(func \$(?:"([^"]+)"|(\S+))/);
      inside = !!m && funcs.test(m[1] ?? m[2]);
    } else if (inside && kinds.includes('if') && (t === '(if' || t.startsWith('(if '))) {
      const arms = children(k);
      const arm = (word) => arms.find((c) => trimmed(c).startsWith(word));
      const thenCold = arm('(then') !== undefined && callsCold(children(arm('(then')));
      const elseCold = arm('(else') !== undefined && callsCold(children(arm('(else')));
      if (thenCold !== elseCold) { hints.set(k, thenCold ? '\\00' : '\\01'); counts.if++; }
    } else if (inside && kinds.includes('br_if') && t.startsWith('(br_if $')) {
      const label = t.split(/\s+/)[1];
      let parent = k - 1;
      while (parent >= 0 && indent(parent) >= indent(k)) parent--;
      const p = trimmed(parent);
      if ((p === `(block ${label}` || p.startsWith(`(block ${label} `)) && callsCold(children(parent).filter((c) => c > k))) {
        hints.set(k, '\\01');
        counts.br_if++;
      }
    }
  }
  const out = [];
  lines.forEach((line, k) => {
    if (hints.has(k)) out.push(`${' '.repeat(indent(k))}(@metadata.code.branch_hint "${hints.get(k)}")`);
    out.push(line);
  });
  return { hinted: out, counts };
}

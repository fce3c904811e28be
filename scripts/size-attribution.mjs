// Where the bytes of the wasm module are: groups the function bodies (and the data segments) of
// the release build by origin — Lua's C (hot VM files and cold compiler files apart), wasi-libc,
// our modules, mlua, the monomorphized std generics — and prints raw and gzip size per group
// (gzip of the group's bytes alone, level 9: a group's share of the module's gzip size).
//   bash scripts/build.sh && node scripts/size-attribution.mjs [top-n]
// (CARGO_TARGET_DIR=dir: the build in that target directory.)
// It runs wasm-bindgen and wasm-opt (the flags of scripts/build.sh, plus -g to keep the name
// section) on target/wasm32-unknown-unknown/release/marekvs.wasm into a temporary directory, so
// the functions are those of the shipped module with their names. Needs llvm-nm-19 (clang's
// toolchain, scripts/env.sh) to tell which C symbols come from Lua and which from libc.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const top = Number(process.argv[2] ?? 30);
// CARGO_TARGET_DIR as cargo reads it (a build in another target directory, e.g. while tests
// hold the worktree's).
const release = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'wasm32-unknown-unknown/release');
const tmp = mkdtempSync(join(tmpdir(), 'marekvs-size-'));
try {
  execFileSync('wasm-bindgen', ['--target', 'web', '--out-dir', tmp, '--out-name', 'm', join(release, 'marekvs.wasm')]);
  execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [join(tmp, 'm_bg.wasm'), '-o', join(tmp, 'named.wasm'),
    '-O3', '-g', '--enable-exception-handling', '--enable-bulk-memory', '--enable-reference-types',
    '--enable-multivalue', '--enable-mutable-globals', '--enable-nontrapping-float-to-int', '--enable-sign-ext']);
  report(readFileSync(join(tmp, 'named.wasm')));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

/** Defined symbols of a static archive, as symbol → object file name. */
function symbols(archive) {
  const out = execFileSync('llvm-nm-19', ['--defined-only', '-A', archive], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const map = new Map();
  for (const line of out.split('\n')) {
    const m = line.match(/:([^:]+\.o): \S+ \S (\S+)$/);
    if (m) map.set(m[2], m[1].replace(/^[0-9a-f]+-/, ''));
  }
  return map;
}

function report(b) {
  // The newest build script output of this crate holds the Lua archives (build.rs).
  const build = join(release, 'build');
  const outs = readdirSync(build).filter((d) => d.startsWith('marekvs-'))
    .map((d) => join(build, d, 'out')).filter((d) => { try { return readdirSync(d).some((f) => f.endsWith('.a')); } catch { return false; } });
  const lua = new Map();
  for (const out of outs) for (const f of readdirSync(out)) if (f.endsWith('.a')) for (const [s, o] of symbols(join(out, f))) lua.set(s, o);
  const cold = new Set(readFileSync(join(root, 'build.rs'), 'utf8').match(/const COLD[^;]*;/)?.[0].match(/"(\w+)\.c"/g)?.map((s) => s.slice(1, -3) + '.o') ?? []);
  const libc = symbols(process.env.MAREKVS_WASI_LIB ? join(process.env.MAREKVS_WASI_LIB, 'libc.a') : '/usr/lib/wasm32-wasi/libc.a');

  let p = 8;
  const leb = () => { let r = 0, s = 0, x; do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80); return r; };
  let imported = 0;
  const bodies = [], names = new Map(), data = [];
  while (p < b.length) {
    const id = b[p++], len = leb(), start = p;
    if (id === 2) { // imports: count the functions among them (function indices start after them)
      for (let n = leb(), i = 0; i < n; i++) {
        for (let k = 0; k < 2; k++) { const l = leb(); p += l; } // module and field names
        const kind = b[p++];
        if (kind === 0) { leb(); imported++; } else if (kind === 1) { p++; if (leb() & 1) leb(); leb(); } else if (kind === 2) { if (leb() & 1) leb(); leb(); } else if (kind === 3) p += 2; else if (kind === 4) { p++; leb(); }
      }
    } else if (id === 10) {
      for (let n = leb(), i = 0; i < n; i++) { const l = leb(); bodies.push(b.subarray(p, p + l)); p += l; }
    } else if (id === 11) {
      data.push(b.subarray(start, start + len));
    } else if (id === 0) {
      const nl = leb(), name = b.subarray(p, p + nl).toString();
      p += nl;
      while (name === 'name' && p < start + len) {
        const sub = b[p++], sl = leb(), end = p + sl;
        if (sub === 1) for (let n = leb(), i = 0; i < n; i++) { const idx = leb(), l = leb(); names.set(idx, b.subarray(p, p + l).toString()); p += l; }
        p = end;
      }
    }
    p = start + len;
  }

  const group = (name) => {
    const c = name.replace(/\.\d+$/, '');
    if (lua.has(c)) return cold.has(lua.get(c)) ? 'Lua C, cold files (parser, lexer, code generator, dump, coroutine)' : 'Lua C, VM core and libraries';
    if (libc.has(c)) return 'wasi-libc (printf, strtod, libm)';
    if (/shim|wrapper/.test(name) && !name.includes('::')) return 'wasm-bindgen exports (src/wasm bodies inlined into them)';
    const s = name.replace(/^<+/, '');
    if (/^core(\[\w+\])?::slice::sort/.test(s)) return 'core::slice::sort (monomorphized per element type/closure)';
    if (/^alloc(\[\w+\])?::collections::btree/.test(s)) return 'BTreeMap (monomorphized per K, V)';
    if (/^core(\[\w+\])?::(fmt|num::(flt2dec|dec2flt|bignum))|^alloc(\[\w+\])?::fmt|as core(\[\w+\])?::fmt::|::from_str$|FromStr>::from_str/.test(s)) return 'core::fmt, float formatting and parsing';
    // The cold functions' bodies are boxed closures behind one create_function (lua::function,
    // lua::libs::func for the libraries).
    if (/^mlua::state::Lua::create_function::\{\{closure|^marekvs::lua::(libs::func|function)::\{\{closure/.test(s)) return 'Lua-callable Rust functions (mlua create_function closures, lua::function and lua::libs::func bodies)';
    if (/^mlua/.test(s)) return 'mlua (other)';
    if (/^hashbrown|^foldhash|BuildHasher/.test(s)) return 'HashMap (hashbrown, foldhash)';
    if (/^marekvs::/.test(s)) { const q = s.split('::'); return `src/${q[1]}` + (q[1] === 'engine' && /^[a-z]/.test(q[2]) && !q[2].includes('<') && q.length > 3 ? `/${q[2]}.rs` : q[1] === 'lua' && q[2] === 'libs' ? '/libs' : ''); }
    if (/^(core|alloc|std)\b/.test(s)) return 'core/alloc/std (other)';
    return 'other (sha1, js-sys, dlmalloc, wasm-bindgen runtime, …)';
  };
  const groups = new Map();
  bodies.forEach((body, i) => {
    const k = group(names.get(i + imported) ?? '?');
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(body);
  });
  groups.set('data segments (strings, tables, panic locations)', data);
  const rows = [...groups].map(([k, parts]) => { const all = Buffer.concat(parts); return [k, all.length, gzipSync(all, { level: 9 }).length]; })
    .sort((x, y) => y[2] - x[2]);
  const kb = (n) => (n / 1000).toFixed(1);
  console.log(`module with names: ${b.length} bytes; functions ${bodies.length}\n`);
  console.log('| # | contributor | raw KB | gzip KB (alone) |\n|---:|---|---:|---:|');
  rows.slice(0, top).forEach(([k, r, z], i) => console.log(`| ${i + 1} | ${k} | ${kb(r)} | ${kb(z)} |`));
  const rest = rows.slice(top);
  if (rest.length) console.log(`| | ${rest.length} more | ${kb(rest.reduce((a, x) => a + x[1], 0))} | ${kb(rest.reduce((a, x) => a + x[2], 0))} |`);
}

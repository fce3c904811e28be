// Memory per list element: N `LPUSH mylist xxx` (what `redis-benchmark -t lpush` sends) into a
// fresh Shard of each build, and the growth of its wasm memory divided by N. The memory only
// grows (dlmalloc never returns it), in steps of at least an eighth (src/alloc.rs), so the
// figure includes up to 12.5 % reserve. Each build runs in its own child process (a wasm
// memory cannot shrink, and builds must not share one address space budget).
//   node bench/list-memory.mjs [N] DIR_A DIR_B ...   (DIR: a pkg/ directory; N default 1,000,000)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, dir, n] = args;
  const { loadBuild } = await import('./builds.mjs');
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const glue = await import(resolve(dir, 'marekvs.js'));
  const wasm = glue.initSync({ module: readFileSync(resolve(dir, 'marekvs_bg.wasm')) });
  await loadBuild(dir);
  const shard = new glue.Shard();
  const before = wasm.memory.buffer.byteLength;
  const N = Number(n);
  for (let i = 0; i < N; i++) shard.command(['LPUSH', 'mylist', 'xxx']);
  if (shard.command(['LLEN', 'mylist']) !== N) throw new Error('LLEN does not match');
  process.stdout.write(JSON.stringify({ bytes: wasm.memory.buffer.byteLength - before }));
} else {
  const N = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 1_000_000;
  if (args.length < 1) throw new Error('usage: node bench/list-memory.mjs [N] DIR_A DIR_B ...');
  const self = fileURLToPath(import.meta.url);
  console.log(`# list-memory: ${N} LPUSH of a 3-byte value into one list`);
  console.log('| build | wasm memory growth (MB) | bytes per element |');
  console.log('|---|---:|---:|');
  for (const dir of args) {
    const out = execFileSync(process.execPath, [self, '--child', dir, String(N)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    const { bytes } = JSON.parse(out);
    console.log(`| ${dir} | ${(bytes / 1048576).toFixed(1)} | ${(bytes / N).toFixed(0)} |`);
  }
}

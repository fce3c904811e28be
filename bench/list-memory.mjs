// Memory per list element: N `LPUSH mylist xxx` (what `redis-benchmark -t lpush` sends) into a
// fresh Shard of each build, and the growth of its wasm memory divided by N; then a queue:
// N `RPUSH` of 100-byte jobs and N `LPOP`s in steps of 1,000 (a backlog of at most 1,000), what
// a processed job leaves behind (the RGA keeps popped elements as tombstones). The memory only
// grows (dlmalloc never returns it), in steps of at least an eighth (src/alloc.rs), so the
// figure includes up to 12.5 % reserve. Each build and each part runs in its own child process
// (a wasm memory never shrinks, and freed memory would be reused by the next part).
//   node bench/list-memory.mjs [N] DIR_A DIR_B ...   (DIR: a pkg/ directory; N default 1,000,000)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args[0] === '--child') {
  const [, mode, dir, n] = args;
  const { loadBuild } = await import('./builds.mjs');
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const glue = await import(resolve(dir, 'marekvs.js'));
  const wasm = glue.initSync({ module: readFileSync(resolve(dir, 'marekvs_bg.wasm')) });
  await loadBuild(dir);
  const N = Number(n);
  const shard = new glue.Shard();
  const before = wasm.memory.buffer.byteLength;
  if (mode === 'lpush') {
    for (let i = 0; i < N; i++) shard.command(['LPUSH', 'mylist', 'xxx']);
    if (shard.command(['LLEN', 'mylist']) !== N) throw new Error('LLEN does not match');
  } else {
    const job = 'j'.repeat(100);
    for (let i = 0; i < N; i += 1000) {
      for (let k = 0; k < 1000; k++) shard.command(['RPUSH', 'queue', job]);
      for (let k = 0; k < 1000; k++) shard.command(['LPOP', 'queue']);
    }
  }
  process.stdout.write(String(wasm.memory.buffer.byteLength - before));
} else {
  const N = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 1_000_000;
  if (args.length < 1) throw new Error('usage: node bench/list-memory.mjs [N] DIR_A DIR_B ...');
  const self = fileURLToPath(import.meta.url);
  console.log(`# list-memory: ${N} LPUSH of a 3-byte value into one list`);
  console.log('| build | LPUSH: wasm memory growth (MB) | bytes per element | queue: growth (MB) | bytes per processed job |');
  console.log('|---|---:|---:|---:|---:|');
  for (const dir of args) {
    const child = (mode) => Number(execFileSync(process.execPath, [self, '--child', mode, dir, String(N)], { encoding: 'utf8' }));
    const bytes = child('lpush');
    const queue = child('queue');
    const mb = (b) => (b / 1048576).toFixed(1);
    console.log(`| ${dir} | ${mb(bytes)} | ${(bytes / N).toFixed(0)} | ${mb(queue)} | ${(queue / N).toFixed(0)} |`);
  }
}

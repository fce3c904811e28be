// Instructions per command from Node, counted by valgrind (callgrind): deterministic where
// timings on a shared machine are not. Each build runs one command N1 and N2 times in a fresh
// `node --no-liftoff --single-threaded` (wasm compiled by TurboFan up front, JIT work on the
// main thread) under callgrind; (Ir(N2) − Ir(N1)) / (N2 − N1) is what one more call costs:
// the JS `command`, the JS↔wasm boundary, the wasm, and whatever V8 runs for them (start-up,
// compilation and the first calls cancel out). Repeated runs agree within ≈ 0.5 %.
//   node bench/node-instr.mjs [--cmds evalsha,incr,get] [--n 20000,220000] DIR_A [DIR_B ...]
// A build directory is as for bench/ab.mjs (pkg/, or a copy with its own shard-command.mjs).
// About a minute per build and command (valgrind runs ≈ 50× slower than Node).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const cmds = opt('--cmds', 'evalsha,incr,get').split(',');
const [n1, n2] = opt('--n', '20000,220000').split(',').map(Number);
if (args.length < 1) throw new Error('usage: node bench/node-instr.mjs [--cmds a,b] [--n N1,N2] DIR ...');
const child = fileURLToPath(new URL('./node-instr-child.mjs', import.meta.url));

// Total instructions of one run (callgrind's "refs" line).
const refs = (dir, cmd, n) => {
  const r = spawnSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file',
    '--callgrind-out-file=/dev/null', process.execPath, '--no-liftoff', '--single-threaded',
    child, dir, cmd, String(n)], { encoding: 'utf8' });
  const m = /refs:\s+([\d,]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`valgrind run failed (${dir} ${cmd} ${n}):\n${r.stderr}`);
  return Number(m[1].replace(/,/g, ''));
};

console.log(`instructions per call from Node (callgrind; (Ir(${n2}) − Ir(${n1})) / ${n2 - n1})`);
console.log(`| command | ${args.join(' | ')} |`);
console.log(`|---|${args.map(() => '---:').join('|')}|`);
for (const cmd of cmds) {
  const per = args.map((dir) => (refs(dir, cmd, n2) - refs(dir, cmd, n1)) / (n2 - n1));
  const cells = per.map((p, i) => (i === 0 ? p.toFixed(0) : `${p.toFixed(0)} (${(p / per[0]).toFixed(3)})`));
  console.log(`| ${cmd} | ${cells.join(' | ')} |`);
}

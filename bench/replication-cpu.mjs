// The link's own CPU cost, apart from the machine's load and from cross-thread effects: both
// shards in ONE thread, linked by `connect` over a MessageChannel, so this process's CPU time
// covers A's writes, takeEffects, framing, postMessage, B's decoding, applyEffects, acks and
// vector exchanges. Compared, in the same rounds, with the same writes taking one batch per
// chunk plus applyEffects of those batches on another shard (no link): the difference is what
// the link adds. Catch-up: A holds N SET effects in its log; CPU from B's connect to B having
// them all, against effectsSince + applyEffects of every partition without a link.
// Several builds (`DIR` = a package directory; a `replication/` folder in it replaces
// js/replication/) alternate round by round (A B B A ...), like bench/ab.mjs.
//   node bench/replication-cpu.mjs [--rounds 5] [--n 100000] [--chunk 1000] [--catchupN 60000]
//     [--workloads SET,INCR,HSET,MSET] [DIR ...]   (default: pkg)
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadBuild, median } from './builds.mjs';
import { WORKLOADS } from './replication-worker-core.mjs';

const argv = process.argv.slice(2);
const o = { rounds: 5, n: 100_000, chunk: 1000, catchupN: 60_000, workloads: 'SET,INCR,HSET,MSET' };
const dirs = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith('--')) o[argv[i].slice(2)] = argv[++i];
  else dirs.push(argv[i]);
}
if (!dirs.length) dirs.push('pkg');
const [rounds, n, chunk, catchupN] = [o.rounds, o.n, o.chunk, o.catchupN].map(Number);
const workloads = String(o.workloads).split(',');

const builds = [];
for (const dir of dirs) {
  const glue = await loadBuild(dir);
  const own = resolve(dir, 'replication/index.mjs');
  const rep = await import(existsSync(own) ? pathToFileURL(own).href : '../js/replication/index.mjs');
  builds.push({ dir, Shard: glue.Shard, connect: rep.connect, res: {} });
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const tick = () => new Promise((r) => setImmediate(r));
let seq = 0;

function pairOf(b) {
  const a = new b.Shard({ partitions: 16, seed: 1 });
  const c = new b.Shard({ partitions: 16, seed: 2 });
  a.nodeId = BigInt(0xa000 + ++seq);
  c.nodeId = BigInt(0xb000 + seq);
  return [a, c];
}

/** The workload's `cmds` commands, in chunks of `chunkCmds` (one live batch each). */
function chunksOf(wl, cmds, chunkCmds) {
  const w = WORKLOADS[wl];
  const chunks = [];
  for (let i = 0; i < cmds; i += chunkCmds) {
    chunks.push(Array.from({ length: Math.min(chunkCmds, cmds - i) }, (_, j) => w.cmd(i + j, 'r')));
  }
  return chunks;
}

/** µs of CPU per effect: A's writes in chunks over a live link until B has applied them. */
async function link(b, wl, cmds, per, chunkCmds) {
  const [a, c] = pairOf(b);
  const { port1, port2 } = new MessageChannel();
  let applied = 0;
  let waiting = null;
  const quiet = () => {};
  const la = b.connect(a, port1, { log: quiet });
  const lc = b.connect(c, port2, {
    log: quiet,
    onEvent(ev) {
      if (ev.type === 'applied' && ev.kind === 'live') applied += ev.effects;
      if (waiting && applied >= waiting.target) waiting.resolve();
    },
  });
  while (la.state !== 'live' || lc.state !== 'live') await tick();
  const chunks = chunksOf(wl, cmds, chunkCmds);
  const t0 = cpuMs();
  for (const chunk of chunks) {
    for (const argv of chunk) a.command(argv);
    await tick();
  }
  const target = cmds * per;
  if (applied < target) await new Promise((resolve) => { waiting = { target, resolve }; });
  const ms = cpuMs() - t0;
  if (la.stats.droppedBatches) throw new Error('batches dropped');
  la.close();
  lc.close();
  a.free();
  c.free();
  return (ms * 1000) / target;
}

/** The same writes and applies without a link. */
function direct(b, wl, cmds, per, chunkCmds) {
  const [a, c] = pairOf(b);
  const chunks = chunksOf(wl, cmds, chunkCmds);
  const t0 = cpuMs();
  for (const chunk of chunks) {
    for (const argv of chunk) a.command(argv);
    c.applyEffects(a.takeEffects());
  }
  const ms = cpuMs() - t0;
  a.free();
  c.free();
  return (ms * 1000) / (cmds * per);
}

/** Catch-up of `count` SETs from A's log: over a link, or effectsSince + applyEffects. */
async function catchUp(b, count, viaLink) {
  const [a, c] = pairOf(b);
  for (let i = 0; i < count; i++) a.command(['SET', `ck${i}`, `v${i}`]);
  a.discardEffects();
  const t0 = cpuMs();
  if (viaLink) {
    const { port1, port2 } = new MessageChannel();
    let applied = 0;
    let done;
    const finished = new Promise((r) => { done = r; });
    const quiet = () => {};
    const la = b.connect(a, port1, { log: quiet });
    const lc = b.connect(c, port2, {
      log: quiet,
      onEvent(ev) {
        if (ev.type === 'applied') applied += ev.effects;
        if (applied >= count) done();
      },
    });
    await finished;
    la.close();
    lc.close();
  } else {
    for (const p of c.replicatedPartitions()) {
      const batch = a.effectsSince(p, c.versionVector(p));
      if (batch) c.applyEffects(batch);
    }
  }
  const ms = cpuMs() - t0;
  if (c.dbsize !== count) throw new Error(`catch-up: ${c.dbsize} keys on B, expected ${count}`);
  a.free();
  c.free();
  return (ms * 1000) / count;
}

const record = (b, k, v) => (b.res[k] ??= []).push(v);
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? builds : [...builds].reverse();
  for (const b of order) {
    for (const wl of workloads) {
      const per = wl === 'MSET' ? 100 : 1;
      const cmds = Math.round(n / per);
      const chunkCmds = Math.max(1, Math.round(chunk / per));
      if (r === 0) { await link(b, wl, Math.round(cmds / 10), per, chunkCmds); direct(b, wl, Math.round(cmds / 10), per, chunkCmds); }
      const l = await link(b, wl, cmds, per, chunkCmds);
      const d = direct(b, wl, cmds, per, chunkCmds);
      record(b, `${wl} link`, l);
      record(b, `${wl} direct`, d);
      record(b, `${wl} link − direct`, l - d);
    }
    if (r === 0) { await catchUp(b, catchupN / 10, true); await catchUp(b, catchupN / 10, false); }
    const cl = await catchUp(b, catchupN, true);
    const cd = await catchUp(b, catchupN, false);
    record(b, 'catch-up link', cl);
    record(b, 'catch-up direct', cd);
    record(b, 'catch-up link − direct', cl - cd);
  }
}
console.log(`CPU µs per effect, one thread, median of ${rounds} rounds (n ${n}, chunk ${chunk}, catch-up ${catchupN})`);
console.log(['measure', ...builds.map((b) => b.dir), ...builds.slice(1).map((b) => `${b.dir}/${builds[0].dir}`)].join('\t'));
for (const k of Object.keys(builds[0].res)) {
  const m = builds.map((b) => median(b.res[k]));
  console.log([k.padEnd(24), ...m.map((x) => x.toFixed(3)), ...m.slice(1).map((x) => (x / m[0]).toFixed(2))].join('\t'));
}

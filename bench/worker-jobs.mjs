// A `marekvs serve` shard worker's own work, without the server around it: `Shard.execJobs`
// on job messages like the ones the main thread posts during `redis-benchmark -t <test> -P 16`
// (16 jobs per message, each a client's read of 16 pipelined requests as a raw segment), for
// two or more builds side by side in one process. Rounds alternate between the builds
// (A B B A ...) so the machine's load drifts over all of them alike; prints per test each
// build's median CPU time per request (process CPU, not wall time) and its ratio to the first.
// Each build keeps its own shard across rounds, so LPUSH's list grows as it does in the
// server (N requests per round, default 100,000).
//   node --no-liftoff bench/worker-jobs.mjs [rounds] DIR_A DIR_B ...   (DIR: a pkg/ directory)
//   JOBS_TESTS=lpush JOBS_N=200000 node --no-liftoff bench/worker-jobs.mjs 7 /work/pkg-127345b pkg
import { loadBuild, median } from './builds.mjs';

const args = process.argv.slice(2);
const rounds = /^\d+$/.test(args[0] ?? '') ? Number(args.shift()) : 5;
if (args.length < 1) throw new Error('usage: node bench/worker-jobs.mjs [rounds] DIR_A DIR_B ...');
const tests = (process.env.JOBS_TESTS ?? 'set,get,incr,lpush,hset,zadd').split(',');
const N = Number(process.env.JOBS_N ?? 100000);

// What redis-benchmark sends (no -r: the literal key names).
const CMDS = {
  set: ['SET', 'key:__rand_int__', 'xxx'],
  get: ['GET', 'key:__rand_int__'],
  incr: ['INCR', 'counter:__rand_int__'],
  lpush: ['LPUSH', 'mylist', 'xxx'],
  hset: ['HSET', 'myhash', 'element:__rand_int__', 'xxx'],
  zadd: ['ZADD', 'myzset', '0', 'element:__rand_int__'],
};
const resp = (argv) => `*${argv.length}\r\n${argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

// A job message: `jobs` jobs [id u32][len u32][0x82][len u32][`reqs` requests], each job a
// client's read (a raw segment, protocol 2).
function message(test, jobs = 16, reqs = 16) {
  const chunk = Buffer.from(resp(CMDS[test]).repeat(reqs));
  const job = 8 + 5 + chunk.length;
  const msg = new Uint8Array(jobs * job);
  const dv = new DataView(msg.buffer);
  for (let j = 0; j < jobs; j++) {
    const o = j * job;
    dv.setUint32(o, j + 1, true);
    dv.setUint32(o + 4, 5 + chunk.length, true);
    msg[o + 8] = 0x82;
    dv.setUint32(o + 9, chunk.length, true);
    msg.set(chunk, o + 13);
  }
  return msg;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const builds = [];
for (const dir of args) {
  const glue = await loadBuild(dir);
  // A worker of `--shards 2`: every other partition of 16 (redis-benchmark's keys hash to one
  // worker; each test's key lands wherever it lands, as in the server).
  const shards = [0, 1].map((i) => new glue.Shard({ partitions: 16, owned: Array.from({ length: 8 }, (_, k) => 2 * k + i), seed: 1 + i, errors: 'return' }));
  builds.push({ dir, shards, times: {} });
}
// The shard owning the test's key: the other one answers an error (the key's partition is
// not its own).
const route = (b, test) => {
  for (const s of b.shards) {
    const ans = Buffer.from(s.execJobs(message(test, 1, 1)));
    if (ans[16] !== 0x2d) return s;
  }
  throw new Error(`no shard takes ${test}`);
};

for (const test of tests) {
  const msg = message(test);
  const perMsg = 256;
  const msgs = Math.max(1, Math.round(N / perMsg));
  for (const b of builds) b.shard = route(b, test);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const b of order) {
      const t0 = cpuMs();
      for (let i = 0; i < msgs; i++) b.shard.execJobs(msg);
      ((b.times[test] ??= [])).push(((cpuMs() - t0) * 1e6) / (msgs * perMsg));
    }
  }
}
console.log(`# worker-jobs: ${rounds} rounds, ${N} requests per round, load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
console.log(`| test | ${builds.map((b) => `${b.dir} (ns/request)`).join(' | ')} | ${builds.slice(1).map(() => 'ratio').join(' | ')} |`);
console.log(`|---|${builds.map(() => '---:').join('|')}|${builds.slice(1).map(() => '---:').join('|')}|`);
for (const test of tests) {
  const m = builds.map((b) => median(b.times[test]));
  console.log(`| ${test} | ${m.map((x) => x.toFixed(0)).join(' | ')} | ${m.slice(1).map((x) => (x / m[0]).toFixed(2)).join(' | ')} |`);
}

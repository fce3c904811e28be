// One run of bench/node-instr.mjs: `node bench/node-instr-child.mjs DIR CMD N` makes N calls
// of one command on a fresh shard of the build in DIR.
import { loadBuild } from './builds.mjs';

const [dir, cmd, n] = process.argv.slice(2);
const glue = await loadBuild(dir);
const s = new glue.Shard({});
const sha = s.command(['SCRIPT', 'LOAD', "return redis.call('INCR', KEYS[1])"]);
const argvs = {
  evalsha: ['EVALSHA', sha, '1', 'counter'],
  incr: ['INCR', 'counter'],
  get: ['GET', 'counter'],
  ping: ['PING'],
  set: ['SET', 'counter', 'some value'],
  hset: ['HSET', 'h', 'field', 'some value'],
  zadd: ['ZADD', 'z', '2.5', 'member'],
};
const argv = argvs[cmd];
if (!argv) throw new Error(`unknown command ${cmd}: one of ${Object.keys(argvs).join(', ')}`);
for (let i = 0, count = Number(n); i < count; i++) s.command(argv);

// Differential test across shards: `marekvs serve --shards 2` (16 partitions) against a real
// redis-server, with single-key commands over many keys (so they spread over both workers),
// multi-key commands on hash-tagged keys (co-located), and the fan-outs (DBSIZE, KEYS,
// EXISTS, FLUSHALL); after each sequence the whole keyspace is dumped and compared. The
// unrestricted command sequences run in test/differential/ against one partition.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, redisServerPath } from '../differential/lib/servers.mjs';
import { runCase, report } from '../differential/lib/runner.mjs';
import { rng } from '../differential/generator.mjs';
import { startServe } from './helpers.mjs';

const haveRedis = redisServerPath() !== null;

function sequence(seed, length) {
  const r = rng(seed);
  const key = () => `key:${r.int(0, 60)}`;
  // Multi-key commands use keys of one hash tag (one partition), a different tag each time.
  const group = () => {
    const t = r.int(0, 3);
    return () => `{tag${t}}:${r.int(0, 5)}`;
  };
  const val = () => r.pick([String(r.int(-50, 50)), 'v', 'hello', '', '007']);
  const gens = [
    () => ['SET', key(), val()],
    () => ['GET', key()],
    () => ['INCR', key()],
    () => ['DEL', key()],
    () => ['APPEND', key(), val()],
    () => ['STRLEN', key()],
    () => ['TYPE', key()],
    () => ['EXPIRE', key(), String(r.int(100, 1000))],
    () => ['PERSIST', key()],
    () => ['HSET', key(), `f${r.int(0, 3)}`, val()],
    () => ['HGET', key(), `f${r.int(0, 3)}`],
    () => ['HLEN', key()],
    () => ['LPUSH', key(), val(), val()],
    () => ['RPOP', key()],
    () => ['LRANGE', key(), '0', '-1'],
    () => ['SADD', key(), `m${r.int(0, 4)}`],
    () => ({ cmd: ['SMEMBERS', key()], cmp: 'unordered' }),
    () => ['ZADD', key(), String(r.int(-5, 5)), `m${r.int(0, 4)}`],
    () => ['ZRANGE', key(), '0', '-1', 'WITHSCORES'],
    () => { const g = group(); return ['MSET', g(), val(), g(), val()]; },
    () => { const g = group(); return ['MGET', g(), g(), g()]; },
    () => { const g = group(); return ['SUNIONSTORE', g(), g(), g()]; },
    () => { const g = group(); return ['RENAME', g(), g()]; },
    () => ['EXISTS', key()],
    () => ['DBSIZE'],
    () => ({ cmd: ['KEYS', 'key:1*'], cmp: 'unordered' }),
    () => ({ cmd: ['KEYS', '*'], cmp: 'unordered' }),
  ];
  const steps = [];
  for (let i = 0; i < length; i++) steps.push(r.pick(gens)());
  if (seed % 3 === 0) steps.push(['FLUSHALL'], ['DBSIZE'], ['SET', key(), 'after-flush']);
  return { name: `shards/seed-${seed}`, steps };
}

describe('differential across 2 shards: redis-server vs marekvs serve --shards 2', { skip: haveRedis ? false : 'redis-server not installed' }, () => {
  let ref;
  let target;
  before(async () => {
    ref = await startRedis('redis');
    target = await startServe(['--shards', '2', '--partitions', '16']);
  });
  after(async () => {
    await Promise.all([ref && ref.stop(), target && target.stop()]);
  });
  for (let seed = 1; seed <= 6; seed++) {
    test(`seed ${seed}`, async () => {
      const mismatches = await runCase(ref, { host: '127.0.0.1', port: target.port }, sequence(seed, 300));
      assert.equal(mismatches.length, 0, `\n${report(mismatches, 'redis', 'marekvs', 10)}\n`);
    });
  }
});

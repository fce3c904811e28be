// Effects through the installed npm package (wasm): two shards converge by exchanging
// effect batches, a script's effects replicate (EVALSHA resolves on the other side), and
// hostile bytes fed to the apply entry points are rejected without killing the instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Shard } from 'marekvs';

function pair() {
  const a = new Shard({ partitions: 4, seed: 1 });
  const b = new Shard({ partitions: 4, seed: 2 });
  a.nodeId = 1n;
  b.nodeId = 2n;
  return [a, b];
}

test('two shards converge by exchanging effect batches', () => {
  const [a, b] = pair();
  a.command(['SET', 'x', '1']);
  a.command(['HSET', 'h', 'f', 'a']);
  b.command(['SET', 'x', '2']);
  b.command(['RPUSH', 'l', 'p', 'q']);
  b.command(['SADD', 's', 'm']);
  const fromA = a.takeEffects();
  const fromB = b.takeEffects();
  assert.ok(fromA instanceof Uint8Array && fromA.length > 0);
  b.applyEffects(fromA);
  a.applyEffects(fromB);
  a.applyEffects(fromB); // duplicates are harmless
  assert.equal(a.command(['DEBUG', 'DIGEST']), b.command(['DEBUG', 'DIGEST']));
  assert.equal(a.command(['GET', 'x']), b.command(['GET', 'x']));
  assert.deepEqual(a.command(['LRANGE', 'l', '0', '-1']), ['p', 'q']);
});

test("a script's effects replicate and EVALSHA resolves on the other side", () => {
  const [a, b] = pair();
  const sha = a.command(['SCRIPT', 'LOAD', "return redis.call('INCRBY', KEYS[1], ARGV[1])"]);
  assert.equal(a.command(['EVALSHA', sha, '1', 'n', '5']), 5);
  assert.throws(() => b.command(['EVALSHA', sha, '1', 'n', '1']), /NOSCRIPT/);
  b.applyEffects(a.takeEffects());
  assert.equal(b.command(['GET', 'n']), '5');
  assert.equal(b.command(['EVALSHA', sha, '1', 'n', '1']), 6);
});

test('random and truncated bytes are rejected and the instance keeps working', () => {
  const [a, b] = pair();
  a.command(['SET', 'k', 'v']);
  const good = a.takeEffects();
  let seed = 42;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let rejected = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = new Uint8Array(Math.floor(rnd() * 64));
    for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rnd() * 256);
    try {
      b.applyEffects(bytes);
    } catch (e) {
      assert.ok(e instanceof Error);
      rejected++;
    }
  }
  for (let cut = 0; cut < good.length; cut++) {
    assert.throws(() => b.applyEffects(good.subarray(0, cut)));
    assert.throws(() => b.importSnapshot(good.subarray(0, cut)));
  }
  assert.ok(rejected > 1900, `rejected ${rejected} of 2000`);
  assert.equal(b.command(['DBSIZE']), 0, 'nothing was applied from garbage');
  b.applyEffects(good);
  assert.equal(b.command(['GET', 'k']), 'v');
  assert.equal(b.command(['PING']), 'PONG');
});

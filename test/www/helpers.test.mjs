// The playground's main thread does not load the wasm module, so it computes key slots and
// script SHAs in plain JS (www/src/slot.mjs, www/src/sha1.mjs: crypto.subtle is missing on
// plain-http origins). These must agree with the engine: routeCommand and SCRIPT LOAD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Shard, routeCommand } from '../../js/node.mjs';
import { keySlot, partitionOfSlot } from '../../www/src/slot.mjs';
import { sha1hex } from '../../www/src/sha1.mjs';

function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 4294967296;
  };
}

test('key slots and partitions match the engine router', () => {
  const rand = rng(42);
  const alphabet = 'ab{}xyz:-_0123456789é';
  for (const n of [1, 3, 16, 100, 16384]) {
    for (let i = 0; i < 2000; i++) {
      let key = '';
      const len = Math.floor(rand() * 12);
      for (let j = 0; j < len; j++) key += alphabet[Math.floor(rand() * alphabet.length)];
      assert.equal(partitionOfSlot(keySlot(key), n), routeCommand(['GET', key], n), `key ${JSON.stringify(key)} n=${n}`);
    }
  }
  // Redis's documented examples.
  assert.equal(keySlot('foo'), 12182);
  assert.equal(keySlot('{user1000}.following'), keySlot('user1000'));
});

test('script SHAs match SCRIPT LOAD and node:crypto', () => {
  const shard = new Shard();
  for (const script of ['', 'return 1', "return redis.call('GET', KEYS[1])", "return '" + 'é'.repeat(100) + "'", '-- ' + 'x'.repeat(1000)]) {
    const want = createHash('sha1').update(script).digest('hex');
    assert.equal(sha1hex(script), want);
    assert.equal(shard.command(['SCRIPT', 'LOAD', script]), want);
  }
});

// A script's time budget through Shard.command(): on the packed path the budget starts from
// the command's own Date.now() reading (js/shard-command.mjs) and reads the monotonic clock
// only at its first check (src/lua/budget.rs); a runaway script must still be aborted with
// nothing applied, and a short one must run as usual, on both paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Shard } from 'marekvs';

const RUNAWAY = "redis.call('SET', KEYS[1], 'written') while true do end";

for (const [path, key] of [['packed', 'k'], ['general', new TextEncoder().encode('k')]]) {
  test(`a runaway script is aborted by its deadline with nothing applied (${path} path)`, () => {
    const shard = new Shard({ scriptTimeLimitMs: 30 });
    assert.throws(() => shard.command(['EVAL', RUNAWAY, '1', key]), (e) => {
      assert.match(e.message, /^SCRIPTTIMEOUT Script exceeded the time limit of 30 ms/);
      return true;
    });
    assert.equal(shard.command(['GET', 'k']), null);
    // The next scripts start afresh: neither a left-over start nor a left-over trip.
    for (let i = 1; i <= 3; i++) {
      assert.equal(shard.command(['EVAL', "return redis.call('INCR', KEYS[1])", '1', key]), i);
    }
    assert.throws(() => shard.command(['EVAL', RUNAWAY, '1', key]), { message: /^SCRIPTTIMEOUT/ });
    assert.equal(shard.command(['GET', 'k']), '3');
  });
}

test('EVALSHA in a loop keeps its budget per call', () => {
  const shard = new Shard({ scriptTimeLimitMs: 1000 });
  const sha = shard.command(['SCRIPT', 'LOAD', "return redis.call('INCR', KEYS[1])"]);
  for (let i = 1; i <= 10_000; i++) assert.equal(shard.command(['EVALSHA', sha, '1', 'n']), i);
  // A script with real work (many budget checks) under a generous limit is not cut short.
  const sum = 'local n = 0 for i = 1, 300000 do n = n + i end return n';
  assert.equal(shard.command(['EVAL', sum, '0']), 45000150000);
});

// Shard.command() takes a packed path for argv of strings and safe integers (js/shard-command.mjs)
// and the general one otherwise: both must give the documented values (docs/js-api.md) for
// any text, size and reply kind, in the ESM and the CommonJS entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Shard } from 'marekvs';

// As a reply string is decoded: a leading U+FEFF stays part of the value.
const dec = new TextDecoder('utf-8', { ignoreBOM: true });

const texts = [
  '',
  'plain ascii',
  'héllo wörld',
  '日本語のテキスト',
  'emoji 😀 and more',
  'lone \ud800 surrogate',
  'x'.repeat(20) + 'é',
  'é' + 'y'.repeat(40),
  '\ufeffstarts with a BOM',
  '\ufeff' + 'long value after a BOM '.repeat(3),
];

test('packed argv: any text round-trips, same as Uint8Array arguments', () => {
  const s = new Shard();
  const enc = new TextEncoder();
  for (const [i, t] of texts.entries()) {
    assert.equal(s.command(['SET', `k${i}`, t]), 'OK');
    // A lone surrogate is sent as U+FFFD, as TextEncoder encodes it.
    const expected = dec.decode(enc.encode(t));
    assert.equal(s.command(['GET', `k${i}`]), expected);
    assert.equal(s.command(['STRLEN', `k${i}`]), enc.encode(t).length);
    s.command(['SET', `b${i}`, enc.encode(t)]);
    assert.equal(s.command(['GET', `b${i}`]), expected);
    assert.equal(s.command(['ECHO', t]), expected);
  }
});

test('packed argv: numbers, keys with non-ASCII names, mixed argument kinds', () => {
  const s = new Shard();
  assert.equal(s.command(['SET', 'n', 10]), 'OK');
  assert.equal(s.command(['INCRBY', 'n', -3]), 7);
  assert.equal(s.command(['INCRBY', 'n', -0]), 7);
  assert.equal(s.command(['INCRBYFLOAT', 'n', 0.5]), '7.5');
  assert.equal(s.command(['SET', 'ключ', 'значение']), 'OK');
  assert.equal(s.command(['GET', 'ключ']), 'значение');
  assert.equal(s.command(['APPEND', 'ключ', new Uint8Array([0x21])]), 17);
  assert.equal(s.command(['INCRBY', 'big', 2 ** 53 - 1]), 2 ** 53 - 1);
  assert.equal(s.command(['INCRBY', 'big', 2]), 9007199254740993n);
  assert.throws(() => s.command(['GET', {}]), TypeError);
  assert.throws(() => s.command([]), /ERR/);
});

test('packed argv: arguments repeated from the previous call (kept in place) and changed ones', () => {
  const s = new Shard();
  const t = new Shard();
  const calls = [
    ['ECHO', 'first'],
    ['ECHO', 'first'],
    ['ECHO', 'éé'],
    ['ECHO', 'é'],
    ['ECHO', 12],
    ['ECHO', '12'],
    ['ECHO', -0],
    ['ECHO', 0],
    ['SET', 'k', 'v'],
    ['SET', 'k', 'longer value'],
    ['SET', 'kk', 'v'],
    ['GET', 'k'],
    ['GET', 'kk'],
    ['ECHO', 'x'.repeat(5000)],
    ['ECHO', 'y'],
    ['ECHO', '日本'],
    ['ECHO', '日本'],
  ];
  const expect = [
    'first', 'first', 'éé', 'é', '12', '12', '0', '0', 'OK', 'OK', 'OK', 'longer value', 'v',
    'x'.repeat(5000), 'y', '日本', '日本',
  ];
  for (const [i, argv] of calls.entries()) {
    assert.deepEqual(s.command(argv), expect[i], JSON.stringify(argv).slice(0, 40));
    // Another shard of the same module in between: the input buffer is shared.
    assert.equal(t.command(['ECHO', `other ${i}`]), `other ${i}`);
    assert.deepEqual(s.command([...argv]), expect[i]);
  }
});

test('packed argv: back-to-back calls sharing a leading run of arguments', () => {
  const s = new Shard();
  const calls = [
    [['SET', 'k', 'a'], 'OK'],
    [['SET', 'k', 'a'], 'OK'], // every argument as before: nothing written
    [['GET', 'k'], 'a'],
    [['SET', 'k', 'bbb'], 'OK'], // the last one changed
    [['GET', 'k'], 'bbb'],
    [['SET', 'key2', 'bbb'], 'OK'], // a middle one changed length: the last moves
    [['SET', 'key2', 'bbb'], 'OK'],
    [['GET', 'key2'], 'bbb'],
    [['GET', 'k'], 'bbb'],
    [['SET', 'k', 'x'.repeat(300_000)], 'OK'], // the input buffer grows (moves)
    [['SET', 'k', 'c'], 'OK'],
    [['GET', 'k'], 'c'],
    [['MSET', 'a', 1, 'b', 2], 'OK'],
    [['MSET', 'a', 1, 'b', 22], 'OK'],
    [['MGET', 'a', 'b'], ['1', '22']],
  ];
  for (const [argv, want] of calls) assert.deepEqual(s.command(argv), want, JSON.stringify(argv).slice(0, 40));
});

test('large arguments and replies, on both paths (the wasm memory grows in between)', () => {
  const s = new Shard();
  for (const size of [1 << 10, 1 << 16, 1 << 17, 1 << 22, 1 << 10]) {
    const big = 'ab€'.repeat(size);
    assert.equal(s.command(['SET', 'big', big]), 'OK');
    assert.equal(s.command(['GET', 'big']), big);
    assert.equal(s.command(['STRLEN', 'big']), 5 * size);
    assert.equal(s.command(['GET', 'big']).length, big.length);
  }
  assert.equal(s.command(['SET', 'small', 'v']), 'OK');
  assert.equal(s.command(['GET', 'small']), 'v');
});

test('packed path: every reply kind and both error modes', () => {
  const s = new Shard({ protocol: 3 });
  s.command(['HSET', 'h', 'f', 'v']);
  assert.deepEqual(s.command(['HGETALL', 'h']), new Map([['f', 'v']]));
  assert.equal(s.command(['ZADD', 'z', '1.5', 'm']), 1);
  assert.equal(s.command(['ZSCORE', 'z', 'm']), 1.5);
  assert.equal(s.command(['EVAL', 'return redis.setresp(3) or {double=2.25}', '0']), 2.25);
  assert.equal(s.command(['EVAL', "redis.setresp(3); return redis.call('HEXISTS', 'h', 'f') == 1", '0']), 1);
  assert.equal(s.command(['SET', 'x', 'y']), 'OK');
  assert.equal(s.command(['GET', 'nothing']), null);
  assert.deepEqual(s.command(['MGET', 'x', 'nothing']), ['y', null]);
  s.command(['SET', 'bin', new Uint8Array([0xff, 0x00])]);
  assert.deepEqual(s.command(['GET', 'bin']), new Uint8Array([0xff, 0x00]));
  assert.throws(() => s.command(['LPUSH', 'x', 'a']), (e) => e.name === 'ReplyError' && e.code === 'WRONGTYPE');
  const r = new Shard({ errors: 'return', bulkAs: 'bytes' });
  const e = r.command(['NOSUCH']);
  assert.ok(e instanceof Error && e.name === 'ReplyError' && e.code === 'ERR');
  r.command(['SET', 'k', 'v']);
  assert.deepEqual(r.command(['GET', 'k']), new Uint8Array([0x76]));
  assert.equal(r.command(['PING']), 'PONG');
});

test('the CommonJS entry takes the same path with the same values', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('marekvs');
  const s = new cjs.Shard();
  for (const t of texts) {
    s.command(['SET', 'k', t]);
    assert.equal(s.command(['GET', 'k']), dec.decode(new TextEncoder().encode(t)));
  }
  assert.equal(s.command(['INCR', 'n']), 1);
  assert.throws(() => s.command(['LPUSH', 'k', 'a']), (e) => e.code === 'WRONGTYPE');
});

// Self-tests of the harness pieces that need no server: decoder, comparison modes, generator.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplyDecoder, encodeCommand } from './lib/resp.mjs';
import { compareReplies } from './lib/compare.mjs';
import { randomCase } from './generator.mjs';
import { cases } from './cases.mjs';
import { normStep } from './lib/runner.mjs';

function decodeAll(bytes, chunk = bytes.length) {
  const d = new ReplyDecoder();
  const out = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    d.feed(bytes.subarray(i, i + chunk));
    let r;
    while ((r = d.next()) !== undefined) out.push(r);
  }
  return out;
}

test('decoder handles every RESP2/RESP3 type, whole or byte by byte', () => {
  const wire = Buffer.from('+OK\r\n-ERR x\r\n:-42\r\n$3\r\nfoo\r\n$-1\r\n*-1\r\n_\r\n,1.5\r\n#t\r\n(123\r\n=6\r\ntxt:hi\r\n%1\r\n$1\r\nk\r\n:1\r\n~1\r\n:2\r\n|1\r\n+a\r\n+b\r\n*2\r\n$0\r\n\r\n*0\r\n');
  const whole = decodeAll(wire);
  const bytewise = decodeAll(wire, 1);
  assert.deepEqual(bytewise, whole);
  assert.deepEqual(whole.map((r) => r.t), ['status', 'error', 'int', 'bulk', 'nil', 'nilarray', 'null', 'double', 'bool', 'bignum', 'verbatim', 'map', 'set', 'array']);
  assert.equal(whole[2].v, -42n);
  assert.equal(whole[10].f, 'txt');
  assert.equal(whole[10].v.toString(), 'hi');
});

test('encodeCommand is binary safe', () => {
  assert.equal(encodeCommand(['SET', 'k', Buffer.from('a\r\nb')]).toString('latin1'), '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\na\r\nb\r\n');
});

test('compare modes', () => {
  const bulk = (s) => ({ t: 'bulk', v: Buffer.from(s) });
  const arr = (...v) => ({ t: 'array', v });
  assert.equal(compareReplies(bulk('a'), bulk('a')), null);
  assert.match(compareReplies(bulk('1'), { t: 'int', v: 1n }), /type/);
  assert.match(compareReplies({ t: 'status', v: 'OK' }, bulk('OK')), /type/);
  assert.match(compareReplies({ t: 'nil' }, { t: 'nilarray' }), /type/);
  assert.equal(compareReplies(arr(bulk('a'), bulk('b')), arr(bulk('b'), bulk('a')), 'unordered'), null);
  assert.notEqual(compareReplies(arr(bulk('a'), bulk('b')), arr(bulk('b'), bulk('a'))), null);
  assert.equal(compareReplies(arr(bulk('f'), bulk('1'), bulk('g'), bulk('2')), arr(bulk('g'), bulk('2'), bulk('f'), bulk('1')), 'pairs'), null);
  assert.notEqual(compareReplies(arr(bulk('f'), bulk('1'), bulk('g'), bulk('2')), arr(bulk('f'), bulk('2'), bulk('g'), bulk('1')), 'pairs'), null);
  assert.equal(compareReplies(arr(bulk('x')), arr(bulk('y')), 'shape'), null);
  assert.match(compareReplies(arr(bulk('x')), arr(bulk('y'), bulk('z')), 'shape'), /length/);
  assert.equal(compareReplies({ t: 'int', v: 1n }, { t: 'int', v: 7n }, 'type'), null);
  assert.match(compareReplies({ t: 'error', v: 'ERR a' }, { t: 'error', v: 'ERR b' }, 'type'), /error/);
  assert.match(compareReplies({ t: 'error', v: 'ERR a' }, bulk('x'), 'shape'), /type/);
  assert.equal(compareReplies(bulk('x'), { t: 'int', v: 1n }, 'skip'), null);
});

test('generator is deterministic per seed and cases are well-formed', () => {
  assert.deepEqual(randomCase(7, 50), randomCase(7, 50));
  assert.notDeepEqual(randomCase(7, 50), randomCase(8, 50));
  const names = new Set();
  for (const c of cases) {
    assert.ok(!names.has(c.name), `duplicate case ${c.name}`);
    names.add(c.name);
    for (const st of c.steps) {
      const { cmd, cmp } = normStep(st);
      assert.ok(cmd.length > 0 && cmd.every((a) => typeof a === 'string' || Buffer.isBuffer(a)), `${c.name}: ${JSON.stringify(cmd)}`);
      assert.ok(['exact', 'unordered', 'pairs', 'shape', 'type', 'skip'].includes(cmp));
    }
  }
});

// The Shard class of the packed package: commands from JS, the reply → JS value mapping
// (docs/js-api.md), the RESP entry point, routeCommand, and the packaged `marekvs serve` CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { createRequire } from 'node:module';
import { Shard, routeCommand } from 'marekvs';

const enc = new TextEncoder();
const dec = new TextDecoder();

test('command(): reply types map to JS values', () => {
  const s = new Shard();
  assert.equal(s.command(['SET', 'k', 'v']), 'OK');
  assert.equal(s.command(['GET', 'k']), 'v');
  assert.equal(s.command(['GET', 'missing']), null);
  assert.equal(s.command(['INCR', 'n']), 1);
  assert.equal(s.command(['INCRBY', 'big', 9007199254740993n]), 9007199254740993n);
  assert.equal(s.command(['INCRBY', 'n', 41]), 42);
  assert.deepEqual(s.command(['RPUSH', 'l', 'a', new Uint8Array([0x62])]), 2);
  assert.deepEqual(s.command(['LRANGE', 'l', 0, -1]), ['a', 'b']);
  assert.equal(s.command(['LPOP', 'nolist', 2]), null);
  s.command(['SET', 'bin', new Uint8Array([0xff, 0x00])]);
  assert.deepEqual(s.command(['GET', 'bin']), new Uint8Array([0xff, 0x00]));
  assert.equal(s.command(['ZADD', 'z', 1.5, 'm']), 1);
  assert.equal(s.command(['ZSCORE', 'z', 'm']), '1.5');
  assert.throws(() => s.command(['SET']), (e) => e.name === 'ReplyError' && e.code === 'ERR' && /wrong number/.test(e.message));
  assert.throws(() => s.command(['LPUSH', 'k', 'x']), (e) => e.code === 'WRONGTYPE');
  assert.throws(() => s.command(['GET', {}]), TypeError);
});

test('options: bulkAs bytes, errors return, RESP3 maps/sets/doubles', () => {
  const s = new Shard({ bulkAs: 'bytes', errors: 'return', protocol: 3, partitions: 4, seed: 7 });
  s.command(['SET', 'k', 'v']);
  assert.deepEqual(s.command(['GET', 'k']), new Uint8Array([0x76]));
  const e = s.command(['LPUSH', 'k', 'x']);
  assert.ok(e instanceof Error && e.code === 'WRONGTYPE');
  const t = new Shard({ protocol: 3 });
  t.command(['HSET', 'h', 'f', 'v']);
  assert.deepEqual(t.command(['HGETALL', 'h']), new Map([['f', 'v']]));
  t.command(['SADD', 's', 'a']);
  assert.deepEqual(t.command(['SMEMBERS', 's']), new Set(['a']));
  t.command(['ZADD', 'z', '2.5', 'm']);
  assert.equal(t.command(['ZSCORE', 'z', 'm']), 2.5);
  assert.throws(() => new Shard({ bulkAs: 'nope' }), /bulkAs/);
  assert.throws(() => new Shard({ partitions: 4, owned: [9] }), /owned/);
});

test('owned partitions and routeCommand', () => {
  const p = routeCommand(['GET', 'foo'], 16);
  assert.ok(Number.isInteger(p) && p >= 0 && p < 16);
  assert.equal(routeCommand(['PING'], 16), null);
  assert.throws(() => routeCommand(['MSET', 'a', '1', 'b', '2'], 16), (e) => e.code === 'CROSSSLOT');
  assert.equal(routeCommand(['MSET', '{t}a', '1', '{t}b', '2'], 16), routeCommand(['GET', '{t}'], 16));
  const other = (p + 1) % 16;
  const s = new Shard({ partitions: 16, owned: [other] });
  assert.throws(() => s.command(['GET', 'foo']), /not served by this shard/);
  assert.equal(s.owns(other), true);
});

test('resp(): bytes in, bytes out, partial frames, protocol error closes', () => {
  const s = new Shard();
  assert.equal(dec.decode(s.resp(enc.encode('*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGE'))), '+OK\r\n');
  assert.equal(dec.decode(s.resp(enc.encode('T\r\n$1\r\na\r\nPING\r\n'))), '$1\r\n1\r\n+PONG\r\n');
  assert.equal(dec.decode(s.resp(enc.encode('HELLO 3\r\nGET nokey\r\n'))).endsWith('_\r\n'), true);
  assert.equal(s.respClosed, false);
  assert.equal(dec.decode(s.resp(enc.encode('*1\r\n$x\r\n'))), '-ERR Protocol error: invalid bulk length\r\n');
  assert.equal(s.respClosed, true);
  assert.equal(s.resp(enc.encode('PING\r\n')).length, 0);
});

test('the packaged CLI serves RESP', async () => {
  const require = createRequire(import.meta.url);
  const bin = require.resolve('marekvs/package.json').replace(/package\.json$/, 'bin/marekvs.mjs');
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--shards', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      log += d;
      const m = /listening on [^:]+:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', () => reject(new Error(`exited: ${log}`)));
  });
  const reply = await new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => {
      got += d;
      if (got.endsWith('$1\r\nv\r\n')) { sock.destroy(); resolve(got); }
    });
    sock.on('error', reject);
    sock.write('SET k v\r\nGET k\r\n');
  });
  assert.equal(reply, '+OK\r\n$1\r\nv\r\n');
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});

test('redis.log lines reach the host through takeLogs()', () => {
  const shard = new Shard();
  assert.deepEqual(shard.takeLogs(), []);
  shard.command(['EVAL', "redis.log(redis.LOG_WARNING, 'low stock', 3) redis.log(redis.LOG_DEBUG, 'x') return 1", '0']);
  assert.deepEqual(shard.takeLogs(), [
    { level: 'warning', message: 'low stock 3' },
    { level: 'debug', message: 'x' },
  ]);
  assert.deepEqual(shard.takeLogs(), [], 'taken once');
});

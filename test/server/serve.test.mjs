// `marekvs serve` (2 shard workers) over TCP: real clients (redis-cli, ioredis), routing and
// fan-outs across shards, pipelining, partial frames, inline commands, big bulks, protocol
// errors, many clients, shutdown.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServe, raw, redisCli, haveCmd } from './helpers.mjs';
import { RespConnection } from '../differential/lib/resp.mjs';

const hasCli = await haveCmd('redis-cli');

describe('marekvs serve --shards 2', () => {
  let srv;
  before(async () => { srv = await startServe(['--shards', '2']); });
  after(async () => { if (srv) await srv.stop(); });

  const conn = () => RespConnection.connect({ host: '127.0.0.1', port: srv.port });

  test('redis-cli session', { skip: hasCli ? false : 'redis-cli not installed' }, async () => {
    const cli = (...a) => redisCli(srv.port, a).then((s) => s.trim());
    assert.equal(await cli('PING'), 'PONG');
    assert.equal(await cli('SET', 'cli:a', '1'), 'OK');
    assert.equal(await cli('INCRBY', 'cli:a', '41'), '42');
    assert.equal(await cli('GET', 'cli:a'), '42');
    assert.equal(await cli('RPUSH', 'cli:l', 'x', 'y', 'z'), '3');
    assert.equal(await cli('LRANGE', 'cli:l', '0', '-1'), 'x\ny\nz');
    assert.equal(await cli('HSET', 'cli:h', 'f', 'v'), '1');
    assert.equal(await cli('HGETALL', 'cli:h'), 'f\nv');
    assert.match(await cli('MSET', 'cli:a', '1', 'cli:b', '2'), /CROSSSLOT|OK/);
    assert.equal(await cli('MSET', '{cli}a', '1', '{cli}b', '2'), 'OK');
    assert.equal(await cli('MGET', '{cli}a', '{cli}b'), '1\n2');
    assert.match(await cli('LPUSH', 'cli:a', 'x'), /WRONGTYPE/);
    // Many commands through stdin (one connection, pipelined by redis-cli).
    let input = '';
    for (let i = 0; i < 500; i++) input += `SET cli:k${i} ${i}\n`;
    await redisCli(srv.port, [], input);
    assert.equal(await cli('GET', 'cli:k499'), '499');
    // --pipe: raw protocol mass insertion.
    let proto = '';
    for (let i = 0; i < 1000; i++) proto += `*3\r\n$3\r\nSET\r\n$${`pipe:${i}`.length}\r\npipe:${i}\r\n$1\r\nv\r\n`;
    const out = await redisCli(srv.port, ['--pipe'], proto);
    assert.match(out, /errors: 0, replies: 1000/);
    assert.ok(Number(await cli('DBSIZE')) >= 1505); // 1000 piped + 500 + 5 others
    await cli('FLUSHALL');
  });

  test('ioredis session', async () => {
    const { default: Redis } = await import('ioredis');
    const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
    await r.connect();
    try {
      assert.equal(await r.set('io:a', 'hello'), 'OK');
      assert.equal(await r.get('io:a'), 'hello');
      assert.equal(await r.incr('io:n'), 1);
      assert.equal(await r.incrby('io:n', 10), 11);
      assert.equal(await r.lpush('io:l', 'a', 'b'), 2);
      assert.deepEqual(await r.lrange('io:l', 0, -1), ['b', 'a']);
      assert.equal(await r.hset('io:h', { f1: 'v1', f2: 'v2' }), 2);
      assert.deepEqual(await r.hgetall('io:h'), { f1: 'v1', f2: 'v2' });
      assert.equal(await r.zadd('io:z', 1, 'one', 2, 'two'), 2);
      assert.deepEqual(await r.zrange('io:z', 0, -1, 'WITHSCORES'), ['one', '1', 'two', '2']);
      const res = await r.pipeline().set('io:p1', '1').get('io:p1').incr('io:p1').exec();
      assert.deepEqual(res, [[null, 'OK'], [null, '1'], [null, 2]]);
      await assert.rejects(r.lpush('io:a', 'x'), /WRONGTYPE/);
      await assert.rejects(r.mset('io:x', '1', 'io:y', '2'), /CROSSSLOT/);
      const buf = await r.getBuffer('io:a');
      assert.ok(Buffer.isBuffer(buf) && buf.toString() === 'hello');
      assert.ok((await r.dbsize()) >= 6);
    } finally {
      await r.flushall();
      r.disconnect();
    }
  });

  test('fan-outs across shards: DBSIZE, KEYS, SCAN, RANDOMKEY, DEBUG DIGEST, FLUSHALL', async () => {
    const c = await conn();
    try {
      await c.call(['FLUSHALL']);
      const keys = [];
      for (let i = 0; i < 300; i++) keys.push(`fan:${i}`);
      await Promise.all(keys.map((k) => c.call(['SET', k, k])));
      assert.deepEqual(await c.call(['DBSIZE']), { t: 'int', v: 300n });
      const all = await c.call(['KEYS', 'fan:*']);
      assert.equal(all.v.length, 300);
      const seen = new Set();
      let cursor = '0';
      let rounds = 0;
      do {
        const r = await c.call(['SCAN', cursor, 'COUNT', '37']);
        cursor = r.v[0].v.toString();
        for (const k of r.v[1].v) seen.add(k.v.toString());
        rounds++;
      } while (cursor !== '0' && rounds < 1000);
      assert.equal(seen.size, 300);
      const rk = await c.call(['RANDOMKEY']);
      assert.ok(seen.has(rk.v.toString()));
      const d1 = await c.call(['DEBUG', 'DIGEST']);
      assert.equal(d1.t, 'status');
      assert.notEqual(d1.v, '0'.repeat(40));
      const dv = await c.call(['DEBUG', 'DIGEST-VALUE', 'fan:1', 'fan:2', 'nokey']);
      assert.equal(dv.v.length, 3);
      assert.notEqual(dv.v[0].v, '0'.repeat(40));
      assert.equal(dv.v[2].v, '0'.repeat(40));
      assert.deepEqual(await c.call(['FLUSHALL']), { t: 'status', v: 'OK' });
      assert.deepEqual(await c.call(['DBSIZE']), { t: 'int', v: 0n });
      assert.deepEqual(await c.call(['DEBUG', 'DIGEST']), { t: 'status', v: '0'.repeat(40) });
    } finally {
      c.close();
    }
  });

  test('pipelining keeps reply order across shards', async () => {
    let req = '';
    for (let i = 0; i < 2000; i++) req += `*3\r\n$3\r\nSET\r\n$${`o:${i}`.length}\r\no:${i}\r\n$${String(i).length}\r\n${i}\r\n`;
    for (let i = 0; i < 2000; i++) req += `*2\r\n$3\r\nGET\r\n$${`o:${i}`.length}\r\no:${i}\r\n`;
    req += 'PING\r\n*1\r\n$6\r\nDBSIZE\r\n';
    const { data } = await raw(srv.port, [req]);
    let expect = '+OK\r\n'.repeat(2000);
    for (let i = 0; i < 2000; i++) expect += `$${String(i).length}\r\n${i}\r\n`;
    expect += '+PONG\r\n';
    const s = data.toString();
    assert.ok(s.startsWith(expect), 'replies in request order');
    assert.match(s.slice(expect.length), /^:\d+\r\n$/);
  });

  test('partial frames, byte by byte, and inline commands', async () => {
    const req = '*3\r\n$3\r\nSET\r\n$4\r\npart\r\n$5\r\nvalue\r\n*2\r\n$3\r\nGET\r\n$4\r\npart\r\nECHO "in line"\r\n';
    const chunks = [...Buffer.from(req)].map((b) => Buffer.from([b]));
    const { data, closed } = await raw(srv.port, chunks, { gapMs: 1 });
    assert.equal(data.toString(), '+OK\r\n$5\r\nvalue\r\n$7\r\nin line\r\n');
    assert.equal(closed, false);
  });

  test('protocol errors answer Redis\'s error and close only that connection', async () => {
    const other = await conn();
    try {
      const r1 = await raw(srv.port, ['PING\r\n*1\r\n$x\r\n']);
      assert.equal(r1.data.toString(), '+PONG\r\n-ERR Protocol error: invalid bulk length\r\n');
      assert.equal(r1.closed, true);
      const r2 = await raw(srv.port, ['*2\r\n+GET\r\n']);
      assert.equal(r2.data.toString(), "-ERR Protocol error: expected '$', got '+'\r\n");
      assert.equal(r2.closed, true);
      const r3 = await raw(srv.port, ['ECHO "unbalanced\r\n']);
      assert.equal(r3.data.toString(), '-ERR Protocol error: unbalanced quotes in request\r\n');
      assert.equal(r3.closed, true);
      // 512 MB is the limit: one byte more is refused before any payload arrives.
      const r4 = await raw(srv.port, [`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${512 * 1024 * 1024 + 1}\r\n`]);
      assert.equal(r4.data.toString(), '-ERR Protocol error: invalid bulk length\r\n');
      assert.equal(r4.closed, true);
      assert.deepEqual(await other.call(['PING']), { t: 'status', v: 'PONG' });
    } finally {
      other.close();
    }
  });

  test('QUIT answers OK and closes', async () => {
    const r = await raw(srv.port, ['PING\r\nQUIT\r\nPING\r\n']);
    assert.equal(r.data.toString(), '+PONG\r\n+OK\r\n');
    assert.equal(r.closed, true);
  });

  test('a 64 MB bulk string round-trips', async () => {
    const big = Buffer.alloc(64 * 1024 * 1024, 'x');
    big.write('head', 0);
    big.write('tail', big.length - 4);
    const set = Buffer.concat([Buffer.from(`*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$${big.length}\r\n`), big, Buffer.from('\r\n')]);
    const get = Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n*2\r\n$3\r\nDEL\r\n$3\r\nbig\r\n');
    const expected = Buffer.concat([Buffer.from(`+OK\r\n$${big.length}\r\n`), big, Buffer.from('\r\n:1\r\n')]);
    const got = await new Promise((resolve, reject) => {
      const sock = net.connect(srv.port, '127.0.0.1');
      const parts = [];
      let n = 0;
      sock.on('data', (d) => {
        parts.push(d);
        n += d.length;
        if (n >= expected.length) { sock.destroy(); resolve(Buffer.concat(parts)); }
      });
      sock.on('error', reject);
      sock.on('close', () => resolve(Buffer.concat(parts)));
      sock.on('connect', () => { sock.write(set); sock.write(get); });
    });
    assert.equal(got.length, expected.length);
    assert.ok(Buffer.compare(got, expected) === 0, 'GET returns the 64 MB value');
  });

  test('200 concurrent clients', async () => {
    const clients = await Promise.all(Array.from({ length: 200 }, () => conn()));
    try {
      await Promise.all(clients.map(async (c, i) => {
        for (let j = 0; j < 10; j++) {
          const r = await c.call(['INCR', `cc:${j}`]);
          assert.equal(r.t, 'int');
          assert.deepEqual(await c.call(['SET', `cc:own:${i}`, String(j)]), { t: 'status', v: 'OK' });
        }
      }));
      const c = clients[0];
      for (let j = 0; j < 10; j++) assert.deepEqual(await c.call(['GET', `cc:${j}`]), { t: 'bulk', v: Buffer.from('200') });
      assert.deepEqual(await c.call(['GET', 'cc:own:199']), { t: 'bulk', v: Buffer.from('9') });
    } finally {
      for (const c of clients) c.close();
    }
  });
});

test('SIGTERM and SIGINT shut the server down cleanly', async () => {
  for (const sig of ['SIGTERM', 'SIGINT']) {
    const srv = await startServe(['--shards', '2']);
    const c = await RespConnection.connect({ host: '127.0.0.1', port: srv.port });
    assert.deepEqual(await c.call(['PING']), { t: 'status', v: 'PONG' });
    const t0 = Date.now();
    srv.child.kill(sig);
    const { code } = await srv.exited;
    c.close();
    assert.equal(code, 0, srv.log());
    assert.ok(Date.now() - t0 < 5000);
    assert.match(srv.log(), new RegExp(`${sig}, shutting down`));
    await assert.rejects(RespConnection.connect({ host: '127.0.0.1', port: srv.port }, 500));
  }
});

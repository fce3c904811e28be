// `marekvs serve --peer`: two server processes replicate over their client ports (the link
// opens with MAREKVS.PEER, then carries replication frames multiplexed by shard worker).
// Writes through redis-cli on one converge on the other, in either start order; a server
// killed with SIGKILL and restarted from nothing catches up; hostile peers (bad handshakes,
// bad mux frames, bad replication frames) are dropped with a logged reason while the server
// keeps serving and its data is unchanged. Three servers in a line relay through the middle
// one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { ROOT, BIN, raw, redisCli, haveCmd } from './helpers.mjs';
import { freePort } from '../differential/lib/servers.mjs';
import * as F from '../../js/replication/frames.mjs';

const hasCli = await haveCmd('redis-cli');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `marekvs serve --port <port> ...args` (a fixed port: a restarted server keeps its address). */
async function serve(port, args) {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const deadline = Date.now() + 15000;
  while (!/listening on/.test(log)) {
    if (child.exitCode !== null) throw new Error(`marekvs serve exited: ${log}`);
    if (Date.now() > deadline) throw new Error(`marekvs serve did not start: ${log}`);
    await sleep(25);
  }
  return {
    port,
    log: () => log,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Poll `fn` until it returns a truthy value; fail with `what()` after the timeout. */
async function until(fn, what, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out: ${typeof what === 'function' ? await what() : what}`);
    await sleep(100);
  }
}

const cli = (port, ...a) => redisCli(port, a).then((s) => s.trim());

/** The servers' digests are equal (and stay so across a replication round). */
async function converged(ports) {
  const digests = () => Promise.all(ports.map((p) => cli(p, 'DEBUG', 'DIGEST')));
  await until(async () => {
    const d = await digests();
    if (!d.every((x) => x === d[0])) return false;
    await sleep(300);
    const again = await digests();
    return again.every((x) => x === d[0]);
  }, async () => `digests differ: ${(await digests()).join(' ')}`);
}

describe('two marekvs serve processes with --peer', { skip: hasCli ? false : 'redis-cli not installed' }, () => {
  let a;
  let b;
  let pa;
  let pb;
  const argsA = () => ['--shards', '2', '--node-id', 'alpha', '--peer', `127.0.0.1:${pb}`];
  const argsB = () => ['--shards', '2', '--node-id', 'beta', '--peer', `127.0.0.1:${pa}`];
  before(async () => {
    pa = await freePort();
    pb = await freePort();
  });
  after(async () => {
    if (a) await a.kill();
    if (b) await b.kill();
  });

  test('writes on one converge on the other; SIGKILL and restart catch up', async () => {
    // A starts alone (its dialer retries), takes writes, then B starts and gets them.
    a = await serve(pa, argsA());
    assert.equal(await cli(pa, 'SET', 'greeting', 'hello'), 'OK');
    assert.equal(await cli(pa, 'HSET', 'user:1', 'name', 'ann', 'age', '31'), '2');
    assert.equal(await cli(pa, 'EVAL', "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", '2', '{s}x', '{s}n', 'from-script'), '1');
    const sha = await cli(pa, 'SCRIPT', 'LOAD', "return redis.call('GET', KEYS[1])");
    b = await serve(pb, argsB());
    await converged([pa, pb]);
    assert.equal(await cli(pb, 'GET', 'greeting'), 'hello');
    assert.equal(await cli(pb, 'HGET', 'user:1', 'name'), 'ann');
    assert.equal(await cli(pb, 'GET', '{s}x'), 'from-script');
    // The script record replicated too: EVALSHA works on B.
    assert.equal(await cli(pb, 'EVALSHA', sha, '1', 'greeting'), 'hello');

    // Both directions, many keys over both shard workers.
    let input = '';
    for (let i = 0; i < 200; i++) input += `SET k:${i} a${i}\n`;
    await redisCli(pa, [], input);
    assert.equal(await cli(pb, 'RPUSH', 'list', 'x', 'y'), '2');
    assert.equal(await cli(pb, 'DEL', 'greeting'), '1');
    await converged([pa, pb]);
    assert.equal(await cli(pb, 'GET', 'k:199'), 'a199');
    assert.equal(await cli(pa, 'LRANGE', 'list', '0', '-1'), 'x\ny');
    assert.equal(await cli(pa, 'EXISTS', 'greeting'), '0');
    assert.equal(await cli(pa, 'DBSIZE'), '204');
    assert.match(a.log(), /peer beta: linked/);
    assert.match(b.log(), /peer alpha: linked/);

    // B dies without a word; A keeps taking writes (including deleting what B had).
    assert.equal((await b.kill('SIGKILL')).signal, 'SIGKILL');
    input = '';
    for (let i = 0; i < 200; i++) input += `SET k:${i} b${i}\n`;
    await redisCli(pa, [], input);
    assert.equal(await cli(pa, 'DEL', 'list'), '1');
    assert.equal(await cli(pa, 'HSET', 'user:1', 'age', '32'), '0');
    // B restarts from nothing (same name and address): it catches up from A.
    b = await serve(pb, argsB());
    await converged([pa, pb]);
    assert.equal(await cli(pb, 'GET', 'k:0'), 'b0');
    assert.equal(await cli(pb, 'GET', 'k:199'), 'b199');
    assert.equal(await cli(pb, 'EXISTS', 'list'), '0');
    assert.equal(await cli(pb, 'HGET', 'user:1', 'age'), '32');
    assert.equal(await cli(pb, 'DBSIZE'), '203');

    // Now A dies and comes back; the writes B took meanwhile reach it.
    await a.kill('SIGKILL');
    assert.equal(await cli(pb, 'SET', 'after', 'a-died'), 'OK');
    a = await serve(pa, argsA());
    await converged([pa, pb]);
    assert.equal(await cli(pa, 'GET', 'after'), 'a-died');
    assert.equal(await cli(pa, 'GET', 'k:7'), 'b7');
    assert.equal(await cli(pa, 'EVALSHA', sha, '1', 'after'), 'a-died');
  });
});

describe('three servers in a line', { skip: hasCli ? false : 'redis-cli not installed' }, () => {
  const servers = [];
  after(async () => { await Promise.all(servers.map((x) => x.kill())); });

  test('a server with two peers relays between them (A - B - C, no A - C link)', async () => {
    const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()];
    servers.push(await serve(pb, ['--node-id', 'b']));
    servers.push(await serve(pa, ['--node-id', 'a', '--peer', `127.0.0.1:${pb}`]));
    servers.push(await serve(pc, ['--node-id', 'c', '--peer', `127.0.0.1:${pb}`]));
    let input = '';
    for (let i = 0; i < 50; i++) input += `SET from-a:${i} ${i}\n`;
    await redisCli(pa, [], input);
    assert.equal(await cli(pc, 'SADD', 'from-c', 'x', 'y'), '2');
    await converged([pa, pb, pc]);
    assert.equal(await cli(pc, 'GET', 'from-a:49'), '49');
    assert.equal(await cli(pa, 'SCARD', 'from-c'), '2');
    assert.equal(await cli(pb, 'DBSIZE'), '51');
  });
});

/** A raw peer: does the handshake, then reads mux frames [len u32][shard u16][frame]. */
async function rawPeer(port, { name = 'hostile', shards = 2, partitions = 16 } = {}) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r, j) => { sock.once('connect', r); sock.once('error', j); });
  const args = ['MAREKVS.PEER', '1', name, String(shards), String(partitions), 'abcdef'];
  sock.write(`*${args.length}\r\n${args.map((x) => `$${x.length}\r\n${x}\r\n`).join('')}`);
  let buf = Buffer.alloc(0);
  let reply = null;
  const frames = [];
  const closed = new Promise((r) => sock.once('close', r));
  sock.on('error', () => {});
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    if (reply === null) {
      const i = buf.indexOf('\r\n');
      if (i < 0) return;
      reply = buf.toString('utf8', 0, i);
      buf = buf.subarray(i + 2);
    }
    while (buf.length >= 6 && buf.length >= 6 + buf.readUInt32LE(0)) {
      const len = buf.readUInt32LE(0);
      frames.push({ shard: buf.readUInt16LE(4), frame: new Uint8Array(buf.subarray(6, 6 + len)) });
      buf = buf.subarray(6 + len);
    }
  });
  await until(() => reply !== null, 'handshake reply');
  const send = (shard, frame) => {
    const head = Buffer.alloc(6);
    head.writeUInt32LE(frame.length, 0);
    head.writeUInt16LE(shard, 4);
    sock.write(Buffer.concat([head, frame]));
  };
  return { sock, reply, frames, send, closed };
}

describe('hostile peers', () => {
  let s;
  let port;
  let digest;
  before(async () => {
    port = await freePort();
    s = await serve(port, ['--shards', '2', '--node-id', 'victim']);
    digest = await seed();
  });
  after(async () => { if (s) await s.kill(); });

  // Keys before any hostile peer; every test checks they are intact afterwards.
  async function seed() {
    const out = await raw(port, [
      '*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$5\r\nDEBUG\r\n$6\r\nDIGEST\r\n',
    ]);
    const [ok, added, dig] = out.data.toString().split('\r\n');
    assert.deepEqual([ok, added], ['+OK', ':1']);
    return dig.slice(1);
  }
  async function intact() {
    const out = await raw(port, ['*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$4\r\nHGET\r\n$1\r\nh\r\n$1\r\nf\r\n*2\r\n$5\r\nDEBUG\r\n$6\r\nDIGEST\r\n*1\r\n$6\r\nDBSIZE\r\n']);
    assert.equal(out.data.toString(), `$1\r\n1\r\n$1\r\nv\r\n+${digest}\r\n:2\r\n`);
  }
  const logged = (re) => until(() => re.test(s.log()), () => `log lacks ${re}: ${s.log()}`);

  test('bad handshakes get an error reply and are closed; a split handshake works', async () => {
    const cmd = (...a) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
    for (const [args, re] of [
      [['MAREKVS.PEER'], /^-ERR wrong number of arguments/],
      [['marekvs.peer', '1', 'x', '2', '16'], /^-ERR wrong number of arguments/],
      [['MAREKVS.PEER', '9', 'x', '2', '16', 'ab'], /^-ERR MAREKVS.PEER protocol 9 not supported/],
      [['MAREKVS.PEER', '1', 'x', '4', '16', 'ab'], /^-ERR peer has 4 shards \/ 16 partitions, this server 2 \/ 16/],
      [['MAREKVS.PEER', '1', 'victim', '2', '16', 'ab'], /^-ERR peer has this server's name/],
      [['MAREKVS.PEER', '1', 'bad name', '2', '16', 'ab'], /^-ERR invalid peer name/],
    ]) {
      const r = await raw(port, [cmd(...args)]);
      assert.match(r.data.toString(), re, args.join(' '));
      assert.ok(r.closed, `${args.join(' ')}: connection closed`);
    }
    // Malformed after the command name (a bad bulk header).
    let r = await raw(port, ['*3\r\n$12\r\nMAREKVS.PEER\r\n$x\r\n']);
    assert.match(r.data.toString(), /^-ERR Protocol error/);
    assert.ok(r.closed);
    // Not the first command: an ordinary unknown command, the connection stays usable.
    r = await raw(port, [`${cmd('PING')}${cmd('MAREKVS.PEER', '1')}${cmd('PING')}`]);
    assert.match(r.data.toString(), /^\+PONG\r\n-ERR unknown command 'MAREKVS.PEER'.*\r\n\+PONG\r\n$/);
    // Inline form is a client command too.
    r = await raw(port, ['MAREKVS.PEER 1 x 2 16 ab\r\nPING\r\n']);
    assert.match(r.data.toString(), /^-ERR unknown command.*\r\n\+PONG\r\n$/);
    // A valid handshake one byte per TCP read.
    const hs = cmd('MAREKVS.PEER', '1', 'slow', '2', '16', 'ab');
    r = await raw(port, [...hs].map((c) => c), { gapMs: 2, quietMs: 500 });
    assert.match(r.data.toString('latin1'), /^\+OK victim [0-9a-f]+\r\n/);
    // A 12-character command name that is not ours goes to the client path.
    r = await raw(port, [cmd('HINCRBYFLOAT', 'hf', 'x', '1.5'), cmd('DEL', 'hf')], { gapMs: 20 });
    assert.equal(r.data.toString(), '$3\r\n1.5\r\n:1\r\n');
    await intact();
  });

  test('bad mux frames drop the link with a logged reason', async () => {
    let p = await rawPeer(port);
    assert.match(p.reply, /^\+OK victim [0-9a-f]+$/);
    await until(() => p.frames.length >= 2, 'hellos from both shard workers');
    assert.deepEqual(p.frames.map((f) => F.decode(f.frame).type).slice(0, 2), [F.HELLO, F.HELLO]);
    p.send(7, new Uint8Array(10));
    await p.closed;
    await logged(/peer hostile: link closed: bad frame from the peer: shard 7 \(this server has 2\)/);

    p = await rawPeer(port);
    const head = Buffer.alloc(6);
    head.writeUInt32LE(0xffffffff, 0);
    p.sock.write(head);
    await p.closed;
    await logged(/peer hostile: link closed: bad frame from the peer: 4294967295 bytes/);
    await intact();
  });

  test('bad replication frames in a valid mux drop the link; nothing is applied', async () => {
    // Garbage where a frame should be.
    let p = await rawPeer(port);
    p.send(0, new Uint8Array([1, 2, 3]));
    await p.closed;
    await logged(/shard 0: peer hostile: link to peer dropped: malformed frame/);
    await logged(/peer hostile: link closed: shard 0: malformed frame/);

    // A proper hello, then a batch whose effects are garbage.
    p = await rawPeer(port);
    await until(() => p.frames.some((f) => f.shard === 1), 'hello of shard 1');
    const theirs = F.decode(p.frames.find((f) => f.shard === 1).frame);
    const me = 0x1234n;
    p.send(1, F.hello(me, theirs.from, 16, theirs.vvs)); // "I have what you have"
    await sleep(100);
    p.send(1, F.payload(F.BATCH, me, theirs.from, 1, 0, new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9])));
    await p.closed;
    await logged(/shard 1: peer hostile: link to 1234 dropped: peer sent a bad batch/);
    await intact();
    // The server still takes writes and serves them.
    assert.equal((await raw(port, ['*1\r\n$4\r\nPING\r\n'])).data.toString(), '+PONG\r\n');
  });
});

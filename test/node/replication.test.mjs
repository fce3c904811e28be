// Replication over ports through the installed npm package: `connect(shard, port)` between
// shards over MessageChannels, a lossy/duplicating/reordering relay, a stalled peer
// (back-pressure), a log that no longer reaches back (snapshots), a line topology (relay of
// third-party effects), a TCP stream, and hostile peers (the link drops, the shard is intact).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Shard, connect, streamPort, describeEffects } from 'marekvs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const digest = (s) => s.command(['DEBUG', 'DIGEST']);
const quiet = { log: () => {} };

let nextId = 1n;
function shard(opts = {}) {
  const s = new Shard({ partitions: 8, seed: Number(nextId), ...opts });
  s.nodeId = nextId++;
  return s;
}

/** Wait until every shard has the same digest (and it stays so across a sync round). */
async function converged(shards, timeoutMs = 20000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const d = shards.map(digest);
    if (d.every((x) => x === d[0])) {
      await sleep(250);
      const again = shards.map(digest);
      if (again.every((x) => x === d[0])) return d[0];
    }
    if (Date.now() > end) assert.fail(`no convergence: ${d.join(' ')}`);
    await sleep(20);
  }
}

function link(a, b, opts = {}) {
  const ch = new MessageChannel();
  const la = connect(a, ch.port1, { ...quiet, ...opts });
  const lb = connect(b, ch.port2, { ...quiet, ...opts });
  return { la, lb, ch };
}

/**
 * Two ports joined by a relay that can lose, duplicate and reorder frames, or hold them all
 * (a stalled peer) until released.
 */
function relay(rand, { drop = 0, dup = 0, delay = 0 } = {}) {
  const left = new MessageChannel();
  const right = new MessageChannel();
  const r = { holding: false, held: [], passed: 0, lossy: true };
  const pipe = (from, to) => {
    from.on('message', (frame) => {
      const send = () => {
        r.passed++;
        to.postMessage(frame.slice());
      };
      if (r.holding) return r.held.push(send);
      if (r.lossy && rand() < drop) return;
      if (r.lossy && rand() < dup) send();
      if (r.lossy && rand() < delay) setTimeout(send, 1 + Math.floor(rand() * 30));
      else send();
    });
  };
  pipe(left.port2, right.port2);
  pipe(right.port2, left.port2);
  r.release = () => {
    r.holding = false;
    for (const f of r.held.splice(0)) f();
  };
  r.close = () => {
    left.port2.close();
    right.port2.close();
  };
  return { a: left.port1, b: right.port1, r };
}

function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = Math.imul(x ^ (x >>> 15), 1 | x);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomWrite(s, rand, i) {
  const k = `k${Math.floor(rand() * 40)}`;
  switch (Math.floor(rand() * 8)) {
    case 0: return s.command(['SET', k, `v${i}`]);
    case 1: return s.command(['INCRBY', `n{${k}}`, String(1 + (i % 5))]);
    case 2: return s.command(['HSET', `h{${k}}`, `f${i % 4}`, `v${i}`]);
    case 3: return s.command(['SADD', `s{${k}}`, `m${i % 7}`]);
    case 4: return s.command(['ZADD', `z{${k}}`, String(i % 11), `m${i % 5}`]);
    case 5: return s.command(['RPUSH', `l{${k}}`, `e${i}`]);
    case 6: return s.command(['DEL', k]);
    default:
      return s.command(['EVAL', "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('LPUSH', KEYS[2], ARGV[1])",
        '2', `sc{${k}}`, `sl{${k}}`, `x${i}`]);
  }
}

test('two shards converge over a MessageChannel: writes before and after connecting, scripts', async () => {
  const a = shard();
  const b = shard();
  a.command(['SET', 'before:a', '1']);
  b.command(['HSET', 'before:b', 'f', 'v']);
  const events = [];
  const { la, lb, ch } = link(a, b, { onEvent: (e) => events.push(e) });
  a.command(['SET', 'during', 'hello']); // before the hellos crossed: goes as catch-up
  while (la.state !== 'live' || lb.state !== 'live') await sleep(5);
  a.command(['SET', 'after', 'a']);
  b.command(['RPUSH', 'list', 'x', 'y']);
  a.command(['EVAL', "redis.call('INCRBY', KEYS[1], 5) return redis.call('GET', KEYS[1])", '1', 'counter']);
  await converged([a, b]);
  assert.equal(b.command(['GET', 'before:a']), '1');
  assert.equal(a.command(['HGET', 'before:b', 'f']), 'v');
  assert.equal(b.command(['GET', 'counter']), '5');
  assert.equal(b.command(['GET', 'during']), 'hello');
  assert.deepEqual(a.command(['LRANGE', 'list', '0', '-1']), ['x', 'y']);
  assert.equal(la.state, 'live');
  assert.equal(la.peer, b.nodeId);
  assert.equal(lb.peer, a.nodeId);
  // Live batches carry HLC-stamped effects that describeEffects can show.
  const live = events.find((e) => e.type === 'sent' && e.kind === 'live');
  assert.ok(live, 'a live batch was sent');
  const groups = describeEffects(live.data);
  assert.ok(groups[0].effects[0].stamp.match(/^\d+\.\d+@[0-9a-f]+$/));
  la.close();
  assert.equal(await lb.closed, 'peer closed the link: closed by this side');
  ch.port1.close();
});

test('under steady traffic nothing is applied twice: effects in flight are not resent by anti-entropy', async () => {
  const a = shard();
  const b = shard();
  const applied = { live: 0, catchup: 0, snapshot: 0 };
  // Vectors every 5 ms: many exchanges while the writes stream, each lagging the frames in flight.
  const { la, lb, ch } = link(a, b, {
    syncIntervalMs: 5,
    onEvent: (e) => { if (e.type === 'applied') applied[e.kind] += e.effects; },
  });
  while (la.state !== 'live' || lb.state !== 'live') await sleep(5);
  const n = 30000;
  for (let i = 0; i < n;) {
    for (const end = i + 300; i < end; i++) a.command(['SET', `steady:${i}`, String(i)]);
    await new Promise((r) => setImmediate(r));
  }
  await converged([a, b]);
  assert.deepEqual(applied, { live: n, catchup: 0, snapshot: 0 });
  assert.equal(lb.stats.appliedEffects, n);
  assert.equal(la.stats.droppedBatches, 0);
  la.close();
  ch.port1.close();
});

test('a BroadcastChannel carries a link, also to a shard that joins the channel later', async () => {
  const a = shard();
  const b = shard();
  const name = `marekvs-test-${a.nodeId}`;
  const ca = new BroadcastChannel(name);
  const la = connect(a, ca, quiet);
  a.command(['SET', 'early', '1']);
  await sleep(50); // a's hello went out before b listened: b's hello must bring a's reply
  const cb = new BroadcastChannel(name);
  const lb = connect(b, cb, quiet);
  b.command(['SET', 'late', '2']);
  await converged([a, b]);
  assert.equal(b.command(['GET', 'early']), '1');
  assert.equal(la.peer, b.nodeId);
  assert.equal(lb.peer, a.nodeId);
  la.close();
  ca.close();
  cb.close();
});

test('EVALSHA heals on the replica: NOSCRIPT before the record arrives, the script after', async () => {
  const a = shard();
  const b = shard();
  const sha = a.command(['SCRIPT', 'LOAD', "return 'from ' .. ARGV[1]"]);
  assert.throws(() => b.command(['EVALSHA', sha, '0', 'b']), /NOSCRIPT No matching script/);
  const { la, ch } = link(a, b);
  await converged([a, b]);
  assert.equal(b.command(['EVALSHA', sha, '0', 'b']), 'from b');
  la.close();
  ch.port1.close();
});

test('lost, duplicated and reordered frames still converge (anti-entropy fills the gaps)', async () => {
  const rand = rng(7);
  const shards = [shard(), shard(), shard()];
  const relays = [];
  for (let i = 0; i < 3; i++) {
    for (let j = i + 1; j < 3; j++) {
      const { a, b, r } = relay(rand, { drop: 0.15, dup: 0.15, delay: 0.3 });
      connect(shards[i], a, quiet);
      connect(shards[j], b, quiet);
      relays.push(r);
    }
  }
  for (let i = 0; i < 600; i++) {
    randomWrite(shards[i % 3], rand, i);
    if (i % 50 === 0) await sleep(5);
  }
  await sleep(200);
  // The network heals: no more losses; anti-entropy must bring everyone level.
  for (const r of relays) r.lossy = false;
  await converged(shards);
  for (const r of relays) r.close();
});

test('a lost last batch is caught up once the traffic stops (no later ack covers it)', async () => {
  const [a, b] = [shard(), shard()];
  // A relay that passes everything but the next batch frame (type 2) from A to B.
  const left = new MessageChannel();
  const right = new MessageChannel();
  let dropNext = false;
  let dropped = 0;
  left.port2.on('message', (frame) => {
    if (dropNext && frame[0] === 2) {
      dropNext = false;
      dropped++;
      return;
    }
    right.port2.postMessage(frame.slice());
  });
  right.port2.on('message', (frame) => left.port2.postMessage(frame.slice()));
  const la = connect(a, left.port1, quiet);
  const lb = connect(b, right.port1, quiet);
  for (let i = 0; i < 20; i++) a.command(['SET', `k${i}`, `v${i}`]);
  await converged([a, b]);
  dropNext = true;
  a.command(['SET', 'last', 'written']);
  await converged([a, b]);
  assert.equal(dropped, 1);
  assert.equal(b.command(['GET', 'last']), 'written');
  la.close();
  lb.close();
  left.port2.close();
  right.port2.close();
});

test('a line of three shards converges: B relays what A and C do not exchange directly', async () => {
  const [a, b, c] = [shard(), shard(), shard()];
  const ab = link(a, b);
  const bc = link(b, c);
  a.command(['SET', 'from-a', '1']);
  c.command(['SADD', 'from-c', 'x']);
  await converged([a, b, c]);
  assert.equal(c.command(['GET', 'from-a']), '1');
  assert.equal(a.command(['SISMEMBER', 'from-c', 'x']), 1);
  ab.ch.port1.close();
  bc.ch.port1.close();
});

test('a stalled peer: in-flight bytes stay bounded, live batches are skipped, catch-up after', async () => {
  const rand = rng(3);
  const a = shard();
  const b = shard();
  const { a: pa, b: pb, r } = relay(rand);
  r.lossy = false;
  const max = 64 * 1024;
  const la = connect(a, pa, { ...quiet, maxInflightBytes: max });
  connect(b, pb, quiet);
  await sleep(100);
  assert.equal(la.state, 'live');
  r.holding = true; // nothing gets through in either direction: no acks
  let maxSeen = 0;
  for (let i = 0; i < 4000; i++) {
    a.command(['SET', `key:${i}`, 'x'.repeat(100)]);
    if (i % 100 === 0) {
      await sleep(1);
      maxSeen = Math.max(maxSeen, la.stats.inflightBytes);
    }
  }
  await sleep(50);
  maxSeen = Math.max(maxSeen, la.stats.inflightBytes);
  assert.ok(maxSeen <= max, `in flight ${maxSeen} > ${max}`);
  assert.ok(la.stats.droppedBatches > 0, 'live batches were skipped');
  r.release();
  await converged([a, b]);
  assert.equal(b.command(['DBSIZE']), 4000);
  r.close();
});

test('a peer the log no longer reaches gets a snapshot', async () => {
  const a = new Shard({ partitions: 1, seed: 11 });
  a.nodeId = 1001n;
  for (let i = 0; i < 12000; i++) a.command(['SET', `k${i}`, String(i)]);
  // Effects no link has taken yet stay in the log (up to the outgoing capacity); once taken
  // (here by hand, as an earlier link would) the log keeps its last 10,000.
  a.takeEffects();
  const b = new Shard({ partitions: 1, seed: 12 });
  b.nodeId = 1002n;
  const { la, ch } = link(a, b);
  await converged([a, b]);
  assert.ok(la.stats.snapshotsSent >= 1, 'a snapshot was sent');
  assert.equal(b.command(['GET', 'k0']), '0');
  assert.equal(b.command(['DBSIZE']), 12000);
  ch.port1.close();
});

test('replication over a TCP stream (streamPort) converges', async () => {
  const a = shard();
  const b = shard();
  const server = net.createServer((sock) => connect(b, streamPort(sock), quiet));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect(server.address().port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const la = connect(a, streamPort(sock), quiet);
  for (let i = 0; i < 500; i++) a.command(['ZADD', 'board', String(i), `p${i}`]);
  b.command(['SET', 'from-b', 'yes']);
  await converged([a, b]);
  assert.equal(b.command(['ZCARD', 'board']), 500);
  assert.equal(a.command(['GET', 'from-b']), 'yes');
  sock.destroy();
  assert.equal(await la.closed, 'port closed: stream closed');
  server.close();
});

test('replication over TLS (streamPort on a tls socket) converges', async () => {
  // A throwaway self-signed certificate (openssl is installed by scripts/setup.sh).
  const dir = mkdtempSync(join(tmpdir(), 'marekvs-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'key.pem'));
  const cert = readFileSync(join(dir, 'cert.pem'));
  rmSync(dir, { recursive: true });
  const a = shard();
  const b = shard();
  const server = tls.createServer({ key, cert }, (sock) => connect(b, streamPort(sock), quiet));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = tls.connect({ port: server.address().port, host: '127.0.0.1', ca: cert, servername: 'localhost' });
  await new Promise((r, j) => { sock.once('secureConnect', r); sock.once('error', j); });
  assert.ok(sock.authorized, 'the certificate was verified');
  connect(a, streamPort(sock), quiet);
  a.command(['HSET', 'secret', 'f', 'v']);
  b.command(['SADD', 'from-b', 'm']);
  await converged([a, b]);
  assert.equal(b.command(['HGET', 'secret', 'f']), 'v');
  sock.destroy();
  server.close();
});

test('a stream peer announcing an oversized frame is cut off before anything is buffered', async () => {
  const a = shard();
  a.command(['SET', 'keep', 'me']);
  const before = digest(a);
  const logs = [];
  let link;
  const server = net.createServer((sock) => { link = connect(a, streamPort(sock, { maxFrameBytes: 1 << 20 }), { log: (m) => logs.push(m) }); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const sock = net.connect(server.address().port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  sock.write(new Uint8Array([0xff, 0xff, 0xff, 0x7f, 1, 2, 3]));
  while (!link) await sleep(5);
  assert.match(await link.closed, /^port closed: peer sent a frame of 2147483647 bytes \(limit 1048576\)$/);
  assert.equal(logs.length, 1, 'the reason was logged');
  assert.equal(digest(a), before);
  sock.destroy();
  server.close();
});

test('hostile peers: the link drops with a logged reason, the shard keeps serving, nothing changes', async () => {
  const cases = [
    ['garbage bytes', () => new Uint8Array([1, 2, 3])],
    ['a string', () => 'hello'],
    ['unknown frame type', () => new Uint8Array(17).fill(9)],
    ['hello with a bad magic', () => { const f = new Uint8Array(23); f[0] = 1; return f; }],
  ];
  for (const [name, make] of cases) {
    const a = shard();
    a.command(['SET', 'keep', 'me']);
    const before = digest(a);
    const ch = new MessageChannel();
    const logs = [];
    const la = connect(a, ch.port1, { log: (m) => logs.push(m) });
    ch.port2.postMessage(make());
    const reason = await la.closed;
    assert.match(reason, /malformed frame/, name);
    assert.equal(logs.length, 1, `${name}: one logged reason`);
    assert.equal(digest(a), before, name);
    assert.equal(a.command(['GET', 'keep']), 'me');
    ch.port1.close();
  }
});

test('hostile peers after a valid hello: bad batches, foreign partitions, same node id', async () => {
  const a = shard();
  const b = shard();
  // A real peer's frames, captured so they can be forged.
  const ch = new MessageChannel();
  const la = connect(a, ch.port1, quiet);
  const helloFromA = await new Promise((r) => ch.port2.once('message', r));
  la.close();
  ch.port1.close();

  const attempt = async (target, frames) => {
    const c = new MessageChannel();
    const logs = [];
    const l = connect(target, c.port1, { log: (m) => logs.push(m) });
    for (const f of frames) c.port2.postMessage(f);
    const reason = await l.closed;
    c.port1.close();
    return { reason, logs };
  };
  const before = digest(b);
  // A batch frame whose effect batch is garbage.
  const forged = (hello, body) => {
    const f = new Uint8Array(17 + 5 + body.length);
    f.set(hello.subarray(0, 17));
    f[0] = 2;
    f[17] = 1; // seq 1
    f.set(body, 22);
    return f;
  };
  let r = await attempt(b, [helloFromA, forged(helloFromA, new Uint8Array([0x4d, 0x4b, 0x45, 1, 200]))]);
  assert.match(r.reason, /bad batch: malformed effect batch/);
  assert.equal(r.logs.length, 1);
  // An acknowledgement of frames never sent.
  const ack = new Uint8Array(17 + 6);
  ack.set(helloFromA.subarray(0, 17));
  ack[0] = 4;
  ack[17] = 99;
  r = await attempt(b, [helloFromA, ack]);
  assert.match(r.reason, /acknowledged frame 99/);
  // A peer with this shard's own node id.
  const twin = new Shard({ partitions: 8, seed: 99 });
  twin.nodeId = a.nodeId;
  r = await attempt(twin, [helloFromA]);
  assert.match(r.reason, /same node id/);
  // A peer with another partition map.
  const other = new Shard({ partitions: 16, seed: 5 });
  other.nodeId = 77n;
  r = await attempt(other, [helloFromA]);
  assert.match(r.reason, /16 partitions|8 partitions/);
  assert.equal(digest(b), before);
  assert.equal(b.command(['PING']), 'PONG');
});

// The Node class on worker_threads: routing, fan-outs, replies, links, restarts, ports.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { Node } from '../../js/cluster/node.mjs';
import { Shard, connect, routeCommand } from '../../js/node.mjs';

// A hang (a worker that never answers) fails its test instead of blocking the run.
const T = { timeout: 60000 };
const open = [];
async function start(opts) {
  const n = await Node.start(opts);
  open.push(n);
  return n;
}
after(() => Promise.all(open.map((n) => n.close())));

test('keys live on the shard owning their partition; replies keep their types', T, async () => {
  const node = await start({ shards: 3, partitions: 12, name: 'R' });
  const perShard = [0, 0, 0];
  for (let i = 0; i < 60; i++) {
    assert.equal(await node.command(['SET', `key:${i}`, i]), 'OK');
    perShard[routeCommand(['GET', `key:${i}`], 12) % 3]++;
  }
  const info = await node.info();
  assert.deepEqual(info.shards.map((s) => s.dbsize), perShard);
  assert.ok(perShard.every((n) => n > 0));
  assert.equal(await node.command(['GET', 'key:7']), '7');
  assert.equal(await node.command(['INCRBY', 'big', 9007199254740993n]), 9007199254740993n);
  await node.command(['HSET', 'h', 'f', new Uint8Array([0xff])]);
  assert.deepEqual(await node.command(['HGETALL', 'h']), ['f', new Uint8Array([0xff])]);
  await assert.rejects(node.command(['LPUSH', 'key:7', 'x']), { name: 'ReplyError', code: 'WRONGTYPE' });
  await assert.rejects(node.command(['MGET', 'a', 'b']), { name: 'ReplyError', code: 'CROSSSLOT' });
  await assert.rejects(node.command(['NOSUCH']), { name: 'ReplyError', code: 'ERR' });
  await assert.rejects(node.command(['HELLO', '3']), /not supported by Node.command/);
  // An error inside an array reply stays a ReplyError value.
  const mixed = await node.command(['EVAL', "return {1, redis.error_reply('ERR inner'), 'x'}", '0']);
  assert.equal(mixed[0], 1);
  assert.equal(mixed[1].name, 'ReplyError');
  assert.equal(mixed[1].message, 'ERR inner');
  assert.equal(mixed[2], 'x');
});

test("errors: 'return' resolves error replies, routing errors included", T, async () => {
  const node = await start({ shards: 2, errors: 'return' });
  await node.command(['SET', 's', '1']);
  const e = await node.command(['LPUSH', 's', 'x']);
  assert.equal(e.name, 'ReplyError');
  assert.equal(e.code, 'WRONGTYPE');
  assert.equal((await node.command(['MGET', 'a', 'b'])).code, 'CROSSSLOT');
});

test('keyless commands fan out: DBSIZE, KEYS, SCAN, RANDOMKEY, DEBUG DIGEST, FLUSHALL, SCRIPT', T, async () => {
  const node = await start({ shards: 2, partitions: 16 });
  const names = Array.from({ length: 40 }, (_, i) => `k${i}`);
  for (const k of names) await node.command(['SET', k, 'v']);
  assert.equal(await node.command(['DBSIZE']), 40);
  assert.deepEqual((await node.command(['KEYS', '*'])).sort(), [...names].sort());
  const seen = new Set();
  let cursor = '0';
  let rounds = 0;
  do {
    const [next, keys] = await node.command(['SCAN', cursor, 'COUNT', 5]);
    for (const k of keys) seen.add(k);
    cursor = next;
    rounds++;
  } while (cursor !== '0' && rounds < 1000);
  assert.equal(seen.size, 40);
  assert.ok(names.includes(await node.command(['RANDOMKEY'])));
  // One digest per node: the XOR of the shards' (as `marekvs serve` does).
  const per = await node.digests();
  const xor = Array.from(per[0], (c, i) => (parseInt(c, 16) ^ parseInt(per[1][i], 16)).toString(16)).join('');
  assert.equal(await node.command(['DEBUG', 'DIGEST']), xor);
  assert.equal(await node.digest(), xor);
  // SCRIPT LOAD reaches every shard: EVALSHA works wherever its keys route it.
  const sha = await node.command(['SCRIPT', 'LOAD', 'return KEYS[1]']);
  assert.deepEqual(await node.command(['SCRIPT', 'EXISTS', sha, 'f'.repeat(40)]), [1, 0]);
  for (const k of names.slice(0, 8)) assert.equal(await node.command(['EVALSHA', sha, 1, k]), k);
  // EVAL runs where its keys live and leaves the body on every shard too.
  assert.equal(await node.command(['EVAL', 'return ARGV[1]', 1, 'k1', 'hi']), 'hi');
  const sha2 = await node.command(['SCRIPT', 'LOAD', 'return ARGV[1]']);
  for (const k of names.slice(0, 8)) assert.equal(await node.command(['EVALSHA', sha2, 1, k, 'x']), 'x');
  assert.equal(await node.command(['FLUSHALL']), 'OK');
  assert.equal(await node.command(['DBSIZE']), 0);
  assert.equal(await node.command(['DEBUG', 'DIGEST']), '0'.repeat(40));
});

test('execBatch runs a Gateway payload on one shard (the server protocol)', T, async () => {
  const node = await start({ shards: 2 });
  const enc = new TextEncoder();
  const cmds = [['SET', 'x', '1'], ['GET', 'x']];
  const shard = node.owner[routeCommand(['GET', 'x'], node.partitions)];
  const parts = [];
  for (const argv of cmds) {
    const head = new Uint8Array(5);
    head[0] = 2;
    new DataView(head.buffer).setUint32(1, argv.length, true);
    parts.push(head);
    for (const a of argv) {
      const b = enc.encode(a);
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, b.length, true);
      parts.push(len, b);
    }
  }
  const payload = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    payload.set(p, off);
    off += p.length;
  }
  const { out, lens } = await node.execBatch(shard, payload);
  assert.equal(new TextDecoder().decode(out), '+OK\r\n$1\r\n1\r\n');
  assert.deepEqual(Array.from(lens), [5, 7]);
});

test('link checks: same shards and partitions, not itself, not twice', T, async () => {
  const a = await start({ shards: 2, partitions: 16, name: 'A' });
  const b = await start({ shards: 2, partitions: 8, name: 'B' });
  const c = await start({ shards: 1, partitions: 16, name: 'C' });
  const d = await start({ shards: 2, partitions: 16, name: 'D' });
  assert.throws(() => a.link(b), /same shards and partitions/);
  assert.throws(() => a.link(c), /same shards and partitions/);
  assert.throws(() => a.link(a), /itself/);
  const l = a.link(d);
  assert.throws(() => d.link(a), /already linked/);
  l.close();
  d.link(a).close();
});

test('linked nodes converge; a cut node catches up after heal; a restarted shard catches up from nothing', T, async () => {
  const a = await start({ shards: 2, partitions: 16, name: 'A' });
  const b = await start({ shards: 2, partitions: 16, name: 'B' });
  const link = a.link(b);
  for (let i = 0; i < 100; i++) await a.command(['SET', `a${i}`, i]);
  await Node.settle([a, b]);
  assert.equal(await b.command(['GET', 'a42']), '42');
  assert.ok(link.pairs.every((p) => p.live));

  link.cut();
  for (let i = 0; i < 50; i++) await b.command(['SADD', 'during-cut', i]);
  assert.equal(await a.command(['SCARD', 'during-cut']), 0);
  link.heal();
  const digest = await Node.settle([a, b]);
  assert.equal(await a.command(['SCARD', 'during-cut']), 50);
  assert.equal(await a.digest(), digest);

  const before = a.nodeIds[1];
  const inflight = Array.from({ length: 20 }, (_, i) => a.command(['SET', `x${i}`, i]).then(() => 'ok', (e) => e.name));
  const restarting = a.restartShard(1);
  const outcomes = await Promise.all(inflight);
  await restarting;
  assert.ok(outcomes.every((o) => o === 'ok' || o === 'ShardUnavailableError'), outcomes.join());
  assert.notEqual(a.nodeIds[1], before);
  await Node.settle([a, b]);
  assert.equal(await a.command(['GET', 'a42']), '42');
  assert.equal(await a.command(['DBSIZE']), await b.command(['DBSIZE']));
  // Writes on the restarted shard replicate under its new node id.
  for (let i = 0; i < 30; i++) await a.command(['SET', `after${i}`, i]);
  await Node.settle([a, b]);
  assert.equal(await b.command(['DBSIZE']), await a.command(['DBSIZE']));
});

test('attachPort: a shard worker replicates with a Shard in this thread, and again after a restart', T, async () => {
  const node = await start({ shards: 2, partitions: 8, name: 'P' });
  const local = new Shard({ partitions: 8, owned: node.ownedPartitions(0) });
  local.nodeId = 0x5eedn;
  let localLink = null;
  const factory = () => {
    const ch = new MessageChannel();
    localLink?.close('replaced');
    localLink = connect(local, ch.port2, { log: () => {} });
    return ch.port1;
  };
  const att = node.attachPort(0, factory);
  const keys = [];
  for (let i = 0; keys.length < 20; i++) {
    if (node.owner[routeCommand(['GET', `p${i}`], 8)] === 0) keys.push(`p${i}`);
  }
  for (const k of keys) await node.command(['SET', k, 'from-node']);
  local.command(['SET', 'local-only', 'x']);
  const waitFor = async (cond) => {
    for (let t = 0; t < 200 && !(await cond()); t++) await new Promise((r) => setTimeout(r, 25));
    return cond();
  };
  assert.ok(await waitFor(() => local.dbsize === 21), `local has ${local.dbsize} keys`);
  assert.ok(await waitFor(async () => (await node.command(['GET', 'local-only'])) === 'x'));
  assert.equal(att.state, 'live');
  assert.equal(att.peer, 0x5eedn);

  await node.restartShard(0);
  // The factory gave the fresh worker a new port; it catches up from the local shard.
  assert.ok(await waitFor(async () => (await node.command(['GET', keys[3]])) === 'from-node'));
  assert.ok(await waitFor(async () => (await node.info()).shards[0].dbsize === 21));
  att.detach();
  localLink.close();
});

test('close() terminates the workers; later commands reject', T, async () => {
  const node = await Node.start({ shards: 2 });
  await node.command(['SET', 'a', '1']);
  await node.close();
  await assert.rejects(node.command(['GET', 'a']), { name: 'ShardUnavailableError' });
});

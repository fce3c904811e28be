// The convergence scenario of issue #6, shared by the worker_threads test
// (test/cluster/node.test.mjs) and the Chromium one (test/browser/cluster.test.mjs): N nodes
// × S shard workers fully linked through faulty relays (duplicated and reordered frames);
// random writes and scripts on every node while links are cut and healed, one relay drops
// everything for a while, and one shard worker is terminated mid-stream and restarted from
// nothing. Returns what the caller asserts: the digests at quiescence, the values read back on
// every node, and every write attempted/acknowledged.
import { faultyRelay, prng } from './relay.mjs';

// A script writing two co-located keys (hash tag) atomically, and one for EVALSHA.
const SCRIPT_SET_HSET = "redis.call('SET', KEYS[1], ARGV[1]); redis.call('HSET', KEYS[2], 'f', ARGV[1]); return 1";
const SCRIPT_SADD_RPUSH = "redis.call('SADD', KEYS[1], ARGV[1]); redis.call('RPUSH', KEYS[2], ARGV[1]); return 2";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {{ Node: any, nodes?: number, shards?: number, partitions?: number, opsPerNode?: number,
 *   concurrency?: number, seed?: number, restart?: [number, number] }} p
 */
export async function runScenario(p) {
  const { Node } = p;
  const nNodes = p.nodes ?? 3;
  const shards = p.shards ?? 2;
  const partitions = p.partitions ?? 16;
  const opsPerNode = p.opsPerNode ?? 1200;
  const concurrency = p.concurrency ?? 4;
  const rng = prng(p.seed ?? 1);
  const [restartNode, restartShard] = p.restart ?? [nNodes - 1, shards - 1];
  const logs = [];
  const names = 'ABCDEFGH'.slice(0, nNodes).split('');

  const nodes = await Promise.all(names.map((name) => Node.start({
    shards, partitions, name, log: (m) => logs.push(m),
  })));
  const result = { logs, events: [], digests: null, reads: [], writes: null, counts: {}, relayStats: [], nodeIds: {} };
  try {
    // Full mesh, every link through a faulty relay.
    const relays = new Map();
    const links = new Map();
    for (let i = 0; i < nNodes; i++) {
      for (let j = i + 1; j < nNodes; j++) {
        const key = names[i] + names[j];
        const relay = faultyRelay({ rng, ...p.relay });
        relays.set(key, relay);
        links.set(key, nodes[i].link(nodes[j], { channel: relay.channel }));
      }
    }
    const idle = () => [...relays.values()].every((r) => r.pending === 0);

    // A script loaded on the first node only: once its record has replicated, EVALSHA works on
    // every node (it says NOSCRIPT only before).
    const sha = await nodes[0].command(['SCRIPT', 'LOAD', SCRIPT_SADD_RPUSH]);
    await Node.settle(nodes, { idle, timeoutMs: 20000 });
    result.evalshaEverywhere = [];
    for (const n of nodes) {
      result.evalshaEverywhere.push(await n.command(['EVALSHA', sha, 2, '{boot}:s', '{boot}:l', `boot-${n.name}`]));
    }

    // ------------------------------------------------------------ writes
    // strings: key → { attempted: Set, acked: Set, n }; sets/lists: key → { attempted, acked }
    const strings = new Map();
    const members = new Map();
    const record = (map, key, value, ok) => {
      let e = map.get(key);
      if (!e) map.set(key, (e = { attempted: new Set(), acked: new Set(), n: 0 }));
      e.attempted.add(value);
      e.n++;
      if (ok) e.acked.add(value);
    };
    const counts = { ok: 0, failed: 0, failures: {} };
    let seq = 0;
    // The mix of operations (weights).
    const weights = Object.entries(p.weights ?? { set: 30, once: 15, hset: 15, sadd: 10, rpush: 10, eval: 10, evalsha: 10 });
    const totalWeight = weights.reduce((t, [, w]) => t + w, 0);
    const pick = (x) => {
      let acc = 0;
      for (const [k, w] of weights) {
        acc += w / totalWeight;
        if (x < acc) return k;
      }
      return weights[weights.length - 1][0];
    };

    async function op(node) {
      const v = `${node.name}:${++seq}`;
      const kind = pick(rng());
      let argv;
      let writes; // [[map, key, value], ...] this op writes if it succeeds
      let expect;
      if (kind === 'set') {
        const k = `k:${Math.floor(rng() * 40)}`;
        argv = ['SET', k, v];
        writes = [[strings, k, v]];
        expect = 'OK';
      } else if (kind === 'once') {
        const k = `once:${v}`;
        argv = ['SET', k, v];
        writes = [[strings, k, v]];
        expect = 'OK';
      } else if (kind === 'hset') {
        const k = `h:${Math.floor(rng() * 10)}`;
        const f = `f${Math.floor(rng() * 8)}`;
        argv = ['HSET', k, f, v];
        writes = [[strings, `${k}\u0000${f}`, v]];
      } else if (kind === 'sadd') {
        const k = `s:${Math.floor(rng() * 5)}`;
        argv = ['SADD', k, v];
        writes = [[members, k, v]];
        expect = 1;
      } else if (kind === 'rpush') {
        const k = `l:${Math.floor(rng() * 5)}`;
        argv = ['RPUSH', k, v];
        writes = [[members, k, v]];
      } else if (kind === 'eval') {
        const t = `{t${Math.floor(rng() * 20)}}`;
        argv = ['EVAL', SCRIPT_SET_HSET, 2, `${t}:a`, `${t}:b`, v];
        writes = [[strings, `${t}:a`, v], [strings, `${t}:b\u0000f`, v]];
        expect = 1;
      } else {
        const t = `{u${Math.floor(rng() * 20)}}`;
        argv = ['EVALSHA', sha, 2, `${t}:s`, `${t}:l`, v];
        writes = [[members, `${t}:s`, v], [members, `${t}:l`, v]];
        expect = 2;
      }
      let ok = false;
      try {
        const reply = await node.command(argv);
        ok = expect === undefined ? typeof reply === 'number' : reply === expect;
        if (!ok) throw new Error(`unexpected reply ${String(reply)} to ${argv[0]}`);
      } catch (e) {
        counts.failed++;
        const why = `${argv[0]}: ${e.name} ${String(e.message).split(' ').slice(0, 3).join(' ')}`;
        counts.failures[why] = (counts.failures[why] ?? 0) + 1;
      }
      if (ok) counts.ok++;
      // A failed write may still have happened (its worker died after applying it): it is
      // "attempted", never "acknowledged".
      for (const [map, key, value] of writes) record(map, key, value, ok);
    }

    // Faults, at fractions of the run, while the writers keep going.
    const total = opsPerNode * nNodes;
    const firstLink = links.get(names[0] + names[1]);
    const lastLink = links.get(names[0] + names[nNodes - 1]);
    const lossy = relays.get(names[1] + names[nNodes - 1]) ?? relays.get(names[0] + names[1]);
    const schedule = [
      [0.1, 'cut ' + names[0] + names[1], () => firstLink.cut()],
      [0.25, 'blackhole on ' + names[1] + names[nNodes - 1], () => { lossy.blackhole = true; }],
      [0.4, 'heal ' + names[0] + names[1], () => firstLink.heal()],
      [0.5, `restart ${names[restartNode]} shard ${restartShard}`, async () => {
        result.nodeIds.before = nodes[restartNode].nodeIds[restartShard];
        await nodes[restartNode].restartShard(restartShard);
        result.nodeIds.after = nodes[restartNode].nodeIds[restartShard];
        result.dbsizeAfterRestart = (await nodes[restartNode].info()).shards[restartShard].dbsize;
      }],
      [0.65, 'blackhole off', () => { lossy.blackhole = false; }],
      [0.7, 'cut ' + names[0] + names[nNodes - 1], () => lastLink.cut()],
      [0.85, 'heal ' + names[0] + names[nNodes - 1], () => lastLink.heal()],
    ];
    let done = 0;
    const background = [];
    function maybeFault() {
      while (schedule.length > 0 && done >= schedule[0][0] * total) {
        const [, what, fn] = schedule.shift();
        result.events.push(`${what} (after ${done} ops)`);
        background.push(Promise.resolve(fn()));
      }
    }
    await Promise.all(nodes.flatMap((node) => Array.from({ length: concurrency }, async () => {
      for (let k = 0; k < opsPerNode / concurrency; k++) {
        await op(node);
        done++;
        maybeFault();
        // Let the replication traffic through now and then, as clients pause.
        if (k % 16 === 15) await sleep(1);
      }
    })));
    await Promise.all(background);
    result.counts = counts;

    // ------------------------------------------------------------ quiescence
    for (const l of links.values()) l.heal();
    lossy.blackhole = false;
    result.digests = null;
    try {
      result.digest = await Node.settle(nodes, { idle, timeoutMs: p.settleTimeoutMs ?? 30000 });
    } catch (e) {
      // Keep going: the reads below show what differs.
      result.settleError = String(e.message);
      result.vectors = await Promise.all(nodes.map(async (n) => ({ name: n.name, ids: n.nodeIds.map((x) => x.toString(16)), shards: (await n.info({ vectors: true })).shards.map((s) => s.vectors) })));
      result.restartedIds = [result.nodeIds.before?.toString(16), result.nodeIds.after?.toString(16)];
    }
    result.shardDigests = await Promise.all(nodes.map((n) => n.digests()));
    result.digests = await Promise.all(nodes.map((n) => n.command(['DEBUG', 'DIGEST'])));
    result.dbsizes = await Promise.all(nodes.map((n) => n.command(['DBSIZE'])));
    result.relayStats = [...relays].map(([k, r]) => ({ link: k, ...r.stats }));
    // Replication totals over the links open now (per shard): frames, snapshots, effects.
    const totals = { sentFrames: 0, appliedEffects: 0, snapshotsSent: 0, snapshotsApplied: 0, droppedBatches: 0, ignoredFrames: 0 };
    for (const n of nodes) {
      for (const sh of (await n.info()).shards) {
        for (const l of sh.links) for (const k of Object.keys(totals)) totals[k] += l.stats[k] ?? 0;
      }
    }
    result.linkTotals = totals;

    // Read back every key on every node.
    for (const n of nodes) {
      const values = {};
      for (const key of strings.keys()) {
        const [k, f] = key.split('\u0000');
        values[key] = f === undefined ? await n.command(['GET', k]) : await n.command(['HGET', k, f]);
      }
      const sets = {};
      for (const key of members.keys()) {
        sets[key] = isListKey(key)
          ? await n.command(['LRANGE', key, 0, -1])
          : await n.command(['SMEMBERS', key]);
      }
      result.reads.push({ node: n.name, values, sets });
    }
    const plain = (map) => Object.fromEntries([...map].map(([k, e]) => [k, { attempted: [...e.attempted], acked: [...e.acked], n: e.n }]));
    result.writes = { strings: plain(strings), members: plain(members) };
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
  return result;
}

/**
 * The invariants, as lists of violations by kind (all empty = pass): `digests` equal;
 * `strings` (SET, HSET fields, script writes): every key's value is one of the writes attempted
 * on it, not lost when a write was acknowledged, exactly the write for a key written once and
 * acknowledged; `sets`: every acknowledged SADD member is there, nothing never written;
 * `lists`: every acknowledged RPUSH element is there exactly once, nothing never written.
 */
export function checkScenario(result) {
  const bad = { digests: [], strings: [], sets: [], lists: [] };
  const { digests, reads, writes } = result;
  if (!digests.every((d) => d === digests[0])) bad.digests.push(`digests differ: ${digests.join(' ')}`);
  for (const { node, values, sets } of reads) {
    for (const [key, w] of Object.entries(writes.strings)) {
      const got = values[key];
      if (w.acked.length > 0 && got === null) bad.strings.push(`${node}: ${key} lost (acknowledged ${w.acked.join(',')})`);
      if (got !== null && !w.attempted.includes(got)) bad.strings.push(`${node}: ${key} = ${got}, never written`);
      if (w.n === 1 && w.acked.length === 1 && got !== w.acked[0]) bad.strings.push(`${node}: ${key} = ${got}, written once: ${w.acked[0]}`);
    }
    for (const [key, w] of Object.entries(writes.members)) {
      const got = sets[key];
      const isList = isListKey(key);
      const out = isList ? bad.lists : bad.sets;
      for (const m of w.acked) {
        const times = got.filter((x) => x === m).length;
        if (times === 0) out.push(`${node}: ${key} lost acknowledged ${m}`);
        if (isList && times > 1) out.push(`${node}: ${key} holds ${m} ${times} times`);
      }
      for (const m of got) if (!w.attempted.includes(m)) out.push(`${node}: ${key} holds ${m}, never written`);
    }
  }
  return bad;
}

function isListKey(key) {
  return key.startsWith('l:') || key.endsWith(':l');
}

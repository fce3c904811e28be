// One playground replica: a module Web Worker hosting one `Shard` of the npm package
// (unbundled, straight from /js/browser.mjs), linked to the other replicas by MessagePorts
// that the page transfers here. The page sends requests `{rid, op, ...}` and gets
// `{rid, ok, result | error}`; everything else this worker posts is an unsolicited update
// (`state`, `link`, `applied`, `log`).
import { Shard, connect, describeEffects, describeSnapshot } from '/js/browser.mjs';

const PARTITIONS = 16;
// Lua heap in bytes, read through a cached script (EVALSHA adds no record and no effect once
// the script is loaded: the engine exposes no other memory figure to JS).
const HEAP_PROBE = "return math.floor(collectgarbage('count') * 1024)";
const MAX_KEYS_SHOWN = 200;
const MAX_ITEMS_SHOWN = 24;

let shard = null;
let name = '?';
let probeSha = null;
const links = new Map(); // link id -> { link, port, peer }
const enc = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** RESP multibulk request for `argv` (strings), as redis-cli would send it. */
function encodeCommand(argv) {
  const parts = [enc.encode(`*${argv.length}\r\n`)];
  for (const a of argv) {
    const b = enc.encode(a);
    parts.push(enc.encode(`$${b.length}\r\n`), b, enc.encode('\r\n'));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Bytes as text for the keyspace view: UTF-8 when valid, else \xNN escapes. */
function text(v) {
  if (!(v instanceof Uint8Array)) return String(v);
  try {
    return utf8.decode(v);
  } catch {
    return Array.from(v, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  }
}

function heapBytes() {
  try {
    return Number(shard.command(['EVALSHA', probeSha, '0']));
  } catch {
    // SCRIPT FLUSH dropped the probe: load it again (one more script record, once).
    probeSha = shard.command(['SCRIPT', 'LOAD', HEAP_PROBE]);
    return Number(shard.command(['EVALSHA', probeSha, '0']));
  }
}

const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Runs one command on the shard's RESP session and returns the raw reply, how long it took,
 * the Lua heap around it (scripts only), and the effects it emitted: every partition whose
 * version vector moved is asked for what a peer at the old vector would lack. That works
 * with or without live links (the links take the same effects from the shard afterwards).
 */
function run({ argv, script }) {
  const parts = Array.from(shard.replicatedPartitions());
  const before = parts.map((p) => shard.versionVector(p));
  const heapBefore = script ? heapBytes() : null;
  const t0 = performance.now();
  const reply = shard.resp(encodeCommand(argv));
  const ms = performance.now() - t0;
  const heapAfter = script ? heapBytes() : null;
  const effects = [];
  let truncated = false;
  parts.forEach((p, i) => {
    if (sameBytes(shard.versionVector(p), before[i])) return;
    const batch = shard.effectsSince(p, before[i]);
    if (!batch) {
      truncated = true; // the bounded log no longer reaches back (a huge write)
      return;
    }
    for (const group of describeEffects(batch)) effects.push(...group.effects.map((e) => ({ ...e, partition: group.partition })));
  });
  scheduleState();
  effects.sort(byStamp);
  return { reply, ms, heapBefore, heapAfter, effects: effects.filter((e) => !isProbe(e)), truncated };
}

/** HLC order: physical ms, then the logical counter (`ms.counter@node`). */
const byStamp = (a, b) => a.ms - b.ms || Number(a.stamp.split('@')[0].split('.')[1]) - Number(b.stamp.split('@')[0].split('.')[1]);

const isProbe = (e) => probeSha !== null && e.key === `\u0000script:${probeSha}`;

/** A value summary for the keyspace view, from plain (RESP2) commands that write nothing. */
function describeKey(key) {
  const type = shard.command(['TYPE', key]);
  const pttl = Number(shard.command(['PTTL', key]));
  const n = MAX_ITEMS_SHOWN;
  let value;
  let size = null;
  switch (type) {
    case 'string':
      value = text(shard.command(['GET', key]));
      break;
    case 'hash': {
      const flat = shard.command(['HGETALL', key]);
      size = flat.length / 2;
      value = [];
      for (let i = 0; i < flat.length && value.length < n; i += 2) value.push([text(flat[i]), text(flat[i + 1])]);
      break;
    }
    case 'list':
      size = Number(shard.command(['LLEN', key]));
      value = shard.command(['LRANGE', key, '0', String(n - 1)]).map(text);
      break;
    case 'set':
      size = Number(shard.command(['SCARD', key]));
      value = shard.command(['SMEMBERS', key]).slice(0, n).map(text).sort();
      break;
    case 'zset': {
      size = Number(shard.command(['ZCARD', key]));
      const flat = shard.command(['ZRANGE', key, '0', String(n - 1), 'WITHSCORES']);
      value = [];
      for (let i = 0; i < flat.length; i += 2) value.push([text(flat[i]), text(flat[i + 1])]);
      break;
    }
    default:
      value = null;
  }
  return { key, type, pttl, size, value };
}

function keyspace() {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = shard.command(['SCAN', cursor, 'COUNT', '1000']);
    keys.push(...batch.map(text));
    cursor = next;
  } while (cursor !== '0' && keys.length < MAX_KEYS_SHOWN);
  keys.sort();
  return keys.slice(0, MAX_KEYS_SHOWN).map(describeKey).filter((k) => k.type !== 'none');
}

function linkInfo(id) {
  const { link, peer } = links.get(id);
  return { id, peer, state: link.state, closeReason: link.closeReason ?? null, stats: { ...link.stats } };
}

/** Keyspace, digest and link stats, posted at most every 60 ms while things change. */
let stateTimer = null;
function scheduleState() {
  if (stateTimer !== null) return;
  stateTimer = setTimeout(() => {
    stateTimer = null;
    postState();
  }, 60);
}

function postState() {
  self.postMessage({
    type: 'state',
    digest: shard.command(['DEBUG', 'DIGEST']),
    dbsize: shard.dbsize,
    keys: keyspace(),
    links: [...links.keys()].map(linkInfo),
  });
}

function onLinkEvent(id, peer, ev) {
  if (ev.type === 'applied') {
    const described = ev.kind === 'snapshot' ? [describeSnapshot(ev.data)] : describeEffects(ev.data);
    const effects = [];
    for (const g of described) for (const e of g.effects) if (!isProbe(e)) effects.push({ ...e, partition: g.partition });
    if (effects.length) self.postMessage({ type: 'applied', from: peer, kind: ev.kind, at: Date.now(), effects });
    scheduleState();
  } else if (ev.type === 'refused') {
    self.postMessage({ type: 'log', text: `link to ${peer}: batch refused (${ev.reason}), retried later` });
  } else if (ev.type === 'live') {
    self.postMessage({ type: 'log', text: `link to ${peer} live` });
  } else if (ev.type === 'closed') {
    self.postMessage({ type: 'log', text: `link to ${peer} closed: ${ev.reason}` });
  } else if (ev.type === 'sent' && ev.kind !== 'live') {
    self.postMessage({ type: 'log', text: `sent ${peer} a ${ev.kind === 'snapshot' ? 'snapshot' : 'catch-up'} of ${ev.bytes} bytes` });
  }
  if (ev.type !== 'sent' && links.has(id)) self.postMessage({ type: 'link', link: linkInfo(id) });
}

const ops = {
  init({ name: n, index, scriptTimeLimitMs }) {
    name = n;
    shard = new Shard({ partitions: PARTITIONS, seed: index + 1, scriptTimeLimitMs });
    // Every incarnation needs its own origin id (a replica reusing one would be believed to
    // already hold its earlier writes).
    const id = new BigUint64Array(1);
    crypto.getRandomValues(id);
    shard.nodeId = id[0] || 1n;
    shard.resp(encodeCommand(['HELLO', '3'])); // typed replies: maps, sets, doubles
    probeSha = shard.command(['SCRIPT', 'LOAD', HEAP_PROBE]);
    // Keys with a TTL disappear on their own in the keyspace view.
    setInterval(() => {
      if (shard.activeExpire(64) > 0) scheduleState();
    }, 500);
    scheduleState();
    return { name, nodeId: shard.nodeId.toString(16).padStart(16, '0'), partitions: PARTITIONS };
  },
  run,
  link({ linkId: id, port, peer }) {
    const link = connect(shard, port, {
      onEvent: (ev) => onLinkEvent(id, peer, ev),
      log: (msg) => self.postMessage({ type: 'log', text: `link to ${peer}: ${msg}` }),
    });
    links.set(id, { link, port, peer });
    return linkInfo(id);
  },
  unlink({ linkId: id, reason }) {
    const entry = links.get(id);
    if (!entry) return null;
    entry.link.close(reason);
    entry.port.close();
    links.delete(id);
    scheduleState();
    return null;
  },
  state() {
    postState();
    return null;
  },
};

self.onmessage = (e) => {
  const { rid, op, ...args } = e.data;
  try {
    const result = ops[op](args);
    const transfer = result?.reply ? [result.reply.buffer] : [];
    self.postMessage({ rid, ok: true, result }, transfer);
  } catch (err) {
    self.postMessage({ rid, ok: false, error: String(err?.message ?? err) });
  }
};

// The wasm module loads with a top-level await, and messages that arrive before this handler
// exists are lost: the page waits for this first.
self.postMessage({ type: 'ready' });

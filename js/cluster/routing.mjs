// Where a Node sends a command, and how the replies of a fan-out combine. Pure functions
// shared by the worker_threads and the Web Worker entries; the wasm `routeCommand` is passed
// in. Partition p belongs to shard p % shards (as in `marekvs serve`), so shard i of every
// Node with the same shards/partitions serves the same partition set and can replicate with
// shard i of a peer.
import { replyError, isReplyError } from './replies.mjs';

const dec = new TextDecoder();

/** owner[p] = shard serving partition p. */
export function ownerMap(partitions, shards) {
  const owner = new Uint16Array(partitions);
  for (let p = 0; p < partitions; p++) owner[p] = p % shards;
  return owner;
}

/** The partitions shard `index` serves. */
export function ownedPartitions(partitions, shards, index) {
  const owned = [];
  for (let p = index; p < partitions; p += shards) owned.push(p);
  return owned;
}

function word(a) {
  if (typeof a === 'string') return a.toLowerCase();
  if (a instanceof Uint8Array) return dec.decode(a).toLowerCase();
  return String(a).toLowerCase();
}

const firstError = (rs) => rs.find(isReplyError);

function sum(rs) {
  const e = firstError(rs);
  if (e) return e;
  let n = 0;
  for (const r of rs) n += Number(r);
  return n;
}

function concat(rs) {
  return firstError(rs) ?? rs.flat();
}

function ok(rs) {
  return firstError(rs) ?? 'OK';
}

function first(rs) {
  return firstError(rs) ?? rs[0];
}

function orEach(rs) {
  const e = firstError(rs);
  if (e) return e;
  return rs[0].map((_, i) => (rs.some((r) => r[i] === 1 || r[i] === true) ? 1 : 0));
}

/** Bytewise XOR of equal-length hex digests (an empty shard's digest is all zeros). */
export function xorHex(digests) {
  let out = digests[0];
  for (let k = 1; k < digests.length; k++) {
    const d = digests[k];
    if (typeof d !== 'string' || d.length !== out.length) continue;
    let s = '';
    for (let i = 0; i < out.length; i++) {
      s += (parseInt(out[i], 16) ^ parseInt(d[i], 16)).toString(16);
    }
    out = s;
  }
  return out;
}

function xorDigest(rs) {
  return firstError(rs) ?? xorHex(rs);
}

function xorDigestValues(rs) {
  const e = firstError(rs);
  if (e) return e;
  return rs[0].map((_, i) => xorHex(rs.map((r) => r[i])));
}

/** Commands a Node answers by fanning out to every shard, with the combiner of the replies. */
const FANOUT = {
  dbsize: sum,
  keys: concat,
  flushall: ok,
  flushdb: ok,
  'config set': ok,
  'config resetstat': ok,
  'script flush': ok,
  'script load': first,
  'script exists': orEach,
  'debug digest': xorDigest,
  'debug digest-value': xorDigestValues,
};

// Connection state has no meaning for Node.command (every call is its own "connection"
// spread over several shards): the protocol is a Node option, transactions need a script.
const REFUSED = new Set(['hello', 'reset', 'quit', 'subscribe', 'psubscribe', 'ssubscribe',
  'unsubscribe', 'punsubscribe', 'sunsubscribe', 'monitor']);

/**
 * The plan for one command:
 *   { kind: 'one', shard }            run on that shard
 *   { kind: 'eval', shard, body }     EVAL: run on `shard`, `SCRIPT LOAD body` on the others
 *                                     (so a later EVALSHA finds it wherever its keys route it)
 *   { kind: 'all', combine }          every shard, replies combined
 *   { kind: 'scan' }                  SCAN: one shard at a time (see scanStep)
 *   { kind: 'randomkey' }             first non-nil RANDOMKEY from a random shard on
 * Throws a ReplyError for an unknown command, wrong arity, CROSSSLOT or a refused command.
 */
export function planCommand(argv, partitions, shards, owner, routeCommand) {
  if (!Array.isArray(argv) || argv.length === 0) throw replyError('ERR empty command');
  const name = word(argv[0]);
  if (REFUSED.has(name)) {
    throw replyError(`ERR '${name}' is not supported by Node.command (no connection state; use the protocol option)`);
  }
  const p = routeCommand(argv, partitions);
  const isEval = name === 'eval';
  if (p !== null && p !== undefined) {
    const shard = owner[p];
    return isEval && shards > 1 ? { kind: 'eval', shard, body: argv[1] } : { kind: 'one', shard };
  }
  if (isEval) return shards > 1 ? { kind: 'eval', shard: 0, body: argv[1] } : { kind: 'one', shard: 0 };
  if (name === 'scan') return { kind: 'scan' };
  if (name === 'randomkey') return { kind: 'randomkey' };
  const combine = FANOUT[name] ?? (argv.length > 1 ? FANOUT[`${name} ${word(argv[1])}`] : undefined);
  if (combine) return { kind: 'all', combine };
  return { kind: 'one', shard: 0 };
}

// SCAN cursors: the low 8 bits are the shard index, the rest the shard's own cursor rounded
// down to a multiple of 256 (a resumed scan may return a few keys twice, which SCAN allows,
// and never skips one). Same encoding as `marekvs serve` (src/session.rs, scan_cursor).
const MASK = 255n;

/** → { shard, argv } for the shard to scan next, or a ReplyError for a bad cursor. */
export function scanStep(argv, shards) {
  let c;
  try {
    c = BigInt(typeof argv[1] === 'string' ? argv[1] : word(argv[1]));
  } catch {
    return { error: replyError('ERR invalid cursor') };
  }
  if (c < 0n || c >= 1n << 64n) return { error: replyError('ERR invalid cursor') };
  const shard = Number(c & MASK);
  if (shard >= shards) return { error: replyError('ERR invalid cursor') };
  const local = c & ~MASK;
  return { shard, argv: [argv[0], local.toString(), ...argv.slice(2)] };
}

/** The shard's SCAN reply → the combined cursor. */
export function scanRewrite(reply, shard, shards) {
  if (isReplyError(reply) || !Array.isArray(reply)) return reply;
  const next = BigInt(typeof reply[0] === 'string' ? reply[0] : word(reply[0]));
  let combined;
  if (next !== 0n) {
    combined = (next & ~MASK) | BigInt(shard);
    if (combined === 0n) combined = MASK + 1n; // a local cursor below 256 on shard 0
  } else if (shard + 1 < shards) {
    combined = BigInt(shard + 1);
  } else {
    combined = 0n;
  }
  return [combined.toString(), reply[1]];
}

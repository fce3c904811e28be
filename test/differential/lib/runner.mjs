// Run command sequences against the reference and the target and collect mismatches.

import { RespConnection, rawExchange } from './resp.mjs';
import { compareReplies, formatMismatch, fmtCmd } from './compare.mjs';

/** Normalise a step: ['SET','k','v'] or {cmd:[...], cmp:'unordered'}. */
export function normStep(s) {
  if (Array.isArray(s)) return { cmd: s, cmp: 'exact' };
  if (!s || !Array.isArray(s.cmd)) throw new Error(`bad step ${JSON.stringify(s)}`);
  return { cmp: 'exact', ...s };
}

async function openPair(ref, target) {
  const [a, b] = await Promise.all([RespConnection.connect(ref), RespConnection.connect(target)]);
  return [a, b];
}

/**
 * Run one case {name, steps, proto?} on fresh connections after FLUSHALL on both.
 * Resolves to an array of mismatches (empty when the servers agree).
 */
export async function runCase(ref, target, kase, { contextSteps = 3, flush = true, dump = true } = {}) {
  const [a, b] = await openPair(ref, target);
  const mismatches = [];
  const history = [];
  try {
    if (flush) await Promise.all([a.call(['FLUSHALL']), b.call(['FLUSHALL'])]);
    if (kase.proto === 3) {
      const [ra, rb] = await Promise.all([a.call(['HELLO', '3']), b.call(['HELLO', '3'])]);
      const reason = compareReplies(ra, rb, 'type');
      if (reason) mismatches.push({ where: kase.name, step: 'HELLO', cmd: ['HELLO', '3'], mode: 'type', reason, expected: ra, actual: rb, context: [] });
    }
    const steps = kase.steps.map(normStep);
    for (let i = 0; i < steps.length; i++) {
      const { cmd, cmp } = steps[i];
      let ra;
      let rb;
      try {
        [ra, rb] = await Promise.all([a.call(cmd), b.call(cmd)]);
      } catch (e) {
        mismatches.push({ where: kase.name, step: i, cmd, mode: cmp, reason: `transport: ${e.message}`, expected: ra, actual: rb, context: history.slice(-contextSteps) });
        break;
      }
      const reason = compareReplies(ra, rb, cmp);
      if (reason) mismatches.push({ where: kase.name, step: i, cmd, mode: cmp, reason, expected: ra, actual: rb, context: history.slice(-contextSteps) });
      history.push(cmd);
    }
    if (dump && mismatches.length === 0) {
      if (kase.proto === 3) await Promise.all([a.call(['HELLO', '2']), b.call(['HELLO', '2'])]);
      const [da, db] = await Promise.all([dumpDb(a), dumpDb(b)]);
      if (da !== db) {
        mismatches.push({ where: kase.name, step: 'final dump', cmd: ['(dump)'], mode: 'exact', reason: 'keyspace differs', expected: { t: 'bulk', v: Buffer.from(da) }, actual: { t: 'bulk', v: Buffer.from(db) }, context: history.slice(-contextSteps) });
      }
    }
  } finally {
    a.close();
    b.close();
  }
  return mismatches;
}

/**
 * A canonical text dump of db 0: every key (sorted) with its type, TTL-ness and content
 * (hash pairs, set members and sorted-set order normalised). RESP2 connection expected.
 */
export async function dumpDb(c) {
  const keys = await c.call(['KEYS', '*']);
  if (keys.t !== 'array') return `KEYS failed: ${JSON.stringify(keys)}`;
  const names = keys.v.map((k) => k.v).sort(Buffer.compare);
  const out = [];
  const txt = (r) => (r.t === 'bulk' ? JSON.stringify(r.v.toString('latin1')) : r.t === 'int' ? String(r.v) : JSON.stringify(r));
  for (const k of names) {
    const type = (await c.call(['TYPE', k])).v;
    const ttl = await c.call(['PTTL', k]);
    const hasTtl = ttl.t === 'int' && ttl.v >= 0n ? ' (volatile)' : '';
    let body;
    switch (type) {
      case 'string': body = txt(await c.call(['GET', k])); break;
      case 'list': body = (await c.call(['LRANGE', k, '0', '-1'])).v.map(txt).join(' '); break;
      case 'set': body = (await c.call(['SMEMBERS', k])).v.map(txt).sort().join(' '); break;
      case 'hash': {
        const r = (await c.call(['HGETALL', k])).v;
        const pairs = [];
        for (let i = 0; i < r.length; i += 2) pairs.push(`${txt(r[i])}=${txt(r[i + 1])}`);
        body = pairs.sort().join(' ');
        break;
      }
      case 'zset': body = (await c.call(['ZRANGE', k, '0', '-1', 'WITHSCORES'])).v.map(txt).join(' '); break;
      default: body = '(not dumped)';
    }
    out.push(`${JSON.stringify(k.toString('latin1'))} ${type}${hasTtl}: ${body}`);
  }
  return out.join('\n');
}

/**
 * A protocol-level case: send raw bytes (string or chunks) to both on fresh connections and
 * compare the exact reply bytes and whether the server closed the connection.
 */
export async function runRawCase(ref, target, kase) {
  const [ra, rb] = await Promise.all([rawExchange(ref, kase.send, kase.opts), rawExchange(target, kase.send, kase.opts)]);
  const same = ra.bytes.equals(rb.bytes) && (kase.ignoreClose || ra.closed === rb.closed);
  if (same) return [];
  const show = (r) => `${JSON.stringify(r.bytes.toString('latin1'))}${r.closed ? ' [closed]' : ''}`;
  return [{
    where: kase.name,
    step: 'raw',
    cmd: [typeof kase.send === 'string' ? kase.send : '(chunks)'],
    mode: 'bytes',
    reason: 'raw reply bytes differ',
    expected: { t: 'status', v: show(ra) },
    actual: { t: 'status', v: show(rb) },
    context: [],
  }];
}

export function report(mismatches, refName, targetName, max = 20) {
  const shown = mismatches.slice(0, max).map((m) => formatMismatch(m, refName, targetName));
  if (mismatches.length > max) shown.push(`... and ${mismatches.length - max} more`);
  return shown.join('\n\n');
}

export { fmtCmd };

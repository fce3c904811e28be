// Reply comparison with per-step modes, and readable diffs.
//
// Modes (the `cmp` of a step; default 'exact'):
//   exact      same type and value, recursively (RESP types are NOT interchangeable)
//   unordered  array/set/map compared as multisets of exact elements (SMEMBERS, KEYS, ...)
//   pairs      a flat [k1, v1, k2, v2, ...] array or a map compared as an unordered set of
//              pairs (HGETALL, HRANDFIELD ... WITHVALUES on the same data)
//   shape      same types recursively and same aggregate lengths, values not compared
//              (SRANDMEMBER n, HRANDFIELD n, TIME, DEBUG DIGEST-VALUE)
//   type       same top-level type only (INFO, CLIENT ID, SPOP, SCAN, RANDOMKEY)
//   skip       not compared (still sent)
// For every mode except 'skip', an error reply on one side must be an error on the other;
// in 'type' and 'shape' modes the error texts must still match exactly.

import { show } from './resp.mjs';

export const MODES = ['exact', 'unordered', 'pairs', 'shape', 'type', 'skip'];

/** Canonical string of a reply (exact identity, used for sorting and multiset equality). */
export function canon(r) {
  if (r === undefined) return 'undefined';
  switch (r.t) {
    case 'bulk': return `$${r.v.toString('hex')}`;
    case 'verbatim': return `=${r.f}:${r.v.toString('hex')}`;
    case 'int': return `:${r.v}`;
    case 'nil': case 'nilarray': case 'null': return r.t;
    case 'map': return `%[${r.v.map(([k, v]) => `${canon(k)}=>${canon(v)}`).join(',')}]`;
    case 'array': case 'set': case 'push': return `${r.t}[${r.v.map(canon).join(',')}]`;
    default: return `${r.t}:${JSON.stringify(r.v)}`;
  }
}

const AGG = new Set(['array', 'set', 'push', 'map']);

function shapeDiff(a, b, p) {
  if (a.t !== b.t) return `${p}: type ${a.t} vs ${b.t}`;
  if (a.t === 'error') return a.v === b.v ? null : `${p}: error text differs`;
  if (!AGG.has(a.t)) return null;
  if (a.v.length !== b.v.length) return `${p}: length ${a.v.length} vs ${b.v.length}`;
  for (let i = 0; i < a.v.length; i++) {
    const d = a.t === 'map'
      ? shapeDiff(a.v[i][0], b.v[i][0], `${p}[${i}].key`) || shapeDiff(a.v[i][1], b.v[i][1], `${p}[${i}].value`)
      : shapeDiff(a.v[i], b.v[i], `${p}[${i}]`);
    if (d) return d;
  }
  return null;
}

function exactDiff(a, b, p) {
  if (a.t !== b.t) return `${p}: type ${a.t} vs ${b.t}`;
  if (AGG.has(a.t)) {
    if (a.v.length !== b.v.length) return `${p}: length ${a.v.length} vs ${b.v.length}`;
    for (let i = 0; i < a.v.length; i++) {
      const d = a.t === 'map'
        ? exactDiff(a.v[i][0], b.v[i][0], `${p}[${i}].key`) || exactDiff(a.v[i][1], b.v[i][1], `${p}[${i}].value`)
        : exactDiff(a.v[i], b.v[i], `${p}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  return canon(a) === canon(b) ? null : `${p}: value differs`;
}

function multiset(items) {
  return items.map(canon).sort();
}

/**
 * Compare reference reply `a` (redis) with target reply `b` under `mode`.
 * Returns null when they agree, else a short reason.
 */
export function compareReplies(a, b, mode = 'exact') {
  if (mode === 'skip') return null;
  if (a === undefined || b === undefined) return a === b ? null : 'missing reply';
  if ((a.t === 'error') !== (b.t === 'error')) return `type ${a.t} vs ${b.t}`;
  switch (mode) {
    case 'exact':
      return exactDiff(a, b, 'reply');
    case 'type':
      if (a.t !== b.t) return `type ${a.t} vs ${b.t}`;
      return a.t === 'error' && a.v !== b.v ? 'error text differs' : null;
    case 'shape':
      return shapeDiff(a, b, 'reply');
    case 'unordered': {
      if (a.t !== b.t) return `type ${a.t} vs ${b.t}`;
      if (!AGG.has(a.t)) return exactDiff(a, b, 'reply');
      const x = a.t === 'map' ? a.v.map(([k, v]) => `${canon(k)}=>${canon(v)}`).sort() : multiset(a.v);
      const y = b.t === 'map' ? b.v.map(([k, v]) => `${canon(k)}=>${canon(v)}`).sort() : multiset(b.v);
      return x.join('\n') === y.join('\n') ? null : 'elements differ (unordered)';
    }
    case 'pairs': {
      if (a.t !== b.t) return `type ${a.t} vs ${b.t}`;
      if (!AGG.has(a.t)) return exactDiff(a, b, 'reply');
      const pairs = (r) => {
        if (r.t === 'map') return r.v.map(([k, v]) => `${canon(k)}=>${canon(v)}`).sort();
        const out = [];
        for (let i = 0; i < r.v.length; i += 2) out.push(`${canon(r.v[i])}=>${canon(r.v[i + 1])}`);
        return out.sort();
      };
      return pairs(a).join('\n') === pairs(b).join('\n') ? null : 'pairs differ (unordered)';
    }
    default:
      throw new Error(`unknown compare mode ${mode}`);
  }
}

export function fmtCmd(args) {
  return args.map((a) => {
    const s = Buffer.isBuffer(a) ? a.toString('latin1') : String(a);
    return /^[\x21-\x7e]+$/.test(s) && !/["']/.test(s) ? s : JSON.stringify(s);
  }).join(' ');
}

/** A readable block for one mismatch. */
export function formatMismatch(m, refName = 'redis', targetName = 'marekvs') {
  const lines = [];
  lines.push(`✗ ${m.where}  step ${m.step}: ${fmtCmd(m.cmd)}   [${m.mode}: ${m.reason}]`);
  lines.push(`  ${refName}:`);
  lines.push(show(m.expected, '    '));
  lines.push(`  ${targetName}:`);
  lines.push(show(m.actual, '    '));
  if (m.context && m.context.length) {
    lines.push('  preceded by:');
    for (const c of m.context) lines.push(`    ${fmtCmd(c)}`);
  }
  return lines.join('\n');
}

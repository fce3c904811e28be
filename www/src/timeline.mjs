// The effects timeline: one group per command that wrote (its effects with their HLC stamps,
// as the origin replica emitted them), and per effect the moment each other replica applied
// it — live, by catch-up after a heal, or from a snapshot. Stamps are `ms.counter@node`.
import { h } from './reply-view.mjs';
import { NAMES } from './cluster.mjs';

const MAX_GROUPS = 40;

const pad = (n, w = 2) => String(n).padStart(w, '0');
const clock = (ms) => {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
};

/** What an effect did, in one line (`hset {order:42}:meta status = paid`). */
export function effectText(e) {
  const show = (s) => (s.length > 60 ? s.slice(0, 57) + '…' : s);
  // Hidden script records (SCRIPT LOAD / EVAL store the body for EVALSHA on other replicas).
  if (e.key.startsWith('\u0000script:')) return `${e.op} script record ${e.key.slice(8, 20)}…`;
  const parts = [e.op, e.key];
  if (e.field !== undefined) parts.push(e.field);
  if (e.member !== undefined) parts.push(e.member);
  if (e.score !== undefined) parts.push(`score ${e.score}`);
  if (e.value !== undefined) parts.push(`= ${show(String(e.value))}`);
  if (e.at !== undefined) parts.push(`at ${clock(Number(e.at))}`);
  return parts.map((p) => show(String(p))).join(' ');
}

export class Timeline {
  constructor(root, cluster) {
    this.root = root;
    this.cluster = cluster;
    this.groups = []; // { label, origin, at, effects: [{ e, applied: Map(replica -> {at, kind}) }] }
    this.byStamp = new Map();
  }

  /** Effects a command emitted on replica `origin`. */
  addRun(origin, label, effects, at = Date.now()) {
    if (!effects.length) return;
    // The group's time is its first stamp's (the moment the origin wrote).
    const group = { label, origin, at: Math.min(...effects.map((e) => e.ms)), effects: [] };
    for (const e of effects) {
      const item = { e, applied: new Map([[origin, { at, kind: 'origin' }]]) };
      group.effects.push(item);
      this.byStamp.set(stampKey(e), item);
    }
    this.groups.unshift(group);
    for (const old of this.groups.splice(MAX_GROUPS)) for (const item of old.effects) this.byStamp.delete(stampKey(item.e));
    this.render();
  }

  /** Replica `replica` applied `effects` (from a link event). */
  applied(replica, { effects, kind, at, from }) {
    const unknown = [];
    for (const e of effects) {
      const item = this.byStamp.get(stampKey(e));
      if (!item) unknown.push(e);
      else if (!item.applied.has(replica)) item.applied.set(replica, { at, kind, from });
    }
    // Effects whose emission this page did not see (made before it loaded, or by a replica
    // the page restarted) still get a group, keyed by their origin.
    if (unknown.length) {
      const origin = this.cluster.replicaOf(unknown[0].origin);
      const group = { label: `arrived from ${from}`, origin, at, effects: [] };
      for (const e of unknown) {
        const item = { e, applied: new Map([[replica, { at, kind, from }]]) };
        group.effects.push(item);
        this.byStamp.set(stampKey(e), item);
      }
      this.groups.unshift(group);
    }
    this.render();
  }

  clear() {
    this.groups = [];
    this.byStamp.clear();
    this.render();
  }

  render() {
    const n = this.cluster.size;
    const head = h('div', { class: 'tl-row tl-head', role: 'row' },
      h('span', { class: 'tl-effect', role: 'columnheader' }, 'effect · HLC stamp'),
      ...NAMES.slice(0, n).map((name) => h('span', { class: 'tl-cell', role: 'columnheader' }, name)));
    const body = [];
    for (const g of this.groups) {
      body.push(h('div', { class: 'tl-group', role: 'row' },
        h('span', { role: 'cell' },
          h('span', { class: `replica-dot r${g.origin}` }, NAMES[g.origin] ?? '?'),
          ' ', h('strong', {}, g.label), ' ',
          h('span', { class: 'muted' }, `${clock(g.at)} · ${g.effects.length} effect${g.effects.length === 1 ? '' : 's'}`))));
      for (const item of g.effects) body.push(this.#effectRow(item, g, n));
    }
    this.root.replaceChildren(head, ...(body.length ? body : [h('p', { class: 'muted empty-note' }, 'Writes appear here with their HLC stamps, and when each replica applied them.')]));
  }

  #effectRow(item, group, n) {
    const e = item.e;
    const origin = this.cluster.replicaOf(e.origin);
    const stamp = h('code', { class: 'stamp', title: `HLC ${e.stamp}` }, `${clock(e.ms)}.${e.stamp.split('@')[0].split('.')[1]}@${NAMES[origin] ?? e.origin.slice(0, 6)}`);
    const cells = [];
    for (let r = 0; r < n; r++) {
      const a = item.applied.get(r);
      let text;
      let cls;
      let title;
      if (!a) {
        text = '…';
        cls = 'pending';
        title = `${NAMES[r]} has not applied this effect yet`;
      } else if (a.kind === 'origin') {
        text = '●';
        cls = 'origin';
        title = `emitted by ${NAMES[r]}`;
      } else {
        const dt = Math.max(0, a.at - e.ms);
        text = `+${dt < 10000 ? dt + ' ms' : (dt / 1000).toFixed(1) + ' s'}`;
        cls = a.kind === 'live' ? 'live' : 'catchup';
        title = `${NAMES[r]} applied it ${a.kind === 'live' ? 'live' : a.kind === 'snapshot' ? 'from a snapshot' : 'by catch-up'} from ${a.from}, ${dt} ms after its stamp`;
      }
      cells.push(h('span', { class: `tl-cell ${cls}`, role: 'cell', title, 'data-replica': NAMES[r] },
        text, a && a.kind !== 'origin' && a.kind !== 'live' ? h('small', {}, a.kind === 'snapshot' ? ' snap' : ' catch-up') : null));
    }
    return h('div', { class: 'tl-row', role: 'row', 'data-stamp': e.stamp },
      h('span', { class: 'tl-effect', role: 'cell' }, h('span', { class: 'op' }, effectText(e)), ' ', stamp), ...cells);
  }
}

const stampKey = (e) => `${e.partition}|${e.stamp}`;

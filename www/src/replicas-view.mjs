// Replica cards (digest, keyspace, a command console each), the link controls (cut / heal),
// and the convergence indicator: all replicas' DEBUG DIGEST equal.
import { h, renderReply } from './reply-view.mjs';
import { decodeReplies } from './resp.mjs';
import { splitArgs } from './args.mjs';
import { keySlot, partitionOfSlot } from './slot.mjs';
import { NAMES } from './cluster.mjs';

const MAX_CONSOLE = 30;

function ttlText(pttl) {
  if (pttl < 0) return '';
  return pttl >= 10000 ? `${Math.round(pttl / 1000)} s` : `${(pttl / 1000).toFixed(1)} s`;
}

function valueCell(k) {
  switch (k.type) {
    case 'string':
      return h('span', { class: 'str' }, JSON.stringify(k.value));
    case 'hash':
    case 'zset':
      return h('span', {}, ...k.value.map(([a, b]) => h('span', { class: 'pair' }, h('span', { class: 'f' }, a), ' ', h('span', { class: 'v' }, b))),
        k.size > k.value.length ? h('span', { class: 'muted' }, ` +${k.size - k.value.length}`) : null);
    case 'list':
    case 'set':
      return h('span', {}, ...k.value.map((v) => h('span', { class: 'item' }, v)),
        k.size > k.value.length ? h('span', { class: 'muted' }, ` +${k.size - k.value.length}`) : null);
    default:
      return h('span', { class: 'muted' }, k.type);
  }
}

export class ReplicasView {
  constructor(root, cluster, { onConsole }) {
    this.root = root;
    this.cluster = cluster;
    this.onConsole = onConsole;
    this.states = [];
    this.cards = [];
  }

  build() {
    const n = this.cluster.size;
    this.linksEl = h('div', { class: 'links', role: 'group', 'aria-label': 'Links between replicas' });
    this.convergence = h('div', { class: 'convergence', id: 'convergence', role: 'status', 'aria-live': 'polite' });
    const grid = h('div', { class: 'replica-grid' });
    for (let i = 0; i < n; i++) {
      const card = this.#card(i);
      this.cards.push(card);
      grid.append(card.el);
    }
    this.root.replaceChildren(h('div', { class: 'links-bar' }, this.linksEl, this.convergence), grid);
    this.renderLinks();
    // States that arrived while the replicas were starting.
    this.states.forEach((state, i) => state && this.setState(i, state));
    this.renderConvergence();
  }

  #card(i) {
    const name = NAMES[i];
    const info = this.cluster.info[i];
    const digest = h('code', { class: 'digest', 'data-digest': '' }, '…');
    const count = h('span', { class: 'muted keycount' }, '');
    const tbody = h('tbody');
    const table = h('table', { class: 'keyspace' },
      h('caption', { class: 'sr-only' }, `Keyspace of replica ${name}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'key'), h('th', { scope: 'col' }, 'type'), h('th', { scope: 'col' }, 'value'), h('th', { scope: 'col' }, 'ttl'))),
      tbody);
    const log = h('div', { class: 'console-log', 'aria-live': 'polite', role: 'log', 'aria-label': `Console output of replica ${name}` });
    const input = h('input', {
      class: 'console-input', type: 'text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off',
      'aria-label': `Command for replica ${name}`, placeholder: 'HGETALL {order:42}:meta',
    });
    const history = { items: [], pos: 0 };
    const form = h('form', {
      class: 'console-form',
      onsubmit: (e) => {
        e.preventDefault();
        const line = input.value.trim();
        if (!line) return;
        history.items.push(line);
        history.pos = history.items.length;
        input.value = '';
        this.#runConsole(i, line, log);
      },
    }, h('label', { class: 'prompt', 'aria-hidden': 'true' }, `${name}>`), input, h('button', { type: 'submit', class: 'small' }, 'Send'));
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
      e.preventDefault();
      history.pos = Math.max(0, Math.min(history.items.length, history.pos + (e.key === 'ArrowUp' ? -1 : 1)));
      input.value = history.items[history.pos] ?? '';
    });
    const el = h('article', { class: `replica r${i}`, id: `replica-${name}`, 'aria-labelledby': `replica-${name}-title` },
      h('header', {},
        h('h3', { id: `replica-${name}-title` }, h('span', { class: `replica-dot r${i}` }, name), ` Replica ${name}`),
        h('span', { class: 'node-id muted', title: 'node id: the origin of this replica\'s HLC stamps' }, `node ${info.nodeId.slice(0, 8)}…`)),
      h('div', { class: 'replica-meta' }, h('span', {}, 'digest ', digest), count),
      h('div', { class: 'keyspace-wrap' }, table),
      h('details', { class: 'console', open: true }, h('summary', {}, 'Console'), log, form));
    return { el, digest, count, tbody, log, input };
  }

  async #runConsole(i, line, log) {
    const { args, error } = splitArgs(line);
    const entry = h('div', { class: 'console-entry' }, h('div', { class: 'console-cmd' }, h('span', { class: 'prompt' }, `${NAMES[i]}> `), line));
    log.append(entry);
    while (log.children.length > MAX_CONSOLE) log.firstElementChild.remove();
    if (error || !args.length) {
      entry.append(renderReply({ type: 'error', code: 'ERR', text: `ERR ${error ?? 'empty command'}` }));
    } else {
      try {
        const res = await this.cluster.run(i, args);
        for (const r of decodeReplies(new Uint8Array(res.reply))) entry.append(renderReply(r));
        this.onConsole(i, args, res);
      } catch (e) {
        entry.append(renderReply({ type: 'error', code: 'ERR', text: String(e.message) }));
      }
    }
    log.scrollTop = log.scrollHeight;
  }

  setState(i, state) {
    this.states[i] = state;
    const card = this.cards[i];
    if (!card) return;
    card.digest.textContent = state.digest.slice(0, 12);
    card.digest.title = `DEBUG DIGEST ${state.digest}`;
    card.digest.dataset.digest = state.digest;
    card.count.textContent = `${state.dbsize} key${state.dbsize === 1 ? '' : 's'}`;
    const rows = state.keys.map((k) => {
      const p = partitionOfSlot(keySlot(k.key), this.cluster.info[i].partitions);
      return h('tr', { 'data-key': k.key },
        h('th', { scope: 'row' }, h('span', { class: 'key' }, k.key), h('span', { class: 'part', title: `slot ${keySlot(k.key)}, partition ${p}` }, `p${p}`)),
        h('td', { class: `type ty-${k.type}` }, k.type),
        h('td', { class: 'value' }, valueCell(k)),
        h('td', { class: 'ttl' }, ttlText(k.pttl)));
    });
    card.tbody.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '4', class: 'muted empty-note' }, '(empty)'))]));
    this.renderConvergence();
  }

  /**
   * Updates the link buttons in place: they are re-rendered on every link event, and a button
   * replaced between a press and its release would swallow the click.
   */
  renderLinks() {
    if (!this.linksEl) return;
    this.linkButtons ??= new Map();
    for (const link of this.cluster.links.values()) {
      const label = `${NAMES[link.a]} ⇄ ${NAMES[link.b]}`;
      let b = this.linkButtons.get(link);
      if (!b) {
        b = {
          state: h('span', { class: 'link-state' }),
          action: h('span', { class: 'link-action' }),
        };
        b.el = h('button', {
          type: 'button', 'data-link': `${NAMES[link.a]}${NAMES[link.b]}`,
          onclick: () => (link.cut ? this.cluster.heal(link.a, link.b) : this.cluster.cut(link.a, link.b)),
        }, h('span', { class: 'link-name' }, label), b.state, b.action);
        this.linkButtons.set(link, b);
        this.linksEl.append(b.el);
      }
      const live = !link.cut && link.state.every((st) => st === 'live');
      const status = link.cut ? 'cut' : live ? 'live' : link.state.includes('closed') ? 'closed' : 'connecting';
      const stats = link.stats[0];
      b.el.className = `link-toggle ${status}`;
      b.el.title = stats ? `${label}: ${stats.sentFrames} frames sent and ${stats.recvFrames} received by ${NAMES[link.a]}` : label;
      b.el.setAttribute('aria-label', `${label} link, ${status}: ${link.cut ? 'heal' : 'cut'} it`);
      b.state.textContent = status;
      b.action.textContent = link.cut ? 'Heal' : 'Cut';
    }
  }

  renderConvergence() {
    if (!this.convergence) return;
    const digests = this.states.map((s) => s?.digest);
    const known = digests.length === this.cluster.size && digests.every(Boolean);
    const same = known && digests.every((d) => d === digests[0]);
    this.convergence.className = `convergence ${same ? 'same' : 'differ'}`;
    this.convergence.dataset.converged = same ? 'true' : 'false';
    this.convergence.replaceChildren(
      h('span', { class: 'conv-icon', 'aria-hidden': 'true' }, same ? '✓' : '≠'),
      same ? `Converged · digest ${digests[0].slice(0, 12)}` : known ? 'Diverged: digests differ' : 'Starting replicas…');
    for (const [i, card] of this.cards.entries()) card.el.classList.toggle('odd-one', known && !same && digests.filter((d) => d === digests[i]).length === 1);
  }
}

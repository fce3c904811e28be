// Renders a decoded RESP reply (resp.mjs) as a typed tree: every node carries its type as a
// badge and as `data-type` (status, error, integer, bulk, nil, array, map, set, double,
// boolean, bignum, verbatim, push). Aggregates are <details> so the keyboard opens and folds
// them.
import { bytesText } from './resp.mjs';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

const badge = (label) => h('span', { class: 'badge' }, label);

function scalar(node) {
  switch (node.type) {
    case 'status': return node.text;
    case 'error': return node.text;
    case 'integer': case 'double': case 'bignum': return node.text;
    case 'boolean': return node.value ? 'true' : 'false';
    case 'nil': return 'nil';
    case 'bulk': return JSON.stringify(bytesText(node.bytes));
    case 'verbatim': return `${node.format}: ${bytesText(node.bytes)}`;
    default: return '';
  }
}

const LABEL = { bignum: 'big number', status: 'status', bulk: 'bulk' };

/** One reply node; `key` (a node) is shown before it for map entries. */
export function renderReply(node, key = null) {
  const keyEl = key ? [h('span', { class: 'map-key' }, renderInline(key)), h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→')] : [];
  if (node.items || node.entries) {
    const n = node.items ? node.items.length : node.entries.length;
    const summary = h('summary', {}, ...keyEl, badge(node.type), h('span', { class: 'count' }, `${n} ${node.entries ? (n === 1 ? 'entry' : 'entries') : n === 1 ? 'item' : 'items'}`));
    const list = h('ol', { class: node.entries ? 'entries' : 'items', start: node.items ? '1' : null });
    if (node.items) for (const item of node.items) list.append(h('li', {}, renderReply(item)));
    else for (const [k, v] of node.entries) list.append(h('li', {}, renderReply(v, k)));
    return h('details', { class: `node t-${node.type}`, 'data-type': node.type, open: true }, summary, n ? list : h('div', { class: 'empty' }, '(empty)'));
  }
  return h('div', { class: `node leaf t-${node.type}`, 'data-type': node.type },
    ...keyEl, badge(LABEL[node.type] ?? node.type), h('span', { class: 'value' }, scalar(node)));
}

/** A compact one-line form (map keys). */
function renderInline(node) {
  if (node.items || node.entries) return `${node.type}(${(node.items ?? node.entries).length})`;
  return scalar(node);
}

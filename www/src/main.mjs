// The playground page: a Lua editor whose scripts run on one of three replicas (Web Workers
// hosting a marekvs Shard each, replicating effects to one another), the typed reply, the
// keyspace and console of every replica, the links between them, and the effects timeline.
// Bundled with CodeMirror into www/dist/ by scripts/build-www.mjs.
import { createEditor } from './editor.mjs';
import { Cluster, NAMES } from './cluster.mjs';
import { ReplicasView } from './replicas-view.mjs';
import { Timeline } from './timeline.mjs';
import { h, renderReply } from './reply-view.mjs';
import { decodeReplies, respTranscript, errorLine } from './resp.mjs';
import { splitArgs, joinArgs } from './args.mjs';
import { keySlot, partitionOfSlot } from './slot.mjs';
import { EXAMPLES, byId } from './examples.mjs';
import { readUrlState, writeUrlState } from './url-state.mjs';
import { sha1hex } from './sha1.mjs';

const $ = (id) => document.getElementById(id);
const SCRIPT_TIME_LIMIT_MS = 500;

const cluster = new Cluster({ replicas: 3, scriptTimeLimitMs: SCRIPT_TIME_LIMIT_MS });
const timeline = new Timeline($('timeline'), cluster);
const replicas = new ReplicasView($('replicas'), cluster, {
  onConsole: (i, args, res) => timeline.addRun(i, shorten(joinArgs(args), 48), res.effects),
});

let target = 0;
let busy = false;

// ---- initial state: the URL (shared link) or the first example ----------------------------

const initial = readUrlState(location.hash) ?? exampleState(EXAMPLES[0]);
function exampleState(ex) {
  return { script: ex.script, keys: ex.keys, args: ex.args, replica: ex.replica ?? 0 };
}

const editor = createEditor($('editor'), {
  doc: initial.script,
  label: 'Lua script',
  onRun: () => run('eval'),
  onChange: () => stateChanged(),
});
$('keys').value = initial.keys;
$('args').value = initial.args;
setTarget(initial.replica);

// Mod-Enter is Cmd+Enter on Apple keyboards: say so.
if (/Mac|iPhone|iPad/.test(navigator.platform)) {
  for (const k of document.querySelectorAll('kbd.mod')) k.textContent = k.textContent.replace('Ctrl', '⌘');
}

for (const ex of EXAMPLES) $('example').append(h('option', { value: ex.id }, ex.title));
syncExampleSelect();

function currentExample() {
  return EXAMPLES.find((ex) => ex.script === editor.text && ex.keys === $('keys').value && ex.args === $('args').value) ?? null;
}

function syncExampleSelect() {
  const ex = currentExample();
  $('example').value = ex ? ex.id : '';
  $('example-note').textContent = ex ? ex.note : 'Your own script. Pick an example to see what marekvs scripting can do.';
  $('play').hidden = !ex?.steps;
}

let urlTimer = null;
function stateChanged() {
  syncExampleSelect();
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    history.replaceState(null, '', writeUrlState({ script: editor.text, keys: $('keys').value, args: $('args').value, replica: target }));
  }, 250);
}

$('example').addEventListener('change', (e) => {
  const ex = byId(e.target.value);
  if (!ex) return;
  editor.text = ex.script;
  $('keys').value = ex.keys;
  $('args').value = ex.args;
  if (ex.replica !== undefined) setTarget(ex.replica);
  stateChanged();
});
for (const id of ['keys', 'args']) {
  $(id).addEventListener('input', stateChanged);
  $(id).addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      run('eval');
    }
  });
}

function setTarget(i) {
  target = i;
  for (const input of document.querySelectorAll('input[name=target]')) input.checked = Number(input.value) === i;
}
document.querySelectorAll('input[name=target]').forEach((input) =>
  input.addEventListener('change', () => {
    setTarget(Number(input.value));
    stateChanged();
  }));

$('run').addEventListener('click', () => run('eval'));
$('load').addEventListener('click', () => run('load'));
$('evalsha').addEventListener('click', () => run('evalsha'));
$('play').addEventListener('click', () => play());
$('share').addEventListener('click', async () => {
  history.replaceState(null, '', writeUrlState({ script: editor.text, keys: $('keys').value, args: $('args').value, replica: target }));
  try {
    await navigator.clipboard.writeText(location.href);
    flash('Link copied');
  } catch {
    flash('Copy the address bar to share');
  }
});
// The skip link focuses the editor itself (the fragment holds the shared state).
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  editor.focus();
});
$('clear-timeline').addEventListener('click', () => timeline.clear());

function flash(text) {
  $('share-status').textContent = text;
  setTimeout(() => ($('share-status').textContent = ''), 2500);
}

// ---- running scripts ---------------------------------------------------------------------

const shorten = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

/** Runs the editor's script on the target replica: EVAL, SCRIPT LOAD or EVALSHA. */
async function run(kind, replica = target) {
  if (busy || !cluster.info.length) return null;
  const keys = splitArgs($('keys').value);
  const args = splitArgs($('args').value);
  if (keys.error || args.error) {
    showLocalError(`ERR ${keys.error ? 'KEYS' : 'ARGV'}: ${keys.error ?? args.error}`);
    return null;
  }
  const script = editor.text;
  const sha = sha1hex(script);
  const tail = [String(keys.args.length), ...keys.args, ...args.args];
  const argv = kind === 'load' ? ['SCRIPT', 'LOAD', script] : kind === 'evalsha' ? ['EVALSHA', sha, ...tail] : ['EVAL', script, ...tail];
  const ex = currentExample();
  const label = kind === 'load' ? `SCRIPT LOAD ${sha.slice(0, 10)}…` : kind === 'evalsha' ? `EVALSHA ${sha.slice(0, 10)}…` : `EVAL ${ex ? ex.id : sha.slice(0, 10) + '…'}`;

  busy = true;
  document.body.classList.add('busy');
  $('status').textContent = `running on ${NAMES[replica]}…`;
  editor.showError(null);
  try {
    const res = await cluster.run(replica, argv, { script: kind !== 'load' });
    const [reply] = decodeReplies(new Uint8Array(res.reply));
    showResult({ kind, replica, reply, res, keys: keys.args, sha });
    timeline.addRun(replica, label, res.effects);
    return reply;
  } catch (e) {
    showLocalError(`ERR ${e.message}`);
    return null;
  } finally {
    busy = false;
    document.body.classList.remove('busy');
    $('status').textContent = 'ready';
    window.playground.runs++;
  }
}

function showLocalError(text) {
  $('reply').replaceChildren(renderReply({ type: 'error', code: 'ERR', text }));
}

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

function showResult({ kind, replica, reply, res, keys, sha }) {
  $('reply').replaceChildren(renderReply(reply));
  $('raw').textContent = respTranscript(new Uint8Array(res.reply));
  const meta = [
    h('span', {}, 'on ', h('span', { class: `replica-dot r${replica}` }, NAMES[replica])),
    h('span', { id: 'took' }, `${res.ms < 10 ? res.ms.toFixed(2) : res.ms.toFixed(0)} ms`),
  ];
  if (res.heapAfter !== null) {
    const delta = res.heapAfter - res.heapBefore;
    meta.push(h('span', { id: 'heap', title: 'Lua heap after the run (collectgarbage("count")), and its change during the run' },
      `Lua heap ${kib(res.heapAfter)} (${delta >= 0 ? '+' : '−'}${kib(Math.abs(delta))})`));
  }
  if (kind !== 'eval') meta.push(h('code', { class: 'sha', title: 'SHA1 of the script' }, `sha ${sha.slice(0, 12)}…`));
  $('meta').replaceChildren(...meta);

  // Where each declared key lives: scripts run in one partition, so they must agree.
  const n = cluster.info[replica].partitions;
  const places = keys.map((k) => ({ k, slot: keySlot(k), p: partitionOfSlot(keySlot(k), n) }));
  const split = new Set(places.map((x) => x.p)).size > 1;
  $('key-places').replaceChildren(...(kind === 'load' ? [] : places.map(({ k, slot, p }) =>
    h('span', { class: `key-chip${split ? ' split' : ''}`, 'data-partition': String(p) },
      h('code', {}, k), h('span', {}, `slot ${slot} · partition ${p}`)))));

  if (reply.type === 'error') {
    const line = errorLine(reply.text);
    editor.showError(line, reply.text);
    if (line !== null) $('meta').append(h('span', { class: 'err-line' }, `line ${line}`));
  }

  // EVAL and SCRIPT LOAD also store the script's body as a hidden record that replicates
  // (so EVALSHA works on every replica): counted apart from the writes to user keys.
  const records = res.effects.filter((e) => e.key.startsWith('\u0000script:')).length;
  const writes = res.effects.length - records;
  const aborted = reply.type === 'error' && /^(SCRIPTTIMEOUT|SCRIPTOOM|SCRIPTKILLED)$/.test(reply.code);
  const recordNote = records ? ' The script record (for EVALSHA on other replicas) replicated.' : '';
  $('effects-summary').replaceChildren(h('p', {
    class: writes ? 'effects-yes' : aborted ? 'effects-aborted' : 'effects-no', id: 'effects-count',
    'data-count': String(writes), 'data-records': String(records),
  }, writes ? `${writes} write${writes === 1 ? '' : 's'} emitted as effects and replicated (see the timeline).${recordNote}` :
    aborted ? `Aborted: its writes were rolled back, the keyspace is unchanged.${recordNote}` :
      `Nothing written.${recordNote}`));
}

// ---- the EVALSHA walkthrough ---------------------------------------------------------------

async function play() {
  const ex = currentExample();
  if (!ex?.steps) return;
  $('play').disabled = true;
  try {
    for (const step of ex.steps) {
      if (step.action === 'load') {
        setTarget(step.replica);
        await run('load');
      } else if (step.action === 'replicated') {
        $('status').textContent = `waiting until ${NAMES[step.replica]} has the script record…`;
        await replicatedTo(step.replica, sha1hex(editor.text));
      } else if (step.action === 'evalsha') {
        setTarget(step.replica);
        await run('evalsha');
      }
    }
  } finally {
    $('play').disabled = false;
  }
}

/** Waits (up to 10 s) until replica i holds the script record of `sha` (a cut link may delay it). */
function replicatedTo(i, sha) {
  const key = `\u0000script:${sha}`;
  const has = () => timeline.groups.some((g) => g.effects.some((it) => it.e.key === key && it.applied.has(i)));
  if (has()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok) => {
      cluster.removeEventListener('applied', check);
      clearTimeout(timer);
      resolve(ok);
    };
    const check = () => has() && done(true);
    const timer = setTimeout(() => done(false), 10000);
    cluster.addEventListener('applied', check);
  });
}

// ---- replicas --------------------------------------------------------------------------------

cluster.addEventListener('state', (e) => replicas.setState(e.detail.replica, e.detail));
cluster.addEventListener('links', () => replicas.renderLinks());
cluster.addEventListener('applied', (e) => timeline.applied(e.detail.replica, e.detail));
cluster.addEventListener('log', (e) => {
  const { replica, text } = e.detail;
  const list = $('events');
  list.prepend(h('li', {}, h('span', { class: `replica-dot r${replica}` }, NAMES[replica]), ' ', text));
  while (list.children.length > 20) list.lastElementChild.remove();
});

$('status').textContent = 'starting replicas…';
cluster.start().then(() => {
  replicas.build();
  timeline.render();
  for (const b of document.querySelectorAll('.needs-replicas')) b.disabled = false;
  $('status').textContent = 'ready';
  document.body.dataset.ready = 'true';
}, (e) => {
  $('status').textContent = `could not start the replicas: ${e.message}`;
  console.error(e);
});

// For tests and the curious: the page's objects.
window.playground = { cluster, editor, timeline, replicas, run, runs: 0 };

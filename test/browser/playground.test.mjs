// The playground's scenarios in Debian's Chromium: scripts typed and run, the typed reply,
// errors at their line, co-location, the deadline's rollback, replication across cut and
// healed links, the examples. A screenshot per scenario goes to test-output/playground/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPlayground, typeScript, replyNodes, runAndWait, digests, keysOf, waitLinksLive, settle, OUT } from './playground-helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

const selectExample = (page, id) => page.selectOption('#example', id);

async function consoleRun(page, replica, line) {
  const entries = page.locator(`#replica-${replica} .console-entry`);
  const n = await entries.count();
  await page.fill(`#replica-${replica} .console-input`, line);
  await page.press(`#replica-${replica} .console-input`, 'Enter');
  await page.waitForFunction(([r, k]) => {
    const all = document.querySelectorAll(`#replica-${r} .console-entry`);
    return all.length > k && all[all.length - 1].querySelector('.node');
  }, [replica, n]);
}

test('a typed script runs with Ctrl+Enter and its reply is a typed RESP tree', async () => {
  const { page, problems } = await openPlayground(env);
  await typeScript(page, "return {42, 'bulk', redis.status_reply('READY'), false, {1, 'x'}, redis.error_reply('NOPE nested')}");
  await page.fill('#keys', '');
  await page.fill('#args', '');
  await runAndWait(page, () => page.keyboard.press('Control+Enter'));
  assert.deepEqual(await replyNodes(page), [
    ['array', null],
    ['integer', '42'],
    ['bulk', '"bulk"'],
    ['status', 'READY'],
    ['nil', 'nil'],
    ['array', null],
    ['integer', '1'],
    ['bulk', '"x"'],
    ['error', 'NOPE nested'],
  ]);
  assert.match(await page.textContent('#raw'), /^\*6\\r\\n:42\\r\\n\$4\\r\\nbulk\\r\\n\+READY\\r\\n/);
  assert.match(await page.textContent('#took'), /^[\d.]+ ms$/);
  assert.match(await page.textContent('#heap'), /^Lua heap [\d.]+ KiB \([+−][\d.]+ KiB\)$/);
  assert.equal(await page.getAttribute('#effects-count', 'data-count'), '0');

  // A RESP3 map and a double, through redis.setresp(3).
  await typeScript(page, "redis.setresp(3) return {map = {answer = 42}}");
  await runAndWait(page);
  assert.deepEqual(await replyNodes(page), [['map', null], ['integer', '42']]);
  assert.equal(await page.textContent('#reply .map-key'), '"answer"');
  await typeScript(page, "redis.setresp(3) return {double = 1.5}");
  await runAndWait(page);
  assert.deepEqual(await replyNodes(page), [['double', '1.5']]);
  await page.screenshot({ path: OUT + 'typed-reply.png', fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a script error is marked at its line in the editor', async () => {
  const { page, problems } = await openPlayground(env);
  await typeScript(page, "local a = 1\nlocal t = nil\nreturn t.field");
  await page.fill('#keys', '');
  await runAndWait(page);
  const [[type, text]] = await replyNodes(page);
  assert.equal(type, 'error');
  assert.match(text, /^ERR user_script:3: attempt to index local 't' \(a nil value\)/);
  assert.equal(await page.textContent('.err-line'), 'line 3');
  // The lint range underlines the third line only.
  const marked = await page.$$eval('.cm-line', (lines) => lines.map((l, i) => (l.querySelector('.cm-lintRange-error') ? i + 1 : 0)).filter(Boolean));
  assert.deepEqual(marked, [3]);
  // A compile error too.
  await typeScript(page, 'return 1 +');
  await runAndWait(page);
  assert.match((await replyNodes(page))[0][1], /^ERR Error compiling script/);
  assert.equal(await page.textContent('.err-line'), 'line 1');
  await page.screenshot({ path: OUT + 'error-line.png' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the order-payment example writes co-located keys that replicate to every replica', async () => {
  const { page, problems } = await openPlayground(env);
  assert.equal(await page.inputValue('#example'), 'order-payment'); // the default
  await runAndWait(page);
  assert.deepEqual(await replyNodes(page), [['bulk', '"paid"']]);
  const parts = await page.$$eval('.key-chip', (c) => c.map((x) => x.dataset.partition));
  assert.equal(parts.length, 3);
  assert.equal(new Set(parts).size, 1, 'the {order:42} keys share one partition');
  assert.equal(await page.getAttribute('#effects-count', 'data-count'), '3'); // hset, incr, sadd
  assert.equal(await page.getAttribute('#effects-count', 'data-records'), '1'); // the script record
  const want = ['{order:42}:events', '{order:42}:meta', '{order:42}:version'];
  for (const name of ['A', 'B', 'C']) {
    await page.waitForFunction((n) => document.querySelectorAll(`#replica-${n} tbody tr[data-key]`).length === 3, name);
    assert.deepEqual(await keysOf(page, name), want);
  }
  await page.waitForSelector('#convergence[data-converged=true]');
  // The timeline lists the effects with their stamps, applied live by B and C.
  const rows = page.locator('.tl-row[data-stamp]');
  assert.equal(await rows.count(), 4); // with the script record
  assert.match(await rows.first().locator('.tl-effect').textContent(), /@A$/);
  await page.waitForFunction(() => [...document.querySelectorAll('.tl-row[data-stamp] .tl-cell')].every((c) => !c.classList.contains('pending')));
  assert.equal(await page.locator('.tl-row[data-stamp] .tl-cell.live').count(), 8);
  // The console of B sees the hash as a RESP3 map.
  await page.fill('#replica-B .console-input', 'HGETALL {order:42}:meta');
  await page.press('#replica-B .console-input', 'Enter');
  await page.waitForSelector('#replica-B .console-entry .node');
  assert.deepEqual(await replyNodes(page, '#replica-B .console-entry'), [['map', null], ['bulk', '"paid"']]);
  await page.screenshot({ path: OUT + 'order-payment.png', fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('a script whose keys are in two partitions is rejected before it runs', async () => {
  const { page, problems } = await openPlayground(env);
  await selectExample(page, 'cross-partition');
  await runAndWait(page);
  const [[type, text]] = await replyNodes(page);
  assert.equal(type, 'error');
  assert.equal(text, "CROSSSLOT Keys in request don't hash to the same slot");
  const chips = await page.$$eval('.key-chip', (c) => c.map((x) => [x.querySelector('code').textContent, x.dataset.partition, x.classList.contains('split')]));
  assert.deepEqual(chips, [['user:1:name', '12', true], ['user:2:name', '15', true]]);
  assert.equal(await page.getAttribute('#effects-count', 'data-count'), '0');
  await settle(page);
  assert.deepEqual(await keysOf(page, 'A'), []);
  await page.screenshot({ path: OUT + 'cross-partition.png' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the deadline aborts the runaway loop and leaves the keyspace unchanged', async () => {
  const { page, problems } = await openPlayground(env);
  const digestsBefore = await digests(page);
  await selectExample(page, 'runaway-loop');
  await runAndWait(page);
  const [[type, text]] = await replyNodes(page);
  assert.equal(type, 'error');
  assert.equal(text, 'SCRIPTTIMEOUT Script exceeded the time limit of 500 ms and was aborted; none of its writes were applied');
  assert.equal(await page.getAttribute('#effects-count', 'data-count'), '0');
  assert.match(await page.textContent('#effects-count'), /rolled back, the keyspace is unchanged/);
  // Its SET was rolled back: no key on any replica, the digests as before.
  await page.fill('#replica-A .console-input', 'EXISTS {loop}:flag');
  await page.press('#replica-A .console-input', 'Enter');
  await page.waitForSelector('#replica-A .console-entry .node');
  assert.deepEqual(await replyNodes(page, '#replica-A .console-entry'), [['integer', '0']]);
  await settle(page);
  for (const name of ['A', 'B', 'C']) assert.deepEqual(await keysOf(page, name), []);
  assert.deepEqual(await digests(page), digestsBefore);
  await page.screenshot({ path: OUT + 'deadline.png', fullPage: true });
  // The memory bomb is stopped the same way. The deadline goes up first, so that a busy
  // machine cannot turn the memory trip into a time trip.
  await consoleRun(page, 'A', 'CONFIG SET lua-time-limit 10000');
  await selectExample(page, 'memory-bomb');
  await runAndWait(page);
  assert.match((await replyNodes(page))[0][1], /^SCRIPTOOM Script exceeded the memory limit of 16777216 bytes/);
  await settle(page);
  assert.deepEqual(await digests(page), digestsBefore);
  await page.screenshot({ path: OUT + 'memory-bomb.png', fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});


test('cut the links of B, write on both sides, heal: the digests become equal', async () => {
  const { page, problems } = await openPlayground(env);
  await page.click('[data-link=AB]');
  await page.click('[data-link=BC]');
  await page.waitForSelector('[data-link=AB].cut');
  await page.waitForSelector('[data-link=BC].cut');
  await consoleRun(page, 'A', 'SET {k}:from-a written-on-A');
  await consoleRun(page, 'B', 'SET {k}:from-b written-on-B');
  await consoleRun(page, 'B', 'HSET profile:ada lang lua');
  // A's write reaches C (link A-C is up) but not B; B's stays on B.
  await page.waitForFunction(() => document.querySelector('#replica-C tr[data-key="{k}:from-a"]'));
  await page.waitForSelector('#convergence[data-converged=false]');
  let [a, b, c] = await digests(page);
  assert.equal(a, c);
  assert.notEqual(a, b);
  await page.waitForFunction(() => document.querySelectorAll('#replica-B tr[data-key]').length === 2);
  assert.deepEqual(await keysOf(page, 'B'), ['profile:ada', '{k}:from-b']);
  // The timeline shows B's effects pending on A and C.
  const pendingOnA = await page.locator('.tl-row[data-stamp] .tl-cell.pending[data-replica=A]').count();
  assert.equal(pendingOnA, 2);
  await page.screenshot({ path: OUT + 'cut.png', fullPage: true });

  // Heal with the keyboard: the link toggles are buttons.
  await page.focus('[data-link=AB]');
  await page.keyboard.press('Enter');
  await page.focus('[data-link=BC]');
  await page.keyboard.press('Enter');
  await waitLinksLive(page);
  await page.waitForSelector('#convergence[data-converged=true]');
  [a, b, c] = await digests(page);
  assert.equal(a, b);
  assert.equal(b, c);
  const all = ['profile:ada', '{k}:from-a', '{k}:from-b'];
  for (const name of ['A', 'B', 'C']) {
    await page.waitForFunction((n) => document.querySelectorAll(`#replica-${n} tr[data-key]`).length === 3, name);
    assert.deepEqual(await keysOf(page, name), all);
  }
  // Nothing is pending any more; what crossed the healed links came by catch-up.
  await page.waitForFunction(() => !document.querySelector('.tl-row[data-stamp] .tl-cell.pending'));
  assert.ok(await page.locator('.tl-cell.catchup').count() >= 2);
  await page.screenshot({ path: OUT + 'healed.png', fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('EVALSHA self-heals on B: SCRIPT LOAD on A replicates the script record', async () => {
  const { page, problems } = await openPlayground(env);
  await selectExample(page, 'evalsha-heal');
  assert.equal(await page.isVisible('#play'), true);
  const runs = await page.evaluate(() => window.playground.runs);
  await page.click('#play');
  await page.waitForFunction((n) => window.playground.runs >= n + 2, runs);
  assert.deepEqual(await replyNodes(page), [['bulk', '"hello #1 from the replica that ran me"']]);
  assert.match(await page.textContent('#meta'), /on B/);
  // B never saw the script body from the page: only the replicated record.
  const loads = await page.$$eval('.tl-group strong', (g) => g.map((x) => x.textContent));
  assert.ok(loads.some((l) => l.startsWith('SCRIPT LOAD')) && loads.some((l) => l.startsWith('EVALSHA')));
  await page.screenshot({ path: OUT + 'evalsha-heal.png', fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('examples: rate limiter, leaderboard, math.random and TIME replicated as values', async () => {
  const { page, problems } = await openPlayground(env);
  await selectExample(page, 'rate-limiter');
  for (let i = 1; i <= 5; i++) {
    await runAndWait(page);
    assert.deepEqual((await replyNodes(page)).slice(0, 3), [['array', null], ['integer', String(i)], ['integer', String(5 - i)]]);
  }
  await runAndWait(page);
  const [[type, text]] = await replyNodes(page);
  assert.equal(type, 'error');
  assert.match(text, /^RATELIMITED try again in \d+ s$/);

  await selectExample(page, 'leaderboard');
  await runAndWait(page);
  const nodes = await replyNodes(page);
  assert.equal(nodes[0][0], 'map');
  assert.ok(nodes.some(([t, v]) => t === 'double' && v === '25'));
  assert.ok(nodes.some(([t, v]) => t === 'bulk' && v === '"grace"'));

  await selectExample(page, 'random-time');
  await runAndWait(page);
  const [, roll] = await replyNodes(page);
  assert.equal(roll[0], 'integer');
  // Every replica holds the roll the script drew on A (the value replicated, not the script).
  for (const name of ['A', 'B', 'C']) {
    await page.waitForFunction(([n, r]) => document.querySelector(`#replica-${n} tr[data-key="{dice}:last"] .value`)?.textContent.includes(`roll ${r}`), [name, roll[1]]);
  }
  await page.waitForSelector('#convergence[data-converged=true]');
  await page.screenshot({ path: OUT + 'examples.png', fullPage: true });
  assert.deepEqual(problems, []);
  await page.close();
});

test('the script, keys and args live in the URL and reopen from it', async () => {
  const { page, problems } = await openPlayground(env);
  await typeScript(page, "return redis.call('SET', KEYS[1], ARGV[1])");
  await page.fill('#keys', 'shared:key');
  await page.fill('#args', '"two words"');
  await page.check('input[name=target][value="2"]', { force: true });
  await page.waitForFunction(() => location.hash.includes('shared%3Akey') && location.hash.includes('on=C'));
  const url = page.url();
  await page.close();

  const again = await openPlayground(env, { hash: url.slice(url.indexOf('#')) });
  const p2 = again.page;
  assert.equal(await p2.evaluate(() => window.playground.editor.text), "return redis.call('SET', KEYS[1], ARGV[1])");
  assert.equal(await p2.inputValue('#keys'), 'shared:key');
  assert.equal(await p2.inputValue('#args'), '"two words"');
  assert.equal(await p2.isChecked('input[name=target][value="2"]'), true);
  assert.equal(await p2.inputValue('#example'), ''); // a custom script
  await runAndWait(p2);
  assert.deepEqual(await replyNodes(p2), [['status', 'OK']]);
  await p2.waitForFunction(() => document.querySelector('#replica-C tr[data-key="shared:key"] .value')?.textContent === '"two words"');
  assert.deepEqual([...problems, ...again.problems], []);
  await p2.close();
});

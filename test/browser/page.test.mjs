// The page served by `npm start` as a page: everything comes from the local server (no CDN),
// three replica workers start with distinct node ids and linked, it works from the keyboard,
// and it fits a phone-width screen. Scenarios are in playground.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, openPlayground, replyNodes, runAndWait, OUT } from './playground-helpers.mjs';

let env;
before(async () => {
  env = await launch();
});
after(async () => {
  await env?.close();
});

test('the page loads only from the local server and starts three linked replicas', async () => {
  const { page, problems } = await openPlayground(env);
  const info = await page.evaluate(() => window.playground.cluster.info);
  assert.deepEqual(info.map((r) => r.name), ['A', 'B', 'C']);
  assert.equal(new Set(info.map((r) => r.nodeId)).size, 3, 'each replica has its own node id');
  assert.ok(info.every((r) => /^[0-9a-f]{16}$/.test(r.nodeId) && r.partitions === 16));
  assert.deepEqual(await page.$$eval('.link-toggle', (b) => b.map((x) => x.dataset.link)), ['AB', 'AC', 'BC']);
  // Empty replicas agree from the start.
  await page.waitForSelector('#convergence[data-converged=true]');
  assert.equal(await page.title(), 'marekvs playground — Lua scripts on replicas in your browser');
  await page.screenshot({ path: OUT + 'page-start.png' });
  // `problems` also fails on any request that left 127.0.0.1.
  assert.deepEqual(problems, []);
  await page.close();
});

test('keyboard: a skip link, Ctrl+Enter in the editor, Tab leaves it, Enter runs from KEYS', async () => {
  const { page, problems } = await openPlayground(env);
  // The skip link is the first stop and leads to the editor.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('cm-content')), true);
  await page.click('.cm-content');
  await runAndWait(page, () => page.keyboard.press('Control+Enter'));
  assert.deepEqual(await replyNodes(page), [['bulk', '"paid"']]);
  // Tab is not swallowed by the editor: focus moves on to the KEYS field.
  await page.click('.cm-content');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'keys');
  await runAndWait(page, () => page.keyboard.press('Enter'));
  assert.deepEqual(await replyNodes(page), [['bulk', '"paid"']]);
  // The replica selector is a radio group: arrow keys move the target.
  await page.focus('input[name=target][value="0"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isChecked('input[name=target][value="1"]'), true);
  assert.deepEqual(problems, []);
  await page.close();
});

test('a phone-width screen: one column, nothing wider than the screen', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const { page, problems } = await openPlayground(env, { viewport: { width: 390, height: 844 }, colorScheme });
    await runAndWait(page);
    assert.deepEqual(await replyNodes(page), [['bulk', '"paid"']]);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.tagName + '.' + e.className));
    assert.deepEqual(wide, []);
    // The replica cards stack: same left edge.
    const lefts = await page.$$eval('.replica', (cards) => cards.map((c) => Math.round(c.getBoundingClientRect().left)));
    assert.equal(new Set(lefts).size, 1);
    await page.screenshot({ path: OUT + `phone-${colorScheme}.png`, fullPage: true });
    assert.deepEqual(problems, []);
    await page.close();
  }
});

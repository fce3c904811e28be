// Issue #6's convergence scenario in headless Chromium at a smaller scale: Nodes of real
// module Web Workers linked by MessageChannels through the faulty relay (test/cluster/), in a
// page served by scripts/serve.mjs. The test modules are not under the served folders, so the
// page gets them through request interception.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openSite } from './site.mjs';

const TEST_DIR = new URL('../cluster/', import.meta.url);
let site, browser, base;

before(async () => {
  site = await openSite();
  ({ browser, base } = site);
});

after(() => site?.close());

async function openPage() {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.route('**/cluster-test/**', async (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    if (name === 'index.html') {
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>cluster</title>' });
    } else {
      await route.fulfill({ contentType: 'text/javascript', body: await readFile(new URL(name, TEST_DIR)) });
    }
  });
  await page.goto(base + '/cluster-test/index.html');
  return { page, problems };
}

test('Web Worker nodes: commands are routed to the owning shard worker and replies keep their types', { timeout: 120000 }, async () => {
  const { page, problems } = await openPage();
  const r = await page.evaluate(async () => {
    const { Node } = await import('/js/cluster/browser.mjs');
    const node = await Node.start({ shards: 2, partitions: 8, name: 'W' });
    const out = {};
    out.set = await node.command(['SET', 'a', '1']);
    out.get = await node.command(['GET', 'a']);
    for (let i = 0; i < 20; i++) await node.command(['SET', `k${i}`, i]);
    out.dbsize = await node.command(['DBSIZE']);
    out.perShard = (await node.info()).shards.map((s) => s.dbsize);
    try {
      await node.command(['LPUSH', 'a', 'x']);
    } catch (e) {
      out.err = [e.name, e.code];
    }
    out.bytes = (await node.command(['HSET', 'h', 'f', new Uint8Array([0xff])]), await node.command(['HGET', 'h', 'f'])) instanceof Uint8Array;
    await node.close();
    return out;
  });
  assert.equal(r.set, 'OK');
  assert.equal(r.get, '1');
  assert.equal(r.dbsize, 21);
  assert.equal(r.perShard.length, 2);
  assert.ok(r.perShard.every((n) => n > 0), 'keys are spread over both workers');
  assert.deepEqual(r.err, ['ReplyError', 'WRONGTYPE']);
  assert.equal(r.bytes, true);
  assert.deepEqual(problems, []);
  await page.close();
});

let scenario = null;

test('3 nodes × 2 Web Workers converge through cuts, loss, duplicates, reordering and a restart', { timeout: 120000 }, async () => {
  const { page, problems } = await openPage();
  const r = await page.evaluate(async () => {
    const { Node } = await import('/js/cluster/browser.mjs');
    const { runScenario, checkScenario } = await import('/cluster-test/scenario.mjs');
    const res = await runScenario({ Node, nodes: 3, shards: 2, partitions: 8, opsPerNode: 300, seed: 11 });
    return {
      violations: checkScenario(res),
      events: res.events,
      counts: res.counts,
      dbsizes: res.dbsizes,
      relays: res.relayStats,
      evalshaEverywhere: res.evalshaEverywhere,
      restarted: res.nodeIds.before !== res.nodeIds.after,
      settleError: res.settleError ?? null,
    };
  });
  scenario = r;
  console.log(JSON.stringify({ events: r.events, counts: r.counts, dbsizes: r.dbsizes, relays: r.relays }));
  assert.equal(r.events.length, 7);
  assert.ok(r.relays.every((s) => s.duplicated > 0 && s.delayed > 0), 'every relay duplicated and delayed frames');
  assert.equal(r.settleError, null);
  assert.deepEqual(r.evalshaEverywhere, [2, 2, 2]);
  assert.equal(r.restarted, true);
  assert.ok(r.counts.ok > 800, `most writes succeed (${r.counts.ok})`);
  assert.ok(r.dbsizes[0] > 100);
  assert.deepEqual(r.violations.digests, []);
  assert.deepEqual(r.violations.strings, []);
  assert.deepEqual(r.violations.sets, []);
  assert.deepEqual(problems, []);
  await page.close();
});

// See test/cluster/scenario.test.mjs (a once-lost list push).
test('Web Workers: no acknowledged RPUSH element is lost', () => {
  assert.ok(scenario, 'the scenario ran');
  assert.deepEqual(scenario.violations.lists, []);
});

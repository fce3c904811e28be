// webSocketPort in Chromium: two pages, each with a wasm Shard, replicate over real browser
// WebSockets. The server end is Playwright's WebSocket routing (no WebSocket server package is
// needed): the test relays every message from one page's socket to the other's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openSite } from './site.mjs';

let site, browser, base;

before(async () => {
  site = await openSite();
  ({ browser, base } = site);
});

after(() => site?.close());

/** A blank page on the package's origin with a Shard replicating over a WebSocket. */
async function replica(seed, problems) {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.route('**/ws-test/blank.html', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>ws</title>' }));
  await page.goto(base + '/ws-test/blank.html');
  return page;
}

async function open(page, seed) {
  await page.evaluate(async (seed) => {
    const { Shard, connect, webSocketPort } = await import('/js/browser.mjs');
    const shard = new Shard({ partitions: 8, seed });
    shard.nodeId = BigInt(seed);
    const ws = new WebSocket('ws://replication.test/link');
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('websocket failed'));
    });
    const link = connect(shard, webSocketPort(ws), { log: (m) => console.error(m) });
    window.t = { shard, link };
  }, seed);
}

test('two browser shards replicate over WebSockets (webSocketPort)', async () => {
  const problems = [];
  const pa = await replica(1, problems);
  const pb = await replica(2, problems);
  // Each page's socket is answered by the test; messages are relayed to the other page's.
  const ends = [];
  const relay = (i) => (ws) => {
    ends[i] = ws;
    ws.onMessage((m) => ends[1 - i]?.send(m));
  };
  await pa.routeWebSocket('ws://replication.test/link', relay(0));
  await pb.routeWebSocket('ws://replication.test/link', relay(1));
  await open(pa, 1);
  await open(pb, 2); // a's hello went nowhere: b's hello makes a answer, with its catch-up
  await pa.evaluate(() => {
    t.shard.command(['SET', 'from-a', 'hello']);
    t.shard.command(['RPUSH', 'list', '1', '2', '3']);
  });
  await pb.evaluate(() => t.shard.command(['HSET', 'from-b', 'f', 'v']));
  const digest = (p) => p.evaluate(() => t.shard.command(['DEBUG', 'DIGEST']));
  let da, db;
  for (let i = 0; i < 200; i++) {
    [da, db] = [await digest(pa), await digest(pb)];
    if (da === db && (await pb.evaluate(() => t.shard.command(['GET', 'from-a']))) === 'hello') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(da, db);
  assert.deepEqual(await pb.evaluate(() => t.shard.command(['LRANGE', 'list', '0', '-1'])), ['1', '2', '3']);
  assert.equal(await pa.evaluate(() => t.shard.command(['HGET', 'from-b', 'f'])), 'v');
  assert.equal(await pa.evaluate(() => t.link.state), 'live');
  assert.deepEqual(problems, []);
  await pa.close();
  await pb.close();
});

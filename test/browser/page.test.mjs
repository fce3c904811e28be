// The page served by `npm start`, in Debian's Chromium through playwright-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const OUT = new URL('../../test-output/browser/', import.meta.url).pathname;
let server, browser, base;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startServer({ port: 0 });
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

async function openPage() {
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  await page.goto(base + '/');
  await page.waitForFunction(() => document.getElementById('status').textContent === 'ready');
  return { page, problems };
}

test('a Lua snippet runs in the wasm engine and its result is shown', async () => {
  const { page, problems } = await openPage();
  await page.fill('#code', "return 6 * 7, 'hi', _VERSION");
  await page.click('#run');
  assert.equal(await page.textContent('#output'), '42\t"hi"\t"Lua 5.4"');
  await page.screenshot({ path: OUT + 'run.png' });
  assert.deepEqual(problems, []);
  await page.close();
});

test('Ctrl+Enter runs; a runaway loop is stopped by the deadline', async () => {
  const { page, problems } = await openPage();
  await page.fill('#code', 'while true do end');
  await page.press('#code', 'Control+Enter');
  assert.equal(await page.textContent('#output'), 'error: script aborted: time limit exceeded');
  await page.fill('#code', 'return 1');
  await page.click('#run');
  assert.equal(await page.textContent('#output'), '1');
  await page.screenshot({ path: OUT + 'deadline.png' });
  assert.deepEqual(problems, []);
  await page.close();
});

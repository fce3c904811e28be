// Shared by the playground's browser tests: builds www/dist/, serves the page as `npm start`
// does, and opens it in Debian's Chromium through playwright-core, collecting console errors
// (page and workers) and any request that leaves localhost.
import { mkdirSync } from 'node:fs';
import { openSite } from './site.mjs';
import { buildWww } from '../../scripts/build-www.mjs';

export const OUT = new URL('../../test-output/playground/', import.meta.url).pathname;

export async function launch() {
  mkdirSync(OUT, { recursive: true });
  await buildWww();
  return openSite();
}

/**
 * Opens the playground and waits until its three replicas are up and linked. `problems`
 * collects console errors, uncaught exceptions (page and workers), failed requests and
 * requests to anything but the local server.
 */
export async function openPlayground(env, { hash = '', viewport = { width: 1400, height: 1000 }, colorScheme = 'light' } = {}) {
  const page = await env.browser.newPage({ viewport, colorScheme });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') problems.push(`worker console: ${m.text()}`); }));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => { if (!r.url().startsWith(env.base) && !r.url().startsWith('data:')) problems.push(`external request: ${r.url()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(env.base + '/' + hash);
  await page.waitForSelector('body[data-ready]');
  await waitLinksLive(page);
  await settle(page);
  return { page, problems };
}

export async function waitLinksLive(page) {
  await page.waitForFunction(() => [...document.querySelectorAll('.link-toggle')].length === 3 &&
    [...document.querySelectorAll('.link-toggle')].every((b) => b.classList.contains('live')));
}

/** Replaces the editor's text by typing it, as a user would. */
export async function typeScript(page, text) {
  await page.click('.cm-content');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(text);
}

/** The reply tree as [type, text] of its nodes, depth first. */
export function replyNodes(page, root = '#reply') {
  return page.$$eval(`${root} .node`, (nodes) => nodes.map((n) => [n.dataset.type,
    (n.matches('details') ? n.querySelector(':scope > summary') : n).querySelector('.value')?.textContent ?? null]));
}

/** Runs the current script on the selected replica and waits for its reply. */
export async function runAndWait(page, how = () => page.click('#run')) {
  const before = await page.evaluate(() => window.playground.runs ?? 0);
  await how();
  await page.waitForFunction((n) => (window.playground.runs ?? 0) > n, before);
}

/**
 * Makes every replica post its current state (keyspace, digest) and waits until the page has
 * rendered it: the worker posts the state before answering, and messages arrive in order.
 */
export const settle = (page) => page.evaluate(() =>
  Promise.all([0, 1, 2].map((i) => window.playground.cluster.request(i, { op: 'state' }))));

export const digests = (page) => page.$$eval('.replica .digest', (els) => els.map((e) => e.dataset.digest));

export const keysOf = (page, name) => page.$$eval(`#replica-${name} tbody tr[data-key]`, (rows) => rows.map((r) => r.dataset.key));

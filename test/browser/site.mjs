// Shared by the browser tests: the site as `npm start` serves it (www/, js/, pkg/,
// node_modules/) on a free localhost port, and Debian's Chromium to open it.
import { launchChromium } from '../../scripts/chromium.mjs';
import { startServer } from '../../scripts/serve.mjs';

/** Resolves to `{ base, browser, close() }`. */
export async function openSite() {
  const server = await startServer({ port: 0 });
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await launchChromium();
  return {
    base,
    browser,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

// Debian's Chromium driven by playwright-core (no browser download): the one launch used by the
// browser tests and benchmarks. CHROMIUM_PATH overrides the executable. The flags keep it from
// reaching out to Google's services, which this machine's closed network refuses.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launch headless Chromium (resolves to a playwright Browser). */
export function launchChromium() {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

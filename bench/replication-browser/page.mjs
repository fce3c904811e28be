// Page of the browser replication benchmark: the same driver as Node's (bench/replication-runs.mjs)
// over module Web Workers; bench/replication-browser.mjs calls window.bench.run(opts).
import { runAll, report } from '../replication-runs.mjs';

function spawn() {
  const w = new Worker(new URL('./worker.mjs', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    w.onerror = (e) => reject(new Error(`worker failed to start: ${e.message}`));
    w.onmessage = (ev) => {
      if (!ev.data.ready) return;
      w.onerror = (e) => console.error(`worker error: ${e.message}`);
      resolve({
        post: (msg, transfer) => w.postMessage(msg, transfer),
        listen: (fn) => { w.onmessage = (e) => fn(e.data); },
        terminate: () => w.terminate(),
      });
    };
  });
}

window.bench = {
  async run(opts) {
    // Cross-origin isolated (COOP/COEP from the bench server): timers at 5 µs, not 100 µs.
    console.log(`crossOriginIsolated: ${self.crossOriginIsolated}`);
    const out = await runAll({ spawn, log: (l) => console.log(l), ...opts });
    return { out, report: report(out, opts.title ?? 'Chromium (Web Workers)') };
  },
};
document.body.dataset.ready = '1';

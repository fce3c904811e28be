// Web Worker of the browser replication benchmark: one wasm shard; the code is shared with
// the Node benchmark (bench/replication-worker-core.mjs).
import { Shard, connect, describeEffects } from '../../js/browser.mjs';
import { serve } from '../replication-worker-core.mjs';

serve({ Shard, connect, describeEffects }, {
  post: (msg, transfer) => self.postMessage(msg, transfer),
  listen: (fn) => { self.onmessage = (ev) => fn(ev.data); },
});
self.postMessage({ ready: true }); // the module (and its wasm) is loaded: requests may come

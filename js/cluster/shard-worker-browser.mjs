// Web Worker (module) script of a Node's shard (see shard-host.mjs for the protocol).
import * as marekvs from '../browser.mjs';
import { hostShard } from './shard-host.mjs';

hostShard(marekvs, {
  post: (msg, transfer) => self.postMessage(msg, transfer ?? []),
  onMessage: (fn) => self.addEventListener('message', (e) => fn(e.data)),
  close: () => self.close(),
});

// `marekvs/cluster` in browsers: a Node's shards run in module Web Workers
// (js/cluster/shard-worker-browser.mjs), linked to peers over MessageChannels.
import { routeCommand } from '../browser.mjs';
import { defineNode } from './node-core.mjs';

export const Node = defineNode({
  routeCommand,
  MessageChannel: globalThis.MessageChannel,
  spawn(name) {
    const worker = new Worker(new URL('./shard-worker-browser.mjs', import.meta.url), { type: 'module', name });
    let exited = null;
    return {
      raw: worker,
      post: (msg, transfer) => worker.postMessage(msg, transfer ?? []),
      onMessage: (fn) => worker.addEventListener('message', (e) => fn(e.data)),
      // An uncaught error inside the worker (including a failed module load) arrives here.
      onError: (fn) => worker.addEventListener('error', (e) => {
        e.preventDefault?.();
        fn(new Error(e.message || `worker ${name} failed to load`));
      }),
      // Browsers report no exit: terminate() is the only way a worker ends here.
      onExit: (fn) => { exited = fn; },
      terminate: async () => {
        worker.terminate();
        exited?.(null);
      },
    };
  },
});

export { replyError } from './replies.mjs';

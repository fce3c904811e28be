// `marekvs/cluster` in Node: a Node's shards run in worker_threads (js/cluster/shard-worker.mjs).
import { Worker, MessageChannel } from 'node:worker_threads';
import { routeCommand } from '../node.mjs';
import { defineNode } from './node-core.mjs';

export const Node = defineNode({
  routeCommand,
  MessageChannel,
  spawn(name) {
    // Node flags pass to workers, but --input-type (node --input-type=module -e ...) would make
    // the worker refuse its file.
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = new Worker(new URL('./shard-worker.mjs', import.meta.url), { name, execArgv });
    return {
      raw: worker,
      post: (msg, transfer) => worker.postMessage(msg, transfer),
      onMessage: (fn) => worker.on('message', fn),
      onError: (fn) => worker.on('error', fn),
      onExit: (fn) => worker.on('exit', fn),
      terminate: () => worker.terminate(),
    };
  },
});

export { replyError } from './replies.mjs';

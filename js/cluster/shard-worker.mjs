// worker_threads script of a Node's shard (see shard-host.mjs for the protocol).
import { parentPort } from 'node:worker_threads';
import * as marekvs from '../node.mjs';
import { hostShard } from './shard-host.mjs';

hostShard(marekvs, {
  post: (msg, transfer) => parentPort.postMessage(msg, transfer),
  onMessage: (fn) => parentPort.on('message', fn),
  close: () => parentPort.close(),
});

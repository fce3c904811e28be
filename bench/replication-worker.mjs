// Node worker_threads entry of the replication benchmark (bench/replication.mjs): the shard
// code is bench/replication-worker-core.mjs.
import { parentPort } from 'node:worker_threads';
import { Shard, connect, describeEffects } from '../js/node.mjs';
import { serve } from './replication-worker-core.mjs';

serve({ Shard, connect, describeEffects }, {
  post: (msg, transfer) => parentPort.postMessage(msg, transfer),
  listen: (fn) => parentPort.on('message', fn),
});

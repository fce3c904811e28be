// Node worker_threads entry of the replication benchmark (bench/replication.mjs): the shard
// code is bench/replication-worker-core.mjs.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { Shard, connect, describeEffects } from '../js/node.mjs';
import { serve } from './replication-worker-core.mjs';

// Milliseconds this thread has spent runnable but waiting for a CPU (Linux schedstat, second
// field, ns), so the driver can tell the link's own latency from time spent in the run queue.
let runqMs = null;
try {
  const read = () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[1]) / 1e6;
  if (Number.isFinite(read())) runqMs = read;
} catch {
  // not Linux: the report leaves the column out
}

serve({ Shard, connect, describeEffects, runqMs }, {
  post: (msg, transfer) => parentPort.postMessage(msg, transfer),
  listen: (fn) => parentPort.on('message', fn),
});

// Node worker_threads entry of the replication benchmark (bench/replication.mjs): the shard
// code is bench/replication-worker-core.mjs. `workerData.pkg`: load the package from that
// directory instead of pkg/ (before/after comparisons, `--ab DIR_A,DIR_B`); a `replication/`
// folder in it, if any, replaces js/replication/ (a copy of the link's code from before a change).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { serve } from './replication-worker-core.mjs';

let lib;
const dir = workerData?.pkg;
if (dir) {
  const { loadBuild } = await import('./builds.mjs');
  const glue = await loadBuild(dir);
  const own = resolve(dir, 'replication/index.mjs');
  const rep = await import(existsSync(own) ? pathToFileURL(own).href : '../js/replication/index.mjs');
  lib = { Shard: glue.Shard, describeEffects: glue.describeEffects, connect: rep.connect };
} else {
  const m = await import('../js/node.mjs');
  lib = { Shard: m.Shard, describeEffects: m.describeEffects, connect: m.connect };
}

// Linux schedstat of this thread (ns): time on a CPU, and time runnable but waiting for one.
// `runqMs` lets the driver tell the link's own latency from time spent in the run queue;
// `cpuMs` measures each end's CPU time, which on a shared machine is what a figure can rest on.
let runqMs = null;
let cpuMs = null;
try {
  const field = (i) => () => Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[i]) / 1e6;
  if (Number.isFinite(field(1)())) {
    runqMs = field(1);
    cpuMs = field(0);
  }
} catch {
  // not Linux: the report leaves the columns out
}

serve({ ...lib, runqMs, cpuMs }, {
  post: (msg, transfer) => parentPort.postMessage(msg, transfer),
  listen: (fn) => parentPort.on('message', fn),
});

// A shard worker of `marekvs serve`: one wasm Shard owning a share of the partitions. It runs
// the batches the connections' Gateways build (see server.mjs) and answers RESP bytes.
import { parentPort, workerData } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import { Shard, setInterruptBuffer, connect, replicate } from '../node.mjs';

const { partitions, owned, seed, index, status } = workerData;
// MAREKVS_SCRIPT_TIME_LIMIT_MS sets the scripts' deadline (CONFIG SET lua-time-limit too).
const limit = Number(process.env.MAREKVS_SCRIPT_TIME_LIMIT_MS);
const shard = new Shard({ partitions, owned, seed, ...(limit >= 1 ? { scriptTimeLimitMs: limit } : {}) });
// This worker's 4 elements of the server's shared status (kill request, script running,
// start, busy threshold): the script budget publishes into it and polls the kill request.
if (status) setInterruptBuffer(new Int32Array(status, 16 * index, 4));

// Replication (docs/replication.md): a shard started from nothing is a new incarnation and
// needs a node id no earlier run used, so it is random at every start (the server's --node-id
// is only the name peers and logs see). The replicator is installed now so that, with no peer
// linked, local effects are dropped from the outgoing queue instead of piling up.
let nodeId = 0n;
while (nodeId === 0n) nodeId = randomBytes(8).readBigUInt64LE();
shard.nodeId = nodeId;
replicate(shard);

/** A peer link: port is this worker's end of a channel the main thread pumps to a socket. */
function startLink(port, peer) {
  const link = connect(shard, port, {
    // A closed port is the main thread closing the connection: it logs that itself.
    log: (s) => s.endsWith('dropped: port closed') || parentPort.postMessage({ log: `peer ${peer}: ${s}` }),
  });
  link.closed.then((reason) => {
    // Tell the main thread why (so it drops the connection and the dialer starts over), then
    // release the port. A link ended by the port closing needs neither.
    if (reason === 'port closed') return;
    try {
      port.postMessage({ down: reason });
      port.close();
    } catch {
      // already closed
    }
  });
}

// Active expiry: a bounded sweep ten times a second, like Redis's hz 10.
const expiry = setInterval(() => {
  try {
    shard.activeExpire(200);
  } catch {
    // a trapped instance is reported by the next batch
  }
}, 100);
expiry.unref();

// A message is one Uint8Array of jobs [id u32][len u32][payload]; the answer is one
// Uint8Array of results [id u32][status u32][nReplies u32][outLen u32][lens u32 × n][out].
const enc = new TextEncoder();
parentPort.on('message', (msg) => {
  if (!(msg instanceof Uint8Array)) {
    if (msg && msg.link) {
      startLink(msg.link, msg.peer);
    } else if (msg && msg.stop) {
      clearInterval(expiry);
      parentPort.close();
    }
    return;
  }
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const results = [];
  let size = 0;
  let off = 0;
  while (off < msg.length) {
    const id = dv.getUint32(off, true);
    const len = dv.getUint32(off + 4, true);
    const payload = msg.subarray(off + 8, off + 8 + len);
    off += 8 + len;
    let r;
    try {
      const out = shard.execBatch(payload);
      r = { id, status: 0, out, lens: shard.lastReplyLengths() };
    } catch (e) {
      r = { id, status: 1, out: enc.encode(`shard ${index}: ${e && e.message ? e.message : e}`), lens: new Uint32Array(0) };
    }
    size += 16 + 4 * r.lens.length + r.out.length;
    results.push(r);
  }
  const ans = new Uint8Array(size);
  const av = new DataView(ans.buffer);
  let o = 0;
  for (const r of results) {
    av.setUint32(o, r.id, true);
    av.setUint32(o + 4, r.status, true);
    av.setUint32(o + 8, r.lens.length, true);
    av.setUint32(o + 12, r.out.length, true);
    o += 16;
    for (let i = 0; i < r.lens.length; i++, o += 4) av.setUint32(o, r.lens[i], true);
    ans.set(r.out, o);
    o += r.out.length;
  }
  parentPort.postMessage(ans, [ans.buffer]);
});

parentPort.postMessage({ ready: true });

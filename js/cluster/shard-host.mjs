// The body of a shard worker (shared by shard-worker.mjs for worker_threads and
// shard-worker-browser.mjs for Web Workers): one wasm Shard owning a share of the
// partitions, answering the Node's requests and replicating over the ports it is handed.
//
// Main → worker: {t:'init', index, partitions, owned, seed, nodeId, shardOptions, link, status}
//   {t:'cmd', id, argv}  {t:'batch', id, payload}  {t:'attach', link, port}
//   {t:'detach', link, reason}  {t:'retire', link}  {t:'info', id}  {t:'stop'}
//   a bare Uint8Array: coalesced jobs (`Node.postJobs`, see runJobs)
// Worker → main: {t:'loaded'} (listening: send init)  {t:'ready', nodeId}  {t:'r', id, v} (reply)  {t:'e', id, message} (failure)
//   {t:'event', link, ev}  {t:'log', message}  a bare Uint8Array: the jobs' results
import { encodeReply } from './replies.mjs';
import { orderedPort } from './ordered-port.mjs';

/**
 * @param marekvs  the package entry module (Shard, connect, flushReplication, setInterruptBuffer)
 * @param endpoint { post(msg, transfer?), onMessage(fn) }
 */
export function hostShard(marekvs, endpoint) {
  let shard = null;
  let index = -1;
  let linkOptions = {};
  let expiry = null;
  const links = new Map(); // link id → replication link
  const log = (message) => endpoint.post({ t: 'log', message: `shard ${index}: ${message}` });

  // Replies leave after the effects they produced: connect() flushes in a microtask after
  // shard.command, which would run after the reply is posted; flushing first means a write
  // acknowledged to the client is already on the wire to every live peer (a worker
  // terminated right after the reply does not take it with it).
  const flush = () => marekvs.flushReplication?.(shard);

  function init(m) {
    index = m.index;
    linkOptions = m.link ?? {};
    shard = new marekvs.Shard({ ...m.shardOptions, partitions: m.partitions, owned: m.owned, seed: m.seed, errors: 'return' });
    shard.nodeId = m.nodeId;
    // The replicator takes the shard's effects from the start (with no live link they are only
    // kept in the bounded log, for catch-up), so nothing piles up before the first link.
    marekvs.replicate?.(shard);
    if (m.status && marekvs.setInterruptBuffer) marekvs.setInterruptBuffer(new Int32Array(m.status, 16 * index, 4));
    // Active expiry: a bounded sweep ten times a second, like Redis's hz 10.
    expiry = setInterval(() => {
      try {
        shard.activeExpire(200);
      } catch {
        // a trapped instance is reported by the next command
      }
    }, 100);
    endpoint.post({ t: 'ready', nodeId: shard.nodeId });
  }

  function attach(m) {
    if (!marekvs.connect) {
      log('replication is not available in this build (no connect export)');
      return;
    }
    const id = m.link;
    const { reorder = true, gapTimeoutMs, ...options } = linkOptions;
    // FIFO per link even over a reordering transport (see ordered-port.mjs for why).
    const port = reorder ? orderedPort(m.port, { gapTimeoutMs }) : m.port;
    const label = m.label ?? `link ${id}`;
    const link = marekvs.connect(shard, port, {
      ...options,
      log: (message) => log(`${label}: ${message}`),
      onEvent: (ev) => {
        if (ev.type === 'hello' || ev.type === 'live' || ev.type === 'closed' || ev.type === 'refused') {
          endpoint.post({ t: 'event', link: id, ev: { type: ev.type, peer: ev.peer ?? null, reason: ev.reason ?? null } });
        }
      },
    });
    links.set(id, { link, port });
    // A link that ends (the peer's BYE, a hostile frame) releases its port too. With
    // `announceClose` the other end first gets `{ down: reason }` (unless the port itself
    // closed): `marekvs serve` drops the whole peer connection with that reason.
    link.closed?.then((reason) => {
      if (links.get(id)?.link === link) links.delete(id);
      if (m.announceClose && !String(reason).startsWith('port closed')) {
        try {
          port.postMessage({ down: reason });
        } catch {
          // already closed
        }
      }
      port.close?.();
    });
  }

  function detach(m) {
    const l = links.get(m.link);
    if (!l) return;
    links.delete(m.link);
    try {
      l.link.close(m.reason ?? 'detached');
    } finally {
      l.port.close?.();
    }
  }

  // The peer's worker was terminated: frames it posted before dying may still be queued on the
  // port (or in a relay). Keep the link until nothing has arrived for a while and nothing is
  // held back for a missing frame, then close it: what it carried were acknowledged writes
  // that may exist nowhere else.
  function retire(m) {
    const l = links.get(m.link);
    if (!l) return;
    const deadline = Date.now() + (m.maxMs ?? 10000);
    let last = -1;
    const check = () => {
      if (links.get(m.link) !== l) return;
      const n = l.link.stats.recvFrames;
      if ((n === last && !(l.port.held > 0)) || Date.now() > deadline) detach({ link: m.link, reason: 'peer shard restarted' });
      else {
        last = n;
        setTimeout(check, m.quietMs ?? 1000);
      }
    };
    check();
  }

  function info(m) {
    const linkInfo = [];
    for (const [id, { link }] of links) {
      linkInfo.push({ id, state: link.state, peer: link.peer, closeReason: link.closeReason ?? null, stats: { ...link.stats } });
    }
    return {
      index,
      nodeId: shard.nodeId,
      dbsize: shard.dbsize,
      pendingEffects: shard.pendingEffects(),
      digest: shard.command(['DEBUG', 'DIGEST']),
      links: linkInfo,
      // Version vectors per partition ({ "<origin hex>": "<ms>.<counter>" }), on request.
      vectors: m.vectors ? Object.fromEntries(Array.from(shard.replicatedPartitions(), (p) => [p, JSON.parse(shard.versionVectorJson(p))])) : undefined,
    };
  }

  // Coalesced jobs (the client path of `marekvs serve`): one Uint8Array of jobs
  // [id u32][len u32][payload]..., each payload a Gateway batch; the answer is one Uint8Array
  // of results [id u32][status u32: 0 ok, 1 error][nReplies u32][outLen u32][out][lens u32 × n]...
  // (for an error, out is the UTF-8 message and n is 0). The whole message is one wasm call
  // (`execJobs`): one crossing and two copies per message, not per job.
  const enc = new TextEncoder();
  function runJobs(msg) {
    let ans;
    try {
      ans = shard.execJobs(msg);
    } catch (e) {
      // A trapped instance: every job of the message fails (their connections are closed).
      ans = failJobs(msg, enc.encode(`shard ${index}: ${e && e.message ? e.message : e}`));
    }
    // With a link, the effects leave before the replies (see flush). With none, they are
    // dropped (unencoded) after the post: off the clients' critical path.
    const linked = links.size > 0;
    if (linked) flush();
    endpoint.post(ans, [ans.buffer]);
    if (!linked) flush();
  }

  function failJobs(msg, text) {
    const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
    const ids = [];
    for (let off = 0; off + 8 <= msg.length; off += 8 + dv.getUint32(off + 4, true)) ids.push(dv.getUint32(off, true));
    const ans = new Uint8Array(ids.length * (16 + text.length));
    const av = new DataView(ans.buffer);
    ids.forEach((id, i) => {
      const o = i * (16 + text.length);
      av.setUint32(o, id, true);
      av.setUint32(o + 4, 1, true);
      av.setUint32(o + 8, 0, true);
      av.setUint32(o + 12, text.length, true);
      ans.set(text, o + 16);
    });
    return ans;
  }

  endpoint.onMessage((m) => {
    if (m instanceof Uint8Array) {
      runJobs(m);
      return;
    }
    switch (m.t) {
      case 'cmd': {
        let v;
        try {
          v = shard.command(m.argv);
        } catch (e) {
          endpoint.post({ t: 'e', id: m.id, message: String(e && e.message ? e.message : e) });
          return;
        }
        flush();
        endpoint.post({ t: 'r', id: m.id, v: encodeReply(v) });
        return;
      }
      case 'batch': {
        let out, lens;
        try {
          out = shard.execBatch(m.payload);
          lens = shard.lastReplyLengths();
        } catch (e) {
          endpoint.post({ t: 'e', id: m.id, message: String(e && e.message ? e.message : e) });
          return;
        }
        flush();
        endpoint.post({ t: 'r', id: m.id, v: { out, lens } }, [out.buffer, lens.buffer]);
        return;
      }
      case 'info':
        endpoint.post({ t: 'r', id: m.id, v: info(m) });
        return;
      case 'attach':
        attach(m);
        return;
      case 'detach':
        detach(m);
        return;
      case 'retire':
        retire(m);
        return;
      case 'init':
        init(m);
        return;
      case 'stop':
        clearInterval(expiry);
        for (const id of [...links.keys()]) detach({ link: id, reason: 'shutdown' });
        endpoint.close();
        return;
      default:
        log(`unknown message ${JSON.stringify(m.t)}`);
    }
  });
  // Only now is the listener in place: a module worker's early messages could otherwise be
  // dispatched before its imports (the wasm instantiation) finished.
  endpoint.post({ t: 'loaded' });
}

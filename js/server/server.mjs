// `marekvs serve`: a RESP2/RESP3 server over node:net hosting N shard workers, spawned and
// driven through a `Node` (js/cluster/node-core.mjs; the workers run js/cluster/shard-host.mjs).
//
// Main thread: one wasm Gateway per connection parses RESP (pipelining, partial frames,
// inline commands, Redis's protocol errors), keeps the connection's state (protocol from
// HELLO, client name, id), answers connection commands itself and routes every other command
// to the worker owning its keys' partition (fan-out for DBSIZE, KEYS, FLUSHALL, SCAN, ...).
// All commands parsed from one read go to a worker as one payload; payloads queued in the
// same event-loop turn are coalesced into one postMessage per worker (`Node.postJobs`, results
// through `Node.onJobResults`), and while a message is in flight to a worker its next jobs
// wait for the results to leave together. Replies are written in request order per connection. A
// connection whose first command is MAREKVS.PEER is another server's replication link instead
// (peers.mjs, its ports handed to the workers by `Node.attachPort`); --peer dials others. See
// docs/js-api.md ("marekvs serve").
import net from 'node:net';
import { Gateway } from '../node.mjs';
import { Node } from '../cluster/node.mjs';
import { createPeers, sniffHandshake, NAME_RE } from './peers.mjs';

const PLAN_LOCAL = 254;
const PLAN_SPECIAL = 255;
const HIGH_WATER = 8 * 1024 * 1024; // pause reading a client whose replies pile up
// A worker's queue is posted at the end of the event-loop turn, or as soon as it holds this
// many jobs / bytes (so the worker starts while the main thread is still reading sockets)...
const FLUSH_JOBS = Number(process.env.MAREKVS_FLUSH_JOBS || 8);
const FLUSH_BYTES = 256 * 1024;
// ...but only while fewer than this many messages are in flight to it: otherwise the queue
// waits for the worker's results and then leaves as one message. Every message costs both
// threads a postMessage and a wake-up; with one in flight the messages grow with the load
// (GET -P 16: ~6 → ~18 jobs per message, marekvs CPU per request 4.8-5.1 → 3.2-3.3 us).
const MAX_INFLIGHT = Number(process.env.MAREKVS_MAX_INFLIGHT || 1);

/**
 * Start a server. Resolves to { host, port, shards, partitions, nodeId, peers(), close() }.
 * `nodeId` names this server to its peers (default random); `peers` lists `host:port`s to
 * replicate with (dialed and re-dialed; other servers may dial this one too).
 * @param {{host?: string, port?: number, shards?: number, partitions?: number, nodeId?: string, peers?: string[], log?: (s: string) => void, onFatal?: (e: Error) => void}} [opts]
 */
export async function startServer(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const shards = Math.trunc(opts.shards ?? 1);
  if (!(shards >= 1 && shards <= 250)) throw new RangeError('shards must be in 1..250');
  const partitions = Math.trunc(opts.partitions ?? Math.max(16, shards));
  if (!(partitions >= shards && partitions <= 16384)) {
    throw new RangeError(`partitions must be in ${shards}..16384`);
  }
  const log = opts.log ?? (() => {});
  const name = opts.nodeId ?? `node-${Math.random().toString(36).slice(2, 10)}`;
  if (!NAME_RE.test(name)) throw new RangeError('nodeId must be 1-64 of A-Z a-z 0-9 . _ : @ -');
  const dial = opts.peers ?? [];
  for (const t of dial) if (!/^.+:\d+$/.test(t)) throw new RangeError(`peer '${t}': expected host:port`);
  // Partition p is served by worker p % shards.
  const owner = new Uint16Array(partitions);
  for (let p = 0; p < partitions; p++) owner[p] = p % shards;

  // Shared status, 4 int32 per worker (kill request, script running, start, busy threshold):
  // workers' script budgets write it; connections read it to answer BUSY and SCRIPT KILL.
  const status = new SharedArrayBuffer(16 * shards);
  const statusView = new Int32Array(status);
  let nextJob = 1; // job ids: the worker answers in order; the id checks it
  let flushScheduled = false;
  let stopping = false;
  let closing = null;
  let started = false; // a worker exiting while Node.start runs makes it reject instead

  // The shard workers: a Node (docs/js-api.md, "Node class"). Each shard gets a fresh random
  // replication node id at every start (a shard started from nothing is a new incarnation;
  // --node-id is only the name peers and logs see), its replicator installed at once (with no
  // peer linked, local effects are dropped instead of piling up), active expiry, and its 4
  // elements of the status buffer. MAREKVS_SCRIPT_TIME_LIMIT_MS sets the scripts' deadline
  // (CONFIG SET lua-time-limit too).
  const limit = Number(process.env.MAREKVS_SCRIPT_TIME_LIMIT_MS);
  const prefix = `${name}: `;
  const node = await Node.start({
    name,
    shards,
    partitions,
    statusBuffer: status,
    ...(limit >= 1 ? { scriptTimeLimitMs: limit } : {}),
    // Peer connections are TCP (FIFO): no reordering buffer on the links.
    link: { reorder: false },
    log: (s) => {
      // A closed port is this thread closing the peer connection: peers.mjs logs that itself.
      if (/ dropped: port closed(: [^\n]*)?$/.test(s)) return;
      log(s.startsWith(prefix) ? s.slice(prefix.length) : s);
    },
    onEvent: (ev) => {
      if (ev.type !== 'shard-exit' || ev.expected || stopping || !started) return;
      const e = new Error(`worker ${ev.shard} exited (${ev.code})`);
      log(`worker ${ev.shard} exited (${ev.code}); shutting down`);
      close().then(() => opts.onFatal && opts.onFatal(e));
    },
  });
  started = true;
  node.onJobResults(onResults);
  const workers = [];
  // Per worker: jobs waiting to be posted, and per message in flight its jobs (FIFO: a worker
  // answers its messages, and the jobs in each, in order).
  for (let i = 0; i < shards; i++) workers.push({ queue: [], queued: 0, index: i, inflight: 0, sent: [] });

  // One message per worker per event-loop turn: a single Uint8Array of jobs
  // [id u32][len u32][payload], copied (cheaper than transferring many small buffers). A job
  // with `raw` set is a client's chunk as read (see onData): its payload is the raw segment
  // [raw u8][len u32][chunk] (session.rs, `RAW_SEGMENT`).
  function flush() {
    flushScheduled = false;
    for (const w of workers) flushWorker(w);
  }

  function flushWorker(w) {
    if (w.queue.length === 0 || w.inflight >= MAX_INFLIGHT) return;
    {
      let size = 0;
      for (const j of w.queue) size += (j.raw ? 13 : 8) + j.payload.length;
      const msg = new Uint8Array(size);
      const dv = new DataView(msg.buffer);
      let off = 0;
      for (const j of w.queue) {
        const len = j.payload.length;
        dv.setUint32(off, j.id, true);
        if (j.raw) {
          dv.setUint32(off + 4, len + 5, true);
          msg[off + 8] = j.raw;
          dv.setUint32(off + 9, len, true);
          off += 5;
        } else {
          dv.setUint32(off + 4, len, true);
        }
        msg.set(j.payload, off + 8);
        j.payload = null; // copied: the chunk is not kept while the job is in flight
        off += 8 + len;
      }
      const queue = w.queue;
      w.queue = [];
      w.queued = 0;
      if (node.postJobs(w.index, msg)) {
        w.inflight++;
        w.sent.push(queue);
      } else {
        failJobs(queue, `shard ${w.index} is ${node.shardState(w.index)}`);
      }
    }
  }

  // Jobs that cannot run (their worker is gone, the server is stopping): their connections get
  // an error and are closed.
  function failJobs(queue, error) {
    const touched = new Set();
    for (const job of queue) {
      job.entry.error = error;
      job.entry.waiting--;
      touched.add(job.conn);
    }
    for (const conn of touched) drain(conn);
  }

  function send(w, conn, entry, payload, raw = 0) {
    w.queue.push({ id: nextJob++, payload, raw, conn, entry, w: w.index });
    if (nextJob > 0xffffffff) nextJob = 1;
    w.queued += payload.length;
    if (w.queue.length >= FLUSH_JOBS || w.queued >= FLUSH_BYTES) {
      flushWorker(w); // start the worker early: it runs while this thread reads more sockets
    } else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  // Results: [id u32][status u32: 0 ok, 1 error][nReplies u32][outLen u32][out][lens u32 × n],
  // one per job of the message, in order (for an error, out is the UTF-8 message).
  function onResults(i, m) {
    const w = workers[i];
    w.inflight--;
    const sent = w.sent.shift() ?? [];
    flushWorker(w); // what queued up meanwhile leaves at once, as one message
    // The connections this message answered, each once (a flag on the connection instead of
    // a Set per message).
    const touched = [];
    const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
    let off = 0;
    let k = 0;
    for (; k < sent.length && off + 16 <= m.length; k++) {
      const job = sent[k];
      const id = dv.getUint32(off, true);
      const status = dv.getUint32(off + 4, true);
      const n = dv.getUint32(off + 8, true);
      const outLen = dv.getUint32(off + 12, true);
      const out = m.subarray(off + 16, off + 16 + outLen);
      const lensAt = off + 16 + outLen;
      off = lensAt + 4 * n;
      const { conn, entry } = job;
      if (id !== job.id) {
        entry.error = `shard ${i}: job ${job.id} answered as ${id}`;
        log(entry.error);
      } else if (status !== 0) {
        entry.error = Buffer.from(out).toString();
        log(entry.error);
      } else if (entry.single >= 0) {
        entry.out = out; // written whole: no lengths needed
      } else {
        const lens = new Uint32Array(n);
        for (let r = 0; r < n; r++) lens[r] = dv.getUint32(lensAt + 4 * r, true);
        entry.parts[job.w] = { out, lens };
      }
      entry.waiting--;
      if (!conn.touched) {
        conn.touched = true;
        touched.push(conn);
      }
    }
    for (const conn of touched) {
      conn.touched = false;
      drain(conn);
    }
    // A short answer (never sent by a healthy worker): its connections get an error instead
    // of waiting forever.
    if (k < sent.length) failJobs(sent.slice(k), `shard ${i}: ${sent.length - k} job(s) unanswered`);
  }

  // ---------------------------------------------------------------- peers

  // Peer links (peers.mjs): each connection gets one MessageChannel per worker; port2 goes to
  // the worker (`node.attachPort`), which replicates its shard with the peer's worker of the
  // same index over it. A link that ends posts `{ down: reason }` first (peers.mjs then drops
  // the whole connection with that reason); its log lines read `shard i: peer <name>: ...`.
  const peers = createPeers({
    name,
    shards,
    partitions,
    log,
    attach: (i, port, peer) => {
      try {
        node.attachPort(i, port, { label: `peer ${peer}`, announceClose: true });
      } catch {
        port.close(); // the shard is not up: the connection closes ('port closed')
      }
    },
  });

  // ---------------------------------------------------------------- connections

  const conns = new Set();
  let nextClientId = 1;

  function assemble(entry) {
    const b = entry.batch;
    if (entry.single >= 0) return entry.out;
    const chunks = [];
    const cur = new Map(); // worker → [reply index, byte offset]
    const take = (w) => {
      const p = entry.parts[w];
      const c = cur.get(w) ?? [0, 0];
      const len = p.lens[c[0]];
      const out = p.out.subarray(c[1], c[1] + len);
      cur.set(w, [c[0] + 1, c[1] + len]);
      return out;
    };
    const plan = b.plan;
    const local = plan.includes(PLAN_LOCAL) ? b.local : null;
    const llens = local ? b.localLengths : null;
    let li = 0;
    let loff = 0;
    let si = 0;
    for (const p of plan) {
      if (p === PLAN_LOCAL) {
        chunks.push(local.subarray(loff, loff + llens[li]));
        loff += llens[li++];
      } else if (p === PLAN_SPECIAL) {
        const targets = b.specialTargets(si);
        chunks.push(b.finishSpecial(si, Array.from(targets, (t) => take(t))));
        si++;
      } else {
        chunks.push(take(p));
      }
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  }

  function drain(conn) {
    while (conn.queue.length > 0 && conn.queue[0].waiting === 0) {
      const entry = conn.queue.shift();
      if (!conn.socket.destroyed) {
        if (entry.error) {
          conn.socket.end(`-ERR internal error: ${entry.error.replace(/[\r\n]/g, ' ')}\r\n`);
          conn.closed = true;
        } else {
          const out = entry.count > 0 ? assemble(entry) : null;
          if (out && out.length > 0) conn.socket.write(out);
          if (entry.close) {
            conn.closed = true;
            conn.socket.end();
          }
        }
      }
      if (entry.batch) entry.batch.free();
    }
    if (conn.paused && conn.socket.writableLength < HIGH_WATER && conn.queue.length < 64) {
      conn.paused = false;
      conn.socket.resume();
    }
  }

  function onData(conn, chunk) {
    if (conn.closed) return;
    const code = conn.gw.feedFast(chunk);
    if (code === -1) return; // a partial request: nothing to do yet
    if (code >= 256) {
      // Fastest path: the chunk is complete requests for one worker; it gets them as read.
      const w = code & 255;
      const entry = { batch: null, count: 1, close: false, parts: null, out: null, waiting: 1, single: w, error: null };
      conn.queue.push(entry);
      send(workers[w], conn, entry, chunk, 0x80 | (code >> 8));
    } else if (code >= 0) {
      // Fast path: every command of this read goes to one worker, nothing else in the batch.
      const entry = { batch: null, count: 1, close: false, parts: null, out: null, waiting: 1, single: code, error: null };
      conn.queue.push(entry);
      send(workers[code], conn, entry, conn.gw.takePayload(code));
    } else {
      const batch = conn.gw.takeBatch();
      const close = batch.close;
      const entry = { batch, count: batch.count, close, parts: new Array(shards), out: null, waiting: 0, single: -1, error: null };
      if (close) conn.closed = true;
      conn.queue.push(entry);
      for (let w = 0; w < shards; w++) {
        const payload = batch.payload(w);
        if (payload.length > 0) {
          entry.waiting++;
          send(workers[w], conn, entry, payload);
        }
      }
      if (entry.waiting === 0) drain(conn);
    }
    if (conn.socket.writableLength >= HIGH_WATER || conn.queue.length >= 64) {
      conn.paused = true;
      conn.socket.pause();
    }
  }

  const server = net.createServer({ noDelay: true }, (socket) => {
    const gw = new Gateway(owner, shards, nextClientId++);
    gw.setStatusBuffer(statusView);
    const conn = { socket, gw, queue: [], closed: false, paused: false, touched: false };
    conns.add(conn);
    // The first command decides whether this is a client or a peer link (MAREKVS.PEER, see
    // peers.mjs); after that the client path runs without any further check.
    let head = null;
    const onFirst = (chunk) => {
      head = head ? Buffer.concat([head, chunk]) : chunk;
      const r = sniffHandshake(head);
      if (r.kind === 'more') return;
      const bytes = head;
      head = null;
      socket.off('data', onFirst);
      if (r.kind === 'client') {
        socket.on('data', (c) => onData(conn, c));
        onData(conn, bytes);
        return;
      }
      // A peer: the Gateway is not needed; peers.mjs owns the socket from here.
      conns.delete(conn);
      conn.closed = true;
      conn.gw.free();
      for (const ev of ['drain', 'close', 'error']) socket.removeAllListeners(ev);
      if (r.kind === 'bad') {
        log(`refused a peer handshake from ${socket.remoteAddress}:${socket.remotePort}: ${r.error}`);
        socket.on('error', () => socket.destroy());
        socket.end(`-ERR ${r.error}\r\n`);
        return;
      }
      peers.accept(socket, r.args, r.rest);
    };
    socket.on('data', onFirst);
    socket.on('drain', () => drain(conn));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      conns.delete(conn);
      conn.closed = true;
      // Entries still waiting are freed when their results arrive (drain skips the write).
      if (conn.queue.every((e) => e.waiting === 0)) {
        for (const e of conn.queue) if (e.batch) e.batch.free();
        conn.queue = [];
      }
      conn.gw.free();
    });
  });

  try {
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 6379, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await close(); // the workers too (e.g. the port is taken)
    throw e;
  }
  const addr = server.address();

  function close() {
    if (closing) return closing;
    stopping = true;
    peers.close();
    closing = (async () => {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const c of conns) c.socket.destroy();
      });
      await node.close();
    })();
    return closing;
  }

  log(`marekvs serve: listening on ${addr.address}:${addr.port} (${shards} shard${shards > 1 ? 's' : ''}, ${partitions} partitions, node ${name})`);
  // Dial only once listening: a peer dialing back at once finds this server ready.
  peers.dial(dial);
  return { host: addr.address, port: addr.port, shards, partitions, nodeId: name, peers: peers.peers, close };
}

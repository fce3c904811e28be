// `marekvs serve`: a RESP2/RESP3 server over node:net hosting N shard workers.
//
// Main thread: one wasm Gateway per connection parses RESP (pipelining, partial frames,
// inline commands, Redis's protocol errors), keeps the connection's state (protocol from
// HELLO, client name, id), answers connection commands itself and routes every other command
// to the worker owning its keys' partition (fan-out for DBSIZE, KEYS, FLUSHALL, SCAN, ...).
// All commands parsed from one read go to a worker as one payload; payloads queued in the
// same event-loop turn are coalesced into one postMessage per worker. Replies are written in
// request order per connection. A connection whose first command is MAREKVS.PEER is another
// server's replication link instead (peers.mjs); --peer dials others. See docs/js-api.md
// ("marekvs serve").
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { Gateway } from '../node.mjs';
import { createPeers, sniffHandshake, NAME_RE } from './peers.mjs';

const PLAN_LOCAL = 254;
const PLAN_SPECIAL = 255;
const HIGH_WATER = 8 * 1024 * 1024; // pause reading a client whose replies pile up
// A worker's queue is posted at the end of the event-loop turn, or as soon as it holds this
// many jobs / bytes (so the worker starts while the main thread is still reading sockets).
const FLUSH_JOBS = Number(process.env.MAREKVS_FLUSH_JOBS || 8);
const FLUSH_BYTES = 256 * 1024;

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
  const workers = [];
  const jobs = new Map(); // job id → { conn, entry, w }
  let nextJob = 1;
  let flushScheduled = false;

  for (let i = 0; i < shards; i++) {
    const owned = [];
    for (let p = 0; p < partitions; p++) if (owner[p] === i) owned.push(p);
    const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
      workerData: { partitions, owned, seed: i + 1, index: i, status },
    });
    const w = { worker, queue: [], queued: 0, index: i };
    workers.push(w);
  }
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => {
    const onMsg = (m) => {
      if (m && m.ready) {
        w.worker.off('error', reject);
        resolve();
      }
    };
    w.worker.once('message', onMsg);
    w.worker.once('error', reject);
  })));
  let stopping = false;
  for (const w of workers) {
    w.worker.on('message', (m) => (m instanceof Uint8Array ? onResults(w, m) : onControl(w, m)));
    w.worker.on('error', (e) => log(`worker ${w.index} failed: ${e && e.stack ? e.stack : e}`));
    w.worker.on('exit', (code) => {
      if (!stopping) {
        log(`worker ${w.index} exited (${code}); shutting down`);
        close().then(() => opts.onFatal && opts.onFatal(new Error(`worker ${w.index} exited (${code})`)));
      }
    });
  }

  // One message per worker per event-loop turn: a single Uint8Array of jobs
  // [id u32][len u32][payload], copied (cheaper than transferring many small buffers).
  function flush() {
    flushScheduled = false;
    for (const w of workers) flushWorker(w);
  }

  function flushWorker(w) {
    if (w.queue.length === 0) return;
    {
      let size = 0;
      for (const j of w.queue) size += 8 + j.payload.length;
      const msg = new Uint8Array(size);
      const dv = new DataView(msg.buffer);
      let off = 0;
      for (const j of w.queue) {
        dv.setUint32(off, j.id, true);
        dv.setUint32(off + 4, j.payload.length, true);
        msg.set(j.payload, off + 8);
        off += 8 + j.payload.length;
      }
      w.queue = [];
      w.queued = 0;
      w.worker.postMessage(msg, [msg.buffer]);
    }
  }

  function send(w, conn, entry, payload) {
    const id = nextJob++;
    jobs.set(id, { conn, entry, w: w.index });
    w.queue.push({ id, payload });
    w.queued += payload.length;
    if (w.queue.length >= FLUSH_JOBS || w.queued >= FLUSH_BYTES) {
      flushWorker(w); // start the worker early: it runs while this thread reads more sockets
    } else if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  }

  // Results: [id u32][status u32: 0 ok, 1 error][nReplies u32][outLen u32][lens u32 × n][out]
  // (for an error, out is the UTF-8 message).
  function onResults(w, m) {
    const touched = new Set();
    const dv = new DataView(m.buffer, m.byteOffset, m.byteLength);
    let off = 0;
    while (off < m.length) {
      const id = dv.getUint32(off, true);
      const status = dv.getUint32(off + 4, true);
      const n = dv.getUint32(off + 8, true);
      const outLen = dv.getUint32(off + 12, true);
      off += 16;
      const lens = new Uint32Array(n);
      for (let i = 0; i < n; i++) lens[i] = dv.getUint32(off + 4 * i, true);
      off += 4 * n;
      const out = m.subarray(off, off + outLen);
      off += outLen;
      const job = jobs.get(id);
      if (!job) continue;
      jobs.delete(id);
      const { conn, entry } = job;
      if (status !== 0) {
        entry.error = Buffer.from(out).toString();
        log(entry.error);
      } else {
        entry.parts[job.w] = { out, lens };
      }
      entry.waiting--;
      touched.add(conn);
    }
    for (const conn of touched) drain(conn);
  }

  // Messages from a worker other than results: log lines of its replication links.
  function onControl(w, m) {
    if (m && typeof m.log === 'string') log(`shard ${w.index}: ${m.log}`);
  }

  // ---------------------------------------------------------------- peers

  // Peer links (peers.mjs): each connection gets one MessageChannel per worker; port2 goes to
  // the worker, which replicates its shard with the peer's worker of the same index over it.
  const peers = createPeers({
    name,
    shards,
    partitions,
    log,
    attach: (i, port, peer) => workers[i].worker.postMessage({ link: port, peer }, [port]),
  });

  // ---------------------------------------------------------------- connections

  const conns = new Set();
  let nextClientId = 1;

  function assemble(entry) {
    const b = entry.batch;
    if (entry.single >= 0) return entry.parts[entry.single].out;
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
    if (code >= 0) {
      // Fast path: every command of this read goes to one worker, nothing else in the batch.
      const entry = { batch: null, count: 1, close: false, parts: new Array(shards), waiting: 1, single: code, error: null };
      conn.queue.push(entry);
      send(workers[code], conn, entry, conn.gw.takePayload(code));
    } else {
      const batch = conn.gw.takeBatch();
      const close = batch.close;
      const entry = { batch, count: batch.count, close, parts: new Array(shards), waiting: 0, single: -1, error: null };
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
    const conn = { socket, gw, queue: [], closed: false, paused: false };
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

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 6379, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();

  let closing = null;
  function close() {
    if (closing) return closing;
    stopping = true;
    peers.close();
    closing = (async () => {
      await new Promise((resolve) => {
        server.close(() => resolve());
        for (const c of conns) c.socket.destroy();
      });
      await Promise.all(workers.map((w) => w.worker.terminate()));
    })();
    return closing;
  }

  log(`marekvs serve: listening on ${addr.address}:${addr.port} (${shards} shard${shards > 1 ? 's' : ''}, ${partitions} partitions, node ${name})`);
  // Dial only once listening: a peer dialing back at once finds this server ready.
  peers.dial(dial);
  return { host: addr.address, port: addr.port, shards, partitions, nodeId: name, peers: peers.peers, close };
}

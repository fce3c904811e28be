// Replication between shards over message ports (docs/replication.md).
//
// `connect(shard, port)` starts a link: both sides say HELLO with their version vectors, each
// sends the other what it lacks (effects from the log, or a partition snapshot when the log
// no longer reaches back), then the shard's local effects flow as live batches. Acks carry
// the highest processed frame and, periodically, the version vectors: they bound what is in
// flight (back-pressure), drive tombstone collection and anti-entropy (a side that sees its
// peer lacking effects while nothing is in flight pushes them, so gaps from dropped or
// reordered frames, and third-party origins in non-mesh topologies, are filled).
//
// One Replicator per shard takes the shard's outgoing effects once and fans them out to all of
// its live links; it wraps the shard instance's write-entry methods so effects leave in a
// microtask after the call that made them.
import * as F from './frames.mjs';

const DEFAULTS = {
  maxInflightBytes: 8 * 1024 * 1024,
  syncIntervalMs: 200,
  collectGarbage: true,
  gcEvery: 10, // collect tombstones every n-th vector exchange
  log: (msg) => console.warn(`marekvs replication: ${msg}`),
  onEvent: null,
};

// Methods that can make local effects: after each call the replicator flushes in a microtask.
const WRITE_METHODS = ['command', 'execBatch', 'resp', 'activeExpire'];

const replicators = new WeakMap();

class Replicator {
  constructor(shard) {
    this.shard = shard;
    this.links = new Set();
    this.scheduled = false;
    this.freed = false;
    const rep = this;
    for (const m of WRITE_METHODS) {
      const orig = shard[m];
      if (typeof orig !== 'function') continue;
      shard[m] = function (...args) {
        try {
          return orig.apply(this, args);
        } finally {
          rep.schedule();
        }
      };
    }
    const free = shard.free;
    if (typeof free === 'function') {
      shard.free = function (...args) {
        rep.freed = true;
        for (const l of [...rep.links]) l.close('shard freed');
        return free.apply(this, args);
      };
    }
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Take the shard's pending local effects and send them to every live link. */
  flush() {
    if (this.freed) return;
    const shard = this.shard;
    let pending;
    try {
      pending = shard.pendingEffects();
    } catch {
      return; // a trapped instance: the owner sees the error on its next call
    }
    if (pending === 0) return;
    let live = false;
    for (const l of this.links) live ||= l.state === 'live';
    if (!live) {
      // Nobody to send to: drop them unencoded. They stay in the shard's bounded log, from
      // which a link's hello catch-up serves them.
      shard.discardEffects();
      return;
    }
    const batch = shard.takeEffects();
    for (const l of this.links) l.sendLive(batch, pending);
  }
}

/** The shard's replicator (created on first use: wraps its write methods). */
export function replicate(shard) {
  let rep = replicators.get(shard);
  if (!rep) {
    rep = new Replicator(shard);
    replicators.set(shard, rep);
  }
  return rep;
}

/** Send the shard's pending local effects to its live links now. */
export function flushReplication(shard) {
  replicate(shard).flush();
}

function isBroadcastChannel(port) {
  return typeof BroadcastChannel !== 'undefined' && port instanceof BroadcastChannel;
}

function errText(e) {
  return e && e.message ? e.message : String(e);
}

class Link {
  constructor(shard, port, opts) {
    this.shard = shard;
    this.port = port;
    this.opts = { ...DEFAULTS, ...opts };
    this.rep = replicate(shard);
    this.me = BigInt(shard.nodeId);
    this.partitionCount = shard.partitions;
    this.parts = Array.from(shard.replicatedPartitions());
    this.transfer = this.opts.transfer ?? !isBroadcastChannel(port);
    this.peer = null;
    this.state = 'connecting';
    this.closeReason = null;
    this.seqOut = 0; // last frame sequence sent
    this.ackedOut = 0; // highest sequence the peer has processed
    this.inflight = []; // [seq, bytes, effects (Infinity: a snapshot), exchange sent in] not yet acknowledged
    this.seqIn = 0; // highest sequence processed from the peer
    this.behind = false; // live batches were skipped: catch up once acks drain
    this.syncAsked = false;
    this.lackStreak = 0;
    this.vvDirty = true;
    this.lastVvSent = 0;
    this.exchanges = 0;
    this.idleTicks = 0;
    this.ackScheduled = false;
    this.stats = {
      sentFrames: 0, sentBytes: 0, recvFrames: 0, recvBytes: 0, appliedEffects: 0,
      snapshotsSent: 0, snapshotsApplied: 0, droppedBatches: 0, ignoredFrames: 0, inflightBytes: 0,
    };
    this.closed = new Promise((resolve) => { this.resolveClosed = resolve; });

    this.onMessage = (ev) => this.receive(ev);
    // Stream ports say why they closed (streamPort: 'stream closed', an oversized frame...).
    this.onPortClose = (why) => this.fail(typeof why === 'string' ? `port closed: ${why}` : 'port closed', false);
    if (typeof port.addEventListener === 'function') {
      this.unlisten = () => {
        port.removeEventListener('message', this.onMessage);
        port.removeEventListener('close', this.onPortClose);
      };
      port.addEventListener('message', this.onMessage);
      port.addEventListener('close', this.onPortClose);
      if (typeof port.start === 'function') port.start();
    } else if (typeof port.on === 'function') {
      this.nodeStyle = true; // Node EventEmitter: the listener gets the data itself
      this.unlisten = () => {
        port.off('message', this.onMessage);
        port.off('close', this.onPortClose);
        port.off('exit', this.onPortClose);
      };
      port.on('message', this.onMessage);
      port.on('close', this.onPortClose);
      port.on('exit', this.onPortClose);
    } else {
      throw new TypeError('connect(shard, port): port needs postMessage and a message event');
    }
    if (typeof port.postMessage !== 'function') {
      this.unlisten();
      throw new TypeError('connect(shard, port): port needs postMessage');
    }
    this.rep.links.add(this);
    this.timer = setInterval(() => this.tick(), this.opts.syncIntervalMs);
    if (typeof this.timer.unref === 'function') this.timer.unref();
    this.post(F.hello(this.me, 0n, this.partitionCount, this.vectors()));
  }

  emit(ev) {
    if (!this.opts.onEvent) return;
    try {
      this.opts.onEvent(ev);
    } catch (e) {
      this.opts.log(`onEvent handler threw: ${errText(e)}`);
    }
  }

  vectors() {
    return this.parts.map((p) => [p, this.shard.versionVector(p)]);
  }

  post(frame) {
    if (this.state === 'closed') return;
    const bytes = frame.byteLength; // before the transfer detaches it
    try {
      if (this.transfer) this.port.postMessage(frame, [frame.buffer]);
      else this.port.postMessage(frame);
    } catch (e) {
      this.fail(`cannot post to the peer: ${errText(e)}`, false);
      return;
    }
    this.stats.sentFrames++;
    this.stats.sentBytes += bytes;
  }

  /** Send a batch (of `effects`) or snapshot frame, counted as in flight until acknowledged. */
  postCounted(type, kind, data, effects) {
    const seq = ++this.seqOut;
    const frame = F.payload(type, this.me, this.peer ?? 0n, seq, kind, data);
    this.inflight.push([seq, frame.byteLength, effects, this.exchanges]);
    this.stats.inflightBytes += frame.byteLength;
    this.post(frame);
  }

  sendLive(batch, count) {
    if (this.state !== 'live') return;
    this.vvDirty = true;
    if (this.behind || this.stats.inflightBytes + batch.byteLength > this.opts.maxInflightBytes) {
      // Back-pressure: skip; the effects are in the shard's log and a catch-up follows. Once
      // one batch is skipped, all are until that catch-up: a later batch would reach the
      // peer as a gap, applied but not logged there, so the peer could not pass it on.
      this.stats.droppedBatches++;
      this.behind = true;
      return;
    }
    this.postCounted(F.BATCH, 0, batch, count);
    this.emit({ type: 'sent', kind: 'live', bytes: batch.byteLength, effects: count, data: batch });
  }

  /** Send the peer what its vectors say it lacks. */
  catchUp(vvs) {
    let sent = 0;
    for (const [p, vv] of vvs) {
      let n;
      try {
        n = this.shard.lacking(p, vv);
      } catch (e) {
        this.fail(`peer sent a bad version vector for partition ${p}: ${errText(e)}`);
        return -1;
      }
      if (n === 0) continue;
      if (n < 0) {
        const snap = this.shard.exportSnapshot(p);
        this.postCounted(F.SNAPSHOT, 2, snap, Infinity);
        this.stats.snapshotsSent++;
        this.emit({ type: 'sent', kind: 'snapshot', bytes: snap.byteLength, partition: p, data: snap });
      } else {
        const batch = this.shard.effectsSince(p, vv);
        if (batch === undefined) continue; // raced a log trim: the next exchange sends a snapshot
        this.postCounted(F.BATCH, 1, batch, n);
        this.emit({ type: 'sent', kind: 'catchup', bytes: batch.byteLength, effects: n, partition: p, data: batch });
      }
      sent++;
      if (this.state === 'closed') return -1;
    }
    return sent;
  }

  receive(ev) {
    if (this.state === 'closed') return;
    const data = this.nodeStyle ? ev : ev.data;
    let f;
    try {
      f = F.decode(data);
    } catch (e) {
      this.fail(`malformed frame from the peer: ${errText(e)}`);
      return;
    }
    this.stats.recvFrames++;
    this.stats.recvBytes += data.byteLength ?? 0;
    if (f.to !== 0n && f.to !== this.me) return; // addressed to another shard (broadcast)
    if (f.type === F.HELLO) {
      this.onHello(f);
      return;
    }
    if (this.peer === null) {
      // Before the hello nothing is applied: a frame overtaking it (reordering transports) is
      // dropped, and what it carried comes back through catch-up.
      this.stats.ignoredFrames++;
      return;
    }
    if (f.from !== this.peer) {
      this.stats.ignoredFrames++; // another party on a shared channel
      return;
    }
    try {
      switch (f.type) {
        case F.BATCH:
        case F.SNAPSHOT:
          this.onPayload(f);
          break;
        case F.ACK:
          this.onAck(f);
          break;
        case F.SYNC:
          this.sendAck(true);
          break;
        case F.BYE:
          this.end(`peer closed the link: ${f.reason}`, false, false);
          break;
      }
    } catch (e) {
      // Only wasm-side validation throws here; the shard is unchanged by a refused input.
      this.fail(`error handling a frame from the peer: ${errText(e)}`);
    }
  }

  onHello(f) {
    if (f.from === this.me) {
      this.fail(`peer has the same node id (${f.from.toString(16)}): give every shard its own`);
      return;
    }
    if (this.peer !== null && f.from !== this.peer) return; // a third party on a shared channel
    if (f.partitions !== this.partitionCount) {
      this.fail(`peer has ${f.partitions} partitions, this shard ${this.partitionCount}`);
      return;
    }
    const mine = new Set(this.parts);
    const theirs = f.vvs.map(([p]) => p);
    if (theirs.length !== mine.size || theirs.some((p) => !mine.has(p))) {
      this.fail(`peer serves partitions [${theirs.join(',')}], this shard [${this.parts.join(',')}]`);
      return;
    }
    const first = this.peer === null;
    if (!first && f.reply) return; // the answer to our hello: its catch-up was done on theirs
    this.peer = f.from;
    if (first) this.emit({ type: 'hello', peer: this.peer });
    // Answer an original hello: ours may have gone nowhere (the peer was not listening yet on a
    // channel that does not queue: a BroadcastChannel, a WebSocket relay, a restarted process).
    if (!f.reply) this.post(F.hello(this.me, this.peer, this.partitionCount, this.vectors(), true));
    this.rep.flush(); // effects taken before the hello went nowhere for this link: catch-up covers them
    if (this.catchUp(f.vvs) < 0) return;
    if (this.state === 'connecting') {
      this.state = 'live';
      this.emit({ type: 'live', peer: this.peer });
    }
  }

  onPayload(f) {
    let n;
    try {
      n = f.type === F.SNAPSHOT ? this.shard.importSnapshot(f.data) : this.shard.applyEffects(f.data);
    } catch (e) {
      const msg = errText(e);
      if (msg.startsWith('clock drift')) {
        // Refused whole, nothing changed: the peer's anti-entropy offers it again later.
        this.opts.log(`refused a batch from ${this.peer.toString(16)}: ${msg}`);
        this.emit({ type: 'refused', reason: msg });
        this.markProcessed(f.seq);
        return;
      }
      this.fail(`peer sent a bad ${f.type === F.SNAPSHOT ? 'snapshot' : 'batch'}: ${msg}`);
      return;
    }
    this.stats.appliedEffects += n;
    if (f.type === F.SNAPSHOT) this.stats.snapshotsApplied++;
    this.vvDirty = true;
    this.emit({
      type: 'applied',
      kind: f.type === F.SNAPSHOT ? 'snapshot' : f.kind === 0 ? 'live' : 'catchup',
      bytes: f.data.byteLength,
      effects: n,
      data: f.data,
    });
    this.markProcessed(f.seq);
  }

  markProcessed(seq) {
    if (seq > this.seqIn) this.seqIn = seq;
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    // Coalesce: one ack for every frame handled in this turn of the event loop.
    setTimeout(() => {
      this.ackScheduled = false;
      this.sendAck(false);
    }, 0);
  }

  sendAck(withVectors) {
    if (this.state === 'closed' || this.peer === null) return;
    const now = Date.now();
    const vv = withVectors || now - this.lastVvSent >= this.opts.syncIntervalMs;
    if (vv) {
      this.lastVvSent = now;
      this.vvDirty = false;
    }
    this.post(F.ack(this.me, this.peer, this.seqIn, vv ? this.vectors() : []));
  }

  onAck(f) {
    if (f.seq > this.seqOut) {
      this.fail(`peer acknowledged frame ${f.seq}, only ${this.seqOut} were sent`);
      return;
    }
    if (f.seq > this.ackedOut) {
      this.ackedOut = f.seq;
      let i = 0;
      while (i < this.inflight.length && this.inflight[i][0] <= f.seq) {
        this.stats.inflightBytes -= this.inflight[i][1];
        i++;
      }
      this.inflight.splice(0, i);
    }
    if (f.vvs.length > 0) this.onVectors(f.vvs);
    else if (this.behind && !this.syncAsked && this.stats.inflightBytes <= this.opts.maxInflightBytes / 2) {
      this.syncAsked = true;
      this.post(F.sync(this.me, this.peer));
    }
  }

  onVectors(vvs) {
    const mine = new Set(this.parts);
    if (vvs.some(([p]) => !mine.has(p))) {
      this.fail('peer sent vectors for partitions this shard does not serve');
      return;
    }
    this.exchanges++;
    if (this.opts.collectGarbage) {
      for (const [p, vv] of vvs) this.shard.setPeerVersionVector(this.peer, p, vv);
      if (this.exchanges % this.opts.gcEvery === 0) this.shard.collectAllGarbage();
    }
    const quiet = this.ackedOut === this.seqOut;
    // Effects of the frames still in flight, counting only frames sent since the exchange
    // before last: one unacknowledged for longer is presumed lost. Acks are cumulative, so a
    // lost frame is covered by the ack of any later one, but the last frames before the
    // traffic stops are never acknowledged if lost, and counting them for good would hide
    // the gap they leave.
    let inflight = 0;
    for (const f of this.inflight) if (f[3] >= this.exchanges - 2) inflight += f[2];
    // What the peer lacks, summed over the partitions; counting stops once it exceeds what is
    // in flight, which is all that matters.
    let lack = 0;
    for (const [p, vv] of vvs) {
      const n = this.shard.lacking(p, vv);
      lack = n < 0 ? Infinity : lack + n;
      if (lack > inflight) break;
    }
    if (lack === 0) {
      this.lackStreak = 0;
      if (quiet) this.behind = false;
      this.syncAsked = false;
      return;
    }
    // The frames in flight may carry what the peer lacks: wait for quiet, unless live batches
    // were skipped, or the peer lacks more than is in flight over three exchanges in a row (a
    // gap behind a steady stream). Under steady traffic the peer's vectors always lag by the
    // frames in flight; counting those as a lack made every third exchange resend them.
    if (lack <= inflight && !this.behind) {
      this.lackStreak = 0;
      return;
    }
    if (quiet || this.behind || ++this.lackStreak >= 3) {
      this.lackStreak = 0;
      this.behind = false;
      this.syncAsked = false;
      this.catchUp(vvs);
    }
  }

  tick() {
    if (this.state === 'closed') return;
    this.rep.flush();
    if (this.state !== 'live') return;
    // Vectors when something changed, and every 5th tick anyway (anti-entropy heartbeat).
    if (this.vvDirty || ++this.idleTicks % 5 === 0) this.sendAck(true);
  }

  /** Stop replicating over this port (says BYE to the peer; the port itself stays open). */
  close(reason = 'closed by this side') {
    this.end(reason, true, false);
  }

  /** Drop the link because of something the peer or the port did (logged). */
  fail(reason, sayBye = true) {
    this.end(reason, sayBye, true);
  }

  end(reason, sayBye, logIt) {
    if (this.state === 'closed') return;
    if (sayBye) this.post(F.bye(this.me, this.peer ?? 0n, reason));
    this.state = 'closed';
    this.closeReason = reason;
    clearInterval(this.timer);
    this.unlisten();
    this.rep.links.delete(this);
    if (logIt) this.opts.log(`link to ${this.peer === null ? 'peer' : this.peer.toString(16)} dropped: ${reason}`);
    this.emit({ type: 'closed', reason });
    this.resolveClosed(reason);
  }
}

/**
 * Replicate `shard` with the shard at the other end of `port` (docs/replication.md).
 * @returns {Link}
 */
export function connect(shard, port, opts = {}) {
  return new Link(shard, port, opts);
}

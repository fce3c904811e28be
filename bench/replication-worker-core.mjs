// The worker side of the replication benchmark (bench/replication.mjs in Node,
// bench/replication-browser.mjs in Chromium): one shard per worker, linked to the other
// worker's shard by `connect` over a transferred MessagePort. The driver talks to it with
// `{id, cmd, ...}` messages and gets `{id, result}` or `{id, error}` back.
//
// Times (ms) must compare across threads. In Node, `process.hrtime` (CLOCK_MONOTONIC, one
// clock for the process): each worker's `performance.timeOrigin` is taken from the wall clock
// when it starts and was seen 12 ms off on this loaded machine (negative latencies). In the
// browser, `performance.timeOrigin + performance.now()`; the driver checks the frame trace for
// negative post-to-receive times, which would reveal an offset.
export const now = typeof process !== 'undefined' && typeof process.hrtime?.bigint === 'function'
  ? () => Number(process.hrtime.bigint()) / 1e6
  : () => performance.timeOrigin + performance.now();

// Writes that make one effect each (MSET makes 100: one command, many keys, so the
// per-command cost on A is amortised and the link itself is what is measured).
export const WORKLOADS = {
  SET: { effects: 1, cmd: (i, tag) => ['SET', `${tag}k${i}`, `v${i}`] },
  INCR: { effects: 1, cmd: (i, tag) => ['INCR', `${tag}c${i % 1000}`] },
  HSET: { effects: 1, cmd: (i, tag) => ['HSET', `${tag}h${i % 100}`, `f${i}`, `v${i}`] },
  MSET: {
    effects: 100,
    cmd: (i, tag) => {
      // One hash tag per command: all its keys are in one partition (no CROSSSLOT), and the
      // commands still spread over every partition.
      const argv = ['MSET'];
      for (let j = 0; j < 100; j++) argv.push(`{${tag}m${i}}k${j}`, `v${i}.${j}`);
      return argv;
    },
  },
};

/** A macrotask yield: lets port messages (acks, vectors) in between chunks of writes. */
const yieldTask = typeof setImmediate === 'function'
  ? () => new Promise((r) => setImmediate(r))
  : (() => {
    const ch = new MessageChannel();
    const waiting = [];
    ch.port1.onmessage = () => waiting.shift()();
    return () => new Promise((r) => { waiting.push(r); ch.port2.postMessage(0); });
  })();

/** The sequence number of a live BATCH frame (docs/replication.md, "Protocol"), else -1. */
function liveSeq(frame) {
  if (frame[0] !== 2 || frame[21] !== 0) return -1;
  return (frame[17] | (frame[18] << 8) | (frame[19] << 16) | (frame[20] << 24)) >>> 0;
}

function newProfile(cpuMs) {
  return { takeMs: 0, takes: 0, postMs: 0, posts: 0, applyMs: 0, applies: 0, recvMs: 0, recvs: 0,
    resent: 0, cpu0: cpuMs ? cpuMs() : 0 };
}

/** Time `obj[name]` calls into prof[ms] / prof[calls] (a few performance.now() per batch). */
function timeCalls(obj, name, getProf, ms, calls) {
  const orig = obj[name];
  obj[name] = function (...args) {
    const at = now();
    const t = performance.now();
    const seq = calls === 'posts' ? liveSeq(args[0]) : -1; // before the transfer detaches the frame
    try {
      return orig.apply(this, args);
    } finally {
      const p = getProf();
      const dt = performance.now() - t;
      p[ms] += dt;
      p[calls]++;
      // Trace live batch frames only, by sequence number: acks, vectors and catch-ups (which
      // anti-entropy may send at any time) also flow.
      if (p.trace && seq >= 0) p.trace.push(seq, at, p.runqMs ? p.runqMs() : 0);
    }
  };
}

/**
 * Serve the driver's requests. `lib` = { Shard, connect, describeEffects, runqMs?, cpuMs? },
 * where `runqMs()` (Node on Linux) reads how long this thread has waited in the run queue and
 * `cpuMs()` how long it has run on a CPU; `endpoint` = { post(msg, transfer), listen(fn) }.
 */
export function serve(lib, endpoint) {
  const { Shard, connect, describeEffects, runqMs = null, cpuMs = null } = lib;
  let shard = null;
  let link = null;
  let live = null; // promise: the link is live
  let produced = 0; // A: local effects made since the link started
  let expect = null; // B: { target, count, resolve }: wait until count() reaches target
  let track = null; // B: latency tracking state
  let prof = newProfile(cpuMs);
  let lastApplied = 0; // B: time of the last applied batch (convergence happened by then)
  // B: effects applied from live batches. Each is sent once, in order; anti-entropy catch-ups
  // under steady traffic repeat effects still in flight, so link.stats.appliedEffects (which
  // counts those again) would run ahead of what was actually written.
  let liveApplied = 0;

  function onEvent(ev) {
    if (ev.type !== 'applied') return;
    const t = now();
    lastApplied = t;
    if (ev.kind === 'live') liveApplied += ev.effects;
    else prof.resent += ev.effects; // catch-ups during a live run: anti-entropy resending
    if (track) {
      if (track.by === 'count') {
        // Live batches arrive in order and each write is one effect: the first k writes are
        // visible once k live effects are applied (exact without dropped batches, checked).
        const k = Math.min(track.seen.length, liveApplied - track.base);
        for (let i = track.count; i < k; i++) track.seen[i] = t;
        if (k > track.count) track.count = k;
      } else {
        // Cross-check: read the write index out of the batch (costs B time, reported).
        const d0 = performance.now();
        for (const group of describeEffects(ev.data)) {
          for (const e of group.effects) {
            if (e.key.startsWith(track.prefix)) {
              const i = Number(e.value);
              if (i < track.seen.length && track.seen[i] === 0) {
                track.seen[i] = t;
                track.count++;
              }
            }
          }
        }
        track.describeMs += performance.now() - d0;
      }
      track.batches++;
      if (track.count === track.seen.length && track.resolve) track.resolve();
    }
    if (expect && expect.count() >= expect.target) {
      const done = expect;
      expect = null;
      done.resolve(t);
    }
  }

  const handlers = {
    init({ role, nodeId, partitions, port, prewrite }) {
      shard = new Shard({ partitions, seed: Number(nodeId) });
      shard.nodeId = BigInt(nodeId);
      if (prewrite) {
        // Catch-up run: the writes happen before the link exists; they stay in the shard's
        // log (10,000 effects per partition) and go out as catch-up batches on the hello.
        const w = WORKLOADS[prewrite.workload];
        for (let i = 0; i < prewrite.n; i++) shard.command(w.cmd(i, prewrite.tag));
        // What a fresh peer lacks, from the log (the outgoing queue is bounded separately).
        const empty = new Shard({ partitions });
        produced = 0;
        for (const p of shard.replicatedPartitions()) {
          const k = shard.lacking(p, empty.versionVector(p));
          if (k < 0) throw new Error(`partition ${p}: log too short for a catch-up, lower the count`);
          produced += k;
        }
        empty.free();
      }
      // Where the link's time goes: encode (takeEffects) and postMessage on the sender; the
      // whole message handler (decode, applyEffects, ack bookkeeping) and applyEffects alone
      // on the receiver. Listener order is registration order: ours brackets the link's.
      timeCalls(shard, 'takeEffects', () => prof, 'takeMs', 'takes');
      timeCalls(shard, 'applyEffects', () => prof, 'applyMs', 'applies');
      timeCalls(port, 'postMessage', () => prof, 'postMs', 'posts');
      let recvStart = 0;
      const t0 = now();
      let recvSeq = -1;
      let recvAt = 0;
      let recvRunq = 0;
      port.addEventListener('message', (ev) => {
        recvAt = now();
        recvStart = performance.now();
        recvSeq = liveSeq(ev.data);
        if (prof.trace && recvSeq >= 0 && runqMs) recvRunq = runqMs();
      });
      live = new Promise((resolve, reject) => {
        link = connect(shard, port, {
          // The driver terminates the workers after each run: that close is expected.
          log: (msg) => { if (!msg.includes('port closed')) console.warn(`marekvs replication: ${msg}`); },
          onEvent(ev) {
            if (ev.type === 'live') resolve();
            else if (ev.type === 'closed') reject(new Error(`link closed: ${ev.reason}`));
            else onEvent(ev);
          },
        });
      });
      live.catch(() => {}); // reported by waitLive
      port.addEventListener('message', () => {
        const end = performance.now();
        prof.recvMs += end - recvStart;
        prof.recvs++;
        if (prof.trace && recvSeq >= 0) {
          prof.trace.push(recvSeq, recvAt, recvAt + (end - recvStart), liveApplied,
            runqMs ? recvRunq : 0, runqMs ? runqMs() : 0);
        }
      });
      return { role, t0, produced };
    },
    // The per-call times since the last call, and this thread's CPU time (null where the
    // thread's clock is not readable).
    profile() {
      const p = prof;
      prof = newProfile(cpuMs);
      p.cpuMs = cpuMs ? cpuMs() - p.cpu0 : null;
      return p;
    },
    digest() {
      return shard.command(['DEBUG', 'DIGEST']);
    },
    async waitLive() {
      await live;
      return true;
    },

    // A: write `n` commands of a workload in chunks of `chunk` commands, yielding a macrotask
    // between chunks (the replicator sends each chunk as one batch in a microtask after it).
    async write({ workload, n, chunk, tag }) {
      const w = WORKLOADS[workload];
      const cmds = Array.from({ length: n }, (_, i) => w.cmd(i, tag)); // argv built outside the clock
      let effects = 0;
      if (cpuMs) prof.cpu0 = cpuMs(); // and outside this thread's CPU time
      const t0 = now();
      for (let i = 0; i < n;) {
        const end = Math.min(n, i + chunk);
        for (; i < end; i++) shard.command(cmds[i]);
        effects += shard.pendingEffects(); // still pending: the flush runs after this turn
        produced += shard.pendingEffects();
        await yieldTask();
      }
      const t1 = now();
      return { t0, t1, effects, target: produced, stats: { ...link.stats } };
    },
    // B: resolve with the time at which `target` effects have been applied: live effects
    // (exact while no live batch is dropped: the driver checks), or for a run that is all
    // catch-up, every applied effect (the hello's catch-up sends each logged effect once, and
    // any repeat is sent after it on the ordered port). The digests are compared after.
    expect({ target, catchup }) {
      const count = catchup ? () => link.stats.appliedEffects : () => liveApplied;
      return new Promise((resolve) => {
        const finish = (t) => resolve({ t, stats: { ...link.stats }, dbsize: shard.dbsize });
        if (count() >= target) finish(lastApplied);
        else expect = { target, count, resolve: finish };
      });
    },

    // B: record when each write `prefix<i>` (value i) becomes visible, for `count` writes.
    track({ prefix, count, by }) {
      prof = newProfile(cpuMs);
      // [seq, handler start, end, live effects after it, run-queue ms at start, at end] of every
      // live batch frame
      prof.trace = [];
      prof.runqMs = runqMs;
      track = { prefix, by, base: liveApplied, seen: new Float64Array(count), count: 0,
        describeMs: 0, batches: 0, resolve: null };
      return true;
    },
    async visible({ timeoutMs }) {
      if (track.count < track.seen.length) {
        await new Promise((resolve) => {
          track.resolve = resolve;
          setTimeout(resolve, timeoutMs);
        });
      }
      const t = track;
      track = null;
      const recv = new Float64Array(prof.trace);
      for (let i = 3; i < recv.length; i += 6) recv[i] -= t.base; // → writes visible after the frame
      prof = newProfile(cpuMs);
      return { seen: t.seen, count: t.count, describeMs: t.describeMs, batches: t.batches, stats: { ...link.stats }, recv, liveApplied,
        runq: Boolean(runqMs) };
    },
    // A: `rate` writes/s for `seconds`, paced by a 1 ms timer (browsers clamp nested timers to
    // 4 ms, so there the writes come in bursts of ~40); each write's time is recorded.
    paced({ rate, seconds, prefix }) {
      const total = Math.round(rate * seconds);
      const written = new Float64Array(total);
      const writtenRunq = new Float64Array(total); // A's run-queue ms when the write's tick ran
      let done = 0;
      let ticks = 0;
      const start = now();
      prof = newProfile(cpuMs);
      prof.trace = []; // [seq, post time, run-queue ms] of every live batch frame
      prof.runqMs = runqMs;
      return new Promise((resolve) => {
        const tick = () => {
          ticks++;
          const due = Math.min(total, Math.floor(((now() - start) * rate) / 1000));
          const rq = runqMs && done < due ? runqMs() : 0;
          for (; done < due; done++) {
            writtenRunq[done] = rq;
            written[done] = now();
            shard.command(['SET', `${prefix}${done}`, String(done)]);
          }
          if (done < total) setTimeout(tick, 1);
          else resolve({ written, writtenRunq, ticks, ms: now() - start, stats: { ...link.stats }, posts: new Float64Array(prof.trace) });
        };
        setTimeout(tick, 1);
      });
    },

    // One thread, no ports: A writes the same commands, taking one batch per chunk (write
    // rate); a fresh shard applies the batches (the raw applyEffects rate).
    baseline({ workload, n, chunk, tag, partitions }) {
      const w = WORKLOADS[workload];
      const a = new Shard({ partitions, seed: 11 });
      const b = new Shard({ partitions, seed: 12 });
      a.nodeId = 11n;
      b.nodeId = 12n;
      const cmds = Array.from({ length: n }, (_, i) => w.cmd(i, tag));
      const batches = [];
      const cpu = () => (cpuMs ? cpuMs() : NaN);
      let c0 = cpu();
      let t0 = performance.now();
      for (let i = 0; i < n;) {
        const end = Math.min(n, i + chunk);
        for (; i < end; i++) a.command(cmds[i]);
        batches.push(a.takeEffects());
      }
      const writeMs = performance.now() - t0;
      const writeCpuMs = cpu() - c0;
      let effects = 0;
      c0 = cpu();
      t0 = performance.now();
      for (const batch of batches) effects += b.applyEffects(batch);
      const applyMs = performance.now() - t0;
      const applyCpuMs = cpu() - c0;
      // describeEffects (what the latency run's receiver uses to learn the write indices).
      t0 = performance.now();
      for (const batch of batches) describeEffects(batch);
      const describeMs = performance.now() - t0;
      const bytes = batches.reduce((s, x) => s + x.byteLength, 0);
      a.free();
      b.free();
      return { effects, writeMs, applyMs, writeCpuMs, applyCpuMs, describeMs, bytes, batches: batches.length };
    },
  };

  endpoint.listen(async (msg) => {
    const { id, cmd } = msg;
    try {
      const result = await handlers[cmd](msg);
      const transfer = [];
      for (const v of Object.values(result ?? {})) if (v instanceof Float64Array) transfer.push(v.buffer);
      endpoint.post({ id, result }, transfer);
    } catch (e) {
      endpoint.post({ id, error: String(e && e.stack ? e.stack : e) });
    }
  });
}

// The replication benchmark's driver, shared by Node (bench/replication.mjs, worker_threads)
// and Chromium (bench/replication-browser/, Web Workers): spawns pairs of shard workers
// (bench/replication-worker-core.mjs), links them with a MessageChannel whose ports are
// transferred into the workers, and runs the throughput and latency workloads.

const A_ID = 0xa1;
const B_ID = 0xb2;

/** `raw` = { post(msg, transfer), listen(fn), terminate() } → request/response calls. */
function rpc(raw) {
  let next = 0;
  const waiting = new Map();
  raw.listen((msg) => {
    const w = waiting.get(msg.id);
    waiting.delete(msg.id);
    if (msg.error) w.reject(new Error(msg.error));
    else w.resolve(msg.result);
  });
  return {
    call(msg, transfer = []) {
      const id = ++next;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        raw.post({ ...msg, id }, transfer);
      });
    },
    terminate: () => raw.terminate(),
  };
}

async function pair(spawn, partitions) {
  const a = rpc(await spawn());
  const b = rpc(await spawn());
  const { port1, port2 } = new MessageChannel();
  await a.call({ cmd: 'init', role: 'A', nodeId: A_ID, partitions, port: port1 }, [port1]);
  await b.call({ cmd: 'init', role: 'B', nodeId: B_ID, partitions, port: port2 }, [port2]);
  await Promise.all([a.call({ cmd: 'waitLive' }), b.call({ cmd: 'waitLive' })]);
  return { a, b, close: () => Promise.all([a.terminate(), b.terminate()]) };
}

/**
 * Catch-up: A has `n` effects in its log before the link exists; from B's connect to B having
 * applied them all (the port's rate when the sender is not busy executing commands).
 */
async function catchUp(spawn, partitions, workload, n) {
  const a = rpc(await spawn());
  const b = rpc(await spawn());
  const { port1, port2 } = new MessageChannel();
  const ia = await a.call({ cmd: 'init', role: 'A', nodeId: A_ID, partitions, port: port1, prewrite: { workload, n, tag: 'c' } }, [port1]);
  await Promise.all([a.call({ cmd: 'profile' }), b.call({ cmd: 'profile' })]); // CPU clocks from here
  const ib = await b.call({ cmd: 'init', role: 'B', nodeId: B_ID, partitions, port: port2 }, [port2]);
  const r = await b.call({ cmd: 'expect', target: ia.produced, catchup: true });
  const [pa, pb] = await Promise.all([a.call({ cmd: 'profile' }), b.call({ cmd: 'profile' })]);
  const [da, db] = await Promise.all([a.call({ cmd: 'digest' }), b.call({ cmd: 'digest' })]);
  if (da !== db) throw new Error(`catch-up ${workload}: replicas differ after B counted every effect`);
  await Promise.all([a.terminate(), b.terminate()]);
  const per = (ms) => (ms === null ? null : (ms * 1000) / ia.produced);
  return {
    effects: ia.produced, ms: r.t - ib.t0, rate: ia.produced / ((r.t - ib.t0) / 1000), snapshots: r.stats.snapshotsApplied,
    frames: r.stats.recvFrames, bRecvUs: (pb.recvMs * 1000) / ia.produced, bApplyUs: (pb.applyMs * 1000) / ia.produced,
    aCpuUs: per(pa.cpuMs), bCpuUs: per(pb.cpuMs),
  };
}

/** A writes, B reports when it has everything: effects/s from A's first write to that. */
async function transfer(p, workload, n, chunk, tag) {
  await Promise.all([p.a.call({ cmd: 'profile' }), p.b.call({ cmd: 'profile' })]);
  const w = await p.a.call({ cmd: 'write', workload, n, chunk, tag });
  if (w.stats.droppedBatches > 0) throw new Error(`${workload}: live batches were dropped (back-pressure): B's count is not exact`);
  const r = await p.b.call({ cmd: 'expect', target: w.target });
  const [pa, pb] = await Promise.all([p.a.call({ cmd: 'profile' }), p.b.call({ cmd: 'profile' })]);
  // Not timed: the replicas must then agree (the count criterion is exact only without repeats).
  let same = false;
  for (let i = 0; i < 50 && !same; i++) {
    const [da, db] = await Promise.all([p.a.call({ cmd: 'digest' }), p.b.call({ cmd: 'digest' })]);
    same = da === db;
    if (!same) await new Promise((res) => setTimeout(res, 100));
  }
  if (!same) throw new Error(`${workload}: replicas differ 5 s after B counted every effect`);
  return {
    effects: w.effects,
    ms: r.t - w.t0,
    writeMs: w.t1 - w.t0,
    rate: w.effects / ((r.t - w.t0) / 1000),
    dropped: w.stats.droppedBatches,
    snapshots: w.stats.snapshotsSent,
    frames: w.stats.sentFrames,
    bytes: w.stats.sentBytes,
    // per effect, µs: A's encode + post; B's handler (decode+apply+acks) and apply alone
    // per effect, µs of each end's thread on a CPU (Node on Linux; null elsewhere): from A's
    // first write to B having everything, acks and vector exchanges included
    aCpuUs: pa.cpuMs === null ? null : (pa.cpuMs * 1000) / w.effects,
    bCpuUs: pb.cpuMs === null ? null : (pb.cpuMs * 1000) / w.effects,
    resent: pb.resent, // effects B applied from catch-up batches (anti-entropy) during the run
    aTakeUs: (pa.takeMs * 1000) / w.effects,
    aPostUs: (pa.postMs * 1000) / w.effects,
    bRecvUs: (pb.recvMs * 1000) / w.effects,
    bApplyUs: (pb.applyMs * 1000) / w.effects,
  };
}

/** `--key value` command-line options (numbers as numbers, `--workloads a,b` as a list). */
export function args() {
  const o = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[i + 1];
    o[k] = ['workloads', 'parts', 'ab'].includes(k) ? v.split(',') : Number.isNaN(Number(v)) ? v : Number(v);
  }
  return o;
}

export function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export const median = (xs) => percentile([...xs].sort((x, y) => x - y), 0.5);

/**
 * Run everything. `spawn()` → a raw worker endpoint; `log(line)` reports progress.
 * Returns { baseline: {workload: [run]}, link: {workload: [run]}, latency: [run] }.
 */
export async function runAll({ spawn, log = () => {}, partitions = 16, runs = 3, n = 200_000, chunk = 1000,
  workloads = ['SET', 'INCR', 'HSET', 'MSET'], rate = 10_000, seconds = 3, latencyBy = 'count', catchupN = 120_000,
  parts = ['link', 'catchup', 'latency'], ab = [null], warmup = null }) {
  const out = { baseline: {}, link: {}, catchup: {}, latency: [] };
  // With several builds (`--ab DIR_A,DIR_B`, Node) every measurement runs once per build, in
  // an order that alternates between runs (A B, B A, ...) so the machine's load falls on all alike.
  const label = (dir) => (ab.length > 1 ? ` [${dir}]` : '');
  const cpuText = (r) => (r.aCpuUs === null || r.aCpuUs === undefined ? ''
    : `; CPU µs/effect: A ${r.aCpuUs.toFixed(2)}, B ${r.bCpuUs.toFixed(2)}`);
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? ab : [...ab].reverse();
    for (const workload of parts.includes('link') ? workloads.filter((x) => x !== 'none') : []) {
      // Commands per run and per chunk: MSET makes 100 effects per command.
      const per = workload === 'MSET' ? 100 : 1;
      const cmds = Math.round(n / per);
      const chunkCmds = Math.max(1, Math.round(chunk / per));
      // Warm-up commands (JIT, wasm tier-up) on the same worker or link before the timed run:
      // a tenth of the run unless `--warmup EFFECTS` says otherwise.
      const warmCmds = warmup === null ? Math.round(cmds / 10) : Math.round(warmup / per);
      for (const dir of order) {
        const key = workload + label(dir);
        const single = rpc(await spawn(dir));
        await single.call({ cmd: 'baseline', workload, n: warmCmds, chunk: chunkCmds, tag: 'w', partitions });
        const base = await single.call({ cmd: 'baseline', workload, n: cmds, chunk: chunkCmds, tag: 'r', partitions });
        await single.terminate();
        (out.baseline[key] ??= []).push({
          effects: base.effects,
          applyRate: base.effects / (base.applyMs / 1000),
          writeRate: base.effects / (base.writeMs / 1000),
          applyCpuUs: (base.applyCpuMs * 1000) / base.effects, // NaN without a thread clock
          writeCpuUs: (base.writeCpuMs * 1000) / base.effects,
          describeRate: base.effects / (base.describeMs / 1000),
          bytesPerEffect: base.bytes / base.effects,
        });

        const p = await pair(() => spawn(dir), partitions);
        await transfer(p, workload, warmCmds, chunkCmds, 'w'); // warm-up (JIT, wasm tier-up)
        const t = await transfer(p, workload, cmds, chunkCmds, 'r');
        await p.close();
        (out.link[key] ??= []).push(t);
        log(`run ${run + 1} ${key}: link ${Math.round(t.rate).toLocaleString('en')} effects/s (${t.effects} effects, ` +
          `A wrote in ${t.writeMs.toFixed(0)} ms, B had all after ${t.ms.toFixed(0)} ms, ${t.frames} frames, dropped ${t.dropped}, ` +
          `${t.resent} effects resent by catch-ups; ` +
          `µs/effect: A takeEffects ${t.aTakeUs.toFixed(2)}, A postMessage ${t.aPostUs.toFixed(2)}, ` +
          `B handler ${t.bRecvUs.toFixed(2)} of which applyEffects ${t.bApplyUs.toFixed(2)}${cpuText(t)}); ` +
          `one thread: apply ${Math.round(base.effects / (base.applyMs / 1000)).toLocaleString('en')}/s, ` +
          `write ${Math.round(base.effects / (base.writeMs / 1000)).toLocaleString('en')}/s` +
          (Number.isNaN(base.writeCpuMs) ? '' : ` (CPU µs/effect: write ${((base.writeCpuMs * 1000) / base.effects).toFixed(2)}, ` +
            `apply ${((base.applyCpuMs * 1000) / base.effects).toFixed(2)})`));
      }
    }

    // 120k SETs: ~7,500 per partition, within the 10,000-effect log (no snapshot).
    for (const dir of parts.includes('catchup') ? order : []) {
      const c = await catchUp(() => spawn(dir), partitions, 'SET', catchupN);
      (out.catchup[`SET${label(dir)}`] ??= []).push(c);
      log(`run ${run + 1} catch-up SET${label(dir)}: ${Math.round(c.rate).toLocaleString('en')} effects/s (${c.effects} effects in ` +
        `${c.ms.toFixed(0)} ms from B's connect, ${c.frames} frames, ${c.snapshots} snapshots; µs/effect on B: handler ` +
        `${c.bRecvUs.toFixed(2)} of which applyEffects ${c.bApplyUs.toFixed(2)}${cpuText(c)})`);
    }
    if (!parts.includes('latency')) continue;

    const p = await pair(spawn, partitions);
    await transfer(p, 'SET', 5000, 10, 'w'); // warm-up
    const total = Math.round(rate * seconds);
    await p.b.call({ cmd: 'track', prefix: 'l', count: total, by: latencyBy });
    const w = await p.a.call({ cmd: 'paced', rate, seconds, prefix: 'l' });
    const v = await p.b.call({ cmd: 'visible', timeoutMs: 5000 });
    if (w.stats.droppedBatches > 0) throw new Error('latency: live batches were dropped: the visible count is not exact');
    await p.close();
    const lat = [];
    for (let i = 0; i < total; i++) if (v.seen[i] > 0) lat.push(v.seen[i] - w.written[i]);
    lat.sort((x, y) => x - y);
    // Per live batch frame (matched by sequence number): post → B's handler starts (delivery,
    // incl. waiting for B's thread to run) and the handler's own time; and per write the same
    // split (write → its frame's post is time on A: the rest of its tick, the flush).
    const postedAt = new Map();
    const postRunq = new Map();
    for (let i = 0; i < w.posts.length; i += 3) {
      postedAt.set(w.posts[i], w.posts[i + 1]);
      postRunq.set(w.posts[i], w.posts[i + 2]);
    }
    // With run-queue clocks (Node on Linux): each write's latency minus the time A (from its
    // write to its frame's post) and B (from the post to the end of the handler) spent runnable
    // but waiting for a CPU — the link's own latency, without the machine's scheduling.
    const ownLat = [];
    let prevRunqEnd = null;
    const delivery = [];
    const handler = [];
    const onA = [];
    const wDelivery = [];
    const wHandler = [];
    let first = 0;
    for (let i = 0; i < v.recv.length; i += 6) {
      const [seq, start, end, upto, rqStart, rqEnd] = v.recv.subarray(i, i + 6);
      const prevEnd = prevRunqEnd;
      prevRunqEnd = rqEnd;
      const posted = postedAt.get(seq);
      if (posted === undefined) continue; // a warm-up frame
      delivery.push(start - posted);
      handler.push(end - start);
      const waitB = Math.max(0, Math.min(start - posted, prevEnd === null ? 0 : rqStart - prevEnd)) +
        Math.max(0, rqEnd - rqStart);
      for (let k = first; k < Math.min(upto, total); k++) {
        onA.push(posted - w.written[k]);
        wDelivery.push(start - posted);
        wHandler.push(end - start);
        if (v.runq && v.seen[k] > 0) {
          const waitA = Math.max(0, Math.min(posted - w.written[k], postRunq.get(seq) - w.writtenRunq[k]));
          ownLat.push(v.seen[k] - w.written[k] - waitA - waitB);
        }
      }
      first = Math.max(first, upto);
    }
    ownLat.sort((x, y) => x - y);
    for (const xs of [delivery, handler, onA, wDelivery, wHandler]) xs.sort((x, y) => x - y);
    const l = {
      writes: total,
      visible: v.count,
      achievedRate: total / (w.ms / 1000),
      writesPerTick: total / w.ticks,
      p50: percentile(lat, 0.5),
      p90: percentile(lat, 0.9),
      p99: percentile(lat, 0.99),
      max: lat[lat.length - 1],
      batches: v.batches,
      deliveryP50: percentile(delivery, 0.5),
      deliveryP99: percentile(delivery, 0.99),
      deliveryMax: delivery[delivery.length - 1],
      handlerP50: percentile(handler, 0.5),
      handlerP99: percentile(handler, 0.99),
      handlerMax: handler[handler.length - 1],
      // B saw a frame clearly before A posted it: the threads' clocks disagree (µs of rounding
      // between the two ends of one postMessage are expected)
      minDelivery: delivery[0],
      clockSuspect: delivery[0] < -0.05,
      // null where the threads' run-queue times are not readable (browsers, non-Linux)
      own: ownLat.length ? { p50: percentile(ownLat, 0.5), p99: percentile(ownLat, 0.99), max: ownLat[ownLat.length - 1] } : null,
      perWrite: {
        onA: [percentile(onA, 0.5), percentile(onA, 0.99)],
        delivery: [percentile(wDelivery, 0.5), percentile(wDelivery, 0.99)],
        handler: [percentile(wHandler, 0.5), percentile(wHandler, 0.99)],
      },
      describeMs: v.describeMs,
      dropped: w.stats.droppedBatches,
      // Effects B applied more than once: anti-entropy catch-ups of effects still in flight.
      repeated: v.stats.appliedEffects - v.liveApplied,
    };
    out.latency.push(l);
    log(`run ${run + 1} latency: ${l.visible}/${l.writes} visible at ${Math.round(l.achievedRate)} writes/s ` +
      `(${l.writesPerTick.toFixed(1)} per timer tick): p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, ` +
      `max ${l.max.toFixed(2)} ms; ${l.batches} batches, dropped ${l.dropped}, ${l.repeated} effects applied twice; per frame: post → B handler starts ` +
      `p50 ${l.deliveryP50.toFixed(2)} p99 ${l.deliveryP99.toFixed(2)} max ${l.deliveryMax.toFixed(2)} ms, ` +
      `handler p50 ${l.handlerP50.toFixed(3)} p99 ${l.handlerP99.toFixed(3)} max ${l.handlerMax.toFixed(2)} ms; ` +
      `per write p50/p99: on A ${l.perWrite.onA.map((x) => x.toFixed(2)).join('/')}, delivery ` +
      `${l.perWrite.delivery.map((x) => x.toFixed(2)).join('/')}, B handler ${l.perWrite.handler.map((x) => x.toFixed(2)).join('/')} ms` +
      (l.own ? `; without run-queue waits p50 ${l.own.p50.toFixed(2)} p99 ${l.own.p99.toFixed(2)} max ${l.own.max.toFixed(2)} ms` : '') +
      (l.clockSuspect ? ` (CLOCKS DISAGREE: a frame was received ${(-l.minDelivery).toFixed(2)} ms before it was posted)` : '') +
      (latencyBy === 'describe' ? `; B spent ${l.describeMs.toFixed(0)} ms in describeEffects` : ''));
  }
  return out;
}

/** Markdown tables: medians over the runs, [min–max] as the spread. */
export function report(out, title) {
  const fmt = (x) => Math.round(x).toLocaleString('en');
  const spread = (xs, f = fmt) => {
    const s = [...xs].sort((x, y) => x - y);
    return `${f(median(s))} [${f(s[0])}–${f(s[s.length - 1])}]`;
  };
  const runs = Math.max(0, ...Object.values(out.link).map((r) => r.length), ...Object.values(out.catchup).map((r) => r.length),
    out.latency.length);
  const lines = [`${title}: medians over ${runs} runs, [min–max]`, ''];
  if (Object.keys(out.link).length) {
    lines.push('| workload | link: effects/s A→B | one thread: applyEffects/s | link / apply | one thread: writes on A, effects/s | bytes/effect |',
      '|---|---:|---:|---:|---:|---:|');
    for (const [wl, rs] of Object.entries(out.link)) {
      const base = out.baseline[wl];
      const ratio = median(rs.map((r) => r.rate)) / median(base.map((x) => x.applyRate));
      lines.push(`| ${wl} | ${spread(rs.map((r) => r.rate))} | ${spread(base.map((x) => x.applyRate))} | ` +
        `${ratio.toFixed(2)} | ${spread(base.map((x) => x.writeRate))} | ${median(base.map((x) => x.bytesPerEffect)).toFixed(1)} |`);
    }
  }
  // Thread CPU time per effect (Node on Linux): what each end spends, whatever else the machine
  // runs. "Rate if each end had a core" = 1 / the busier end's CPU per effect.
  const cpuRows = Object.entries(out.link).filter(([, rs]) => rs.every((r) => r.aCpuUs !== null));
  if (cpuRows.length) {
    const f2c = (x) => x.toFixed(2);
    lines.push('', '| workload | link CPU µs/effect: A (writes, takeEffects, posts, acks) | B (decode, apply, acks) | ' +
      'one thread CPU µs/effect: writes + takeEffects | applyEffects | link rate if each end had a core, effects/s |',
    '|---|---:|---:|---:|---:|---:|');
    for (const [wl, rs] of cpuRows) {
      const base = out.baseline[wl];
      lines.push(`| ${wl} | ${spread(rs.map((r) => r.aCpuUs), f2c)} | ${spread(rs.map((r) => r.bCpuUs), f2c)} | ` +
        `${spread(base.map((x) => x.writeCpuUs), f2c)} | ${spread(base.map((x) => x.applyCpuUs), f2c)} | ` +
        `${spread(rs.map((r) => 1e6 / Math.max(r.aCpuUs, r.bCpuUs)))} |`);
    }
  }
  if (Object.keys(out.catchup).length) {
    const withCpu = Object.values(out.catchup).every((cs) => cs.every((c) => c.aCpuUs !== null));
    lines.push('', `| catch-up | effects/s A→B | ms | effects |${withCpu ? ' CPU µs/effect A | B | rate if each end had a core |' : ''}`,
      `|---|---:|---:|---:|${withCpu ? '---:|---:|---:|' : ''}`);
    for (const [k, C] of Object.entries(out.catchup)) {
      lines.push(`| ${k}: ${C[0].effects} effects in A's log, sent on B's connect | ${spread(C.map((c) => c.rate))} | ` +
        `${spread(C.map((c) => c.ms))} | ${C[0].effects} |` + (withCpu ? ` ${spread(C.map((c) => c.aCpuUs), (x) => x.toFixed(2))} | ` +
        `${spread(C.map((c) => c.bCpuUs), (x) => x.toFixed(2))} | ${spread(C.map((c) => 1e6 / Math.max(c.aCpuUs, c.bCpuUs)))} |` : ''));
    }
  }
  if (!out.latency.length) return lines.join('\n');
  const f2 = (x) => x.toFixed(2);
  const L = out.latency;
  lines.push('', '| latency, SET at 10k writes/s | p50 ms | p90 ms | p99 ms | max ms | writes per timer tick | visible |',
    '|---|---:|---:|---:|---:|---:|---:|',
    `| A write → visible on B | ${spread(L.map((l) => l.p50), f2)} | ${spread(L.map((l) => l.p90), f2)} | ` +
    `${spread(L.map((l) => l.p99), f2)} | ${spread(L.map((l) => l.max), f2)} | ${median(L.map((l) => l.writesPerTick)).toFixed(1)} | ` +
    `${L.map((l) => `${l.visible}/${l.writes}`).join(', ')} |`,
    ...(L.every((l) => l.own) ? [`| the same, minus the time A and B waited in the run queue | ${spread(L.map((l) => l.own.p50), f2)} | | ` +
      `${spread(L.map((l) => l.own.p99), f2)} | ${spread(L.map((l) => l.own.max), f2)} | | |`] : []),
    `| per write: write on A → its frame posted | ${spread(L.map((l) => l.perWrite.onA[0]), f2)} | | ${spread(L.map((l) => l.perWrite.onA[1]), f2)} | | | |`,
    `| per write: frame posted → B's handler starts | ${spread(L.map((l) => l.perWrite.delivery[0]), f2)} | | ${spread(L.map((l) => l.perWrite.delivery[1]), f2)} | | | |`,
    `| per write: B's handler (decode, apply, ack) | ${spread(L.map((l) => l.perWrite.handler[0]), f2)} | | ${spread(L.map((l) => l.perWrite.handler[1]), f2)} | | | |`,
    `| per frame: A's postMessage → B's handler starts | ${spread(L.map((l) => l.deliveryP50), f2)} | | ` +
    `${spread(L.map((l) => l.deliveryP99), f2)} | ${spread(L.map((l) => l.deliveryMax), f2)} | | |`,
    `| per frame: B's handler (decode, apply, ack) | ${spread(L.map((l) => l.handlerP50), f2)} | | ` +
    `${spread(L.map((l) => l.handlerP99), f2)} | ${spread(L.map((l) => l.handlerMax), f2)} | | |`);
  return lines.join('\n');
}

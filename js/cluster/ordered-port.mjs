// A port wrapper that gives a replication link FIFO delivery over a transport that may
// reorder or duplicate frames.
//
// Why: the core applies an effect batch that arrives after a gap (its `prev` above the
// receiver's vector) but neither logs it nor advances the vector; the origin's anti-entropy
// fills the gap later. If the origin dies first, the receiver holds effects it can never pass
// on (they are in no log), and a peer or a restarted shard never gets them: permanent
// divergence, and acknowledged writes missing on the other replicas. Over one link the frames
// carry a sequence number (BATCH and SNAPSHOT frames, js/replication/frames.mjs), so
// restoring their order here removes the reordering source of gaps; lost frames (a lossy
// transport) still make gaps, after `gapTimeoutMs` (generous: a frame that is merely late,
// e.g. behind a busy relay, must not be taken for lost).
//
// Nothing but HELLO is delivered before the first HELLO (a batch that overtakes the hello is
// dropped by the link and its successors become gaps). Duplicates of delivered frames are
// dropped. A BYE first delivers what is buffered.
import { BATCH, BYE, HEADER, HELLO, SNAPSHOT } from '../replication/frames.mjs';

function seqOf(f) {
  if (!(f instanceof Uint8Array) || f.length < HEADER + 4) return -1;
  if (f[0] !== BATCH && f[0] !== SNAPSHOT) return -1;
  return new DataView(f.buffer, f.byteOffset, f.byteLength).getUint32(HEADER, true);
}

/**
 * @param port a MessagePort (browser or worker_threads)
 * @returns a port-like object for `connect(shard, port)`
 */
export function orderedPort(port, { gapTimeoutMs = 3000 } = {}) {
  const listeners = new Set();
  const closeListeners = new Set();
  let helloSeen = false;
  let next = 1; // sequence number expected next
  const held = new Map(); // seq → frame arrived early
  const early = []; // frames before the first hello
  let timer = null;

  const emit = (data) => {
    for (const fn of listeners) fn({ data });
  };

  function drain() {
    while (held.has(next)) {
      const f = held.get(next);
      held.delete(next);
      next++;
      emit(f);
    }
    if (held.size === 0) {
      clearTimeout(timer);
      timer = null;
    } else if (!timer) {
      // A frame is missing: lost on the way, or very late. Stop waiting after a while.
      timer = setTimeout(skipGap, gapTimeoutMs);
    }
  }

  function skipGap() {
    timer = null;
    if (held.size === 0) return;
    next = Math.min(...held.keys());
    drain();
  }

  function flushAll() {
    const seqs = [...held.keys()].sort((a, b) => a - b);
    for (const s of seqs) {
      emit(held.get(s));
      next = s + 1;
    }
    held.clear();
    clearTimeout(timer);
    timer = null;
  }

  function onFrame(data) {
    if (!helloSeen) {
      if (data instanceof Uint8Array && data[0] === HELLO) {
        helloSeen = true;
        emit(data);
        for (const f of early.splice(0)) onFrame(f);
      } else {
        early.push(data);
      }
      return;
    }
    const seq = seqOf(data);
    if (seq < 0) {
      if (data instanceof Uint8Array && data[0] === BYE) flushAll();
      emit(data);
      return;
    }
    if (seq < next || held.has(seq)) return; // a duplicate
    held.set(seq, data);
    drain();
  }

  const onMessage = (e) => onFrame(e.data);
  const onClose = () => {
    flushAll();
    for (const fn of closeListeners) fn();
  };
  port.addEventListener('message', onMessage);
  port.addEventListener('close', onClose);

  return {
    /** Frames waiting for a missing one (or for the first hello). */
    get held() {
      return held.size + early.length;
    },
    postMessage: (msg, transfer) => port.postMessage(msg, transfer),
    addEventListener(type, fn) {
      if (type === 'message') listeners.add(fn);
      else if (type === 'close') closeListeners.add(fn);
    },
    removeEventListener(type, fn) {
      listeners.delete(fn);
      closeListeners.delete(fn);
    },
    start: () => port.start?.(),
    close() {
      clearTimeout(timer);
      port.removeEventListener('message', onMessage);
      port.removeEventListener('close', onClose);
      port.close();
    },
  };
}

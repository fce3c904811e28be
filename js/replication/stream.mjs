// Port adapters for links that are not message ports: a byte stream (Node `net`/`tls`
// socket, any Duplex) gets length-prefixed frames; a WebSocket is message-framed already and
// only needs `postMessage`. Both give `connect(shard, port)` what it needs: `postMessage`,
// a 'message' event with the frame, and a 'close' event.

const DEFAULT_MAX_FRAME = 256 * 1024 * 1024;

/**
 * A port over a byte stream: each frame travels as [length u32 LE][frame]. A length above
 * `maxFrameBytes` is a protocol violation: the stream is destroyed and 'close' reports why.
 * @param {import('node:stream').Duplex} stream
 */
export function streamPort(stream, { maxFrameBytes = DEFAULT_MAX_FRAME } = {}) {
  const listeners = { message: new Set(), close: new Set() };
  let pending = []; // received chunks not yet forming a whole frame
  let pendingBytes = 0;
  let closed = false;

  const emit = (type, v) => {
    for (const fn of [...listeners[type]]) fn(v);
  };
  const finish = (reason) => {
    if (closed) return;
    closed = true;
    port.closeReason = reason;
    emit('close', reason);
  };

  function take(n) {
    const out = new Uint8Array(n);
    let off = 0;
    while (off < n) {
      const c = pending[0];
      const k = Math.min(c.length, n - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (k === c.length) pending.shift();
      else pending[0] = c.subarray(k);
    }
    pendingBytes -= n;
    return out;
  }

  function peekLength() {
    const head = pending[0].length >= 4 ? pending[0] : take4Copy();
    return (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
  }

  function take4Copy() {
    const out = new Uint8Array(4);
    let off = 0;
    for (const c of pending) {
      const k = Math.min(c.length, 4 - off);
      out.set(c.subarray(0, k), off);
      off += k;
      if (off === 4) break;
    }
    return out;
  }

  stream.on('data', (chunk) => {
    if (closed) return;
    pending.push(chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk));
    pendingBytes += chunk.length;
    while (pendingBytes >= 4) {
      const len = peekLength();
      if (len > maxFrameBytes) {
        stream.destroy();
        finish(`peer sent a frame of ${len} bytes (limit ${maxFrameBytes})`);
        return;
      }
      if (pendingBytes < 4 + len) break;
      take(4);
      emit('message', take(len));
      if (closed) return;
    }
  });
  stream.on('close', () => finish('stream closed'));
  stream.on('error', (e) => finish(`stream error: ${e && e.message ? e.message : e}`));

  const port = {
    closeReason: null,
    postMessage(frame) {
      if (closed || stream.destroyed) throw new Error('stream closed');
      const head = new Uint8Array(4);
      new DataView(head.buffer).setUint32(0, frame.byteLength, true);
      stream.write(head);
      stream.write(frame);
    },
    on(type, fn) {
      if (listeners[type]) listeners[type].add(fn);
      return port;
    },
    off(type, fn) {
      if (listeners[type]) listeners[type].delete(fn);
      return port;
    },
    /** Close the underlying stream. */
    close() {
      stream.end();
    },
  };
  return port;
}

/**
 * A port over a WebSocket (browser, Node 22+, or the `ws` package): frames are binary
 * messages.
 */
export function webSocketPort(ws) {
  ws.binaryType = 'arraybuffer';
  return {
    postMessage(frame) {
      ws.send(frame);
    },
    addEventListener: (type, fn) => ws.addEventListener(type, fn),
    removeEventListener: (type, fn) => ws.removeEventListener(type, fn),
    close: () => ws.close(),
  };
}

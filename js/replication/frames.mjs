// Frames of the replication protocol (docs/replication.md). Every frame is one Uint8Array:
//
//   [type u8][from u64][to u64][body]        integers little-endian, to = 0: "whoever you are"
//
//   HELLO    body = "MKR" version u8, flags u8 (1: a reply to the peer's hello), partitions u16,
//            n u16, n × (partition u16, len u32, vv)
//   BATCH    body = seq u32, kind u8 (0 live, 1 catch-up), effect batch (effects codec)
//   SNAPSHOT body = seq u32, partition snapshot (effects codec)
//   ACK      body = seq u32 (highest processed), n u16, n × (partition u16, len u32, vv)
//   SYNC     body = empty: "send me an ACK with your vectors now"
//   BYE      body = UTF-8 reason
//
// The effect batches, snapshots and vectors inside are opaque here: the wasm core validates
// them. This module only checks the framing and throws `FrameError` on anything malformed.

export const HELLO = 1;
export const BATCH = 2;
export const SNAPSHOT = 3;
export const ACK = 4;
export const SYNC = 5;
export const BYE = 6;

export const VERSION = 1;
export const HEADER = 17;
const MAGIC = [0x4d, 0x4b, 0x52]; // "MKR"

export class FrameError extends Error {
  constructor(message) {
    super(message);
    this.name = 'FrameError';
  }
}

function header(type, from, to, bodyLen) {
  const out = new Uint8Array(HEADER + bodyLen);
  const dv = new DataView(out.buffer);
  out[0] = type;
  dv.setBigUint64(1, BigInt.asUintN(64, from), true);
  dv.setBigUint64(9, BigInt.asUintN(64, to), true);
  return { out, dv };
}

function vectorsSize(vvs) {
  let n = 2;
  for (const [, vv] of vvs) n += 6 + vv.length;
  return n;
}

function putVectors(out, dv, off, vvs) {
  dv.setUint16(off, vvs.length, true);
  off += 2;
  for (const [p, vv] of vvs) {
    dv.setUint16(off, p, true);
    dv.setUint32(off + 2, vv.length, true);
    out.set(vv, off + 6);
    off += 6 + vv.length;
  }
  return off;
}

/**
 * @param {Array<[number, Uint8Array]>} vvs partition → encoded version vector
 * @param {boolean} reply sent in answer to the peer's hello (which is not answered again)
 */
export function hello(from, to, partitions, vvs, reply = false) {
  const { out, dv } = header(HELLO, from, to, 7 + vectorsSize(vvs));
  out.set(MAGIC, HEADER);
  out[HEADER + 3] = VERSION;
  out[HEADER + 4] = reply ? 1 : 0;
  dv.setUint16(HEADER + 5, partitions, true);
  putVectors(out, dv, HEADER + 7, vvs);
  return out;
}

/** A BATCH (kind 0 live, 1 catch-up) or, with `type = SNAPSHOT`, a snapshot frame. */
export function payload(type, from, to, seq, kind, data) {
  const extra = type === BATCH ? 5 : 4;
  const { out, dv } = header(type, from, to, extra + data.length);
  dv.setUint32(HEADER, seq, true);
  if (type === BATCH) out[HEADER + 4] = kind;
  out.set(data, HEADER + extra);
  return out;
}

export function ack(from, to, seq, vvs) {
  const { out, dv } = header(ACK, from, to, 4 + vectorsSize(vvs));
  dv.setUint32(HEADER, seq, true);
  putVectors(out, dv, HEADER + 4, vvs);
  return out;
}

export function sync(from, to) {
  return header(SYNC, from, to, 0).out;
}

export function bye(from, to, reason) {
  const text = new TextEncoder().encode(String(reason).slice(0, 200));
  const { out } = header(BYE, from, to, text.length);
  out.set(text, HEADER);
  return out;
}

function readVectors(u8, dv, off, what) {
  if (off + 2 > u8.length) throw new FrameError(`${what}: truncated vector count`);
  const n = dv.getUint16(off, true);
  off += 2;
  const vvs = [];
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    if (off + 6 > u8.length) throw new FrameError(`${what}: truncated vector header`);
    const p = dv.getUint16(off, true);
    const len = dv.getUint32(off + 2, true);
    off += 6;
    if (len > u8.length - off) throw new FrameError(`${what}: vector longer than the frame`);
    if (seen.has(p)) throw new FrameError(`${what}: partition ${p} listed twice`);
    seen.add(p);
    vvs.push([p, u8.subarray(off, off + len)]);
    off += len;
  }
  if (off !== u8.length) throw new FrameError(`${what}: trailing bytes`);
  return vvs;
}

/**
 * Decode one frame. Accepts a Uint8Array, an ArrayBuffer or any typed array view; throws
 * FrameError for anything that is not a well-formed frame.
 */
export function decode(data) {
  let u8;
  if (data instanceof Uint8Array) u8 = data;
  else if (data instanceof ArrayBuffer) u8 = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else throw new FrameError(`not a binary frame (${data === null ? 'null' : typeof data})`);
  if (u8.length < HEADER) throw new FrameError(`frame of ${u8.length} bytes is shorter than its header`);
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const f = {
    type: u8[0],
    from: dv.getBigUint64(1, true),
    to: dv.getBigUint64(9, true),
  };
  const body = HEADER;
  switch (f.type) {
    case HELLO: {
      if (u8.length < body + 7) throw new FrameError('hello: truncated');
      if (u8[body] !== MAGIC[0] || u8[body + 1] !== MAGIC[1] || u8[body + 2] !== MAGIC[2]) {
        throw new FrameError('hello: bad magic');
      }
      f.version = u8[body + 3];
      if (f.version !== VERSION) throw new FrameError(`hello: protocol version ${f.version}, this side speaks ${VERSION}`);
      if (u8[body + 4] > 1) throw new FrameError(`hello: unknown flags ${u8[body + 4]}`);
      f.reply = u8[body + 4] === 1;
      f.partitions = dv.getUint16(body + 5, true);
      f.vvs = readVectors(u8, dv, body + 7, 'hello');
      return f;
    }
    case BATCH:
    case SNAPSHOT: {
      const extra = f.type === BATCH ? 5 : 4;
      if (u8.length < body + extra) throw new FrameError('batch: truncated');
      f.seq = dv.getUint32(body, true);
      f.kind = f.type === BATCH ? u8[body + 4] : 2;
      if (f.kind > 2) throw new FrameError(`batch: unknown kind ${f.kind}`);
      f.data = u8.subarray(body + extra);
      return f;
    }
    case ACK: {
      if (u8.length < body + 4) throw new FrameError('ack: truncated');
      f.seq = dv.getUint32(body, true);
      f.vvs = readVectors(u8, dv, body + 4, 'ack');
      return f;
    }
    case SYNC:
      if (u8.length !== body) throw new FrameError('sync: trailing bytes');
      return f;
    case BYE:
      f.reason = new TextDecoder().decode(u8.subarray(body));
      return f;
    default:
      throw new FrameError(`unknown frame type ${f.type}`);
  }
}

// A small raw RESP client for differential testing: exact reply types (RESP2 and RESP3),
// pipelining, and raw-bytes exchanges for protocol-level cases. No dependencies.
//
// Reply values are plain objects tagged by `t`:
//   {t:'status', v:string}  {t:'error', v:string}  {t:'int', v:bigint}  {t:'bulk', v:Buffer}
//   {t:'nil'}  {t:'nilarray'}  {t:'null'} (RESP3 `_`)  {t:'array', v:[...]}  {t:'set', v:[...]}
//   {t:'push', v:[...]}  {t:'map', v:[[k, v], ...]}  {t:'double', v:string (as sent)}
//   {t:'bool', v:boolean}  {t:'bignum', v:string}  {t:'verbatim', f:string, v:Buffer}

import net from 'node:net';

export class ProtocolDecodeError extends Error {}

/** Incremental RESP2/RESP3 reply decoder. */
export class ReplyDecoder {
  constructor() {
    this.buf = Buffer.alloc(0);
    this.pos = 0;
  }

  feed(chunk) {
    this.buf = this.pos < this.buf.length ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : Buffer.from(chunk);
    this.pos = 0;
  }

  /** Next complete reply, or undefined if more bytes are needed. */
  next() {
    const r = this.#parse(this.pos, 0);
    if (r === undefined) return undefined;
    this.pos = r.end;
    return r.value;
  }

  #line(pos) {
    const cr = this.buf.indexOf('\r\n', pos, 'latin1');
    if (cr < 0) return undefined;
    return { text: this.buf.subarray(pos, cr), end: cr + 2 };
  }

  #parse(pos, depth) {
    if (depth > 1000) throw new ProtocolDecodeError('reply nested too deeply');
    if (pos >= this.buf.length) return undefined;
    const tag = String.fromCharCode(this.buf[pos]);
    const line = this.#line(pos + 1);
    if (!line) return undefined;
    const text = line.text.toString('latin1');
    const int = () => {
      if (!/^-?\d+$/.test(text)) throw new ProtocolDecodeError(`bad integer ${JSON.stringify(text)} after ${tag}`);
      return BigInt(text);
    };
    switch (tag) {
      case '+': return { value: { t: 'status', v: line.text.toString('utf8') }, end: line.end };
      case '-': return { value: { t: 'error', v: line.text.toString('utf8') }, end: line.end };
      case ':': return { value: { t: 'int', v: int() }, end: line.end };
      case '_': return { value: { t: 'null' }, end: line.end };
      case ',': return { value: { t: 'double', v: text }, end: line.end };
      case '#': return { value: { t: 'bool', v: text === 't' }, end: line.end };
      case '(': return { value: { t: 'bignum', v: text }, end: line.end };
      case '$': case '=': case '!': {
        const n = Number(int());
        if (n === -1 && tag === '$') return { value: { t: 'nil' }, end: line.end };
        if (n < 0) throw new ProtocolDecodeError(`bad length ${n}`);
        if (this.buf.length < line.end + n + 2) return undefined;
        const data = this.buf.subarray(line.end, line.end + n);
        const end = line.end + n + 2;
        if (tag === '$') return { value: { t: 'bulk', v: Buffer.from(data) }, end };
        if (tag === '!') return { value: { t: 'error', v: data.toString('utf8') }, end };
        return { value: { t: 'verbatim', f: data.subarray(0, 3).toString('latin1'), v: Buffer.from(data.subarray(4)) }, end };
      }
      case '*': case '~': case '>': case '%': case '|': {
        const n = Number(int());
        if (n === -1 && tag === '*') return { value: { t: 'nilarray' }, end: line.end };
        if (n < 0) throw new ProtocolDecodeError(`bad aggregate length ${n}`);
        const count = tag === '%' || tag === '|' ? n * 2 : n;
        const items = [];
        let p = line.end;
        for (let i = 0; i < count; i++) {
          const r = this.#parse(p, depth + 1);
          if (r === undefined) return undefined;
          items.push(r.value);
          p = r.end;
        }
        if (tag === '|') {
          // Attribute: skip it, the real reply follows.
          const r = this.#parse(p, depth);
          return r;
        }
        if (tag === '%') {
          const pairs = [];
          for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
          return { value: { t: 'map', v: pairs }, end: p };
        }
        const t = tag === '*' ? 'array' : tag === '~' ? 'set' : 'push';
        return { value: { t, v: items }, end: p };
      }
      default:
        throw new ProtocolDecodeError(`unknown type byte ${JSON.stringify(tag)} at ${pos}`);
    }
  }
}

/** Encode a command (array of strings / Buffers / numbers) as a RESP multibulk. */
export function encodeCommand(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a));
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A connection: `call(args)` resolves with the next reply; calls may be pipelined. */
export class RespConnection {
  static connect({ host = '127.0.0.1', port }, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const timer = setTimeout(() => { sock.destroy(); reject(new Error(`connect ${host}:${port} timed out`)); }, timeoutMs);
      sock.once('connect', () => { clearTimeout(timer); resolve(new RespConnection(sock)); });
      sock.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.sock.setNoDelay(true);
    this.decoder = new ReplyDecoder();
    this.waiting = [];
    this.closed = false;
    this.failure = null;
    sock.on('data', (chunk) => {
      try {
        this.decoder.feed(chunk);
        let r;
        while ((r = this.decoder.next()) !== undefined) {
          if (r.t === 'push') continue; // out-of-band (RESP3 pubsub / invalidation)
          const w = this.waiting.shift();
          if (w) w.resolve(r);
        }
      } catch (e) {
        this.#fail(e);
      }
    });
    sock.on('close', () => { this.closed = true; this.#fail(new Error('connection closed')); });
    sock.on('error', (e) => this.#fail(e));
  }

  #fail(e) {
    this.failure = this.failure || e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  call(args, timeoutMs = 10000) {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for reply to ${JSON.stringify(args.map(String))}`)), timeoutMs);
      this.waiting.push({
        resolve: (v) => { clearTimeout(timer); resolve(v); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.sock.write(encodeCommand(args));
    });
  }

  close() {
    this.sock.destroy();
  }
}

/**
 * Send raw bytes on a fresh connection; collect everything the server sends until it closes
 * the connection or goes quiet for `quietMs`. Resolves {bytes: Buffer, closed: boolean}.
 */
export function rawExchange({ host = '127.0.0.1', port }, chunks, { quietMs = 150, maxMs = 3000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    const got = [];
    let done = false;
    let quiet;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(quiet);
      clearTimeout(hard);
      sock.destroy();
      resolve({ bytes: Buffer.concat(got), closed });
    };
    const arm = () => { clearTimeout(quiet); quiet = setTimeout(() => finish(false), quietMs); };
    const hard = setTimeout(() => finish(false), maxMs);
    sock.on('data', (d) => { got.push(d); arm(); });
    sock.on('close', () => finish(true));
    sock.on('error', (e) => { if (e.code === 'ECONNRESET' || e.code === 'EPIPE') finish(true); else if (!done) { done = true; reject(e); } });
    sock.on('connect', async () => {
      for (const c of [].concat(chunks)) {
        if (sock.destroyed) break;
        sock.write(Buffer.isBuffer(c) ? c : Buffer.from(c, 'latin1'));
        await new Promise((r) => setTimeout(r, 5));
      }
      arm();
    });
  });
}

/** Render a reply the way a human reads it (redis-cli-like, with explicit types). */
export function show(r, indent = '') {
  if (r === undefined) return `${indent}(no reply)`;
  switch (r.t) {
    case 'status': return `${indent}+${r.v}`;
    case 'error': return `${indent}(error) ${r.v}`;
    case 'int': return `${indent}(integer) ${r.v}`;
    case 'bulk': return `${indent}${JSON.stringify(r.v.toString('latin1'))}`;
    case 'nil': return `${indent}(nil bulk)`;
    case 'nilarray': return `${indent}(nil array)`;
    case 'null': return `${indent}(null)`;
    case 'double': return `${indent}(double) ${r.v}`;
    case 'bool': return `${indent}(bool) ${r.v}`;
    case 'bignum': return `${indent}(big number) ${r.v}`;
    case 'verbatim': return `${indent}(verbatim ${r.f}) ${JSON.stringify(r.v.toString('latin1'))}`;
    case 'map':
      if (r.v.length === 0) return `${indent}(empty map)`;
      return `${indent}(map ${r.v.length})\n` + r.v.map(([k, v]) => `${show(k, indent + '  ')} =>\n${show(v, indent + '    ')}`).join('\n');
    default:
      if (r.v.length === 0) return `${indent}(empty ${r.t})`;
      return `${indent}(${r.t} ${r.v.length})\n` + r.v.map((x, i) => `${show(x, indent + '  ')}`).join('\n');
  }
}

// A RESP2/RESP3 reply decoder that keeps every type apart (status vs bulk vs error, nil,
// integer vs double vs big number, array vs set vs map...), for the reply tree. Integers stay
// decimal text so 64-bit values are exact.

export class RespError extends Error {}

const CR = 13;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin = new TextDecoder('latin1');

class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.pos = 0;
  }

  line() {
    const start = this.pos;
    let i = start;
    while (i + 1 < this.b.length && !(this.b[i] === CR && this.b[i + 1] === 10)) i++;
    if (i + 1 >= this.b.length) throw new RespError('truncated reply');
    this.pos = i + 2;
    return latin.decode(this.b.subarray(start, i));
  }

  count() {
    const n = Number(this.line());
    if (!Number.isInteger(n)) throw new RespError('bad length');
    return n;
  }

  blob(len) {
    if (this.pos + len + 2 > this.b.length) throw new RespError('truncated reply');
    const out = this.b.slice(this.pos, this.pos + len);
    this.pos += len + 2;
    return out;
  }

  value() {
    const t = String.fromCharCode(this.b[this.pos++]);
    switch (t) {
      case '+': return { type: 'status', text: this.line() };
      case '-': return errorNode(this.line());
      case ':': return { type: 'integer', text: this.line() };
      case ',': return { type: 'double', text: this.line() };
      case '(': return { type: 'bignum', text: this.line() };
      case '#': return { type: 'boolean', value: this.line() === 't' };
      case '_': this.line(); return { type: 'nil' };
      case '$': {
        const n = this.count();
        return n < 0 ? { type: 'nil' } : { type: 'bulk', bytes: this.blob(n) };
      }
      case '!': return errorNode(bytesText(this.blob(this.count())));
      case '=': {
        const raw = this.blob(this.count());
        return { type: 'verbatim', format: latin.decode(raw.subarray(0, 3)), bytes: raw.slice(4) };
      }
      case '*': case '~': case '>': {
        const n = this.count();
        if (n < 0) return { type: 'nil' };
        const items = [];
        for (let i = 0; i < n; i++) items.push(this.value());
        return { type: { '*': 'array', '~': 'set', '>': 'push' }[t], items };
      }
      case '%': case '|': {
        const n = this.count();
        const entries = [];
        for (let i = 0; i < n; i++) entries.push([this.value(), this.value()]);
        if (t === '|') return { ...this.value(), attributes: entries };
        return { type: 'map', entries };
      }
      default:
        throw new RespError(`unknown reply type ${JSON.stringify(t)}`);
    }
  }
}

function errorNode(line) {
  const code = line.split(' ', 1)[0];
  return { type: 'error', code, text: line };
}

/** Every reply in `bytes`. */
export function decodeReplies(bytes) {
  const r = new Reader(bytes);
  const out = [];
  while (r.pos < bytes.length) out.push(r.value());
  return out;
}

/** Bytes as text: UTF-8 when valid, else printable ASCII with \xNN escapes (as redis-cli). */
export function bytesText(bytes) {
  try {
    return utf8.decode(bytes);
  } catch {
    return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
  }
}

/** Bytes as an escaped one-line RESP transcript (`+OK\r\n`), for the raw view. */
export function respTranscript(bytes) {
  return Array.from(bytes, (b) => {
    if (b === 13) return '\\r';
    if (b === 10) return '\\n';
    if (b === 0x5c) return '\\\\';
    return b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }).join('');
}

/** The script line an error reply points at (`user_script:3:`), or null. */
export function errorLine(text) {
  const m = /user_script:(\d+):/.exec(text);
  return m ? Number(m[1]) : null;
}

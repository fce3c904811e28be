// The fast path of `Shard.prototype.command` (installed by every entry of the package).
//
// Every call from wasm into JS through wasm-bindgen's glue costs a closure and an `arguments`
// object, and the general `command()` makes several per argument (array length, item, string
// encoding) plus one for the clock and one per reply string. For the common case (an argv of
// strings and safe integers; a reply that is null, a number, a boolean or one string) this
// path instead packs the argv into wasm memory itself (ASCII by hand, the rest with
// `TextEncoder.encodeInto`), makes one call of numbers, and reads the reply from wasm memory.
// Everything else (Uint8Array/bigint/other arguments, array/map/set/error/BigInt replies) goes
// through the general path, so the JS value mapping (docs/js-api.md) is the same on both.
// The layout is described in src/wasm/shard/packed.rs.

const FALLBACK = 0;
const NULL = 1;
const NUMBER = 2;
const STRING = 3;
const BYTES = 4;
const TRUE = 5;
const FALSE = 6;
// Replies longer than this are released right after they are read.
const KEEP_REPLY_BYTES = 64 * 1024;
// An argv needing more than this many bytes (upper bound) takes the general path, so the
// module-wide input buffer (which never shrinks) stays small; big values cost their copy
// either way.
const MAX_PACKED_BYTES = 1024 * 1024;

export function installFastCommand(Shard) {
  const general = Shard.prototype.command;
  if (general.marekvsPacked) return;
  const encoder = new TextEncoder();
  // ignoreBOM: a leading U+FEFF is part of the value (as in wasm-bindgen's own decoder).
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let memory = null;
  let buffer = null;
  let u8 = null;
  let u32 = null;
  let f64 = null;
  let input = 0;
  let capacity = 0;
  let out = 0;
  // The previous packed argv: its count, values and where each argument's bytes end. While
  // the buffer stays where it is, an argument equal to the previous call's at the same
  // position, after only equal ones, still has its length and bytes in place (nothing else
  // writes the input buffer; wasm only reads it), so it is not encoded again: the command
  // name and an EVALSHA's SHA usually repeat from call to call.
  let prevN = -1;
  const prevValues = [];
  const prevEnd = [0];
  let shared = false;
  const refresh = () => {
    if (memory === null) {
      memory = Shard.__memory();
      out = Shard.__outBlock();
      shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    }
    // Growing a (non-shared) memory detaches its old buffer, which empties the views made on
    // it: their length tells, without the `memory.buffer` getter (a call into the engine,
    // 2 % of an EVALSHA) twice per command. A shared memory's old buffer stays as it was.
    if (u8 === null || u8.length === 0 || (shared && buffer !== memory.buffer)) {
      buffer = memory.buffer;
      u8 = new Uint8Array(buffer);
      u32 = new Uint32Array(buffer);
      f64 = new Float64Array(buffer);
    }
  };

  const readString = (ptr, len) => {
    if (len <= 16) {
      let s = '';
      for (let i = 0; i < len; i++) {
        const c = u8[ptr + i];
        if (c > 0x7f) return decoder.decode(u8.subarray(ptr, ptr + len));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return decoder.decode(u8.subarray(ptr, ptr + len));
  };

  function command(argv) {
    if (!Array.isArray(argv)) return general.call(this, argv);
    const n = argv.length;
    // The leading arguments identical to the previous call's (same count): already checked,
    // and their lengths and bytes are still in the buffer, so they are neither checked,
    // measured nor written again (an EVALSHA repeating its name, SHA, numkeys and keys
    // writes nothing). `prevEnd[k]`: the bytes of the previous call's first k arguments.
    let k = 0;
    if (n === prevN) while (k < n && argv[k] === prevValues[k]) k++;
    let bound = 4 * n + prevEnd[k];
    for (let i = k; i < n; i++) {
      const a = argv[i];
      if (typeof a === 'string') bound += 3 * a.length;
      else if (typeof a === 'number' && Number.isSafeInteger(a)) bound += 20;
      else return general.call(this, argv);
    }
    if (n === 0 || bound > MAX_PACKED_BYTES) return general.call(this, argv);
    if (bound > capacity) {
      input = Shard.__argBuffer(bound);
      capacity = bound;
      k = 0;
    }
    if (k < n) {
      refresh();
      // Forgotten until the argv is complete (should anything below throw).
      prevN = -1;
    }
    let off = input + 4 * n + prevEnd[k];
    for (let i = k; i < n; i++) {
      const value = argv[i];
      const a = typeof value === 'number' ? String(value) : value;
      const len = a.length;
      let j = 0;
      while (j < len) {
        const c = a.charCodeAt(j);
        if (c > 0x7f) break;
        u8[off + j] = c;
        j++;
      }
      let bytes = j;
      if (j < len) {
        const rest = j === 0 ? a : a.slice(j);
        bytes += encoder.encodeInto(rest, u8.subarray(off + j, off + j + 3 * (len - j))).written;
      }
      u32[(input >>> 2) + i] = bytes;
      off += bytes;
      prevValues[i] = value;
      prevEnd[i + 1] = prevEnd[i] + bytes;
    }
    prevN = n;
    // The one clock read of a command. Passed twice: as the command's time, and as the
    // reading a script's budget starts from (src/sys.rs `set_clock_reading`), so a script
    // reads the monotonic clock only if it runs until its first budget check.
    const now = Date.now();
    const kind = this.__commandPacked(n, now, now);
    switch (kind) {
      case NULL:
        return null;
      case NUMBER:
        refresh();
        return f64[out >>> 3];
      case TRUE:
        return true;
      case FALSE:
        return false;
      case STRING:
      case BYTES: {
        refresh();
        const ptr = u32[(out + 8) >>> 2];
        const len = u32[(out + 12) >>> 2];
        const value = kind === STRING ? readString(ptr, len) : u8.slice(ptr, ptr + len);
        if (len > KEEP_REPLY_BYTES) this.__dropReply();
        return value;
      }
      case FALLBACK:
        return general.call(this, argv);
      default:
        return this.__takeReply();
    }
  }
  command.marekvsPacked = true;
  Object.defineProperty(Shard.prototype, 'command', {
    value: command,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

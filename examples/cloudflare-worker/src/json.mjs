// Replies ↔ JSON. Plain JSON values pass through; the rest is tagged:
//   bytes {"$bytes": base64}, bigint {"$bigint": "123"}, non-finite double {"$double": "inf"},
//   RESP3 set {"$set": [...]}, RESP3 map {"$map": [[k, v], ...]},
//   error reply {"$error": "CROSSSLOT Keys ...", "code": "CROSSSLOT"}.
// Arguments accept strings, numbers and {"$bytes": base64}.

const toBase64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

export function replyToJson(v) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $double: String(v) };
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (v instanceof Uint8Array) return { $bytes: toBase64(v) };
  if (v instanceof Error) return { $error: v.message, code: v.code ?? 'ERR' };
  if (Array.isArray(v)) return v.map(replyToJson);
  if (v instanceof Set) return { $set: [...v].map(replyToJson) };
  if (v instanceof Map) return { $map: [...v].map(([k, x]) => [replyToJson(k), replyToJson(x)]) };
  return String(v);
}

export function argFromJson(a, i) {
  if (typeof a === 'string' || typeof a === 'number') return a;
  if (a && typeof a === 'object' && typeof a.$bytes === 'string') return fromBase64(a.$bytes);
  throw new TypeError(`argument ${i} must be a string, a number or {"$bytes": base64}`);
}

// Replies cross the worker boundary by structured clone, which keeps strings, numbers,
// bigints, Uint8Arrays, arrays, Maps and Sets but turns a ReplyError into a plain Error
// (its `name` and `code` are lost). Workers therefore wrap each ReplyError as
// `{ $replyError: message }` (replies never contain plain objects otherwise) and the main
// side turns it back into an Error with name 'ReplyError' and `code`, as `Shard.command` does.

/** A ReplyError like the wasm core's: `name` 'ReplyError', `code` = first word of the message. */
export function replyError(message) {
  const e = new Error(message);
  e.name = 'ReplyError';
  e.code = message.split(' ', 1)[0];
  return e;
}

export function isReplyError(v) {
  return v instanceof Error && v.name === 'ReplyError';
}

/** Worker side: a reply → something structured clone carries faithfully. */
export function encodeReply(v) {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (v instanceof Error) return { $replyError: v.message };
  if (Array.isArray(v)) {
    let out = v;
    for (let i = 0; i < v.length; i++) {
      const e = encodeReply(v[i]);
      if (e !== v[i]) {
        if (out === v) out = v.slice();
        out[i] = e;
      }
    }
    return out;
  }
  if (v instanceof Map) {
    let changed = false;
    const entries = [];
    for (const [k, x] of v) {
      const ek = encodeReply(k);
      const ex = encodeReply(x);
      if (ek !== k || ex !== x) changed = true;
      entries.push([ek, ex]);
    }
    return changed ? new Map(entries) : v;
  }
  if (v instanceof Set) {
    let changed = false;
    const items = [];
    for (const x of v) {
      const ex = encodeReply(x);
      if (ex !== x) changed = true;
      items.push(ex);
    }
    return changed ? new Set(items) : v;
  }
  return v;
}

/** Main side: the inverse of `encodeReply`. */
export function decodeReply(v) {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = decodeReply(v[i]);
    return v;
  }
  if (v instanceof Map) {
    let wrapped = false;
    for (const [k, x] of v) if (k !== null && typeof k === 'object' && !(k instanceof Uint8Array)) wrapped = true;
    if (wrapped) return new Map(Array.from(v, ([k, x]) => [decodeReply(k), decodeReply(x)]));
    for (const [k, x] of v) v.set(k, decodeReply(x));
    return v;
  }
  if (v instanceof Set) return new Set(Array.from(v, decodeReply));
  if (typeof v.$replyError === 'string') return replyError(v.$replyError);
  return v;
}

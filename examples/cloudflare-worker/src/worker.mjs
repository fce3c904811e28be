// A Cloudflare Worker keeping one marekvs shard per isolate and answering commands posted as
// JSON. `import { Shard } from 'marekvs'` resolves to the package's `workerd` entry, which
// instantiates the precompiled WebAssembly.Module that the `.wasm` import yields (workerd
// forbids compiling wasm from bytes).
//
//   POST /command {"argv": ["SET", "k", "v"]}               → {"reply": "OK"}
//   POST /command {"commands": [["INCR", "n"], ["GET", "n"]]} → {"replies": [1, "1"]}
//   POST /eval    {"script": "return 1", "keys": [], "args": []} → {"reply": 1}
//   POST /effects, POST /sync: effect exchange with the peer (src/peer.mjs)
// An error reply comes back as {"error": "CROSSSLOT ...", "code": "CROSSSLOT"} (HTTP 200: it is
// a valid Redis reply); a malformed request gets HTTP 400.
import { Shard } from 'marekvs';
import { argFromJson, replyToJson } from './json.mjs';
import { handleEffects, handleSync } from './peer.mjs';

let shard = null; // lives as long as the isolate; a new isolate starts empty (or syncs from its peer)

function getShard(env) {
  if (shard === null) {
    shard = new Shard({ partitions: Number(env.MAREKVS_PARTITIONS ?? 16), errors: 'return' });
    // Every independently writing replica needs its own origin id for its effects, and a
    // deployment runs many isolates: MAREKVS_NODE in the top 16 bits, 48 random bits below.
    if ('nodeId' in shard) {
      const [random] = crypto.getRandomValues(new BigUint64Array(1));
      shard.nodeId = (BigInt(env.MAREKVS_NODE ?? 1) << 48n) | (random & 0xffffffffffffn);
    }
    if (env.MAREKVS_SCRIPT_MS) shard.command(['CONFIG', 'SET', 'lua-time-limit', String(env.MAREKVS_SCRIPT_MS)]);
  }
  return shard;
}

function run(s, argv) {
  if (!Array.isArray(argv) || argv.length === 0) throw new TypeError('argv must be a non-empty array');
  const r = s.command(argv.map(argFromJson));
  return r instanceof Error ? { error: r.message, code: r.code } : { reply: replyToJson(r) };
}

const badRequest = (message) => Response.json({ error: message }, { status: 400 });

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (request.method !== 'POST') return Response.json({ error: 'POST only' }, { status: 405 });
    const s = getShard(env);
    if (pathname === '/effects') return handleEffects(request, s);
    if (pathname === '/sync') return handleSync(env, s);
    let body;
    try {
      body = await request.json();
    } catch {
      return badRequest('body must be JSON');
    }
    try {
      if (pathname === '/command') {
        if (Array.isArray(body.commands)) return Response.json({ replies: body.commands.map((argv) => run(s, argv)) });
        return Response.json(run(s, body.argv));
      }
      if (pathname === '/eval') {
        const keys = body.keys ?? [];
        const args = body.args ?? [];
        if (typeof body.script !== 'string' || !Array.isArray(keys) || !Array.isArray(args)) {
          return badRequest('expected {"script": string, "keys": [], "args": []}');
        }
        return Response.json(run(s, ['EVAL', body.script, keys.length, ...keys, ...args]));
      }
    } catch (e) {
      if (e instanceof TypeError) return badRequest(e.message);
      throw e;
    }
    return Response.json({ error: 'not found' }, { status: 404 });
  },
};

// Effect exchange with a peer: the only part of the example that depends on the effects API
// (replication of concrete, HLC-stamped writes; docs/effects.md). The transport is plain HTTP
// over a binding with a `fetch` method: a service binding to another Worker, or a Durable
// Object stub (see README.md, "Peer transport").
//
//   POST /effects  body: our effect batch      → the peer applies it and answers with its own
//   POST /sync     (client → us)               → one push-pull round with env.PEER

const OCTETS = { 'content-type': 'application/octet-stream' };

/** The effects API of this marekvs build, or null when it has none yet. */
export function effectsApi(shard) {
  if (typeof shard.takeEffects !== 'function' || typeof shard.applyEffects !== 'function') return null;
  return {
    take: () => shard.takeEffects(),
    apply: (bytes) => shard.applyEffects(bytes),
  };
}

const unavailable = () =>
  Response.json({ error: 'this marekvs build has no effects API (Shard.takeEffects/applyEffects)' }, { status: 501 });

/** POST /effects: apply the peer's batch, answer with ours. */
export async function handleEffects(request, shard) {
  const fx = effectsApi(shard);
  if (!fx) return unavailable();
  const incoming = new Uint8Array(await request.arrayBuffer());
  if (incoming.length > 0) fx.apply(incoming);
  return new Response(fx.take(), { headers: OCTETS });
}

/** POST /sync: push our batch to env.PEER, apply what it sends back. */
export async function handleSync(env, shard) {
  const fx = effectsApi(shard);
  if (!fx) return unavailable();
  if (!env.PEER) return Response.json({ error: 'no PEER binding' }, { status: 500 });
  const outgoing = fx.take();
  const res = await env.PEER.fetch('https://peer/effects', { method: 'POST', headers: OCTETS, body: outgoing });
  if (!res.ok) return Response.json({ error: `peer answered ${res.status}: ${await res.text()}` }, { status: 502 });
  const incoming = new Uint8Array(await res.arrayBuffer());
  if (incoming.length > 0) fx.apply(incoming);
  return Response.json({ sent: outgoing.length, received: incoming.length });
}

// The example Worker (examples/cloudflare-worker/) in workerd, Cloudflare's runtime, through
// miniflare: bundled from the installed tarball the way wrangler does it (esbuild with the
// `workerd` condition; `.wasm` imports left to the runtime as precompiled modules).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { repo, scratchDir } from './helpers.mjs';

const out = join(scratchDir(), 'worker-dist');
let mf;

/** wrangler's bundling: conditions workerd/worker/browser, `.wasm` → CompiledWasm module. */
async function bundleWorker() {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: {
      worker: join(repo, 'examples/cloudflare-worker/src/worker.mjs'),
      frozen: join(repo, 'test/package/fixtures/frozen-clock-worker.mjs'),
    },
    outdir: out,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    logLevel: 'warning',
    plugins: [
      {
        name: 'installed-marekvs-and-wasm',
        setup(b) {
          // `marekvs` from the scratch install, not from the repo.
          b.onResolve({ filter: /^marekvs(\/.*)?$/ }, (args) =>
            args.pluginData === 'scratch'
              ? undefined
              : b.resolve(args.path, { resolveDir: scratchDir(), kind: args.kind, pluginData: 'scratch' }),
          );
          b.onResolve({ filter: /\.wasm$/ }, (args) => {
            const from = join(args.resolveDir, args.path);
            copyFileSync(from, join(out, basename(from)));
            return { path: `./${basename(from)}`, external: true };
          });
        },
      },
    ],
  });
}

const worker = (name, node, peer, entry = 'worker') => ({
  name,
  modules: true,
  scriptPath: join(out, `${entry}.mjs`),
  modulesRoot: out,
  modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-07-30',
  bindings: { MAREKVS_PARTITIONS: '16', MAREKVS_NODE: String(node) },
  serviceBindings: { PEER: peer },
});

before(async () => {
  await bundleWorker();
  mf = new Miniflare({ workers: [worker('a', 1, 'b'), worker('b', 2, 'a'), worker('frozen', 3, 'a', 'frozen')] });
  await mf.ready;
});
after(async () => {
  await mf?.dispose();
});

async function post(path, body, workerName = 'a') {
  const w = await mf.getWorker(workerName);
  const res = await w.fetch(`http://localhost${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

test('answers commands and scripts posted as JSON', async () => {
  assert.deepEqual(await post('/command', { argv: ['SET', 'greeting', 'hello'] }), { status: 200, body: { reply: 'OK' } });
  assert.deepEqual((await post('/command', { argv: ['GET', 'greeting'] })).body, { reply: 'hello' });
  const batch = await post('/command', { commands: [['RPUSH', '{u}l', 'a', 'b'], ['LRANGE', '{u}l', 0, -1], ['INCRBY', 'big', '9007199254740993']] });
  assert.deepEqual(batch.body, { replies: [{ reply: 2 }, { reply: ['a', 'b'] }, { reply: { $bigint: '9007199254740993' } }] });
  const r = await post('/eval', {
    script: "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), _VERSION, redis.sha1hex('')}",
    keys: ['{u}k'],
    args: ['v1'],
  });
  assert.deepEqual(r.body, { reply: ['v1', 'Lua 5.4', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'] });
  const sha = (await post('/command', { argv: ['SCRIPT', 'LOAD', 'return ARGV[1] .. "!"'] })).body.reply;
  assert.deepEqual((await post('/command', { argv: ['EVALSHA', sha, 0, 'hi'] })).body, { reply: 'hi!' });
  assert.equal((await post('/command', { argv: [] })).status, 400);
});

test('rejects a cross-partition script with CROSSSLOT', async () => {
  const r = await post('/eval', { script: "return redis.call('GET', KEYS[1])", keys: ['{a}x', '{b}y'] });
  assert.equal(r.status, 200);
  assert.equal(r.body.code, 'CROSSSLOT', JSON.stringify(r.body));
  // Same hash tag: one partition, accepted.
  assert.deepEqual((await post('/eval', { script: 'return #KEYS', keys: ['{a}x', '{a}y'] })).body, { reply: 2 });
});

test('stops a runaway script in workerd', async () => {
  const r = await post('/eval', { script: 'while true do end' });
  assert.equal(r.body.code, 'SCRIPTTIMEOUT', JSON.stringify(r.body));
  const p = await post('/eval', { script: 'while true do pcall(function() while true do end end) end' });
  assert.equal(p.body.code, 'SCRIPTTIMEOUT', JSON.stringify(p.body));
});

test('stops a runaway script while the clock is frozen (SCRIPTTIMEOUT)', async () => {
  // Production workerd freezes Date.now() during a request; the 'frozen' Worker does it
  // (fixtures/frozen-clock-worker.mjs). One request: TIME, Lua work, TIME: the clock stands
  // still, and the budget falls back on counting instructions.
  const clock = await post('/command', {
    commands: [['TIME'], ['EVAL', 'local n = 0; for i = 1, 1000000 do n = n + i end; return n', 0], ['TIME']],
  }, 'frozen');
  const [t1, work, t2] = clock.body.replies;
  assert.deepEqual(work, { reply: 500000500000 }, JSON.stringify(clock.body));
  assert.deepEqual(t1, t2, 'the clock stood still during the request');
  const t0 = Date.now();
  const r = await post('/eval', { script: 'while true do end' }, 'frozen');
  assert.equal(r.body.code, 'SCRIPTTIMEOUT', JSON.stringify(r.body));
  const p = await post('/eval', { script: 'while true do pcall(function() while true do end end) end' }, 'frozen');
  assert.equal(p.body.code, 'SCRIPTTIMEOUT', JSON.stringify(p.body));
  assert.ok(Date.now() - t0 < 30_000, `took ${Date.now() - t0} ms`);
  assert.deepEqual((await post('/command', { argv: ['PING'] }, 'frozen')).body, { reply: 'PONG' });
});

const effectsReady = await (async () => {
  const { Shard } = await import(join(scratchDir(), 'node_modules/marekvs/js/node.mjs'));
  return typeof Shard.prototype.takeEffects === 'function' && typeof Shard.prototype.applyEffects === 'function';
})();

test(
  'two Workers converge by exchanging effect batches over a service binding',
  effectsReady ? {} : { todo: 'needs the effects API (Shard.prototype.takeEffects/applyEffects) in src/wasm/' },
  async () => {
    await post('/command', { argv: ['SET', 'conv:a', 'from-a'] }, 'a');
    await post('/command', { argv: ['SET', 'conv:b', 'from-b'] }, 'b');
    await post('/command', { argv: ['HSET', 'conv:h', 'fa', '1'] }, 'a');
    await post('/command', { argv: ['HSET', 'conv:h', 'fb', '2'] }, 'b');
    const sync = await post('/sync', {}, 'a');
    assert.equal(sync.status, 200, JSON.stringify(sync.body));
    for (const name of ['a', 'b']) {
      const r = await post('/command', { commands: [['GET', 'conv:a'], ['GET', 'conv:b'], ['HGETALL', 'conv:h']] }, name);
      assert.deepEqual(r.body.replies.slice(0, 2), [{ reply: 'from-a' }, { reply: 'from-b' }], name);
      const h = r.body.replies[2].reply;
      assert.deepEqual(Object.fromEntries(h.flatMap((x, i) => (i % 2 ? [] : [[x, h[i + 1]]]))), { fa: '1', fb: '2' }, name);
    }
  },
);

// The platform-independent part of `Node`: a pool of shard workers, the command router, peer
// links between the matching shards of two Nodes, restarts. js/cluster/node.mjs (worker_threads)
// and js/cluster/browser.mjs (Web Workers) supply the platform: how to spawn a worker and the
// wasm `routeCommand`. See docs/js-api.md ("Node class").
import { decodeReply, isReplyError } from './replies.mjs';
import { ownerMap, ownedPartitions, planCommand, scanRewrite, scanStep, xorHex } from './routing.mjs';

/** An error that is not a reply: the shard's worker is gone (terminated, restarting, crashed). */
function shardError(message) {
  const e = new Error(message);
  e.name = 'ShardUnavailableError';
  return e;
}

/** A fresh random 64-bit node id (never 0): every shard incarnation gets its own. */
function randomNodeId() {
  const id = crypto.getRandomValues(new BigUint64Array(1))[0];
  return id === 0n ? 1n : id;
}

const noop = () => {};

/**
 * @param platform {
 *   routeCommand(argv, partitions),
 *   spawn(name) → { post(msg, transfer?), onMessage(fn), onError(fn), onExit(fn), terminate(): Promise, raw },
 *   MessageChannel,
 * }
 */
export function defineNode(platform) {
  let nextNodeSerial = 1;

  class Node {
    /**
     * Spawn the shard workers and resolve once every one is ready.
     * @param {import('./cluster').NodeOptions} [opts]
     */
    static async start(opts = {}) {
      const node = new Node(opts, Node.#token);
      try {
        await Promise.all(node.#slots.map((s) => node.#spawn(s)));
      } catch (e) {
        await node.close();
        throw e;
      }
      return node;
    }

    static #token = Symbol('Node');

    /**
     * Resolve once the given linked nodes have converged: every open link of every pair live
     * with nothing in flight, no local effect pending, and DEBUG DIGEST equal on every node for
     * two consecutive polls. Resolves with that digest; rejects after `timeoutMs` with the
     * states seen.
     */
    static async settle(nodes, { timeoutMs = 30000, intervalMs = 50, idle } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last = null;
      let seen = '';
      for (;;) {
        const infos = await Promise.all(nodes.map((n) => n.info()));
        const digests = infos.map((i) => i.digest);
        const quiet = infos.every((i) => i.shards.every((s) => s.pendingEffects === 0 &&
          s.links.every((l) => l.state === 'live' && l.stats.inflightBytes === 0)));
        const linked = nodes.every((n) => [...n.#links].every((l) => l.state !== 'open' || l.pairs.every((p) => p.live)));
        const equal = digests.every((d) => d === digests[0]);
        const ok = quiet && linked && equal && (!idle || idle());
        if (ok && last === digests[0]) return digests[0];
        last = ok ? digests[0] : null;
        seen = JSON.stringify({
          quiet,
          linked,
          equal,
          idle: !idle || idle(),
          nodes: infos.map((i) => ({
            name: i.name,
            digest: i.digest,
            shards: i.shards.map((s) => ({ pending: s.pendingEffects, links: s.links.map((l) => `${l.state}/${l.stats.inflightBytes}`) })),
          })),
          pairs: [...new Set(nodes.flatMap((n) => [...n.#links]))].map((l) => ({
            link: l.nodes.map((n) => n.name).join('-'),
            state: l.state,
            pairs: l.pairs.map((p) => (p.sides ? p.sides.map((x) => x.state).join('/') : 'none')),
          })),
        });
        if (Date.now() > deadline) throw new Error(`Node.settle: no convergence within ${timeoutMs} ms: ${seen}`);
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    }

    #slots = [];
    #links = new Set();
    #nextId = 1;
    #nextLink = 1;
    #closed = false;
    #onEvent;
    #log;
    #opts;
    #jobResults = noop;

    constructor(opts, token) {
      if (token !== Node.#token) throw new TypeError('use `await Node.start(options)`');
      const shards = Math.trunc(opts.shards ?? 1);
      if (!(shards >= 1 && shards <= 256)) throw new RangeError('shards must be in 1..256');
      const partitions = Math.trunc(opts.partitions ?? Math.max(16, shards));
      if (!(partitions >= shards && partitions <= 16384)) throw new RangeError(`partitions must be in ${shards}..16384`);
      if (opts.errors !== undefined && opts.errors !== 'throw' && opts.errors !== 'return') {
        throw new TypeError("errors must be 'throw' or 'return'");
      }
      /** Label used in logs. */
      this.name = String(opts.name ?? `node${nextNodeSerial++}`);
      /** Number of shard workers. */
      this.shards = shards;
      /** Size of the partition map. */
      this.partitions = partitions;
      /** owner[p] = index of the shard serving partition p (p % shards). */
      this.owner = ownerMap(partitions, shards);
      this.errors = opts.errors ?? 'throw';
      this.#opts = opts;
      this.#onEvent = opts.onEvent ?? noop;
      this.#log = opts.log ?? noop;
      for (let i = 0; i < shards; i++) {
        this.#slots.push({
          index: i,
          worker: null,
          state: 'starting',
          ready: null,
          nodeId: null,
          incarnation: 0,
          pending: new Map(),
          attachments: new Map(), // link id (in the current worker) → attachment
          lost: [], // attachments of a worker that exited: re-opened by restartShard
        });
      }
    }

    /** The current workers (Node `Worker` / browser `Worker`), index = shard. */
    get workers() {
      return this.#slots.map((s) => s.worker?.raw ?? null);
    }

    /** Node ids (BigInt) of the current shard incarnations, index = shard. */
    get nodeIds() {
      return this.#slots.map((s) => s.nodeId);
    }

    /** The partitions shard `i` serves. */
    ownedPartitions(i) {
      return ownedPartitions(this.partitions, this.shards, i);
    }

    // ------------------------------------------------------------------ workers

    #spawn(slot) {
      const w = platform.spawn(`${this.name}/${slot.index}`);
      slot.worker = w;
      slot.state = 'starting';
      slot.incarnation++;
      const nodeId = randomNodeId();
      const o = this.#opts;
      const startTimeoutMs = o.startTimeoutMs ?? 60000;
      const shardOptions = {};
      if (o.scriptTimeLimitMs !== undefined) shardOptions.scriptTimeLimitMs = o.scriptTimeLimitMs;
      if (o.scriptMemoryLimit !== undefined) shardOptions.scriptMemoryLimit = o.scriptMemoryLimit;
      if (o.protocol !== undefined) shardOptions.protocol = o.protocol;
      if (o.bulkAs !== undefined) shardOptions.bulkAs = o.bulkAs;
      slot.ready = new Promise((resolve, reject) => {
        // A worker that never reports ready (a module that cannot load in a browser reports
        // nothing) must not leave start() or restartShard() waiting forever.
        const timer = setTimeout(() => {
          reject(shardError(`${this.name}: shard ${slot.index} worker not ready after ${startTimeoutMs} ms`));
          if (slot.worker === w && slot.state === 'starting') {
            slot.state = 'down';
            w.terminate();
          }
        }, startTimeoutMs);
        slot.started = {
          resolve: () => { clearTimeout(timer); resolve(); },
          reject: (e) => { clearTimeout(timer); reject(e); },
        };
        w.onMessage((m) => this.#onMessage(slot, w, m));
        w.onError((e) => {
          if (slot.worker !== w) return;
          if (slot.state === 'starting') slot.started.reject(e);
          this.#log(`${this.name}: shard ${slot.index} worker error: ${e && e.stack ? e.stack : e}`);
        });
        w.onExit((code) => this.#onExit(slot, w, code));
        w.init = {
          t: 'init',
          index: slot.index,
          partitions: this.partitions,
          owned: this.ownedPartitions(slot.index),
          seed: (o.seed ?? 1) + slot.index + this.shards * (slot.incarnation - 1),
          nodeId,
          shardOptions,
          link: o.link ?? {},
          status: o.statusBuffer ?? null,
        };
      });
      slot.ready.catch(noop); // whoever waits for it sees the failure; nobody waiting is fine
      return slot.ready;
    }

    #onMessage(slot, w, m) {
      if (slot.worker !== w) return; // a message from a terminated incarnation
      if (m instanceof Uint8Array) {
        this.#jobResults(slot.index, m);
        return;
      }
      switch (m.t) {
        case 'r': {
          const p = slot.pending.get(m.id);
          if (p) {
            slot.pending.delete(m.id);
            p.resolve(m.v);
          }
          return;
        }
        case 'e': {
          const p = slot.pending.get(m.id);
          if (p) {
            slot.pending.delete(m.id);
            p.reject(new Error(`${this.name}: shard ${slot.index}: ${m.message}`));
          }
          return;
        }
        case 'event': {
          const att = slot.attachments.get(m.link);
          if (att && m.ev.type === 'closed') slot.attachments.delete(m.link);
          if (att) att.onWorkerEvent(m.ev);
          this.#onEvent({ type: `link-${m.ev.type}`, shard: slot.index, link: m.link, peer: m.ev.peer, reason: m.ev.reason });
          return;
        }
        case 'log':
          this.#log(`${this.name}: ${m.message}`);
          return;
        case 'loaded':
          w.post(w.init);
          return;
        case 'ready':
          slot.nodeId = m.nodeId;
          slot.state = 'up';
          slot.started.resolve();
          this.#onEvent({ type: 'shard-ready', shard: slot.index, nodeId: m.nodeId });
          return;
        default:
          this.#log(`${this.name}: shard ${slot.index}: unknown message ${JSON.stringify(m.t)}`);
      }
    }

    #onExit(slot, w, code) {
      if (slot.worker !== w) return;
      const expected = slot.state === 'stopping';
      slot.state = 'down';
      if (!expected) {
        this.#log(`${this.name}: shard ${slot.index} worker exited (${code})`);
        slot.started.reject(shardError(`${this.name}: shard ${slot.index} worker exited (${code}) while starting`));
      }
      this.#failPending(slot, `${this.name}: shard ${slot.index} worker exited`);
      const atts = [...slot.attachments.values()];
      slot.attachments.clear();
      slot.lost.push(...atts);
      for (const att of atts) att.onWorkerGone();
      this.#onEvent({ type: 'shard-exit', shard: slot.index, code, expected });
    }

    #failPending(slot, message) {
      for (const p of slot.pending.values()) p.reject(shardError(message));
      slot.pending.clear();
    }

    async #terminate(slot) {
      const w = slot.worker;
      if (!w) return;
      slot.state = 'stopping';
      this.#failPending(slot, `${this.name}: shard ${slot.index} worker terminated`);
      const atts = [...slot.attachments.values()];
      slot.attachments.clear();
      slot.lost.push(...atts);
      await w.terminate();
      // Browsers have no exit event: do what #onExit does.
      if (slot.worker === w) {
        slot.worker = null;
        slot.state = 'down';
      }
      for (const att of atts) att.onWorkerGone();
    }

    /** Post a request to shard `i` and wait for its answer. */
    async #request(i, msg, transfer) {
      if (this.#closed) throw shardError(`${this.name}: node closed`);
      const slot = this.#slots[i];
      if (slot.state === 'starting') await slot.ready;
      if (slot.state !== 'up') throw shardError(`${this.name}: shard ${i} is ${slot.state}`);
      const id = this.#nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        msg.id = id;
        try {
          slot.worker.post(msg, transfer);
        } catch (e) {
          slot.pending.delete(id); // an argument structured clone cannot carry
          reject(e);
        }
      });
    }

    async #call(i, argv) {
      return decodeReply(await this.#request(i, { t: 'cmd', argv }));
    }

    /**
     * Terminate shard i's worker and start a fresh one: empty state, a new random node id, same
     * partitions. Its peer links are re-opened (ports handed by a factory get a new port), so it
     * catches up from its peers. Commands in flight on the old worker reject.
     */
    restartShard(i) {
      if (this.#closed) return Promise.reject(new Error(`${this.name}: node closed`));
      const slot = this.#slots[i];
      if (!slot) return Promise.reject(new RangeError(`no shard ${i}`));
      // One restart at a time per shard: a second call while one runs shares it.
      slot.restarting ??= this.#restart(slot).finally(() => {
        slot.restarting = null;
      });
      return slot.restarting;
    }

    async #restart(slot) {
      await this.#terminate(slot);
      const atts = slot.lost;
      slot.lost = [];
      if (this.#closed) return;
      await this.#spawn(slot);
      for (const att of atts) att.onRestart?.();
    }

    // ------------------------------------------------------------------ commands

    /**
     * Run one command on the shard owning its keys' partition (keyless commands: see
     * docs/js-api.md). Resolves to the reply as `Shard.command` gives it; an error reply rejects
     * with a ReplyError (or is resolved, with `errors: 'return'`).
     */
    async command(argv) {
      let r;
      try {
        r = await this.#route(argv);
      } catch (e) {
        if (isReplyError(e)) r = e;
        else throw e;
      }
      if (isReplyError(r) && this.errors === 'throw') throw r;
      return r;
    }

    async #route(argv) {
      const plan = planCommand(argv, this.partitions, this.shards, this.owner, platform.routeCommand);
      switch (plan.kind) {
        case 'one':
          return this.#call(plan.shard, argv);
        case 'eval': {
          // The body goes to every other shard too, so EVALSHA works wherever its keys route.
          for (let j = 0; j < this.shards; j++) {
            if (j !== plan.shard) this.#call(j, ['SCRIPT', 'LOAD', plan.body]).catch(noop);
          }
          return this.#call(plan.shard, argv);
        }
        case 'all':
          return plan.combine(await Promise.all(this.#slots.map((s) => this.#call(s.index, argv))));
        case 'scan': {
          const step = scanStep(argv, this.shards);
          if (step.error) return step.error;
          return scanRewrite(await this.#call(step.shard, step.argv), step.shard, this.shards);
        }
        case 'randomkey': {
          const start = Math.floor(Math.random() * this.shards);
          let r = null;
          for (let k = 0; k < this.shards && (r === null); k++) r = await this.#call((start + k) % this.shards, argv);
          return r;
        }
        default:
          throw new Error(`unknown plan ${plan.kind}`);
      }
    }

    /**
     * Run a payload of the server's worker protocol (`Gateway` batches, docs/js-api.md) on shard
     * i. Resolves to `{ out, lens }`: the concatenated RESP replies and their lengths.
     */
    execBatch(i, payload) {
      return this.#request(i, { t: 'batch', payload });
    }

    /**
     * The coalesced job protocol (`marekvs serve`'s client path): post `jobs`, one Uint8Array of
     * `[id u32 LE][len u32 LE][payload]...` (payloads as for `execBatch`), to shard i as a single
     * message (its buffer is transferred). The worker answers with one Uint8Array of results
     * `[id u32][status u32: 0 ok, 1 error][nReplies u32][outLen u32][out][lens u32 × n]...`,
     * in the jobs' order (an error's out is its UTF-8 message, n 0), handed to the
     * `onJobResults` handler. No
     * bookkeeping here: ids are the caller's, and jobs posted to a worker that exits are never
     * answered (watch `shard-exit` events). Returns false (posting nothing) if shard i is not up.
     */
    postJobs(i, jobs) {
      const slot = this.#slots[i];
      if (slot.state !== 'up') return false;
      slot.worker.post(jobs, [jobs.buffer]);
      return true;
    }

    /** Set the handler of job results: `fn(i, results)` (see `postJobs`). */
    onJobResults(fn) {
      this.#jobResults = fn ?? noop;
    }

    /** Per-shard DEBUG DIGEST, index = shard. */
    async digests() {
      return Promise.all(this.#slots.map((s) => this.#call(s.index, ['DEBUG', 'DIGEST'])));
    }

    /** The node's DEBUG DIGEST (XOR of the shards', as `command(['DEBUG','DIGEST'])`). */
    async digest() {
      return xorHex(await this.digests());
    }

    /**
     * A snapshot of the node: `{ name, digest, shards: [{ index, nodeId, dbsize,
     * pendingEffects, digest, links: [{ id, state, peer, closeReason, stats }], vectors? }] }`
     * (`vectors: true`: each partition's version vector, `{ "<origin hex>": "<ms>.<counter>" }`).
     */
    async info({ vectors = false } = {}) {
      const shards = await Promise.all(this.#slots.map((s) => this.#request(s.index, { t: 'info', vectors })));
      return { name: this.name, digest: xorHex(shards.map((s) => s.digest)), shards };
    }

    // ------------------------------------------------------------------ links

    /**
     * Hand shard i a port to replicate over (`connect(shard, port)` runs in the worker; the
     * port is transferred). `portOrFactory` is a MessagePort, or a function returning one,
     * called again to re-open the link after `restartShard(i)` (a bare port dies with the
     * worker it was transferred to). Returns a `PortAttachment`. Options: `onEvent(ev)` (the
     * link's hello / live / closed / refused), `label` (names the link in the worker's log lines
     * instead of `link <id>`), `announceClose` (a link that ends for any reason but its port
     * closing posts `{ down: reason }` on the port before closing it).
     */
    attachPort(i, portOrFactory, { onEvent = noop, label, announceClose = false } = {}) {
      const factory = typeof portOrFactory === 'function' ? portOrFactory : null;
      const att = new PortAttachment(this, i, onEvent, { label, announceClose });
      let first = true;
      const open = () => {
        if (att.detached) return;
        const port = first && !factory ? portOrFactory : factory?.();
        first = false;
        if (!port) {
          att.onWorkerGone();
          return;
        }
        this.#attach(i, port, att);
      };
      att.onRestart = factory ? open : null;
      open();
      return att;
    }

    #attach(i, port, att) {
      const slot = this.#slots[i];
      if (slot.state !== 'up') throw shardError(`${this.name}: shard ${i} is ${slot.state}`);
      const id = this.#nextLink++;
      att.linkId = id;
      att.state = 'connecting';
      att.peer = null;
      slot.attachments.set(id, att);
      const msg = { t: 'attach', link: id, port };
      if (att.label !== null) msg.label = String(att.label);
      if (att.announceClose) msg.announceClose = true;
      slot.worker.post(msg, [port]);
    }

    /** Close an attachment's link in its worker (BYE to the peer) and close the port. */
    detachPort(att, reason = 'detached') {
      const slot = this.#slots[att.shard];
      if (att.linkId !== null && slot.attachments.get(att.linkId) === att) {
        slot.attachments.delete(att.linkId);
        slot.worker?.post({ t: 'detach', link: att.linkId, reason });
      }
      const k = slot.lost.indexOf(att);
      if (k >= 0) slot.lost.splice(k, 1);
      att.linkId = null;
    }

    /**
     * The peer of an attachment died: let the link apply what is still queued on its port (the
     * peer's last batches: acknowledged writes that may exist nowhere else), then close once
     * nothing has arrived for `quietMs` and nothing is held back for a missing frame (at most
     * `maxMs`).
     */
    retirePort(att, { quietMs = 1000, maxMs = 10000 } = {}) {
      const slot = this.#slots[att.shard];
      att.onRestart = null;
      if (att.linkId !== null && slot.attachments.get(att.linkId) === att) {
        slot.worker?.post({ t: 'retire', link: att.linkId, quietMs, maxMs });
      }
    }

    /** 'starting' | 'up' | 'stopping' | 'down' */
    shardState(i) {
      return this.#slots[i].state;
    }

    /**
     * Pair every shard i of this node with shard i of `other` (another Node in this thread or
     * page) over MessageChannels. Both nodes must have the same `shards` and `partitions`.
     * `options.channel(i)` may supply the pair's ports (`{ ports: [mine, theirs], close?() }`,
     * e.g. a relay that injects faults). Returns a `NodeLink` (`cut()`, `heal()`, `close()`).
     */
    link(other, options = {}) {
      if (!(other instanceof Node)) throw new TypeError('link: expected a Node');
      if (other === this) throw new Error('link: a node cannot link to itself');
      if (other.shards !== this.shards || other.partitions !== this.partitions) {
        throw new Error(`link: ${this.name} (${this.shards} shards, ${this.partitions} partitions) and ` +
          `${other.name} (${other.shards} shards, ${other.partitions} partitions) must have the same shards and partitions`);
      }
      if (this.#closed || other.#closed) throw new Error('link: node closed');
      for (const l of this.#links) {
        if (l.nodes.includes(other) && l.state !== 'closed') throw new Error(`link: ${this.name} and ${other.name} are already linked`);
      }
      const link = new NodeLink(this, other, options.channel ?? defaultChannel, options.connectTimeoutMs ?? 3000);
      this.#links.add(link);
      other.#links.add(link);
      link.heal();
      return link;
    }

    /** Links of this node (NodeLink), open or cut. */
    get links() {
      return [...this.#links].filter((l) => l.state !== 'closed');
    }

    static _forget(node, link) {
      node.#links.delete(link);
    }

    /** Close every link and terminate the workers. */
    async close() {
      if (this.#closed) return;
      for (const l of [...this.#links]) l.close();
      this.#closed = true;
      await Promise.all(this.#slots.map(async (slot) => {
        // A restart under way finishes first (its new worker is then terminated here).
        await slot.restarting?.catch(noop);
        if (!slot.worker) return;
        try {
          slot.worker.post({ t: 'stop' });
        } catch {
          // already gone
        }
        await this.#terminate(slot);
      }));
    }
  }

  function defaultChannel() {
    const ch = new platform.MessageChannel();
    return { ports: [ch.port1, ch.port2] };
  }

  /** One replication link of one shard of a Node over a port (see `Node.attachPort`). */
  class PortAttachment {
    constructor(node, shard, onEvent, { label, announceClose } = {}) {
      this.node = node;
      this.shard = shard;
      /** The link's name in the worker's log lines (null: `link <id>`). */
      this.label = label ?? null;
      /** The link posts `{ down: reason }` on its port before closing it. */
      this.announceClose = !!announceClose;
      /** 'connecting' | 'live' | 'closed' (as the worker's link reports) */
      this.state = 'connecting';
      /** Peer shard's node id once its hello arrived. */
      this.peer = null;
      this.closeReason = null;
      this.linkId = null;
      this.onRestart = null;
      this.detached = false;
      this.#onEvent = onEvent;
    }

    #onEvent;

    onWorkerEvent(ev) {
      if (ev.type === 'hello') this.peer = ev.peer;
      if (ev.type === 'live') this.state = 'live';
      if (ev.type === 'closed') {
        this.state = 'closed';
        this.closeReason = ev.reason;
      }
      this.#onEvent(ev);
    }

    onWorkerGone() {
      if (this.state !== 'closed') this.onWorkerEvent({ type: 'closed', reason: 'shard worker gone', peer: null });
      this.linkId = null;
    }

    /** Close the link for good (BYE to the peer). */
    detach(reason) {
      this.detached = true;
      this.node.detachPort(this, reason);
      this.onRestart = null;
      if (this.state !== 'closed') this.onWorkerEvent({ type: 'closed', reason: reason ?? 'detached', peer: null });
    }
  }

  /** The links between the matching shards of two Nodes (see `Node.link`). */
  class NodeLink {
    constructor(a, b, channel, connectTimeoutMs) {
      this.nodes = [a, b];
      /** 'open' | 'cut' | 'closed' */
      this.state = 'cut';
      this.#channel = channel;
      this.#connectTimeoutMs = connectTimeoutMs;
      this.#pairs = Array.from({ length: a.shards }, (_, i) => ({ shard: i, sides: null, ch: null, retry: null, backoff: 100 }));
    }

    #channel;
    #pairs;
    #connectTimeoutMs;

    /** Per shard: `{ shard, live, sides: [{ state, peer }, { state, peer }] }`. */
    get pairs() {
      return this.#pairs.map((p) => ({
        shard: p.shard,
        live: !!p.sides && p.sides.every((s) => s.state === 'live'),
        sides: p.sides ? p.sides.map((s) => ({ state: s.state, peer: s.peer })) : null,
      }));
    }

    #open(pair) {
      clearTimeout(pair.retry);
      pair.retry = null;
      const ch = this.#channel(pair.shard);
      pair.ch = ch;
      const gen = {};
      pair.gen = gen;
      const sides = [];
      pair.sides = sides; // filled as we go: a failure half-way is undone by #shut
      this.nodes.forEach((node, k) => {
        const att = node.attachPort(pair.shard, ch.ports[k], {
          onEvent: (ev) => {
            if (pair.gen !== gen) return;
            if (ev.type === 'live') {
              pair.backoff = 100;
              pair.helloWait = this.#connectTimeoutMs;
            }
            // A link that closes on its own (hostile frame, port closed) while both shards are
            // up: open the pair again after a back-off. (A restart re-opens it itself.)
            if (ev.type === 'closed' && this.state === 'open' && !pair.retry && this.#bothUp(pair)) {
              this.#retry(pair);
            }
          },
        });
        // After a restart of this side's shard, a new channel to the surviving side.
        att.onRestart = () => {
          if (pair.gen === gen && this.state === 'open') this.#renew(pair, k);
        };
        sides.push(att);
      });
      // A hello lost on the way (a lossy transport) would leave the pair connecting forever.
      // The wait doubles after each miss (up to 30 s), so a slow machine is not kept busy
      // re-opening links that were about to come up.
      const wait = pair.helloWait ?? this.#connectTimeoutMs;
      pair.helloTimer = setTimeout(() => {
        if (pair.gen === gen && this.state === 'open' && !sides.every((a) => a.state === 'live')) {
          pair.helloWait = Math.min(wait * 2, 30000);
          this.#reopen(pair);
        }
      }, wait);
      pair.helloTimer.unref?.();
    }

    #bothUp(pair) {
      return this.nodes.every((n) => n.shardState(pair.shard) === 'up');
    }

    #retry(pair) {
      clearTimeout(pair.retry);
      pair.retry = setTimeout(() => {
        pair.retry = null;
        if (this.state === 'open') this.#reopen(pair);
      }, pair.backoff);
      pair.backoff = Math.min(pair.backoff * 2, 5000);
    }

    #shut(pair, reason) {
      clearTimeout(pair.helloTimer);
      clearTimeout(pair.retry);
      pair.retry = null;
      pair.gen = null;
      if (pair.sides) for (const s of pair.sides) s.detach(reason);
      pair.sides = null;
      pair.ch?.close?.();
      pair.ch = null;
    }

    #reopen(pair) {
      this.#shut(pair, 'reopening');
      this.#tryOpen(pair);
    }

    #tryOpen(pair) {
      try {
        this.#open(pair);
      } catch (e) {
        // A side is not up (restarting, or its worker died): try again later.
        if (e.name !== 'ShardUnavailableError') throw e;
        this.#shut(pair, 'shard unavailable');
        this.#retry(pair);
      }
    }

    /** Side `dead` was restarted: retire the survivor's link gracefully, then a new channel. */
    #renew(pair, dead) {
      clearTimeout(pair.helloTimer);
      clearTimeout(pair.retry);
      pair.retry = null;
      pair.gen = null;
      const survivor = pair.sides?.[1 - dead];
      if (survivor) survivor.node.retirePort(survivor);
      if (pair.ch?.retire) pair.ch.retire(dead);
      pair.sides = null;
      pair.ch = null;
      this.#tryOpen(pair);
    }

    /** Stop replicating (each side closes its links with a BYE; nothing more is exchanged). */
    cut() {
      if (this.state !== 'open') return;
      this.state = 'cut';
      for (const p of this.#pairs) this.#shut(p, 'cut');
    }

    /** Re-open the links after `cut()`: new channels, hello, catch-up. */
    heal() {
      if (this.state !== 'cut') return;
      this.state = 'open';
      for (const p of this.#pairs) this.#tryOpen(p);
    }

    /** Cut for good. */
    close() {
      this.cut();
      this.state = 'closed';
      for (const n of this.nodes) Node._forget(n, this);
    }
  }

  return Node;
}


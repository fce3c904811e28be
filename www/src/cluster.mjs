// The replicas: one module Web Worker each (www/replica-worker.mjs), linked pairwise. A link
// is a MessageChannel whose two ports are transferred to the two workers, which run the
// replication core's `connect()` on them; the page never relays traffic. Cutting a link
// closes both ends (both links stop, the ports close); healing creates a new channel, and the
// hello exchange makes each side send what the other lacks.

export const NAMES = ['A', 'B', 'C'];

export class Cluster extends EventTarget {
  constructor({ replicas = 3, scriptTimeLimitMs = 500 } = {}) {
    super();
    this.size = replicas;
    this.scriptTimeLimitMs = scriptTimeLimitMs;
    this.workers = [];
    this.info = []; // per replica: { name, nodeId, partitions }
    this.pending = new Map();
    this.ready = [];
    this.nextId = 1;
    this.linkSeq = 0;
    // Pairs [a, b] with a < b, keyed 'a-b': { a, b, cut, id, state: [sideA, sideB] }.
    this.links = new Map();
  }

  async start() {
    const url = new URL('/www/replica-worker.mjs', location.href);
    const ready = [];
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(url, { type: 'module', name: `replica ${NAMES[i]}` });
      ready.push(new Promise((resolve, reject) => {
        this.ready[i] = resolve;
        w.onerror = (e) => {
          // An exception nothing caught inside the worker: a bug, said as loudly as one here.
          const text = `replica ${NAMES[i]}: ${e.message ?? 'the worker failed to load'}`;
          console.error(text);
          this.#emit('log', { replica: i, text });
          reject(new Error(`replica ${NAMES[i]} failed to start`));
        };
      }));
      w.onmessage = (e) => this.#onMessage(i, e.data);
      this.workers.push(w);
    }
    // Each worker says 'ready' once its wasm module is instantiated.
    await Promise.all(ready);
    this.info = await Promise.all(this.workers.map((_, i) =>
      this.request(i, { op: 'init', name: NAMES[i], index: i, scriptTimeLimitMs: this.scriptTimeLimitMs })));
    for (let a = 0; a < this.size; a++) {
      for (let b = a + 1; b < this.size; b++) {
        this.links.set(`${a}-${b}`, { a, b, cut: false, id: null, state: ['connecting', 'connecting'], stats: [null, null] });
        await this.#open(a, b);
      }
    }
  }

  /** Replica index of an origin node id (hex), or -1. */
  replicaOf(originHex) {
    const want = BigInt('0x' + originHex);
    return this.info.findIndex((r) => BigInt('0x' + r.nodeId) === want);
  }

  request(i, msg, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[i].postMessage({ ...msg, rid: id }, transfer);
    });
  }

  run(i, argv, { script = false } = {}) {
    return this.request(i, { op: 'run', argv, script });
  }

  async #open(a, b) {
    const link = this.links.get(`${a}-${b}`);
    const id = `${NAMES[a]}${NAMES[b]}#${++this.linkSeq}`;
    const { port1, port2 } = new MessageChannel();
    link.id = id;
    link.cut = false;
    await Promise.all([
      this.request(a, { op: 'link', linkId: id, port: port1, peer: NAMES[b] }, [port1]),
      this.request(b, { op: 'link', linkId: id, port: port2, peer: NAMES[a] }, [port2]),
    ]);
    this.#emit('links');
  }

  async cut(a, b) {
    const link = this.links.get(`${a}-${b}`);
    if (link.cut) return;
    link.cut = true;
    const id = link.id;
    link.state = ['cut', 'cut'];
    await Promise.all([
      this.request(a, { op: 'unlink', linkId: id, reason: 'cut in the playground' }),
      this.request(b, { op: 'unlink', linkId: id, reason: 'cut in the playground' }),
    ]);
    this.#emit('links');
  }

  async heal(a, b) {
    const link = this.links.get(`${a}-${b}`);
    if (!link.cut) return;
    link.state = ['connecting', 'connecting'];
    await this.#open(a, b);
  }

  #onMessage(i, msg) {
    if (msg.type === 'ready') return this.ready[i]();
    if (msg.rid !== undefined) {
      const p = this.pending.get(msg.rid);
      this.pending.delete(msg.rid);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(msg.error));
      return;
    }
    if (msg.type === 'link' || msg.type === 'state') {
      for (const l of msg.type === 'link' ? [msg.link] : msg.links) this.#linkUpdate(i, l);
    }
    this.#emit(msg.type, { replica: i, ...msg });
  }

  #linkUpdate(i, l) {
    for (const link of this.links.values()) {
      if (link.id !== l.id) continue;
      const side = link.a === i ? 0 : 1;
      link.state[side] = l.state;
      link.stats[side] = l.stats;
      this.#emit('links');
    }
  }

  #emit(type, detail = {}) {
    this.dispatchEvent(Object.assign(new Event(type), { detail }));
  }
}

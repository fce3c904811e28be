// Peer links of `marekvs serve` (docs/js-api.md, "Replication between servers").
//
// A peer link is an ordinary client connection that starts with the command
//   MAREKVS.PEER <protocol> <name> <shards> <partitions> <incarnation>
// (as Redis replicas open with REPLCONF/PSYNC on the client port). The accepting server answers
// `+OK <name> <incarnation>` or an error and closes. After +OK both sides carry binary frames
// multiplexed by shard worker: [length u32 LE][shard u16 LE][frame]. Worker i of one server
// replicates with worker i of the other (same --shards/--partitions: the same partitions):
// per connection and worker, a MessageChannel whose port2 goes to the worker (`connect(shard,
// port)` there) and whose port1 the main thread pumps to and from the socket.
//
// One connection per pair of servers: when two exist (both dialed, or a stale one), both sides
// keep the same one (see `prefer`). Dialers (`--peer host:port`) re-dial after any disconnect
// with exponential back-off and jitter.
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export const PEER_COMMAND = 'MAREKVS.PEER';
export const PEER_PROTOCOL = 1;
export const NAME_RE = /^[A-Za-z0-9._:@-]{1,64}$/;

const MAX_FRAME = 256 * 1024 * 1024; // a partition snapshot can be large
const MAX_HANDSHAKE = 4096;
const HANDSHAKE_TIMEOUT_MS = 10000;
// Live links send version vectors at least every second (the link heartbeat): a connection
// silent for this long is dead (a peer machine gone without a FIN).
const IDLE_TIMEOUT_MS = Number(process.env.MAREKVS_PEER_IDLE_MS || 15000);
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 5000;
const STABLE_MS = 5000; // a connection that lived this long resets the dialer's back-off

/** A fresh random id for this process (a restarted server is a new incarnation). */
export function randomIncarnation() {
  return randomBytes(8).toString('hex');
}

/** The RESP command a dialer opens with. */
export function handshakeCommand({ name, shards, partitions, incarnation }) {
  const args = [PEER_COMMAND, String(PEER_PROTOCOL), name, String(shards), String(partitions), incarnation];
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

const CLIENT = { kind: 'client' };
const MORE = { kind: 'more' };

/**
 * Look at the first bytes of a connection: is it a MAREKVS.PEER command? Returns
 * {kind:'client'} (hand everything to the Gateway), {kind:'more'} (wait for more bytes),
 * {kind:'peer', args, rest} or {kind:'bad', error} (a malformed MAREKVS.PEER: reply and close).
 * Only RESP multibulk is recognized; anything unusual before the command name is the
 * Gateway's business (it produces Redis's errors).
 */
export function sniffHandshake(buf) {
  if (buf[0] !== 0x2a) return CLIENT; // '*'
  let off = 0;
  // A header line: its text, null (incomplete), undefined (too long: not ours).
  const line = () => {
    const i = buf.indexOf('\r\n', off, 'latin1');
    if (i < 0) return buf.length - off > 32 ? undefined : null;
    if (i - off > 32) return undefined;
    const s = buf.toString('latin1', off, i);
    off = i + 2;
    return s;
  };
  const count = line();
  if (count === null) return MORE;
  if (count === undefined) return CLIENT;
  const n = Number(count.slice(1));
  if (!Number.isInteger(n) || n < 1 || n > 64 || count.slice(1) !== String(n)) return CLIENT;
  const bulk = (first) => {
    const h = line();
    if (h === null) return MORE;
    if (h === undefined || h[0] !== '$') return undefined;
    const len = Number(h.slice(1));
    if (!Number.isInteger(len) || len < 0 || h.slice(1) !== String(len)) return undefined;
    if (first && len !== PEER_COMMAND.length) return undefined; // decided without buffering
    if (buf.length < off + len + 2) return MORE;
    if (buf[off + len] !== 13 || buf[off + len + 1] !== 10) return undefined;
    const s = buf.toString('utf8', off, off + len);
    off += len + 2;
    return s;
  };
  const name = bulk(true);
  if (name === MORE) return MORE;
  if (name === undefined || name.toUpperCase() !== PEER_COMMAND) return CLIENT;
  const args = [];
  for (let i = 1; i < n; i++) {
    const a = bulk();
    if (a === MORE) {
      if (buf.length > MAX_HANDSHAKE) return { kind: 'bad', error: `${PEER_COMMAND} handshake longer than ${MAX_HANDSHAKE} bytes` };
      return MORE;
    }
    if (a === undefined) return { kind: 'bad', error: `Protocol error: malformed ${PEER_COMMAND} command` };
    args.push(a);
  }
  return { kind: 'peer', args, rest: buf.subarray(off) };
}

/**
 * The peer manager of one server. `attach(i, port, peer)` hands port2 of a channel to shard
 * worker i.
 */
export function createPeers({ name, shards, partitions, attach, log }) {
  const incarnation = randomIncarnation();
  const me = { name, shards, partitions, incarnation };
  const links = new Map(); // peer name → Conn (the one kept for that peer)
  const all = new Set(); // every established Conn
  const dialers = [];
  let stopped = false;

  const idleTimer = setInterval(() => {
    const now = Date.now();
    for (const c of all) if (now - c.lastRecv > IDLE_TIMEOUT_MS) c.close(`no data for ${IDLE_TIMEOUT_MS} ms`);
  }, Math.min(5000, IDLE_TIMEOUT_MS));
  idleTimer.unref();

  /** The error for a handshake from a peer, or null if it is acceptable. */
  function check(args) {
    if (args.length !== 5) return `wrong number of arguments for '${PEER_COMMAND.toLowerCase()}' command`;
    const [proto, peer, s, p, inc] = args;
    if (proto !== String(PEER_PROTOCOL)) return `${PEER_COMMAND} protocol ${proto} not supported (this server speaks ${PEER_PROTOCOL})`;
    if (!NAME_RE.test(peer)) return `invalid peer name (1-64 of A-Z a-z 0-9 . _ : @ -)`;
    if (!/^[0-9a-f]{1,32}$/.test(inc)) return 'invalid peer incarnation';
    if (peer === name) return `peer has this server's name '${name}' (give every server its own --node-id)`;
    if (s !== String(shards) || p !== String(partitions)) {
      return `peer has ${s} shards / ${p} partitions, this server ${shards} / ${partitions}`;
    }
    return null;
  }

  /** Which of two connections to the same peer both sides keep. */
  function prefer(a, b) {
    // A new incarnation of the peer: the older connection is to a dead process.
    if (a.peerIncarnation !== b.peerIncarnation) return a.since > b.since ? a : b;
    // Dialed by the same side: that side only dials again after its previous one closed.
    if (a.dialedBy === b.dialedBy) return a.since > b.since ? a : b;
    // Both sides dialed: keep the one dialed by the smaller name.
    const winner = name < a.peer ? name : a.peer;
    return a.dialedBy === winner ? a : b;
  }

  class Conn {
    constructor(socket, peer, peerIncarnation, dialedBy) {
      this.socket = socket;
      this.peer = peer;
      this.peerIncarnation = peerIncarnation;
      this.dialedBy = dialedBy;
      this.since = performance.now();
      this.lastRecv = Date.now();
      this.closed = false;
      this.onClose = [];
      this.ports = [];
      this.pending = [];
      this.pendingBytes = 0;
    }

    start(rest) {
      const { socket } = this;
      socket.setNoDelay(true);
      socket.setKeepAlive(true, 10000);
      for (let i = 0; i < shards; i++) {
        const ch = new MessageChannel();
        ch.port1.on('message', (m) => this.fromWorker(i, m));
        ch.port1.on('close', () => this.close(`shard ${i}'s port closed`));
        this.ports.push(ch.port1);
        attach(i, ch.port2, this.peer);
      }
      socket.on('data', (chunk) => this.fromSocket(chunk));
      socket.on('close', () => this.close('connection closed'));
      socket.on('error', (e) => this.close(`socket error: ${e && e.message ? e.message : e}`));
      if (rest && rest.length > 0) this.fromSocket(rest);
    }

    fromWorker(i, m) {
      if (this.closed) return;
      if (!(m instanceof Uint8Array)) {
        // The worker's link ended (a bad frame from the peer, ...): drop the whole connection
        // so the dialer starts over with fresh hellos on every shard.
        if (m && m.down) this.close(`shard ${i}: ${m.down}`);
        return;
      }
      const head = Buffer.allocUnsafe(6);
      head.writeUInt32LE(m.byteLength, 0);
      head.writeUInt16LE(i, 4);
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(m);
      this.socket.uncork();
    }

    fromSocket(chunk) {
      if (this.closed) return;
      this.lastRecv = Date.now();
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      while (this.pendingBytes >= 6) {
        if (this.pending[0].length < 6) this.pending = [Buffer.concat(this.pending)];
        const head = this.pending[0];
        const len = head.readUInt32LE(0);
        const shard = head.readUInt16LE(4);
        if (len > MAX_FRAME) return this.close(`bad frame from the peer: ${len} bytes (limit ${MAX_FRAME})`);
        if (shard >= shards) return this.close(`bad frame from the peer: shard ${shard} (this server has ${shards})`);
        if (this.pendingBytes < 6 + len) break;
        const frame = this.take(6 + len).subarray(6);
        this.ports[shard].postMessage(frame, [frame.buffer]);
      }
    }

    /** The next n bytes as a fresh buffer (so the frame can be transferred). */
    take(n) {
      const out = new Uint8Array(n);
      let off = 0;
      while (off < n) {
        const c = this.pending[0];
        const k = Math.min(c.length, n - off);
        out.set(c.subarray(0, k), off);
        off += k;
        if (k === c.length) this.pending.shift();
        else this.pending[0] = c.subarray(k);
      }
      this.pendingBytes -= n;
      return out;
    }

    close(reason) {
      if (this.closed) return;
      this.closed = true;
      this.pending = [];
      all.delete(this);
      if (links.get(this.peer) === this) links.delete(this.peer);
      if (!stopped) log(`peer ${this.peer}: link closed: ${reason}`);
      // Closing port1 ends the workers' links ('port closed').
      for (const p of this.ports) p.close();
      if (stopped) {
        this.socket.destroy();
      } else {
        this.socket.end(); // after the BYE frames already written
        setTimeout(() => this.socket.destroy(), 1000).unref();
      }
      for (const fn of this.onClose) fn(this);
    }
  }

  /** A handshake was accepted (either side): keep this connection or a better existing one. */
  function establish(socket, peer, peerIncarnation, dialedBy, rest) {
    if (stopped) {
      socket.destroy();
      return null;
    }
    const conn = new Conn(socket, peer, peerIncarnation, dialedBy);
    const old = links.get(peer);
    if (old) {
      if (prefer(old, conn) === old) {
        // Not logged as an error: the normal outcome when both sides list each other.
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
        return old;
      }
      old.close('replaced by a newer connection');
    }
    links.set(peer, conn);
    all.add(conn);
    log(`peer ${peer}: linked (${dialedBy === name ? 'dialed' : 'accepted'} ${socket.remoteAddress}:${socket.remotePort})`);
    conn.start(rest);
    return conn;
  }

  /**
   * A client connection opened with MAREKVS.PEER: answer, and take the socket over on
   * success. Returns false if the handshake was refused (the reply is written and the
   * socket ended).
   */
  function accept(socket, args, rest) {
    const err = stopped ? 'server is shutting down' : check(args);
    if (err) {
      log(`refused a peer handshake from ${socket.remoteAddress}:${socket.remotePort}: ${err}`);
      socket.end(`-ERR ${err}\r\n`);
      return false;
    }
    socket.write(`+OK ${name} ${incarnation}\r\n`);
    establish(socket, args[1], args[4], args[1], rest);
    return true;
  }

  class Dialer {
    constructor(target) {
      const m = /^(.*):(\d+)$/.exec(target);
      if (!m) throw new RangeError(`--peer ${target}: expected host:port`);
      this.target = target;
      this.host = m[1].replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
      this.port = Number(m[2]);
      this.backoff = BACKOFF_MIN_MS;
      this.timer = null;
      this.socket = null;
      this.lastError = null;
    }

    schedule() {
      if (stopped || this.timer) return;
      // Jitter in [backoff/2, backoff): two servers restarted together do not dial in step.
      const delay = this.backoff / 2 + Math.random() * (this.backoff / 2);
      this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
      this.timer = setTimeout(() => {
        this.timer = null;
        this.dial();
      }, delay);
    }

    failed(reason) {
      if (stopped) return;
      if (reason !== this.lastError) log(`peer ${this.target}: ${reason} (retrying)`);
      this.lastError = reason;
      this.schedule();
    }

    dial() {
      if (stopped) return;
      const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
      this.socket = socket;
      let buf = Buffer.alloc(0);
      let done = false;
      const finish = (reason) => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        socket.destroy();
        if (this.socket === socket) this.socket = null;
        this.failed(reason);
      };
      const timeout = setTimeout(() => finish('handshake timed out'), HANDSHAKE_TIMEOUT_MS);
      socket.on('connect', () => socket.write(handshakeCommand(me)));
      socket.on('error', (e) => finish(`cannot connect: ${e && e.code ? e.code : e.message}`));
      socket.on('close', () => finish('connection closed during the handshake'));
      const onData = (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        const i = buf.indexOf('\r\n');
        if (i < 0) {
          if (buf.length > 1024) finish('bad handshake reply');
          return;
        }
        const line = buf.toString('utf8', 0, i);
        const ok = /^\+OK (\S+) ([0-9a-f]{1,32})$/.exec(line);
        if (!ok || !NAME_RE.test(ok[1])) {
          return finish(line.startsWith('-') ? `refused: ${line.slice(1)}` : `bad handshake reply '${line.slice(0, 80)}'`);
        }
        if (ok[1] === name) return finish(`peer has this server's name '${name}'`);
        done = true;
        clearTimeout(timeout);
        socket.off('data', onData);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        this.socket = null;
        this.lastError = null;
        const conn = establish(socket, ok[1], ok[2], name, buf.subarray(i + 2));
        if (!conn) return;
        // Dial again when the connection kept for this peer (maybe one the peer dialed) ends.
        const since = performance.now();
        conn.onClose.push(() => {
          if (performance.now() - since >= STABLE_MS) this.backoff = BACKOFF_MIN_MS;
          this.schedule();
        });
      };
      socket.on('data', onData);
    }

    stop() {
      clearTimeout(this.timer);
      this.timer = null;
      if (this.socket) this.socket.destroy();
    }
  }

  return {
    /** Start dialing these `host:port`s (and keep them linked). */
    dial(targets) {
      for (const t of targets) {
        const d = new Dialer(t);
        dialers.push(d);
        d.dial();
      }
    },
    name,
    incarnation,
    accept,
    /** Names of the peers with a link now. */
    peers: () => [...links.keys()],
    close() {
      stopped = true;
      clearInterval(idleTimer);
      for (const d of dialers) d.stop();
      for (const c of [...all]) c.close('server shutting down');
    },
  };
}

#!/usr/bin/env node
// marekvs CLI: `marekvs serve [--host 127.0.0.1] [--port 6379] [--shards N] [--partitions P]
// [--node-id NAME] [--peer host:port ...]`.
import { startServer } from '../js/server/server.mjs';

const USAGE = `usage: marekvs serve [--host 127.0.0.1] [--port 6379] [--shards N] [--partitions P]
                     [--node-id NAME] [--peer host:port ...]

  --host        address to listen on (default 127.0.0.1)
  --port        TCP port (default 6379; 0 picks a free one)
  --shards      shard workers (worker_threads), 1..250 (default 1)
  --partitions  slot partitions, shards..16384 (default max(16, shards)); partition p is
                served by worker p mod N
  --node-id     this server's name for its peers and in logs (default random); 1-64 of
                A-Z a-z 0-9 . _ : @ -
  --peer        replicate with the marekvs serve at host:port (its client address);
                repeatable. Dialed with back-off and re-dialed after any disconnect; peers
                need the same --shards and --partitions and may also list this server
`;

function fail(msg) {
  process.stderr.write(`marekvs: ${msg}\n\n${USAGE}`);
  process.exit(2);
}

const args = process.argv.slice(2);
if (args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (args[0] !== 'serve') fail(args[0] ? `unknown command '${args[0]}'` : 'missing command');

const opts = {};
for (let i = 1; i < args.length; i++) {
  const a = args[i];
  const m = /^--(host|port|shards|partitions|node-id|peer)(?:=(.*))?$/.exec(a);
  if (!m) {
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    fail(`unknown option '${a}'`);
  }
  const v = m[2] ?? args[++i];
  if (v === undefined) fail(`option --${m[1]} needs a value`);
  if (m[1] === 'host') {
    opts.host = v;
  } else if (m[1] === 'node-id') {
    opts.nodeId = v;
  } else if (m[1] === 'peer') {
    if (!/^.+:\d+$/.test(v)) fail(`--peer ${v}: expected host:port`);
    (opts.peers ??= []).push(v);
  } else {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) fail(`--${m[1]} must be a non-negative integer`);
    opts[m[1]] = n;
  }
}

let server;
try {
  server = await startServer({
    ...opts,
    log: (s) => process.stderr.write(`${s}\n`),
    onFatal: () => process.exit(1),
  });
} catch (e) {
  process.stderr.write(`marekvs: ${e && e.message ? e.message : e}\n`);
  process.exit(1);
}

let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`marekvs serve: ${sig}, shutting down\n`);
    server.close().then(() => process.exit(0), () => process.exit(1));
  });
}

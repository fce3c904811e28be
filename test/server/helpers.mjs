// Shared helpers for the server tests: start `marekvs serve` as a child process (the CLI as
// users run it), raw sockets, redis-cli.
import { spawn, execFile } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '../differential/lib/servers.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/marekvs.mjs', import.meta.url));

/** Start `marekvs serve --port <free> ...args`; resolves {port, child, stop(), log()}. */
export async function startServe(args = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const deadline = Date.now() + 15000;
  for (;;) {
    if (/listening on/.test(log)) break;
    if (child.exitCode !== null) throw new Error(`marekvs serve exited: ${log}`);
    if (Date.now() > deadline) throw new Error(`marekvs serve did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    child,
    exited,
    log: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
  };
}

/** Send raw chunks (with a pause between them), collect everything until close or quiet. */
export function raw(port, chunks, { quietMs = 300, gapMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const parts = [];
    let timer;
    const done = (closed) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(parts), closed });
    };
    const arm = () => { clearTimeout(timer); timer = setTimeout(() => done(false), quietMs); };
    sock.on('data', (d) => { parts.push(d); arm(); });
    sock.on('end', () => done(true));
    sock.on('close', () => done(true));
    sock.on('error', reject);
    sock.on('connect', async () => {
      for (const c of chunks) {
        if (sock.destroyed) break;
        sock.write(c);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
      arm();
    });
  });
}

/** Run redis-cli with args (and optional stdin); resolves stdout. */
export function redisCli(port, args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile('redis-cli', ['-p', String(port), ...args], { maxBuffer: 1 << 26 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${err.message} ${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

export function haveCmd(name) {
  return new Promise((resolve) => {
    execFile('sh', ['-c', `command -v ${name}`], (err) => resolve(!err));
  });
}

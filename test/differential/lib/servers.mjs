// Start and stop the two servers a differential run compares.
//
// Reference: a real `redis-server` (Debian's) on a free loopback port, with no persistence,
// its working directory in a fresh temp dir (nothing lands in the repo).
//
// Target, first match wins:
//   MAREKVS_URL=redis://127.0.0.1:6390 (or host:port)  — an already running server
//   MAREKVS_CMD='marekvs serve --port {port}'          — started here ({port} substituted)
//   (neither)                                          — self-test: a second redis-server

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RespConnection } from './resp.mjs';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function redisServerPath() {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

async function waitForPing(addr, child, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    try {
      const c = await RespConnection.connect(addr, 1000);
      const r = await c.call(['PING'], 2000);
      c.close();
      if (r.t === 'status' && r.v === 'PONG') return;
      lastErr = new Error(`PING answered ${JSON.stringify(r)}`);
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not answer PING at ${addr.host}:${addr.port}: ${lastErr && lastErr.message}`);
}

function spawnServer(cmd, args, what, cwd) {
  const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => { log = (log + d.toString()).slice(-8000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.log = () => log;
  child.on('error', (e) => { log += `\nspawn error: ${e.message}`; });
  return child;
}

async function stopChild(child, dir) {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Start a redis-server on a free port. Resolves {name, host, port, stop()}. */
export async function startRedis(name = 'redis') {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server not found (apt-get install -y redis-server)');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'marekvs-diff-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--daemonize', 'no', '--dir', dir, '--logfile', '', '--loglevel', 'warning', '--enable-debug-command', 'yes'];
  const child = spawnServer(bin, args, name, dir);
  const addr = { host: '127.0.0.1', port };
  try {
    await waitForPing(addr, child, name);
  } catch (e) {
    await stopChild(child, dir);
    throw new Error(`${e.message}\n${child.log()}`);
  }
  return { name, ...addr, kind: 'redis', stop: () => stopChild(child, dir) };
}

function parseUrl(u) {
  const m = /^(?:redis:\/\/)?\[?([^\]/]*?)\]?:(\d+)\/?$/.exec(u.trim());
  if (!m) throw new Error(`MAREKVS_URL must look like redis://host:port, got ${u}`);
  return { host: m[1] || '127.0.0.1', port: Number(m[2]) };
}

/**
 * The server under test. `start` may be a function (port) => Promise<{stop()}> that starts it
 * (e.g. marekvs in-process); otherwise the environment decides (see header comment).
 */
export async function startTarget({ start } = {}) {
  if (process.env.MAREKVS_URL) {
    const addr = parseUrl(process.env.MAREKVS_URL);
    await waitForPing(addr, null, 'MAREKVS_URL server');
    return { name: 'marekvs', kind: 'external', ...addr, stop: async () => {} };
  }
  if (start) {
    const port = await freePort();
    const handle = await start(port);
    const addr = { host: '127.0.0.1', port };
    await waitForPing(addr, null, 'marekvs (start function)');
    return { name: 'marekvs', kind: 'function', ...addr, stop: async () => { await handle.stop(); } };
  }
  if (process.env.MAREKVS_CMD) {
    const port = await freePort();
    const line = process.env.MAREKVS_CMD.replaceAll('{port}', String(port));
    const child = spawnServer('sh', ['-c', `exec ${line}`], 'marekvs', process.cwd());
    const addr = { host: '127.0.0.1', port };
    try {
      await waitForPing(addr, child, `MAREKVS_CMD (${line})`);
    } catch (e) {
      await stopChild(child);
      throw new Error(`${e.message}\n${child.log()}`);
    }
    return { name: 'marekvs', kind: 'command', ...addr, stop: () => stopChild(child) };
  }
  const r = await startRedis('redis (self-test target)');
  return { ...r, kind: 'self-test' };
}

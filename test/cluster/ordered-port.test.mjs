// ordered-port.mjs: a link's frames in sequence order over a transport that reorders and
// duplicates, nothing before the hello, a lost frame skipped after the timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import * as F from '../../js/replication/frames.mjs';
import { orderedPort } from '../../js/cluster/ordered-port.mjs';

const batch = (seq) => F.payload(F.BATCH, 1n, 2n, seq, 0, new Uint8Array([seq]));
const snapshot = (seq) => F.payload(F.SNAPSHOT, 1n, 2n, seq, 2, new Uint8Array([seq]));
const hello = () => F.hello(1n, 0n, 4, []);

function setup(opts) {
  const ch = new MessageChannel();
  const port = orderedPort(ch.port2, opts);
  const got = [];
  port.addEventListener('message', (e) => {
    const f = F.decode(e.data);
    got.push(f.type === F.HELLO ? 'hello' : f.type === F.ACK ? 'ack' : f.type === F.BYE ? 'bye' : f.seq);
  });
  port.start();
  return { send: (f) => ch.port1.postMessage(f), got, port, close: () => { port.close(); ch.port1.close(); } };
}

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));
/** Wait (on a loaded machine, as long as needed) until `n` frames came out, then a little more. */
async function until(got, n) {
  for (let i = 0; i < 500 && got.length < n; i++) await settle(10);
  await settle();
}

test('frames come out in sequence order, once, and only after the hello', async () => {
  const { send, got, close } = setup();
  for (const f of [batch(2), hello(), batch(1), batch(1), snapshot(4), batch(3), batch(2), F.ack(1n, 2n, 0, []), batch(5)]) send(f);
  await until(got, 7);
  assert.deepEqual(got, ['hello', 1, 2, 3, 4, 'ack', 5]);
  close();
});

test('a missing frame is waited for, then skipped after gapTimeoutMs', async () => {
  const { send, got, port, close } = setup({ gapTimeoutMs: 1000 });
  send(hello());
  send(batch(1));
  send(batch(3));
  send(batch(4));
  await until(got, 2);
  assert.deepEqual(got, ['hello', 1]);
  assert.equal(port.held, 2);
  await until(got, 4);
  assert.deepEqual(got, ['hello', 1, 3, 4]);
  send(batch(2)); // too late: a duplicate now
  send(batch(5));
  await until(got, 5);
  assert.deepEqual(got, ['hello', 1, 3, 4, 5]);
  close();
});

test('a BYE first delivers what is held back', async () => {
  const { send, got, close } = setup();
  send(hello());
  send(batch(2));
  send(F.bye(1n, 2n, 'done'));
  await until(got, 3);
  assert.deepEqual(got, ['hello', 2, 'bye']);
  close();
});

// SCRIPT KILL and BUSY on `marekvs serve`: a script running on a worker is visible to every
// connection through shared memory; commands for that worker get BUSY once it ran past half
// its deadline, SCRIPT KILL stops it (its writes undone), and NOTBUSY when nothing runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServe } from './helpers.mjs';
import { RespConnection } from '../differential/lib/resp.mjs';

test('BUSY while a long script runs, SCRIPT KILL stops it and undoes its writes', async () => {
  const srv = await startServe(['--shards', '2']);
  try {
    const a = await RespConnection.connect({ port: srv.port });
    const b = await RespConnection.connect({ port: srv.port });
    assert.deepEqual(await b.call(['SCRIPT', 'KILL']), { t: 'error', v: 'NOTBUSY No scripts in execution right now.' });
    assert.deepEqual(await b.call(['CONFIG', 'SET', 'lua-time-limit', '60000']), { t: 'status', v: 'OK' });
    await b.call(['SET', '{k}x', 'before']);
    const running = a.call(['EVAL', "redis.call('set', KEYS[1], 'during') while true do end", '1', '{k}x'], 60000);
    // Past half the deadline (30 s) the shard is busy; before that commands just queue, so
    // shorten the wait: BUSY is checked with a 1 s limit below.
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await b.call(['PING']), { t: 'status', v: 'PONG' }, 'connection commands still answer');
    assert.deepEqual(await b.call(['SCRIPT', 'KILL']), { t: 'status', v: 'OK' });
    const r = await running;
    assert.equal(r.t, 'error');
    assert.match(r.v, /^SCRIPTKILLED /);
    assert.equal((await b.call(['GET', '{k}x'])).v.toString(), 'before');
    assert.deepEqual(await b.call(['SCRIPT', 'KILL']), { t: 'error', v: 'NOTBUSY No scripts in execution right now.' });

    // BUSY: with a 1 s deadline the shard is busy after 500 ms.
    await b.call(['CONFIG', 'SET', 'lua-time-limit', '1000']);
    const loop = a.call(['EVAL', 'while true do end', '1', '{k}x'], 10000);
    await new Promise((r) => setTimeout(r, 700));
    const busy = await b.call(['GET', '{k}x']);
    assert.deepEqual(busy, { t: 'error', v: 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.' });
    const ended = await loop;
    assert.match(ended.v, /^SCRIPTTIMEOUT /);
    assert.equal((await b.call(['GET', '{k}x'])).v.toString(), 'before');
    a.close();
    b.close();
  } finally {
    await srv.stop();
  }
});

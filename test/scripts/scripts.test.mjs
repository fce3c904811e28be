// Scripting differential: the same scripts on a real redis-server 7.0 and on marekvs
// (`MAREKVS_CMD='node bin/marekvs.mjs serve --port {port} --partitions 1'` or MAREKVS_URL),
// replies compared by RESP type and value. A case may differ only if EXPECTED_DIFFERENCES
// records both replies (so each documented Lua 5.1 → 5.4 difference is asserted, not
// skipped); a recorded difference that no longer occurs fails too, so the list stays true.
//   SCRIPTS_RECORD=/tmp/diffs.json node --test test/scripts/   writes the differences found.
import { test, describe, before, after } from 'node:test';
import { writeFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { startRedis, startTarget, redisServerPath } from '../differential/lib/servers.mjs';
import { RespConnection } from '../differential/lib/resp.mjs';
import { canon } from '../differential/lib/compare.mjs';
import { scriptCases, EXPECTED_DIFFERENCES } from './cases.mjs';

/** One-line rendering of a reply, used in EXPECTED_DIFFERENCES. */
export function brief(r) {
  switch (r.t) {
    case 'status': return `+${r.v}`;
    case 'error': return `-${r.v}`;
    case 'int': return `:${r.v}`;
    case 'bulk': return JSON.stringify(r.v.toString('latin1'));
    case 'double': return `,${r.v}`;
    case 'nil': case 'nilarray': case 'null': return r.t;
    case 'map': return `{${r.v.map(([k, v]) => `${brief(k)}: ${brief(v)}`).join(', ')}}`;
    default: return `[${r.v.map(brief).join(', ')}]`;
  }
}

const haveRedis = redisServerPath() !== null;
const recorded = {};

describe('scripts: redis-server 7.0 vs marekvs', { skip: haveRedis ? false : 'redis-server not installed' }, () => {
  let ref;
  let target;
  let a;
  let b;

  before(async () => {
    ref = await startRedis('redis');
    target = await startTarget();
    a = await RespConnection.connect(ref);
    b = await RespConnection.connect(target);
  });

  after(async () => {
    a?.close();
    b?.close();
    await Promise.all([ref?.stop(), target?.stop()]);
    if (process.env.SCRIPTS_RECORD) writeFileSync(process.env.SCRIPTS_RECORD, JSON.stringify(recorded, null, 2));
  });

  for (const kase of scriptCases) {
    test(kase.name, async () => {
      const argv = ['EVAL', kase.s, String(kase.keys.length), ...kase.keys, ...kase.args];
      const replies = [];
      for (const conn of [a, b]) {
        await conn.call(['FLUSHALL']);
        await conn.call(['SCRIPT', 'FLUSH']);
        for (const step of kase.setup) await conn.call(step);
        replies.push(await conn.call(argv));
      }
      const [redis, marekvs] = replies.map(brief);
      const expected = EXPECTED_DIFFERENCES[kase.name];
      if (canon(replies[0]) === canon(replies[1])) {
        assert.equal(expected, undefined, `${kase.name}: listed as a difference but both answer ${redis}`);
        return;
      }
      recorded[kase.name] = { redis, marekvs, why: expected?.why ?? 'TODO' };
      assert.ok(expected, `${kase.name}: ${kase.s}\n  redis:   ${redis}\n  marekvs: ${marekvs}`);
      assert.equal(redis, expected.redis, `${kase.name}: redis answered differently than recorded`);
      assert.equal(marekvs, expected.marekvs, `${kase.name}: marekvs answered differently than recorded`);
    });
  }
});

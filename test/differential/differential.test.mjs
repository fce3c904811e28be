// Differential tests: the same command sequences against a real redis-server (reference)
// and the server under test, replies compared by RESP type and value.
//
//   node --test test/differential/
//
// Target selection (see lib/servers.mjs): MAREKVS_URL=redis://host:port, or
// MAREKVS_CMD='... {port} ...' to start it, else a second redis-server (self-test of the
// harness). DIFF_SEEDS=N (default 12) random sequences of DIFF_STEPS=M (default 150) steps
// from DIFF_SEED_BASE (default 1). Without redis-server the suite is skipped with a notice.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, startTarget, redisServerPath } from './lib/servers.mjs';
import { runCase, runRawCase, report } from './lib/runner.mjs';
import { cases, rawCases } from './cases.mjs';
import { randomCase } from './generator.mjs';

const haveRedis = redisServerPath() !== null;
const seeds = Number(process.env.DIFF_SEEDS || 12);
const stepsPerSeed = Number(process.env.DIFF_STEPS || 150);
const seedBase = Number(process.env.DIFF_SEED_BASE || 1);

describe('differential: redis-server vs target', { skip: haveRedis ? false : 'redis-server not installed' }, () => {
  let ref;
  let target;

  before(async () => {
    ref = await startRedis('redis');
    target = await startTarget();
    console.log(`# reference redis-server on ${ref.port}; target (${target.kind}) on ${target.host}:${target.port}`);
  });

  after(async () => {
    await Promise.all([ref && ref.stop(), target && target.stop()]);
  });

  const names = () => [ref.name.startsWith('redis') ? 'redis' : ref.name, target.kind === 'self-test' ? 'redis#2' : 'marekvs'];

  for (const kase of cases) {
    test(kase.name, async () => {
      const mismatches = await runCase(ref, target, kase);
      assert.equal(mismatches.length, 0, `\n${report(mismatches, ...names())}\n`);
    });
  }

  for (const kase of rawCases) {
    test(kase.name, async () => {
      const mismatches = await runRawCase(ref, target, kase);
      assert.equal(mismatches.length, 0, `\n${report(mismatches, ...names())}\n`);
    });
  }

  for (let i = 0; i < seeds; i++) {
    const seed = seedBase + i;
    test(`random/seed-${seed}`, async () => {
      const mismatches = await runCase(ref, target, randomCase(seed, stepsPerSeed));
      assert.equal(mismatches.length, 0, `\n${report(mismatches, ...names(), 5)}\n(reproduce: DIFF_SEED_BASE=${seed} DIFF_SEEDS=1)\n`);
    });
  }
});

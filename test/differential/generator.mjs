// Seeded generator of random command sequences over a small key space, so that types
// collide (WRONGTYPE), counters overflow, floats need formatting and keys come and go.
// Same seed → same sequence. Each step carries its compare mode.

/** mulberry32: tiny deterministic PRNG. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (xs) => xs[Math.floor(next() * xs.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4', '{t}a', '{t}b'];
const FIELDS = ['f0', 'f1', 'f2', 'f3'];
const MEMBERS = ['m0', 'm1', 'm2', 'm3', 'm4'];

function value(r) {
  return r.pick([
    () => String(r.int(-5, 100)),
    () => r.pick(['v', 'hello', 'abc', '', ' 1', '007', '+1', '1e3']),
    () => r.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775808']),
    () => `${r.int(-100, 100)}.${r.int(0, 99)}`,
    () => r.pick(['0.1', '1.1', '3.0', '-0', '1e300', 'inf', '-inf', 'nan', 'abc']),
  ])();
}

function intArg(r) {
  return r.pick([
    () => String(r.int(-3, 10)),
    () => r.pick(['0', '-1', '9223372036854775807', '-9223372036854775808', 'abc', '1.5', '']),
  ])();
}

function score(r) {
  return r.chance(0.85)
    ? r.pick([String(r.int(-10, 10)), `${r.int(-10, 10)}.5`, '0.1', '1.1', '1e-5', '123456789.123'])
    : r.pick(['inf', '-inf', '+inf', 'nan', 'abc', '(1', '1e400']);
}

function rangeBound(r) {
  return r.pick(['-inf', '+inf', String(r.int(-5, 10)), `(${r.int(-5, 10)}`, 'abc']);
}

/** One random step: {cmd, cmp}. */
export function randomStep(r) {
  const k = () => r.pick(KEYS);
  const f = () => r.pick(FIELDS);
  const m = () => r.pick(MEMBERS);
  const X = (cmd, cmp = 'exact') => ({ cmd, cmp });
  const gens = [
    // strings
    [6, () => X(['SET', k(), value(r), ...(r.chance(0.2) ? [r.pick(['NX', 'XX', 'GET', 'KEEPTTL'])] : [])])],
    [5, () => X(['GET', k()])],
    [3, () => X(['INCR', k()])],
    [2, () => X(['INCRBY', k(), intArg(r)])],
    [1, () => X(['DECRBY', k(), intArg(r)])],
    [3, () => X(['INCRBYFLOAT', k(), r.pick([value(r), '0.1', '1.5', '-2.25', '1e2'])])],
    [2, () => X(['APPEND', k(), value(r)])],
    [1, () => X(['STRLEN', k()])],
    [1, () => X(['GETRANGE', k(), intArg(r), intArg(r)])],
    [1, () => X(['SETRANGE', k(), String(r.int(0, 8)), value(r)])],
    [1, () => X(['MSET', k(), value(r), k(), value(r)])],
    [1, () => X(['MGET', k(), k(), k()])],
    [1, () => X(['GETDEL', k()])],
    // keys
    [2, () => X(['DEL', k(), ...(r.chance(0.3) ? [k()] : [])])],
    [2, () => X(['EXISTS', k(), k()])],
    [2, () => X(['TYPE', k()])],
    [1, () => X(['RENAME', k(), k()])],
    [1, () => X(['EXPIRE', k(), r.pick(['1000', '2000', '0', '-1', 'abc']), ...(r.chance(0.3) ? [r.pick(['NX', 'XX', 'GT', 'LT'])] : [])])],
    [1, () => X(['TTL', k()])],
    [1, () => X(['PERSIST', k()])],
    [1, () => X(['DBSIZE'])],
    [1, () => X(['KEYS', r.pick(['*', 'k*', '{t}*', '?0'])], 'unordered')],
    [1, () => X(['RANDOMKEY'], 'type')],
    // hashes
    [5, () => X(['HSET', k(), f(), value(r), ...(r.chance(0.3) ? [f(), value(r)] : [])])],
    [3, () => X(['HGET', k(), f()])],
    [1, () => X(['HMGET', k(), f(), f()])],
    [2, () => X(['HDEL', k(), f()])],
    [1, () => X(['HLEN', k()])],
    [2, () => X(['HINCRBY', k(), f(), intArg(r)])],
    [1, () => X(['HINCRBYFLOAT', k(), f(), r.pick(['0.1', '1.5', value(r)])])],
    [1, () => X(['HGETALL', k()], 'pairs')],
    [1, () => X(['HEXISTS', k(), f()])],
    [1, () => X(['HSETNX', k(), f(), value(r)])],
    // sets
    [5, () => X(['SADD', k(), m(), ...(r.chance(0.4) ? [m()] : [])])],
    [2, () => X(['SREM', k(), m()])],
    [1, () => X(['SMEMBERS', k()], 'unordered')],
    [2, () => X(['SISMEMBER', k(), m()])],
    [1, () => X(['SCARD', k()])],
    [1, () => X(['SINTER', k(), k()], 'unordered')],
    [1, () => X(['SUNION', k(), k()], 'unordered')],
    [1, () => X(['SRANDMEMBER', k(), String(r.int(-3, 3))], 'shape')],
    // lists
    [4, () => X([r.pick(['LPUSH', 'RPUSH']), k(), value(r), ...(r.chance(0.3) ? [value(r)] : [])])],
    [3, () => X([r.pick(['LPOP', 'RPOP']), k(), ...(r.chance(0.3) ? [intArg(r)] : [])])],
    [2, () => X(['LRANGE', k(), intArg(r), intArg(r)])],
    [1, () => X(['LLEN', k()])],
    [1, () => X(['LINDEX', k(), intArg(r)])],
    [1, () => X(['LSET', k(), intArg(r), value(r)])],
    [1, () => X(['LREM', k(), intArg(r), value(r)])],
    [1, () => X(['LMOVE', k(), k(), r.pick(['LEFT', 'RIGHT']), r.pick(['LEFT', 'RIGHT'])])],
    // sorted sets
    [5, () => X(['ZADD', k(), ...(r.chance(0.2) ? [r.pick(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR'])] : []), score(r), m()])],
    [2, () => X(['ZINCRBY', k(), score(r), m()])],
    [2, () => X(['ZSCORE', k(), m()])],
    [2, () => X(['ZRANGE', k(), '0', '-1', ...(r.chance(0.5) ? ['WITHSCORES'] : [])])],
    [1, () => X(['ZRANGEBYSCORE', k(), rangeBound(r), rangeBound(r), ...(r.chance(0.5) ? ['WITHSCORES'] : [])])],
    [1, () => X(['ZREM', k(), m()])],
    [1, () => X(['ZCARD', k()])],
    [1, () => X(['ZRANK', k(), m()])],
    [1, () => X([r.pick(['ZPOPMIN', 'ZPOPMAX']), k()])],
    [1, () => X(['ZCOUNT', k(), rangeBound(r), rangeBound(r)])],
    // ranges walked from either end, with LIMIT (the engine no longer copies the set)
    [1, () => X([r.pick(['ZRANGE', 'ZREVRANGE']), k(), intArg(r), intArg(r), ...(r.chance(0.5) ? ['WITHSCORES'] : [])])],
    [1, () => X(['ZREVRANGEBYSCORE', k(), rangeBound(r), rangeBound(r), ...(r.chance(0.5) ? ['LIMIT', String(r.int(-1, 3)), String(r.int(-1, 3))] : [])])],
    [1, () => X(['ZRANGEBYSCORE', k(), rangeBound(r), rangeBound(r), 'LIMIT', String(r.int(-1, 3)), String(r.int(-1, 3))])],
    [1, () => X(['ZREVRANK', k(), m()])],
    // arity errors on random commands
    [1, () => X([r.pick(['GET', 'SET', 'HSET', 'SADD', 'ZADD', 'LPUSH', 'INCRBY', 'EXPIRE'])])],
  ];
  const total = gens.reduce((a, [w]) => a + w, 0);
  let x = r.next() * total;
  for (const [w, g] of gens) {
    x -= w;
    if (x < 0) return g();
  }
  return gens[gens.length - 1][1]();
}

/** A random case: `length` steps from `seed`. */
export function randomCase(seed, length = 150) {
  const r = rng(seed);
  const steps = [];
  for (let i = 0; i < length; i++) steps.push(randomStep(r));
  return { name: `random/seed-${seed}`, steps };
}

// The playground's examples. `keys`/`args` are typed like redis-cli arguments; `replica` is
// where Run goes first; `steps` (optional) is a walkthrough the "Play" button performs.
export const EXAMPLES = [
  {
    id: 'order-payment',
    title: 'Order payment (hash tags)',
    note: 'Three keys share the {order:42} hash tag, so they land in one partition and the script runs as one atomic block there. Its writes replicate as effects.',
    script: `-- KEYS: {order:42}:meta, {order:42}:version, {order:42}:events
-- all three hash to the same partition via the {order:42} tag
redis.call('HSET', KEYS[1], 'status', 'paid')
redis.call('INCR', KEYS[2])
redis.call('SADD', KEYS[3], ARGV[1])
return redis.call('HGET', KEYS[1], 'status')
`,
    keys: '{order:42}:meta {order:42}:version {order:42}:events',
    args: 'shipped',
  },
  {
    id: 'rate-limiter',
    title: 'Rate limiter',
    note: 'A fixed-window limiter: at most ARGV[1] calls per ARGV[2] seconds. Run it a few times: the sixth call in the window is refused. The counter expires with the window.',
    script: `local current = redis.call('INCR', KEYS[1])
if current == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
local limit = tonumber(ARGV[1])
local ttl = redis.call('TTL', KEYS[1])
if current > limit then
  return redis.error_reply('RATELIMITED try again in ' .. ttl .. ' s')
end
return {current, limit - current, ttl}
`,
    keys: 'rate:{user:7}',
    args: '5 30',
  },
  {
    id: 'leaderboard',
    title: 'Leaderboard (sorted set)',
    note: 'Adds points to a player and answers their rank and the top three, with scores (RESP3 doubles under redis.setresp(3)).',
    script: `redis.setresp(3)
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZADD', KEYS[1], 40, 'grace', 31, 'linus', 12, 'barbara')
end
local score = redis.call('ZINCRBY', KEYS[1], ARGV[2], ARGV[1])
local rank = redis.call('ZREVRANK', KEYS[1], ARGV[1])
local top = redis.call('ZREVRANGE', KEYS[1], 0, 2, 'WITHSCORES')
return {map = {player = ARGV[1], score = score, rank = rank + 1, top = top}}
`,
    keys: 'board:{game}',
    args: 'ada 25',
  },
  {
    id: 'cross-partition',
    title: 'Rejected: keys in two partitions',
    note: 'user:1:name and user:2:name hash to different slots and partitions: the script is refused before it runs (CROSSSLOT). Give them a common hash tag, {user}:1:name, to co-locate them.',
    script: `redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
return 'both written'
`,
    keys: 'user:1:name user:2:name',
    args: 'ada',
  },
  {
    id: 'runaway-loop',
    title: 'Runaway loop (deadline)',
    note: 'The script writes, then never ends. The deadline aborts it and rolls the write back: the key does not appear on any replica and no effect is emitted.',
    script: `redis.call('SET', KEYS[1], 'written before the loop')
local n = 0
while true do
  n = n + 1
end
`,
    keys: '{loop}:flag',
    args: '',
  },
  {
    id: 'memory-bomb',
    title: 'Memory bomb (16 MiB ceiling)',
    note: 'The script grows a table until the per-script memory ceiling stops it; its write is rolled back as well.',
    script: `redis.call('SET', KEYS[1], 'written before the bomb')
local t = {}
for i = 1, 1e9 do
  t[i] = string.rep('x', 64 * 1024) .. i   -- 64 KiB more each time
end
`,
    keys: '{bomb}:flag',
    args: '',
  },
  {
    id: 'random-time',
    title: 'math.random and TIME replicate as effects',
    note: 'Non-deterministic scripts are safe: replicas receive the concrete values written (see the effects), never the script, so every replica holds the same roll and time.',
    script: `local now = redis.call('TIME')
local roll = math.random(1, 1000000)
redis.call('HSET', KEYS[1], 'roll', roll, 'at', now[1] .. '.' .. now[2])
redis.call('LPUSH', KEYS[2], roll)
return {roll, now[1], now[2]}
`,
    keys: '{dice}:last {dice}:history',
    args: '',
  },
  {
    id: 'evalsha-heal',
    title: 'EVALSHA self-healing on a replica',
    note: 'SCRIPT LOAD on replica A stores the body as a hidden record that replicates. Replica B never saw the script, yet EVALSHA there finds it instead of answering NOSCRIPT. Press Play, or Load on A, then Run by SHA on B.',
    script: `-- loaded on A, run by SHA on B
local n = redis.call('INCR', KEYS[1])
return 'hello #' .. n .. ' from the replica that ran me'
`,
    keys: '{greet}:count',
    args: '',
    replica: 0,
    steps: [
      { action: 'load', replica: 0 },
      { action: 'replicated', replica: 1 },
      { action: 'evalsha', replica: 1 },
    ],
  },
];

export const byId = (id) => EXAMPLES.find((e) => e.id === id);

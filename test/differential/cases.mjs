// Hand-written differential cases. Each case runs on fresh connections after FLUSHALL; after
// its steps the whole keyspace is dumped on both servers and compared.
//
// A step is an argument array (compared exactly) or {cmd, cmp} with cmp one of the modes in
// lib/compare.mjs: 'unordered' (SMEMBERS, KEYS...), 'pairs' (HGETALL), 'shape'
// (SRANDMEMBER n, TIME...), 'type' (INFO, SPOP, SCAN, CLIENT ID...), 'skip'.
// `proto: 3` runs the case after HELLO 3.

const s = (str) => str.split(' ');
const u = (str) => ({ cmd: s(str), cmp: 'unordered' });
const pairs = (str) => ({ cmd: s(str), cmp: 'pairs' });
const shape = (str) => ({ cmd: s(str), cmp: 'shape' });
const type = (str) => ({ cmd: s(str), cmp: 'type' });
const steps = (...xs) => xs.map((x) => (typeof x === 'string' ? s(x) : x));

export const cases = [
  // ---------------------------------------------------------------- strings
  { name: 'strings/set-get', steps: steps(
    'SET k v', 'GET k', 'GET missing', 'SET k v2 GET', 'SET n 1 NX', 'SET n 2 NX', 'SET n 3 XX',
    'GET n', 'SET absent 1 XX', 'GET absent', 'SET k v NX GET', 'SETNX k x', 'SETNX k2 x',
    'GETSET k new', 'GETSET nokey a', 'GETDEL k', 'GETDEL k', 'STRLEN k2', 'STRLEN nokey',
    'MSET a 1 b 2 c 3', 'MGET a b nokey c', 'MSETNX a 9 d 4', 'MSETNX d 4 e 5', 'MGET d e',
    ['SET', 'bin', 'a\r\nb\x00c'], 'GET bin', 'STRLEN bin', ['SET', 'empty', ''], 'GET empty', 'STRLEN empty',
  ) },
  { name: 'strings/set-options-errors', steps: steps(
    'SET k', 'SET', 'GET', 'GET a b', 'SET k v NX XX', 'SET k v EX', 'SET k v EX 0', 'SET k v EX -1',
    'SET k v EX abc', 'SET k v PX 0', 'SET k v EX 10 PX 10', 'SET k v FOO', 'SET k v KEEPTTL EX 5',
    'SET k v EX 9223372036854775807', 'SETEX k 0 v', 'SETEX k abc v', 'PSETEX k -5 v', 'MSET a', 'MSET a 1 b',
    'MGET', 'SETNX k', 'GETSET k', 'STRLEN',
  ) },
  { name: 'strings/expire-options', steps: steps(
    'SET k v EX 1000', 'TTL k', type('PTTL k'), 'SET k v2 KEEPTTL', 'TTL k', 'SET k v3', 'TTL k',
    'SETEX k 500 v', 'TTL k', 'PSETEX p 500000 v', 'TTL p', 'PERSIST p', 'TTL p', 'PERSIST p',
    'GETEX k PERSIST', 'TTL k', 'GETEX k EX 100', 'TTL k', 'GETEX nokey', 'GETEX k EX 0', 'GETEX k FOO',
  ) },
  { name: 'strings/incr-decr', steps: steps(
    'INCR n', 'INCR n', 'INCRBY n 10', 'DECR n', 'DECRBY n 5', 'INCRBY n -3', 'GET n',
    'SET s abc', 'INCR s', 'INCRBY s 1', 'SET f 1.5', 'INCR f', ['SET', 'sp', ' 1'], 'INCR sp',
    'SET max 9223372036854775807', 'INCR max', 'INCRBY max 1', 'SET min -9223372036854775808', 'DECR min',
    'DECRBY min 1', 'INCRBY n abc', 'INCRBY n 1.5', 'INCRBY n 99999999999999999999', 'DECRBY n -9223372036854775808',
    'INCRBY n 9223372036854775807', 'INCRBY n 9223372036854775807', 'SET lead 007', 'INCR lead', 'GET lead',
    'SET plus +5', 'INCR plus', 'SET big 12345678901234567890', 'INCR big', 'INCR', 'INCRBY n', 'DECRBY n 1 2',
  ) },
  { name: 'strings/incrbyfloat', steps: steps(
    'INCRBYFLOAT f 10.5', 'INCRBYFLOAT f 0.1', 'INCRBYFLOAT f -5', 'INCRBYFLOAT f 5.0e3', 'GET f',
    'INCRBYFLOAT f abc', 'INCRBYFLOAT f inf', 'INCRBYFLOAT f nan', 'SET s abc', 'INCRBYFLOAT s 1',
    'SET i 3', 'INCRBYFLOAT i 0', 'INCRBYFLOAT i 1.0', 'INCRBYFLOAT i 3.0e-3', 'INCRBYFLOAT i 1e300',
    'INCRBYFLOAT i 1e300', 'INCRBYFLOAT t 0.1', 'INCRBYFLOAT t 0.2', 'INCRBYFLOAT u 1.23456789012345678',
    'INCRBYFLOAT v -0', 'INCRBYFLOAT w 1e-20', 'INCRBYFLOAT', 'INCRBYFLOAT f',
  ) },
  { name: 'strings/append-range', steps: steps(
    'APPEND k hello', ['APPEND', 'k', ' world'], 'GET k', 'GETRANGE k 0 4', 'GETRANGE k -5 -1', 'GETRANGE k 5 1',
    'GETRANGE k 0 100', 'GETRANGE k -100 2', 'GETRANGE nokey 0 1', 'GETRANGE k a b', 'SUBSTR k 1 2',
    'SETRANGE k 6 W', 'GET k', 'SETRANGE k 20 x', 'GET k', 'SETRANGE n 3 abc', 'GET n', ['SETRANGE', 'e', '0', ''],
    'EXISTS e', 'SETRANGE k -1 x', 'SETRANGE k 536870912 x', ['SETRANGE', 'k', '536870911', ''], 'APPEND k',
    'SET num 10', 'APPEND num 5', 'INCR num', 'STRLEN num',
  ) },

  // ---------------------------------------------------------------- keys
  { name: 'keys/del-exists-type', steps: steps(
    'MSET a 1 b 2 c 3', 'EXISTS a', 'EXISTS a b nokey a', 'DEL a nokey', 'DEL a', 'EXISTS a', 'UNLINK b c',
    'DBSIZE', 'SET s v', 'LPUSH l x', 'HSET h f v', 'SADD st m', 'ZADD z 1 m', 'TYPE s', 'TYPE l', 'TYPE h',
    'TYPE st', 'TYPE z', 'TYPE nokey', 'DBSIZE', u('KEYS *'), u('KEYS s*'), u('KEYS ?'), u('KEYS [sz]'),
    'TOUCH s l nokey', 'DEL', 'EXISTS', 'TYPE', 'FLUSHDB', 'DBSIZE', u('KEYS *'),
  ) },
  { name: 'keys/rename', steps: steps(
    'SET a 1', 'RENAME a b', 'GET a', 'GET b', 'RENAME nokey x', 'SET c 3', 'RENAMENX b c', 'RENAMENX b d',
    'GET d', 'RENAME d d', 'RENAMENX d d', 'LPUSH l 1 2', 'RENAME l l2', 'LRANGE l2 0 -1', 'RENAME a',
    'SET e 5 EX 1000', 'RENAME e f', 'TTL f', 'COPY f g', 'GET g', 'TTL g', 'COPY f g', 'COPY f g REPLACE',
  ) },
  { name: 'keys/expire-ttl', steps: steps(
    'TTL nokey', 'PTTL nokey', 'SET k v', 'TTL k', 'PTTL k', 'EXPIRE k 1000', 'TTL k', 'EXPIRE nokey 10',
    'EXPIRE k abc', 'EXPIRE k 10 NX', 'EXPIRE k 2000 XX', 'TTL k', 'EXPIRE k 10 GT', 'EXPIRE k 5000 GT',
    'TTL k', 'EXPIRE k 100 LT', 'TTL k', 'EXPIRE k 10 NX XX', 'EXPIRE k 10 GT LT', 'EXPIRE k 10 FOO',
    // Options are checked before the time is parsed.
    'EXPIRE k abc FOO', 'PEXPIRE k abc NX XX', 'EXPIREAT k abc GT LT', 'PEXPIREAT k inf k 1',
    'PERSIST k', 'TTL k', 'EXPIRE k 100 GT', 'TTL k', 'PEXPIRE k 500000', 'TTL k', type('PTTL k'),
    'EXPIREAT k 4102444800', 'TTL k', type('EXPIRETIME k'), 'PERSIST k', 'EXPIRETIME k', 'EXPIRETIME nokey',
    'SET gone v', 'EXPIRE gone 0', 'EXISTS gone', 'SET gone2 v', 'EXPIRE gone2 -5', 'GET gone2',
    'SET gone3 v', 'PEXPIREAT gone3 1', 'EXISTS gone3', 'EXPIRE k 9223372036854775807',
    'PEXPIRE k 9223372036854775807', 'EXPIRE', 'TTL',
  ) },
  { name: 'keys/random-scan', steps: steps(
    'RANDOMKEY', 'MSET a 1 b 2 c 3', type('RANDOMKEY'), type('SCAN 0'), type('SCAN 0 MATCH a* COUNT 100'),
    'SCAN abc', 'SCAN 0 COUNT 0', 'SCAN 0 FOO bar', type('SCAN 0 TYPE string'),
  ) },

  // ---------------------------------------------------------------- hashes
  { name: 'hashes/basic', steps: steps(
    'HSET h f1 v1 f2 v2', 'HSET h f1 x f3 v3', 'HGET h f1', 'HGET h nof', 'HGET nokey f', 'HMGET h f1 nof f3',
    'HMGET nokey a b', 'HLEN h', 'HLEN nokey', 'HEXISTS h f2', 'HEXISTS h nof', 'HDEL h f2 nof', 'HDEL h f2',
    pairs('HGETALL h'), u('HKEYS h'), u('HVALS h'), 'HGETALL nokey', 'HSETNX h f1 y', 'HSETNX h f9 y',
    'HSTRLEN h f1', 'HSTRLEN h nof', 'HMSET h a 1 b 2', 'HDEL h f1 f3 f9 a b', 'EXISTS h',
  ) },
  { name: 'hashes/incr-and-errors', steps: steps(
    'HINCRBY h n 5', 'HINCRBY h n -10', 'HINCRBY h n abc', 'HSET h s abc', 'HINCRBY h s 1',
    'HSET h max 9223372036854775807', 'HINCRBY h max 1', 'HINCRBYFLOAT h fl 1.5', 'HINCRBYFLOAT h fl 0.1',
    'HINCRBYFLOAT h s 1', 'HINCRBYFLOAT h fl abc', 'HINCRBYFLOAT h fl inf', 'HINCRBYFLOAT h n 2.5',
    'HGET h n', 'HSET h', 'HSET h f', 'HSET h f v g', 'HGET h', 'HMSET h f', 'HDEL h', 'HLEN', 'HINCRBY h f',
    'HMGET h', 'HSETNX h f', 'HSTRLEN h',
  ) },
  { name: 'hashes/randfield', steps: steps(
    'HRANDFIELD nokey', 'HRANDFIELD nokey 5', 'HSET h a 1 b 2 c 3', type('HRANDFIELD h'), shape('HRANDFIELD h 2'),
    shape('HRANDFIELD h 10'), shape('HRANDFIELD h -5'), shape('HRANDFIELD h 2 WITHVALUES'), 'HRANDFIELD h 0',
    'HRANDFIELD h abc', 'HRANDFIELD h 1 FOO',
  ) },

  // ---------------------------------------------------------------- sets
  { name: 'sets/basic', steps: steps(
    'SADD s a b c', 'SADD s c d', 'SCARD s', 'SCARD nokey', 'SISMEMBER s a', 'SISMEMBER s z', 'SMISMEMBER s a z d',
    u('SMEMBERS s'), 'SMEMBERS nokey', 'SREM s a z', 'SREM s a', 'SADD t c d e', u('SINTER s t'), u('SUNION s t'),
    u('SDIFF s t'), u('SDIFF t s'), 'SINTER s nokey', 'SINTERSTORE dst s t', u('SMEMBERS dst'),
    'SUNIONSTORE dst2 s t', 'SCARD dst2', 'SDIFFSTORE dst3 s t', u('SMEMBERS dst3'), 'SINTERCARD 2 s t',
    'SINTERCARD 2 s t LIMIT 1', 'SINTERCARD 0 s', 'SINTERCARD 3 s t', 'SMOVE s t b', 'SMOVE s t nope',
    u('SMEMBERS t'), 'SADD n 1 2 3', u('SMEMBERS n'), 'SADD s', 'SREM s', 'SISMEMBER s', 'SMOVE s t',
  ) },
  { name: 'sets/random', steps: steps(
    'SPOP nokey', 'SPOP nokey 3', 'SRANDMEMBER nokey', 'SRANDMEMBER nokey 3', 'SADD s a b c d e',
    type('SPOP s'), 'SCARD s', shape('SPOP s 2'), 'SCARD s', type('SRANDMEMBER s'), shape('SRANDMEMBER s 10'),
    shape('SRANDMEMBER s -5'), 'SRANDMEMBER s 0', 'SPOP s 0', 'SPOP s -1', 'SRANDMEMBER s abc', shape('SPOP s 10'),
    'EXISTS s',
  ) },

  // ---------------------------------------------------------------- lists
  { name: 'lists/push-pop-range', steps: steps(
    'LPUSH l a b c', 'RPUSH l x y', 'LRANGE l 0 -1', 'LRANGE l 1 2', 'LRANGE l -2 -1', 'LRANGE l 5 1',
    'LRANGE l 0 100', 'LRANGE nokey 0 -1', 'LLEN l', 'LLEN nokey', 'LINDEX l 0', 'LINDEX l -1', 'LINDEX l 99',
    'LINDEX l abc', 'LPOP l', 'RPOP l', 'LPOP l 2', 'RPOP l 0', 'LPOP l -1', 'LPOP nokey', 'LPOP nokey 2',
    'RPOP nokey 2', 'LPOP l 10', 'EXISTS l', 'LPUSHX l a', 'RPUSHX l a', 'RPUSH l 1', 'LPUSHX l 0', 'LRANGE l 0 -1',
    'LPUSH l', 'LRANGE l 0', 'LRANGE l a b', 'LLEN',
    // More than one count: arity for LPOP/RPOP, syntax for SPOP/ZPOPMIN/ZPOPMAX (Redis 7.0).
    'LPOP l 1 2', 'RPOP l x 7', 'LPOP nokey 1 2', 'SPOP l 1 2', 'ZPOPMIN l 1 2', 'ZPOPMAX nokey 1 2',
  ) },
  { name: 'lists/set-rem-insert-trim', steps: steps(
    'RPUSH l a b a c a d', 'LSET l 0 A', 'LSET l -1 D', 'LSET l 99 x', 'LSET nokey 0 x', 'LRANGE l 0 -1',
    'LREM l 1 a', 'LREM l -1 a', 'LREM l 0 zz', 'LRANGE l 0 -1', 'LINSERT l BEFORE c X', 'LINSERT l AFTER c Y',
    'LINSERT l AFTER nope Z', 'LINSERT nokey AFTER a b', 'LINSERT l MIDDLE c Z', 'LRANGE l 0 -1', 'LPOS l a',
    'LPOS l zz', 'LPOS l X RANK 1', 'LPOS l X RANK 0', 'LTRIM l 1 -2', 'LRANGE l 0 -1', 'LTRIM l 5 1', 'EXISTS l',
    'RPUSH src 1 2 3', 'RPOPLPUSH src dst', 'LMOVE src dst LEFT RIGHT', 'LMOVE src dst UP DOWN', 'LRANGE src 0 -1',
    'LRANGE dst 0 -1', 'RPOPLPUSH nokey dst', 'LREM l abc x',
  ) },

  // ---------------------------------------------------------------- sorted sets
  { name: 'zsets/add-score-range', steps: steps(
    'ZADD z 1 a 2 b 3 c', 'ZADD z 1.1 d', 'ZSCORE z d', 'ZSCORE z a', 'ZSCORE z nope', 'ZSCORE nokey a',
    'ZCARD z', 'ZRANGE z 0 -1', 'ZRANGE z 0 -1 WITHSCORES', 'ZRANGE z 0 1 REV', 'ZREVRANGE z 0 1 WITHSCORES',
    'ZRANGEBYSCORE z 1 2', 'ZRANGEBYSCORE z (1 2', 'ZRANGEBYSCORE z -inf +inf WITHSCORES', 'ZRANGEBYSCORE z 1 3 LIMIT 1 1',
    'ZREVRANGEBYSCORE z 3 1', 'ZRANGE z 1 2 BYSCORE', 'ZRANGE z (1 +inf BYSCORE LIMIT 0 2', 'ZCOUNT z 1 2',
    'ZCOUNT z (1 (3', 'ZRANK z c', 'ZREVRANK z c', 'ZRANK z nope', 'ZMSCORE z a nope d', 'ZINCRBY z 0.1 a',
    'ZINCRBY z 1 new', 'ZREM z b nope', 'ZRANGE z 0 -1 WITHSCORES', 'ZPOPMIN z', 'ZPOPMAX z 2', 'ZPOPMIN nokey',
    'ZADD lex 0 a 0 b 0 c 0 d', 'ZRANGEBYLEX lex [b (d', 'ZRANGEBYLEX lex - +', 'ZRANGEBYLEX lex b c',
    'ZLEXCOUNT lex [a [c', 'ZREMRANGEBYLEX lex [a [b', 'ZRANGE lex 0 -1', 'ZREMRANGEBYSCORE z -inf 1.5',
    'ZREMRANGEBYRANK z 0 0', 'ZRANGE z 0 -1 WITHSCORES',
  ) },
  { name: 'zsets/options-errors-float-format', steps: steps(
    'ZADD z 1 a', 'ZADD z NX 2 a 3 b', 'ZADD z XX 5 a 6 c', 'ZADD z CH 7 a 8 d', 'ZADD z GT 1 a', 'ZADD z LT 1 a',
    'ZADD z GT CH 10 a', 'ZADD z NX XX 1 a', 'ZADD z GT LT 1 a', 'ZADD z NX GT 1 a', 'ZADD z INCR 5 a',
    'ZADD z INCR 1 a 2 b', 'ZADD z XX INCR 1 nope', 'ZADD z abc a', 'ZADD z nan a', 'ZADD z 1', 'ZADD z 1 a 2',
    'ZADD z inf i -inf j', 'ZSCORE z i', 'ZSCORE z j', 'ZINCRBY z -inf i', 'ZINCRBY z abc a', 'ZADD z 0.1 p',
    'ZSCORE z p', 'ZADD z 1e300 q', 'ZSCORE z q', 'ZADD z 1e-5 r', 'ZSCORE z r', 'ZADD z 123456789012345678 s',
    'ZSCORE z s', 'ZADD z 3.0 t', 'ZSCORE z t', 'ZADD z -0 m', 'ZSCORE z m', 'ZADD z 0x10 x', ['ZADD', 'z', ' 1', 'y'],
    'ZADD z 1e400 y', 'ZRANGE z 0 -1 WITHSCORES', 'ZRANGEBYSCORE z abc 1', 'ZRANGE z 0 1 LIMIT 0 1',
    'ZRANGE z a b', 'ZSCORE z', 'ZCARD', 'ZRANGE z 0', 'ZINCRBY z 1',
  ) },
  { name: 'zsets/store', steps: steps(
    'ZADD a 1 x 2 y', 'ZADD b 10 y 20 z', 'ZUNIONSTORE u 2 a b', 'ZRANGE u 0 -1 WITHSCORES',
    'ZINTERSTORE i 2 a b WEIGHTS 2 3', 'ZRANGE i 0 -1 WITHSCORES', 'ZUNIONSTORE u2 2 a b AGGREGATE MAX',
    'ZRANGE u2 0 -1 WITHSCORES', 'ZUNIONSTORE u3 0 a', 'ZUNIONSTORE u3 3 a b', 'ZDIFFSTORE d 2 a b', 'ZRANGE d 0 -1',
    'ZUNION 2 a b WITHSCORES', 'ZINTER 2 a b', 'ZDIFF 2 b a WITHSCORES', 'ZRANGESTORE rs a 0 0', 'ZRANGE rs 0 -1',
  ) },

  { name: 'zsets/setops-more', steps: steps(
    'ZADD a 1.1 x 2 y 3 z', 'ZADD b 10 y 20 z 0.1 w', 'SADD s y q', 'ZADD c -inf x inf y',
    'ZUNION 3 a b s WITHSCORES', 'ZINTER 2 a s WITHSCORES', 'ZUNION 2 a c WEIGHTS 0 1 WITHSCORES',
    'ZUNION 2 c c WITHSCORES', 'ZINTER 3 a b a AGGREGATE MIN WITHSCORES', 'ZUNION 2 a b WEIGHTS 1.5 0x2 AGGREGATE SUM WITHSCORES',
    'ZUNION 2 a b WEIGHTS 1', 'ZUNION 2 a b WEIGHTS 1 x', 'ZUNION 1 a AGGREGATE avg', 'ZUNIONSTORE d 1 a WITHSCORES',
    'ZDIFF 1 a WEIGHTS 1', 'ZUNION x a', 'ZUNION -1 a', 'ZINTERCARD 2 a b', 'ZINTERCARD 2 a b LIMIT 1',
    'ZINTERCARD 2 a b LIMIT -1', 'ZINTERCARD 0 a', 'ZINTERCARD 1 a WITHSCORES', 'SET str v', 'ZUNION 2 a str',
    'ZINTERSTORE str 2 a b', 'TYPE str', 'ZRANGE str 0 -1 WITHSCORES', 'ZINTERSTORE str 2 a nokey', 'EXISTS str',
    'ZDIFFSTORE d2 3 a b s', 'ZRANGE d2 0 -1 WITHSCORES', 'ZUNION 2 nokey nokey2',
  ) },
  { name: 'zsets/lex-rem-ranges', steps: steps(
    'ZADD l 0 a 0 b 0 c 0 d 0 e', 'ZRANGEBYLEX l [b (e LIMIT 1 2', 'ZREVRANGEBYLEX l + - LIMIT 0 3', 'ZREVRANGEBYLEX l (d [a',
    'ZRANGEBYLEX l - + WITHSCORES', 'ZRANGEBYLEX l a +', 'ZRANGEBYLEX l + -', 'ZRANGEBYLEX l [c [c', 'ZRANGEBYLEX l (c [c',
    'ZLEXCOUNT l - +', 'ZLEXCOUNT l (a [d', 'ZLEXCOUNT l x +', 'ZLEXCOUNT nokey - +', 'ZRANGE l [b [d BYLEX REV',
    'ZRANGE l [d [b BYLEX REV LIMIT 1 1', 'ZADD m 1 b 2 a 3 d 4 c', 'ZRANGEBYLEX m - (c', 'ZRANGEBYLEX m [a [c',
    'ZREVRANGEBYLEX m [c -', 'ZLEXCOUNT m [a [c', 'ZREMRANGEBYLEX m [a [c', 'ZRANGE m 0 -1', 'ZREMRANGEBYLEX l (b +',
    'ZRANGE l 0 -1', 'ZADD r 1 a 2 b 3 c 4 d 5 e', 'ZREMRANGEBYRANK r -2 -1', 'ZREMRANGEBYRANK r 5 10', 'ZREMRANGEBYRANK r x 1',
    'ZREMRANGEBYSCORE r (1 2', 'ZREMRANGEBYSCORE r abc 2', 'ZREMRANGEBYSCORE nokey 0 1', 'ZRANGE r 0 -1 WITHSCORES',
    'ZREMRANGEBYRANK r 0 -1', 'EXISTS r', 'SET s v', 'ZREMRANGEBYRANK s 0 1', 'ZREMRANGEBYRANK s a 1', 'ZLEXCOUNT s a b',
    'ZLEXCOUNT s - +', 'ZRANGEBYSCORE s abc 1', 'ZRANGEBYSCORE s 0 1', 'ZREVRANGE l 0 1 LIMIT 0 1',
    'ZRANGE l 0 1 LIMIT 0 -1', ['ZRANGEBYSCORE', 'l', '', '+inf'], ['ZRANGEBYSCORE', 'l', ' 0', '(1e400'],
  ) },
  { name: 'keys/copy-touch-expiretime', steps: steps(
    'SET a 1', 'HSET h f v', 'COPY a b', 'GET b', 'COPY a b', 'COPY a b REPLACE', 'COPY a a', 'COPY nokey z', 'COPY a c DB 0',
    'COPY a c DB x', 'COPY a c FOO', 'COPY h h2', 'HGETALL h2', 'TOUCH a b h nokey', 'TOUCH',
    'EXPIRETIME a', 'PEXPIRETIME a', 'EXPIRETIME nokey', 'PEXPIRETIME nokey', 'EXPIREAT a 4102444800', 'EXPIRETIME a',
    'PEXPIREAT a 4102444800123', 'PEXPIRETIME a', 'EXPIRETIME a', 'COPY a d', 'PEXPIRETIME d', 'SUBSTR a 0 -1', 'SUBSTR h 0 1',
    'SUBSTR nokey 0 1', 'SUBSTR a x 1',
  ) },
  { name: 'strings/incrbyfloat-long-double', steps: steps(
    'SET f 5000.5', 'INCRBYFLOAT f 5.1', 'INCRBYFLOAT f 1e-5', 'INCRBYFLOAT f -5005.60001', 'SET g 0', 'INCRBYFLOAT g 0x10',
    'INCRBYFLOAT g 1e4000', 'INCRBYFLOAT g -1e4000', 'INCRBYFLOAT g 1e5000', 'INCRBYFLOAT g 9223372036854775807',
    'INCRBYFLOAT g 0.3', 'SET h 18446744073709551615', 'INCRBYFLOAT h 1', 'HINCRBYFLOAT hh f 0.1', 'HINCRBYFLOAT hh f 0.2',
    'HINCRBYFLOAT hh f 1e300', 'HINCRBYFLOAT hh f inf', 'HINCRBYFLOAT hh f 0x1p-3', 'INCRBYFLOAT g 1e',
    ['INCRBYFLOAT', 'g', ' 1'],
  ) },
  { name: 'lists/error-order', steps: steps(
    'SET s v', 'LSET s x y', 'LSET nokey x y', 'LINDEX s x', 'LINDEX nokey x', 'RPUSH l a b', 'LSET l x y', 'LINDEX l x',
    'LSET l 5 y', 'LRANGE s x y', 'LTRIM s x 1', 'LREM s x a', 'LINSERT s MIDDLE a b',
  ) },

  // ---------------------------------------------------------------- wrong types
  { name: 'errors/wrongtype', steps: steps(
    'SET s v', 'LPUSH l a', 'HSET h f v', 'SADD st m', 'ZADD z 1 m', 'GET l', 'INCR h', 'APPEND st x', 'LPUSH s x',
    'LRANGE h 0 -1', 'HGET s f', 'HSET l f v', 'SADD z x', 'SMEMBERS s', 'ZADD st 1 x', 'ZSCORE l x', 'STRLEN z',
    'LLEN s', 'HLEN st', 'SCARD h', 'ZCARD s', 'SINTER st s', 'RPOPLPUSH l s', 'GETRANGE l 0 1', 'SETRANGE l 0 x',
    'MGET s l h', 'GETDEL l', 'INCRBYFLOAT z 1', 'HINCRBY s f 1', 'LPOP z', 'SPOP h', 'ZPOPMIN st', 'SET l x',
    'TYPE l', 'GET l',
  ) },

  // ---------------------------------------------------------------- server / connection
  { name: 'server/misc', steps: steps(
    'PING', 'PING hello', 'PING a b', 'ECHO hi', 'ECHO', 'ECHO a b', 'DBSIZE', 'SET a 1', 'DBSIZE',
    shape('TIME'), type('INFO'), type('INFO server'), type('CLIENT ID'), 'CLIENT SETNAME diff', 'CLIENT GETNAME',
    ['CLIENT', 'SETNAME', 'a b'], 'CLIENT FOO', 'NOSUCHCOMMAND a b', 'NOSUCHCOMMAND', ['nosuch', 'a'.repeat(200)],
    'SELECT 0', 'SELECT abc', type('COMMAND COUNT'), 'DEBUG DIGEST-VALUE nokey', shape('DEBUG DIGEST-VALUE a'),
    'FLUSHALL FOO', 'FLUSHALL SYNC', 'DBSIZE',
  ) },
  { name: 'server/case-insensitive-names', steps: steps(
    'set k v', 'gEt k', 'SeT k v2 xx', 'get k', 'zadd z nx 1 a', 'ZRANGE z 0 -1 withscores', 'expire k 100 gt', 'ttl k',
  ) },
  { name: 'resp3/types', proto: 3, steps: steps(
    'SET k v', 'GET k', 'GET nokey', 'ZADD z 1.5 a 2 b 1.1 c', 'ZSCORE z a', 'ZSCORE z c', 'ZSCORE z nope',
    'ZRANGE z 0 -1 WITHSCORES', 'ZPOPMIN z', 'ZINCRBY z 1 b', 'ZMSCORE z a nope', 'HSET h a 1 b 2',
    pairs('HGETALL h'), 'HGETALL nokey', 'SADD s x y', u('SMEMBERS s'), 'SMEMBERS nokey', 'SISMEMBER s x',
    'LPOP nokey 2', 'LPOP nokey', 'HRANDFIELD nokey 2', 'INCRBYFLOAT f 1.5', 'EXISTS k', 'TTL k', 'DEL k',
    'PING', shape('TIME'), type('INFO'), 'HMGET h a nope', 'ZRANGE z 0 -1', 'ZRANK z b', 'ZRANK z nope',
  ) },
];

// Raw protocol exchanges: exact bytes compared, including whether the server closes.
export const rawCases = [
  { name: 'proto/inline-ping', send: 'PING\r\n' },
  { name: 'proto/inline-lf-only-and-blank-lines', send: '\r\n\n   \r\nPING\nECHO a\n' },
  { name: 'proto/inline-quotes', send: 'ECHO "a\\x41\\n\\t\\\\"\r\nECHO \'a\\\'b\\n\'\r\nECHO "\\xzz"\r\nECHO ""\r\nSET k"v w" x\r\nGET "kv w"\r\n' },
  { name: 'proto/inline-unbalanced', send: 'PING\r\nECHO "abc\r\nPING\r\n' },
  { name: 'proto/inline-quote-not-followed-by-space', send: 'ECHO "abc"d\r\n' },
  { name: 'proto/multibulk-pipelined-split', send: ['*2\r\n$4\r\nEC', 'HO\r\n$3\r', '\nabc\r\n*1\r\n$4\r\nPING\r\n'] },
  { name: 'proto/empty-multibulk-skipped', send: '*0\r\n*-1\r\n*-5\r\nPING\r\n' },
  { name: 'proto/trailing-bytes-unchecked', send: '*1\r\n$4\r\nPINGXY*1\r\n$4\r\nPING\r\n' },
  { name: 'proto/invalid-multibulk-length', send: 'PING\r\n*abc\r\nPING\r\n' },
  { name: 'proto/multibulk-over-int-max', send: '*2147483648\r\n' },
  { name: 'proto/multibulk-plus-sign', send: '*+1\r\n$4\r\nPING\r\n' },
  { name: 'proto/multibulk-leading-zero', send: '*01\r\n$4\r\nPING\r\n' },
  { name: 'proto/expected-dollar', send: '*1\r\nx3\r\nfoo\r\n' },
  { name: 'proto/invalid-bulk-length', send: '*1\r\n$abc\r\n' },
  { name: 'proto/negative-bulk-length', send: '*1\r\n$-1\r\n' },
  { name: 'proto/bulk-over-512mb', send: '*1\r\n$536870913\r\n' },
  { name: 'proto/too-big-inline', send: 'a'.repeat(70000) },
  { name: 'proto/too-big-mbulk-count', send: '*' + '1'.repeat(70000) },
  { name: 'proto/too-big-bulk-count', send: '*1\r\n$' + '1'.repeat(70000) },
];

//! The command engine: a Redis-style command table, dispatch and the per-call context.
//!
//! [`Shard::execute`] runs one command (`argv` = name and arguments as byte strings) against
//! the shard's [`Keyspace`] and answers a [`Reply`] exactly as a Redis 7 client would see it for
//! the protocol in [`CallCtx::proto`] (maps, sets and doubles are built as RESP3 types only when
//! `proto == 3`; with RESP2 they are already flat arrays / bulk strings).
//!
//! Checks, in Redis's order: unknown command → arity → script restrictions (`noscript`,
//! read-only scripts) → keys (same partition, partition owned by this shard, script
//! partition pin) → the command itself.
//!
//! Error texts specific to marekvs (all produced by [`partition_error`]):
//! - keys of one command in different partitions: `CROSSSLOT Keys in request don't hash to the
//!   same slot` (Redis's text: partitions are our unit of atomicity, not slots);
//! - a key of a partition this shard does not own: `ERR key '<key>' is not served by this
//!   shard (partition <n>)`;
//! - inside a script pinned to partition M: `ERR Script attempted to access a key outside its
//!   partition (key '<key>' is in partition <n>, script is pinned to <m>)`.
//!
//! Time (`CallCtx::now_ms`) and randomness (a seeded splitmix64 in the shard) are injected:
//! nothing here reads a clock or a global RNG.
//!
//! Replies were checked against redis-server 7.0.15 (see `tests/golden/` and
//! `test/differential/`). Doubles are 7.0's: `%.17g` in replies (`1.1000000000000001`), and
//! INCRBYFLOAT/HINCRBYFLOAT in emulated x87 `long double` (see [`numfmt`]). Deliberate
//! differences from Redis 7.0:
//! - one database: `SELECT n` and `COPY ... DB n` for n ≠ 0 → `ERR DB index is out of
//!   range`;
//! - `lua-time-limit` defaults to 20 ms (Redis: 5000);
//! - COMMAND INFO key specs are derived from (first, last, step) and carry no notes or tips;
//!   COMMAND DOCS gives summary/since/group only;
//! - DEBUG only knows DIGEST, DIGEST-VALUE and HELP; DIGEST covers user keys and expiry only;
//! - HRANDFIELD/SRANDMEMBER/ZRANDMEMBER refuse |count| > 1,000,000 (`ERR value is out of
//!   range`) instead of exhausting memory (real Redis 7.0 gets OOM-killed);
//! - BLPOP/BRPOP/BLMOVE never block: they answer as if the timeout expired when there is no
//!   data (RESP null array); they are `noscript`, as in Redis 7.0;
//! - glob patterns nested deeper than 1000 `*` never match (bounds the native stack);
//! - HGETALL/HKEYS/SMEMBERS/SCAN orders differ from Redis (fields and members in byte order,
//!   keys in hash order); Redis leaves them unspecified.

mod hashes;
pub(crate) mod keyed_sort;
mod keys;
mod lists;
pub mod scripts;
mod server;
mod sets;
mod strings;
mod zsets;

use crate::keyspace::{Keyspace, WriteOp, WrongType};
use crate::numfmt;
use crate::reply::Reply;
use crate::router::PartitionMap;
use crate::same_bytes::same_bytes;

// ------------------------------------------------------------------ flags

/// Command flags (as COMMAND INFO reports them).
pub mod flags {
    pub const WRITE: u32 = 1;
    pub const READONLY: u32 = 1 << 1;
    pub const DENYOOM: u32 = 1 << 2;
    pub const ADMIN: u32 = 1 << 3;
    pub const NOSCRIPT: u32 = 1 << 4;
    pub const BLOCKING: u32 = 1 << 5;
    pub const LOADING: u32 = 1 << 6;
    pub const STALE: u32 = 1 << 7;
    pub const FAST: u32 = 1 << 8;
    pub const NO_AUTH: u32 = 1 << 9;
    pub const ALLOW_BUSY: u32 = 1 << 10;
    pub const MOVABLEKEYS: u32 = 1 << 11;

    /// Flag names in COMMAND INFO order.
    pub const NAMES: [(u32, &str); 12] = [
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (ADMIN, "admin"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        (ALLOW_BUSY, "allow_busy"),
        (MOVABLEKEYS, "movablekeys"),
    ];
}
use flags::*;

/// Result of a command handler: `Err` carries an error reply (state untouched).
pub type CmdResult = Result<Reply, Reply>;

/// A command handler.
pub type Handler = fn(&mut Shard, &mut CallCtx, &[Vec<u8>]) -> CmdResult;

/// One row of the command table (the fields of Redis's COMMAND INFO).
pub struct CommandSpec {
    /// Lowercase name (`config|get` for subcommands).
    pub name: &'static str,
    /// Redis arity: `n` exactly n arguments including the name, `-n` at least n.
    pub arity: i32,
    /// Bit set of [`flags`].
    pub flags: u32,
    pub first_key: i32,
    pub last_key: i32,
    pub step: i32,
    /// ACL categories, space-separated (`@read @string @fast`).
    pub acl: &'static str,
    /// Documentation group (`string`, `generic`, `hash`, ...).
    pub group: &'static str,
    pub handler: Handler,
    pub subcommands: &'static [CommandSpec],
}

impl CommandSpec {
    /// True when the command has the flag.
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    pub(crate) fn arity_ok(&self, argc: usize) -> bool {
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        let a = i64::from(self.arity);
        if a >= 0 {
            argc == a
        } else {
            argc >= -a
        }
    }
}

#[allow(clippy::too_many_arguments)]
const fn spec(
    name: &'static str,
    arity: i32,
    flags: u32,
    first_key: i32,
    last_key: i32,
    step: i32,
    acl: &'static str,
    group: &'static str,
    handler: Handler,
    subcommands: &'static [CommandSpec],
) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        first_key,
        last_key,
        step,
        acl,
        group,
        handler,
        subcommands,
    }
}

// ------------------------------------------------------------------ table

/// The command table, generated from Redis 7.0 COMMAND INFO.
#[rustfmt::skip]
static COMMANDS: &[CommandSpec] = &[
    spec("get", 2, READONLY|FAST, 1, 1, 1, "@read @string @fast", "string", strings::get, &[]),
    spec("set", -3, WRITE|DENYOOM, 1, 1, 1, "@write @string @slow", "string", strings::set, &[]),
    spec("setnx", 3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::setnx, &[]),
    spec("setex", 4, WRITE|DENYOOM, 1, 1, 1, "@write @string @slow", "string", strings::setex, &[]),
    spec("psetex", 4, WRITE|DENYOOM, 1, 1, 1, "@write @string @slow", "string", strings::psetex, &[]),
    spec("getset", 3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::getset, &[]),
    spec("getdel", 2, WRITE|FAST, 1, 1, 1, "@write @string @fast", "string", strings::getdel, &[]),
    spec("getex", -2, WRITE|FAST, 1, 1, 1, "@write @string @fast", "string", strings::getex, &[]),
    spec("mget", -2, READONLY|FAST, 1, -1, 1, "@read @string @fast", "string", strings::mget, &[]),
    spec("mset", -3, WRITE|DENYOOM, 1, -1, 2, "@write @string @slow", "string", strings::mset, &[]),
    spec("msetnx", -3, WRITE|DENYOOM, 1, -1, 2, "@write @string @slow", "string", strings::msetnx, &[]),
    spec("incr", 2, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::incr, &[]),
    spec("incrby", 3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::incrby, &[]),
    spec("decr", 2, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::decr, &[]),
    spec("decrby", 3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::decrby, &[]),
    spec("incrbyfloat", 3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::incrbyfloat, &[]),
    spec("append", 3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @string @fast", "string", strings::append, &[]),
    spec("strlen", 2, READONLY|FAST, 1, 1, 1, "@read @string @fast", "string", strings::strlen, &[]),
    spec("getrange", 4, READONLY, 1, 1, 1, "@read @string @slow", "string", strings::getrange, &[]),
    spec("substr", 4, READONLY, 1, 1, 1, "@read @string @slow", "string", strings::substr, &[]),
    spec("setrange", 4, WRITE|DENYOOM, 1, 1, 1, "@write @string @slow", "string", strings::setrange, &[]),
    spec("del", -2, WRITE, 1, -1, 1, "@keyspace @write @slow", "generic", keys::del, &[]),
    spec("unlink", -2, WRITE|FAST, 1, -1, 1, "@keyspace @write @fast", "generic", keys::unlink, &[]),
    spec("exists", -2, READONLY|FAST, 1, -1, 1, "@keyspace @read @fast", "generic", keys::exists, &[]),
    spec("touch", -2, READONLY|FAST, 1, -1, 1, "@keyspace @read @fast", "generic", keys::touch, &[]),
    spec("copy", -3, WRITE|DENYOOM, 1, 2, 1, "@keyspace @write @slow", "generic", keys::copy, &[]),
    spec("type", 2, READONLY|FAST, 1, 1, 1, "@keyspace @read @fast", "generic", keys::type_, &[]),
    spec("expire", -3, WRITE|FAST, 1, 1, 1, "@keyspace @write @fast", "generic", keys::expire, &[]),
    spec("pexpire", -3, WRITE|FAST, 1, 1, 1, "@keyspace @write @fast", "generic", keys::pexpire, &[]),
    spec("expireat", -3, WRITE|FAST, 1, 1, 1, "@keyspace @write @fast", "generic", keys::expireat, &[]),
    spec("pexpireat", -3, WRITE|FAST, 1, 1, 1, "@keyspace @write @fast", "generic", keys::pexpireat, &[]),
    spec("ttl", 2, READONLY|FAST, 1, 1, 1, "@keyspace @read @fast", "generic", keys::ttl, &[]),
    spec("pttl", 2, READONLY|FAST, 1, 1, 1, "@keyspace @read @fast", "generic", keys::pttl, &[]),
    spec("expiretime", 2, READONLY|FAST, 1, 1, 1, "@keyspace @read @fast", "generic", keys::expiretime, &[]),
    spec("pexpiretime", 2, READONLY|FAST, 1, 1, 1, "@keyspace @read @fast", "generic", keys::pexpiretime, &[]),
    spec("persist", 2, WRITE|FAST, 1, 1, 1, "@keyspace @write @fast", "generic", keys::persist, &[]),
    spec("rename", 3, WRITE, 1, 2, 1, "@keyspace @write @slow", "generic", keys::rename, &[]),
    spec("renamenx", 3, WRITE|FAST, 1, 2, 1, "@keyspace @write @fast", "generic", keys::renamenx, &[]),
    spec("keys", 2, READONLY, 0, 0, 0, "@keyspace @read @slow @dangerous", "generic", keys::keys, &[]),
    spec("scan", -2, READONLY, 0, 0, 0, "@keyspace @read @slow", "generic", keys::scan, &[]),
    spec("dbsize", 1, READONLY|FAST, 0, 0, 0, "@keyspace @read @fast", "generic", keys::dbsize, &[]),
    spec("randomkey", 1, READONLY, 0, 0, 0, "@keyspace @read @slow", "generic", keys::randomkey, &[]),
    spec("flushall", -1, WRITE, 0, 0, 0, "@keyspace @write @slow @dangerous", "generic", keys::flushall, &[]),
    spec("flushdb", -1, WRITE, 0, 0, 0, "@keyspace @write @slow @dangerous", "generic", keys::flushdb, &[]),
    spec("hset", -4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @hash @fast", "hash", hashes::hset, &[]),
    spec("hsetnx", 4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @hash @fast", "hash", hashes::hsetnx, &[]),
    spec("hget", 3, READONLY|FAST, 1, 1, 1, "@read @hash @fast", "hash", hashes::hget, &[]),
    spec("hmget", -3, READONLY|FAST, 1, 1, 1, "@read @hash @fast", "hash", hashes::hmget, &[]),
    spec("hmset", -4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @hash @fast", "hash", hashes::hmset, &[]),
    spec("hdel", -3, WRITE|FAST, 1, 1, 1, "@write @hash @fast", "hash", hashes::hdel, &[]),
    spec("hexists", 3, READONLY|FAST, 1, 1, 1, "@read @hash @fast", "hash", hashes::hexists, &[]),
    spec("hlen", 2, READONLY|FAST, 1, 1, 1, "@read @hash @fast", "hash", hashes::hlen, &[]),
    spec("hgetall", 2, READONLY, 1, 1, 1, "@read @hash @slow", "hash", hashes::hgetall, &[]),
    spec("hkeys", 2, READONLY, 1, 1, 1, "@read @hash @slow", "hash", hashes::hkeys, &[]),
    spec("hvals", 2, READONLY, 1, 1, 1, "@read @hash @slow", "hash", hashes::hvals, &[]),
    spec("hincrby", 4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @hash @fast", "hash", hashes::hincrby, &[]),
    spec("hincrbyfloat", 4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @hash @fast", "hash", hashes::hincrbyfloat, &[]),
    spec("hstrlen", 3, READONLY|FAST, 1, 1, 1, "@read @hash @fast", "hash", hashes::hstrlen, &[]),
    spec("hrandfield", -2, READONLY, 1, 1, 1, "@read @hash @slow", "hash", hashes::hrandfield, &[]),
    spec("hscan", -3, READONLY, 1, 1, 1, "@read @hash @slow", "hash", hashes::hscan, &[]),
    spec("sadd", -3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @set @fast", "set", sets::sadd, &[]),
    spec("srem", -3, WRITE|FAST, 1, 1, 1, "@write @set @fast", "set", sets::srem, &[]),
    spec("smembers", 2, READONLY, 1, 1, 1, "@read @set @slow", "set", sets::smembers, &[]),
    spec("sismember", 3, READONLY|FAST, 1, 1, 1, "@read @set @fast", "set", sets::sismember, &[]),
    spec("smismember", -3, READONLY|FAST, 1, 1, 1, "@read @set @fast", "set", sets::smismember, &[]),
    spec("scard", 2, READONLY|FAST, 1, 1, 1, "@read @set @fast", "set", sets::scard, &[]),
    spec("spop", -2, WRITE|FAST, 1, 1, 1, "@write @set @fast", "set", sets::spop, &[]),
    spec("srandmember", -2, READONLY, 1, 1, 1, "@read @set @slow", "set", sets::srandmember, &[]),
    spec("smove", 4, WRITE|FAST, 1, 2, 1, "@write @set @fast", "set", sets::smove, &[]),
    spec("sinter", -2, READONLY, 1, -1, 1, "@read @set @slow", "set", sets::sinter, &[]),
    spec("sunion", -2, READONLY, 1, -1, 1, "@read @set @slow", "set", sets::sunion, &[]),
    spec("sdiff", -2, READONLY, 1, -1, 1, "@read @set @slow", "set", sets::sdiff, &[]),
    spec("sinterstore", -3, WRITE|DENYOOM, 1, -1, 1, "@write @set @slow", "set", sets::sinterstore, &[]),
    spec("sunionstore", -3, WRITE|DENYOOM, 1, -1, 1, "@write @set @slow", "set", sets::sunionstore, &[]),
    spec("sdiffstore", -3, WRITE|DENYOOM, 1, -1, 1, "@write @set @slow", "set", sets::sdiffstore, &[]),
    spec("sintercard", -3, READONLY|MOVABLEKEYS, 0, 0, 0, "@read @set @slow", "set", sets::sintercard, &[]),
    spec("sscan", -3, READONLY, 1, 1, 1, "@read @set @slow", "set", sets::sscan, &[]),
    spec("lpush", -3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @list @fast", "list", lists::lpush, &[]),
    spec("rpush", -3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @list @fast", "list", lists::rpush, &[]),
    spec("lpushx", -3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @list @fast", "list", lists::lpushx, &[]),
    spec("rpushx", -3, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @list @fast", "list", lists::rpushx, &[]),
    spec("lpop", -2, WRITE|FAST, 1, 1, 1, "@write @list @fast", "list", lists::lpop, &[]),
    spec("rpop", -2, WRITE|FAST, 1, 1, 1, "@write @list @fast", "list", lists::rpop, &[]),
    spec("lrange", 4, READONLY, 1, 1, 1, "@read @list @slow", "list", lists::lrange, &[]),
    spec("llen", 2, READONLY|FAST, 1, 1, 1, "@read @list @fast", "list", lists::llen, &[]),
    spec("lindex", 3, READONLY, 1, 1, 1, "@read @list @slow", "list", lists::lindex, &[]),
    spec("lset", 4, WRITE|DENYOOM, 1, 1, 1, "@write @list @slow", "list", lists::lset, &[]),
    spec("lrem", 4, WRITE, 1, 1, 1, "@write @list @slow", "list", lists::lrem, &[]),
    spec("ltrim", 4, WRITE, 1, 1, 1, "@write @list @slow", "list", lists::ltrim, &[]),
    spec("linsert", 5, WRITE|DENYOOM, 1, 1, 1, "@write @list @slow", "list", lists::linsert, &[]),
    spec("lpos", -3, READONLY, 1, 1, 1, "@read @list @slow", "list", lists::lpos, &[]),
    spec("rpoplpush", 3, WRITE|DENYOOM, 1, 2, 1, "@write @list @slow", "list", lists::rpoplpush, &[]),
    spec("lmove", 5, WRITE|DENYOOM, 1, 2, 1, "@write @list @slow", "list", lists::lmove, &[]),
    spec("blpop", -3, WRITE|NOSCRIPT|BLOCKING, 1, -2, 1, "@write @list @slow @blocking", "list", lists::blpop, &[]),
    spec("brpop", -3, WRITE|NOSCRIPT|BLOCKING, 1, -2, 1, "@write @list @slow @blocking", "list", lists::brpop, &[]),
    spec("blmove", 6, WRITE|DENYOOM|NOSCRIPT|BLOCKING, 1, 2, 1, "@write @list @slow @blocking", "list", lists::blmove, &[]),
    spec("zadd", -4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @sortedset @fast", "sorted_set", zsets::zadd, &[]),
    spec("zrem", -3, WRITE|FAST, 1, 1, 1, "@write @sortedset @fast", "sorted_set", zsets::zrem, &[]),
    spec("zscore", 3, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zscore, &[]),
    spec("zmscore", -3, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zmscore, &[]),
    spec("zincrby", 4, WRITE|DENYOOM|FAST, 1, 1, 1, "@write @sortedset @fast", "sorted_set", zsets::zincrby, &[]),
    spec("zcard", 2, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zcard, &[]),
    spec("zcount", 4, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zcount, &[]),
    spec("zrange", -4, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrange, &[]),
    spec("zrangebyscore", -4, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrangebyscore, &[]),
    spec("zrevrange", -4, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrevrange, &[]),
    spec("zrevrangebyscore", -4, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrevrangebyscore, &[]),
    spec("zrangebylex", -4, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrangebylex, &[]),
    spec("zrevrangebylex", -4, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrevrangebylex, &[]),
    spec("zlexcount", 4, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zlexcount, &[]),
    spec("zremrangebylex", 4, WRITE, 1, 1, 1, "@write @sortedset @slow", "sorted_set", zsets::zremrangebylex, &[]),
    spec("zremrangebyrank", 4, WRITE, 1, 1, 1, "@write @sortedset @slow", "sorted_set", zsets::zremrangebyrank, &[]),
    spec("zremrangebyscore", 4, WRITE, 1, 1, 1, "@write @sortedset @slow", "sorted_set", zsets::zremrangebyscore, &[]),
    spec("zunionstore", -4, WRITE|DENYOOM|MOVABLEKEYS, 1, 1, 1, "@write @sortedset @slow", "sorted_set", zsets::zunionstore, &[]),
    spec("zinterstore", -4, WRITE|DENYOOM|MOVABLEKEYS, 1, 1, 1, "@write @sortedset @slow", "sorted_set", zsets::zinterstore, &[]),
    spec("zdiffstore", -4, WRITE|DENYOOM|MOVABLEKEYS, 1, 1, 1, "@write @sortedset @slow", "sorted_set", zsets::zdiffstore, &[]),
    spec("zunion", -3, READONLY|MOVABLEKEYS, 0, 0, 0, "@read @sortedset @slow", "sorted_set", zsets::zunion, &[]),
    spec("zinter", -3, READONLY|MOVABLEKEYS, 0, 0, 0, "@read @sortedset @slow", "sorted_set", zsets::zinter, &[]),
    spec("zdiff", -3, READONLY|MOVABLEKEYS, 0, 0, 0, "@read @sortedset @slow", "sorted_set", zsets::zdiff, &[]),
    spec("zintercard", -3, READONLY|MOVABLEKEYS, 0, 0, 0, "@read @sortedset @slow", "sorted_set", zsets::zintercard, &[]),
    spec("zrank", 3, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zrank, &[]),
    spec("zrevrank", 3, READONLY|FAST, 1, 1, 1, "@read @sortedset @fast", "sorted_set", zsets::zrevrank, &[]),
    spec("zpopmin", -2, WRITE|FAST, 1, 1, 1, "@write @sortedset @fast", "sorted_set", zsets::zpopmin, &[]),
    spec("zpopmax", -2, WRITE|FAST, 1, 1, 1, "@write @sortedset @fast", "sorted_set", zsets::zpopmax, &[]),
    spec("zrangestore", -5, WRITE|DENYOOM, 1, 2, 1, "@write @sortedset @slow", "sorted_set", zsets::zrangestore, &[]),
    spec("zrandmember", -2, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zrandmember, &[]),
    spec("zscan", -3, READONLY, 1, 1, 1, "@read @sortedset @slow", "sorted_set", zsets::zscan, &[]),
    spec("ping", -1, FAST, 0, 0, 0, "@fast @connection", "server", server::ping, &[]),
    spec("echo", 2, LOADING|STALE|FAST, 0, 0, 0, "@fast @connection", "server", server::echo, &[]),
    spec("time", 1, LOADING|STALE|FAST, 0, 0, 0, "@fast", "server", server::time, &[]),
    spec("hello", -1, NOSCRIPT|LOADING|STALE|FAST|NO_AUTH|ALLOW_BUSY, 0, 0, 0, "@fast @connection", "server", server::hello, &[]),
    spec("select", 2, LOADING|STALE|FAST, 0, 0, 0, "@fast @connection", "server", server::select, &[]),
    spec("info", -1, LOADING|STALE, 0, 0, 0, "@slow @dangerous", "server", server::info, &[]),
    spec("config", -2, 0, 0, 0, 0, "@slow", "server", server::config_subcommand, &CONFIG_SUBS),
    spec("command", -1, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_subcommand, &COMMAND_SUBS),
    spec("client", -2, 0, 0, 0, 0, "@slow", "server", server::client_subcommand, &CLIENT_SUBS),
    spec("quit", -1, NOSCRIPT|LOADING|STALE|FAST|NO_AUTH|ALLOW_BUSY, 0, 0, 0, "@fast @connection", "server", server::quit, &[]),
    spec("debug", -2, ADMIN|NOSCRIPT|LOADING|STALE, 0, 0, 0, "@admin @slow @dangerous", "server", server::debug, &[]),
    spec("eval", -3, NOSCRIPT|STALE|MOVABLEKEYS, 0, 0, 0, "@slow @scripting", "scripting", scripts::eval, &[]),
    spec("eval_ro", -3, NOSCRIPT|STALE|READONLY|MOVABLEKEYS, 0, 0, 0, "@slow @scripting", "scripting", scripts::eval_ro, &[]),
    spec("evalsha", -3, NOSCRIPT|STALE|MOVABLEKEYS, 0, 0, 0, "@slow @scripting", "scripting", scripts::evalsha, &[]),
    spec("evalsha_ro", -3, NOSCRIPT|STALE|READONLY|MOVABLEKEYS, 0, 0, 0, "@slow @scripting", "scripting", scripts::evalsha_ro, &[]),
    spec("script", -2, 0, 0, 0, 0, "@slow", "scripting", scripts::script, &SCRIPT_SUBS),
];
#[rustfmt::skip]
static SCRIPT_SUBS: [CommandSpec; 5] = [
    spec("script|load", 3, NOSCRIPT|STALE, 0, 0, 0, "@slow @scripting", "scripting", scripts::script, &[]),
    spec("script|exists", -3, NOSCRIPT|STALE, 0, 0, 0, "@slow @scripting", "scripting", scripts::script, &[]),
    spec("script|flush", -2, NOSCRIPT, 0, 0, 0, "@slow @scripting", "scripting", scripts::script, &[]),
    spec("script|kill", 2, NOSCRIPT|ALLOW_BUSY, 0, 0, 0, "@slow @scripting", "scripting", scripts::script, &[]),
    spec("script|help", 2, LOADING|STALE, 0, 0, 0, "@slow @scripting", "scripting", scripts::script, &[]),
];
#[rustfmt::skip]
static CONFIG_SUBS: [CommandSpec; 4] = [
    spec("config|get", -3, ADMIN|NOSCRIPT|LOADING|STALE, 0, 0, 0, "@admin @slow @dangerous", "server", server::config_get, &[]),
    spec("config|set", -4, ADMIN|NOSCRIPT|LOADING|STALE, 0, 0, 0, "@admin @slow @dangerous", "server", server::config_set, &[]),
    spec("config|resetstat", 2, ADMIN|NOSCRIPT|LOADING|STALE, 0, 0, 0, "@admin @slow @dangerous", "server", server::config_resetstat, &[]),
    spec("config|help", 2, LOADING|STALE, 0, 0, 0, "@slow", "server", server::config_help, &[]),
];
#[rustfmt::skip]
static COMMAND_SUBS: [CommandSpec; 6] = [
    spec("command|getkeys", -4, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_getkeys, &[]),
    spec("command|count", 2, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_count, &[]),
    spec("command|list", -2, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_list, &[]),
    spec("command|docs", -2, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_docs, &[]),
    spec("command|info", -2, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_info, &[]),
    spec("command|help", 2, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::command_help, &[]),
];
#[rustfmt::skip]
static CLIENT_SUBS: [CommandSpec; 5] = [
    spec("client|getname", 2, NOSCRIPT|LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::client_getname, &[]),
    spec("client|id", 2, NOSCRIPT|LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::client_id, &[]),
    spec("client|setname", 3, NOSCRIPT|LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::client_setname, &[]),
    spec("client|info", 2, NOSCRIPT|LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::client_info, &[]),
    spec("client|help", 2, LOADING|STALE, 0, 0, 0, "@slow @connection", "server", server::client_help, &[]),
];

/// The whole command table (top-level commands; subcommands hang off their container).
pub fn command_table() -> &'static [CommandSpec] {
    COMMANDS
}

/// The top-level commands by lowercase name (built once). The key set is fixed and known, so
/// foldhash's fixed seed is fine here (nobody can insert into this map).
fn commands_by_name() -> &'static CommandIndex {
    static INDEX: std::sync::OnceLock<CommandIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| COMMANDS.iter().map(|c| (c.name.as_bytes(), c)).collect())
}

type CommandIndex =
    std::collections::HashMap<&'static [u8], &'static CommandSpec, foldhash::fast::FixedState>;

/// Longest top-level command name accepted by [`lookup`] (longer names are unknown).
const MAX_NAME: usize = 32;

/// Case-insensitive lookup of a top-level command: the name is lowercased into a stack
/// buffer and looked up in a hash map (no allocation; a binary search with case-insensitive
/// compares was ≈ 400 instructions per command).
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    let mut buf = [0u8; MAX_NAME];
    let lower = buf.get_mut(..name.len())?;
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    commands_by_name().get(&*lower).copied()
}

fn lookup_sub(parent: &'static CommandSpec, sub: &[u8]) -> Option<&'static CommandSpec> {
    parent.subcommands.iter().find(|c| {
        c.name
            .split_once('|')
            .is_some_and(|(_, s)| s.as_bytes().eq_ignore_ascii_case(sub))
    })
}

/// Redis's printable form of a client-supplied string in an error (newlines → spaces).
fn sanitize(b: &[u8], max: usize) -> String {
    let s = String::from_utf8_lossy(b.get(..max.min(b.len())).unwrap_or(b));
    s.replace(['\r', '\n'], " ")
}

fn unknown_command(argv: &[Vec<u8>]) -> Reply {
    let mut args = String::new();
    for a in argv.iter().skip(1) {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push('\'');
        args.push_str(&sanitize(a, room));
        args.push_str("' ");
    }
    let name = argv.first().map(|n| sanitize(n, 128)).unwrap_or_default();
    Reply::err(format!(
        "ERR unknown command '{name}', with args beginning with: {args}"
    ))
}

pub(crate) fn wrong_arity(name: &str) -> Reply {
    Reply::err(format!(
        "ERR wrong number of arguments for '{name}' command"
    ))
}

/// Resolve `argv` to its command spec (subcommand when the command has them), checking
/// arity. `Err` is the error reply Redis gives.
pub fn resolve(argv: &[Vec<u8>]) -> Result<&'static CommandSpec, Reply> {
    let name = argv.first().ok_or_else(|| unknown_command(argv))?;
    let cmd = lookup(name).ok_or_else(|| unknown_command(argv))?;
    if !cmd.subcommands.is_empty() {
        if let Some(sub) = argv.get(1) {
            let Some(sc) = lookup_sub(cmd, sub) else {
                return Err(Reply::err(format!(
                    "ERR unknown subcommand '{}'. Try {} HELP.",
                    sanitize(sub, 128),
                    cmd.name.to_ascii_uppercase()
                )));
            };
            if !sc.arity_ok(argv.len()) {
                return Err(wrong_arity(sc.name));
            }
            return Ok(sc);
        }
    }
    if !cmd.arity_ok(argv.len()) {
        return Err(wrong_arity(cmd.name));
    }
    Ok(cmd)
}

/// Key positions of a command from the table (first/last/step, or the command's own rule
/// for movable keys). Malformed movable-key arguments give no keys (the handler reports).
pub(crate) fn key_positions(spec: &CommandSpec, argc: usize, argv: &[Vec<u8>]) -> Vec<usize> {
    if spec.has(MOVABLEKEYS) {
        // SINTERCARD/ZINTERCARD/ZUNION/ZINTER/ZDIFF numkeys key [key ...] ...;
        // EVAL* script numkeys key [key ...] arg...;
        // Z{UNION,INTER,DIFF}STORE destination numkeys key [key ...] ...
        let store = spec.name.ends_with("store");
        let at = if spec.name.starts_with("eval") || store {
            2
        } else {
            1
        };
        let n = argv
            .get(at)
            .and_then(|b| numfmt::parse_i64(b))
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        if n == 0 || n > argc.saturating_sub(at + 1) {
            return Vec::new();
        }
        let keys = at + 1..at + 1 + n;
        return if store {
            std::iter::once(1).chain(keys).collect()
        } else {
            keys.collect()
        };
    }
    if spec.first_key <= 0 {
        return Vec::new();
    }
    let argc_i = i64::try_from(argc).unwrap_or(0);
    let first = i64::from(spec.first_key);
    let last = if spec.last_key < 0 {
        argc_i + i64::from(spec.last_key)
    } else {
        i64::from(spec.last_key)
    };
    let step = i64::from(spec.step.max(1));
    let mut out = Vec::new();
    let mut i = first;
    while i <= last && i < argc_i {
        out.push(usize::try_from(i).unwrap_or(0));
        i += step;
    }
    out
}

/// The optional `count` of SPOP / LPOP / RPOP / ZPOPMIN / ZPOPMAX (`argv[2]`, the last
/// argument): `None` when absent; Redis's texts for a bad one.
pub(crate) fn pop_count(argv: &[Vec<u8>]) -> Result<Option<usize>, Reply> {
    match argv.get(2) {
        None => Ok(None),
        Some(c) if argv.len() == 3 => {
            let c = int_arg(c)
                .map_err(|_| Reply::err("ERR value is out of range, must be positive"))?;
            if c < 0 {
                return Err(Reply::err("ERR value is out of range, must be positive"));
            }
            Ok(Some(usize::try_from(c).unwrap_or(usize::MAX)))
        }
        Some(_) => Err(syntax()),
    }
}

/// The keys a command would touch (for routers): resolves the command through the table.
pub fn command_keys(argv: &[Vec<u8>]) -> Result<Vec<&[u8]>, Reply> {
    let spec = resolve(argv)?;
    Ok(key_positions(spec, argv.len(), argv)
        .into_iter()
        .filter_map(|i| argv.get(i).map(|k| k.as_slice()))
        .collect())
}

// ------------------------------------------------------------------ context

/// Per-call (per-connection) context. The caller sets `now_ms` before every command.
#[derive(Debug, Clone)]
pub struct CallCtx {
    /// Current time, unix ms (drives expiry, TIME, TTL).
    pub now_ms: i64,
    /// Protocol version of the client: 2 or 3 (HELLO changes it).
    pub proto: u8,
    /// CLIENT ID.
    pub client_id: u64,
    /// CLIENT SETNAME/GETNAME.
    pub client_name: Option<Vec<u8>>,
    /// True while executing `redis.call` from a script.
    pub in_script: bool,
    /// True for EVAL_RO/EVALSHA_RO/FCALL_RO and `no-writes` scripts.
    pub script_readonly: bool,
    /// The partition a script is pinned to; keys elsewhere are refused.
    pub partition_pin: Option<u16>,
    /// When true and `partition_pin` is `None`, the first key touched sets the pin.
    pub pin_on_first_key: bool,
    /// Set by QUIT: the server should close the connection after the reply.
    pub quit: bool,
}

impl Default for CallCtx {
    fn default() -> Self {
        CallCtx {
            now_ms: 0,
            proto: 2,
            client_id: 1,
            client_name: None,
            in_script: false,
            script_readonly: false,
            partition_pin: None,
            pin_on_first_key: false,
            quit: false,
        }
    }
}

impl CallCtx {
    /// A plain client context at time `now_ms` (RESP2).
    pub fn new(now_ms: i64) -> CallCtx {
        CallCtx {
            now_ms,
            ..CallCtx::default()
        }
    }

    /// A double as the client sees it (RESP3 double, RESP2 bulk string).
    pub fn double(&self, v: f64) -> Reply {
        if self.proto >= 3 {
            Reply::Double(v)
        } else {
            Reply::Bulk(numfmt::fmt_double(v).into_bytes())
        }
    }

    /// A map (RESP3) or a flat array of key, value, ... (RESP2).
    pub fn map(&self, pairs: Vec<(Reply, Reply)>) -> Reply {
        if self.proto >= 3 {
            Reply::Map(pairs)
        } else {
            Reply::Array(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
        }
    }

    /// A set (RESP3) or an array (RESP2).
    pub fn set(&self, items: Vec<Reply>) -> Reply {
        if self.proto >= 3 {
            Reply::Set(items)
        } else {
            Reply::Array(items)
        }
    }
}

/// Runtime configuration other code can read (CONFIG GET/SET).
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Script wall-clock budget in ms (`lua-time-limit`, alias `busy-reply-threshold`).
    pub lua_time_limit_ms: u64,
    /// `maxmemory` in bytes (0 = unlimited; stored, not enforced by the core).
    pub maxmemory: u64,
    /// `maxmemory-policy`.
    pub maxmemory_policy: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            lua_time_limit_ms: 20,
            maxmemory: 0,
            maxmemory_policy: "noeviction".to_string(),
        }
    }
}

/// Counters for INFO stats.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub commands_processed: u64,
    pub keyspace_hits: u64,
    pub keyspace_misses: u64,
    pub expired_keys: u64,
}

/// splitmix64: a tiny seeded PRNG (no global RNG anywhere).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// Seeded generator.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when n == 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % (n as u64)) as usize
    }
}

// ------------------------------------------------------------------ shard

/// One shard: the keyspace of the partitions it owns, plus config, stats and a PRNG.
#[derive(Debug, Clone)]
pub struct Shard {
    pub(crate) ks: Keyspace,
    pmap: PartitionMap,
    owned: Vec<bool>,
    /// Runtime configuration (CONFIG GET/SET).
    pub config: Config,
    pub(crate) rng: Rng,
    pub(crate) stats: Stats,
    /// Time of the first command (INFO uptime).
    pub(crate) started_ms: Option<i64>,
    /// The Lua engine and script cache, created by the first script command.
    pub(crate) scripting: scripts::ScriptSlot,
    /// Memory budget of one script (the time budget is `config.lua_time_limit_ms`).
    pub script_limits: crate::lua::Limits,
    /// Replication: version vectors, effect logs, outgoing effects (see [`crate::effects`]).
    pub(crate) repl: crate::effects::log::Replication,
    /// The partition of the one key of the command [`Shard::execute`] last ran, and that
    /// key's position in its argv (set by `run_resolved` after the handler, so a nested
    /// `redis.call` cannot leave its own behind): the effects of that key are routed without
    /// a second CRC16 (the key's bytes are compared, so the route stays exact).
    routed: Option<(u16, usize)>,
    /// What the previous command resolved to (see [`Memo`]).
    memo: Memo,
}

/// The previous command's name and spec and the previous single key's partition. A pipeline
/// mostly repeats one command, often on one key (a counter, redis-benchmark's `-P 16`): the
/// name's exact bytes reuse the spec (the lowercasing and hashed lookup cost ≈ 170
/// instructions, the compare ≈ 20) and the key's exact bytes reuse its partition (the hash-tag
/// search and CRC16 cost ≈ 200). Exact byte compares, so the result is the same as without.
#[derive(Clone, Default)]
struct Memo {
    name: Vec<u8>,
    spec: Option<&'static CommandSpec>,
    key: Vec<u8>,
    part: Option<u16>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("name", &String::from_utf8_lossy(&self.name))
            .field("spec", &self.spec.map(|s| s.name))
            .field("part", &self.part)
            .finish()
    }
}

/// Longest key (and name) the [`Memo`] keeps: longer ones are routed each time.
const MEMO_MAX: usize = 64;

impl Shard {
    /// A shard over `pmap` owning the given partitions (out-of-range ids are ignored).
    pub fn new(pmap: PartitionMap, owned: impl IntoIterator<Item = u16>, seed: u64) -> Shard {
        let mut own = vec![false; usize::from(pmap.count())];
        for p in owned {
            if let Some(slot) = own.get_mut(usize::from(p)) {
                *slot = true;
            }
        }
        let mut ks = Keyspace::new();
        // Default node id derived from the seed (use `set_node_id` to give each node its own).
        ks.set_node_id(Rng::new(seed ^ 0x6d61_7265_6b76_7321).next_u64() | 1);
        Shard {
            ks,
            pmap,
            owned: own,
            config: Config::default(),
            rng: Rng::new(seed),
            stats: Stats::default(),
            started_ms: None,
            scripting: scripts::ScriptSlot::default(),
            script_limits: crate::lua::Limits::default(),
            repl: crate::effects::log::Replication::default(),
            routed: None,
            memo: Memo::default(),
        }
    }

    /// A shard owning every partition of `pmap`.
    pub fn owning_all(pmap: PartitionMap, seed: u64) -> Shard {
        let n = pmap.count();
        Shard::new(pmap, 0..n, seed)
    }

    /// A standalone shard: one partition, owned.
    pub fn standalone(seed: u64) -> Shard {
        Shard::owning_all(PartitionMap::new(1), seed)
    }

    /// The partition map.
    pub fn partition_map(&self) -> PartitionMap {
        self.pmap
    }

    /// True when this shard owns partition `p`.
    pub fn owns(&self, p: u16) -> bool {
        self.owned.get(usize::from(p)).copied().unwrap_or(false)
    }

    /// Read access to the keyspace.
    pub fn keyspace(&self) -> &Keyspace {
        &self.ks
    }

    /// Write access to the keyspace (effects layer, script cache records).
    pub fn keyspace_mut(&mut self) -> &mut Keyspace {
        &mut self.ks
    }

    /// Start recording the [`WriteOp`]s applied by following commands.
    pub fn start_journal(&mut self) {
        self.ks.start_journal();
    }

    /// Stop recording and return the ops applied since [`Shard::start_journal`].
    pub fn take_journal(&mut self) -> Vec<WriteOp> {
        self.ks.take_journal()
    }

    /// Bounded active expiry sweep (see [`Keyspace::active_expire`]).
    pub fn active_expire(&mut self, now_ms: i64, budget: usize) -> usize {
        let n = self.ks.active_expire(now_ms, budget);
        self.stats.expired_keys = self.stats.expired_keys.saturating_add(n as u64);
        n
    }

    /// Check that all `keys` are in one partition this shard owns (and the script pin).
    /// Returns the partition, or `None` when there are no keys.
    pub fn check_keys(&self, keys: &[&[u8]], cx: &mut CallCtx) -> Result<Option<u16>, Reply> {
        let Some(first) = keys.first() else {
            return Ok(None);
        };
        let p = self.pmap.partition_of_key(first);
        // Each key is hashed once (CRC16 is a third of a GET's routing cost).
        if keys
            .get(1..)
            .is_some_and(|rest| rest.iter().any(|k| self.pmap.partition_of_key(k) != p))
        {
            return Err(partition_error(PartitionError::CrossSlot));
        }
        self.check_partition(first, p, cx)
    }

    /// [`Shard::check_keys`] of a command's one key, its partition remembered for the next
    /// command on the same key (see [`Memo`]).
    fn check_key(&mut self, key: &[u8], cx: &mut CallCtx) -> Result<Option<u16>, Reply> {
        let p = match self.memo.part {
            Some(p) if same_bytes(&self.memo.key, key) => p,
            _ => {
                let p = self.pmap.partition_of_key(key);
                if key.len() <= MEMO_MAX {
                    self.memo.key.clear();
                    self.memo.key.extend_from_slice(key);
                    self.memo.part = Some(p);
                }
                p
            }
        };
        self.check_partition(key, p, cx)
    }

    /// The ownership and script-pin checks of the partition `p` of a command's keys (`first`
    /// is the first key, for the error texts).
    #[inline]
    fn check_partition(
        &self,
        first: &[u8],
        p: u16,
        cx: &mut CallCtx,
    ) -> Result<Option<u16>, Reply> {
        if !self.owns(p) {
            return Err(partition_error(PartitionError::NotServed {
                key: first,
                partition: p,
            }));
        }
        match cx.partition_pin {
            Some(pin) if pin != p => {
                return Err(partition_error(PartitionError::OutsidePin {
                    key: first,
                    partition: p,
                    pin,
                }))
            }
            None if cx.pin_on_first_key => cx.partition_pin = Some(p),
            _ => {}
        }
        Ok(Some(p))
    }

    /// Execute one command. Never panics on any input; errors are error replies. The
    /// command's effects are queued for [`Shard::take_effects`] (a script's when it ends).
    pub fn execute(&mut self, argv: &[Vec<u8>], cx: &mut CallCtx) -> Reply {
        self.routed = None;
        let r = self.execute_command(argv, cx);
        let routed = self
            .routed
            .take()
            .and_then(|(p, i)| argv.get(i).map(|k| (p, k.as_slice())));
        self.collect_effects_routed(routed);
        r
    }

    /// [`Shard::execute`] for a command its caller already resolved (`redis.call` resolves
    /// first to answer with the script-specific texts), so the table is searched once.
    pub fn execute_resolved(
        &mut self,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
        cx: &mut CallCtx,
    ) -> Reply {
        let r = self.run_resolved(spec, argv, cx);
        self.collect_effects();
        r
    }

    fn execute_command(&mut self, argv: &[Vec<u8>], cx: &mut CallCtx) -> Reply {
        match self.resolve_memo(argv) {
            Ok(spec) => self.run_resolved(spec, argv, cx),
            Err(e) => {
                self.count_command(cx);
                e
            }
        }
    }

    /// [`resolve`], reusing the previous command's spec when the name has the same bytes
    /// (commands with subcommands are resolved each time).
    fn resolve_memo(&mut self, argv: &[Vec<u8>]) -> Result<&'static CommandSpec, Reply> {
        if let (Some(spec), Some(name)) = (self.memo.spec, argv.first()) {
            if same_bytes(&self.memo.name, name) {
                return if spec.arity_ok(argv.len()) {
                    Ok(spec)
                } else {
                    Err(wrong_arity(spec.name))
                };
            }
        }
        let spec = resolve(argv)?;
        if let Some(name) = argv.first().filter(|n| n.len() <= MEMO_MAX) {
            // A container (`config`) and its subcommands (`config|get`) are resolved from
            // two arguments: not memoized.
            if spec.subcommands.is_empty() && !spec.name.contains('|') {
                self.memo.name.clear();
                self.memo.name.extend_from_slice(name);
                self.memo.spec = Some(spec);
            }
        }
        Ok(spec)
    }

    fn count_command(&mut self, cx: &CallCtx) {
        self.ks.set_now(cx.now_ms);
        if self.started_ms.is_none() {
            self.started_ms = Some(cx.now_ms);
        }
        self.stats.commands_processed = self.stats.commands_processed.saturating_add(1);
    }

    fn run_resolved(
        &mut self,
        spec: &'static CommandSpec,
        argv: &[Vec<u8>],
        cx: &mut CallCtx,
    ) -> Reply {
        self.count_command(cx);
        if cx.in_script {
            // A subcommand (`config|get`) inherits its container's `noscript`.
            let parent_noscript = spec.name.contains('|')
                && argv
                    .first()
                    .and_then(|n| lookup(n))
                    .is_some_and(|p| p.has(NOSCRIPT));
            if spec.has(NOSCRIPT) || parent_noscript {
                return Reply::err("ERR This Redis command is not allowed from script");
            }
            if cx.script_readonly && spec.has(WRITE) {
                return Reply::err("ERR Write commands are not allowed from read-only scripts.");
            }
        }
        let mut route = None;
        let checked =
            if !spec.has(MOVABLEKEYS) && spec.first_key > 0 && spec.last_key == spec.first_key {
                // One key at a fixed position (most commands): no position vectors to allocate.
                let i = usize::try_from(spec.first_key).unwrap_or(usize::MAX);
                match argv.get(i) {
                    Some(k) => {
                        let checked = self.check_key(k, cx);
                        if let Ok(Some(p)) = checked {
                            route = Some((p, i));
                        }
                        checked
                    }
                    None => self.check_keys(&[], cx),
                }
            } else if spec.has(MOVABLEKEYS) && spec.name.starts_with("eval") {
                // The EVAL family checks its declared keys itself, with the same context and
                // texts, before loading or looking up the script (`Scripting::eval`): once per
                // call, and no position vector.
                Ok(None)
            } else {
                let keys: Vec<&[u8]> = key_positions(spec, argv.len(), argv)
                    .into_iter()
                    .filter_map(|i| argv.get(i).map(|k| k.as_slice()))
                    .collect();
                self.check_keys(&keys, cx)
            };
        if let Err(e) = checked {
            return e;
        }
        let r = match (spec.handler)(self, cx, argv) {
            Ok(r) | Err(r) => r,
        };
        // After the handler: commands a script ran inside it set their own routes first.
        self.routed = route;
        r
    }
}

/// The partition-related refusals (one place for their texts).
#[derive(Debug)]
pub enum PartitionError<'a> {
    /// Keys of one command in different partitions.
    CrossSlot,
    /// Key in a partition this shard does not own.
    NotServed { key: &'a [u8], partition: u16 },
    /// Script pinned to another partition.
    OutsidePin {
        key: &'a [u8],
        partition: u16,
        pin: u16,
    },
}

/// The error reply for a [`PartitionError`].
pub fn partition_error(e: PartitionError<'_>) -> Reply {
    match e {
        PartitionError::CrossSlot => {
            Reply::err("CROSSSLOT Keys in request don't hash to the same slot")
        }
        PartitionError::NotServed { key, partition } => Reply::err(format!(
            "ERR key '{}' is not served by this shard (partition {partition})",
            sanitize(key, 128)
        )),
        PartitionError::OutsidePin {
            key,
            partition,
            pin,
        } => Reply::err(format!(
            "ERR Script attempted to access a key outside its partition (key '{}' is in partition {partition}, script is pinned to {pin})",
            sanitize(key, 128)
        )),
    }
}

// ------------------------------------------------------------------ shared helpers

pub(crate) const ERR_SYNTAX: &str = "ERR syntax error";
pub(crate) const ERR_NOT_INT: &str = "ERR value is not an integer or out of range";
pub(crate) const ERR_NOT_FLOAT: &str = "ERR value is not a valid float";
pub(crate) const ERR_OVERFLOW: &str = "ERR increment or decrement would overflow";
pub(crate) const ERR_WRONGTYPE: &str =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
pub(crate) const ERR_NO_KEY: &str = "ERR no such key";
pub(crate) const ERR_INDEX: &str = "ERR index out of range";

impl From<WrongType> for Reply {
    fn from(_: WrongType) -> Reply {
        Reply::err(ERR_WRONGTYPE)
    }
}

pub(crate) fn syntax() -> Reply {
    Reply::err(ERR_SYNTAX)
}

/// Parse an integer argument (`ERR value is not an integer or out of range`).
pub(crate) fn int_arg(b: &[u8]) -> Result<i64, Reply> {
    numfmt::parse_i64(b).ok_or_else(|| Reply::err(ERR_NOT_INT))
}

/// Parse a float argument (`ERR value is not a valid float`).
#[inline]
pub(crate) fn float_arg(b: &[u8]) -> Result<f64, Reply> {
    numfmt::parse_f64(b).ok_or_else(|| Reply::err(ERR_NOT_FLOAT))
}

/// Argument `i` (empty when missing; arity checks make that unreachable in practice).
pub(crate) fn arg(argv: &[Vec<u8>], i: usize) -> &[u8] {
    argv.get(i).map(|v| v.as_slice()).unwrap_or(&[])
}

/// Case-insensitive ASCII comparison of an option.
pub(crate) fn is(b: &[u8], opt: &str) -> bool {
    b.eq_ignore_ascii_case(opt.as_bytes())
}

/// Resolve a Redis-style (start, end) index pair on a sequence of `len` (negative = from the
/// end) to an inclusive in-range pair, or `None` when empty.
pub(crate) fn clamp_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let mut s = if start < 0 {
        len.saturating_add(start)
    } else {
        start
    };
    let mut e = if end < 0 {
        len.saturating_add(end)
    } else {
        end
    };
    if s < 0 {
        s = 0;
    }
    if s > e || s >= len {
        return None;
    }
    if e >= len {
        e = len - 1;
    }
    Some((usize::try_from(s).ok()?, usize::try_from(e).ok()?))
}

/// Parse SCAN-family options `[MATCH pat] [COUNT n] [TYPE t]` starting at `i`.
pub(crate) struct ScanOpts {
    pub pattern: Option<Vec<u8>>,
    pub count: usize,
    pub type_name: Option<Vec<u8>>,
}

pub(crate) fn scan_opts(
    argv: &[Vec<u8>],
    mut i: usize,
    allow_type: bool,
) -> Result<ScanOpts, Reply> {
    let mut o = ScanOpts {
        pattern: None,
        count: 10,
        type_name: None,
    };
    while i < argv.len() {
        let opt = arg(argv, i);
        let has_val = i + 1 < argv.len();
        if is(opt, "count") && has_val {
            let n = int_arg(arg(argv, i + 1))?;
            if n < 1 {
                return Err(syntax());
            }
            o.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if is(opt, "match") && has_val {
            let p = arg(argv, i + 1);
            // Redis treats a lone "*" as no pattern.
            o.pattern = if p == b"*" { None } else { Some(p.to_vec()) };
        } else if allow_type && is(opt, "type") && has_val {
            o.type_name = Some(arg(argv, i + 1).to_ascii_lowercase());
        } else {
            return Err(syntax());
        }
        i += 2;
    }
    Ok(o)
}

/// Parse a SCAN cursor (`ERR invalid cursor`).
pub(crate) fn cursor_arg(b: &[u8]) -> Result<u64, Reply> {
    numfmt::parse_u64(b).ok_or_else(|| Reply::err("ERR invalid cursor"))
}

/// Cursor-based scan over a collection's elements (HSCAN/SSCAN/ZSCAN): small collections
/// (≤ 128 elements, like Redis's listpack encodings) are returned whole with cursor 0; larger
/// ones are visited in `(hash, element)` order with the hash as cursor, like the keyspace.
pub(crate) fn scan_elements<K: AsRef<[u8]>, T>(
    items: Vec<(K, T)>,
    cursor: u64,
    count: usize,
    pattern: Option<&[u8]>,
) -> (u64, Vec<(K, T)>) {
    let (next, picked) = {
        let keys: Vec<&[u8]> = items.iter().map(|(k, _)| k.as_ref()).collect();
        scan_indices(&keys, cursor, count, pattern)
    };
    // `picked` is ascending when the collection is small, in (hash, element) order otherwise.
    (next, keyed_sort::take_in_order(items, picked))
}

/// The element-type-independent part of [`scan_elements`]: the next cursor and the indices of
/// the elements to return, in reply order (`(hash, element)`; elements are distinct). Not
/// generic, and sorting through [`keyed_sort`], so HSCAN, SSCAN and ZSCAN share the engine's
/// one instantiation of the std sort.
///
/// A call costs one hash per element and a selection, then a sort of only what it returns:
/// sorting every element at or after the cursor made a full iteration of a large collection
/// quadratic (n log n per call).
fn scan_indices(
    keys: &[&[u8]],
    cursor: u64,
    count: usize,
    pattern: Option<&[u8]>,
) -> (u64, Vec<usize>) {
    let matches = |k: &[u8]| pattern.is_none_or(|p| crate::keyspace::glob::glob_match(p, k));
    if keys.len() <= 128 {
        let all = (0..keys.len()).filter(|&i| keys.get(i).is_some_and(|k| matches(k)));
        return (0, all.collect());
    }
    let want = count.max(1);
    let hashes: Vec<u64> = keys.iter().map(|k| elem_hash(k)).collect();
    // This call returns the `want` elements with the smallest hashes at or after the cursor,
    // and every other element sharing the last of those hashes; the next cursor is the next
    // hash above it (hashes are never 0 or u64::MAX, see `elem_hash`). The smallest hashes
    // are kept in a sorted buffer of at most `want` (no sort or selection of all of them).
    let mut best: Vec<u64> = Vec::new();
    let mut ahead = 0usize;
    for &h in hashes.iter().filter(|&&h| h >= cursor) {
        ahead += 1;
        if best.len() < want || best.last().is_some_and(|&m| h < m) {
            let at = best.partition_point(|&x| x < h);
            best.insert(at, h);
            best.truncate(want);
        }
    }
    let (last, next) = match best.last() {
        Some(&last) if ahead > want => {
            let next = hashes.iter().copied().filter(|&h| h > last).min();
            (last, next.unwrap_or(0))
        }
        _ => (u64::MAX, 0),
    };
    let mut picked: Vec<keyed_sort::Keyed<'_>> = keys
        .iter()
        .zip(&hashes)
        .enumerate()
        .filter(|(_, (_, &h))| h >= cursor && h <= last)
        .map(|(i, (k, &h))| (h, *k, i))
        .collect();
    keyed_sort::sort_keyed(&mut picked);
    let out = picked
        .into_iter()
        .filter(|(_, k, _)| matches(k))
        .map(|(_, _, i)| i)
        .collect();
    (next, out)
}

fn elem_hash(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h >> 1).wrapping_add(1)
}

/// Build a `[cursor, [items...]]` SCAN reply.
pub(crate) fn scan_reply(cursor: u64, items: Vec<Reply>) -> Reply {
    Reply::Array(vec![
        Reply::Bulk(cursor.to_string().into_bytes()),
        Reply::Array(items),
    ])
}

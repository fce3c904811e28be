//! Hosting shards behind one RESP endpoint: routing, batching and fan-out merging.
//!
//! Pure core for the `marekvs serve` server and for the `Shard` class's RESP entry point.
//! Nothing here knows about threads or sockets: the JS server moves the byte buffers built
//! here between the connection (main thread) and the shard workers.
//!
//! - [`route`] decides where a command runs: the shard owning its keys' partition, the
//!   connection itself ([`Route::Local`]: PING, ECHO, TIME, HELLO, CLIENT, ...), every shard
//!   with the replies merged ([`Route::FanOut`]: DBSIZE, KEYS, FLUSHALL, SCAN, DEBUG DIGEST,
//!   ...), any one shard ([`Route::AnyShard`]: INFO, CONFIG GET, keyless scripts), or the
//!   router answers itself ([`Route::Reply`]: unknown command, arity, `CROSSSLOT`).
//! - [`Gateway`] is one client connection on the server side: RESP parser, the connection's
//!   [`CallCtx`] (protocol from HELLO, name, id), and the batch builder ([`Gateway::feed`]).
//! - [`exec_batch`] runs a worker's batch on its [`Shard`].
//! - [`merge`] combines the replies of a fan-out.
//! - [`RespSession`] is the simplest RESP-bytes-in/RESP-bytes-out session over one shard.

use crate::engine::{self, CallCtx, Shard};
use crate::reply::Reply;
use crate::resp::{decode_one, encode, RequestParser};
use crate::router::PartitionMap;
use crate::same_bytes::same_bytes;

/// How the replies of a fan-out are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FanOut {
    /// DBSIZE: sum of the integers.
    Sum,
    /// KEYS: concatenation of the arrays.
    Concat,
    /// FLUSHALL, FLUSHDB, CONFIG SET, CONFIG RESETSTAT: the first error, else the first reply.
    All,
    /// DEBUG DIGEST / DIGEST-VALUE: bytewise XOR of the hex digests (elementwise for arrays).
    /// A key lives on exactly one shard and an empty shard's digest is all zeros, so
    /// DIGEST-VALUE is exact and DIGEST is order-independent across shards.
    Xor,
    /// RANDOMKEY: the first non-nil reply, starting from a random shard.
    FirstNonNil,
    /// SCAN: runs on one shard at a time; the cursor carries the shard index (see
    /// [`scan_cursor`]).
    Scan,
    /// SCRIPT EXISTS: elementwise OR of the 0/1 arrays.
    Or,
    /// EVAL / EVAL_RO: the script runs on one shard and every other shard gets `SCRIPT LOAD`
    /// of its body, so a later EVALSHA finds it wherever it is routed; the reply is the
    /// running shard's.
    Pick,
}

/// Where a command runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// The shard owning this partition.
    Partition(u16),
    /// The connection itself (a shard with no partitions, holding the connection's context).
    Local,
    /// Every shard, replies merged.
    FanOut(FanOut),
    /// Any one shard (the server uses shard 0).
    AnyShard,
    /// Answered by the router: unknown command, wrong arity, CROSSSLOT.
    Reply(Reply),
}

fn lower(argv: &[Vec<u8>], i: usize) -> Vec<u8> {
    argv.get(i)
        .map(|a| a.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Hashed lookup of a top-level command without subcommands: the engine's index
/// ([`engine::lookup`], lowercased into a stack buffer, names over 32 bytes unknown), so the
/// module links one command map, not a second one with another hasher.
fn fast_spec(name: &[u8]) -> Option<&'static engine::CommandSpec> {
    engine::lookup(name).filter(|c| c.subcommands.is_empty())
}

fn arity_ok(spec: &engine::CommandSpec, argc: usize) -> bool {
    let argc = i64::try_from(argc).unwrap_or(i64::MAX);
    let a = i64::from(spec.arity);
    if a >= 0 {
        argc == a
    } else {
        argc >= -a
    }
}

/// The route of `argv` under the partition map `pmap`.
pub fn route(pmap: &PartitionMap, argv: &[Vec<u8>]) -> Route {
    let fast = argv
        .first()
        .and_then(|n| fast_spec(n))
        .filter(|spec| arity_ok(spec, argv.len()));
    let keys: Vec<&[u8]> = match fast {
        Some(spec) => engine::key_positions(spec, argv.len(), argv)
            .into_iter()
            .filter_map(|i| argv.get(i).map(|k| k.as_slice()))
            .collect(),
        // Unknown command, wrong arity, subcommands: the engine's resolve gives Redis's errors.
        None => match engine::command_keys(argv) {
            Ok(k) => k,
            Err(e) => return Route::Reply(e),
        },
    };
    if let Some((first, rest)) = keys.split_first() {
        let p = pmap.partition_of_key(first);
        if rest.iter().any(|k| pmap.partition_of_key(k) != p) {
            return Route::Reply(engine::partition_error(engine::PartitionError::CrossSlot));
        }
        return Route::Partition(p);
    }
    let name = lower(argv, 0);
    match name.as_slice() {
        b"ping" | b"echo" | b"time" | b"hello" | b"select" | b"command" | b"client" | b"quit" => {
            Route::Local
        }
        b"dbsize" => Route::FanOut(FanOut::Sum),
        b"keys" => Route::FanOut(FanOut::Concat),
        b"flushall" | b"flushdb" => Route::FanOut(FanOut::All),
        b"randomkey" => Route::FanOut(FanOut::FirstNonNil),
        b"scan" => Route::FanOut(FanOut::Scan),
        b"config" => match lower(argv, 1).as_slice() {
            b"set" | b"resetstat" => Route::FanOut(FanOut::All),
            b"help" => Route::Local,
            _ => Route::AnyShard,
        },
        b"script" => match lower(argv, 1).as_slice() {
            b"load" | b"flush" => Route::FanOut(FanOut::All),
            b"exists" => Route::FanOut(FanOut::Or),
            _ => Route::AnyShard,
        },
        b"debug" => match lower(argv, 1).as_slice() {
            b"digest" | b"digest-value" => Route::FanOut(FanOut::Xor),
            _ => Route::AnyShard,
        },
        _ => Route::AnyShard,
    }
}

/// Bits of a combined SCAN cursor that hold the shard index.
pub const SCAN_SHARD_BITS: u32 = 8;

/// Split a combined SCAN cursor into (shard index, shard-local cursor). The local cursor loses
/// its low [`SCAN_SHARD_BITS`] bits, so a resumed scan may return a few keys again (SCAN
/// allows duplicates) but never skips one.
pub fn scan_cursor(cursor: u64) -> (u16, u64) {
    let mask = (1u64 << SCAN_SHARD_BITS) - 1;
    ((cursor & mask) as u16, cursor & !mask)
}

/// The combined cursor for continuing on shard `shard` at local cursor `local` (0 = done
/// when `shard` is 0, which the caller never asks for after the first shard).
pub fn combine_scan_cursor(shard: u16, local: u64) -> u64 {
    let mask = (1u64 << SCAN_SHARD_BITS) - 1;
    let c = (local & !mask) | u64::from(shard);
    if c == 0 && local != 0 {
        // A local cursor below 2^8 on shard 0 (hash values start at 1): keep it non-zero.
        1u64 << SCAN_SHARD_BITS
    } else {
        c
    }
}

fn xor_hex(a: &str, b: &str) -> String {
    if a.len() != b.len() {
        return a.to_string();
    }
    let d = |c: u8| (c as char).to_digit(16).unwrap_or(0);
    a.bytes()
        .zip(b.bytes())
        .map(|(x, y)| std::char::from_digit(d(x) ^ d(y), 16).unwrap_or('0'))
        .collect()
}

fn xor_replies(a: Reply, b: &Reply) -> Reply {
    match (a, b) {
        (Reply::Status(x), Reply::Status(y)) => Reply::Status(xor_hex(&x, y)),
        (Reply::Array(xs), Reply::Array(ys)) if xs.len() == ys.len() => Reply::Array(
            xs.into_iter()
                .zip(ys.iter())
                .map(|(x, y)| xor_replies(x, y))
                .collect(),
        ),
        (a, _) => a,
    }
}

/// Merge the replies of a fan-out (one per shard, in shard order). `start` is where
/// [`FanOut::FirstNonNil`] begins looking.
pub fn merge(kind: FanOut, replies: Vec<Reply>, start: usize) -> Reply {
    if let Some(e) = replies.iter().find(|r| r.is_error()) {
        return e.clone();
    }
    let n = replies.len();
    let mut it = replies.into_iter();
    match kind {
        FanOut::Sum => Reply::Integer(
            it.map(|r| match r {
                Reply::Integer(i) => i,
                _ => 0,
            })
            .fold(0i64, |a, b| a.saturating_add(b)),
        ),
        FanOut::Concat => Reply::Array(
            it.flat_map(|r| match r {
                Reply::Array(v) | Reply::Set(v) => v,
                _ => Vec::new(),
            })
            .collect(),
        ),
        FanOut::Xor => {
            let Some(first) = it.next() else {
                return Reply::Nil;
            };
            it.fold(first, |acc, r| xor_replies(acc, &r))
        }
        FanOut::FirstNonNil => {
            let all: Vec<Reply> = it.collect();
            (0..n)
                .filter_map(|i| all.get((start + i) % n.max(1)))
                .find(|r| !matches!(r, Reply::Nil))
                .cloned()
                .unwrap_or(Reply::Nil)
        }
        FanOut::Or => {
            let Some(first) = it.next() else {
                return Reply::Nil;
            };
            it.fold(first, |acc, r| match (acc, r) {
                (Reply::Array(xs), Reply::Array(ys)) if xs.len() == ys.len() => Reply::Array(
                    xs.into_iter()
                        .zip(ys)
                        .map(|(x, y)| match (x, y) {
                            (Reply::Integer(a), Reply::Integer(b)) => Reply::Integer(a | b),
                            (x, _) => x,
                        })
                        .collect(),
                ),
                (acc, _) => acc,
            })
        }
        FanOut::Pick => it.nth(start).unwrap_or(Reply::Nil),
        FanOut::All | FanOut::Scan => it.next().unwrap_or(Reply::Nil),
    }
}

// ------------------------------------------------------------------ worker batches

/// Append one command to a worker payload: `[proto u8][argc u32 LE]([len u32 LE][bytes])*`.
/// A payload may also hold raw segments, `[RAW_SEGMENT | proto][len u32 LE][RESP bytes]`:
/// complete multibulk requests exactly as a client sent them (see
/// [`Gateway::single_target`]), parsed on the worker instead of re-encoded here.
pub fn push_command(out: &mut Vec<u8>, proto: u8, argv: &[Vec<u8>]) {
    out.push(proto);
    out.extend_from_slice(&(argv.len() as u32).to_le_bytes());
    for a in argv {
        out.extend_from_slice(&(a.len() as u32).to_le_bytes());
        out.extend_from_slice(a);
    }
}

fn read_u32(p: &[u8], pos: &mut usize) -> Option<usize> {
    let b = p.get(*pos..pos.checked_add(4)?)?;
    *pos += 4;
    let arr: [u8; 4] = b.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(arr)).ok()
}

/// Marks a raw segment in a worker payload (the high bit of the protocol byte).
pub const RAW_SEGMENT: u8 = 0x80;

/// Reusable buffers of [`exec_batch_with`]: where each command's arguments are in the
/// payload, and the argv handed to the engine. Kept between batches so that running a
/// command allocates nothing here (the engine copies what it keeps).
#[derive(Debug, Default)]
pub struct BatchScratch {
    /// Per command: (protocol, index of its first range, argc).
    cmds: Vec<(u8, usize, usize)>,
    /// Argument byte ranges in `payload ++ owned`.
    ranges: Vec<(usize, usize)>,
    /// Arguments of raw segments the fast scan did not take (parsed by [`RequestParser`]).
    owned: Vec<u8>,
    argv: Vec<Vec<u8>>,
}

/// Argument buffers larger than this are released after a batch rather than kept.
const ARGV_KEEP: usize = 64 * 1024;
/// Argument buffers kept (the longest argv of the batches that follow need not allocate).
const ARGS_KEEP: usize = 1024;

impl BatchScratch {
    /// Keep small buffers for the next batch, not what a huge command needed (a value of
    /// hundreds of megabytes, an MSET of millions of arguments).
    fn trim(&mut self) {
        for a in self.argv.iter_mut().filter(|a| a.capacity() > ARGV_KEEP) {
            *a = Vec::new();
        }
        self.argv.truncate(ARGS_KEEP);
        self.argv.shrink_to(ARGS_KEEP);
        if self.owned.capacity() > ARGV_KEEP {
            self.owned = Vec::new();
        }
        if self.ranges.capacity() > ARGS_KEEP * 64 {
            self.ranges = Vec::new();
        }
        if self.cmds.capacity() > ARGS_KEEP * 64 {
            self.cmds = Vec::new();
        }
    }

    /// Index a worker payload: every command and its argument ranges. False if the payload
    /// is malformed (then nothing of it may run).
    fn index(&mut self, payload: &[u8]) -> bool {
        self.cmds.clear();
        self.ranges.clear();
        self.owned.clear();
        self.index_inner(payload).is_some()
    }

    fn index_inner(&mut self, payload: &[u8]) -> Option<()> {
        let mut pos = 0usize;
        while pos < payload.len() {
            let proto = *payload.get(pos)?;
            pos += 1;
            if proto & RAW_SEGMENT != 0 {
                let len = read_u32(payload, &mut pos)?;
                let end = pos.checked_add(len)?;
                let seg = payload.get(pos..end)?;
                self.index_raw(proto & !RAW_SEGMENT, seg, pos, payload.len())?;
                pos = end;
                continue;
            }
            let argc = read_u32(payload, &mut pos)?;
            let first = self.ranges.len();
            for _ in 0..argc {
                let len = read_u32(payload, &mut pos)?;
                let end = pos.checked_add(len)?;
                payload.get(pos..end)?;
                self.ranges.push((pos, end));
                pos = end;
            }
            self.cmds.push((proto, first, argc));
        }
        Some(())
    }

    /// A raw segment (complete multibulk requests as a client sent them) at `base` of a
    /// payload of `plen` bytes: scanned in place (what the gateway forwards always is), or,
    /// from the first request the strict scan does not take, parsed by [`RequestParser`]
    /// into `owned`.
    fn index_raw(&mut self, proto: u8, seg: &[u8], base: usize, plen: usize) -> Option<()> {
        let mut args: [&[u8]; FAST_ARGS] = [&[]; FAST_ARGS];
        let mut pos = 0;
        while pos < seg.len() {
            let Some((argc, end)) = scan_request(seg, pos, &mut args) else {
                break;
            };
            let first = self.ranges.len();
            for a in args.get(..argc)? {
                // `a` is a subslice of `seg`: its offset from the segment's start.
                let at = base + (a.as_ptr() as usize).checked_sub(seg.as_ptr() as usize)?;
                self.ranges.push((at, at + a.len()));
            }
            self.cmds.push((proto, first, argc));
            pos = end;
        }
        if pos == seg.len() {
            return Some(());
        }
        let mut parser = RequestParser::new();
        let (cmds, err) = parser.parse(seg.get(pos..)?);
        // The gateway only forwards complete, valid requests.
        if err.is_some() || parser.pending() > 0 || cmds.is_empty() {
            return None;
        }
        for argv in cmds {
            let first = self.ranges.len();
            for a in &argv {
                // `owned` follows the payload in the ranges' address space (see `arg`).
                let at = plen + self.owned.len();
                self.owned.extend_from_slice(a);
                self.ranges.push((at, at + a.len()));
            }
            self.cmds.push((proto, first, argv.len()));
        }
        Some(())
    }
}

/// The bytes of an argument range of [`BatchScratch`] (indexed against `payload`).
fn arg<'a>(payload: &'a [u8], owned: &'a [u8], (s, e): (usize, usize)) -> &'a [u8] {
    let r = if s >= payload.len() {
        owned.get(s - payload.len()..e - payload.len())
    } else {
        payload.get(s..e)
    };
    r.unwrap_or_default()
}

/// Decode a worker payload into (proto, argv) pairs; `None` if it is malformed.
pub fn read_batch(payload: &[u8]) -> Option<Vec<(u8, Vec<Vec<u8>>)>> {
    let mut s = BatchScratch::default();
    if !s.index(payload) {
        return None;
    }
    s.cmds
        .iter()
        .map(|&(proto, first, argc)| {
            let rs = s.ranges.get(first..first.checked_add(argc)?)?;
            Some((
                proto,
                rs.iter()
                    .map(|&r| arg(payload, &s.owned, r).to_vec())
                    .collect(),
            ))
        })
        .collect()
}

/// Run a worker payload on `shard` at `now_ms`: every reply is RESP-encoded (in the protocol
/// its command came with) into `out`, its length pushed to `lens`. A malformed payload runs
/// nothing and answers one error reply.
pub fn exec_batch(
    shard: &mut Shard,
    payload: &[u8],
    now_ms: i64,
    out: &mut Vec<u8>,
    lens: &mut Vec<u32>,
) {
    exec_batch_with(
        &mut BatchScratch::default(),
        shard,
        payload,
        now_ms,
        out,
        lens,
    );
}

/// [`exec_batch`] with buffers kept between calls.
pub fn exec_batch_with(
    scratch: &mut BatchScratch,
    shard: &mut Shard,
    payload: &[u8],
    now_ms: i64,
    out: &mut Vec<u8>,
    lens: &mut Vec<u32>,
) {
    if !scratch.index(payload) {
        scratch.trim();
        let start = out.len();
        encode(&Reply::err("ERR malformed shard batch"), 2, out);
        lens.push((out.len() - start) as u32);
        return;
    }
    let mut cx = CallCtx::new(now_ms);
    let BatchScratch {
        cmds,
        ranges,
        owned,
        argv,
    } = scratch;
    for &(proto, first, argc) in cmds.iter() {
        if argv.len() < argc {
            argv.resize_with(argc, Vec::new);
        }
        let rs = ranges.get(first..first + argc).unwrap_or_default();
        for (slot, &r) in argv.iter_mut().zip(rs) {
            slot.clear();
            slot.extend_from_slice(arg(payload, owned, r));
        }
        cx.proto = proto;
        let start = out.len();
        let reply = shard.execute(argv.get(..argc).unwrap_or_default(), &mut cx);
        encode(&reply, proto, out);
        lens.push(u32::try_from(out.len() - start).unwrap_or(u32::MAX));
    }
    scratch.trim();
}

/// A whole job message of `marekvs serve` (js/server/server.mjs → a worker), run in one
/// call: `jobs` is `[id u32 LE][len u32 LE][payload]...`, each payload a batch for
/// [`exec_batch_with`] (run at `now_ms()`, read per job). Appends per job, in order,
/// `[id u32][0 u32][n u32][outLen u32][out: n replies][lens u32 × n]` to `res` (the second word
/// is the status the JS side also uses for a trapped worker: 1, with an error text as `out`).
/// A cut job header or payload ends the message (the server never sends one).
pub fn exec_jobs(
    scratch: &mut BatchScratch,
    shard: &mut Shard,
    jobs: &[u8],
    mut now_ms: impl FnMut() -> i64,
    res: &mut Vec<u8>,
    lens: &mut Vec<u32>,
) {
    let mut pos = 0usize;
    while let (Some(id), Some(len)) = (read_u32(jobs, &mut pos), read_u32(jobs, &mut pos)) {
        let Some(payload) = pos.checked_add(len).and_then(|end| jobs.get(pos..end)) else {
            return;
        };
        pos += len;
        let head = res.len();
        res.extend_from_slice(&[0u8; 16]);
        lens.clear();
        exec_batch_with(scratch, shard, payload, now_ms(), res, lens);
        let out_len = res.len() - head - 16;
        for l in lens.iter() {
            res.extend_from_slice(&l.to_le_bytes());
        }
        for (i, v) in [id, 0, lens.len(), out_len].into_iter().enumerate() {
            let v = u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes();
            if let Some(dst) = res.get_mut(head + 4 * i..head + 4 * i + 4) {
                dst.copy_from_slice(&v);
            }
        }
    }
}

// ------------------------------------------------------------------ gateway

/// Plan entry: the reply was produced by the connection itself (see [`Batch::local`]).
pub const PLAN_LOCAL: u8 = 254;
/// Plan entry: a fan-out (see [`Batch::specials`]).
pub const PLAN_SPECIAL: u8 = 255;
/// Most workers a gateway can address (plan bytes below [`PLAN_LOCAL`]).
pub const MAX_WORKERS: u16 = 250;

/// A fan-out command in a batch: which workers answer, and how to merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Special {
    pub kind: FanOut,
    /// Workers the command was sent to, in order; their replies are merged in this order.
    pub targets: Vec<u16>,
    /// Protocol to encode the merged reply in.
    pub proto: u8,
    /// SCAN: the worker scanned; RANDOMKEY: where to start looking.
    pub shard: u16,
    /// Number of workers of the server.
    pub workers: u16,
}

/// What one read from a connection turned into.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Batch {
    /// Per command, in order: the worker answering it, [`PLAN_LOCAL`] or [`PLAN_SPECIAL`].
    pub plan: Vec<u8>,
    /// Per worker: the payload for [`exec_batch`] (empty: nothing to send).
    pub payloads: Vec<Vec<u8>>,
    /// Replies answered here, concatenated, and their lengths.
    pub local: Vec<u8>,
    pub local_lens: Vec<u32>,
    /// The fan-outs, in order.
    pub specials: Vec<Special>,
    /// The connection must be closed once the replies are written (QUIT, protocol error;
    /// for a protocol error the error reply is the last entry of `local`).
    pub close: bool,
}

/// What a connection knows at run time about the workers behind it (in `marekvs serve`,
/// shared memory the workers' script budgets write; see `docs/js-api.md`).
pub trait WorkerStatus {
    /// True while worker `w` has been running one script for longer than its busy threshold
    /// (half its time limit): commands for it then get `BUSY`, as in Redis.
    fn busy(&self, w: u16) -> bool;
    /// Asks every worker running a script to stop it; false when none was running.
    fn kill_scripts(&self) -> bool;
}

/// The clocks of the shared status buffer count milliseconds modulo 2^31 (`Date.now()` fits
/// an `Int32Array` element that way).
pub const STATUS_CLOCK_MOD: i64 = 1 << 31;

/// Whether a script that started at `start_ms` has run for at least `threshold_ms` at
/// `now_ms`, all three read from the shared status buffer (times modulo
/// [`STATUS_CLOCK_MOD`]). The worker writes a script's start while other threads read: a
/// start stamped after the reader took `now_ms` (another script began meanwhile, or the
/// worker's clock read is a millisecond ahead) is in the reader's future, and the modular
/// difference of such a start is close to 2^31 — read as "running for 24 days" it answered
/// `BUSY` under a stream of short scripts. Differences past half the modulus are such
/// futures: not busy.
pub fn script_overran(start_ms: i64, threshold_ms: i64, now_ms: i64) -> bool {
    let ran = (now_ms - start_ms).rem_euclid(STATUS_CLOCK_MOD);
    ran < STATUS_CLOCK_MOD / 2 && ran >= threshold_ms
}

/// Redis's reply to a command for a shard that is busy running a script.
pub const BUSY_REPLY: &str =
    "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";

/// One client connection on the server side.
pub struct Gateway {
    parser: RequestParser,
    /// The connection's context (protocol, name, id).
    pub ctx: CallCtx,
    pmap: PartitionMap,
    /// partition → worker.
    owner: Vec<u16>,
    workers: u16,
    local: Shard,
    closed: bool,
    rng: engine::Rng,
    status: Option<Box<dyn WorkerStatus>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("ctx", &self.ctx)
            .field("workers", &self.workers)
            .field("closed", &self.closed)
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// A connection with id `client_id` to a server whose partitions `0..owner.len()` are
    /// served by workers `owner[p]` (`workers` of them, at most [`MAX_WORKERS`]).
    pub fn new(owner: Vec<u16>, workers: u16, client_id: u64) -> Gateway {
        let count = u16::try_from(owner.len()).unwrap_or(1).max(1);
        let pmap = PartitionMap::new(count);
        let mut ctx = CallCtx::new(0);
        ctx.client_id = client_id;
        Gateway {
            parser: RequestParser::new(),
            ctx,
            pmap,
            owner,
            workers: workers.clamp(1, MAX_WORKERS),
            local: Shard::new(pmap, std::iter::empty(), client_id),
            closed: false,
            rng: engine::Rng::new(client_id ^ 0x5eed),
            status: None,
        }
    }

    /// Lets this connection see which workers are busy running a script (`BUSY`) and stop
    /// them (`SCRIPT KILL`). Without it, SCRIPT KILL goes to a worker like any command.
    pub fn set_status(&mut self, status: Box<dyn WorkerStatus>) {
        self.status = Some(status);
    }

    /// `SCRIPT KILL` answered here, or `BUSY` for a command bound for busy workers.
    fn busy_reply(&self, argv: &[Vec<u8>], targets: &[u16]) -> Option<Reply> {
        let status = self.status.as_ref()?;
        if argv.len() == 2 && lower(argv, 0) == b"script" && lower(argv, 1) == b"kill" {
            return Some(if status.kill_scripts() {
                Reply::ok()
            } else {
                Reply::err("NOTBUSY No scripts in execution right now.")
            });
        }
        targets
            .iter()
            .any(|&w| status.busy(w))
            .then(|| Reply::err(BUSY_REPLY))
    }

    fn owner_of(&self, p: u16) -> u16 {
        self.owner
            .get(usize::from(p))
            .copied()
            .unwrap_or(0)
            .min(self.workers - 1)
    }

    /// Bytes of a partial request held back.
    pub fn pending(&self) -> usize {
        self.parser.pending()
    }

    /// Parse `data` and plan every complete command (at time `now_ms`).
    pub fn feed(&mut self, data: &[u8], now_ms: i64) -> Batch {
        let mut b = Batch {
            payloads: vec![Vec::new(); usize::from(self.workers)],
            ..Batch::default()
        };
        if self.closed {
            b.close = true;
            return b;
        }
        self.parser.feed(data);
        loop {
            match self.parser.next_command() {
                Ok(Some(argv)) => {
                    self.plan_one(&mut b, &argv, now_ms);
                    if b.close {
                        self.closed = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    push_local(&mut b, &e.to_reply(), self.ctx.proto);
                    b.close = true;
                    self.closed = true;
                    break;
                }
            }
        }
        b
    }

    /// The worker that every request in `data` goes to, when `data` (with nothing buffered
    /// before it) is complete multibulk requests only, each a keyed command with its keys in
    /// one partition of that worker, not a script, and that worker not busy. [`Gateway::feed`]
    /// would then plan exactly those commands for that worker and change no connection state,
    /// so the caller may skip it and hand `data` to the worker as a raw segment (no argv
    /// allocations, no re-encoding). `None`: use [`Gateway::feed`].
    pub fn single_target(&self, data: &[u8]) -> Option<u16> {
        if self.closed || self.parser.pending() > 0 || data.is_empty() {
            return None;
        }
        let mut target = None;
        let mut args: [&[u8]; FAST_ARGS] = [&[]; FAST_ARGS];
        let mut pos = 0;
        // The command of the previous request: a pipeline mostly repeats one command, and
        // comparing its name is cheaper than lowercasing and hashing it again.
        let mut last: Option<(&[u8], &'static engine::CommandSpec)> = None;
        let mut last_key = None;
        while pos < data.len() {
            let argc;
            (argc, pos) = scan_request(data, pos, &mut args)?;
            let argv = args.get(..argc)?;
            let name = *argv.first()?;
            let spec = match last {
                Some((n, spec)) if same_bytes(n, name) => spec,
                _ => {
                    let spec = fast_spec(name)?;
                    last = Some((name, spec));
                    spec
                }
            };
            let p = self.fast_partition(spec, argv, &mut last_key)?;
            let w = self.owner_of(p);
            if *target.get_or_insert(w) != w {
                return None;
            }
        }
        let w = target?;
        if self.status.as_ref().is_some_and(|s| s.busy(w)) {
            return None;
        }
        Some(w)
    }

    /// [`route`] for the common case, on borrowed arguments (`spec`: the command of
    /// `argv[0]`, from [`fast_spec`]): the partition of a keyed
    /// command without subcommands or movable keys whose keys share one partition; `None`
    /// for anything else (including every error).
    fn fast_partition<'a>(
        &self,
        spec: &engine::CommandSpec,
        argv: &[&'a [u8]],
        last_key: &mut Option<(&'a [u8], u16)>,
    ) -> Option<u16> {
        if !arity_ok(spec, argv.len())
            || spec.first_key <= 0
            || spec.has(engine::flags::MOVABLEKEYS)
        {
            return None;
        }
        // The positions `engine::key_positions` gives for such a spec.
        let argc = i64::try_from(argv.len()).ok()?;
        let last = if spec.last_key < 0 {
            argc + i64::from(spec.last_key)
        } else {
            i64::from(spec.last_key)
        };
        let step = i64::from(spec.step.max(1));
        let mut i = i64::from(spec.first_key);
        let mut part = None;
        while i <= last && i < argc {
            let key: &'a [u8] = argv.get(usize::try_from(i).ok()?)?;
            // A pipeline often repeats a key (a counter, a list): comparing it with the
            // previous one is cheaper than its hash-tag search and CRC16.
            let p = match *last_key {
                Some((k, p)) if same_bytes(k, key) => p,
                _ => {
                    let p = self.pmap.partition_of_key(key);
                    *last_key = Some((key, p));
                    p
                }
            };
            if *part.get_or_insert(p) != p {
                return None; // CROSSSLOT: the full path answers it
            }
            i += step;
        }
        part
    }

    fn plan_one(&mut self, b: &mut Batch, argv: &[Vec<u8>], now_ms: i64) {
        let proto = self.ctx.proto;
        let route = route(&self.pmap, argv);
        let target = match route {
            Route::Partition(p) => Some(self.owner_of(p)),
            Route::AnyShard => Some(0),
            _ => None,
        };
        if self.status.is_some() {
            let targets: Vec<u16> = match (&route, target) {
                (_, Some(w)) => vec![w],
                (Route::FanOut(_), None) => (0..self.workers).collect(),
                _ => Vec::new(),
            };
            if let Some(r) = self.busy_reply(argv, &targets) {
                push_local(b, &r, proto);
                return;
            }
        }
        if let (Some(w), true) = (target, self.workers > 1 && is_eval(argv)) {
            // The script runs on `w`; the other shards cache its body.
            let load = [
                b"SCRIPT".to_vec(),
                b"LOAD".to_vec(),
                argv.get(1).cloned().unwrap_or_default(),
            ];
            for (i, pl) in b.payloads.iter_mut().enumerate() {
                if i == usize::from(w) {
                    push_command(pl, proto, argv);
                } else {
                    push_command(pl, proto, &load);
                }
            }
            b.plan.push(PLAN_SPECIAL);
            b.specials.push(Special {
                kind: FanOut::Pick,
                targets: (0..self.workers).collect(),
                proto,
                shard: w,
                workers: self.workers,
            });
            return;
        }
        match route {
            Route::Partition(p) => {
                let w = self.owner_of(p);
                if let Some(pl) = b.payloads.get_mut(usize::from(w)) {
                    push_command(pl, proto, argv);
                }
                b.plan.push(w as u8);
            }
            Route::AnyShard => {
                if let Some(pl) = b.payloads.get_mut(0) {
                    push_command(pl, proto, argv);
                }
                b.plan.push(0);
            }
            Route::Reply(r) => push_local(b, &r, proto),
            Route::Local => {
                self.ctx.now_ms = now_ms;
                let r = self.local.execute(argv, &mut self.ctx);
                // HELLO answers in the protocol it switches to.
                push_local(b, &r, self.ctx.proto);
                if self.ctx.quit {
                    b.close = true;
                }
            }
            Route::FanOut(FanOut::Scan) => {
                // Validate first (bad cursor, options) on the local shard: same errors.
                let cursor = argv
                    .get(1)
                    .and_then(|c| crate::numfmt::parse_u64(c))
                    .unwrap_or(0);
                let (shard, local) = scan_cursor(cursor);
                if argv
                    .get(1)
                    .is_none_or(|c| crate::numfmt::parse_u64(c).is_none())
                    || shard >= self.workers
                {
                    self.ctx.now_ms = now_ms;
                    let r = self.local.execute(argv, &mut self.ctx);
                    push_local(b, &r, proto);
                    return;
                }
                let mut a = argv.to_vec();
                if let Some(c) = a.get_mut(1) {
                    *c = local.to_string().into_bytes();
                }
                if let Some(pl) = b.payloads.get_mut(usize::from(shard)) {
                    push_command(pl, proto, &a);
                }
                b.plan.push(PLAN_SPECIAL);
                b.specials.push(Special {
                    kind: FanOut::Scan,
                    targets: vec![shard],
                    proto,
                    shard,
                    workers: self.workers,
                });
            }
            Route::FanOut(kind) => {
                for pl in b.payloads.iter_mut() {
                    push_command(pl, proto, argv);
                }
                b.plan.push(PLAN_SPECIAL);
                let start = self.rng.below(usize::from(self.workers)) as u16;
                b.specials.push(Special {
                    kind,
                    targets: (0..self.workers).collect(),
                    proto,
                    shard: start,
                    workers: self.workers,
                });
            }
        }
    }
}

/// Most arguments of a request [`Gateway::single_target`] takes (more: the full path).
const FAST_ARGS: usize = 16;

/// One strictly formed, complete multibulk request at `data[pos..]`: its arguments into
/// `args`, returns (argc, end). `None` for anything [`RequestParser`] might treat otherwise
/// or that needs more input: inline commands, an empty or partial request, lenient
/// terminators, more than [`FAST_ARGS`] arguments. For what it accepts, the parser yields the
/// same arguments and the same end.
fn scan_request<'a>(
    data: &'a [u8],
    mut pos: usize,
    args: &mut [&'a [u8]; FAST_ARGS],
) -> Option<(usize, usize)> {
    fn line(data: &[u8], pos: usize, lead: u8) -> Option<(i64, usize)> {
        if *data.get(pos)? != lead {
            return None;
        }
        let from = pos + 1;
        // The common form in one pass: 1 to 18 digits without a leading zero (or a lone 0),
        // then CRLF; the value string2ll gives for those bytes. Anything else (a sign, a
        // leading zero, a bare CR, more digits) takes the general path below.
        let mut v: i64 = 0;
        let mut i = from;
        while let Some(&d) = data.get(i) {
            if !d.is_ascii_digit() || i - from == 18 {
                break;
            }
            v = v * 10 + i64::from(d - b'0');
            i += 1;
        }
        let digits = i - from;
        if digits > 0
            && (digits == 1 || data.get(from) != Some(&b'0'))
            && data.get(i..i + 2) == Some(b"\r\n".as_slice())
        {
            return Some((v, i + 2));
        }
        let cr = from + data.get(from..)?.iter().position(|&b| b == b'\r')?;
        if *data.get(cr + 1)? != b'\n' {
            return None;
        }
        Some((crate::resp::parser::string2ll(data.get(from..cr)?)?, cr + 2))
    }
    let (n, next) = line(data, pos, b'*')?;
    let argc = usize::try_from(n)
        .ok()
        .filter(|&n| (1..=FAST_ARGS).contains(&n))?;
    pos = next;
    for slot in args.iter_mut().take(argc) {
        let (len, next) = line(data, pos, b'$')?;
        if !(0..=crate::resp::parser::PROTO_MAX_BULK_LEN).contains(&len) {
            return None;
        }
        let end = next.checked_add(usize::try_from(len).ok()?)?;
        *slot = data.get(next..end)?;
        if data.get(end..end + 2)? != b"\r\n" {
            return None;
        }
        pos = end + 2;
    }
    Some((argc, pos))
}

impl Special {
    /// The merged reply, given the encoded reply of each target (in `targets` order).
    pub fn finish(&self, replies: &[&[u8]]) -> Vec<u8> {
        if self.kind == FanOut::Pick {
            let r = replies.get(usize::from(self.shard)).copied().unwrap_or(&[]);
            return r.to_vec();
        }
        let decoded: Result<Vec<Reply>, _> = replies.iter().map(|r| decode_one(r)).collect();
        let merged = match decoded {
            Err(e) => Reply::err(format!("ERR internal: shard reply undecodable: {}", e.0)),
            Ok(rs) if self.kind == FanOut::Scan => scan_rewrite(rs, self.shard, self.workers),
            Ok(rs) => merge(self.kind, rs, usize::from(self.shard)),
        };
        let mut out = Vec::new();
        encode(&merged, self.proto, &mut out);
        out
    }
}

fn is_eval(argv: &[Vec<u8>]) -> bool {
    argv.first()
        .is_some_and(|n| n.eq_ignore_ascii_case(b"eval") || n.eq_ignore_ascii_case(b"eval_ro"))
}

fn push_local(b: &mut Batch, r: &Reply, proto: u8) {
    let start = b.local.len();
    encode(r, proto, &mut b.local);
    b.local_lens
        .push(u32::try_from(b.local.len() - start).unwrap_or(u32::MAX));
    b.plan.push(PLAN_LOCAL);
}

fn scan_rewrite(mut rs: Vec<Reply>, shard: u16, workers: u16) -> Reply {
    let mut parts = match rs.pop() {
        Some(Reply::Array(parts)) => parts,
        Some(e @ Reply::Error(_)) => return e,
        _ => return Reply::err("ERR internal: bad SCAN reply"),
    };
    let next = match parts.first() {
        Some(Reply::Bulk(c)) => crate::numfmt::parse_u64(c).unwrap_or(0),
        _ => 0,
    };
    let combined = if next != 0 {
        combine_scan_cursor(shard, next)
    } else if shard + 1 < workers {
        combine_scan_cursor(shard + 1, 0)
    } else {
        0
    };
    if let Some(c) = parts.get_mut(0) {
        *c = Reply::Bulk(combined.to_string().into_bytes());
    }
    Reply::Array(parts)
}

// ------------------------------------------------------------------ single-shard session

/// RESP bytes in, RESP bytes out, over one shard: a parser and a connection context.
#[derive(Debug, Default)]
pub struct RespSession {
    parser: RequestParser,
    /// The session's context (protocol from HELLO, client name).
    pub ctx: CallCtx,
    closed: bool,
}

impl RespSession {
    /// A session speaking RESP2 until HELLO.
    pub fn new() -> RespSession {
        RespSession::default()
    }

    /// True once a protocol error or QUIT ended the session (further input is ignored).
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// Execute every complete command in `data` on `shard`; returns the encoded replies.
    /// A protocol error appends Redis's error reply and closes the session.
    pub fn handle(&mut self, shard: &mut Shard, data: &[u8], now_ms: i64) -> Vec<u8> {
        let mut out = Vec::new();
        if self.closed {
            return out;
        }
        self.parser.feed(data);
        loop {
            match self.parser.next_command() {
                Ok(Some(argv)) => {
                    self.ctx.now_ms = now_ms;
                    let r = shard.execute(&argv, &mut self.ctx);
                    // HELLO answers in the protocol it switches to.
                    encode(&r, self.ctx.proto, &mut out);
                    if self.ctx.quit {
                        self.closed = true;
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    encode(&e.to_reply(), self.ctx.proto, &mut out);
                    self.closed = true;
                    break;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::encode_command;

    fn argv(s: &str) -> Vec<Vec<u8>> {
        s.split(' ').map(|a| a.as_bytes().to_vec()).collect()
    }

    #[test]
    fn routes() {
        let pm = PartitionMap::new(16);
        assert!(matches!(route(&pm, &argv("GET a")), Route::Partition(_)));
        assert_eq!(route(&pm, &argv("PING")), Route::Local);
        assert_eq!(route(&pm, &argv("DBSIZE")), Route::FanOut(FanOut::Sum));
        assert_eq!(
            route(&pm, &argv("debug digest")),
            Route::FanOut(FanOut::Xor)
        );
        assert_eq!(route(&pm, &argv("INFO")), Route::AnyShard);
        match route(&pm, &argv("MSET a 1 b 2")) {
            Route::Reply(Reply::Error(e)) => assert!(e.starts_with("CROSSSLOT")),
            r => panic!("{r:?}"),
        }
        assert!(matches!(
            route(&pm, &argv("MSET {a}x 1 {a}y 2")),
            Route::Partition(_)
        ));
        assert!(matches!(route(&pm, &argv("NOPE")), Route::Reply(_)));
        assert!(matches!(route(&pm, &argv("GET")), Route::Reply(_)));
        assert!(matches!(route(&pm, &[]), Route::Reply(_)));
    }

    #[test]
    fn batch_roundtrip() {
        let mut p = Vec::new();
        push_command(&mut p, 3, &argv("SET k v"));
        push_command(&mut p, 2, &[]);
        let b = read_batch(&p).unwrap();
        assert_eq!(b, vec![(3, argv("SET k v")), (2, vec![])]);
        for cut in 0..p.len() {
            // Truncations never panic.
            let _ = read_batch(&p[..cut]);
        }
        assert!(read_batch(&[2, 255, 255, 255, 255]).is_none());
    }

    /// The raw segment the server builds for a chunk `single_target` accepted.
    fn raw_segment(proto: u8, chunk: &[u8]) -> Vec<u8> {
        let mut p = vec![RAW_SEGMENT | proto];
        p.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
        p.extend_from_slice(chunk);
        p
    }

    struct Status {
        busy: bool,
    }

    impl WorkerStatus for Status {
        fn busy(&self, _w: u16) -> bool {
            self.busy
        }
        fn kill_scripts(&self) -> bool {
            false
        }
    }

    #[test]
    fn a_script_overruns_only_past_its_threshold_and_never_from_the_future() {
        let m = STATUS_CLOCK_MOD;
        assert!(!script_overran(1_000, 2_500, 1_000));
        assert!(!script_overran(1_000, 2_500, 3_499));
        assert!(script_overran(1_000, 2_500, 3_500));
        // Across the wrap of the modular clock.
        assert!(script_overran(m - 1_000, 2_500, 1_500));
        assert!(!script_overran(m - 1_000, 2_500, 1_000));
        // A start written after the reader's clock read (1 ms, or much later) is not an overrun.
        assert!(!script_overran(1_001, 2_500, 1_000));
        assert!(!script_overran(0, 2_500, m - 1));
        assert!(!script_overran(500_000, 2_500, 1_000));
    }

    #[test]
    fn single_target_is_feed_without_the_copies() {
        let parts = 8u16;
        let owner: Vec<u16> = (0..parts).map(|p| p % 2).collect();
        let pm = PartitionMap::new(parts);
        let w_of = |k: &str| owner[usize::from(pm.partition_of_key(k.as_bytes()))];
        // Two keys per worker.
        let mut keys: Vec<String> = Vec::new();
        for w in 0..2 {
            keys.extend(
                (0..)
                    .map(|i| format!("k{i}"))
                    .filter(|k| w_of(k) == w)
                    .take(2),
            );
        }
        let (a0, a1, b0) = (&keys[0], &keys[1], &keys[2]);
        let mut pieces: Vec<Vec<u8>> = [
            format!("GET {a0}"),
            format!("get {a1}"),
            format!("SET {a0} v"),
            format!("GET {b0}"),
            format!("MSET {{{a0}}}x 1 {{{a0}}}y 2"),
            format!("MSET {a0} 1 {b0} 2"),
            "ZADD z 1 m".to_string(),
            "HSET h f v g w".to_string(),
            "PING".to_string(),
            "DBSIZE".to_string(),
            "GET".to_string(),
            "NOPE x".to_string(),
            format!("EVAL x 1 {a0}"),
            "CONFIG GET maxmemory".to_string(),
            format!("DEL {}", [a0.as_str(); 20].join(" ")),
        ]
        .iter()
        .map(|c| cmd(c))
        .collect();
        pieces.push(format!("GET {a0}\r\n").into_bytes()); // inline
        pieces.push(format!("*2\r\n$3\r\nGET\r\n${}\r\n{a0}XY", a0.len()).into_bytes());
        pieces.push(format!("*2\n$3\r\nGET\r\n${}\r\n{a0}\r\n", a0.len()).into_bytes());
        pieces.push(b"*0\r\n".to_vec());
        pieces.push(b"*2\r\n$3\r\nGET\r\n$-1\r\n".to_vec());
        pieces.push(b"*2\r\n$3\r\nGET\r\n$01\r\na\r\n".to_vec());
        // Lengths the one-pass digit scan leaves to string2ll, and an empty argument.
        pieces.push(b"*2\r\n$3\r\nGET\r\n$+1\r\na\r\n".to_vec());
        pieces.push(b"*2\r\n$3\r\nGET\r\n$0000000000000000001\r\na\r\n".to_vec());
        pieces.push(b"*2\r\n$3\r\nGET\r\n$1\ra\r\n".to_vec());
        pieces.push(b"*2\r\n$3\r\nGET\r\n$0\r\n\r\n".to_vec());
        pieces.push(b"*02\r\n$3\r\nGET\r\n$1\r\na\r\n".to_vec());
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for a in &pieces {
            for b in &pieces {
                inputs.push([a.as_slice(), b].concat());
            }
        }
        let whole = [cmd(&format!("SET {a0} 1")), cmd(&format!("INCR {a1}"))].concat();
        inputs.extend((0..whole.len()).map(|cut| whole[..cut].to_vec()));
        let mut accepted = 0;
        for (i, input) in inputs.iter().enumerate() {
            for proto in [2u8, 3] {
                let mut gw = Gateway::new(owner.clone(), 2, 1);
                gw.ctx.proto = proto;
                let fast = gw.single_target(input);
                let b = gw.feed(input, 1_000);
                let Some(w) = fast else { continue };
                accepted += 1;
                let w8 = u8::try_from(w).unwrap();
                assert!(
                    !b.plan.is_empty() && b.plan.iter().all(|&x| x == w8),
                    "input {i}"
                );
                assert!(
                    !b.close && b.local.is_empty() && gw.pending() == 0,
                    "input {i}"
                );
                assert_eq!(
                    read_batch(&raw_segment(proto, input)).unwrap(),
                    read_batch(&b.payloads[usize::from(w)]).unwrap(),
                    "input {i}"
                );
            }
        }
        // GET/SET/INCR/ZADD/HSET/MSET-with-tags combinations on one worker are taken.
        assert!(accepted > 40, "{accepted}");
        let one = cmd(&format!("GET {a0}"));
        let gw = Gateway::new(owner.clone(), 2, 1);
        assert_eq!(gw.single_target(&one), Some(w_of(a0)));
        assert_eq!(
            gw.single_target(&[one.clone(), cmd(&format!("GET {b0}"))].concat()),
            None
        );
        // Something buffered before: the chunk is not whole requests.
        let mut gw = Gateway::new(owner.clone(), 2, 1);
        let _ = gw.feed(&one[..3], 1_000);
        assert_eq!(gw.single_target(&one[3..]), None);
        // A busy worker: the full path answers BUSY.
        let mut gw = Gateway::new(owner.clone(), 2, 1);
        gw.set_status(Box::new(Status { busy: true }));
        assert_eq!(gw.single_target(&one), None);
        let b = gw.feed(&one, 1_000);
        assert_eq!(b.plan, vec![PLAN_LOCAL]);
        assert!(b.local.starts_with(b"-BUSY"));
        let mut gw = Gateway::new(owner.clone(), 2, 1);
        gw.set_status(Box::new(Status { busy: false }));
        assert_eq!(gw.single_target(&one), Some(w_of(a0)));
    }

    #[test]
    fn raw_segments_run_in_their_protocol() {
        let pm = PartitionMap::new(4);
        let mut shard = Shard::owning_all(pm, 1);
        let mut p = raw_segment(3, &[cmd("SET a 1"), cmd("GET nokey")].concat());
        push_command(&mut p, 2, &argv("GET nokey"));
        p.extend(raw_segment(2, &cmd("INCR a")));
        let (mut out, mut lens) = (Vec::new(), Vec::new());
        exec_batch(&mut shard, &p, 1_000, &mut out, &mut lens);
        assert_eq!(out, b"+OK\r\n_\r\n$-1\r\n:2\r\n");
        assert_eq!(lens, vec![5, 3, 5, 4]);
        // A raw segment that is not whole, valid requests is a malformed payload.
        for bad in [&b"*1\r\n$4\r\nPI"[..], b"*x\r\n", b""] {
            let (mut out, mut lens) = (Vec::new(), Vec::new());
            let mut p = raw_segment(2, bad);
            if bad.is_empty() {
                p.truncate(3); // a cut length
            }
            exec_batch(&mut shard, &p, 1_000, &mut out, &mut lens);
            assert_eq!(out, b"-ERR malformed shard batch\r\n");
        }
    }

    #[test]
    fn job_messages_answer_each_job_in_order() {
        let pm = PartitionMap::new(4);
        let mut shard = Shard::owning_all(pm, 1);
        let job = |id: u32, payload: &[u8]| {
            let mut j = id.to_le_bytes().to_vec();
            j.extend_from_slice(&(payload.len() as u32).to_le_bytes());
            j.extend_from_slice(payload);
            j
        };
        let mut second = Vec::new();
        push_command(&mut second, 2, &argv("GET a"));
        push_command(&mut second, 2, &argv("NOPE"));
        let msg = [
            job(7, &raw_segment(2, &cmd("SET a 1"))),
            job(9, &second),
            job(11, b"\x05"), // malformed: answered as such, the rest still runs
        ]
        .concat();
        let (mut scratch, mut res, mut lens) = (BatchScratch::default(), Vec::new(), Vec::new());
        let mut clock = 1_000;
        exec_jobs(
            &mut scratch,
            &mut shard,
            &msg,
            || {
                clock += 1;
                clock
            },
            &mut res,
            &mut lens,
        );
        let mut expect = Vec::new();
        for (id, replies) in [
            (7u32, vec![&b"+OK\r\n"[..]]),
            (
                9,
                vec![
                    b"$1\r\n1\r\n",
                    b"-ERR unknown command 'NOPE', with args beginning with: \r\n",
                ],
            ),
            (11, vec![b"-ERR malformed shard batch\r\n"]),
        ] {
            let out: Vec<u8> = replies.concat();
            for w in [id, 0, replies.len() as u32, out.len() as u32] {
                expect.extend_from_slice(&w.to_le_bytes());
            }
            expect.extend_from_slice(&out);
            for r in &replies {
                expect.extend_from_slice(&(r.len() as u32).to_le_bytes());
            }
        }
        assert_eq!(res, expect);
        // A cut message ends where the cut is: whole jobs before it answered, no panic.
        for cut in 0..msg.len() {
            let mut r = Vec::new();
            exec_jobs(
                &mut scratch,
                &mut shard,
                &msg[..cut],
                || 1_000,
                &mut r,
                &mut lens,
            );
            assert!(expect.starts_with(&r), "cut at {cut}");
        }
    }

    #[test]
    fn raw_segments_the_scan_does_not_take_are_parsed() {
        // More arguments than the scan takes, an inline command, then scanned requests again:
        // the same commands as the encoded form, and the scratch reused across batches of
        // different shapes runs each with its own arguments only.
        let long = format!(
            "MSET {}",
            (0..12)
                .map(|i| format!("{{t}}k{i} v{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let seg = [
            cmd("SET a 1"),
            cmd(&long),
            b"PING\r\n".to_vec(),
            cmd("GET a"),
        ]
        .concat();
        let mut expect = Vec::new();
        for c in ["SET a 1", long.as_str(), "PING", "GET a"] {
            push_command(&mut expect, 2, &argv(c));
        }
        let raw = raw_segment(2, &seg);
        assert_eq!(read_batch(&raw), read_batch(&expect));
        assert_eq!(read_batch(&raw).map(|b| b.len()), Some(4));
        let mut shard = Shard::owning_all(PartitionMap::new(1), 1);
        let mut scratch = BatchScratch::default();
        for (p, want) in [
            (&raw, &b"+OK\r\n+OK\r\n+PONG\r\n$1\r\n1\r\n"[..]),
            (&raw_segment(2, &cmd("GET {t}k3")), b"$2\r\nv3\r\n"),
            (&expect, b"+OK\r\n+OK\r\n+PONG\r\n$1\r\n1\r\n"),
            (
                &raw_segment(2, &cmd("GET")),
                b"-ERR wrong number of arguments for 'get' command\r\n",
            ),
        ] {
            let (mut out, mut lens) = (Vec::new(), Vec::new());
            exec_batch_with(&mut scratch, &mut shard, p, 1_000, &mut out, &mut lens);
            assert_eq!(String::from_utf8_lossy(&out), String::from_utf8_lossy(want));
        }
    }

    #[test]
    fn the_scratch_does_not_keep_what_a_huge_command_needed() {
        let mut shard = Shard::owning_all(PartitionMap::new(1), 1);
        let mut scratch = BatchScratch::default();
        let big = vec![b'x'; 1 << 20];
        let mut p = Vec::new();
        push_command(&mut p, 2, &[b"SET".to_vec(), b"k".to_vec(), big]);
        let mut many = vec![b"DEL".to_vec()];
        many.extend((0..200_000).map(|i| format!("k{i}").into_bytes()));
        many.push(b"k".to_vec());
        push_command(&mut p, 2, &many);
        let (mut out, mut lens) = (Vec::new(), Vec::new());
        exec_batch_with(&mut scratch, &mut shard, &p, 1_000, &mut out, &mut lens);
        assert_eq!(out, b"+OK\r\n:1\r\n");
        assert!(scratch.argv.capacity() <= ARGS_KEEP);
        assert!(scratch.argv.iter().all(|a| a.capacity() <= ARGV_KEEP));
        assert!(scratch.ranges.capacity() <= ARGS_KEEP * 64);
        // A malformed payload after it: the same, and nothing runs.
        p.truncate(p.len() - 1);
        let (mut out, mut lens) = (Vec::new(), Vec::new());
        exec_batch_with(&mut scratch, &mut shard, &p, 1_000, &mut out, &mut lens);
        assert_eq!(out, b"-ERR malformed shard batch\r\n");
        assert!(scratch.ranges.capacity() <= ARGS_KEEP * 64);
        assert_eq!(
            shard.execute(&argv("EXISTS k"), &mut CallCtx::new(1_000)),
            Reply::Integer(0)
        );
    }

    fn run(gw: &mut Gateway, shards: &mut [Shard], input: &[u8]) -> (Vec<u8>, bool) {
        let b = gw.feed(input, 1_000);
        let mut replies: Vec<(Vec<u8>, Vec<u32>)> = Vec::new();
        for (i, pl) in b.payloads.iter().enumerate() {
            let (mut o, mut l) = (Vec::new(), Vec::new());
            if !pl.is_empty() {
                exec_batch(&mut shards[i], pl, 1_000, &mut o, &mut l);
            }
            replies.push((o, l));
        }
        let mut cur = vec![(0usize, 0usize); replies.len()];
        let mut take = |w: usize| {
            let (o, l) = &replies[w];
            let (ri, off) = cur[w];
            let len = l[ri] as usize;
            cur[w] = (ri + 1, off + len);
            o[off..off + len].to_vec()
        };
        let (mut out, mut li, mut loff, mut si) = (Vec::new(), 0, 0, 0);
        for &pw in &b.plan {
            if pw == PLAN_LOCAL {
                let len = b.local_lens[li] as usize;
                out.extend_from_slice(&b.local[loff..loff + len]);
                li += 1;
                loff += len;
            } else if pw == PLAN_SPECIAL {
                let sp = &b.specials[si];
                si += 1;
                let parts: Vec<Vec<u8>> = sp.targets.iter().map(|&t| take(t as usize)).collect();
                let refs: Vec<&[u8]> = parts.iter().map(|v| v.as_slice()).collect();
                out.extend(sp.finish(&refs));
            } else {
                out.extend(take(pw as usize));
            }
        }
        (out, b.close)
    }

    fn cmd(s: &str) -> Vec<u8> {
        let mut o = Vec::new();
        encode_command(&argv(s), &mut o);
        o
    }

    #[test]
    fn gateway_two_shards() {
        let parts = 8u16;
        let owner: Vec<u16> = (0..parts).map(|p| p % 2).collect();
        let pm = PartitionMap::new(parts);
        let mut shards = vec![
            Shard::new(pm, (0..parts).filter(|p| p % 2 == 0), 1),
            Shard::new(pm, (0..parts).filter(|p| p % 2 == 1), 2),
        ];
        let mut gw = Gateway::new(owner, 2, 7);
        let mut input = Vec::new();
        for i in 0..20 {
            input.extend(cmd(&format!("SET k{i} {i}")));
        }
        input.extend(cmd("DBSIZE"));
        input.extend(cmd("GET k3"));
        input.extend(cmd("PING"));
        input.extend(cmd("MSET a 1 b 2"));
        let (out, close) = run(&mut gw, &mut shards, &input);
        assert!(!close);
        let all = crate::resp::decode_all(&out).unwrap();
        assert_eq!(all.len(), 24);
        assert_eq!(all[20], Reply::Integer(20));
        assert_eq!(all[21], Reply::bulk("3"));
        assert_eq!(all[22], Reply::Status("PONG".into()));
        assert!(all[23].is_error());
        assert!(shards[0].keyspace().dbsize() > 0 && shards[1].keyspace().dbsize() > 0);

        // SCAN across both shards visits every key exactly once here (COUNT large).
        let mut seen = Vec::new();
        let mut cursor = "0".to_string();
        for _ in 0..10 {
            let (out, _) = run(
                &mut gw,
                &mut shards,
                &cmd(&format!("SCAN {cursor} COUNT 5")),
            );
            let Reply::Array(p) = crate::resp::decode_one(&out).unwrap() else {
                panic!()
            };
            let Reply::Bulk(c) = &p[0] else { panic!() };
            let Reply::Array(ks) = &p[1] else { panic!() };
            seen.extend(ks.iter().cloned());
            cursor = String::from_utf8(c.clone()).unwrap();
            if cursor == "0" {
                break;
            }
        }
        seen.sort_by_key(|r| format!("{r:?}"));
        seen.dedup();
        assert_eq!(seen.len(), 20);

        // HELLO 3 switches later replies to RESP3; QUIT closes.
        let (out, _) = run(&mut gw, &mut shards, &cmd("HELLO 3"));
        assert!(out.starts_with(b"%7"));
        let (out, close) = run(
            &mut gw,
            &mut shards,
            &[cmd("GET nokey"), cmd("QUIT")].concat(),
        );
        assert_eq!(out, b"_\r\n+OK\r\n");
        assert!(close);
    }

    #[test]
    fn eval_caches_the_script_on_every_shard() {
        let parts = 4u16;
        let pm = PartitionMap::new(parts);
        let mut shards = vec![
            Shard::new(pm, (0..parts).filter(|p| p % 2 == 0), 1),
            Shard::new(pm, (0..parts).filter(|p| p % 2 == 1), 2),
        ];
        let mut gw = Gateway::new((0..parts).map(|p| p % 2).collect(), 2, 1);
        let script = "return 42";
        let mut input = Vec::new();
        encode_command(&[b"EVAL".as_slice(), script.as_bytes(), b"0"], &mut input);
        let (out, _) = run(&mut gw, &mut shards, &input);
        assert_eq!(out, b":42\r\n");
        let sha = { crate::lua::sha1_hex(script.as_bytes()) };
        let mut input = Vec::new();
        for k in ["a", "b", "c", "d", "e", "f"] {
            encode_command(
                &[b"EVALSHA".as_slice(), sha.as_bytes(), b"1", k.as_bytes()],
                &mut input,
            );
        }
        encode_command(
            &[b"SCRIPT".as_slice(), b"EXISTS", sha.as_bytes(), b"00"],
            &mut input,
        );
        let (out, _) = run(&mut gw, &mut shards, &input);
        assert_eq!(
            out,
            [b":42\r\n".repeat(6), b"*2\r\n:1\r\n:0\r\n".to_vec()].concat()
        );
    }

    #[test]
    fn gateway_protocol_error_and_partial() {
        let pm = PartitionMap::new(4);
        let mut shards = vec![Shard::owning_all(pm, 1)];
        let mut gw = Gateway::new(vec![0; 4], 1, 1);
        let (out, close) = run(&mut gw, &mut shards, b"*1\r\n$4\r\nPI");
        assert!(out.is_empty() && !close);
        let (out, close) = run(&mut gw, &mut shards, b"NG\r\n*x\r\n");
        assert_eq!(
            out,
            b"+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n"
        );
        assert!(close);
    }

    #[test]
    fn digest_xor_and_session() {
        let pm = PartitionMap::new(4);
        let mut one = Shard::owning_all(pm, 1);
        let mut s = RespSession::new();
        let out = s.handle(&mut one, b"SET a 1\r\nDEBUG DIGEST-VALUE a zz\r\n", 5);
        let rs = crate::resp::decode_all(&out).unwrap();
        let z = Reply::Status("0".repeat(40));
        let Reply::Array(v) = &rs[1] else { panic!() };
        let merged = merge(
            FanOut::Xor,
            vec![rs[1].clone(), Reply::Array(vec![z.clone(), z.clone()])],
            0,
        );
        assert_eq!(&merged, &rs[1]);
        assert_eq!(v[1], z);
        let out = s.handle(&mut one, b"*1\r\n$-5\r\n", 5);
        assert_eq!(out, b"-ERR Protocol error: invalid bulk length\r\n");
        assert!(s.closed());
    }
}

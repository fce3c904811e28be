//! `Shard`: one marekvs shard (command engine + keyspace) for JS, with a value API
//! (`command(argv)`) and RESP entry points (`resp(bytes)`, `execBatch(payload)` for the
//! server's workers). The JS value mapping is documented in docs/js-api.md.

use crate::engine::{CallCtx, Shard as CoreShard};
use crate::host::unix_ms;
use crate::reply::Reply;
use crate::router::PartitionMap;
use crate::session::{exec_batch_with, exec_jobs, BatchScratch, RespSession};
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

mod packed;

/// A shard owning some (default: all) partitions of a partition map.
#[wasm_bindgen(js_name = Shard)]
pub struct JsShard {
    shard: CoreShard,
    ctx: CallCtx,
    session: RespSession,
    bulk_bytes: bool,
    throw_errors: bool,
    lens: Vec<u32>,
    /// Buffers of `execBatch`/`execJobs`, kept between calls.
    scratch: BatchScratch,
    /// The argv of the last packed command (kept to reuse its allocations).
    args: Vec<Vec<u8>>,
    /// The reply of the last packed command, for `__takeReply` (and the bytes a string kind
    /// points at until the next command).
    last: Option<Reply>,
}

impl JsShard {
    /// The core shard (for the other binding files, e.g. effects).
    pub(crate) fn core(&self) -> &CoreShard {
        &self.shard
    }

    /// The core shard, mutable.
    pub(crate) fn core_mut(&mut self) -> &mut CoreShard {
        &mut self.shard
    }
}

fn opt(options: &JsValue, name: &str) -> Option<JsValue> {
    if !options.is_object() {
        return None;
    }
    Reflect::get(options, &JsValue::from_str(name))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn opt_u16(options: &JsValue, name: &str, lo: f64, hi: f64) -> Result<Option<u16>, JsError> {
    match opt(options, name) {
        None => Ok(None),
        Some(v) => match v.as_f64() {
            Some(n) if n.fract() == 0.0 && (lo..=hi).contains(&n) => Ok(Some(n as u16)),
            _ => Err(JsError::new(&format!(
                "option '{name}' must be an integer in {lo}..={hi}"
            ))),
        },
    }
}

fn now() -> i64 {
    unix_ms() as i64
}

#[wasm_bindgen(js_class = Shard)]
impl JsShard {
    /// `new Shard({ partitions, owned, seed, bulkAs, errors, protocol, scriptTimeLimitMs,
    /// scriptMemoryLimit })`, all optional: `partitions` (1..=16384, default 1), `owned`
    /// (partition ids, default all), `seed` (number, PRNG seed), `bulkAs` (`'string'` default |
    /// `'bytes'`), `errors` (`'throw'` default | `'return'`), `protocol` (2 default | 3) for
    /// `command()`, `scriptTimeLimitMs` (a script's deadline, default 20; also `CONFIG SET
    /// lua-time-limit`), `scriptMemoryLimit` (bytes a script may allocate, default 16 MiB).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsShard, JsError> {
        let parts = opt_u16(&options, "partitions", 1.0, 16384.0)?.unwrap_or(1);
        let pmap = PartitionMap::new(parts);
        let seed = match opt(&options, "seed") {
            None => 0,
            Some(v) => match v.as_f64() {
                Some(n) if n.is_finite() && n >= 0.0 => n as u64,
                _ => return Err(JsError::new("option 'seed' must be a non-negative number")),
            },
        };
        let owned: Vec<u16> = match opt(&options, "owned") {
            None => (0..parts).collect(),
            Some(v) => {
                let arr: Array = v.dyn_into().map_err(|_| {
                    JsError::new("option 'owned' must be an array of partition ids")
                })?;
                let mut out = Vec::new();
                for x in arr.iter() {
                    match x.as_f64() {
                        Some(n) if n.fract() == 0.0 && n >= 0.0 && n < f64::from(parts) => {
                            out.push(n as u16)
                        }
                        _ => {
                            return Err(JsError::new(&format!(
                                "option 'owned': partition ids must be integers in 0..{parts}"
                            )))
                        }
                    }
                }
                out
            }
        };
        let bulk_bytes = match opt(&options, "bulkAs")
            .and_then(|v| v.as_string())
            .as_deref()
        {
            None | Some("string") => false,
            Some("bytes") => true,
            Some(o) => {
                return Err(JsError::new(&format!(
                    "option 'bulkAs': '{o}' is not 'string' or 'bytes'"
                )))
            }
        };
        let throw_errors = match opt(&options, "errors")
            .and_then(|v| v.as_string())
            .as_deref()
        {
            None | Some("throw") => true,
            Some("return") => false,
            Some(o) => {
                return Err(JsError::new(&format!(
                    "option 'errors': '{o}' is not 'throw' or 'return'"
                )))
            }
        };
        let mut ctx = CallCtx::new(0);
        ctx.proto = match opt_u16(&options, "protocol", 2.0, 3.0)? {
            Some(3) => 3,
            _ => 2,
        };
        let mut shard = CoreShard::new(pmap, owned, seed);
        if let Some(v) = opt(&options, "scriptTimeLimitMs") {
            match v.as_f64() {
                Some(ms) if ms.is_finite() && ms >= 1.0 => {
                    shard.config.lua_time_limit_ms = ms.min(u64::MAX as f64) as u64
                }
                _ => {
                    return Err(JsError::new(
                        "option 'scriptTimeLimitMs' must be a number of milliseconds >= 1",
                    ))
                }
            }
        }
        if let Some(v) = opt(&options, "scriptMemoryLimit") {
            match v.as_f64() {
                Some(b) if b.is_finite() && b >= 1024.0 => {
                    shard.script_limits.memory = b.min(usize::MAX as f64) as usize
                }
                _ => {
                    return Err(JsError::new(
                        "option 'scriptMemoryLimit' must be a number of bytes >= 1024",
                    ))
                }
            }
        }
        Ok(JsShard {
            shard,
            ctx,
            session: RespSession::new(),
            bulk_bytes,
            throw_errors,
            lens: Vec::new(),
            scratch: BatchScratch::default(),
            args: Vec::new(),
            last: None,
        })
    }

    /// Run one command. `argv`: strings (UTF-8), `Uint8Array`s or numbers. Returns the reply
    /// as a JS value; an error reply is thrown as a `ReplyError` (or returned, with
    /// `errors: 'return'`).
    pub fn command(&mut self, argv: Array) -> Result<JsValue, JsValue> {
        let args = argv_from_js(&argv)?;
        self.ctx.now_ms = now();
        let r = self.shard.execute(&args, &mut self.ctx);
        self.reply_to_js(&r)
    }

    /// The fast path of `command()` (js/shard-command.mjs): the argv was packed by JS into the
    /// module's input buffer (see [`packed`]); `now_ms` is JS's `Date.now()`; `clock_ms`,
    /// when not negative, the same reading again, from which a script's budget starts
    /// instead of an import call reading the monotonic clock (see
    /// [`crate::sys::set_clock_reading`]). Returns the reply's
    /// kind; its value is in the output block or, for `packed::SLOW`, comes from
    /// `__takeReply()`. No JS value is created on this path.
    #[wasm_bindgen(js_name = __commandPacked, skip_typescript)]
    pub fn command_packed(&mut self, n: u32, now_ms: f64, clock_ms: f64) -> u32 {
        if !packed::unpack(n as usize, &mut self.args) {
            return packed::FALLBACK;
        }
        self.ctx.now_ms = now_ms as i64;
        crate::sys::set_clock_reading(clock_ms);
        let r = self.shard.execute(&self.args, &mut self.ctx);
        crate::sys::set_clock_reading(-1.0);
        packed::release_large(&mut self.args);
        let kind = packed::classify(&r, self.bulk_bytes);
        self.last = Some(r);
        kind
    }

    /// The last packed command's reply as a JS value (thrown when it is an error and errors
    /// throw): the replies the packed path does not encode.
    #[wasm_bindgen(js_name = __takeReply, skip_typescript)]
    pub fn take_reply(&mut self) -> Result<JsValue, JsValue> {
        let r = self.last.take().unwrap_or(Reply::Nil);
        self.reply_to_js(&r)
    }

    /// Drops the last packed command's reply (JS calls this after reading a large string).
    #[wasm_bindgen(js_name = __dropReply, skip_typescript)]
    pub fn drop_reply(&mut self) {
        self.last = None;
    }

    /// The module's input buffer for packed argv, grown to hold `bytes`: its address.
    #[wasm_bindgen(js_name = __argBuffer, skip_typescript)]
    pub fn arg_buffer(bytes: u32) -> u32 {
        packed::input_buffer(bytes as usize)
    }

    /// The address of the output block (f64 number, u32 address, u32 length).
    #[wasm_bindgen(js_name = __outBlock, skip_typescript)]
    pub fn out_block() -> u32 {
        packed::out_block()
    }

    /// The module's memory (for the JS side of the packed path).
    #[wasm_bindgen(js_name = __memory, skip_typescript)]
    pub fn memory() -> JsValue {
        wasm_bindgen::memory()
    }

    fn reply_to_js(&self, r: &Reply) -> Result<JsValue, JsValue> {
        if let (true, Reply::Error(e)) = (self.throw_errors, r) {
            return Err(reply_error(e));
        }
        Ok(to_js(r, self.bulk_bytes))
    }

    /// RESP bytes in (any number of complete or partial requests), RESP bytes out. The
    /// session (protocol from HELLO, buffered partial request) persists across calls; after
    /// a protocol error or QUIT it is `respClosed` and ignores input.
    pub fn resp(&mut self, bytes: &[u8]) -> Vec<u8> {
        self.session.handle(&mut self.shard, bytes, now())
    }

    /// True once the RESP session ended (protocol error or QUIT).
    #[wasm_bindgen(getter, js_name = respClosed)]
    pub fn resp_closed(&self) -> bool {
        self.session.closed()
    }

    /// Server internal: run a batch built by `Gateway` (see docs/js-api.md). Returns the
    /// concatenated RESP replies; their lengths are in `lastReplyLengths()`.
    #[wasm_bindgen(js_name = execBatch)]
    pub fn exec_batch(&mut self, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.lens.clear();
        exec_batch_with(
            &mut self.scratch,
            &mut self.shard,
            payload,
            now(),
            &mut out,
            &mut self.lens,
        );
        out
    }

    /// Server internal: a whole job message of `marekvs serve` in one call (one wasm
    /// crossing and two copies per message instead of per job). `jobs` is
    /// `[id u32 LE][len u32 LE][payload]...` (payloads as for `execBatch`); the answer is
    /// `[id u32][0 u32][n u32][outLen u32][out: n replies][lens u32 × n]...` per job, in order.
    /// A cut job header or payload ends the message (the server never sends one).
    #[wasm_bindgen(js_name = execJobs)]
    pub fn exec_jobs(&mut self, jobs: &[u8]) -> Vec<u8> {
        let mut res = Vec::with_capacity(jobs.len() + jobs.len() / 2);
        exec_jobs(
            &mut self.scratch,
            &mut self.shard,
            jobs,
            now,
            &mut res,
            &mut self.lens,
        );
        res
    }

    /// Lengths of the replies of the last `execBatch`.
    #[wasm_bindgen(js_name = lastReplyLengths)]
    pub fn last_reply_lengths(&self) -> Vec<u32> {
        self.lens.clone()
    }

    /// Bounded active expiry: deletes up to `budget` expired keys; returns how many.
    #[wasm_bindgen(js_name = activeExpire)]
    pub fn active_expire(&mut self, budget: u32) -> u32 {
        let n = self.shard.active_expire(now(), budget as usize);
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Number of user keys.
    #[wasm_bindgen(getter)]
    pub fn dbsize(&self) -> f64 {
        self.shard.keyspace().dbsize() as f64
    }

    /// Number of partitions of the map.
    #[wasm_bindgen(getter)]
    pub fn partitions(&self) -> u16 {
        self.shard.partition_map().count()
    }

    /// True when this shard owns partition `p`.
    pub fn owns(&self, p: u16) -> bool {
        self.shard.owns(p)
    }

    /// `takeLogs()`: the `redis.log` lines scripts wrote since the last call (at most the
    /// newest 256), oldest first, as `[{level: 'debug'|'verbose'|'notice'|'warning', message}]`.
    #[wasm_bindgen(js_name = takeLogs)]
    pub fn take_logs(&self) -> js_sys::Array {
        let out = js_sys::Array::new();
        let Some(s) = crate::engine::scripts::scripting(&self.shard) else {
            return out;
        };
        for (level, message) in s.take_logs() {
            let o = js_sys::Object::new();
            let name = match level {
                0 => "debug",
                1 => "verbose",
                2 => "notice",
                _ => "warning",
            };
            let _ = js_sys::Reflect::set(&o, &"level".into(), &name.into());
            let _ = js_sys::Reflect::set(&o, &"message".into(), &message.into());
            out.push(&o);
        }
        out
    }
}

/// `argv` items → byte strings (string: UTF-8; Uint8Array: bytes; number/bigint: decimal).
pub(crate) fn argv_from_js(argv: &Array) -> Result<Vec<Vec<u8>>, JsValue> {
    let mut out = Vec::with_capacity(argv.length() as usize);
    for (i, v) in argv.iter().enumerate() {
        if let Some(s) = v.as_string() {
            out.push(s.into_bytes());
        } else if let Some(b) = v.dyn_ref::<Uint8Array>() {
            out.push(b.to_vec());
        } else if let Some(n) = v.as_f64() {
            out.push(number_arg(n).into_bytes());
        } else if let Some(s) = v
            .dyn_ref::<js_sys::BigInt>()
            .and_then(|b| b.to_string(10).ok())
        {
            out.push(String::from(s).into_bytes());
        } else {
            return Err(js_sys::TypeError::new(&format!(
                "argv[{i}] must be a string, a Uint8Array, a number or a bigint"
            ))
            .into());
        }
    }
    Ok(out)
}

/// A number argument as Redis parses it: integers without a fraction, `inf`/`-inf`, and
/// the shortest round-trip decimal otherwise.
fn number_arg(n: f64) -> String {
    if n.is_infinite() {
        return if n > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if n.fract() == 0.0 && n.abs() < 9.2e18 {
        return format!("{}", n as i64);
    }
    format!("{n}")
}

/// A `ReplyError` (a JS `Error` with `name = 'ReplyError'` and `code` = the first word).
pub(crate) fn reply_error(msg: &str) -> JsValue {
    let err = js_sys::Error::new(msg);
    err.set_name("ReplyError");
    let code = msg.split(' ').next().unwrap_or("ERR");
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

fn bytes_to_js(b: &[u8], as_bytes: bool) -> JsValue {
    if !as_bytes {
        if let Ok(s) = std::str::from_utf8(b) {
            return JsValue::from_str(s);
        }
    }
    Uint8Array::from(b).into()
}

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE: i64 = (1 << 53) - 1;

/// The reply as a JS value (see docs/js-api.md for the table).
pub(crate) fn to_js(r: &Reply, as_bytes: bool) -> JsValue {
    match r {
        Reply::Status(s) => JsValue::from_str(s),
        Reply::Error(e) => reply_error(e),
        Reply::Integer(i) if (-MAX_SAFE..=MAX_SAFE).contains(i) => JsValue::from_f64(*i as f64),
        Reply::Integer(i) => js_sys::BigInt::from(*i).into(),
        Reply::Bulk(b) => bytes_to_js(b, as_bytes),
        Reply::Nil | Reply::NilArray => JsValue::NULL,
        Reply::Array(items) => items
            .iter()
            .map(|x| to_js(x, as_bytes))
            .collect::<Array>()
            .into(),
        Reply::Set(items) => {
            let s = js_sys::Set::new(&JsValue::UNDEFINED);
            for x in items {
                s.add(&to_js(x, as_bytes));
            }
            s.into()
        }
        Reply::Map(pairs) => {
            let m = js_sys::Map::new();
            for (k, v) in pairs {
                m.set(&to_js(k, as_bytes), &to_js(v, as_bytes));
            }
            m.into()
        }
        Reply::Double(d) => JsValue::from_f64(*d),
        Reply::Bool(b) => JsValue::from_bool(*b),
        Reply::BigNumber(s) => js_sys::BigInt::new(&JsValue::from_str(s))
            .map(JsValue::from)
            .unwrap_or_else(|_| JsValue::from_str(s)),
        Reply::Verbatim(_, b) => bytes_to_js(b, as_bytes),
    }
}

//! Redis-grade scripting on the Lua engine: `EVAL`, `EVALSHA`, `EVAL_RO`, `EVALSHA_RO` and
//! `SCRIPT LOAD|EXISTS|FLUSH|KILL`, the `redis` table, Redis 7's error texts and Lua↔RESP
//! conversions, read-only globals, and budgets whose trips undo the script's writes.
//!
//! Differences from Redis (Lua 5.4 instead of 5.1, partitions, budgets, effects) are listed
//! in `docs/scripting.md`.

pub mod api;
mod call;
pub mod convert;
pub mod shebang;

use crate::engine::{CallCtx, Shard};
use crate::lua::budget::Trip;
use crate::lua::{Engine, Limits, ScriptError};
use crate::reply::Reply;
use api::Bridge;
use mlua::{Function, MultiValue, Table, Value};
use shebang::ScriptFlags;
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

/// The Lua prelude: 5.1 compatibility names, Redis's `pcall`, error handler and read-only
/// globals. See the file.
const PRELUDE: &str = include_str!("prelude.lua");

/// The hidden system record holding a script body: `\x00script:<sha>` (the keyspace adds
/// the leading NUL).
pub fn script_record_name(sha: &str) -> Vec<u8> {
    format!("script:{sha}").into_bytes()
}

/// Lowercase hex SHA1 (the script cache key).
pub use crate::lua::sha1_hex;

struct Script {
    func: Function,
    flags: ScriptFlags,
}

/// The scripting half of a shard: one Lua engine and its script cache.
pub struct Scripting {
    engine: Engine,
    bridge: Rc<Bridge>,
    env: Table,
    runner: Function,
    globals: Table,
    scripts: HashMap<String, Script>,
}

/// Which variant of EVAL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalKind {
    /// `EVAL` / `EVAL_RO` (`ro`).
    Body { ro: bool },
    /// `EVALSHA` / `EVALSHA_RO` (`ro`).
    Sha { ro: bool },
}

impl Scripting {
    /// A fresh engine with the given budgets and Redis's script environment.
    pub fn new(limits: Limits) -> mlua::Result<Scripting> {
        let engine = Engine::new(limits)?;
        let bridge = Rc::new(Bridge::default());
        let lua = engine.lua();
        let globals = lua.globals();
        let raise = lua.create_table()?;
        let raw = api::raw_functions(lua, bridge.clone(), raise.clone())?;
        let redis: Table = globals.raw_get("redis")?;
        install_redis_table(lua, &redis, &raw, &raise, &bridge)?;
        let prelude = lua.load(PRELUDE).set_name("=prelude").into_function()?;
        let where_fn: Function = raw.raw_get("where")?;
        let plain = lua.create_function(|_, v: Value| {
            Ok(match v {
                Value::Error(e) => crate::lua::error_text(&e),
                other => other.to_string().unwrap_or_default(),
            })
        })?;
        let (env, runner): (Table, Function) = prelude.call((globals.clone(), where_fn, plain))?;
        Ok(Scripting {
            engine,
            bridge,
            env,
            runner,
            globals,
            scripts: HashMap::new(),
        })
    }

    /// The budgets in force.
    pub fn limits(&self) -> Limits {
        self.engine.limits()
    }

    /// Changes the budgets (CONFIG SET lua-time-limit).
    pub fn set_limits(&mut self, limits: Limits) {
        self.engine.set_limits(limits);
    }

    /// Bytes the Lua state holds.
    pub fn used_memory(&self) -> usize {
        self.engine.used_memory()
    }

    /// Milliseconds the last script ran.
    pub fn last_run_ms(&self) -> f64 {
        self.engine.elapsed_ms()
    }

    /// Takes the `redis.log` lines written since the last call.
    pub fn take_logs(&self) -> Vec<(u8, String)> {
        std::mem::take(&mut *self.bridge.logs.borrow_mut())
    }

    /// Compiles and caches a body; stores its system record. Returns the SHA.
    pub fn load(&mut self, shard: &mut Shard, body: &[u8]) -> Result<String, Reply> {
        let sha = sha1_hex(body);
        if !self.scripts.contains_key(&sha) {
            let script = self.compile(body)?;
            self.scripts.insert(sha.clone(), script);
        }
        let name = script_record_name(&sha);
        if shard.keyspace().get_system_record(&name) != Some(body) {
            shard.keyspace_mut().set_system_record(&name, body);
        }
        Ok(sha)
    }

    fn compile(&self, body: &[u8]) -> Result<Script, Reply> {
        let (flags, code) = shebang::parse(body).map_err(Reply::err)?;
        let func = self
            .engine
            .lua()
            .load(&code[..])
            .set_name("@user_script")
            .set_mode(mlua::chunk::ChunkMode::Text)
            .set_environment(self.env.clone())
            .into_function()
            .map_err(|e| {
                // Lua 5.4 prints the end-of-input token bare; 5.1 (Redis) quotes it.
                let msg = crate::lua::error_text(&e)
                    .replace(['\r', '\n'], " ")
                    .replace("near <eof>", "near '<eof>'");
                Reply::err(format!("ERR Error compiling script (new function): {msg}"))
            })?;
        Ok(Script { func, flags })
    }

    /// Finds a cached script, or compiles it from its system record (a body loaded on another
    /// node arrives as a record), or answers NOSCRIPT.
    fn resolve_sha(&mut self, shard: &Shard, sha: &str) -> Result<(), Reply> {
        if self.scripts.contains_key(sha) {
            return Ok(());
        }
        let noscript = || Reply::err("NOSCRIPT No matching script. Please use EVAL.");
        if sha.len() != 40 {
            return Err(noscript());
        }
        let body = shard
            .keyspace()
            .get_system_record(&script_record_name(sha))
            .map(<[u8]>::to_vec)
            .ok_or_else(noscript)?;
        let script = self.compile(&body)?;
        self.scripts.insert(sha.to_string(), script);
        Ok(())
    }

    /// `EVAL`-family commands. `argv[0]` is the command name.
    pub fn eval(
        &mut self,
        shard: &mut Shard,
        cx: &mut CallCtx,
        argv: &[Vec<u8>],
        kind: EvalKind,
    ) -> Reply {
        if cx.in_script {
            return Reply::err("ERR This Redis command is not allowed from script");
        }
        let (Some(target), Some(numkeys)) = (argv.get(1), argv.get(2)) else {
            return wrong_arity(argv);
        };
        let numkeys = match parse_numkeys(numkeys, argv.len() - 3) {
            Ok(n) => n,
            Err(e) => return e,
        };
        let keys = &argv[3..3 + numkeys];
        let args = &argv[3 + numkeys..];
        let (sha, ro) = match kind {
            EvalKind::Body { ro } => match self.load(shard, target) {
                Ok(sha) => (Cow::Owned(sha), ro),
                Err(e) => return e,
            },
            EvalKind::Sha { ro } => {
                // The cache is keyed by lowercase hex: a SHA already in that form (the usual
                // case) is looked up as it is, without a new string.
                let sha: Cow<str> = match std::str::from_utf8(target) {
                    Ok(s) if !s.bytes().any(|b| b.is_ascii_uppercase()) => Cow::Borrowed(s),
                    _ => Cow::Owned(String::from_utf8_lossy(target).to_ascii_lowercase()),
                };
                if let Err(e) = self.resolve_sha(shard, &sha) {
                    return e;
                }
                (sha, ro)
            }
        };
        let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let mut scx = CallCtx {
            in_script: true,
            partition_pin: None,
            pin_on_first_key: false,
            ..cx.clone()
        };
        let pin = match shard.check_keys(&key_refs, &mut scx) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let Some(script) = self.scripts.get(sha.as_ref()) else {
            return Reply::err("NOSCRIPT No matching script. Please use EVAL.");
        };
        scx.partition_pin = pin;
        scx.pin_on_first_key = pin.is_none();
        scx.script_readonly = ro || script.flags.no_writes;
        let func = script.func.clone();
        let reply = self.run(shard, &mut scx, &func, keys, args, &sha);
        cx.quit |= scx.quit;
        reply
    }

    fn run(
        &mut self,
        shard: &mut Shard,
        scx: &mut CallCtx,
        func: &Function,
        keys: &[Vec<u8>],
        args: &[Vec<u8>],
        sha: &str,
    ) -> Reply {
        if let Err(e) = set_keys_argv(self.engine.lua(), &self.globals, keys, args) {
            return Reply::err(format!("ERR {}", crate::lua::error_text(&e)));
        }
        shard.keyspace_mut().start_undo();
        let time_limit = self.engine.limits().time_ms;
        crate::host::script_running(true, time_limit);
        let outcome = {
            let _entered = self.bridge.enter(shard, scx);
            self.engine.call(
                &self.runner,
                MultiValue::from_iter([Value::Function(func.clone())]),
            )
        };
        crate::host::script_running(false, time_limit);
        let reply = match outcome {
            Ok(results) => api::script_result(&results, sha),
            Err(ScriptError::Aborted(trip)) => {
                shard.keyspace_mut().rollback_undo();
                return aborted_reply(trip, &self.engine.limits());
            }
            Err(e) => Reply::err(format!("ERR {e}")),
        };
        shard.keyspace_mut().commit_undo();
        reply
    }

    /// `SCRIPT LOAD|EXISTS|FLUSH|KILL|HELP`.
    pub fn script_command(&mut self, shard: &mut Shard, cx: &CallCtx, argv: &[Vec<u8>]) -> Reply {
        if cx.in_script {
            return Reply::err("ERR This Redis command is not allowed from script");
        }
        let Some(sub) = argv.get(1) else {
            return wrong_arity(argv);
        };
        let sub = String::from_utf8_lossy(sub).to_ascii_lowercase();
        match (sub.as_str(), argv.len()) {
            ("load", 3) => match self.load(shard, &argv[2]) {
                Ok(sha) => Reply::Bulk(sha.into_bytes()),
                Err(e) => e,
            },
            ("exists", n) if n >= 3 => Reply::Array(
                argv[2..]
                    .iter()
                    .map(|s| {
                        let sha = String::from_utf8_lossy(s).to_ascii_lowercase();
                        let known = self.scripts.contains_key(&sha)
                            || (sha.len() == 40
                                && shard
                                    .keyspace()
                                    .get_system_record(&script_record_name(&sha))
                                    .is_some());
                        Reply::Integer(i64::from(known))
                    })
                    .collect(),
            ),
            ("flush", 2) => self.flush(shard),
            ("flush", 3) => {
                let mode = String::from_utf8_lossy(&argv[2]).to_ascii_lowercase();
                if mode == "sync" || mode == "async" {
                    self.flush(shard)
                } else {
                    Reply::err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
                }
            }
            // Scripts never overlap a command on this shard; the server answers KILL for
            // a script running on a worker.
            ("kill", 2) => Reply::err("NOTBUSY No scripts in execution right now."),
            ("help", 2) => Reply::Array(
                [
                    "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                    "EXISTS <sha1> [<sha1> ...]",
                    "FLUSH [ASYNC|SYNC]",
                    "KILL",
                    "LOAD <script>",
                ]
                .iter()
                .map(|s| Reply::Status((*s).to_string()))
                .collect(),
            ),
            ("load" | "exists" | "flush" | "kill" | "help", _) => wrong_arity_sub(&sub),
            _ => Reply::err(format!(
                "ERR unknown subcommand '{}'. Try SCRIPT HELP.",
                String::from_utf8_lossy(&argv[1])
            )),
        }
    }

    /// Drops every cached script and this shard's script records.
    fn flush(&mut self, shard: &mut Shard) -> Reply {
        self.scripts.clear();
        let names: Vec<Vec<u8>> = shard
            .keyspace()
            .system_records(b"script:")
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        for name in names {
            let key = crate::keyspace::Keyspace::system_key(&name);
            shard
                .keyspace_mut()
                .apply(crate::keyspace::WriteOp::Delete { key });
        }
        let _ = self.engine.lua().gc_collect();
        Reply::ok()
    }
}

/// Sets the globals `KEYS` and `ARGV` to fresh sequences of `keys` and `args`, built on the
/// raw API in one protected call (no mlua value per element).
fn set_keys_argv(
    lua: &mlua::Lua,
    globals: &Table,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
) -> mlua::Result<()> {
    // SAFETY: the closure only pushes strings and tables and stores them in the table at
    // index 1 (the globals, its argument); it holds no Rust value with a destructor, so a
    // memory error raised inside it unwinds nothing but Lua's own frame.
    unsafe {
        lua.exec_raw::<()>(globals, |l| {
            for (name, items) in [(c"KEYS", keys), (c"ARGV", args)] {
                mlua::ffi::lua_pushstring(l, name.as_ptr());
                mlua::ffi::lua_createtable(l, items.len().min(i32::MAX as usize) as i32, 0);
                for (i, item) in items.iter().enumerate() {
                    mlua::ffi::lua_pushlstring(l, item.as_ptr().cast(), item.len());
                    mlua::ffi::lua_rawseti(l, -2, i as mlua::ffi::lua_Integer + 1);
                }
                mlua::ffi::lua_rawset(l, 1);
            }
            mlua::ffi::lua_settop(l, 0);
        })
    }
}

/// The reply of a script aborted by its budget: its own code, which budget, and that
/// nothing was applied.
pub fn aborted_reply(trip: Trip, limits: &Limits) -> Reply {
    match trip {
        Trip::Time => Reply::err(format!(
            "SCRIPTTIMEOUT Script exceeded the time limit of {} ms and was aborted; none of its writes were applied",
            limits.time_ms
        )),
        Trip::Memory => Reply::err(format!(
            "SCRIPTOOM Script exceeded the memory limit of {} bytes and was aborted; none of its writes were applied",
            limits.memory
        )),
        Trip::Killed => Reply::err(
            "SCRIPTKILLED Script killed by user with SCRIPT KILL; none of its writes were applied",
        ),
    }
}

fn parse_numkeys(raw: &[u8], available: usize) -> Result<usize, Reply> {
    let n = crate::numfmt::parse_i64(raw)
        .ok_or_else(|| Reply::err("ERR value is not an integer or out of range"))?;
    if n < 0 {
        return Err(Reply::err("ERR Number of keys can't be negative"));
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    if n > available {
        return Err(Reply::err(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    Ok(n)
}

fn wrong_arity(argv: &[Vec<u8>]) -> Reply {
    let name = argv
        .first()
        .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
        .unwrap_or_default();
    Reply::err(format!(
        "ERR wrong number of arguments for '{name}' command"
    ))
}

fn wrong_arity_sub(sub: &str) -> Reply {
    Reply::err(format!(
        "ERR wrong number of arguments for 'script|{sub}' command"
    ))
}

/// Fills the `redis` table: Rust functions wrapped so that their errors are raised as Redis
/// raises them, plus the functions simple enough to be Lua, and the constants.
fn install_redis_table(
    lua: &mlua::Lua,
    redis: &Table,
    raw: &Table,
    raise: &Table,
    bridge: &Rc<Bridge>,
) -> mlua::Result<()> {
    let convert = call::convert_helper(lua, bridge.clone())?;
    redis.raw_set("call", call::function(lua, bridge, convert.clone(), true)?)?;
    redis.raw_set("pcall", call::function(lua, bridge, convert, false)?)?;
    for name in ["setresp", "log", "set_repl", "sha1hex"] {
        let f: Function = raw.raw_get(name)?;
        redis.raw_set(name, api::raising(lua, f, raise, Value::Nil)?)?;
    }
    let lua_side: Function = lua
        .load(
            r#"
            local redis = ...
            redis.replicate_commands = function() return true end
            redis.breakpoint = function() return false end
            redis.debug = function() end
            redis.error_reply = function(...)
              local e = ...
              if select('#', ...) ~= 1 or type(e) ~= 'string' then
                return { err = 'ERR wrong number or type of arguments' }
              end
              if e:sub(1, 1) ~= '-' then e = '-' .. e end
              local code, msg = e:match('^%-(%S*) (.*)$')
              if not code then code, msg = 'ERR', e:sub(2) end
              msg = msg:gsub('[\r\n]+$', '')
              return { err = code .. ' ' .. msg }
            end
            redis.status_reply = function(...)
              local s = ...
              if select('#', ...) ~= 1 or type(s) ~= 'string' then
                return { err = 'ERR wrong number or type of arguments' }
              end
              return { ok = s }
            end
            redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
            redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
            redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = '7.0.15', 0x07000f
            "#,
        )
        .set_name("=redis")
        .into_function()?;
    lua_side.call::<()>(redis.clone())
}

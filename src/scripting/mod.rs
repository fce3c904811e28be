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
use crate::keyspace::hasher::Map;
use crate::lua::budget::Trip;
use crate::lua::{Engine, Limits};
use crate::reply::Reply;
use api::Bridge;
use mlua::{ffi, Function, Table, Value};
use shebang::ScriptFlags;
use std::borrow::Cow;
use std::ffi::{c_int, c_void, CStr};
use std::ptr::NonNull;
use std::rc::Rc;

/// The Lua prelude: 5.1 compatibility names, Redis's `pcall`, error handler and read-only
/// globals. See the file (`src/scripting/prelude.lua`); build.rs embeds it without its
/// comments and indentation, every line kept, so error positions stay those of the file.
const PRELUDE: &str = include_str!(concat!(env!("OUT_DIR"), "/prelude.lua"));

/// The `redis` table's functions written in Lua, and its constants
/// (`src/scripting/redis_api.lua`, compacted as the prelude).
const REDIS_API: &str = include_str!(concat!(env!("OUT_DIR"), "/redis_api.lua"));

/// The hidden system record holding a script body: `\x00script:<sha>` (the keyspace adds
/// the leading NUL).
pub fn script_record_name(sha: &str) -> Vec<u8> {
    format!("script:{sha}").into_bytes()
}

/// Lowercase hex SHA1 (the script cache key).
pub use crate::lua::sha1_hex;

struct Script {
    /// The compiled function's registry reference ([`registry_ref`]).
    func: c_int,
    flags: ScriptFlags,
}

/// The scripting half of a shard: one Lua engine and its script cache.
pub struct Scripting {
    engine: Engine,
    bridge: Rc<Bridge>,
    env: Table,
    /// Redis's message handler (the prelude's; a registry reference): every script runs
    /// under it.
    handler: c_int,
    /// Whether KEYS/ARGV tables may be reused ([`table_layout_known`]).
    reuse_tables: bool,
    /// Registry references holding the last KEYS and ARGV tables.
    arrays: [c_int; 2],
    /// The tables those slots hold (null before the first), read without a Lua call to
    /// tell whether they can be reused ([`Invocation::set_array`]).
    tables: [*const LuaTableHead; 2],
    /// A registry slot (holding `false` at rest) where a result that is not converted on
    /// the stack waits for its mlua conversion.
    result_slot: c_int,
    /// The state's main thread: scripts are called on it with the raw API
    /// ([`Scripting::run`]), as mlua's own calls are.
    main: *mut ffi::lua_State,
    /// By lowercase hex SHA1, as bytes (foldhash under the keyspace's seeds: SipHash was two
    /// lookups' worth of an EVALSHA's cost; bytes, so EVALSHA looks its argument up as it
    /// came, without checking it is UTF-8 or lowercase first).
    scripts: Map<Vec<u8>, Script>,
    /// The last script run, by its SHA's bytes as the command named it, with its function's
    /// registry reference and flags: running the same script again compares 40 bytes
    /// instead of hashing and probing the cache. Cleared by `SCRIPT FLUSH` (the only way a
    /// cached script goes away).
    last: Option<(Vec<u8>, c_int, ScriptFlags)>,
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
        // KEYS and ARGV exist from the start: `Invocation::set_array` replaces them with the
        // flag of the read-only globals lifted, which must not allocate.
        globals.raw_set("KEYS", Value::Boolean(false))?;
        globals.raw_set("ARGV", Value::Boolean(false))?;
        let prelude = crate::lua::load_text(lua, PRELUDE.as_bytes(), c"=prelude", None)?;
        let where_fn: Function = raw.raw_get("where")?;
        let plain = crate::lua::function(lua, |_, args| {
            Ok(match args.into_iter().next().unwrap_or(Value::Nil) {
                Value::Error(e) => crate::lua::error_text(&e),
                other => other.to_string().unwrap_or_default(),
            })
        })?;
        let b = bridge.clone();
        let finalizer_set = crate::lua::function(lua, move |_, _| {
            b.finalizers.set(true);
            Ok(())
        })?;
        // SAFETY: `marekvs_lua_readonly` and `marekvs_compat51` are C functions following
        // Lua's calling convention.
        let readonly_flag = unsafe { lua.create_c_function(marekvs_lua_readonly)? };
        let compat51 = unsafe { lua.create_c_function(marekvs_compat51)? };
        let (env, handler): (Table, Function) = prelude.call((
            globals,
            where_fn,
            plain,
            finalizer_set,
            readonly_flag,
            compat51,
        ))?;
        let handler = registry_ref(lua, &handler)?;
        let (mut reuse_tables, mut slots) = (false, [ffi::LUA_NOREF; 3]);
        let mut main = std::ptr::null_mut();
        // SAFETY: the probe makes four small tables and reads them; the registry slots for
        // the KEYS/ARGV tables and the result are made with `false` in them.
        unsafe {
            lua.exec_raw::<()>((), |l| {
                reuse_tables = table_layout_known(l);
                for slot in &mut slots {
                    ffi::lua_pushboolean(l, 0);
                    *slot = ffi::luaL_ref(l, ffi::LUA_REGISTRYINDEX);
                }
                ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, ffi::LUA_RIDX_MAINTHREAD);
                main = ffi::lua_tothread(l, -1);
                ffi::lua_settop(l, -2);
            })?;
        }
        if main.is_null() {
            return Err(mlua::Error::runtime("no main thread"));
        }
        let [keys_slot, argv_slot, result_slot] = slots;
        Ok(Scripting {
            engine,
            bridge,
            env,
            handler,
            reuse_tables,
            arrays: [keys_slot, argv_slot],
            tables: [std::ptr::null(); 2],
            result_slot,
            main,
            scripts: Map::default(),
            last: None,
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
        if !self.scripts.contains_key(sha.as_bytes()) {
            let script = self.compile(body)?;
            self.scripts.insert(sha.clone().into_bytes(), script);
        }
        let name = script_record_name(&sha);
        if shard.keyspace().get_system_record(&name) != Some(body) {
            shard.keyspace_mut().set_system_record(&name, body);
        }
        Ok(sha)
    }

    fn compile(&self, body: &[u8]) -> Result<Script, Reply> {
        let (flags, code) = shebang::parse(body).map_err(Reply::err)?;
        let lua = self.engine.lua();
        let func = crate::lua::load_text(lua, &code, c"@user_script", Some(&self.env))
            .and_then(|f| registry_ref(lua, &f))
            .map_err(|e| {
                // (`<eof>` comes quoted as in 5.1: build.rs patches the lexer.)
                let msg = crate::lua::error_text(&e).replace(['\r', '\n'], " ");
                Reply::err(format!("ERR Error compiling script (new function): {msg}"))
            })?;
        Ok(Script { func, flags })
    }

    /// Finds a cached script, or compiles it from its system record (a body loaded on another
    /// node arrives as a record), or answers NOSCRIPT.
    fn resolve_sha(&mut self, shard: &Shard, sha: &str) -> Result<&Script, Reply> {
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
        Ok(self
            .scripts
            .entry(sha.as_bytes().to_vec())
            .or_insert(script))
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
        // The declared keys, checked here rather than by the engine's dispatch (which leaves
        // the EVAL family to this): once per call, and before the script is loaded or looked
        // up, so a CROSSSLOT call neither caches nor answers NOSCRIPT first (as Redis Cluster
        // refuses it before running the command).
        let pin = match check_declared_keys(shard, cx, keys) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let (mut sha, ro): (Cow<[u8]>, bool) = match kind {
            EvalKind::Body { ro } => match self.load(shard, target) {
                Ok(sha) => (Cow::Owned(sha.into_bytes()), ro),
                Err(e) => return e,
            },
            EvalKind::Sha { ro } => (Cow::Borrowed(target), ro),
        };
        // One lookup in the usual case (a cached script named by its lowercase SHA, as
        // SCRIPT LOAD answers it); otherwise the lowercase form (SHAs are accepted in
        // uppercase), else compile from the system record.
        let last = self
            .last
            .as_ref()
            .filter(|(s, ..)| crate::same_bytes::same_bytes(s, &sha));
        let (func, flags) = match last.map(|&(_, f, fl)| (f, fl)) {
            Some(found) => found,
            None => match self.scripts.get(sha.as_ref()) {
                Some(script) => {
                    let (func, flags) = (script.func, script.flags);
                    let (bytes, f, fl) = self.last.get_or_insert_with(|| (Vec::new(), func, flags));
                    bytes.clear();
                    bytes.extend_from_slice(&sha);
                    (*f, *fl) = (func, flags);
                    (func, flags)
                }
                None => {
                    let lower = String::from_utf8_lossy(&sha).to_ascii_lowercase();
                    let found = match self.scripts.get(lower.as_bytes()) {
                        Some(script) => (script.func, script.flags),
                        None => match self.resolve_sha(shard, &lower) {
                            Ok(script) => (script.func, script.flags),
                            Err(e) => return e,
                        },
                    };
                    sha = Cow::Owned(lower.into_bytes());
                    found
                }
            },
        };
        // The client's context as the script's commands see it. The name moves over and
        // back instead of being copied (no command that reads or sets it runs in scripts).
        let mut scx = CallCtx {
            in_script: true,
            partition_pin: pin,
            pin_on_first_key: pin.is_none(),
            client_name: cx.client_name.take(),
            ..cx.clone()
        };
        scx.script_readonly = ro || flags.no_writes;
        let reply = self.run(shard, &mut scx, func, keys, args, &sha);
        cx.quit |= scx.quit;
        cx.client_name = scx.client_name;
        reply
    }

    /// Runs a script function in one protected call on the raw Lua API (no mlua values per
    /// call): [`invoke`] sets KEYS and ARGV, arms the budgets and calls the function, all
    /// under Redis's message handler; when KEYS and ARGV already hold this call's items, the
    /// function itself is called protected (same handler, same budgets). The writes are
    /// recorded for undo; a budget trip rolls them back.
    fn run(
        &mut self,
        shard: &mut Shard,
        scx: &mut CallCtx,
        func: c_int,
        keys: &[Vec<u8>],
        args: &[Vec<u8>],
        sha: &[u8],
    ) -> Reply {
        let l = self.main;
        // SAFETY: `main` is the state's main thread and no Lua call is running on it (a
        // script cannot reach EVAL, and mlua is not inside a call when a command runs), so
        // its stack is ours above `base`, restored before returning. `lua_checkstack`,
        // `lua_rawgeti` of an existing slot, and pushing a light C function or a light
        // userdata do not allocate (nothing can raise outside the protected call).
        unsafe {
            let base = ffi::lua_gettop(l);
            if ffi::lua_checkstack(l, 4) == 0 {
                return Reply::err("ERR Lua stack exhausted");
            }
            shard.keyspace_mut().start_undo();
            let limits = self.engine.limits();
            crate::host::script_running(true, limits.time_ms);
            let mut call = Invocation {
                engine: &self.engine,
                bridge: &self.bridge,
                func,
                reuse_tables: self.reuse_tables && !self.bridge.finalizers.get(),
                arrays: self.arrays,
                tables: &mut self.tables,
                shard: NonNull::from(&mut *shard),
                scx: NonNull::from(&mut *scx),
                keys,
                args,
            };
            ffi::lua_rawgeti(
                l,
                ffi::LUA_REGISTRYINDEX,
                ffi::lua_Integer::from(self.handler),
            );
            let status = if call.arrays_current() {
                // KEYS and ARGV already hold exactly these items (the same keys and
                // arguments as the previous call: the usual EVALSHA), so nothing before the
                // script can allocate or raise, and the script is called protected directly
                // (what `invoke` does around it, minus the arrays), one C call level less.
                ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, ffi::lua_Integer::from(func));
                call.bridge.enter(call.shard, call.scx);
                call.engine.arm();
                ffi::lua_pcall(l, 0, 1, base + 1)
            } else {
                ffi::lua_pushcfunction(l, invoke);
                ffi::lua_pushlightuserdata(l, (&mut call as *mut Invocation).cast());
                ffi::lua_pcall(l, 1, 1, base + 1)
            };
            self.bridge.leave();
            let trip = self.engine.disarm();
            crate::host::script_running(false, limits.time_ms);
            // Stack: handler, result (or error value).
            let at = base + 2;
            if let Some(trip) = trip {
                ffi::lua_settop(l, base);
                // Whatever the script left behind is garbage now; give the memory back.
                let _ = self.engine.lua().gc_collect();
                shard.keyspace_mut().rollback_undo();
                return aborted_reply(trip, &limits);
            }
            let fast = if status == ffi::LUA_OK {
                simple_reply(l, at)
            } else {
                None
            };
            let reply = match fast {
                Some(reply) => {
                    ffi::lua_settop(l, base);
                    reply
                }
                None => {
                    // Into the registry slot (it exists: no allocation), then out as an mlua
                    // value for the general conversions.
                    ffi::lua_rawseti(
                        l,
                        ffi::LUA_REGISTRYINDEX,
                        ffi::lua_Integer::from(self.result_slot),
                    );
                    ffi::lua_settop(l, base);
                    let slot = ffi::lua_Integer::from(self.result_slot);
                    let value = self.engine.lua().exec_raw::<Value>((), |l| {
                        ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, slot);
                        ffi::lua_pushboolean(l, 0);
                        ffi::lua_rawseti(l, ffi::LUA_REGISTRYINDEX, slot);
                    });
                    match value {
                        Ok(v) if status == ffi::LUA_OK => convert::lua_to_reply(&v),
                        Ok(e) => api::error_reply(&e, &String::from_utf8_lossy(sha)),
                        Err(e) => Reply::err(format!("ERR {}", crate::lua::error_text(&e))),
                    }
                }
            };
            shard.keyspace_mut().commit_undo();
            reply
        }
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
                        let known = self.scripts.contains_key(sha.as_bytes())
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
        self.last = None;
        let refs: Vec<c_int> = self.scripts.drain().map(|(_, s)| s.func).collect();
        // SAFETY: luaL_unref only clears registry slots.
        let _ = unsafe {
            self.engine.lua().exec_raw::<()>((), |l| {
                for r in &refs {
                    ffi::luaL_unref(l, ffi::LUA_REGISTRYINDEX, *r);
                }
            })
        };
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

extern "C" {
    /// Sets (`on` != 0) or clears the read-only flag of the table at `idx`
    /// (`csrc/lua_readonly.c`). Never raises.
    fn marekvs_table_setreadonly(l: *mut ffi::lua_State, idx: c_int, on: c_int);
}

extern "C-unwind" {
    /// The prelude's `readonly(t)` (a Lua C function: raises on a non-table).
    fn marekvs_lua_readonly(l: *mut ffi::lua_State) -> c_int;
    /// The prelude's `compat51()`: installs Lua 5.1's `unpack`, `loadstring`, `gcinfo`,
    /// `table.getn`/`maxn`, `math.mod` and `math.ldexp` (`csrc/lua_compat.c`).
    fn marekvs_compat51(l: *mut ffi::lua_State) -> c_int;
}

/// Keeps `f` in the registry (for good, or until `luaL_unref`): the raw call path pushes it
/// with one `lua_rawgeti` instead of an mlua value per call.
fn registry_ref(lua: &mlua::Lua, f: &Function) -> mlua::Result<c_int> {
    let mut slot = ffi::LUA_NOREF;
    // SAFETY: `luaL_ref` pops the argument (the function) into a registry slot.
    unsafe {
        lua.exec_raw::<()>(f, |l| {
            slot = ffi::luaL_ref(l, ffi::LUA_REGISTRYINDEX);
        })?;
    }
    Ok(slot)
}

/// One script invocation on the raw Lua API, read by [`invoke`] through a light userdata.
struct Invocation<'a> {
    engine: &'a Engine,
    bridge: &'a Bridge,
    /// Registry reference of the script function.
    func: c_int,
    /// Whether the previous call's KEYS/ARGV tables may be reused.
    reuse_tables: bool,
    /// Registry references of the previous call's KEYS and ARGV tables.
    arrays: [c_int; 2],
    /// The tables in those slots (`Scripting::tables`).
    tables: &'a mut [*const LuaTableHead; 2],
    /// What `redis.call` reaches while the script runs (the bridge holds them only then).
    shard: NonNull<Shard>,
    scx: NonNull<CallCtx>,
    keys: &'a [Vec<u8>],
    args: &'a [Vec<u8>],
}

/// The function [`Scripting::run`] calls protected, with the [`Invocation`] as its one
/// argument: sets KEYS and ARGV, points the bridge at the shard, arms the budgets and calls
/// the script, leaving its one result.
///
/// Lua may raise (longjmp) out of the calls that allocate (the KEYS/ARGV tables and strings)
/// and out of the script's call; no value with a destructor is alive here at any of them.
unsafe extern "C-unwind" fn invoke(l: *mut ffi::lua_State) -> c_int {
    let call = &mut *ffi::lua_touserdata(l, 1).cast::<Invocation>();
    ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, ffi::lua_Integer::from(call.func));
    // KEYS and ARGV, as fresh as Redis makes them for every call. Before the budget is
    // armed: the arguments' copies do not count against the script's memory.
    call.set_array(l, c"KEYS", call.keys, 0);
    call.set_array(l, c"ARGV", call.args, 1);
    call.bridge.enter(call.shard, call.scx);
    call.engine.arm();
    ffi::lua_call(l, 0, 1);
    1
}

/// The reply of a script's result at `idx` when it is an integer, float, string, boolean or
/// nil (no allocation, nothing that raises); `None` for tables and the rest.
unsafe fn simple_reply(l: *mut ffi::lua_State, idx: c_int) -> Option<Reply> {
    Some(match ffi::lua_type(l, idx) {
        ffi::LUA_TNUMBER if ffi::lua_isinteger(l, idx) != 0 => {
            Reply::Integer(ffi::lua_tointeger(l, idx))
        }
        ffi::LUA_TNUMBER => convert::number_reply(ffi::lua_tonumber(l, idx)),
        ffi::LUA_TSTRING => {
            let mut len = 0;
            let p = ffi::lua_tolstring(l, idx, &mut len);
            Reply::Bulk(std::slice::from_raw_parts(p.cast::<u8>(), len).to_vec())
        }
        ffi::LUA_TBOOLEAN if ffi::lua_toboolean(l, idx) != 0 => Reply::Integer(1),
        ffi::LUA_TTABLE => return None,
        _ => Reply::Nil,
    })
}

impl Invocation<'_> {
    /// True when the kept KEYS and ARGV tables may be reused and already hold exactly this
    /// call's items ([`Invocation::set_array`] would change nothing). Reads the tables
    /// through their kept addresses; makes no Lua call.
    unsafe fn arrays_current(&self) -> bool {
        self.reuse_tables
            && [self.keys, self.args]
                .iter()
                .zip(self.tables.iter())
                .all(|(items, &kept)| {
                    !kept.is_null() && shape_is_fresh(&*kept, items.len()) && {
                        let array = (*kept).array.cast::<LuaTValue>();
                        items.iter().enumerate().all(|(i, item)| {
                            string_bytes(&*array.add(i))
                                .is_some_and(|b| crate::same_bytes::same_bytes(b, item))
                        })
                    }
                })
    }

    /// Sets the global `name` to a table holding `items` at 1..n, as `lua_createtable(n, 0)`
    /// and `lua_rawseti` make it (`which`: 0 for KEYS, 1 for ARGV). Leaves the stack as it
    /// was.
    ///
    /// The previous call's table (kept in the registry) is reused when nothing can tell it
    /// from a fresh one: it is still shaped as a fresh table of n items ([`fresh_shape`]: no
    /// metatable, no hash part, array part of exactly n), so filling 1..n makes it equal to
    /// a fresh table; and no earlier script can still reach it — a script cannot store
    /// values where a later one finds them (globals, library tables and the string metatable
    /// are read-only, `load` included), except through a finalizer, and once a script set a
    /// `__gc` metatable tables are never reused again (`Bridge::finalizers`). A reused table
    /// is still the global `name` (only this function sets it; scripts cannot). Saves two
    /// table allocations and the collector's work to free them on every call.
    ///
    /// The shape is read through the table's address kept from when it was made (the
    /// registry keeps the table alive and Lua's collector does not move objects), and an
    /// item that already holds a string with the new item's bytes (read from the string object
    /// itself, [`string_bytes`]) is left as it is: an empty table (ARGV of most
    /// scripts), or the same keys as the previous call, cost no Lua call at all.
    unsafe fn set_array(
        &mut self,
        l: *mut ffi::lua_State,
        name: &CStr,
        items: &[Vec<u8>],
        which: usize,
    ) {
        let n = items.len();
        let slot = ffi::lua_Integer::from(self.arrays[which]);
        let kept = self.tables[which];
        let reused = self.reuse_tables && !kept.is_null() && shape_is_fresh(&*kept, n);
        let mut pushed = false;
        if reused && n == 0 {
            return;
        }
        if !reused {
            ffi::lua_createtable(l, n.min(i32::MAX as usize) as i32, 0);
            ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, ffi::LUA_RIDX_GLOBALS);
            ffi::lua_pushstring(l, name.as_ptr());
            ffi::lua_pushvalue(l, -3);
            // The globals are read-only to scripts, not to the host: the flag is lifted for
            // this one write (the key exists since `Scripting::new`, so the write neither
            // allocates nor raises: the flag cannot be left off).
            marekvs_table_setreadonly(l, -3, 0);
            ffi::lua_rawset(l, -3);
            marekvs_table_setreadonly(l, -1, 1);
            ffi::lua_settop(l, -2);
            // Last, and without allocating (the slot exists): if anything above raised, the
            // registry, the kept address and the global still agree.
            ffi::lua_pushvalue(l, -1);
            ffi::lua_rawseti(l, ffi::LUA_REGISTRYINDEX, slot);
            self.tables[which] = ffi::lua_topointer(l, -1).cast();
            pushed = true;
        }
        // The array part: n items (`fresh_shape`, or just made by `lua_createtable(n, 0)`).
        let array = (*self.tables[which]).array.cast::<LuaTValue>();
        for (i, item) in items.iter().enumerate() {
            if reused
                && string_bytes(&*array.add(i))
                    .is_some_and(|b| crate::same_bytes::same_bytes(b, item))
            {
                continue;
            }
            if !pushed {
                ffi::lua_rawgeti(l, ffi::LUA_REGISTRYINDEX, slot);
                pushed = true;
            }
            ffi::lua_pushlstring(l, item.as_ptr().cast(), item.len());
            ffi::lua_rawseti(l, -2, i as ffi::lua_Integer + 1);
        }
        if pushed {
            ffi::lua_settop(l, -2);
        }
    }
}

/// The bytes of the string `v` holds, or `None` when it holds no string. Read through the
/// [`LuaTString`] mirror, which [`table_layout_known`] checks before any reuse relies on it.
/// Comparing the bytes themselves (not the object's address with what was stored there
/// before) matters: a script may drop the stored string and put another one, allocated where
/// the collected one was, in its place.
///
/// # Safety
/// `v` is an item of a live table (its string, if any, is alive and never changes).
unsafe fn string_bytes(v: &LuaTValue) -> Option<&[u8]> {
    if v.tt != SHORT_STRING && v.tt != LONG_STRING {
        return None;
    }
    let ts = v.gc.cast::<LuaTString>();
    let len = match (*ts).shrlen {
        LONG_SHRLEN => (*ts).u,
        n => usize::from(n),
    };
    let contents = ts.cast::<u8>().add(std::mem::size_of::<LuaTString>());
    Some(std::slice::from_raw_parts(contents, len))
}

/// Type tags of a `TValue` holding a short / long string (lobject.h: `LUA_VSHRSTR`,
/// `LUA_VLNGSTR`, with the collectable bit).
const SHORT_STRING: u8 = 4 | 64;
const LONG_STRING: u8 = 4 | 16 | 64;
/// `shrlen` of a long string (its length is in `u`).
const LONG_SHRLEN: u8 = 0xFF;

/// The head of Lua 5.4.9's `TString` (lobject.h); the bytes follow it. `u` is the length of
/// a long string (the hash chain of a short one).
#[repr(C)]
struct LuaTString {
    next: *mut c_void,
    tt: u8,
    marked: u8,
    extra: u8,
    shrlen: u8,
    hash: std::ffi::c_uint,
    u: usize,
}

/// Lua 5.4's `TValue` (lobject.h): an 8-byte value (a collectable object's address at its
/// start, little-endian) and the type tag. [`table_layout_known`] checks it.
#[repr(C, align(8))]
struct LuaTValue {
    gc: *const c_void,
    _rest: [u8; 8 - std::mem::size_of::<*const c_void>()],
    tt: u8,
}

/// The head of Lua 5.4's `Table` (lobject.h), read to tell whether a table is still shaped
/// as `lua_createtable(n, 0)` made it. [`table_layout_known`] checks this mirror against the
/// Lua actually linked before any reuse relies on it.
#[repr(C)]
struct LuaTableHead {
    next: *mut c_void,
    tt: u8,
    marked: u8,
    /// Bit 7 (`BITRAS`): `alimit` is not the real array size.
    flags: u8,
    lsizenode: u8,
    alimit: std::ffi::c_uint,
    array: *mut c_void,
    node: *mut c_void,
    /// Null exactly when the hash part is the shared empty dummy (`isdummy`).
    lastfree: *mut c_void,
    metatable: *mut c_void,
    gclist: *mut c_void,
}

const BITRAS: u8 = 1 << 7;

/// True when the table at `idx` has no metatable, no hash part and an array part of exactly
/// `n` slots: what `lua_createtable(n, 0)` makes (its contents aside).
unsafe fn fresh_shape(l: *mut ffi::lua_State, idx: c_int, n: usize) -> bool {
    shape_is_fresh(&*ffi::lua_topointer(l, idx).cast::<LuaTableHead>(), n)
}

/// [`fresh_shape`] of a table read through its address.
fn shape_is_fresh(t: &LuaTableHead, n: usize) -> bool {
    t.metatable.is_null() && t.lastfree.is_null() && t.flags & BITRAS == 0 && t.alimit as usize == n
}

/// Checks [`LuaTableHead`] and [`LuaTValue`] against tables and items of known shape made by
/// the linked Lua; false (no reuse, fresh tables every call) if anything differs, e.g. after
/// a Lua upgrade.
unsafe fn table_layout_known(l: *mut ffi::lua_State) -> bool {
    let base = ffi::lua_gettop(l);
    ffi::lua_createtable(l, 3, 0);
    ffi::lua_createtable(l, 0, 4);
    ffi::lua_createtable(l, 2, 0);
    ffi::lua_createtable(l, 0, 0);
    ffi::lua_pushvalue(l, -1);
    ffi::lua_setmetatable(l, -3);
    let head = |i: c_int| &*ffi::lua_topointer(l, base + i).cast::<LuaTableHead>();
    let (array3, hash4, with_mt, mt) = (head(1), head(2), head(3), head(4));
    // Items of `array3`: a string, an integer and a float.
    ffi::lua_pushstring(l, c"probe".as_ptr());
    let string = ffi::lua_topointer(l, -1);
    ffi::lua_rawseti(l, base + 1, 1);
    ffi::lua_pushinteger(l, 7);
    ffi::lua_rawseti(l, base + 1, 2);
    ffi::lua_pushnumber(l, 0.5);
    ffi::lua_rawseti(l, base + 1, 3);
    let items = std::slice::from_raw_parts(array3.array.cast::<LuaTValue>(), 3);
    // Type tags (lobject.h): short string 4 with the collectable bit 64, integer 3, float 19.
    let items_ok = std::mem::size_of::<LuaTValue>() == 16
        && std::ptr::eq(items[0].gc, string)
        && items[0].tt == (4 | 64)
        && items[1].gc as usize == 7
        && items[1].tt == 3
        && items[2].tt == (3 | 16);
    // A long string (past LUAI_MAXSHORTLEN, 40) read through the `TString` mirror.
    let long = [b'L'; 48];
    ffi::lua_pushlstring(l, long.as_ptr().cast(), long.len());
    let long_item = LuaTValue {
        gc: ffi::lua_topointer(l, -1),
        _rest: [0; 8 - std::mem::size_of::<*const c_void>()],
        tt: LONG_STRING,
    };
    // Only read through the items' addresses once their layout is known to be right.
    let strings_ok = items_ok
        && string_bytes(&items[0]) == Some(&b"probe"[..])
        && (*items[0].gc.cast::<LuaTString>()).tt == SHORT_STRING & 0x3f
        && string_bytes(&long_item) == Some(&long[..])
        && (*long_item.gc.cast::<LuaTString>()).tt == LONG_STRING & 0x3f;
    let ok = array3.tt == ffi::LUA_TTABLE as u8
        && fresh_shape(l, base + 1, 3)
        && !array3.array.is_null()
        && !fresh_shape(l, base + 1, 2)
        && hash4.lsizenode == 2
        && !hash4.lastfree.is_null()
        && hash4.alimit == 0
        && !fresh_shape(l, base + 2, 0)
        && with_mt.alimit == 2
        && std::ptr::eq(
            with_mt.metatable.cast_const(),
            (mt as *const LuaTableHead).cast(),
        )
        && !fresh_shape(l, base + 3, 2)
        && fresh_shape(l, base + 4, 0)
        && items_ok
        && strings_ok;
    ffi::lua_settop(l, base);
    ok
}

/// [`Shard::check_keys`] of a script's declared keys with the caller's context (key slices on
/// the stack for the usual few keys): their partition, `None` without keys.
fn check_declared_keys(
    shard: &Shard,
    cx: &mut CallCtx,
    keys: &[Vec<u8>],
) -> Result<Option<u16>, Reply> {
    const FEW: usize = 8;
    if keys.len() <= FEW {
        let mut refs: [&[u8]; FEW] = [&[]; FEW];
        for (r, k) in refs.iter_mut().zip(keys) {
            *r = k;
        }
        shard.check_keys(&refs[..keys.len()], cx)
    } else {
        let refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        shard.check_keys(&refs, cx)
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
    let call = call::function(lua, bridge, convert.clone(), true)?;
    redis.raw_set("call", Value::Function(call))?;
    let pcall = call::function(lua, bridge, convert, false)?;
    redis.raw_set("pcall", Value::Function(pcall))?;
    for name in ["setresp", "log", "set_repl", "sha1hex"] {
        let f: Function = raw.raw_get(name)?;
        redis.raw_set(
            name,
            Value::Function(api::raising(lua, f, raise, Value::Nil)?),
        )?;
    }
    let lua_side = crate::lua::load_text(lua, REDIS_API.as_bytes(), c"=redis", None)?;
    lua_side.call::<()>(redis.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `Table` mirror matches the linked Lua (else KEYS/ARGV reuse silently turns off: a
    /// Lua upgrade must update `LuaTableHead`), and `fresh_shape` tells a table changed by a
    /// script from a fresh one.
    #[test]
    fn table_mirror_matches_the_linked_lua() {
        let engine = Engine::new(Limits::default()).unwrap();
        let lua = engine.lua();
        let mut results = Vec::new();
        unsafe {
            lua.exec_raw::<()>((), |l| {
                results.push(table_layout_known(l));
                ffi::lua_createtable(l, 2, 0);
                results.push(fresh_shape(l, -1, 2));
                ffi::lua_pushinteger(l, 7);
                ffi::lua_rawseti(l, -2, 4);
                results.push(fresh_shape(l, -1, 2));
                ffi::lua_createtable(l, 1, 0);
                ffi::lua_pushinteger(l, 1);
                ffi::lua_setfield(l, -2, c"x".as_ptr());
                results.push(fresh_shape(l, -1, 1));
                ffi::lua_settop(l, 0);
            })
            .unwrap();
        }
        assert_eq!(results, [true, true, false, false]);
    }

    fn run(sh: &mut Shard, args: &[&str]) -> Reply {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        sh.execute(&argv, &mut CallCtx::new(1_700_000_000_000))
    }

    /// Empty KEYS/ARGV tables are reused without being touched while they are still empty
    /// and plain; a script that changed one makes the next call get a fresh one.
    #[test]
    fn empty_keys_and_argv_are_fresh_each_call() {
        let mut sh = Shard::standalone(7);
        let check = "return {#KEYS, #ARGV, tostring(next(KEYS)), tostring(next(ARGV)), \
                     tostring(getmetatable(ARGV)), tostring(rawget(KEYS, 'foo'))}";
        let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
        let fresh = Reply::Array(vec![
            Reply::Integer(0),
            Reply::Integer(0),
            bulk("nil"),
            bulk("nil"),
            bulk("nil"),
            bulk("nil"),
        ]);
        assert_eq!(run(&mut sh, &["EVAL", check, "0"]), fresh);
        for change in [
            "ARGV[1] = 'x'; KEYS.foo = 1",
            "ARGV.foo = 1; ARGV.foo = nil; KEYS[1] = 'k'; KEYS[1] = nil",
            "setmetatable(ARGV, {__index = function() return 'mt' end})",
            "rawset(KEYS, 1, 'x'); table.insert(ARGV, 'y')",
        ] {
            run(&mut sh, &["EVAL", change, "0"]);
            assert_eq!(run(&mut sh, &["EVAL", check, "0"]), fresh, "{change}");
        }
        // From one key back to none, and the other way.
        assert_eq!(
            run(&mut sh, &["EVAL", "return #KEYS", "1", "k"]),
            Reply::Integer(1)
        );
        assert_eq!(run(&mut sh, &["EVAL", check, "0"]), fresh);
        assert_eq!(
            run(&mut sh, &["EVAL", "return KEYS[1] .. #ARGV", "1", "k"]),
            bulk("k0")
        );
    }

    /// Items equal to the previous call's are left in place only while they are what was
    /// stored there: a script that changed them makes the next call see its own values.
    #[test]
    fn same_keys_as_the_last_call_are_fresh() {
        let mut sh = Shard::standalone(7);
        let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
        let long = "{k}".repeat(100);
        for key in ["k", long.as_str()] {
            for change in [
                "KEYS[1] = 'x'",
                "KEYS[1] = nil",
                "KEYS[1] = 5",
                "KEYS[1] = KEYS[1] .. 'z'",
                "KEYS[1] = KEYS[1]",
                "ARGV[1] = 'w'",
            ] {
                assert_eq!(
                    run(&mut sh, &["EVAL", "return KEYS[1]", "1", key]),
                    bulk(key)
                );
                run(&mut sh, &["EVAL", change, "1", key, "v"]);
                assert_eq!(
                    run(
                        &mut sh,
                        &["EVAL", "return {KEYS[1], #KEYS, ARGV[1]}", "1", key, "v"]
                    ),
                    Reply::Array(vec![bulk(key), Reply::Integer(1), bulk("v")]),
                    "{change}"
                );
            }
        }
        let both = "return KEYS[1] .. KEYS[2] .. ARGV[1]";
        for (args, expected) in [
            (["{a}1", "{a}2", "v"], "{a}1{a}2v"),
            (["{a}1", "{a}3", "v"], "{a}1{a}3v"),
            (["{a}1", "{a}3", "w"], "{a}1{a}3w"),
            (["{a}4", "{a}3", "w"], "{a}4{a}3w"),
        ] {
            let argv = ["EVAL", both, "2", args[0], args[1], args[2]];
            assert_eq!(run(&mut sh, &argv), bulk(expected));
        }
    }

    /// An item holding another string object at the address of the one stored there (the
    /// stored string collected, a new one of the same size allocated in its place) is set
    /// again: what is compared is the string in the table, not the address.
    #[test]
    fn a_new_string_at_a_collected_key_address_is_replaced() {
        let mut sh = Shard::standalone(7);
        let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
        // Drops KEYS[1], churns the collector, and makes strings of the same length until one
        // lands at the dropped string's address (`%p`); that one goes into KEYS[1].
        let swap = "local p = string.format('%p', KEYS[1]); KEYS[1] = nil \
                    for round = 1, 200 do \
                      for i = 1, 2000 do local t = {i} end \
                      for i = 1000, 1999 do \
                        local s = 'b' .. (round * 1000 + i) \
                        s = s:sub(1, 6) \
                        if string.format('%p', s) == p then KEYS[1] = s return s end \
                      end \
                    end \
                    return 'no reuse'";
        let mut reused = 0;
        for i in 0..20 {
            let key = format!("a{:05}", i);
            assert_eq!(
                run(&mut sh, &["EVAL", "return KEYS[1]", "1", &key]),
                bulk(&key)
            );
            if run(&mut sh, &["EVAL", swap, "1", &key]) != bulk("no reuse") {
                reused += 1;
            }
            assert_eq!(
                run(&mut sh, &["EVAL", "return KEYS[1]", "1", &key]),
                bulk(&key),
                "after a swap at the same address"
            );
        }
        assert!(
            reused > 0,
            "the allocator never reused the address: the test proves nothing"
        );
    }

    /// The last script run is remembered by its SHA, but never past `SCRIPT FLUSH`.
    #[test]
    fn evalsha_after_flush_and_reload() {
        let mut sh = Shard::standalone(7);
        let noscript = Reply::Error("NOSCRIPT No matching script. Please use EVAL.".into());
        let load = |sh: &mut Shard, body: &str| match run(sh, &["SCRIPT", "LOAD", body]) {
            Reply::Bulk(b) => String::from_utf8(b).unwrap(),
            other => panic!("{other:?}"),
        };
        let one = load(&mut sh, "return 1");
        assert_eq!(run(&mut sh, &["EVALSHA", &one, "0"]), Reply::Integer(1));
        assert_eq!(run(&mut sh, &["EVALSHA", &one, "0"]), Reply::Integer(1));
        assert_eq!(run(&mut sh, &["SCRIPT", "FLUSH"]), Reply::ok());
        assert_eq!(run(&mut sh, &["EVALSHA", &one, "0"]), noscript);
        let two = load(&mut sh, "return 2");
        assert_eq!(run(&mut sh, &["EVALSHA", &two, "0"]), Reply::Integer(2));
        assert_eq!(run(&mut sh, &["EVALSHA", &one, "0"]), noscript);
        assert_eq!(
            run(&mut sh, &["EVALSHA", &one.to_uppercase(), "0"]),
            noscript
        );
        assert_eq!(load(&mut sh, "return 1"), one);
        assert_eq!(run(&mut sh, &["EVALSHA", &one, "0"]), Reply::Integer(1));
        assert_eq!(run(&mut sh, &["EVALSHA", &two, "0"]), Reply::Integer(2));
    }

    /// `redis.call` remembers the last command it resolved by its name's bytes; the argument
    /// count and a container's subcommand are still checked on every call.
    #[test]
    fn redis_call_resolves_every_call() {
        let mut sh = Shard::standalone(7);
        let script = "redis.call('set', KEYS[1], 'v') \
                      local ok, e = pcall(redis.call, 'set', KEYS[1]) \
                      local n = redis.call('command', 'count') \
                      local ok2, e2 = pcall(redis.call, 'command', 'nosuch') \
                      local keys = redis.call('command', 'getkeys', 'set', 'a', 'b') \
                      return {e, n, e2, keys[1], redis.call('SET', KEYS[1], 'w'), redis.call('get', KEYS[1])}";
        let bulk = |s: &str| Reply::Bulk(s.as_bytes().to_vec());
        let count = run(&mut sh, &["COMMAND", "COUNT"]);
        assert!(matches!(count, Reply::Integer(n) if n > 100));
        let expected = Reply::Array(vec![
            bulk("ERR Wrong number of args calling Redis command from script"),
            count,
            bulk("ERR unknown subcommand 'nosuch'. Try COMMAND HELP."),
            bulk("a"),
            Reply::Status("OK".into()),
            bulk("w"),
        ]);
        assert_eq!(run(&mut sh, &["EVAL", script, "1", "k"]), expected);
        assert_eq!(run(&mut sh, &["EVAL", script, "1", "k"]), expected);
    }
}

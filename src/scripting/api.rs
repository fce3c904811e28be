//! The `redis` table's Rust side. Each function here returns either its values or
//! `(RAISE, error)`; [`raising`] wraps it in a C closure that raises that error value itself,
//! so the raised value is exactly what Redis raises (a string, or an `{err=...}` table)
//! rather than an mlua error object. Being a C function also keeps the caller's frame on the
//! stack when a script tail-calls it (`return redis.call(...)`), so error positions name the
//! script's line as Redis's do.

use super::convert::arg_bytes;
use crate::engine::{CallCtx, Shard};
use crate::lua::function;
use crate::reply::Reply;
use mlua::{ffi, Function, Lua, LuaString, MultiValue, Table, Value};
use std::cell::{Cell, RefCell, UnsafeCell};
use std::ffi::c_int;
use std::ptr::NonNull;
use std::rc::Rc;

/// Redis's log levels, in order.
pub const LOG_LEVELS: [&str; 4] = ["debug", "verbose", "notice", "warning"];
/// Lines kept from `redis.log` (oldest dropped first).
pub const LOG_KEEP: usize = 256;

/// What `redis.call` reaches while a script runs: the shard and the script's call context.
/// Set for the duration of one invocation ([`Bridge::enter`] to [`Bridge::leave`]); null
/// otherwise.
#[derive(Default)]
pub struct Bridge {
    shard: Cell<Option<NonNull<Shard>>>,
    cx: Cell<Option<NonNull<CallCtx>>>,
    /// The script's `redis.setresp` version.
    pub resp: Cell<u8>,
    /// Set for good once a script gave a table a `__gc` metatable (see
    /// `super::Invocation::set_array`).
    pub finalizers: Cell<bool>,
    /// `redis.log` lines: (level, message).
    pub logs: RefCell<Vec<(u8, String)>>,
    /// `redis.call`'s reused argv and its last reply (see [`super::call`]); only touched by
    /// that C function and its helper, never across a Lua call that could re-enter them.
    pub(super) scratch: UnsafeCell<super::call::Scratch>,
}

impl Bridge {
    /// Points `redis.call` at `shard` and `cx` until [`Bridge::leave`]. No guard: this is
    /// called inside a protected Lua call, whose errors jump over Rust frames (no
    /// destructor may be pending there); the caller of that protected call leaves.
    ///
    /// The pointers must stay valid (and otherwise unused) until `leave`.
    pub fn enter(&self, shard: NonNull<Shard>, cx: NonNull<CallCtx>) {
        self.shard.set(Some(shard));
        self.cx.set(Some(cx));
        self.resp.set(2);
    }

    /// Clears what [`Bridge::enter`] set, however the invocation ended.
    pub fn leave(&self) {
        self.shard.set(None);
        self.cx.set(None);
        // SAFETY: the script has returned; nothing borrows the scratch.
        unsafe { (*self.scratch.get()).release() };
    }

    /// Runs `f` with the shard and context of the running script.
    pub(super) fn with<R>(&self, f: impl FnOnce(&mut Shard, &mut CallCtx) -> R) -> Option<R> {
        let (mut shard, mut cx) = (self.shard.get()?, self.cx.get()?);
        // SAFETY: both pointers come from `enter`, valid until `leave`; the script runs
        // single-threaded and `f` does not re-enter Lua.
        Some(unsafe { f(shard.as_mut(), cx.as_mut()) })
    }
}

/// Wraps `inner` (which returns values, or `(RAISE, error)`) in a C closure that raises the
/// error value. With `prefix`, that value is passed to `inner` before the caller's arguments.
pub fn raising(lua: &Lua, inner: Function, raise: &Table, prefix: Value) -> mlua::Result<Function> {
    unsafe {
        lua.exec_raw::<Function>((inner, raise.clone(), prefix), |state| {
            ffi::lua_pushcclosure(state, raising_call, 3);
        })
    }
}

unsafe extern "C-unwind" fn raising_call(l: *mut ffi::lua_State) -> c_int {
    let n = ffi::lua_gettop(l);
    if ffi::lua_checkstack(l, 3) == 0 {
        return 0;
    }
    ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
    ffi::lua_insert(l, 1);
    let mut nargs = n;
    if ffi::lua_type(l, ffi::lua_upvalueindex(3)) != ffi::LUA_TNIL {
        ffi::lua_pushvalue(l, ffi::lua_upvalueindex(3));
        ffi::lua_insert(l, 2);
        nargs += 1;
    }
    ffi::lua_call(l, nargs, ffi::LUA_MULTRET);
    let top = ffi::lua_gettop(l);
    if top >= 2 {
        ffi::lua_pushvalue(l, ffi::lua_upvalueindex(2));
        let raise = ffi::lua_rawequal(l, 1, -1) != 0;
        ffi::lua_settop(l, -2);
        if raise {
            ffi::lua_pushvalue(l, 2);
            ffi::lua_error(l);
        }
    }
    top
}

/// `(RAISE, {err = "ERR " .. message})`: tells the [`raising`] wrapper to raise `message` as
/// Redis 7's `luaPushError` + `luaError` do, an error table with the generic code, so a
/// `pcall` around the call sees `ERR message` as in Redis.
fn raise_msg(lua: &Lua, raise: &Value, msg: &str) -> mlua::Result<MultiValue> {
    let err = lua.create_table()?;
    let text = [b"ERR ".as_slice(), msg.as_bytes()].concat();
    err.raw_set("err", Value::String(lua.create_string(text)?))?;
    Ok(MultiValue::from_iter([raise.clone(), Value::Table(err)]))
}

/// Builds the raw functions table handed to the prelude.
pub fn raw_functions(lua: &Lua, bridge: Rc<Bridge>, raise: Table) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let raise_v = Value::Table(raise);

    // setresp(n)
    let (b, r) = (bridge.clone(), raise_v.clone());
    t.raw_set(
        "setresp",
        function(lua, move |lua, args| {
            let raise = |m: &str| raise_msg(lua, &r, m);
            if args.len() != 1 {
                return raise("redis.setresp() requires one argument.");
            }
            match args.front() {
                Some(Value::Integer(n @ (2 | 3))) => b.resp.set(*n as u8),
                Some(Value::Number(n)) if *n == 2.0 || *n == 3.0 => b.resp.set(*n as u8),
                _ => return raise("RESP version must be 2 or 3."),
            }
            Ok(MultiValue::new())
        })?,
    )?;

    // log(level, ...)
    let (b, r) = (bridge.clone(), raise_v.clone());
    t.raw_set(
        "log",
        function(lua, move |lua, args| {
            let raise = |m: &str| raise_msg(lua, &r, m);
            if args.len() < 2 {
                return raise("redis.log() requires two arguments or more.");
            }
            let level = match args.front() {
                Some(Value::Integer(l)) => *l,
                Some(Value::Number(l)) => *l as i64,
                _ => return raise("First argument must be a number (log level)."),
            };
            if !(0..LOG_LEVELS.len() as i64).contains(&level) {
                return raise("Invalid debug level.");
            }
            let parts: Vec<String> = args
                .iter()
                .skip(1)
                .map(|v| match v {
                    Value::String(s) => s.to_string_lossy(),
                    Value::Integer(i) => i.to_string(),
                    Value::Number(n) => crate::lua::format_g(*n, 14),
                    _ => String::new(),
                })
                .collect();
            let mut logs = b.logs.borrow_mut();
            if logs.len() >= LOG_KEEP {
                logs.remove(0);
            }
            logs.push((level as u8, parts.join(" ")));
            Ok(MultiValue::new())
        })?,
    )?;

    // set_repl(flags): accepted; replication is always by effects.
    let r = raise_v.clone();
    t.raw_set(
        "set_repl",
        function(lua, move |lua, args| {
            let raise = |m: &str| raise_msg(lua, &r, m);
            if args.len() != 1 {
                return raise("redis.set_repl() requires two arguments.");
            }
            // Like Redis's lua_tonumber: anything that is not a number counts as 0.
            let flags = match args.front() {
                Some(Value::Integer(i)) => *i,
                Some(Value::Number(n)) => *n as i64,
                Some(Value::String(s)) => s
                    .to_str()
                    .ok()
                    .and_then(|t| crate::numfmt::parse_f64_rust(t.trim().as_bytes()))
                    .map(|n| n as i64)
                    .unwrap_or(0),
                _ => 0,
            };
            if flags & !3 != 0 {
                return raise(
                    "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
                );
            }
            Ok(MultiValue::new())
        })?,
    )?;

    // sha1hex(s): Redis raises "wrong number of arguments".
    let r = raise_v;
    t.raw_set(
        "sha1hex",
        function(lua, move |lua, args| {
            if args.len() != 1 {
                return raise_msg(lua, &r, "wrong number of arguments");
            }
            let bytes = match args.front() {
                Some(v) => arg_bytes(v).unwrap_or_default(),
                None => Vec::new(),
            };
            let hex = super::sha1_hex(&bytes);
            Ok(MultiValue::from_iter([Value::String(
                lua.create_string(hex)?,
            )]))
        })?,
    )?;

    // where(): source and line of the innermost user-script frame (for the error handler).
    t.raw_set(
        "where",
        function(lua, |lua, _| {
            for level in 1..200 {
                let found = lua.inspect_stack(level, |d| {
                    let src = d.source();
                    let is_user = src
                        .source
                        .as_deref()
                        .is_some_and(|s| s.starts_with("@user_script"));
                    is_user.then(|| {
                        (
                            src.source.as_deref().unwrap_or("?").to_string(),
                            d.current_line().map(|l| l as i64).unwrap_or(0),
                        )
                    })
                });
                match found {
                    None => break,
                    Some(Some((s, l))) => return Ok((Some(s), Some(l))),
                    Some(None) => continue,
                }
            }
            Ok((None, None))
        })?,
    )?;
    Ok(t)
}

fn lua_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Number(n) => Some(crate::lua::format_g(*n, 14)),
        _ => None,
    }
}

/// The reply of a script that raised `e` (what the message handler made of the error:
/// `{err=, source=, line=}`, or a bare value): Redis's error line with the ` script: <sha>,
/// on @user_script:N.` suffix.
pub fn error_reply(e: &Value, sha: &str) -> Reply {
    let Value::Table(t) = e else {
        return Reply::err(format!(
            "ERR {}",
            lua_str(e).unwrap_or_else(|| "unknown error".into())
        ));
    };
    let msg = match t.raw_get::<Value>("err") {
        Ok(v) => match lua_str(&v) {
            Some(m) => m,
            // error({foo='bar'}) crashes redis-server 7.0; here it is an error reply.
            None => "ERR script raised an error table without an 'err' field".to_string(),
        },
        Err(_) => "ERR unknown error".to_string(),
    };
    let msg = msg.replace(['\r', '\n'], " ");
    let source = t.raw_get::<Option<LuaString>>("source").ok().flatten();
    let line = t.raw_get::<Value>("line").ok().and_then(|v| lua_str(&v));
    match (source, line) {
        (Some(src), Some(line)) => Reply::err(format!(
            "{msg} script: {sha}, on {}:{line}.",
            src.to_string_lossy()
        )),
        _ => Reply::err(msg),
    }
}

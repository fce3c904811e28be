//! `redis.call` / `redis.pcall` as one C function on the raw Lua API: arguments are read
//! from the Lua stack into buffers the bridge reuses, and integer, string, nil, status and
//! error replies are pushed directly. Only other replies (arrays, maps, ...) go through the
//! mlua conversion in [`super::convert`], by calling a helper closure. Compared with an mlua
//! callback this saves the `MultiValue` of arguments, a registry reference per value and
//! the allocations of the argv; the behaviour (argument rules, error texts, conversions) is
//! the same, see [`super::convert`].
//!
//! Lua may raise (longjmp) out of any API call that allocates. Those calls are made only
//! where no Rust value with a destructor is alive in this file's frames: the argv and the
//! reply stay in the bridge's [`Scratch`], and strings are pushed before the tables that
//! hold them, so a finalizer run by the collector in between (a script's `__gc` calling
//! `redis.call` again) cannot free bytes still to be copied.

use super::api::Bridge;
use crate::engine::CommandSpec;
use crate::reply::Reply;
use mlua::{ffi, Function, Lua};
use std::ffi::{c_char, c_int, CStr};

/// What one `redis.call` keeps between calls (so its vectors are reused).
#[derive(Default)]
pub struct Scratch {
    argv: Vec<Vec<u8>>,
    /// The last command resolved, by its name's exact bytes (a script usually calls the
    /// same few commands spelled the same way): matching bytes skip the table's lookup.
    /// Only commands without subcommands are kept.
    last: Option<(Vec<u8>, &'static CommandSpec)>,
    /// The last command's reply (its bytes are what gets pushed).
    pub(super) reply: Option<Reply>,
}

/// Arguments longer than this do not keep their allocation for the next call.
const KEEP_ARG_BYTES: usize = 64 * 1024;

impl Scratch {
    /// Drops the last reply and the large argument buffers (the script ended).
    pub fn release(&mut self) {
        self.reply = None;
        for a in &mut self.argv {
            if a.capacity() > KEEP_ARG_BYTES {
                *a = Vec::new();
            }
        }
    }
}

/// How the C function finishes once the Rust side is done (raw pointers only: they point to
/// static texts or into the scratch reply).
enum Outcome {
    /// The value is already on the stack.
    Pushed,
    /// Push this string.
    Str(*const u8, usize),
    /// Push `{ok=<string>}`.
    Status(*const u8, usize),
    /// Push `{err=<string>}`; raise it for `redis.call`.
    Error(*const u8, usize),
    /// Convert the scratch reply with the mlua helper under this RESP version.
    Convert(u8),
}

fn text(s: &'static str) -> Outcome {
    Outcome::Error(s.as_ptr(), s.len())
}

/// `redis.call` (`raise_errors`) or `redis.pcall`: a C closure over the conversion helper
/// and the bridge. The bridge must outlive the Lua state's use of the closure: the helper
/// holds an `Rc` of it.
pub fn function(
    lua: &Lua,
    bridge: &Bridge,
    convert: Function,
    raise_errors: bool,
) -> mlua::Result<Function> {
    let ptr = bridge as *const Bridge as *mut std::ffi::c_void;
    let f: ffi::lua_CFunction = if raise_errors {
        redis_call::<true>
    } else {
        redis_call::<false>
    };
    // SAFETY: the closure only pushes values and makes a C closure of them.
    unsafe {
        lua.exec_raw::<Function>(convert, |state| {
            ffi::lua_pushlightuserdata(state, ptr);
            ffi::lua_pushcclosure(state, f, 2);
        })
    }
}

/// The C function of `redis.call` (`RAISE`) and `redis.pcall`. Lua gives a C function
/// `LUA_MINSTACK` (20) free slots; it pushes at most three values.
unsafe extern "C-unwind" fn redis_call<const RAISE: bool>(l: *mut ffi::lua_State) -> c_int {
    let bridge = &*(ffi::lua_touserdata(l, ffi::lua_upvalueindex(2)) as *const Bridge);
    let n = ffi::lua_gettop(l);
    match run(l, bridge, n) {
        Outcome::Pushed => {}
        Outcome::Str(p, len) => {
            ffi::lua_pushlstring(l, p.cast::<c_char>(), len);
        }
        Outcome::Status(p, len) => push_single(l, p, len, c"ok"),
        Outcome::Error(p, len) => {
            push_single(l, p, len, c"err");
            if RAISE {
                ffi::lua_error(l);
            }
        }
        Outcome::Convert(resp) => {
            ffi::lua_pushvalue(l, ffi::lua_upvalueindex(1));
            ffi::lua_pushinteger(l, ffi::lua_Integer::from(resp));
            ffi::lua_call(l, 1, 1);
        }
    }
    1
}

/// Pushes `{<field> = <string>}`: the string first (copied out of the scratch before the
/// table's allocation may run a collector step).
unsafe fn push_single(l: *mut ffi::lua_State, p: *const u8, len: usize, field: &CStr) {
    ffi::lua_pushlstring(l, p.cast::<c_char>(), len);
    ffi::lua_createtable(l, 0, 1);
    ffi::lua_insert(l, -2);
    ffi::lua_setfield(l, -2, field.as_ptr());
}

/// Reads the arguments, runs the command and decides what to push. Makes no Lua call that
/// allocates (strings are read in place, numbers formatted here).
unsafe fn run(l: *mut ffi::lua_State, bridge: &Bridge, n: c_int) -> Outcome {
    let scratch = &mut *bridge.scratch.get();
    scratch.reply = None;
    if n == 0 {
        return text("ERR Please specify at least one argument for this redis lib call");
    }
    let n = n as usize;
    let (argv, last) = (&mut scratch.argv, &mut scratch.last);
    // Most calls pass as many arguments as the previous one: no call to `resize_with`
    // then (out of line at the release profile's inline threshold).
    if argv.len() != n {
        argv.resize_with(n, Vec::new); // truncates too
    }
    for (i, arg) in argv.iter_mut().enumerate() {
        let idx = i as c_int + 1;
        match ffi::lua_type(l, idx) {
            ffi::LUA_TSTRING => {
                let mut len = 0;
                let p = ffi::lua_tolstring(l, idx, &mut len);
                let bytes = std::slice::from_raw_parts(p.cast::<u8>(), len);
                // The same bytes as this argument of the previous call (a script calls the
                // same command on the same keys over and over) stay as they are: on wasm
                // every copy is a `memory.copy`, a call out of the module.
                if !crate::same_bytes::same_bytes(arg, bytes) {
                    arg.clear();
                    arg.extend_from_slice(bytes);
                }
            }
            ffi::LUA_TNUMBER if ffi::lua_isinteger(l, idx) != 0 => {
                let mut buf = itoa::Buffer::new();
                arg.clear();
                arg.extend_from_slice(buf.format(ffi::lua_tointeger(l, idx)).as_bytes());
            }
            ffi::LUA_TNUMBER => {
                arg.clear();
                arg.extend_from_slice(&super::convert::float_arg(ffi::lua_tonumber(l, idx)))
            }
            _ => return text("ERR Lua redis lib command arguments must be strings or integers"),
        }
    }
    let spec = match resolve(argv, last) {
        Ok(spec) => spec,
        Err(Reply::Error(e)) if e.starts_with("ERR unknown command") => {
            return text("ERR Unknown Redis command called from script")
        }
        Err(Reply::Error(e)) if e.starts_with("ERR wrong number of arguments") => {
            return text("ERR Wrong number of args calling Redis command from script")
        }
        Err(other) => return keep(scratch, other, 2),
    };
    let resp = bridge.resp.get();
    let reply = bridge
        .with(|shard, cx| {
            cx.proto = resp;
            shard.execute_resolved(spec, argv, cx)
        })
        .unwrap_or_else(|| Reply::err("ERR redis.call is only available inside a script"));
    match reply {
        Reply::Integer(i) => {
            ffi::lua_pushinteger(l, i);
            Outcome::Pushed
        }
        Reply::Nil | Reply::NilArray => {
            if resp >= 3 {
                ffi::lua_pushnil(l);
            } else {
                ffi::lua_pushboolean(l, 0);
            }
            Outcome::Pushed
        }
        other => keep(scratch, other, resp),
    }
}

/// [`crate::engine::resolve`] through the one-entry cache `last`: the same spec for the same
/// name bytes when the argument count fits its arity (else the full resolve, which also
/// words the error).
fn resolve(
    argv: &[Vec<u8>],
    last: &mut Option<(Vec<u8>, &'static CommandSpec)>,
) -> Result<&'static CommandSpec, Reply> {
    if let (Some((name, spec)), Some(first)) = (last.as_ref(), argv.first()) {
        if name == first && spec.arity_ok(argv.len()) {
            return Ok(spec);
        }
    }
    let spec = crate::engine::resolve(argv)?;
    // A container's spec depends on its subcommand argument, not only on the name.
    if spec.subcommands.is_empty() && !spec.name.contains('|') {
        let name = last.get_or_insert_with(|| (Vec::new(), spec));
        name.0.clear();
        name.0.extend_from_slice(&argv[0]);
        name.1 = spec;
    }
    Ok(spec)
}

/// Keeps `reply` in the scratch and says how to push it.
fn keep(scratch: &mut super::call::Scratch, reply: Reply, resp: u8) -> Outcome {
    let kept = scratch.reply.insert(reply);
    match kept {
        Reply::Bulk(b) => Outcome::Str(b.as_ptr(), b.len()),
        Reply::Status(s) => Outcome::Status(s.as_ptr(), s.len()),
        Reply::Error(e) => Outcome::Error(e.as_ptr(), e.len()),
        _ => Outcome::Convert(resp),
    }
}

/// The helper the C function calls for replies it does not push itself: takes the scratch
/// reply (owning it, so a re-entrant call cannot free it mid-conversion) and converts it.
pub fn convert_helper(lua: &Lua, bridge: std::rc::Rc<Bridge>) -> mlua::Result<Function> {
    lua.create_function(move |lua, resp: u8| {
        // SAFETY: the C function holds no reference into the scratch while it calls this.
        let reply = unsafe { (*bridge.scratch.get()).reply.take() };
        match reply {
            Some(r) => super::convert::reply_to_lua(lua, &r, resp),
            None => Ok(mlua::Value::Nil),
        }
    })
}

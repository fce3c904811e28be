//! The Lua 5.4 engine: one sandboxed `mlua` state with the libraries marekvs allows, and
//! per-invocation budgets ([`budget`]). Pure core: no JS types; the clock comes from
//! [`crate::host`].

pub mod budget;
pub mod libs;
pub mod patterns;
pub mod patterns_lua;
mod render;

use budget::{Budget, Trip};
use mlua::{Function, IntoLuaMulti, Lua, LuaOptions, MultiValue, StdLib, Value};
use std::ptr::NonNull;

pub use render::{format_g, render_values};

/// Default wall-clock deadline of one script, in milliseconds.
pub const DEFAULT_TIME_LIMIT_MS: f64 = 20.0;
/// Default memory a script may allocate beyond what the engine held when it started.
pub const DEFAULT_MEMORY_LIMIT: usize = 16 * 1024 * 1024;

/// Budgets applied to every invocation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Wall-clock deadline in milliseconds.
    pub time_ms: f64,
    /// Bytes one invocation may allocate beyond what the engine held when it started.
    pub memory: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time_ms: DEFAULT_TIME_LIMIT_MS,
            memory: DEFAULT_MEMORY_LIMIT,
        }
    }
}

/// How an invocation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptError {
    /// The chunk did not compile; the text is Lua's message.
    Compile(String),
    /// An ordinary runtime error (`error(...)`, a failed call, a Lua error) reaching the host.
    Runtime(String),
    /// The budget tripped; the script was aborted.
    Aborted(Trip),
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScriptError::Compile(m) => write!(f, "compile error: {m}"),
            ScriptError::Runtime(m) => write!(f, "{m}"),
            ScriptError::Aborted(Trip::Time) => write!(f, "script aborted: time limit exceeded"),
            ScriptError::Aborted(Trip::Memory) => {
                write!(f, "script aborted: memory limit exceeded")
            }
            ScriptError::Aborted(Trip::Killed) => write!(f, "script aborted: killed"),
        }
    }
}

/// A sandboxed Lua 5.4 state with budgets.
pub struct Engine {
    lua: Lua,
    /// Owned (from `Box::into_raw`); shared with the allocator and hook of `lua`, which is
    /// single-threaded, so all access goes through this pointer and never overlaps.
    budget: NonNull<Budget>,
    limits: Limits,
}

impl Engine {
    /// A new engine with the given budgets.
    pub fn new(limits: Limits) -> mlua::Result<Engine> {
        Engine::with_clock(limits, crate::host::monotonic_ms)
    }

    /// A new engine whose time budget reads `now` (milliseconds) instead of the host's
    /// monotonic clock: tests use a frozen clock, as Cloudflare Workers freeze it.
    pub fn with_clock(limits: Limits, now: fn() -> f64) -> mlua::Result<Engine> {
        let lua = Lua::new_with(
            StdLib::STRING | StdLib::TABLE | StdLib::MATH | StdLib::COROUTINE,
            LuaOptions::new(),
        )?;
        let mut slot: Option<NonNull<Budget>> = None;
        unsafe {
            lua.exec_raw::<()>((), |state| {
                slot = Some(Budget::install(state, now));
            })?;
        }
        let budget = slot.ok_or_else(|| mlua::Error::runtime("budget install failed"))?;
        let engine = Engine {
            lua,
            budget,
            limits,
        };
        engine.sandbox()?;
        Ok(engine)
    }

    /// The budgets in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Changes the budgets for later invocations.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The underlying state (for the scripting layer that builds on this engine).
    pub fn lua(&self) -> &Lua {
        &self.lua
    }

    fn with_budget<R>(&self, f: impl FnOnce(&mut Budget) -> R) -> R {
        // SAFETY: see the field's comment; the reference does not outlive `f`, and `f` never
        // runs Lua code (so the allocator and hook cannot touch the budget meanwhile).
        f(unsafe { &mut *self.budget.as_ptr() })
    }

    /// Bytes the Lua state holds now.
    pub fn used_memory(&self) -> usize {
        self.with_budget(|b| b.used)
    }

    /// Compiles `code` as a text chunk named `name` (shown in error positions).
    pub fn compile(&self, code: &[u8], name: &str) -> Result<mlua::Function, ScriptError> {
        let name = std::ffi::CString::new(format!("@{name}"))
            .map_err(|_| ScriptError::Compile("chunk name contains a NUL byte".into()))?;
        load_text(&self.lua, code, &name, None).map_err(|e| ScriptError::Compile(error_text(&e)))
    }

    /// Compiles and runs `code` as a text chunk named `name` under the budgets.
    pub fn eval(&self, code: &[u8], name: &str) -> Result<MultiValue, ScriptError> {
        let func = self.compile(code, name)?;
        self.call(&func, MultiValue::new())
    }

    /// Calls `func` with `args` under the budgets.
    pub fn call(&self, func: &mlua::Function, args: MultiValue) -> Result<MultiValue, ScriptError> {
        self.arm();
        let out = func.call::<MultiValue>(args);
        if let Some(why) = self.disarm() {
            drop(out);
            // Whatever the script left behind is garbage now; give the memory back.
            let _ = self.lua.gc_collect();
            return Err(ScriptError::Aborted(why));
        }
        out.map_err(|e| ScriptError::Runtime(error_text(&e)))
    }

    /// Arms the budgets for one invocation that the caller runs on the raw Lua API (the
    /// scripting layer); [`Engine::disarm`] must follow once it returns. Touches no Lua
    /// stack, so it may be called from inside a protected raw call.
    pub fn arm(&self) {
        let limits = self.limits;
        self.with_budget(|b| b.arm(limits.time_ms, limits.memory));
    }

    /// Disarms the budgets after [`Engine::arm`]: whether (and why) the invocation tripped.
    /// After a trip, the caller drops what the invocation returned and collects garbage.
    pub fn disarm(&self) -> Option<Trip> {
        self.with_budget(Budget::disarm)
    }

    /// Asks the running invocation to stop at its next budget check.
    pub fn request_kill(&self) {
        self.with_budget(Budget::request_kill);
    }

    /// Milliseconds the last (or current) invocation has run.
    pub fn elapsed_ms(&self) -> f64 {
        self.with_budget(|b| b.elapsed_ms())
    }

    /// Removes what the sandbox does not allow and adds `os.clock`.
    fn sandbox(&self) -> mlua::Result<()> {
        let g = self.lua.globals();
        for name in ["dofile", "loadfile"] {
            g.raw_set(name, Value::Nil)?;
        }
        let os = self.lua.create_table()?;
        os.raw_set(
            "clock",
            function(&self.lua, |_, _| Ok(crate::host::monotonic_ms() / 1000.0))?,
        )?;
        g.raw_set("os", Value::Table(os))?;
        // `load` takes text chunks only: no precompiled bytecode (csrc/lua_compat.c).
        // SAFETY: `marekvs_load` is a C function following Lua's calling convention.
        g.raw_set("load", unsafe { self.lua.create_c_function(marekvs_load)? })?;
        let redis = self.lua.create_table()?;
        redis.raw_set("sha1hex", function(&self.lua, sha1hex)?)?;
        g.raw_set("redis", Value::Table(redis))?;
        libs::install(&self.lua)?;
        patterns_lua::install(&self.lua, budget::check_from_c)?;
        Ok(())
    }
}

/// Compiles `code` as a text chunk (no precompiled bytecode) named `name` (Lua's chunk name:
/// `@user_script`, `=prelude`), with `env` as its `_ENV` when given. A compile error is
/// `mlua::Error::SyntaxError` carrying Lua's message (a memory error `MemoryError`), as from
/// mlua's `Lua::load`. This calls `luaL_loadbufferx` itself: mlua's `Chunk` also takes sources
/// that are files, and its `io::Error` path links std's I/O error formatting into the module.
pub(crate) fn load_text(
    lua: &Lua,
    code: &[u8],
    name: &std::ffi::CStr,
    env: Option<&mlua::Table>,
) -> mlua::Result<Function> {
    use mlua::ffi;
    let mut status = ffi::LUA_OK;
    // SAFETY: the closure gets the argument (the environment or nil) at index 1 and leaves
    // the chunk and nil, or nil and the error message; Lua's parser runs protected and
    // `luaL_loadbufferx` returns its status rather than raising.
    let (chunk, message) = unsafe {
        lua.exec_raw::<(Option<Function>, Option<mlua::LuaString>)>(env.cloned(), |l| {
            status = ffi::luaL_loadbufferx(
                l,
                code.as_ptr().cast(),
                code.len(),
                name.as_ptr(),
                c"t".as_ptr(),
            );
            if status == ffi::LUA_OK {
                if ffi::lua_type(l, 1) != ffi::LUA_TNIL {
                    ffi::lua_pushvalue(l, 1);
                    if ffi::lua_setupvalue(l, -2, 1).is_null() {
                        ffi::lua_settop(l, -2);
                    }
                }
                ffi::lua_pushnil(l);
            } else {
                ffi::lua_pushnil(l);
                ffi::lua_insert(l, -2);
            }
            ffi::lua_remove(l, 1);
        })?
    };
    match chunk {
        Some(f) => Ok(f),
        None => {
            let message = message.map_or_else(|| "unknown error".into(), |m| m.to_string_lossy());
            Err(if status == ffi::LUA_ERRMEM {
                mlua::Error::MemoryError(message)
            } else {
                mlua::Error::SyntaxError {
                    incomplete_input: message.ends_with("<eof>") || message.ends_with("'<eof>'"),
                    message,
                }
            })
        }
    }
}

/// A Lua-callable Rust function off the hot paths (the sandbox's, the `redis.*` API's other
/// than `redis.call`/`redis.pcall`, the libraries' through [`libs::func`]): its arguments as
/// they came, its results converted by `f` itself, the body boxed for [`cold_function`].
/// Returned as a `Value`: the setup code stores every field of the tables it builds as a
/// `Value` under a `&str` key, one `Table::raw_set` instantiation for all of them.
pub(crate) fn function<F, R>(lua: &Lua, f: F) -> mlua::Result<Value>
where
    F: Fn(&Lua, MultiValue) -> mlua::Result<R> + 'static,
    R: IntoLuaMulti,
{
    cold_function(
        lua,
        Box::new(move |lua, args| f(lua, args)?.into_lua_multi(lua)),
    )
}

/// A cold function's body behind one pointer type.
type ColdFn = Box<dyn Fn(&Lua, MultiValue) -> mlua::Result<MultiValue>>;

/// The one `create_function` instantiation of the cold functions: mlua's callback glue
/// (arguments off the Lua stack, results back, error conversion) is generic over the closure,
/// so one closure type for all of them links it once instead of once per closure type (≈ 1–4
/// KB of wasm each); a call costs one indirect call more, nothing next to that glue.
#[inline(never)]
fn cold_function(lua: &Lua, f: ColdFn) -> mlua::Result<Value> {
    lua.create_function(move |lua, args: MultiValue| f(lua, args))
        .map(Value::Function)
}

/// `redis.sha1hex(s)`: the lowercase hex SHA1 of a string (Redis raises on a wrong argument
/// count).
fn sha1hex(_: &Lua, args: MultiValue) -> mlua::Result<String> {
    if args.len() != 1 {
        return Err(mlua::Error::runtime("wrong number of arguments"));
    }
    // Like `lua_tolstring`: numbers hash as their text; other types as the empty string.
    let bytes: Vec<u8> = match args.front() {
        Some(Value::String(s)) => s.as_bytes().to_vec(),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => {
            v.to_string().unwrap_or_default().into_bytes()
        }
        _ => Vec::new(),
    };
    Ok(sha1_hex(&bytes))
}

/// Lua's `lua_str2number` and `lua_strx2number` on wasm: build.rs patches `lobject.c`'s
/// `l_str2dloc` to call this instead of libc's `strtod` (which is then not linked into the
/// module); the parse is [`crate::numfmt::lua_str2number`]. On failure `*end` is `s`
/// ("nothing recognized"), which Lua treats as strtod leaving unparsed text behind: not a
/// number.
///
/// # Safety
/// `s` is a NUL-terminated string and `end` points to writable storage (Lua's own).
#[cfg(target_arch = "wasm32")]
#[no_mangle]
unsafe extern "C" fn marekvs_str2number(
    s: *const std::ffi::c_char,
    end: *mut *mut std::ffi::c_char,
) -> f64 {
    let text = std::ffi::CStr::from_ptr(s).to_bytes();
    let (v, n) = crate::numfmt::lua_str2number(text).unwrap_or((0.0, 0));
    *end = s.add(n).cast_mut();
    v
}

/// Lowercase hex SHA1 (script cache keys, `redis.sha1hex`).
pub fn sha1_hex(bytes: &[u8]) -> String {
    use sha1::{Digest, Sha1};
    hex(&Sha1::digest(bytes))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Give the state its own allocator back before the budget is freed: a clone of `lua`
        // could keep the state alive past this engine.
        let ptr = self.budget;
        unsafe {
            let _ = self
                .lua
                .exec_raw::<()>((), |state| Budget::uninstall(state, ptr));
            drop(Box::from_raw(ptr.as_ptr()));
        }
    }
}

/// The message of an mlua error without mlua's decorations (tracebacks, callback wrappers).
pub fn error_text(e: &mlua::Error) -> String {
    let text = match e {
        mlua::Error::SyntaxError { message, .. } => message.clone(),
        mlua::Error::RuntimeError(m) => m.clone(),
        mlua::Error::MemoryError(m) => m.clone(),
        mlua::Error::CallbackError { cause, .. } => return error_text(cause),
        mlua::Error::WithContext { cause, .. } => return error_text(cause),
        other => other.to_string(),
    };
    match text.find("\nstack traceback:") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

extern "C-unwind" {
    /// The sandbox's `load`: Lua 5.4's for text chunks only (`csrc/lua_compat.c`; a Lua C
    /// function, raising on bad arguments).
    fn marekvs_load(l: *mut mlua::ffi::lua_State) -> std::ffi::c_int;
}

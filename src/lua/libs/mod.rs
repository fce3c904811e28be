//! The Lua libraries Redis ships to scripts, re-implemented in Rust: `cjson`, `cmsgpack`,
//! `bit` and `struct` ([`install`] sets them as globals).
//!
//! Each module follows the C library Redis 7.0 embeds (`deps/lua/src/lua_cjson.c` 2.1.0,
//! `lua_cmsgpack.c` 0.4.0, `lua_bit.c` (LuaBitOp), `lua_struct.c`), including its error texts,
//! and was compared case by case against a real `redis-server` 7.0 (see `tests/lua_libs.rs`).
//! Redis runs Lua 5.1 where every number is a double; marekvs runs Lua 5.4, so the libraries
//! return **integers** where the C library returned an integral double (bit results, struct
//! integers, decoded JSON/msgpack integers) — `tostring` then prints `3` as Redis does, not
//! `3.0` — and accept both subtypes on input. Each module documents its own choices.
//!
//! Robustness rules common to all of them (this code runs inside wasm, where a panic kills the
//! instance): no panics on any input, no recursion driven by input (the decoders and the JSON
//! encoder use explicit stacks), no allocation sized by a length declared in the input, and
//! output buffers capped at [`MAX_OUTPUT`].

mod bit;
mod cjson;
mod cmsgpack;
mod structlib;

use mlua::{IntoLuaMulti, Lua, MultiValue, Value};

/// Largest string an encoder builds on the Rust side (bytes). Beyond it the call fails with
/// an error instead of growing a buffer the Lua memory budget cannot see.
pub const MAX_OUTPUT: usize = 64 * 1024 * 1024;

/// 2^63 as a double.
pub(crate) const TWO63: f64 = 9_223_372_036_854_775_808.0;

/// Installs the globals `cjson`, `cmsgpack`, `bit` and `struct` (plain tables; making them
/// read-only is up to the caller).
pub fn install(lua: &Lua) -> mlua::Result<()> {
    let g = lua.globals();
    g.raw_set("cjson", Value::Table(cjson::new_module(lua)?))?;
    g.raw_set("cmsgpack", Value::Table(cmsgpack::module(lua)?))?;
    g.raw_set("bit", Value::Table(bit::module(lua)?))?;
    g.raw_set("struct", Value::Table(structlib::module(lua)?))?;
    Ok(())
}

/// A library function: arguments as a vector, and errors located like `luaL_error` does
/// (prefixed with the calling Lua line, `user_script:1: ...`).
pub(crate) fn func<F, R>(lua: &Lua, f: F) -> mlua::Result<Value>
where
    F: Fn(&Lua, Vec<Value>) -> mlua::Result<R> + 'static,
    R: IntoLuaMulti,
{
    lib_function(
        lua,
        Box::new(move |lua, args| f(lua, args)?.into_lua_multi(lua)),
    )
}

/// A library function's body behind one pointer type.
type LibFn = Box<dyn Fn(&Lua, Vec<Value>) -> mlua::Result<MultiValue>>;

/// The libraries' 29 functions as one closure type, which goes through the one
/// `create_function` instantiation of all cold Lua-callable functions ([`super::function`]):
/// mlua's callback glue is generic over the closure, so it is linked once instead of once per
/// closure type (≈ 1 KB of wasm each); a function costs two indirect calls more, nothing next
/// to that glue.
#[inline(never)]
fn lib_function(lua: &Lua, f: LibFn) -> mlua::Result<Value> {
    super::function(lua, move |lua, args: MultiValue| {
        let args: Vec<Value> = args.into_iter().collect();
        f(lua, args).map_err(|e| locate(lua, e))
    })
}

/// `luaL_where(L, 1)` prepended to the libraries' own runtime errors; their argument errors
/// ([`ArgError`]) get their text here, naming the function as `luaL_argerror` does
/// ([`ArgError::as_called`]). Lua's own errors raised from inside a C function (`table index
/// is nil`) carry no position, nor do other errors.
fn locate(lua: &Lua, e: mlua::Error) -> mlua::Error {
    let m = match e {
        mlua::Error::ExternalError(ref x) => match x.downcast_ref::<ArgError>() {
            Some(a) => a.as_called(lua),
            None => return e,
        },
        mlua::Error::RuntimeError(m) if !m.starts_with("table index is ") => m,
        other => return other,
    };
    let at = lua
        .inspect_stack(1, |d| {
            let line = d.current_line()?;
            let src = d.source().short_src?.into_owned();
            Some(format!("{src}:{line}: "))
        })
        .flatten()
        .unwrap_or_default();
    mlua::Error::RuntimeError(format!("{at}{m}"))
}

/// A library function's bad argument `n` (1-based), as `luaL_argerror` reports it. Raised
/// through [`lib_function`], which names the function from the call ([`ArgError::as_called`]);
/// its own text (with the library's name for the function) only shows if it escapes that way.
#[derive(Debug)]
pub(crate) struct ArgError {
    n: usize,
    func: String,
    msg: String,
}

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bad argument #{} to '{}' ({})",
            self.n, self.func, self.msg
        )
    }
}

impl std::error::Error for ArgError {}

impl ArgError {
    /// The text Lua 5.1's `luaL_argerror` (Redis's) gives, the function named from the call
    /// (`'tohex'`, a local's name when called through one), `'?'` when called from C
    /// (`pcall(bit.tohex, {})`); in a method call `self` is not counted (`calling 'f' on bad
    /// self (...)` when it is the bad one). `lua` is inside the library function's call.
    fn as_called(&self, lua: &Lua) -> String {
        let (name, method) = lua
            .inspect_stack(0, |d| {
                let names = d.names();
                let name = names.name.map(|s| s.into_owned());
                (name, names.name_what == Some("method"))
            })
            .unwrap_or((None, false));
        let name = name.unwrap_or_else(|| "?".to_owned());
        let (n, msg) = (self.n, &self.msg);
        match (method, n) {
            (true, 1) => format!("calling '{name}' on bad self ({msg})"),
            (true, _) => format!("bad argument #{} to '{name}' ({msg})", n - 1),
            _ => format!("bad argument #{n} to '{name}' ({msg})"),
        }
    }
}

/// Lua's name for the type of a value (`lua_typename`), as used in error messages.
pub(crate) fn typename(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

/// `bad argument #n to 'f' (msg)`, the text of `luaL_argerror` ([`ArgError`]).
pub(crate) fn arg_error(n: usize, func: &str, msg: &str) -> mlua::Error {
    mlua::Error::external(ArgError {
        n,
        func: func.to_owned(),
        msg: msg.to_owned(),
    })
}

/// The `luaL_typerror` text for argument `n` (1-based) of `args`.
pub(crate) fn type_error(args: &[Value], n: usize, func: &str, expected: &str) -> mlua::Error {
    let got = match args.get(n - 1) {
        None => "no value",
        Some(v) => typename(v),
    };
    arg_error(n, func, &format!("{expected} expected, got {got}"))
}

/// `lua_tonumber`: numbers and numeric strings.
pub(crate) fn to_number(lua: &Lua, v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) => Some(*n),
        Value::String(_) => lua.coerce_number(v.clone()).ok().flatten(),
        _ => None,
    }
}

/// `luaL_checknumber` on argument `n` (1-based).
pub(crate) fn check_number(lua: &Lua, args: &[Value], n: usize, func: &str) -> mlua::Result<f64> {
    args.get(n - 1)
        .and_then(|v| to_number(lua, v))
        .ok_or_else(|| type_error(args, n, func, "number"))
}

/// Lua 5.1's `lua_tointeger` on x86-64 (`(ptrdiff_t)d`: truncation; out of range and NaN give
/// `i64::MIN` like `cvttsd2si`).
pub(crate) fn double_to_i64(d: f64) -> i64 {
    if d.is_nan() || !(-TWO63..TWO63).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// `luaL_checkinteger` on argument `n`: integers as they are, floats and numeric strings
/// truncated as Lua 5.1 does.
pub(crate) fn check_integer(lua: &Lua, args: &[Value], n: usize, func: &str) -> mlua::Result<i64> {
    match args.get(n - 1) {
        Some(Value::Integer(i)) => Ok(*i),
        _ => check_number(lua, args, n, func).map(double_to_i64),
    }
}

/// `luaL_optinteger`: `default` when the argument is absent or nil.
pub(crate) fn opt_integer(
    lua: &Lua,
    args: &[Value],
    n: usize,
    func: &str,
    default: i64,
) -> mlua::Result<i64> {
    match args.get(n - 1) {
        None | Some(Value::Nil) => Ok(default),
        _ => check_integer(lua, args, n, func),
    }
}

/// `luaL_checklstring`: strings, and numbers converted to their text.
pub(crate) fn check_bytes(
    lua: &Lua,
    args: &[Value],
    n: usize,
    func: &str,
) -> mlua::Result<Vec<u8>> {
    match args.get(n - 1) {
        Some(Value::String(s)) => Ok(s.as_bytes().to_vec()),
        Some(v @ (Value::Integer(_) | Value::Number(_))) => match lua.coerce_string(v.clone()) {
            Ok(Some(s)) => Ok(s.as_bytes().to_vec()),
            _ => Err(type_error(args, n, func, "string")),
        },
        _ => Err(type_error(args, n, func, "string")),
    }
}

/// A Lua number from a double: an integer when the value is integral and fits `i64` (and is
/// not `-0`), else a float. This is how the libraries hand Lua 5.1 doubles to Lua 5.4.
pub(crate) fn number_value(d: f64) -> Value {
    if d.fract() == 0.0 && (-TWO63..TWO63).contains(&d) && !(d == 0.0 && d.is_sign_negative()) {
        Value::Integer(d as i64)
    } else {
        Value::Number(d)
    }
}

/// C's `strtod` on the start of `s` (no leading spaces accepted here): the value and the number
/// of bytes consumed (0 when nothing parses). Accepts decimal and hexadecimal forms, `inf`,
/// `infinity` and `nan`/`nan(...)`, any case, with an optional sign.
pub(crate) fn strtod(s: &[u8]) -> (f64, usize) {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let neg = match at(0) {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let signed = |v: f64| if neg { -v } else { v };
    let rest = &s[i.min(s.len())..];
    let starts =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if starts(b"infinity") {
        return (signed(f64::INFINITY), i + 8);
    }
    if starts(b"inf") {
        return (signed(f64::INFINITY), i + 3);
    }
    if starts(b"nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let mut j = end + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                end = j + 1;
            }
        }
        return (signed(f64::NAN), end);
    }
    if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' {
        if let Some((v, n)) = hex_float(&s[i + 2..]) {
            return (signed(v), i + 2 + n);
        }
        // "0x" without hex digits: strtod reads the "0".
        return (signed(0.0), i + 1);
    }
    let start = i;
    let mut digits = 0;
    while at(i).is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if at(i) == b'.' {
        i += 1;
        while at(i).is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return (0.0, 0);
    }
    if at(i) | 0x20 == b'e' {
        let mut j = i + 1;
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            while at(j).is_ascii_digit() {
                j += 1;
            }
            i = j;
        }
    }
    // Rust's float grammar takes "5." and ".5" as C does.
    let v = crate::numfmt::parse_f64_rust(s.get(start..i).unwrap_or(b"0")).unwrap_or(0.0);
    (signed(v), i)
}

/// A hexadecimal floating constant after `0x`: mantissa digits with an optional point and an
/// optional binary exponent. `None` when no hex digit follows.
fn hex_float(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let hexval = |c: u8| (c as char).to_digit(16);
    let mut i = 0;
    let mut mant: f64 = 0.0;
    let mut exp: i64 = 0;
    let mut digits = 0;
    while let Some(d) = hexval(at(i)) {
        mant = mant * 16.0 + f64::from(d);
        i += 1;
        digits += 1;
    }
    if at(i) == b'.' {
        let mut j = i + 1;
        let mut frac_digits = 0;
        while let Some(d) = hexval(at(j)) {
            mant = mant * 16.0 + f64::from(d);
            exp -= 4;
            j += 1;
            frac_digits += 1;
        }
        if digits + frac_digits > 0 {
            i = j;
            digits += frac_digits;
        }
    }
    if digits == 0 {
        return None;
    }
    if at(i) | 0x20 == b'p' {
        let mut j = i + 1;
        let eneg = match at(j) {
            b'-' => {
                j += 1;
                true
            }
            b'+' => {
                j += 1;
                false
            }
            _ => false,
        };
        if at(j).is_ascii_digit() {
            let mut e: i64 = 0;
            while at(j).is_ascii_digit() {
                e = (e * 10 + i64::from(at(j) - b'0')).min(100_000);
                j += 1;
            }
            exp += if eneg { -e } else { e };
            i = j;
        }
    }
    let v = mant * 2f64.powi(exp.clamp(-5000, 5000) as i32);
    Some((v, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format() {
        assert_eq!(crate::lua::format_g(3.0, 14), "3");
        assert_eq!(crate::lua::format_g(0.1, 14), "0.1");
        assert_eq!(crate::lua::format_g(1e14, 14), "1e+14");
        assert_eq!(
            crate::lua::format_g(123456789012345.0, 14),
            "1.2345678901234e+14"
        );
        assert_eq!(crate::lua::format_g(0.0001, 14), "0.0001");
        assert_eq!(crate::lua::format_g(0.00001, 14), "1e-05");
        assert_eq!(crate::lua::format_g(-0.0, 14), "-0");
        assert_eq!(crate::lua::format_g(1.0 / 3.0, 14), "0.33333333333333");
        assert_eq!(crate::lua::format_g(99999999999999.9, 14), "1e+14");
    }

    #[test]
    fn strtod_prefixes() {
        assert_eq!(strtod(b"12abc"), (12.0, 2));
        assert_eq!(strtod(b"-1.5e3,"), (-1500.0, 6));
        assert_eq!(strtod(b"1e"), (1.0, 1));
        assert_eq!(strtod(b"0x1F]"), (31.0, 4));
        assert_eq!(strtod(b"0x"), (0.0, 1));
        assert_eq!(strtod(b"-"), (0.0, 0));
        assert_eq!(strtod(b".5"), (0.5, 2));
        assert_eq!(strtod(b"Infinity"), (f64::INFINITY, 8));
        assert!(strtod(b"nan(12)").0.is_nan());
        assert_eq!(strtod(b"nan(12)").1, 7);
    }
}

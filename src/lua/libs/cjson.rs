//! `cjson`: Lua CJSON 2.1.0 as Redis 7.0 ships it.
//!
//! Hand-written rather than built on `serde_json`: cjson's observable behaviour is mostly its
//! quirks — `%.14g` numbers, `\/` escapes, `\u007f`, `strtod` number syntax (hex, `+1`, `inf`,
//! `nan`, leading zeros accepted), a NUL byte ending the input, its array detection and sparse
//! array rules, and its error texts with 1-based character positions — and none of those map
//! onto serde's data model or messages. The encoder and decoder are explicit-stack state
//! machines (no recursion on input), and `null` is the NULL light userdata (`cjson.null`), as in
//! the C library.
//!
//! Lua 5.4 choices: encoding reads numbers as doubles like the C code does (integer `3` and
//! float `3.0` both give `3`; an integer beyond 2^53 prints with 14 digits as a double would).
//! Decoding gives an **integer** when the double `strtod` produced is integral and fits `i64`
//! (not for `-0`), else a float; so `cjson.decode('[1,2.5]')` holds `1` (integer) and `2.5`,
//! and `tostring` prints what Redis prints for both. Object key order is Lua's `next` order,
//! which differs between Lua 5.1 and 5.4 (no JSON consumer may rely on it).
//!
//! The configuration (`encode_max_depth` etc.) lives with the module table, as in Redis: a
//! script that changes it changes it for the later scripts of the same engine.

use super::{arg_error, check_bytes, check_integer, func, strtod, typename, MAX_OUTPUT};
use crate::lua::format_g as fmt_g;
use mlua::{Function, LightUserData, Lua, MultiValue, Table, Value};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone)]
struct Config {
    sparse_convert: i64,
    sparse_ratio: i64,
    sparse_safe: i64,
    encode_max_depth: i64,
    decode_max_depth: i64,
    /// 0 = refuse, 1 = allow (`nan`, `inf`), 2 = encode as `null`.
    encode_invalid_numbers: i64,
    encode_number_precision: i64,
    encode_keep_buffer: i64,
    decode_invalid_numbers: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sparse_convert: 0,
            sparse_ratio: 2,
            sparse_safe: 10,
            encode_max_depth: 1000,
            decode_max_depth: 1000,
            encode_invalid_numbers: 0,
            encode_number_precision: 14,
            encode_keep_buffer: 1,
            decode_invalid_numbers: 1,
        }
    }
}

type Cfg = Rc<RefCell<Config>>;

/// `cjson.null`: the NULL light userdata.
pub(crate) fn null() -> Value {
    Value::LightUserData(LightUserData(std::ptr::null_mut()))
}

/// A new `cjson` module table with its own configuration (also what `cjson.new()` returns).
pub(crate) fn new_module(lua: &Lua) -> mlua::Result<Table> {
    let cfg: Cfg = Rc::new(RefCell::new(Config::default()));
    // `next` as the base library has it now; the encoder walks objects with it.
    let next: Function = lua.globals().raw_get("next")?;
    let t = lua.create_table()?;

    let c = cfg.clone();
    t.raw_set(
        "encode",
        func(lua, move |lua, args| {
            if args.len() != 1 {
                return Err(arg_error(1, "encode", "expected 1 argument"));
            }
            let conf = c.borrow().clone();
            let out = encode(lua, &conf, &next, args[0].clone())?;
            lua.create_string(&out)
        })?,
    )?;
    let c = cfg.clone();
    t.raw_set(
        "decode",
        func(lua, move |lua, args| {
            if args.len() != 1 {
                return Err(arg_error(1, "decode", "expected 1 argument"));
            }
            let data = check_bytes(lua, &args, 1, "decode")?;
            let conf = c.borrow().clone();
            decode(lua, &conf, &data)
        })?,
    )?;
    let c = cfg.clone();
    t.raw_set(
        "encode_sparse_array",
        func(lua, move |lua, args| {
            let args = arg_init(args, 3, "encode_sparse_array")?;
            let mut cfg = c.borrow_mut();
            let a = enum_option(
                lua,
                &args,
                1,
                "encode_sparse_array",
                &mut cfg.sparse_convert,
                None,
            )?;
            let b = int_option(
                lua,
                &args,
                2,
                "encode_sparse_array",
                &mut cfg.sparse_ratio,
                0,
                i32::MAX as i64,
            )?;
            let d = int_option(
                lua,
                &args,
                3,
                "encode_sparse_array",
                &mut cfg.sparse_safe,
                0,
                i32::MAX as i64,
            )?;
            Ok(MultiValue::from_iter([a, b, d]))
        })?,
    )?;
    // One closure type for the integer settings and one for the enum settings (each closure
    // type instantiates its own copy of the library function glue).
    type Field = fn(&mut Config) -> &mut i64;
    let ints: [(&'static str, Field, i64, i64); 3] = [
        (
            "encode_max_depth",
            |c| &mut c.encode_max_depth,
            1,
            i32::MAX as i64,
        ),
        (
            "decode_max_depth",
            |c| &mut c.decode_max_depth,
            1,
            i32::MAX as i64,
        ),
        (
            "encode_number_precision",
            |c| &mut c.encode_number_precision,
            1,
            14,
        ),
    ];
    for (name, field, min, max) in ints {
        let c = cfg.clone();
        t.raw_set(
            name,
            func(lua, move |lua, args| {
                let args = arg_init(args, 1, name)?;
                let mut cfg = c.borrow_mut();
                int_option(lua, &args, 1, name, field(&mut cfg), min, max)
            })?,
        )?;
    }
    let enums: [(&'static str, Field, Option<&'static [&'static str]>); 3] = [
        ("encode_keep_buffer", |c| &mut c.encode_keep_buffer, None),
        (
            "encode_invalid_numbers",
            |c| &mut c.encode_invalid_numbers,
            Some(&["off", "on", "null"]),
        ),
        (
            "decode_invalid_numbers",
            |c| &mut c.decode_invalid_numbers,
            None,
        ),
    ];
    for (name, field, opts) in enums {
        let c = cfg.clone();
        t.raw_set(
            name,
            func(lua, move |lua, args| {
                let args = arg_init(args, 1, name)?;
                let mut cfg = c.borrow_mut();
                enum_option(lua, &args, 1, name, field(&mut cfg), opts)
            })?,
        )?;
    }
    t.raw_set("new", func(lua, |lua, _| new_module(lua))?)?;
    t.raw_set("null", null())?;
    t.raw_set("_NAME", Value::String(lua.create_string("cjson")?))?;
    t.raw_set("_VERSION", Value::String(lua.create_string("2.1.0")?))?;
    Ok(t)
}

/// `json_arg_init`: at most `n` arguments, padded with nils.
fn arg_init(args: Vec<Value>, n: usize, func: &str) -> mlua::Result<Vec<Value>> {
    if args.len() > n {
        return Err(arg_error(n + 1, func, "found too many arguments"));
    }
    let mut v = args;
    v.resize(n, Value::Nil);
    Ok(v)
}

/// `json_integer_option`.
fn int_option(
    lua: &Lua,
    args: &[Value],
    idx: usize,
    func: &str,
    setting: &mut i64,
    min: i64,
    max: i64,
) -> mlua::Result<Value> {
    if !matches!(args[idx - 1], Value::Nil) {
        let v = check_integer(lua, args, idx, func)?;
        // cjson stores an `int`.
        let v = v as i32 as i64;
        if !(min <= v && v <= max) {
            // cjson reports argument #1 whatever the position.
            return Err(arg_error(
                1,
                func,
                &format!("expected integer between {min} and {max}"),
            ));
        }
        *setting = v;
    }
    Ok(Value::Integer(*setting))
}

/// `json_enum_option` (`bool_true` is 1 for every option cjson has).
fn enum_option(
    lua: &Lua,
    args: &[Value],
    idx: usize,
    func: &str,
    setting: &mut i64,
    options: Option<&[&str]>,
) -> mlua::Result<Value> {
    let options = options.unwrap_or(&["off", "on"]);
    match &args[idx - 1] {
        Value::Nil => {}
        Value::Boolean(b) => *setting = i64::from(*b),
        v => {
            let name = match v {
                Value::String(s) => s.as_bytes().to_vec(),
                Value::Integer(_) | Value::Number(_) => check_bytes(lua, args, idx, func)?,
                other => {
                    return Err(arg_error(
                        idx,
                        func,
                        &format!("string expected, got {}", typename(other)),
                    ))
                }
            };
            match options.iter().position(|o| o.as_bytes() == name.as_slice()) {
                Some(p) => *setting = p as i64,
                None => {
                    return Err(arg_error(
                        idx,
                        func,
                        &format!("invalid option '{}'", String::from_utf8_lossy(&name)),
                    ))
                }
            }
        }
    }
    Ok(if *setting == 0 || *setting == 1 {
        Value::Boolean(*setting == 1)
    } else {
        Value::String(lua.create_string(options[*setting as usize])?)
    })
}

// ===== Encoding =====

/// cjson's escape for a byte, if it needs one.
fn escape(b: u8) -> Option<&'static str> {
    const LOW: [&str; 32] = [
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f", "\\u0010", "\\u0011",
        "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019",
        "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    ];
    match b {
        0..=31 => Some(LOW[b as usize]),
        b'"' => Some("\\\""),
        b'/' => Some("\\/"),
        b'\\' => Some("\\\\"),
        127 => Some("\\u007f"),
        _ => None,
    }
}

fn append_string(out: &mut Vec<u8>, s: &[u8]) {
    out.reserve(s.len() + 2);
    out.push(b'"');
    for &b in s {
        match escape(b) {
            Some(e) => out.extend_from_slice(e.as_bytes()),
            None => out.push(b),
        }
    }
    out.push(b'"');
}

fn encode_error(kind: &str, reason: &str) -> mlua::Error {
    mlua::Error::runtime(format!("Cannot serialise {kind}: {reason}"))
}

fn append_number(out: &mut Vec<u8>, cfg: &Config, n: f64) -> mlua::Result<()> {
    if n.is_nan() || n.is_infinite() {
        match cfg.encode_invalid_numbers {
            0 => return Err(encode_error("number", "must not be NaN or Inf")),
            1 if n.is_nan() => {
                out.extend_from_slice(b"nan");
                return Ok(());
            }
            1 => {}
            _ => {
                out.extend_from_slice(b"null");
                return Ok(());
            }
        }
    }
    out.extend_from_slice(fmt_g(n, cfg.encode_number_precision as usize).as_bytes());
    Ok(())
}

/// C's `(int)d` on x86-64 (`cvttsd2si` with a 32-bit destination): out of range gives
/// `INT_MIN`.
fn double_to_int(d: f64) -> i32 {
    if d.is_nan() || d >= 2_147_483_648.0 || d <= -2_147_483_649.0 {
        i32::MIN
    } else {
        d as i32
    }
}

/// `lua_array_length`: `Some(n)` for an array of `n` elements, `None` for an object.
fn array_length(t: &Table, cfg: &Config) -> mlua::Result<Option<i32>> {
    let mut max: i32 = 0;
    let mut items: i32 = 0;
    let mut object = false;
    for pair in t.pairs::<Value, Value>() {
        let (k, _) = pair?;
        let k = match k {
            Value::Integer(i) => i as f64,
            Value::Number(n) => n,
            _ => {
                object = true;
                break;
            }
        };
        if k != 0.0 && k.floor() == k && k >= 1.0 {
            if k > f64::from(max) {
                max = double_to_int(k);
            }
            items = items.wrapping_add(1);
            continue;
        }
        object = true;
        break;
    }
    if object {
        return Ok(None);
    }
    let ratio = cfg.sparse_ratio as i32;
    if ratio > 0 && max > items.wrapping_mul(ratio) && i64::from(max) > cfg.sparse_safe {
        if cfg.sparse_convert == 0 {
            return Err(encode_error("table", "excessively sparse array"));
        }
        return Ok(None);
    }
    Ok(if max > 0 { Some(max) } else { None })
}

enum Frame {
    Array { t: Table, len: i64, i: i64 },
    Object { t: Table, key: Value, first: bool },
}

/// Encodes one value: scalars are written, tables are opened (their frame pushed).
fn put_value(
    out: &mut Vec<u8>,
    cfg: &Config,
    stack: &mut Vec<Frame>,
    v: Value,
) -> mlua::Result<()> {
    match v {
        Value::String(s) => append_string(out, &s.as_bytes()),
        Value::Integer(i) => append_number(out, cfg, i as f64)?,
        Value::Number(n) => append_number(out, cfg, n)?,
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Nil => out.extend_from_slice(b"null"),
        Value::LightUserData(p) if p.0.is_null() => out.extend_from_slice(b"null"),
        Value::Table(t) => {
            let depth = stack.len() as i64 + 1;
            if depth > cfg.encode_max_depth {
                return Err(mlua::Error::runtime(format!(
                    "Cannot serialise, excessive nesting ({depth})"
                )));
            }
            match array_length(&t, cfg)? {
                Some(len) => {
                    out.push(b'[');
                    stack.push(Frame::Array {
                        t,
                        len: i64::from(len),
                        i: 0,
                    });
                }
                None => {
                    out.push(b'{');
                    stack.push(Frame::Object {
                        t,
                        key: Value::Nil,
                        first: true,
                    });
                }
            }
        }
        other => return Err(encode_error(typename(&other), "type not supported")),
    }
    if out.len() > MAX_OUTPUT {
        return Err(mlua::Error::runtime("Cannot serialise: output too large"));
    }
    Ok(())
}

fn encode(lua: &Lua, cfg: &Config, next: &Function, v: Value) -> mlua::Result<Vec<u8>> {
    let _ = lua;
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    put_value(&mut out, cfg, &mut stack, v)?;
    while let Some(top) = stack.last_mut() {
        let item = match top {
            Frame::Array { t, len, i } => {
                if *i < *len {
                    *i += 1;
                    if *i > 1 {
                        out.push(b',');
                    }
                    Some(t.raw_get::<Value>(*i)?)
                } else {
                    out.push(b']');
                    None
                }
            }
            Frame::Object { t, key, first } => {
                let (k, v): (Value, Value) = next.call((t.clone(), key.clone()))?;
                if matches!(k, Value::Nil) {
                    out.push(b'}');
                    None
                } else {
                    if !*first {
                        out.push(b',');
                    }
                    *first = false;
                    match &k {
                        Value::Integer(i) => {
                            out.push(b'"');
                            append_number(&mut out, cfg, *i as f64)?;
                            out.extend_from_slice(b"\":");
                        }
                        Value::Number(n) => {
                            out.push(b'"');
                            append_number(&mut out, cfg, *n)?;
                            out.extend_from_slice(b"\":");
                        }
                        Value::String(s) => {
                            append_string(&mut out, &s.as_bytes());
                            out.push(b':');
                        }
                        other => {
                            return Err(encode_error(
                                typename(other),
                                "table key must be a number or string",
                            ))
                        }
                    }
                    *key = k;
                    Some(v)
                }
            }
        };
        match item {
            Some(v) => put_value(&mut out, cfg, &mut stack, v)?,
            None => {
                stack.pop();
            }
        }
    }
    Ok(out)
}

// ===== Decoding =====

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    Str,
    Num,
    Bool,
    Null,
    Colon,
    Comma,
    End,
    Error,
}

impl Tok {
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num => "T_NUMBER",
            Tok::Bool => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error => "T_ERROR",
        }
    }
}

struct Token {
    kind: Tok,
    /// 0-based position (for messages).
    index: usize,
    num: f64,
    boolean: bool,
    /// The string value, or the error text for `Tok::Error`.
    text: Vec<u8>,
    err: &'static str,
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    invalid_numbers: bool,
}

impl Parser<'_> {
    /// The byte at `i`; the C parser sees a NUL past the end (and stops at an embedded one).
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        if self.at(p) == b'0' {
            let c2 = self.at(p + 1);
            return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
        } else if self.at(p) <= b'9' {
            return false;
        }
        let rest = &self.data[p.min(self.data.len())..];
        let ci = |w: &[u8]| rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(w);
        ci(b"inf") || ci(b"nan")
    }

    fn number(&mut self, tok: &mut Token) {
        let (v, n) = strtod(&self.data[self.pos.min(self.data.len())..]);
        if n == 0 {
            self.error(tok, "invalid number");
        } else {
            tok.kind = Tok::Num;
            tok.num = v;
            self.pos += n;
        }
    }

    fn error(&self, tok: &mut Token, msg: &'static str) {
        tok.kind = Tok::Error;
        tok.index = self.pos;
        tok.err = msg;
    }

    fn next_token(&mut self) -> Token {
        let mut tok = Token {
            kind: Tok::End,
            index: 0,
            num: 0.0,
            boolean: false,
            text: Vec::new(),
            err: "",
        };
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        tok.index = self.pos;
        let ch = self.at(self.pos);
        let single = match ch {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            0 => return tok,
            _ => None,
        };
        if let Some(k) = single {
            tok.kind = k;
            self.pos += 1;
            return tok;
        }
        let rest = &self.data[self.pos..];
        match ch {
            b'"' => self.string(&mut tok),
            b'-' | b'0'..=b'9' => {
                if !self.invalid_numbers && self.is_invalid_number() {
                    self.error(&mut tok, "invalid number");
                } else {
                    self.number(&mut tok);
                }
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+' => {
                if rest.starts_with(b"true") {
                    tok.kind = Tok::Bool;
                    tok.boolean = true;
                    self.pos += 4;
                } else if rest.starts_with(b"false") {
                    tok.kind = Tok::Bool;
                    self.pos += 5;
                } else if rest.starts_with(b"null") {
                    tok.kind = Tok::Null;
                    self.pos += 4;
                } else if self.invalid_numbers && self.is_invalid_number() {
                    self.number(&mut tok);
                } else {
                    self.error(&mut tok, "invalid token");
                }
            }
            _ => self.error(&mut tok, "invalid token"),
        }
        tok
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..4 {
            v = (v << 4) | (self.at(at + i) as char).to_digit(16)?;
        }
        Some(v)
    }

    /// `json_append_unicode_escape`: at a `\u`; appends UTF-8 and advances, or `None`.
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let mut cp = self.hex4(self.pos + 2)?;
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 {
                return None;
            }
            if self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return None;
            }
            let low = self.hex4(self.pos + 8)?;
            if low & 0xFC00 != 0xDC00 {
                return None;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        // Surrogates were handled above, so this is a valid scalar (at most 0x10FFFF).
        let c = char::from_u32(cp)?;
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        self.pos += len;
        Some(())
    }

    fn string(&mut self, tok: &mut Token) {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let ch = self.at(self.pos);
            if ch == b'"' {
                break;
            }
            if ch == 0 {
                self.error(tok, "unexpected end of string");
                return;
            }
            if ch == b'\\' {
                let e = match self.at(self.pos + 1) {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 8,
                    b't' => b'\t',
                    b'n' => b'\n',
                    b'f' => 12,
                    b'r' => b'\r',
                    b'u' => {
                        if self.unicode_escape(&mut out).is_some() {
                            continue;
                        }
                        self.error(tok, "invalid unicode escape code");
                        return;
                    }
                    _ => {
                        self.error(tok, "invalid escape code");
                        return;
                    }
                };
                out.push(e);
                self.pos += 2;
                continue;
            }
            out.push(ch);
            self.pos += 1;
        }
        self.pos += 1;
        tok.kind = Tok::Str;
        tok.text = out;
    }
}

fn parse_error(expected: &str, tok: &Token) -> mlua::Error {
    let found = if tok.kind == Tok::Error {
        tok.err
    } else {
        tok.kind.name()
    };
    mlua::Error::runtime(format!(
        "Expected {expected} but found {found} at character {}",
        tok.index + 1
    ))
}

enum Open {
    Array { t: Table, i: i64 },
    Object { t: Table, key: Value },
}

fn decode(lua: &Lua, cfg: &Config, data: &[u8]) -> mlua::Result<Value> {
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(mlua::Error::runtime(
            "JSON parser does not support UTF-16 or UTF-32",
        ));
    }
    let mut p = Parser {
        data,
        pos: 0,
        invalid_numbers: cfg.decode_invalid_numbers != 0,
    };
    let mut stack: Vec<Open> = Vec::new();
    let mut tok = p.next_token();
    loop {
        // A value starts at `tok`.
        let mut value = match tok.kind {
            Tok::Str => Value::String(lua.create_string(&tok.text)?),
            Tok::Num => super::number_value(tok.num),
            Tok::Bool => Value::Boolean(tok.boolean),
            Tok::Null => null(),
            Tok::ObjBegin | Tok::ArrBegin => {
                let depth = stack.len() as i64 + 1;
                if depth > cfg.decode_max_depth {
                    return Err(mlua::Error::runtime(format!(
                        "Found too many nested data structures ({depth}) at character {}",
                        p.pos
                    )));
                }
                let t = lua.create_table()?;
                let next = p.next_token();
                if tok.kind == Tok::ObjBegin {
                    if next.kind == Tok::ObjEnd {
                        Value::Table(t)
                    } else {
                        let key = object_key(lua, &mut p, next)?;
                        stack.push(Open::Object { t, key });
                        tok = p.next_token();
                        continue;
                    }
                } else if next.kind == Tok::ArrEnd {
                    Value::Table(t)
                } else {
                    stack.push(Open::Array { t, i: 1 });
                    tok = next;
                    continue;
                }
            }
            _ => return Err(parse_error("value", &tok)),
        };
        // Store the finished value into its container; close containers that end here.
        loop {
            match stack.last_mut() {
                None => {
                    let end = p.next_token();
                    if end.kind != Tok::End {
                        return Err(parse_error("the end", &end));
                    }
                    return Ok(value);
                }
                Some(Open::Array { t, i }) => {
                    t.raw_set(*i, value)?;
                    *i += 1;
                    let next = p.next_token();
                    if next.kind == Tok::ArrEnd {
                        let t = t.clone();
                        stack.pop();
                        value = Value::Table(t);
                        continue;
                    }
                    if next.kind != Tok::Comma {
                        return Err(parse_error("comma or array end", &next));
                    }
                    tok = p.next_token();
                    break;
                }
                Some(Open::Object { t, key }) => {
                    t.raw_set(std::mem::replace(key, Value::Nil), value)?;
                    let next = p.next_token();
                    if next.kind == Tok::ObjEnd {
                        let t = t.clone();
                        stack.pop();
                        value = Value::Table(t);
                        continue;
                    }
                    if next.kind != Tok::Comma {
                        return Err(parse_error("comma or object end", &next));
                    }
                    let k = p.next_token();
                    *key = object_key(lua, &mut p, k)?;
                    tok = p.next_token();
                    break;
                }
            }
        }
    }
}

/// Reads `"key" :` given the key token; returns the key.
fn object_key(lua: &Lua, p: &mut Parser, tok: Token) -> mlua::Result<Value> {
    if tok.kind != Tok::Str {
        return Err(parse_error("object key string", &tok));
    }
    let key = Value::String(lua.create_string(&tok.text)?);
    let colon = p.next_token();
    if colon.kind != Tok::Colon {
        return Err(parse_error("colon", &colon));
    }
    Ok(key)
}

//! `cmsgpack`: lua-cmsgpack 0.4.0 as Redis 7.0 ships it.
//!
//! Hand-written (not `rmp`): the encoder's choices are lua-cmsgpack's own — integers in the
//! smallest type (positive values as unsigned types, negative as signed), floats as float32
//! when that is exact and float64 otherwise, strings always as str8/16/32 (never bin), a table
//! whose keys are exactly `1..n` as an array and anything else as a map, nesting deeper than
//! 16 tables and unsupported types (functions, nil, userdata) as nil — and its decoder accepts
//! exactly what the C code accepts (no bin or ext types: `Bad data format in input.`).
//!
//! Lua 5.4 choices: a float with an integral value that fits `i64` encodes as an integer (as
//! lua-cmsgpack does under Lua 5.1, where every number is a double); decoding yields integers
//! for every msgpack integer type (uint64 above `i64::MAX` wraps to negative, as in Redis) and
//! floats for float32/float64.
//!
//! Limits: the decoder uses an explicit stack and models the Lua 5.1 C-stack accounting that
//! bounds the C version (8000 slots: about 3999 nested arrays, 7999 values returned at once),
//! with the same `stack overflow (...)` messages. A header declaring more elements or bytes
//! than the input holds fails with `Missing bytes in input.` before anything is allocated for
//! it.

use super::{arg_error, check_bytes, func, opt_integer, type_error, MAX_OUTPUT};
use mlua::{Lua, MultiValue, Table, Value};

/// Tables nested deeper than this encode as nil (`LUACMSGPACK_MAX_NESTING`).
const MAX_NESTING: usize = 16;
/// Lua 5.1's `LUAI_MAXCSTACK`: slots a C function may use.
const MAX_CSTACK: usize = 8000;

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("pack", func(lua, pack)?)?;
    // One closure type for the three unpack functions (each closure type instantiates its
    // own copy of the library function glue).
    for name in ["unpack", "unpack_one", "unpack_limit"] {
        t.raw_set(
            name,
            func(lua, move |lua, args| match name {
                "unpack" => unpack_full(lua, &args, name, 0, 0),
                "unpack_one" => {
                    let offset = opt_integer(lua, &args, 2, name, 0)?;
                    unpack_full(lua, &args, name, 1, offset)
                }
                _ => {
                    let limit = super::check_integer(lua, &args, 2, name)?;
                    let offset = opt_integer(lua, &args, 3, name, 0)?;
                    unpack_full(lua, &args, name, limit, offset)
                }
            })?,
        )?;
    }
    for (k, v) in [
        ("_NAME", "cmsgpack"),
        ("_VERSION", "lua-cmsgpack 0.4.0"),
        ("_COPYRIGHT", "Copyright (C) 2012, Salvatore Sanfilippo"),
        ("_DESCRIPTION", "MessagePack C implementation for Lua"),
    ] {
        t.raw_set(k, Value::String(lua.create_string(v)?))?;
    }
    Ok(t)
}

// ===== Encoding =====

fn too_large() -> mlua::Error {
    mlua::Error::runtime("MessagePack pack: output too large")
}

fn encode_bytes(out: &mut Vec<u8>, s: &[u8]) {
    let len = s.len();
    if len < 32 {
        out.push(0xa0 | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[0xd9, len as u8]);
    } else if len <= 0xffff {
        out.push(0xda);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0xdb);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    }
    out.extend_from_slice(s);
}

fn encode_int(out: &mut Vec<u8>, n: i64) {
    if n >= 0 {
        if n <= 127 {
            out.push(n as u8);
        } else if n <= 0xff {
            out.extend_from_slice(&[0xcc, n as u8]);
        } else if n <= 0xffff {
            out.push(0xcd);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        } else if n <= 0xffff_ffff {
            out.push(0xce);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        } else {
            out.push(0xcf);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    } else if n >= -32 {
        out.push(n as i8 as u8);
    } else if n >= -128 {
        out.extend_from_slice(&[0xd0, n as i8 as u8]);
    } else if n >= -32768 {
        out.push(0xd1);
        out.extend_from_slice(&(n as i16).to_be_bytes());
    } else if n >= -2_147_483_648 {
        out.push(0xd2);
        out.extend_from_slice(&(n as i32).to_be_bytes());
    } else {
        out.push(0xd3);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

fn encode_double(out: &mut Vec<u8>, d: f64) {
    let f = d as f32;
    if f64::from(f) == d {
        out.push(0xca);
        out.extend_from_slice(&f.to_bits().to_be_bytes());
    } else {
        out.push(0xcb);
        out.extend_from_slice(&d.to_bits().to_be_bytes());
    }
}

/// `mp_encode_lua_number` (the Lua 5.1 path): integral doubles that fit `int64_t` as integers.
fn encode_number(out: &mut Vec<u8>, d: f64) {
    if !d.is_infinite() && (-super::TWO63..super::TWO63).contains(&d) && (d as i64) as f64 == d {
        encode_int(out, d as i64);
    } else {
        encode_double(out, d);
    }
}

fn encode_header(out: &mut Vec<u8>, n: usize, fix: u8, b16: u8, b32: u8) {
    if n <= 15 {
        out.push(fix | n as u8);
    } else if n <= 65535 {
        out.push(b16);
        out.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        out.push(b32);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}

/// `table_is_an_array`: every key a positive integer and the largest equal to the count.
/// Returns the count for an array. (The C code keeps `max` in an `int` and only accepts keys
/// that fit one.)
fn array_len(t: &Table) -> mlua::Result<Option<usize>> {
    let mut count: i64 = 0;
    let mut max: i64 = 0;
    for pair in t.pairs::<Value, Value>() {
        let (k, _) = pair?;
        let n = match k {
            Value::Integer(i) => i,
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 2_147_483_648.0 => n as i64,
            _ => return Ok(None),
        };
        if n <= 0 || n > i64::from(i32::MAX) {
            return Ok(None);
        }
        max = max.max(n);
        count += 1;
    }
    Ok((max == count).then_some(count as usize))
}

fn encode_value(out: &mut Vec<u8>, v: &Value, level: usize) -> mlua::Result<()> {
    match v {
        Value::String(s) => encode_bytes(out, &s.as_bytes()),
        Value::Boolean(b) => out.push(if *b { 0xc3 } else { 0xc2 }),
        Value::Integer(i) => encode_int(out, *i),
        Value::Number(n) => encode_number(out, *n),
        Value::Table(t) if level < MAX_NESTING => {
            // Recursion here is bounded by MAX_NESTING.
            match array_len(t)? {
                Some(len) => {
                    encode_header(out, len, 0x90, 0xdc, 0xdd);
                    for i in 1..=len {
                        let item: Value = t.raw_get(i as i64)?;
                        encode_value(out, &item, level + 1)?;
                        if out.len() > MAX_OUTPUT {
                            return Err(too_large());
                        }
                    }
                }
                None => {
                    let mut n = 0usize;
                    for pair in t.pairs::<Value, Value>() {
                        pair?;
                        n += 1;
                    }
                    encode_header(out, n, 0x80, 0xde, 0xdf);
                    for pair in t.pairs::<Value, Value>() {
                        let (k, v) = pair?;
                        encode_value(out, &k, level + 1)?;
                        encode_value(out, &v, level + 1)?;
                        if out.len() > MAX_OUTPUT {
                            return Err(too_large());
                        }
                    }
                }
            }
        }
        _ => out.push(0xc0),
    }
    if out.len() > MAX_OUTPUT {
        return Err(too_large());
    }
    Ok(())
}

fn pack(lua: &Lua, args: Vec<Value>) -> mlua::Result<mlua::LuaString> {
    if args.is_empty() {
        return Err(arg_error(0, "pack", "MessagePack pack needs input."));
    }
    let mut out = Vec::new();
    for v in args.iter() {
        encode_value(&mut out, v, 0)?;
    }
    lua.create_string(&out)
}

// ===== Decoding =====

enum DecodeError {
    Eof,
    BadFormat,
    Lua(mlua::Error),
}

impl From<mlua::Error> for DecodeError {
    fn from(e: mlua::Error) -> Self {
        DecodeError::Lua(e)
    }
}

fn overflow(what: &str) -> DecodeError {
    DecodeError::Lua(mlua::Error::runtime(format!("stack overflow ({what})")))
}

const TOO_MANY: &str = "too many return values at once; use unpack_one or unpack_limit instead.";

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }
    fn need(&self, n: usize) -> Result<(), DecodeError> {
        if self.left() < n {
            Err(DecodeError::Eof)
        } else {
            Ok(())
        }
    }
    /// The `n` bytes after the type byte (the cursor is on the type byte).
    fn body<const N: usize>(&self) -> Result<[u8; N], DecodeError> {
        self.need(1 + N)?;
        let mut b = [0u8; N];
        b.copy_from_slice(&self.data[self.pos + 1..self.pos + 1 + N]);
        Ok(b)
    }
}

enum Open {
    Array {
        t: Table,
        left: u64,
        index: i64,
    },
    Map {
        t: Table,
        left: u64,
        key: Option<Value>,
    },
}

/// What one type byte starts: a finished value or a container to fill.
enum Item {
    Value(Value),
    Array(u64),
    Map(u64),
}

fn read_item(lua: &Lua, c: &mut Cursor) -> Result<Item, DecodeError> {
    c.need(1)?;
    let b = c.data[c.pos];
    let (item, used) = match b {
        0xcc => (Item::Value(Value::Integer(c.body::<1>()?[0].into())), 2),
        0xd0 => (
            Item::Value(Value::Integer((c.body::<1>()?[0] as i8).into())),
            2,
        ),
        0xcd => (
            Item::Value(Value::Integer(u16::from_be_bytes(c.body()?).into())),
            3,
        ),
        0xd1 => (
            Item::Value(Value::Integer(i16::from_be_bytes(c.body()?).into())),
            3,
        ),
        0xce => (
            Item::Value(Value::Integer(u32::from_be_bytes(c.body()?).into())),
            5,
        ),
        0xd2 => (
            Item::Value(Value::Integer(i32::from_be_bytes(c.body()?).into())),
            5,
        ),
        0xcf => (
            Item::Value(Value::Integer(u64::from_be_bytes(c.body()?) as i64)),
            9,
        ),
        0xd3 => (
            Item::Value(Value::Integer(i64::from_be_bytes(c.body()?))),
            9,
        ),
        0xc0 => (Item::Value(Value::Nil), 1),
        0xc3 => (Item::Value(Value::Boolean(true)), 1),
        0xc2 => (Item::Value(Value::Boolean(false)), 1),
        0xca => {
            let f = f32::from_bits(u32::from_be_bytes(c.body()?));
            (Item::Value(Value::Number(f64::from(f))), 5)
        }
        0xcb => {
            let d = f64::from_bits(u64::from_be_bytes(c.body()?));
            (Item::Value(Value::Number(d)), 9)
        }
        0xd9 | 0xda | 0xdb | 0xa0..=0xbf => {
            let (hdr, len) = match b {
                0xd9 => (2, usize::from(c.body::<1>()?[0])),
                0xda => (3, usize::from(u16::from_be_bytes(c.body()?))),
                0xdb => (5, u32::from_be_bytes(c.body()?) as usize),
                _ => (1, usize::from(b & 0x1f)),
            };
            c.need(hdr)?;
            if c.left() - hdr < len {
                return Err(DecodeError::Eof);
            }
            let start = c.pos + hdr;
            let s = lua.create_string(&c.data[start..start + len])?;
            (Item::Value(Value::String(s)), hdr + len)
        }
        0xdc => (Item::Array(u16::from_be_bytes(c.body()?).into()), 3),
        0xdd => (Item::Array(u32::from_be_bytes(c.body()?).into()), 5),
        0xde => (Item::Map(u16::from_be_bytes(c.body()?).into()), 3),
        0xdf => (Item::Map(u32::from_be_bytes(c.body()?).into()), 5),
        _ if b & 0x80 == 0 => (Item::Value(Value::Integer(b.into())), 1),
        _ if b & 0xe0 == 0xe0 => (Item::Value(Value::Integer((b as i8).into())), 1),
        _ if b & 0xf0 == 0x90 => (Item::Array(u64::from(b & 0xf)), 1),
        _ if b & 0xf0 == 0x80 => (Item::Map(u64::from(b & 0xf)), 1),
        _ => return Err(DecodeError::BadFormat),
    };
    c.pos += used;
    Ok(item)
}

/// `mp_decode_to_lua_type` for one top-level value, with `slots` the Lua 5.1 stack slots in use
/// before it (the C code's `luaL_checkstack` limits are emulated on that count).
fn decode_one(lua: &Lua, c: &mut Cursor, base_slots: usize) -> Result<Value, DecodeError> {
    let mut stack: Vec<Open> = Vec::new();
    // Slots in use: the caller's, plus 2 per open container (the table and the pending
    // index or key).
    let slots = |stack: &Vec<Open>| base_slots + 2 * stack.len();
    loop {
        if slots(&stack) >= MAX_CSTACK {
            return Err(overflow(TOO_MANY));
        }
        let mut value = match read_item(lua, c)? {
            Item::Value(v) => v,
            Item::Array(n) => {
                // The table is pushed, then `luaL_checkstack(L, 1)` in the array decoder.
                if slots(&stack) + 1 >= MAX_CSTACK {
                    return Err(overflow("in function mp_decode_to_lua_array"));
                }
                let t = lua.create_table()?;
                if n > 0 {
                    stack.push(Open::Array {
                        t,
                        left: n,
                        index: 1,
                    });
                    continue;
                }
                Value::Table(t)
            }
            Item::Map(n) => {
                let t = lua.create_table()?;
                if n > 0 {
                    stack.push(Open::Map {
                        t,
                        left: n,
                        key: None,
                    });
                    continue;
                }
                Value::Table(t)
            }
        };
        // Store the value; close the containers it completes.
        loop {
            match stack.last_mut() {
                None => return Ok(value),
                Some(Open::Array { t, left, index }) => {
                    t.raw_set(*index, value)?;
                    *index += 1;
                    *left -= 1;
                    if *left > 0 {
                        break;
                    }
                    value = Value::Table(t.clone());
                    stack.pop();
                }
                Some(Open::Map { t, left, key }) => match key.take() {
                    None => {
                        *key = Some(value);
                        break;
                    }
                    Some(k) => {
                        settable(t, k, value)?;
                        *left -= 1;
                        if *left > 0 {
                            break;
                        }
                        value = Value::Table(t.clone());
                        stack.pop();
                    }
                },
            }
        }
    }
}

/// `lua_settable` on a fresh table: nil and NaN keys are errors as in Lua 5.1.
fn settable(t: &Table, k: Value, v: Value) -> mlua::Result<()> {
    match &k {
        Value::Nil => Err(mlua::Error::runtime("table index is nil")),
        Value::Number(n) if n.is_nan() => Err(mlua::Error::runtime("table index is NaN")),
        _ => t.raw_set(k, v),
    }
}

fn unpack_full(
    lua: &Lua,
    args: &[Value],
    func: &str,
    limit: i64,
    offset: i64,
) -> mlua::Result<MultiValue> {
    let s = match args.first() {
        Some(Value::String(_) | Value::Integer(_) | Value::Number(_)) => {
            check_bytes(lua, args, 1, func)?
        }
        _ => return Err(type_error(args, 1, func, "string")),
    };
    let len = s.len();
    let decode_all = limit == 0 && offset == 0;
    if offset < 0 || limit < 0 {
        return Err(mlua::Error::runtime(format!(
            "Invalid request to unpack with offset of {} and limit of {}.",
            offset as i32, len as i32
        )));
    } else if offset as u64 > len as u64 {
        return Err(mlua::Error::runtime(format!(
            "Start offset {} greater than input length {}.",
            offset as i32, len as i32
        )));
    }
    let limit = if decode_all {
        i64::from(i32::MAX)
    } else {
        limit
    };
    let mut c = Cursor {
        data: &s,
        pos: offset as usize,
    };
    let mut out: Vec<Value> = Vec::new();
    while c.left() > 0 && (out.len() as i64) < limit {
        // Slot 1 holds the argument string.
        match decode_one(lua, &mut c, 1 + out.len()) {
            Ok(v) => out.push(v),
            Err(DecodeError::Eof) => return Err(mlua::Error::runtime("Missing bytes in input.")),
            Err(DecodeError::BadFormat) => {
                return Err(mlua::Error::runtime("Bad data format in input."))
            }
            Err(DecodeError::Lua(e)) => return Err(e),
        }
    }
    if !decode_all {
        let next = if c.left() == 0 { -1 } else { c.pos as i64 };
        out.insert(0, Value::Integer(next));
    }
    Ok(MultiValue::from_iter(out))
}

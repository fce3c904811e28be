//! Conversions between Lua values and replies, exactly as Redis 7 documents them.
//!
//! Lua → reply (a script's return value): string → bulk; integer → integer; float → integer
//! by truncation (`3.7` → `:3`, `10/2` → `:5`; NaN, ±inf and out of range → -2^63 as
//! redis-server on x86-64); `true` → `:1`; `false`/`nil` → nil bulk;
//! `{err=s}` → error; `{ok=s}` → status; RESP3 shapes `{double=}`, `{map=}`, `{set=}`,
//! `{big_number=}`, `{verbatim_string={format=,string=}}`; any other table → array of
//! `t[1..]` up to the first nil (`false` elements become nil bulks).
//!
//! Reply → Lua (`redis.call` results), RESP2 (`redis.setresp(2)`, the default): integer →
//! integer; bulk → string; nil bulk and nil array → `false`; array → table; status →
//! `{ok=s}`; error → `{err=s}`. Under `redis.setresp(3)`: map → `{map={...}}`, set →
//! `{set={m=true}}`, double → `{double=n}`, null → nil, bool → boolean, big number →
//! `{big_number=s}`, verbatim → `{verbatim_string={format=,string=}}`.

use crate::reply::Reply;
use mlua::{Lua, Table, Value};

/// Deepest table nesting converted in either direction (deeper parts become an error reply).
pub const MAX_DEPTH: usize = 1000;

/// A script's return value as a reply.
pub fn lua_to_reply(v: &Value) -> Reply {
    to_reply(v, 0)
}

fn to_reply(v: &Value, depth: usize) -> Reply {
    if depth > MAX_DEPTH {
        return Reply::err("ERR reached lua stack limit");
    }
    match v {
        Value::String(s) => Reply::Bulk(s.as_bytes().to_vec()),
        Value::Integer(i) => Reply::Integer(*i),
        Value::Number(n) => Reply::Integer(truncate(*n)),
        Value::Boolean(true) => Reply::Integer(1),
        Value::Table(t) => table_to_reply(t, depth),
        _ => Reply::Nil,
    }
}

/// The reply of a Lua float returned by a script: an integer, truncated.
pub fn number_reply(n: f64) -> Reply {
    Reply::Integer(truncate(n))
}

/// A Lua float as redis-server's `(long long)` cast compiles on x86-64: truncated, and
/// -2^63 for NaN, ±inf and everything out of range (`return 1/0`, `return 2^63`).
fn truncate(n: f64) -> i64 {
    crate::lua::libs::double_to_i64(n)
}

/// Newlines would break a status or error line: Redis turns them into spaces.
fn one_line(s: &[u8]) -> String {
    String::from_utf8_lossy(s).replace(['\r', '\n'], " ")
}

fn table_to_reply(t: &Table, depth: usize) -> Reply {
    if let Ok(Value::String(e)) = t.raw_get::<Value>("err") {
        return Reply::Error(one_line(&e.as_bytes()));
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("ok") {
        return Reply::Status(one_line(&s.as_bytes()));
    }
    if let Ok(d) = t.raw_get::<Value>("double") {
        match d {
            Value::Number(n) => return Reply::Double(n),
            Value::Integer(i) => return Reply::Double(i as f64),
            _ => {}
        }
    }
    if let Ok(Value::String(s)) = t.raw_get::<Value>("big_number") {
        return Reply::BigNumber(one_line(&s.as_bytes()));
    }
    if let Ok(Value::Table(m)) = t.raw_get::<Value>("map") {
        let mut pairs = Vec::new();
        for (k, v) in m.pairs::<Value, Value>().flatten() {
            pairs.push((to_reply(&k, depth + 1), to_reply(&v, depth + 1)));
        }
        return Reply::Map(pairs);
    }
    if let Ok(Value::Table(s)) = t.raw_get::<Value>("set") {
        let items = s
            .pairs::<Value, Value>()
            .flatten()
            .map(|(k, _)| to_reply(&k, depth + 1))
            .collect();
        return Reply::Set(items);
    }
    if let Ok(Value::Table(v)) = t.raw_get::<Value>("verbatim_string") {
        if let (Ok(Value::String(f)), Ok(Value::String(s))) =
            (v.raw_get::<Value>("format"), v.raw_get::<Value>("string"))
        {
            return Reply::Verbatim(f.to_string_lossy(), s.as_bytes().to_vec());
        }
    }
    let mut items = Vec::new();
    for i in 1.. {
        match t.raw_get::<Value>(i) {
            Ok(Value::Nil) | Err(_) => break,
            Ok(v) => items.push(to_reply(&v, depth + 1)),
        }
    }
    Reply::Array(items)
}

/// A `redis.call` result as a Lua value (`resp` is the script's `redis.setresp` version).
/// Errors are returned as `{err=...}` tables; the caller decides whether to raise them.
pub fn reply_to_lua(lua: &Lua, r: &Reply, resp: u8) -> mlua::Result<Value> {
    reply_to_lua_depth(lua, r, resp, 0)
}

fn single(lua: &Lua, key: &str, v: Value) -> mlua::Result<Value> {
    let t = lua.create_table_with_capacity(0, 1)?;
    t.raw_set(key, v)?;
    Ok(Value::Table(t))
}

fn reply_to_lua_depth(lua: &Lua, r: &Reply, resp: u8, depth: usize) -> mlua::Result<Value> {
    if depth > MAX_DEPTH {
        return Err(mlua::Error::runtime("reached lua stack limit"));
    }
    let str_value = |b: &[u8]| -> mlua::Result<Value> { Ok(Value::String(lua.create_string(b)?)) };
    match r {
        Reply::Integer(i) => Ok(Value::Integer(*i)),
        Reply::Bulk(b) => str_value(b),
        Reply::Nil | Reply::NilArray => Ok(if resp >= 3 {
            Value::Nil
        } else {
            Value::Boolean(false)
        }),
        Reply::Status(s) => single(lua, "ok", str_value(s.as_bytes())?),
        Reply::Error(e) => single(lua, "err", str_value(e.as_bytes())?),
        Reply::Array(items) => {
            let t = lua.create_table_with_capacity(items.len(), 0)?;
            for (i, item) in items.iter().enumerate() {
                t.raw_set(i + 1, reply_to_lua_depth(lua, item, resp, depth + 1)?)?;
            }
            Ok(Value::Table(t))
        }
        Reply::Map(pairs) => {
            if resp < 3 {
                let t = lua.create_table_with_capacity(pairs.len() * 2, 0)?;
                for (i, (k, v)) in pairs.iter().enumerate() {
                    t.raw_set(2 * i + 1, reply_to_lua_depth(lua, k, resp, depth + 1)?)?;
                    t.raw_set(2 * i + 2, reply_to_lua_depth(lua, v, resp, depth + 1)?)?;
                }
                return Ok(Value::Table(t));
            }
            let m = lua.create_table_with_capacity(0, pairs.len())?;
            for (k, v) in pairs {
                m.raw_set(
                    reply_to_lua_depth(lua, k, resp, depth + 1)?,
                    reply_to_lua_depth(lua, v, resp, depth + 1)?,
                )?;
            }
            single(lua, "map", Value::Table(m))
        }
        Reply::Set(items) => {
            if resp < 3 {
                return reply_to_lua_depth(lua, &Reply::Array(items.clone()), resp, depth);
            }
            let s = lua.create_table_with_capacity(0, items.len())?;
            for item in items {
                s.raw_set(
                    reply_to_lua_depth(lua, item, resp, depth + 1)?,
                    Value::Boolean(true),
                )?;
            }
            single(lua, "set", Value::Table(s))
        }
        Reply::Double(d) => {
            if resp < 3 {
                str_value(crate::numfmt::fmt_double(*d).as_bytes())
            } else {
                single(lua, "double", Value::Number(*d))
            }
        }
        Reply::Bool(b) => Ok(if resp < 3 {
            if *b {
                Value::Integer(1)
            } else {
                Value::Boolean(false)
            }
        } else {
            Value::Boolean(*b)
        }),
        Reply::BigNumber(s) => {
            if resp < 3 {
                str_value(s.as_bytes())
            } else {
                single(lua, "big_number", str_value(s.as_bytes())?)
            }
        }
        Reply::Verbatim(f, s) => {
            if resp < 3 {
                return str_value(s);
            }
            let v = lua.create_table_with_capacity(0, 2)?;
            v.raw_set("format", Value::String(lua.create_string(f.as_str())?))?;
            v.raw_set("string", Value::String(lua.create_string(s)?))?;
            single(lua, "verbatim_string", Value::Table(v))
        }
    }
}

/// A `redis.call` argument as bytes: strings as they are, integers in decimal, floats as
/// Redis 7.0 formats them (`%.17g`: `0.1` → `0.10000000000000001`, `5.0` → `5`).
pub fn arg_bytes(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::String(s) => Some(s.as_bytes().to_vec()),
        Value::Integer(i) => Some(i.to_string().into_bytes()),
        Value::Number(n) => Some(float_arg(*n)),
        _ => None,
    }
}

/// A float `redis.call` argument (see [`arg_bytes`]).
pub fn float_arg(n: f64) -> Vec<u8> {
    if n.is_nan() {
        b"nan".to_vec()
    } else if n.is_infinite() {
        if n > 0.0 { &b"inf"[..] } else { &b"-inf"[..] }.to_vec()
    } else {
        crate::lua::format_g(n, 17).into_bytes()
    }
}

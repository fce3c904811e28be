//! `bit`: the LuaBitOp API as Redis 7.0 ships it (`lua_bit.c`).
//!
//! Arguments are read as doubles (`lua_tonumber`, so numeric strings work) and reduced to 32
//! bits exactly as LuaBitOp does, by adding 2^52+2^51 and keeping the low word of the double
//! (rounding to nearest even; values beyond 2^51 wrap the way the C code's do). Results are
//! signed 32-bit values returned as Lua **integers** (LuaBitOp on Lua 5.1 returns doubles; an
//! integer prints the same way under Lua 5.4).

use super::{func, to_number, type_error};
use mlua::{Lua, Table, Value};

/// `barg`: argument `n` (1-based) as 32 bits.
fn barg(lua: &Lua, args: &[Value], n: usize, func: &str) -> mlua::Result<u32> {
    let v = args.get(n - 1);
    let num = v.and_then(|v| to_number(lua, v));
    let b = ((num.unwrap_or(0.0) + 6_755_399_441_055_744.0).to_bits() & 0xffff_ffff) as u32;
    if b == 0 && num.is_none() {
        return Err(type_error(args, n, func, "number"));
    }
    Ok(b)
}

fn ret(b: u32) -> Value {
    Value::Integer(i64::from(b as i32))
}

type Op = fn(u32, u32) -> u32;
type Unary = fn(u32) -> u32;

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let unary: [(&'static str, Unary); 3] = [
        ("tobit", |b| b),
        ("bnot", |b| !b),
        ("bswap", u32::swap_bytes),
    ];
    for (name, f) in unary {
        t.raw_set(
            name,
            func(lua, move |lua, args| Ok(ret(f(barg(lua, &args, 1, name)?))))?,
        )?;
    }
    let fold: [(&'static str, Op); 3] = [
        ("band", |a, b| a & b),
        ("bor", |a, b| a | b),
        ("bxor", |a, b| a ^ b),
    ];
    for (name, f) in fold {
        t.raw_set(
            name,
            func(lua, move |lua, args| {
                let mut b = barg(lua, &args, 1, name)?;
                // The C code reads the arguments from the last to the second.
                for i in (2..=args.len()).rev() {
                    b = f(b, barg(lua, &args, i, name)?);
                }
                Ok(ret(b))
            })?,
        )?;
    }
    let shifts: [(&'static str, Op); 5] = [
        ("lshift", |b, n| b << n),
        ("rshift", |b, n| b >> n),
        ("arshift", |b, n| ((b as i32) >> n) as u32),
        ("rol", u32::rotate_left),
        ("ror", u32::rotate_right),
    ];
    for (name, f) in shifts {
        t.raw_set(
            name,
            func(lua, move |lua, args| {
                let b = barg(lua, &args, 1, name)?;
                let n = barg(lua, &args, 2, name)? & 31;
                Ok(ret(f(b, n)))
            })?,
        )?;
    }
    t.raw_set(
        "tohex",
        func(lua, |lua, args| {
            let mut b = barg(lua, &args, 1, "tohex")?;
            let mut n: i32 = if args.len() < 2 {
                8
            } else {
                barg(lua, &args, 2, "tohex")? as i32
            };
            let mut digits: &[u8; 16] = b"0123456789abcdef";
            if n == i32::MIN {
                n = i32::MIN + 1;
            }
            if n < 0 {
                n = -n;
                digits = b"0123456789ABCDEF";
            }
            let n = n.min(8) as usize;
            let mut buf = [0u8; 8];
            for i in (0..n).rev() {
                buf[i] = digits[(b & 15) as usize];
                b >>= 4;
            }
            lua.create_string(&buf[..n])
        })?,
    )?;
    Ok(t)
}

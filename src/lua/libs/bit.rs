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

/// How an operation reads its arguments.
#[derive(Clone, Copy)]
enum Shape {
    /// `f(x)` (the second operand is unused).
    Unary,
    /// `f(...f(f(x1, xn), xn-1)..., x2)`: every argument.
    Fold,
    /// `f(x, n & 31)`.
    Shift,
}

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    // One closure type for the eleven operations: each closure type instantiates its own
    // copy of the library function glue (docs/edge.md, "Sizes").
    let ops: [(&'static str, Shape, Op); 11] = [
        ("tobit", Shape::Unary, |b, _| b),
        ("bnot", Shape::Unary, |b, _| !b),
        ("bswap", Shape::Unary, |b, _| b.swap_bytes()),
        ("band", Shape::Fold, |a, b| a & b),
        ("bor", Shape::Fold, |a, b| a | b),
        ("bxor", Shape::Fold, |a, b| a ^ b),
        ("lshift", Shape::Shift, |b, n| b << n),
        ("rshift", Shape::Shift, |b, n| b >> n),
        ("arshift", Shape::Shift, |b, n| ((b as i32) >> n) as u32),
        ("rol", Shape::Shift, u32::rotate_left),
        ("ror", Shape::Shift, u32::rotate_right),
    ];
    for (name, shape, f) in ops {
        t.raw_set(
            name,
            func(lua, move |lua, args| {
                let mut b = barg(lua, &args, 1, name)?;
                match shape {
                    Shape::Unary => b = f(b, 0),
                    Shape::Fold => {
                        // The C code reads the arguments from the last to the second.
                        for i in (2..=args.len()).rev() {
                            b = f(b, barg(lua, &args, i, name)?);
                        }
                    }
                    Shape::Shift => b = f(b, barg(lua, &args, 2, name)? & 31),
                }
                Ok(ret(b))
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

//! `struct`: Roberto Ierusalimschy's struct library as Redis 7.0 ships it (`lua_struct.c`).
//!
//! Sizes are those of Redis on x86-64 Linux whatever the target (marekvs also runs on wasm32,
//! where C's `long` would be 4 bytes): `b`/`B` 1, `h`/`H` 2, `i`/`I` 4 (or `iN`, N ≤ 32),
//! `l`/`L`/`T` 8, `f` 4, `d` 8, maximum alignment 8. Integers go through a 64-bit `long` as in
//! the C code (sizes above 8 bytes only carry the low 64 bits; its shift quirks are kept).
//!
//! Lua 5.4 choices: unpacked integers are Lua integers when they fit `i64` (the C code returns
//! doubles, exact only to 2^53; unsigned 64-bit values above `i64::MAX` stay floats as in
//! Redis), so `tostring` prints them as Redis does. Packing reads numbers as doubles like the
//! C code (`luaL_checknumber`).

use super::{arg_error, check_bytes, check_number, func, opt_integer, to_number, type_error};
use mlua::{Lua, MultiValue, Table, Value};

const MAXINTSIZE: usize = 32;
const MAXALIGN: usize = 8;

pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set(
        "pack",
        func(lua, |lua, args| {
            let out = pack(lua, &args)?;
            lua.create_string(&out)
        })?,
    )?;
    t.raw_set("unpack", func(lua, |lua, args| unpack(lua, &args))?)?;
    t.raw_set("size", func(lua, |lua, args| size(lua, &args))?)?;
    Ok(t)
}

#[derive(Clone, Copy)]
struct Header {
    little: bool,
    align: usize,
}

impl Header {
    fn new() -> Self {
        Header {
            little: true,
            align: 1,
        }
    }
}

struct Fmt<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Fmt<'_> {
    fn peek(&self) -> u8 {
        self.s.get(self.pos).copied().unwrap_or(0)
    }

    /// `getnum`: a decimal number at the cursor, or `df`.
    fn getnum(&mut self, df: usize) -> mlua::Result<usize> {
        if !self.peek().is_ascii_digit() {
            return Ok(df);
        }
        let mut a: i64 = 0;
        while self.peek().is_ascii_digit() {
            let d = i64::from(self.peek() - b'0');
            if a > i64::from(i32::MAX) / 10 || a * 10 > i64::from(i32::MAX) - d {
                return Err(mlua::Error::runtime("integral size overflow"));
            }
            a = a * 10 + d;
            self.pos += 1;
        }
        Ok(a as usize)
    }

    /// `optsize`.
    fn optsize(&mut self, opt: u8) -> mlua::Result<usize> {
        Ok(match opt {
            b'B' | b'b' => 1,
            b'H' | b'h' => 2,
            b'L' | b'l' | b'T' => 8,
            b'f' => 4,
            b'd' => 8,
            b'x' => 1,
            b'c' => self.getnum(1)?,
            b'i' | b'I' => {
                let sz = self.getnum(4)?;
                if sz > MAXINTSIZE {
                    return Err(mlua::Error::runtime(format!(
                        "integral size {sz} is larger than limit of {MAXINTSIZE}"
                    )));
                }
                sz
            }
            _ => 0,
        })
    }

    /// `controloptions`.
    fn control(&mut self, opt: u8, h: &mut Header, func: &str) -> mlua::Result<()> {
        match opt {
            b' ' => {}
            b'>' => h.little = false,
            b'<' => h.little = true,
            b'!' => {
                let a = self.getnum(MAXALIGN)?;
                if !(a > 0 && a & (a - 1) == 0) {
                    return Err(mlua::Error::runtime(format!(
                        "alignment {a} is not a power of 2"
                    )));
                }
                h.align = a;
            }
            _ => {
                return Err(arg_error(
                    1,
                    func,
                    &format!("invalid format option '{}'", opt as char),
                ))
            }
        }
        Ok(())
    }
}

/// `gettoalign`.
fn gettoalign(len: usize, h: &Header, opt: u8, size: usize) -> usize {
    if size == 0 || opt == b'c' {
        return 0;
    }
    let size = size.min(h.align);
    (size - (len & (size - 1))) & (size - 1)
}

/// C's `(unsigned long)(long)n` for negative `n` and `(unsigned long)n` otherwise, as gcc
/// compiles them on x86-64 (out of range gives the "integer indefinite" patterns).
fn double_to_bits(n: f64) -> u64 {
    use super::TWO63;
    if n < 0.0 {
        if n >= -TWO63 {
            n as i64 as u64
        } else {
            1 << 63
        }
    } else if n.is_nan() {
        1 << 63
    } else if n < TWO63 {
        n as u64
    } else {
        let r = n - TWO63;
        let low = if r < TWO63 { r as i64 as u64 } else { 1 << 63 };
        low ^ (1 << 63)
    }
}

fn pack(lua: &Lua, args: &[Value]) -> mlua::Result<Vec<u8>> {
    let fmt = check_bytes(lua, args, 1, "pack")?;
    // The C code pushes a nil after the arguments: a missing one is reported as "got nil".
    let mut padded = args.to_vec();
    padded.push(Value::Nil);
    let args = &padded[..];
    let mut f = Fmt { s: &fmt, pos: 0 };
    let mut h = Header::new();
    let mut arg = 2usize;
    let mut total = 0usize;
    let mut out = Vec::new();
    // Stop at a NUL like the C string the format is.
    while f.peek() != 0 {
        let opt = f.peek();
        f.pos += 1;
        let mut size = f.optsize(opt)?;
        let toalign = gettoalign(total, &h, opt, size);
        total += toalign;
        out.resize(out.len() + toalign, 0);
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let n = check_number(lua, args, arg, "pack")?;
                arg += 1;
                let mut value = double_to_bits(n);
                let mut buf = [0u8; MAXINTSIZE];
                for i in 0..size {
                    let at = if h.little { i } else { size - 1 - i };
                    buf[at] = value as u8;
                    value >>= 8;
                }
                out.extend_from_slice(&buf[..size]);
            }
            b'x' => out.push(0),
            b'f' => {
                let n = check_number(lua, args, arg, "pack")? as f32;
                arg += 1;
                let b = if h.little {
                    n.to_le_bytes()
                } else {
                    n.to_be_bytes()
                };
                out.extend_from_slice(&b);
            }
            b'd' => {
                let n = check_number(lua, args, arg, "pack")?;
                arg += 1;
                let b = if h.little {
                    n.to_le_bytes()
                } else {
                    n.to_be_bytes()
                };
                out.extend_from_slice(&b);
            }
            b'c' | b's' => {
                let s = check_bytes(lua, args, arg, "pack")?;
                arg += 1;
                if size == 0 {
                    size = s.len();
                }
                if s.len() < size {
                    // The C code reports the argument after the string.
                    return Err(arg_error(arg, "pack", "string too short"));
                }
                out.extend_from_slice(&s[..size]);
                if opt == b's' {
                    out.push(0);
                    size += 1;
                }
            }
            _ => f.control(opt, &mut h, "pack")?,
        }
        total += size;
    }
    Ok(out)
}

/// `getinteger`, returned as a Lua value.
fn getinteger(buf: &[u8], little: bool, signed: bool) -> Value {
    let size = buf.len();
    let mut l: u64 = 0;
    for i in 0..size {
        let b = if little { buf[size - 1 - i] } else { buf[i] };
        l = (l << 8) | u64::from(b);
    }
    if !signed {
        if l > i64::MAX as u64 {
            return Value::Number(l as f64);
        }
        return Value::Integer(l as i64);
    }
    // `~0 << (size*8 - 1)` with x86's shift count masking (size 0 and sizes > 8 included).
    let shift = (size as u32 * 8).wrapping_sub(1);
    let mask = u64::MAX.wrapping_shl(shift);
    if l & mask != 0 {
        l |= mask;
    }
    Value::Integer(l as i64)
}

fn data_short() -> mlua::Error {
    arg_error(2, "unpack", "data string too short")
}

fn unpack(lua: &Lua, args: &[Value]) -> mlua::Result<MultiValue> {
    let fmt = check_bytes(lua, args, 1, "unpack")?;
    let data = check_bytes(lua, args, 2, "unpack")?;
    let ld = data.len();
    let pos = opt_integer(lua, args, 3, "unpack", 1)?;
    // `size_t pos`: negative positions wrap to huge values and fail the length checks.
    let mut pos = pos as u64;
    if pos == 0 {
        return Err(arg_error(3, "unpack", "offset must be 1 or greater"));
    }
    pos -= 1;
    let mut f = Fmt { s: &fmt, pos: 0 };
    let mut h = Header::new();
    let mut out: Vec<Value> = Vec::new();
    while f.peek() != 0 {
        let opt = f.peek();
        f.pos += 1;
        let mut size = f.optsize(opt)? as u64;
        pos = pos.wrapping_add(gettoalign(pos as usize, &h, opt, size as usize) as u64);
        if !(size <= ld as u64 && pos <= ld as u64 - size) {
            return Err(data_short());
        }
        // Lua 5.1 C functions get 8000 stack slots (`luaL_checkstack(L, 2, ...)`).
        if args.len() + out.len() + 2 > 8000 {
            return Err(mlua::Error::runtime("stack overflow (too many results)"));
        }
        let at = pos as usize;
        match opt {
            b'b' | b'B' | b'h' | b'H' | b'l' | b'L' | b'T' | b'i' | b'I' => {
                let signed = opt.is_ascii_lowercase();
                out.push(getinteger(&data[at..at + size as usize], h.little, signed));
            }
            b'x' => {}
            b'f' => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&data[at..at + 4]);
                let v = if h.little {
                    f32::from_le_bytes(b)
                } else {
                    f32::from_be_bytes(b)
                };
                out.push(Value::Number(f64::from(v)));
            }
            b'd' => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&data[at..at + 8]);
                let v = if h.little {
                    f64::from_le_bytes(b)
                } else {
                    f64::from_be_bytes(b)
                };
                out.push(Value::Number(v));
            }
            b'c' => {
                if size == 0 {
                    let prev = out.last().and_then(|v| to_number(lua, v));
                    let Some(n) = prev else {
                        return Err(mlua::Error::runtime("format 'c0' needs a previous size"));
                    };
                    size = super::double_to_i64(n) as u64;
                    out.pop();
                    if !(size <= ld as u64 && pos <= ld as u64 - size) {
                        return Err(data_short());
                    }
                }
                let s = lua.create_string(&data[at..at + size as usize])?;
                out.push(Value::String(s));
            }
            b's' => {
                let Some(e) = data[at..].iter().position(|&b| b == 0) else {
                    return Err(mlua::Error::runtime("unfinished string in data"));
                };
                out.push(Value::String(lua.create_string(&data[at..at + e])?));
                size = e as u64 + 1;
            }
            _ => f.control(opt, &mut h, "unpack")?,
        }
        pos = pos.wrapping_add(size);
    }
    out.push(Value::Integer(pos.wrapping_add(1) as i64));
    Ok(MultiValue::from_iter(out))
}

fn size(lua: &Lua, args: &[Value]) -> mlua::Result<i64> {
    let fmt = match args.first() {
        Some(Value::String(_) | Value::Integer(_) | Value::Number(_)) => {
            check_bytes(lua, args, 1, "size")?
        }
        _ => return Err(type_error(args, 1, "size", "string")),
    };
    let mut f = Fmt { s: &fmt, pos: 0 };
    let mut h = Header::new();
    let mut pos: u64 = 0;
    while f.peek() != 0 {
        let opt = f.peek();
        f.pos += 1;
        let size = f.optsize(opt)?;
        pos = pos.wrapping_add(gettoalign(pos as usize, &h, opt, size) as u64);
        if opt == b's' {
            return Err(arg_error(1, "size", "option 's' has no fixed size"));
        } else if opt == b'c' && size == 0 {
            return Err(arg_error(1, "size", "option 'c0' has no fixed size"));
        }
        if !opt.is_ascii_alphanumeric() {
            f.control(opt, &mut h, "size")?;
        }
        pos = pos.wrapping_add(size as u64);
    }
    Ok(pos as i64)
}

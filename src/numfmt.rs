//! Redis number parsing and formatting.
//!
//! Parsing is as strict as Redis: integers follow `string2ll` (no `+`, no spaces, no leading
//! zeros, no `-0`, must fit in `i64`); floats follow `string2d`/`string2ld` (no leading space,
//! no trailing garbage, NaN rejected, `inf`/`+inf`/`-inf` accepted, overflow to infinity from a
//! finite literal rejected).
//!
//! Hex floats (`0x10`, `0x1.8p3`) are accepted as C's `strtod` does. Every double parse of
//! the crate (these, RESP3 doubles, the Lua libraries) goes through `fast_decimal` and the
//! exact parser of `ld`, not `str::parse::<f64>`, which would link `core::num::dec2flt`.
//!
//! Formatting: [`fmt_double`] is the reply form of a double (ZSCORE, ZINCRBY, scores in
//! RESP2, RESP3 `,` doubles via the RESP encoder): redis-server 7.0's `%.17g` (`1.1` →
//! `1.1000000000000001`), `inf`/`-inf`. INCRBYFLOAT/HINCRBYFLOAT use [`LongDouble`]: an
//! emulated x87 80-bit `long double` (see [`ld`]), parsed like `strtold`, added with
//! round-to-nearest-even at 64 mantissa bits and printed like `%.17Lf` with trailing zeros
//! stripped, exactly as redis-server 7.0 on x86-64 (`5005.60000000000000009`, `1e300` with
//! all its integer digits, `1e-20` → `0`).

mod ld;

/// An x87 extended-precision value (Redis's `long double` on x86-64).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongDouble(ld::Ld);

/// Redis `string2ld`: the whole input as a `long double` (`strtold` rules, hex accepted;
/// empty or ≥ 5 KiB inputs, leading space, trailing garbage including NUL bytes, NaN and
/// out-of-range literals rejected).
pub fn parse_long_double(s: &[u8]) -> Option<LongDouble> {
    if s.is_empty() || s.len() >= 5 * 1024 || s.contains(&0) {
        return None;
    }
    if s.first()
        .is_some_and(|c| c.is_ascii_whitespace() || *c == 0x0b)
    {
        return None;
    }
    ld::parse(s, ld::Prec::EXTENDED).map(LongDouble)
}

impl LongDouble {
    /// Exact conversion of an integer.
    pub fn from_i64(v: i64) -> LongDouble {
        LongDouble(ld::Ld::from_i64(v))
    }

    /// `self + o` rounded to extended precision; `None` when the result is NaN.
    pub fn plus(self, o: LongDouble) -> Option<LongDouble> {
        ld::add(self.0, o.0).map(LongDouble)
    }

    /// False for ±inf.
    pub fn is_finite(&self) -> bool {
        !self.0.inf
    }

    /// Redis's `LD_STR_HUMAN` form: `%.17Lf` without trailing zeros (empty when longer
    /// than Redis's 5 KiB buffer).
    pub fn to_human(self) -> String {
        ld::fmt_human(self.0)
    }

    /// Nearest `f64`.
    pub fn to_f64(self) -> f64 {
        self.0.to_f64()
    }
}

/// Parse a Redis integer (`string2ll` rules). `None` when not a valid `i64`.
///
/// Accumulated in a `u64` without overflow checks: at most 19 digits get here, and 19 digits
/// are below 10^19 < 2^64, so only the final magnitude needs a bound. (`checked_mul` on a
/// 64-bit integer is a call to a 128-bit multiply on wasm32: once per digit of every integer
/// argument and every INCR before this.)
#[inline]
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let first = *digits.first()?;
    if digits.len() > 19 || !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    if neg {
        // -2^63 is the one magnitude above i64::MAX that fits.
        (v <= 1 << 63).then(|| (v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Parse an unsigned 64-bit integer (SCAN cursors): digits only.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    std::str::from_utf8(s).ok()?.parse().ok()
}

/// Parse a Redis double (`string2d` rules): accepts `inf`, `+inf`, `-inf`, `infinity`;
/// rejects NaN, spaces, empty strings and finite literals that overflow or underflow.
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    if s.is_empty() || s.len() > 5 * 1024 {
        return None;
    }
    if let Some(v) = fast_decimal(s) {
        return Some(v);
    }
    // Everything else (more digits, large exponents, hex, `inf`, malformed input): the exact
    // parser, with string2d's range checks. No leading space gets through it.
    ld::parse(s, ld::Prec::DOUBLE).map(|v| v.to_f64())
}

/// C `strtod` as Redis's score-range parser (`zslParseRange`) uses it: leading whitespace
/// skipped, no range check (`1e400` is `inf`), the empty string is 0, a NUL ends the
/// number; trailing garbage and NaN rejected.
pub fn parse_strtod(s: &[u8]) -> Option<f64> {
    let s = match s.iter().position(|&c| c == 0) {
        Some(n) => s.get(..n).unwrap_or(&[]),
        None => s,
    };
    if s.is_empty() {
        return Some(0.0);
    }
    let t = s.trim_ascii_start();
    if t.is_empty() || t.len() > 64 * 1024 {
        return None;
    }
    if let Some(v) = fast_decimal(t) {
        return Some(v);
    }
    ld::parse_raw(t, ld::Prec::DOUBLE).map(|(v, _)| v.to_f64())
}

/// C `strtod` as Lua 5.4's `l_str2d` (`lobject.c`) uses it for `lua_str2number` and
/// `lua_strx2number`: on wasm, build.rs patches that call to `marekvs_str2number`
/// (`crate::lua`), which comes here, so libc's `strtod` is not linked. `s` (a C string's bytes)
/// must be one decimal or hexadecimal numeral (`1.5e-3`, `.5`, `5.`, `0x1.8p3`, `0xA.8`, with
/// an optional sign) between C spaces (` `, `\t`, `\n`, `\v`, `\f`, `\r`); it is correctly
/// rounded, overflows to ±inf and underflows to ±0 like `strtod`. Returns the value and where
/// the numeral ends (the trailing spaces begin), `None` where `strtod`'s parse would leave
/// something other than spaces behind (Lua's failure). `inf` and `nan` are refused: Lua
/// refuses any text with an `n` before `strtod` sees it.
pub fn lua_str2number(s: &[u8]) -> Option<(f64, usize)> {
    let c_space = |c: &u8| *c == b' ' || (b'\t'..=b'\r').contains(c);
    let start = s.iter().position(|c| !c_space(c))?;
    let end = s.iter().rposition(|c| !c_space(c))? + 1;
    let body = s.get(start..end)?;
    if body.iter().any(|&c| c | 0x20 == b'n') {
        return None;
    }
    let v = match fast_decimal(body) {
        Some(v) => v,
        None => ld::parse_raw(body, ld::Prec::DOUBLE)?.0.to_f64(),
    };
    Some((v, end))
}

/// `str::parse::<f64>` (Rust's float grammar: an optional sign, then decimal digits with an
/// optional point and exponent, or `inf`/`infinity`/`nan` in any case; no hex, no spaces),
/// correctly rounded. Parsing goes through `fast_decimal` and the exact `ld` parser
/// instead of `core::num::dec2flt`, whose code and powers-of-five table are ≈ 17 KB of the
/// wasm module (docs/edge.md, "Sizes"); every float parse of the crate uses one of these.
pub fn parse_f64_rust(s: &[u8]) -> Option<f64> {
    let (neg, body) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if body.eq_ignore_ascii_case(b"nan") {
        return Some(if neg { -f64::NAN } else { f64::NAN });
    }
    if let [b'0', b'x' | b'X', ..] = body {
        return None;
    }
    if let Some(v) = fast_decimal(s) {
        return Some(v);
    }
    ld::parse_raw(s, ld::Prec::DOUBLE).map(|(v, _)| v.to_f64())
}

/// Exact powers of ten as doubles (10^22 is the largest one a double holds exactly).
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// The common short decimals (`3`, `-1.5`, `2.5e3`) without the bignum parser: a plain
/// `[sign]digits[.digits][e[sign]digits]` literal whose digits make an integer `m ≤ 2^53`
/// with a decimal exponent within ±22 is `m · 10^e` or `m / 10^-e` with both operands exact,
/// so the one IEEE operation rounds correctly (Clinger's fast path). `None` for anything
/// else, valid or not: the caller's exact parser decides.
fn fast_decimal(s: &[u8]) -> Option<f64> {
    let (neg, body) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    let mut m: u64 = 0;
    let mut digits = false;
    let mut frac: i32 = 0;
    let mut point = false;
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        if c.is_ascii_digit() {
            // Past 2^53 the fast path is out anyway (m only grows), and below it `m * 10 + 9`
            // cannot overflow: no overflow-checked multiply (a 128-bit multiply call on wasm32).
            if m > 1 << 53 {
                return None;
            }
            m = m * 10 + u64::from(c - b'0');
            digits = true;
            frac += i32::from(point);
        } else if c == b'.' && !point {
            point = true;
        } else {
            break;
        }
        i += 1;
    }
    if !digits || frac > 22 {
        return None;
    }
    let mut e: i32 = 0;
    if let Some(&c) = body.get(i) {
        if c | 0x20 != b'e' {
            return None;
        }
        i += 1;
        let eneg = match body.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while let Some(&c) = body.get(i) {
            if !c.is_ascii_digit() || i - start >= 4 {
                return None;
            }
            e = e * 10 + i32::from(c - b'0');
            i += 1;
        }
        if i == start {
            return None;
        }
        if eneg {
            e = -e;
        }
    }
    let v = if m == 0 {
        0.0
    } else {
        if m > 1 << 53 {
            return None;
        }
        let e10 = e - frac;
        let p = *POW10.get(e10.unsigned_abs() as usize)?;
        if e10 < 0 {
            m as f64 / p
        } else {
            m as f64 * p
        }
    };
    Some(if neg { -v } else { v })
}

/// Parse a finite double (INCRBYFLOAT increments, stored values): like [`parse_f64`] but the
/// value must be finite... except that Redis accepts `inf` here and fails later with
/// `increment would produce NaN or Infinity`; callers check finiteness of the result.
pub fn parse_f64_for_incr(s: &[u8]) -> Option<f64> {
    parse_f64(s)
}

/// Reply form of a double as redis-server 7.0 prints it: C `%.17g` (17 significant
/// digits, correctly rounded; scientific when the exponent is < -4 or >= 17; trailing zeros
/// removed), `inf` / `-inf`, `nan` / `-nan` as glibc. `1.1` → `1.1000000000000001`,
/// `3.0` → `3`, `1e300` → `1.0000000000000001e+300`.
pub fn fmt_double(d: f64) -> String {
    if d.is_nan() {
        return if d.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    // 17 significant digits, correctly rounded, exponent after rounding.
    let sci = format!("{d:.16e}");
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    if !(-4..17).contains(&exp) {
        let m = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.unsigned_abs())
    } else {
        let decimals = usize::try_from(16 - exp).unwrap_or(0);
        strip_zeros(&format!("{d:.decimals$}")).to_string()
    }
}

/// `%g` trailing-zero removal: strip zeros after the point, then a bare point.
fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Integer to decimal bytes.
pub fn fmt_i64(v: i64) -> Vec<u8> {
    // `itoa` writes the digits on the stack (`to_string` went through `core::fmt`: a third
    // of an INCR's own work).
    itoa::Buffer::new().format(v).as_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A seeded xorshift64 generator for the randomized tests: `rnd(n)` is in `0..n`.
    fn xorshift(mut x: u64) -> impl FnMut(u64) -> u64 {
        move |n| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        }
    }

    #[test]
    fn formats_every_width() {
        for v in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            100,
            12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(fmt_i64(v), v.to_string().into_bytes(), "{v}");
        }
        let mut v = 1i64;
        while let Some(next) = v.checked_mul(10) {
            for w in [v - 1, v, v + 1, -v, -(v - 1)] {
                assert_eq!(fmt_i64(w), w.to_string().into_bytes(), "{w}");
            }
            v = next;
        }
    }

    #[test]
    fn ints() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-1"), Some(-1));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"9223372036854775808",
            b"-9223372036854775809",
            b"-",
            b"1.0",
            b"abc",
            b"00",
            b"9999999999999999999",
            b"-9999999999999999999",
            b"10000000000000000000",
            b"18446744073709551615",
            b"-18446744073709551616",
            b"99999999999999999999",
            b"-99999999999999999999",
            b"123456789012345678901",
            b"1/",
            b"1:",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// Against std's parser under Redis's rules (no `+`, no leading zeros, no `-0`), for
    /// every length of decimal and the values around each power of ten and the limits.
    #[test]
    fn ints_match_std_under_redis_rules() {
        let reference = |s: &str| -> Option<i64> {
            let digits = s.strip_prefix('-').unwrap_or(s);
            if s.starts_with('+') || (digits.starts_with('0') && s != "0") {
                return None;
            }
            s.parse().ok()
        };
        let mut texts: Vec<String> = Vec::new();
        let mut p: i128 = 1;
        for _ in 0..21 {
            for d in [-2i128, -1, 0, 1, 2] {
                for sign in [1i128, -1] {
                    texts.push((sign * (p + d)).to_string());
                }
            }
            p *= 10;
        }
        for edge in [i64::MAX as i128, i64::MIN as i128, u64::MAX as i128] {
            for d in -3..=3 {
                texts.push((edge + d).to_string());
            }
        }
        // A few thousand pseudo-random values of every magnitude.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..4000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let v = (x >> (i % 64)) as i64;
            texts.push(v.to_string());
            texts.push(format!("{}", (x >> (i % 64)) as u128 * 7));
        }
        for t in &texts {
            assert_eq!(parse_i64(t.as_bytes()), reference(t), "{t}");
        }
    }

    #[test]
    fn floats() {
        assert_eq!(parse_f64(b"1.5"), Some(1.5));
        assert_eq!(parse_f64(b"+1.5"), Some(1.5));
        assert_eq!(parse_f64(b".5"), Some(0.5));
        assert_eq!(parse_f64(b"1e3"), Some(1000.0));
        assert_eq!(parse_f64(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_f64(b"-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_f64(b"-Infinity"), Some(f64::NEG_INFINITY));
        for bad in [
            &b""[..],
            b"nan",
            b"NaN",
            b" 1",
            b"1 ",
            b"1e400",
            b"1e-400",
            b"abc",
            b"--1",
            b"1e",
        ] {
            assert_eq!(parse_f64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// The float parsers agree with Rust's `str::parse::<f64>` (which they replace) bit for
    /// bit, over hand-picked edge cases and pseudo-random literals of every shape: short and
    /// long mantissas, exponents around the fast path's limits, subnormals, halfway cases.
    #[test]
    fn float_parsers_match_rust() {
        let mut cases: Vec<String> = [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            "00",
            ".5",
            "5.",
            "-.5",
            "1e0",
            "1E5",
            "1e+5",
            "1.e5",
            "0e999999",
            "1e22",
            "1e23",
            "9007199254740992",
            "9007199254740993",
            "9007199254740991e-22",
            "123456789012345678901234567890",
            "0.1",
            "0.3",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e308",
            "1e309",
            "1e-400",
            "inf",
            "-inf",
            "+inf",
            "Infinity",
            "-INFINITY",
            "infinit",
            "nan",
            "NaN",
            "-nan",
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "--1",
            "+-1",
            "1 ",
            " 1",
            "1x",
            "0x10",
            "0X1p3",
            "1_0",
            "1.2.3",
            "1e5.5",
            "١",
            "12345e-2",
            "0.000001",
            "1e-22",
            "1e-23",
            "4503599627370497.5",
            "8.98846567431158e307",
            "0.000000000000000000000000000000000000000000000000000000000000000000000000001",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        cases.push(format!("1{}", "0".repeat(400)));
        cases.push(format!("0.{}1", "0".repeat(400)));
        // 2^-1075 (half the smallest subnormal) padded past the 800 digits kept: exactly
        // halfway (ties to even: 0), then just above it (a non-zero digit past the cut).
        let half = "2.4703282292062327208828439643411068618252990130716238221279284125033775363510437593264991818081799618989828234772285886546332835517796989819938739800539093906315035659515570226392290858392449105184435931802849936536152500319370457678249219365623669863658480757001585769269903706311928279558551332927834338409351978015531246597263579574622766465272827220056374006485499977096599470454020828166226237857393450736339007967761930577506740176324673600968951340535537458516661134223766678604162159680461914467291840300530057530849048765391711386591646239524912623653881879636239373280423891018672348497668235089863388587925628302755995657524455507255189313690836254779186948667994968324049705821028513185451396213837722826145437693412532098591327667236328125";
        cases.push(format!("{half}{}e-324", "0".repeat(300)));
        cases.push(format!("{half}{}1e-324", "0".repeat(300)));
        cases.push(format!("{half}{}1e-324", "0".repeat(30)));
        let mut rnd = xorshift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..200_000 {
            let mut s = String::new();
            if rnd(3) == 0 {
                s.push('-');
            }
            let len = [1, 3, 8, 15, 16, 17, 19, 20, 25, 40][rnd(10) as usize];
            for _ in 0..len {
                s.push(char::from(b'0' + rnd(10) as u8));
            }
            if rnd(2) == 0 {
                let at = rnd(s.len() as u64 + 1) as usize;
                s.insert(at, '.');
            }
            if rnd(2) == 0 {
                s.push('e');
                let e = rnd(700) as i64 - 350;
                s.push_str(&e.to_string());
            }
            cases.push(s);
        }
        for c in &cases {
            let rust = c.parse::<f64>().ok();
            let mine = parse_f64_rust(c.as_bytes());
            assert_eq!(mine.map(f64::to_bits), rust.map(f64::to_bits), "{c}");
            if let Some(v) = rust.filter(|v| v.is_finite()) {
                // string2d rejects a literal with a non-zero digit that underflowed to zero.
                let mantissa = c.split(['e', 'E']).next().unwrap_or("");
                let underflow = v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
                let want = (!underflow).then_some(v);
                if c.len() <= 5 * 1024 {
                    assert_eq!(
                        parse_f64(c.as_bytes()).map(f64::to_bits),
                        want.map(f64::to_bits),
                        "{c}"
                    );
                }
                assert_eq!(
                    parse_strtod(c.as_bytes()).map(f64::to_bits),
                    Some(v.to_bits()),
                    "{c}"
                );
            }
        }
    }

    #[test]
    fn format_double() {
        // redis-server 7.0.15 `%.17g`.
        assert_eq!(fmt_double(0.1), "0.10000000000000001");
        assert_eq!(fmt_double(1.1), "1.1000000000000001");
        assert_eq!(fmt_double(1.0), "1");
        assert_eq!(fmt_double(-2.5), "-2.5");
        assert_eq!(fmt_double(1e300), "1.0000000000000001e+300");
        assert_eq!(fmt_double(1.5e-7), "1.4999999999999999e-07");
        assert_eq!(fmt_double(0.0001), "0.0001");
        assert_eq!(fmt_double(1e16), "10000000000000000");
        assert_eq!(fmt_double(1e17), "1e+17");
        assert_eq!(fmt_double(f64::INFINITY), "inf");
        assert_eq!(fmt_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_double(0.0), "0");
        assert_eq!(fmt_double(-0.0), "-0");
        assert_eq!(fmt_double(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn hex_floats() {
        assert_eq!(parse_f64(b"0x10"), Some(16.0));
        assert_eq!(parse_f64(b"-0x1p-2"), Some(-0.25));
        assert_eq!(parse_f64(b"0x"), None);
        assert_eq!(parse_f64(b"0x1p"), None);
    }

    /// [`lua_str2number`] against the C library's `strtod` as Lua 5.4's `l_str2d` calls it
    /// (text with an `n` before any `.`/`x` refused first; the numeral must reach the end but
    /// for trailing spaces): bit for bit, on a table and on generated decimal and hex numerals
    /// (long hex mantissas for the rounding, exponents at the ends of the range, spaces).
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn lua_numbers_as_strtod() {
        use std::ffi::{c_char, CString};
        extern "C" {
            fn strtod(s: *const c_char, end: *mut *mut c_char) -> f64;
        }
        let reference = |s: &str| -> Option<(f64, usize)> {
            let first = s.bytes().find(|c| b".xXnN".contains(c));
            if first.is_some_and(|c| c | 0x20 == b'n') {
                return None;
            }
            let c = CString::new(s).ok()?;
            let mut end = std::ptr::null_mut();
            // SAFETY: `c` is a NUL-terminated string; `end` points into it.
            let v = unsafe { strtod(c.as_ptr(), &mut end) };
            let at = end as usize - c.as_ptr() as usize;
            let rest = s.get(at..)?;
            (at > 0
                && rest
                    .bytes()
                    .all(|c| c == b' ' || (b'\t'..=b'\r').contains(&c)))
            .then_some((v, at))
        };
        let mut cases: Vec<String> = [
            "1",
            "1.5",
            "-1.5",
            "+1.5",
            ".5",
            "5.",
            ".",
            "-.5e1",
            "1e5",
            "1E+5",
            "1e-5",
            "1e",
            "1e+",
            "e5",
            "-",
            "+",
            "--1",
            "+-1",
            " 1",
            "1 ",
            " \t\n\x0b\x0c\r7.25\r\n ",
            "1 2",
            "1_0",
            "1.2.3",
            "1e5.5",
            "0x",
            "0x.",
            "0x.8",
            "0xA.8",
            "0x1p4",
            "0X1P-2",
            "-0x1.8p1",
            "+0xA",
            "0x1p",
            "0x1p+",
            "0xp1",
            "0x1.fffffffffffff8p0",
            "0x1.00000000000008p0",
            "0x1.00000000000008000000001p0",
            "0x1.00000000000018p0",
            "0x1p-1074",
            "0x1p-1075",
            "0x1.8p-1075",
            "0x1p1023",
            "0x1p1024",
            "0x1.fffffffffffffp1023",
            "0x1.fffffffffffff8p1023",
            "1e308",
            "1e309",
            "-1e400",
            "1e-324",
            "2.5e-324",
            "4.9e-324",
            "-0",
            "-0.0",
            "-0x0p0",
            "0e999999999999999999",
            "1e-99999999999999999",
            "1e99999999999999999",
            "9007199254740993",
            "18446744073709551616",
            "4503599627370497.5",
            "0.1",
            "123456789012345678901234567890",
            "inf",
            "-inf",
            "nan",
            "infinity",
            "1.5n",
            "0x1n",
            "١",
            "1\u{a0}",
            "0x1.8p3 ",
            "  -0x.1p4  ",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        cases.push(format!("1{}", "0".repeat(400)));
        cases.push(format!("0.{}1", "0".repeat(400)));
        cases.push(format!("0x1.{}1p0", "0".repeat(300)));
        let mut rnd = xorshift(0x2545_f491_4f6c_dd1d);
        const SPACES: &[&str] = &["", "", "", " ", "\t", "\x0b", "  \n"];
        for _ in 0..100_000 {
            let hex = rnd(2) == 0;
            let mut s = SPACES[rnd(7) as usize].to_string();
            match rnd(4) {
                0 => s.push('-'),
                1 => s.push('+'),
                _ => {}
            }
            if hex {
                s.push_str(["0x", "0X"][rnd(2) as usize]);
            }
            let len = [0, 1, 3, 8, 13, 14, 15, 16, 17, 20, 30][rnd(11) as usize];
            let digits = if hex {
                "0123456789abcdefABCDEF"
            } else {
                "0123456789"
            };
            let first = s.len();
            for _ in 0..len {
                let d = rnd(digits.len() as u64) as usize;
                s.push_str(&digits[d..d + 1]);
            }
            if rnd(2) == 0 {
                let at = first + rnd((s.len() - first) as u64 + 1) as usize;
                s.insert(at, '.');
            }
            if rnd(3) != 0 {
                s.push_str(if hex { ["p", "P"] } else { ["e", "E"] }[rnd(2) as usize]);
                let e = rnd(2300) as i64 - 1150;
                s.push_str(&e.to_string());
            }
            s.push_str(SPACES[rnd(7) as usize]);
            if rnd(50) == 0 {
                s.push('z');
            }
            cases.push(s);
        }
        // Most generated texts are numerals (89 % when written): the comparison is not only
        // of failures.
        let parsed = cases.iter().filter(|c| reference(c).is_some()).count();
        assert!(parsed > cases.len() * 4 / 5, "{parsed} of {}", cases.len());
        for c in &cases {
            assert_eq!(
                lua_str2number(c.as_bytes()).map(|(v, n)| (v.to_bits(), n)),
                reference(c).map(|(v, n)| (v.to_bits(), n)),
                "{c:?}"
            );
        }
    }

    #[test]
    fn strtod_ranges() {
        assert_eq!(parse_strtod(b""), Some(0.0));
        assert_eq!(parse_strtod(b" 1"), Some(1.0));
        assert_eq!(parse_strtod(b"1e400"), Some(f64::INFINITY));
        assert_eq!(parse_strtod(b"-0x10"), Some(-16.0));
        assert_eq!(parse_strtod(b" "), None);
        assert_eq!(parse_strtod(b"abc"), None);
        assert_eq!(parse_strtod(b"nan"), None);
        assert_eq!(parse_strtod(b"1 "), None);
    }

    #[test]
    fn long_double() {
        let p = |s: &str| parse_long_double(s.as_bytes()).expect("parses");
        assert_eq!(
            p("1").plus(p("2")).map(|v| v.to_human()).as_deref(),
            Some("3")
        );
        assert!(parse_long_double(b" 1").is_none());
        assert!(parse_long_double(b"").is_none());
        // string2ld checks the parsed length: an embedded NUL is trailing garbage.
        assert!(parse_long_double(b"2\0junk").is_none());
    }
}

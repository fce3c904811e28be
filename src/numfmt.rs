//! Redis number parsing and formatting.
//!
//! Parsing is as strict as Redis: integers follow `string2ll` (no `+`, no spaces, no leading
//! zeros, no `-0`, must fit in `i64`); floats follow `string2d`/`string2ld` (no leading space,
//! no trailing garbage, NaN rejected, `inf`/`+inf`/`-inf` accepted, overflow to infinity from a
//! finite literal rejected).
//!
//! Hex floats (`0x10`, `0x1.8p3`) are accepted as C's `strtod` does.
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
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let first = *digits.first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    // Accumulate as a negative number so that i64::MIN fits.
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(c - b'0'))?;
    }
    if neg {
        Some(v)
    } else {
        v.checked_neg()
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
    let text = std::str::from_utf8(s).ok()?;
    let first = *s.first()?;
    if first.is_ascii_whitespace() {
        return None;
    }
    // Rust accepts a few spellings C does not (none of these are numbers in C); reject them.
    let unsigned = text.trim_start_matches(['+', '-']);
    if unsigned.len() + 1 < text.len() {
        return None; // more than one sign
    }
    let lower = unsigned.to_ascii_lowercase();
    if lower.starts_with("0x") {
        return ld::parse(s, ld::Prec::DOUBLE).map(|v| v.to_f64());
    }
    let v: f64 = text.parse().ok()?;
    if v.is_nan() {
        return None;
    }
    if v.is_infinite() && lower != "inf" && lower != "infinity" {
        return None; // ERANGE overflow
    }
    if v == 0.0 {
        // ERANGE underflow: a mantissa with a non-zero digit that became zero.
        let mantissa = lower.split('e').next().unwrap_or("");
        if mantissa.bytes().any(|c| (b'1'..=b'9').contains(&c)) {
            return None;
        }
    }
    Some(v)
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
    let lower = t.to_ascii_lowercase();
    let unsigned: &[u8] = match lower.split_first() {
        Some((b'+' | b'-', rest)) => rest,
        _ => &lower,
    };
    if unsigned.starts_with(b"0x") {
        return ld::parse_raw(t, ld::Prec::DOUBLE).map(|(v, _)| v.to_f64());
    }
    if unsigned.first().is_some_and(|c| *c == b'+' || *c == b'-') {
        return None;
    }
    let v: f64 = std::str::from_utf8(t).ok()?.parse().ok()?;
    (!v.is_nan()).then_some(v)
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
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
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

//! Redis number parsing and formatting.
//!
//! Parsing is as strict as Redis: integers follow `string2ll` (no `+`, no spaces, no leading
//! zeros, no `-0`, must fit in `i64`); floats follow `string2d`/`string2ld` (no leading space,
//! no trailing garbage, NaN rejected, `inf`/`+inf`/`-inf` accepted, overflow to infinity from a
//! finite literal rejected).
//!
//! Formatting: [`fmt_double`] is the reply form of a double (ZSCORE, ZINCRBY, scores in
//! RESP2): the shortest decimal that round-trips, laid out like C's `%.17g` (scientific when
//! the exponent is < -4 or >= 17), `inf`/`-inf`. [`fmt_float_human`] is the stored form of
//! INCRBYFLOAT/HINCRBYFLOAT results: the shortest round-trip digits in plain (non-scientific)
//! notation without a trailing `.0`. Redis 7.0 uses `long double` with `%.17Lf` there; with
//! `f64` the shortest round-trip form is the closest faithful equivalent (`0.1` three times
//! gives `0.3`, as in Redis).

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

/// Parse a finite double (INCRBYFLOAT increments, stored values): like [`parse_f64`] but the
/// value must be finite... except that Redis accepts `inf` here and fails later with
/// `increment would produce NaN or Infinity`; callers check finiteness of the result.
pub fn parse_f64_for_incr(s: &[u8]) -> Option<f64> {
    parse_f64(s)
}

/// Shortest round-trip digits and decimal exponent of a finite non-zero |x|:
/// x = 0.d1d2d3... * 10^exp10 is returned as (digits, exp) with x = d1.d2d3... * 10^exp.
fn shortest_digits(x: f64) -> (String, i32) {
    // `{:e}` prints the shortest round-trip representation in scientific notation.
    let s = format!("{:e}", x.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits, exp)
}

/// Reply form of a double, like `%.17g` but with the shortest round-trip digits.
pub fn fmt_double(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let (digits, exp) = shortest_digits(x);
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..17).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_string()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mant}e{esign}{:02}", exp.unsigned_abs());
    }
    format!("{sign}{}", place_point(&digits, exp))
}

/// Digits d1d2... with value d1.d2... * 10^exp in plain notation.
fn place_point(digits: &str, exp: i32) -> String {
    let n = digits.len() as i64;
    let e = i64::from(exp);
    if e < 0 {
        let zeros = "0".repeat(usize::try_from(-e - 1).unwrap_or(0));
        format!("0.{zeros}{digits}")
    } else if e + 1 >= n {
        let zeros = "0".repeat(usize::try_from(e + 1 - n).unwrap_or(0));
        format!("{digits}{zeros}")
    } else {
        let split = usize::try_from(e + 1).unwrap_or(0);
        let (a, b) = digits.split_at(split.min(digits.len()));
        format!("{a}.{b}")
    }
}

/// Stored form of an INCRBYFLOAT/HINCRBYFLOAT result: plain notation, shortest digits,
/// no trailing `.0` (`3`, `0.3`, `1e-7` → `0.0000001`).
pub fn fmt_float_human(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return "0".into();
    }
    // Redis computes in `long double`, whose extra precision hides the last-digit error of
    // decimal sums (0.1+0.1+0.1 prints `0.3`). Emulate that: if the value rounded to 15
    // significant digits is within 2 ulps, print that shorter value.
    let abs = x.abs();
    let ulp = f64::from_bits(abs.to_bits().saturating_add(1)) - abs;
    let rounded: f64 = format!("{abs:.14e}").parse().unwrap_or(abs);
    let v = if (rounded - abs).abs() <= 2.0 * ulp {
        rounded
    } else {
        abs
    };
    let (digits, exp) = shortest_digits(v);
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}{}", place_point(&digits, exp))
}

/// Integer to decimal bytes.
pub fn fmt_i64(v: i64) -> Vec<u8> {
    v.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(fmt_double(0.1), "0.1");
        assert_eq!(fmt_double(1.0), "1");
        assert_eq!(fmt_double(-2.5), "-2.5");
        assert_eq!(fmt_double(1e300), "1e+300");
        assert_eq!(fmt_double(1.5e-7), "1.5e-07");
        assert_eq!(fmt_double(0.0001), "0.0001");
        assert_eq!(fmt_double(1e16), "10000000000000000");
        assert_eq!(fmt_double(1e17), "1e+17");
        assert_eq!(fmt_double(123456.789), "123456.789");
        assert_eq!(fmt_double(f64::INFINITY), "inf");
        assert_eq!(fmt_double(f64::NEG_INFINITY), "-inf");
        assert_eq!(fmt_double(0.0), "0");
        assert_eq!(fmt_double(0.1 + 0.2), "0.30000000000000004");
    }

    #[test]
    fn format_human() {
        assert_eq!(fmt_float_human(3.0), "3");
        assert_eq!(fmt_float_human(0.1 + 0.1 + 0.1), "0.3");
        assert_eq!(fmt_float_human(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(fmt_float_human(1e-7), "0.0000001");
        assert_eq!(fmt_float_human(-1.25), "-1.25");
        assert_eq!(fmt_float_human(1e21), "1000000000000000000000");
        assert_eq!(fmt_float_human(10.5), "10.5");
    }
}

//! A readable rendering of Lua values (for the playground's first page and for diagnostics).

use mlua::{MultiValue, Value};

/// Renders values the way a Lua REPL would, tab-separated; tables are shown as `{...}` with
/// their array part and string/number keys, nested up to a small depth.
pub fn render_values(values: &MultiValue) -> String {
    let parts: Vec<String> = values.iter().map(|v| render(v, 0)).collect();
    parts.join("\t")
}

fn render(v: &Value, depth: usize) -> String {
    match v {
        Value::Nil => "nil".into(),
        Value::Boolean(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Number(n) => render_float(*n),
        Value::String(s) => format!("{:?}", s.to_string_lossy()),
        Value::Table(t) if depth < 4 => {
            let mut items = Vec::new();
            for (i, pair) in t.clone().pairs::<Value, Value>().enumerate() {
                if i >= 100 {
                    items.push("...".to_string());
                    break;
                }
                let Ok((k, val)) = pair else { continue };
                let key = match &k {
                    Value::Integer(_) => String::new(),
                    Value::String(s) => format!("{} = ", s.to_string_lossy()),
                    other => format!("[{}] = ", render(other, depth + 1)),
                };
                items.push(format!("{key}{}", render(&val, depth + 1)));
            }
            format!("{{{}}}", items.join(", "))
        }
        Value::Table(_) => "{...}".into(),
        other => other.type_name().to_string(),
    }
}

/// Lua 5.4's float rendering: `%.14g`, plus `.0` when the result looks like an integer
/// (`3.0`, `0.1`, `9.007199254741e+15`, `inf`, `nan`).
fn render_float(n: f64) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "inf" } else { "-inf" }.into();
    }
    let g = format_g(n, 14);
    if g.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        format!("{g}.0")
    } else {
        g
    }
}

/// C's `printf("%.<precision>g", n)` (glibc output, including `inf`, `-inf`, `nan`, `-nan`).
pub fn format_g(n: f64, precision: usize) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if n.is_infinite() {
        return if n < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    let p = precision.max(1);
    let sci = format!("{:.*e}", p - 1, n);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i32 {
        let m = trim_fraction(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        trim_fraction(&format!("{n:.decimals$}")).to_string()
    }
}

fn trim_fraction(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

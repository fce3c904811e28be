use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use std::io::BufRead;

fn esc(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        if (0x20..0x7f).contains(&c) && c != b'\\' { s.push(c as char) } else { s.push_str(&format!("\\x{:02x}", c)) }
    }
    s
}
fn fmt(r: &Reply) -> String {
    match r {
        Reply::Status(s) => format!("+{s}"),
        Reply::Error(s) => format!("-{s}"),
        Reply::Integer(n) => format!(":{n}"),
        Reply::Bulk(b) => format!("${}", esc(b)),
        Reply::Nil => "(nil)".into(),
        Reply::NilArray => "(nilarray)".into(),
        Reply::Array(a) => format!("[{}]", a.iter().map(fmt).collect::<Vec<_>>().join(", ")),
        Reply::Set(a) => format!("~[{}]", a.iter().map(fmt).collect::<Vec<_>>().join(", ")),
        Reply::Map(m) => format!("%[{}]", m.iter().map(|(k, v)| format!("{}: {}", fmt(k), fmt(v))).collect::<Vec<_>>().join(", ")),
        Reply::Double(d) => format!(",{}", marekvs::numfmt::fmt_double(*d)),
        Reply::Bool(b) => format!("#{b}"),
        Reply::BigNumber(s) => format!("({s}"),
        Reply::Verbatim(f, b) => format!("={f}:{}", esc(b)),
    }
}
fn main() {
    let mut sh = Shard::standalone(1);
    let mut cx = CallCtx::new(1_700_000_000_000);
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let v: Vec<String> = serde_json::from_str(&line).unwrap();
        let argv: Vec<Vec<u8>> = v.iter().map(|s| s.as_bytes().to_vec()).collect();
        let r = sh.execute(&argv, &mut cx);
        println!("{}", fmt(&r));
    }
}

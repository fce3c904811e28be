//! Reply encoder for RESP2 and RESP3, with Redis's RESP2 downgrades.
//!
//! RESP2: map → flat array of 2n, set → array, double → bulk string (`%.17g`, `inf`/`-inf`),
//! bool → integer 1/0, big number → bulk, verbatim → bulk of the content, nil → `$-1`,
//! nil array → `*-1`. RESP3: nil and nil array → `_`.
//!
//! CR and LF inside status, error and big-number lines are replaced by spaces (as Redis's
//! `addReplyErrorFormat` does), so a frame is never broken. Encoding is iterative: no
//! recursion however deep the reply.

use crate::reply::Reply;

/// Append the RESP encoding of `reply` to `out`. `proto` is 2 or 3 (anything but 3 is RESP2).
pub fn encode(reply: &Reply, proto: u8, out: &mut Vec<u8>) {
    // Most replies are one scalar (+OK, an integer, a bulk): no stack for those (the
    // allocation was a sizeable part of encoding a SET's or an INCR's reply).
    match reply {
        Reply::Status(s) => return line(out, b'+', s.as_bytes()),
        Reply::Integer(n) => return integer(out, *n),
        Reply::Bulk(b) => return bulk(out, b),
        _ => {}
    }
    let resp3 = proto == 3;
    let mut stack: Vec<&Reply> = vec![reply];
    while let Some(r) = stack.pop() {
        match r {
            Reply::Status(s) => line(out, b'+', s.as_bytes()),
            Reply::Error(s) => line(out, b'-', s.as_bytes()),
            Reply::Integer(n) => integer(out, *n),
            Reply::Bulk(b) => bulk(out, b),
            Reply::Nil => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
            Reply::NilArray => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"*-1\r\n" }),
            Reply::Array(items) => {
                header(out, b'*', items.len());
                stack.extend(items.iter().rev());
            }
            Reply::Set(items) => {
                header(out, if resp3 { b'~' } else { b'*' }, items.len());
                stack.extend(items.iter().rev());
            }
            Reply::Map(pairs) => {
                if resp3 {
                    header(out, b'%', pairs.len());
                } else {
                    header(out, b'*', pairs.len().saturating_mul(2));
                }
                for (k, v) in pairs.iter().rev() {
                    stack.push(v);
                    stack.push(k);
                }
            }
            Reply::Double(d) => {
                let s = format_double(*d);
                if resp3 {
                    line(out, b',', s.as_bytes());
                } else {
                    bulk(out, s.as_bytes());
                }
            }
            Reply::Bool(b) => out.extend_from_slice(match (resp3, b) {
                (true, true) => b"#t\r\n",
                (true, false) => b"#f\r\n",
                (false, true) => b":1\r\n",
                (false, false) => b":0\r\n",
            }),
            Reply::BigNumber(s) => {
                if resp3 {
                    line(out, b'(', s.as_bytes());
                } else {
                    bulk(out, s.as_bytes());
                }
            }
            Reply::Verbatim(format, content) => {
                if resp3 {
                    let fmt: &[u8] = if format.len() == 3 {
                        format.as_bytes()
                    } else {
                        b"txt"
                    };
                    header(out, b'=', content.len().saturating_add(4));
                    out.extend_from_slice(fmt);
                    out.push(b':');
                    out.extend_from_slice(content);
                    out.extend_from_slice(b"\r\n");
                } else {
                    bulk(out, content);
                }
            }
        }
    }
}

/// Encode into a fresh buffer.
pub fn encode_to_vec(reply: &Reply, proto: u8) -> Vec<u8> {
    let mut out = Vec::new();
    encode(reply, proto, &mut out);
    out
}

fn integer(out: &mut Vec<u8>, n: i64) {
    out.push(b':');
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn header(out: &mut Vec<u8>, tag: u8, n: usize) {
    out.push(tag);
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn bulk(out: &mut Vec<u8>, b: &[u8]) {
    header(out, b'$', b.len());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

/// A simple line (`+`, `-`, `,`, `(`) with CR/LF replaced by spaces.
fn line(out: &mut Vec<u8>, tag: u8, text: &[u8]) {
    out.push(tag);
    if memchr::memchr2(b'\r', b'\n', text).is_none() {
        out.extend_from_slice(text);
        out.extend_from_slice(b"\r\n");
        return;
    }
    out.extend(
        text.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.extend_from_slice(b"\r\n");
}

/// Format a double as redis-server 7.0 does in replies: C `%.17g`, `inf` / `-inf` (one
/// implementation for RESP2 bulk scores and RESP3 doubles: [`crate::numfmt::fmt_double`]).
pub fn format_double(d: f64) -> String {
    crate::numfmt::fmt_double(d)
}

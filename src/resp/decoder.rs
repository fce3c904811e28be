//! Incremental reply decoder (RESP2 and RESP3 → [`Reply`]), for tests and client-side tools.
//!
//! Iterative (an explicit stack, no recursion), linear in the input however it is split,
//! never panics. Mapping: `$-1` and `_` → `Nil`, `*-1` → `NilArray`, `>` push → `Array`,
//! `!` blob error → `Error`, `|` attributes are skipped. Streamed (`$?`, `*?`) types are
//! rejected. Nesting deeper than [`MAX_DEPTH`] is an error (dropping or comparing deeper
//! trees would recurse too deeply).

use crate::reply::Reply;
use std::fmt;

/// Deepest aggregate nesting accepted.
pub const MAX_DEPTH: usize = 1000;
/// Largest bulk / verbatim / blob error accepted (Redis's proto-max-bulk-len).
pub const MAX_BULK_LEN: i64 = 512 * 1024 * 1024;

/// A malformed reply stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RESP decode error: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

fn err<T>(msg: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError(msg.into()))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum AggKind {
    Array,
    Set,
    Push,
    Map,
    Attribute,
}

#[derive(Debug)]
struct Frame {
    kind: AggKind,
    /// Elements still expected (for maps and attributes: 2 per pair).
    remaining: usize,
    items: Vec<Reply>,
}

impl Frame {
    fn finish(self) -> Option<Reply> {
        match self.kind {
            AggKind::Array | AggKind::Push => Some(Reply::Array(self.items)),
            AggKind::Set => Some(Reply::Set(self.items)),
            AggKind::Map => {
                let mut pairs = Vec::with_capacity(self.items.len() / 2);
                let mut it = self.items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    pairs.push((k, v));
                }
                Some(Reply::Map(pairs))
            }
            AggKind::Attribute => None,
        }
    }
}

enum Elem {
    Value(Reply),
    Open(AggKind, usize),
}

/// Incremental decoder: [`ReplyDecoder::feed`] bytes, pull with [`ReplyDecoder::next_reply`].
#[derive(Debug, Default)]
pub struct ReplyDecoder {
    buf: Vec<u8>,
    pos: usize,
    scanned: usize,
    stack: Vec<Frame>,
    error: Option<DecodeError>,
}

impl ReplyDecoder {
    /// An empty decoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Buffer more input (ignored after an error).
    pub fn feed(&mut self, data: &[u8]) {
        if self.error.is_some() {
            return;
        }
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.scanned = self.scanned.saturating_sub(self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// True when no partial reply is buffered.
    pub fn is_idle(&self) -> bool {
        self.stack.is_empty() && self.pos >= self.buf.len()
    }

    /// The next complete top-level reply, `Ok(None)` if more input is needed.
    pub fn next_reply(&mut self) -> Result<Option<Reply>, DecodeError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let r = self.next_inner();
        if let Err(e) = &r {
            self.error = Some(e.clone());
            self.buf = Vec::new();
            self.pos = 0;
            self.scanned = 0;
            self.stack = Vec::new();
        }
        r
    }

    fn next_inner(&mut self) -> Result<Option<Reply>, DecodeError> {
        loop {
            let mut value = match self.element()? {
                None => return Ok(None),
                Some(Elem::Value(v)) => Some(v),
                Some(Elem::Open(kind, n)) => {
                    let frame = Frame {
                        kind,
                        remaining: n,
                        items: Vec::with_capacity(n.min(1024)),
                    };
                    if n == 0 {
                        frame.finish()
                    } else {
                        if self.stack.len() >= MAX_DEPTH {
                            return err("reply nested too deeply");
                        }
                        self.stack.push(frame);
                        None
                    }
                }
            };
            // Attach completed values to their parents.
            while let Some(v) = value.take() {
                let Some(top) = self.stack.last_mut() else {
                    return Ok(Some(v));
                };
                top.items.push(v);
                top.remaining = top.remaining.saturating_sub(1);
                if top.remaining == 0 {
                    if let Some(done) = self.stack.pop() {
                        value = done.finish();
                    }
                }
            }
        }
    }

    /// Find the CRLF-terminated line at `pos`: returns (end of content, index after LF).
    fn line(&mut self) -> Result<Option<(usize, usize)>, DecodeError> {
        let from = self.scanned.max(self.pos);
        let hay = self.buf.get(from..).unwrap_or(&[]);
        let Some(i) = hay.iter().position(|&b| b == b'\r') else {
            self.scanned = self.buf.len();
            return Ok(None);
        };
        let cr = from + i;
        match self.buf.get(cr + 1) {
            None => Ok(None),
            Some(b'\n') => Ok(Some((cr, cr + 2))),
            Some(_) => err("CR not followed by LF"),
        }
    }

    fn consume(&mut self, to: usize) {
        self.pos = to.min(self.buf.len());
        self.scanned = self.pos;
    }

    /// Parse one element at `pos`: a complete scalar or an aggregate header.
    fn element(&mut self) -> Result<Option<Elem>, DecodeError> {
        let Some(&tag) = self.buf.get(self.pos) else {
            return Ok(None);
        };
        let Some((end, next)) = self.line()? else {
            return Ok(None);
        };
        let text = self.buf.get(self.pos + 1..end).unwrap_or(&[]).to_vec();
        let lossy = || String::from_utf8_lossy(&text).into_owned();
        let elem = match tag {
            b'+' => Elem::Value(Reply::Status(lossy())),
            b'-' => Elem::Value(Reply::Error(lossy())),
            b':' => Elem::Value(Reply::Integer(parse_int(&text)?)),
            b'_' => {
                if !text.is_empty() {
                    return err("garbage after '_'");
                }
                Elem::Value(Reply::Nil)
            }
            b'#' => match text.as_slice() {
                b"t" => Elem::Value(Reply::Bool(true)),
                b"f" => Elem::Value(Reply::Bool(false)),
                _ => return err("invalid boolean"),
            },
            b',' => Elem::Value(Reply::Double(parse_double(&text)?)),
            b'(' => {
                let digits = text.strip_prefix(b"-").unwrap_or(&text);
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return err("invalid big number");
                }
                Elem::Value(Reply::BigNumber(lossy()))
            }
            b'$' | b'=' | b'!' => {
                let n = parse_int(&text)?;
                if n == -1 && tag == b'$' {
                    self.consume(next);
                    return Ok(Some(Elem::Value(Reply::Nil)));
                }
                if !(0..=MAX_BULK_LEN).contains(&n) {
                    return err("invalid bulk length");
                }
                let n = usize::try_from(n).map_err(|_| DecodeError("bulk length".into()))?;
                let data_end = next.saturating_add(n);
                if self.buf.len() < data_end.saturating_add(2) {
                    return Ok(None); // wait for the payload
                }
                if self.buf.get(data_end..data_end + 2) != Some(b"\r\n".as_slice()) {
                    return err("bulk payload not followed by CRLF");
                }
                let data = self.buf.get(next..data_end).unwrap_or(&[]).to_vec();
                self.consume(data_end + 2);
                let v = match tag {
                    b'$' => Reply::Bulk(data),
                    b'!' => Reply::Error(String::from_utf8_lossy(&data).into_owned()),
                    _ => match (data.get(..3), data.get(3), data.get(4..)) {
                        (Some(fmt), Some(b':'), Some(content)) => Reply::Verbatim(
                            String::from_utf8_lossy(fmt).into_owned(),
                            content.to_vec(),
                        ),
                        _ => return err("invalid verbatim string"),
                    },
                };
                return Ok(Some(Elem::Value(v)));
            }
            b'*' | b'~' | b'%' | b'>' | b'|' => {
                let n = parse_int(&text)?;
                if n == -1 && tag == b'*' {
                    self.consume(next);
                    return Ok(Some(Elem::Value(Reply::NilArray)));
                }
                if n < 0 {
                    return err("invalid aggregate length");
                }
                let n = usize::try_from(n).map_err(|_| DecodeError("length".into()))?;
                let (kind, elems) = match tag {
                    b'*' => (AggKind::Array, Some(n)),
                    b'~' => (AggKind::Set, Some(n)),
                    b'>' => (AggKind::Push, Some(n)),
                    b'%' => (AggKind::Map, n.checked_mul(2)),
                    _ => (AggKind::Attribute, n.checked_mul(2)),
                };
                let Some(elems) = elems else {
                    return err("aggregate too long");
                };
                Elem::Open(kind, elems)
            }
            other => return err(format!("unknown type byte 0x{other:02x}")),
        };
        self.consume(next);
        Ok(Some(elem))
    }
}

fn parse_int(text: &[u8]) -> Result<i64, DecodeError> {
    std::str::from_utf8(text)
        .ok()
        .filter(|s| !s.starts_with('+'))
        .and_then(|s| s.parse::<i64>().ok())
        .map_or_else(|| err("invalid integer"), Ok)
}

fn parse_double(text: &[u8]) -> Result<f64, DecodeError> {
    match text {
        b"inf" | b"+inf" => return Ok(f64::INFINITY),
        b"-inf" => return Ok(f64::NEG_INFINITY),
        b"nan" | b"-nan" => return Ok(f64::NAN),
        _ => {}
    }
    let s = std::str::from_utf8(text).map_err(|_| DecodeError("invalid double".into()))?;
    // Only plain decimal/exponent syntax (Rust's parser would also take "infinity").
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
    {
        return err("invalid double");
    }
    crate::numfmt::parse_f64_rust(s.as_bytes()).ok_or_else(|| DecodeError("invalid double".into()))
}

/// Decode every complete reply in `input`; an error if the input is malformed or ends in the
/// middle of a reply.
pub fn decode_all(input: &[u8]) -> Result<Vec<Reply>, DecodeError> {
    let mut d = ReplyDecoder::new();
    d.feed(input);
    let mut out = Vec::new();
    while let Some(r) = d.next_reply()? {
        out.push(r);
    }
    if !d.is_idle() {
        return err("incomplete reply");
    }
    Ok(out)
}

/// Decode exactly one reply occupying all of `input`.
pub fn decode_one(input: &[u8]) -> Result<Reply, DecodeError> {
    let mut all = decode_all(input)?;
    match (all.pop(), all.is_empty()) {
        (Some(r), true) => Ok(r),
        _ => err("expected exactly one reply"),
    }
}

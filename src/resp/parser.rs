//! Incremental request parser for a RESP server: multibulk (`*N\r\n$len\r\n...`) and inline
//! commands, with the exact protocol-error texts of redis-server 7.0.
//!
//! Behaviour mirrors `processInlineBuffer` / `processMultibulkBuffer` in Redis 7.0
//! `networking.c` (verified against redis-server 7.0.15):
//!
//! - The first byte of a request decides its kind: `*` is multibulk, anything else inline.
//! - Multibulk count: strict `string2ll` (no `+`, no leading zeros, no spaces), at most
//!   `INT_MAX`; a count `<= 0` (`*0`, `*-1`, `*-5`) is an empty request and is skipped
//!   silently. The count line ends at the first `\r`; the byte after it is skipped unchecked.
//! - Bulk length: strict `string2ll`, `0..=536870912` (proto-max-bulk-len). The two bytes
//!   after the payload are skipped unchecked (as Redis does).
//! - Inline: a line ends at `\n` (a `\r` before it is dropped), split with `sdssplitargs`
//!   rules; lines with no arguments are ignored.
//! - "too big" errors fire only when no line terminator is buffered and more than
//!   64 KiB (`PROTO_INLINE_MAX_SIZE`) are pending, exactly as Redis checks it.
//!
//! After a protocol error Redis replies with the error and closes the connection; the parser
//! is then poisoned: it returns the same error forever and ignores further input.
//!
//! Known deliberate divergence: Redis searches for terminators with `strchr`, so a NUL byte
//! in a header or an inline line makes it wait (until the 64 KiB limit). Here NUL is an
//! ordinary byte in headers (so a header with NUL is an invalid length), and inline
//! arguments end at the first NUL (as `sdssplitargs` sees the C string).

use crate::reply::Reply;
use std::fmt;

/// One parsed command: its arguments, the name first. Never empty.
pub type Command = Vec<Vec<u8>>;

/// `PROTO_INLINE_MAX_SIZE`: max pending bytes of an unterminated inline line or header.
pub const PROTO_INLINE_MAX_SIZE: usize = 64 * 1024;
/// `proto-max-bulk-len` default: 512 MiB.
pub const PROTO_MAX_BULK_LEN: i64 = 512 * 1024 * 1024;
/// Largest multibulk count Redis 7.0 accepts (`INT_MAX`).
pub const PROTO_MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;

/// A protocol error; the connection must be closed after replying with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// `ERR Protocol error: invalid multibulk length`
    InvalidMultibulkLength,
    /// `ERR Protocol error: invalid bulk length`
    InvalidBulkLength,
    /// `ERR Protocol error: expected '$', got 'x'`
    ExpectedDollar(u8),
    /// `ERR Protocol error: too big inline request`
    TooBigInlineRequest,
    /// `ERR Protocol error: too big mbulk count string`
    TooBigMbulkCountString,
    /// `ERR Protocol error: too big bulk count string`
    TooBigBulkCountString,
    /// `ERR Protocol error: unbalanced quotes in request`
    UnbalancedQuotes,
}

impl ProtocolError {
    /// The error line as redis-server sends it, without the leading `-`.
    pub fn message(&self) -> String {
        let tail = match self {
            ProtocolError::InvalidMultibulkLength => "invalid multibulk length".to_string(),
            ProtocolError::InvalidBulkLength => "invalid bulk length".to_string(),
            ProtocolError::ExpectedDollar(b) => {
                // Redis formats the raw byte with %c, then replaces CR/LF by spaces.
                let c = match *b {
                    b'\r' | b'\n' => ' ',
                    b if b.is_ascii() => char::from(b),
                    _ => char::REPLACEMENT_CHARACTER,
                };
                format!("expected '$', got '{c}'")
            }
            ProtocolError::TooBigInlineRequest => "too big inline request".to_string(),
            ProtocolError::TooBigMbulkCountString => "too big mbulk count string".to_string(),
            ProtocolError::TooBigBulkCountString => "too big bulk count string".to_string(),
            ProtocolError::UnbalancedQuotes => "unbalanced quotes in request".to_string(),
        };
        format!("ERR Protocol error: {tail}")
    }

    /// The error as a reply (`-ERR Protocol error: ...`).
    pub fn to_reply(&self) -> Reply {
        Reply::Error(self.message())
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ProtocolError {}

/// Incremental request parser. Feed bytes with [`RequestParser::feed`], pull commands with
/// [`RequestParser::next_command`] (or do both with [`RequestParser::parse`]).
#[derive(Debug, Default)]
pub struct RequestParser {
    buf: Vec<u8>,
    /// Start of unconsumed data in `buf`.
    pos: usize,
    /// Index in `buf` up to which the pending line has been scanned without finding its
    /// terminator (avoids rescanning on byte-by-byte input).
    scanned: usize,
    /// Arguments still expected by the multibulk in progress (0: none in progress).
    mbulk_remaining: usize,
    /// Declared length of the bulk whose payload is awaited.
    bulk_len: Option<usize>,
    args: Vec<Vec<u8>>,
    error: Option<ProtocolError>,
}

impl RequestParser {
    /// A parser with an empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Buffer more input. Ignored once the parser has failed.
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

    /// Bytes buffered and not yet consumed (a partial request).
    pub fn pending(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Capacity of the internal buffer (tests check nothing huge is allocated up front).
    #[cfg(test)]
    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// The protocol error the parser failed with, if any.
    pub fn error(&self) -> Option<&ProtocolError> {
        self.error.as_ref()
    }

    /// Feed `data` and return every complete command, plus the protocol error that stopped
    /// parsing, if any (commands before the error are returned and must still be executed,
    /// then the error replied and the connection closed).
    pub fn parse(&mut self, data: &[u8]) -> (Vec<Command>, Option<ProtocolError>) {
        self.feed(data);
        let mut out = Vec::new();
        loop {
            match self.next_command() {
                Ok(Some(cmd)) => out.push(cmd),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    /// The next complete command, `Ok(None)` if more input is needed.
    pub fn next_command(&mut self) -> Result<Option<Command>, ProtocolError> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let r = self.next_inner();
        if let Err(e) = &r {
            self.error = Some(e.clone());
            self.buf = Vec::new();
            self.pos = 0;
            self.scanned = 0;
            self.args = Vec::new();
        }
        r
    }

    fn next_inner(&mut self) -> Result<Option<Command>, ProtocolError> {
        loop {
            if self.mbulk_remaining > 0 {
                return self.continue_multibulk();
            }
            let Some(&first) = self.buf.get(self.pos) else {
                return Ok(None);
            };
            if first == b'*' {
                // Multibulk count line.
                let Some(cr) = self.find(b'\r') else {
                    if self.pending() > PROTO_INLINE_MAX_SIZE {
                        return Err(ProtocolError::TooBigMbulkCountString);
                    }
                    return Ok(None);
                };
                // Redis needs one more byte after '\r' (assumed '\n', not checked).
                if cr.checked_add(1).is_none_or(|n| n >= self.buf.len()) {
                    return Ok(None);
                }
                let digits = self.buf.get(self.pos + 1..cr).unwrap_or(&[]);
                let n = match string2ll(digits) {
                    Some(n) if n <= PROTO_MAX_MULTIBULK_LEN => n,
                    _ => return Err(ProtocolError::InvalidMultibulkLength),
                };
                self.advance_to(cr + 2);
                if n <= 0 {
                    continue; // empty request, skipped silently
                }
                self.mbulk_remaining = usize::try_from(n).unwrap_or(0);
                self.args = Vec::with_capacity(self.mbulk_remaining.min(1024));
                return self.continue_multibulk();
            }
            // Inline request.
            let Some(nl) = self.find(b'\n') else {
                if self.pending() > PROTO_INLINE_MAX_SIZE {
                    return Err(ProtocolError::TooBigInlineRequest);
                }
                return Ok(None);
            };
            let mut line = self.buf.get(self.pos..nl).unwrap_or(&[]);
            if let Some((&b'\r', rest)) = line.split_last() {
                line = rest;
            }
            let args = split_args(line).ok_or(ProtocolError::UnbalancedQuotes)?;
            self.advance_to(nl + 1);
            if !args.is_empty() {
                return Ok(Some(args));
            }
        }
    }

    fn continue_multibulk(&mut self) -> Result<Option<Command>, ProtocolError> {
        while self.mbulk_remaining > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let Some(cr) = self.find(b'\r') else {
                        if self.pending() > PROTO_INLINE_MAX_SIZE {
                            return Err(ProtocolError::TooBigBulkCountString);
                        }
                        return Ok(None);
                    };
                    if cr.checked_add(1).is_none_or(|n| n >= self.buf.len()) {
                        return Ok(None);
                    }
                    let first = self.buf.get(self.pos).copied().unwrap_or(b'\r');
                    if first != b'$' {
                        return Err(ProtocolError::ExpectedDollar(first));
                    }
                    let digits = self.buf.get(self.pos + 1..cr).unwrap_or(&[]);
                    let len = match string2ll(digits) {
                        Some(n) if (0..=PROTO_MAX_BULK_LEN).contains(&n) => {
                            usize::try_from(n).map_err(|_| ProtocolError::InvalidBulkLength)?
                        }
                        _ => return Err(ProtocolError::InvalidBulkLength),
                    };
                    self.advance_to(cr + 2);
                    self.bulk_len = Some(len);
                    len
                }
            };
            // Payload plus the two trailing bytes (skipped unchecked, as Redis does).
            let need = len.saturating_add(2);
            if self.pending() < need {
                return Ok(None);
            }
            let end = self.pos + len;
            let arg = self.buf.get(self.pos..end).unwrap_or(&[]).to_vec();
            self.args.push(arg);
            self.advance_to(end + 2);
            self.bulk_len = None;
            self.mbulk_remaining -= 1;
        }
        Ok(Some(std::mem::take(&mut self.args)))
    }

    /// Index of the first `byte` at or after `pos`, scanning only bytes not scanned before.
    fn find(&mut self, byte: u8) -> Option<usize> {
        let from = self.scanned.max(self.pos);
        let hay = self.buf.get(from..).unwrap_or(&[]);
        match hay.iter().position(|&b| b == byte) {
            Some(i) => Some(from + i),
            None => {
                self.scanned = self.buf.len();
                None
            }
        }
    }

    fn advance_to(&mut self, pos: usize) {
        self.pos = pos.min(self.buf.len());
        self.scanned = self.pos;
    }
}

/// Redis `string2ll`: strict decimal i64 (optional `-`, no `+`, no leading zeros except `0`
/// itself, no spaces, at most 20 bytes).
pub fn string2ll(s: &[u8]) -> Option<i64> {
    crate::numfmt::parse_i64(s)
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Redis `sdssplitargs`: split an inline line into arguments. `None` on unbalanced quotes
/// (or a closing quote not followed by a space). The line is read as a C string (ends at
/// the first NUL).
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(i) => line.get(..i).unwrap_or(&[]),
        None => line,
    };
    let at = |i: usize| -> u8 { line.get(i).copied().unwrap_or(0) };
    let mut p = 0usize;
    let mut out = Vec::new();
    loop {
        while at(p) != 0 && is_c_space(at(p)) {
            p += 1;
        }
        if at(p) == 0 {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut inq, mut insq, mut done) = (false, false, false);
        while !done {
            let c = at(p);
            if inq {
                if let (b'\\', b'x', Some(h), Some(l)) =
                    (c, at(p + 1), hex_val(at(p + 2)), hex_val(at(p + 3)))
                {
                    cur.push(h * 16 + l);
                    p += 3;
                } else if c == b'\\' && at(p + 1) != 0 {
                    p += 1;
                    cur.push(match at(p) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else if insq {
                if c == b'\\' && at(p + 1) == b'\'' {
                    p += 1;
                    cur.push(b'\'');
                } else if c == b'\'' {
                    if at(p + 1) != 0 && !is_c_space(at(p + 1)) {
                        return None;
                    }
                    done = true;
                } else if c == 0 {
                    return None;
                } else {
                    cur.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => done = true,
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    _ => cur.push(c),
                }
            }
            if at(p) != 0 {
                p += 1;
            }
        }
        out.push(cur);
    }
}

/// Encode a command as a multibulk request (what a client sends).
pub fn encode_command<A: AsRef<[u8]>>(args: &[A], out: &mut Vec<u8>) {
    out.push(b'*');
    out.extend_from_slice(args.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in args {
        let a = a.as_ref();
        out.push(b'$');
        out.extend_from_slice(a.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

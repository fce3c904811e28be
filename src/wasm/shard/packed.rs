//! The packed path of `Shard.command()`: JS (js/shard-command.mjs) writes an argv of strings
//! into one module-wide input buffer and reads a string, number, boolean or null reply from
//! wasm memory, so a common command crosses the JS/wasm boundary with one call of numbers
//! and no JS value made or read by Rust (each import call costs a closure in wasm-bindgen's
//! glue). Other replies (arrays, maps, errors, big integers) go through `__takeReply()`.
//!
//! Input buffer layout for `n` arguments: `n` little-endian u32 lengths, then the arguments'
//! bytes back to back. Output block: an f64 (number kinds), then the u32 address and u32
//! length of a string's bytes (inside the shard's kept reply, valid until its next command).

use super::MAX_SAFE;
use crate::reply::Reply;
use std::cell::RefCell;

/// The argv could not be unpacked (lengths beyond the buffer): JS takes the general path.
pub const FALLBACK: u32 = 0;
/// `null`.
pub const NULL: u32 = 1;
/// A number (the f64 of the output block).
pub const NUMBER: u32 = 2;
/// A string: UTF-8 bytes at the output block's address and length.
pub const STRING: u32 = 3;
/// A `Uint8Array` copied from the output block's address and length.
pub const BYTES: u32 = 4;
/// `true`.
pub const TRUE: u32 = 5;
/// `false`.
pub const FALSE: u32 = 6;
/// Any other reply: JS calls `__takeReply()`.
pub const SLOW: u32 = 7;

/// Arguments longer than this do not keep their allocation for the next command.
const KEEP_ARG_BYTES: usize = 64 * 1024;

#[repr(C)]
struct Out {
    num: f64,
    ptr: u32,
    len: u32,
}

thread_local! {
    /// The input buffer (u32 words, so JS can address the lengths as a Uint32Array).
    static INPUT: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
    /// The output block. A thread-local does not move while its thread lives, so its address
    /// is fixed; initialised in place (`const`), its `with` is a plain address (the lazily
    /// boxed form it had cost an out-of-line `LocalKey::with` per command).
    static OUT: RefCell<Out> = const { RefCell::new(Out { num: 0.0, ptr: 0, len: 0 }) };
}

/// Grows the input buffer to at least `bytes` bytes; its address.
pub fn input_buffer(bytes: usize) -> u32 {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        let words = bytes.div_ceil(4);
        if b.len() < words {
            b.resize(words, 0);
        }
        b.as_ptr() as usize as u32
    })
}

/// The output block's address.
pub fn out_block() -> u32 {
    OUT.with(|o| o.as_ptr() as usize as u32)
}

/// Reads `n` packed arguments into `args`, reusing its vectors. False when the lengths do
/// not fit the buffer (only a broken caller does that).
pub fn unpack(n: usize, args: &mut Vec<Vec<u8>>) -> bool {
    INPUT.with(|b| {
        let b = b.borrow();
        let Some(head) = b.get(..n) else {
            return false;
        };
        // SAFETY: a `[u32]` is readable as bytes (u8 has no alignment or validity needs).
        let bytes: &[u8] =
            unsafe { std::slice::from_raw_parts(b.as_ptr().cast::<u8>(), b.len() * 4) };
        // Most commands have as many arguments as the previous one: no call to
        // `resize_with` then (out of line at the release profile's inline threshold).
        if args.len() != n {
            args.resize_with(n, Vec::new); // truncates too
        }
        let mut off = n * 4;
        for (arg, len) in args.iter_mut().zip(head) {
            let Some(src) = (u32::from_le(*len) as usize)
                .checked_add(off)
                .and_then(|end| bytes.get(off..end))
            else {
                return false;
            };
            // An argument equal to the one already in its vector (the command name, an
            // EVALSHA's SHA and keys repeat from call to call) is left as it is: comparing
            // is plain wasm code, while every copy is a `memory.copy`, which V8 runs as a
            // call out of the module (≈ 13 ns whatever the size).
            if !crate::same_bytes::same_bytes(arg, src) {
                arg.clear();
                arg.extend_from_slice(src);
            }
            off += src.len();
        }
        true
    })
}

/// Frees argument vectors that grew large (a big SET value), keeping small ones for reuse.
pub fn release_large(args: &mut [Vec<u8>]) {
    for a in args {
        if a.capacity() > KEEP_ARG_BYTES {
            *a = Vec::new();
        }
    }
}

/// The reply's kind, with its number or its string's place written to the output block.
/// Mirrors `to_js` (docs/js-api.md) for the kinds it encodes.
pub fn classify(r: &Reply, bulk_bytes: bool) -> u32 {
    let set = |num: f64, bytes: &[u8]| {
        OUT.with(|o| {
            let mut o = o.borrow_mut();
            o.num = num;
            o.ptr = bytes.as_ptr() as usize as u32;
            o.len = bytes.len() as u32;
        })
    };
    match r {
        Reply::Nil | Reply::NilArray => NULL,
        Reply::Integer(i) if (-MAX_SAFE..=MAX_SAFE).contains(i) => {
            set(*i as f64, &[]);
            NUMBER
        }
        Reply::Double(d) => {
            set(*d, &[]);
            NUMBER
        }
        Reply::Bool(true) => TRUE,
        Reply::Bool(false) => FALSE,
        Reply::Status(s) => {
            set(0.0, s.as_bytes());
            STRING
        }
        Reply::Bulk(b) | Reply::Verbatim(_, b) => {
            set(0.0, b);
            if !bulk_bytes && std::str::from_utf8(b).is_ok() {
                STRING
            } else {
                BYTES
            }
        }
        _ => SLOW,
    }
}

//! RESP codec, pure Rust (no JS types): the server-side request parser, the reply encoder
//! (RESP2 and RESP3) and a reply decoder for tests and client-side tools.
//!
//! - [`parser`] — incremental request parser (multibulk and inline), Redis 7.0 error texts.
//! - [`encoder`] — `Reply` → bytes, with Redis's RESP2 downgrades and `%.17g` doubles.
//! - [`decoder`] — bytes → `Reply`, incremental, RESP2 and RESP3.
//!
//! Nothing here panics on any input.

pub mod decoder;
pub mod encoder;
pub mod parser;

pub use decoder::{decode_all, decode_one, DecodeError, ReplyDecoder};
pub use encoder::{encode, encode_to_vec, format_double};
pub use parser::{encode_command, split_args, Command, ProtocolError, RequestParser};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests;
#[cfg(test)]
mod tests;

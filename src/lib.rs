//! # marekvs edge
//!
//! One crate, compiled natively (tests, benchmarks) and to `wasm32-unknown-unknown` (the npm
//! package), that hosts shards of marekvs: an AP, Redis-compatible key-value store with Lua 5.4
//! scripting.
//!
//! ## Module map
//!
//! Pure core (no JS types anywhere):
//! - [`reply`] — the reply model (every RESP2/RESP3 type).
//! - [`resp`] — RESP codec: request parser (multibulk + inline), reply encoder and decoder.
//! - [`lua`] — the Lua 5.4 engine: sandboxed state, time and memory budgets.
//! - [`scripting`] — EVAL/EVALSHA/SCRIPT on the engine: the `redis` table, conversions, errors.
//! - [`host`] — the platform's clocks (std natively, JS on wasm32); nothing else differs.
//! - [`router`] — key → hash slot (CRC16, hash tags) → partition (contiguous slot ranges).
//! - [`keyspace`] — typed values with expiry; every write is a [`keyspace::WriteOp`] through one `apply`.
//! - [`hlc`] — hybrid logical clock (stamps of effects; bounded drift).
//! - [`effects`] — replicated effects: codec, version vectors, bounded log, snapshots.
//! - [`engine`] — the command table, dispatch, [`engine::Shard`] and [`engine::CallCtx`]; all command families.
//! - [`numfmt`] — Redis's strict number parsing and number formatting.
//! - `same_bytes` — word-at-a-time equality of short byte strings (names, keys) for the hot compares.
//! - [`session`] — hosting shards behind one RESP endpoint: routing, worker batches, fan-out
//!   merges, and a single-shard RESP session.
//!
//! Bindings:
//! - `wasm` (wasm32 only) — the thin wasm-bindgen layer the npm package is generated from.
//! - `sys` (wasm32 only) — the C runtime pieces Lua needs on wasm32 (setjmp/longjmp, hooks).
//! - `alloc` (wasm32 only) — the global allocator: dlmalloc growing the memory geometrically.

pub mod effects;
pub mod engine;
pub mod hlc;
pub mod host;
pub mod keyspace;
pub mod lua;
pub mod numfmt;
pub mod reply;
pub mod resp;
pub mod router;
pub(crate) mod same_bytes;
pub mod scripting;
pub mod session;

#[cfg(target_arch = "wasm32")]
mod alloc;
#[cfg(target_arch = "wasm32")]
mod sys;
#[cfg(target_arch = "wasm32")]
pub mod wasm;

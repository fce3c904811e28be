//! The keyspace: binary keys → typed values with optional absolute expiry.
//!
//! **Writes** go through exactly one method, [`Keyspace::apply`], which takes a concrete
//! [`WriteOp`]. Commands compute results (INCR computes the new number, RENAME copies the value
//! element by element) and express them as these primitives; the effects/CRDT layer will turn
//! the same enum into HLC-stamped effects. An optional journal records every op applied
//! ([`Keyspace::start_journal`] / [`Keyspace::take_journal`]).
//!
//! **Reads** go through typed views (`get_string`, `get_hash`, ...) that treat keys whose
//! expiry time is ≤ [`Keyspace::now_ms`] as absent. Expired entries are physically removed by
//! [`Keyspace::apply`] when a write touches them and by [`Keyspace::active_expire`]; this
//! removal is housekeeping, not a `WriteOp`: it follows deterministically from the replicated
//! expiry attribute, so it is never journaled.
//!
//! **System records**: keys starting with byte `0x00` are hidden from KEYS, SCAN, DBSIZE,
//! RANDOMKEY and DEBUG DIGEST, but are otherwise ordinary string keys (they replicate).
//!
//! **Order**: an index sorted by `(hash(key), key)` gives SCAN a stable cursor (the hash of
//! the next key to visit): every key present for the whole iteration is returned at least
//! once, whatever is added or removed meanwhile.
//!
//! **State behind the views**: `crdt.rs` (a key's CRDT state and its merge), `rga.rs` (the
//! list CRDT) over `arena.rs` (its chunked element storage), `slots.rs` (the key table),
//! `spare.rs` (recycled buffers), `undo.rs`
//! (the undo record of a script: what an aborted script's rollback puts back).

mod arena;
mod crdt;
pub mod glob;
mod hash;
pub mod hasher;
mod list;
mod order;
mod rga;
mod set;
mod slots;
mod spare;
mod undo;
mod zset;

pub(crate) use spare::Spare;

use crdt::assign_bytes;
pub use crdt::{KeyMeta, Kind, Merged};
pub use hash::Hash;
pub use list::List;
pub use set::Set;
pub use zset::{Score, ZSet};

use crate::effects::{Effect, EffectRef, Op};
use crate::engine::keyed_sort::{sorted_indexes, take_in_order};
use crate::hlc::{Hlc, Stamp};
use hasher::Map;
use order::Order;
use slots::Slots;
use std::sync::Arc;

/// One concrete write. This is the effect enum: everything that changes the keyspace is one of
/// these, applied by [`Keyspace::apply`].
///
/// Rules: an op creating an element on a missing key creates the key (expiry: none); an op of
/// a collection type on a key holding another type replaces the value (the engine checks
/// types first, so this only matters for replicated effects); removing the last element of a
/// collection deletes the key with its expiry; ops on missing keys/elements/indexes are
/// no-ops. `SetString` keeps the key's current expiry (SET clears it with an explicit
/// `SetExpiry { at_ms: None }`).
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOp {
    /// The key becomes this string (any previous value/type is replaced).
    SetString { key: Vec<u8>, value: Vec<u8> },
    /// Set one hash field.
    HashSet {
        key: Vec<u8>,
        field: Vec<u8>,
        value: Vec<u8>,
    },
    /// Remove one hash field.
    HashDel { key: Vec<u8>, field: Vec<u8> },
    /// Add one set member.
    SetAdd { key: Vec<u8>, member: Vec<u8> },
    /// Remove one set member.
    SetRem { key: Vec<u8>, member: Vec<u8> },
    /// Insert or update a sorted-set member's score (never NaN).
    ZsetPut {
        key: Vec<u8>,
        member: Vec<u8>,
        score: f64,
    },
    /// Remove a sorted-set member.
    ZsetRem { key: Vec<u8>, member: Vec<u8> },
    /// Insert `value` so that it ends up at `index` (0 = head, len = tail).
    ListInsert {
        key: Vec<u8>,
        index: usize,
        value: Vec<u8>,
    },
    /// Remove the element at `index`.
    ListRemove { key: Vec<u8>, index: usize },
    /// Replace the element at `index`.
    ListSet {
        key: Vec<u8>,
        index: usize,
        value: Vec<u8>,
    },
    /// Delete the key (any type) with its expiry.
    Delete { key: Vec<u8> },
    /// Set (absolute unix ms) or clear the key's expiry. An expiry ≤ now deletes the key.
    SetExpiry { key: Vec<u8>, at_ms: Option<i64> },
}

impl WriteOp {
    /// The key this op writes.
    pub fn key(&self) -> &[u8] {
        match self {
            WriteOp::SetString { key, .. }
            | WriteOp::HashSet { key, .. }
            | WriteOp::HashDel { key, .. }
            | WriteOp::SetAdd { key, .. }
            | WriteOp::SetRem { key, .. }
            | WriteOp::ZsetPut { key, .. }
            | WriteOp::ZsetRem { key, .. }
            | WriteOp::ListInsert { key, .. }
            | WriteOp::ListRemove { key, .. }
            | WriteOp::ListSet { key, .. }
            | WriteOp::Delete { key }
            | WriteOp::SetExpiry { key, .. } => key,
        }
    }
}

/// A typed value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(Vec<u8>),
    Hash(Hash),
    Set(Set),
    List(List),
    ZSet(ZSet),
}

impl Value {
    /// Redis's TYPE name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::List(_) => "list",
            Value::ZSet(_) => "zset",
        }
    }

    fn is_empty_collection(&self) -> bool {
        match self {
            Value::Str(_) => false,
            Value::Hash(h) => h.is_empty(),
            Value::Set(s) => s.is_empty(),
            Value::List(l) => l.is_empty(),
            Value::ZSet(z) => z.is_empty(),
        }
    }
}

/// A stored key: value and optional absolute expiry (unix ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub value: Value,
    pub expire_at: Option<i64>,
}

impl Entry {
    /// The value's kind and the expiry (what a write's type check needs to know).
    pub fn kind_and_expiry(&self) -> (Kind, Option<i64>) {
        (Kind::of(&self.value), self.expire_at)
    }
}

/// The key holds a value of another type (→ `WRONGTYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrongType;

/// Typed read result: `Ok(None)` = no such key.
pub type Read<'a, T> = Result<Option<&'a T>, WrongType>;

/// True for hidden system-record keys (first byte 0x00).
pub fn is_system_key(key: &[u8]) -> bool {
    key.first() == Some(&0)
}

/// FNV-1a 64, folded into `1..=2^63` so that cursor 0 means "start"/"done".
fn order_hash(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    (h >> 1).wrapping_add(1)
}

/// Everything stored for one key: its CRDT state and the view derived from it (`None`: the
/// key does not exist, e.g. only a tombstone is left). One map entry holds both, so an effect
/// costs one lookup and a new key one copy of its bytes (shared with the SCAN index).
///
/// A string is stored once: while the view is a string, the string register's bytes live in
/// the view (`meta.string` keeps its stamp and an empty buffer). [`Keyspace::merge_apply`]
/// lends them back to the register for the merge ([`Slot::lend`]); whatever drops a string
/// view returns them first ([`Slot::take_view`]); snapshot export reads them from the view.
#[derive(Debug, Clone, Default)]
struct Slot {
    meta: KeyMeta,
    view: Option<Entry>,
}

impl Slot {
    /// Swap the bytes of a string view with the string register's buffer: called once before
    /// a merge (the register gets its bytes back) and once after (the view takes them).
    fn lend(meta: &mut KeyMeta, view: &mut Option<Entry>) {
        if let (
            Some(Entry {
                value: Value::Str(b),
                ..
            }),
            Some((_, r)),
        ) = (view.as_mut(), meta.string.as_mut())
        {
            std::mem::swap(b, r);
        }
    }

    /// Remove the view, moving a string's bytes back into the register.
    fn take_view(&mut self) -> Option<Entry> {
        let mut view = self.view.take();
        if let (
            Some(Entry {
                value: Value::Str(b),
                ..
            }),
            Some((_, r)),
        ) = (view.as_mut(), self.meta.string.as_mut())
        {
            *r = std::mem::take(b);
        }
        view
    }

    /// The string register's bytes (wherever they live).
    fn string_bytes(&self) -> Option<&[u8]> {
        match &self.view {
            Some(Entry {
                value: Value::Str(b),
                ..
            }) => Some(b),
            _ => self.meta.string.as_ref().map(|(_, v)| v.as_slice()),
        }
    }
}

/// The keyspace of one shard (all its partitions; keys are routed before they get here).
#[derive(Debug, Clone, Default)]
pub struct Keyspace {
    /// Per key: CRDT state and view. Boxed: a `Slot` is 240 bytes (528 before the collection
    /// states were boxed apart), and growing a table of inline slots copied all of them at
    /// once (tens of MB at 50k keys: a 30 ms stall of the shard's thread, page faults
    /// included, the replication latency tail); boxed, a resize moves 24-byte entries.
    slots: Slots<Box<Slot>>,
    /// Number of slots with a view (stored keys, expired or not, system records included).
    views: usize,
    order: Order,
    now_ms: i64,
    journal: Option<Vec<WriteOp>>,
    sweep_cursor: u64,
    system_count: usize,
    /// Undo log: the state of each key (view and CRDT state) before its first write since
    /// `start_undo`, and the outbox length then.
    undo: undo::Undo,
    /// The node's hybrid logical clock (stamps local effects).
    hlc: Hlc,
    /// Effects produced by local writes, not yet taken by the replication layer.
    outbox: Vec<Effect>,
    /// Buffers of own effects the replication log let go, for the next writes' effects.
    pub(crate) spare: Spare,
}

impl Keyspace {
    /// Empty keyspace.
    pub fn new() -> Keyspace {
        Keyspace::default()
    }

    /// The logical time used for expiry checks (set by the engine for every command).
    pub fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Set the logical time.
    pub fn set_now(&mut self, now_ms: i64) {
        self.now_ms = now_ms;
    }

    /// Start recording applied ops (clears any previous journal).
    pub fn start_journal(&mut self) {
        self.journal = Some(Vec::new());
    }

    /// Stop recording and return the ops applied since `start_journal`.
    pub fn take_journal(&mut self) -> Vec<WriteOp> {
        self.journal.take().unwrap_or_default()
    }

    // ---------------------------------------------------------------- replication

    /// This node's id (the origin of local effects).
    pub fn node_id(&self) -> u64 {
        self.hlc.node()
    }

    /// Set this node's id.
    pub fn set_node_id(&mut self, node: u64) {
        self.hlc.set_node(node);
    }

    /// The node's clock.
    pub fn hlc(&self) -> &Hlc {
        &self.hlc
    }

    /// The node's clock, mutable (receive events, drift bound).
    pub fn hlc_mut(&mut self) -> &mut Hlc {
        &mut self.hlc
    }

    /// Number of local effects waiting in the outbox.
    pub fn outbox_len(&self) -> usize {
        self.outbox.len()
    }

    /// Take the local effects produced so far (in order). Not allowed to split a script:
    /// callers take only when no undo section is active.
    pub fn take_outbox(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.outbox)
    }

    /// Like [`Keyspace::take_outbox`], but the outbox keeps its buffer (one write per command
    /// would otherwise allocate a new one every time).
    pub fn drain_outbox(&mut self) -> std::vec::Drain<'_, Effect> {
        // A burst (a large script) does not keep a large buffer alive afterwards.
        if self.outbox.capacity() > 4096 && self.outbox.len() <= 64 {
            self.outbox.shrink_to(64);
        }
        self.outbox.drain(..)
    }

    /// [`Keyspace::drain_outbox`] with the spare buffers, for the log that takes the effects
    /// and lets old ones go.
    pub(crate) fn drain_outbox_and_spare(&mut self) -> (std::vec::Drain<'_, Effect>, &mut Spare) {
        if self.outbox.capacity() > 4096 && self.outbox.len() <= 64 {
            self.outbox.shrink_to(64);
        }
        (self.outbox.drain(..), &mut self.spare)
    }

    /// The CRDT state of a key.
    pub fn key_meta(&self, key: &[u8]) -> Option<&KeyMeta> {
        self.slots.get(key).map(|s| &s.meta)
    }

    /// Number of keys with CRDT state (including tombstoned keys).
    pub fn meta_len(&self) -> usize {
        self.slots.len()
    }

    /// The CRDT state of every key passing `filter`, as effects (snapshot export).
    pub fn state_effects(&self, mut filter: impl FnMut(&[u8]) -> bool) -> Vec<Effect> {
        let keys: Vec<(&Arc<[u8]>, &Slot)> = self
            .slots
            .iter()
            .filter(|(k, _)| filter(k))
            .map(|(k, s)| (k, &**s))
            .collect();
        // Key order through the engine's one keyed sort (keys are distinct): no sort
        // instantiation of its own (≈ 10 KB raw of wasm for this cold path).
        let order = sorted_indexes(
            keys.iter()
                .enumerate()
                .map(|(i, (k, _))| (0, &k[..], i))
                .collect(),
        );
        let mut out = Vec::new();
        for (k, s) in take_in_order(keys, order) {
            s.meta.to_effects(k, s.string_bytes(), &mut out);
        }
        out
    }

    /// Tombstone collection for keys passing `filter`: drops element tombstones stamped ≤
    /// `stable` and the state of keys left with nothing but a key tombstone ≤ `stable`.
    /// Only call with a `stable` stamp every known peer's version vector has passed.
    pub fn collect_tombstones(
        &mut self,
        stable: Stamp,
        mut filter: impl FnMut(&[u8]) -> bool,
    ) -> usize {
        self.collect_tombstones_by(|k| filter(k).then_some(stable))
    }

    /// [`Keyspace::collect_tombstones`] with a stable stamp per key (`None`: leave the key
    /// alone): one pass over the keys for every partition at once.
    pub fn collect_tombstones_by(
        &mut self,
        mut stable_of: impl FnMut(&[u8]) -> Option<Stamp>,
    ) -> usize {
        let mut n = 0;
        let mut drop = Vec::new();
        for (k, s) in self.slots.iter_mut() {
            let Some(stable) = stable_of(k) else {
                continue;
            };
            let m = &mut s.meta;
            n += m.collect(stable);
            if m.is_bare() && m.del <= stable && s.view.is_none() {
                drop.push(k.clone());
            }
        }
        for k in drop {
            self.slots.remove(&k);
            n += 1;
        }
        n
    }

    /// Canonical dump of the live dataset including system records: one line per key in
    /// byte order with expiry and value in a canonical form (replicas that converged have
    /// equal dumps).
    pub fn canonical_dump(&self) -> String {
        use std::fmt::Write;
        let mut keys: Vec<&[u8]> = self
            .slots
            .keys()
            .map(|k| &k[..])
            .filter(|k| self.exists(k))
            .collect();
        keys.sort_unstable();
        let mut out = String::new();
        let esc = |b: &[u8]| b.escape_ascii().to_string();
        for k in keys {
            let Some(e) = self.get(k) else { continue };
            let _ = write!(out, "{} exp={:?} ", esc(k), e.expire_at);
            match &e.value {
                Value::Str(s) => {
                    let _ = write!(out, "str {}", esc(s));
                }
                Value::Hash(h) => {
                    let _ = write!(out, "hash");
                    for (f, v) in h {
                        let _ = write!(out, " {}={}", esc(f), esc(v));
                    }
                }
                Value::Set(st) => {
                    let _ = write!(out, "set");
                    for m in st {
                        let _ = write!(out, " {}", esc(m));
                    }
                }
                Value::ZSet(z) => {
                    let _ = write!(out, "zset");
                    for (m, sc) in z.iter() {
                        let _ = write!(out, " {}:{}", esc(m), sc);
                    }
                }
                Value::List(l) => {
                    let _ = write!(out, "list");
                    for x in l {
                        let _ = write!(out, " {}", esc(x));
                    }
                }
            }
            out.push('\n');
        }
        out
    }

    /// True while a journal is being recorded.
    pub fn journaling(&self) -> bool {
        self.journal.is_some()
    }

    fn live(&self, e: &Entry) -> bool {
        e.expire_at.is_none_or(|t| t > self.now_ms)
    }

    // ---------------------------------------------------------------- reads

    /// The live entry of `key`.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.slots
            .get(key)
            .and_then(|s| s.view.as_ref())
            .filter(|e| self.live(e))
    }

    /// [`Keyspace::get`] with the key's hash ([`hasher::key_hash`]) already computed: a
    /// read-then-write command hashes its key once for the read and the write's merge.
    #[inline]
    pub fn get_hashed(&self, hash: u64, key: &[u8]) -> Option<&Entry> {
        self.slots
            .get_hashed(hash, key)
            .and_then(|s| s.view.as_ref())
            .filter(|e| self.live(e))
    }

    /// The live value of `key`.
    #[inline]
    pub fn value(&self, key: &[u8]) -> Option<&Value> {
        self.get(key).map(|e| &e.value)
    }

    /// True when `key` exists (and is not expired).
    pub fn exists(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// `Some(expiry)` when the key exists.
    pub fn expiry(&self, key: &[u8]) -> Option<Option<i64>> {
        self.get(key).map(|e| e.expire_at)
    }

    /// String view.
    pub fn get_string(&self, key: &[u8]) -> Read<'_, Vec<u8>> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Str(s)) => Ok(Some(s)),
            Some(_) => Err(WrongType),
        }
    }

    /// Hash view.
    pub fn get_hash(&self, key: &[u8]) -> Read<'_, Hash> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Hash(h)) => Ok(Some(h)),
            Some(_) => Err(WrongType),
        }
    }

    /// Set view.
    pub fn get_set(&self, key: &[u8]) -> Read<'_, Set> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::Set(s)) => Ok(Some(s)),
            Some(_) => Err(WrongType),
        }
    }

    /// List view.
    pub fn get_list(&self, key: &[u8]) -> Read<'_, List> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::List(l)) => Ok(Some(l)),
            Some(_) => Err(WrongType),
        }
    }

    /// Sorted-set view.
    pub fn get_zset(&self, key: &[u8]) -> Read<'_, ZSet> {
        match self.value(key) {
            None => Ok(None),
            Some(Value::ZSet(z)) => Ok(Some(z)),
            Some(_) => Err(WrongType),
        }
    }

    /// Number of user keys, counting expired keys not yet reclaimed (as Redis's DBSIZE).
    pub fn dbsize(&self) -> usize {
        self.views.saturating_sub(self.system_count)
    }

    /// Number of user keys with an expiry (INFO keyspace `expires=`).
    pub fn volatile_count(&self) -> usize {
        self.slots
            .iter()
            .filter(|(k, s)| {
                !is_system_key(k) && s.view.as_ref().is_some_and(|e| e.expire_at.is_some())
            })
            .count()
    }

    /// Live user keys, in scan order.
    pub fn user_keys(&self) -> impl Iterator<Item = &[u8]> {
        self.order
            .iter()
            .map(|(_, k)| &k[..])
            .filter(move |k| !is_system_key(k) && self.exists(k))
    }

    /// Every stored user key, expired or not (FLUSHALL).
    pub fn all_user_keys(&self) -> Vec<Vec<u8>> {
        self.order
            .iter()
            .filter(|(_, k)| !is_system_key(k))
            .map(|(_, k)| k.to_vec())
            .collect()
    }

    /// One SCAN step: visits about `count` index slots starting at `cursor`, returns the next
    /// cursor (0 when done) and the live user keys visited that pass `filter`.
    pub fn scan(
        &self,
        cursor: u64,
        count: usize,
        mut filter: impl FnMut(&[u8], &Entry) -> bool,
    ) -> (u64, Vec<Vec<u8>>) {
        let mut out = Vec::new();
        let mut last_hash = None;
        for (visited, (h, k)) in self.order.range_from(cursor).enumerate() {
            if visited >= count.max(1) && last_hash != Some(*h) {
                return (*h, out);
            }
            last_hash = Some(*h);
            if is_system_key(k) {
                continue;
            }
            if let Some(e) = self.get(k) {
                if filter(k, e) {
                    out.push(k.to_vec());
                }
            }
        }
        (0, out)
    }

    /// A random live user key, chosen from the position `r` in hash order.
    pub fn random_key(&self, r: u64) -> Option<Vec<u8>> {
        let start = (r >> 1).wrapping_add(1);
        self.order
            .range_from(start)
            .chain(self.order.range_before(start))
            .map(|(_, k)| k)
            .find(|k| !is_system_key(k) && self.exists(k))
            .map(|k| k.to_vec())
    }

    /// Bounded active expiry: examines at most `budget` keys from where the previous call
    /// stopped (wrapping around) and removes those expired at `now_ms`. Returns the number of
    /// keys removed.
    pub fn active_expire(&mut self, now_ms: i64, budget: usize) -> usize {
        let mut expired = Vec::new();
        let mut next = 0u64;
        for (seen, (h, k)) in self.order.range_from(self.sweep_cursor).enumerate() {
            if seen >= budget {
                next = *h;
                break;
            }
            if let Some(e) = self.slots.get(k).and_then(|s| s.view.as_ref()) {
                if e.expire_at.is_some_and(|t| t <= now_ms) {
                    expired.push(k.clone());
                }
            }
        }
        self.sweep_cursor = next;
        for k in &expired {
            self.remove_entry(k);
        }
        expired.len()
    }

    // ---------------------------------------------------------------- system records

    /// Key of a system record: `0x00` followed by `name`.
    pub fn system_key(name: &[u8]) -> Vec<u8> {
        let mut k = Vec::with_capacity(name.len() + 1);
        k.push(0);
        k.extend_from_slice(name);
        k
    }

    /// Write a hidden system record (a string at key `0x00 name`), through [`Keyspace::apply`].
    pub fn set_system_record(&mut self, name: &[u8], value: &[u8]) {
        self.apply(WriteOp::SetString {
            key: Self::system_key(name),
            value: value.to_vec(),
        });
    }

    /// Read a hidden system record.
    pub fn get_system_record(&self, name: &[u8]) -> Option<&[u8]> {
        match self.value(&Self::system_key(name)) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// All system records whose name starts with `prefix` (names without the 0x00 byte).
    pub fn system_records(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let v: Vec<(Vec<u8>, Vec<u8>)> = self
            .slots
            .iter()
            .filter_map(|(k, s)| Some((k, s.view.as_ref()?)))
            .filter(|(k, e)| is_system_key(k) && self.live(e))
            .filter_map(|(k, e)| {
                let name = k.get(1..)?;
                match &e.value {
                    Value::Str(s) if name.starts_with(prefix) => Some((name.to_vec(), s.clone())),
                    _ => None,
                }
            })
            .collect();
        // Names are distinct (keys are), so ordering by name alone is the full order; the
        // engine's keyed sort does it without a sort instantiation of its own.
        let order = sorted_indexes(
            v.iter()
                .enumerate()
                .map(|(i, (name, _))| (0, &name[..], i))
                .collect(),
        );
        take_in_order(v, order)
    }

    // ---------------------------------------------------------------- writes

    /// Set a string value (keeps expiry).
    pub fn set_string(&mut self, key: &[u8], value: Vec<u8>) {
        let key = self.spare.copy_of(key);
        self.apply(WriteOp::SetString { key, value });
    }

    /// The live value's kind and expiry (one lookup), for [`Keyspace::set_string_seen`].
    #[inline]
    pub fn live_kind(&self, key: &[u8]) -> Option<(Kind, Option<i64>)> {
        self.live_kind_hashed(hasher::key_hash(key), key)
    }

    /// [`Keyspace::live_kind`] with the key's hash ([`hasher::key_hash`]) already computed.
    #[inline]
    pub fn live_kind_hashed(&self, hash: u64, key: &[u8]) -> Option<(Kind, Option<i64>)> {
        self.get_hashed(hash, key).map(Entry::kind_and_expiry)
    }

    /// [`Keyspace::set_string`] by a caller that has just read `live` =
    /// [`Keyspace::live_kind`] of `key` (through [`Keyspace::get_hashed`] with `hash` =
    /// [`hasher::key_hash`] of `key`), with no write since: the type check before the write
    /// reuses it instead of looking the key up again, and the merge reuses the hash (a SET
    /// over a string, an INCR: one hash and two lookups instead of three of each).
    #[inline]
    pub fn set_string_seen(
        &mut self,
        key: &[u8],
        value: Vec<u8>,
        live: Option<(Kind, Option<i64>)>,
        hash: u64,
    ) {
        let op = WriteOp::SetString {
            key: self.spare.copy_of(key),
            value,
        };
        self.record(&op);
        if let WriteOp::SetString { key, value } = op {
            self.prepare_kind_seen(&key, Kind::Str, live);
            self.emit_hashed(hash, key, Op::Str(value));
        }
    }

    /// Set a hash field.
    pub fn hash_set(&mut self, key: &[u8], field: &[u8], value: Vec<u8>) {
        let (key, field) = (self.spare.copy_of(key), self.spare.copy_of(field));
        self.apply(WriteOp::HashSet { key, field, value });
    }

    /// Remove a hash field.
    pub fn hash_del(&mut self, key: &[u8], field: &[u8]) -> bool {
        self.apply(WriteOp::HashDel {
            key: key.to_vec(),
            field: field.to_vec(),
        })
    }

    /// Add a set member.
    pub fn set_add(&mut self, key: &[u8], member: &[u8]) -> bool {
        let (key, member) = (self.spare.copy_of(key), self.spare.copy_of(member));
        self.apply(WriteOp::SetAdd { key, member })
    }

    /// Remove a set member.
    pub fn set_rem(&mut self, key: &[u8], member: &[u8]) -> bool {
        self.apply(WriteOp::SetRem {
            key: key.to_vec(),
            member: member.to_vec(),
        })
    }

    /// Put a sorted-set member.
    pub fn zset_put(&mut self, key: &[u8], member: &[u8], score: f64) -> bool {
        let (key, member) = (self.spare.copy_of(key), self.spare.copy_of(member));
        self.apply(WriteOp::ZsetPut { key, member, score })
    }

    /// Remove a sorted-set member.
    pub fn zset_rem(&mut self, key: &[u8], member: &[u8]) -> bool {
        self.apply(WriteOp::ZsetRem {
            key: key.to_vec(),
            member: member.to_vec(),
        })
    }

    /// Insert a list element at `index`.
    pub fn list_insert(&mut self, key: &[u8], index: usize, value: Vec<u8>) -> bool {
        let key = self.spare.copy_of(key);
        self.apply(WriteOp::ListInsert { key, index, value })
    }

    /// Remove the list element at `index`.
    pub fn list_remove(&mut self, key: &[u8], index: usize) -> bool {
        self.apply(WriteOp::ListRemove {
            key: key.to_vec(),
            index,
        })
    }

    /// Replace the list element at `index`.
    pub fn list_set(&mut self, key: &[u8], index: usize, value: Vec<u8>) -> bool {
        self.apply(WriteOp::ListSet {
            key: key.to_vec(),
            index,
            value,
        })
    }

    /// Delete a key.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        self.apply(WriteOp::Delete { key: key.to_vec() })
    }

    /// Set or clear a key's expiry.
    pub fn set_expiry(&mut self, key: &[u8], at_ms: Option<i64>) -> bool {
        self.apply(WriteOp::SetExpiry {
            key: key.to_vec(),
            at_ms,
        })
    }

    /// Copy a live value to `dst` (replacing it) via primitives; `expire_at` is set on `dst`.
    pub fn write_value(&mut self, dst: &[u8], value: &Value, expire_at: Option<i64>) {
        self.delete(dst);
        match value {
            Value::Str(s) => self.set_string(dst, s.clone()),
            Value::Hash(h) => {
                for (f, v) in h {
                    self.hash_set(dst, f, v.clone());
                }
            }
            Value::Set(s) => {
                for m in s {
                    self.set_add(dst, m);
                }
            }
            Value::List(l) => {
                for (i, v) in l.iter().enumerate() {
                    self.list_insert(dst, i, v.clone());
                }
            }
            Value::ZSet(z) => {
                for (m, s) in z.iter() {
                    self.zset_put(dst, m, s);
                }
            }
        }
        if expire_at.is_some() {
            self.set_expiry(dst, expire_at);
        }
    }

    /// Set a key's view (the key gets a slot if it has none).
    fn insert_entry(&mut self, key: &[u8], entry: Entry) {
        let k = match self.slots.get_key_value(key) {
            Some((k, _)) => k.clone(),
            None => {
                let k: Arc<[u8]> = Arc::from(key);
                self.slots.insert(k.clone(), Box::default());
                k
            }
        };
        if let Some(slot) = self.slots.get_mut(key) {
            if slot.view.replace(entry).is_none() {
                self.index_insert(k);
            }
        }
    }

    /// A view appeared for key `k`: index it for SCAN and count it.
    fn index_insert(&mut self, k: Arc<[u8]>) {
        self.views += 1;
        if is_system_key(&k) {
            self.system_count += 1;
        }
        self.order.insert((order_hash(&k), k));
    }

    /// A view disappeared for key `k`.
    fn index_remove(&mut self, k: Arc<[u8]>) {
        self.views = self.views.saturating_sub(1);
        if is_system_key(&k) {
            self.system_count = self.system_count.saturating_sub(1);
        }
        self.order.remove(&(order_hash(&k), k));
    }

    /// Drop a key's view (its CRDT state stays). Returns true when it had one.
    fn remove_entry(&mut self, key: &[u8]) -> bool {
        let Some((k, slot)) = self.slots.get_key_value(key) else {
            return false;
        };
        if slot.view.is_none() {
            return false;
        }
        let k = k.clone();
        if let Some(slot) = self.slots.get_mut(key) {
            slot.take_view();
        }
        self.index_remove(k);
        true
    }

    /// Apply one local write. The single mutation entry point for commands: the op is turned
    /// into HLC-stamped [`Effect`]s (list indexes resolved to element ids here, at the
    /// origin; a key tombstone first when the write starts a new value over existing state
    /// of another type or over an expired key), each applied by [`Keyspace::merge_apply`] —
    /// the function remote effects go through — and queued in the outbox. Returns true when
    /// the visible state changed.
    pub fn apply(&mut self, op: WriteOp) -> bool {
        self.record(&op);
        self.apply_local(op)
    }

    /// Before a local write: the journal's copy (the undo record saves per effect, in
    /// [`Keyspace::emit_hashed`]).
    fn record(&mut self, op: &WriteOp) {
        // The op's buffers move into its effects; only a journal needs its own copy.
        if let Some(j) = self.journal.as_mut() {
            j.push(op.clone());
        }
    }

    /// Stamp, merge and queue one local effect. The key is taken by value: the last effect
    /// of a write takes over the write op's own key buffer.
    fn emit(&mut self, key: Vec<u8>, op: Op) {
        self.emit_hashed(hasher::key_hash(&key), key, op);
    }

    /// [`Keyspace::emit`] with the key's hash ([`hasher::key_hash`]) already computed.
    #[inline]
    fn emit_hashed(&mut self, hash: u64, key: Vec<u8>, op: Op) {
        let now = u64::try_from(self.now_ms).unwrap_or(0);
        let stamp = self.hlc.tick(now);
        if self.undo.active {
            self.undo_before(hash, &key, &op, stamp);
        }
        let e = Effect { stamp, key, op };
        self.merge_apply_hashed(hash, &e.as_view());
        self.outbox.push(e);
    }

    /// Before creating a value of `kind` at `key`: a key tombstone when the live value is of
    /// another kind (or absent) while the key still has state, keeping a live value's TTL.
    #[inline]
    fn prepare_kind(&mut self, key: &[u8], kind: Kind) {
        let live = self.live_kind(key);
        self.prepare_kind_seen(key, kind, live);
    }

    /// [`Keyspace::prepare_kind`] with the live kind and expiry already read.
    fn prepare_kind_seen(&mut self, key: &[u8], kind: Kind, live: Option<(Kind, Option<i64>)>) {
        if live.map(|l| l.0) == Some(kind) {
            return;
        }
        // One lookup of the state for both questions below.
        let Some((m_expire, m_winner, m_content)) = self
            .key_meta(key)
            .map(|m| (m.expire_at(), m.winner(), m.has_content()))
        else {
            // No state at all (a new key): nothing to tombstone.
            return;
        };
        if live.is_none() {
            // Nothing visible, but the state is already of this kind and not expired: a
            // list whose elements wait for their anchors, a hash or set whose fields were
            // all removed. A key tombstone here would also remove what is still in flight
            // (concurrent fields, list elements that have not arrived), acknowledged
            // writes included. The key starts afresh only in its TTL: an empty key has none.
            let expired = m_expire.is_some_and(|t| t <= self.now_ms);
            if !expired && m_winner == Some(kind) {
                if m_expire.is_some() {
                    self.emit(key.to_vec(), Op::Expire(None));
                }
                return;
            }
        }
        if m_content {
            self.emit(key.to_vec(), Op::Delete);
            if let Some((_, Some(t))) = live {
                self.emit(key.to_vec(), Op::Expire(Some(t)));
            }
        }
    }

    fn list_len(&self, key: &[u8]) -> usize {
        match self.get_list(key) {
            Ok(Some(l)) => l.len(),
            _ => 0,
        }
    }

    fn list_id(&self, key: &[u8], index: usize) -> Option<Stamp> {
        if index >= self.list_len(key) {
            return None;
        }
        let visible = self.list_len(key);
        let m = self.key_meta(key)?;
        m.list()?.id_at(index, m.del, visible)
    }

    fn apply_local(&mut self, op: WriteOp) -> bool {
        match op {
            WriteOp::SetString { key, value } => {
                self.prepare_kind(&key, Kind::Str);
                self.emit(key, Op::Str(value));
                true
            }
            WriteOp::HashSet { key, field, value } => {
                self.prepare_kind(&key, Kind::Hash);
                self.emit(key, Op::HashSet { field, value });
                true
            }
            WriteOp::HashDel { key, field } => {
                let present = matches!(self.get_hash(&key), Ok(Some(h)) if h.contains_key(&field));
                if present {
                    self.emit(key, Op::HashDel { field });
                }
                present
            }
            WriteOp::SetAdd { key, member } => {
                if matches!(self.get_set(&key), Ok(Some(s)) if s.contains(&member)) {
                    return false;
                }
                self.prepare_kind(&key, Kind::Set);
                self.emit(key, Op::SetAdd { member });
                true
            }
            WriteOp::SetRem { key, member } => {
                let present = matches!(self.get_set(&key), Ok(Some(s)) if s.contains(&member));
                if present {
                    self.emit(key, Op::SetRem { member });
                }
                present
            }
            WriteOp::ZsetPut { key, member, score } => {
                if score.is_nan() {
                    return false;
                }
                self.prepare_kind(&key, Kind::ZSet);
                self.emit(key, Op::ZPut { member, score });
                true
            }
            WriteOp::ZsetRem { key, member } => {
                let present =
                    matches!(self.get_zset(&key), Ok(Some(z)) if z.score(&member).is_some());
                if present {
                    self.emit(key, Op::ZRem { member });
                }
                present
            }
            WriteOp::ListInsert { key, index, value } => {
                // One hash of the key for the read, the type check and the merge (a push
                // into an existing list: one lookup before the merge instead of three).
                let hash = hasher::key_hash(&key);
                let entry = self.get_hashed(hash, &key);
                let live = entry.map(Entry::kind_and_expiry);
                let len = match entry.map(|e| &e.value) {
                    Some(Value::List(l)) => l.len(),
                    _ => 0,
                };
                if index > len {
                    return false;
                }
                self.prepare_kind_seen(&key, Kind::List, live);
                let after = if index == 0 {
                    Some(Stamp::ZERO)
                } else {
                    self.list_id(&key, index - 1)
                };
                let Some(after) = after else {
                    return false;
                };
                self.emit_hashed(hash, key, Op::ListInsert { after, value });
                true
            }
            WriteOp::ListRemove { key, index } => match self.list_id(&key, index) {
                Some(id) => {
                    self.emit(key, Op::ListRemove { id });
                    true
                }
                None => false,
            },
            WriteOp::ListSet { key, index, value } => match self.list_id(&key, index) {
                Some(id) => {
                    self.emit(key, Op::ListSet { id, value });
                    true
                }
                None => false,
            },
            WriteOp::Delete { key } => {
                let existed = self.exists(&key);
                if existed || self.key_meta(&key).is_some_and(KeyMeta::has_content) {
                    self.emit(key, Op::Delete);
                }
                existed
            }
            WriteOp::SetExpiry { key, at_ms } => {
                let Some(cur) = self.expiry(&key) else {
                    return false;
                };
                match at_ms {
                    // Like Redis, an expiry in the past is a deletion.
                    Some(t) if t <= self.now_ms => {
                        self.emit(key, Op::Delete);
                        true
                    }
                    _ if cur == at_ms => false,
                    _ => {
                        self.emit(key, Op::Expire(at_ms));
                        true
                    }
                }
            }
        }
    }

    /// Merge one effect (local or remote) into the CRDT state and update the view. Pure:
    /// does not depend on the current time. Idempotent, commutative and associative (see
    /// docs/effects.md). Returns true when the CRDT state changed.
    pub fn merge_apply(&mut self, e: &EffectRef<'_>) -> bool {
        self.merge_apply_hashed(hasher::key_hash(e.key), e)
    }

    /// [`Keyspace::merge_apply`] with `hash` = [`hasher::key_hash`] of the effect's key.
    fn merge_apply_hashed(&mut self, hash: u64, e: &EffectRef<'_>) -> bool {
        // One lookup: the CRDT state and the view are updated through the key's slot. A new
        // key's bytes are copied once, shared by the slot map and the SCAN index.
        let mut new_key = None;
        let slot = match self.slots.get_mut_hashed(hash, e.key) {
            Some(s) => s,
            None => {
                let k: Arc<[u8]> = Arc::from(e.key);
                new_key = Some(k.clone());
                self.slots.insert_new(hash, k, Box::default())
            }
        };
        let Slot { meta, view: entry } = &mut **slot;
        Slot::lend(meta, entry);
        // The list view's length: lets list positions be counted from the nearer end.
        let view_len = match entry {
            Some(Entry {
                value: Value::List(l),
                ..
            }) => l.len(),
            _ => 0,
        };
        let before = meta.winner();
        let del = meta.del;
        // A list removal needs the element's visible index before it disappears.
        let removed_at = match &e.op {
            Op::ListRemove { id } if before == Some(Kind::List) => meta
                .list()
                .and_then(|l| l.visible_index(*id, del, view_len)),
            _ => None,
        };
        let merged = meta.merge(e);
        if merged == Merged::No {
            Slot::lend(meta, entry);
            return false;
        }
        let after = meta.winner();
        let kind = Kind::of_op(&e.op);
        let incremental =
            before == after && !matches!(e.op, Op::Delete) && (kind.is_none() || kind == after);
        let patched = match entry {
            Some(entry) if incremental && after == Some(Kind::of(&entry.value)) => {
                Self::patch(meta, entry, e, merged, removed_at)
            }
            _ => false,
        };
        if patched {
            Slot::lend(meta, entry);
            return true;
        }
        // Rebuild the view from the state; keep the SCAN index and counts in step. A string
        // view starts empty and takes the register's bytes below (no copy).
        let had = entry.is_some();
        let view = match after {
            Some(Kind::Str) => meta.string.as_ref().map(|_| Value::Str(Vec::new())),
            k => k.and_then(|k| meta.view_of(k)),
        };
        match view {
            Some(value) => {
                let expire_at = meta.expire_at();
                *entry = Some(Entry { value, expire_at });
                Slot::lend(meta, entry);
                if !had {
                    let k = match new_key {
                        Some(k) => k,
                        None => self.slot_key(e.key),
                    };
                    self.index_insert(k);
                }
            }
            None => {
                if had {
                    *entry = None;
                    let k = self.slot_key(e.key);
                    self.index_remove(k);
                }
            }
        }
        true
    }

    /// The shared key of an existing slot.
    fn slot_key(&self, key: &[u8]) -> Arc<[u8]> {
        match self.slots.get_key_value(key) {
            Some((k, _)) => k.clone(),
            None => Arc::from(key),
        }
    }

    /// Incremental view update for an effect on the winning type (the key has a view of that
    /// type). Returns false when the view must be rebuilt from the state instead.
    fn patch(
        meta: &KeyMeta,
        entry: &mut Entry,
        e: &EffectRef<'_>,
        merged: Merged,
        removed_at: Option<usize>,
    ) -> bool {
        let mut full = false;
        let el = match (e.op, meta.elems()) {
            (Op::Str(_) | Op::Expire(_), _) => None,
            (_, Some(el)) => Some(el),
            // A collection effect merged: the state has its box.
            (_, None) => return false,
        };
        match (e.op, &mut entry.value, el) {
            // The register (merged in place) hands its bytes to the view after the patch.
            (Op::Str(_), Value::Str(_), _) => {}
            // An element effect that merged won its LWW register: the element's state is
            // now the effect's payload, so the view is patched from the effect itself.
            (Op::HashSet { field, value }, Value::Hash(h), _) => {
                if merged == Merged::Fresh {
                    // Absent from the view before: inserted without a lookup first.
                    h.insert(field.to_vec(), value.to_vec());
                } else {
                    match h.get_mut(field) {
                        // Overwrites reuse the view's buffer (no allocation when it fits).
                        Some(slot) => assign_bytes(slot, value),
                        None => {
                            h.insert(field.to_vec(), value.to_vec());
                        }
                    }
                }
            }
            (Op::HashDel { field }, Value::Hash(h), _) => {
                h.remove(field);
            }
            (Op::SetAdd { member }, Value::Set(st), _) => {
                if merged == Merged::Fresh || !st.contains(member) {
                    st.insert(member.to_vec());
                }
            }
            (Op::SetRem { member }, Value::Set(st), _) => {
                st.remove(member);
            }
            (Op::ZPut { member, score }, Value::ZSet(z), Some(el)) => {
                match el.zset.get_key_value(member) {
                    // A new member: the view shares the state's copy of its bytes.
                    Some((m, _)) if merged == Merged::Fresh => {
                        z.put_shared(m.clone(), score);
                    }
                    _ => {
                        z.put(member, score);
                    }
                }
            }
            (Op::ZRem { member }, Value::ZSet(z), _) => {
                z.remove(member);
            }
            (Op::ListInsert { value, .. }, Value::List(l), Some(el)) => match merged {
                Merged::Placed(1) => match el.list.visible_index(e.stamp, meta.del, l.len() + 1) {
                    Some(i) if i <= l.len() => {
                        let v = el
                            .list
                            .value_of(e.stamp)
                            .map_or_else(|| value.to_vec(), <[u8]>::to_vec);
                        l.insert(i, v);
                    }
                    Some(_) => full = true,
                    None => {}
                },
                Merged::Placed(_) => full = true,
                _ => {
                    // Value of an already placed element or an orphan: rebuild if visible.
                    full = el
                        .list
                        .visible_index(e.stamp, meta.del, l.len() + 1)
                        .is_some();
                }
            },
            (Op::ListRemove { .. }, Value::List(l), _) => match removed_at {
                Some(i) if i < l.len() => {
                    l.remove(i);
                }
                // Not visible before (already removed, or an orphan): nothing to do; a
                // position that does not fit the view means the view must be rebuilt.
                Some(_) => full = true,
                None => {}
            },
            (Op::ListSet { id, .. }, Value::List(l), Some(el)) => {
                if let Some(i) = el.list.visible_index(id, meta.del, l.len()) {
                    match (l.get_mut(i), el.list.value_of(id)) {
                        (Some(slot), Some(v)) => assign_bytes(slot, v),
                        _ => full = true,
                    }
                }
            }
            (Op::Expire(_), _, _) => entry.expire_at = meta.expire_at(),
            _ => full = true,
        }
        !full && !entry.value.is_empty_collection()
    }

    // ---------------------------------------------------------------- digest

    /// DEBUG DIGEST: the XOR of one SHA1 per live user key over (key, expiry, canonical value),
    /// so it is independent of insertion order and of how keys are spread over shards (the
    /// digest of a union of disjoint keyspaces is the XOR of their digests). All zeros for an
    /// empty dataset, as in Redis.
    pub fn digest(&self) -> [u8; 20] {
        use sha1::{Digest, Sha1};
        let mut acc = [0u8; 20];
        for k in self.user_keys() {
            if let Some(e) = self.get(k) {
                let mut h = Sha1::new();
                write_chunk(&mut h, k);
                h.update(e.expire_at.map_or([0xff; 8], |t| t.to_be_bytes()));
                dump_value(&mut h, &e.value);
                let d: [u8; 20] = h.finalize().into();
                for (a, b) in acc.iter_mut().zip(d) {
                    *a ^= b;
                }
            }
        }
        acc
    }

    /// DEBUG DIGEST-VALUE: SHA1 of one key's canonical value (all zeros when missing).
    pub fn digest_value(&self, key: &[u8]) -> [u8; 20] {
        use sha1::{Digest, Sha1};
        match self.value(key) {
            None => [0; 20],
            Some(v) => {
                let mut h = Sha1::new();
                dump_value(&mut h, v);
                h.finalize().into()
            }
        }
    }
}

fn write_chunk(h: &mut sha1::Sha1, b: &[u8]) {
    use sha1::Digest;
    h.update((b.len() as u64).to_be_bytes());
    h.update(b);
}

fn dump_value(h: &mut sha1::Sha1, v: &Value) {
    use sha1::Digest;
    match v {
        Value::Str(s) => {
            h.update([b's']);
            write_chunk(h, s);
        }
        Value::Hash(m) => {
            h.update([b'h']);
            h.update((m.len() as u64).to_be_bytes());
            for (f, x) in m {
                write_chunk(h, f);
                write_chunk(h, x);
            }
        }
        Value::Set(s) => {
            h.update([b'S']);
            h.update((s.len() as u64).to_be_bytes());
            for m in s {
                write_chunk(h, m);
            }
        }
        Value::List(l) => {
            h.update([b'l']);
            h.update((l.len() as u64).to_be_bytes());
            for x in l {
                write_chunk(h, x);
            }
        }
        Value::ZSet(z) => {
            h.update([b'z']);
            h.update((z.len() as u64).to_be_bytes());
            let members: Vec<(&[u8], f64)> = z.iter().collect();
            // Member order (members are distinct) through the engine's keyed sort.
            let order = sorted_indexes(
                members
                    .iter()
                    .enumerate()
                    .map(|(i, &(m, _))| (0, m, i))
                    .collect(),
            );
            for (m, s) in take_in_order(members, order) {
                write_chunk(h, m);
                h.update(s.to_bits().to_be_bytes());
            }
        }
    }
}

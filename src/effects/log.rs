//! Replication state of a shard: per-partition version vectors, a bounded effect log,
//! outgoing batches, catch-up (`effects_since`), snapshots and tombstone collection; and the
//! [`Shard`] API over them.
//!
//! A version vector maps origin → stamp `s` meaning "every effect of that origin (in this
//! partition) stamped ≤ `s` has been applied". A batch group claims to contain every effect
//! of its origin in `(prev, upto]`; when `prev` ≤ the local entry, the effects are applied,
//! logged and the entry advances to `upto`. Otherwise (a gap: an earlier batch was dropped or
//! delayed) the effects are still applied — merging is idempotent — but neither logged nor
//! counted; catch-up from a peer's log or a snapshot fills the gap later.
//!
//! A shard's own entry is reported as its HLC's last stamp (it holds all of its own effects
//! up to its clock), so idle nodes keep advancing the vectors used for tombstone collection.

use super::codec::{self, BatchWriter, VersionVector};
use super::parts::PartMap;
use super::{Effect, EffectError, EffectRef, SYSTEM_PARTITION};
use crate::engine::Shard;
use crate::hlc::Stamp;
use crate::keyspace::is_system_key;
use crate::router::PartitionMap;
use std::collections::VecDeque;
use std::sync::Arc;

/// Default number of effects kept in each partition's log.
pub const DEFAULT_LOG_CAPACITY: usize = 10_000;
/// Default number of local effects kept for the next `take_effects` (beyond the logs'
/// capacity: see [`Replication::outgoing_capacity`]).
pub const DEFAULT_OUTGOING_CAPACITY: usize = 100_000;

/// A logged effect, kept encoded. Local effects are encoded as they are collected from the
/// keyspace's outbox, into their partition's outgoing group body ([`Partition::out`]); those
/// not yet handed out by `take_effects` are the outgoing effects (`Pending`, no queue of
/// their own), and `take_effects` sends their bytes as they are, then shares them with the
/// log like a remote group's (`Remote`). Remote effects stay encoded: each applied batch group
/// is copied once into a buffer its logged effects share (one allocation per group, not a key
/// and a value per effect). An effect is read back ([`codec::effect_at`]) only when a catch-up
/// sends it on. So a local write's key and value buffers go back to the keyspace's spare
/// buffers as soon as its effect is collected (the next write reuses them while they are
/// still in cache), instead of living in the log until it is trimmed.
#[derive(Debug, Clone)]
enum Logged {
    /// An own effect not yet taken, in the partition's `out` at these offsets (`at`: its
    /// first byte).
    Pending {
        stamp: Stamp,
        tag: u8,
        at: u32,
        key_at: u32,
        op_at: u32,
    },
    Remote {
        stamp: Stamp,
        group: Arc<[u8]>,
        tag: u8,
        key_at: u32,
        op_at: u32,
    },
}

impl Logged {
    fn stamp(&self) -> Stamp {
        match self {
            Logged::Pending { stamp, .. } | Logged::Remote { stamp, .. } => *stamp,
        }
    }

    /// The effect, borrowed from the log or from `out` (its partition's [`Partition::out`])
    /// (fails only if the bytes are not what was encoded or validated, which cannot happen;
    /// callers then send a snapshot instead).
    fn view<'a>(&'a self, out: &'a [u8]) -> Result<EffectRef<'a>, EffectError> {
        match self {
            Logged::Pending {
                stamp,
                tag,
                key_at,
                op_at,
                ..
            } => codec::effect_at(out, *stamp, *tag, *key_at, *op_at),
            Logged::Remote {
                stamp,
                group,
                tag,
                key_at,
                op_at,
            } => codec::effect_at(group, *stamp, *tag, *key_at, *op_at),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Partition {
    /// The version vector, except for own effects collected since it was last read: those
    /// raise `own_top` only (a store, where a vector update is a map search per effect).
    /// Read it through [`Partition::vv`] / [`Partition::vv_mut`].
    vv: VersionVector,
    /// The newest own effect collected and not yet folded into `vv` (`Stamp::ZERO`: none).
    own_top: Stamp,
    /// Per origin: the log cannot serve effects at or below this stamp, with `floor_top`
    /// (read both through [`Partition::floor_at`]).
    floor: VersionVector,
    /// The last trimmed run's newest stamp, not yet folded into `floor` (`Stamp::ZERO`:
    /// none). A log at capacity trims one effect per write, nearly always of the same
    /// origin as the previous trim: a store instead of a map update per write.
    floor_top: Stamp,
    log: VecDeque<Logged>,
    /// Own effects up to this stamp were handed out by `take_effects` (or dropped).
    sent: Stamp,
    /// Own effects stamped after `sent`, all in the log (the newest own entries, `Pending`):
    /// the next `take_effects` group of this partition.
    pending: usize,
    /// The pending effects' encoding ([`codec::put_effect`]): the body of the next group,
    /// the first effect's stamp relative to `sent` — unless pending effects were dropped from
    /// its front (the outgoing effects overflowed), then the first pending one starts past 0
    /// and is encoded again when the group is sent.
    out: Vec<u8>,
    /// The newest pending effect's stamp `ms` and key (in `out`): what the next one is
    /// encoded relative to.
    out_ms: u64,
    out_key: Option<OutKey>,
}

/// Where the newest pending effect's key is in [`Partition::out`]: its encoding starts at
/// `at`, its bytes are `start..end`.
#[derive(Debug, Clone, Copy)]
struct OutKey {
    at: u32,
    start: u32,
    end: u32,
}

impl OutKey {
    /// The key of an effect [`codec::put_effect`] just wrote (`key_at`, `op_at`: what it
    /// returned), or the previous one when it had the same key.
    fn after(prev: Option<OutKey>, key_at: Option<u32>, op_at: u32, len: usize) -> OutKey {
        match key_at {
            Some(at) => OutKey {
                at,
                start: op_at - len as u32,
                end: op_at,
            },
            None => prev.unwrap_or(OutKey {
                at: 0,
                start: 0,
                end: 0,
            }),
        }
    }
}

/// Replication state of one shard.
#[derive(Debug, Clone)]
pub struct Replication {
    parts: PartMap<Partition>,
    /// Own effects not yet taken, over all partitions.
    pending: usize,
    /// Per known peer, its version vector per partition (sorted by partition). Vectors, not
    /// maps: a handful of peers, set now and then, read by tombstone collection; a map of maps
    /// costs its own `BTreeMap` code in the wasm module.
    peers: Vec<(u64, Vec<(u16, VersionVector)>)>,
    /// Effects kept per partition log. Local writes trim a log in runs, once it holds a
    /// sixteenth more than this (see [`trim_slack`]).
    pub log_capacity: usize,
    /// Local effects kept until `take_effects`. They live in the logs, which keep them past
    /// `log_capacity` until this many are pending over all partitions; past it the oldest of
    /// the partition being written are dropped (its next group's `prev` says so; peers catch
    /// up).
    pub outgoing_capacity: usize,
}

impl Default for Replication {
    fn default() -> Self {
        Replication {
            parts: PartMap::default(),
            pending: 0,
            peers: Vec::new(),
            log_capacity: DEFAULT_LOG_CAPACITY,
            outgoing_capacity: DEFAULT_OUTGOING_CAPACITY,
        }
    }
}

/// The largest group body buffer a partition keeps between groups (bytes): enough for a
/// live link's batches of ~1,000 effects; a larger one (a burst with no taker) is freed.
const OUT_KEEP_BYTES: usize = 1 << 16;

/// How far past its capacity a partition's log grows from local writes before they trim it
/// back: trimming one entry per write touched the log's cold oldest end on every write (in
/// wasm a sixth of an `INCR` once the logs were full); a run of entries at a time reads it
/// in order. Small logs (tests, tiny configurations) are trimmed exactly.
fn trim_slack(cap: usize) -> usize {
    cap / 16
}

fn at(vv: &VersionVector, origin: u64) -> Stamp {
    vv.get(&origin).copied().unwrap_or(Stamp::new(0, 0, origin))
}

/// A peer lacks the effects of `origin` stamped in `(req, upto]`: `(origin, req, upto)`.
type Missing = (u64, Stamp, Stamp);

/// The logged effects of `origin` stamped in `(req, upto]`, newest first. The log holds each
/// origin's effects in increasing stamp order (own effects as the clock stamps them; remote
/// ones only when they extend the contiguous range, so above everything logged before), so
/// the walk from the newest end stops at the first effect of `origin` at or below `req`: a
/// peer that lags by a few batches costs those effects, not the whole log (links ask this on
/// every vector exchange, for every partition).
fn in_range_rev(
    p: &Partition,
    origin: u64,
    req: Stamp,
    upto: Stamp,
) -> impl Iterator<Item = &Logged> {
    p.log
        .iter()
        .rev()
        .filter(move |e| e.stamp().node == origin)
        .take_while(move |e| e.stamp() > req)
        .filter(move |e| e.stamp() <= upto)
}

fn raise(vv: &mut VersionVector, origin: u64, s: Stamp) {
    let e = vv.entry(origin).or_insert(Stamp::new(0, 0, origin));
    if s > *e {
        *e = s;
    }
}

impl Replication {
    fn part(&mut self, p: u16) -> &mut Partition {
        self.parts.get_or_default(p)
    }
}

impl Partition {
    /// The version vector (own effects collected since the last read included).
    fn vv(&self) -> VersionVector {
        let mut vv = self.vv.clone();
        if self.own_top != Stamp::ZERO {
            raise(&mut vv, self.own_top.node, self.own_top);
        }
        vv
    }

    /// The version vector, for reading or changing in place.
    fn vv_mut(&mut self) -> &mut VersionVector {
        if self.own_top != Stamp::ZERO {
            let top = std::mem::replace(&mut self.own_top, Stamp::ZERO);
            raise(&mut self.vv, top.node, top);
        }
        &mut self.vv
    }

    /// Raise the floor of `s.node` to `s`.
    fn raise_floor(&mut self, s: Stamp) {
        if self.floor_top.node != s.node && self.floor_top != Stamp::ZERO {
            raise(&mut self.floor, self.floor_top.node, self.floor_top);
            self.floor_top = Stamp::ZERO;
        }
        if s > self.floor_top {
            self.floor_top = s;
        }
    }

    /// The floor of `origin`.
    fn floor_at(&self, origin: u64) -> Stamp {
        let f = at(&self.floor, origin);
        if self.floor_top.node == origin && self.floor_top != Stamp::ZERO {
            f.max(self.floor_top)
        } else {
            f
        }
    }

    /// Index in the log of the oldest pending own effect (the log's length when none).
    fn pending_start(&self) -> usize {
        let mut left = self.pending;
        let mut i = self.log.len();
        while left > 0 && i > 0 {
            i -= 1;
            if matches!(self.log.get(i), Some(Logged::Pending { .. })) {
                left -= 1;
            }
        }
        i
    }

    /// The newest pending own effect's stamp.
    fn newest_pending(&self) -> Option<Stamp> {
        if self.pending == 0 {
            return None;
        }
        self.log.iter().rev().find_map(|l| match l {
            Logged::Pending { stamp, .. } => Some(*stamp),
            Logged::Remote { .. } => None,
        })
    }

    /// The key of the newest pending effect (none: `out` is empty).
    fn out_key(&self) -> Option<&[u8]> {
        self.out_key
            .and_then(|k| self.out.get(k.start as usize..k.end as usize))
    }

    /// Encode a collected own effect into `out` and log it as pending. `known_same`: its key
    /// is known to equal the newest pending effect's ([`Partition::out_key`]); otherwise the
    /// keys are compared (the group's encoding marks every repeated key, as
    /// [`BatchWriter::group`] does).
    fn push_own(&mut self, e: &Effect, known_same: bool) {
        let same_key = known_same
            || self
                .out_key()
                .is_some_and(|k| crate::same_bytes::same_bytes(k, &e.key));
        let last_ms = if self.out.is_empty() {
            self.sent.ms
        } else {
            self.out_ms
        };
        let at = self.out.len() as u32;
        let same_key = same_key && self.out_key.is_some();
        let (key_at, op_at) =
            codec::put_effect(&mut self.out, &e.as_view(), last_ms, same_key, e.stamp.node);
        let key = OutKey::after(self.out_key, key_at, op_at, e.key.len());
        self.out_ms = e.stamp.ms;
        self.out_key = Some(key);
        self.log.push_back(Logged::Pending {
            stamp: e.stamp,
            tag: e.op.tag(),
            at,
            key_at: key.at,
            op_at,
        });
        self.pending += 1;
    }

    /// Encode the pending effects into `out` again, from the first one still pending (after
    /// some were dropped from the front, the first one's encoding refers to a dropped one).
    fn reencode_pending(&mut self) {
        let start = self.pending_start();
        let old = std::mem::take(&mut self.out);
        self.out = Vec::with_capacity(old.len());
        self.out_key = None;
        let mut last_ms = self.sent.ms;
        let mut last_key: Option<&[u8]> = None;
        for l in self.log.range_mut(start..) {
            let Logged::Pending {
                stamp,
                tag,
                at,
                key_at,
                op_at,
            } = l
            else {
                continue;
            };
            // The bytes were encoded by `push_own`: reading them back cannot fail.
            let Ok(e) = codec::effect_at(&old, *stamp, *tag, *key_at, *op_at) else {
                continue;
            };
            let same_key = last_key == Some(e.key);
            *at = self.out.len() as u32;
            let (k, o) = codec::put_effect(&mut self.out, &e, last_ms, same_key, stamp.node);
            let key = OutKey::after(self.out_key, k, o, e.key.len());
            *key_at = key.at;
            *op_at = o;
            self.out_key = Some(key);
            last_ms = stamp.ms;
            last_key = Some(e.key);
        }
        self.out_ms = last_ms;
    }

    /// The pending effects were sent (or dropped): they become log entries sharing one copy
    /// of their bytes, and `out` starts the next group.
    fn seal_pending(&mut self) {
        let start = self.pending_start();
        let mut shared: Option<Arc<[u8]>> = None;
        for l in self.log.range_mut(start..) {
            if let Logged::Pending {
                stamp,
                tag,
                key_at,
                op_at,
                ..
            } = *l
            {
                let group = shared
                    .get_or_insert_with(|| Arc::from(&self.out[..]))
                    .clone();
                *l = Logged::Remote {
                    stamp,
                    group,
                    tag,
                    key_at,
                    op_at,
                };
            }
        }
        self.clear_out();
    }

    /// Empty `out` for the next group, letting go of a buffer a burst made large.
    fn clear_out(&mut self) {
        if self.out.capacity() > OUT_KEEP_BYTES {
            self.out = Vec::new();
        } else {
            self.out.clear();
        }
        self.out_key = None;
    }

    /// Trim the log to `cap` effects, raising the floor of each trimmed effect's origin: a
    /// run of consecutive effects of one origin (a batch applied at once trims in runs)
    /// raises it once, with the run's largest stamp. Own effects not yet taken stop the trim
    /// (the log keeps them past `cap`) unless `drop_pending`; those dropped advance `sent`
    /// (the next group must not claim them). Returns how many pending effects were dropped.
    fn trim(&mut self, cap: usize, drop_pending: bool) -> usize {
        let mut run: Option<Stamp> = None;
        let mut dropped = 0;
        // How far into `out` the dropped pending effects reach (at least).
        let mut dropped_to = 0;
        while self.log.len() > cap {
            let Some(front) = self.log.front() else {
                break;
            };
            if let Logged::Pending { stamp, op_at, .. } = *front {
                if !drop_pending {
                    break;
                }
                self.sent = stamp;
                self.pending -= 1;
                dropped += 1;
                dropped_to = op_at;
            }
            let Some(old) = self.log.pop_front() else {
                break;
            };
            let s = old.stamp();
            run = match run {
                Some(r) if r.node == s.node => Some(r.max(s)),
                Some(r) => {
                    self.raise_floor(r);
                    Some(s)
                }
                None => Some(s),
            };
        }
        if let Some(r) = run {
            self.raise_floor(r);
        }
        if self.pending == 0 {
            // Nothing left of the group (the bytes the log still shares were copied out).
            self.clear_out();
        } else if dropped > 0 && dropped_to as usize > self.out.len() / 2 {
            // Most of `out` was dropped: encode what is left anew (amortised: once each time
            // the dropped bytes pass half of it), so a writer nobody takes from keeps `out`
            // bounded by the pending effects.
            self.reencode_pending();
        }
        dropped
    }
}

/// Key → partition for replication (system records: [`SYSTEM_PARTITION`]).
fn partition_of(shard: &Shard, key: &[u8]) -> u16 {
    partition_in(shard.partition_map(), key)
}

fn partition_in(pmap: PartitionMap, key: &[u8]) -> u16 {
    if is_system_key(key) {
        SYSTEM_PARTITION
    } else if pmap.count() == 1 {
        // Every slot is in partition 0: no CRC16 of the key needed.
        0
    } else {
        pmap.partition_of_key(key)
    }
}

impl Shard {
    /// This shard's node id (origin of its effects).
    pub fn node_id(&self) -> u64 {
        self.ks.node_id()
    }

    /// Set the node id. Every node (every shard that accepts writes independently) needs a
    /// distinct id; the default is derived from the seed.
    pub fn set_node_id(&mut self, node: u64) {
        self.ks.set_node_id(node);
    }

    /// Bound (ms) on how far ahead of local time a remote stamp may be (see [`crate::hlc`]).
    pub fn set_max_drift_ms(&mut self, ms: u64) {
        self.ks.hlc_mut().set_max_drift_ms(ms);
    }

    /// Replication settings and state.
    pub fn replication_mut(&mut self) -> &mut Replication {
        &mut self.repl
    }

    /// Move local effects from the keyspace outbox into the logs (not inside a script: its
    /// effects leave together or, if it is aborted, not at all).
    pub fn collect_effects(&mut self) {
        self.collect_effects_routed(None);
    }

    /// [`Shard::collect_effects`] knowing the partition of one key (`routed`: the key of the
    /// command just run, already routed by `check_keys`): its effects skip the CRC16.
    pub(crate) fn collect_effects_routed(&mut self, routed: Option<(u16, &[u8])>) {
        if self.ks.undo_active() || self.ks.outbox_len() == 0 {
            return;
        }
        let pmap = self.partition_map();
        let repl = &mut self.repl;
        let (log_cap, out_cap) = (repl.log_capacity, repl.outgoing_capacity);
        // Consecutive effects often share a key (a type change's Delete + write, a script's
        // writes): route each key once (the previous effect is the newest entry of its log).
        let mut last: Option<u16> = None;
        let (outbox, spare) = self.ks.drain_outbox_and_spare();
        for e in outbox {
            // The previous effect is the newest pending one of its partition.
            let same = last.filter(|&lp| {
                repl.parts
                    .get(lp)
                    .and_then(Partition::out_key)
                    .is_some_and(|k| crate::same_bytes::same_bytes(k, &e.key))
            });
            let p = match same {
                Some(p) => p,
                None => match routed {
                    Some((p, k))
                        if crate::same_bytes::same_bytes(k, &e.key) && !is_system_key(k) =>
                    {
                        p
                    }
                    _ => partition_in(pmap, &e.key),
                },
            };
            last = Some(p);
            repl.pending += 1;
            let drop_pending = repl.pending > out_cap;
            let part = repl.parts.get_or_default(p);
            // Own stamps only grow (one clock), and they are all `me`'s: `vv` gets the
            // newest when next read (`max`: an older stamp can never lower it).
            debug_assert!(e.stamp > part.own_top);
            part.own_top = part.own_top.max(e.stamp);
            part.push_own(&e, same.is_some());
            // Encoded: its buffers serve the next writes.
            spare.keep_effect(e);
            if drop_pending || part.log.len() > log_cap + trim_slack(log_cap) {
                let dropped = part.trim(log_cap, drop_pending);
                repl.pending -= dropped;
            }
        }
    }

    /// Number of local effects waiting for [`Shard::take_effects`].
    pub fn pending_effects(&mut self) -> usize {
        self.collect_effects();
        self.repl.pending
    }

    /// Drop the pending local effects without encoding them (a shard with no live link:
    /// they stay in the log for catch-up). The next group of each partition will not claim
    /// them, exactly as when the outgoing effects overflow. Returns how many were dropped.
    pub fn discard_effects(&mut self) -> usize {
        self.collect_effects();
        let n = self.repl.pending;
        let cap = self.repl.log_capacity;
        for (_, part) in self.repl.parts.iter_mut() {
            if let Some(newest) = part.newest_pending() {
                part.sent = part.sent.max(newest);
                part.seal_pending();
            }
            part.pending = 0;
            part.trim(cap, false);
        }
        self.repl.pending = 0;
        n
    }

    /// The outgoing batch: every local effect since the previous call, one group per
    /// partition, in order (a script's effects are contiguous). Always a valid batch (an
    /// empty one when there is nothing to send). Encoded straight from the logs.
    pub fn take_effects(&mut self) -> Vec<u8> {
        self.collect_effects();
        let me = self.ks.node_id();
        let cap = self.repl.log_capacity;
        if self.repl.pending == 0 {
            return BatchWriter::new().finish();
        }
        // Header first and the body reserved: no copy of the batch at the end (a group is
        // ≈ 20 bytes plus each effect's key and value).
        let groups = self
            .repl
            .parts
            .iter()
            .filter(|(_, p)| p.pending > 0)
            .count();
        let mut w = BatchWriter::expecting(groups as u64, groups * 32 + self.repl.pending * 24);
        for (p, part) in self.repl.parts.iter_mut() {
            if part.pending == 0 {
                continue;
            }
            // The pending effects were encoded as they were collected: their bytes are the
            // group's body (the first one encoded again only if some were dropped before it).
            let first_at = part.pending_start();
            if matches!(part.log.get(first_at), Some(Logged::Pending { at, .. }) if *at != 0) {
                part.reencode_pending();
            }
            let prev = part.sent.max(Stamp::new(0, 0, me));
            let upto = part.newest_pending().unwrap_or(prev);
            w.group_encoded(p, me, prev, upto, part.pending, &part.out);
            part.seal_pending();
            part.sent = upto;
            part.pending = 0;
            // Pending effects may have kept the log past its capacity: sent, they go.
            part.trim(cap, false);
        }
        self.repl.pending = 0;
        w.finish()
    }

    fn check_group_keys(
        &self,
        g_partition: u16,
        keys: &mut dyn Iterator<Item = &[u8]>,
    ) -> Result<(), EffectError> {
        if g_partition != SYSTEM_PARTITION && !self.owns(g_partition) {
            return Err(EffectError::Partition(format!(
                "partition {g_partition} is not served by this shard"
            )));
        }
        let mut last: Option<&[u8]> = None;
        for k in keys {
            // Consecutive effects of one key (a write's Delete + value, a script's writes)
            // are checked once.
            if last == Some(k) {
                continue;
            }
            last = Some(k);
            if partition_of(self, k) != g_partition {
                return Err(EffectError::Partition(format!(
                    "key '{}' is not in partition {g_partition}",
                    String::from_utf8_lossy(k)
                )));
            }
        }
        Ok(())
    }

    /// Before merging remote stamps up to `max` at local time `now_ms`: refuse them beyond the
    /// drift bound (nothing changed yet), move pending local effects out of the keyspace (they
    /// were stamped before), then advance the HLC past `max`.
    fn receive_clock(&mut self, max: Stamp, now_ms: i64) -> Result<(), EffectError> {
        let now = u64::try_from(now_ms).unwrap_or(0);
        if max != Stamp::ZERO {
            self.ks.hlc().check(max, now).map_err(EffectError::Drift)?;
        }
        self.collect_effects();
        if max != Stamp::ZERO {
            self.ks
                .hlc_mut()
                .recv(max, now)
                .map_err(EffectError::Drift)?;
        }
        Ok(())
    }

    /// Apply an incoming batch at local time `now_ms`. Validated whole before anything
    /// changes: a malformed batch, a partition this shard does not own, a key outside its
    /// group's partition or a stamp beyond the drift bound rejects it all. Returns the
    /// number of effects in the batch. Never inlined: profiles (bench/effects.rs under
    /// callgrind) measure apply as this function's inclusive cost.
    #[inline(never)]
    pub fn apply_effects_at(&mut self, bytes: &[u8], now_ms: i64) -> Result<usize, EffectError> {
        let groups = codec::decode_batch_view(bytes)?;
        let mut max = Stamp::ZERO;
        for g in &groups {
            self.check_group_keys(g.partition, &mut g.effects.iter().map(|p| p.effect.key))?;
            max = max.max(g.upto);
        }
        self.receive_clock(max, now_ms)?;
        let mut n = 0;
        for g in groups {
            for p in &g.effects {
                self.ks.merge_apply(&p.effect);
            }
            n += g.effects.len();
            let cap = self.repl.log_capacity;
            let drop_pending = self.repl.pending > self.repl.outgoing_capacity;
            let part = self.repl.parts.get_or_default(g.partition);
            let cur = at(part.vv_mut(), g.origin);
            if g.prev <= cur {
                // The group's bytes, copied once for all its logged effects.
                let mut shared: Option<Arc<[u8]>> = None;
                for p in g.effects.iter().filter(|p| p.effect.stamp > cur) {
                    let group = shared.get_or_insert_with(|| Arc::from(g.bytes)).clone();
                    part.log.push_back(Logged::Remote {
                        stamp: p.effect.stamp,
                        group,
                        tag: p.effect.op.tag(),
                        key_at: p.key_at,
                        op_at: p.op_at,
                    });
                }
                let dropped = part.trim(cap, drop_pending);
                raise(part.vv_mut(), g.origin, g.upto);
                self.repl.pending -= dropped;
            }
        }
        Ok(n)
    }

    /// [`Shard::apply_effects_at`] at the host's current time.
    pub fn apply_effects(&mut self, bytes: &[u8]) -> Result<usize, EffectError> {
        self.apply_effects_at(bytes, crate::host::unix_ms() as i64)
    }

    /// The version vector of a partition (own entry = the HLC's last stamp).
    pub fn version_vector(&mut self, partition: u16) -> VersionVector {
        self.collect_effects();
        let me = self.ks.node_id();
        let last = self.ks.hlc().last();
        let mut vv = self
            .repl
            .parts
            .get(partition)
            .map(Partition::vv)
            .unwrap_or_default();
        raise(&mut vv, me, last);
        vv
    }

    /// Partitions with replication state (owned partitions and the system partition).
    pub fn replicated_partitions(&self) -> Vec<u16> {
        // Kept sorted by inserting in place (no sort instantiation for a cold list).
        let mut v: Vec<u16> = Vec::new();
        let mut add = |p: u16| {
            if let Err(i) = v.binary_search(&p) {
                v.insert(i, p);
            }
        };
        for (p, _) in self.repl.parts.iter() {
            add(p);
        }
        for p in 0..self.partition_map().count() {
            if self.owns(p) {
                add(p);
            }
        }
        add(SYSTEM_PARTITION);
        v
    }

    /// What a peer at version vector `vv` lacks of `partition`: per origin the range
    /// `(req, upto]` of stamps, with the partition's state whose log holds those effects;
    /// [`EffectError::NeedSnapshot`] when the log no longer reaches back that far.
    fn missing(
        &mut self,
        partition: u16,
        vv: &VersionVector,
    ) -> Result<(Vec<Missing>, Option<&Partition>), EffectError> {
        let mine = self.version_vector(partition);
        let part = self.repl.parts.get(partition);
        let mut ranges = Vec::new();
        for (&origin, &upto) in &mine {
            let req = at(vv, origin);
            if req >= upto {
                continue;
            }
            if part.is_some_and(|p| p.floor_at(origin) > req) {
                return Err(EffectError::NeedSnapshot);
            }
            ranges.push((origin, req, upto));
        }
        Ok((ranges, part))
    }

    /// A batch with every effect of `partition` a peer at version vector `vv` lacks, from the
    /// log; [`EffectError::NeedSnapshot`] when the log no longer reaches back that far.
    pub fn effects_since(
        &mut self,
        partition: u16,
        vv: &VersionVector,
    ) -> Result<Vec<u8>, EffectError> {
        let (ranges, part) = self.missing(partition, vv)?;
        // Encoded straight from the log (references, no copy of the effects).
        let mut w = BatchWriter::new();
        let mut effects: Vec<EffectRef<'_>> = Vec::new();
        for (origin, req, upto) in ranges {
            effects.clear();
            if let Some(p) = part {
                for e in in_range_rev(p, origin, req, upto) {
                    // Never fails (the log holds validated bytes); if it did, a snapshot
                    // serves the peer instead of a group that claims effects it lacks.
                    effects.push(e.view(&p.out).map_err(|_| EffectError::NeedSnapshot)?);
                }
                effects.reverse();
            }
            w.group(partition, origin, req, upto, effects.iter().copied());
        }
        Ok(w.finish())
    }

    /// How many logged effects of `partition` a peer at version vector `vv` lacks (what
    /// [`Shard::effects_since`] would carry), without encoding them; a peer that lacks only
    /// vector claims (no effects) counts 0. [`EffectError::NeedSnapshot`] as `effects_since`.
    pub fn lacking(&mut self, partition: u16, vv: &VersionVector) -> Result<usize, EffectError> {
        let (ranges, part) = self.missing(partition, vv)?;
        Ok(part.map_or(0, |p| {
            ranges
                .iter()
                .map(|&(origin, req, upto)| in_range_rev(p, origin, req, upto).count())
                .sum()
        }))
    }

    /// Snapshot of a partition's CRDT state with its version vector.
    pub fn export_snapshot(&mut self, partition: u16) -> Vec<u8> {
        let vv = self.version_vector(partition);
        let pmap = self.partition_map();
        let effects = self.ks.state_effects(|k| {
            if is_system_key(k) {
                partition == SYSTEM_PARTITION
            } else {
                pmap.partition_of_key(k) == partition
            }
        });
        codec::encode_snapshot(partition, &vv, effects.iter())
    }

    /// Merge a snapshot (the same join as effects). Validated whole first. Returns the number
    /// of state effects merged.
    pub fn import_snapshot_at(&mut self, bytes: &[u8], now_ms: i64) -> Result<usize, EffectError> {
        let snap = codec::decode_snapshot_view(bytes)?;
        self.check_group_keys(snap.partition, &mut snap.effects.iter().map(|e| e.key))?;
        let max = snap
            .effects
            .iter()
            .map(|e| e.stamp)
            .chain(snap.vv.values().copied())
            .max()
            .unwrap_or(Stamp::ZERO);
        self.receive_clock(max, now_ms)?;
        for e in &snap.effects {
            self.ks.merge_apply(e);
        }
        let part = self.repl.part(snap.partition);
        for (&origin, &s) in &snap.vv {
            if s > at(part.vv_mut(), origin) {
                part.raise_floor(Stamp::new(s.ms, s.c, origin));
                raise(part.vv_mut(), origin, s);
            }
        }
        Ok(snap.effects.len())
    }

    /// [`Shard::import_snapshot_at`] at the host's current time.
    pub fn import_snapshot(&mut self, bytes: &[u8]) -> Result<usize, EffectError> {
        self.import_snapshot_at(bytes, crate::host::unix_ms() as i64)
    }

    /// Record a peer's version vector for a partition (tombstone collection waits for every
    /// known peer).
    pub fn set_peer_version_vector(&mut self, peer: u64, partition: u16, vv: VersionVector) {
        let peers = &mut self.repl.peers;
        let i = match peers.iter().position(|(p, _)| *p == peer) {
            Some(i) => i,
            None => {
                peers.push((peer, Vec::new()));
                peers.len() - 1
            }
        };
        let parts = &mut peers[i].1;
        match parts.binary_search_by_key(&partition, |(q, _)| *q) {
            Ok(j) => parts[j].1 = vv,
            Err(j) => parts.insert(j, (partition, vv)),
        }
    }

    /// Forget a peer (it left the cluster for good).
    pub fn remove_peer(&mut self, peer: u64) {
        self.repl.peers.retain(|(p, _)| *p != peer);
    }

    /// The stamp every known peer (and this shard) has passed for every known origin.
    pub fn stable_stamp(&mut self, partition: u16) -> Stamp {
        let mine = self.version_vector(partition);
        let mut vvs = vec![mine];
        for (_, parts) in &self.repl.peers {
            let vv = match parts.binary_search_by_key(&partition, |(q, _)| *q) {
                Ok(j) => parts[j].1.clone(),
                Err(_) => VersionVector::new(),
            };
            vvs.push(vv);
        }
        // The minimum over every vector of its entry for every origin any of them names (a
        // missing entry is ZERO). Origins named by several vectors are visited once per
        // vector: the minimum does not change, and no set of origins (a sort) is needed.
        let mut stable: Option<Stamp> = None;
        for w in &vvs {
            for o in w.keys() {
                for v in &vvs {
                    let s = v.get(o).copied().unwrap_or(Stamp::ZERO);
                    stable = Some(stable.map_or(s, |x| x.min(s)));
                }
            }
        }
        stable.unwrap_or(Stamp::ZERO)
    }

    /// [`Shard::collect_garbage`] for every replicated partition in one pass over the keys
    /// (a pass per partition costs a walk of the whole keyspace each).
    pub fn collect_garbage_all(&mut self) -> usize {
        // Ascending by partition (`replicated_partitions` is), looked up by binary search: a
        // few partitions, no hash map instantiation of its own.
        let mut stable: Vec<(u16, Stamp)> = Vec::new();
        for p in self.replicated_partitions() {
            let s = self.stable_stamp(p);
            if s != Stamp::ZERO {
                stable.push((p, s));
            }
        }
        if stable.is_empty() {
            return 0;
        }
        let pmap = self.partition_map();
        self.ks.collect_tombstones_by(|k| {
            let p = if is_system_key(k) {
                SYSTEM_PARTITION
            } else {
                pmap.partition_of_key(k)
            };
            let i = stable.binary_search_by_key(&p, |(q, _)| *q).ok()?;
            Some(stable[i].1)
        })
    }

    /// Collect tombstones of a partition that every known peer has passed. Returns the number
    /// of tombstones (and bare key states) dropped.
    pub fn collect_garbage(&mut self, partition: u16) -> usize {
        let stable = self.stable_stamp(partition);
        if stable == Stamp::ZERO {
            return 0;
        }
        let pmap = self.partition_map();
        self.ks.collect_tombstones(stable, |k| {
            if is_system_key(k) {
                partition == SYSTEM_PARTITION
            } else {
                pmap.partition_of_key(k) == partition
            }
        })
    }
}

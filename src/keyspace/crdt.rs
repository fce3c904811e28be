//! Per-key CRDT state behind the materialized keyspace view.
//!
//! A key's state is a product of join-semilattices, so merging effects is idempotent,
//! commutative and associative by construction:
//! - `del`: the key tombstone (max stamp of `Delete` effects); anything stamped ≤ `del` is dead;
//! - `expiry`: LWW register `(stamp, Option<at_ms>)`;
//! - one sub-state per type: string LWW register; hash/set/zset per-element LWW maps where a
//!   removal is an element with a tombstone payload; a list RGA ([`Rga`]);
//! - `type_ts[kind]`: max stamp ever merged into that type's sub-state.
//!
//! The collection sub-states and their `type_ts` live in one box ([`Elems`]) that a key gets
//! with its first collection effect: a string key does not carry them.
//!
//! The **view** (what reads see) is a pure function of the state: the type whose `type_ts` is
//! the highest among those above `del` is the key's type (concurrent writes of different types:
//! the latest stamp wins); its live elements are the value (no live element → no key); expiry is
//! the LWW expiry when stamped after `del`. Local writes always carry the highest stamp the
//! node has seen, so their type wins locally, and a local type change first emits a key
//! tombstone so that the old value's elements cannot resurface.
//!
//! LWW ties (equal stamps, only possible from a node that reuses stamps) are broken by the
//! payload, so even then the outcome does not depend on delivery order.

use super::rga::{ElemState, Rga};
use super::{Hash, Set, Value, ZSet};
use crate::effects::{Effect, EffectRef, Op};
use crate::engine::keyed_sort::sorted_indexes;
use crate::hlc::Stamp;
use std::borrow::Borrow;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Value kinds, in tie-break order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Str = 0,
    Hash = 1,
    Set = 2,
    ZSet = 3,
    List = 4,
}

impl Kind {
    /// Kind of a materialized value.
    pub fn of(v: &Value) -> Kind {
        match v {
            Value::Str(_) => Kind::Str,
            Value::Hash(_) => Kind::Hash,
            Value::Set(_) => Kind::Set,
            Value::ZSet(_) => Kind::ZSet,
            Value::List(_) => Kind::List,
        }
    }

    /// Kind written by an op (`None` for `Delete` / `Expire`).
    pub fn of_op<B>(op: &Op<B>) -> Option<Kind> {
        Some(match op {
            Op::Str(_) => Kind::Str,
            Op::HashSet { .. } | Op::HashDel { .. } => Kind::Hash,
            Op::SetAdd { .. } | Op::SetRem { .. } => Kind::Set,
            Op::ZPut { .. } | Op::ZRem { .. } => Kind::ZSet,
            Op::ListInsert { .. } | Op::ListRemove { .. } | Op::ListSet { .. } => Kind::List,
            Op::Delete | Op::Expire(_) => return None,
        })
    }
}

/// `(stamp, payload)` LWW comparison: true when the new pair wins over the old one.
fn wins(new: Stamp, old: Stamp, cmp: impl FnOnce() -> Ordering) -> bool {
    match new.cmp(&old) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => cmp() == Ordering::Greater,
    }
}

/// The CRDT state of one key. The registers every key has (key tombstone, expiry, string)
/// are inline; the collection sub-states are boxed apart ([`Elems`], allocated by the first
/// collection effect), so a string key's state is 5 words of stamps and one pointer instead
/// of ≈ 400 bytes of empty maps.
#[derive(Debug, Clone, Default)]
pub struct KeyMeta {
    pub del: Stamp,
    pub expiry: (Stamp, Option<i64>),
    /// `type_ts[Kind::Str]` (the collection kinds' are in [`Elems::ts`]).
    str_ts: Stamp,
    pub string: Option<(Stamp, Vec<u8>)>,
    elems: Option<Box<Elems>>,
    /// [`KeyMeta::winner`], kept up to date by every change of a type stamp or of `del`
    /// (it was computed twice per merged effect).
    win: Option<Kind>,
}

/// The key-level part of a [`KeyMeta`]: what an element effect or an expiry changes besides
/// the element itself (the type stamps, the winner, the expiry). The keyspace's undo record
/// saves it per effect instead of the whole state (see `undo.rs`).
#[derive(Debug, Clone, Copy)]
pub struct MetaScalars {
    del: Stamp,
    expiry: (Stamp, Option<i64>),
    str_ts: Stamp,
    ts: Option<[Stamp; 4]>,
    win: Option<Kind>,
}

/// The collection sub-states of a key (see [`KeyMeta`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Elems {
    /// `type_ts` of Hash, Set, ZSet and List (index `kind - 1`).
    ts: [Stamp; 4],
    pub hash: BTreeMap<Vec<u8>, (Stamp, Option<Vec<u8>>)>,
    pub set: BTreeMap<Vec<u8>, (Stamp, bool)>,
    /// Members shared with the key's sorted-set view (one copy of each member's bytes).
    pub zset: BTreeMap<Arc<[u8]>, (Stamp, Option<f64>)>,
    pub list: Rga,
}

impl Elems {
    /// True when it holds nothing a missing box would not (no elements, no type stamps).
    fn is_void(&self) -> bool {
        self.ts == [Stamp::ZERO; 4]
            && self.hash.is_empty()
            && self.set.is_empty()
            && self.zset.is_empty()
            && self.list.is_empty()
    }
}

impl PartialEq for KeyMeta {
    /// Equal states: a missing [`Elems`] box equals an empty one.
    fn eq(&self, o: &Self) -> bool {
        let elems = match (self.elems.as_deref(), o.elems.as_deref()) {
            (Some(a), Some(b)) => a == b,
            (Some(x), None) | (None, Some(x)) => x.is_void(),
            (None, None) => true,
        };
        self.del == o.del
            && self.expiry == o.expiry
            && self.str_ts == o.str_ts
            && self.string == o.string
            && elems
    }
}

/// What a merge did (for incremental view maintenance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merged {
    /// Nothing changed.
    No,
    /// State changed.
    Yes,
    /// A list insert placed this many elements.
    Placed(usize),
    /// A hash field, set member or sorted-set member that was absent or removed: a view
    /// that matched the state before does not hold it.
    Fresh,
}

/// What an element merge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lww {
    /// The old element won (nothing changed).
    Lost,
    /// A live element was replaced.
    Replaced,
    /// The element was absent or removed before.
    Fresh,
}

impl Lww {
    fn merged(self) -> Merged {
        match self {
            Lww::Lost => Merged::No,
            Lww::Replaced => Merged::Yes,
            Lww::Fresh => Merged::Fresh,
        }
    }
}

/// Per-element LWW merge of `(stamp, v)` into `map[k]`; `live` tells a live payload from a
/// tombstone.
fn lww_map<K, V>(
    map: &mut BTreeMap<K, (Stamp, V)>,
    k: &[u8],
    stamp: Stamp,
    v: V,
    cmp: impl FnOnce(&V, &V) -> Ordering,
    live: impl FnOnce(&V) -> bool,
) -> Lww
where
    K: Ord + Borrow<[u8]> + for<'a> From<&'a [u8]>,
{
    match map.get_mut(k) {
        Some(old) => {
            if wins(stamp, old.0, || cmp(&v, &old.1)) {
                let was = live(&old.1);
                *old = (stamp, v);
                if was {
                    Lww::Replaced
                } else {
                    Lww::Fresh
                }
            } else {
                Lww::Lost
            }
        }
        None => {
            map.insert(K::from(k), (stamp, v));
            Lww::Fresh
        }
    }
}

/// `*dst = src`, reusing `dst`'s buffer when it fits and is not much larger (an overwrite of
/// a same-sized value allocates nothing; a small value does not keep a huge buffer alive).
pub(crate) fn assign_bytes(dst: &mut Vec<u8>, src: &[u8]) {
    if dst.capacity() >= src.len() && dst.capacity() <= 2 * src.len() + 64 {
        dst.clear();
        dst.extend_from_slice(src);
    } else {
        *dst = src.to_vec();
    }
}

/// [`lww_map`] for a hash field set to `value`: the value is copied only when it wins, into
/// the old value's buffer when there is one (an overwrite that fits allocates nothing).
fn lww_field(
    map: &mut BTreeMap<Vec<u8>, (Stamp, Option<Vec<u8>>)>,
    k: &[u8],
    stamp: Stamp,
    value: &[u8],
) -> Lww {
    match map.get_mut(k) {
        Some(old) => {
            let cmp = || match &old.1 {
                Some(o) => value.cmp(o),
                None => Ordering::Greater,
            };
            if !wins(stamp, old.0, cmp) {
                return Lww::Lost;
            }
            old.0 = stamp;
            match &mut old.1 {
                Some(o) => {
                    assign_bytes(o, value);
                    Lww::Replaced
                }
                slot => {
                    *slot = Some(value.to_vec());
                    Lww::Fresh
                }
            }
        }
        None => {
            map.insert(k.to_vec(), (stamp, Some(value.to_vec())));
            Lww::Fresh
        }
    }
}

fn cmp_opt_f64(a: &Option<f64>, b: &Option<f64>) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => x.total_cmp(y),
        _ => a.is_some().cmp(&b.is_some()),
    }
}

/// A hash's view from its CRDT state: the live fields. Built by inserts, not `collect`:
/// `BTreeMap`'s `FromIterator` sorts its input (a stable-sort instantiation per element type)
/// even though it comes in order. Out of line: a rebuild is the replication path's cold case.
#[inline(never)]
fn hash_view(state: &BTreeMap<Vec<u8>, (Stamp, Option<Vec<u8>>)>) -> Hash {
    let mut h = Hash::new();
    for (f, (_, v)) in state {
        if let Some(v) = v {
            h.insert(f.clone(), v.clone());
        }
    }
    h
}

/// A set's view from its CRDT state: the live members (inserts, as [`hash_view`]).
#[inline(never)]
fn set_view(state: &BTreeMap<Vec<u8>, (Stamp, bool)>) -> Set {
    let mut st = Set::new();
    for (m, (_, live)) in state {
        if *live {
            st.insert(m.clone());
        }
    }
    st
}

/// Whether an element state is live (not a tombstone).
trait Live {
    fn live(&self) -> bool;
}

impl Live for bool {
    fn live(&self) -> bool {
        *self
    }
}

impl<T> Live for Option<T> {
    fn live(&self) -> bool {
        self.is_some()
    }
}

/// Drops the elements stamped ≤ `bound`, but not the one stamped `keep` nor, when
/// `tombstones_only`, live ones. One `retain` instantiation per element map for the key
/// tombstone's purge and for tombstone collection (each its own closure type before).
#[inline(never)]
fn prune<K: Ord, V: Live>(
    map: &mut BTreeMap<K, (Stamp, V)>,
    bound: Stamp,
    keep: Option<Stamp>,
    tombstones_only: bool,
) {
    map.retain(|_, (s, v)| *s > bound || Some(*s) == keep || (tombstones_only && v.live()));
}

impl KeyMeta {
    /// The winning type, if any type has anything stamped after the key tombstone.
    pub fn winner(&self) -> Option<Kind> {
        self.win
    }

    /// [`KeyMeta::winner`] computed from the stamps.
    fn compute_winner(&self) -> Option<Kind> {
        const KINDS: [Kind; 4] = [Kind::Hash, Kind::Set, Kind::ZSet, Kind::List];
        let mut best: Option<(Stamp, Kind)> =
            (self.str_ts > self.del).then_some((self.str_ts, Kind::Str));
        if let Some(e) = &self.elems {
            // Ties go to the later kind.
            for (t, k) in e.ts.into_iter().zip(KINDS) {
                if t > self.del && best.is_none_or(|(b, _)| t >= b) {
                    best = Some((t, k));
                }
            }
        }
        best.map(|(_, k)| k)
    }

    /// The collection sub-states, if any collection effect was ever merged.
    pub fn elems(&self) -> Option<&Elems> {
        self.elems.as_deref()
    }

    /// The key-level part of the state (see [`MetaScalars`]).
    pub fn scalars(&self) -> MetaScalars {
        MetaScalars {
            del: self.del,
            expiry: self.expiry,
            str_ts: self.str_ts,
            ts: self.elems().map(|e| e.ts),
            win: self.win,
        }
    }

    /// Puts back the key-level part saved by [`KeyMeta::scalars`] (the elements are the
    /// caller's to restore).
    pub fn restore_scalars(&mut self, s: &MetaScalars) {
        self.del = s.del;
        self.expiry = s.expiry;
        self.str_ts = s.str_ts;
        if let Some(ts) = s.ts {
            self.elems_mut().ts = ts;
        }
        self.win = s.win;
    }

    /// The collection sub-states for an in-place change, if the key has any.
    pub(super) fn elems_mut_existing(&mut self) -> Option<&mut Elems> {
        self.elems.as_deref_mut()
    }

    /// The collection sub-states, allocated on first use.
    fn elems_mut(&mut self) -> &mut Elems {
        self.elems.get_or_insert_with(Box::default)
    }

    /// The list RGA, if the key has collection state.
    pub fn list(&self) -> Option<&Rga> {
        self.elems().map(|e| &e.list)
    }

    /// The effective expiry.
    pub fn expire_at(&self) -> Option<i64> {
        if self.expiry.0 > self.del {
            self.expiry.1
        } else {
            None
        }
    }

    /// True when anything is stamped after the key tombstone (a write to the key would
    /// need a tombstone first to start from an empty value).
    pub fn has_content(&self) -> bool {
        self.winner().is_some() || self.expiry.0 > self.del
    }

    /// True when the state holds nothing but (possibly) a key tombstone.
    pub fn is_bare(&self) -> bool {
        self.string.is_none()
            && self.elems.as_deref().is_none_or(|e| {
                e.hash.is_empty() && e.set.is_empty() && e.zset.is_empty() && e.list.is_empty()
            })
            && self.expiry.0 <= self.del
    }

    /// The type stamp of `k`.
    fn type_ts(&self, k: Kind) -> Stamp {
        match k {
            Kind::Str => self.str_ts,
            k => self.elems().map_or(Stamp::ZERO, |e| e.ts[k as usize - 1]),
        }
    }

    fn bump(&mut self, k: Kind, s: Stamp) {
        let t = match k {
            Kind::Str => &mut self.str_ts,
            k => &mut self.elems_mut().ts[k as usize - 1],
        };
        if s <= *t {
            return;
        }
        *t = s;
        // Only `k`'s stamp grew: the winner is the old one or `k` (the highest
        // `(stamp, kind)` above `del`, as in `compute_winner`).
        if s > self.del {
            let win = match self.win {
                Some(w) if w != k => (self.type_ts(w), w) > (s, k),
                _ => false,
            };
            if !win {
                self.win = Some(k);
            }
        }
    }

    /// Merge one effect into the state.
    pub fn merge(&mut self, e: &EffectRef<'_>) -> Merged {
        let m = self.merge_inner(e);
        debug_assert_eq!(self.win, self.compute_winner());
        m
    }

    fn merge_inner(&mut self, e: &EffectRef<'_>) -> Merged {
        let s = e.stamp;
        let yes = |b: bool| if b { Merged::Yes } else { Merged::No };
        // Everything but list inserts (anchors for later elements) is dead at or below the
        // key tombstone.
        if s <= self.del && !matches!(e.op, Op::ListInsert { .. }) {
            return Merged::No;
        }
        if let Some(k) = Kind::of_op(&e.op) {
            self.bump(k, s);
        }
        match &e.op {
            Op::Str(v) => {
                let newer = match &mut self.string {
                    None => {
                        self.string = Some((s, v.to_vec()));
                        true
                    }
                    Some((old, ov)) => {
                        let newer = wins(s, *old, || v.cmp(&ov.as_slice()));
                        if newer {
                            // Reuses the register's buffer (an overwrite allocates nothing
                            // when the new value fits).
                            *old = s;
                            assign_bytes(ov, v);
                        }
                        newer
                    }
                };
                yes(newer)
            }
            Op::HashSet { field, value } => {
                lww_field(&mut self.elems_mut().hash, field, s, value).merged()
            }
            Op::HashDel { field } => lww_map(
                &mut self.elems_mut().hash,
                field,
                s,
                None,
                |a, b| a.cmp(b),
                Option::is_some,
            )
            .merged(),
            Op::SetAdd { member } => lww_map(
                &mut self.elems_mut().set,
                member,
                s,
                true,
                |a, b| a.cmp(b),
                |l| *l,
            )
            .merged(),
            Op::SetRem { member } => lww_map(
                &mut self.elems_mut().set,
                member,
                s,
                false,
                |a, b| a.cmp(b),
                |l| *l,
            )
            .merged(),
            Op::ZPut { member, score } => {
                let score = if *score == 0.0 { 0.0 } else { *score };
                lww_map(
                    &mut self.elems_mut().zset,
                    member,
                    s,
                    Some(score),
                    cmp_opt_f64,
                    Option::is_some,
                )
                .merged()
            }
            Op::ZRem { member } => lww_map(
                &mut self.elems_mut().zset,
                member,
                s,
                None,
                cmp_opt_f64,
                Option::is_some,
            )
            .merged(),
            Op::ListInsert { after, value } => match self.elems_mut().list.insert(s, *after, value)
            {
                (false, _) => Merged::No,
                (true, 0) => Merged::Yes,
                (true, n) => Merged::Placed(n),
            },
            Op::ListRemove { id } => yes(self.elems_mut().list.remove(*id, s)),
            Op::ListSet { id, value } => yes(self.elems_mut().list.set(*id, s, value)),
            Op::Delete => {
                self.del = s;
                self.purge();
                self.win = self.compute_winner();
                Merged::Yes
            }
            Op::Expire(at) => {
                let newer = wins(s, self.expiry.0, || {
                    at.unwrap_or(i64::MIN)
                        .cmp(&self.expiry.1.unwrap_or(i64::MIN))
                });
                if newer {
                    self.expiry = (s, *at);
                }
                yes(newer)
            }
        }
    }

    /// Drop what the key tombstone made dead (list elements stay as anchors).
    fn purge(&mut self) {
        let del = self.del;
        if self.string.as_ref().is_some_and(|(s, _)| *s <= del) {
            self.string = None;
        }
        if let Some(e) = &mut self.elems {
            prune(&mut e.hash, del, None, false);
            prune(&mut e.set, del, None, false);
            prune(&mut e.zset, del, None, false);
        }
        if self.expiry.0 <= del {
            self.expiry = (Stamp::ZERO, None);
        }
    }

    /// The materialized value (None: the key does not exist).
    pub fn view(&self) -> Option<Value> {
        self.view_of(self.winner()?)
    }

    /// [`KeyMeta::view`] when the winner is already known (`kind` = [`KeyMeta::winner`]).
    pub fn view_of(&self, kind: Kind) -> Option<Value> {
        let del = self.del;
        if kind == Kind::Str {
            return Some(Value::Str(self.string.as_ref()?.1.clone()));
        }
        let el = self.elems()?;
        let v = match kind {
            Kind::Str => return None,
            Kind::Hash => Value::Hash(hash_view(&el.hash)),
            Kind::Set => Value::Set(set_view(&el.set)),
            Kind::ZSet => {
                let mut z = ZSet::new();
                for (m, (_, sc)) in &el.zset {
                    if let Some(sc) = sc {
                        z.put_shared(m.clone(), *sc);
                    }
                }
                Value::ZSet(z)
            }
            Kind::List => Value::List(el.list.values(del)),
        };
        (!v.is_empty_collection()).then_some(v)
    }

    /// Drop tombstones stamped ≤ `stable` (every peer has seen everything up to it).
    /// Returns the number of tombstones dropped. List tombstones are kept: they anchor
    /// elements that may still be inserted after them.
    pub fn collect(&mut self, stable: Stamp) -> usize {
        // The element carrying a type's max stamp is kept even when it is a tombstone: the
        // winning type must stay derivable from the elements (snapshots re-derive it).
        let Some(e) = &mut self.elems else {
            return 0;
        };
        let before = e.hash.len() + e.set.len() + e.zset.len();
        let [th, ts, tz, _] = e.ts;
        prune(&mut e.hash, stable, Some(th), true);
        prune(&mut e.set, stable, Some(ts), true);
        prune(&mut e.zset, stable, Some(tz), true);
        before - (e.hash.len() + e.set.len() + e.zset.len())
    }

    /// The state as effects (snapshots): merging them into any replica joins this state.
    /// `string`: the string register's bytes (the keyspace keeps them in a string view).
    pub fn to_effects(&self, key: &[u8], string: Option<&[u8]>, out: &mut Vec<Effect>) {
        let mut push = |stamp: Stamp, op: Op| {
            out.push(Effect {
                stamp,
                key: key.to_vec(),
                op,
            })
        };
        if self.del != Stamp::ZERO {
            push(self.del, Op::Delete);
        }
        if self.expiry.0 != Stamp::ZERO {
            push(self.expiry.0, Op::Expire(self.expiry.1));
        }
        if let (Some((s, _)), Some(v)) = (&self.string, string) {
            push(*s, Op::Str(v.to_vec()));
        }
        let Some(el) = self.elems() else {
            return;
        };
        for (f, (s, v)) in &el.hash {
            push(
                *s,
                match v {
                    Some(v) => Op::HashSet {
                        field: f.clone(),
                        value: v.clone(),
                    },
                    None => Op::HashDel { field: f.clone() },
                },
            );
        }
        for (m, (s, live)) in &el.set {
            let member = m.clone();
            push(
                *s,
                if *live {
                    Op::SetAdd { member }
                } else {
                    Op::SetRem { member }
                },
            );
        }
        for (m, (s, sc)) in &el.zset {
            let member = m.to_vec();
            push(
                *s,
                match sc {
                    Some(score) => Op::ZPut {
                        member,
                        score: *score,
                    },
                    None => Op::ZRem { member },
                },
            );
        }
        // In id order (an insert's anchor is older than the element), sorted by the engine's
        // keyed sort on `(ms, counter and node as big-endian bytes)` (no sort instantiation
        // of its own for this cold path).
        let elems: Vec<ElemState<'_>> = el.list.states().collect();
        let tails: Vec<[u8; 12]> = elems
            .iter()
            .map(|e| {
                let mut t = [0; 12];
                t[..4].copy_from_slice(&e.id.c.to_be_bytes());
                t[4..].copy_from_slice(&e.id.node.to_be_bytes());
                t
            })
            .collect();
        let order = sorted_indexes(
            elems
                .iter()
                .zip(&tails)
                .enumerate()
                .map(|(i, (e, t))| (e.id.ms, &t[..], i))
                .collect(),
        );
        for e in order.into_iter().map(|i| &elems[i]) {
            let id = e.id;
            match (e.after, e.value) {
                (Some(after), Some((vs, v))) => {
                    push(
                        id,
                        Op::ListInsert {
                            after,
                            value: v.to_vec(),
                        },
                    );
                    if vs != id {
                        push(
                            vs,
                            Op::ListSet {
                                id,
                                value: v.to_vec(),
                            },
                        );
                    }
                }
                (None, Some((vs, v))) => push(
                    vs,
                    Op::ListSet {
                        id,
                        value: v.to_vec(),
                    },
                ),
                _ => {}
            }
            if let Some(r) = e.removed {
                push(r, Op::ListRemove { id });
            }
        }
    }
}

//! The list CRDT: a replicated growable array (RGA).
//!
//! Elements are identified by the stamp of their insert and inserted after an existing
//! element (`Stamp::ZERO` = the head); siblings are ordered newest first. `seq` is the linear
//! order of every placed element, tombstones included (they stay as anchors).
//!
//! Layout, for lists of millions of elements (`LPUSH` in a loop): the elements live in an
//! append-only arena (`slab`) in arrival order, and `seq` holds arena indexes. The map from an
//! element's id to its arena index is built only when an id has to be found that is not at
//! either end of the list and not the newest element — a merge of a peer's insert in the
//! middle, an `LSET`/`LREM`/`LINSERT` — and kept up to date from then on. A node's own pushes
//! never need it: a local insert's stamp is above every stamp the node has seen, so it cannot
//! exist yet (`max_id`), and its anchor is the head or the last element. An earlier layout kept
//! every element in a hash map keyed by id: ≈ 750 B per element and a cache miss per push into
//! a table of hundreds of megabytes (docs/performance.md, "LPUSH").

use super::arena::Arena;
use super::hasher::Map;
use super::List;
use crate::hlc::Stamp;
use std::cell::{Cell, OnceCell};
use std::cmp::Ordering;
use std::collections::VecDeque;

/// `Elem::flags`: the insert has arrived (`after` is known).
const HAS_AFTER: u8 = 1;
/// `Elem::flags`: a value has arrived (`value` is set).
const HAS_VALUE: u8 = 2;
/// `Elem::flags`: the element is in `seq` (its ancestors are all known).
const PLACED: u8 = 4;
/// `Elem::flags`: the value's LWW stamp is not the element id but the one in
/// `Rga::value_ts` (an `LSET`, or a set that arrived before the insert).
const OWN_TS: u8 = 8;

/// One list element of the RGA (88 bytes on wasm32, 104 on 64-bit targets: the stamps are most of it).
#[derive(Debug, Clone, PartialEq)]
pub struct Elem {
    /// The insert's stamp (the element's identity).
    id: Stamp,
    /// The element this one was inserted after (`ZERO` = head); meaningful with `HAS_AFTER`
    /// (a remove or set for this id can arrive before its insert).
    after: Stamp,
    /// Tombstone: the max removal stamp, `ZERO` when not removed (a merged removal is always
    /// stamped above the key tombstone, hence above `ZERO`).
    removed: Stamp,
    /// LWW value (empty without `HAS_VALUE` and once removed), stamped with `id` unless
    /// `OWN_TS`.
    value: Vec<u8>,
    flags: u8,
}

// The element's size is what a long list costs per element: keep it from growing unnoticed.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(std::mem::size_of::<Elem>() == 88);
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Elem>() == 104);

impl Elem {
    fn new(id: Stamp) -> Elem {
        Elem {
            id,
            after: Stamp::ZERO,
            removed: Stamp::ZERO,
            value: Vec::new(),
            flags: 0,
        }
    }

    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Visible: placed, valued, not removed and inserted after the key tombstone `del`.
    fn live(&self, del: Stamp) -> bool {
        self.id > del
            && self.removed == Stamp::ZERO
            && self.flags & (HAS_VALUE | PLACED) == HAS_VALUE | PLACED
    }
}

/// What the snapshot export needs of an element (see `KeyMeta::to_effects`).
pub struct ElemState<'a> {
    pub id: Stamp,
    /// The insert's anchor, once the insert has arrived.
    pub after: Option<Stamp>,
    /// The LWW value and its stamp, once one has arrived.
    pub value: Option<(Stamp, &'a [u8])>,
    /// The removal stamp, if removed.
    pub removed: Option<Stamp>,
}

/// What puts an [`Rga`] back as it was before one local effect on one element (see
/// [`Rga::undo_point`]): the keyspace's undo record of a script, per list write, instead of
/// a copy of the whole list.
#[derive(Debug, Clone)]
pub struct RgaUndo {
    /// The element as it was; `None` when the effect created it (a local insert).
    elem: Option<Elem>,
    value_ts: Option<Stamp>,
    max_id: Stamp,
    dead: (usize, usize),
}

/// Replicated growable array (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct Rga {
    /// Every element, in arrival order (never shrinks: tombstones are anchors).
    slab: Arena<Elem>,
    /// Linear order of the placed elements, as `slab` indexes.
    seq: VecDeque<u32>,
    /// The highest element id in `slab` (`ZERO` when empty): an id above it is new.
    max_id: Stamp,
    /// Value stamps of the elements flagged `OWN_TS` (id → stamp).
    value_ts: Map<Stamp, Stamp>,
    /// id → `slab` index, built on the first lookup that needs it.
    index: OnceCell<Map<Stamp, u32>>,
    /// How many entries at the front and at the back of `seq` are known to be dead (a
    /// placed element never comes back to life: removals and the key tombstone only grow).
    /// A queue (`RPUSH` + `LPOP`) leaves its popped elements as tombstones at the front;
    /// without these, every pop would walk past all of them.
    dead: Cell<(usize, usize)>,
    /// Inserts waiting for their `after` element: parent id → children ids.
    orphans: Map<Stamp, Vec<Stamp>>,
}

impl PartialEq for Rga {
    /// Same elements (whatever their arrival order) and the same linear order.
    fn eq(&self, o: &Self) -> bool {
        fn sorted(r: &Rga) -> Vec<&Elem> {
            let mut v: Vec<&Elem> = r.slab.iter().collect();
            v.sort_unstable_by_key(|e| e.id);
            v
        }
        self.slab.len() == o.slab.len()
            && self.seq.len() == o.seq.len()
            && self.orphans == o.orphans
            && self.value_ts == o.value_ts
            && self.seq_ids().eq(o.seq_ids())
            && sorted(self) == sorted(o)
    }
}

impl Rga {
    pub fn is_empty(&self) -> bool {
        self.slab.is_empty()
    }

    fn at(&self, slot: u32) -> Option<&Elem> {
        self.slab.get(slot)
    }

    fn seq_ids(&self) -> impl Iterator<Item = Stamp> + '_ {
        self.seq.iter().filter_map(|&i| self.at(i).map(|e| e.id))
    }

    /// The placed elements in list order, tombstones included.
    fn placed(&self) -> impl DoubleEndedIterator<Item = &Elem> + '_ {
        self.seq.iter().filter_map(|&i| self.at(i))
    }

    /// The arena index of element `id`: the ends of `seq` and the newest element first, the
    /// index (built here on first use) otherwise.
    fn find(&self, id: Stamp) -> Option<u32> {
        if id > self.max_id || self.slab.is_empty() {
            return None;
        }
        let is = |slot: Option<&u32>| {
            slot.copied()
                .filter(|&i| self.at(i).is_some_and(|e| e.id == id))
        };
        if let Some(i) = is(self.seq.front()).or_else(|| is(self.seq.back())) {
            return Some(i);
        }
        for p in [self.first_live_guess(), self.last_live_guess()] {
            if let Some(i) = p.and_then(|p| is(self.seq.get(p))) {
                return Some(i);
            }
        }
        if self.slab.last().is_some_and(|e| e.id == id) {
            return Some((self.slab.len() - 1) as u32);
        }
        self.index
            .get_or_init(|| {
                let mut m = Map::default();
                m.reserve(self.slab.len());
                for (i, e) in self.slab.iter().enumerate() {
                    m.insert(e.id, i as u32);
                }
                m
            })
            .get(&id)
            .copied()
    }

    /// The element `id`.
    fn get(&self, id: Stamp) -> Option<&Elem> {
        self.find(id).and_then(|i| self.at(i))
    }

    /// Element `id` and its arena index, adding an empty element when it is unknown.
    fn elem_of(&mut self, id: Stamp) -> Option<(u32, &mut Elem)> {
        let slot = match self.find(id) {
            Some(i) => i,
            None => {
                let i = self.slab.push(Elem::new(id));
                self.max_id = self.max_id.max(id);
                if let Some(ix) = self.index.get_mut() {
                    ix.insert(id, i);
                }
                i
            }
        };
        Some((slot, self.slab.get_mut(slot)?))
    }

    /// True when element `id` is visible.
    fn live(&self, id: Stamp, del: Stamp) -> bool {
        self.get(id).is_some_and(|e| e.live(del))
    }

    /// The value of element `id`, once one has arrived.
    pub fn value_of(&self, id: Stamp) -> Option<&[u8]> {
        let e = self.get(id)?;
        e.has(HAS_VALUE).then_some(e.value.as_slice())
    }

    /// The LWW value of `e` and its stamp, once one has arrived.
    fn value<'a>(&self, e: &'a Elem) -> Option<(Stamp, &'a [u8])> {
        if !e.has(HAS_VALUE) {
            return None;
        }
        let ts = if e.has(OWN_TS) {
            self.value_ts.get(&e.id).copied().unwrap_or(e.id)
        } else {
            e.id
        };
        Some((ts, e.value.as_slice()))
    }

    /// Merge an LWW value into element `slot`: true when it won.
    fn set_value(&mut self, slot: u32, stamp: Stamp, value: &[u8]) -> bool {
        let Some(e) = self.slab.get(slot) else {
            return false;
        };
        // A removed element keeps no value bytes (it can never be seen again), so its ties
        // are broken by the stamp alone, alike on every replica.
        let removed = e.removed != Stamp::ZERO;
        let newer = match self.value(e) {
            None => true,
            Some((s, v)) => match stamp.cmp(&s) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => !removed && value > v,
            },
        };
        if !newer {
            return false;
        }
        let Some(e) = self.slab.get_mut(slot) else {
            return false;
        };
        if !removed {
            super::crdt::assign_bytes(&mut e.value, value);
        }
        e.flags |= HAS_VALUE;
        if stamp == e.id {
            if e.has(OWN_TS) {
                e.flags &= !OWN_TS;
                self.value_ts.remove(&e.id);
            }
        } else {
            e.flags |= OWN_TS;
            self.value_ts.insert(e.id, stamp);
        }
        true
    }

    /// Every element, for the snapshot export (arrival order).
    pub fn states(&self) -> impl Iterator<Item = ElemState<'_>> + '_ {
        self.slab.iter().map(|e| ElemState {
            id: e.id,
            after: e.has(HAS_AFTER).then_some(e.after),
            value: self.value(e),
            removed: (e.removed != Stamp::ZERO).then_some(e.removed),
        })
    }

    /// Id of the `index`-th visible element; `visible` is the number of visible elements
    /// (the view's length), so indexes in the back half are found from the back.
    pub fn id_at(&self, index: usize, del: Stamp, visible: usize) -> Option<Stamp> {
        if index >= visible {
            return None;
        }
        let live = |e: &&Elem| e.live(del);
        let at = |i: &u32| self.at(*i);
        let e = if index < visible / 2 {
            let from = self.skip_front(del);
            self.seq
                .range(from..)
                .filter_map(at)
                .filter(live)
                .nth(index)
        } else {
            let to = self.seq.len() - self.skip_back(del);
            self.seq
                .range(..to)
                .rev()
                .filter_map(at)
                .filter(live)
                .nth(visible - 1 - index)
        };
        e.map(|e| e.id)
    }

    /// The position of the first entry of `seq` not known to be dead.
    fn first_live_guess(&self) -> Option<usize> {
        let (front, _) = self.dead.get();
        (front > 0 && front < self.seq.len()).then_some(front)
    }

    /// The position of the last entry of `seq` not known to be dead.
    fn last_live_guess(&self) -> Option<usize> {
        let (_, back) = self.dead.get();
        let len = self.seq.len();
        (back > 0 && back < len).then(|| len - 1 - back)
    }

    /// The number of dead entries at the front of `seq`, extending the known count.
    fn skip_front(&self, del: Stamp) -> usize {
        let (mut front, back) = self.dead.get();
        front = front.min(self.seq.len());
        while self
            .seq
            .get(front)
            .is_some_and(|&i| !self.at(i).is_some_and(|e| e.live(del)))
        {
            front += 1;
        }
        self.dead.set((front, back));
        front
    }

    /// The number of dead entries at the back of `seq`, extending the known count.
    fn skip_back(&self, del: Stamp) -> usize {
        let (front, mut back) = self.dead.get();
        let len = self.seq.len();
        back = back.min(len);
        while back < len
            && self
                .seq
                .get(len - 1 - back)
                .is_some_and(|&i| !self.at(i).is_some_and(|e| e.live(del)))
        {
            back += 1;
        }
        self.dead.set((front, back));
        back
    }

    /// Position of `id` in `seq`, looking at both ends first (pushes and pops).
    fn pos_of(&self, id: Stamp) -> Option<usize> {
        let is = |slot: Option<&u32>| slot.and_then(|&i| self.at(i)).is_some_and(|e| e.id == id);
        if is(self.seq.back()) {
            return self.seq.len().checked_sub(1);
        }
        if is(self.seq.front()) {
            return Some(0);
        }
        // After pops, the first and last live elements sit behind the dead runs.
        for p in [self.first_live_guess(), self.last_live_guess()] {
            if let Some(p) = p.filter(|&p| is(self.seq.get(p))) {
                return Some(p);
            }
        }
        self.placed().position(|e| e.id == id)
    }

    /// Visible index of a visible element; `visible` is the number of visible elements
    /// counting `id` itself, so an element in the back half is counted from the back.
    pub fn visible_index(&self, id: Stamp, del: Stamp, visible: usize) -> Option<usize> {
        if !self.live(id, del) {
            return None;
        }
        let pos = self.pos_of(id)?;
        let live = |i: &&u32| self.at(**i).is_some_and(|e| e.live(del));
        // Count from the nearer end, not counting the known-dead runs at either end.
        let (front, back) = self.dead.get();
        let (from, to) = (
            front.min(pos),
            self.seq.len() - back.min(self.seq.len() - pos - 1),
        );
        if pos - from <= to - pos {
            Some(self.seq.range(from..pos).filter(live).count())
        } else {
            let after = self.seq.range(pos + 1..to).filter(live).count();
            visible.checked_sub(after + 1)
        }
    }

    /// The visible values in order.
    pub fn values(&self, del: Stamp) -> List {
        self.placed()
            .filter(|e| e.live(del))
            .map(|e| e.value.clone())
            .collect()
    }

    /// Put element `slot` (id `id`) into `seq` after `after`, then the orphans waiting for
    /// it. Returns the number of elements placed.
    fn place(&mut self, slot: u32, id: Stamp, after: Stamp) -> usize {
        let mut pos = if after == Stamp::ZERO {
            0
        } else {
            self.pos_of(after).map_or(self.seq.len(), |p| p + 1)
        };
        while pos < self.seq.len() && self.at(self.seq[pos]).is_some_and(|e| e.id > id) {
            pos += 1;
        }
        self.seq.insert(pos, slot);
        // The new entry may be live: the known-dead runs end before it.
        let (front, back) = self.dead.get();
        self.dead
            .set((front.min(pos), back.min(self.seq.len() - 1 - pos)));
        if let Some(e) = self.slab.get_mut(slot) {
            e.flags |= PLACED;
        }
        let mut placed = 1;
        if let Some(children) = self.orphans.remove(&id) {
            for c in children {
                if let Some(i) = self.find(c) {
                    placed += self.place(i, c, id);
                }
            }
        }
        placed
    }

    /// Before a local effect on element `id` (its insert, removal or value): what
    /// [`Rga::undo`] needs to take the effect back. One element's copy, whatever the length.
    pub fn undo_point(&self, id: Stamp) -> RgaUndo {
        RgaUndo {
            elem: self.get(id).cloned(),
            value_ts: self.value_ts.get(&id).copied(),
            max_id: self.max_id,
            dead: self.dead.get(),
        }
    }

    /// Takes back the local effects on `id` since `u` was taken, newest first (each undo
    /// restores the state its point saw). A local insert is the newest element of the arena
    /// and was placed at once (its anchor is known), so undoing it takes it out entirely.
    pub fn undo(&mut self, id: Stamp, u: RgaUndo) {
        match u.elem {
            Some(prior) => {
                if let Some(e) = self.find(id).and_then(|i| self.slab.get_mut(i)) {
                    *e = prior;
                }
            }
            None => {
                if self.slab.last().is_some_and(|e| e.id == id) {
                    if let Some(p) = self.pos_of(id) {
                        self.seq.remove(p);
                    }
                    self.slab.pop();
                    if let Some(ix) = self.index.get_mut() {
                        ix.remove(&id);
                    }
                }
            }
        }
        match u.value_ts {
            Some(t) => {
                self.value_ts.insert(id, t);
            }
            None => {
                self.value_ts.remove(&id);
            }
        }
        self.max_id = u.max_id;
        self.dead.set(u.dead);
    }

    /// Merge an insert. Returns (changed, number of elements placed).
    pub fn insert(&mut self, id: Stamp, after: Stamp, value: &[u8]) -> (bool, usize) {
        let Some((slot, _)) = self.elem_of(id) else {
            return (false, 0);
        };
        let changed = self.set_value(slot, id, value);
        let Some(e) = self.slab.get_mut(slot) else {
            return (false, 0);
        };
        if e.has(HAS_AFTER) {
            return (changed, 0);
        }
        e.after = after;
        e.flags |= HAS_AFTER;
        let ready = after == Stamp::ZERO || self.get(after).is_some_and(|p| p.has(PLACED));
        if ready {
            (true, self.place(slot, id, after))
        } else {
            self.orphans.entry(after).or_default().push(id);
            (true, 0)
        }
    }

    /// Merge a removal of element `id`: true when it changed the state.
    pub fn remove(&mut self, id: Stamp, stamp: Stamp) -> bool {
        let Some((_, e)) = self.elem_of(id) else {
            return false;
        };
        if stamp > e.removed {
            e.removed = stamp;
            // Tombstones stay as anchors, but their values are dead weight (a queue's
            // processed jobs would otherwise keep every payload).
            e.value = Vec::new();
            true
        } else {
            false
        }
    }

    /// Merge an LWW value for element `id`: true when it won.
    pub fn set(&mut self, id: Stamp, stamp: Stamp, value: &[u8]) -> bool {
        match self.elem_of(id) {
            Some((slot, _)) => self.set_value(slot, stamp, value),
            None => false,
        }
    }
}

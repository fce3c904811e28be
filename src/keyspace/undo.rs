//! The undo record of a script: what puts the keyspace back when a script is aborted by its
//! budget (an aborted script leaves nothing behind, docs/scripting.md).
//!
//! A write to an element of an existing collection saves that element's prior state (in the
//! CRDT state and in the view) and the key's stamps: one element's copy, whatever the size of
//! the collection. Saving the whole key, as every write did before, copied a list of a million
//! elements (≈ 88 MB) for each script that pushed to it. Other first writes to a key (a
//! string, a new key, a deletion, a change of type) save the key whole, once per script.

use super::crdt::{assign_bytes, MetaScalars};
use super::rga::RgaUndo;
use super::{Entry, KeyMeta, Keyspace, Kind, Map, Slot, Value};
use crate::effects::Op;
use crate::hlc::Stamp;
use std::sync::Arc;

/// One element-level step of the undo record.
#[derive(Debug, Clone)]
struct ElemStep {
    key: Arc<[u8]>,
    scalars: MetaScalars,
    prior: Prior,
}

/// The element an effect changes, as it was (in the CRDT state and in the view).
#[derive(Debug, Clone)]
enum Prior {
    Hash {
        field: Vec<u8>,
        meta: Option<(Stamp, Option<Vec<u8>>)>,
        view: Option<Vec<u8>>,
    },
    Set {
        member: Vec<u8>,
        meta: Option<(Stamp, bool)>,
        view: bool,
    },
    ZSet {
        member: Vec<u8>,
        meta: Option<(Stamp, Option<f64>)>,
        view: Option<f64>,
    },
    List {
        id: Stamp,
        rga: RgaUndo,
    },
    /// An expiry change: the key's stamps and expiry are all there is.
    Key,
}

/// The undo record of a script (see [`Keyspace::start_undo`]). Kept between scripts so that
/// a script writing a key or two allocates nothing for it: saved keys live in a vector
/// searched linearly (most scripts write a handful of keys), whose key buffers are reused;
/// past [`UNDO_LINEAR`] keys an index finds them.
#[derive(Debug, Clone, Default)]
pub(super) struct Undo {
    pub(super) active: bool,
    /// The outbox length at `start_undo`.
    outbox_len: usize,
    /// `saved[..len]`: keys saved whole (strings, new keys, deletions, type changes), each
    /// with its view and CRDT state before its first such write. Slots past `len` only keep
    /// their key buffers.
    saved: Vec<(Vec<u8>, Option<Entry>, Option<KeyMeta>)>,
    len: usize,
    /// Element-level steps, in write order, for the writes to existing collections before
    /// their key was saved whole (if ever): one element's prior state each.
    steps: Vec<ElemStep>,
    /// String-view buffers of earlier records, reused by [`Undo::copy_view`]: saving a
    /// string key (the usual script write) then neither allocates nor frees. A pool of its
    /// own, not the keyspace's [`Spare`]: sharing it was tried, and the script's own writes
    /// (their effects' keys and values) took the buffers first, so `record` allocated again
    /// (570 instead of 358 instructions per EVALSHA natively).
    spare: Vec<Vec<u8>>,
    /// Positions in `saved` by key, filled once `len` passes [`UNDO_LINEAR`].
    index: Map<Vec<u8>, usize>,
}

/// Saved keys searched linearly before the undo record builds its index.
const UNDO_LINEAR: usize = 8;
/// Saved-key slots the undo record keeps between scripts, and the largest key buffer kept.
const UNDO_KEEP: usize = 64;
const UNDO_KEEP_BYTES: usize = 256;

impl Undo {
    fn contains(&self, key: &[u8]) -> bool {
        if self.len > UNDO_LINEAR {
            self.index.contains_key(key)
        } else {
            self.saved[..self.len].iter().any(|(k, _, _)| k == key)
        }
    }

    fn save(&mut self, key: &[u8], before: Option<Entry>, meta: Option<KeyMeta>) {
        if self.len == self.saved.len() {
            self.saved.push((Vec::new(), None, None));
        }
        let slot = &mut self.saved[self.len];
        slot.0.clear();
        slot.0.extend_from_slice(key);
        slot.1 = before;
        slot.2 = meta;
        self.len += 1;
        if self.len == UNDO_LINEAR + 1 {
            for (i, (k, _, _)) in self.saved[..self.len].iter().enumerate() {
                self.index.insert(k.clone(), i);
            }
        } else if self.len > UNDO_LINEAR + 1 {
            self.index.insert(key.to_vec(), self.len - 1);
        }
    }

    /// A copy of a key's view for the record; a string's bytes go into a spare buffer.
    fn copy_view(&mut self, view: Option<&Entry>) -> Option<Entry> {
        match view {
            Some(Entry {
                value: Value::Str(b),
                expire_at,
            }) => {
                let mut buf = self.spare.pop().unwrap_or_default();
                buf.clear();
                buf.extend_from_slice(b);
                Some(Entry {
                    value: Value::Str(buf),
                    expire_at: *expire_at,
                })
            }
            other => other.cloned(),
        }
    }

    /// Ends the record: drops the saved states, keeps a few key and string buffers for the
    /// next script.
    fn finish(&mut self) {
        self.active = false;
        self.steps.clear();
        if self.steps.capacity() > UNDO_KEEP {
            self.steps = Vec::new();
        }
        if self.len == 0 && self.saved.len() <= UNDO_KEEP && self.index.is_empty() {
            return;
        }
        self.saved.truncate(UNDO_KEEP);
        for slot in &mut self.saved[..self.len.min(UNDO_KEEP)] {
            if let Some(Entry {
                value: Value::Str(b),
                ..
            }) = slot.1.take()
            {
                if b.capacity() <= UNDO_KEEP_BYTES && self.spare.len() < UNDO_KEEP {
                    self.spare.push(b);
                }
            }
            slot.2 = None;
            if slot.0.capacity() > UNDO_KEEP_BYTES {
                slot.0 = Vec::new();
            }
        }
        self.len = 0;
        if !self.index.is_empty() {
            self.index = Map::default();
        }
    }
}

impl Keyspace {
    /// Start recording what is needed to undo the following writes (e.g. a script that may be
    /// aborted by its budget): per effect, the prior state of the one element it changes in
    /// an existing hash, set, sorted set or list (and of the key's stamps and expiry); the
    /// whole entry and CRDT state of a key at its first other write (a string, a new key, a
    /// deletion or a change of type).
    pub fn start_undo(&mut self) {
        self.undo.finish();
        self.undo.active = true;
        self.undo.outbox_len = self.outbox.len();
    }

    /// True between `start_undo` and `commit_undo`/`rollback_undo`.
    pub fn undo_active(&self) -> bool {
        self.undo.active
    }

    /// Keep the writes made since `start_undo` and stop recording.
    pub fn commit_undo(&mut self) {
        self.undo.finish();
    }

    /// Restore every key written since `start_undo` to its previous state (including expiry
    /// and CRDT state), drop the effects produced since then (an aborted script emits
    /// nothing) and stop recording. Journaled ops are not touched: drop them separately.
    pub fn rollback_undo(&mut self) {
        if !self.undo.active {
            return;
        }
        self.undo.active = false;
        self.outbox.truncate(self.undo.outbox_len);
        let mut saved = std::mem::take(&mut self.undo.saved);
        for (key, before, meta) in &mut saved[..self.undo.len] {
            let key = key.as_slice();
            self.remove_entry(key);
            match meta.take() {
                Some(m) => match self.slots.get_mut(key) {
                    Some(slot) => slot.meta = m,
                    None => {
                        self.slots.insert(
                            Arc::from(key),
                            Box::new(Slot {
                                meta: m,
                                view: None,
                            }),
                        );
                    }
                },
                None => {
                    self.slots.remove(key);
                }
            }
            if let Some(e) = before.take() {
                self.insert_entry(key, e);
            }
        }
        self.undo.saved = saved;
        // Then the element steps, newest first: a key saved whole is back at the state its
        // save saw, which is after its earlier element steps.
        let mut steps = std::mem::take(&mut self.undo.steps);
        while let Some(step) = steps.pop() {
            self.undo_step(step);
        }
        self.undo.steps = steps;
        self.undo.finish();
    }

    /// Before local effect `op` (stamped `stamp`) on `key` while the undo record is active:
    /// an element step, or the key's whole state at its first other write. Not inlined: the
    /// write path inlines `emit_hashed` into several callers, and a plain command's write
    /// only tests the flag.
    #[inline(never)]
    pub(super) fn undo_before(&mut self, hash: u64, key: &[u8], op: &Op, stamp: Stamp) {
        if self.undo.contains(key) {
            return;
        }
        // One lookup of the key, whichever way it is saved.
        let Some((k, slot)) = self.slots.get_key_value_hashed(hash, key) else {
            self.undo.save(key, None, None);
            return;
        };
        if let Some(prior) = elem_prior(slot, op, stamp) {
            self.undo.steps.push(ElemStep {
                key: k.clone(),
                scalars: slot.meta.scalars(),
                prior,
            });
            return;
        }
        let before = self.undo.copy_view(slot.view.as_ref());
        self.undo.save(key, before, Some(slot.meta.clone()));
    }

    /// Takes back one element step: the element and the key's stamps in the CRDT state, then
    /// the element in the view (or the whole view from the state, when the write had removed
    /// it: the collection's last element).
    #[inline(never)]
    fn undo_step(&mut self, step: ElemStep) {
        let key = &step.key[..];
        let Some(slot) = self.slots.get_mut(key) else {
            return;
        };
        let Slot { meta, view } = &mut **slot;
        meta.restore_scalars(&step.scalars);
        let patched = match step.prior {
            Prior::Hash {
                field,
                meta: m,
                view: v,
            } => {
                if let Some(el) = meta.elems_mut_existing() {
                    put_back(&mut el.hash, &field, m);
                }
                match view.as_mut().map(|e| &mut e.value) {
                    Some(Value::Hash(h)) => {
                        put_back(h, &field, v);
                        true
                    }
                    _ => false,
                }
            }
            Prior::Set {
                member,
                meta: m,
                view: v,
            } => {
                if let Some(el) = meta.elems_mut_existing() {
                    put_back(&mut el.set, &member, m);
                }
                match view.as_mut().map(|e| &mut e.value) {
                    Some(Value::Set(st)) => {
                        if v {
                            st.insert(member);
                        } else {
                            st.remove(&member);
                        }
                        true
                    }
                    _ => false,
                }
            }
            Prior::ZSet {
                member,
                meta: m,
                view: v,
            } => {
                // The member's bytes, shared by the state and the view as a merge leaves them.
                let shared = match (meta.elems_mut_existing(), m) {
                    (Some(el), Some(m)) => {
                        let k = el
                            .zset
                            .get_key_value(member.as_slice())
                            .map_or_else(|| Arc::from(member.as_slice()), |(k, _)| k.clone());
                        el.zset.insert(k.clone(), m);
                        Some(k)
                    }
                    (Some(el), None) => {
                        el.zset.remove(member.as_slice());
                        None
                    }
                    (None, _) => None,
                };
                match view.as_mut().map(|e| &mut e.value) {
                    Some(Value::ZSet(z)) => {
                        match (v, shared) {
                            (Some(score), Some(k)) => {
                                z.put_shared(k, score);
                            }
                            (Some(score), None) => {
                                z.put(&member, score);
                            }
                            (None, _) => {
                                z.remove(&member);
                            }
                        }
                        true
                    }
                    _ => false,
                }
            }
            Prior::List { id, rga } => {
                let del = meta.del;
                let list = match view.as_mut().map(|e| &mut e.value) {
                    Some(Value::List(l)) => Some(l),
                    _ => None,
                };
                match (list, meta.elems_mut_existing()) {
                    (Some(l), Some(el)) => {
                        // Where the element is visible now, and where after the undo.
                        let now = el.list.visible_index(id, del, l.len());
                        el.list.undo(id, rga);
                        let visible = l.len() - usize::from(now.is_some()) + 1;
                        let then = el.list.visible_index(id, del, visible);
                        match (now, then) {
                            (Some(i), None) if i < l.len() => {
                                l.remove(i);
                                true
                            }
                            (None, Some(i)) if i <= l.len() => {
                                let v = el.list.value_of(id).unwrap_or_default().to_vec();
                                l.insert(i, v);
                                true
                            }
                            (Some(i), Some(j)) if i == j && i < l.len() => {
                                let v = el.list.value_of(id).unwrap_or_default();
                                assign_bytes(&mut l[i], v);
                                true
                            }
                            (None, None) => true,
                            _ => false,
                        }
                    }
                    (None, Some(el)) => {
                        el.list.undo(id, rga);
                        false
                    }
                    _ => false,
                }
            }
            Prior::Key => true,
        };
        if let (true, Some(e)) = (patched, view.as_mut()) {
            e.expire_at = meta.expire_at();
            return;
        }
        // The view was gone (the write removed the collection's last element) or did not
        // match: rebuild it from the restored state.
        let value = meta.winner().and_then(|k| meta.view_of(k));
        match value {
            Some(value) => {
                let expire_at = meta.expire_at();
                self.remove_entry(key);
                self.insert_entry(key, Entry { value, expire_at });
            }
            None => {
                self.remove_entry(key);
            }
        }
    }
}

/// The prior state of the element `op` (stamped `stamp`) changes, when the key holds a
/// collection of the op's kind (or the op is an expiry change on a collection).
fn elem_prior(slot: &Slot, op: &Op, stamp: Stamp) -> Option<Prior> {
    let view = &slot.view.as_ref()?.value;
    let el = slot.meta.elems()?;
    Some(match (op, view) {
        (Op::HashSet { field, .. } | Op::HashDel { field }, Value::Hash(h)) => Prior::Hash {
            meta: el.hash.get(field.as_slice()).cloned(),
            view: h.get(field.as_slice()).cloned(),
            field: field.clone(),
        },
        (Op::SetAdd { member } | Op::SetRem { member }, Value::Set(st)) => Prior::Set {
            meta: el.set.get(member.as_slice()).copied(),
            view: st.contains(member.as_slice()),
            member: member.clone(),
        },
        (Op::ZPut { member, .. } | Op::ZRem { member }, Value::ZSet(z)) => Prior::ZSet {
            meta: el.zset.get(member.as_slice()).copied(),
            view: z.score(member),
            member: member.clone(),
        },
        (Op::ListInsert { .. }, Value::List(_)) => Prior::List {
            id: stamp,
            rga: el.list.undo_point(stamp),
        },
        (Op::ListRemove { id } | Op::ListSet { id, .. }, Value::List(_)) => Prior::List {
            id: *id,
            rga: el.list.undo_point(*id),
        },
        (Op::Expire(_), v) if Kind::of(v) != Kind::Str => Prior::Key,
        _ => return None,
    })
}

/// An element put back (in the CRDT state or in a hash view): as it was, or absent when the
/// write created it.
fn put_back<V>(map: &mut std::collections::BTreeMap<Vec<u8>, V>, key: &[u8], prior: Option<V>) {
    match prior {
        Some(v) => match map.get_mut(key) {
            Some(slot) => *slot = v,
            None => {
                map.insert(key.to_vec(), v);
            }
        },
        None => {
            map.remove(key);
        }
    }
}

//! The SCAN index: every key with a view as `(order_hash(key), key)`, in that order.
//!
//! One `BTreeSet` of all keys cost ≈ 590 instructions per new key at 150,000 keys (six
//! levels of nodes searched linearly, 18 % of a new-key SET): the set is split into
//! [`BUCKETS`] sets by the top bits of the hash, so each insert or removal searches a tree of
//! 1/256 of the keys. Buckets partition the hash range in order, so walking them in turn is
//! the same order as one set: SCAN cursors, their guarantees and RANDOMKEY are unchanged.
//! Each bucket stays a B-tree, so keys crafted to share a bucket (the hash is unseeded) cost
//! O(log n) as before. The bucket array (24 bytes each) is allocated with the first key.

use std::collections::btree_set::Range;
use std::collections::BTreeSet;
use std::sync::Arc;

/// An index entry: `(order_hash(key), key)`, the key shared with the slot map.
pub(super) type Item = (u64, Arc<[u8]>);

/// Number of buckets (a power of two).
const BUCKETS: usize = 1024;

#[derive(Debug, Clone, Default)]
pub(super) struct Order {
    buckets: Vec<BTreeSet<Item>>,
}

/// The bucket of hash `h` (the hashes are in `1..=2^63`: the top bits above bit 53; 2^63
/// itself joins the last bucket, which keeps the buckets in hash order).
fn bucket(h: u64) -> usize {
    ((h >> 53) as usize).min(BUCKETS - 1)
}

/// An index position before every key of hash `h` (range starts).
fn start(h: u64) -> Item {
    (h, Arc::from(&[][..]))
}

impl Order {
    /// Adds an entry (no-op when present).
    pub(super) fn insert(&mut self, item: Item) {
        if self.buckets.is_empty() {
            self.buckets = vec![BTreeSet::new(); BUCKETS];
        }
        let b = bucket(item.0);
        self.buckets[b].insert(item);
    }

    /// Removes an entry (no-op when absent).
    pub(super) fn remove(&mut self, item: &Item) {
        if let Some(set) = self.buckets.get_mut(bucket(item.0)) {
            set.remove(item);
        }
    }

    /// Every entry, in order.
    pub(super) fn iter(&self) -> Iter<'_> {
        Iter {
            cur: None,
            mid: self.buckets.iter(),
            tail: None,
        }
    }

    /// The entries of hash `h` and above, in order.
    pub(super) fn range_from(&self, h: u64) -> Iter<'_> {
        let b = bucket(h);
        Iter {
            cur: self.buckets.get(b).map(|s| s.range(start(h)..)),
            mid: self.buckets.get(b + 1..).unwrap_or(&[]).iter(),
            tail: None,
        }
    }

    /// The entries below hash `h`, in order.
    pub(super) fn range_before(&self, h: u64) -> Iter<'_> {
        let b = bucket(h);
        Iter {
            cur: None,
            mid: self.buckets.get(..b).unwrap_or(&self.buckets[..]).iter(),
            tail: self.buckets.get(b).map(|s| s.range(..start(h))),
        }
    }
}

/// A walk over the index: the rest of one bucket, whole buckets, the start of one bucket.
/// One iterator type for every walk: a `Flatten`/`Chain` per call site cost 6 KB of wasm
/// (2.3 KB gzip).
pub(super) struct Iter<'a> {
    cur: Option<Range<'a, Item>>,
    mid: std::slice::Iter<'a, BTreeSet<Item>>,
    tail: Option<Range<'a, Item>>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Item;

    fn next(&mut self) -> Option<&'a Item> {
        loop {
            if let Some(x) = self.cur.as_mut().and_then(Iterator::next) {
                return Some(x);
            }
            self.cur = match self.mid.next() {
                Some(set) => Some(set.range::<Item, _>(..)),
                None => Some(self.tail.take()?),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bucketed index walks exactly like one ordered set, from any start.
    #[test]
    fn same_order_as_one_set() {
        let mut order = Order::default();
        let mut all = BTreeSet::new();
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut hashes = vec![
            1,
            2,
            1u64 << 55,
            (1u64 << 55) - 1,
            1u64 << 63,
            (1u64 << 63) - 1,
        ];
        for _ in 0..2000 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            hashes.push((rng >> 1).wrapping_add(1));
        }
        for (i, &h) in hashes.iter().enumerate() {
            for k in 0..1 + i % 3 {
                let item: Item = (h, Arc::from(format!("k{k}").as_bytes()));
                order.insert(item.clone());
                all.insert(item);
            }
        }
        for (i, &h) in hashes.iter().enumerate().step_by(7) {
            let item: Item = (h, Arc::from(format!("k{}", i % 2).as_bytes()));
            order.remove(&item);
            all.remove(&item);
        }
        assert!(order.iter().eq(all.iter()));
        let mut starts = hashes.clone();
        starts.extend([0, 1, 3, u64::MAX, 1u64 << 62]);
        for &h in &starts {
            assert!(order.range_from(h).eq(all.range(start(h)..)), "from {h}");
            assert!(
                order.range_before(h).eq(all.range(..start(h))),
                "before {h}"
            );
        }
        let empty = Order::default();
        assert_eq!(empty.iter().count() + empty.range_from(5).count(), 0);
        assert_eq!(empty.range_before(5).count(), 0);
    }
}

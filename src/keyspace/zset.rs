//! Sorted set: members ordered by (score, member) in a `BTreeMap`, plus member → score.
//!
//! Score ranges are ranges of the ordered map; a rank walks from the nearer end
//! (O(min(rank, len - rank))). A member's bytes are one
//! `Arc<[u8]>` shared by both maps (and, in the keyspace, with the key's CRDT element map).

use super::hasher::Map;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::Arc;

/// A score with a total order (scores are never NaN; `-0.0` is normalised to `0.0`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score(pub f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A sorted set value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZSet {
    by_score: BTreeMap<(Score, Arc<[u8]>), ()>,
    scores: Map<Arc<[u8]>, f64>,
}

impl ZSet {
    /// Empty set.
    pub fn new() -> ZSet {
        ZSet::default()
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// Score of a member.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.scores.get(member).copied()
    }

    /// Insert or update; returns true when the member is new.
    pub fn put(&mut self, member: &[u8], score: f64) -> bool {
        match self.scores.get_key_value(member) {
            Some((m, _)) => {
                let m = m.clone();
                self.put_shared(m, score)
            }
            None => self.put_shared(Arc::from(member), score),
        }
    }

    /// [`ZSet::put`] with the member's bytes already shared (no copy when it is new).
    pub(crate) fn put_shared(&mut self, member: Arc<[u8]>, score: f64) -> bool {
        let score = if score == 0.0 { 0.0 } else { score };
        // One lookup whether the member is new or not (an existing entry keeps its key).
        match self.scores.insert(member.clone(), score) {
            None => {
                self.by_score.insert((Score(score), member), ());
                true
            }
            Some(old) => {
                if old.to_bits() != score.to_bits() {
                    let mut k = (Score(old), member);
                    self.by_score.remove(&k);
                    k.0 = Score(score);
                    self.by_score.insert(k, ());
                }
                false
            }
        }
    }

    /// Remove; returns true when the member existed.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self.scores.remove_entry(member) {
            Some((m, old)) => {
                self.by_score.remove(&(Score(old), m));
                true
            }
            None => false,
        }
    }

    /// Members in ascending (score, member) order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], f64)> {
        self.by_score.keys().map(|(s, m)| (&m[..], s.0))
    }

    /// 0-based ascending rank of a member. Counts the members on both sides of it in
    /// lockstep and stops at the nearer end: O(min(rank, len - rank)), so the top and the
    /// bottom of a large set (leaderboards, queues) are cheap.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let (m, score) = self.scores.get_key_value(member)?;
        let key = (Score(*score), m.clone());
        let mut below = self.by_score.range(..key.clone());
        let mut above = self
            .by_score
            .range((Bound::Excluded(key), Bound::Unbounded));
        let mut n = 0;
        loop {
            if below.next().is_none() {
                return Some(n);
            }
            if above.next().is_none() {
                return Some(self.len() - 1 - n);
            }
            n += 1;
        }
    }

    /// Members with `lo <= score <= hi`, ascending (double-ended: `.rev()` for descending):
    /// a range of the ordered map, so a query costs what it returns, not the set's size.
    /// Empty when either bound is NaN or `lo > hi`.
    pub fn score_span(&self, lo: f64, hi: f64) -> impl DoubleEndedIterator<Item = (&[u8], f64)> {
        // Stored scores are never -0.0 (see `put_shared`), and `next_up(-0.0)` is the least
        // positive double, so signed-zero bounds select what the numeric comparison does.
        let span = (!(lo.is_nan() || hi.is_nan() || lo > hi)).then(|| {
            // The empty member is the smallest: (x, "") is the first key with score x.
            let empty: Arc<[u8]> = Arc::from(&[][..]);
            let start = Bound::Included((Score(lo), empty.clone()));
            let end = if hi == f64::INFINITY {
                Bound::Unbounded
            } else {
                Bound::Excluded((Score(hi.next_up()), empty))
            };
            self.by_score.range((start, end))
        });
        span.into_iter().flatten().map(|((s, m), _)| (&m[..], s.0))
    }
}

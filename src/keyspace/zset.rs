//! Sorted set: members ordered by (score, member) in a `BTreeMap`, plus member → score.
//!
//! Rank queries walk the ordered map (O(n)); correctness first.

use super::hasher::Map;
use std::cmp::Ordering;
use std::collections::BTreeMap;

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
    by_score: BTreeMap<(Score, Vec<u8>), ()>,
    scores: Map<Vec<u8>, f64>,
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
        let score = if score == 0.0 { 0.0 } else { score };
        match self.scores.get_mut(member) {
            Some(old) => {
                if old.to_bits() != score.to_bits() {
                    // One copy of the member serves as lookup key and as the new entry.
                    let mut k = (Score(*old), member.to_vec());
                    self.by_score.remove(&k);
                    k.0 = Score(score);
                    self.by_score.insert(k, ());
                    *old = score;
                }
                false
            }
            None => {
                self.scores.insert(member.to_vec(), score);
                self.by_score.insert((Score(score), member.to_vec()), ());
                true
            }
        }
    }

    /// Remove; returns true when the member existed.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self.scores.remove(member) {
            Some(old) => {
                self.by_score.remove(&(Score(old), member.to_vec()));
                true
            }
            None => false,
        }
    }

    /// Members in ascending (score, member) order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&[u8], f64)> {
        self.by_score.keys().map(|(s, m)| (m.as_slice(), s.0))
    }

    /// 0-based ascending rank of a member.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let score = self.score(member)?;
        let key = (Score(score), member.to_vec());
        Some(self.by_score.range(..key).count())
    }
}

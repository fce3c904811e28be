//! Keys → slots → partitions.
//!
//! `slot(key) = CRC16-XMODEM(hashtag(key)) mod 16384` with the Redis Cluster hash tag rule, and
//! a [`PartitionMap`] that splits the 16384 slots into a configurable number of contiguous
//! ranges (partition `p` owns slots `[p*16384/n, (p+1)*16384/n)`).

/// Number of hash slots (Redis Cluster).
pub const SLOTS: u16 = 16384;

/// The part of `key` that is hashed: the content of the first `{...}` when non-empty.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = memchr::memchr(b'{', key) {
        let after = key.get(open + 1..).unwrap_or(&[]);
        if let Some(close) = memchr::memchr(b'}', after) {
            if close > 0 {
                return after.get(..close).unwrap_or(key);
            }
        }
    }
    key
}

/// Redis Cluster hash slot of a key.
pub fn key_hash_slot(key: &[u8]) -> u16 {
    crc16::State::<crc16::XMODEM>::calculate(hash_tag(key)) % SLOTS
}

/// Slots split into `count` contiguous partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionMap {
    count: u16,
}

impl PartitionMap {
    /// `count` is clamped to `1..=16384`.
    pub fn new(count: u16) -> PartitionMap {
        PartitionMap {
            count: count.clamp(1, SLOTS),
        }
    }

    /// Number of partitions.
    pub fn count(&self) -> u16 {
        self.count
    }

    /// Partition owning `slot` (slots ≥ 16384 are taken mod 16384).
    pub fn partition_of_slot(&self, slot: u16) -> u16 {
        let slot = u32::from(slot % SLOTS);
        // Inverse of slot_range's start = p*SLOTS/count (rounded down).
        let p = ((slot + 1) * u32::from(self.count) - 1) / u32::from(SLOTS);
        u16::try_from(p).unwrap_or(self.count - 1)
    }

    /// Partition owning `key`.
    pub fn partition_of_key(&self, key: &[u8]) -> u16 {
        if self.count == 1 {
            // Every slot is in partition 0: no hash needed.
            return 0;
        }
        self.partition_of_slot(key_hash_slot(key))
    }

    /// Slots of partition `p`: `start..end` (empty when `p` is out of range).
    pub fn slot_range(&self, p: u16) -> std::ops::Range<u16> {
        if p >= self.count {
            return 0..0;
        }
        let start = u32::from(p) * u32::from(SLOTS) / u32::from(self.count);
        let end = (u32::from(p) + 1) * u32::from(SLOTS) / u32::from(self.count);
        (start as u16)..(end as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_vectors() {
        assert_eq!(
            crc16::State::<crc16::XMODEM>::calculate(b"123456789"),
            0x31C3
        );
        assert_eq!(key_hash_slot(b"123456789"), 0x31C3);
        assert_eq!(
            key_hash_slot(b"{user1000}.following"),
            key_hash_slot(b"{user1000}.followers")
        );
        assert_eq!(
            key_hash_slot(b"{user1000}.following"),
            key_hash_slot(b"user1000")
        );
        assert_eq!(hash_tag(b"foo{}{bar}"), b"foo{}{bar}");
        assert_eq!(hash_tag(b"foo{{bar}}zap"), b"{bar");
        assert_eq!(hash_tag(b"foo{bar}{zap}"), b"bar");
        assert_eq!(hash_tag(b"{"), b"{");
        assert_eq!(hash_tag(b"}{"), b"}{");
        assert_eq!(key_hash_slot(b"foo"), 12182);
        assert_eq!(key_hash_slot(b""), 0);
    }

    #[test]
    fn hash_tags_match_the_rule() {
        // Random keys of every length up to 40 with braces anywhere, against the rule written
        // out byte by byte.
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        for len in 0..40usize {
            for _ in 0..50 {
                let key: Vec<u8> = (0..len)
                    .map(|_| {
                        rng ^= rng << 13;
                        rng ^= rng >> 7;
                        rng ^= rng << 17;
                        match rng % 8 {
                            0 => b'{',
                            1 => b'}',
                            _ => (rng >> 8) as u8,
                        }
                    })
                    .collect();
                let open = key.iter().position(|&c| c == b'{');
                let reference = match open {
                    Some(o) => match key[o + 1..].iter().position(|&c| c == b'}') {
                        Some(c) if c > 0 => &key[o + 1..o + 1 + c],
                        _ => &key[..],
                    },
                    None => &key[..],
                };
                assert_eq!(hash_tag(&key), reference, "{key:?}");
            }
        }
    }

    #[test]
    fn partitions_cover_slots() {
        for n in [1u16, 2, 3, 7, 16, 1000, 16384] {
            let m = PartitionMap::new(n);
            let mut next = 0u32;
            for p in 0..n {
                let r = m.slot_range(p);
                assert_eq!(u32::from(r.start), next);
                assert!(r.end > r.start);
                for s in [r.start, r.end - 1] {
                    assert_eq!(m.partition_of_slot(s), p, "n={n} slot={s}");
                }
                next = u32::from(r.end);
            }
            assert_eq!(next, 16384);
        }
    }
}

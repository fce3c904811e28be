//! Keys → slots → partitions.
//!
//! `slot(key) = CRC16-XMODEM(hashtag(key)) mod 16384` with the Redis Cluster hash tag rule, and
//! a [`PartitionMap`] that splits the 16384 slots into a configurable number of contiguous
//! ranges (partition `p` owns slots `[p*16384/n, (p+1)*16384/n)`).

/// Number of hash slots (Redis Cluster).
pub const SLOTS: u16 = 16384;

/// The part of `key` that is hashed: the content of the first `{...}` when non-empty.
pub fn hash_tag(key: &[u8]) -> &[u8] {
    if let Some(open) = find_byte(b'{', key) {
        let after = key.get(open + 1..).unwrap_or(&[]);
        if let Some(close) = find_byte(b'}', after) {
            if close > 0 {
                return after.get(..close).unwrap_or(key);
            }
        }
    }
    key
}

/// Position of the first `needle` in `hay`, eight bytes per step (most keys have no hash
/// tag, so the whole key is searched on every routing: a byte loop cost as much as CRC16).
fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(needle);
    let mut words = hay.chunks_exact(8);
    let mut base = 0;
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        let x = u64::from_le_bytes(b) ^ pattern;
        // A zero byte of `x` (a match) sets its high bit here; no false positives below the
        // first match, so the lowest set bit is the first match.
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(base + (found.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&c| c == needle)
        .map(|i| base + i)
}

/// CRC16-XMODEM (poly 0x1021, init 0, no reflection), the Redis Cluster key hash.
const fn crc16_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        t[i] = crc;
        i += 1;
    }
    t
}

static CRC16_TABLE: [u16; 256] = crc16_table();

/// CRC16-XMODEM of `data`, four bytes per loop step.
pub fn crc16(data: &[u8]) -> u16 {
    let t = &CRC16_TABLE;
    let step = |crc: u16, b: u8| (crc << 8) ^ t[usize::from((crc >> 8) as u8 ^ b)];
    let mut crc = 0u16;
    let mut quads = data.chunks_exact(4);
    for q in &mut quads {
        crc = step(crc, q[0]);
        crc = step(crc, q[1]);
        crc = step(crc, q[2]);
        crc = step(crc, q[3]);
    }
    for &b in quads.remainder() {
        crc = step(crc, b);
    }
    crc
}

/// Redis Cluster hash slot of a key.
pub fn key_hash_slot(key: &[u8]) -> u16 {
    crc16(hash_tag(key)) % SLOTS
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
    fn crc16_and_hash_tags_match_the_reference() {
        // Every length around the 4- and 8-byte steps, braces at every position.
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
                assert_eq!(
                    crc16(&key),
                    crc16::State::<crc16::XMODEM>::calculate(&key),
                    "{key:?}"
                );
                let open = key.iter().position(|&c| c == b'{');
                assert_eq!(find_byte(b'{', &key), open, "{key:?}");
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

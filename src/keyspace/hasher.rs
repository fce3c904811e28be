//! The hasher of the keyspace's internal maps (keys, CRDT state, list element ids, sorted-set
//! scores): foldhash with a secret seed drawn once per process from the host's entropy, and a
//! distinct per-map seed.
//!
//! Why not std's SipHash: it was ≈ 28 % of a SET's instructions (8 lookups of a 16-byte key
//! at ≈ 240 instructions each, callgrind; see docs/performance.md). foldhash (a folded
//! 64×64→128 multiply per 16 input bytes, the default hasher of `hashbrown`) does the same
//! lookups in a few dozen instructions.
//!
//! HashDoS: clients choose the keys, fields and members, so a hasher they could predict would
//! let them fill one bucket chain and make every lookup linear. What protects a map is the
//! secrecy of its seed, not the hash function alone: Redis uses SipHash with a random key, and
//! std's SipHash here had on wasm32-unknown-unknown (no OS randomness) a key derived from
//! allocation addresses, which are deterministic in a wasm instance, i.e. no protection at
//! all. foldhash mixes every input word with seed material (`(x ^ s1) * (y ^ s2)` folded), so
//! no set of inputs collides for every seed; it is "minimally DoS-resistant": an attacker who
//! cannot observe hash values or table iteration order cannot aim at one bucket. Nothing in
//! marekvs exposes either: SCAN, KEYS and RANDOMKEY walk the separate ordered index, and every
//! reply that lists elements reads ordered `BTreeMap`/`BTreeSet` views. What is left to an
//! attacker is a timing side channel, the same residual risk as any non-cryptographic table.
//!
//! The seed: natively from std's `RandomState` (OS randomness); on wasm32 from JS
//! `Math.random()` (seeded by the engine from OS entropy per isolate) and the clocks. Each map
//! also gets its own seed (a counter mixed with a second secret word), so moving entries from
//! one map into another (undo rollback) cannot cluster them.

use foldhash::fast::{FoldHasher, SeedableRandomState};
use foldhash::SharedSeed;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A hash map with the keyspace's hasher.
pub type Map<K, V> = std::collections::HashMap<K, V, KeyHasher>;

/// `BuildHasher` of [`Map`]: foldhash under the process secret and a per-map seed.
#[derive(Clone, Debug)]
pub struct KeyHasher(SeedableRandomState);

struct Secret {
    shared: SharedSeed,
    per_map: u64,
}

/// 64 bits of host entropy (`word` selects an independent draw).
#[cfg(not(target_arch = "wasm32"))]
fn entropy(word: u64) -> u64 {
    // A fresh RandomState carries 128 random key bits from the OS.
    std::collections::hash_map::RandomState::new().hash_one(word)
}

#[cfg(target_arch = "wasm32")]
fn entropy(word: u64) -> u64 {
    let r = || (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64; // 2^53
    let clocks = crate::host::unix_ms().to_bits() ^ crate::host::monotonic_ms().to_bits();
    r() ^ r().rotate_left(29) ^ clocks.rotate_left(13) ^ word
}

fn secret() -> &'static Secret {
    static SECRET: OnceLock<Secret> = OnceLock::new();
    SECRET.get_or_init(|| Secret {
        shared: SharedSeed::from_u64(entropy(1)),
        per_map: entropy(2),
    })
}

/// The hash of a key's bytes under the process secret (stored with each key of the slot map,
/// which its table then mixes with the map's own seed: see slots.rs).
pub fn key_hash(bytes: &[u8]) -> u64 {
    use std::hash::Hasher;
    static STATE: OnceLock<SeedableRandomState> = OnceLock::new();
    let state = STATE.get_or_init(|| {
        let s = secret();
        SeedableRandomState::with_seed(s.per_map.rotate_left(32) ^ 0x6b65_7973, &s.shared)
    });
    let mut h = state.build_hasher();
    h.write(bytes);
    h.finish()
}

impl Default for KeyHasher {
    fn default() -> Self {
        static MAPS: AtomicU64 = AtomicU64::new(0);
        let s = secret();
        let n = MAPS.fetch_add(1, Ordering::Relaxed);
        KeyHasher(SeedableRandomState::with_seed(
            s.per_map ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            &s.shared,
        ))
    }
}

impl BuildHasher for KeyHasher {
    type Hasher = FoldHasher<'static>;

    #[inline]
    fn build_hasher(&self) -> FoldHasher<'static> {
        self.0.build_hasher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_get_distinct_seeds_and_agree_with_themselves() {
        let (a, b) = (KeyHasher::default(), KeyHasher::default());
        let key: &[u8] = b"user:1000";
        assert_eq!(a.hash_one(key), a.clone().hash_one(key));
        assert_ne!(a.hash_one(key), b.hash_one(key));
        let mut m: Map<Vec<u8>, u32> = Map::default();
        for i in 0..1000u32 {
            m.insert(i.to_be_bytes().to_vec(), i);
        }
        assert!((0..1000u32).all(|i| m.get(&i.to_be_bytes()[..]) == Some(&i)));
    }
}

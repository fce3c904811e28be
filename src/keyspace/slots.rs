//! The slot map: key → [`Slot`](super::Slot), each key stored with its hash.
//!
//! The hash is of the key's bytes under the process secret ([`super::hasher::key_hash`]),
//! computed once when the key gets its slot; the table hashes that word (one multiply). What it
//! saves is the table's growth: rehashing every entry used to read every key's bytes, one
//! cache miss per key in a table of 100k keys, about a third of applying a batch of new keys
//! in Node (perf, wasm). Lookups by `&[u8]` hash the bytes once, as before; a caller that looks
//! a key up and then inserts it passes the hash it already has ([`Slots::get_mut_hashed`],
//! [`Slots::insert_hashed`]).
//!
//! Seeds: the key hash is seeded by the process secret and the table mixes it with its own
//! per-map seed, so an attacker who cannot see hashes or table order still cannot aim keys at
//! one bucket (see hasher.rs).

use super::hasher::{key_hash, Map};
use crate::same_bytes::same_bytes;
use std::borrow::Borrow;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// A stored key and its hash.
#[derive(Debug, Clone)]
struct SlotKey {
    hash: u64,
    key: Arc<[u8]>,
}

/// What the table hashes and compares: a stored key or a query `(hash, bytes)`.
trait KeyLike {
    fn hash_word(&self) -> u64;
    fn bytes(&self) -> &[u8];
}

impl KeyLike for SlotKey {
    #[inline]
    fn hash_word(&self) -> u64 {
        self.hash
    }
    #[inline]
    fn bytes(&self) -> &[u8] {
        &self.key
    }
}

impl KeyLike for (u64, &[u8]) {
    #[inline]
    fn hash_word(&self) -> u64 {
        self.0
    }
    #[inline]
    fn bytes(&self) -> &[u8] {
        self.1
    }
}

impl<'a> Borrow<dyn KeyLike + 'a> for SlotKey {
    #[inline]
    fn borrow(&self) -> &(dyn KeyLike + 'a) {
        self
    }
}

impl Hash for dyn KeyLike + '_ {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash_word());
    }
}

impl PartialEq for dyn KeyLike + '_ {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        // Word-wise: on wasm32 a slice `==` is a byte loop (`same_bytes`).
        self.hash_word() == other.hash_word() && same_bytes(self.bytes(), other.bytes())
    }
}

impl Eq for dyn KeyLike + '_ {}

// The same hash and equality as the `dyn KeyLike` it borrows as (`HashMap`'s contract).
impl Hash for SlotKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for SlotKey {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl Eq for SlotKey {}

/// Key → value (the keyspace's boxed slots), keys shared as `Arc<[u8]>`.
#[derive(Debug, Clone)]
pub(super) struct Slots<V> {
    map: Map<SlotKey, V>,
}

impl<V> Default for Slots<V> {
    fn default() -> Self {
        Slots {
            map: Map::default(),
        }
    }
}

impl<V> Slots<V> {
    pub(super) fn len(&self) -> usize {
        self.map.len()
    }

    #[inline]
    pub(super) fn get(&self, key: &[u8]) -> Option<&V> {
        self.get_key_value(key).map(|(_, v)| v)
    }

    /// [`Slots::get`] with the key's hash ([`key_hash`]) already computed.
    #[inline]
    pub(super) fn get_hashed(&self, hash: u64, key: &[u8]) -> Option<&V> {
        self.map.get(&(hash, key) as &dyn KeyLike)
    }

    #[inline]
    pub(super) fn get_key_value(&self, key: &[u8]) -> Option<(&Arc<[u8]>, &V)> {
        self.get_key_value_hashed(key_hash(key), key)
    }

    /// [`Slots::get_key_value`] with the key's hash ([`key_hash`]) already computed.
    #[inline]
    pub(super) fn get_key_value_hashed(&self, hash: u64, key: &[u8]) -> Option<(&Arc<[u8]>, &V)> {
        self.map
            .get_key_value(&(hash, key) as &dyn KeyLike)
            .map(|(k, v)| (&k.key, v))
    }

    #[inline]
    pub(super) fn get_mut(&mut self, key: &[u8]) -> Option<&mut V> {
        self.get_mut_hashed(key_hash(key), key)
    }

    /// [`Slots::get_mut`] with the key's hash ([`key_hash`]) already computed.
    #[inline]
    pub(super) fn get_mut_hashed(&mut self, hash: u64, key: &[u8]) -> Option<&mut V> {
        self.map.get_mut(&(hash, key) as &dyn KeyLike)
    }

    pub(super) fn insert(&mut self, key: Arc<[u8]>, v: V) -> Option<V> {
        self.insert_hashed(key_hash(&key), key, v)
    }

    /// [`Slots::insert`] with the key's hash ([`key_hash`]) already computed.
    pub(super) fn insert_hashed(&mut self, hash: u64, key: Arc<[u8]>, v: V) -> Option<V> {
        self.map.insert(SlotKey { hash, key }, v)
    }

    /// Insert a key known to be absent (hash already computed); returns its value.
    pub(super) fn insert_new(&mut self, hash: u64, key: Arc<[u8]>, v: V) -> &mut V {
        self.map.entry(SlotKey { hash, key }).or_insert(v)
    }

    pub(super) fn remove(&mut self, key: &[u8]) -> Option<V> {
        let q = (key_hash(key), key);
        self.map.remove(&q as &dyn KeyLike)
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = (&Arc<[u8]>, &V)> {
        self.map.iter().map(|(k, v)| (&k.key, v))
    }

    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = (&Arc<[u8]>, &mut V)> {
        self.map.iter_mut().map(|(k, v)| (&k.key, v))
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &Arc<[u8]>> {
        self.map.keys().map(|k| &k.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lookups by bytes find what was inserted (with or without a precomputed hash), through
    /// the table's growth; removals remove exactly the key.
    #[test]
    fn behaves_as_a_map_of_byte_keys() {
        let mut s: Slots<u32> = Slots::default();
        for i in 0..5000u32 {
            let k: Arc<[u8]> = Arc::from(format!("key:{i}").as_bytes());
            if i % 2 == 0 {
                assert_eq!(s.insert(k, i), None);
            } else {
                assert_eq!(s.insert_hashed(key_hash(&k), k, i), None);
            }
        }
        assert_eq!(s.len(), 5000);
        for i in 0..5000u32 {
            let k = format!("key:{i}");
            assert_eq!(s.get(k.as_bytes()), Some(&i));
            assert_eq!(
                s.get_key_value(k.as_bytes()).map(|(k, _)| &k[..]),
                Some(k.as_bytes())
            );
        }
        assert_eq!(s.get(b"key:5000"), None);
        *s.get_mut_hashed(key_hash(b"key:7"), b"key:7").unwrap() = 70;
        *s.insert_new(key_hash(b"new"), Arc::from(&b"new"[..]), 1) += 1;
        assert_eq!(s.remove(b"new"), Some(2));
        assert_eq!(s.get(b"key:7"), Some(&70));
        assert_eq!(s.insert(Arc::from(&b"key:7"[..]), 7), Some(70));
        assert_eq!(s.remove(b"key:8"), Some(8));
        assert_eq!(s.remove(b"key:8"), None);
        assert_eq!(s.len(), 4999);
        let mut keys: Vec<Vec<u8>> = s.keys().map(|k| k.to_vec()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 4999);
        assert_eq!(s.iter().count() + s.iter_mut().count(), 2 * 4999);
    }
}

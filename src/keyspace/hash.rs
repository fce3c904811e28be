//! Hash value: field → value, iterated in field byte order (canonical and deterministic).

/// A hash value.
pub type Hash = std::collections::BTreeMap<Vec<u8>, Vec<u8>>;

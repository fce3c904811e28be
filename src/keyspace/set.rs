//! Set value: members iterated in byte order (canonical and deterministic).

/// A set value.
pub type Set = std::collections::BTreeSet<Vec<u8>>;

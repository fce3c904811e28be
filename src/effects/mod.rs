//! Effects: the concrete, HLC-stamped writes that replicate (see docs/effects.md).
//!
//! Commands and scripts never replicate. [`crate::keyspace::Keyspace::apply`] turns each
//! local [`crate::keyspace::WriteOp`] into one or more [`Effect`]s (stamped with the shard's
//! HLC; list indexes resolved to element ids at the origin) and applies them with
//! [`crate::keyspace::Keyspace::merge_apply`], the same function that applies remote effects.
//!
//! - [`codec`] — the versioned binary batch and snapshot formats (decoding never panics).
//! - [`log`] — version vectors, the bounded per-partition effect log, catch-up.

pub mod codec;
pub mod log;

pub use crate::hlc::Stamp;

/// The pseudo-partition of system records (`\x00...` keys): applied by every shard.
pub const SYSTEM_PARTITION: u16 = u16::MAX;

/// One concrete write on one key.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// HLC stamp; `stamp.node` is the origin node.
    pub stamp: Stamp,
    /// The key written.
    pub key: Vec<u8>,
    /// What was written.
    pub op: Op,
}

/// The operation of an effect. Merge rules are in `keyspace::crdt` and docs/effects.md.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// String register := value (LWW on the key).
    Str(Vec<u8>),
    /// Hash field := value (per-field LWW).
    HashSet { field: Vec<u8>, value: Vec<u8> },
    /// Hash field tombstone.
    HashDel { field: Vec<u8> },
    /// Set member add (per-member LWW).
    SetAdd { member: Vec<u8> },
    /// Set member remove.
    SetRem { member: Vec<u8> },
    /// Sorted-set member score (per-member LWW; never NaN).
    ZPut { member: Vec<u8>, score: f64 },
    /// Sorted-set member tombstone.
    ZRem { member: Vec<u8> },
    /// List element insert; its id is the effect's stamp. `after` = the element it follows
    /// (`Stamp::ZERO` = the head). Always `after < stamp`.
    ListInsert { after: Stamp, value: Vec<u8> },
    /// List element tombstone.
    ListRemove { id: Stamp },
    /// List element value (LWW per element).
    ListSet { id: Stamp, value: Vec<u8> },
    /// Key tombstone: removes everything of the key stamped ≤ the effect's stamp.
    Delete,
    /// Absolute expiry (unix ms) or none (`PERSIST`): LWW attribute of the key.
    Expire(Option<i64>),
}

impl Op {
    /// Short display name of the op (playground timelines, `describeEffects`).
    pub fn name(&self) -> &'static str {
        match self {
            Op::Str(_) => "set",
            Op::HashSet { .. } => "hset",
            Op::HashDel { .. } => "hdel",
            Op::SetAdd { .. } => "sadd",
            Op::SetRem { .. } => "srem",
            Op::ZPut { .. } => "zadd",
            Op::ZRem { .. } => "zrem",
            Op::ListInsert { .. } => "linsert",
            Op::ListRemove { .. } => "lrem",
            Op::ListSet { .. } => "lset",
            Op::Delete => "del",
            Op::Expire(_) => "expire",
        }
    }

    /// Wire tag of the op.
    pub fn tag(&self) -> u8 {
        match self {
            Op::Str(_) => 0,
            Op::HashSet { .. } => 1,
            Op::HashDel { .. } => 2,
            Op::SetAdd { .. } => 3,
            Op::SetRem { .. } => 4,
            Op::ZPut { .. } => 5,
            Op::ZRem { .. } => 6,
            Op::ListInsert { .. } => 7,
            Op::ListRemove { .. } => 8,
            Op::ListSet { .. } => 9,
            Op::Delete => 10,
            Op::Expire(_) => 11,
        }
    }
}

/// Why a batch, snapshot or catch-up request was refused. A refused batch changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum EffectError {
    /// The bytes are not a valid batch/snapshot (truncated, bad tag, limits, ...).
    Malformed(String),
    /// A stamp is beyond the HLC drift bound (retry later).
    Drift(crate::hlc::DriftError),
    /// A group names a partition this shard does not own, or a key outside its partition.
    Partition(String),
    /// The log no longer reaches back to the requested version vector: send a snapshot.
    NeedSnapshot,
}

impl std::fmt::Display for EffectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EffectError::Malformed(m) => write!(f, "malformed effect batch: {m}"),
            EffectError::Drift(d) => write!(f, "clock drift: {d}"),
            EffectError::Partition(m) => write!(f, "partition: {m}"),
            EffectError::NeedSnapshot => {
                write!(f, "log truncated past the version vector: snapshot needed")
            }
        }
    }
}

impl std::error::Error for EffectError {}

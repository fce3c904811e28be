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
mod parts;

pub use crate::hlc::Stamp;

/// The pseudo-partition of system records (`\x00...` keys): applied by every shard.
pub const SYSTEM_PARTITION: u16 = u16::MAX;

/// One concrete write on one key. `B` holds its bytes: owned (`Vec<u8>`, the default: local
/// effects, the outbox, snapshots) or borrowed ([`EffectRef`]: a decoded batch read in place,
/// what merging and encoding take, so applying a remote effect copies its bytes only into
/// the state that keeps them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect<B = Vec<u8>> {
    /// HLC stamp; `stamp.node` is the origin node.
    pub stamp: Stamp,
    /// The key written.
    pub key: B,
    /// What was written.
    pub op: Op<B>,
}

/// An effect whose bytes are borrowed (from a batch, the log or an owned [`Effect`]).
pub type EffectRef<'a> = Effect<&'a [u8]>;
/// An op whose bytes are borrowed.
pub type OpRef<'a> = Op<&'a [u8]>;

/// The operation of an effect. Merge rules are in `keyspace::crdt` and docs/effects.md.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op<B = Vec<u8>> {
    /// String register := value (LWW on the key).
    Str(B),
    /// Hash field := value (per-field LWW).
    HashSet { field: B, value: B },
    /// Hash field tombstone.
    HashDel { field: B },
    /// Set member add (per-member LWW).
    SetAdd { member: B },
    /// Set member remove.
    SetRem { member: B },
    /// Sorted-set member score (per-member LWW; never NaN).
    ZPut { member: B, score: f64 },
    /// Sorted-set member tombstone.
    ZRem { member: B },
    /// List element insert; its id is the effect's stamp. `after` = the element it follows
    /// (`Stamp::ZERO` = the head). Always `after < stamp`.
    ListInsert { after: Stamp, value: B },
    /// List element tombstone.
    ListRemove { id: Stamp },
    /// List element value (LWW per element).
    ListSet { id: Stamp, value: B },
    /// Key tombstone: removes everything of the key stamped ≤ the effect's stamp.
    Delete,
    /// Absolute expiry (unix ms) or none (`PERSIST`): LWW attribute of the key.
    Expire(Option<i64>),
}

impl<B> Op<B> {
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

impl Op {
    /// The op with its bytes borrowed.
    pub fn as_view(&self) -> OpRef<'_> {
        match self {
            Op::Str(v) => Op::Str(v),
            Op::HashSet { field, value } => Op::HashSet { field, value },
            Op::HashDel { field } => Op::HashDel { field },
            Op::SetAdd { member } => Op::SetAdd { member },
            Op::SetRem { member } => Op::SetRem { member },
            Op::ZPut { member, score } => Op::ZPut {
                member,
                score: *score,
            },
            Op::ZRem { member } => Op::ZRem { member },
            Op::ListInsert { after, value } => Op::ListInsert {
                after: *after,
                value,
            },
            Op::ListRemove { id } => Op::ListRemove { id: *id },
            Op::ListSet { id, value } => Op::ListSet { id: *id, value },
            Op::Delete => Op::Delete,
            Op::Expire(t) => Op::Expire(*t),
        }
    }
}

impl OpRef<'_> {
    /// The op with its bytes copied.
    pub fn to_owned_op(&self) -> Op {
        match *self {
            Op::Str(v) => Op::Str(v.to_vec()),
            Op::HashSet { field, value } => Op::HashSet {
                field: field.to_vec(),
                value: value.to_vec(),
            },
            Op::HashDel { field } => Op::HashDel {
                field: field.to_vec(),
            },
            Op::SetAdd { member } => Op::SetAdd {
                member: member.to_vec(),
            },
            Op::SetRem { member } => Op::SetRem {
                member: member.to_vec(),
            },
            Op::ZPut { member, score } => Op::ZPut {
                member: member.to_vec(),
                score,
            },
            Op::ZRem { member } => Op::ZRem {
                member: member.to_vec(),
            },
            Op::ListInsert { after, value } => Op::ListInsert {
                after,
                value: value.to_vec(),
            },
            Op::ListRemove { id } => Op::ListRemove { id },
            Op::ListSet { id, value } => Op::ListSet {
                id,
                value: value.to_vec(),
            },
            Op::Delete => Op::Delete,
            Op::Expire(t) => Op::Expire(t),
        }
    }
}

impl Effect {
    /// The effect with its bytes borrowed.
    pub fn as_view(&self) -> EffectRef<'_> {
        Effect {
            stamp: self.stamp,
            key: &self.key,
            op: self.op.as_view(),
        }
    }
}

impl EffectRef<'_> {
    /// The effect with its bytes copied.
    pub fn to_owned_effect(&self) -> Effect {
        Effect {
            stamp: self.stamp,
            key: self.key.to_vec(),
            op: self.op.to_owned_op(),
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

//! Binary formats for effect batches, partition snapshots and version vectors.
//!
//! Hand-written (no serde): LEB128 varints, stamps delta-encoded inside a group, and a
//! "same key as the previous effect" bit, which keeps the overhead per effect at ~4-6 bytes
//! beyond key and value (measured in bench/effects.rs, docs/effects.md). Every format starts
//! with a 3-byte magic and a version byte.
//!
//! ```text
//! batch    := "MKE" 0x01 varint(ngroups) group*
//! group    := varint(partition) varint(origin) stamp2(prev) stamp2(upto) varint(n) effect*
//! stamp2   := varint(ms) varint(counter)                  (node = the group's origin)
//! effect   := u8(head) varint(ms - previous ms) varint(counter) [bytes(key)] payload
//!             head = op tag (0..=11) | 0x80 when the key equals the previous effect's key
//! snapshot := "MKS" 0x01 varint(partition) vv varint(n) seffect*
//! seffect  := u8(head) varint(node) varint(ms) varint(counter) [bytes(key)] payload
//! vv       := varint(n) (varint(node) varint(ms) varint(counter))*   ("MKV" 0x01 vv alone)
//! bytes    := varint(len) byte*
//! payload  := Str: bytes | HashSet: bytes bytes | HashDel, SetAdd, SetRem, ZRem: bytes
//!           | ZPut: bytes f64-le | ListInsert: ref bytes | ListRemove: ref
//!           | ListSet: ref bytes | Delete: - | Expire: 0x00 | 0x01 zigzag-varint(ms)
//! ref      := varint(counter << 1 | same-node) varint(ms) [varint(node) unless same-node]
//! ```
//!
//! A group claims to hold **every** effect of `origin` in `partition` with a stamp in
//! `(prev, upto]`; stamps strictly increase inside a group. Decoding checks everything
//! (limits, tags, lengths against the remaining input, stamp order, `after < id` for list
//! inserts, no NaN scores, no trailing bytes) before anything is applied, so a bad batch is
//! rejected whole.

use super::{Effect, EffectError, EffectRef, Op, OpRef, Stamp};
use std::collections::BTreeMap;

/// Largest batch or snapshot accepted (bytes).
pub const MAX_INPUT_BYTES: usize = 256 << 20;
/// Format version written and accepted.
pub const VERSION: u8 = 1;

/// A version vector: origin node → highest stamp such that every effect of that origin
/// stamped ≤ it has been applied.
pub type VersionVector = BTreeMap<u64, Stamp>;

/// A run of effects of one origin in one partition (see the module docs for the claim).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub partition: u16,
    pub origin: u64,
    pub prev: Stamp,
    pub upto: Stamp,
    pub effects: Vec<Effect>,
}

/// A partition snapshot: the CRDT state as effects, plus the version vector it covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot<B = Vec<u8>> {
    pub partition: u16,
    pub vv: VersionVector,
    pub effects: Vec<Effect<B>>,
}

// ---------------------------------------------------------------- writing

#[inline]
fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_varint(out, b.len() as u64);
    out.extend_from_slice(b);
}

fn put_ref(out: &mut Vec<u8>, s: Stamp, origin: Option<u64>) {
    let same = origin == Some(s.node);
    put_varint(out, (u64::from(s.c) << 1) | u64::from(same));
    put_varint(out, s.ms);
    if !same {
        put_varint(out, s.node);
    }
}

fn put_payload(out: &mut Vec<u8>, op: &OpRef<'_>, origin: Option<u64>) {
    match *op {
        Op::Str(v) => put_bytes(out, v),
        Op::HashSet { field, value } => {
            put_bytes(out, field);
            put_bytes(out, value);
        }
        Op::HashDel { field: m }
        | Op::SetAdd { member: m }
        | Op::SetRem { member: m }
        | Op::ZRem { member: m } => put_bytes(out, m),
        Op::ZPut { member, score } => {
            put_bytes(out, member);
            out.extend_from_slice(&score.to_le_bytes());
        }
        Op::ListInsert { after, value } => {
            put_ref(out, after, origin);
            put_bytes(out, value);
        }
        Op::ListRemove { id } => put_ref(out, id, origin),
        Op::ListSet { id, value } => {
            put_ref(out, id, origin);
            put_bytes(out, value);
        }
        Op::Delete => {}
        Op::Expire(None) => out.push(0),
        Op::Expire(Some(t)) => {
            out.push(1);
            put_varint(out, ((t << 1) ^ (t >> 63)) as u64);
        }
    }
}

fn put_vv(out: &mut Vec<u8>, vv: &VersionVector) {
    put_varint(out, vv.len() as u64);
    for (node, s) in vv {
        put_varint(out, *node);
        put_varint(out, s.ms);
        put_varint(out, u64::from(s.c));
    }
}

/// Incremental batch encoder.
#[derive(Debug)]
pub struct BatchWriter {
    groups: u64,
    body: Vec<u8>,
    /// `body` starts with the header for this many groups ([`BatchWriter::expecting`]).
    header_for: Option<u64>,
}

impl Default for BatchWriter {
    fn default() -> Self {
        BatchWriter::new()
    }
}

impl BatchWriter {
    /// An empty batch.
    pub fn new() -> BatchWriter {
        BatchWriter {
            groups: 0,
            body: Vec::new(),
            header_for: None,
        }
    }

    /// An empty batch that will hold `groups` groups and about `bytes` bytes: the header is
    /// written first and the body reserved, so [`BatchWriter::finish`] copies nothing (a
    /// different number of groups is still encoded correctly, with one copy).
    pub fn expecting(groups: u64, bytes: usize) -> BatchWriter {
        let mut body = Vec::with_capacity(bytes.saturating_add(16));
        body.extend_from_slice(b"MKE");
        body.push(VERSION);
        put_varint(&mut body, groups);
        BatchWriter {
            groups: 0,
            body,
            header_for: Some(groups),
        }
    }

    /// Append one group. Effects must all be of `origin` with strictly increasing stamps in
    /// `(prev, upto]` (the caller guarantees it; the decoder checks it).
    pub fn group<'a>(
        &mut self,
        partition: u16,
        origin: u64,
        prev: Stamp,
        upto: Stamp,
        effects: impl ExactSizeIterator<Item = EffectRef<'a>>,
    ) {
        let b = self.group_header(partition, origin, prev, upto, effects.len());
        let mut last_ms = prev.ms;
        let mut last_key: Option<&[u8]> = None;
        for e in effects {
            let same_key = last_key == Some(e.key);
            put_effect(b, &e, last_ms, same_key, origin);
            last_ms = e.stamp.ms;
            last_key = Some(e.key);
        }
    }

    /// Append one group whose effects are already encoded: `body` holds `n` effects as
    /// [`put_effect`] writes them, the first one's stamp relative to `prev`.
    pub fn group_encoded(
        &mut self,
        partition: u16,
        origin: u64,
        prev: Stamp,
        upto: Stamp,
        n: usize,
        body: &[u8],
    ) {
        self.group_header(partition, origin, prev, upto, n)
            .extend_from_slice(body);
    }

    /// Count a group and write its header (`partition origin prev upto count`); returns the
    /// body for its effects.
    fn group_header(
        &mut self,
        partition: u16,
        origin: u64,
        prev: Stamp,
        upto: Stamp,
        n: usize,
    ) -> &mut Vec<u8> {
        self.groups += 1;
        let b = &mut self.body;
        for v in [
            u64::from(partition),
            origin,
            prev.ms,
            u64::from(prev.c),
            upto.ms,
            u64::from(upto.c),
            n as u64,
        ] {
            put_varint(b, v);
        }
        b
    }

    /// Number of groups so far.
    pub fn groups(&self) -> u64 {
        self.groups
    }

    /// The encoded batch.
    pub fn finish(self) -> Vec<u8> {
        let mut body = self.body;
        if let Some(expected) = self.header_for {
            if expected == self.groups {
                return body;
            }
            // Drop the header written for another count.
            let mut head = vec![b'M', b'K', b'E', VERSION];
            put_varint(&mut head, expected);
            body.drain(..head.len());
        }
        let mut out = Vec::with_capacity(4 + 10 + body.len());
        out.extend_from_slice(b"MKE");
        out.push(VERSION);
        put_varint(&mut out, self.groups);
        out.extend_from_slice(&body);
        out
    }
}

/// Append one effect of a group to `out` (the `effect` rule of the module docs): its stamp's
/// `ms` relative to `last_ms` (the previous effect's, or the group's `prev` for the first),
/// its key unless `same_key` (equal to the previous effect's key). Returns where its key's
/// encoding starts (`None` when `same_key`) and where its payload starts, as offsets in `out`:
/// what [`effect_at`] reads it back from. The shard's log encodes its own effects with this as
/// they are collected, and `take_effects` sends those bytes as they are.
pub fn put_effect(
    out: &mut Vec<u8>,
    e: &EffectRef<'_>,
    last_ms: u64,
    same_key: bool,
    origin: u64,
) -> (Option<u32>, u32) {
    out.push(e.op.tag() | if same_key { 0x80 } else { 0 });
    put_varint(out, e.stamp.ms.saturating_sub(last_ms));
    put_varint(out, u64::from(e.stamp.c));
    let key_at = if same_key {
        None
    } else {
        let at = out.len() as u32;
        put_bytes(out, e.key);
        Some(at)
    };
    let op_at = out.len() as u32;
    put_payload(out, &e.op, Some(origin));
    (key_at, op_at)
}

/// Encode groups as one batch.
pub fn encode_batch(groups: &[Group]) -> Vec<u8> {
    let mut w = BatchWriter::new();
    for g in groups {
        w.group(
            g.partition,
            g.origin,
            g.prev,
            g.upto,
            g.effects.iter().map(Effect::as_view),
        );
    }
    w.finish()
}

/// Encode a snapshot.
pub fn encode_snapshot<'a>(
    partition: u16,
    vv: &VersionVector,
    effects: impl ExactSizeIterator<Item = &'a Effect>,
) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"MKS");
    out.push(VERSION);
    put_varint(&mut out, u64::from(partition));
    put_vv(&mut out, vv);
    put_varint(&mut out, effects.len() as u64);
    let mut last_key: Option<&[u8]> = None;
    for e in effects {
        let same_key = last_key == Some(e.key.as_slice());
        out.push(e.op.tag() | if same_key { 0x80 } else { 0 });
        put_varint(&mut out, e.stamp.node);
        put_varint(&mut out, e.stamp.ms);
        put_varint(&mut out, u64::from(e.stamp.c));
        if !same_key {
            put_bytes(&mut out, &e.key);
        }
        put_payload(&mut out, &e.op.as_view(), None);
        last_key = Some(e.key.as_slice());
    }
    out
}

/// Encode a version vector (`"MKV" 0x01 vv`).
pub fn encode_vv(vv: &VersionVector) -> Vec<u8> {
    let mut out = b"MKV".to_vec();
    out.push(VERSION);
    put_vv(&mut out, vv);
    out
}

// ---------------------------------------------------------------- reading

fn bad(m: &str) -> EffectError {
    EffectError::Malformed(m.to_string())
}

struct R<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> R<'a> {
    fn new(b: &'a [u8], magic: &[u8; 3]) -> Result<R<'a>, EffectError> {
        if b.len() > MAX_INPUT_BYTES {
            return Err(bad("input too large"));
        }
        if b.get(..3) != Some(magic.as_slice()) {
            return Err(bad("bad magic"));
        }
        match b.get(3) {
            Some(&VERSION) => Ok(R { b, pos: 4 }),
            Some(v) => Err(EffectError::Malformed(format!("unsupported version {v}"))),
            None => Err(bad("truncated header")),
        }
    }

    fn remaining(&self) -> usize {
        self.b.len().saturating_sub(self.pos)
    }

    fn u8(&mut self) -> Result<u8, EffectError> {
        let v = *self.b.get(self.pos).ok_or_else(|| bad("truncated"))?;
        self.pos += 1;
        Ok(v)
    }

    fn varint(&mut self) -> Result<u64, EffectError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let byte = self.u8()?;
            if i == 9 && byte > 1 {
                return Err(bad("varint overflow"));
            }
            v |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(bad("varint too long"))
    }

    fn u32(&mut self) -> Result<u32, EffectError> {
        u32::try_from(self.varint()?).map_err(|_| bad("counter out of range"))
    }

    fn count(&mut self, min_item_bytes: usize) -> Result<usize, EffectError> {
        let n = usize::try_from(self.varint()?).map_err(|_| bad("count too large"))?;
        if n.saturating_mul(min_item_bytes) > self.remaining() {
            return Err(bad("count exceeds input"));
        }
        Ok(n)
    }

    /// An effect's key and where its encoding starts: the previous effect's (`last`) when the
    /// head's same-key bit (0x80) is set.
    fn key(
        &mut self,
        head: u8,
        last: Option<(&'a [u8], usize)>,
    ) -> Result<(&'a [u8], usize), EffectError> {
        if head & 0x80 != 0 {
            last.ok_or_else(|| bad("same-key flag on first effect"))
        } else {
            let at = self.pos;
            Ok((self.bytes()?, at))
        }
    }

    /// A length-prefixed byte string, borrowed from the input.
    fn bytes(&mut self) -> Result<&'a [u8], EffectError> {
        let n = usize::try_from(self.varint()?).map_err(|_| bad("length too large"))?;
        if n > self.remaining() {
            return Err(bad("length exceeds input"));
        }
        let v = &self.b[self.pos..self.pos + n];
        self.pos += n;
        Ok(v)
    }

    fn f64(&mut self) -> Result<f64, EffectError> {
        let s = self
            .b
            .get(self.pos..self.pos + 8)
            .ok_or_else(|| bad("truncated"))?;
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        self.pos += 8;
        Ok(f64::from_le_bytes(a))
    }

    fn stamp_ref(&mut self, origin: Option<u64>) -> Result<Stamp, EffectError> {
        let cs = self.varint()?;
        let c = u32::try_from(cs >> 1).map_err(|_| bad("counter out of range"))?;
        let ms = self.varint()?;
        let node = match (cs & 1 == 1, origin) {
            (true, Some(o)) => o,
            (true, None) => return Err(bad("same-node ref outside a group")),
            (false, _) => self.varint()?,
        };
        Ok(Stamp { ms, c, node })
    }

    fn partition(&mut self) -> Result<u16, EffectError> {
        u16::try_from(self.varint()?).map_err(|_| bad("partition out of range"))
    }

    fn vv(&mut self) -> Result<VersionVector, EffectError> {
        let n = self.count(3)?;
        let mut vv = VersionVector::new();
        for _ in 0..n {
            let node = self.varint()?;
            let ms = self.varint()?;
            let c = self.u32()?;
            if vv.insert(node, Stamp { ms, c, node }).is_some() {
                return Err(bad("duplicate node in version vector"));
            }
        }
        Ok(vv)
    }

    fn payload(
        &mut self,
        tag: u8,
        origin: Option<u64>,
        id: Stamp,
    ) -> Result<OpRef<'a>, EffectError> {
        Ok(match tag {
            0 => Op::Str(self.bytes()?),
            1 => Op::HashSet {
                field: self.bytes()?,
                value: self.bytes()?,
            },
            2 => Op::HashDel {
                field: self.bytes()?,
            },
            3 => Op::SetAdd {
                member: self.bytes()?,
            },
            4 => Op::SetRem {
                member: self.bytes()?,
            },
            5 => {
                let member = self.bytes()?;
                let score = self.f64()?;
                if score.is_nan() {
                    return Err(bad("NaN score"));
                }
                Op::ZPut { member, score }
            }
            6 => Op::ZRem {
                member: self.bytes()?,
            },
            7 => {
                let after = self.stamp_ref(origin)?;
                if after >= id {
                    return Err(bad("list insert after a later element"));
                }
                Op::ListInsert {
                    after,
                    value: self.bytes()?,
                }
            }
            8 => Op::ListRemove {
                id: self.stamp_ref(origin)?,
            },
            9 => Op::ListSet {
                id: self.stamp_ref(origin)?,
                value: self.bytes()?,
            },
            10 => Op::Delete,
            11 => match self.u8()? {
                0 => Op::Expire(None),
                1 => {
                    let z = self.varint()?;
                    Op::Expire(Some(((z >> 1) as i64) ^ -((z & 1) as i64)))
                }
                _ => return Err(bad("bad expire flag")),
            },
            _ => return Err(bad("unknown op tag")),
        })
    }

    fn end(&self) -> Result<(), EffectError> {
        if self.remaining() != 0 {
            return Err(bad("trailing bytes"));
        }
        Ok(())
    }
}

/// A decoded batch effect, read in place, with where it lies in its group's bytes
/// ([`GroupView::bytes`]): the key's and the payload's encodings (see [`effect_at`]).
#[derive(Debug, Clone, Copy)]
pub struct Placed<'a> {
    pub effect: EffectRef<'a>,
    pub key_at: u32,
    pub op_at: u32,
}

/// A decoded batch group whose effects borrow the batch's bytes.
#[derive(Debug, Clone)]
pub struct GroupView<'a> {
    pub partition: u16,
    pub origin: u64,
    pub prev: Stamp,
    pub upto: Stamp,
    /// The group's encoding (header included): what [`Placed`] offsets count from.
    pub bytes: &'a [u8],
    pub effects: Vec<Placed<'a>>,
}

/// Decode and validate a batch, its effects borrowing `b` (nothing is copied). Never panics;
/// any defect rejects the whole batch.
pub fn decode_batch_view(b: &[u8]) -> Result<Vec<GroupView<'_>>, EffectError> {
    let mut r = R::new(b, b"MKE")?;
    let ngroups = r.count(7)?;
    let mut groups = Vec::with_capacity(ngroups);
    for _ in 0..ngroups {
        let start = r.pos;
        let partition = r.partition()?;
        let origin = r.varint()?;
        let prev = Stamp {
            ms: r.varint()?,
            c: r.u32()?,
            node: origin,
        };
        let upto = Stamp {
            ms: r.varint()?,
            c: r.u32()?,
            node: origin,
        };
        if upto < prev {
            return Err(bad("group upto before prev"));
        }
        let n = r.count(4)?;
        let mut effects: Vec<Placed<'_>> = Vec::with_capacity(n);
        let mut last = prev;
        let mut last_key = None;
        for _ in 0..n {
            let head = r.u8()?;
            let tag = head & 0x7f;
            let dms = r.varint()?;
            let ms = last
                .ms
                .checked_add(dms)
                .ok_or_else(|| bad("stamp overflow"))?;
            let stamp = Stamp {
                ms,
                c: r.u32()?,
                node: origin,
            };
            if stamp <= last || stamp > upto {
                return Err(bad("stamps not increasing inside (prev, upto]"));
            }
            last = stamp;
            let (key, key_at) = r.key(head, last_key)?;
            last_key = Some((key, key_at));
            let op_at = r.pos;
            let op = r.payload(tag, Some(origin), stamp)?;
            // Offsets within the group: below MAX_INPUT_BYTES, so they fit in u32.
            effects.push(Placed {
                effect: Effect { stamp, key, op },
                key_at: (key_at - start) as u32,
                op_at: (op_at - start) as u32,
            });
        }
        groups.push(GroupView {
            partition,
            origin,
            prev,
            upto,
            bytes: &b[start..r.pos],
            effects,
        });
    }
    r.end()?;
    Ok(groups)
}

/// Decode and validate a batch into owned groups (see [`decode_batch_view`]).
pub fn decode_batch(b: &[u8]) -> Result<Vec<Group>, EffectError> {
    Ok(decode_batch_view(b)?
        .into_iter()
        .map(|g| Group {
            partition: g.partition,
            origin: g.origin,
            prev: g.prev,
            upto: g.upto,
            effects: g
                .effects
                .iter()
                .map(|p| p.effect.to_owned_effect())
                .collect(),
        })
        .collect())
}

/// The effect of a group decoded by [`decode_batch_view`], read back from the group's bytes
/// (`group` = [`GroupView::bytes`]) at the offsets its [`Placed`] gave, with its stamp. The
/// bytes were validated when the batch was decoded, so this fails only if they were not
/// those bytes.
pub fn effect_at(
    group: &[u8],
    stamp: Stamp,
    tag: u8,
    key_at: u32,
    op_at: u32,
) -> Result<EffectRef<'_>, EffectError> {
    let mut r = R {
        b: group,
        pos: key_at as usize,
    };
    let key = r.bytes()?;
    r.pos = op_at as usize;
    let op = r.payload(tag, Some(stamp.node), stamp)?;
    Ok(Effect { stamp, key, op })
}

/// Decode and validate a snapshot, its effects borrowing `b`.
pub fn decode_snapshot_view(b: &[u8]) -> Result<Snapshot<&[u8]>, EffectError> {
    let mut r = R::new(b, b"MKS")?;
    let partition = r.partition()?;
    let vv = r.vv()?;
    let n = r.count(4)?;
    let mut effects: Vec<EffectRef<'_>> = Vec::with_capacity(n);
    let mut last_key = None;
    for _ in 0..n {
        let head = r.u8()?;
        let node = r.varint()?;
        let ms = r.varint()?;
        let stamp = Stamp {
            ms,
            c: r.u32()?,
            node,
        };
        let (key, key_at) = r.key(head, last_key)?;
        last_key = Some((key, key_at));
        let op = r.payload(head & 0x7f, None, stamp)?;
        effects.push(Effect { stamp, key, op });
    }
    r.end()?;
    Ok(Snapshot {
        partition,
        vv,
        effects,
    })
}

/// Decode and validate a snapshot into owned effects.
pub fn decode_snapshot(b: &[u8]) -> Result<Snapshot, EffectError> {
    let s = decode_snapshot_view(b)?;
    Ok(Snapshot {
        partition: s.partition,
        vv: s.vv,
        effects: s.effects.iter().map(EffectRef::to_owned_effect).collect(),
    })
}

/// Decode a version vector.
pub fn decode_vv(b: &[u8]) -> Result<VersionVector, EffectError> {
    let mut r = R::new(b, b"MKV")?;
    let vv = r.vv()?;
    r.end()?;
    Ok(vv)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Group> {
        let s = |ms, c| Stamp::new(ms, c, 42);
        vec![
            Group {
                partition: 3,
                origin: 42,
                prev: s(10, 0),
                upto: s(20, 0),
                effects: vec![
                    Effect {
                        stamp: s(11, 0),
                        key: b"k".to_vec(),
                        op: Op::Str(b"v".to_vec()),
                    },
                    Effect {
                        stamp: s(11, 1),
                        key: b"k".to_vec(),
                        op: Op::Expire(Some(-5)),
                    },
                    Effect {
                        stamp: s(12, 0),
                        key: b"l".to_vec(),
                        op: Op::ListInsert {
                            after: Stamp::new(1, 2, 7),
                            value: b"x".to_vec(),
                        },
                    },
                    Effect {
                        stamp: s(13, 0),
                        key: b"l".to_vec(),
                        op: Op::ListRemove { id: s(12, 0) },
                    },
                    Effect {
                        stamp: s(14, 0),
                        key: b"z".to_vec(),
                        op: Op::ZPut {
                            member: b"m".to_vec(),
                            score: -1.5,
                        },
                    },
                    Effect {
                        stamp: s(20, 0),
                        key: b"z".to_vec(),
                        op: Op::Delete,
                    },
                ],
            },
            Group {
                partition: SYSTEM,
                origin: 1,
                prev: Stamp::new(0, 0, 1),
                upto: Stamp::new(0, 0, 1),
                effects: vec![],
            },
        ]
    }
    const SYSTEM: u16 = super::super::SYSTEM_PARTITION;

    #[test]
    fn batch_roundtrip_and_every_truncation_is_rejected() {
        let g = sample();
        let bytes = encode_batch(&g);
        assert_eq!(decode_batch(&bytes).unwrap(), g);
        for n in 0..bytes.len() {
            assert!(decode_batch(&bytes[..n]).is_err(), "prefix {n}");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(decode_batch(&extra).is_err());
    }

    #[test]
    fn snapshot_and_vv_roundtrip() {
        let effects: Vec<Effect> = sample().remove(0).effects;
        let mut vv = VersionVector::new();
        vv.insert(42, Stamp::new(20, 0, 42));
        let b = encode_snapshot(3, &vv, effects.iter());
        let s = decode_snapshot(&b).unwrap();
        assert_eq!((s.partition, &s.vv, &s.effects), (3, &vv, &effects));
        assert_eq!(decode_vv(&encode_vv(&vv)).unwrap(), vv);
        for n in 0..b.len() {
            assert!(decode_snapshot(&b[..n]).is_err());
        }
    }

    #[test]
    fn hostile_inputs() {
        // Huge counts and lengths do not allocate.
        let mut b = b"MKE\x01".to_vec();
        put_varint(&mut b, u64::MAX);
        assert!(decode_batch(&b).is_err());
        let mut b = b"MKE\x01\x01".to_vec();
        b.extend_from_slice(&[0, 1, 0, 0, 5, 0, 1, 0, 1, 0]);
        put_varint(&mut b, u64::MAX >> 1);
        assert!(decode_batch(&b).is_err());
        // Bad version, bad magic, varint overflow.
        assert!(decode_batch(b"MKE\x02\x00").is_err());
        assert!(decode_batch(b"XXX\x01\x00").is_err());
        assert!(decode_batch(b"MKE\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f").is_err());
        assert_eq!(decode_batch(b"MKE\x01\x00").unwrap(), vec![]);
    }
}

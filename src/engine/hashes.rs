//! Hash commands.

use super::{
    arg, cursor_arg, int_arg, is, scan_elements, scan_opts, scan_reply, syntax, wrong_arity,
    CallCtx, CmdResult, Shard, ERR_OVERFLOW,
};
use crate::keyspace::Hash;
use crate::numfmt;
use crate::reply::Reply;

/// Largest |count| accepted by HRANDFIELD/SRANDMEMBER/ZRANDMEMBER with repetitions (bounds
/// memory; Redis has no such limit but would exhaust memory instead).
pub(crate) const MAX_RANDOM_COUNT: u64 = 1_000_000;

#[inline]
fn hash<'a>(sh: &'a Shard, key: &[u8]) -> Result<Option<&'a Hash>, Reply> {
    Ok(sh.ks.get_hash(key)?)
}

fn n(v: usize) -> Reply {
    Reply::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

fn hset_generic(sh: &mut Shard, argv: &[Vec<u8>], name: &str) -> Result<usize, Reply> {
    if !argv.len().is_multiple_of(2) {
        return Err(wrong_arity(name));
    }
    let key = arg(argv, 1);
    // Fields added = growth of the hash (a field given twice counts once, an existing field
    // not at all); no set of seen fields, so no BTreeSet<&[u8]> instantiation is linked.
    let before = hash(sh, key)?.map_or(0, |h| h.len());
    for c in argv.get(2..).unwrap_or(&[]).chunks_exact(2) {
        if let [f, v] = c {
            let v = sh.ks.spare.copy_of(v);
            sh.ks.hash_set(key, f, v);
        }
    }
    let after = hash(sh, key)?.map_or(0, |h| h.len());
    Ok(after.saturating_sub(before))
}

pub(super) fn hset(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    hset_generic(sh, argv, "hset").map(n)
}

pub(super) fn hmset(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    hset_generic(sh, argv, "hmset").map(|_| Reply::ok())
}

pub(super) fn hsetnx(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let (key, field) = (arg(argv, 1), arg(argv, 2));
    if hash(sh, key)?.is_some_and(|h| h.contains_key(field)) {
        return Ok(Reply::Integer(0));
    }
    sh.ks.hash_set(key, field, arg(argv, 3).to_vec());
    Ok(Reply::Integer(1))
}

pub(super) fn hget(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(hash(sh, arg(argv, 1))?
        .and_then(|h| h.get(arg(argv, 2)))
        .map(Reply::bulk)
        .unwrap_or(Reply::Nil))
}

pub(super) fn hmget(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let h = hash(sh, arg(argv, 1))?;
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|f| {
                h.and_then(|h| h.get(f))
                    .map(Reply::bulk)
                    .unwrap_or(Reply::Nil)
            })
            .collect(),
    ))
}

pub(super) fn hdel(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if hash(sh, key)?.is_none() {
        return Ok(Reply::Integer(0));
    }
    let mut removed = 0;
    for f in argv.iter().skip(2) {
        if hash(sh, key)?.is_some_and(|h| h.contains_key(f.as_slice())) {
            sh.ks.hash_del(key, f);
            removed += 1;
        }
    }
    Ok(n(removed))
}

pub(super) fn hexists(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let b = hash(sh, arg(argv, 1))?.is_some_and(|h| h.contains_key(arg(argv, 2)));
    Ok(Reply::Integer(i64::from(b)))
}

pub(super) fn hlen(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(n(hash(sh, arg(argv, 1))?.map_or(0, |h| h.len())))
}

pub(super) fn hstrlen(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(n(hash(sh, arg(argv, 1))?
        .and_then(|h| h.get(arg(argv, 2)))
        .map_or(0, |v| v.len())))
}

pub(super) fn hgetall(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let pairs = hash(sh, arg(argv, 1))?
        .map(|h| {
            h.iter()
                .map(|(f, v)| (Reply::bulk(f), Reply::bulk(v)))
                .collect()
        })
        .unwrap_or_default();
    Ok(cx.map(pairs))
}

pub(super) fn hkeys(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Array(
        hash(sh, arg(argv, 1))?
            .map(|h| h.keys().map(Reply::bulk).collect())
            .unwrap_or_default(),
    ))
}

pub(super) fn hvals(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(Reply::Array(
        hash(sh, arg(argv, 1))?
            .map(|h| h.values().map(Reply::bulk).collect())
            .unwrap_or_default(),
    ))
}

pub(super) fn hincrby(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let (key, field) = (arg(argv, 1), arg(argv, 2));
    let by = int_arg(arg(argv, 3))?;
    let cur = match hash(sh, key)?.and_then(|h| h.get(field)) {
        None => 0,
        Some(v) => {
            numfmt::parse_i64(v).ok_or_else(|| Reply::err("ERR hash value is not an integer"))?
        }
    };
    let v = cur
        .checked_add(by)
        .ok_or_else(|| Reply::err(ERR_OVERFLOW))?;
    sh.ks.hash_set(key, field, numfmt::fmt_i64(v));
    Ok(Reply::Integer(v))
}

pub(super) fn hincrbyfloat(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let (key, field) = (arg(argv, 1), arg(argv, 2));
    let by =
        numfmt::parse_long_double(arg(argv, 3)).ok_or_else(|| Reply::err(super::ERR_NOT_FLOAT))?;
    if !by.is_finite() {
        return Err(Reply::err("ERR value is NaN or Infinity"));
    }
    let cur = match hash(sh, key)?.and_then(|h| h.get(field)) {
        None => numfmt::LongDouble::from_i64(0),
        Some(v) => numfmt::parse_long_double(v)
            .ok_or_else(|| Reply::err("ERR hash value is not a float"))?,
    };
    let v = match cur.plus(by) {
        Some(v) if v.is_finite() => v,
        _ => return Err(Reply::err("ERR increment would produce NaN or Infinity")),
    };
    let text = v.to_human().into_bytes();
    sh.ks.hash_set(key, field, text.clone());
    Ok(Reply::Bulk(text))
}

/// Parse a random-count argument: (count, allow_repeats).
pub(crate) fn random_count(b: &[u8]) -> Result<(usize, bool), Reply> {
    let c = int_arg(b)?;
    if c.unsigned_abs() > MAX_RANDOM_COUNT {
        return Err(Reply::err("ERR value is out of range"));
    }
    Ok((usize::try_from(c.unsigned_abs()).unwrap_or(0), c < 0))
}

/// Pick `count` indexes of `len`: distinct (shuffled prefix) or with repeats.
pub(crate) fn pick_indexes(sh: &mut Shard, len: usize, count: usize, repeats: bool) -> Vec<usize> {
    if len == 0 {
        return Vec::new();
    }
    if repeats {
        return (0..count).map(|_| sh.rng.below(len)).collect();
    }
    let mut idx: Vec<usize> = (0..len).collect();
    let take = count.min(len);
    for i in 0..take {
        let j = i + sh.rng.below(len - i);
        idx.swap(i, j);
    }
    idx.truncate(take);
    idx
}

/// The elements at `picks` (indexes into `items`' order, repeats allowed), borrowed: one
/// walk for a single pick, else one vector of references; only the caller copies what it
/// returns (copying every element for a random pick made SPOP on a large set O(n) copies).
pub(super) fn picked<T: Copy>(mut items: impl Iterator<Item = T>, picks: &[usize]) -> Vec<T> {
    if let [i] = picks {
        return items.nth(*i).into_iter().collect();
    }
    let all: Vec<T> = items.collect();
    picks.iter().filter_map(|&i| all.get(i).copied()).collect()
}

pub(super) fn hrandfield(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if argv.len() == 2 {
        let Some(h) = hash(sh, key)? else {
            return Ok(Reply::Nil);
        };
        let len = h.len();
        let i = sh.rng.below(len);
        return Ok(hash(sh, key)?
            .and_then(|h| h.keys().nth(i))
            .map(Reply::bulk)
            .unwrap_or(Reply::Nil));
    }
    let (count, repeats) = random_count(arg(argv, 2))?;
    let withvalues = match argv.get(3) {
        None => false,
        Some(o) if argv.len() == 4 && is(o, "withvalues") => true,
        Some(_) => return Err(syntax()),
    };
    let len = match hash(sh, key)? {
        None => return Ok(Reply::Array(Vec::new())),
        Some(h) => h.len(),
    };
    let picks = pick_indexes(sh, len, count, repeats);
    let Some(h) = hash(sh, key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let mut out = Vec::new();
    for (f, v) in picked(h.iter(), &picks) {
        if withvalues && cx.proto >= 3 {
            out.push(Reply::Array(vec![Reply::bulk(f), Reply::bulk(v)]));
        } else {
            out.push(Reply::bulk(f));
            if withvalues {
                out.push(Reply::bulk(v));
            }
        }
    }
    Ok(Reply::Array(out))
}

pub(super) fn hscan(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = cursor_arg(arg(argv, 2))?;
    let o = scan_opts(argv, 3, false)?;
    // Borrowed: only what the call returns is copied.
    let items: Vec<(&[u8], &[u8])> = hash(sh, arg(argv, 1))?
        .map(|h| h.iter().map(|(f, v)| (&f[..], &v[..])).collect())
        .unwrap_or_default();
    let (next, got) = scan_elements(items, cursor, o.count, o.pattern.as_deref());
    Ok(scan_reply(
        next,
        got.into_iter()
            .flat_map(|(f, v)| [Reply::bulk(f), Reply::bulk(v)])
            .collect(),
    ))
}

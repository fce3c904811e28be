//! List commands. Blocking variants answer immediately (as Redis does when data is there, or
//! as an expired timeout when not); the server may add real blocking later.

use super::{
    arg, clamp_range, int_arg, is, pop_count, syntax, CallCtx, CmdResult, Shard, ERR_INDEX,
    ERR_NO_KEY,
};
use crate::keyspace::List;
use crate::numfmt;
use crate::reply::Reply;

fn n(v: usize) -> Reply {
    Reply::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

fn list<'a>(sh: &'a Shard, key: &[u8]) -> Result<Option<&'a List>, Reply> {
    Ok(sh.ks.get_list(key)?)
}

fn len_of(sh: &Shard, key: &[u8]) -> usize {
    sh.ks.get_list(key).ok().flatten().map_or(0, |l| l.len())
}

fn push(sh: &mut Shard, argv: &[Vec<u8>], left: bool, only_existing: bool) -> CmdResult {
    let key = arg(argv, 1);
    let Some(mut len) = list(sh, key)?
        .map(|l| l.len())
        .or((!only_existing).then_some(0))
    else {
        return Ok(Reply::Integer(0));
    };
    // The length is counted here rather than read back: one key lookup fewer per value.
    for v in argv.iter().skip(2) {
        let v = sh.ks.spare.copy_of(v);
        if sh.ks.list_insert(key, if left { 0 } else { len }, v) {
            len += 1;
        }
    }
    Ok(n(len))
}

pub(super) fn lpush(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    push(sh, argv, true, false)
}

pub(super) fn rpush(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    push(sh, argv, false, false)
}

pub(super) fn lpushx(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    push(sh, argv, true, true)
}

pub(super) fn rpushx(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    push(sh, argv, false, true)
}

/// Pop one element from the head or tail.
fn pop_one(sh: &mut Shard, key: &[u8], left: bool) -> Option<Vec<u8>> {
    let l = sh.ks.get_list(key).ok().flatten()?;
    let idx = if left { 0 } else { l.len().checked_sub(1)? };
    let v = l.get(idx)?.clone();
    sh.ks.list_remove(key, idx);
    Some(v)
}

fn pop(sh: &mut Shard, argv: &[Vec<u8>], left: bool) -> CmdResult {
    // LPOP/RPOP take one optional count: more is an arity error in Redis 7.0 (SPOP and
    // ZPOPMIN/ZPOPMAX answer a syntax error instead, through `pop_count`).
    if argv.len() > 3 {
        return Err(super::wrong_arity(if left { "lpop" } else { "rpop" }));
    }
    let key = arg(argv, 1);
    let count = pop_count(argv)?;
    if list(sh, key)?.is_none() {
        return Ok(if count.is_some() {
            Reply::NilArray
        } else {
            Reply::Nil
        });
    }
    match count {
        None => Ok(pop_one(sh, key, left)
            .map(Reply::Bulk)
            .unwrap_or(Reply::Nil)),
        Some(c) => {
            let mut out = Vec::new();
            for _ in 0..c {
                match pop_one(sh, key, left) {
                    Some(v) => out.push(Reply::Bulk(v)),
                    None => break,
                }
            }
            Ok(Reply::Array(out))
        }
    }
}

pub(super) fn lpop(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    pop(sh, argv, true)
}

pub(super) fn rpop(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    pop(sh, argv, false)
}

pub(super) fn lrange(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let start = int_arg(arg(argv, 2))?;
    let end = int_arg(arg(argv, 3))?;
    let Some(l) = list(sh, arg(argv, 1))? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let Some((s, e)) = clamp_range(start, end, l.len()) else {
        return Ok(Reply::Array(Vec::new()));
    };
    Ok(Reply::Array(l.range(s..=e).map(Reply::bulk).collect()))
}

pub(super) fn llen(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(n(list(sh, arg(argv, 1))?.map_or(0, |l| l.len())))
}

/// Resolve a possibly negative index.
fn index_of(idx: i64, len: usize) -> Option<usize> {
    let len_i = i64::try_from(len).ok()?;
    let i = if idx < 0 {
        len_i.checked_add(idx)?
    } else {
        idx
    };
    if i < 0 || i >= len_i {
        return None;
    }
    usize::try_from(i).ok()
}

pub(super) fn lindex(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    // Redis: key (missing → nil, wrong type) before the index.
    let Some(l) = list(sh, arg(argv, 1))? else {
        return Ok(Reply::Nil);
    };
    let idx = int_arg(arg(argv, 2))?;
    Ok(index_of(idx, l.len())
        .and_then(|i| l.get(i))
        .map(Reply::bulk)
        .unwrap_or(Reply::Nil))
}

pub(super) fn lset(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    // Redis: missing key, then wrong type, then the index.
    let Some(l) = list(sh, key)? else {
        return Err(Reply::err(ERR_NO_KEY));
    };
    let idx = int_arg(arg(argv, 2))?;
    let Some(i) = index_of(idx, l.len()) else {
        return Err(Reply::err(ERR_INDEX));
    };
    sh.ks.list_set(key, i, arg(argv, 3).to_vec());
    Ok(Reply::ok())
}

pub(super) fn lrem(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let count = int_arg(arg(argv, 2))?;
    let elem = arg(argv, 3);
    let Some(l) = list(sh, key)? else {
        return Ok(Reply::Integer(0));
    };
    let limit = if count == 0 {
        usize::MAX
    } else {
        usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
    };
    let mut idxs: Vec<usize> = if count < 0 {
        l.iter()
            .enumerate()
            .rev()
            .filter(|(_, v)| v.as_slice() == elem)
            .map(|(i, _)| i)
            .take(limit)
            .collect()
    } else {
        l.iter()
            .enumerate()
            .filter(|(_, v)| v.as_slice() == elem)
            .map(|(i, _)| i)
            .take(limit)
            .collect()
    };
    // Remove from the highest index down so earlier indexes stay valid: the negative-count walk
    // already collected them in that order, the forward walk in ascending order (no sort: it
    // would link one more instantiation of the std sort).
    if count >= 0 {
        idxs.reverse();
    }
    for &i in &idxs {
        sh.ks.list_remove(key, i);
    }
    Ok(n(idxs.len()))
}

pub(super) fn ltrim(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let start = int_arg(arg(argv, 2))?;
    let end = int_arg(arg(argv, 3))?;
    let Some(l) = list(sh, key)? else {
        return Ok(Reply::ok());
    };
    let len = l.len();
    match clamp_range(start, end, len) {
        None => {
            sh.ks.delete(key);
        }
        Some((s, e)) => {
            for i in (e + 1..len).rev() {
                sh.ks.list_remove(key, i);
            }
            for _ in 0..s {
                sh.ks.list_remove(key, 0);
            }
        }
    }
    Ok(Reply::ok())
}

pub(super) fn linsert(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let where_ = arg(argv, 2);
    let after = if is(where_, "after") {
        true
    } else if is(where_, "before") {
        false
    } else {
        return Err(syntax());
    };
    let Some(l) = list(sh, key)? else {
        return Ok(Reply::Integer(0));
    };
    let Some(pos) = l.iter().position(|v| v.as_slice() == arg(argv, 3)) else {
        return Ok(Reply::Integer(-1));
    };
    let at = if after { pos + 1 } else { pos };
    sh.ks.list_insert(key, at, arg(argv, 4).to_vec());
    Ok(n(len_of(sh, key)))
}

pub(super) fn lpos(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let elem = arg(argv, 2);
    let mut rank: i64 = 1;
    let mut count: Option<usize> = None;
    let mut maxlen: usize = 0;
    let mut i = 3;
    while i < argv.len() {
        let o = arg(argv, i);
        if i + 1 >= argv.len() {
            return Err(syntax());
        }
        let v = arg(argv, i + 1);
        if is(o, "rank") {
            rank = int_arg(v)?;
            if rank == 0 {
                return Err(Reply::err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
            }
        } else if is(o, "count") {
            let c = int_arg(v)?;
            if c < 0 {
                return Err(Reply::err("ERR COUNT can't be negative"));
            }
            count = Some(usize::try_from(c).unwrap_or(usize::MAX));
        } else if is(o, "maxlen") {
            let m = int_arg(v)?;
            if m < 0 {
                return Err(Reply::err("ERR MAXLEN can't be negative"));
            }
            maxlen = usize::try_from(m).unwrap_or(usize::MAX);
        } else {
            return Err(syntax());
        }
        i += 2;
    }
    let Some(l) = list(sh, key)? else {
        return Ok(if count.is_some() {
            Reply::Array(Vec::new())
        } else {
            Reply::Nil
        });
    };
    let skip = usize::try_from(rank.unsigned_abs().saturating_sub(1)).unwrap_or(usize::MAX);
    let want = match count {
        Some(0) => usize::MAX,
        Some(c) => c,
        None => 1,
    };
    let scan_len = if maxlen == 0 {
        l.len()
    } else {
        maxlen.min(l.len())
    };
    let idx: Box<dyn Iterator<Item = usize>> = if rank > 0 {
        Box::new(0..scan_len)
    } else {
        let len = l.len();
        Box::new((0..scan_len).map(move |k| len - 1 - k))
    };
    let found: Vec<usize> = idx
        .filter(|&k| l.get(k).is_some_and(|v| v.as_slice() == elem))
        .skip(skip)
        .take(want)
        .collect();
    Ok(match count {
        Some(_) => Reply::Array(found.into_iter().map(n).collect()),
        None => found.first().map(|&k| n(k)).unwrap_or(Reply::Nil),
    })
}

fn side(b: &[u8]) -> Result<bool, Reply> {
    if is(b, "left") {
        Ok(true)
    } else if is(b, "right") {
        Ok(false)
    } else {
        Err(syntax())
    }
}

fn lmove_generic(
    sh: &mut Shard,
    src: &[u8],
    dst: &[u8],
    from_left: bool,
    to_left: bool,
) -> CmdResult {
    if list(sh, src)?.is_none() {
        return Ok(Reply::Nil);
    }
    list(sh, dst)?;
    let Some(v) = pop_one(sh, src, from_left) else {
        return Ok(Reply::Nil);
    };
    let idx = if to_left { 0 } else { len_of(sh, dst) };
    sh.ks.list_insert(dst, idx, v.clone());
    Ok(Reply::Bulk(v))
}

pub(super) fn rpoplpush(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    lmove_generic(sh, arg(argv, 1), arg(argv, 2), false, true)
}

pub(super) fn lmove(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let from = side(arg(argv, 3))?;
    let to = side(arg(argv, 4))?;
    lmove_generic(sh, arg(argv, 1), arg(argv, 2), from, to)
}

/// Validate a blocking timeout (seconds, float).
fn timeout(b: &[u8]) -> Result<(), Reply> {
    let t = numfmt::parse_f64(b)
        .filter(|t| t.is_finite())
        .ok_or_else(|| Reply::err("ERR timeout is not a float or out of range"))?;
    if t < 0.0 {
        return Err(Reply::err("ERR timeout is negative"));
    }
    Ok(())
}

fn bpop(sh: &mut Shard, argv: &[Vec<u8>], left: bool) -> CmdResult {
    timeout(argv.last().map(|v| v.as_slice()).unwrap_or(&[]))?;
    let keys = argv.get(1..argv.len().saturating_sub(1)).unwrap_or(&[]);
    for k in keys {
        if list(sh, k)?.is_some() {
            if let Some(v) = pop_one(sh, k, left) {
                return Ok(Reply::Array(vec![Reply::bulk(k), Reply::Bulk(v)]));
            }
        }
    }
    Ok(Reply::NilArray)
}

pub(super) fn blpop(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    bpop(sh, argv, true)
}

pub(super) fn brpop(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    bpop(sh, argv, false)
}

pub(super) fn blmove(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let from = side(arg(argv, 3))?;
    let to = side(arg(argv, 4))?;
    timeout(arg(argv, 5))?;
    match lmove_generic(sh, arg(argv, 1), arg(argv, 2), from, to)? {
        Reply::Nil => Ok(Reply::NilArray),
        r => Ok(r),
    }
}

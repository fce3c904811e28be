//! Set commands.

use super::hashes::{pick_indexes, random_count};
use super::{
    arg, cursor_arg, int_arg, is, pop_count, scan_elements, scan_opts, scan_reply, syntax, CallCtx,
    CmdResult, Shard,
};
use crate::keyspace::Set;
use crate::reply::Reply;

fn n(v: usize) -> Reply {
    Reply::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

#[inline]
fn set<'a>(sh: &'a Shard, key: &[u8]) -> Result<Option<&'a Set>, Reply> {
    Ok(sh.ks.get_set(key)?)
}

fn members_reply(cx: &CallCtx, items: impl IntoIterator<Item = Vec<u8>>) -> Reply {
    cx.set(items.into_iter().map(Reply::Bulk).collect())
}

pub(super) fn sadd(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    set(sh, key)?;
    let mut added = 0;
    for m in argv.iter().skip(2) {
        if sh.ks.get_set(key)?.is_none_or(|s| !s.contains(m)) {
            sh.ks.set_add(key, m);
            added += 1;
        }
    }
    Ok(n(added))
}

pub(super) fn srem(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if set(sh, key)?.is_none() {
        return Ok(Reply::Integer(0));
    }
    let mut removed = 0;
    for m in argv.iter().skip(2) {
        if sh.ks.get_set(key)?.is_some_and(|s| s.contains(m)) {
            sh.ks.set_rem(key, m);
            removed += 1;
        }
    }
    Ok(n(removed))
}

pub(super) fn smembers(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let items: Vec<Vec<u8>> = set(sh, arg(argv, 1))?
        .map(|s| s.iter().cloned().collect())
        .unwrap_or_default();
    Ok(members_reply(cx, items))
}

pub(super) fn sismember(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let b = set(sh, arg(argv, 1))?.is_some_and(|s| s.contains(arg(argv, 2)));
    Ok(Reply::Integer(i64::from(b)))
}

pub(super) fn smismember(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let s = set(sh, arg(argv, 1))?;
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|m| Reply::Integer(i64::from(s.is_some_and(|s| s.contains(m)))))
            .collect(),
    ))
}

pub(super) fn scard(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(n(set(sh, arg(argv, 1))?.map_or(0, |s| s.len())))
}

pub(super) fn spop(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let count = pop_count(argv)?;
    let len = match set(sh, key)? {
        None => {
            return Ok(match count {
                None => Reply::Nil,
                Some(_) => cx.set(Vec::new()),
            })
        }
        Some(s) => s.len(),
    };
    let want = count.unwrap_or(1);
    let picks = pick_indexes(sh, len, want, false);
    let out: Vec<Vec<u8>> = match set(sh, key)? {
        Some(s) => super::hashes::picked(s.iter(), &picks)
            .into_iter()
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    for m in &out {
        sh.ks.set_rem(key, m);
    }
    Ok(match count {
        None => out
            .into_iter()
            .next()
            .map(Reply::Bulk)
            .unwrap_or(Reply::Nil),
        Some(_) => members_reply(cx, out),
    })
}

pub(super) fn srandmember(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if argv.len() > 3 {
        return Err(syntax());
    }
    let Some(c) = argv.get(2) else {
        let Some(s) = set(sh, key)? else {
            return Ok(Reply::Nil);
        };
        let len = s.len();
        let i = sh.rng.below(len);
        return Ok(set(sh, key)?
            .and_then(|s| s.iter().nth(i))
            .map(Reply::bulk)
            .unwrap_or(Reply::Nil));
    };
    let (count, repeats) = random_count(c)?;
    let len = match set(sh, key)? {
        None => return Ok(Reply::Array(Vec::new())),
        Some(s) => s.len(),
    };
    let picks = pick_indexes(sh, len, count, repeats);
    Ok(Reply::Array(match set(sh, key)? {
        Some(s) => super::hashes::picked(s.iter(), &picks)
            .into_iter()
            .map(Reply::bulk)
            .collect(),
        None => Vec::new(),
    }))
}

pub(super) fn smove(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let (src, dst, m) = (arg(argv, 1), arg(argv, 2), arg(argv, 3));
    let in_src = set(sh, src)?.map(|s| s.contains(m));
    let in_dst = set(sh, dst)?.is_some_and(|s| s.contains(m));
    match in_src {
        None | Some(false) => Ok(Reply::Integer(0)),
        Some(true) if src == dst => Ok(Reply::Integer(1)),
        Some(true) => {
            sh.ks.set_rem(src, m);
            if !in_dst {
                sh.ks.set_add(dst, m);
            }
            Ok(Reply::Integer(1))
        }
    }
}

#[derive(Clone, Copy)]
enum Op {
    Inter,
    Union,
    Diff,
}

/// Compute the set operation over `keys` (WRONGTYPE if any key is not a set).
fn compute(sh: &Shard, keys: &[Vec<u8>], op: Op) -> Result<Set, Reply> {
    let mut sets: Vec<Option<&Set>> = Vec::with_capacity(keys.len());
    for k in keys {
        sets.push(set(sh, k)?);
    }
    let mut it = sets.into_iter();
    let first = it.next().flatten();
    let mut acc: Set = first.cloned().unwrap_or_default();
    let rest: Vec<Option<&Set>> = it.collect();
    match op {
        Op::Inter => {
            if first.is_none() || rest.iter().any(|s| s.is_none()) {
                return Ok(Set::new());
            }
            acc.retain(|m| rest.iter().all(|s| s.is_some_and(|s| s.contains(m))));
        }
        Op::Union => {
            for s in rest.into_iter().flatten() {
                acc.extend(s.iter().cloned());
            }
        }
        Op::Diff => {
            for s in rest.into_iter().flatten() {
                acc.retain(|m| !s.contains(m));
            }
        }
    }
    Ok(acc)
}

fn read_op(sh: &mut Shard, cx: &CallCtx, argv: &[Vec<u8>], op: Op) -> CmdResult {
    let r = compute(sh, argv.get(1..).unwrap_or(&[]), op)?;
    Ok(members_reply(cx, r))
}

fn store_op(sh: &mut Shard, argv: &[Vec<u8>], op: Op) -> CmdResult {
    let dst = arg(argv, 1).to_vec();
    let r = compute(sh, argv.get(2..).unwrap_or(&[]), op)?;
    sh.ks.delete(&dst);
    for m in &r {
        sh.ks.set_add(&dst, m);
    }
    Ok(n(r.len()))
}

pub(super) fn sinter(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    read_op(sh, cx, argv, Op::Inter)
}

pub(super) fn sunion(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    read_op(sh, cx, argv, Op::Union)
}

pub(super) fn sdiff(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    read_op(sh, cx, argv, Op::Diff)
}

pub(super) fn sinterstore(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    store_op(sh, argv, Op::Inter)
}

pub(super) fn sunionstore(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    store_op(sh, argv, Op::Union)
}

pub(super) fn sdiffstore(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    store_op(sh, argv, Op::Diff)
}

pub(super) fn sintercard(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let numkeys =
        int_arg(arg(argv, 1)).map_err(|_| Reply::err("ERR numkeys should be greater than 0"))?;
    if numkeys <= 0 {
        return Err(Reply::err("ERR numkeys should be greater than 0"));
    }
    let numkeys = usize::try_from(numkeys).unwrap_or(usize::MAX);
    if numkeys > argv.len().saturating_sub(2) {
        return Err(Reply::err(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let keys = argv.get(2..2 + numkeys).unwrap_or(&[]);
    let mut limit = 0usize;
    let mut i = 2 + numkeys;
    while i < argv.len() {
        if is(arg(argv, i), "limit") && i + 1 < argv.len() {
            let l = int_arg(arg(argv, i + 1))?;
            if l < 0 {
                return Err(Reply::err("ERR LIMIT can't be negative"));
            }
            limit = usize::try_from(l).unwrap_or(usize::MAX);
            i += 2;
        } else {
            return Err(syntax());
        }
    }
    let r = compute(sh, keys, Op::Inter)?;
    let c = if limit > 0 {
        r.len().min(limit)
    } else {
        r.len()
    };
    Ok(n(c))
}

pub(super) fn sscan(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = cursor_arg(arg(argv, 2))?;
    let o = scan_opts(argv, 3, false)?;
    // Borrowed: only what the call returns is copied.
    let items: Vec<(&[u8], ())> = set(sh, arg(argv, 1))?
        .map(|s| s.iter().map(|m| (&m[..], ())).collect())
        .unwrap_or_default();
    let (next, got) = scan_elements(items, cursor, o.count, o.pattern.as_deref());
    Ok(scan_reply(
        next,
        got.into_iter().map(|(m, _)| Reply::bulk(m)).collect(),
    ))
}

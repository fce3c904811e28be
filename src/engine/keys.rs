//! Generic keyspace commands.

use super::{
    arg, cursor_arg, int_arg, is, scan_opts, scan_reply, syntax, CallCtx, CmdResult, Shard,
    ERR_NO_KEY,
};
use crate::keyspace::glob::glob_match;
use crate::reply::Reply;

fn count(n: usize) -> Reply {
    Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

pub(super) fn del(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let mut n = 0;
    for k in argv.iter().skip(1) {
        if sh.ks.exists(k) {
            sh.ks.delete(k);
            n += 1;
        }
    }
    Ok(count(n))
}

pub(super) fn unlink(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    del(sh, cx, argv)
}

pub(super) fn exists(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(count(
        argv.iter().skip(1).filter(|k| sh.ks.exists(k)).count(),
    ))
}

pub(super) fn type_(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let t = sh.ks.value(arg(argv, 1)).map_or("none", |v| v.type_name());
    Ok(Reply::Status(t.to_string()))
}

fn expire_generic(
    sh: &mut Shard,
    cx: &CallCtx,
    argv: &[Vec<u8>],
    unit_ms: i64,
    absolute: bool,
    name: &str,
) -> CmdResult {
    let key = arg(argv, 1);
    // Redis 7.0 checks the options before it parses the time.
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for o in argv.iter().skip(3) {
        if is(o, "nx") {
            nx = true;
        } else if is(o, "xx") {
            xx = true;
        } else if is(o, "gt") {
            gt = true;
        } else if is(o, "lt") {
            lt = true;
        } else {
            return Err(Reply::err(format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(o)
            )));
        }
    }
    if nx && (xx || gt || lt) {
        return Err(Reply::err(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if gt && lt {
        return Err(Reply::err(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    let v = int_arg(arg(argv, 2))?;
    let bad = || Reply::err(format!("ERR invalid expire time in '{name}' command"));
    let ms = v.checked_mul(unit_ms).ok_or_else(bad)?;
    let at = if absolute {
        ms
    } else {
        ms.checked_add(cx.now_ms).ok_or_else(bad)?
    };
    let Some(cur) = sh.ks.expiry(key) else {
        return Ok(Reply::Integer(0));
    };
    // A persistent key has an infinite TTL for GT/LT.
    let ok = match cur {
        None => !(xx || gt),
        Some(c) => !(nx || (gt && at <= c) || (lt && at >= c)),
    };
    if !ok {
        return Ok(Reply::Integer(0));
    }
    if at <= cx.now_ms {
        sh.ks.delete(key);
    } else {
        sh.ks.set_expiry(key, Some(at));
    }
    Ok(Reply::Integer(1))
}

pub(super) fn expire(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    expire_generic(sh, cx, argv, 1000, false, "expire")
}

pub(super) fn pexpire(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    expire_generic(sh, cx, argv, 1, false, "pexpire")
}

pub(super) fn expireat(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    expire_generic(sh, cx, argv, 1000, true, "expireat")
}

pub(super) fn pexpireat(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    expire_generic(sh, cx, argv, 1, true, "pexpireat")
}

pub(super) fn touch(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    exists(sh, cx, argv)
}

/// EXPIRETIME / PEXPIRETIME: -2 missing, -1 persistent, else the absolute unix time
/// (seconds rounded like Redis: `(ms + 500) / 1000`).
fn expiretime_generic(sh: &Shard, key: &[u8], ms: bool) -> Reply {
    match sh.ks.expiry(key) {
        None => Reply::Integer(-2),
        Some(None) => Reply::Integer(-1),
        Some(Some(t)) => {
            let t = t.max(0);
            Reply::Integer(if ms { t } else { t.saturating_add(500) / 1000 })
        }
    }
}

pub(super) fn expiretime(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(expiretime_generic(sh, arg(argv, 1), false))
}

pub(super) fn pexpiretime(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(expiretime_generic(sh, arg(argv, 1), true))
}

/// COPY source destination [DB n] [REPLACE] (one database: only DB 0 exists).
pub(super) fn copy(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let (src, dst) = (arg(argv, 1), arg(argv, 2));
    let mut replace = false;
    let mut i = 3;
    while let Some(o) = argv.get(i) {
        if is(o, "replace") {
            replace = true;
        } else if is(o, "db") && i + 1 < argv.len() {
            let db = int_arg(arg(argv, i + 1))?;
            if i32::try_from(db).is_err() {
                return Err(Reply::err(super::ERR_NOT_INT));
            }
            if db != 0 {
                return Err(Reply::err("ERR DB index is out of range"));
            }
            i += 1;
        } else {
            return Err(syntax());
        }
        i += 1;
    }
    if src == dst {
        return Err(Reply::err(
            "ERR source and destination objects are the same",
        ));
    }
    let Some(entry) = sh.ks.get(src).cloned() else {
        return Ok(Reply::Integer(0));
    };
    if sh.ks.exists(dst) && !replace {
        return Ok(Reply::Integer(0));
    }
    sh.ks.write_value(dst, &entry.value, entry.expire_at);
    Ok(Reply::Integer(1))
}

fn ttl_generic(sh: &Shard, cx: &CallCtx, key: &[u8], ms: bool) -> Reply {
    match sh.ks.expiry(key) {
        None => Reply::Integer(-2),
        Some(None) => Reply::Integer(-1),
        Some(Some(t)) => {
            let left = t.saturating_sub(cx.now_ms).max(0);
            Reply::Integer(if ms {
                left
            } else {
                left.saturating_add(500) / 1000
            })
        }
    }
}

pub(super) fn ttl(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(ttl_generic(sh, cx, arg(argv, 1), false))
}

pub(super) fn pttl(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(ttl_generic(sh, cx, arg(argv, 1), true))
}

pub(super) fn persist(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if let Some(Some(_)) = sh.ks.expiry(key) {
        sh.ks.set_expiry(key, None);
        return Ok(Reply::Integer(1));
    }
    Ok(Reply::Integer(0))
}

fn rename_generic(sh: &mut Shard, argv: &[Vec<u8>], nx: bool) -> CmdResult {
    let src = arg(argv, 1);
    let dst = arg(argv, 2);
    let Some(entry) = sh.ks.get(src).cloned() else {
        return Err(Reply::err(ERR_NO_KEY));
    };
    if src == dst {
        return Ok(if nx { Reply::Integer(0) } else { Reply::ok() });
    }
    if nx && sh.ks.exists(dst) {
        return Ok(Reply::Integer(0));
    }
    sh.ks.delete(src);
    sh.ks.write_value(dst, &entry.value, entry.expire_at);
    Ok(if nx { Reply::Integer(1) } else { Reply::ok() })
}

pub(super) fn rename(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    rename_generic(sh, argv, false)
}

pub(super) fn renamenx(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    rename_generic(sh, argv, true)
}

pub(super) fn keys(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let pat = arg(argv, 1);
    let all = pat == b"*";
    let out = sh
        .ks
        .user_keys()
        .filter(|k| all || glob_match(pat, k))
        .map(Reply::bulk)
        .collect();
    Ok(Reply::Array(out))
}

pub(super) fn scan(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = cursor_arg(arg(argv, 1))?;
    let o = scan_opts(argv, 2, true)?;
    let (next, keys) = sh.ks.scan(cursor, o.count, |k, e| {
        o.pattern.as_deref().is_none_or(|p| glob_match(p, k))
            && o.type_name
                .as_deref()
                .is_none_or(|t| t == e.value.type_name().as_bytes())
    });
    Ok(scan_reply(
        next,
        keys.into_iter().map(Reply::Bulk).collect(),
    ))
}

pub(super) fn dbsize(sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    Ok(count(sh.ks.dbsize()))
}

pub(super) fn randomkey(sh: &mut Shard, _cx: &mut CallCtx, _argv: &[Vec<u8>]) -> CmdResult {
    let r = sh.rng.next_u64();
    Ok(sh.ks.random_key(r).map(Reply::Bulk).unwrap_or(Reply::Nil))
}

/// FLUSHALL/FLUSHDB: deletes every user key (system records stay) via `Delete` ops.
pub(super) fn flushall(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    match argv.get(1) {
        None => {}
        Some(o) if argv.len() == 2 && (is(o, "async") || is(o, "sync")) => {}
        Some(_) => return Err(syntax()),
    }
    let keys: Vec<Vec<u8>> = sh.ks.all_user_keys();
    for k in keys {
        sh.ks.delete(&k);
    }
    Ok(Reply::ok())
}

pub(super) fn flushdb(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    flushall(sh, cx, argv)
}

//! String commands.

use super::{
    arg, int_arg, is, syntax, CallCtx, CmdResult, Shard, ERR_NOT_FLOAT, ERR_NOT_INT, ERR_OVERFLOW,
};
use crate::keyspace::hasher::key_hash;
use crate::keyspace::{Kind, Value};
use crate::numfmt;
use crate::reply::Reply;

/// Largest string (proto-max-bulk-len).
pub(crate) const MAX_STRING: usize = 512 * 1024 * 1024;

fn get_str(sh: &Shard, key: &[u8]) -> Result<Option<Vec<u8>>, Reply> {
    Ok(sh.ks.get_string(key)?.cloned())
}

fn bulk_or_nil(v: Option<Vec<u8>>) -> Reply {
    v.map(Reply::Bulk).unwrap_or(Reply::Nil)
}

/// Expiry argument → absolute ms. `unit_ms` is 1000 for seconds; `absolute` for EXAT/PXAT.
pub(crate) fn expire_at(
    raw: &[u8],
    unit_ms: i64,
    absolute: bool,
    now: i64,
    cmd: &str,
) -> Result<i64, Reply> {
    let v = int_arg(raw)?;
    let bad = || Reply::err(format!("ERR invalid expire time in '{cmd}' command"));
    if v <= 0 {
        return Err(bad());
    }
    let ms = v.checked_mul(unit_ms).ok_or_else(bad)?;
    if absolute {
        Ok(ms)
    } else {
        ms.checked_add(now).ok_or_else(bad)
    }
}

/// Write a string, then set/keep/clear expiry. `ttl`: `Some(Some(t))` set, `Some(None)`
/// clear, `None` keep.
fn write_string(sh: &mut Shard, key: &[u8], value: Vec<u8>, ttl: Option<Option<i64>>) {
    let hash = key_hash(key);
    let live = sh.ks.live_kind_hashed(hash, key);
    write_string_seen(sh, key, value, ttl, live, hash);
}

/// [`write_string`] with the key's live kind and expiry already read (`Keyspace::live_kind_hashed`, no
/// write since) and its hash computed: one lookup and one hash fewer.
fn write_string_seen(
    sh: &mut Shard,
    key: &[u8],
    value: Vec<u8>,
    ttl: Option<Option<i64>>,
    live: Option<(Kind, Option<i64>)>,
    hash: u64,
) {
    let had_ttl = live.is_some_and(|(_, t)| t.is_some());
    sh.ks.set_string_seen(key, value, live, hash);
    match ttl {
        Some(Some(t)) => {
            sh.ks.set_expiry(key, Some(t));
        }
        Some(None) if had_ttl => {
            sh.ks.set_expiry(key, None);
        }
        _ => {}
    }
}

/// EX/PX/EXAT/PXAT → (unit ms, absolute).
fn expire_kind(o: &[u8]) -> Option<(i64, bool)> {
    if is(o, "ex") {
        Some((1000, false))
    } else if is(o, "px") {
        Some((1, false))
    } else if is(o, "exat") {
        Some((1000, true))
    } else if is(o, "pxat") {
        Some((1, true))
    } else {
        None
    }
}

/// Redis accepts the same expire option repeated (the last wins) but not two different ones.
fn same_kind(cur: Option<(usize, i64, bool)>, kind: (i64, bool)) -> bool {
    cur.is_none_or(|(_, u, a)| (u, a) == kind)
}

pub(super) fn get(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let v = get_str(sh, arg(argv, 1))?;
    if v.is_some() {
        sh.stats.keyspace_hits += 1;
    } else {
        sh.stats.keyspace_misses += 1;
    }
    Ok(bulk_or_nil(v))
}

pub(super) fn set(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let value = sh.ks.spare.copy_of(arg(argv, 2));
    let (mut nx, mut xx, mut keepttl, mut want_get) = (false, false, false, false);
    let mut expire: Option<(usize, i64, bool)> = None;
    let mut i = 3;
    while i < argv.len() {
        let o = arg(argv, i);
        let has_next = i + 1 < argv.len();
        if is(o, "nx") && !xx {
            nx = true;
        } else if is(o, "xx") && !nx {
            xx = true;
        } else if is(o, "get") {
            want_get = true;
        } else if is(o, "keepttl") && expire.is_none() {
            keepttl = true;
        } else if let Some(kind) =
            expire_kind(o).filter(|k| !keepttl && has_next && same_kind(expire, *k))
        {
            expire = Some((i + 1, kind.0, kind.1));
            i += 1;
        } else {
            return Err(syntax());
        }
        i += 1;
    }
    let at = match expire {
        Some((idx, unit, abs)) => Some(expire_at(arg(argv, idx), unit, abs, cx.now_ms, "set")?),
        None => None,
    };
    let old = if want_get {
        Some(get_str(sh, key)?)
    } else {
        None
    };
    let hash = key_hash(key);
    let live = sh.ks.live_kind_hashed(hash, key);
    let exists = live.is_some();
    if (nx && exists) || (xx && !exists) {
        return Ok(match old {
            Some(o) => bulk_or_nil(o),
            None => Reply::Nil,
        });
    }
    let ttl = if keepttl { None } else { Some(at) };
    write_string_seen(sh, key, value, ttl, live, hash);
    Ok(match old {
        Some(o) => bulk_or_nil(o),
        None => Reply::ok(),
    })
}

pub(super) fn setnx(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if sh.ks.exists(key) {
        return Ok(Reply::Integer(0));
    }
    write_string(sh, key, arg(argv, 2).to_vec(), Some(None));
    Ok(Reply::Integer(1))
}

fn setex_generic(
    sh: &mut Shard,
    cx: &CallCtx,
    argv: &[Vec<u8>],
    unit: i64,
    name: &str,
) -> CmdResult {
    let at = expire_at(arg(argv, 2), unit, false, cx.now_ms, name)?;
    write_string(sh, arg(argv, 1), arg(argv, 3).to_vec(), Some(Some(at)));
    Ok(Reply::ok())
}

pub(super) fn setex(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    setex_generic(sh, cx, argv, 1000, "setex")
}

pub(super) fn psetex(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    setex_generic(sh, cx, argv, 1, "psetex")
}

pub(super) fn getset(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let old = get_str(sh, key)?;
    write_string(sh, key, arg(argv, 2).to_vec(), Some(None));
    Ok(bulk_or_nil(old))
}

pub(super) fn getdel(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let old = get_str(sh, key)?;
    if old.is_some() {
        sh.ks.delete(key);
    }
    Ok(bulk_or_nil(old))
}

pub(super) fn getex(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let mut expire: Option<(usize, i64, bool)> = None;
    let mut persist = false;
    let mut i = 2;
    while i < argv.len() {
        let o = arg(argv, i);
        let has_next = i + 1 < argv.len();
        if expire.is_none() && is(o, "persist") {
            persist = true;
        } else if let Some(kind) =
            expire_kind(o).filter(|k| !persist && has_next && same_kind(expire, *k))
        {
            expire = Some((i + 1, kind.0, kind.1));
            i += 1;
        } else {
            return Err(syntax());
        }
        i += 1;
    }
    let at = match expire {
        Some((idx, unit, abs)) => Some(expire_at(arg(argv, idx), unit, abs, cx.now_ms, "getex")?),
        None => None,
    };
    let v = get_str(sh, key)?;
    if v.is_some() {
        if let Some(t) = at {
            sh.ks.set_expiry(key, Some(t));
        } else if persist && sh.ks.expiry(key).flatten().is_some() {
            sh.ks.set_expiry(key, None);
        }
    }
    Ok(bulk_or_nil(v))
}

pub(super) fn mget(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let out = argv
        .iter()
        .skip(1)
        .map(|k| match sh.ks.get_string(k) {
            Ok(Some(v)) => Reply::Bulk(v.clone()),
            _ => Reply::Nil,
        })
        .collect();
    Ok(Reply::Array(out))
}

type Pairs = Vec<(Vec<u8>, Vec<u8>)>;

fn mset_pairs(argv: &[Vec<u8>], name: &str) -> Result<Pairs, Reply> {
    if argv.len().is_multiple_of(2) {
        return Err(super::wrong_arity(name));
    }
    Ok(argv
        .get(1..)
        .unwrap_or(&[])
        .chunks_exact(2)
        .filter_map(|c| match c {
            [k, v] => Some((k.clone(), v.clone())),
            _ => None,
        })
        .collect())
}

pub(super) fn mset(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    for (k, v) in mset_pairs(argv, "mset")? {
        write_string(sh, &k, v, Some(None));
    }
    Ok(Reply::ok())
}

pub(super) fn msetnx(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let pairs = mset_pairs(argv, "msetnx")?;
    if pairs.iter().any(|(k, _)| sh.ks.exists(k)) {
        return Ok(Reply::Integer(0));
    }
    for (k, v) in pairs {
        write_string(sh, &k, v, Some(None));
    }
    Ok(Reply::Integer(1))
}

fn incr_generic(sh: &mut Shard, key: &[u8], by: i64) -> CmdResult {
    // One lookup reads the value in place (no copy) and what the write needs to know.
    let hash = key_hash(key);
    let (cur, live) = match sh.ks.get_hashed(hash, key) {
        None => (0, None),
        Some(e) => match &e.value {
            Value::Str(v) => (
                numfmt::parse_i64(v).ok_or_else(|| Reply::err(ERR_NOT_INT))?,
                Some((Kind::Str, e.expire_at)),
            ),
            _ => return Err(crate::keyspace::WrongType.into()),
        },
    };
    let n = cur
        .checked_add(by)
        .ok_or_else(|| Reply::err(ERR_OVERFLOW))?;
    let text = sh
        .ks
        .spare
        .copy_of(itoa::Buffer::new().format(n).as_bytes());
    sh.ks.set_string_seen(key, text, live, hash);
    Ok(Reply::Integer(n))
}

pub(super) fn incr(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    incr_generic(sh, arg(argv, 1), 1)
}

pub(super) fn decr(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    incr_generic(sh, arg(argv, 1), -1)
}

pub(super) fn incrby(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let by = int_arg(arg(argv, 2))?;
    incr_generic(sh, arg(argv, 1), by)
}

pub(super) fn decrby(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let by = int_arg(arg(argv, 2))?;
    let by = by
        .checked_neg()
        .ok_or_else(|| Reply::err("ERR decrement would overflow"))?;
    incr_generic(sh, arg(argv, 1), by)
}

pub(super) fn incrbyfloat(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let not_float = || Reply::err(ERR_NOT_FLOAT);
    let cur = match get_str(sh, key)? {
        None => numfmt::LongDouble::from_i64(0),
        Some(v) => numfmt::parse_long_double(&v).ok_or_else(not_float)?,
    };
    let by = numfmt::parse_long_double(arg(argv, 2)).ok_or_else(not_float)?;
    let n = match cur.plus(by) {
        Some(n) if n.is_finite() => n,
        _ => return Err(Reply::err("ERR increment would produce NaN or Infinity")),
    };
    let text = n.to_human().into_bytes();
    sh.ks.set_string(key, text.clone());
    Ok(Reply::Bulk(text))
}

pub(super) fn append(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let add = arg(argv, 2);
    let mut v = get_str(sh, key)?.unwrap_or_default();
    if v.len().saturating_add(add.len()) > MAX_STRING {
        return Err(Reply::err(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    v.extend_from_slice(add);
    let n = v.len();
    sh.ks.set_string(key, v);
    Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)))
}

pub(super) fn strlen(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let n = sh.ks.get_string(arg(argv, 1))?.map_or(0, |v| v.len());
    Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)))
}

pub(super) fn getrange(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let mut start = int_arg(arg(argv, 2))?;
    let mut end = int_arg(arg(argv, 3))?;
    let v = get_str(sh, arg(argv, 1))?.unwrap_or_default();
    let len = i64::try_from(v.len()).unwrap_or(i64::MAX);
    if start < 0 && end < 0 && start > end {
        return Ok(Reply::Bulk(Vec::new()));
    }
    if start < 0 {
        start = len.saturating_add(start);
    }
    if end < 0 {
        end = len.saturating_add(end);
    }
    start = start.max(0);
    end = end.max(0);
    if end >= len {
        end = len - 1;
    }
    if start > end || len == 0 {
        return Ok(Reply::Bulk(Vec::new()));
    }
    let (s, e) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    Ok(Reply::Bulk(v.get(s..=e).unwrap_or(&[]).to_vec()))
}

/// SUBSTR: the pre-2.0 name of GETRANGE.
pub(super) fn substr(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    getrange(sh, cx, argv)
}

pub(super) fn setrange(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let offset = int_arg(arg(argv, 2))?;
    let add = arg(argv, 3);
    if offset < 0 {
        return Err(Reply::err("ERR offset is out of range"));
    }
    let cur = get_str(sh, key)?;
    let offset = usize::try_from(offset).unwrap_or(usize::MAX);
    if add.is_empty() {
        let n = cur.map_or(0, |v| v.len());
        return Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)));
    }
    let end = offset.saturating_add(add.len());
    if end > MAX_STRING {
        return Err(Reply::err(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        ));
    }
    let mut v = cur.unwrap_or_default();
    if v.len() < end {
        v.resize(end, 0);
    }
    if let Some(dst) = v.get_mut(offset..end) {
        dst.copy_from_slice(add);
    }
    let n = v.len();
    sh.ks.set_string(key, v);
    Ok(Reply::Integer(i64::try_from(n).unwrap_or(i64::MAX)))
}

//! Sorted-set commands.

use super::{
    arg, clamp_range, cursor_arg, float_arg, int_arg, is, scan_elements, scan_opts, scan_reply,
    syntax, CallCtx, CmdResult, Shard,
};
use crate::keyspace::ZSet;
use crate::numfmt;
use crate::reply::Reply;

fn n(v: usize) -> Reply {
    Reply::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

fn zset<'a>(sh: &'a Shard, key: &[u8]) -> Result<Option<&'a ZSet>, Reply> {
    Ok(sh.ks.get_zset(key)?)
}

const ERR_NAN: &str = "ERR resulting score is not a number (NaN)";
const ERR_MINMAX: &str = "ERR min or max is not a float";
const ERR_LEX: &str = "ERR min or max not valid string range item";

pub(super) fn zadd(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let (mut nx, mut xx, mut gt, mut lt, mut ch, mut incr) =
        (false, false, false, false, false, false);
    let mut i = 2;
    while let Some(o) = argv.get(i) {
        if is(o, "nx") {
            nx = true;
        } else if is(o, "xx") {
            xx = true;
        } else if is(o, "gt") {
            gt = true;
        } else if is(o, "lt") {
            lt = true;
        } else if is(o, "ch") {
            ch = true;
        } else if is(o, "incr") {
            incr = true;
        } else {
            break;
        }
        i += 1;
    }
    let rest = argv.get(i..).unwrap_or(&[]);
    if rest.is_empty() || rest.len() % 2 != 0 {
        return Err(syntax());
    }
    if nx && xx {
        return Err(Reply::err(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if (nx && (gt || lt)) || (gt && lt) {
        return Err(Reply::err(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if incr && rest.len() > 2 {
        return Err(Reply::err(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    let mut pairs = Vec::with_capacity(rest.len() / 2);
    for c in rest.chunks_exact(2) {
        if let [s, m] = c {
            pairs.push((float_arg(s)?, m.as_slice()));
        }
    }
    zset(sh, key)?;
    let (mut added, mut changed) = (0usize, 0usize);
    let mut incr_result = None;
    for (score, member) in pairs {
        let cur = zset(sh, key)?.and_then(|z| z.score(member));
        let new = match cur {
            None => {
                if xx {
                    continue;
                }
                score
            }
            Some(c) => {
                if nx {
                    continue;
                }
                let v = if incr { c + score } else { score };
                if v.is_nan() {
                    return Err(Reply::err(ERR_NAN));
                }
                if (gt && v <= c) || (lt && v >= c) {
                    continue;
                }
                v
            }
        };
        if new.is_nan() {
            return Err(Reply::err(ERR_NAN));
        }
        match cur {
            None => {
                added += 1;
                sh.ks.zset_put(key, member, new);
            }
            Some(c) if c != new => {
                changed += 1;
                sh.ks.zset_put(key, member, new);
            }
            Some(_) => {}
        }
        incr_result = Some(new);
    }
    if incr {
        return Ok(incr_result.map(|v| cx.double(v)).unwrap_or(Reply::Nil));
    }
    Ok(n(if ch { added + changed } else { added }))
}

pub(super) fn zrem(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    if zset(sh, key)?.is_none() {
        return Ok(Reply::Integer(0));
    }
    let mut removed = 0;
    for m in argv.iter().skip(2) {
        if zset(sh, key)?.is_some_and(|z| z.score(m).is_some()) {
            sh.ks.zset_rem(key, m);
            removed += 1;
        }
    }
    Ok(n(removed))
}

pub(super) fn zscore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(zset(sh, arg(argv, 1))?
        .and_then(|z| z.score(arg(argv, 2)))
        .map(|s| cx.double(s))
        .unwrap_or(Reply::Nil))
}

pub(super) fn zmscore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let z = zset(sh, arg(argv, 1))?;
    Ok(Reply::Array(
        argv.iter()
            .skip(2)
            .map(|m| {
                z.and_then(|z| z.score(m))
                    .map(|s| cx.double(s))
                    .unwrap_or(Reply::Nil)
            })
            .collect(),
    ))
}

pub(super) fn zincrby(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let by = float_arg(arg(argv, 2))?;
    let member = arg(argv, 3);
    let cur = zset(sh, key)?.and_then(|z| z.score(member)).unwrap_or(0.0);
    let v = cur + by;
    if v.is_nan() {
        return Err(Reply::err(ERR_NAN));
    }
    sh.ks.zset_put(key, member, v);
    Ok(cx.double(v))
}

pub(super) fn zcard(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    Ok(n(zset(sh, arg(argv, 1))?.map_or(0, |z| z.len())))
}

/// A score bound: value and exclusivity.
#[derive(Clone, Copy)]
struct ScoreBound(f64, bool);

fn parse_score_bound(b: &[u8]) -> Result<ScoreBound, Reply> {
    let (ex, num) = match b.split_first() {
        Some((b'(', rest)) => (true, rest),
        _ => (false, b),
    };
    numfmt::parse_f64(num)
        .map(|v| ScoreBound(v, ex))
        .ok_or_else(|| Reply::err(ERR_MINMAX))
}

fn score_in(s: f64, min: ScoreBound, max: ScoreBound) -> bool {
    (if min.1 { s > min.0 } else { s >= min.0 }) && (if max.1 { s < max.0 } else { s <= max.0 })
}

#[derive(Clone)]
enum LexBound {
    NegInf,
    PosInf,
    Incl(Vec<u8>),
    Excl(Vec<u8>),
}

fn parse_lex_bound(b: &[u8]) -> Result<LexBound, Reply> {
    match b.split_first() {
        Some((b'-', [])) => Ok(LexBound::NegInf),
        Some((b'+', [])) => Ok(LexBound::PosInf),
        Some((b'[', rest)) => Ok(LexBound::Incl(rest.to_vec())),
        Some((b'(', rest)) => Ok(LexBound::Excl(rest.to_vec())),
        _ => Err(Reply::err(ERR_LEX)),
    }
}

fn lex_gte_min(m: &[u8], min: &LexBound) -> bool {
    match min {
        LexBound::NegInf => true,
        LexBound::PosInf => false,
        LexBound::Incl(v) => m >= v.as_slice(),
        LexBound::Excl(v) => m > v.as_slice(),
    }
}

fn lex_lte_max(m: &[u8], max: &LexBound) -> bool {
    match max {
        LexBound::NegInf => false,
        LexBound::PosInf => true,
        LexBound::Incl(v) => m <= v.as_slice(),
        LexBound::Excl(v) => m < v.as_slice(),
    }
}

pub(super) fn zcount(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let min = parse_score_bound(arg(argv, 2))?;
    let max = parse_score_bound(arg(argv, 3))?;
    Ok(n(zset(sh, arg(argv, 1))?.map_or(0, |z| {
        z.iter().filter(|(_, s)| score_in(*s, min, max)).count()
    })))
}

#[derive(Clone, Copy, PartialEq)]
enum By {
    Rank,
    Score,
    Lex,
}

struct RangeSpec {
    by: By,
    rev: bool,
    limit: Option<(i64, i64)>,
    withscores: bool,
}

/// Evaluate a range over a sorted set: (member, score) in reply order.
fn eval_range(
    z: Option<&ZSet>,
    start: &[u8],
    stop: &[u8],
    spec: &RangeSpec,
) -> Result<Vec<(Vec<u8>, f64)>, Reply> {
    // Parse the bounds before looking at the key, as Redis does.
    enum Bounds {
        Rank(i64, i64),
        Score(ScoreBound, ScoreBound),
        Lex(LexBound, LexBound),
    }
    let bounds = match spec.by {
        By::Rank => Bounds::Rank(int_arg(start)?, int_arg(stop)?),
        By::Score => {
            let (a, b) = (parse_score_bound(start)?, parse_score_bound(stop)?);
            if spec.rev {
                Bounds::Score(b, a)
            } else {
                Bounds::Score(a, b)
            }
        }
        By::Lex => {
            let (a, b) = (parse_lex_bound(start)?, parse_lex_bound(stop)?);
            if spec.rev {
                Bounds::Lex(b, a)
            } else {
                Bounds::Lex(a, b)
            }
        }
    };
    let Some(z) = z else {
        return Ok(Vec::new());
    };
    let mut items: Vec<(&[u8], f64)> = z.iter().collect();
    if spec.rev {
        items.reverse();
    }
    let selected: Vec<(&[u8], f64)> = match bounds {
        Bounds::Rank(s, e) => match clamp_range(s, e, items.len()) {
            None => Vec::new(),
            Some((s, e)) => items.get(s..=e).unwrap_or(&[]).to_vec(),
        },
        Bounds::Score(min, max) => items
            .into_iter()
            .filter(|(_, s)| score_in(*s, min, max))
            .collect(),
        Bounds::Lex(min, max) => items
            .into_iter()
            .filter(|(m, _)| lex_gte_min(m, &min) && lex_lte_max(m, &max))
            .collect(),
    };
    let limited: Vec<(&[u8], f64)> = match spec.limit {
        None => selected,
        Some((off, cnt)) => {
            if off < 0 {
                Vec::new()
            } else {
                let off = usize::try_from(off).unwrap_or(usize::MAX);
                let it = selected.into_iter().skip(off);
                if cnt < 0 {
                    it.collect()
                } else {
                    it.take(usize::try_from(cnt).unwrap_or(usize::MAX))
                        .collect()
                }
            }
        }
    };
    Ok(limited.into_iter().map(|(m, s)| (m.to_vec(), s)).collect())
}

fn range_reply(cx: &CallCtx, items: Vec<(Vec<u8>, f64)>, withscores: bool) -> Reply {
    if !withscores {
        return Reply::Array(items.into_iter().map(|(m, _)| Reply::Bulk(m)).collect());
    }
    if cx.proto >= 3 {
        Reply::Array(
            items
                .into_iter()
                .map(|(m, s)| Reply::Array(vec![Reply::Bulk(m), cx.double(s)]))
                .collect(),
        )
    } else {
        Reply::Array(
            items
                .into_iter()
                .flat_map(|(m, s)| [Reply::Bulk(m), cx.double(s)])
                .collect(),
        )
    }
}

/// Parse ZRANGE-style options from `i`: BYSCORE BYLEX REV LIMIT WITHSCORES.
fn parse_zrange_opts(
    argv: &[Vec<u8>],
    mut i: usize,
    allow_withscores: bool,
) -> Result<RangeSpec, Reply> {
    let mut spec = RangeSpec {
        by: By::Rank,
        rev: false,
        limit: None,
        withscores: false,
    };
    while let Some(o) = argv.get(i) {
        if allow_withscores && is(o, "withscores") {
            spec.withscores = true;
        } else if is(o, "limit") && i + 2 < argv.len() {
            spec.limit = Some((int_arg(arg(argv, i + 1))?, int_arg(arg(argv, i + 2))?));
            i += 2;
        } else if is(o, "byscore") {
            spec.by = By::Score;
        } else if is(o, "bylex") {
            spec.by = By::Lex;
        } else if is(o, "rev") {
            spec.rev = true;
        } else {
            return Err(syntax());
        }
        i += 1;
    }
    if spec.limit.is_some() && spec.by == By::Rank {
        return Err(Reply::err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if spec.withscores && spec.by == By::Lex {
        return Err(Reply::err(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    Ok(spec)
}

pub(super) fn zrange(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let spec = parse_zrange_opts(argv, 4, true)?;
    let z = zset(sh, arg(argv, 1))?;
    let items = eval_range(z, arg(argv, 2), arg(argv, 3), &spec)?;
    Ok(range_reply(cx, items, spec.withscores))
}

fn by_score_legacy(sh: &mut Shard, cx: &CallCtx, argv: &[Vec<u8>], rev: bool) -> CmdResult {
    let mut spec = RangeSpec {
        by: By::Score,
        rev,
        limit: None,
        withscores: false,
    };
    let mut i = 4;
    while let Some(o) = argv.get(i) {
        if is(o, "withscores") {
            spec.withscores = true;
        } else if is(o, "limit") && i + 2 < argv.len() {
            spec.limit = Some((int_arg(arg(argv, i + 1))?, int_arg(arg(argv, i + 2))?));
            i += 2;
        } else {
            return Err(syntax());
        }
        i += 1;
    }
    let z = zset(sh, arg(argv, 1))?;
    let items = eval_range(z, arg(argv, 2), arg(argv, 3), &spec)?;
    Ok(range_reply(cx, items, spec.withscores))
}

pub(super) fn zrangebyscore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    by_score_legacy(sh, cx, argv, false)
}

pub(super) fn zrevrangebyscore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    by_score_legacy(sh, cx, argv, true)
}

pub(super) fn zrevrange(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let withscores = match argv.get(4) {
        None => false,
        Some(o) if argv.len() == 5 && is(o, "withscores") => true,
        Some(_) => return Err(syntax()),
    };
    let spec = RangeSpec {
        by: By::Rank,
        rev: true,
        limit: None,
        withscores,
    };
    let z = zset(sh, arg(argv, 1))?;
    let items = eval_range(z, arg(argv, 2), arg(argv, 3), &spec)?;
    Ok(range_reply(cx, items, withscores))
}

pub(super) fn zrangestore(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let dst = arg(argv, 1).to_vec();
    let spec = parse_zrange_opts(argv, 5, false)?;
    let z = zset(sh, arg(argv, 2))?;
    let items = eval_range(z, arg(argv, 3), arg(argv, 4), &spec)?;
    sh.ks.delete(&dst);
    for (m, s) in &items {
        sh.ks.zset_put(&dst, m, *s);
    }
    Ok(n(items.len()))
}

fn rank_generic(sh: &mut Shard, argv: &[Vec<u8>], rev: bool) -> CmdResult {
    let Some(z) = zset(sh, arg(argv, 1))? else {
        return Ok(Reply::Nil);
    };
    let len = z.len();
    Ok(match z.rank(arg(argv, 2)) {
        None => Reply::Nil,
        Some(r) => n(if rev { len - 1 - r } else { r }),
    })
}

pub(super) fn zrank(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    rank_generic(sh, argv, false)
}

pub(super) fn zrevrank(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    rank_generic(sh, argv, true)
}

fn zpop(sh: &mut Shard, cx: &CallCtx, argv: &[Vec<u8>], max: bool) -> CmdResult {
    let key = arg(argv, 1);
    let count = match argv.get(2) {
        None => None,
        Some(c) if argv.len() == 3 => {
            let c = int_arg(c)
                .map_err(|_| Reply::err("ERR value is out of range, must be positive"))?;
            if c < 0 {
                return Err(Reply::err("ERR value is out of range, must be positive"));
            }
            Some(usize::try_from(c).unwrap_or(usize::MAX))
        }
        Some(_) => return Err(syntax()),
    };
    let Some(z) = zset(sh, key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let want = count.unwrap_or(1);
    let picked: Vec<(Vec<u8>, f64)> = if max {
        z.iter()
            .rev()
            .take(want)
            .map(|(m, s)| (m.to_vec(), s))
            .collect()
    } else {
        z.iter().take(want).map(|(m, s)| (m.to_vec(), s)).collect()
    };
    for (m, _) in &picked {
        sh.ks.zset_rem(key, m);
    }
    if count.is_none() {
        return Ok(Reply::Array(
            picked
                .into_iter()
                .flat_map(|(m, s)| [Reply::Bulk(m), cx.double(s)])
                .collect(),
        ));
    }
    Ok(range_reply(cx, picked, true))
}

pub(super) fn zpopmin(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zpop(sh, cx, argv, false)
}

pub(super) fn zpopmax(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zpop(sh, cx, argv, true)
}

pub(super) fn zscan(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let cursor = cursor_arg(arg(argv, 2))?;
    let o = scan_opts(argv, 3, false)?;
    let items: Vec<(Vec<u8>, f64)> = zset(sh, arg(argv, 1))?
        .map(|z| z.iter().map(|(m, s)| (m.to_vec(), s)).collect())
        .unwrap_or_default();
    let (next, got) = scan_elements(items, cursor, o.count, o.pattern.as_deref());
    Ok(scan_reply(
        next,
        got.into_iter()
            .flat_map(|(m, s)| {
                [
                    Reply::Bulk(m),
                    Reply::Bulk(numfmt::fmt_double(s).into_bytes()),
                ]
            })
            .collect(),
    ))
}

pub(super) fn zrandmember(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let key = arg(argv, 1);
    let Some(c) = argv.get(2) else {
        let Some(z) = zset(sh, key)? else {
            return Ok(Reply::Nil);
        };
        let len = z.len();
        let i = sh.rng.below(len);
        return Ok(zset(sh, key)?
            .and_then(|z| z.iter().nth(i))
            .map(|(m, _)| Reply::bulk(m))
            .unwrap_or(Reply::Nil));
    };
    let (count, repeats) = super::hashes::random_count(c)?;
    let withscores = match argv.get(3) {
        None => false,
        Some(o) if argv.len() == 4 && is(o, "withscores") => true,
        Some(_) => return Err(syntax()),
    };
    let items: Vec<(Vec<u8>, f64)> = match zset(sh, key)? {
        None => return Ok(Reply::Array(Vec::new())),
        Some(z) => z.iter().map(|(m, s)| (m.to_vec(), s)).collect(),
    };
    let picks = super::hashes::pick_indexes(sh, items.len(), count, repeats);
    let chosen: Vec<(Vec<u8>, f64)> = picks
        .into_iter()
        .filter_map(|i| items.get(i).cloned())
        .collect();
    Ok(range_reply(cx, chosen, withscores))
}

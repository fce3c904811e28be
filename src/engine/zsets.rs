//! Sorted-set commands.

use super::keyed_sort;
use super::{
    arg, clamp_range, cursor_arg, float_arg, int_arg, is, pop_count, scan_elements, scan_opts,
    scan_reply, syntax, CallCtx, CmdResult, Shard,
};
use crate::keyspace::ZSet;
use crate::numfmt;
use crate::reply::Reply;

fn n(v: usize) -> Reply {
    Reply::Integer(i64::try_from(v).unwrap_or(i64::MAX))
}

#[inline]
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
    numfmt::parse_strtod(num)
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
        z.score_span(min.0, max.0)
            .filter(|(_, s)| score_in(*s, min, max))
            .count()
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

/// Parsed range bounds (min/max already swapped for REV score/lex ranges).
enum Bounds {
    Rank(i64, i64),
    Score(ScoreBound, ScoreBound),
    Lex(LexBound, LexBound),
}

fn parse_bounds(by: By, rev: bool, start: &[u8], stop: &[u8]) -> Result<Bounds, Reply> {
    let (a, b) = if rev && by != By::Rank {
        (stop, start)
    } else {
        (start, stop)
    };
    Ok(match by {
        By::Rank => Bounds::Rank(int_arg(a)?, int_arg(b)?),
        By::Score => {
            let min = parse_score_bound(a);
            let max = parse_score_bound(b);
            Bounds::Score(min?, max?)
        }
        By::Lex => {
            let (min, max) = (parse_lex_bound(a), parse_lex_bound(b));
            match (min, max) {
                (Ok(min), Ok(max)) => Bounds::Lex(min, max),
                _ => return Err(Reply::err(ERR_LEX)),
            }
        }
    })
}

/// True when a lex range can hold nothing (min > max, or equal with an open end).
fn lex_range_empty(min: &LexBound, max: &LexBound) -> bool {
    use std::cmp::Ordering::*;
    let key = |b: &LexBound| -> (i8, Vec<u8>) {
        match b {
            LexBound::NegInf => (-1, Vec::new()),
            LexBound::PosInf => (1, Vec::new()),
            LexBound::Incl(v) | LexBound::Excl(v) => (0, v.clone()),
        }
    };
    let (ka, kb) = (key(min), key(max));
    let cmp = match (ka.0, kb.0) {
        (a, b) if a != b || a != 0 => a.cmp(&b),
        _ => ka.1.cmp(&kb.1),
    };
    // '-' and '+' count as open ends, as in Redis.
    let open = |b: &LexBound| !matches!(b, LexBound::Incl(_));
    cmp == Greater || (cmp == Equal && (open(min) || open(max)))
}

/// Indexes (in score order) of a lex range, found the way Redis walks a listpack: the first
/// element >= min (from the head; from the tail for `rev`: the last <= max), then onwards
/// while the other bound holds. With mixed scores this is Redis's (unspecified) answer.
fn lex_span(items: &[(&[u8], f64)], min: &LexBound, max: &LexBound, rev: bool) -> Vec<usize> {
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return Vec::new();
    };
    if lex_range_empty(min, max) || !lex_gte_min(last.0, min) || !lex_lte_max(first.0, max) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if !rev {
        let Some(start) = items.iter().position(|(m, _)| lex_gte_min(m, min)) else {
            return out;
        };
        for (i, (m, _)) in items.iter().enumerate().skip(start) {
            if !lex_lte_max(m, max) {
                break;
            }
            out.push(i);
        }
    } else {
        let Some(start) = items.iter().rposition(|(m, _)| lex_lte_max(m, max)) else {
            return out;
        };
        for i in (0..=start).rev() {
            match items.get(i) {
                Some((m, _)) if lex_gte_min(m, min) => out.push(i),
                _ => break,
            }
        }
    }
    out
}

/// Evaluate parsed bounds over a sorted set: (member, score) in reply order. Rank and score
/// ranges walk only what they return (plus the offset, and for ranks the distance from the
/// nearer end), so `ZRANGE k 0 9` or `ZRANGEBYSCORE k -inf now LIMIT 0 1` on a large set do
/// not copy the set; lex ranges (Redis's listpack walk, also with mixed scores) still do.
fn select_range(
    z: &ZSet,
    bounds: &Bounds,
    rev: bool,
    limit: Option<(i64, i64)>,
) -> Vec<(Vec<u8>, f64)> {
    let (off, cnt) = match limit {
        None => (0, usize::MAX),
        Some((off, _)) if off < 0 => return Vec::new(),
        Some((off, cnt)) => (
            usize::try_from(off).unwrap_or(usize::MAX),
            usize::try_from(cnt).unwrap_or(usize::MAX),
        ),
    };
    match bounds {
        Bounds::Rank(s, e) => match clamp_range(*s, *e, z.len()) {
            None => Vec::new(),
            Some((s, e)) => {
                // Positions in ascending order, then walked from the nearer end.
                let len = z.len();
                let (a, b) = if rev {
                    (len - 1 - e, len - 1 - s)
                } else {
                    (s, e)
                };
                let mut v = if a <= len - 1 - b {
                    take_owned(&mut z.iter().skip(a), 0, b - a + 1)
                } else {
                    let mut v = take_owned(&mut z.iter().rev().skip(len - 1 - b), 0, b - a + 1);
                    v.reverse();
                    v
                };
                if rev {
                    v.reverse();
                }
                v.drain(..off.min(v.len()));
                v.truncate(cnt);
                v
            }
        },
        Bounds::Score(min, max) => {
            let (min, max) = (*min, *max);
            let span = z
                .score_span(min.0, max.0)
                .filter(move |(_, s)| score_in(*s, min, max));
            if rev {
                take_owned(&mut span.rev(), off, cnt)
            } else {
                take_owned(&mut { span }, off, cnt)
            }
        }
        Bounds::Lex(min, max) => {
            let items: Vec<(&[u8], f64)> = z.iter().collect();
            let span = lex_span(&items, min, max, rev);
            take_owned(
                &mut span.into_iter().filter_map(|i| items.get(i).copied()),
                off,
                cnt,
            )
        }
    }
}

/// `cnt` members after skipping `off`, copied out. One instantiation for every kind of walk
/// (forward, backward, filtered): the module carries one copy of the loop.
fn take_owned(
    it: &mut dyn Iterator<Item = (&[u8], f64)>,
    off: usize,
    cnt: usize,
) -> Vec<(Vec<u8>, f64)> {
    let mut out = Vec::new();
    for (i, (m, s)) in it.enumerate() {
        if i >= off.saturating_add(cnt) {
            break;
        }
        if i >= off {
            out.push((m.to_vec(), s));
        }
    }
    out
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

/// Replace `dst` with the given members (deleted when empty), via keyspace primitives.
fn store_zset(sh: &mut Shard, dst: &[u8], items: &[(Vec<u8>, f64)]) {
    sh.ks.delete(dst);
    for (m, s) in items {
        sh.ks.zset_put(dst, m, *s);
    }
}

/// Redis's `zrangeGenericCommand`: ZRANGE, ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE,
/// Z[REV]RANGEBYLEX. Order of checks: options (syntax), option conflicts, range bounds,
/// then the key (missing → empty, wrong type → WRONGTYPE).
fn zrange_generic(
    sh: &mut Shard,
    cx: &CallCtx,
    argv: &[Vec<u8>],
    store: bool,
    fixed_by: Option<By>,
    fixed_rev: Option<bool>,
) -> CmdResult {
    let at = if store { 2 } else { 1 };
    let mut spec = RangeSpec {
        by: fixed_by.unwrap_or(By::Rank),
        rev: fixed_rev.unwrap_or(false),
        limit: None,
        withscores: false,
    };
    let mut i = at + 3;
    while let Some(o) = argv.get(i) {
        let left = argv.len() - i - 1;
        if !store && is(o, "withscores") {
            spec.withscores = true;
        } else if is(o, "limit") && left >= 2 {
            spec.limit = Some((int_arg(arg(argv, i + 1))?, int_arg(arg(argv, i + 2))?));
            i += 2;
        } else if fixed_rev.is_none() && is(o, "rev") {
            spec.rev = true;
        } else if fixed_by.is_none() && is(o, "bylex") {
            spec.by = By::Lex;
        } else if fixed_by.is_none() && is(o, "byscore") {
            spec.by = By::Score;
        } else {
            return Err(syntax());
        }
        i += 1;
    }
    if spec.limit.is_some_and(|(_, c)| c != -1) && spec.by == By::Rank {
        return Err(Reply::err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if spec.withscores && spec.by == By::Lex {
        return Err(Reply::err(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    let bounds = parse_bounds(spec.by, spec.rev, arg(argv, at + 1), arg(argv, at + 2))?;
    let limit = if spec.by == By::Rank {
        None
    } else {
        spec.limit
    };
    let items = match zset(sh, arg(argv, at))? {
        None => Vec::new(),
        Some(z) => select_range(z, &bounds, spec.rev, limit),
    };
    if store {
        store_zset(sh, arg(argv, 1), &items);
        return Ok(n(items.len()));
    }
    Ok(range_reply(cx, items, spec.withscores))
}

pub(super) fn zrange(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, false, None, None)
}

pub(super) fn zrangestore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, true, None, None)
}

pub(super) fn zrevrange(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, false, Some(By::Rank), Some(true))
}

pub(super) fn zrangebyscore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, false, Some(By::Score), Some(false))
}

pub(super) fn zrevrangebyscore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, false, Some(By::Score), Some(true))
}

pub(super) fn zrangebylex(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, false, Some(By::Lex), Some(false))
}

pub(super) fn zrevrangebylex(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zrange_generic(sh, cx, argv, false, Some(By::Lex), Some(true))
}

pub(super) fn zlexcount(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let bounds = parse_bounds(By::Lex, false, arg(argv, 2), arg(argv, 3))?;
    let Some(z) = zset(sh, arg(argv, 1))? else {
        return Ok(Reply::Integer(0));
    };
    Ok(n(select_range(z, &bounds, false, None).len()))
}

/// ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX: bounds first, then the key.
fn zremrange(sh: &mut Shard, argv: &[Vec<u8>], by: By) -> CmdResult {
    let key = arg(argv, 1);
    let bounds = parse_bounds(by, false, arg(argv, 2), arg(argv, 3))?;
    let Some(z) = zset(sh, key)? else {
        return Ok(Reply::Integer(0));
    };
    let doomed = select_range(z, &bounds, false, None);
    for (m, _) in &doomed {
        sh.ks.zset_rem(key, m);
    }
    Ok(n(doomed.len()))
}

pub(super) fn zremrangebyrank(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zremrange(sh, argv, By::Rank)
}

pub(super) fn zremrangebyscore(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zremrange(sh, argv, By::Score)
}

pub(super) fn zremrangebylex(sh: &mut Shard, _cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zremrange(sh, argv, By::Lex)
}

// ------------------------------------------------------------------ set operations

#[derive(Clone, Copy, PartialEq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

fn aggregate(target: &mut f64, val: f64, agg: Aggregate) {
    match agg {
        Aggregate::Sum => {
            *target += val;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if val < *target {
                *target = val;
            }
        }
        Aggregate::Max => {
            if val > *target {
                *target = val;
            }
        }
    }
}

/// One input of a set operation: members with scores (plain sets score 1), in iteration
/// order, and its weight.
struct Src {
    items: Vec<(Vec<u8>, f64)>,
    weight: f64,
}

impl Src {
    fn find(&self, m: &[u8]) -> Option<f64> {
        self.items
            .iter()
            .find(|(k, _)| k.as_slice() == m)
            .map(|(_, s)| *s)
    }
}

/// Redis's `zunionInterDiffGenericCommand` (ZUNION/ZINTER/ZDIFF[STORE], ZINTERCARD).
fn zsetop(
    sh: &mut Shard,
    cx: &CallCtx,
    argv: &[Vec<u8>],
    dst: Option<&[u8]>,
    numkeys_at: usize,
    op: SetOp,
    card_only: bool,
) -> CmdResult {
    let name = argv
        .first()
        .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
        .unwrap_or_default();
    let setnum = int_arg(arg(argv, numkeys_at))?;
    if setnum < 1 {
        return Err(Reply::err(format!(
            "ERR at least 1 input key is needed for '{name}' command"
        )));
    }
    let after = argv.len().saturating_sub(numkeys_at + 1);
    if usize::try_from(setnum).map_or(true, |k| k > after) {
        return Err(syntax());
    }
    let setnum = usize::try_from(setnum).unwrap_or(0);
    let mut srcs: Vec<Src> = Vec::with_capacity(setnum);
    for j in 0..setnum {
        let key = arg(argv, numkeys_at + 1 + j);
        let items = match sh.ks.value(key) {
            None => Vec::new(),
            Some(crate::keyspace::Value::ZSet(z)) => {
                z.iter().map(|(m, s)| (m.to_vec(), s)).collect()
            }
            Some(crate::keyspace::Value::Set(s)) => s.iter().map(|m| (m.to_vec(), 1.0)).collect(),
            Some(_) => return Err(Reply::err(super::ERR_WRONGTYPE)),
        };
        srcs.push(Src { items, weight: 1.0 });
    }
    let mut agg = Aggregate::Sum;
    let mut withscores = false;
    let mut limit: usize = 0;
    let mut j = numkeys_at + 1 + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let o = arg(argv, j);
        if op != SetOp::Diff && !card_only && remaining > setnum && is(o, "weights") {
            j += 1;
            for src in srcs.iter_mut() {
                src.weight = numfmt::parse_f64(arg(argv, j))
                    .ok_or_else(|| Reply::err("ERR weight value is not a float"))?;
                j += 1;
            }
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && is(o, "aggregate") {
            let a = arg(argv, j + 1);
            agg = if is(a, "sum") {
                Aggregate::Sum
            } else if is(a, "min") {
                Aggregate::Min
            } else if is(a, "max") {
                Aggregate::Max
            } else {
                return Err(syntax());
            };
            j += 2;
        } else if dst.is_none() && !card_only && is(o, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is(o, "limit") {
            let l = numfmt::parse_i64(arg(argv, j + 1))
                .filter(|l| *l >= 0)
                .ok_or_else(|| Reply::err("ERR LIMIT can't be negative"))?;
            limit = usize::try_from(l).unwrap_or(usize::MAX);
            j += 2;
        } else {
            return Err(syntax());
        }
    }
    let mut result: Vec<(Vec<u8>, f64)> = Vec::new();
    if op != SetOp::Diff {
        // Smallest input first, stable (like glibc's merge-sort qsort): the index breaks ties.
        let order = keyed_sort::sorted_indexes(
            srcs.iter()
                .enumerate()
                .map(|(i, s)| (u64::try_from(s.items.len()).unwrap_or(u64::MAX), &[][..], i))
                .collect(),
        );
        srcs = keyed_sort::take_in_order(srcs, order);
    }
    match op {
        SetOp::Diff => {
            if let Some((first, rest)) = srcs.split_first() {
                for (m, s) in &first.items {
                    if rest.iter().all(|r| r.find(m).is_none()) {
                        result.push((m.clone(), *s));
                    }
                }
            }
        }
        SetOp::Inter => {
            if let Some((first, rest)) = srcs.split_first() {
                'outer: for (m, s) in &first.items {
                    let mut score = first.weight * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    for r in rest {
                        match r.find(m) {
                            Some(v) => aggregate(&mut score, v * r.weight, agg),
                            None => continue 'outer,
                        }
                    }
                    result.push((m.clone(), score));
                    if card_only && limit != 0 && result.len() >= limit {
                        break;
                    }
                }
            }
        }
        SetOp::Union => {
            // Every weighted score in input order; sorting by (member, position) groups each
            // member's scores in input order, so they aggregate exactly as one pass over the
            // inputs with a member → slot map would (and no hash map type is linked for it).
            let mut scored: Vec<(&[u8], f64)> = Vec::new();
            for src in &srcs {
                for (m, s) in &src.items {
                    let mut score = src.weight * s;
                    if score.is_nan() {
                        score = 0.0;
                    }
                    scored.push((m, score));
                }
            }
            let order = keyed_sort::sorted_indexes(
                scored
                    .iter()
                    .enumerate()
                    .map(|(i, (m, _))| (0, *m, i))
                    .collect(),
            );
            for i in order {
                let Some(&(m, score)) = scored.get(i) else {
                    continue;
                };
                match result.last_mut() {
                    Some(last) if last.0 == m => aggregate(&mut last.1, score, agg),
                    _ => result.push((m.to_vec(), score)),
                }
            }
        }
    }
    if card_only {
        return Ok(n(result.len()));
    }
    // By score, then member (members are distinct; scores are never NaN: a NaN product or sum
    // became 0 above, and stored scores and weights are not NaN).
    let order = keyed_sort::sorted_indexes(
        result
            .iter()
            .enumerate()
            .map(|(i, (m, s))| (keyed_sort::score_key(*s), m.as_slice(), i))
            .collect(),
    );
    let result = keyed_sort::take_in_order(result, order);
    if let Some(dst) = dst {
        store_zset(sh, dst, &result);
        return Ok(n(result.len()));
    }
    Ok(range_reply(cx, result, withscores))
}

pub(super) fn zunionstore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let dst = arg(argv, 1).to_vec();
    zsetop(sh, cx, argv, Some(&dst), 2, SetOp::Union, false)
}

pub(super) fn zinterstore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let dst = arg(argv, 1).to_vec();
    zsetop(sh, cx, argv, Some(&dst), 2, SetOp::Inter, false)
}

pub(super) fn zdiffstore(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    let dst = arg(argv, 1).to_vec();
    zsetop(sh, cx, argv, Some(&dst), 2, SetOp::Diff, false)
}

pub(super) fn zunion(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zsetop(sh, cx, argv, None, 1, SetOp::Union, false)
}

pub(super) fn zinter(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zsetop(sh, cx, argv, None, 1, SetOp::Inter, false)
}

pub(super) fn zdiff(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zsetop(sh, cx, argv, None, 1, SetOp::Diff, false)
}

pub(super) fn zintercard(sh: &mut Shard, cx: &mut CallCtx, argv: &[Vec<u8>]) -> CmdResult {
    zsetop(sh, cx, argv, None, 1, SetOp::Inter, true)
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
    let count = pop_count(argv)?;
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
    // Borrowed: only what the call returns is copied.
    let items: Vec<(&[u8], f64)> = zset(sh, arg(argv, 1))?
        .map(|z| z.iter().collect())
        .unwrap_or_default();
    let (next, got) = scan_elements(items, cursor, o.count, o.pattern.as_deref());
    Ok(scan_reply(
        next,
        got.into_iter()
            .flat_map(|(m, s)| {
                [
                    Reply::bulk(m),
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
    let len = match zset(sh, key)? {
        None => return Ok(Reply::Array(Vec::new())),
        Some(z) => z.len(),
    };
    let picks = super::hashes::pick_indexes(sh, len, count, repeats);
    let Some(z) = zset(sh, key)? else {
        return Ok(Reply::Array(Vec::new()));
    };
    let chosen: Vec<(Vec<u8>, f64)> = super::hashes::picked(z.iter(), &picks)
        .into_iter()
        .map(|(m, s)| (m.to_vec(), s))
        .collect();
    Ok(range_reply(cx, chosen, withscores))
}

//! Sorted-set range and rank commands against a model (every member with its score, sorted
//! and filtered naively): ZRANGE by rank (both directions, negative indexes), Z[REV]RANGEBYSCORE
//! with exclusive, infinite and signed-zero bounds and LIMIT, ZCOUNT, Z[REV]RANK. The engine
//! answers these from ranges of its ordered map (they cost what they return); the model scans.
#![cfg(not(target_arch = "wasm32"))]
use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use marekvs::router::PartitionMap;
use proptest::prelude::*;

fn cmd(sh: &mut Shard, args: &[String]) -> Reply {
    let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    sh.execute(&argv, &mut CallCtx::new(1_700_000_000_000))
}

fn s(x: &str) -> String {
    x.to_string()
}

/// Bounds drawn from the scores in play, their neighbours and the special values.
fn bound() -> impl Strategy<Value = String> {
    prop_oneof![
        (-4i32..5, any::<bool>()).prop_map(|(v, ex)| format!(
            "{}{}",
            if ex { "(" } else { "" },
            f64::from(v) / 2.0
        )),
        Just(s("-inf")),
        Just(s("+inf")),
        Just(s("(-inf")),
        Just(s("(+inf")),
        Just(s("-0")),
        Just(s("(-0")),
        Just(s("(0")),
    ]
}

fn parse(b: &str) -> (f64, bool) {
    let (ex, v) = match b.strip_prefix('(') {
        Some(v) => (true, v),
        None => (false, b),
    };
    let v = match v {
        "-inf" => f64::NEG_INFINITY,
        "+inf" => f64::INFINITY,
        v => v.parse().unwrap(),
    };
    (v, ex)
}

fn inside(x: f64, min: (f64, bool), max: (f64, bool)) -> bool {
    (if min.1 { x > min.0 } else { x >= min.0 }) && (if max.1 { x < max.0 } else { x <= max.0 })
}

fn members(r: Reply) -> Vec<String> {
    match r {
        Reply::Array(items) => items
            .into_iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8(b).unwrap(),
                other => panic!("member {other:?}"),
            })
            .collect(),
        other => panic!("range {other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn ranges_and_ranks_match_the_model(
        scores in proptest::collection::vec(-4i32..5, 0..40),
        queries in proptest::collection::vec((bound(), bound(), -45i64..45, -45i64..45, 0i64..5, -1i64..4), 1..12),
    ) {
        let mut sh = Shard::owning_all(PartitionMap::new(1), 1);
        // Member i has score scores[i] / 2 (so ties and both signs of zero occur).
        let mut model: Vec<(f64, String)> = Vec::new();
        for (i, v) in scores.iter().enumerate() {
            let m = format!("m{i:02}");
            let sc = f64::from(*v) / 2.0;
            cmd(&mut sh, &[s("ZADD"), s("z"), format!("{sc}"), m.clone()]);
            model.push((sc, m));
        }
        model.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let len = model.len() as i64;
        for (lo, hi, start, stop, off, count) in queries {
            let (min, max) = (parse(&lo), parse(&hi));
            let want: Vec<String> =
                model.iter().filter(|(x, _)| inside(*x, min, max)).map(|(_, m)| m.clone()).collect();
            prop_assert_eq!(
                cmd(&mut sh, &[s("ZCOUNT"), s("z"), lo.clone(), hi.clone()]),
                Reply::Integer(want.len() as i64)
            );
            prop_assert_eq!(members(cmd(&mut sh, &[s("ZRANGEBYSCORE"), s("z"), lo.clone(), hi.clone()])), want.clone());
            let rev: Vec<String> = want.iter().rev().cloned().collect();
            prop_assert_eq!(members(cmd(&mut sh, &[s("ZREVRANGEBYSCORE"), s("z"), hi.clone(), lo.clone()])), rev.clone());
            let limited = |v: &[String]| -> Vec<String> {
                let it = v.iter().skip(off as usize).cloned();
                if count < 0 { it.collect() } else { it.take(count as usize).collect() }
            };
            prop_assert_eq!(
                members(cmd(&mut sh, &[s("ZRANGEBYSCORE"), s("z"), lo.clone(), hi.clone(), s("LIMIT"), off.to_string(), count.to_string()])),
                limited(&want)
            );
            prop_assert_eq!(
                members(cmd(&mut sh, &[s("ZREVRANGEBYSCORE"), s("z"), hi.clone(), lo.clone(), s("LIMIT"), off.to_string(), count.to_string()])),
                limited(&rev)
            );
            // By rank, as Redis clamps: negative indexes count from the end, then only the
            // start is raised to 0.
            let (a, b) = (
                if start < 0 { (len + start).max(0) } else { start },
                if stop < 0 { len + stop } else { stop.min(len - 1) },
            );
            let by_rank: Vec<String> = if a > b || a >= len {
                Vec::new()
            } else {
                model[a as usize..=b as usize].iter().map(|(_, m)| m.clone()).collect()
            };
            prop_assert_eq!(members(cmd(&mut sh, &[s("ZRANGE"), s("z"), start.to_string(), stop.to_string()])), by_rank);
            let desc: Vec<(f64, String)> = model.iter().rev().cloned().collect();
            let by_rev_rank: Vec<String> = if a > b || a >= len {
                Vec::new()
            } else {
                desc[a as usize..=b as usize].iter().map(|(_, m)| m.clone()).collect()
            };
            prop_assert_eq!(members(cmd(&mut sh, &[s("ZREVRANGE"), s("z"), start.to_string(), stop.to_string()])), by_rev_rank);
        }
        for (rank, (_, m)) in model.iter().enumerate() {
            prop_assert_eq!(cmd(&mut sh, &[s("ZRANK"), s("z"), m.clone()]), Reply::Integer(rank as i64));
            prop_assert_eq!(cmd(&mut sh, &[s("ZREVRANK"), s("z"), m.clone()]), Reply::Integer(len - 1 - rank as i64));
        }
        prop_assert_eq!(cmd(&mut sh, &[s("ZRANK"), s("z"), s("absent")]), Reply::Nil);
    }
}

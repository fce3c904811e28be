//! List commands on one node against a model (`VecDeque`): random pushes, pops, LSET,
//! LINSERT, LREM, LINDEX and deletes, so the RGA's tombstones pile up at both ends (a queue
//! leaves its popped elements at the front) and the view, the RGA's positions and a replica
//! rebuilt from a snapshot must all agree with the model after every step.
#![cfg(not(target_arch = "wasm32"))]
use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use marekvs::router::PartitionMap;
use proptest::prelude::*;
use std::collections::VecDeque;

const NOW: i64 = 1_700_000_000_000;

#[derive(Debug, Clone)]
enum Step {
    Push { left: bool, v: u8 },
    Pop { left: bool },
    Set { i: i8, v: u8 },
    Insert { before: bool, pivot: u8, v: u8 },
    Rem { count: i8, v: u8 },
    Index { i: i8 },
    Del,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (any::<bool>(), 0u8..6).prop_map(|(left, v)| Step::Push { left, v }),
        6 => any::<bool>().prop_map(|left| Step::Pop { left }),
        2 => (-8i8..8, 0u8..6).prop_map(|(i, v)| Step::Set { i, v }),
        2 => (any::<bool>(), 0u8..6, 0u8..6).prop_map(|(before, pivot, v)| Step::Insert { before, pivot, v }),
        1 => (-2i8..3, 0u8..6).prop_map(|(count, v)| Step::Rem { count, v }),
        2 => (-8i8..8).prop_map(|i| Step::Index { i }),
        1 => Just(Step::Del),
    ]
}

struct Node {
    shard: Shard,
    now: i64,
}

impl Node {
    fn cmd(&mut self, args: &[&str]) -> Reply {
        self.now += 1;
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.shard.execute(&argv, &mut CallCtx::new(self.now))
    }

    fn range(&mut self) -> Vec<String> {
        match self.cmd(&["LRANGE", "q", "0", "-1"]) {
            Reply::Array(items) => items
                .into_iter()
                .map(|r| match r {
                    Reply::Bulk(b) => String::from_utf8(b).unwrap(),
                    other => panic!("LRANGE item {other:?}"),
                })
                .collect(),
            other => panic!("LRANGE {other:?}"),
        }
    }
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

/// Redis's index rule: negative counts from the end.
fn index(len: usize, i: i8) -> Option<usize> {
    let i = if i < 0 {
        len as i64 + i64::from(i)
    } else {
        i64::from(i)
    };
    (0..len as i64).contains(&i).then_some(i as usize)
}

fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    let mut n = Node {
        shard: Shard::owning_all(PartitionMap::new(4), 7),
        now: NOW,
    };
    let mut model: VecDeque<String> = VecDeque::new();
    for (k, st) in steps.iter().enumerate() {
        // Values are unique per step, with a small alphabet prefix for LINSERT/LREM matches.
        let val = |v: u8| format!("v{v}.{}", k % 3);
        match st {
            Step::Push { left, v } => {
                let v = val(*v);
                let r = n.cmd(&[if *left { "LPUSH" } else { "RPUSH" }, "q", &v]);
                if *left {
                    model.push_front(v);
                } else {
                    model.push_back(v);
                }
                prop_assert_eq!(r, Reply::Integer(model.len() as i64));
            }
            Step::Pop { left } => {
                let r = n.cmd(&[if *left { "LPOP" } else { "RPOP" }, "q"]);
                let want = if *left {
                    model.pop_front()
                } else {
                    model.pop_back()
                };
                prop_assert_eq!(r, want.map_or(Reply::Nil, |v| bulk(&v)));
            }
            Step::Set { i, v } => {
                let v = val(*v);
                let r = n.cmd(&["LSET", "q", &i.to_string(), &v]);
                if model.is_empty() {
                    prop_assert_eq!(r, Reply::Error("ERR no such key".into()));
                } else if let Some(p) = index(model.len(), *i) {
                    model[p] = v;
                    prop_assert_eq!(r, Reply::ok());
                } else {
                    prop_assert_eq!(r, Reply::Error("ERR index out of range".into()));
                }
            }
            Step::Insert { before, pivot, v } => {
                let (pivot, v) = (val(*pivot), val(*v));
                let side = if *before { "BEFORE" } else { "AFTER" };
                let r = n.cmd(&["LINSERT", "q", side, &pivot, &v]);
                let want = if model.is_empty() {
                    0
                } else if let Some(p) = model.iter().position(|x| *x == pivot) {
                    model.insert(if *before { p } else { p + 1 }, v);
                    model.len() as i64
                } else {
                    -1
                };
                prop_assert_eq!(r, Reply::Integer(want));
            }
            Step::Rem { count, v } => {
                let v = val(*v);
                let r = n.cmd(&["LREM", "q", &count.to_string(), &v]);
                let limit = if *count == 0 {
                    usize::MAX
                } else {
                    count.unsigned_abs() as usize
                };
                let mut hits: Vec<usize> = model
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| **x == v)
                    .map(|(p, _)| p)
                    .collect();
                if *count < 0 {
                    hits.reverse();
                }
                hits.truncate(limit);
                hits.sort_unstable();
                for p in hits.iter().rev() {
                    model.remove(*p);
                }
                prop_assert_eq!(r, Reply::Integer(hits.len() as i64));
            }
            Step::Index { i } => {
                let r = n.cmd(&["LINDEX", "q", &i.to_string()]);
                let want = index(model.len(), *i).map(|p| model[p].clone());
                prop_assert_eq!(r, want.map_or(Reply::Nil, |v| bulk(&v)));
            }
            Step::Del => {
                n.cmd(&["DEL", "q"]);
                model.clear();
            }
        }
        prop_assert_eq!(
            n.range(),
            Vec::from(model.clone()),
            "after step {} {:?}",
            k,
            st
        );
    }
    // A replica rebuilt from a snapshot of the state sees the same list.
    let mut fresh = Node {
        shard: Shard::owning_all(PartitionMap::new(4), 8),
        now: n.now,
    };
    for p in n.shard.replicated_partitions() {
        let snap = n.shard.export_snapshot(p);
        fresh.shard.import_snapshot_at(&snap, n.now).unwrap();
    }
    prop_assert_eq!(fresh.range(), Vec::from(model));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn list_commands_match_a_model(steps in proptest::collection::vec(step(), 1..200)) {
        run(&steps)?;
    }
}

/// A queue with a backlog: the popped elements stay as tombstones at the front, and the
/// pushes, pops and reads after them still see exactly the live elements.
#[test]
fn queue_with_a_backlog() {
    let mut n = Node {
        shard: Shard::owning_all(PartitionMap::new(4), 7),
        now: NOW,
    };
    for i in 0..3000 {
        n.cmd(&["RPUSH", "q", &format!("job{i}")]);
    }
    for i in 0..2990 {
        assert_eq!(n.cmd(&["LPOP", "q"]), bulk(&format!("job{i}")));
    }
    assert_eq!(n.cmd(&["LPUSH", "q", "urgent"]), Reply::Integer(11));
    assert_eq!(n.cmd(&["LINDEX", "q", "1"]), bulk("job2990"));
    assert_eq!(n.cmd(&["RPOP", "q"]), bulk("job2999"));
    assert_eq!(n.cmd(&["LPOP", "q"]), bulk("urgent"));
    assert_eq!(n.cmd(&["LLEN", "q"]), Reply::Integer(9));
    assert_eq!(n.range().first().map(String::as_str), Some("job2990"));
    // Emptied, then filled again: the new elements start at the head, before every tombstone.
    while n.cmd(&["LPOP", "q"]) != Reply::Nil {}
    for i in 0..500 {
        assert_eq!(
            n.cmd(&["RPUSH", "q", &format!("new{i}")]),
            Reply::Integer(i + 1)
        );
    }
    assert_eq!(n.cmd(&["LINDEX", "q", "-1"]), bulk("new499"));
    assert_eq!(n.cmd(&["LPOP", "q"]), bulk("new0"));
    assert_eq!(n.cmd(&["RPOP", "q"]), bulk("new499"));
}

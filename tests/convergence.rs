//! Convergence of replicas exchanging effects (see docs/effects.md).
//!
//! Property: 2-5 replicas run random mixes of write commands and write scripts; the effect
//! batches they emit are delivered in random order, duplicated, delayed or dropped; clocks
//! are skewed by seconds (some frozen). After a final catch-up (log when it reaches back,
//! snapshot otherwise) every replica has the same DEBUG DIGEST and canonical dump.
#![cfg(not(target_arch = "wasm32"))]

use marekvs::effects::{codec, EffectError, Op, SYSTEM_PARTITION};
use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use marekvs::router::PartitionMap;
use proptest::prelude::*;

const T0: i64 = 1_700_000_000_000;

struct Replica {
    shard: Shard,
    skew: i64,
    frozen: bool,
}

impl Replica {
    fn now(&self, global: i64) -> i64 {
        let g = if self.frozen {
            global - global.rem_euclid(5000)
        } else {
            global
        };
        g + self.skew
    }

    fn cmd(&mut self, global: i64, args: &[String]) -> Reply {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mut cx = CallCtx::new(self.now(global));
        self.shard.execute(&argv, &mut cx)
    }
}

fn s(v: &str) -> String {
    v.to_string()
}

const SCRIPT_MULTI: &str =
    "redis.call('INCR', KEYS[1]) redis.call('RPUSH', KEYS[2], ARGV[1]) redis.call('SADD', KEYS[2] .. 's', ARGV[1]) return 1";
const SCRIPT_RETYPE: &str =
    "redis.call('DEL', KEYS[1]) redis.call('HSET', KEYS[1], 'f', ARGV[1]) redis.call('PEXPIRE', KEYS[1], 4000) return 1";

fn command(c: u8, key: u8, a: u8, b: u8) -> Vec<String> {
    let tag = if key & 4 == 0 { "a" } else { "b" };
    // Keys mostly keep one family (so that commands meet their type and race each other);
    // one in eight picks any key (type changes, WRONGTYPE).
    let family = match c % 33 {
        0..=4 => 0,
        17..=24 | 30 => 1,
        8..=10 | 31 => 2,
        11..=16 | 28 | 32 => 3,
        _ => key & 3,
    };
    let idx = if a.is_multiple_of(8) { key & 3 } else { family };
    let k = format!("{{{tag}}}{idx}");
    let k2 = format!("{{{tag}}}{}", (idx + 1) & 3);
    let v = format!("v{}", a % 6);
    let f = format!("f{}", a % 3);
    let m = format!("m{}", a % 4);
    let args: Vec<String> = match c % 33 {
        0 => vec![s("SET"), k, v],
        1 => vec![
            s("SET"),
            k,
            v,
            s("PX"),
            format!("{}", 1000 + u32::from(b) * 20),
        ],
        2 => vec![s("INCR"), k],
        3 => vec![s("INCRBY"), k, format!("{}", a)],
        4 => vec![s("APPEND"), k, s("x")],
        5 => vec![s("DEL"), k],
        6 => vec![s("EXPIRE"), k, format!("{}", a % 5 + 1)],
        7 => vec![s("PERSIST"), k],
        8 => vec![s("HSET"), k, f, format!("{b}")],
        9 => vec![s("HDEL"), k, f],
        10 => vec![s("HINCRBY"), k, f, s("1")],
        11 => vec![s("SADD"), k, m],
        12 => vec![s("SREM"), k, m],
        13 => vec![s("SPOP"), k],
        14 => vec![s("ZADD"), k, format!("{}", b % 7), m],
        15 => vec![s("ZREM"), k, m],
        16 => vec![s("ZINCRBY"), k, s("1.5"), m],
        17 => vec![s("LPUSH"), k, v],
        18 => vec![s("RPUSH"), k, v, format!("w{b}")],
        19 => vec![s("LPOP"), k],
        20 => vec![s("RPOP"), k],
        21 => vec![s("LINSERT"), k, s("BEFORE"), format!("v{}", b % 6), v],
        22 => vec![s("LSET"), k, format!("{}", a % 3), format!("x{b}")],
        23 => vec![s("LREM"), k, s("1"), v],
        24 => vec![s("LTRIM"), k, s("1"), s("-1")],
        25 => vec![s("RENAME"), k, k2],
        26 => vec![s("EVAL"), s(SCRIPT_MULTI), s("2"), k, k2, v],
        27 => vec![s("EVAL"), s(SCRIPT_RETYPE), s("1"), k, v],
        28 => vec![s("SMOVE"), k, k2, m],
        29 => vec![s("GETDEL"), k],
        30 => vec![s("LMOVE"), k, k2, s("LEFT"), s("RIGHT")],
        31 => vec![s("HSET"), k, f, v, s("g"), format!("{b}")],
        _ => vec![s("ZPOPMIN"), k],
    };
    args
}

#[derive(Debug, Clone)]
enum Action {
    Exec {
        r: usize,
        c: u8,
        key: u8,
        a: u8,
        b: u8,
    },
    Flush {
        r: usize,
    },
    Deliver {
        i: usize,
    },
    Duplicate {
        i: usize,
    },
    Drop {
        i: usize,
    },
    Advance {
        ms: u16,
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        8 => (0usize..5, any::<u8>(), 0u8..8, any::<u8>(), any::<u8>())
            .prop_map(|(r, c, key, a, b)| Action::Exec { r, c, key, a, b }),
        3 => (0usize..5).prop_map(|r| Action::Flush { r }),
        4 => any::<usize>().prop_map(|i| Action::Deliver { i }),
        1 => any::<usize>().prop_map(|i| Action::Duplicate { i }),
        1 => any::<usize>().prop_map(|i| Action::Drop { i }),
        2 => (0u16..3000).prop_map(|ms| Action::Advance { ms }),
    ]
}

/// Bring `dst` up to date with `src` for every partition: log when possible, else snapshot.
fn catch_up(src: &mut Replica, dst: &mut Replica, now: i64) -> (usize, usize) {
    let (mut logs, mut snaps) = (0, 0);
    for p in src.shard.replicated_partitions() {
        let vv = dst.shard.version_vector(p);
        let lacking = src.shard.lacking(p, &vv);
        match src.shard.effects_since(p, &vv) {
            Ok(batch) => {
                let carried: usize = codec::decode_batch(&batch)
                    .expect("own batch decodes")
                    .iter()
                    .map(|g| g.effects.len())
                    .sum();
                assert_eq!(
                    lacking,
                    Ok(carried),
                    "lacking() counts what effects_since carries"
                );
                dst.shard
                    .apply_effects_at(&batch, now)
                    .expect("catch-up batch");
                logs += 1;
            }
            Err(EffectError::NeedSnapshot) => {
                assert_eq!(lacking, Err(EffectError::NeedSnapshot));
                let snap = src.shard.export_snapshot(p);
                dst.shard.import_snapshot_at(&snap, now).expect("snapshot");
                snaps += 1;
            }
            Err(e) => panic!("effects_since: {e}"),
        }
    }
    (logs, snaps)
}

fn run(n: usize, skews: &[i64], log_cap: usize, actions: &[Action]) -> Result<(), TestCaseError> {
    let mut reps: Vec<Replica> = (0..n)
        .map(|i| {
            let mut shard = Shard::owning_all(PartitionMap::new(4), 7 + i as u64);
            shard.set_node_id(100 + i as u64);
            shard.replication_mut().log_capacity = log_cap;
            if i % 2 == 1 {
                // Outgoing effects overflow (the oldest pending ones are dropped; catch-up
                // brings them): the log's pre-encoded group bodies are cut at their front.
                shard.replication_mut().outgoing_capacity = 3;
            }
            Replica {
                shard,
                skew: skews[i % skews.len()],
                frozen: i == 1,
            }
        })
        .collect();
    let mut global = T0;
    // In flight: (destination, batch).
    let mut net: Vec<(usize, Vec<u8>)> = Vec::new();
    let flush = |reps: &mut Vec<Replica>, net: &mut Vec<(usize, Vec<u8>)>, r: usize| {
        let batch = reps[r].shard.take_effects();
        // Own effects are encoded as they are collected; the batch is byte for byte what the
        // batch writer makes of the same groups (the wire format did not change).
        let groups = codec::decode_batch(&batch).expect("own batch decodes");
        assert_eq!(codec::encode_batch(&groups), batch);
        for d in 0..reps.len() {
            if d != r {
                net.push((d, batch.clone()));
            }
        }
    };
    for act in actions {
        match act {
            Action::Exec { r, c, key, a, b } => {
                let r = r % n;
                let reply = reps[r].cmd(global, &command(*c, *key, *a, *b));
                if std::env::var("CONV_DEBUG").is_ok() {
                    eprintln!("r{r} {:?} -> {:?}", command(*c, *key, *a, *b), reply);
                }
            }
            Action::Flush { r } => flush(&mut reps, &mut net, r % n),
            Action::Deliver { i } if !net.is_empty() => {
                let (d, batch) = net.remove(i % net.len());
                let now = reps[d].now(global);
                reps[d]
                    .shard
                    .apply_effects_at(&batch, now)
                    .map_err(|e| TestCaseError::fail(format!("apply: {e}")))?;
            }
            Action::Duplicate { i } if !net.is_empty() => {
                let m = net[i % net.len()].clone();
                net.push(m);
            }
            Action::Drop { i } if !net.is_empty() => {
                net.remove(i % net.len());
            }
            Action::Advance { ms } => global += i64::from(*ms),
            _ => {}
        }
    }
    // Deliver some of what is left (late), drop the rest; then catch up.
    for r in 0..n {
        flush(&mut reps, &mut net, r);
    }
    for (i, (d, batch)) in net.into_iter().enumerate() {
        if i % 3 != 0 {
            let now = reps[d].now(global);
            reps[d].shard.apply_effects_at(&batch, now).unwrap();
        }
    }
    global += 100;
    for _round in 0..2 {
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    let now = reps[b].now(global);
                    let (x, y) = if a < b {
                        let (l, r) = reps.split_at_mut(b);
                        (&mut l[a], &mut r[0])
                    } else {
                        let (l, r) = reps.split_at_mut(a);
                        (&mut r[0], &mut l[b])
                    };
                    catch_up(x, y, now);
                }
            }
        }
    }
    let check_at = global + 2_000;
    let mut digests = Vec::new();
    for r in reps.iter_mut() {
        r.shard.keyspace_mut().set_now(check_at);
        digests.push((
            r.shard.keyspace().digest(),
            r.shard.keyspace().canonical_dump(),
        ));
    }
    if std::env::var("CONV_DEBUG").is_ok() {
        eprintln!("FINAL n={n}\n{}", digests[0].1);
    }
    for (i, d) in digests.iter().enumerate().skip(1) {
        prop_assert_eq!(&d.1, &digests[0].1, "dump of replica {} differs", i);
        prop_assert_eq!(d.0, digests[0].0);
    }
    // Tombstone collection once everyone has seen everything keeps the replicas equal.
    let vvs: Vec<Vec<(u16, codec::VersionVector)>> = reps
        .iter_mut()
        .map(|r| {
            let parts = r.shard.replicated_partitions();
            parts
                .into_iter()
                .map(|p| (p, r.shard.version_vector(p)))
                .collect()
        })
        .collect();
    for (i, r) in reps.iter_mut().enumerate() {
        for (j, v) in vvs.iter().enumerate() {
            if i != j {
                for (p, vv) in v {
                    r.shard
                        .set_peer_version_vector(100 + j as u64, *p, vv.clone());
                }
            }
        }
        // Per partition on even replicas, all partitions in one pass on odd ones.
        if i % 2 == 0 {
            for p in r.shard.replicated_partitions() {
                r.shard.collect_garbage(p);
            }
        } else {
            r.shard.collect_garbage_all();
        }
        prop_assert_eq!(r.shard.keyspace().digest(), digests[0].0);
    }
    // A snapshot of a collected replica still converges with a fresh one.
    let mut fresh = Replica {
        shard: Shard::owning_all(PartitionMap::new(4), 99),
        skew: 0,
        frozen: false,
    };
    fresh.shard.set_node_id(999);
    for p in reps[0].shard.replicated_partitions() {
        let snap = reps[0].shard.export_snapshot(p);
        fresh.shard.import_snapshot_at(&snap, check_at).unwrap();
    }
    fresh.shard.keyspace_mut().set_now(check_at);
    prop_assert_eq!(
        fresh.shard.keyspace().canonical_dump(),
        digests[0].1.clone()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn replicas_converge(
        n in 2usize..=5,
        skews in proptest::collection::vec(-3000i64..3000, 5),
        log_cap in prop_oneof![Just(4usize), Just(32), Just(10_000)],
        actions in proptest::collection::vec(action(), 1..200),
    ) {
        run(n, &skews, log_cap, &actions)?;
    }
}

// ------------------------------------------------------------------ targeted cases

fn pair() -> (Replica, Replica) {
    let mk = |i: u64, skew| {
        let mut shard = Shard::standalone(i);
        shard.set_node_id(i);
        Replica {
            shard,
            skew,
            frozen: false,
        }
    };
    (mk(1, 0), mk(2, 1500))
}

fn exchange(a: &mut Replica, b: &mut Replica, global: i64) {
    let ba = a.shard.take_effects();
    let bb = b.shard.take_effects();
    b.shard.apply_effects_at(&ba, b.now(global)).unwrap();
    a.shard.apply_effects_at(&bb, a.now(global)).unwrap();
}

fn args(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn discarded_effects_are_not_claimed_and_come_back_by_catch_up() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["SET", "x", "1"]));
    a.cmd(T0, &args(&["SET", "y", "1"]));
    assert_eq!(a.shard.discard_effects(), 2);
    assert_eq!(a.shard.pending_effects(), 0);
    a.cmd(T0 + 1, &args(&["SET", "z", "1"]));
    let now = b.now(T0 + 1);
    b.shard
        .apply_effects_at(&a.shard.take_effects(), now)
        .unwrap();
    // z arrived after a gap: applied but not counted, so b's vector claims none of x, y, z
    // and a still sees all three lacking.
    assert_eq!(
        b.cmd(T0 + 1, &args(&["GET", "z"])),
        Reply::Bulk(b"1".to_vec())
    );
    assert_eq!(b.cmd(T0 + 1, &args(&["GET", "x"])), Reply::Nil);
    let vv = b.shard.version_vector(0);
    assert_eq!(a.shard.lacking(0, &vv), Ok(3));
    catch_up(&mut a, &mut b, now);
    assert_eq!(
        b.cmd(T0 + 1, &args(&["GET", "x"])),
        Reply::Bulk(b"1".to_vec())
    );
    let vv = b.shard.version_vector(0);
    assert_eq!(a.shard.lacking(0, &vv), Ok(0));
}

/// Own effects are encoded into their partition's next group as they are collected. When the
/// outgoing effects overflow, the oldest pending ones are dropped from the front of that
/// encoding (the first one left may repeat a dropped one's key, or have its stamp relative to
/// one): the batch still claims exactly what it holds, byte for byte as the batch writer
/// encodes it, and catch-up brings what was dropped.
#[test]
fn overflowing_outgoing_effects_are_cut_from_the_encoded_group() {
    let (mut a, mut b) = pair();
    a.shard.replication_mut().outgoing_capacity = 5;
    a.shard.replication_mut().log_capacity = 4;
    // Runs of one key (a same-key chain crosses the cut), a type change (Delete + write of
    // one key), many milliseconds apart.
    for i in 0..40i64 {
        let key = format!("k{}", i / 3);
        a.cmd(T0 + i * 7, &args(&["INCR", &key]));
        if i % 9 == 4 {
            a.cmd(T0 + i * 7, &args(&["RPUSH", &key, "x"]));
        }
    }
    let batch = a.shard.take_effects();
    let groups = codec::decode_batch(&batch).unwrap();
    assert_eq!(codec::encode_batch(&groups), batch);
    let sent: usize = groups.iter().map(|g| g.effects.len()).sum();
    // Past the outgoing capacity the log trims pending effects too, down to its capacity:
    // the newest few are sent, the rest wait for catch-up.
    assert!((1..=5).contains(&sent), "{sent} effects sent");
    let now = b.now(T0 + 300);
    b.shard.apply_effects_at(&batch, now).unwrap();
    // Nothing pending is left, and the next group starts afresh.
    assert_eq!(a.shard.pending_effects(), 0);
    a.cmd(T0 + 300, &args(&["SET", "after", "1"]));
    let next = a.shard.take_effects();
    let groups = codec::decode_batch(&next).unwrap();
    assert_eq!(codec::encode_batch(&groups), next);
    assert_eq!(groups.iter().map(|g| g.effects.len()).sum::<usize>(), 1);
    b.shard.apply_effects_at(&next, now).unwrap();
    // The log (4 effects) cannot serve what was dropped: a snapshot does.
    catch_up(&mut a, &mut b, now);
    assert_eq!(
        a.cmd(T0 + 300, &args(&["DEBUG", "DIGEST"])),
        b.cmd(T0 + 300, &args(&["DEBUG", "DIGEST"]))
    );
    assert_eq!(
        b.cmd(T0 + 300, &args(&["GET", "k0"])),
        Reply::Bulk(b"3".to_vec())
    );
}

/// A catch-up serves effects still pending (encoded for the next group, not yet taken), read
/// back from that encoding, including a same-key run and a list insert's reference.
#[test]
fn catch_up_serves_pending_effects_from_their_encoding() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["SET", "k", "1"]));
    a.cmd(T0, &args(&["INCR", "k"]));
    a.cmd(T0 + 3, &args(&["RPUSH", "l", "x", "y"]));
    a.cmd(T0 + 3, &args(&["HSET", "h", "f", "v"]));
    assert_eq!(a.shard.pending_effects(), 5);
    let now = b.now(T0 + 3);
    catch_up(&mut a, &mut b, now);
    assert_eq!(
        b.cmd(T0 + 3, &args(&["GET", "k"])),
        Reply::Bulk(b"2".to_vec())
    );
    assert_eq!(
        a.cmd(T0 + 3, &args(&["DEBUG", "DIGEST"])),
        b.cmd(T0 + 3, &args(&["DEBUG", "DIGEST"]))
    );
    // Still pending on a; taken, they are the same effects (b applies them again: no change).
    let batch = a.shard.take_effects();
    let groups = codec::decode_batch(&batch).unwrap();
    assert_eq!(codec::encode_batch(&groups), batch);
    assert_eq!(groups.iter().map(|g| g.effects.len()).sum::<usize>(), 5);
    b.shard.apply_effects_at(&batch, now).unwrap();
    assert_eq!(
        a.cmd(T0 + 3, &args(&["DEBUG", "DIGEST"])),
        b.cmd(T0 + 3, &args(&["DEBUG", "DIGEST"]))
    );
    // And served again from the log's shared copy.
    let (mut c, _) = pair();
    c.shard.set_node_id(3);
    catch_up(&mut a, &mut c, now);
    assert_eq!(
        a.cmd(T0 + 3, &args(&["DEBUG", "DIGEST"])),
        c.cmd(T0 + 3, &args(&["DEBUG", "DIGEST"]))
    );
}

/// A push onto a list whose elements all wait for their anchors must not delete them (they
/// are acknowledged writes of another node, visible once the anchor arrives).
#[test]
fn push_onto_a_list_of_waiting_elements_keeps_them() {
    let (mut x, mut b) = pair();
    x.cmd(T0, &args(&["RPUSH", "l", "x1"]));
    let b1 = x.shard.take_effects();
    x.cmd(T0, &args(&["RPUSH", "l", "x2"]));
    let b2 = x.shard.take_effects();
    b.shard.apply_effects_at(&b2, b.now(T0)).unwrap(); // x2 waits for x1
    assert_eq!(b.cmd(T0, &args(&["EXISTS", "l"])), Reply::Integer(0));
    b.cmd(T0 + 1, &args(&["RPUSH", "l", "b1"]));
    let eb = b.shard.take_effects();
    b.shard.apply_effects_at(&b1, b.now(T0 + 1)).unwrap();
    x.shard.apply_effects_at(&eb, x.now(T0 + 1)).unwrap();
    let all = |r: &mut Replica| match r.cmd(T0 + 2, &args(&["LRANGE", "l", "0", "-1"])) {
        Reply::Array(v) => v.len(),
        other => panic!("{other:?}"),
    };
    assert_eq!(all(&mut x), 3);
    assert_eq!(all(&mut b), 3);
    assert_eq!(
        x.cmd(T0 + 2, &args(&["DEBUG", "DIGEST"])),
        b.cmd(T0 + 2, &args(&["DEBUG", "DIGEST"]))
    );
}

/// HSET on a hash whose fields were all deleted keeps a concurrent field written elsewhere;
/// a push onto a list emptied by pops starts without the old TTL, as in Redis.
#[test]
fn writes_to_emptied_keys_keep_concurrent_writes_and_drop_the_ttl() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["HSET", "h", "f", "1"]));
    exchange(&mut a, &mut b, T0);
    // b's clock runs ahead, so a tombstone from b would cover a's concurrent field.
    b.cmd(T0 + 1, &args(&["HDEL", "h", "f"]));
    a.cmd(T0 + 1, &args(&["HSET", "h", "g", "2"]));
    b.cmd(T0 + 2, &args(&["HSET", "h", "k", "3"]));
    exchange(&mut a, &mut b, T0 + 3);
    for r in [&mut a, &mut b] {
        assert_eq!(r.cmd(T0 + 3, &args(&["HLEN", "h"])), Reply::Integer(2));
    }
    a.cmd(T0 + 4, &args(&["RPUSH", "q", "x"]));
    a.cmd(T0 + 4, &args(&["EXPIRE", "q", "100"]));
    a.cmd(T0 + 4, &args(&["LPOP", "q"]));
    a.cmd(T0 + 4, &args(&["RPUSH", "q", "y"]));
    assert_eq!(a.cmd(T0 + 4, &args(&["TTL", "q"])), Reply::Integer(-1));
    exchange(&mut a, &mut b, T0 + 5);
    assert_eq!(b.cmd(T0 + 5, &args(&["TTL", "q"])), Reply::Integer(-1));
    assert_eq!(
        a.cmd(T0 + 5, &args(&["DEBUG", "DIGEST"])),
        b.cmd(T0 + 5, &args(&["DEBUG", "DIGEST"]))
    );
}

#[test]
fn garbage_of_all_partitions_is_collected_in_one_pass() {
    let mk = |i: u64| {
        let mut shard = Shard::owning_all(PartitionMap::new(8), i);
        shard.set_node_id(i);
        Replica {
            shard,
            skew: 0,
            frozen: false,
        }
    };
    let (mut a, mut b) = (mk(1), mk(2));
    for k in ["h1", "h2", "h3", "h4"] {
        a.cmd(T0, &args(&["HSET", k, "f", "1", "g", "2"]));
    }
    exchange(&mut a, &mut b, T0);
    for k in ["h1", "h2", "h3", "h4"] {
        b.cmd(T0 + 1, &args(&["HDEL", k, "f"]));
    }
    exchange(&mut a, &mut b, T0 + 2);
    // Stability needs every origin past the tombstones: a writes again in those partitions.
    for k in ["h1", "h2", "h3", "h4"] {
        a.cmd(T0 + 3, &args(&["HSET", k, "g", "3"]));
    }
    exchange(&mut a, &mut b, T0 + 4);
    for p in a.shard.replicated_partitions() {
        let (va, vb) = (a.shard.version_vector(p), b.shard.version_vector(p));
        a.shard.set_peer_version_vector(2, p, vb);
        b.shard.set_peer_version_vector(1, p, va);
    }
    let before = a.cmd(T0 + 4, &args(&["DEBUG", "DIGEST"]));
    // One pass on a, a pass per partition on b: the same four field tombstones go.
    let per_partition: usize = b
        .shard
        .replicated_partitions()
        .into_iter()
        .map(|p| b.shard.collect_garbage(p))
        .sum();
    assert_eq!(per_partition, 4);
    assert_eq!(a.shard.collect_garbage_all(), 4);
    assert_eq!(a.cmd(T0 + 4, &args(&["DEBUG", "DIGEST"])), before);
    assert_eq!(b.cmd(T0 + 4, &args(&["DEBUG", "DIGEST"])), before);
    assert_eq!(a.shard.collect_garbage_all(), 0);
}

#[test]
fn every_known_peer_holds_back_collection_until_removed() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["HSET", "h", "f", "1", "g", "2"]));
    exchange(&mut a, &mut b, T0);
    b.cmd(T0 + 1, &args(&["HDEL", "h", "f"]));
    exchange(&mut a, &mut b, T0 + 2);
    a.cmd(T0 + 3, &args(&["HSET", "h", "g", "3"]));
    exchange(&mut a, &mut b, T0 + 4);
    let parts = a.shard.replicated_partitions();
    let mut sorted = parts.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(parts, sorted, "ascending, each once");
    assert_eq!(parts.last(), Some(&SYSTEM_PARTITION));
    // Peer 2 is up to date everywhere; peer 9 is known for the system partition only, so
    // it holds back the partition of `h`, for which it has no vector.
    for &p in &parts {
        let vb = b.shard.version_vector(p);
        a.shard.set_peer_version_vector(2, p, vb);
    }
    a.shard
        .set_peer_version_vector(9, SYSTEM_PARTITION, Default::default());
    assert_eq!(a.shard.collect_garbage_all(), 0);
    // Forgotten and known again with an old vector for `h`'s partition: still held back.
    a.shard.remove_peer(9);
    a.shard
        .set_peer_version_vector(9, parts[0], Default::default());
    assert_eq!(a.shard.collect_garbage_all(), 0);
    // A newer vector for the same partition replaces the old one: the field tombstone goes.
    let v0 = b.shard.version_vector(parts[0]);
    a.shard.set_peer_version_vector(9, parts[0], v0);
    let before = a.cmd(T0 + 4, &args(&["DEBUG", "DIGEST"]));
    assert_eq!(a.shard.collect_garbage_all(), 1);
    assert_eq!(a.cmd(T0 + 4, &args(&["DEBUG", "DIGEST"])), before);
}

#[test]
fn concurrent_incr_is_last_writer_wins() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["SET", "n", "10"]));
    exchange(&mut a, &mut b, T0);
    a.cmd(T0 + 1, &args(&["INCRBY", "n", "5"]));
    b.cmd(T0 + 1, &args(&["INCRBY", "n", "7"]));
    exchange(&mut a, &mut b, T0 + 2);
    // Each INCR emitted its resulting value; the later stamp (b's clock is 1.5 s ahead)
    // wins: 17, not 22.
    let ra = a.cmd(T0 + 3, &args(&["GET", "n"]));
    assert_eq!(ra, Reply::bulk("17"));
    assert_eq!(b.cmd(T0 + 3, &args(&["GET", "n"])), ra);
}

#[test]
fn del_racing_write_and_type_change() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["HSET", "h", "f", "1", "g", "2"]));
    exchange(&mut a, &mut b, T0);
    // b deletes (stamp earlier: a's write below happens "later" in HLC order)
    b.cmd(T0, &args(&["DEL", "h"]));
    a.cmd(T0 + 2000, &args(&["HSET", "h", "x", "3"]));
    exchange(&mut a, &mut b, T0 + 2000);
    // DEL removed everything stamped before it; a's later field survives.
    for r in [&mut a, &mut b] {
        assert_eq!(
            r.cmd(T0 + 2001, &args(&["HGETALL", "h"])),
            Reply::Array(vec![Reply::bulk("x"), Reply::bulk("3")])
        );
    }
    // Concurrent type change: SET on one side, SADD on the other: latest stamp's type wins.
    a.cmd(T0 + 3000, &args(&["SET", "h", "str"]));
    b.cmd(T0 + 3000, &args(&["DEL", "h"]));
    b.cmd(T0 + 3000, &args(&["SADD", "h", "m"]));
    exchange(&mut a, &mut b, T0 + 3000);
    let ta = a.cmd(T0 + 3001, &args(&["TYPE", "h"]));
    assert_eq!(ta, b.cmd(T0 + 3001, &args(&["TYPE", "h"])));
    assert_eq!(ta, Reply::Status("set".into()), "b's clock is ahead");
    assert_eq!(a.shard.keyspace().digest(), b.shard.keyspace().digest());
}

#[test]
fn concurrent_list_pushes_and_pops() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["RPUSH", "l", "1", "2", "3"]));
    exchange(&mut a, &mut b, T0);
    a.cmd(T0 + 1, &args(&["LPOP", "l"]));
    b.cmd(T0 + 1, &args(&["LPOP", "l"]));
    a.cmd(T0 + 1, &args(&["RPUSH", "l", "a"]));
    b.cmd(T0 + 1, &args(&["RPUSH", "l", "b"]));
    b.cmd(T0 + 1, &args(&["LINSERT", "l", "AFTER", "2", "x"]));
    exchange(&mut a, &mut b, T0 + 2);
    // Both popped "1" (at-least-once); both pushes survive in stamp order.
    let la = a.cmd(T0 + 3, &args(&["LRANGE", "l", "0", "-1"]));
    assert_eq!(la, b.cmd(T0 + 3, &args(&["LRANGE", "l", "0", "-1"])));
    assert_eq!(
        la,
        Reply::Array(["2", "x", "3", "b", "a"].iter().map(Reply::bulk).collect())
    );
}

#[test]
fn expiry_is_absolute_and_lww() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["SET", "k", "v", "EX", "10"]));
    exchange(&mut a, &mut b, T0);
    let ttl_b = b.shard.keyspace().expiry(b"k");
    assert_eq!(ttl_b, Some(Some(T0 + 10_000)), "absolute expiry replicated");
    b.cmd(T0, &args(&["PERSIST", "k"]));
    exchange(&mut a, &mut b, T0);
    assert_eq!(a.shard.keyspace().expiry(b"k"), Some(None));
}

#[test]
fn scripts_emit_one_batch_and_aborted_scripts_nothing() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["SET", "x", "0"]));
    a.shard.take_effects();
    let r = a.cmd(
        T0,
        &args(&[
            "EVAL",
            "redis.call('INCR','x') redis.call('RPUSH','l','a','b') return 1",
            "0",
        ]),
    );
    assert_eq!(r, Reply::Integer(1));
    let batch = a.shard.take_effects();
    let groups = codec::decode_batch(&batch).unwrap();
    let ops: Vec<(u16, Vec<String>)> = groups
        .iter()
        .map(|g| {
            (
                g.partition,
                g.effects
                    .iter()
                    .map(|e| format!("{:?}", e.op.tag()))
                    .collect(),
            )
        })
        .collect();
    // The script record (system partition) and the script's three writes, in order.
    assert_eq!(ops.len(), 2, "{ops:?}");
    let user = groups.iter().find(|g| g.partition == 0).unwrap();
    assert!(matches!(user.effects[0].op, Op::Str(ref v) if v == b"1"));
    assert!(matches!(user.effects[1].op, Op::ListInsert { .. }));
    assert!(matches!(user.effects[2].op, Op::ListInsert { .. }));
    let sys = groups
        .iter()
        .find(|g| g.partition == SYSTEM_PARTITION)
        .unwrap();
    assert!(sys.effects[0].key.starts_with(b"\x00script:"));
    // EVALSHA resolves on a node that only received the effects.
    b.shard.apply_effects_at(&batch, T0).unwrap();
    let sha = match a.cmd(
        T0,
        &args(&["SCRIPT", "LOAD", "return redis.call('GET','x')"]),
    ) {
        Reply::Bulk(s) => String::from_utf8(s).unwrap(),
        other => panic!("{other:?}"),
    };
    b.shard
        .apply_effects_at(&a.shard.take_effects(), T0)
        .unwrap();
    assert_eq!(b.cmd(T0, &args(&["EVALSHA", &sha, "0"])), Reply::bulk("1"));
    // A script aborted by its time budget emits nothing.
    a.cmd(T0, &args(&["CONFIG", "SET", "lua-time-limit", "5"]));
    a.shard.take_effects();
    let r = a.cmd(
        T0,
        &args(&["EVAL", "redis.call('SET','x','9') while true do end", "0"]),
    );
    assert!(r.is_error(), "{r:?}");
    let batch = a.shard.take_effects();
    let groups = codec::decode_batch(&batch).unwrap();
    assert!(
        groups
            .iter()
            .all(|g| g.partition == SYSTEM_PARTITION || g.effects.is_empty()),
        "only the script record may go out: {groups:?}"
    );
    assert_eq!(a.cmd(T0, &args(&["GET", "x"])), Reply::bulk("1"));
}

#[test]
fn hostile_batches_change_nothing() {
    let (mut a, mut b) = pair();
    a.cmd(T0, &args(&["SET", "k", "v"]));
    let good = a.shard.take_effects();
    let before = b.shard.keyspace().canonical_dump();
    for n in 0..good.len() {
        assert!(b.shard.apply_effects_at(&good[..n], T0).is_err());
    }
    let mut x: u64 = 0x1234_5678;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 64) as usize;
        let mut bytes: Vec<u8> = (0..len)
            .map(|i| (x >> (i % 8 * 8)) as u8 ^ i as u8)
            .collect();
        if x.is_multiple_of(3) {
            bytes.splice(0..0, b"MKE\x01".iter().copied());
        }
        let _ = b.shard.apply_effects_at(&bytes, T0);
        let _ = b.shard.import_snapshot_at(&bytes, T0);
    }
    let _ = before;
    // Flip every byte of a valid batch: never a panic; rejected or applied whole.
    for i in 0..good.len() {
        let mut m = good.clone();
        m[i] ^= 0xff;
        let _ = b.shard.apply_effects_at(&m, T0);
    }
    // A stamp far in the future is refused and changes nothing.
    let mut c = Replica {
        shard: Shard::standalone(5),
        skew: 0,
        frozen: false,
    };
    c.shard.set_node_id(5);
    c.cmd(T0 + 3_600_000, &args(&["SET", "future", "1"]));
    let far = c.shard.take_effects();
    let dump = b.shard.keyspace().canonical_dump();
    assert!(matches!(
        b.shard.apply_effects_at(&far, T0),
        Err(EffectError::Drift(_))
    ));
    assert_eq!(b.shard.keyspace().canonical_dump(), dump);
    // Accepted once local time is within the bound.
    assert!(b.shard.apply_effects_at(&far, T0 + 3_600_000).is_ok());
}

#[test]
fn fuzz_corpus_replays() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus/effects_codec");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        if let Ok(groups) = codec::decode_batch(&data) {
            assert_eq!(
                codec::decode_batch(&codec::encode_batch(&groups)).ok(),
                Some(groups)
            );
            n += 1;
        }
        let mut shard = Shard::standalone(1);
        let _ = shard.apply_effects_at(&data, T0);
        let _ = shard.import_snapshot_at(&data, T0);
    }
    assert!(n >= 2, "the seed batches decode");
}

/// Effects a shard applied from a peer are logged in their encoded form (the batch group's
/// bytes, shared) and read back when it passes them on: a third shard catching up from the
/// relay gets exactly the effects the origin sent (every op, same-key runs, list references
/// to another node's elements), and converges.
#[test]
fn relayed_effects_are_the_origin_effects() {
    let mk = |i: u64| {
        let mut shard = Shard::owning_all(PartitionMap::new(4), i);
        shard.set_node_id(i);
        Replica {
            shard,
            skew: 0,
            frozen: false,
        }
    };
    let (mut a, mut b, mut c) = (mk(1), mk(2), mk(3));
    // B starts a list that A then edits, so A's list effects refer to B's elements.
    b.cmd(T0, &args(&["RPUSH", "l", "b1", "b2"]));
    let bb = b.shard.take_effects();
    a.shard.apply_effects_at(&bb, T0).unwrap();
    let script = [
        &["SET", "s", "v1"][..],
        &["SET", "s", "a-longer-value-than-before"],
        &["PEXPIRE", "s", "100000"],
        &["PERSIST", "s"],
        &["INCR", "n"],
        &["INCRBY", "n", "41"],
        &["HSET", "h", "f1", "v1", "f2", "v2"],
        &["HDEL", "h", "f1"],
        &["SADD", "st", "m1", "m2"],
        &["SREM", "st", "m2"],
        &["ZADD", "z", "1.5", "m1", "-2", "m2"],
        &["ZREM", "z", "m1"],
        &["RPUSH", "l", "a1", "a2"],
        &["LSET", "l", "0", "b1-set-by-a"],
        &["LPOP", "l"],
        &["LINSERT", "l", "BEFORE", "a1", "a0"],
        &["DEL", "gone"],
        &["SET", "gone", "x"],
        &["DEL", "gone"],
        &["HSET", "s", "type", "change"],
        &["MSET", "{t}1", "x", "{t}2", "y"],
    ];
    for (i, cmd) in script.iter().enumerate() {
        a.cmd(T0 + 1 + i as i64, &args(cmd));
    }
    let ba = a.shard.take_effects();
    let now = T0 + 100;
    b.shard.apply_effects_at(&ba, now).unwrap();
    for p in b.shard.replicated_partitions() {
        let vv = c.shard.version_vector(p);
        let origin_of = |groups: Vec<codec::Group>, o: u64| -> Vec<_> {
            groups
                .into_iter()
                .filter(|g| g.origin == o)
                .flat_map(|g| g.effects)
                .collect()
        };
        let from_a = origin_of(
            codec::decode_batch(&a.shard.effects_since(p, &vv).unwrap()).unwrap(),
            1,
        );
        let relayed = origin_of(
            codec::decode_batch(&b.shard.effects_since(p, &vv).unwrap()).unwrap(),
            1,
        );
        assert_eq!(relayed, from_a, "partition {p}");
    }
    catch_up(&mut b, &mut c, now);
    for r in [&mut a, &mut b, &mut c] {
        r.shard.keyspace_mut().set_now(now);
    }
    a.shard
        .apply_effects_at(&b.shard.take_effects(), now)
        .unwrap();
    let dump = b.shard.keyspace().canonical_dump();
    assert!(dump.contains("a-longer-value-than-before") || dump.contains("change"));
    assert_eq!(a.shard.keyspace().canonical_dump(), dump);
    assert_eq!(c.shard.keyspace().canonical_dump(), dump);
    assert_eq!(c.shard.keyspace().digest(), b.shard.keyspace().digest());
}

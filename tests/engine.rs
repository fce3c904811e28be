//! Engine-level behaviour: dispatch errors, partitions, script restrictions, key extraction,
//! the WriteOp journal, digests, expiry and SCAN guarantees, RESP3 shapes.
mod common;
use common::*;
use marekvs::engine::{command_keys, CallCtx, Shard};
use marekvs::keyspace::{Keyspace, WriteOp};
use marekvs::reply::Reply;
use marekvs::router::PartitionMap;

fn argv(a: &[&str]) -> Vec<Vec<u8>> {
    a.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn dispatch_errors() {
    let mut t = T::new();
    assert_eq!(
        t.cmd(&["foo", "a", "b"]),
        err("ERR unknown command 'foo', with args beginning with: 'a' 'b' ")
    );
    assert_eq!(
        t.cmd(&["foo"]),
        err("ERR unknown command 'foo', with args beginning with: ")
    );
    let long = "x".repeat(200);
    let r = t.cmd(&["foo", &long, "next"]);
    assert_eq!(
        r,
        err(&format!(
            "ERR unknown command 'foo', with args beginning with: '{}' ",
            "x".repeat(128)
        ))
    );
    assert_eq!(
        t.cmd(&["foo\r\nbar"]),
        err("ERR unknown command 'foo  bar', with args beginning with: ")
    );
    assert_eq!(
        t.cmd(&["GET"]),
        err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(t.cmd(&["gEt", "k"]), nil());
    assert_eq!(
        t.cmd(&["config", "foo"]),
        err("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
    );
    assert_eq!(
        t.cmd(&["config", "set", "maxmemory"]),
        err("ERR wrong number of arguments for 'config|set' command")
    );
    assert_eq!(
        t.cmd(&["config"]),
        err("ERR wrong number of arguments for 'config' command")
    );
    assert!(t.shard.execute(&[], &mut t.cx).is_error());
}

#[test]
fn partitions() {
    let pm = PartitionMap::new(4);
    let key_in = |p: u16| key_in(&pm, p);
    let (k0, k0b, k1) = (key_in(0), format!("{{{}}}.x", key_in(0)), key_in(1));
    let mut sh = Shard::new(pm, [0], 7);
    let mut cx = CallCtx::new(0);
    assert_eq!(sh.execute(&argv(&["set", &k0, "v"]), &mut cx), ok());
    assert_eq!(sh.execute(&argv(&["set", &k0b, "v"]), &mut cx), ok());
    assert_eq!(
        sh.execute(&argv(&["set", &k1, "v"]), &mut cx),
        err(&format!(
            "ERR key '{k1}' is not served by this shard (partition 1)"
        ))
    );
    assert_eq!(
        sh.execute(&argv(&["mset", &k0, "1", &k1, "2"]), &mut cx),
        err("CROSSSLOT Keys in request don't hash to the same slot")
    );
    assert_eq!(sh.execute(&argv(&["del", &k0, &k0b]), &mut cx), int(2));
    // Hash tags keep keys together.
    assert_eq!(
        sh.execute(&argv(&["mset", "{t}a", "1", "{t}b", "2"]), &mut cx)
            .is_error(),
        pm.partition_of_key(b"t") != 0
    );
    // Keyless commands always run.
    assert_eq!(sh.execute(&argv(&["ping"]), &mut cx), status("PONG"));
}

#[test]
fn script_restrictions_and_pin() {
    let pm = PartitionMap::new(8);
    let mut sh = Shard::owning_all(pm, 1);
    let mut cx = CallCtx::new(0);
    cx.in_script = true;
    let noscript = err("ERR This Redis command is not allowed from script");
    assert_eq!(sh.execute(&argv(&["hello"]), &mut cx), noscript);
    assert_eq!(sh.execute(&argv(&["client", "id"]), &mut cx), noscript);
    assert_eq!(
        sh.execute(&argv(&["config", "get", "x"]), &mut cx),
        noscript
    );
    assert_eq!(sh.execute(&argv(&["blpop", "l", "0"]), &mut cx), noscript);
    assert_eq!(sh.execute(&argv(&["quit"]), &mut cx), noscript);
    assert_eq!(sh.execute(&argv(&["set", "a", "1"]), &mut cx), ok());
    cx.script_readonly = true;
    assert_eq!(
        sh.execute(&argv(&["set", "a", "1"]), &mut cx),
        err("ERR Write commands are not allowed from read-only scripts.")
    );
    assert_eq!(sh.execute(&argv(&["get", "a"]), &mut cx), bulk("1"));
    // Pinning.
    let mut cx = CallCtx::new(0);
    cx.in_script = true;
    cx.pin_on_first_key = true;
    let pa = pm.partition_of_key(b"a");
    let other = (0..1000)
        .map(|i| format!("o{i}"))
        .find(|k| pm.partition_of_key(k.as_bytes()) != pa)
        .unwrap();
    let po = pm.partition_of_key(other.as_bytes());
    assert_eq!(sh.execute(&argv(&["get", "a"]), &mut cx), bulk("1"));
    assert_eq!(cx.partition_pin, Some(pa));
    assert_eq!(
        sh.execute(&argv(&["get", &other]), &mut cx),
        err(&format!(
            "ERR Script attempted to access a key outside its partition (key '{other}' is in partition {po}, script is pinned to {pa})"
        ))
    );
}

#[test]
fn key_extraction() {
    assert_eq!(
        command_keys(&argv(&["GET", "a"])).unwrap(),
        vec![b"a".as_slice()]
    );
    assert_eq!(
        command_keys(&argv(&["mset", "a", "1", "b", "2"])).unwrap(),
        vec![b"a".as_slice(), b"b".as_slice()]
    );
    assert_eq!(
        command_keys(&argv(&["blpop", "a", "b", "0"])).unwrap(),
        vec![b"a".as_slice(), b"b".as_slice()]
    );
    assert_eq!(
        command_keys(&argv(&["sintercard", "2", "a", "b", "limit", "1"])).unwrap(),
        vec![b"a".as_slice(), b"b".as_slice()]
    );
    assert_eq!(
        command_keys(&argv(&["zrangestore", "d", "s", "0", "-1"])).unwrap(),
        vec![b"d".as_slice(), b"s".as_slice()]
    );
    assert!(command_keys(&argv(&["ping"])).unwrap().is_empty());
    assert!(command_keys(&argv(&["config", "get", "x"]))
        .unwrap()
        .is_empty());
    assert!(command_keys(&argv(&["nope"])).is_err());
    assert!(command_keys(&argv(&["get"])).is_err());
    let mut t = T::new();
    assert_eq!(
        t.cmd(&["command", "getkeys", "mset", "a", "1", "b", "2"]),
        arr(&["a", "b"])
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "ping", "x"]),
        err("ERR The command has no key arguments")
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "nope", "x"]),
        err("ERR Invalid command specified")
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "get", "a", "b"]),
        err("ERR Invalid number of arguments specified for command")
    );
}

#[test]
fn journal_records_concrete_writes() {
    let mut t = T::new();
    t.shard.start_journal();
    t.cmd(&["incr", "n"]);
    t.cmd(&["incrby", "n", "5"]);
    t.cmd(&["get", "n"]);
    let j = t.shard.take_journal();
    assert_eq!(
        j,
        vec![
            WriteOp::SetString {
                key: b"n".to_vec(),
                value: b"1".to_vec()
            },
            WriteOp::SetString {
                key: b"n".to_vec(),
                value: b"6".to_vec()
            },
        ]
    );
    t.shard.start_journal();
    t.cmd(&["set", "k", "v", "EX", "10"]);
    t.cmd(&["hset", "h", "f", "1"]);
    t.cmd(&["hdel", "h", "f", "nope"]);
    t.cmd(&["rpush", "l", "a", "b"]);
    t.cmd(&["lpop", "l"]);
    let j = t.shard.take_journal();
    let now = t.cx.now_ms;
    assert_eq!(
        j,
        vec![
            WriteOp::SetString {
                key: b"k".to_vec(),
                value: b"v".to_vec()
            },
            WriteOp::SetExpiry {
                key: b"k".to_vec(),
                at_ms: Some(now + 10_000)
            },
            WriteOp::HashSet {
                key: b"h".to_vec(),
                field: b"f".to_vec(),
                value: b"1".to_vec()
            },
            WriteOp::HashDel {
                key: b"h".to_vec(),
                field: b"f".to_vec()
            },
            WriteOp::ListInsert {
                key: b"l".to_vec(),
                index: 0,
                value: b"a".to_vec()
            },
            WriteOp::ListInsert {
                key: b"l".to_vec(),
                index: 1,
                value: b"b".to_vec()
            },
            WriteOp::ListRemove {
                key: b"l".to_vec(),
                index: 0
            },
        ]
    );
    assert_eq!(t.cmd(&["exists", "h"]), int(0));
    // Errors write nothing.
    t.shard.start_journal();
    t.cmd(&["incr", "k"]);
    t.cmd(&["lpush", "k", "x"]);
    assert!(t.shard.take_journal().is_empty());
}

#[test]
fn journal_replay_reproduces_state() {
    let mut t = T::new();
    let mut replica = Keyspace::new();
    let script: &[&[&str]] = &[
        &["set", "a", "1", "px", "500"],
        &["mset", "b", "x", "c", "y"],
        &["hset", "h", "f", "1", "g", "2"],
        &["hincrbyfloat", "h", "f", "0.5"],
        &["sadd", "s", "a", "b", "c"],
        &["smove", "s", "s2", "a"],
        &["zadd", "z", "1", "a", "2", "b"],
        &["zincrby", "z", "5", "a"],
        &["rpush", "l", "1", "2", "3", "4"],
        &["linsert", "l", "before", "3", "x"],
        &["ltrim", "l", "1", "-2"],
        &["lset", "l", "0", "y"],
        &["rename", "h", "h2"],
        &["expire", "h2", "100"],
        &["rename", "l", "l2"],
        &["sinterstore", "s3", "s", "s2"],
        &["zrangestore", "z2", "z", "0", "0"],
        &["append", "b", "zz"],
        &["persist", "h2"],
        &["del", "c"],
    ];
    for (i, cmd) in script.iter().enumerate() {
        t.shard.start_journal();
        let r = t.cmd(cmd);
        assert!(!r.is_error(), "{cmd:?}: {r:?}");
        replica.set_now(t.cx.now_ms);
        for op in t.shard.take_journal() {
            replica.apply(op);
        }
        if i == 3 {
            t.advance(1000); // "a" expires
        }
    }
    replica.set_now(t.cx.now_ms);
    assert_eq!(replica.digest(), t.shard.keyspace().digest());
    assert_ne!(replica.digest(), [0; 20]);
}

#[test]
fn digest_is_order_independent_and_sees_expiry() {
    let mut a = T::new();
    let mut b = T::new();
    a.cmd(&["hset", "h", "x", "1", "y", "2"]);
    a.cmd(&["sadd", "s", "1", "2", "3"]);
    a.cmd(&["zadd", "z", "1", "a", "2", "b"]);
    b.cmd(&["zadd", "z", "2", "b", "1", "a"]);
    b.cmd(&["sadd", "s", "3", "2", "1"]);
    b.cmd(&["hset", "h", "y", "2", "x", "1"]);
    assert_eq!(a.cmd(&["debug", "digest"]), b.cmd(&["debug", "digest"]));
    assert_eq!(
        a.cmd(&["debug", "digest-value", "h", "nope"]),
        b.cmd(&["debug", "digest-value", "h", "nope"])
    );
    b.cmd(&["expire", "s", "100"]);
    assert_ne!(a.cmd(&["debug", "digest"]), b.cmd(&["debug", "digest"]));
    // Same value, same digest-value regardless of expiry.
    assert_eq!(
        a.cmd(&["debug", "digest-value", "s"]),
        b.cmd(&["debug", "digest-value", "s"])
    );
    // Digests of disjoint keyspaces combine by XOR (shards can be fanned out).
    let mut x = T::new();
    let mut y = T::new();
    x.cmd(&["hset", "h", "x", "1", "y", "2"]);
    y.cmd(&["sadd", "s", "1", "2", "3"]);
    y.cmd(&["zadd", "z", "1", "a", "2", "b"]);
    let hexd = |r: Reply| match r {
        Reply::Status(s) => u128::from_str_radix(&s[..32], 16).unwrap(),
        _ => panic!(),
    };
    assert_eq!(
        hexd(x.cmd(&["debug", "digest"])) ^ hexd(y.cmd(&["debug", "digest"])),
        hexd(a.cmd(&["debug", "digest"]))
    );
    let mut e = T::new();
    assert_eq!(e.cmd(&["debug", "digest"]), status(&"0".repeat(40)));
    e.shard
        .keyspace_mut()
        .set_system_record(b"script:abc", b"return 1");
    assert_eq!(e.cmd(&["debug", "digest"]), status(&"0".repeat(40)));
}

#[test]
fn system_records_are_hidden() {
    let mut t = T::new();
    t.shard
        .keyspace_mut()
        .set_system_record(b"script:abc", b"return 1");
    assert_eq!(
        t.shard.keyspace().get_system_record(b"script:abc"),
        Some(&b"return 1"[..])
    );
    assert_eq!(
        t.shard.keyspace().system_records(b"script:"),
        vec![(b"script:abc".to_vec(), b"return 1".to_vec())]
    );
    assert_eq!(t.cmd(&["dbsize"]), int(0));
    assert_eq!(t.cmd(&["keys", "*"]), arr(&[]));
    assert_eq!(t.cmd(&["randomkey"]), nil());
    assert_eq!(
        t.cmd(&["scan", "0"]),
        Reply::Array(vec![bulk("0"), arr(&[])])
    );
    t.cmd(&["flushall"]);
    assert!(t
        .shard
        .keyspace()
        .get_system_record(b"script:abc")
        .is_some());
}

#[test]
fn lazy_and_active_expiry() {
    let mut t = T::new();
    for i in 0..100 {
        t.cmd(&["set", &format!("k{i}"), "v", "PX", "100"]);
    }
    t.cmd(&["set", "keep", "v"]);
    assert_eq!(t.cmd(&["dbsize"]), int(101));
    t.advance(100);
    assert_eq!(t.cmd(&["get", "k1"]), nil());
    assert_eq!(t.cmd(&["ttl", "k1"]), int(-2));
    assert_eq!(t.cmd(&["keys", "*"]), arr(&["keep"]));
    // Not reclaimed yet: DBSIZE counts them, like Redis.
    assert_eq!(t.cmd(&["dbsize"]), int(101));
    let now = t.cx.now_ms;
    let mut total = 0;
    for _ in 0..20 {
        let n = t.shard.active_expire(now, 10);
        assert!(n <= 10);
        total += n;
    }
    assert_eq!(total, 100);
    assert_eq!(t.cmd(&["dbsize"]), int(1));
    // Writes to an expired key start from scratch.
    t.cmd(&["rpush", "l", "a"]);
    t.cmd(&["pexpire", "l", "10"]);
    t.advance(10);
    assert_eq!(t.cmd(&["rpush", "l", "b"]), int(1));
    assert_eq!(t.cmd(&["ttl", "l"]), int(-1));
    assert!(!t.cmd(&["info", "stats"]).is_error());
}

#[test]
fn scan_returns_every_stable_key() {
    let mut t = T::new();
    for i in 0..200 {
        t.cmd(&["set", &format!("k{i}"), "v"]);
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut round = 0;
    loop {
        let r = t.cmd(&["scan", &cursor, "count", "7"]);
        let Reply::Array(parts) = r else { panic!() };
        let (Reply::Bulk(c), Reply::Array(keys)) = (&parts[0], &parts[1]) else {
            panic!()
        };
        for k in keys {
            let Reply::Bulk(k) = k else { panic!() };
            seen.insert(String::from_utf8(k.clone()).unwrap());
        }
        // Churn while scanning: add and remove other keys.
        t.cmd(&["set", &format!("new{round}"), "v"]);
        t.cmd(&["del", &format!("new{}", round / 2)]);
        round += 1;
        cursor = String::from_utf8(c.clone()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    for i in 0..200 {
        assert!(seen.contains(&format!("k{i}")), "k{i} missed");
    }
    // MATCH and TYPE filters.
    t.cmd(&["hset", "hk", "f", "v"]);
    let r = t.cmd(&["scan", "0", "count", "1000", "type", "hash"]);
    assert_eq!(r, Reply::Array(vec![bulk("0"), arr(&["hk"])]));
    let r = t.cmd(&["scan", "0", "count", "1000", "match", "k1?9"]);
    let Reply::Array(parts) = r else { panic!() };
    assert_same_members(
        parts[1].clone(),
        arr(&[
            "k109", "k119", "k129", "k139", "k149", "k159", "k169", "k179", "k189", "k199",
        ]),
    );
}

#[test]
fn large_collection_scans_iterate() {
    let mut t = T::new();
    let mut args = vec!["sadd".to_string(), "s".to_string()];
    args.extend((0..500).map(|i| format!("m{i}")));
    let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
    assert_eq!(t.cmd(&a), int(500));
    let mut seen = std::collections::BTreeSet::new();
    let mut cursor = "0".to_string();
    let mut calls = 0;
    loop {
        let Reply::Array(parts) = t.cmd(&["sscan", "s", &cursor, "count", "20"]) else {
            panic!()
        };
        let (Reply::Bulk(c), Reply::Array(ms)) = (&parts[0], &parts[1]) else {
            panic!()
        };
        for m in ms {
            seen.insert(format!("{m:?}"));
        }
        calls += 1;
        cursor = String::from_utf8(c.clone()).unwrap();
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 500);
    assert!(calls > 10);
}

/// HSCAN and ZSCAN over collections past the small-collection size, with writes between the
/// calls: every element present for the whole iteration comes back, each call returns about
/// COUNT elements (the selection stops at the COUNT-th hash), and the cursor ends at 0.
#[test]
fn large_collection_scans_survive_writes() {
    for (count, n) in [(1usize, 300usize), (7, 1000), (100, 1000), (5000, 1000)] {
        let mut t = T::new();
        for i in 0..n {
            t.cmd(&["hset", "h", &format!("f{i}"), "v"]);
            t.cmd(&["zadd", "z", &i.to_string(), &format!("m{i}")]);
        }
        for (cmd, key, prefix) in [("hscan", "h", "f"), ("zscan", "z", "m")] {
            let mut seen = std::collections::BTreeSet::new();
            let mut cursor = "0".to_string();
            let mut calls = 0;
            loop {
                let count_s = count.to_string();
                let Reply::Array(parts) = t.cmd(&[cmd, key, &cursor, "count", &count_s]) else {
                    panic!()
                };
                let (Reply::Bulk(c), Reply::Array(items)) = (&parts[0], &parts[1]) else {
                    panic!()
                };
                // Field/member and value/score pairs.
                assert!(
                    items.len() / 2 <= count.max(1) + 2,
                    "{cmd} returned {}",
                    items.len() / 2
                );
                for pair in items.chunks(2) {
                    if let Reply::Bulk(m) = &pair[0] {
                        seen.insert(String::from_utf8(m.clone()).unwrap());
                    }
                }
                // Churn: new elements and removals of elements outside 0..n/2.
                calls += 1;
                let extra = format!("{prefix}new{calls}");
                if cmd == "hscan" {
                    t.cmd(&["hset", key, &extra, "v"]);
                    t.cmd(&["hdel", key, &format!("{prefix}{}", n - calls % (n / 2))]);
                } else {
                    t.cmd(&["zadd", key, "0.5", &extra]);
                    t.cmd(&["zrem", key, &format!("{prefix}{}", n - calls % (n / 2))]);
                }
                cursor = String::from_utf8(c.clone()).unwrap();
                if cursor == "0" {
                    break;
                }
                assert!(calls < 10 * n, "{cmd} does not end");
            }
            for i in 0..n / 2 {
                assert!(
                    seen.contains(&format!("{prefix}{i}")),
                    "{cmd} missed {prefix}{i}"
                );
            }
            if count < n {
                assert!(calls >= n / count.max(1) / 2, "{cmd}: {calls} calls");
            }
        }
    }
}

/// Random picks from large collections (the picked elements are borrowed, then copied):
/// what comes back belongs to the collection, distinct picks are distinct, SPOP removes them.
#[test]
fn random_picks_from_large_collections() {
    let mut t = T::new();
    for i in 0..1000 {
        let (m, f) = (format!("m{i}"), format!("f{i}"));
        t.cmd(&["sadd", "s", &m]);
        t.cmd(&["hset", "h", &f, &format!("v{i}")]);
        t.cmd(&["zadd", "z", &i.to_string(), &m]);
    }
    let strings = |r: Reply| -> Vec<String> {
        let Reply::Array(items) = r else {
            panic!("{r:?}")
        };
        items
            .into_iter()
            .map(|r| match r {
                Reply::Bulk(b) => String::from_utf8(b).unwrap(),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    let popped = strings(t.cmd(&["spop", "s", "10"]));
    let distinct: std::collections::BTreeSet<_> = popped.iter().collect();
    assert_eq!((popped.len(), distinct.len()), (10, 10));
    for m in &popped {
        assert_eq!(t.cmd(&["sismember", "s", m]), int(0));
    }
    assert_eq!(t.cmd(&["scard", "s"]), int(990));
    let Reply::Bulk(one) = t.cmd(&["spop", "s"]) else {
        panic!()
    };
    assert_eq!(
        t.cmd(&["sismember", "s", std::str::from_utf8(&one).unwrap()]),
        int(0)
    );
    for m in strings(t.cmd(&["srandmember", "s", "-20"])) {
        assert_eq!(t.cmd(&["sismember", "s", &m]), int(1));
    }
    for pair in strings(t.cmd(&["hrandfield", "h", "5", "withvalues"])).chunks(2) {
        assert_eq!(t.cmd(&["hget", "h", &pair[0]]), bulk(&pair[1]));
    }
    for pair in strings(t.cmd(&["zrandmember", "z", "-5", "withscores"])).chunks(2) {
        assert_eq!(t.cmd(&["zscore", "z", &pair[0]]), bulk(&pair[1]));
    }
}

#[test]
fn resp3_shapes() {
    let mut t = T::new();
    let r = t.cmd(&["hello", "3"]);
    assert!(matches!(r, Reply::Map(_)));
    assert_eq!(t.cx.proto, 3);
    t.cmd(&["hset", "h", "f", "v"]);
    assert_eq!(
        t.cmd(&["hgetall", "h"]),
        Reply::Map(vec![(bulk("f"), bulk("v"))])
    );
    t.cmd(&["sadd", "s", "x"]);
    assert_eq!(t.cmd(&["smembers", "s"]), Reply::Set(vec![bulk("x")]));
    assert_eq!(t.cmd(&["spop", "nos", "2"]), Reply::Set(vec![]));
    t.cmd(&["zadd", "z", "1.5", "a", "2", "b"]);
    assert_eq!(t.cmd(&["zscore", "z", "a"]), Reply::Double(1.5));
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "-1", "withscores"]),
        Reply::Array(vec![
            Reply::Array(vec![bulk("a"), Reply::Double(1.5)]),
            Reply::Array(vec![bulk("b"), Reply::Double(2.0)]),
        ])
    );
    assert_eq!(
        t.cmd(&["zpopmin", "z"]),
        Reply::Array(vec![bulk("a"), Reply::Double(1.5)])
    );
    assert_eq!(
        t.cmd(&["zpopmin", "z", "1"]),
        Reply::Array(vec![Reply::Array(vec![bulk("b"), Reply::Double(2.0)])])
    );
    assert_eq!(
        t.cmd(&["hrandfield", "h", "1", "withvalues"]),
        Reply::Array(vec![Reply::Array(vec![bulk("f"), bulk("v")])])
    );
    assert_eq!(
        t.cmd(&["config", "get", "maxmemory"]),
        Reply::Map(vec![(bulk("maxmemory"), bulk("0"))])
    );
    assert!(matches!(t.cmd(&["info", "keyspace"]), Reply::Verbatim(ref f, _) if f == "txt"));
    assert_eq!(
        t.cmd(&["hello", "4"]),
        err("NOPROTO unsupported protocol version")
    );
    assert_eq!(t.cx.proto, 3);
    t.cmd(&["hello", "2"]);
    assert_eq!(t.cmd(&["zscore", "nope", "a"]), nil());
    assert_eq!(t.cmd(&["hgetall", "h"]), arr(&["f", "v"]));
}

#[test]
fn server_state() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["config", "set", "lua-time-limit", "50"]), ok());
    assert_eq!(t.shard.config.lua_time_limit_ms, 50);
    assert_eq!(
        t.cmd(&["config", "get", "lua-time-limit"]),
        arr(&["lua-time-limit", "50"])
    );
    assert_eq!(t.cmd(&["config", "set", "maxmemory", "10mb"]), ok());
    assert_eq!(t.shard.config.maxmemory, 10 * 1024 * 1024);
    assert_eq!(t.cmd(&["select", "1"]), err("ERR DB index is out of range"));
    assert_eq!(t.cmd(&["select", "0"]), ok());
    t.cx.now_ms = 1_700_000_123_456;
    assert_eq!(t.cmd(&["time"]), arr(&["1700000123", "456000"]));
    t.cx.client_id = 9;
    assert_eq!(t.cmd(&["client", "id"]), int(9));
    assert_eq!(t.cmd(&["client", "setname", "app"]), ok());
    assert_eq!(t.cmd(&["client", "getname"]), bulk("app"));
    assert!(!t.cmd(&["hello", "3", "setname", "other"]).is_error());
    assert_eq!(t.cx.client_name.as_deref(), Some(&b"other"[..]));
    assert_eq!(t.cmd(&["quit"]), ok());
    assert!(t.cx.quit);
    t.cx.proto = 2;
    let Reply::Bulk(info) = t.cmd(&["info"]) else {
        panic!()
    };
    let info = String::from_utf8(info).unwrap();
    for s in [
        "# Server",
        "# Memory",
        "# Stats",
        "# Keyspace",
        "redis_version:7.0.15",
        "maxmemory:10485760",
    ] {
        assert!(info.contains(s), "{s} missing in {info}");
    }
    t.cmd(&["set", "a", "1", "ex", "100"]);
    t.cmd(&["set", "b", "1"]);
    assert_eq!(
        t.cmd(&["info", "keyspace"]),
        bulk("# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\n")
    );
    let Reply::Integer(n) = t.cmd(&["command", "count"]) else {
        panic!()
    };
    assert!(n >= 120);
    let Reply::Array(info) = t.cmd(&["command", "info", "get", "nope"]) else {
        panic!()
    };
    assert_eq!(info[1], nil());
    let Reply::Array(get) = &info[0] else {
        panic!()
    };
    assert_eq!(get[..2], [bulk("get"), int(2)]);
    assert!(matches!(
        t.cmd(&["command", "docs", "get"]),
        Reply::Array(_)
    ));
    assert!(matches!(t.cmd(&["command"]), Reply::Array(_)));
}

//! zsets commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn zsets() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["zadd", "z", "1", "a", "2", "b", "3", "c"]), int(3));
    assert_eq!(
        t.cmd(&["zadd", "z", "1"]),
        err("ERR wrong number of arguments for 'zadd' command")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "1", "a", "2"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "xx", "nx", "1", "a"]),
        err("ERR XX and NX options at the same time are not compatible")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "gt", "lt", "1", "a"]),
        err("ERR GT, LT, and/or NX options at the same time are not compatible")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "nx", "gt", "1", "a"]),
        err("ERR GT, LT, and/or NX options at the same time are not compatible")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "incr", "1", "a", "2", "b"]),
        err("ERR INCR option supports a single increment-element pair")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "abc", "a"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "nan", "a"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "foo", "1", "a"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["zadd", "z", "ch", "5", "a", "2", "b", "9", "d"]),
        int(2)
    );
    assert_eq!(t.cmd(&["zadd", "z", "nx", "0", "a", "0", "e"]), int(1));
    assert_eq!(t.cmd(&["zadd", "z", "xx", "0", "a", "0", "f"]), int(0));
    assert_eq!(t.cmd(&["zadd", "z", "gt", "1", "a"]), int(0));
    assert_eq!(t.cmd(&["zadd", "z", "gt", "ch", "10", "a"]), int(1));
    assert_eq!(
        t.cmd(&["zadd", "z", "lt", "ch", "1", "a", "100", "b"]),
        int(1)
    );
    assert_eq!(t.cmd(&["zadd", "z", "incr", "2.5", "a"]), bulk("3.5"));
    assert_eq!(t.cmd(&["zadd", "z", "xx", "incr", "1", "nope"]), nil());
    assert_eq!(t.cmd(&["zadd", "z", "nx", "incr", "1", "a"]), nil());
    assert_eq!(t.cmd(&["zadd", "z", "gt", "incr", "-1", "a"]), nil());
    assert_eq!(t.cmd(&["zscore", "z", "a"]), bulk("3.5"));
    assert_eq!(t.cmd(&["zscore", "z", "nope"]), nil());
    assert_eq!(t.cmd(&["zscore", "nokey", "a"]), nil());
    assert_eq!(
        t.cmd(&["zmscore", "z", "a", "nope", "b"]),
        Reply::Array(vec![bulk("3.5"), nil(), bulk("2")])
    );
    assert_eq!(t.cmd(&["zmscore", "nokey", "a"]), Reply::Array(vec![nil()]));
    assert_eq!(t.cmd(&["zadd", "zi", "1e300", "a"]), int(1));
    assert_eq!(
        t.cmd(&["zscore", "zi", "a"]),
        bulk("1.0000000000000001e+300")
    );
    assert_eq!(
        t.cmd(&["zincrby", "zi", "0.1", "b"]),
        bulk("0.10000000000000001")
    );
    assert_eq!(
        t.cmd(&["zincrby", "zi", "0.1", "b"]),
        bulk("0.20000000000000001")
    );
    assert_eq!(
        t.cmd(&["zincrby", "zi", "0.1", "b"]),
        bulk("0.30000000000000004")
    );
    assert_eq!(t.cmd(&["zscore", "zi", "b"]), bulk("0.30000000000000004"));
    assert_eq!(
        t.cmd(&["zincrby", "zi", "abc", "b"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(t.cmd(&["zadd", "zi", "inf", "x", "-inf", "y"]), int(2));
    assert_eq!(
        t.cmd(&["zincrby", "zi", "-inf", "x"]),
        err("ERR resulting score is not a number (NaN)")
    );
    assert_eq!(t.cmd(&["zscore", "zi", "y"]), bulk("-inf"));
    assert_eq!(
        t.cmd(&[
            "zadd",
            "zi",
            "1.5e-7",
            "small",
            "123456.789",
            "mid",
            "1e17",
            "e17",
            "1e16",
            "e16"
        ]),
        int(4)
    );
    assert_eq!(
        t.cmd(&["zrange", "zi", "0", "-1", "withscores"]),
        Reply::Array(vec![
            bulk("y"),
            bulk("-inf"),
            bulk("small"),
            bulk("1.4999999999999999e-07"),
            bulk("b"),
            bulk("0.30000000000000004"),
            bulk("mid"),
            bulk("123456.789"),
            bulk("e16"),
            bulk("10000000000000000"),
            bulk("e17"),
            bulk("1e+17"),
            bulk("a"),
            bulk("1.0000000000000001e+300"),
            bulk("x"),
            bulk("inf")
        ])
    );
    assert_eq!(t.cmd(&["zcard", "z"]), int(5));
    assert_eq!(t.cmd(&["zcard", "nokey"]), int(0));
    assert_eq!(t.cmd(&["zcount", "z", "-inf", "+inf"]), int(5));
    assert_eq!(t.cmd(&["zcount", "z", "(1", "3"]), int(2));
    assert_eq!(
        t.cmd(&["zcount", "z", "a", "b"]),
        err("ERR min or max is not a float")
    );
    assert_eq!(t.cmd(&["zrem", "z", "a", "nope"]), int(1));
    assert_eq!(t.cmd(&["zrem", "nokey", "a"]), int(0));
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "-1"]),
        Reply::Array(vec![bulk("e"), bulk("b"), bulk("c"), bulk("d")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "-1", "withscores"]),
        Reply::Array(vec![
            bulk("e"),
            bulk("0"),
            bulk("b"),
            bulk("2"),
            bulk("c"),
            bulk("3"),
            bulk("d"),
            bulk("9")
        ])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "-2", "-1", "withscores"]),
        Reply::Array(vec![bulk("c"), bulk("3"), bulk("d"), bulk("9")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "-1", "rev"]),
        Reply::Array(vec![bulk("d"), bulk("c"), bulk("b"), bulk("e")])
    );
    assert_eq!(t.cmd(&["zrange", "z", "5", "10"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "1", "3", "byscore"]),
        Reply::Array(vec![bulk("b"), bulk("c")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "(1", "3", "byscore", "withscores"]),
        Reply::Array(vec![bulk("b"), bulk("2"), bulk("c"), bulk("3")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "3", "1", "byscore", "rev", "withscores"]),
        Reply::Array(vec![bulk("c"), bulk("3"), bulk("b"), bulk("2")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "-1", "rev", "byscore"]),
        Reply::Array(vec![bulk("e")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "2"]),
        Reply::Array(vec![bulk("b"), bulk("c")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "-1", "2"]),
        Reply::Array(vec![])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "-inf", "+inf", "byscore", "limit", "1", "-1"]),
        Reply::Array(vec![bulk("b"), bulk("c"), bulk("d")])
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "1", "limit", "0", "1"]),
        err(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
        )
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "a", "b", "byscore"]),
        err("ERR min or max is not a float")
    );
    assert_eq!(
        t.cmd(&["zrange", "z", "0", "-1", "foo"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["zadd", "lex", "0", "a", "0", "b", "0", "c", "0", "d", "0", "e"]),
        int(5)
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "[b", "[d", "bylex"]),
        Reply::Array(vec![bulk("b"), bulk("c"), bulk("d")])
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "(b", "(d", "bylex"]),
        Reply::Array(vec![bulk("c")])
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "-", "+", "bylex"]),
        Reply::Array(vec![bulk("a"), bulk("b"), bulk("c"), bulk("d"), bulk("e")])
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "+", "-", "bylex", "rev"]),
        Reply::Array(vec![bulk("e"), bulk("d"), bulk("c"), bulk("b"), bulk("a")])
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "[d", "(a", "bylex", "rev", "limit", "1", "2"]),
        Reply::Array(vec![bulk("c"), bulk("b")])
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "a", "b", "bylex"]),
        err("ERR min or max not valid string range item")
    );
    assert_eq!(
        t.cmd(&["zrange", "lex", "[a", "[b", "bylex", "withscores"]),
        err("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    );
    assert_eq!(
        t.cmd(&["zrangebyscore", "z", "-inf", "+inf"]),
        Reply::Array(vec![bulk("e"), bulk("b"), bulk("c"), bulk("d")])
    );
    assert_eq!(
        t.cmd(&[
            "zrangebyscore",
            "z",
            "-inf",
            "+inf",
            "withscores",
            "limit",
            "0",
            "2"
        ]),
        Reply::Array(vec![bulk("e"), bulk("0"), bulk("b"), bulk("2")])
    );
    assert_eq!(
        t.cmd(&["zrangebyscore", "z", "(2", "+inf"]),
        Reply::Array(vec![bulk("c"), bulk("d")])
    );
    assert_eq!(
        t.cmd(&["zrangebyscore", "z", "abc", "1"]),
        err("ERR min or max is not a float")
    );
    assert_eq!(
        t.cmd(&["zrangebyscore", "z", "(1", "2", "limit", "0"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["zrangebyscore", "z", "1", "2", "foo"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["zrevrangebyscore", "z", "+inf", "-inf", "withscores"]),
        Reply::Array(vec![
            bulk("d"),
            bulk("9"),
            bulk("c"),
            bulk("3"),
            bulk("b"),
            bulk("2"),
            bulk("e"),
            bulk("0")
        ])
    );
    assert_eq!(
        t.cmd(&["zrevrangebyscore", "z", "5", "(2"]),
        Reply::Array(vec![bulk("c")])
    );
    assert_eq!(
        t.cmd(&["zrevrange", "z", "0", "1"]),
        Reply::Array(vec![bulk("d"), bulk("c")])
    );
    assert_eq!(
        t.cmd(&["zrevrange", "z", "0", "-1", "withscores"]),
        Reply::Array(vec![
            bulk("d"),
            bulk("9"),
            bulk("c"),
            bulk("3"),
            bulk("b"),
            bulk("2"),
            bulk("e"),
            bulk("0")
        ])
    );
    assert_eq!(
        t.cmd(&["zrevrange", "z", "0", "-1", "foo"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["zrank", "z", "b"]), int(1));
    assert_eq!(t.cmd(&["zrank", "z", "nope"]), nil());
    assert_eq!(t.cmd(&["zrank", "nokey", "a"]), nil());
    assert_eq!(t.cmd(&["zrevrank", "z", "b"]), int(2));
    assert_eq!(t.cmd(&["zpopmin", "nokey"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["zpopmin", "nokey", "2"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["zpopmin", "z"]),
        Reply::Array(vec![bulk("e"), bulk("0")])
    );
    assert_eq!(
        t.cmd(&["zpopmax", "z"]),
        Reply::Array(vec![bulk("d"), bulk("9")])
    );
    assert_eq!(
        t.cmd(&["zpopmin", "z", "2"]),
        Reply::Array(vec![bulk("b"), bulk("2"), bulk("c"), bulk("3")])
    );
    assert_eq!(
        t.cmd(&["zpopmin", "z", "-1"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        t.cmd(&["zpopmin", "z", "x"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(t.cmd(&["zpopmax", "z", "100"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["exists", "z"]), int(0));
    assert_eq!(
        t.cmd(&["zadd", "zr", "1", "a", "2", "b", "3", "c", "4", "d"]),
        int(4)
    );
    assert_eq!(t.cmd(&["zrangestore", "dst", "zr", "1", "2"]), int(2));
    assert_eq!(
        t.cmd(&["zrange", "dst", "0", "-1", "withscores"]),
        Reply::Array(vec![bulk("b"), bulk("2"), bulk("c"), bulk("3")])
    );
    assert_eq!(
        t.cmd(&["zrangestore", "dst", "zr", "2", "3", "byscore", "rev"]),
        int(0)
    );
    assert_eq!(
        t.cmd(&["zrangestore", "dst", "zr", "0", "-1", "withscores"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["zrangestore", "dst", "zr", "10", "20"]), int(0));
    assert_eq!(t.cmd(&["exists", "dst"]), int(0));
    assert_eq!(t.cmd(&["zrangestore", "dst", "nokey", "0", "-1"]), int(0));
    assert_eq!(t.cmd(&["zadd", "zz", "1", "m"]), int(1));
    assert_eq!(t.cmd(&["zrem", "zz", "m"]), int(1));
    assert_eq!(t.cmd(&["exists", "zz"]), int(0));
    assert_eq!(
        t.cmd(&["zscan", "zr", "0"]),
        Reply::Array(vec![
            bulk("0"),
            Reply::Array(vec![
                bulk("a"),
                bulk("1"),
                bulk("b"),
                bulk("2"),
                bulk("c"),
                bulk("3"),
                bulk("d"),
                bulk("4")
            ])
        ])
    );
    assert_eq!(
        t.cmd(&["zscan", "zr", "0", "match", "a*"]),
        Reply::Array(vec![bulk("0"), Reply::Array(vec![bulk("a"), bulk("1")])])
    );
    assert_eq!(t.cmd(&["zscan", "zr", "x"]), err("ERR invalid cursor"));
    assert_eq!(t.cmd(&["set", "s", "x"]), status("OK"));
    assert_eq!(
        t.cmd(&["zadd", "s", "1", "a"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["zscore", "s", "a"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["zrange", "s", "0", "-1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["zrangestore", "dst", "s", "0", "-1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(t.cmd(&["zrangestore", "s", "zr", "0", "0"]), int(1));
    assert_eq!(t.cmd(&["type", "s"]), status("zset"));
    assert_eq!(t.cmd(&["zadd", "neg", "-0", "a"]), int(1));
    assert_eq!(t.cmd(&["zscore", "neg", "a"]), bulk("0"));
    assert_eq!(t.cmd(&["zadd", "neg", "0", "b", "-1.5", "c"]), int(2));
    assert_eq!(
        t.cmd(&["zrange", "neg", "0", "-1", "withscores"]),
        Reply::Array(vec![
            bulk("c"),
            bulk("-1.5"),
            bulk("a"),
            bulk("0"),
            bulk("b"),
            bulk("0")
        ])
    );
    assert_eq!(t.cmd(&["zincrby", "neg", "1", "newm"]), bulk("1"));
    assert_eq!(
        t.cmd(&["zrange", "neg", "0", "-1", "withscores"]),
        Reply::Array(vec![
            bulk("c"),
            bulk("-1.5"),
            bulk("a"),
            bulk("0"),
            bulk("b"),
            bulk("0"),
            bulk("newm"),
            bulk("1")
        ])
    );
    // differs from Redis 7.0 on purpose (see the `engine` module docs): hello 3
    t.cmd(&["hello", "3"]);
    assert_eq!(
        t.cmd(&["zrange", "neg", "0", "-1", "withscores"]),
        Reply::Array(vec![
            Reply::Array(vec![bulk("c"), Reply::Double(-1.5_f64)]),
            Reply::Array(vec![bulk("a"), Reply::Double(0.0_f64)]),
            Reply::Array(vec![bulk("b"), Reply::Double(0.0_f64)]),
            Reply::Array(vec![bulk("newm"), Reply::Double(1.0_f64)])
        ])
    );
    assert_eq!(
        t.cmd(&["zpopmin", "neg"]),
        Reply::Array(vec![bulk("c"), Reply::Double(-1.5_f64)])
    );
    assert_eq!(
        t.cmd(&["zpopmin", "neg", "1"]),
        Reply::Array(vec![Reply::Array(vec![bulk("a"), Reply::Double(0.0_f64)])])
    );
    assert_eq!(t.cmd(&["zpopmin", "nokey"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["zscore", "neg", "b"]), Reply::Double(0.0_f64));
    assert_eq!(
        t.cmd(&["zmscore", "neg", "b", "nope"]),
        Reply::Array(vec![Reply::Double(0.0_f64), nil()])
    );
    assert_eq!(t.cmd(&["zincrby", "neg", "1", "b"]), Reply::Double(1.0_f64));
    assert_eq!(
        t.cmd(&["zadd", "neg", "incr", "1", "b"]),
        Reply::Double(2.0_f64)
    );
    assert_eq!(
        t.cmd(&["zscan", "neg", "0"]),
        Reply::Array(vec![
            bulk("0"),
            Reply::Array(vec![bulk("newm"), bulk("1"), bulk("b"), bulk("2")])
        ])
    );
    assert_eq!(
        t.cmd(&["zrangebyscore", "neg", "-inf", "+inf", "withscores"]),
        Reply::Array(vec![
            Reply::Array(vec![bulk("newm"), Reply::Double(1.0_f64)]),
            Reply::Array(vec![bulk("b"), Reply::Double(2.0_f64)])
        ])
    );
    assert_eq!(
        t.cmd(&["zrevrange", "neg", "0", "-1", "withscores"]),
        Reply::Array(vec![
            Reply::Array(vec![bulk("b"), Reply::Double(2.0_f64)]),
            Reply::Array(vec![bulk("newm"), Reply::Double(1.0_f64)])
        ])
    );
    assert_eq!(
        t.cmd(&["zrandmember"]),
        err("ERR wrong number of arguments for 'zrandmember' command")
    );
    // differs from Redis 7.0 on purpose (see the `engine` module docs): hello 2
    t.cmd(&["hello", "2"]);
}

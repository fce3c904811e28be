//! sets commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn sets() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["sadd", "s", "a", "b", "c"]), int(3));
    assert_eq!(t.cmd(&["sadd", "s", "a", "d"]), int(1));
    assert_eq!(t.cmd(&["srem", "s", "a", "x"]), int(1));
    assert_eq!(t.cmd(&["srem", "nokey", "a"]), int(0));
    assert_same_members(
        t.cmd(&["smembers", "s"]),
        Reply::Array(vec![bulk("d"), bulk("b"), bulk("c")]),
    );
    assert_eq!(t.cmd(&["smembers", "nokey"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["sismember", "s", "b"]), int(1));
    assert_eq!(t.cmd(&["sismember", "s", "a"]), int(0));
    assert_eq!(
        t.cmd(&["smismember", "s", "a", "b", "c", "nope"]),
        Reply::Array(vec![int(0), int(1), int(1), int(0)])
    );
    assert_eq!(t.cmd(&["scard", "s"]), int(3));
    assert_eq!(t.cmd(&["scard", "nokey"]), int(0));
    assert_eq!(t.cmd(&["spop", "nokey"]), nil());
    assert_eq!(t.cmd(&["spop", "nokey", "3"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["spop", "s", "-1"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        t.cmd(&["spop", "s", "x"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(t.cmd(&["spop", "s", "1", "2"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["srandmember", "nokey"]), nil());
    assert_eq!(t.cmd(&["srandmember", "nokey", "3"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["srandmember", "s", "0"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["srandmember", "s", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["sadd", "s1", "a", "b", "c", "d"]), int(4));
    assert_eq!(t.cmd(&["sadd", "s2", "c", "d", "e"]), int(3));
    assert_eq!(t.cmd(&["sadd", "s3", "d", "e", "f"]), int(3));
    assert_same_members(
        t.cmd(&["sinter", "s1", "s2"]),
        Reply::Array(vec![bulk("d"), bulk("c")]),
    );
    assert_same_members(
        t.cmd(&["sinter", "s1", "s2", "s3"]),
        Reply::Array(vec![bulk("d")]),
    );
    assert_eq!(t.cmd(&["sinter", "s1", "nokey"]), Reply::Array(vec![]));
    assert_same_members(
        t.cmd(&["sunion", "s1", "s2", "s3"]),
        Reply::Array(vec![
            bulk("b"),
            bulk("a"),
            bulk("e"),
            bulk("f"),
            bulk("d"),
            bulk("c"),
        ]),
    );
    assert_same_members(
        t.cmd(&["sdiff", "s1", "s2"]),
        Reply::Array(vec![bulk("a"), bulk("b")]),
    );
    assert_same_members(
        t.cmd(&["sdiff", "s1", "s2", "s3"]),
        Reply::Array(vec![bulk("a"), bulk("b")]),
    );
    assert_eq!(t.cmd(&["sdiff", "nokey", "s1"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["sinterstore", "d1", "s1", "s2"]), int(2));
    assert_same_members(
        t.cmd(&["smembers", "d1"]),
        Reply::Array(vec![bulk("d"), bulk("c")]),
    );
    assert_eq!(t.cmd(&["sunionstore", "d1", "s1", "s3"]), int(6));
    assert_eq!(t.cmd(&["sdiffstore", "d1", "s1", "s1"]), int(0));
    assert_eq!(t.cmd(&["exists", "d1"]), int(0));
    assert_eq!(t.cmd(&["set", "dstr", "x"]), status("OK"));
    assert_eq!(t.cmd(&["sinterstore", "dstr", "s1", "s2"]), int(2));
    assert_eq!(t.cmd(&["type", "dstr"]), status("set"));
    assert_same_members(
        t.cmd(&["sinter", "s1", "dstr"]),
        Reply::Array(vec![bulk("d"), bulk("c")]),
    );
    assert_eq!(t.cmd(&["sintercard", "2", "s1", "s2"]), int(2));
    assert_eq!(
        t.cmd(&["sintercard", "2", "s1", "s2", "limit", "1"]),
        int(1)
    );
    assert_eq!(
        t.cmd(&["sintercard", "0", "s1"]),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(
        t.cmd(&["sintercard", "5", "s1"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        t.cmd(&["sintercard", "1", "s1", "limit", "-1"]),
        err("ERR LIMIT can't be negative")
    );
    assert_eq!(
        t.cmd(&["sintercard", "1", "s1", "foo"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["sintercard", "abc", "s1"]),
        err("ERR numkeys should be greater than 0")
    );
    assert_eq!(t.cmd(&["sintercard", "1", "nokey"]), int(0));
    assert_eq!(t.cmd(&["smove", "s1", "s2", "a"]), int(1));
    assert_eq!(t.cmd(&["smove", "s1", "s2", "a"]), int(0));
    assert_eq!(t.cmd(&["smove", "nokey", "s2", "a"]), int(0));
    assert_eq!(t.cmd(&["smove", "s1", "s1", "b"]), int(1));
    assert_eq!(t.cmd(&["smove", "s1", "dstr", "b"]), int(1));
    assert_eq!(t.cmd(&["smove", "s1", "dstr", "zzz"]), int(0));
    assert_same_members(
        t.cmd(&["smembers", "s2"]),
        Reply::Array(vec![bulk("a"), bulk("e"), bulk("d"), bulk("c")]),
    );
    assert_eq!(t.cmd(&["sadd", "one", "x"]), int(1));
    assert_eq!(t.cmd(&["srem", "one", "x"]), int(1));
    assert_eq!(t.cmd(&["exists", "one"]), int(0));
    assert_eq!(t.cmd(&["sscan", "s1", "0", "foo"]), err("ERR syntax error"));
    assert_eq!(
        t.cmd(&["sscan", "s1", "0", "count", "0"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["sismember", "dstr", "a"]), int(0));
}

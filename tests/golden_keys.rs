//! keys commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn keys() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["flushall"]), status("OK"));
    assert_eq!(t.cmd(&["set", "k1", "v"]), status("OK"));
    assert_eq!(t.cmd(&["set", "k2", "v"]), status("OK"));
    assert_eq!(t.cmd(&["del", "k1", "k2", "k3"]), int(2));
    assert_eq!(t.cmd(&["exists", "k1", "k2"]), int(0));
    assert_eq!(t.cmd(&["set", "k1", "v"]), status("OK"));
    assert_eq!(t.cmd(&["exists", "k1", "k1", "k2"]), int(2));
    assert_eq!(t.cmd(&["type", "k1"]), status("string"));
    assert_eq!(t.cmd(&["type", "nokey"]), status("none"));
    assert_eq!(t.cmd(&["hset", "h", "f", "v"]), int(1));
    assert_eq!(t.cmd(&["type", "h"]), status("hash"));
    assert_eq!(t.cmd(&["sadd", "st", "m"]), int(1));
    assert_eq!(t.cmd(&["type", "st"]), status("set"));
    assert_eq!(t.cmd(&["zadd", "zs", "1", "m"]), int(1));
    assert_eq!(t.cmd(&["type", "zs"]), status("zset"));
    assert_eq!(t.cmd(&["rpush", "ls", "a"]), int(1));
    assert_eq!(t.cmd(&["type", "ls"]), status("list"));
    assert_eq!(t.cmd(&["expire", "k1", "100"]), int(1));
    assert_eq!(t.cmd(&["ttl", "k1"]), int(100));
    assert_eq!(t.cmd(&["expire", "k1", "50", "gt"]), int(0));
    assert_eq!(t.cmd(&["expire", "k1", "200", "gt"]), int(1));
    assert_eq!(t.cmd(&["ttl", "k1"]), int(200));
    assert_eq!(t.cmd(&["expire", "k1", "300", "lt"]), int(0));
    assert_eq!(t.cmd(&["expire", "k1", "100", "lt"]), int(1));
    assert_eq!(t.cmd(&["ttl", "k1"]), int(100));
    assert_eq!(t.cmd(&["expire", "k1", "10", "nx"]), int(0));
    assert_eq!(t.cmd(&["expire", "k1", "10", "xx"]), int(1));
    assert_eq!(t.cmd(&["ttl", "k1"]), int(10));
    assert_eq!(
        t.cmd(&["expire", "k1", "10", "nx", "xx"]),
        err("ERR NX and XX, GT or LT options at the same time are not compatible")
    );
    assert_eq!(
        t.cmd(&["expire", "k1", "10", "gt", "lt"]),
        err("ERR GT and LT options at the same time are not compatible")
    );
    assert_eq!(
        t.cmd(&["expire", "k1", "10", "foo"]),
        err("ERR Unsupported option foo")
    );
    assert_eq!(
        t.cmd(&["expire", "k1", "99999999999999999"]),
        err("ERR invalid expire time in 'expire' command")
    );
    assert_eq!(
        t.cmd(&["pexpire", "k1", "9223372036854775807"]),
        err("ERR invalid expire time in 'pexpire' command")
    );
    assert_eq!(
        t.cmd(&["expire", "k1", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["expire", "nokey", "10"]), int(0));
    assert_eq!(t.cmd(&["set", "p", "v"]), status("OK"));
    assert_eq!(t.cmd(&["expire", "p", "10", "xx"]), int(0));
    assert_eq!(t.cmd(&["expire", "p", "10", "gt"]), int(0));
    assert_eq!(t.cmd(&["expire", "p", "10", "lt"]), int(1));
    assert_eq!(t.cmd(&["ttl", "p"]), int(10));
    assert_eq!(t.cmd(&["persist", "p"]), int(1));
    assert_eq!(t.cmd(&["persist", "p"]), int(0));
    assert_eq!(t.cmd(&["ttl", "p"]), int(-1));
    assert_eq!(t.cmd(&["persist", "nokey"]), int(0));
    assert_eq!(t.cmd(&["pexpire", "p", "1500"]), int(1));
    assert_eq!(t.cmd(&["pttl", "p"]), int(1500));
    assert_eq!(t.cmd(&["ttl", "p"]), int(2));
    assert_eq!(t.cmd(&["set", "q", "v"]), status("OK"));
    assert_eq!(t.cmd(&["expire", "q", "-1"]), int(1));
    assert_eq!(t.cmd(&["exists", "q"]), int(0));
    assert_eq!(t.cmd(&["set", "q", "v"]), status("OK"));
    assert_eq!(t.cmd(&["pexpireat", "q", "1"]), int(1));
    assert_eq!(t.cmd(&["exists", "q"]), int(0));
    assert_eq!(t.cmd(&["set", "q", "v"]), status("OK"));
    assert_eq!(t.cmd(&["expireat", "q", "0"]), int(1));
    assert_eq!(t.cmd(&["exists", "q"]), int(0));
    assert_eq!(t.cmd(&["ttl", "nokey"]), int(-2));
    assert_eq!(t.cmd(&["pttl", "nokey"]), int(-2));
    assert_eq!(t.cmd(&["set", "r1", "v"]), status("OK"));
    assert_eq!(t.cmd(&["expire", "r1", "100"]), int(1));
    assert_eq!(t.cmd(&["rename", "r1", "r2"]), status("OK"));
    assert_eq!(t.cmd(&["ttl", "r2"]), int(100));
    assert_eq!(t.cmd(&["exists", "r1"]), int(0));
    assert_eq!(t.cmd(&["rename", "nokey", "x"]), err("ERR no such key"));
    assert_eq!(t.cmd(&["rename", "r2", "r2"]), status("OK"));
    assert_eq!(t.cmd(&["renamenx", "r2", "r2"]), int(0));
    assert_eq!(t.cmd(&["set", "r3", "x"]), status("OK"));
    assert_eq!(t.cmd(&["renamenx", "r2", "r3"]), int(0));
    assert_eq!(t.cmd(&["renamenx", "r2", "r4"]), int(1));
    assert_eq!(t.cmd(&["get", "r4"]), bulk("v"));
    assert_eq!(t.cmd(&["hset", "hr", "a", "1", "b", "2"]), int(2));
    assert_eq!(t.cmd(&["rename", "hr", "hr2"]), status("OK"));
    assert_eq!(
        t.cmd(&["hgetall", "hr2"]),
        Reply::Array(vec![bulk("a"), bulk("1"), bulk("b"), bulk("2")])
    );
    assert_eq!(t.cmd(&["rename", "r4", "hr2"]), status("OK"));
    assert_eq!(t.cmd(&["type", "hr2"]), status("string"));
    assert_same_members(
        t.cmd(&["keys", "*"]),
        Reply::Array(vec![
            bulk("hr2"),
            bulk("ls"),
            bulk("st"),
            bulk("h"),
            bulk("k1"),
            bulk("r3"),
            bulk("zs"),
            bulk("p"),
        ]),
    );
    assert_same_members(t.cmd(&["keys", "r*"]), Reply::Array(vec![bulk("r3")]));
    assert_same_members(t.cmd(&["keys", "h?2"]), Reply::Array(vec![bulk("hr2")]));
    assert_same_members(
        t.cmd(&["keys", "[hr]*"]),
        Reply::Array(vec![bulk("hr2"), bulk("h"), bulk("r3")]),
    );
    assert_same_members(
        t.cmd(&["keys", "*[^0-9]"]),
        Reply::Array(vec![
            bulk("ls"),
            bulk("st"),
            bulk("h"),
            bulk("zs"),
            bulk("p"),
        ]),
    );
    assert_eq!(t.cmd(&["dbsize"]), int(8));
    assert_eq!(t.cmd(&["flushall"]), status("OK"));
    assert_eq!(t.cmd(&["dbsize"]), int(0));
    assert_eq!(t.cmd(&["flushall", "foo"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["flushall", "async"]), status("OK"));
    assert_eq!(t.cmd(&["randomkey"]), nil());
    assert_eq!(t.cmd(&["set", "only", "v"]), status("OK"));
    assert_eq!(t.cmd(&["randomkey"]), bulk("only"));
    assert_eq!(t.cmd(&["scan", "0", "count", "0"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["scan", "abc"]), err("ERR invalid cursor"));
    assert_eq!(t.cmd(&["scan", "0", "type"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["scan", "0", "match"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["scan", "0", "foo", "bar"]), err("ERR syntax error"));
    assert_same_members(
        t.cmd(&["scan", "0", "count", "100"]),
        Reply::Array(vec![bulk("0"), Reply::Array(vec![bulk("only")])]),
    );
}

//! hashes commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn hashes() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["hset", "h", "a", "1", "b", "2"]), int(2));
    assert_eq!(t.cmd(&["hset", "h", "a", "1"]), int(0));
    assert_eq!(t.cmd(&["hset", "h", "a", "3", "c", "4", "c", "5"]), int(1));
    assert_eq!(
        t.cmd(&["hset", "h", "a"]),
        err("ERR wrong number of arguments for 'hset' command")
    );
    assert_eq!(
        t.cmd(&["hmset", "h", "x", "1", "y"]),
        err("ERR wrong number of arguments for 'hmset' command")
    );
    assert_eq!(t.cmd(&["hmset", "h", "x", "1", "y", "2"]), status("OK"));
    assert_eq!(t.cmd(&["hsetnx", "h", "a", "9"]), int(0));
    assert_eq!(t.cmd(&["hsetnx", "h", "z", "9"]), int(1));
    assert_eq!(t.cmd(&["hget", "h", "a"]), bulk("3"));
    assert_eq!(t.cmd(&["hget", "h", "nope"]), nil());
    assert_eq!(t.cmd(&["hget", "nokey", "a"]), nil());
    assert_eq!(
        t.cmd(&["hmget", "h", "a", "nope", "b"]),
        Reply::Array(vec![bulk("3"), nil(), bulk("2")])
    );
    assert_eq!(
        t.cmd(&["hmget", "nokey", "a", "b"]),
        Reply::Array(vec![nil(), nil()])
    );
    assert_eq!(t.cmd(&["hdel", "h", "a", "nope", "x"]), int(2));
    assert_eq!(t.cmd(&["hdel", "nokey", "a"]), int(0));
    assert_eq!(t.cmd(&["hexists", "h", "b"]), int(1));
    assert_eq!(t.cmd(&["hexists", "h", "a"]), int(0));
    assert_eq!(t.cmd(&["hlen", "h"]), int(4));
    assert_eq!(t.cmd(&["hlen", "nokey"]), int(0));
    assert_eq!(t.cmd(&["hstrlen", "h", "b"]), int(1));
    assert_eq!(t.cmd(&["hstrlen", "h", "nope"]), int(0));
    assert_same_members(
        t.cmd(&["hgetall", "h"]),
        Reply::Array(vec![
            bulk("b"),
            bulk("2"),
            bulk("c"),
            bulk("5"),
            bulk("y"),
            bulk("2"),
            bulk("z"),
            bulk("9"),
        ]),
    );
    assert_eq!(t.cmd(&["hgetall", "nokey"]), Reply::Array(vec![]));
    assert_same_members(
        t.cmd(&["hkeys", "h"]),
        Reply::Array(vec![bulk("b"), bulk("c"), bulk("y"), bulk("z")]),
    );
    assert_same_members(
        t.cmd(&["hvals", "h"]),
        Reply::Array(vec![bulk("2"), bulk("5"), bulk("2"), bulk("9")]),
    );
    assert_eq!(t.cmd(&["hincrby", "h", "n", "5"]), int(5));
    assert_eq!(t.cmd(&["hincrby", "h", "n", "-10"]), int(-5));
    assert_eq!(
        t.cmd(&["hincrby", "h", "n", "abc"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["hincrby", "h", "n", "1.5"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["hset", "h", "s", "abc"]), int(1));
    assert_eq!(
        t.cmd(&["hincrby", "h", "s", "1"]),
        err("ERR hash value is not an integer")
    );
    assert_eq!(t.cmd(&["hset", "h", "big", "9223372036854775807"]), int(1));
    assert_eq!(
        t.cmd(&["hincrby", "h", "big", "1"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(t.cmd(&["hincrbyfloat", "h", "fl", "0.1"]), bulk("0.1"));
    assert_eq!(t.cmd(&["hincrbyfloat", "h", "fl", "0.1"]), bulk("0.2"));
    assert_eq!(t.cmd(&["hincrbyfloat", "h", "fl", "0.1"]), bulk("0.3"));
    assert_eq!(
        t.cmd(&["hincrbyfloat", "h", "fl", "abc"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        t.cmd(&["hincrbyfloat", "h", "s", "1"]),
        err("ERR hash value is not a float")
    );
    assert_eq!(
        t.cmd(&["hincrbyfloat", "h", "fl", "inf"]),
        err("ERR value is NaN or Infinity")
    );
    assert_eq!(t.cmd(&["hincrbyfloat", "h", "n", "2.5"]), bulk("-2.5"));
    assert_eq!(t.cmd(&["del", "h2"]), int(0));
    assert_eq!(t.cmd(&["hset", "h2", "only", "1"]), int(1));
    assert_eq!(t.cmd(&["hdel", "h2", "only"]), int(1));
    assert_eq!(t.cmd(&["exists", "h2"]), int(0));
    assert_eq!(t.cmd(&["hrandfield", "nokey"]), nil());
    assert_eq!(t.cmd(&["hrandfield", "nokey", "5"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["hrandfield", "h", "0"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["hrandfield", "h2", "-3", "withvalues"]),
        Reply::Array(vec![])
    );
    assert_eq!(
        t.cmd(&["hrandfield", "h", "1", "withvalues", "x"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["hrandfield", "h", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["hscan", "h", "0", "foo"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["hscan", "h", "x"]), err("ERR invalid cursor"));
    assert_eq!(
        t.cmd(&["hscan", "nokey", "0"]),
        Reply::Array(vec![bulk("0"), Reply::Array(vec![])])
    );
    assert_eq!(t.cmd(&["set", "str", "x"]), status("OK"));
    assert_eq!(
        t.cmd(&["hget", "str", "a"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["hset", "str", "a", "b"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["hgetall", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["hlen", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["hscan", "str", "0"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

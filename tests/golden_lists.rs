//! lists commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn lists() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["rpush", "l", "a", "b", "c"]), int(3));
    assert_eq!(t.cmd(&["lpush", "l", "z", "y"]), int(5));
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "-1"]),
        Reply::Array(vec![bulk("y"), bulk("z"), bulk("a"), bulk("b"), bulk("c")])
    );
    assert_eq!(t.cmd(&["lpushx", "nokey", "a"]), int(0));
    assert_eq!(t.cmd(&["rpushx", "nokey", "a"]), int(0));
    assert_eq!(t.cmd(&["lpushx", "l", "x"]), int(6));
    assert_eq!(t.cmd(&["rpushx", "l", "w"]), int(7));
    assert_eq!(t.cmd(&["llen", "l"]), int(7));
    assert_eq!(t.cmd(&["llen", "nokey"]), int(0));
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "-1"]),
        Reply::Array(vec![
            bulk("x"),
            bulk("y"),
            bulk("z"),
            bulk("a"),
            bulk("b"),
            bulk("c"),
            bulk("w")
        ])
    );
    assert_eq!(
        t.cmd(&["lrange", "l", "-2", "-1"]),
        Reply::Array(vec![bulk("c"), bulk("w")])
    );
    assert_eq!(t.cmd(&["lrange", "l", "5", "1"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["lrange", "l", "-100", "100"]),
        Reply::Array(vec![
            bulk("x"),
            bulk("y"),
            bulk("z"),
            bulk("a"),
            bulk("b"),
            bulk("c"),
            bulk("w")
        ])
    );
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "abc"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["lrange", "nokey", "0", "-1"]), Reply::Array(vec![]));
    assert_eq!(t.cmd(&["lindex", "l", "0"]), bulk("x"));
    assert_eq!(t.cmd(&["lindex", "l", "-1"]), bulk("w"));
    assert_eq!(t.cmd(&["lindex", "l", "100"]), nil());
    assert_eq!(
        t.cmd(&["lindex", "l", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["lindex", "nokey", "0"]), nil());
    assert_eq!(t.cmd(&["lset", "l", "0", "X"]), status("OK"));
    assert_eq!(t.cmd(&["lset", "l", "-1", "W"]), status("OK"));
    assert_eq!(
        t.cmd(&["lset", "l", "100", "x"]),
        err("ERR index out of range")
    );
    assert_eq!(t.cmd(&["lset", "nokey", "0", "x"]), err("ERR no such key"));
    assert_eq!(
        t.cmd(&["lset", "l", "x", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "-1"]),
        Reply::Array(vec![
            bulk("X"),
            bulk("y"),
            bulk("z"),
            bulk("a"),
            bulk("b"),
            bulk("c"),
            bulk("W")
        ])
    );
    assert_eq!(t.cmd(&["lpop", "l"]), bulk("X"));
    assert_eq!(t.cmd(&["rpop", "l"]), bulk("W"));
    assert_eq!(
        t.cmd(&["lpop", "l", "2"]),
        Reply::Array(vec![bulk("y"), bulk("z")])
    );
    assert_eq!(t.cmd(&["rpop", "l", "0"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["lpop", "l", "-1"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(
        t.cmd(&["lpop", "l", "x"]),
        err("ERR value is out of range, must be positive")
    );
    assert_eq!(t.cmd(&["lpop", "nokey"]), nil());
    // One optional count: more arguments are an arity error (before the count is parsed).
    assert_eq!(
        t.cmd(&["rpop", "l", "x", "7"]),
        err("ERR wrong number of arguments for 'rpop' command")
    );
    assert_eq!(
        t.cmd(&["lpop", "nokey", "1", "2"]),
        err("ERR wrong number of arguments for 'lpop' command")
    );
    assert_eq!(t.cmd(&["lpop", "nokey", "0"]), Reply::NilArray);
    assert_eq!(t.cmd(&["lpop", "nokey", "2"]), Reply::NilArray);
    assert_eq!(
        t.cmd(&["rpop", "l", "100"]),
        Reply::Array(vec![bulk("c"), bulk("b"), bulk("a")])
    );
    assert_eq!(t.cmd(&["exists", "l"]), int(0));
    assert_eq!(t.cmd(&["rpush", "l", "a", "b", "a", "c", "a"]), int(5));
    assert_eq!(t.cmd(&["lrem", "l", "2", "a"]), int(2));
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "-1"]),
        Reply::Array(vec![bulk("b"), bulk("c"), bulk("a")])
    );
    assert_eq!(t.cmd(&["rpush", "l", "a", "a"]), int(5));
    assert_eq!(t.cmd(&["lrem", "l", "-1", "a"]), int(1));
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "-1"]),
        Reply::Array(vec![bulk("b"), bulk("c"), bulk("a"), bulk("a")])
    );
    assert_eq!(t.cmd(&["lrem", "l", "0", "a"]), int(2));
    assert_eq!(
        t.cmd(&["lrange", "l", "0", "-1"]),
        Reply::Array(vec![bulk("b"), bulk("c")])
    );
    assert_eq!(
        t.cmd(&["lrem", "l", "x", "a"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["lrem", "nokey", "0", "a"]), int(0));
    assert_eq!(t.cmd(&["rpush", "t", "1", "2", "3", "4", "5", "6"]), int(6));
    assert_eq!(t.cmd(&["ltrim", "t", "1", "-2"]), status("OK"));
    assert_eq!(
        t.cmd(&["lrange", "t", "0", "-1"]),
        Reply::Array(vec![bulk("2"), bulk("3"), bulk("4"), bulk("5")])
    );
    assert_eq!(t.cmd(&["ltrim", "t", "10", "20"]), status("OK"));
    assert_eq!(t.cmd(&["exists", "t"]), int(0));
    assert_eq!(t.cmd(&["ltrim", "nokey", "0", "1"]), status("OK"));
    assert_eq!(
        t.cmd(&["ltrim", "t", "x", "1"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["rpush", "li", "a", "b", "c"]), int(3));
    assert_eq!(t.cmd(&["linsert", "li", "before", "b", "x"]), int(4));
    assert_eq!(t.cmd(&["linsert", "li", "after", "c", "y"]), int(5));
    assert_eq!(t.cmd(&["linsert", "li", "after", "nope", "y"]), int(-1));
    assert_eq!(
        t.cmd(&["linsert", "li", "middle", "a", "y"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["linsert", "nokey", "before", "a", "y"]), int(0));
    assert_eq!(
        t.cmd(&["lrange", "li", "0", "-1"]),
        Reply::Array(vec![bulk("a"), bulk("x"), bulk("b"), bulk("c"), bulk("y")])
    );
    assert_eq!(
        t.cmd(&["rpush", "lp", "a", "b", "c", "a", "b", "c", "a"]),
        int(7)
    );
    assert_eq!(t.cmd(&["lpos", "lp", "a"]), int(0));
    assert_eq!(t.cmd(&["lpos", "lp", "a", "rank", "2"]), int(3));
    assert_eq!(t.cmd(&["lpos", "lp", "a", "rank", "-1"]), int(6));
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "count", "0"]),
        Reply::Array(vec![int(0), int(3), int(6)])
    );
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "count", "2"]),
        Reply::Array(vec![int(0), int(3)])
    );
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "rank", "-2", "count", "2"]),
        Reply::Array(vec![int(3), int(0)])
    );
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "maxlen", "3", "count", "0"]),
        Reply::Array(vec![int(0)])
    );
    assert_eq!(t.cmd(&["lpos", "lp", "a", "rank", "0"]), err("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"));
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "count", "-1"]),
        err("ERR COUNT can't be negative")
    );
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "maxlen", "-1"]),
        err("ERR MAXLEN can't be negative")
    );
    assert_eq!(
        t.cmd(&["lpos", "lp", "a", "foo", "1"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["lpos", "lp", "a", "rank"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["lpos", "lp", "nope"]), nil());
    assert_eq!(
        t.cmd(&["lpos", "lp", "nope", "count", "0"]),
        Reply::Array(vec![])
    );
    assert_eq!(t.cmd(&["lpos", "nokey", "a"]), nil());
    assert_eq!(
        t.cmd(&["lpos", "nokey", "a", "count", "1"]),
        Reply::Array(vec![])
    );
    assert_eq!(t.cmd(&["rpush", "src", "1", "2", "3"]), int(3));
    assert_eq!(t.cmd(&["rpoplpush", "src", "dst"]), bulk("3"));
    assert_eq!(
        t.cmd(&["lrange", "dst", "0", "-1"]),
        Reply::Array(vec![bulk("3")])
    );
    assert_eq!(t.cmd(&["lmove", "src", "dst", "left", "left"]), bulk("1"));
    assert_eq!(
        t.cmd(&["lmove", "src", "dst", "right", "up"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["lmove", "nokey", "dst", "left", "right"]), nil());
    assert_eq!(t.cmd(&["lmove", "src", "src", "left", "right"]), bulk("2"));
    assert_eq!(
        t.cmd(&["lrange", "src", "0", "-1"]),
        Reply::Array(vec![bulk("2")])
    );
    assert_eq!(
        t.cmd(&["lrange", "dst", "0", "-1"]),
        Reply::Array(vec![bulk("1"), bulk("3")])
    );
    assert_eq!(t.cmd(&["set", "sv", "x"]), status("OK"));
    assert_eq!(
        t.cmd(&["lmove", "src", "sv", "left", "right"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["lmove", "sv", "src", "left", "right"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(t.cmd(&["blpop", "nokey", "0.01"]), Reply::NilArray);
    assert_eq!(
        t.cmd(&["blpop", "src", "0.01"]),
        Reply::Array(vec![bulk("src"), bulk("2")])
    );
    assert_eq!(t.cmd(&["blpop", "nokey", "src", "0.01"]), Reply::NilArray);
    assert_eq!(
        t.cmd(&["brpop", "src", "dst", "0.01"]),
        Reply::Array(vec![bulk("dst"), bulk("3")])
    );
    assert_eq!(
        t.cmd(&["blpop", "src", "0.5x"]),
        err("ERR timeout is not a float or out of range")
    );
    assert_eq!(
        t.cmd(&["blpop", "src", "-1"]),
        err("ERR timeout is negative")
    );
    assert_eq!(
        t.cmd(&["blmove", "src", "dst", "left", "right", "0.01"]),
        Reply::NilArray
    );
    assert_eq!(
        t.cmd(&["blmove", "nokey", "dst", "left", "right", "0.01"]),
        Reply::NilArray
    );
    assert_eq!(
        t.cmd(&["blmove", "src", "dst", "left", "up", "0.01"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["lrange", "src", "0", "-1"]), Reply::Array(vec![]));
    assert_eq!(
        t.cmd(&["lrange", "dst", "0", "-1"]),
        Reply::Array(vec![bulk("1")])
    );
    assert_eq!(
        t.cmd(&["lpush", "sv", "x"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(t.cmd(&["rpush", "e1", "x"]), int(1));
    assert_eq!(t.cmd(&["lpop", "e1"]), bulk("x"));
    assert_eq!(t.cmd(&["exists", "e1"]), int(0));
}

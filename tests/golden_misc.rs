//! misc commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn option_repeats_and_set_types() {
    let mut t = T::new();
    assert_eq!(
        t.cmd(&["set", "k", "v", "ex", "10", "ex", "20"]),
        status("OK")
    );
    assert_eq!(t.cmd(&["ttl", "k"]), int(20));
    assert_eq!(
        t.cmd(&["set", "k", "v", "px", "100", "ex", "20"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["set", "k", "v", "ex", "10", "keepttl"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["set", "k", "v", "keepttl", "keepttl"]),
        status("OK")
    );
    assert_eq!(
        t.cmd(&["set", "k", "v", "keepttl", "px", "5"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["set", "k", "v", "nx", "nx"]), nil());
    assert_eq!(t.cmd(&["set", "k", "v", "xx", "xx"]), status("OK"));
    assert_eq!(t.cmd(&["set", "k", "v", "get", "get"]), bulk("v"));
    assert_eq!(t.cmd(&["getex", "k", "ex", "10", "ex", "20"]), bulk("v"));
    assert_eq!(t.cmd(&["ttl", "k"]), int(20));
    assert_eq!(t.cmd(&["getex", "k", "persist", "persist"]), bulk("v"));
    assert_eq!(
        t.cmd(&["getex", "k", "persist", "ex", "10"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["getex", "k", "ex", "10", "persist"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["getex", "k", "exat", "1", "pxat", "1"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["sadd", "s", "a"]), int(1));
    assert_eq!(t.cmd(&["set", "str", "x"]), status("OK"));
    assert_eq!(
        t.cmd(&["sinter", "nokey", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["sintercard", "2", "nokey", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["sinterstore", "d", "nokey", "str"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
}

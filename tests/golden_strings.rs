//! strings commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn strings() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["set", "a", "1"]), status("OK"));
    assert_eq!(t.cmd(&["get", "a"]), bulk("1"));
    assert_eq!(t.cmd(&["set", "a", "2", "get"]), bulk("1"));
    assert_eq!(t.cmd(&["set", "a", "3", "nx"]), nil());
    assert_eq!(t.cmd(&["set", "b", "3", "xx"]), nil());
    assert_eq!(
        t.cmd(&["set", "a", "3", "xx", "nx"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["set", "a", "3", "ex"]), err("ERR syntax error"));
    assert_eq!(
        t.cmd(&["set", "a", "3", "ex", "0"]),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        t.cmd(&["set", "a", "3", "ex", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["set", "a", "3", "keepttl", "ex", "1"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["set", "a", "3", "px", "100000", "get"]), bulk("2"));
    assert_eq!(t.cmd(&["pttl", "a"]), int(100000));
    assert_eq!(t.cmd(&["ttl", "a"]), int(100));
    assert_eq!(t.cmd(&["set", "a", "4", "keepttl"]), status("OK"));
    assert_eq!(t.cmd(&["ttl", "a"]), int(100));
    assert_eq!(t.cmd(&["set", "a", "5"]), status("OK"));
    assert_eq!(t.cmd(&["ttl", "a"]), int(-1));
    assert_eq!(t.cmd(&["setnx", "a", "1"]), int(0));
    assert_eq!(t.cmd(&["setnx", "z1", "1"]), int(1));
    assert_eq!(t.cmd(&["getset", "a", "9"]), bulk("5"));
    assert_eq!(t.cmd(&["getset", "nokey", "9"]), nil());
    assert_eq!(t.cmd(&["getdel", "a"]), bulk("9"));
    assert_eq!(t.cmd(&["getdel", "a"]), nil());
    assert_eq!(t.cmd(&["getex", "nokey"]), bulk("9"));
    assert_eq!(t.cmd(&["getex", "z1", "ex", "100"]), bulk("1"));
    assert_eq!(t.cmd(&["ttl", "z1"]), int(100));
    assert_eq!(t.cmd(&["getex", "z1", "persist"]), bulk("1"));
    assert_eq!(t.cmd(&["ttl", "z1"]), int(-1));
    assert_eq!(
        t.cmd(&["getex", "z1", "persist", "ex", "1"]),
        err("ERR syntax error")
    );
    assert_eq!(t.cmd(&["getex", "z1", "foo"]), err("ERR syntax error"));
    assert_eq!(t.cmd(&["mset", "m1", "1", "m2", "2"]), status("OK"));
    assert_eq!(
        t.cmd(&["mset", "m1", "1", "m2"]),
        err("ERR wrong number of arguments for 'mset' command")
    );
    assert_eq!(
        t.cmd(&["mget", "m1", "m2", "m3"]),
        Reply::Array(vec![bulk("1"), bulk("2"), nil()])
    );
    assert_eq!(t.cmd(&["msetnx", "m1", "x", "m4", "y"]), int(0));
    assert_eq!(t.cmd(&["msetnx", "m4", "x", "m5", "y"]), int(1));
    assert_eq!(t.cmd(&["incr", "n"]), int(1));
    assert_eq!(t.cmd(&["incrby", "n", "10"]), int(11));
    assert_eq!(t.cmd(&["decr", "n"]), int(10));
    assert_eq!(t.cmd(&["decrby", "n", "20"]), int(-10));
    assert_eq!(
        t.cmd(&["incrby", "n", "abc"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["incrby", "n", "+1"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["incrby", "n", " 1"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["incrby", "n", "1.0"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["set", "big", "9223372036854775807"]), status("OK"));
    assert_eq!(
        t.cmd(&["incr", "big"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        t.cmd(&["decrby", "big", "-9223372036854775808"]),
        err("ERR decrement would overflow")
    );
    assert_eq!(
        t.cmd(&["set", "small", "-9223372036854775808"]),
        status("OK")
    );
    assert_eq!(
        t.cmd(&["decr", "small"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        t.cmd(&["incrby", "small", "-1"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(t.cmd(&["set", "s", "abc"]), status("OK"));
    assert_eq!(
        t.cmd(&["incr", "s"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["set", "s", "01"]), status("OK"));
    assert_eq!(
        t.cmd(&["incr", "s"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["set", "s", "-0"]), status("OK"));
    assert_eq!(
        t.cmd(&["incr", "s"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["set", "s", " 1"]), status("OK"));
    assert_eq!(
        t.cmd(&["incr", "s"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0.1"]), bulk("0.1"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0.1"]), bulk("0.2"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0.1"]), bulk("0.3"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "-0.3"]), bulk("0"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "5.0e3"]), bulk("5000"));
    assert_eq!(
        t.cmd(&["incrbyfloat", "f", "1e-5"]),
        bulk("5000.00001000000000007")
    );
    assert_eq!(
        t.cmd(&["incrbyfloat", "f", "nan"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(
        t.cmd(&["incrbyfloat", "f", "inf"]),
        err("ERR increment would produce NaN or Infinity")
    );
    assert_eq!(
        t.cmd(&["incrbyfloat", "f", "abc"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(t.cmd(&["incrbyfloat", "f", "1e400"]), bulk("10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0x10"]), bulk("10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880"));
    assert_eq!(t.cmd(&["set", "i", "10"]), status("OK"));
    assert_eq!(t.cmd(&["incrbyfloat", "i", "1.5"]), bulk("11.5"));
    assert_eq!(t.cmd(&["incrbyfloat", "i", "-11.5"]), bulk("0"));
    assert_eq!(t.cmd(&["set", "fl", "3.0"]), status("OK"));
    assert_eq!(t.cmd(&["incrbyfloat", "fl", "1"]), bulk("4"));
    assert_eq!(t.cmd(&["set", "fl", "1.23e5"]), status("OK"));
    assert_eq!(t.cmd(&["incrbyfloat", "fl", "1"]), bulk("123001"));
    assert_eq!(t.cmd(&["set", "fl", "  1"]), status("OK"));
    assert_eq!(
        t.cmd(&["incrbyfloat", "fl", "1"]),
        err("ERR value is not a valid float")
    );
    assert_eq!(t.cmd(&["append", "ap", "Hello"]), int(5));
    assert_eq!(t.cmd(&["append", "ap", " World"]), int(11));
    assert_eq!(t.cmd(&["strlen", "ap"]), int(11));
    assert_eq!(t.cmd(&["strlen", "nokey"]), int(1));
    assert_eq!(t.cmd(&["getrange", "ap", "0", "4"]), bulk("Hello"));
    assert_eq!(t.cmd(&["getrange", "ap", "-5", "-1"]), bulk("World"));
    assert_eq!(t.cmd(&["getrange", "ap", "0", "-100"]), bulk("H"));
    assert_eq!(
        t.cmd(&["getrange", "ap", "-100", "100"]),
        bulk("Hello World")
    );
    assert_eq!(t.cmd(&["getrange", "ap", "-1", "-5"]), bulk(""));
    assert_eq!(t.cmd(&["getrange", "ap", "5", "3"]), bulk(""));
    assert_eq!(t.cmd(&["getrange", "nokey", "0", "-1"]), bulk("9"));
    assert_eq!(
        t.cmd(&["getrange", "ap", "0", "x"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(t.cmd(&["setrange", "ap", "6", "Redis"]), int(11));
    assert_eq!(t.cmd(&["get", "ap"]), bulk("Hello Redis"));
    assert_eq!(t.cmd(&["setrange", "sr", "3", "x"]), int(4));
    assert_eq!(
        t.cmd(&["get", "sr"]),
        Reply::Bulk(b"\x00\x00\x00x".to_vec())
    );
    assert_eq!(t.cmd(&["setrange", "sr2", "3", ""]), int(0));
    assert_eq!(t.cmd(&["exists", "sr2"]), int(0));
    assert_eq!(
        t.cmd(&["setrange", "ap", "-1", "x"]),
        err("ERR offset is out of range")
    );
    assert_eq!(
        t.cmd(&["setrange", "ap", "536870912", "x"]),
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
    assert_eq!(t.cmd(&["lpush", "lst", "x"]), int(1));
    assert_eq!(
        t.cmd(&["get", "lst"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["incr", "lst"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["append", "lst", "x"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["strlen", "lst"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["setrange", "lst", "0", "x"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["getrange", "lst", "0", "1"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["set", "lst", "x", "get"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["getset", "lst", "y"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["getdel", "lst"]),
        err("WRONGTYPE Operation against a key holding the wrong kind of value")
    );
    assert_eq!(
        t.cmd(&["mget", "lst", "a"]),
        Reply::Array(vec![nil(), nil()])
    );
}

mod common;
use common::*;

#[test]
fn get_set_basic() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["GET", "a"]), nil());
    assert_eq!(t.cmd(&["set", "a", "1"]), ok());
    assert_eq!(t.cmd(&["get", "a"]), bulk("1"));
    assert_eq!(
        t.cmd(&["get"]),
        err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(t.cmd(&["set", "a", "2", "GET"]), bulk("1"));
    assert_eq!(t.cmd(&["set", "a", "3", "NX"]), nil());
    assert_eq!(t.cmd(&["set", "b", "3", "XX"]), nil());
    assert_eq!(t.cmd(&["set", "a", "3", "XX"]), ok());
    assert_eq!(t.cmd(&["set", "a", "3", "XX", "NX"]), err(SYNTAX));
    assert_eq!(t.cmd(&["set", "a", "3", "EX"]), err(SYNTAX));
    assert_eq!(
        t.cmd(&["set", "a", "3", "EX", "0"]),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        t.cmd(&["set", "a", "3", "EX", "-1"]),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        t.cmd(&["set", "a", "3", "EX", "99999999999999999"]),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(
        t.cmd(&["set", "a", "3", "PX", "9223372036854775807"]),
        err("ERR invalid expire time in 'set' command")
    );
    assert_eq!(t.cmd(&["set", "a", "3", "EX", "x"]), err(NOT_INT));
    assert_eq!(t.cmd(&["set", "a", "3", "KEEPTTL", "EX", "1"]), err(SYNTAX));
    assert_eq!(t.cmd(&["get", "a"]), bulk("3"));
}

#[test]
fn set_expiry_and_keepttl() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["set", "a", "1", "EX", "10"]), ok());
    assert_eq!(t.cmd(&["ttl", "a"]), int(10));
    assert_eq!(t.cmd(&["set", "a", "2", "KEEPTTL"]), ok());
    assert_eq!(t.cmd(&["pttl", "a"]), int(10_000));
    assert_eq!(t.cmd(&["set", "a", "2"]), ok());
    assert_eq!(t.cmd(&["ttl", "a"]), int(-1));
    assert_eq!(t.cmd(&["set", "a", "1", "PX", "100"]), ok());
    t.advance(99);
    assert_eq!(t.cmd(&["get", "a"]), bulk("1"));
    t.advance(1);
    assert_eq!(t.cmd(&["get", "a"]), nil());
    assert_eq!(t.cmd(&["exists", "a"]), int(0));
    let at = (t.cx.now_ms / 1000 + 5).to_string();
    assert_eq!(t.cmd(&["set", "b", "1", "EXAT", &at]), ok());
    assert_eq!(t.cmd(&["ttl", "b"]), int(5));
    assert_eq!(t.cmd(&["set", "c", "1", "PXAT", "1"]), ok());
    assert_eq!(t.cmd(&["get", "c"]), nil());
    assert_eq!(
        t.cmd(&["setex", "d", "0", "v"]),
        err("ERR invalid expire time in 'setex' command")
    );
    assert_eq!(t.cmd(&["setex", "d", "2", "v"]), ok());
    assert_eq!(t.cmd(&["psetex", "e", "1500", "v"]), ok());
    assert_eq!(t.cmd(&["pttl", "e"]), int(1500));
    assert_eq!(t.cmd(&["ttl", "e"]), int(2));
}

#[test]
fn setnx_getset_getdel_getex() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["setnx", "a", "1"]), int(1));
    assert_eq!(t.cmd(&["setnx", "a", "2"]), int(0));
    assert_eq!(t.cmd(&["getset", "a", "3"]), bulk("1"));
    assert_eq!(t.cmd(&["getset", "n", "3"]), nil());
    assert_eq!(t.cmd(&["getdel", "a"]), bulk("3"));
    assert_eq!(t.cmd(&["getdel", "a"]), nil());
    assert_eq!(t.cmd(&["getex", "n", "EX", "100"]), bulk("3"));
    assert_eq!(t.cmd(&["ttl", "n"]), int(100));
    assert_eq!(t.cmd(&["getex", "n", "PERSIST"]), bulk("3"));
    assert_eq!(t.cmd(&["ttl", "n"]), int(-1));
    assert_eq!(t.cmd(&["getex", "n", "persist", "ex", "1"]), err(SYNTAX));
    assert_eq!(
        t.cmd(&["getex", "n", "ex", "0"]),
        err("ERR invalid expire time in 'getex' command")
    );
    assert_eq!(t.cmd(&["getex", "n", "foo"]), err(SYNTAX));
    assert_eq!(t.cmd(&["getex", "missing", "ex", "10"]), nil());
    t.cmd(&["hset", "h", "f", "v"]);
    assert_eq!(t.cmd(&["getdel", "h"]), err(WRONGTYPE));
    assert_eq!(t.cmd(&["getset", "h", "x"]), err(WRONGTYPE));
    assert_eq!(t.cmd(&["get", "h"]), err(WRONGTYPE));
    assert_eq!(t.cmd(&["set", "h", "x", "GET"]), err(WRONGTYPE));
    assert_eq!(t.cmd(&["set", "h", "x"]), ok());
    assert_eq!(t.cmd(&["get", "h"]), bulk("x"));
}

#[test]
fn mget_mset_msetnx() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["mset", "a", "1", "b", "2"]), ok());
    assert_eq!(
        t.cmd(&["mset", "a", "1", "b"]),
        err("ERR wrong number of arguments for 'mset' command")
    );
    t.cmd(&["sadd", "s", "x"]);
    assert_eq!(
        t.cmd(&["mget", "a", "b", "c", "s"]),
        marekvs::reply::Reply::Array(vec![bulk("1"), bulk("2"), nil(), nil()])
    );
    assert_eq!(t.cmd(&["msetnx", "c", "3", "a", "9"]), int(0));
    assert_eq!(t.cmd(&["get", "c"]), nil());
    assert_eq!(t.cmd(&["msetnx", "c", "3", "d", "4"]), int(1));
    assert_eq!(t.cmd(&["get", "d"]), bulk("4"));
}

#[test]
fn incr_family() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["incr", "n"]), int(1));
    assert_eq!(t.cmd(&["incrby", "n", "10"]), int(11));
    assert_eq!(t.cmd(&["decr", "n"]), int(10));
    assert_eq!(t.cmd(&["decrby", "n", "20"]), int(-10));
    assert_eq!(t.cmd(&["get", "n"]), bulk("-10"));
    assert_eq!(t.cmd(&["incrby", "n", "abc"]), err(NOT_INT));
    assert_eq!(t.cmd(&["incrby", "n", "+1"]), err(NOT_INT));
    assert_eq!(t.cmd(&["incrby", "n", " 1"]), err(NOT_INT));
    t.cmd(&["set", "m", "9223372036854775807"]);
    assert_eq!(
        t.cmd(&["incr", "m"]),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        t.cmd(&["decrby", "m", "-9223372036854775808"]),
        err("ERR decrement would overflow")
    );
    assert_eq!(t.cmd(&["get", "m"]), bulk("9223372036854775807"));
    t.cmd(&["set", "s", "abc"]);
    assert_eq!(t.cmd(&["incr", "s"]), err(NOT_INT));
    t.cmd(&["set", "s", "01"]);
    assert_eq!(t.cmd(&["incr", "s"]), err(NOT_INT));
    t.cmd(&["set", "t", "5", "EX", "100"]);
    assert_eq!(t.cmd(&["incr", "t"]), int(6));
    assert_eq!(t.cmd(&["ttl", "t"]), int(100));
    t.cmd(&["lpush", "l", "x"]);
    assert_eq!(t.cmd(&["incr", "l"]), err(WRONGTYPE));
}

#[test]
fn incrbyfloat() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0.1"]), bulk("0.1"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0.1"]), bulk("0.2"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "0.1"]), bulk("0.3"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "-0.3"]), bulk("0"));
    assert_eq!(t.cmd(&["incrbyfloat", "f", "5.0e3"]), bulk("5000"));
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
    t.cmd(&["set", "s", "abc"]);
    assert_eq!(
        t.cmd(&["incrbyfloat", "s", "1"]),
        err("ERR value is not a valid float")
    );
    t.cmd(&["set", "i", "10"]);
    assert_eq!(t.cmd(&["incrbyfloat", "i", "1.5"]), bulk("11.5"));
}

#[test]
fn append_strlen_ranges() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["append", "a", "Hello"]), int(5));
    assert_eq!(t.cmd(&["append", "a", " World"]), int(11));
    assert_eq!(t.cmd(&["strlen", "a"]), int(11));
    assert_eq!(t.cmd(&["strlen", "zz"]), int(0));
    assert_eq!(t.cmd(&["getrange", "a", "0", "4"]), bulk("Hello"));
    assert_eq!(t.cmd(&["getrange", "a", "-5", "-1"]), bulk("World"));
    assert_eq!(t.cmd(&["getrange", "a", "0", "-100"]), bulk("H"));
    assert_eq!(
        t.cmd(&["getrange", "a", "-100", "100"]),
        bulk("Hello World")
    );
    assert_eq!(t.cmd(&["getrange", "a", "-1", "-5"]), bulk(""));
    assert_eq!(t.cmd(&["getrange", "a", "5", "3"]), bulk(""));
    assert_eq!(t.cmd(&["getrange", "zz", "0", "-1"]), bulk(""));
    assert_eq!(t.cmd(&["setrange", "a", "6", "Redis"]), int(11));
    assert_eq!(t.cmd(&["get", "a"]), bulk("Hello Redis"));
    assert_eq!(t.cmd(&["setrange", "b", "3", "x"]), int(4));
    assert_eq!(
        t.raw(&[b"get", b"b"]),
        marekvs::reply::Reply::Bulk(b"\0\0\0x".to_vec())
    );
    assert_eq!(t.cmd(&["setrange", "c", "3", ""]), int(0));
    assert_eq!(t.cmd(&["exists", "c"]), int(0));
    assert_eq!(
        t.cmd(&["setrange", "a", "-1", "x"]),
        err("ERR offset is out of range")
    );
    assert_eq!(
        t.cmd(&["setrange", "a", "536870912", "x"]),
        err("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    );
}

#[test]
fn binary_keys_and_values() {
    let mut t = T::new();
    let key: &[u8] = b"k\x00\xff\r\n";
    let val: &[u8] = b"\x00\x01\x02\xfe";
    assert_eq!(t.raw(&[b"set", key, val]), ok());
    assert_eq!(
        t.raw(&[b"get", key]),
        marekvs::reply::Reply::Bulk(val.to_vec())
    );
    assert_eq!(t.raw(&[b"strlen", key]), int(4));
}

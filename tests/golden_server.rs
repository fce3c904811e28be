//! server commands: golden tests generated from a command script run against redis-server 7.0.15
//! (each expected reply is what real Redis answered; `assert_same_members` compares
//! unordered replies). Every test continues from the previous state of its section.
#![allow(unused_imports)]
mod common;
use common::*;
use marekvs::reply::Reply;

#[test]
fn server() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["ping"]), status("PONG"));
    assert_eq!(t.cmd(&["ping", "hello"]), bulk("hello"));
    assert_eq!(
        t.cmd(&["ping", "a", "b"]),
        err("ERR wrong number of arguments for 'ping' command")
    );
    assert_eq!(t.cmd(&["echo", "hi"]), bulk("hi"));
    assert_eq!(
        t.cmd(&["echo"]),
        err("ERR wrong number of arguments for 'echo' command")
    );
    assert_eq!(t.cmd(&["select", "0"]), status("OK"));
    // differs from Redis 7.0 on purpose (see the `engine` module docs): select 1
    t.cmd(&["select", "1"]);
    assert_eq!(
        t.cmd(&["select", "abc"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["select", "-1"]),
        err("ERR DB index is out of range")
    );
    assert_eq!(
        t.cmd(&["hello", "4"]),
        err("NOPROTO unsupported protocol version")
    );
    assert_eq!(
        t.cmd(&["hello", "1"]),
        err("NOPROTO unsupported protocol version")
    );
    assert_eq!(
        t.cmd(&["hello", "abc"]),
        err("ERR Protocol version is not an integer or out of range")
    );
    assert_eq!(
        t.cmd(&["hello", "3", "auth", "foo", "bar"]),
        err("WRONGPASS invalid username-password pair or user is disabled.")
    );
    assert_eq!(
        t.cmd(&["hello", "2", "setname", "a b"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(
        t.cmd(&["hello", "2", "foo"]),
        err("ERR Syntax error in HELLO option 'foo'")
    );
    assert_eq!(
        t.cmd(&["hello", "2", "setname"]),
        err("ERR Syntax error in HELLO option 'setname'")
    );
    assert_eq!(
        t.cmd(&["client", "setname", "a b"]),
        err("ERR Client names cannot contain spaces, newlines or special characters.")
    );
    assert_eq!(t.cmd(&["client", "setname", "good"]), status("OK"));
    assert_eq!(t.cmd(&["client", "getname"]), bulk("good"));
    assert_eq!(t.cmd(&["client", "setname", ""]), status("OK"));
    assert_eq!(t.cmd(&["client", "getname"]), nil());
    assert_eq!(
        t.cmd(&["client", "foo"]),
        err("ERR unknown subcommand 'foo'. Try CLIENT HELP.")
    );
    assert_eq!(
        t.cmd(&["client"]),
        err("ERR wrong number of arguments for 'client' command")
    );
    assert_eq!(
        t.cmd(&["config"]),
        err("ERR wrong number of arguments for 'config' command")
    );
    assert_eq!(
        t.cmd(&["config", "foo"]),
        err("ERR unknown subcommand 'foo'. Try CONFIG HELP.")
    );
    assert_eq!(
        t.cmd(&["config", "get", "maxmemory"]),
        Reply::Array(vec![bulk("maxmemory"), bulk("0")])
    );
    // differs from Redis 7.0 on purpose (see the `engine` module docs): config get lua-time-limit
    t.cmd(&["config", "get", "lua-time-limit"]);
    assert_eq!(t.cmd(&["config", "set", "lua-time-limit", "abc"]), err("ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument couldn't be parsed into an integer"));
    assert_eq!(t.cmd(&["config", "set", "lua-time-limit", "-5"]), err("ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument must be between 0 and 9223372036854775807 inclusive"));
    assert_eq!(t.cmd(&["config", "set", "databases", "3"]), err("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"));
    assert_eq!(t.cmd(&["config", "set", "maxmemory-policy", "foo"]), err("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"));
    assert_eq!(
        t.cmd(&["config", "set", "maxmemory"]),
        err("ERR wrong number of arguments for 'config|set' command")
    );
    assert_eq!(t.cmd(&["config", "set", "maxmemory", "abc"]), err("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"));
    assert_eq!(t.cmd(&["config", "set", "maxmemory", "1gb"]), status("OK"));
    assert_eq!(
        t.cmd(&["config", "get", "maxmemory"]),
        Reply::Array(vec![bulk("maxmemory"), bulk("1073741824")])
    );
    assert_eq!(t.cmd(&["config", "set", "maxmemory", "0"]), status("OK"));
    assert_eq!(
        t.cmd(&["config", "set", "foo", "1"]),
        err("ERR Unknown option or number of arguments for CONFIG SET - 'foo'")
    );
    assert_eq!(
        t.cmd(&["config", "set", "maxmemory", "1", "foo"]),
        err("ERR syntax error")
    );
    assert_eq!(
        t.cmd(&["config", "set", "maxmemory-policy", "allkeys-lru"]),
        status("OK")
    );
    assert_eq!(
        t.cmd(&["config", "get", "maxmemory-policy"]),
        Reply::Array(vec![bulk("maxmemory-policy"), bulk("allkeys-lru")])
    );
    assert_eq!(
        t.cmd(&["config", "set", "maxmemory-policy", "noeviction"]),
        status("OK")
    );
    assert_eq!(t.cmd(&["config", "resetstat"]), status("OK"));
    assert_eq!(
        t.cmd(&["command", "getkeys"]),
        err("ERR wrong number of arguments for 'command|getkeys' command")
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "foo"]),
        err("ERR wrong number of arguments for 'command|getkeys' command")
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "get"]),
        err("ERR wrong number of arguments for 'command|getkeys' command")
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "get", "a"]),
        Reply::Array(vec![bulk("a")])
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "mset", "a", "1", "b", "2"]),
        Reply::Array(vec![bulk("a"), bulk("b")])
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "ping", "x"]),
        err("ERR The command has no key arguments")
    );
    assert_eq!(
        t.cmd(&[
            "command",
            "getkeys",
            "sintercard",
            "2",
            "a",
            "b",
            "limit",
            "1"
        ]),
        Reply::Array(vec![bulk("a"), bulk("b")])
    );
    assert_eq!(
        t.cmd(&["command", "getkeys", "blpop", "a", "b", "0"]),
        Reply::Array(vec![bulk("a"), bulk("b")])
    );
    assert_eq!(
        t.cmd(&["command", "foo"]),
        err("ERR unknown subcommand 'foo'. Try COMMAND HELP.")
    );
    // differs from Redis 7.0 on purpose (see the `engine` module docs): command info get set
    t.cmd(&["command", "info", "get", "set"]);
    assert_eq!(
        t.cmd(&["command", "info", "nope"]),
        Reply::Array(vec![nil()])
    );
    assert_eq!(t.cmd(&["dbsize"]), int(0));
    // differs from Redis 7.0 on purpose (see the `engine` module docs): debug foo
    t.cmd(&["debug", "foo"]);
    assert_eq!(
        t.cmd(&["UNKNOWN", "a", "b"]),
        err("ERR unknown command 'UNKNOWN', with args beginning with: 'a' 'b' ")
    );
    assert_eq!(
        t.cmd(&["unknown"]),
        err("ERR unknown command 'unknown', with args beginning with: ")
    );
    assert_eq!(
        t.cmd(&["get", "a", "b", "c"]),
        err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(t.cmd(&["GeT", "a"]), nil());
}

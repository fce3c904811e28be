//! The shard remembers the previous command's spec and the previous key's partition (a
//! pipeline mostly repeats one command on one key): a repeated name or key must answer
//! exactly as a fresh lookup would, whatever came before it.
mod common;
use common::*;
use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use marekvs::router::PartitionMap;

fn argv(a: &[&str]) -> Vec<Vec<u8>> {
    a.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn a_repeated_name_resolves_as_a_fresh_one() {
    let mut t = T::new();
    assert_eq!(t.cmd(&["incr", "n"]), int(1));
    assert_eq!(t.cmd(&["incr", "n"]), int(2));
    // Same bytes, wrong arity: the command's own arity error.
    assert_eq!(
        t.cmd(&["incr"]),
        err("ERR wrong number of arguments for 'incr' command")
    );
    assert_eq!(
        t.cmd(&["incr", "n", "x"]),
        err("ERR wrong number of arguments for 'incr' command")
    );
    // Another case of the same name, then back.
    assert_eq!(t.cmd(&["INCR", "n"]), int(3));
    assert_eq!(t.cmd(&["incr", "n"]), int(4));
    // A container and its subcommands are resolved each time.
    assert_eq!(t.cmd(&["config", "set", "maxmemory", "10mb"]), ok());
    assert_eq!(
        t.cmd(&["config", "get", "maxmemory"]),
        arr(&["maxmemory", "10485760"])
    );
    assert_eq!(
        t.cmd(&["config"]),
        err("ERR wrong number of arguments for 'config' command")
    );
    assert_eq!(
        t.cmd(&["config", "get", "maxmemory"]),
        arr(&["maxmemory", "10485760"])
    );
    // An unknown name after a known one, and the known one after it.
    assert!(t.cmd(&["incrr", "n"]).is_error());
    assert_eq!(t.cmd(&["incr", "n"]), int(5));
}

#[test]
fn a_repeated_key_is_checked_as_a_fresh_one() {
    let pm = PartitionMap::new(4);
    let key_in = |p: u16| key_in(&pm, p);
    let (k0, k1) = (key_in(0), key_in(1));
    let mut sh = Shard::new(pm, [0], 7);
    let mut cx = CallCtx::new(0);
    let refused = err(&format!(
        "ERR key '{k1}' is not served by this shard (partition 1)"
    ));
    for _ in 0..2 {
        assert_eq!(sh.execute(&argv(&["set", &k0, "v"]), &mut cx), ok());
        assert_eq!(sh.execute(&argv(&["get", &k0]), &mut cx), bulk("v"));
        assert_eq!(sh.execute(&argv(&["set", &k1, "v"]), &mut cx), refused);
        assert_eq!(sh.execute(&argv(&["get", &k1]), &mut cx), refused);
    }
    // A script pinned to another partition refuses the remembered key too.
    let mut scx = CallCtx::new(0);
    scx.in_script = true;
    scx.partition_pin = Some(1);
    assert_eq!(
        sh.execute(&argv(&["get", &k0]), &mut scx),
        err(&format!(
            "ERR Script attempted to access a key outside its partition (key '{k0}' is in partition 0, script is pinned to 1)"
        ))
    );
    // A key longer than what is remembered, twice.
    let long = format!("{{{k0}}}{}", "x".repeat(100));
    for _ in 0..2 {
        assert!(!sh.execute(&argv(&["incr", &long]), &mut cx).is_error());
    }
    assert_eq!(sh.execute(&argv(&["get", &long]), &mut cx), bulk("2"));
    assert!(matches!(
        sh.execute(&argv(&["get", &k0]), &mut cx),
        Reply::Bulk(_)
    ));
}

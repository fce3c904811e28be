//! Shared helpers for the command-family tests.
#![allow(dead_code)]

use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;
use marekvs::router::PartitionMap;

pub struct T {
    pub shard: Shard,
    pub cx: CallCtx,
}

impl T {
    pub fn new() -> T {
        T {
            shard: Shard::standalone(42),
            cx: CallCtx::new(1_000_000),
        }
    }

    pub fn resp3() -> T {
        let mut t = T::new();
        t.cx.proto = 3;
        t
    }

    pub fn cmd(&mut self, args: &[&str]) -> Reply {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        self.shard.execute(&argv, &mut self.cx)
    }

    pub fn raw(&mut self, args: &[&[u8]]) -> Reply {
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.to_vec()).collect();
        self.shard.execute(&argv, &mut self.cx)
    }

    pub fn advance(&mut self, ms: i64) {
        self.cx.now_ms += ms;
    }
}

pub fn ok() -> Reply {
    Reply::ok()
}

pub fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

pub fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

pub fn nil() -> Reply {
    Reply::Nil
}

pub fn err(s: &str) -> Reply {
    Reply::Error(s.to_string())
}

pub fn status(s: &str) -> Reply {
    Reply::Status(s.to_string())
}

pub fn arr(items: &[&str]) -> Reply {
    Reply::Array(items.iter().map(Reply::bulk).collect())
}

pub fn ints(items: &[i64]) -> Reply {
    Reply::Array(items.iter().map(|&n| Reply::Integer(n)).collect())
}

pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
pub const NOT_INT: &str = "ERR value is not an integer or out of range";
pub const SYNTAX: &str = "ERR syntax error";

/// Compare two array/set replies as multisets of elements (Redis's order is unspecified).
pub fn assert_same_members(got: Reply, want: Reply) {
    fn elems(r: Reply) -> Vec<String> {
        let mut v: Vec<String> = match r {
            Reply::Array(a) | Reply::Set(a) => a.iter().map(|x| format!("{x:?}")).collect(),
            other => vec![format!("{other:?}")],
        };
        v.sort();
        v
    }
    let (g, w) = (elems(got.clone()), elems(want.clone()));
    assert_eq!(g, w, "got {got:?}, want {want:?}");
}

/// The first key `k0`, `k1`, ... that falls in partition `p` of `pm`.
pub fn key_in(pm: &PartitionMap, p: u16) -> String {
    (0..10_000)
        .map(|i| format!("k{i}"))
        .find(|k| pm.partition_of_key(k.as_bytes()) == p)
        .expect("a key in every partition among the first 10,000")
}

/// The fuzzers' xorshift64 generator (`tests/fuzz_no_panic.rs`, `tests/fuzz_scripts.rs`): a
/// seed gives the same sequence on every machine.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// An element of `v`, uniformly (up to the modulo's bias).
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
}

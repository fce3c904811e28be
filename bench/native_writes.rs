//! Native cost of the write commands `redis-benchmark -t set,incr,lpush,hset,zadd,sadd` sends
//! (plus RPUSH, and LPOP from a queue with a backlog)
//! (each through `Shard::execute`, which stamps, merges and logs its effects), next to GET, as
//! ns per command (median of 5 rounds). The shard owns 16 partitions, as each shard of
//! `marekvs serve` does. The keys follow redis-benchmark: one key per test unless
//! `WRITES_KEYS=n` spreads them over n keys (like `-r n`).
//!   cargo run --release --example native_writes
//! Under callgrind, only `run` is counted, so instructions / (rounds × n) is the cost of one
//! command:
//!   WRITES_N=20000 WRITES_ROUNDS=1 WRITES_ONLY=set valgrind --tool=callgrind \
//!     --toggle-collect='*native_writes*run*' target/release/examples/native_writes
use marekvs::engine::{CallCtx, Shard};
use marekvs::router::PartitionMap;
use std::time::Instant;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn argv(test: &str, i: usize, keys: usize) -> Vec<Vec<u8>> {
    let r = if keys > 1 { i % keys } else { 0 };
    let a: Vec<String> = match test {
        "set" => vec!["SET".into(), format!("key:{r:012}"), "xxx".into()],
        "get" => vec!["GET".into(), format!("key:{r:012}")],
        "incr" => vec!["INCR".into(), format!("counter:{r:012}")],
        "lpush" => vec!["LPUSH".into(), format!("mylist{r}"), "xxx".into()],
        "rpush" => vec!["RPUSH".into(), format!("mylist{r}"), "xxx".into()],
        "lpop" => vec!["LPOP".into(), format!("mylist{r}")],
        "hset" => vec![
            "HSET".into(),
            format!("myhash{r}"),
            format!("element:{r:012}"),
            "xxx".into(),
        ],
        "sadd" => vec![
            "SADD".into(),
            format!("myset{r}"),
            format!("element:{r:012}"),
        ],
        _ => vec![
            "ZADD".into(),
            format!("myzset{r}"),
            "0".into(),
            format!("element:{r:012}"),
        ],
    };
    a.into_iter().map(String::into_bytes).collect()
}

/// Executes the prepared commands (the only function callgrind counts).
#[inline(never)]
fn run(sh: &mut Shard, cmds: &[Vec<Vec<u8>>], cx: &mut CallCtx) {
    for c in cmds {
        std::hint::black_box(sh.execute(c, cx));
    }
}

fn main() {
    let n = env("WRITES_N", 200_000);
    let rounds = env("WRITES_ROUNDS", 5);
    let keys = env("WRITES_KEYS", 1);
    let only = std::env::var("WRITES_ONLY").unwrap_or_default();
    for test in [
        "set", "get", "incr", "lpush", "rpush", "lpop", "hset", "sadd", "zadd",
    ] {
        if !only.is_empty() && !only.split(',').any(|t| t == test) {
            continue;
        }
        let cmds: Vec<Vec<Vec<u8>>> = (0..n).map(|i| argv(test, i, keys)).collect();
        let mut sh = Shard::owning_all(PartitionMap::new(16), 1);
        let mut cx = CallCtx::new(1_700_000_000_000);
        // GET reads what SET wrote.
        if test == "get" {
            let sets: Vec<Vec<Vec<u8>>> = (0..keys.max(1)).map(|i| argv("set", i, keys)).collect();
            run(&mut sh, &sets, &mut cx);
        }
        // LPOP takes from a queue filled by RPUSH for every round: the popped elements stay
        // behind as tombstones at the list's front, as in a queue with a backlog.
        if test == "lpop" {
            let fill: Vec<Vec<Vec<u8>>> = (0..n * rounds).map(|i| argv("rpush", i, keys)).collect();
            run(&mut sh, &fill, &mut cx);
        }
        let mut per: Vec<f64> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                run(&mut sh, &cmds, &mut cx);
                t.elapsed().as_nanos() as f64 / n as f64
            })
            .collect();
        per.sort_by(f64::total_cmp);
        println!("{test:>5} {:>7.0} ns/command", per[per.len() / 2]);
    }
}

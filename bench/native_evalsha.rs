//! Native cost of EVALSHA of `return redis.call('INCR', KEYS[1])` through the shard engine, next
//! to a plain INCR in the same run (ns per call, median of 5 rounds of 200,000 calls).
//!   cargo run --release --example native_evalsha
//! Instruction counts (docs/performance.md, "EVALSHA cost"): `EVALSHA_N=5000 EVALSHA_ONLY=1
//! valgrind --tool=callgrind target/release/examples/native_evalsha`, then the inclusive cost
//! of `Shard::execute` (the whole command) or `engine::scripts::evalsha` (its handler) / 27,500
//! calls (`EVALSHA_ONLY` skips the plain INCR rounds, so `Shard::execute` is EVALSHA's alone).
use marekvs::engine::{CallCtx, Shard};
use std::time::Instant;

fn per_call(sh: &mut Shard, argv: &[Vec<u8>], n: usize) -> f64 {
    let mut cx = CallCtx::new(1_700_000_000_000);
    let mut rounds: Vec<f64> = (0..5)
        .map(|_| {
            let t0 = Instant::now();
            for _ in 0..n {
                std::hint::black_box(sh.execute(argv, &mut cx));
            }
            t0.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[2]
}

fn main() {
    let mut sh = Shard::standalone(1);
    let body = b"return redis.call('INCR', KEYS[1])".to_vec();
    let mut cx = CallCtx::new(1_700_000_000_000);
    let load = vec![b"SCRIPT".to_vec(), b"LOAD".to_vec(), body];
    let sha = match sh.execute(&load, &mut cx) {
        marekvs::reply::Reply::Bulk(s) => s,
        other => panic!("SCRIPT LOAD: {other:?}"),
    };
    let evalsha = vec![b"EVALSHA".to_vec(), sha, b"1".to_vec(), b"counter".to_vec()];
    let incr = vec![b"INCR".to_vec(), b"counter2".to_vec()];
    // EVALSHA_N calls per round (default 200,000; smaller under valgrind).
    let n: usize = std::env::var("EVALSHA_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    per_call(&mut sh, &evalsha, n / 10);
    let e = per_call(&mut sh, &evalsha, n);
    if std::env::var_os("EVALSHA_ONLY").is_some() {
        println!("EVALSHA {e:.0} ns/call");
        return;
    }
    let i = per_call(&mut sh, &incr, n);
    println!("EVALSHA {e:.0} ns/call, INCR {i:.0} ns/call (same run)");
}

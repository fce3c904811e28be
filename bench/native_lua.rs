//! Native baseline for bench/lua.mjs: runs each Lua file given on the command line `runs`
//! times in the native engine and prints `name median_ms` per file, timed by the host.
//!   cargo run --release --example native_lua -- 7 bench/lua/fib.lua ...
use marekvs::lua::{Engine, Limits};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
    let engine = Engine::new(Limits {
        time_ms: 600_000.0,
        memory: 1 << 30,
    })
    .expect("engine");
    for path in args {
        let code = std::fs::read(&path).expect("read workload");
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t0 = Instant::now();
                engine.eval(&code, "bench").expect("run");
                t0.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!("{path} {:.2}", times[times.len() / 2]);
    }
}

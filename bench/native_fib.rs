//! Native baseline for bench/fib.mjs: runs bench/lua_compute.lua in the native engine and
//! prints the median of N runs in ms (`cargo run --release --example native_fib -- N`).
use marekvs::lua::{Engine, Limits};

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let code = include_str!("lua_compute.lua");
    let engine = Engine::new(Limits {
        time_ms: 600_000.0,
        ..Limits::default()
    })
    .expect("engine");
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let v = engine.eval(code.as_bytes(), "bench").expect("run");
            match v.front() {
                Some(mlua::Value::Number(ms)) => *ms,
                Some(mlua::Value::Integer(ms)) => *ms as f64,
                other => panic!("unexpected {other:?}"),
            }
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!("{:.2}", times[times.len() / 2]);
}

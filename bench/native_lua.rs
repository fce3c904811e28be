//! Native baseline for bench/lua.mjs: runs each Lua file given on the command line `runs`
//! times in the native engine and prints `name median_ms` per file, timed by the host.
//!   cargo run --release --example native_lua -- 7 bench/lua/fib.lua ...
//!
//! `--serve` (for bench/lua-rounds.mjs, which interleaves native runs with Node's): one engine
//! for the process; every line read from stdin names a Lua file, which is compiled and run once
//! (`Engine::eval`, as `LuaEngine.eval` does in the package); the answer is one line
//! `cpu_ms wall_ms` (this thread's CPU time and wall time of that eval, measured around it here,
//! so the pipe's latency is not counted).
//!   cargo run --release --example native_lua -- --serve
use marekvs::lua::{Engine, Limits};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::time::Instant;

/// This thread's CPU time in ms (Linux: `CLOCK_THREAD_CPUTIME_ID`; elsewhere `None`).
#[cfg(target_os = "linux")]
fn thread_cpu_ms() -> Option<f64> {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut ts = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec (64-bit Linux layout).
    let rc = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    (rc == 0).then(|| ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 / 1e6)
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_ms() -> Option<f64> {
    None
}

fn serve(engine: &Engine) {
    let mut codes: HashMap<String, Vec<u8>> = HashMap::new();
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let path = line.expect("read stdin");
        let path = path.trim();
        if path.is_empty() {
            continue;
        }
        let code = codes
            .entry(path.to_owned())
            .or_insert_with(|| std::fs::read(path).expect("read workload"));
        let cpu0 = thread_cpu_ms();
        let t0 = Instant::now();
        engine.eval(code, "bench").expect("run");
        let wall = t0.elapsed().as_secs_f64() * 1000.0;
        let cpu = match (cpu0, thread_cpu_ms()) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        };
        writeln!(out, "{cpu:.4} {wall:.4}").expect("write stdout");
        out.flush().expect("flush stdout");
    }
}

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let engine = Engine::new(Limits {
        time_ms: 600_000.0,
        memory: 1 << 30,
    })
    .expect("engine");
    if args.peek().map(String::as_str) == Some("--serve") {
        serve(&engine);
        return;
    }
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(7);
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

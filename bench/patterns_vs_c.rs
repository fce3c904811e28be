//! The Rust pattern functions (`string.find`, `match`, `gmatch`, `gsub`;
//! `src/lua/patterns_lua.rs`) against Lua 5.4's own C implementations, natively: each case
//! run in a state with the C functions and in one with ours, best of 5 timed runs each;
//! prints the time per operation and the ratio Rust / C, and their geometric mean.
//!   cargo run --release --example patterns_vs_c

use marekvs::lua::patterns_lua;
use mlua::{Function, Lua, Value};
use std::time::Instant;

/// Runs `code` (a chunk returning a function) many times with the C functions and ours; prints
/// the time ratio. No assertions on time.
fn bench_one(name: &str, setup: &str, body: &str, iters: u32) -> f64 {
    let mut times = Vec::new();
    for rust in [false, true] {
        let lua = Lua::new();
        if rust {
            patterns_lua::install(&lua, |_, _| None).unwrap();
        }
        let f: Function = lua
            .load(format!(
                "{setup}\nreturn function(n) local r for _ = 1, n do r = {body} end return r end"
            ))
            .eval()
            .unwrap();
        f.call::<Value>(iters / 10).unwrap(); // warm-up
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let t = Instant::now();
            f.call::<Value>(iters).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
        }
        times.push(best);
    }
    let ratio = times[1] / times[0];
    println!(
        "{name:<28} C {:>8.1} ns/op   Rust {:>8.1} ns/op   ratio {ratio:.2}",
        times[0] * 1e9 / iters as f64,
        times[1] * 1e9 / iters as f64
    );
    ratio
}

fn main() {
    let text =
        "local text = string.rep('The quick brown fox jumps over the lazy dog, 12345 times; ', 20)";
    let cases = [
        ("find plain", text, "text:find('12345 times; The', 1, true)", 200_000),
        ("find literal (nospecials)", text, "text:find('lazy dog, 12')", 200_000),
        ("find %d+", text, "text:find('%d+')", 200_000),
        ("match key=value", "local kv = 'user:1000=alice'", "kv:match('^(%w+):(%d+)=(%w+)$')", 500_000),
        ("match trim", "local s = '   padded string   '", "s:match('^%s*(.-)%s*$')", 500_000),
        ("gsub %s+ -> ' '", text, "(text:gsub('%s+', ' '))", 20_000),
        ("gsub words -> fn", text, "(text:gsub('%a+', string.upper))", 5_000),
        ("gsub %w -> %0%0", text, "(text:gsub('%w', '%0%0'))", 5_000),
        ("gsub table", "local t = {quick='slow', fox='cat'} ", "(('the quick fox'):gsub('%a+', t))", 300_000),
        ("gmatch words", text, "(function() local n = 0 for w in text:gmatch('%a+') do n = n + 1 end return n end)()", 5_000),
        ("gmatch csv fields", "local csv = 'a,bb,,ccc,dddd,e,ff,,g'", "(function() local n = 0 for w in csv:gmatch('([^,]*)') do n = n + 1 end return n end)()", 100_000),
    ];
    let mut product = 1.0;
    for (name, setup, body, iters) in cases {
        product *= bench_one(name, setup, body, iters);
    }
    println!(
        "geometric mean ratio (Rust / C): {:.2}",
        product.powf(1.0 / cases.len() as f64)
    );
}

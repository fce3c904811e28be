//! Random scripts through EVAL/EVAL_RO: library calls with odd arguments, `redis.pcall` of
//! random commands with Lua values of every type, patterns, shebang flags, RESP2 and RESP3.
//! Nothing may panic, and every script must end within its budget: a watchdog fails the test,
//! naming the script, if one runs for seconds (a C loop out of the budget's reach:
//! `string.rep('', 2^62)` and `table.move({}, 1, 2^40, 2)` were found this way).
//! Natively only (the watchdog is a thread). `FUZZ_SEEDS=a..b` runs other seeds, e.g.
//! `FUZZ_SEEDS=1..400 cargo test --release --test fuzz_scripts` (≈ 3,000 scripts a seed).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::Rng;
use marekvs::engine::{command_table, CallCtx, Shard};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const VALS: &[&str] = &[
    "nil",
    "true",
    "false",
    "0",
    "1",
    "-1",
    "1.5",
    "-0.0",
    "0/0",
    "1/0",
    "-1/0",
    "2^53",
    "2^63",
    "-2^63",
    "math.maxinteger",
    "math.mininteger",
    "9007199254740993",
    "'k1'",
    "'k2'",
    "'{k}a'",
    "''",
    "'\\0'",
    "'a\\0b'",
    "string.rep('x', 300)",
    "{}",
    "{1,2,3}",
    "{1,nil,3}",
    "{a=1}",
    "{err='E'}",
    "{ok='O'}",
    "{err=1}",
    "{double=1.5}",
    "{map={a=1}}",
    "{set={a=true}}",
    "{big_number='123'}",
    "{verbatim_string={format='txt', string='x'}}",
    "{1,{2,{3}}}",
    "setmetatable({}, {__index=function() return 1 end})",
    "function() end",
    "coroutine.create(function() end)",
    "cjson.null",
    "KEYS",
    "ARGV",
    "'inf'",
    "'nan'",
    "'-inf'",
    "'(1'",
    "'[a'",
    "'+'",
    "'-'",
    "'*'",
    "'WITHSCORES'",
    "'NX'",
    "'EX'",
    "'10'",
    "'0.5'",
    "'9223372036854775807'",
    "'-9223372036854775808'",
    "'18446744073709551616'",
    "'1e400'",
    "'GET'",
    "'SET'",
    "'COUNT'",
    "'LIMIT'",
    "'BYSCORE'",
];

const FUNCS: &[&str] = &[
    "cjson.encode",
    "cjson.decode",
    "cmsgpack.pack",
    "cmsgpack.unpack",
    "bit.band",
    "bit.bor",
    "bit.bxor",
    "bit.bnot",
    "bit.lshift",
    "bit.rshift",
    "bit.arshift",
    "bit.rol",
    "bit.ror",
    "bit.tohex",
    "bit.tobit",
    "bit.bswap",
    "struct.pack",
    "struct.unpack",
    "struct.size",
    "string.format",
    "string.rep",
    "string.sub",
    "string.byte",
    "string.char",
    "string.find",
    "string.match",
    "string.gmatch",
    "string.gsub",
    "string.upper",
    "string.len",
    "string.reverse",
    "table.concat",
    "table.insert",
    "table.remove",
    "table.sort",
    "table.unpack",
    "unpack",
    "table.getn",
    "math.floor",
    "math.fmod",
    "math.tointeger",
    "math.random",
    "math.max",
    "tonumber",
    "tostring",
    "select",
    "type",
    "pcall",
    "error",
    "redis.error_reply",
    "redis.status_reply",
    "redis.sha1hex",
    "redis.log",
    "redis.setresp",
    "redis.set_repl",
    "redis.breakpoint",
    "redis.debug",
    "rawget",
    "rawequal",
    "rawlen",
    "next",
    "ipairs",
    "pairs",
    "loadstring",
    "load",
    "string.pack",
    "string.unpack",
    "coroutine.wrap",
    "setmetatable",
    "table.move",
    "table.pack",
    "string.rep",
    "table.concat",
    "select",
];

const PATS: &[&str] = &[
    "'%d+'",
    "'(a)(b)'",
    "'%b()'",
    "'%f[%w]'",
    "'[^'",
    "'%'",
    "'(()'",
    "'%1'",
    "'.-'",
    "'a*b*c*d*e*'",
    "'%s*$'",
    "'[%a-z]'",
    "'%z'",
    "'%g+'",
    "'(.)%1'",
];

fn expr(r: &mut Rng, depth: u32) -> String {
    match r.next() % 10 {
        0..=4 => r.pick(VALS).to_string(),
        5 if depth > 0 => format!("{}({})", r.pick(FUNCS), args(r, depth - 1)),
        6 if depth > 0 => format!("redis.pcall({})", call_args(r, depth - 1)),
        7 => r.pick(PATS).to_string(),
        8 if depth > 0 => {
            let f = r.pick(FUNCS).to_string();
            let a = args(r, depth - 1);
            if a.is_empty() {
                format!("select(2, pcall({f}))")
            } else {
                format!("select(2, pcall({f}, {a}))")
            }
        }
        _ => r.pick(VALS).to_string(),
    }
}

fn args(r: &mut Rng, depth: u32) -> String {
    let n = r.next() % 5;
    (0..n)
        .map(|_| expr(r, depth))
        .collect::<Vec<_>>()
        .join(", ")
}

fn call_args(r: &mut Rng, depth: u32) -> String {
    let names: Vec<&str> = command_table().iter().map(|c| c.name).collect();
    let name = r.pick(&names).to_string();
    let mut out = vec![format!("'{name}'")];
    if r.next() % 10 < 8 {
        out.push(r.pick(&["'k1'", "'k2'", "'{k}a'"]).to_string());
    }
    for _ in 0..r.next() % 6 {
        out.push(expr(r, depth));
    }
    out.join(", ")
}

#[test]
fn random_scripts_never_panic_and_end_within_their_budget() {
    let seeds = std::env::var("FUZZ_SEEDS").unwrap_or_else(|_| "1..3".into());
    let (lo, hi) = seeds
        .split_once("..")
        .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
        .expect("FUZZ_SEEDS is a..b");
    let per = if std::env::var("FUZZ_SEEDS").is_ok() {
        3000
    } else {
        1000
    };
    // The script now running and since when; the watchdog aborts the process on a hang (the
    // 20 ms deadline stops every script long before).
    let current = Arc::new(Mutex::new((Instant::now(), String::new(), false)));
    let watched = Arc::clone(&current);
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let (since, script, running) = &*watched.lock().unwrap();
        if *running && since.elapsed() > Duration::from_secs(10) {
            eprintln!("a script ran for over 10 s:\n{script}");
            std::process::abort();
        }
    });
    for seed in lo..=hi {
        let mut r = Rng(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1_2345_6789));
        let mut sh = Shard::standalone(seed);
        let mut cx = CallCtx::new(1_700_000_000_000);
        for i in 0..per {
            let mut body = String::new();
            for _ in 0..1 + r.next() % 4 {
                let e = expr(&mut r, 3);
                body.push_str(&format!(
                    "local v{} = {{pcall(function() return {e} end)}}\n",
                    i % 7
                ));
            }
            let ret = expr(&mut r, 2);
            body.push_str(&format!("return {ret}\n"));
            let script = if r.next().is_multiple_of(20) {
                format!("#!lua flags=no-writes\n{body}")
            } else {
                body
            };
            let command: &[u8] = if r.next().is_multiple_of(5) {
                b"EVAL_RO"
            } else {
                b"EVAL"
            };
            let argv: Vec<Vec<u8>> = vec![
                command.to_vec(),
                script.clone().into_bytes(),
                b"1".to_vec(),
                b"k1".to_vec(),
                b"argv1".to_vec(),
            ];
            cx.proto = if r.next().is_multiple_of(2) { 2 } else { 3 };
            *current.lock().unwrap() = (Instant::now(), script.clone(), true);
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sh.execute(&argv, &mut cx)))
                .unwrap_or_else(|_| panic!("seed {seed}, script {i} panicked:\n{script}"));
            current.lock().unwrap().2 = false;
            cx.in_script = false;
            cx.quit = false;
            if i % 200 == 0 {
                sh.execute(&[b"SCRIPT".to_vec(), b"FLUSH".to_vec()], &mut cx);
            }
        }
    }
}

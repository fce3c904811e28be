//! Engine behaviours checked on every platform: natively (`tests/lua_engine.rs`) and in the
//! browser through wasm-bindgen-test (`tests/wasm_lua_engine.rs`). Each case panics on failure.

use marekvs::lua::budget::Trip;
use marekvs::lua::{render_values, Engine, Limits, ScriptError};

fn engine(time_ms: f64) -> Engine {
    Engine::new(Limits {
        time_ms,
        ..Limits::default()
    })
    .expect("engine")
}

fn eval(e: &Engine, code: &str) -> Result<String, ScriptError> {
    e.eval(code.as_bytes(), "user_script")
        .map(|v| render_values(&v))
}

pub fn values_come_back() {
    let e = engine(1000.0);
    assert_eq!(
        eval(&e, "return 1 + 1, 'hi', 10 / 2, 2^53, true, nil").unwrap(),
        "2\t\"hi\"\t5.0\t9.007199254741e+15\ttrue\tnil"
    );
    assert_eq!(
        eval(&e, "return math.maxinteger").unwrap(),
        "9223372036854775807"
    );
}

pub fn error_escaping_to_host_many_times_leaves_state_usable() {
    let e = engine(1000.0);
    for i in 0..100_000 {
        let err = eval(&e, "error('boom')").unwrap_err();
        if i == 0 {
            assert_eq!(err, ScriptError::Runtime("user_script:1: boom".into()));
        }
    }
    assert_eq!(eval(&e, "return 40 + 2").unwrap(), "42");
}

pub fn pcall_of_error_many_times_inside_lua() {
    let e = engine(60_000.0);
    let out = eval(
        &e,
        "local n = 0
         for i = 1, 100000 do
           local ok, msg = pcall(error, 'x' .. i)
           if not ok and msg == 'x' .. i then n = n + 1 end
         end
         return n",
    )
    .unwrap();
    assert_eq!(out, "100000");
    assert_eq!(eval(&e, "return 'still here'").unwrap(), "\"still here\"");
}

pub fn rust_callback_error_is_catchable_by_pcall() {
    let e = engine(1000.0);
    let out = eval(
        &e,
        "local ok, err = pcall(redis.sha1hex)
         return ok, tostring(err):find('wrong number of arguments') ~= nil",
    )
    .unwrap();
    assert_eq!(out, "false\ttrue");
    assert_eq!(
        eval(&e, "return redis.sha1hex('')").unwrap(),
        "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\""
    );
}

pub fn memory_bomb_stops_with_memory_error_and_state_stays_usable() {
    let e = engine(60_000.0);
    let err = eval(
        &e,
        "local t = {} local s = string.rep('x', 1024)
         for i = 1, 1e9 do t[i] = s .. i end",
    )
    .unwrap_err();
    assert_eq!(err, ScriptError::Aborted(Trip::Memory));
    // pcall cannot swallow it either.
    let err = eval(
        &e,
        "local t = {}
         while true do
           pcall(function() for i = 1, 1e6 do t[#t + 1] = ('x'):rep(100) .. i end end)
         end",
    )
    .unwrap_err();
    assert_eq!(err, ScriptError::Aborted(Trip::Memory));
    assert_eq!(eval(&e, "return #string.rep('a', 1000)").unwrap(), "1000");
    // The memory the bombs held was given back.
    assert!(e.used_memory() < 4 * 1024 * 1024, "{}", e.used_memory());
}

pub fn deadline_stops_busy_loop_near_the_deadline() {
    let e = engine(20.0);
    let err = eval(&e, "while true do end").unwrap_err();
    assert_eq!(err, ScriptError::Aborted(Trip::Time));
    let ran = e.elapsed_ms();
    assert!((20.0..500.0).contains(&ran), "ran {ran} ms");
    assert_eq!(eval(&e, "return 1").unwrap(), "1");
}

pub fn deadline_cannot_be_swallowed_by_pcall_xpcall_or_coroutines() {
    let e = engine(20.0);
    for code in [
        "while true do pcall(function() while true do end end) end",
        "while true do xpcall(function() while true do end end, function(m) return m end) end",
        "while true do pcall(pcall, pcall, function() while true do end end) end",
        "while true do
           local co = coroutine.create(function() while true do end end)
           coroutine.resume(co)
         end",
        "while true do pcall(coroutine.wrap(function() while true do end end)) end",
        "local function f() pcall(f) while true do end end f()",
    ] {
        let err = eval(&e, code).unwrap_err();
        assert_eq!(err, ScriptError::Aborted(Trip::Time), "{code}");
    }
    assert_eq!(eval(&e, "return 2").unwrap(), "2");
}

pub fn runaway_recursion_is_a_lua_error() {
    let e = engine(60_000.0);
    // Lua-level recursion: a stack overflow error (or the memory ceiling), never a trap.
    let err = eval(&e, "local function f() return 1 + f() end return f()").unwrap_err();
    assert!(
        matches!(&err, ScriptError::Runtime(m) if m.contains("stack overflow"))
            || err == ScriptError::Aborted(Trip::Memory),
        "{err:?}"
    );
    // C-level recursion through metamethods and pcall.
    let err = eval(
        &e,
        "local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x",
    )
    .unwrap_err();
    assert!(
        matches!(&err, ScriptError::Runtime(m) if m.contains("stack overflow")),
        "{err:?}"
    );
    let err = eval(
        &e,
        "local function f() return pcall(f) end return select('#', f())",
    );
    assert!(
        err.is_ok() || matches!(err, Err(ScriptError::Runtime(_))),
        "{err:?}"
    );
    // Deeply nested source is a compile error.
    let deep = format!("return {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(matches!(eval(&e, &deep), Err(ScriptError::Compile(_))));
    assert_eq!(eval(&e, "return 3").unwrap(), "3");
}

pub fn sandbox_has_no_host_access() {
    let e = engine(1000.0);
    assert_eq!(
        eval(
            &e,
            "return io, dofile, loadfile, require, package, debug, os.execute, utf8"
        )
        .unwrap(),
        "nil\tnil\tnil\tnil\tnil\tnil\tnil\tnil"
    );
    assert_eq!(eval(&e, "return type(os.clock())").unwrap(), "\"number\"");
    // Binary chunks are refused by load.
    let out = eval(
        &e,
        "local ok, err = load(string.dump(function() return 1 end)) return ok, err",
    );
    assert!(
        matches!(&out, Ok(s) if s.starts_with("nil\t\"attempt to load a binary chunk")),
        "{out:?}"
    );
    assert_eq!(eval(&e, "return load('return 7')()").unwrap(), "7");
}

/// `tonumber` and Lua's string-to-number conversions, bit for bit: decimal and hexadecimal
/// floats (correctly rounded, ties to even, subnormals), overflow to ±inf and underflow to 0
/// as C's `strtod`, leading and trailing spaces, and what Lua refuses (`inf`, `nan`, partial
/// numerals). Natively Lua calls the C library's `strtod`; on wasm, the crate's parser
/// (build.rs patches `lobject.c`): both must give these results.
pub fn string_to_number_conversions() {
    let e = engine(1000.0);
    let float = |x: f64| format!("float {}", x.to_bits() as i64);
    let int = |i: i64| format!("integer {i}");
    let none = || "nil".to_string();
    let cases: Vec<(&str, String)> = vec![
        ("10", int(10)),
        (" 7 ", int(7)),
        ("0x10", int(16)),
        ("1e5", float(100000.0)),
        ("1.5", float(1.5)),
        ("-1.5", float(-1.5)),
        ("+.5", float(0.5)),
        ("5.", float(5.0)),
        (" \t1.5e-3\n", float(0.0015)),
        ("\u{b}\u{c}\r2E+2 ", float(200.0)),
        ("0.1", float(0.1)),
        ("-0.0", float(-0.0)),
        ("9007199254740993.0", float(9007199254740992.0)),
        ("18446744073709551616", float(18446744073709551616.0)),
        (
            "123456789012345678901234567890",
            float(1.2345678901234568e29),
        ),
        ("1e309", float(f64::INFINITY)),
        ("-1e400", float(f64::NEG_INFINITY)),
        ("1e-400", float(0.0)),
        ("4.9e-324", float(f64::from_bits(1))),
        ("2.4703282292062328e-324", float(f64::from_bits(1))),
        ("0x1p4", float(16.0)),
        ("0XA.8", float(10.5)),
        ("  0x.8  ", float(0.5)),
        ("-0x1.8p1", float(-3.0)),
        ("0x1P-2", float(0.25)),
        ("0x1p-1074", float(f64::from_bits(1))),
        ("0x1p-1075", float(0.0)),
        ("0x1.8p-1075", float(f64::from_bits(1))),
        ("0x1.00000000000008p0", float(1.0)),
        ("0x1.00000000000018p0", float(1.0 + 2.0 * f64::EPSILON)),
        ("0x1.fffffffffffffp1023", float(f64::MAX)),
        ("0x1.fffffffffffff8p1023", float(f64::INFINITY)),
        ("0x1p1024", float(f64::INFINITY)),
        ("inf", none()),
        ("-inf", none()),
        ("nan", none()),
        ("infinity", none()),
        ("1.5n", none()),
        ("", none()),
        ("  ", none()),
        (".", none()),
        ("1e", none()),
        ("1e+", none()),
        ("e5", none()),
        ("--1", none()),
        ("1 2", none()),
        ("1.5x", none()),
        ("1e5.5", none()),
        ("0x", none()),
        ("0x.", none()),
        ("0x1p", none()),
        ("0xp1", none()),
        ("0x1.8p3z", none()),
    ];
    let inputs: Vec<String> = cases.iter().map(|(s, _)| format!("{s:?}")).collect();
    let code = format!(
        "local out = {{}}
         for i, s in ipairs({{{}}}) do
           local v = tonumber(s)
           if v == nil then out[i] = 'nil'
           elseif math.type(v) == 'integer' then out[i] = 'integer ' .. v
           else out[i] = 'float ' .. string.unpack('<i8', string.pack('<n', v)) end
         end
         return table.concat(out, ',')",
        inputs.join(", ")
    );
    let want: Vec<String> = cases.iter().map(|(_, w)| w.clone()).collect();
    let got = eval(&e, &code).unwrap();
    let got = got.trim_matches('"').split(',').collect::<Vec<_>>();
    for ((input, want), got) in cases.iter().map(|(s, _)| s).zip(&want).zip(&got) {
        assert_eq!(got, want, "tonumber({input:?})");
    }
    assert_eq!(got.len(), want.len());
    // The lexer's float literals and arithmetic on strings take the same conversion.
    assert_eq!(
        eval(
            &e,
            "return 0xA.8, 0x1p4, 1e2, .5, '0x1p-1' + 0, ' 2.5 ' * 2"
        )
        .unwrap(),
        "10.5\t16.0\t100.0\t0.5\t0.5\t5.0"
    );
    assert_eq!(
        eval(&e, "return 'inf' + 0"),
        Err(ScriptError::Runtime(
            "user_script:1: attempt to add a 'string' with a 'number'".into()
        ))
    );
}

pub fn fib27() -> String {
    let e = engine(60_000.0);
    eval(
        &e,
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
         return fib(27)",
    )
    .unwrap()
}

/// Every way a script can run on forever, each on its own: the budget's countdown must see
/// backward jumps (`while`, `repeat`, `goto`), numeric `for` (integer and float) and generic
/// `for`, Lua function entries without any loop (tail calls, `__call`, exponential recursion)
/// and loops inside coroutines; and a C library loop that runs without VM instructions or
/// allocations (`table.move` over absent keys) polls the budget itself.
const RUNAWAYS: &[&str] = &[
    "while true do end",
    "repeat until false",
    "::top:: goto top",
    "for i = 1, math.maxinteger do end",
    "for i = 1.0, math.huge do end",
    "for _ in function() return 1 end do end",
    "local function f() return f() end return f()",
    "local f, g function f() return g() end function g() return f() end return f()",
    "local t = setmetatable({}, {__call = function(self) return self() end}) return t()",
    "local function f(n) if n == 0 then return 0 end return f(n - 1) + f(n - 1) end
     return f(100)",
    "coroutine.wrap(function() while true do end end)()",
    "local co = coroutine.wrap(function() while true do coroutine.yield() end end)
     while true do co() end",
    "table.move({}, 1, 2^40, 2)",
    "table.move({}, 1, 2^40, 0)",
    "table.move({}, 1, 2^40, 1, {})",
];

pub fn deadline_stops_every_runaway() {
    let e = engine(20.0);
    for code in RUNAWAYS {
        let err = eval(&e, code).unwrap_err();
        assert_eq!(err, ScriptError::Aborted(Trip::Time), "{code}");
    }
    assert_eq!(eval(&e, "return 4").unwrap(), "4");
}

/// A clock that never moves (Cloudflare Workers freeze `Date.now()` during a request).
fn frozen_clock() -> f64 {
    1000.0
}

pub fn frozen_clock_still_stops_every_runaway() {
    // 1 ms is 10^6 events at the assumed rate: enough to show that the estimate stops each
    // runaway, short enough for a busy browser test page.
    let limits = Limits {
        time_ms: 1.0,
        ..Limits::default()
    };
    let e = Engine::with_clock(limits, frozen_clock).expect("engine");
    for code in RUNAWAYS
        .iter()
        .chain(&["while true do pcall(function() while true do end end) end"])
    {
        let err = eval(&e, code).unwrap_err();
        assert_eq!(err, ScriptError::Aborted(Trip::Time), "{code}");
    }
    // The estimate never ends a script early: 10^5 loop iterations are far below 1 ms worth
    // of events at the assumed 1 per ns.
    assert_eq!(
        eval(
            &e,
            "local n = 0 for i = 1, 100000 do n = n + 1 end return n"
        )
        .unwrap(),
        "100000"
    );
}

/// Lua-to-Lua calls (entered by the VM itself, build.rs `patch_lua`, csrc/lvm_call.h): missing
/// arguments are nil, extra ones dropped, varargs kept, `__call` and C functions still work,
/// and deep recursion grows the Lua stack and the call list.
pub fn lua_calls_pass_arguments_and_grow_the_stack() {
    let e = engine(60_000.0);
    let code = "local function f(a, b, c) return tostring(a) .. tostring(b) .. tostring(c) end
        local function g(...) return select('#', ...), ... end
        local t = setmetatable({}, {__call = function(self, x) return x * 2 end})
        local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end
        local n, x, y = g(1, nil, 3, nil)
        return {f(1), f(1, 2, 3, 4), n, x, tostring(y), t(21), math.max(d(150000), 7), string.rep('a', 3)}";
    assert_eq!(
        eval(&e, code).unwrap(),
        "{\"1nilnil\", \"123\", 4, 1, \"nil\", 42, 150000, \"aaa\"}"
    );
}

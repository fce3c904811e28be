//! The Rust pattern functions (`string.find`, `match`, `gmatch`, `gsub`;
//! `src/lua/patterns_lua.rs`) against Lua 5.4's own C implementations, natively:
//! (a) differential tests, case by case and randomized; (b) pathological patterns end with the
//! budget error, and `pcall` cannot swallow it. Their speed against C is measured by
//! `cargo run --release --example patterns_vs_c` (bench/patterns_vs_c.rs).
#![cfg(not(target_arch = "wasm32"))]

use marekvs::lua::budget::Trip;
use marekvs::lua::{patterns_lua, Engine, Limits, ScriptError};
use mlua::{Function, Lua, MultiValue, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::time::{Duration, Instant};

/// The harness both states run: `run(op, n, a, b, c, d)` calls the operation with the first `n`
/// arguments and returns a text describing every result (or the error).
const HARNESS: &str = r#"
local function ser1(v)
  local t = math.type(v) or type(v)
  if t == 'table' or t == 'function' or t == 'userdata' or t == 'thread' then return t end
  return t .. ':' .. tostring(v)
end
local function ser(...)
  local n = select('#', ...)
  local out = {}
  for i = 1, n do out[i] = ser1((select(i, ...))) end
  return n .. '[' .. table.concat(out, '|') .. ']'
end
T = setmetatable({ a = 'A', b = false, ['('] = 1.5, x = {}, [''] = 'E', [1] = 'one',
                   [3] = 7, aa = 'double', ['%'] = '%1' },
  { __index = function(t, k)
      if k == 'ab' then return 'AB' end
      if k == 'bad' then error('index boom') end
    end })
F = {
  function(...) return select('#', ...) .. ':' .. table.concat({...}, ',') end,
  function(a)
    if a == 'a' then return nil elseif a == 'b' then return false end
    return '<' .. tostring(a) .. '>'
  end,
  function(a) if a == 'x' then return {} end return 12 end,
  function(a) if a == '(' then error('fn boom') end return tostring(a) .. tostring(a) end,
  function() return 0.5 end,
  function(a) if a == ')' then error({ code = 1 }) end return true end,
}
local unpack = table.unpack
function run(op, n, a, b, c, d)
  local args = { a, b, c, d }
  if op == 'gsub_t' then args[3] = T elseif op == 'gsub_f' then args[3] = F[c] end
  return ser(pcall(function()
    if op == 'find' then return string.find(unpack(args, 1, n))
    elseif op == 'match' then return string.match(unpack(args, 1, n))
    elseif op == 'pfind' then return select(2, assert(pcall(string.find, unpack(args, 1, n))))
    elseif op == 'pmatch' then return pcall(string.match, unpack(args, 1, n))
    elseif op == 'pgsub' then return pcall(string.gsub, unpack(args, 1, n))
    elseif op == 'pgmatch' then return pcall(string.gmatch, unpack(args, 1, n))
    elseif op == 'mfind' then return a:find(unpack(args, 2, n))
    elseif op == 'mmatch' then return a:match(unpack(args, 2, n))
    elseif op == 'mgsub' then return a:gsub(unpack(args, 2, n))
    elseif op == 'gmatch' then
      local it = string.gmatch(unpack(args, 1, n))
      local out = {}
      for _ = 1, 60 do
        local r = table.pack(it())
        if r[1] == nil then break end
        out[#out + 1] = ser(unpack(r, 1, r.n))
      end
      -- After the end, the iterator keeps answering nothing.
      out[#out + 1] = ser(it())
      return table.concat(out, ';')
    else -- gsub, gsub_t, gsub_f
      return string.gsub(unpack(args, 1, n))
    end
  end))
end
"#;

/// A Lua state running the harness, with the C functions (`rust == false`) or ours.
fn state(rust: bool) -> (Lua, Function) {
    let lua = Lua::new();
    if rust {
        patterns_lua::install(&lua, |_, _| None).unwrap();
    }
    lua.load(HARNESS).set_name("harness").exec().unwrap();
    let run: Function = lua.globals().get("run").unwrap();
    (lua, run)
}

/// One argument of a call.
#[derive(Debug, Clone)]
enum Arg {
    Nil,
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
    Bool(bool),
    Table,
}

impl Arg {
    fn to_lua(&self, lua: &Lua) -> Value {
        match self {
            Arg::Nil => Value::Nil,
            Arg::Int(i) => Value::Integer(*i),
            Arg::Float(f) => Value::Number(*f),
            Arg::Str(s) => Value::String(lua.create_string(s).unwrap()),
            Arg::Bool(b) => Value::Boolean(*b),
            Arg::Table => Value::Table(lua.create_table().unwrap()),
        }
    }
}

/// One call: an operation of the harness and its arguments (`args.len()` of them are passed).
#[derive(Debug, Clone)]
struct Case {
    op: &'static str,
    args: Vec<Arg>,
}

struct Pair {
    c: (Lua, Function),
    rust: (Lua, Function),
}

impl Pair {
    fn new() -> Pair {
        Pair {
            c: state(false),
            rust: state(true),
        }
    }

    fn call(side: &(Lua, Function), case: &Case) -> Vec<u8> {
        let (lua, run) = side;
        let mut v = vec![
            Value::String(lua.create_string(case.op).unwrap()),
            Value::Integer(case.args.len() as i64),
        ];
        v.extend(case.args.iter().map(|a| a.to_lua(lua)));
        let out: mlua::LuaString = run.call(MultiValue::from_iter(v)).unwrap();
        out.as_bytes().to_vec()
    }

    /// Both results, as text.
    fn both(&self, case: &Case) -> (String, String) {
        let c = Self::call(&self.c, case);
        let r = Self::call(&self.rust, case);
        (
            String::from_utf8_lossy(&c).into_owned(),
            String::from_utf8_lossy(&r).into_owned(),
        )
    }
}

fn s(x: &str) -> Arg {
    Arg::Str(x.as_bytes().to_vec())
}

fn case(op: &'static str, args: Vec<Arg>) -> Case {
    Case { op, args }
}

/// Hand-written cases: every error text, argument errors, positions, the 5.4 gmatch rules.
#[test]
fn hand_written_cases_match_c() {
    let pair = Pair::new();
    let pats = [
        "",
        "^",
        "$",
        "^$",
        "a",
        "^a",
        "a$",
        "%a+",
        "%A",
        "%d*",
        "[%d]+",
        "[^%s]+",
        "%w-",
        "(%w+)=(%w+)",
        "()a()",
        "(a)(b)?",
        "%",
        "%%",
        "[a",
        "[]",
        "[]]",
        "[^]]",
        "[a-]",
        "[a-c]+",
        "[%a-z]",
        "[%]]",
        "%b()",
        "%b(",
        "%b",
        "%f[%w]%w+",
        "%f[%W]",
        "%f",
        "%fx",
        "%f[",
        "(a%1)",
        "%1",
        "(a)%1",
        "(a)%2",
        "%0",
        "(a",
        "a)",
        ")",
        "(()",
        "(()())",
        "((a)(b))",
        "x*",
        "x-",
        "x?",
        ".-",
        ".*b",
        "a.-b",
        "%z",
        "[%z]",
        "%g+",
        "%p+",
        "%c",
        "%x+",
        "%u%l",
        "^(%s*)(.-)(%s*)$",
        "(%d+)-(%d+)",
        "%.",
        "[.]",
        "%$",
        "a$b",
        "$a",
        "^^",
        "[^^]",
        "%f[^%z]",
        "%b%%",
    ];
    let subjects = [
        "",
        "a",
        "ab",
        "aab",
        "hello world",
        "key=val, k2=v2",
        "  trim me  ",
        "(a(b)c)d",
        "((((",
        "x1y22z333",
        "a.b$c^d",
        "\0a\0",
        "ABC def",
        "%%a",
        "12-34 5-6",
        "]]",
        "the (quick) fox",
    ];
    let mut cases = Vec::new();
    for p in pats {
        for subj in subjects {
            cases.push(case("find", vec![s(subj), s(p)]));
            cases.push(case("match", vec![s(subj), s(p)]));
            cases.push(case("gmatch", vec![s(subj), s(p)]));
            cases.push(case("gsub", vec![s(subj), s(p), s("<%0>")]));
            cases.push(case("gsub", vec![s(subj), s(p), s("%1|%2"), Arg::Int(2)]));
            cases.push(case("gsub_t", vec![s(subj), s(p), Arg::Nil]));
            for f in 1..=6 {
                cases.push(case("gsub_f", vec![s(subj), s(p), Arg::Int(f)]));
            }
        }
    }
    // Too many captures, too complex, long subjects.
    let many = "(".repeat(33) + "a" + &")".repeat(33);
    let ok32 = "(".repeat(32) + "a" + &")".repeat(32);
    for p in [
        many.as_str(),
        ok32.as_str(),
        &"a?".repeat(199),
        &"a?".repeat(250),
    ] {
        for op in ["find", "match", "gmatch", "gsub"] {
            let mut args = vec![s(&"a".repeat(300)), s(p)];
            if op == "gsub" {
                args.push(s("x"));
            }
            cases.push(case(op, args));
        }
    }
    // Argument handling.
    let inits = [
        Arg::Int(0),
        Arg::Int(1),
        Arg::Int(2),
        Arg::Int(-1),
        Arg::Int(-2),
        Arg::Int(-100),
        Arg::Int(3),
        Arg::Int(4),
        Arg::Int(100),
        Arg::Int(i64::MIN),
        Arg::Int(i64::MAX),
        Arg::Float(2.0),
        Arg::Float(2.5),
        s("2"),
        s("0x2"),
        s(" 3 "),
        s("x"),
        Arg::Table,
        Arg::Bool(true),
        Arg::Nil,
        Arg::Float(f64::NAN),
        Arg::Float(1e300),
    ];
    for init in &inits {
        for p in ["a", "b", "", "a*", "()", "%w"] {
            cases.push(case("find", vec![s("aba"), s(p), init.clone()]));
            cases.push(case(
                "find",
                vec![s("aba"), s(p), init.clone(), Arg::Bool(true)],
            ));
            cases.push(case("match", vec![s("aba"), s(p), init.clone()]));
            cases.push(case("gmatch", vec![s("aba"), s(p), init.clone()]));
            cases.push(case("gsub", vec![s("aba"), s(p), s("x"), init.clone()]));
            cases.push(case("mfind", vec![s("aba"), s(p), init.clone()]));
            cases.push(case("pmatch", vec![s("aba"), s(p), init.clone()]));
        }
    }
    let weird = [
        Arg::Nil,
        Arg::Int(12),
        Arg::Float(1.5),
        Arg::Bool(false),
        Arg::Table,
    ];
    for w in &weird {
        for op in [
            "find", "match", "gmatch", "gsub", "pfind", "pmatch", "pgsub", "pgmatch",
        ] {
            cases.push(case(op, vec![w.clone(), s("1")]));
            cases.push(case(op, vec![s("a1"), w.clone()]));
            cases.push(case(op, vec![s("a1"), s("%d"), w.clone()]));
            cases.push(case(op, vec![s("a1"), s("%d"), s("x"), w.clone()]));
        }
        cases.push(case("mgsub", vec![s("a1"), s("%d"), w.clone()]));
        cases.push(case("mgsub", vec![s("a1"), w.clone(), s("x")]));
    }
    for op in [
        "find", "match", "gmatch", "gsub", "pfind", "pmatch", "pgsub", "pgmatch",
    ] {
        cases.push(case(op, vec![]));
        cases.push(case(op, vec![s("x")]));
    }
    for op in ["mfind", "mmatch", "mgsub"] {
        cases.push(case(op, vec![s("x")]));
        cases.push(case(op, vec![s("x"), s("x")]));
    }
    // Replacement strings.
    for r in [
        "%", "%%", "%0%0", "%1", "%2", "%9", "%a", "a%", "%\0", "x%1y", "%%1",
    ] {
        for p in ["a", "(a)", "()", "(a)(b)", "(a", "b*"] {
            cases.push(case("gsub", vec![s("ab ab"), s(p), s(r)]));
        }
    }
    for n in [
        Arg::Int(-1),
        Arg::Int(0),
        Arg::Int(1),
        Arg::Float(1.5),
        Arg::Nil,
        s("1"),
        Arg::Int(i64::MAX),
    ] {
        cases.push(case("gsub", vec![s("aaa"), s("a"), s("b"), n.clone()]));
        cases.push(case("gsub", vec![s("aaa"), s(""), Arg::Int(7), n]));
    }
    // The 5.4 empty-match rules.
    for (subj, p) in [
        ("abc", "%w*"),
        ("abc", ""),
        ("a,b,,c", "[^,]*"),
        ("hello", "l*"),
        ("ab", ".-"),
    ] {
        cases.push(case("gmatch", vec![s(subj), s(p)]));
        cases.push(case("gsub", vec![s(subj), s(p), s("-")]));
    }
    let mut differ = Vec::new();
    for c in &cases {
        let (a, b) = pair.both(c);
        if a != b {
            differ.push(format!("{c:?}\n   C: {a}\nRust: {b}"));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} differ:\n{}",
        differ.len(),
        cases.len(),
        differ[..differ.len().min(20)].join("\n")
    );
    println!("hand-written: {} cases identical", cases.len());
}

/// Pattern atoms the random patterns are built from (some malformed on purpose).
const ATOMS: &[&str] = &[
    ".", "a", "b", "x", " ", "%a", "%d", "%s", "%w", "%p", "%x", "%u", "%l", "%c", "%g", "%A",
    "%S", "%W", "%D", "%z", "%.", "%%", "%(", "%]", "%-", "[ab]", "[^a]", "[a-c]", "[%a_]", "[]]",
    "[^]]", "[a-]", "[%]", "[%d%s]", "[^%w(]", "(", ")", "()", "%1", "%2", "%0", "%b()", "%bab",
    "%b", "%f[%a]", "%f[^a]", "%f[%z]", "%f", "^", "$", "*", "+", "-", "?", "%", "[", "[a", "\0",
    "%\0", "(a)", "(.-)", "(%w+)",
];
const QUANTIFIERS: &[&str] = &["", "", "", "*", "+", "-", "?"];
/// Subject alphabet (special characters included).
const ALPHABET: &[u8] = b"aabbx (()).%[]^$-1A\0\n,_";

fn pattern() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        prop::collection::vec((0..ATOMS.len(), 0..QUANTIFIERS.len()), 0..7),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(anchor, atoms, dollar)| {
            let mut p = Vec::new();
            if anchor {
                p.push(b'^');
            }
            for (a, q) in atoms {
                p.extend_from_slice(ATOMS[a].as_bytes());
                p.extend_from_slice(QUANTIFIERS[q].as_bytes());
            }
            if dollar {
                p.push(b'$');
            }
            p
        })
}

fn subject() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..14)
}

fn init() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        3 => Just(None),
        3 => (-16i64..16).prop_map(Some),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, -1_000_000, 1 << 40]).prop_map(Some),
    ]
}

fn replacement() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![
            "x", "<", ">", "%0", "%1", "%2", "%3", "%%", "%", "%a", "", "ab",
        ]),
        0..4,
    )
    .prop_map(|parts| parts.concat().into_bytes())
}

fn random_case() -> impl Strategy<Value = Case> {
    (
        0usize..7,
        subject(),
        pattern(),
        init(),
        any::<bool>(),
        replacement(),
        1i64..7,
        prop::option::of(-1i64..5),
    )
        .prop_map(|(op, subj, pat, init, plain, repl, f, n)| {
            let init_arg = init.map(Arg::Int).unwrap_or(Arg::Nil);
            let n_arg = n.map(Arg::Int).unwrap_or(Arg::Nil);
            match op {
                0 => case(
                    "find",
                    vec![Arg::Str(subj), Arg::Str(pat), init_arg, Arg::Bool(plain)],
                ),
                1 => case("match", vec![Arg::Str(subj), Arg::Str(pat), init_arg]),
                2 => case("gmatch", vec![Arg::Str(subj), Arg::Str(pat), init_arg]),
                3 => case(
                    "gsub",
                    vec![Arg::Str(subj), Arg::Str(pat), Arg::Str(repl), n_arg],
                ),
                4 => case(
                    "gsub_t",
                    vec![Arg::Str(subj), Arg::Str(pat), Arg::Nil, n_arg],
                ),
                5 => case(
                    "gsub_f",
                    vec![Arg::Str(subj), Arg::Str(pat), Arg::Int(f), n_arg],
                ),
                _ => {
                    let mut args = vec![Arg::Str(subj), Arg::Str(pat)];
                    if let Some(i) = init {
                        args.push(Arg::Int(i));
                    }
                    case("find", args)
                }
            }
        })
}

/// Randomized differential test: thousands of random subjects and patterns through all four
/// functions; results and error messages must be identical to the C implementations'.
#[test]
fn random_cases_match_c() {
    let cases: u32 = std::env::var("PATTERN_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let pair = Pair::new();
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let stats = std::cell::RefCell::new([0u32; 3]); // [errors, no match, matched]
    runner
        .run(&random_case(), |c| {
            let (a, b) = pair.both(&c);
            if a != b {
                return Err(TestCaseError::fail(format!("{c:?}\n   C: {a}\nRust: {b}")));
            }
            let mut st = stats.borrow_mut();
            if a.starts_with("2[boolean:false") {
                st[0] += 1;
            } else if a.contains("nil:nil") {
                st[1] += 1;
            } else {
                st[2] += 1;
            }
            Ok(())
        })
        .unwrap();
    let st = stats.into_inner();
    println!(
        "random: {cases} cases identical ({} errors, {} without match, {} with results)",
        st[0], st[1], st[2]
    );
}

/// The functions reachable through the string metatable are the new ones.
#[test]
fn engine_uses_the_rust_functions_everywhere() {
    let engine = Engine::new(Limits::default()).unwrap();
    let out = engine
        .eval(
            br#"
            local a, b = ('x'):find('x')
            local loaded = string.find == ('').find and string.gsub == ('').gsub
            local t = {}
            for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end
            return a .. b .. tostring(loaded) .. table.concat(t) .. (('abc'):gsub('%w', '%0%0'))
                .. ('key = val'):match('(%w+)%s*=%s*(%w+)')
            "#,
            "t",
        )
        .unwrap();
    let v: Vec<String> = out.into_iter().map(|v| v.to_string().unwrap()).collect();
    assert_eq!(v, vec!["11truea1b2aabbcckey".to_string()]);
}

fn run_for_budget(code: &str) -> (Result<String, ScriptError>, Duration) {
    let engine = Engine::new(Limits {
        time_ms: 20.0,
        memory: 16 * 1024 * 1024,
    })
    .unwrap();
    let t = Instant::now();
    let out = engine.eval(code.as_bytes(), "patho");
    let took = t.elapsed();
    let out = out.map(|vals| format!("{vals:?}"));
    // The engine stays usable afterwards.
    let again = engine.eval(b"return ('abc'):find('b')", "after").unwrap();
    assert_eq!(again.len(), 2);
    (out, took)
}

/// Pathological patterns end with the time budget error soon after the deadline, inside and
/// outside `pcall`.
#[test]
fn pathological_patterns_stop_at_the_deadline() {
    let codes = [
        "return string.find(string.rep('a', 100000), '.-.-.-.-b')",
        "return (string.gsub(string.rep('a', 100000), '.-.-.-.-b', 'x'))",
        // (With 1e5 'a's, `('a?'):rep(50) .. ('a'):rep(50)` matches at once, in C too: the
        // exponential variants need the match to fail.)
        "return string.rep('a', 1e5):match(('a?'):rep(50) .. ('a'):rep(50) .. '$')",
        "return string.rep('a', 60):match('^' .. ('a?'):rep(60) .. ('a'):rep(60))",
        "for w in string.gmatch(string.rep('a', 100000), '.-.-.-b') do end",
        "return string.find(string.rep('(', 300000), '%b()')",
        "local s = string.rep('a', 100000) while true do pcall(string.find, s, '.-.-.-.-b') end",
        "local s = string.rep('a', 100000) \
         while true do pcall(function() return s:match(('a?'):rep(50) .. ('a'):rep(50) .. '$') end) end",
        "local s = string.rep('a', 100000) \
         local co = coroutine.wrap(function() while true do pcall(string.gsub, s, '.-.-.-.-b', '') end end) \
         while true do pcall(co) end",
    ];
    for code in codes {
        let (out, took) = run_for_budget(code);
        println!("{took:>10.2?}  {code}");
        assert!(
            matches!(out, Err(ScriptError::Aborted(Trip::Time))),
            "{code}: {out:?}"
        );
        // Bounded (generously: the machine is shared); the deadline is 20 ms.
        assert!(took < Duration::from_secs(5), "{code}: took {took:?}");
    }
}

/// The installed functions poll the check given to `install` (so they are the Rust ones), and
/// a stop cannot be swallowed by the matcher.
#[test]
fn the_budget_check_is_polled() {
    let lua = Lua::new();
    patterns_lua::install(&lua, |_, _| Some("stopped by check")).unwrap();
    for code in [
        "return pcall(string.find, string.rep('a', 10000), '.-b')",
        "return pcall(string.match, string.rep('a', 10000), '(.-)b')",
        "return pcall(string.gsub, string.rep('a', 10000), 'a-b', '')",
        "return pcall(function() for _ in string.gmatch(string.rep('a', 10000), 'a-b') do end end)",
        "return pcall(string.find, string.rep('(', 10000), '%b()')",
    ] {
        let r: (bool, String) = lua.load(code).eval().unwrap();
        assert_eq!(r, (false, "stopped by check".to_string()), "{code}");
    }
    // Short matches end before the first poll.
    let r: (i64, i64) = lua.load("return string.find('abc', 'b')").eval().unwrap();
    assert_eq!(r, (2, 2));
}

/// With a frozen clock (Cloudflare Workers freeze `Date.now()` during a request) the matcher's
/// steps count toward the instruction estimate, so a pathological pattern still ends.
#[test]
fn frozen_clock_still_ends_a_pathological_pattern() {
    use marekvs::lua::budget::{check_from_c, Budget};
    let lua = Lua::new();
    patterns_lua::install(&lua, check_from_c).unwrap();
    let mut slot = None;
    unsafe {
        lua.exec_raw::<()>((), |state| slot = Some(Budget::install(state, || 0.0)))
            .unwrap();
    }
    let budget = slot.unwrap();
    // 2 ms at the assumed 1 instruction per ns: about 2 million matcher steps.
    unsafe { (*budget.as_ptr()).arm(2.0, usize::MAX / 2) };
    let t = Instant::now();
    let r: mlua::Result<Value> = lua
        .load("local s = string.rep('a', 100000) while true do pcall(string.find, s, '.-.-.-.-b') end")
        .eval();
    let took = t.elapsed();
    let tripped = unsafe { (*budget.as_ptr()).disarm() };
    println!("frozen clock: stopped after {took:?}");
    assert_eq!(tripped, Some(Trip::Time));
    // (The error text itself is not checked: as in `Engine::call`, what matters is the trip;
    // mlua's error handling runs while the hook still raises on every instruction.)
    assert!(r.is_err());
    unsafe {
        lua.exec_raw::<()>((), |state| Budget::uninstall(state, budget))
            .unwrap();
        drop(Box::from_raw(budget.as_ptr()));
    }
}

/// `string.rep` with a huge result is stopped by the memory budget.
#[test]
fn huge_string_rep_hits_the_memory_budget() {
    // A long deadline: only the memory ceiling (16 MiB) may stop these.
    let engine = Engine::new(Limits {
        time_ms: 60_000.0,
        memory: 16 * 1024 * 1024,
    })
    .unwrap();
    for code in [
        "return #string.rep('x', 1e9)",
        "return #string.rep('abc', 1e8, ',')",
        "local s = string.rep('x', 1e6) local t = {} for i = 1, 100 do t[i] = s .. i end",
        "return #(string.gsub(string.rep('x', 1e6), 'x', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'))",
        "local ok, e = pcall(string.rep, 'x', 1e9) return #string.rep('x', 1e9)",
    ] {
        let out = engine.eval(code.as_bytes(), "rep");
        assert!(
            matches!(out, Err(ScriptError::Aborted(Trip::Memory))),
            "{code}: {out:?}"
        );
    }
}

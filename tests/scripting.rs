//! EVAL / EVALSHA / SCRIPT through the shard engine. Expected replies were taken from a real
//! redis-server 7.0.15 (Debian) unless a comment says the difference is deliberate.
//! Runs natively (`cargo test`) and in Chromium (`wasm-pack test --headless --chrome`).

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

use marekvs::engine::{CallCtx, Shard};
use marekvs::reply::Reply;

fn shard() -> Shard {
    Shard::standalone(7)
}

fn run(sh: &mut Shard, args: &[&str]) -> Reply {
    let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let mut cx = CallCtx::new(1_700_000_000_000);
    sh.execute(&argv, &mut cx)
}

fn eval(sh: &mut Shard, script: &str) -> Reply {
    run(sh, &["EVAL", script, "0"])
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

fn err(s: &str) -> Reply {
    Reply::Error(s.to_string())
}

fn sha(body: &str) -> String {
    marekvs::scripting::sha1_hex(body.as_bytes())
}

/// The reply of `script` raising `msg` at its line 1 (Redis 7's runtime error form).
fn line1_error(script: &str, msg: &str) -> Reply {
    err(&format!(
        "ERR user_script:1: {msg} script: {}, on @user_script:1.",
        sha(script)
    ))
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn return_value_conversions() {
    let mut sh = shard();
    assert_eq!(eval(&mut sh, "return 3.7"), Reply::Integer(3));
    assert_eq!(eval(&mut sh, "return 3.0"), Reply::Integer(3));
    assert_eq!(eval(&mut sh, "return 10/2"), Reply::Integer(5));
    assert_eq!(eval(&mut sh, "return -2.9"), Reply::Integer(-2));
    // Out of range, infinite and NaN floats: -2^63, as redis-server's cast gives on x86-64.
    assert_eq!(
        eval(&mut sh, "return {2^63, -2^64, 1/0, -1/0, 0/0, 2^62, -2^63}"),
        Reply::Array(vec![
            Reply::Integer(i64::MIN),
            Reply::Integer(i64::MIN),
            Reply::Integer(i64::MIN),
            Reply::Integer(i64::MIN),
            Reply::Integer(i64::MIN),
            Reply::Integer(1 << 62),
            Reply::Integer(i64::MIN),
        ])
    );
    assert_eq!(
        eval(&mut sh, "return 9007199254740993"),
        Reply::Integer(9007199254740993)
    );
    assert_eq!(eval(&mut sh, "return true"), Reply::Integer(1));
    assert_eq!(eval(&mut sh, "return false"), Reply::Nil);
    assert_eq!(eval(&mut sh, "return nil"), Reply::Nil);
    assert_eq!(eval(&mut sh, "return 'x'"), bulk("x"));
    assert_eq!(
        eval(&mut sh, "return {1,2,3.5,'x',nil,4}"),
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Integer(2),
            Reply::Integer(3),
            bulk("x")
        ])
    );
    assert_eq!(
        eval(&mut sh, "return {1, false, 2}"),
        Reply::Array(vec![Reply::Integer(1), Reply::Nil, Reply::Integer(2)])
    );
    assert_eq!(
        eval(&mut sh, "return {ok='fine'}"),
        Reply::Status("fine".into())
    );
    assert_eq!(
        eval(&mut sh, "return {ok='a\\nb'}"),
        Reply::Status("a b".into())
    );
    assert_eq!(eval(&mut sh, "return {err='MY custom'}"), err("MY custom"));
    assert_eq!(eval(&mut sh, "return {err=5}"), Reply::Array(vec![]));
    assert_eq!(eval(&mut sh, "return {err='x', ok='y'}"), err("x"));
    assert_eq!(
        eval(&mut sh, "return redis.status_reply(5)"),
        err("ERR wrong number or type of arguments")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn error_reply_code_parsing() {
    let mut sh = shard();
    assert_eq!(eval(&mut sh, "return redis.error_reply('x')"), err("ERR x"));
    assert_eq!(
        eval(&mut sh, "return redis.error_reply('MY err')"),
        err("MY err")
    );
    assert_eq!(
        eval(&mut sh, "return redis.error_reply('-ERR x')"),
        err("ERR x")
    );
    assert_eq!(eval(&mut sh, "return redis.error_reply('')"), err("ERR "));
    assert_eq!(
        eval(&mut sh, "return type(redis.error_reply('x'))"),
        bulk("table")
    );
    assert_eq!(
        eval(&mut sh, "return redis.error_reply('x').err"),
        bulk("ERR x")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn script_error_texts() {
    let mut sh = shard();
    run(&mut sh, &["SET", "s", "abc"]);
    let s = "error('boom')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR user_script:1: boom script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    let s = "return redis.call('incr','s')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR value is not an integer or out of range script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    assert_eq!(
        eval(&mut sh, "return redis.pcall('incr','s')"),
        err("ERR value is not an integer or out of range")
    );
    let s = "local x = nil; return x.y";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:1: attempt to index local 'x' (a nil value) script: {}, on @user_script:1.", sha(s)))
    );
    assert_eq!(
        eval(&mut sh, "return 1 +"),
        err("ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'")
    );
    let s = "error({err='MY custom'})";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("MY custom script: {}, on @user_script:1.", sha(s)))
    );
    let s = "return redis.call('nosuch')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR Unknown Redis command called from script script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    let s = "return redis.call('get', 'a', 'b')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR Wrong number of args calling Redis command from script script: {}, on @user_script:1.", sha(s)))
    );
    let s = "return redis.call()";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR Please specify at least one argument for this redis lib call script: {}, on @user_script:1.", sha(s)))
    );
    let s = "return redis.call('set', KEYS[1], 1)";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR Lua redis lib command arguments must be strings or integers script: {}, on @user_script:1.", sha(s)))
    );
    let s = "error('boom', 0)";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR boom script: {}, on @user_script:1.", sha(s)))
    );
    let s = "error()";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR nil script: {}, on @user_script:1.", sha(s)))
    );
    let s = "local function f() error('deep') end\nf()";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR user_script:1: deep script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    let s = "local t = {}\nt.x.y = 1";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:2: attempt to index field 'x' (a nil value) script: {}, on @user_script:2.", sha(s)))
    );
    // redis-server 7.0 crashes on this one (segfault); here it is an error reply.
    let r = eval(&mut sh, "error({foo='bar'})");
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("ERR ")),
        "{r:?}"
    );
    assert_eq!(run(&mut sh, &["PING"]), Reply::Status("PONG".into()));
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn pcall_and_xpcall_on_redis_errors() {
    let mut sh = shard();
    run(&mut sh, &["SET", "s", "abc"]);
    assert_eq!(
        eval(
            &mut sh,
            "local ok, e = pcall(redis.call, 'incr', 's') return {tostring(ok), type(e), e}"
        ),
        Reply::Array(vec![
            bulk("false"),
            bulk("string"),
            bulk("ERR value is not an integer or out of range")
        ])
    );
    assert_eq!(
        eval(&mut sh, "local ok, e = xpcall(function() return redis.call('incr', 's') end, function(e) return e end) return {type(e), e.err}"),
        Reply::Array(vec![bulk("table"), bulk("ERR value is not an integer or out of range")])
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn globals_are_protected() {
    let mut sh = shard();
    let s = "return x";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:1: Script attempted to access nonexistent global variable 'x' script: {}, on @user_script:1.", sha(s)))
    );
    let s = "x = 1";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR user_script:1: Attempt to modify a readonly table script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    let s = "if y == nil then return 1 end";
    assert!(
        matches!(eval(&mut sh, s), Reply::Error(e) if e.contains("nonexistent global variable 'y'"))
    );
    for s in [
        "string.upper = nil",
        "redis.call = nil",
        "cjson = nil",
        "math.pi = 3",
        "table.x = 1",
    ] {
        assert!(
            matches!(eval(&mut sh, s), Reply::Error(e) if e.contains("Attempt to modify a readonly table")),
            "{s}"
        );
    }
    let s = "rawset(_G, 'x', 1)";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR Attempt to modify a readonly table script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    assert_eq!(eval(&mut sh, "return rawget(_G, 'missing')"), Reply::Nil);
    assert!(
        matches!(eval(&mut sh, "getmetatable('').__index = {}"), Reply::Error(e) if e.contains("readonly"))
    );
    assert!(matches!(
        eval(&mut sh, "setmetatable(_G, nil)"),
        Reply::Error(_)
    ));
    assert_eq!(eval(&mut sh, "return ('x'):rep(3)"), bulk("xxx"));
    // Locals are fine.
    assert_eq!(eval(&mut sh, "local x = 1 return x + 1"), Reply::Integer(2));
    // Chunks made by load/loadstring see the same read-only globals (as in Redis 7): no
    // script can leave a global for a later one.
    for s in [
        "loadstring('x = 1')()",
        "load('x = 1')()",
        "load('KEYS = 1', 'n', 't')()",
        "loadstring('STASH = KEYS')()",
    ] {
        assert!(
            matches!(eval(&mut sh, s), Reply::Error(e) if e.contains("Attempt to modify a readonly table")),
            "{s}"
        );
    }
    assert!(
        matches!(eval(&mut sh, "return STASH"), Reply::Error(e) if e.contains("nonexistent global variable 'STASH'"))
    );
    assert_eq!(
        eval(
            &mut sh,
            "return loadstring('return redis.call(\"ping\")')()"
        ),
        Reply::Status("PONG".into())
    );
    assert_eq!(
        run(
            &mut sh,
            &["EVAL", "return load('return KEYS[1]')()", "1", "k"]
        ),
        bulk("k")
    );
    // An explicit environment is honoured.
    assert_eq!(
        eval(
            &mut sh,
            "local t = {} load('y = 2', 'n', 't', t)() return t.y"
        ),
        Reply::Integer(2)
    );
}

/// The globals and library tables are read-only tables themselves (a flag the patched VM and
/// C API check, as Redis 7 patches its Lua), not proxies: every write path refuses, reads see
/// the real tables. Expected texts from redis-server 7.0.15.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn read_only_tables_refuse_every_write_path() {
    let mut sh = shard();
    let refused = |s: &str, at_line: bool| {
        let pos = if at_line { "user_script:1: " } else { "" };
        err(&format!(
            "ERR {pos}Attempt to modify a readonly table script: {}, on @user_script:1.",
            sha(s)
        ))
    };
    for (s, at_line) in [
        // Existing keys (the VM's fast path) and new ones.
        ("string.format = string.format", true),
        ("KEYS = KEYS", true),
        ("redis.call = redis.pcall", true),
        ("_G.newname = 1", true),
        ("string[1] = 1", true),
        ("local k = 'len' string[k] = 1", true),
        // Through a __newindex chain.
        ("setmetatable({}, {__newindex = string}).format = 1", true),
        ("setmetatable({}, {__newindex = string}).zzz = 1", true),
        // From C functions (no position, as in Redis).
        ("table.insert(string, 1)", false),
        ("table.insert(_G, 1)", false),
        ("rawset(string, 'x', 1)", false),
        ("rawset(_G, 'x', 1)", false),
        ("setmetatable(string, {})", false),
    ] {
        run(&mut sh, &["EVAL", "return 1", "1", "k"]);
        assert_eq!(eval(&mut sh, s), refused(s, at_line), "{s}");
    }
    assert_eq!(
        eval(
            &mut sh,
            "for k in pairs(_G) do if k == 'redis' then return 1 end end return 0"
        ),
        Reply::Integer(1)
    );
    assert_eq!(
        eval(&mut sh, "return tostring(getmetatable(string))"),
        bulk("nil")
    );
    assert_eq!(
        eval(
            &mut sh,
            "local m = getmetatable('') return tostring(m.__index == string)"
        ),
        bulk("true")
    );
    assert_eq!(
        eval(&mut sh, "return rawequal(_G, _G._G)"),
        Reply::Integer(1)
    );
    // A read-only table raised as an error is answered (redis-server 7.0 answers its error
    // handler's own "Attempt to modify a readonly table") and stays untouched.
    assert!(matches!(eval(&mut sh, "error(string)"), Reply::Error(_)));
    assert_eq!(
        eval(
            &mut sh,
            "return {rawget(string, 'source'), string.len('ab')}"
        ),
        Reply::Array(vec![])
    );
    assert_eq!(eval(&mut sh, "return string.len('ab')"), Reply::Integer(2));
    // The host's own writes (KEYS, ARGV) leave the globals read-only.
    assert_eq!(
        run(
            &mut sh,
            &["EVAL", "return KEYS[1] .. ARGV[1]", "1", "a", "b"]
        ),
        bulk("ab")
    );
    let s = "x = 1";
    assert_eq!(eval(&mut sh, s), refused(s, true));
    assert!(
        matches!(eval(&mut sh, "return x"), Reply::Error(e) if e.contains("nonexistent global variable 'x'"))
    );
}

/// Every call sees KEYS and ARGV as fresh tables (Redis creates them per call), whatever an
/// earlier call did to its own.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn keys_and_argv_are_fresh_each_call() {
    let mut sh = shard();
    let check = "return {#KEYS, #ARGV, tostring(KEYS[2]), tostring(ARGV.foo), \
                 tostring(getmetatable(KEYS)), tostring(rawget(ARGV, 3)), KEYS[1], ARGV[1]}";
    let fresh = |k: &str, a: &str| {
        Reply::Array(vec![
            Reply::Integer(1),
            Reply::Integer(1),
            bulk("nil"),
            bulk("nil"),
            bulk("nil"),
            bulk("nil"),
            bulk(k),
            bulk(a),
        ])
    };
    assert_eq!(
        run(&mut sh, &["EVAL", check, "1", "k0", "a0"]),
        fresh("k0", "a0")
    );
    for (i, change) in [
        "KEYS[2] = 'x'; ARGV.foo = 1; ARGV[3] = 'y'",
        "setmetatable(KEYS, {__index = function() return 'mt' end})",
        "KEYS[1] = nil; ARGV[1] = nil; local n = #KEYS + #ARGV",
        "table.insert(KEYS, 'z'); table.remove(KEYS); ARGV[2] = 'b'; ARGV[2] = nil",
        "error(KEYS)",
    ]
    .iter()
    .enumerate()
    {
        run(&mut sh, &["EVAL", change, "1", "k", "a"]);
        let (k, a) = (format!("k{i}"), format!("a{i}"));
        assert_eq!(
            run(&mut sh, &["EVAL", check, "1", &k, &a]),
            fresh(&k, &a),
            "{change}"
        );
    }
    // A finalizer of an earlier call that kept its KEYS changes that table, not a later
    // call's.
    run(
        &mut sh,
        &[
            "EVAL",
            "local k = KEYS setmetatable({}, {__gc = function() k[1] = 'changed' end}) return 1",
            "1",
            "a",
        ],
    );
    assert_eq!(
        run(
            &mut sh,
            &["EVAL", "collectgarbage() return KEYS[1]", "1", "b"]
        ),
        bulk("b")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn redis_call_conversions() {
    let mut sh = shard();
    // RESP3: a verbatim string reply (INFO) arrives as {verbatim_string={format=, string=}}.
    assert_eq!(
        eval(
            &mut sh,
            "redis.setresp(3) local v = redis.call('info', 'server').verbatim_string \
             return {v.format, type(v.string), string.sub(v.string, 1, 8)}"
        ),
        Reply::Array(vec![bulk("txt"), bulk("string"), bulk("# Server")])
    );
    assert_eq!(
        eval(&mut sh, "return redis.call('ping')"),
        Reply::Status("PONG".into())
    );
    assert_eq!(
        eval(&mut sh, "return redis.call('lpop','nokey','2')"),
        Reply::Nil
    );
    assert_eq!(
        eval(&mut sh, "return type(redis.call('get','nokey'))"),
        bulk("boolean")
    );
    assert_eq!(
        eval(
            &mut sh,
            "redis.call('set','f',0.1) return redis.call('get','f')"
        ),
        bulk("0.10000000000000001")
    );
    assert_eq!(
        eval(
            &mut sh,
            "redis.call('set','f',10/2) return redis.call('get','f')"
        ),
        bulk("5")
    );
    assert_eq!(
        eval(
            &mut sh,
            "redis.call('set','f',2^63) return redis.call('get','f')"
        ),
        bulk("9.2233720368547758e+18")
    );
    assert_eq!(
        eval(&mut sh, "return redis.call('incrby','n',9007199254740993)"),
        Reply::Integer(9007199254740993)
    );
    run(&mut sh, &["HSET", "h", "a", "1"]);
    assert_eq!(
        eval(&mut sh, "return redis.call('hgetall','h')"),
        Reply::Array(vec![bulk("a"), bulk("1")])
    );
    // RESP3 inside the script, RESP2 client: the map becomes a flat array.
    assert_eq!(
        eval(&mut sh, "redis.setresp(3) return redis.call('hgetall','h')"),
        Reply::Map(vec![(bulk("a"), bulk("1"))])
    );
    assert_eq!(
        eval(
            &mut sh,
            "redis.setresp(3) return redis.call('hgetall','h').map.a"
        ),
        bulk("1")
    );
    let s = "return redis.setresp(4)";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR RESP version must be 2 or 3. script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    let s = "return redis.set_repl()";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR redis.set_repl() requires two arguments. script: {}, on @user_script:1.",
            sha(s)
        ))
    );
    assert_eq!(eval(&mut sh, "return redis.REPL_ALL"), Reply::Integer(3));
    assert_eq!(
        eval(&mut sh, "return redis.replicate_commands()"),
        Reply::Integer(1)
    );
    assert_eq!(eval(&mut sh, "return redis.breakpoint()"), Reply::Nil);
    assert_eq!(
        eval(&mut sh, "return redis.log(redis.LOG_WARNING, 'hi')"),
        Reply::Nil
    );
    assert_eq!(
        eval(&mut sh, "return redis.sha1hex('')"),
        bulk("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    );
    // Writes after TIME are fine (effects replication).
    assert_eq!(
        eval(
            &mut sh,
            "redis.call('time') return redis.call('set','t','1')"
        ),
        Reply::Status("OK".into())
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn keys_and_argv() {
    let mut sh = shard();
    assert_eq!(
        run(
            &mut sh,
            &[
                "EVAL",
                "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}",
                "2",
                "a",
                "b",
                "x",
                "y"
            ]
        ),
        Reply::Array(vec![bulk("a"), bulk("b"), bulk("x"), Reply::Integer(2)])
    );
    assert_eq!(
        run(&mut sh, &["EVAL", "return 1", "01"]),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        run(&mut sh, &["EVAL", "return 1", "-1"]),
        err("ERR Number of keys can't be negative")
    );
    assert_eq!(
        run(&mut sh, &["EVAL", "return 1", "3", "a"]),
        err("ERR Number of keys can't be greater than number of args")
    );
    assert_eq!(
        run(&mut sh, &["EVAL", "return 1"]),
        err("ERR wrong number of arguments for 'eval' command")
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn evalsha_script_load_exists_flush() {
    let mut sh = shard();
    assert_eq!(
        run(
            &mut sh,
            &["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"]
        ),
        err("NOSCRIPT No matching script. Please use EVAL.")
    );
    assert_eq!(
        run(&mut sh, &["EVALSHA", "abc", "0"]),
        err("NOSCRIPT No matching script. Please use EVAL.")
    );
    assert_eq!(
        run(&mut sh, &["SCRIPT", "LOAD", "return 1"]),
        bulk("e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    );
    assert_eq!(
        run(
            &mut sh,
            &["EVALSHA", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"]
        ),
        Reply::Integer(1)
    );
    assert_eq!(
        run(
            &mut sh,
            &[
                "SCRIPT",
                "EXISTS",
                "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB",
                "abc"
            ]
        ),
        Reply::Array(vec![Reply::Integer(1), Reply::Integer(0)])
    );
    assert_eq!(
        run(&mut sh, &["SCRIPT", "KILL"]),
        err("NOTBUSY No scripts in execution right now.")
    );
    assert_eq!(
        run(&mut sh, &["SCRIPT", "FLUSH", "bogus"]),
        err("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    );
    assert_eq!(
        run(&mut sh, &["SCRIPT", "FLUSH", "ASYNC"]),
        Reply::Status("OK".into())
    );
    assert_eq!(
        run(
            &mut sh,
            &["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"]
        ),
        err("NOSCRIPT No matching script. Please use EVAL.")
    );
    // The body is a hidden system record: invisible to KEYS/DBSIZE.
    run(&mut sh, &["SCRIPT", "LOAD", "return 2"]);
    assert_eq!(run(&mut sh, &["DBSIZE"]), Reply::Integer(0));
    assert_eq!(run(&mut sh, &["KEYS", "*"]), Reply::Array(vec![]));
    // A shard that never compiled the script resolves it from the record (as a replica would).
    let mut other = sh.clone();
    assert_eq!(
        run(&mut other, &["EVALSHA", &sha("return 2"), "0"]),
        Reply::Integer(2)
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn read_only_scripts_and_shebang_flags() {
    let mut sh = shard();
    let s = "return redis.call('set','a','1')";
    assert_eq!(
        run(&mut sh, &["EVAL_RO", s, "1", "a"]),
        err(&format!("ERR Write commands are not allowed from read-only scripts. script: {}, on @user_script:1.", sha(s)))
    );
    let s = "#!lua flags=no-writes\nreturn redis.call('set','a','1')";
    assert_eq!(
        run(&mut sh, &["EVAL", s, "1", "a"]),
        err(&format!("ERR Write commands are not allowed from read-only scripts. script: {}, on @user_script:2.", sha(s)))
    );
    assert_eq!(
        eval(&mut sh, "#!lua flags=bogus\nreturn 1"),
        err("ERR Unexpected flag in script shebang: bogus")
    );
    assert_eq!(
        eval(&mut sh, "#!python\nreturn 1"),
        err("ERR Unexpected engine in script shebang: #!python")
    );
    assert!(
        matches!(eval(&mut sh, "#!lua flags=allow-cross-slot-keys\nreturn 1"), Reply::Error(e) if e.contains("allow-cross-slot-keys"))
    );
    let s = "#!lua\nreturn x";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:2: Script attempted to access nonexistent global variable 'x' script: {}, on @user_script:2.", sha(s)))
    );
    assert_eq!(
        run(
            &mut sh,
            &["EVAL_RO", "return redis.call('get','a')", "1", "a"]
        ),
        Reply::Nil
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn scripts_cannot_call_scripting_commands() {
    let mut sh = shard();
    let s = "return redis.call('eval','return 1','0')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!(
            "ERR This Redis command is not allowed from script script: {}, on @user_script:1.",
            sha(s)
        ))
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn budget_abort_undoes_writes_and_ordinary_errors_keep_them() {
    let mut sh = shard();
    run(&mut sh, &["SET", "k", "before"]);
    run(&mut sh, &["RPUSH", "l", "a"]);
    let r = eval(&mut sh, "redis.call('set','k','during') redis.call('rpush','l','b') redis.call('set','new','1') while true do end");
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("SCRIPTTIMEOUT ")),
        "{r:?}"
    );
    assert_eq!(run(&mut sh, &["GET", "k"]), bulk("before"));
    assert_eq!(
        run(&mut sh, &["LRANGE", "l", "0", "-1"]),
        Reply::Array(vec![bulk("a")])
    );
    assert_eq!(run(&mut sh, &["EXISTS", "new"]), Reply::Integer(0));
    assert_eq!(
        run(&mut sh, &["CONFIG", "SET", "lua-time-limit", "60000"]),
        Reply::Status("OK".into())
    );
    let r = eval(
        &mut sh,
        "redis.call('set','k','during') local t = {} while true do t[#t+1] = ('x'):rep(1000) end",
    );
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("SCRIPTOOM ")),
        "{r:?}"
    );
    assert_eq!(run(&mut sh, &["GET", "k"]), bulk("before"));
    // An ordinary error keeps Redis semantics: earlier writes stand.
    let r = eval(&mut sh, "redis.call('set','k','kept') error('boom')");
    assert!(r.is_error());
    assert_eq!(run(&mut sh, &["GET", "k"]), bulk("kept"));
}

/// Element writes to existing collections (saved element by element by the undo record),
/// then writes that save keys whole, then a budget trip: the dataset is as before, to the
/// digest, and the collections go on working (pops see the restored ends).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn budget_abort_undoes_element_writes_to_collections() {
    let mut sh = shard();
    run(&mut sh, &["RPUSH", "l", "a", "b", "c"]);
    run(&mut sh, &["HSET", "h", "f1", "v1", "f2", "v2"]);
    run(&mut sh, &["ZADD", "z", "1", "m1", "2", "m2"]);
    run(&mut sh, &["SADD", "s", "m1"]);
    run(&mut sh, &["EXPIRE", "h", "1000"]);
    let digest = run(&mut sh, &["DEBUG", "DIGEST"]);
    let script = "redis.call('lpush','l','x') redis.call('lpop','l') redis.call('lpop','l') \
        redis.call('rpop','l') redis.call('lset','l',0,'y') redis.call('linsert','l','before','y','w') \
        redis.call('hset','h','f1','new','f3','v3') redis.call('hdel','h','f2') redis.call('persist','h') \
        redis.call('zadd','z',5,'m1',3,'m3') redis.call('zrem','z','m2') \
        redis.call('srem','s','m1') redis.call('sadd','s','m2') \
        redis.call('del','z') redis.call('set','s','now a string') while true do end";
    let r = eval(&mut sh, script);
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("SCRIPTTIMEOUT ")),
        "{r:?}"
    );
    assert_eq!(run(&mut sh, &["DEBUG", "DIGEST"]), digest);
    assert_eq!(
        run(&mut sh, &["SMEMBERS", "s"]),
        Reply::Array(vec![bulk("m1")])
    );
    assert!(matches!(run(&mut sh, &["TTL", "h"]), Reply::Integer(t) if t > 0));
    assert_eq!(run(&mut sh, &["LPOP", "l"]), bulk("a"));
    assert_eq!(run(&mut sh, &["RPOP", "l"]), bulk("c"));
    assert_eq!(
        run(&mut sh, &["LRANGE", "l", "0", "-1"]),
        Reply::Array(vec![bulk("b")])
    );
}

/// A call whose KEYS and ARGV equal the previous call's runs the script without the
/// arrays' setter in between (`Scripting::run`): its replies, error texts, positions and
/// budget trips must be those of a first call.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn repeated_keys_and_args_run_the_script_the_same_way() {
    let mut sh = shard();
    run(&mut sh, &["SET", "{k}1", "before"]);
    type Check = fn(&Reply) -> bool;
    let cases: [(&str, Check); 6] = [
        ("return {KEYS[1], ARGV[1], #KEYS, #ARGV}", |r| {
            *r == Reply::Array(vec![
                bulk("{k}1"),
                bulk("a"),
                Reply::Integer(2),
                Reply::Integer(1),
            ])
        }),
        ("return redis.call('GET', KEYS[1])", |r| {
            *r == bulk("before")
        }),
        (
            "\nerror('boom')",
            |r| matches!(r, Reply::Error(e) if e.starts_with("ERR user_script:2: boom script: ")),
        ),
        (
            "local t = nil\nreturn t.x",
            |r| matches!(r, Reply::Error(e) if e.starts_with("ERR user_script:2: attempt to index")),
        ),
        (
            "\n\nreturn redis.call('NOPE')",
            |r| matches!(r, Reply::Error(e) if e.starts_with("ERR Unknown Redis command called from script") && e.ends_with("@user_script:3.")),
        ),
        (
            "redis.call('SET', KEYS[1], 'during') while true do end",
            |r| matches!(r, Reply::Error(e) if e.starts_with("SCRIPTTIMEOUT ")),
        ),
    ];
    for (body, ok) in cases {
        let loaded = run(&mut sh, &["SCRIPT", "LOAD", body]);
        let Reply::Bulk(sha) = loaded else {
            panic!("{loaded:?}")
        };
        let sha = String::from_utf8(sha).unwrap();
        for round in 0..3 {
            let r = run(&mut sh, &["EVALSHA", &sha, "2", "{k}1", "{k}2", "a"]);
            assert!(ok(&r), "{body:?}, call {round}: {r:?}");
            assert_eq!(run(&mut sh, &["GET", "{k}1"]), bulk("before"), "{body:?}");
        }
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn partition_colocation() {
    let mut sh = Shard::owning_all(marekvs::router::PartitionMap::new(16), 1);
    // {a} and {b} hash to different partitions of 16.
    let a = "{a}x";
    let b = "{zzzz}y";
    let pa = sh.partition_map().partition_of_key(a.as_bytes());
    let pb = sh.partition_map().partition_of_key(b.as_bytes());
    assert_ne!(pa, pb);
    let r = run(&mut sh, &["EVAL", "return 1", "2", a, b]);
    assert!(
        matches!(&r, Reply::Error(e) if e.starts_with("CROSSSLOT")),
        "{r:?}"
    );
    // Refused before the script is loaded or looked up (as Redis Cluster refuses it before
    // running the command): not cached, and CROSSSLOT rather than NOSCRIPT or a compile error.
    let body = "return 'not cached'";
    let r = run(&mut sh, &["EVAL", body, "2", a, b]);
    assert!(matches!(&r, Reply::Error(e) if e.starts_with("CROSSSLOT")));
    assert_eq!(
        run(&mut sh, &["SCRIPT", "EXISTS", &sha(body)]),
        Reply::Array(vec![Reply::Integer(0)])
    );
    for argv in [
        ["EVALSHA", &sha("return 'unknown'")[..], "2", a, b],
        ["EVAL", "return +", "2", a, b],
        ["EVAL_RO", "return +", "2", a, b],
    ] {
        let r = run(&mut sh, &argv);
        assert!(
            matches!(&r, Reply::Error(e) if e.starts_with("CROSSSLOT")),
            "{argv:?}: {r:?}"
        );
    }
    let r = run(
        &mut sh,
        &["EVAL", &format!("return redis.call('get', '{b}')"), "1", a],
    );
    assert!(
        matches!(&r, Reply::Error(e) if e.contains("outside")),
        "{r:?}"
    );
    // No KEYS: the first key touched fixes the partition.
    let r = eval(
        &mut sh,
        &format!("redis.call('set', '{a}', 1) return redis.call('set', '{b}', 1)"),
    );
    assert!(matches!(&r, Reply::Error(_)), "{r:?}");
    assert_eq!(
        eval(
            &mut sh,
            &format!("redis.call('set', '{a}', 1) return redis.call('get', '{{a}}other')")
        ),
        Reply::Nil
    );
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn lua51_compatibility_names() {
    let mut sh = shard();
    assert_eq!(eval(&mut sh, "return unpack({1,2,3})"), Reply::Integer(1));
    assert_eq!(
        eval(&mut sh, "return table.getn({1,2,3})"),
        Reply::Integer(3)
    );
    assert_eq!(
        eval(&mut sh, "return loadstring('return 7')()"),
        Reply::Integer(7)
    );
    assert_eq!(eval(&mut sh, "return math.mod(7, 3)"), Reply::Integer(1));
    assert_eq!(
        eval(&mut sh, "return math.pow(2, 10)"),
        Reply::Integer(1024)
    );
    assert_eq!(
        eval(
            &mut sh,
            "return {table.maxn({1, 2, [7] = 1, x = 9}), table.maxn({})}"
        ),
        Reply::Array(vec![Reply::Integer(7), Reply::Integer(0)])
    );
    assert_eq!(
        eval(
            &mut sh,
            "return {math.log10(1000), math.ldexp(3, 2), math.ldexp(1, 2.9)}"
        ),
        Reply::Array(vec![
            Reply::Integer(3),
            Reply::Integer(12),
            Reply::Integer(4)
        ])
    );
    assert_eq!(eval(&mut sh, "return math.type(gcinfo())"), bulk("integer"));
    // table.getn is 5.1's raw length: no __len.
    assert_eq!(
        eval(
            &mut sh,
            "return table.getn(setmetatable({1, 2}, {__len = function() return 9 end}))"
        ),
        Reply::Integer(2)
    );
    // loadstring and load hand back 5.1's message for a bad chunk, `<eof>` quoted.
    assert_eq!(
        eval(
            &mut sh,
            "local f, e = loadstring('x =', 'nm') return {tostring(f), e}"
        ),
        Reply::Array(vec![
            bulk("nil"),
            bulk("[string \"nm\"]:1: unexpected symbol near '<eof>'")
        ])
    );
    assert_eq!(
        eval(&mut sh, "local f, e = load('return (') return e"),
        bulk("[string \"return (\"]:1: unexpected symbol near '<eof>'")
    );
    // load also takes a reader function; binary chunks stay refused.
    assert_eq!(
        eval(
            &mut sh,
            "local parts = {'return ', '4', '2'} local i = 0 \
             return load(function() i = i + 1 return parts[i] end)()"
        ),
        Reply::Integer(42)
    );
    assert_eq!(
        eval(
            &mut sh,
            "local f, e = load(string.dump(function() end)) return e"
        ),
        bulk("attempt to load a binary chunk (mode is 't')")
    );
}

/// Argument errors name the function as Lua 5.1's `luaL_argerror` (Redis's) does: as the call
/// names it, `'?'` when called from C (`pcall`), without `self` in a method call. Texts from
/// redis-server 7.0.15.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn argument_errors_name_the_function_as_called() {
    let mut sh = shard();
    for (script, msg) in [
        (
            "return select(2, pcall(string.match, false))",
            "bad argument #1 to '?' (string expected, got boolean)",
        ),
        (
            "return select(2, pcall(bit.tobit, 'abc'))",
            "bad argument #1 to '?' (number expected, got string)",
        ),
        (
            "return select(2, pcall(cjson.encode))",
            "bad argument #1 to '?' (expected 1 argument)",
        ),
    ] {
        assert_eq!(eval(&mut sh, script), bulk(msg), "{script}");
    }
    for (script, msg) in [
        (
            "local tb = bit.tohex return tb({})",
            "bad argument #1 to 'tb' (number expected, got table)",
        ),
        (
            "return ('x'):rep({})",
            "bad argument #1 to 'rep' (number expected, got table)",
        ),
    ] {
        assert_eq!(eval(&mut sh, script), line1_error(script, msg), "{script}");
    }
}

/// `string.rep` of nothing is nothing at once: Lua's copy loop would run `n` times in C, out
/// of reach of the budget and of SCRIPT KILL (redis-server 7.0 hangs on these).
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn string_rep_of_nothing_returns_at_once() {
    let mut sh = shard();
    assert_eq!(eval(&mut sh, "return string.rep('', 2^62)"), bulk(""));
    assert_eq!(
        eval(&mut sh, "return #string.rep('', math.maxinteger, '')"),
        Reply::Integer(0)
    );
    assert_eq!(eval(&mut sh, "return ('ab'):rep(3, '')"), bulk("ababab"));
    assert_eq!(eval(&mut sh, "return ('ab'):rep(2, '-')"), bulk("ab-ab"));
    assert_eq!(eval(&mut sh, "return ('ab'):rep(0, '-')"), bulk(""));
    let s = "return string.rep('x', 2^62)";
    assert_eq!(
        eval(&mut sh, s),
        line1_error(s, "resulting string too large")
    );
}

/// The 5.1 names are C functions, as in Redis: their argument errors name the function and
/// the script's line, also when called in tail position (which drops a Lua caller's frame in
/// Lua 5.4). Texts from redis-server 7.0.15.
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn lua51_compatibility_errors_read_as_in_redis() {
    let mut sh = shard();
    for (script, msg) in [
        (
            "return unpack(nil)",
            "bad argument #1 to 'unpack' (table expected, got nil)",
        ),
        (
            "local t = unpack('x') return t",
            "bad argument #1 to 'unpack' (table expected, got string)",
        ),
        (
            "return table.getn(nil)",
            "bad argument #1 to 'getn' (table expected, got nil)",
        ),
        (
            "return table.maxn(nil)",
            "bad argument #1 to 'maxn' (table expected, got nil)",
        ),
        (
            "return math.pow('x', 2)",
            "bad argument #1 to 'pow' (number expected, got string)",
        ),
        (
            "return math.log10('x')",
            "bad argument #1 to 'log10' (number expected, got string)",
        ),
        (
            "return math.ldexp(1, 'x')",
            "bad argument #2 to 'ldexp' (number expected, got string)",
        ),
        (
            "return math.mod(5, 'x')",
            "bad argument #2 to 'mod' (number expected, got string)",
        ),
        (
            "return loadstring(nil)",
            "bad argument #1 to 'loadstring' (string expected, got nil)",
        ),
        (
            "local f = loadstring({}) return 1",
            "bad argument #1 to 'loadstring' (string expected, got table)",
        ),
        (
            "return loadstring('x', {})",
            "bad argument #2 to 'loadstring' (string expected, got table)",
        ),
        (
            "return load(nil)",
            "bad argument #1 to 'load' (function expected, got nil)",
        ),
    ] {
        assert_eq!(eval(&mut sh, script), line1_error(script, msg), "{script}");
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn library_errors_read_as_in_redis() {
    let mut sh = shard();
    let s = "return cjson.decode('{')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:1: Expected object key string but found T_END at character 2 script: {}, on @user_script:1.", sha(s)))
    );
    assert_eq!(
        eval(
            &mut sh,
            "local ok, e = pcall(cjson.decode, '{') return {type(e), e}"
        ),
        Reply::Array(vec![
            bulk("string"),
            bulk("Expected object key string but found T_END at character 2")
        ])
    );
    let s = "return bit.band()";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:1: bad argument #1 to 'band' (number expected, got no value) script: {}, on @user_script:1.", sha(s)))
    );
    let s = "return struct.pack('i', 'x')";
    assert_eq!(
        eval(&mut sh, s),
        err(&format!("ERR user_script:1: bad argument #2 to 'pack' (number expected, got string) script: {}, on @user_script:1.", sha(s)))
    );
    assert_eq!(
        eval(&mut sh, "return cjson.encode({1,2,3})"),
        bulk("[1,2,3]")
    );
}

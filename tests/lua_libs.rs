//! Redis's Lua libraries (`cjson`, `cmsgpack`, `bit`, `struct`) against Redis 7.0.
//!
//! `REDIS_CASES` holds 462 expressions with the output a real `redis-server` 7.0.15
//! (Debian) gave for them: every expected value below was produced by running the same script
//! text (prelude + case) through `redis-cli EVAL` and is not hand-written. The script renders
//! values portably between Lua 5.1 and 5.4 (numbers with `%.17g`, strings with `\ddd`
//! escapes, tables with sorted keys) and errors as `ERR <message>`, so the comparison covers
//! error texts including their `user_script:<line>:` position. The cases run in order on one
//! state, as they did on the server (the cjson configuration persists between them).
//!
//! The other tests cover what Redis cannot show: Lua 5.4 integer subtypes, and hostile inputs
//! (no panic, bounded work).

use mlua::{Lua, Value};

const PRELUDE: &str = include_str!("lua_libs_gen/prelude.lua");

// (Lua expression, output of redis-server 7.0.15), generated.
include!("lua_libs_gen/redis_cases.rs");

fn state() -> Lua {
    let lua = Lua::new();
    marekvs::lua::libs::install(&lua).unwrap();
    let errtext = lua
        .create_function(|lua, v: Value| {
            Ok(match v {
                Value::Error(e) => marekvs::lua::error_text(&e),
                other => lua
                    .coerce_string(other)?
                    .map(|s| s.to_string_lossy())
                    .unwrap_or_default(),
            })
        })
        .unwrap();
    lua.globals().set("errtext", errtext).unwrap();
    lua
}

fn run_case(lua: &Lua, expr: &str) -> String {
    let script = format!(
        "{PRELUDE}\nlocal r = {{n = 0}}\nlocal function cap(ok, ...) if not ok then return 'ERR ' .. errtext((...)) end return show(...) end\nreturn cap(pcall(function() return {expr}\nend))"
    );
    match lua
        .load(&script)
        .set_name("@user_script")
        .eval::<mlua::LuaString>()
    {
        Ok(s) => s.to_string_lossy(),
        Err(e) => format!("HOST ERROR {}", marekvs::lua::error_text(&e)),
    }
}

#[test]
fn matches_redis_7_0() {
    let lua = state();
    let mut bad = Vec::new();
    for (expr, want) in REDIS_CASES {
        let got = run_case(&lua, expr);
        if got != *want {
            bad.push(format!("{expr}\n   redis: {want}\n     got: {got}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} mismatches:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn eval<T: mlua::FromLuaMulti>(lua: &Lua, code: &str) -> T {
    lua.load(code)
        .eval::<T>()
        .unwrap_or_else(|e| panic!("{code}: {e}"))
}

fn eval_err(lua: &Lua, code: &str) -> String {
    match lua.load(code).set_name("@user_script").exec() {
        Ok(()) => panic!("{code}: expected an error"),
        Err(e) => marekvs::lua::error_text(&e),
    }
}

/// Lua 5.4 subtypes: integral values come back as integers (so `tostring` prints what Redis
/// prints), fractional ones as floats.
#[test]
fn integer_subtypes() {
    let lua = state();
    let cases: &[(&str, &str)] = &[
        ("math.type(cjson.decode('3'))", "integer"),
        ("math.type(cjson.decode('1e3'))", "integer"),
        ("math.type(cjson.decode('2.5'))", "float"),
        ("math.type(cjson.decode('-0'))", "float"),
        ("math.type(cjson.decode('1e300'))", "float"),
        ("tostring(cjson.decode('[1,2.5]')[1])", "1"),
        (
            "tostring(cjson.decode('-9223372036854775808'))",
            "-9223372036854775808",
        ),
        ("cjson.encode({3, 3.0, -0.0})", "[3,3,-0]"),
        ("math.type(bit.tobit(5))", "integer"),
        ("tostring(bit.band(7, 3.0))", "3"),
        ("math.type(struct.unpack('>i', '\\0\\0\\0\\1'))", "integer"),
        (
            "math.type(struct.unpack('>L', string.rep('\\255', 8)))",
            "float",
        ),
        ("math.type(select(2, struct.unpack('b', 'a')))", "integer"),
        ("math.type(cmsgpack.unpack(cmsgpack.pack(7)))", "integer"),
        ("math.type(cmsgpack.unpack(cmsgpack.pack(3.0)))", "integer"),
        ("math.type(cmsgpack.unpack(cmsgpack.pack(0.5)))", "float"),
        (
            "tostring(cmsgpack.unpack('\\211\\127\\255\\255\\255\\255\\255\\255\\255'))",
            "9223372036854775807",
        ),
        (
            "tostring(struct.unpack('>l', '\\127\\255\\255\\255\\255\\255\\255\\255'))",
            "9223372036854775807",
        ),
    ];
    for (code, want) in cases {
        let got: String = eval(&lua, &format!("return tostring({code})"));
        assert_eq!(&got, want, "{code}");
    }
}

/// A deterministic byte generator for the no-panic sweeps.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u8
    }
    fn bytes(&mut self, n: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..n)
            .map(|_| {
                let b = self.next();
                if alphabet.is_empty() {
                    b
                } else {
                    alphabet[b as usize % alphabet.len()]
                }
            })
            .collect()
    }
}

#[test]
fn hostile_inputs_error_without_panicking() {
    let lua = state();
    // Declared sizes far beyond the input: errors, nothing allocated for them.
    for code in [
        "cmsgpack.unpack('\\219\\255\\255\\255\\255')",
        "cmsgpack.unpack('\\219\\127\\255\\255\\255xyz')",
        "cmsgpack.unpack('\\221\\255\\255\\255\\255')",
        "cmsgpack.unpack('\\223\\255\\255\\255\\255\\1')",
        "cmsgpack.unpack_one('\\221\\255\\255\\255\\255', 0)",
        "cmsgpack.unpack(string.rep('\\223\\255\\255\\255\\255', 5000))",
        "cmsgpack.unpack(string.rep('\\145', 1000000))",
        "cmsgpack.unpack(string.rep('\\129\\1', 1000000))",
        "cmsgpack.unpack(string.rep('\\1', 100000))",
        "struct.unpack('c2147483647', 'x')",
        "struct.unpack('c2147483647c2147483647', string.rep('x', 100))",
        "struct.pack('c2147483647', 'x')",
        "struct.unpack('i32i32', 'x')",
        "struct.unpack(string.rep('c0', 100000), 'x')",
        "struct.unpack('s', string.rep('x', 100000))",
        "cjson.decode(string.rep('[', 1000000))",
        "cjson.decode(string.rep('{\"a\":', 1000000))",
        "cjson.decode(string.rep('\"\\\\u', 1000))",
        "cjson.decode('\"\\\\ud800\\\\u')",
        "cjson.decode('\"\\\\')",
        "cjson.decode('0x')",
    ] {
        let _ = eval_err(&lua, &format!("local x = {code}"));
    }
    assert_eq!(eval::<String>(&lua, "return bit.tohex(1, 2^40)"), "");
    let msg = eval_err(&lua, "cmsgpack.unpack('\\219\\255\\255\\255\\255')");
    assert_eq!(msg, "user_script:1: Missing bytes in input.");

    // Depth limits raised far beyond what a native stack could recurse through: the encoder
    // and decoders use explicit stacks.
    let n: i64 = eval(
        &lua,
        "cjson.encode_max_depth(2^30) cjson.decode_max_depth(2^30)
         local t = {} local c = t for i = 1, 200000 do c[1] = {} c = c[1] end
         local s = cjson.encode(t)
         local d = cjson.decode(s)
         local n = 0 while type(d) == 'table' do n = n + 1 d = d[1] end
         cjson.encode_max_depth(1000) cjson.decode_max_depth(1000)
         return n",
    );
    assert_eq!(n, 200001);

    // Every prefix of a valid message either decodes or errors.
    let packed: mlua::LuaString = eval(
        &lua,
        "return cmsgpack.pack({1, 'abc', {x = {0.5, 2^40, -2^40}, [true] = false}, string.rep('z', 300)}, 7)",
    );
    let packed = packed.as_bytes().to_vec();
    let unpack: mlua::Function = eval(&lua, "return cmsgpack.unpack");
    let decode: mlua::Function = eval(&lua, "return cjson.decode");
    let sunpack: mlua::Function = eval(&lua, "return struct.unpack");
    for cut in 0..packed.len() {
        let s = lua.create_string(&packed[..cut]).unwrap();
        let _ = unpack.call::<mlua::MultiValue>(s);
    }
    // Random inputs.
    let mut rng = Lcg(42);
    for i in 0..3000 {
        let len = (rng.next() as usize) % 64;
        let bytes = rng.bytes(len, &[]);
        let s = lua.create_string(&bytes).unwrap();
        let _ = unpack.call::<mlua::MultiValue>(s.clone());
        let json = rng.bytes(len, b"[]{}:,\"\\u0123456789abcdefxtrunl-+.eE \t");
        let _ = decode.call::<mlua::Value>(lua.create_string(&json).unwrap());
        let fmt = rng.bytes(len % 16, b"<>!=0123456789xbBhHlLTiIfdcs ");
        let _ = sunpack.call::<mlua::MultiValue>((lua.create_string(&fmt).unwrap(), s, 1 + i % 5));
    }
}

#[test]
fn installed_by_the_engine_with_positions() {
    use marekvs::lua::{Engine, Limits, ScriptError};
    let engine = Engine::new(Limits::default()).unwrap();
    let out = engine
        .eval(b"return cjson.encode({1,2,3}), bit.tohex(255, -2), #struct.pack('>I', 1), #cmsgpack.pack({1})", "user_script")
        .unwrap();
    let v: Vec<String> = out.iter().map(|v| v.to_string().unwrap()).collect();
    assert_eq!(v, ["[1,2,3]", "FF", "4", "2"]);
    // The modules' metadata fields, as the C libraries set them.
    let out = engine
        .eval(
            b"return cjson._NAME, cjson._VERSION, cmsgpack._NAME, cmsgpack._VERSION, \
              cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION, type(cjson.null), type(cjson.new)",
            "user_script",
        )
        .unwrap();
    let v: Vec<String> = out.iter().map(|v| v.to_string().unwrap()).collect();
    assert_eq!(
        v,
        [
            "cjson",
            "2.1.0",
            "cmsgpack",
            "lua-cmsgpack 0.4.0",
            "Copyright (C) 2012, Salvatore Sanfilippo",
            "MessagePack C implementation for Lua",
            "userdata",
            "function"
        ]
    );
    match engine.eval(b"return cjson.decode('x')", "user_script") {
        Err(ScriptError::Runtime(m)) => assert_eq!(
            m,
            "user_script:1: Expected value but found invalid token at character 1"
        ),
        other => panic!("{other:?}"),
    }
}

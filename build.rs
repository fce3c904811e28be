//! Build script: compile Lua 5.4 ourselves, for every target (mlua uses it through its
//! `external` feature). On wasm32, mlua's `vendored` build does not know the target; on both,
//! the VM and the C API carry small patches (the script budget's countdown, read-only tables and
//! OP_CALL's inlined path for Lua functions, see [`patch_lua`] and docs/scripting.md); on
//! wasm32 `lobject.c`'s number conversion calls the crate's parser ([`LOBJECT`]).
//!
//! Lua's C sources come from the `lua-src` crate (the same registry package mlua vendors from);
//! no copy of Lua is kept in this repository.

use std::env;
use std::path::{Path, PathBuf};

/// The `lua-src` release pinned in Cargo.toml and the Lua directory inside it.
const LUA_SRC_CRATE: &str = "lua-src-551.0.2";
const LUA_DIR: &str = "lua-5.4.9";

/// Lua sources left out natively: the standalone programs, and those compiled from their
/// patched copies instead (`patch_lua`).
const SKIPPED_NATIVE: &[&str] = &[
    "lua.c",
    "luac.c",
    "lvm.c",
    "lapi.c",
    "lstrlib.c",
    "ltablib.c",
    "lauxlib.c",
    "llex.c",
];

/// Lua sources that run when a script is compiled or loaded, or are rarely called (parser, lexer,
/// code generator, `string.dump`, coroutine library, library registration): compiled
/// for size. The VM core and the libraries the benchmarks exercise stay at -O3 (docs/edge.md,
/// "Sizes", has the measurement).
const COLD: &[&str] = &[
    "lparser.c",
    "llex.c",
    "lcode.c",
    "ldump.c",
    "lcorolib.c",
    "linit.c",
];

/// Lua sources left out on wasm: the standalone programs, the libraries that reach the host
/// (io, os, package, debug — `debug.debug` reads stdin), utf8, which the sandbox does not
/// open either (Redis's Lua 5.1 has none), and the loader of binary chunks, which every load
/// here refuses (text mode; `csrc/wasm_host.c` has a stub `luaU_undump`). `lauxlib.c` is
/// compiled through `csrc/lauxlib_wasm.c`.
const SKIPPED: &[&str] = &[
    "lua.c",
    "luac.c",
    "liolib.c",
    "loslib.c",
    "loadlib.c",
    "ldblib.c",
    "lutf8lib.c",
    "lundump.c",
    "lauxlib.c",
    "lvm.c",
    "lapi.c",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-env-changed=MAREKVS_LUA_SRC");
    compact_embedded_lua();
    let target = env::var("TARGET").unwrap_or_default();
    let lua_dir = find_lua_sources();
    let patched = patch_lua(&lua_dir);
    if !target.starts_with("wasm32") {
        build_native(&lua_dir, &patched);
        return;
    }
    let wasi_include =
        env::var("MAREKVS_WASI_INCLUDE").unwrap_or_else(|_| "/usr/include/wasm32-wasi".into());
    let wasi_lib = env::var("MAREKVS_WASI_LIB").unwrap_or_else(|_| "/usr/lib/wasm32-wasi".into());

    let host_header = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("csrc/include/marekvs_host.h");
    let mut build = cc::Build::new();
    build
        .warnings(false)
        // Our shims (setjmp.h) come before wasi-libc's headers.
        .include("csrc/include")
        .include(&lua_dir)
        .flag("-isystem")
        .flag(&wasi_include)
        .define("__wasi__", None)
        .define("LUA_COMPAT_5_3", None)
        // lvm.c dispatches through a computed-goto table when the compiler is GNU-like; wasm has
        // no indirect branches, so LLVM turns every `goto *disptab[op]` into a load of the
        // label's number from that table and then the switch's br_table. The plain switch is
        // one br_table on the opcode: fib(27) -18 %, sort -5 %, strings level in Node
        // (docs/performance.md). The native build keeps the computed gotos.
        .define("LUA_USE_JUMPTABLE", "0")
        // No <signal.h> (wasi-libc refuses it): the hook flag only needs an int.
        .define("l_signalT", "int")
        // Lua's output goes to the host, not to stdio.
        .define("lua_writestring(s,l)", "marekvs_lua_write((s),(l))")
        .define("lua_writeline()", "marekvs_lua_write(\"\\n\",1)")
        .define(
            "lua_writestringerror(s,p)",
            "marekvs_lua_write_error((s),(p))",
        )
        // table.sort's pivot randomization would call arc4random (a WASI import).
        .define("l_randomizePivot()", "marekvs_random_pivot()")
        .flag("-include")
        .flag(host_header.to_string_lossy().as_ref())
        .flag("-mllvm")
        .flag("-wasm-enable-sjlj")
        .flag("-fno-common");
    // The VM is the hot path: optimize it for speed whatever the Rust profile's level (which
    // may favour size); the cold files (COLD) for size, as a second archive.
    let mut cold = build.clone();
    build.opt_level(3);
    cold.opt_level_str("s");
    let mut hot = Vec::new();
    for (name, path) in lua_sources(&lua_dir, SKIPPED) {
        if name == "llex.c" {
            cold.file(&patched[5]);
        } else if COLD.contains(&name.as_str()) {
            cold.file(&path);
        } else if name == "lobject.c" {
            hot.push((name, patch_file(&lua_dir, "lobject.c", LOBJECT)));
        } else if name == "lstrlib.c" {
            hot.push((name, patched[2].clone()));
        } else if name == "ltablib.c" {
            hot.push((name, patched[3].clone()));
        } else {
            hot.push((name, path));
        }
    }
    // The Lua 5.1 names and the text-only `load` (argument checks and a loop each).
    cold.file("csrc/lua_compat.c");
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    hot.push(("lapi.c".into(), patched[1].clone()));
    hot.push(("lauxlib.c".into(), manifest.join("csrc/lauxlib_wasm.c")));
    // ... which includes the patched lauxlib.c by this name.
    build.define(
        "MAREKVS_LAUXLIB",
        Some(format!("\"{}\"", patched[4].display()).as_str()),
    );
    // The hot sources are compiled as one translation unit (`one_unit`) so that the table
    // library's and the string library's calls into the C API, the tables and the strings can be
    // inlined (sort 200k −20 % in Node). At -O3's default inline threshold (250) that grows the
    // module by 23 KB gzip; at 100 it costs 4 KB and keeps the gain on sort (docs/performance.md).
    // The VM (lvm.c) stays a unit of its own: with the table and call code inlined into it,
    // luaV_execute grew by ≈ 12 KB and V8 compiled its dispatch loop worse (with
    // scripts/build.sh's wasm-opt settings, fib(27) in Chromium ≈ 5 % slower; docs/
    // performance.md, "luaV_execute on its own").
    build
        .flag("-mllvm")
        .flag("-inline-threshold=100")
        .include("csrc")
        .file(one_unit(&hot))
        .file(&patched[0])
        .file("csrc/lua_readonly.c")
        .file("csrc/wasm_host.c")
        .file("csrc/wasm_sjlj.c");
    build.compile("lua5.4");
    cold.compile("lua5.4cold");
    // memcpy/memmove/memset (csrc/wasm_mem.c): with bulk memory for their large sizes, so in
    // an archive of their own (the Lua build does not enable it).
    let mut mem = cc::Build::new();
    mem.warnings(false)
        .flag("-isystem")
        .flag(&wasi_include)
        .flag("-mbulk-memory")
        .flag("-fno-builtin")
        .opt_level(3)
        .file("csrc/wasm_mem.c");
    mem.compile("marekvs_mem");

    // libc (string, math, printf) from Debian's wasi-libc; time() and stdio are ours.
    println!("cargo:rustc-link-search=native={wasi_lib}");
    println!("cargo:rustc-link-lib=static=c");
}

/// Lua's order in its own `onelua.c` (the sources' statics and macros are made to meet in one
/// translation unit in this order).
const ONE_ORDER: &[&str] = &[
    "lzio.c",
    "lctype.c",
    "lopcodes.c",
    "lmem.c",
    "lundump.c",
    "ldump.c",
    "lstate.c",
    "lgc.c",
    "llex.c",
    "lcode.c",
    "lparser.c",
    "ldebug.c",
    "lfunc.c",
    "lobject.c",
    "ltm.c",
    "lstring.c",
    "ltable.c",
    "ldo.c",
    "lapi.c",
    "lauxlib.c",
    "lbaselib.c",
    "lcorolib.c",
    "ldblib.c",
    "liolib.c",
    "lmathlib.c",
    "loadlib.c",
    "loslib.c",
    "lstrlib.c",
    "ltablib.c",
    "lutf8lib.c",
    "linit.c",
];

/// One C file (in OUT_DIR) that includes `files` (name, path) in `onelua.c`'s order, so the
/// compiler sees the VM, the table and string code, the call machinery and the libraries
/// together and can inline across them.
fn one_unit(files: &[(String, PathBuf)]) -> PathBuf {
    let mut text = String::from(
        "/* generated by build.rs: Lua's hot sources as one translation unit */\n\
         #define LUA_CORE\n#define LUA_LIB\n#define ltable_c\n\
         #include \"lprefix.h\"\n#include \"luaconf.h\"\n",
    );
    for name in ONE_ORDER {
        if let Some((_, path)) = files.iter().find(|(n, _)| n == name) {
            text.push_str(&format!("#include \"{}\"\n", path.display()));
            if *name == "lauxlib.c" {
                // lauxlib_wasm.c renamed the file loader and luaL_newstate while lauxlib.h
                // was read: declare the real ones (csrc/wasm_host.c) for the libraries that
                // follow.
                text.push_str(
                    "#undef luaL_loadfilex\n#undef luaL_newstate\n\
                     LUALIB_API int (luaL_loadfilex) (lua_State *L, const char *filename, \
                     const char *mode);\n\
                     LUALIB_API lua_State *(luaL_newstate) (void);\n",
                );
            }
        }
    }
    assert_eq!(
        files
            .iter()
            .filter(|(n, _)| ONE_ORDER.contains(&n.as_str()))
            .count(),
        files.len(),
        "a hot Lua source is missing from ONE_ORDER"
    );
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("lua_one.c");
    std::fs::write(&out, text).expect("write lua_one.c");
    out
}

/// Native: Lua as mlua's `vendored` feature builds it (`lua-src`: LUA_COMPAT_5_3 and
/// LUA_USE_LINUX), with the patched VM and C API.
fn build_native(lua_dir: &Path, patched: &[PathBuf]) {
    let mut build = cc::Build::new();
    build
        .warnings(false)
        .opt_level(3)
        .include("csrc")
        .include(lua_dir)
        .define("LUA_COMPAT_5_3", None)
        .flag_if_supported("-fno-common");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        build.define("LUA_USE_LINUX", None);
    } else if env::var("CARGO_CFG_TARGET_FAMILY").as_deref() == Ok("unix") {
        build.define("LUA_USE_POSIX", None);
    }
    for (_, path) in lua_sources(lua_dir, SKIPPED_NATIVE) {
        build.file(&path);
    }
    build
        .files(patched)
        .file("csrc/lua_readonly.c")
        .file("csrc/lua_compat.c");
    build.compile("lua5.4");
}

/// Lua's C files in `lua_dir` (file name, path), without those in `skipped`.
fn lua_sources(lua_dir: &Path, skipped: &[&str]) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(lua_dir).expect("read Lua source dir") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".c") && !skipped.contains(&name) {
            out.push((name.to_owned(), path.clone()));
        }
    }
    out
}

/// The patches, written to OUT_DIR as `lvm.c`, `lapi.c`, `lstrlib.c`, `ltablib.c`, `lauxlib.c` and
/// `llex.c` (the paths returned); the build
/// fails if an anchor is not found exactly once (a new Lua release must be looked at, not
/// patched blindly).
///
/// 1. The budget countdown of `csrc/lvm_budget.h` in `lvm.c`: at every backward jump (`dojump`
///    with a negative offset: `while`, `repeat`, `goto`), at every `OP_FORLOOP` and
///    `OP_TFORLOOP`, and at every entry into a Lua function (`startfunc`: calls, tail calls,
///    metamethods, coroutine starts).
/// 2. OP_CALL enters a Lua closure without calling `luaD_precall` (`csrc/lvm_call.h`: the same
///    steps, inlined; on wasm the call out of `luaV_execute` made V8 spill and reload the VM's
///    state around every Lua-to-Lua call).
/// 3. Read-only tables (`csrc/lua_readonly.h`, as Redis 7 patches its Lua): the fast path of
///    every table write (`OP_SETTABUP`, `OP_SETTABLE`, `OP_SETI`, `OP_SETFIELD`;
///    `lua_setfield`/`lua_setglobal`, `lua_settable`, `lua_seti`) also requires the table to be
///    writable, else it takes `luaV_finishset`, which refuses a read-only table (also one
///    reached through a `__newindex` chain); `lua_rawset`, `lua_rawsetp` and `lua_rawseti`
///    refuse too. Writes that create a table (`OP_SETLIST`, constructors) need no check.
/// 4. `string.rep` of an empty string with an empty separator answers `""` at once: its copy
///    loop would run `n` times (`string.rep('', 2^62)`), in C, where neither the budget's
///    countdown nor SCRIPT KILL reaches; `string.char`'s range error reads as in Lua 5.1
///    (`invalid value`): `lstrlib.c`, the third path returned.
/// 5. `table.move`'s two copy loops poll the budget every 4096 elements
///    (`csrc/lbudget_poll.h`): over absent keys (`table.move({}, 1, 2^40, 2)`) they run
///    without VM instructions or allocations (`ltablib.c`, the fourth path returned).
/// 6. `luaL_argerror` names a function it cannot name from the call (one called by `pcall` or
///    another C function) `'?'`, as Lua 5.1 and so Redis do, instead of searching the loaded
///    modules for it (`'string.match'`), and `luaL_typeerror` calls a light userdata (such as
///    `cjson.null`) `userdata` as 5.1 did: `lauxlib.c`, the fifth path returned.
/// 7. The lexer quotes the end of input in its errors (`near '<eof>'`, `'<eof>' expected`) as
///    5.1 did, for scripts and for `load`/`loadstring` alike: `llex.c`, the sixth path returned.
fn patch_lua(lua_dir: &Path) -> Vec<PathBuf> {
    const LVM: &[(&str, &str)] = &[
        (
            "#include \"lvm.h\"\n",
            "#include \"lvm.h\"\n#include \"lvm_budget.h\"\n#include \"lvm_call.h\"\n\
             #include \"lua_readonly.h\"\n",
        ),
        // OP_CALL: a Lua closure is entered without calling luaD_precall (csrc/lvm_call.h).
        (
            "        savepc(L);  /* in case of errors */\n        if ((newci = luaD_precall(L, ra, nresults)) == NULL)\n",
            "        savepc(L);  /* in case of errors */\n\
             \x20       if (ttisLclosure(s2v(ra))) {  /* marekvs: Lua call, in this VM */\n\
             \x20         ci = marekvs_precall_lua(L, ra, nresults);\n\
             \x20         goto startfunc;\n\
             \x20       }\n\
             \x20       if ((newci = luaD_precall(L, ra, nresults)) == NULL)\n",
        ),
        (
            "#define dojump(ci,i,e)\t{ pc += GETARG_sJ(i) + e; updatetrap(ci); }",
            "#define dojump(ci,i,e)\t{ if (GETARG_sJ(i) < 0) marekvs_count(L); \\\n\
             \t\t\t\tpc += GETARG_sJ(i) + e; updatetrap(ci); }",
        ),
        (
            " startfunc:\n  trap = L->hookmask;\n",
            " startfunc:\n  marekvs_count(L);\n  trap = L->hookmask;\n",
        ),
        (
            "        updatetrap(ci);  /* allows a signal to break the loop */\n",
            "        marekvs_count(L);\n        updatetrap(ci);  /* allows a signal to break the loop */\n",
        ),
        (
            "          pc -= GETARG_Bx(i);  /* jump back */\n        }\n        vmbreak;\n",
            "          pc -= GETARG_Bx(i);  /* jump back */\n          marekvs_count(L);\n        }\n        vmbreak;\n",
        ),
        // luaV_finishset: a read-only table refuses the write (its slot may be non-empty:
        // the fast paths below send existing keys of read-only tables here too).
        (
            "      Table *h = hvalue(t);  /* save 't' table */\n      lua_assert(isempty(slot));  /* slot must be empty */\n",
            "      Table *h = hvalue(t);  /* save 't' table */\n      marekvs_refuse(L, h);\n",
        ),
        (
            "    if (luaV_fastget(L, t, key, slot, luaH_get)) {\n      /* execute 'luaV_finishfastset'",
            "    if (luaV_fastget(L, t, key, slot, luaH_get) && marekvs_writable(t)) {\n      /* execute 'luaV_finishfastset'",
        ),
        (
            "        if (luaV_fastget(L, upval, key, slot, luaH_getshortstr)) {\n          luaV_finishfastset(",
            "        if (luaV_fastget(L, upval, key, slot, luaH_getshortstr) && marekvs_writable(upval)) {\n          luaV_finishfastset(",
        ),
        (
            "            : luaV_fastget(L, s2v(ra), rb, slot, luaH_get)) {\n          luaV_finishfastset(",
            "            : luaV_fastget(L, s2v(ra), rb, slot, luaH_get)) && marekvs_writable(s2v(ra))) {\n          luaV_finishfastset(",
        ),
        (
            "        if (ttisinteger(rb)  /* fast track for integers? */\n            ? (cast_void(n = ivalue(rb)), luaV_fastgeti(L, s2v(ra), n, slot))",
            "        if ((ttisinteger(rb)  /* fast track for integers? */\n            ? (cast_void(n = ivalue(rb)), luaV_fastgeti(L, s2v(ra), n, slot))",
        ),
        (
            "        if (luaV_fastgeti(L, s2v(ra), c, slot)) {\n          luaV_finishfastset(",
            "        if (luaV_fastgeti(L, s2v(ra), c, slot) && marekvs_writable(s2v(ra))) {\n          luaV_finishfastset(",
        ),
        (
            "        if (luaV_fastget(L, s2v(ra), key, slot, luaH_getshortstr)) {\n          luaV_finishfastset(",
            "        if (luaV_fastget(L, s2v(ra), key, slot, luaH_getshortstr) && marekvs_writable(s2v(ra))) {\n          luaV_finishfastset(",
        ),
    ];
    const LAPI: &[(&str, &str)] = &[
        (
            "#include \"lvm.h\"\n",
            "#include \"lvm.h\"\n#include \"lua_readonly.h\"\n",
        ),
        (
            "  if (luaV_fastget(L, t, str, slot, luaH_getstr)) {\n    luaV_finishfastset(",
            "  if (luaV_fastget(L, t, str, slot, luaH_getstr) && marekvs_writable(t)) {\n    luaV_finishfastset(",
        ),
        (
            "  if (luaV_fastget(L, t, s2v(L->top.p - 2), slot, luaH_get)) {\n    luaV_finishfastset(",
            "  if (luaV_fastget(L, t, s2v(L->top.p - 2), slot, luaH_get) && marekvs_writable(t)) {\n    luaV_finishfastset(",
        ),
        (
            "  if (luaV_fastgeti(L, t, n, slot)) {\n    luaV_finishfastset(",
            "  if (luaV_fastgeti(L, t, n, slot) && marekvs_writable(t)) {\n    luaV_finishfastset(",
        ),
        (
            "  t = gettable(L, idx);\n  luaH_set(L, t, key,",
            "  t = gettable(L, idx);\n  marekvs_refuse(L, t);\n  luaH_set(L, t, key,",
        ),
        (
            "  t = gettable(L, idx);\n  luaH_setint(L, t, n,",
            "  t = gettable(L, idx);\n  marekvs_refuse(L, t);\n  luaH_setint(L, t, n,",
        ),
    ];
    const LSTRLIB: &[(&str, &str)] = &[
        (
            "  if (n <= 0)\n    lua_pushliteral(L, \"\");\n  else if (l_unlikely(l + lsep < l",
            "  if (n <= 0 || l + lsep == 0)  /* marekvs: nothing to copy, n times */\n    \
             lua_pushliteral(L, \"\");\n  else if (l_unlikely(l + lsep < l",
        ),
        // string.char's range error in Lua 5.1's (Redis's) words.
        (
            "luaL_argcheck(L, c <= (lua_Unsigned)UCHAR_MAX, i, \"value out of range\");",
            "luaL_argcheck(L, c <= (lua_Unsigned)UCHAR_MAX, i, \"invalid value\");",
        ),
    ];
    const LTABLIB: &[(&str, &str)] = &[
        (
            "#include \"lualib.h\"\n",
            "#include \"lualib.h\"\n#include \"lbudget_poll.h\"\n",
        ),
        (
            "      for (i = 0; i < n; i++) {\n        lua_geti(L, 1, f + i);",
            "      for (i = 0; i < n; i++) {\n        marekvs_poll_every(L, i);\n        lua_geti(L, 1, f + i);",
        ),
        (
            "      for (i = n - 1; i >= 0; i--) {\n        lua_geti(L, 1, f + i);",
            "      for (i = n - 1; i >= 0; i--) {\n        marekvs_poll_every(L, i);\n        lua_geti(L, 1, f + i);",
        ),
    ];
    const LAUXLIB: &[(&str, &str)] = &[
        (
            "    ar.name = (pushglobalfuncname(L, &ar)) ? lua_tostring(L, -1) : \"?\";\n",
            "    ar.name = \"?\";  /* marekvs: as Lua 5.1 (Redis), no search of the loaded modules */\n",
        ),
        (
            "    typearg = \"light userdata\";  /* special name for messages */",
            "    typearg = \"userdata\";  /* marekvs: Lua 5.1's (Redis's) name */",
        ),
    ];
    const LLEX: &[(&str, &str)] = &[(
        "    if (token < TK_EOS)  /* fixed format (symbols and reserved words)? */",
        "    if (token <= TK_EOS)  /* marekvs: <eof> quoted too, as Lua 5.1 (Redis) */",
    )];
    [
        ("lvm.c", LVM),
        ("lapi.c", LAPI),
        ("lstrlib.c", LSTRLIB),
        ("ltablib.c", LTABLIB),
        ("lauxlib.c", LAUXLIB),
        ("llex.c", LLEX),
    ]
    .into_iter()
    .map(|(name, edits)| patch_file(lua_dir, name, edits))
    .collect()
}

/// wasm only: `lobject.c` converts decimal and hexadecimal numerals (`tonumber`, string
/// coercions, the lexer's float literals) with `marekvs_str2number` (src/lua/mod.rs, the
/// crate's `numfmt` parser) instead of libc's `strtod`, which then is not linked (≈ 5 KB of
/// wasm). Lua's checks around the call (`inf`/`nan` refused, trailing spaces) stay.
const LOBJECT: &[(&str, &str)] = &[(
    "  *result = (mode == 'x') ? lua_strx2number(s, &endptr)  /* try to convert */\n\
     \x20                         : lua_str2number(s, &endptr);\n",
    "  *result = marekvs_str2number(s, &endptr);  /* marekvs: numfmt's parser */\n\
     \x20 (void)mode;\n",
)];

/// `lua_dir`'s `name` with `edits` applied (each anchor must be found exactly once), written
/// to OUT_DIR; its path.
fn patch_file(lua_dir: &Path, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let src_path = lua_dir.join(name);
    let mut text = std::fs::read_to_string(&src_path)
        .unwrap_or_else(|e| panic!("read {}: {e}", src_path.display()));
    for (anchor, replacement) in edits {
        let found = text.matches(anchor).count();
        assert!(
            found == 1,
            "Lua patch: anchor found {found} times (want 1) in {}: {anchor:?}",
            src_path.display()
        );
        text = text.replacen(anchor, replacement, 1);
    }
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join(name);
    std::fs::write(&out, text).expect("write patched Lua source");
    out
}

/// Where `lua-src`'s copy of Lua 5.4 lives: `MAREKVS_LUA_SRC` if set, else the crate in cargo's
/// registry (it is a build-dependency, so cargo has unpacked it).
fn find_lua_sources() -> PathBuf {
    if let Ok(dir) = env::var("MAREKVS_LUA_SRC") {
        return PathBuf::from(dir);
    }
    let cargo_home = env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(&env::var("HOME").unwrap_or_default()).join(".cargo"));
    let registry = cargo_home.join("registry").join("src");
    if let Ok(indexes) = std::fs::read_dir(&registry) {
        for index in indexes.flatten() {
            let dir = index.path().join(LUA_SRC_CRATE).join(LUA_DIR);
            if dir.join("lua.h").exists() {
                return dir;
            }
        }
    }
    panic!(
        "Lua sources not found under {} (crate {LUA_SRC_CRATE}); set MAREKVS_LUA_SRC",
        registry.display()
    );
}

/// The Lua sources the crate embeds (`src/scripting/*.lua`), written to OUT_DIR without their
/// whole-line comments and indentation (2.4 KB less data in the module). Every line stays, so
/// positions in error messages are those of the files. Long strings and comments (`[[`) and
/// strings continued over a line end would not survive this: refused.
fn compact_embedded_lua() {
    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR"));
    for name in ["prelude.lua", "redis_api.lua"] {
        let src = Path::new("src/scripting").join(name);
        println!("cargo:rerun-if-changed={}", src.display());
        let text = std::fs::read_to_string(&src).expect("read embedded Lua");
        let mut compact = String::with_capacity(text.len());
        for line in text.lines() {
            assert!(
                !line.contains("[[") && !line.contains("[=") && !line.ends_with('\\'),
                "{}: long brackets and continued strings are not supported here",
                src.display()
            );
            let code = line.trim();
            if !code.starts_with("--") {
                compact.push_str(code);
            }
            compact.push('\n');
        }
        std::fs::write(out.join(name), compact).expect("write compacted Lua");
    }
}

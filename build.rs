//! Build script: on wasm32 targets, compile Lua 5.4 ourselves (mlua's `vendored` build does not
//! know that target). Natively nothing happens here: mlua's `vendored` feature builds Lua.
//!
//! Lua's C sources come from the `lua-src` crate (the same registry package mlua vendors from);
//! no copy of Lua is kept in this repository.

use std::env;
use std::path::{Path, PathBuf};

/// The `lua-src` release pinned in Cargo.toml and the Lua directory inside it.
const LUA_SRC_CRATE: &str = "lua-src-551.0.2";
const LUA_DIR: &str = "lua-5.4.9";

/// Lua sources left out on wasm: the standalone programs and the libraries that reach the host
/// (io, os, package, debug — `debug.debug` reads stdin). `lauxlib.c` is compiled through
/// `csrc/lauxlib_wasm.c`.
const SKIPPED: &[&str] = &[
    "lua.c",
    "luac.c",
    "liolib.c",
    "loslib.c",
    "loadlib.c",
    "ldblib.c",
    "lauxlib.c",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=csrc");
    println!("cargo:rerun-if-env-changed=MAREKVS_LUA_SRC");
    let target = env::var("TARGET").unwrap_or_default();
    if !target.starts_with("wasm32") {
        return;
    }
    let lua_dir = find_lua_sources();
    let wasi_include =
        env::var("MAREKVS_WASI_INCLUDE").unwrap_or_else(|_| "/usr/include/wasm32-wasi".into());
    let wasi_lib = env::var("MAREKVS_WASI_LIB").unwrap_or_else(|_| "/usr/lib/wasm32-wasi".into());

    let host_header = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
        .join("csrc/include/marekvs_host.h");
    let mut build = cc::Build::new();
    build
        .warnings(false)
        // The VM is the hot path: optimize it for speed whatever the Rust profile's level
        // (which may favour size).
        .opt_level(3)
        // Our shims (setjmp.h) come before wasi-libc's headers.
        .include("csrc/include")
        .include(&lua_dir)
        .flag("-isystem")
        .flag(&wasi_include)
        .define("__wasi__", None)
        .define("LUA_COMPAT_5_3", None)
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
    for entry in std::fs::read_dir(&lua_dir).expect("read Lua source dir") {
        let path = entry.expect("dir entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".c") && !SKIPPED.contains(&name) {
            build.file(&path);
        }
    }
    build
        .file("csrc/lauxlib_wasm.c")
        .file("csrc/wasm_host.c")
        .file("csrc/wasm_sjlj.c");
    build.compile("lua5.4");

    // libc (string, math, printf) from Debian's wasi-libc; time() and stdio are ours.
    println!("cargo:rustc-link-search=native={wasi_lib}");
    println!("cargo:rustc-link-lib=static=c");
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

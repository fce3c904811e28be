//! The Lua engine's foundation guarantees in a real browser (`wasm-pack test --headless --chrome`).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

mod engine_cases;

#[wasm_bindgen_test]
fn values_come_back() {
    engine_cases::values_come_back();
}
#[wasm_bindgen_test]
fn error_escaping_to_host_many_times_leaves_state_usable() {
    engine_cases::error_escaping_to_host_many_times_leaves_state_usable();
}
#[wasm_bindgen_test]
fn pcall_of_error_many_times_inside_lua() {
    engine_cases::pcall_of_error_many_times_inside_lua();
}
#[wasm_bindgen_test]
fn rust_callback_error_is_catchable_by_pcall() {
    engine_cases::rust_callback_error_is_catchable_by_pcall();
}
#[wasm_bindgen_test]
fn memory_bomb_stops_with_memory_error_and_state_stays_usable() {
    engine_cases::memory_bomb_stops_with_memory_error_and_state_stays_usable();
}
#[wasm_bindgen_test]
fn deadline_stops_busy_loop_near_the_deadline() {
    engine_cases::deadline_stops_busy_loop_near_the_deadline();
}
#[wasm_bindgen_test]
fn deadline_cannot_be_swallowed_by_pcall_xpcall_or_coroutines() {
    engine_cases::deadline_cannot_be_swallowed_by_pcall_xpcall_or_coroutines();
}
#[wasm_bindgen_test]
fn runaway_recursion_is_a_lua_error() {
    engine_cases::runaway_recursion_is_a_lua_error();
}
#[wasm_bindgen_test]
fn sandbox_has_no_host_access() {
    engine_cases::sandbox_has_no_host_access();
}
#[wasm_bindgen_test]
fn string_to_number_conversions() {
    engine_cases::string_to_number_conversions();
}
#[wasm_bindgen_test]
fn fib27_computes() {
    assert_eq!(engine_cases::fib27(), "196418");
}
#[wasm_bindgen_test]
fn deadline_stops_every_runaway() {
    engine_cases::deadline_stops_every_runaway();
}
#[wasm_bindgen_test]
fn frozen_clock_still_stops_every_runaway() {
    engine_cases::frozen_clock_still_stops_every_runaway();
}
#[wasm_bindgen_test]
fn lua_calls_pass_arguments_and_grow_the_stack() {
    engine_cases::lua_calls_pass_arguments_and_grow_the_stack();
}

/// The module's own memcpy/memmove/memset (csrc/wasm_mem.c: words for small sizes,
/// `memory.copy`/`memory.fill` past 64 bytes) against a byte loop, for every size up to 200
/// and every overlap of source and destination within 24 bytes, both directions.
#[wasm_bindgen_test]
fn copies_and_fills_of_every_size_and_overlap() {
    use std::hint::black_box;
    let pattern: Vec<u8> = (0..512u32).map(|i| (i * 7 + 3) as u8).collect();
    for n in 0..=200usize {
        // Non-overlapping copy (memcpy).
        let mut dst = vec![0xAAu8; n + 16];
        let at = black_box(5usize);
        let len = black_box(n);
        dst[at..at + len].copy_from_slice(&pattern[3..3 + len]);
        // References byte by byte (`black_box` keeps LLVM from making them memcpy calls).
        let mut want = vec![0xAAu8; n + 16];
        for i in 0..n {
            want[5 + i] = black_box(pattern[3 + i]);
        }
        assert_eq!(dst, want, "memcpy of {n}");
        // Overlapping moves (memmove), forwards and backwards.
        for shift in 1..24usize {
            for (from, to) in [(0usize, shift), (shift, 0)] {
                let mut buf: Vec<u8> = (0..n + 24).map(|i| black_box(pattern[i])).collect();
                buf.copy_within(black_box(from)..black_box(from + len), black_box(to));
                let mut want: Vec<u8> = (0..n + 24).map(|i| black_box(pattern[i])).collect();
                let src: Vec<u8> = (from..from + n).map(|i| black_box(want[i])).collect();
                for i in 0..n {
                    want[to + i] = black_box(src[i]);
                }
                assert_eq!(buf, want, "memmove of {n} from {from} to {to}");
            }
        }
        // Fill (memset).
        let mut buf = vec![1u8; n + 8];
        buf[black_box(3)..3 + len].fill(black_box(0x5C));
        let want: Vec<u8> = (0..n + 8)
            .map(|i| if (3..3 + n).contains(&i) { 0x5C } else { 1 })
            .collect();
        assert_eq!(buf, want, "memset of {n}");
    }
}

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

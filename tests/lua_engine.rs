//! The Lua engine's foundation guarantees, natively. The same cases run in Chromium through
//! `wasm-pack test` (tests/wasm_lua_engine.rs) and in Node through the npm package's tests.
#![cfg(not(target_arch = "wasm32"))]

mod engine_cases;

#[test]
fn values_come_back() {
    engine_cases::values_come_back();
}
#[test]
fn error_escaping_to_host_many_times_leaves_state_usable() {
    engine_cases::error_escaping_to_host_many_times_leaves_state_usable();
}
#[test]
fn pcall_of_error_many_times_inside_lua() {
    engine_cases::pcall_of_error_many_times_inside_lua();
}
#[test]
fn rust_callback_error_is_catchable_by_pcall() {
    engine_cases::rust_callback_error_is_catchable_by_pcall();
}
#[test]
fn memory_bomb_stops_with_memory_error_and_state_stays_usable() {
    engine_cases::memory_bomb_stops_with_memory_error_and_state_stays_usable();
}
#[test]
fn deadline_stops_busy_loop_near_the_deadline() {
    engine_cases::deadline_stops_busy_loop_near_the_deadline();
}
#[test]
fn deadline_cannot_be_swallowed_by_pcall_xpcall_or_coroutines() {
    engine_cases::deadline_cannot_be_swallowed_by_pcall_xpcall_or_coroutines();
}
#[test]
fn runaway_recursion_is_a_lua_error() {
    engine_cases::runaway_recursion_is_a_lua_error();
}
#[test]
fn sandbox_has_no_host_access() {
    engine_cases::sandbox_has_no_host_access();
}
#[test]
fn string_to_number_conversions() {
    engine_cases::string_to_number_conversions();
}
#[test]
fn fib27_computes() {
    assert_eq!(engine_cases::fib27(), "196418");
}
#[test]
fn deadline_stops_every_runaway() {
    engine_cases::deadline_stops_every_runaway();
}
#[test]
fn frozen_clock_still_stops_every_runaway() {
    engine_cases::frozen_clock_still_stops_every_runaway();
}
#[test]
fn lua_calls_pass_arguments_and_grow_the_stack() {
    engine_cases::lua_calls_pass_arguments_and_grow_the_stack();
}

//! The wasm-bindgen layer: thin bindings over the pure core, one file per exported class. No
//! logic lives here beyond converting between JS values and core types.

mod describe;
mod effects;
mod gateway;
mod lua_engine;
mod shard;

use wasm_bindgen::prelude::*;

/// `setInterruptBuffer(int32Array | null)`: element 0 of this (typically shared) buffer is
/// read by the running script's budget checks; a non-zero value aborts the script
/// (`SCRIPT KILL` from another thread). The host clears it when the script has ended.
#[wasm_bindgen(js_name = setInterruptBuffer)]
pub fn set_interrupt_buffer(buf: Option<js_sys::Int32Array>) {
    crate::sys::set_interrupt_buffer(buf);
}

#[wasm_bindgen(start)]
fn start() {
    crate::sys::init_once();
    console_error_panic_hook::set_once();
}

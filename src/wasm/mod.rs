//! The wasm-bindgen layer: thin bindings over the pure core, one file per exported class. No
//! logic lives here beyond converting between JS values and core types.

mod lua_engine;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    crate::sys::init_once();
    console_error_panic_hook::set_once();
}

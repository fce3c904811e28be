//! wasm32 only: the host functions the C side of Lua calls (`csrc/wasm_host.c`) and the JS
//! clocks behind [`crate::host`].

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(s: &str);
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(s: &str);
    type Performance;
    #[wasm_bindgen(method, js_name = now)]
    fn perf_now(this: &Performance) -> f64;
}

thread_local! {
    /// `globalThis.performance`, absent in a few embedders.
    static PERFORMANCE: Option<Performance> =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
            .ok()
            .filter(|p| p.is_object())
            .map(JsCast::unchecked_into);
}

thread_local! {
    /// A `Date.now()` reading JS made just before the current command (negative: none), see
    /// [`set_clock_reading`].
    static WALL_READING: std::cell::Cell<f64> = const { std::cell::Cell::new(-1.0) };
}

/// Hands the current command a reading of the wall clock (`Date.now()`) that JS made just
/// before calling into wasm (js/shard-command.mjs passes the `Date.now()` it reads for every
/// packed command again for the EVAL family); negative clears it. Taken once, by
/// [`take_wall_reading`]: a script's budget then starts from it, and reads the monotonic
/// clock only if the script runs until its first budget check (crate::lua::budget), instead
/// of an import call (`performance.now()` through wasm-bindgen's glue, ≈ 100 ns here) per
/// script. The caller clears it when its command returns.
pub fn set_clock_reading(ms: f64) {
    let usable = ms.is_finite() && ms >= 0.0;
    WALL_READING.with(|r| r.set(if usable { ms } else { -1.0 }));
}

/// The reading given by [`set_clock_reading`] for this command, once.
pub fn take_wall_reading() -> Option<f64> {
    let given = WALL_READING.with(|r| r.replace(-1.0));
    (given >= 0.0).then_some(given)
}

/// Monotonic milliseconds: `performance.now()` where it exists, else `Date.now()`.
pub fn monotonic_ms() -> f64 {
    PERFORMANCE.with(|p| match p {
        Some(p) => p.perf_now(),
        None => date_now(),
    })
}

thread_local! {
    /// Shared memory whose element 0 another thread sets to ask the running script to stop.
    static INTERRUPT: std::cell::RefCell<Option<js_sys::Int32Array>> =
        const { std::cell::RefCell::new(None) };
}

/// Installs (or with `None` removes) the interrupt buffer read by [`interrupt_requested`].
pub fn set_interrupt_buffer(buf: Option<js_sys::Int32Array>) {
    INTERRUPT.with(|slot| *slot.borrow_mut() = buf);
}

/// True when element 0 of the interrupt buffer is non-zero (an atomic load).
pub fn interrupt_requested() -> bool {
    INTERRUPT.with(|slot| match &*slot.borrow() {
        Some(buf) => js_sys::Atomics::load(buf, 0)
            .map(|v| v != 0)
            .unwrap_or(false),
        None => false,
    })
}

/// Publishes a script's start (element 1 = 1, element 2 = `Date.now()` modulo 2^31, element
/// 3 = the busy threshold in ms: half the time limit) or its end (elements 0 and 1 cleared,
/// so a late SCRIPT KILL does not hit the next script).
pub fn script_running(running: bool, time_limit_ms: f64) {
    INTERRUPT.with(|slot| {
        let Some(buf) = &*slot.borrow() else { return };
        if buf.length() < 4 {
            return;
        }
        if running {
            let start = (date_now() % 2_147_483_648.0) as i32;
            let threshold = (time_limit_ms / 2.0).clamp(1.0, 2_147_483_647.0) as i32;
            let _ = js_sys::Atomics::store(buf, 2, start);
            let _ = js_sys::Atomics::store(buf, 3, threshold);
            let _ = js_sys::Atomics::store(buf, 1, 1);
        } else {
            let _ = js_sys::Atomics::store(buf, 1, 0);
            let _ = js_sys::Atomics::store(buf, 0, 0);
        }
    });
}

/// Milliseconds since the Unix epoch (`Date.now()`).
pub fn unix_ms() -> f64 {
    date_now()
}

#[no_mangle]
extern "C" fn marekvs_host_now_ms() -> f64 {
    date_now()
}

/// Lua's `print` and its error-stream writes end here.
///
/// # Safety
/// `s` points to `len` readable bytes (Lua passes its own buffers).
#[no_mangle]
unsafe extern "C" fn marekvs_host_write(s: *const u8, len: usize, is_error: i32) {
    if s.is_null() {
        return;
    }
    let bytes = std::slice::from_raw_parts(s, len);
    let text = String::from_utf8_lossy(bytes);
    if is_error != 0 {
        console_error(&text);
    } else {
        console_log(&text);
    }
}

extern "C" {
    fn __wasm_call_ctors();
}

/// Runs the C constructors once. Referencing `__wasm_call_ctors` also keeps wasm-ld from
/// treating the module as a WASI command (which would wrap every export).
pub fn init_once() {
    use std::sync::Once;
    static INIT: Once = Once::new();
    INIT.call_once(|| unsafe { __wasm_call_ctors() });
}

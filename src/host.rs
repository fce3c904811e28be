//! What the core asks of its host platform: a monotonic clock for script deadlines,
//! wall-clock milliseconds, and whether someone asked the running script to stop. Natively they come from `std::time`; on wasm32 from JS
//! (`performance.now()` / `Date.now()`) through `sys`. Nothing else in the core differs by
//! platform.

/// Milliseconds on a monotonic clock (arbitrary origin).
#[cfg(not(target_arch = "wasm32"))]
pub fn monotonic_ms() -> f64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds since the Unix epoch.
#[cfg(not(target_arch = "wasm32"))]
pub fn unix_ms() -> f64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

#[cfg(target_arch = "wasm32")]
pub use crate::sys::{
    interrupt_requested, monotonic_ms, script_running, take_wall_reading, unix_ms,
};

/// A wall-clock reading ([`unix_ms`]) the host made just before the current command, given
/// once: a script's budget then works its start out from it only if the script runs long
/// enough to be checked (`crate::lua::budget`). Natively there is none: a monotonic read
/// costs ≈ 100 instructions here, against ≈ 100 ns through JS on wasm.
#[cfg(not(target_arch = "wasm32"))]
pub fn take_wall_reading() -> Option<f64> {
    None
}

/// Tells the host a script started (`true`, with its time limit) or ended (`false`). On wasm32
/// this is published in the interrupt buffer so other threads can answer `BUSY` and
/// `SCRIPT KILL`; natively nothing needs it.
#[cfg(not(target_arch = "wasm32"))]
pub fn script_running(_running: bool, _time_limit_ms: f64) {}

/// Natively, a process-wide flag another thread may raise to stop the running script
/// (`SCRIPT KILL`); the budget hook reads it.
#[cfg(not(target_arch = "wasm32"))]
pub static INTERRUPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// True when someone outside the running script asked it to stop (`SCRIPT KILL`). On wasm32
/// this reads element 0 of the buffer given to `setInterruptBuffer` (shared memory written by
/// another thread); natively, [`INTERRUPT`].
#[cfg(not(target_arch = "wasm32"))]
pub fn interrupt_requested() -> bool {
    INTERRUPT.load(std::sync::atomic::Ordering::Relaxed)
}

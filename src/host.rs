//! The two things the core asks of its host platform: a monotonic clock for script deadlines
//! and wall-clock milliseconds. Natively they come from `std::time`; on wasm32 from JS
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
pub use crate::sys::{monotonic_ms, unix_ms};

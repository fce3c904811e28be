//! Hybrid logical clock (Kulkarni, Demirbas et al., "Logical Physical Clocks", 2014).
//!
//! A [`Stamp`] is `(physical ms, logical counter, node id)`, totally ordered lexicographically
//! in that order; the node id makes stamps of different nodes distinct, so every effect has a
//! unique stamp and last-writer-wins never ties between honest nodes.
//!
//! The physical clock is injected: every operation takes `now_ms` (the host's `Date.now()` on
//! wasm, `crate::host::unix_ms()` natively, anything in tests). Frozen clocks (Cloudflare
//! Workers freeze `Date.now()` during a request) and clocks going backwards are fine: the
//! logical counter carries the order.
//!
//! Rules (`l` = physical part, `c` = counter, `pt` = now):
//! - local/send event: `l' = max(l, pt)`; `c' = c + 1` if `l' == l`, else `0`;
//! - receive of remote `(lm, cm)`: `l' = max(l, lm, pt)`; `c'` = `max(c, cm) + 1` if
//!   `l' == l == lm`, `c + 1` if `l' == l`, `cm + 1` if `l' == lm`, else `0`.
//!
//! **Bounded drift.** A remote stamp whose physical part is more than `max_drift_ms` ahead
//! of the local physical clock is *refused* ([`DriftError`]): the clock does not move and
//! the caller rejects the whole batch carrying it (it stays in the sender's log and is
//! accepted later, once local time has caught up, or after the faulty clock is fixed). We
//! refuse rather than clamp because clamping would let later local writes get stamps below
//! an effect already applied, so a local write would silently lose to an older remote one.
//! The default bound is 60 s ([`DEFAULT_MAX_DRIFT_MS`]).
//!
//! The counter is a `u32`; if it would overflow (more than 4·10⁹ events inside one frozen
//! millisecond) the physical part is advanced by one ms instead, which preserves the order.

/// Default bound on how far ahead of local time a remote stamp may be (ms).
pub const DEFAULT_MAX_DRIFT_MS: u64 = 60_000;

/// One HLC timestamp. Ordered by `(ms, counter, node)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Stamp {
    /// Physical part: unix milliseconds (as observed by the HLC, not necessarily wall time).
    pub ms: u64,
    /// Logical counter.
    pub c: u32,
    /// Origin node id.
    pub node: u64,
}

impl Stamp {
    /// The zero stamp (below every real stamp).
    pub const ZERO: Stamp = Stamp {
        ms: 0,
        c: 0,
        node: 0,
    };

    /// A stamp.
    pub const fn new(ms: u64, c: u32, node: u64) -> Stamp {
        Stamp { ms, c, node }
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}@{:x}", self.ms, self.c, self.node)
    }
}

/// A remote stamp too far ahead of local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriftError {
    /// The offending stamp.
    pub remote: Stamp,
    /// Local physical time when it was refused.
    pub now_ms: u64,
}

impl std::fmt::Display for DriftError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "remote stamp {} is {} ms ahead of local time {} (beyond the drift bound)",
            self.remote,
            self.remote.ms.saturating_sub(self.now_ms),
            self.now_ms
        )
    }
}

/// A source of physical time (ms). Implemented by closures and [`HostClock`].
pub trait PhysicalClock {
    /// Current physical time in unix ms (may be frozen or go backwards).
    fn now_ms(&mut self) -> u64;
}

impl<F: FnMut() -> u64> PhysicalClock for F {
    fn now_ms(&mut self) -> u64 {
        self()
    }
}

/// The host's wall clock ([`crate::host::unix_ms`]: `Date.now()` on wasm).
#[derive(Debug, Clone, Copy, Default)]
pub struct HostClock;

impl PhysicalClock for HostClock {
    fn now_ms(&mut self) -> u64 {
        let t = crate::host::unix_ms();
        if t.is_finite() && t > 0.0 {
            t as u64
        } else {
            0
        }
    }
}

/// The clock of one node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hlc {
    last: Stamp,
    max_drift_ms: u64,
}

impl Default for Hlc {
    fn default() -> Self {
        Hlc::new(0)
    }
}

impl Hlc {
    /// A clock for `node` starting at zero.
    pub fn new(node: u64) -> Hlc {
        Hlc {
            last: Stamp::new(0, 0, node),
            max_drift_ms: DEFAULT_MAX_DRIFT_MS,
        }
    }

    /// This clock's node id.
    pub fn node(&self) -> u64 {
        self.last.node
    }

    /// Change the node id (keeps the time part).
    pub fn set_node(&mut self, node: u64) {
        self.last.node = node;
    }

    /// The drift bound in ms.
    pub fn max_drift_ms(&self) -> u64 {
        self.max_drift_ms
    }

    /// Set the drift bound in ms.
    pub fn set_max_drift_ms(&mut self, ms: u64) {
        self.max_drift_ms = ms;
    }

    /// The last stamp issued or observed (every stamp issued later is greater).
    pub fn last(&self) -> Stamp {
        self.last
    }

    fn bump(&mut self, l: u64, c: u64) {
        match u32::try_from(c) {
            Ok(c) => {
                self.last.ms = l;
                self.last.c = c;
            }
            Err(_) => {
                self.last.ms = l.saturating_add(1);
                self.last.c = 0;
            }
        }
    }

    /// Local or send event: a new stamp greater than every stamp seen so far.
    pub fn tick(&mut self, now_ms: u64) -> Stamp {
        let l = self.last.ms;
        if now_ms > l {
            self.bump(now_ms, 0);
        } else {
            self.bump(l, u64::from(self.last.c) + 1);
        }
        self.last
    }

    /// Check a remote stamp against the drift bound without changing the clock.
    pub fn check(&self, remote: Stamp, now_ms: u64) -> Result<(), DriftError> {
        let local = now_ms.max(self.last.ms);
        if remote.ms > local.saturating_add(self.max_drift_ms) {
            Err(DriftError { remote, now_ms })
        } else {
            Ok(())
        }
    }

    /// Receive event: merge a remote stamp (refused beyond the drift bound, clock unchanged).
    /// Afterwards every stamp issued by [`Hlc::tick`] is greater than `remote`.
    pub fn recv(&mut self, remote: Stamp, now_ms: u64) -> Result<Stamp, DriftError> {
        self.check(remote, now_ms)?;
        let (l, c) = (self.last.ms, u64::from(self.last.c));
        let (lm, cm) = (remote.ms, u64::from(remote.c));
        let l2 = l.max(lm).max(now_ms);
        let c2 = if l2 == l && l2 == lm {
            c.max(cm) + 1
        } else if l2 == l {
            c + 1
        } else if l2 == lm {
            cm + 1
        } else {
            0
        };
        self.bump(l2, c2);
        Ok(self.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_events_are_strictly_increasing_even_with_frozen_or_backward_clock() {
        let mut h = Hlc::new(7);
        let a = h.tick(1000);
        let b = h.tick(1000); // frozen
        let c = h.tick(900); // backwards
        let d = h.tick(1001);
        assert!(a < b && b < c && c < d);
        assert_eq!(a, Stamp::new(1000, 0, 7));
        assert_eq!(c, Stamp::new(1000, 2, 7));
        assert_eq!(d, Stamp::new(1001, 0, 7));
    }

    #[test]
    fn injectable_clock_closure() {
        let mut t = 5u64;
        let mut clock = move || {
            t += 1;
            t
        };
        let mut h = Hlc::new(1);
        let a = h.tick(clock.now_ms());
        let b = h.tick(clock.now_ms());
        assert_eq!((a.ms, b.ms), (6, 7));
        let mut host = HostClock;
        assert!(host.now_ms() > 1_600_000_000_000);
    }

    #[test]
    fn receive_rules() {
        let mut h = Hlc::new(1);
        h.tick(100);
        // Remote ahead (within drift): take its physical part, counter + 1.
        let s = h.recv(Stamp::new(150, 4, 2), 120).unwrap();
        assert_eq!(s, Stamp::new(150, 5, 1));
        // Same physical part on both sides: max counter + 1.
        let s = h.recv(Stamp::new(150, 9, 3), 120).unwrap();
        assert_eq!(s, Stamp::new(150, 10, 1));
        // Remote behind: local counter + 1.
        let s = h.recv(Stamp::new(10, 99, 3), 120).unwrap();
        assert_eq!(s, Stamp::new(150, 11, 1));
        // Physical time passes both: counter resets.
        let s = h.recv(Stamp::new(160, 3, 3), 200).unwrap();
        assert_eq!(s, Stamp::new(200, 0, 1));
        assert!(h.tick(0) > Stamp::new(160, 3, 3));
    }

    #[test]
    fn drift_bound_refuses_far_future_stamps_without_moving() {
        let mut h = Hlc::new(1);
        h.set_max_drift_ms(1000);
        h.tick(10_000);
        let before = h.last();
        let far = Stamp::new(10_000 + 1001, 0, 2);
        assert_eq!(
            h.recv(far, 10_000),
            Err(DriftError {
                remote: far,
                now_ms: 10_000
            })
        );
        assert_eq!(h.last(), before, "a refused stamp does not drag the clock");
        // Exactly at the bound is accepted.
        let ok = Stamp::new(11_000, 0, 2);
        assert!(h.recv(ok, 10_000).is_ok());
        assert!(h.tick(10_000) > ok);
        // Later, once local time caught up, the far stamp is accepted.
        assert!(h.recv(far, 10_500).is_ok());
        assert!(!DriftError {
            remote: far,
            now_ms: 1
        }
        .to_string()
        .is_empty());
    }

    #[test]
    fn counter_overflow_advances_physical_part() {
        let mut h = Hlc::new(1);
        let r = h.recv(Stamp::new(5, u32::MAX, 2), 5).unwrap();
        assert_eq!(r, Stamp::new(6, 0, 1));
        assert!(r > Stamp::new(5, u32::MAX, 2));
        assert_eq!(h.tick(5), Stamp::new(6, 1, 1));
    }

    #[test]
    fn total_order_and_node_tiebreak() {
        let a = Stamp::new(1, 1, 1);
        let b = Stamp::new(1, 1, 2);
        assert!(a < b && Stamp::ZERO < a);
        assert!(Stamp::new(1, 2, 0) > b);
        assert!(Stamp::new(2, 0, 0) > Stamp::new(1, 99, 99));
    }
}

//! Per-invocation budgets for scripts: a wall-clock deadline and a memory ceiling, enforced from
//! inside the Lua VM so that neither can be swallowed by `pcall`, `xpcall` or coroutines.
//!
//! - Memory: the state's allocator is wrapped. While a budget is armed, an allocation that would
//!   take the bytes held beyond `limit` fails (Lua raises a memory error) and *trips* the budget.
//! - Time: the VM (patched at build time, `csrc/lvm_budget.h`) counts *events*: backward jumps,
//!   numeric/generic `for` iterations and entries into Lua functions (calls, tail calls,
//!   metamethods, coroutine starts): every way a script can run on forever. Every
//!   [`CHECK_EVERY`] events it calls `marekvs_budget_tick`, which trips the budget once the
//!   deadline has passed. Elapsed time is the larger of the clock's reading and the events run
//!   at an assumed 1 per ns (each event is at least one VM instruction), so a frozen clock
//!   (Cloudflare Workers freeze `Date.now()` during a request) still ends a runaway script,
//!   later but surely. No Lua hook is set while the budget holds: in Lua 5.4 any hook makes the
//!   VM trace every instruction, which cost fib(27) 2.3x its instructions.
//! - Once tripped, a count hook is installed to fire on *every* instruction of every thread that
//!   runs and raises again each time: a `pcall` may catch one raise, but the very next
//!   instruction outside it raises again, until the error reaches the host.
//! - Native code that runs no VM instructions for a long time (the pattern matcher of
//!   `string.find`/`match`/`gmatch`/`gsub`, see `super::patterns_lua`, and `table.move`'s
//!   loops in the patched `ltablib.c`) polls the budget itself through [`check_from_c`] /
//!   `marekvs_budget_poll`, which also count its work toward the frozen-clock estimate.
//!
//! Lua's C-call limit (200 nested C calls) and stack limit turn runaway recursion into ordinary
//! Lua errors; they never reach the host's own stack limits.

use mlua::ffi;
use std::ffi::{c_int, c_void};
use std::ptr::NonNull;

/// VM events (backward jumps, loop iterations, Lua function entries) between two budget checks.
pub const CHECK_EVERY: c_int = 10_000;
/// Events between two calls while no budget is armed (the countdown runs in every state).
const IDLE_EVERY: c_int = c_int::MAX;
/// Events (each at least one VM instruction) per millisecond assumed when the clock stands
/// still (1 per ns: faster than any Lua VM, so the estimate never ends a script before its
/// real deadline).
const ASSUMED_EVENTS_PER_MS: f64 = 1_000_000.0;

/// Why a script was aborted by its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trip {
    /// The wall-clock deadline passed.
    Time,
    /// The script tried to hold more memory than its ceiling.
    Memory,
    /// Someone asked for the script to stop (`SCRIPT KILL`).
    Killed,
}

/// Budget state shared with the C callbacks (allocator and hook). Heap-allocated by its owner
/// and never moved while the Lua state lives.
pub struct Budget {
    inner_alloc: ffi::lua_Alloc,
    inner_ud: *mut c_void,
    /// Bytes the Lua state holds now.
    pub used: usize,
    /// Absolute ceiling on `used` while armed; `usize::MAX` otherwise.
    limit: usize,
    /// When the invocation started on the `now` clock; NaN until [`Budget::resolve_start`]
    /// when the host gave a wall-clock reading instead (see [`Budget::arm`]).
    started_ms: f64,
    /// The host's wall-clock reading (`Date.now()`) taken just before the command, while
    /// `started_ms` is NaN.
    started_wall_ms: f64,
    /// The time limit of the armed invocation (ms).
    time_ms: f64,
    ticks: u64,
    /// Work reported by [`check_from_c`], counted like VM events.
    extra_work: u64,
    armed: bool,
    tripped: Option<Trip>,
    kill_requested: bool,
    now: fn() -> f64,
    main_thread: *mut ffi::lua_State,
}

/// The registry slot holding the `Budget` pointer (its address is the key).
static REGISTRY_KEY: u8 = 0;

impl Budget {
    /// Wraps the allocator of `state` (a main thread) and returns the budget, unarmed.
    ///
    /// # Safety
    /// `state` must be a live main thread. The returned pointer owns the budget (free it with
    /// `Box::from_raw`) and must stay valid until [`Budget::uninstall`] or the state's close.
    pub unsafe fn install(state: *mut ffi::lua_State, now: fn() -> f64) -> NonNull<Budget> {
        let mut inner_ud = std::ptr::null_mut();
        let inner_alloc = ffi::lua_getallocf(state, &mut inner_ud);
        let mut b = Box::new(Budget {
            inner_alloc,
            inner_ud,
            used: 0,
            limit: usize::MAX,
            started_ms: 0.0,
            started_wall_ms: 0.0,
            time_ms: f64::INFINITY,
            ticks: 0,
            extra_work: 0,
            armed: false,
            tripped: None,
            kill_requested: false,
            now,
            main_thread: state,
        });
        // What the state holds already (Lua's own count, in KiB + bytes).
        let kb = ffi::lua_gc(state, ffi::LUA_GCCOUNT, 0).max(0) as usize;
        let rem = ffi::lua_gc(state, ffi::LUA_GCCOUNTB, 0).max(0) as usize;
        b.used = kb * 1024 + rem;
        let ptr = NonNull::from(Box::leak(b));
        ffi::lua_setallocf(state, budget_alloc, ptr.as_ptr() as *mut c_void);
        ffi::lua_pushlightuserdata(state, ptr.as_ptr() as *mut c_void);
        ffi::lua_rawsetp(
            state,
            ffi::LUA_REGISTRYINDEX,
            &REGISTRY_KEY as *const u8 as *const c_void,
        );
        ptr
    }

    /// Puts the state's own allocator back and forgets the budget (the caller frees it).
    ///
    /// # Safety
    /// `state` is the main thread `budget` was installed on.
    pub unsafe fn uninstall(state: *mut ffi::lua_State, budget: NonNull<Budget>) {
        let b = budget.as_ref();
        ffi::lua_sethook(state, None, 0, 0);
        ffi::lua_setallocf(state, b.inner_alloc, b.inner_ud);
        ffi::lua_pushnil(state);
        ffi::lua_rawsetp(
            state,
            ffi::LUA_REGISTRYINDEX,
            &REGISTRY_KEY as *const u8 as *const c_void,
        );
    }

    /// Arms the budget for one invocation: at most `memory` bytes beyond what the state holds
    /// now, until `time_ms` from now.
    ///
    /// When the host holds a wall-clock reading made just before the command
    /// ([`crate::host::take_wall_reading`]: on wasm, the `Date.now()` JS passes with every
    /// packed command), the start is not read from the monotonic clock here but worked out at
    /// the first budget check, if the invocation runs that long ([`Budget::resolve_start`]).
    /// Most scripts end before their first check, so they cost no clock read at all (on this
    /// VM a `performance.now()` from wasm is ≈ 100 ns, ≈ 6 % of an EVALSHA from Node).
    pub fn arm(&mut self, time_ms: f64, memory: usize) {
        self.arm_from(time_ms, memory, crate::host::take_wall_reading());
    }

    /// [`Budget::arm`] with the wall-clock reading the start is worked out from (`None`: read
    /// the `now` clock here).
    fn arm_from(&mut self, time_ms: f64, memory: usize, wall_reading: Option<f64>) {
        self.tripped = None;
        self.kill_requested = false;
        self.ticks = 0;
        self.extra_work = 0;
        self.armed = true;
        match wall_reading {
            Some(wall) => {
                self.started_ms = f64::NAN;
                self.started_wall_ms = wall;
            }
            None => self.started_ms = (self.now)(),
        }
        self.time_ms = time_ms;
        self.limit = self.used.saturating_add(memory);
        // The first check comes after CHECK_EVERY events, whatever the previous script left.
        unsafe { *countdown(self.main_thread) = CHECK_EVERY };
    }

    /// Disarms the budget after an invocation and tells whether (and why) it tripped.
    pub fn disarm(&mut self) -> Option<Trip> {
        self.limit = usize::MAX;
        self.time_ms = f64::INFINITY;
        self.armed = false;
        unsafe { ffi::lua_sethook(self.main_thread, None, 0, 0) };
        self.tripped.take()
    }

    /// Asks a running script to stop at its next check.
    pub fn request_kill(&mut self) {
        self.kill_requested = true;
    }

    /// Milliseconds since [`Budget::arm`].
    pub fn elapsed_ms(&mut self) -> f64 {
        let now = (self.now)();
        self.resolve_start(now);
        now - self.started_ms
    }

    /// Fixes a start left open by [`Budget::arm`], `now` being the `now` clock's reading: the
    /// time since the wall-clock reading (clamped at 0: the wall clock may step back) before
    /// `now`. The wall clock counts whole milliseconds, so the start may come up to 1 ms later
    /// than the command's; budget checks are that coarse anyway (one per [`CHECK_EVERY`]
    /// events). A frozen wall clock (Cloudflare Workers) gives 0, and then the event count
    /// ends a runaway script, as it does when the `now` clock is frozen.
    fn resolve_start(&mut self, now: f64) {
        if self.started_ms.is_nan() {
            let since = crate::host::unix_ms() - self.started_wall_ms;
            self.started_ms = now - if since > 0.0 { since } else { 0.0 };
        }
    }

    fn trip(&mut self, why: Trip) {
        if self.tripped.is_none() {
            self.tripped = Some(why);
        }
    }

    /// Trips the budget if the script was asked to stop or its deadline passed (by the clock
    /// or by the instruction estimate).
    fn poll(&mut self) {
        let events = self.ticks as f64 * CHECK_EVERY as f64 + self.extra_work as f64;
        let now = (self.now)();
        self.resolve_start(now);
        let by_clock = now - self.started_ms;
        let by_count = events / ASSUMED_EVENTS_PER_MS;
        if self.kill_requested || crate::host::interrupt_requested() {
            self.trip(Trip::Killed);
        } else if by_clock.max(by_count) >= self.time_ms {
            self.trip(Trip::Time);
        }
    }

    /// True once tripped (until disarmed).
    pub fn is_tripped(&self) -> bool {
        self.tripped.is_some()
    }
}

/// The allocator wrapper: accounts bytes and refuses growth past the armed ceiling.
unsafe extern "C" fn budget_alloc(
    ud: *mut c_void,
    ptr: *mut c_void,
    osize: usize,
    nsize: usize,
) -> *mut c_void {
    let b = &mut *(ud as *mut Budget);
    // When `ptr` is null, `osize` encodes the object kind, not a size.
    let old = if ptr.is_null() { 0 } else { osize };
    if nsize > old {
        let grow = nsize - old;
        if b.tripped.is_some() || b.used.saturating_add(grow) > b.limit {
            b.trip(Trip::Memory);
            return std::ptr::null_mut();
        }
    }
    let out = (b.inner_alloc)(b.inner_ud, ptr, osize, nsize);
    if nsize == 0 {
        b.used = b.used.saturating_sub(old);
    } else if !out.is_null() {
        b.used = b.used.saturating_sub(old).saturating_add(nsize);
    }
    out
}

/// Fetches the budget of the state `l` belongs to.
unsafe fn budget_of(l: *mut ffi::lua_State) -> Option<&'static mut Budget> {
    ffi::lua_rawgetp(
        l,
        ffi::LUA_REGISTRYINDEX,
        &REGISTRY_KEY as *const u8 as *const c_void,
    );
    let p = ffi::lua_touserdata(l, -1) as *mut Budget;
    ffi::lua_settop(l, -2);
    p.as_mut()
}

/// The VM's event countdown: an `int` at the start of the main thread's `LUA_EXTRASPACE`
/// (`csrc/lvm_budget.h`; mlua leaves that space alone).
unsafe fn countdown(main_thread: *mut ffi::lua_State) -> *mut c_int {
    ffi::lua_getextraspace(main_thread) as *mut c_int
}

/// Called by the patched VM every [`CHECK_EVERY`] events of a state (`csrc/lvm_budget.h`);
/// returns the events until the next call. Polls the budget; once it has tripped, installs the
/// every-instruction hook, which raises. It must not raise itself, nor touch the Lua stack (the
/// VM is between two instructions): `lua_getallocf` and `lua_sethook` do neither.
#[no_mangle]
unsafe extern "C" fn marekvs_budget_tick(l: *mut ffi::lua_State) -> c_int {
    let mut ud = std::ptr::null_mut();
    let alloc = ffi::lua_getallocf(l, &mut ud);
    // Only states whose allocator is ours have a budget (its `ud`).
    if alloc as usize != budget_alloc as ffi::lua_Alloc as usize {
        return IDLE_EVERY;
    }
    let b = &mut *(ud as *mut Budget);
    if !b.armed {
        return IDLE_EVERY;
    }
    if b.tripped.is_none() {
        b.ticks += 1;
        b.poll();
    }
    if b.tripped.is_some() {
        raise_every_instruction(l, b);
    }
    CHECK_EVERY
}

/// The count hook, installed once the budget has tripped: raises on every instruction. A hook
/// left on a coroutine by an earlier, aborted script removes itself.
unsafe extern "C-unwind" fn budget_hook(l: *mut ffi::lua_State, _ar: *mut ffi::lua_Debug) {
    let tripped = budget_of(l).and_then(|b| b.tripped);
    let Some(why) = tripped else {
        ffi::lua_sethook(l, None, 0, 0);
        return;
    };
    let msg = abort_message(why);
    ffi::lua_pushlstring(l, msg.as_ptr() as *const _, msg.len());
    ffi::lua_error(l);
}

/// From now on every instruction of thread `l` and of the main thread raises.
unsafe fn raise_every_instruction(l: *mut ffi::lua_State, b: &Budget) {
    ffi::lua_sethook(l, Some(budget_hook), ffi::LUA_MASKCOUNT, 1);
    if l != b.main_thread {
        ffi::lua_sethook(b.main_thread, Some(budget_hook), ffi::LUA_MASKCOUNT, 1);
    }
}

/// The error a tripped budget raises.
fn abort_message(why: Trip) -> &'static str {
    abort_c_message(why).to_str().unwrap_or("script aborted")
}

/// [`abort_message`] NUL-terminated, for C callers.
fn abort_c_message(why: Trip) -> &'static std::ffi::CStr {
    match why {
        Trip::Time => c"script aborted: time limit exceeded",
        Trip::Memory => c"script aborted: memory limit exceeded",
        Trip::Killed => c"script aborted: killed by SCRIPT KILL",
    }
}

/// Polls the budget of the state `l` belongs to from a C function that runs for long without
/// executing VM instructions (so the VM's countdown does not run), e.g. the pattern matcher of
/// `super::patterns_lua` (it is a [`super::patterns_lua::BudgetCheck`]). `work` counts what
/// was done since the previous poll, like that many VM events, toward the frozen-clock
/// estimate.
///
/// Returns `None` to go on, or the message the caller must raise (plain, as the hook raises
/// it): the budget is tripped, and the hook now fires on every instruction, so a `pcall`
/// around the caller cannot swallow the abort. Does nothing while the budget is not armed or
/// when the state has no budget.
///
/// # Safety
/// `l` is a live thread of a state; call it from a C function running on that thread.
pub unsafe fn check_from_c(l: *mut ffi::lua_State, work: u64) -> Option<&'static str> {
    poll_from_c(l, work).map(abort_message)
}

/// [`check_from_c`] for the C library loops that can run long without VM instructions or
/// allocations (`table.move` over a long range of absent keys; build.rs `patch_lua`,
/// `csrc/lbudget_poll.h`): NULL to go on, else the message to raise (static). Never raises.
#[no_mangle]
unsafe extern "C" fn marekvs_budget_poll(
    l: *mut ffi::lua_State,
    work: c_int,
) -> *const std::ffi::c_char {
    match poll_from_c(l, u64::try_from(work).unwrap_or(0)) {
        Some(why) => abort_c_message(why).as_ptr(),
        None => std::ptr::null(),
    }
}

/// The common part of [`check_from_c`] and `marekvs_budget_poll`: why the budget has tripped,
/// if it has (the every-instruction hook is then installed).
unsafe fn poll_from_c(l: *mut ffi::lua_State, work: u64) -> Option<Trip> {
    let b = budget_of(l)?;
    if !b.armed {
        return None;
    }
    if b.tripped.is_none() {
        b.extra_work = b.extra_work.saturating_add(work);
        b.poll();
    }
    let why = b.tripped?;
    raise_every_instruction(l, b);
    Some(why)
}

#[cfg(test)]
mod tests {
    use super::Trip;
    use crate::lua::{Engine, Limits};

    /// Runs `code` armed as [`super::Budget::arm`] does when the host gave the wall-clock
    /// reading `wall` (unix ms) for the command: whether and why the budget tripped.
    fn run_from_wall(code: &str, time_ms: f64, wall: f64) -> Option<Trip> {
        let engine = Engine::new(Limits {
            time_ms,
            memory: 1 << 24,
        })
        .unwrap();
        let f = engine.compile(code.as_bytes(), "t").unwrap();
        engine.with_budget(|b| b.arm_from(time_ms, 1 << 24, Some(wall)));
        let _ = f.call::<()>(());
        engine.disarm()
    }

    // 100,000 loop iterations: ten budget checks, far below what the event count alone
    // would stop (a minute's limit is 6·10¹⁰ events).
    const BOUNDED: &str = "local n = 0 for i = 1, 100000 do n = n + i end return n";

    #[test]
    fn a_start_from_a_wall_reading_counts_the_time_before_the_first_check() {
        // The command came two minutes ago (by the wall clock): a one-minute budget has
        // already run out at the first check.
        let now = crate::host::unix_ms();
        assert_eq!(
            run_from_wall(BOUNDED, 60_000.0, now - 120_000.0),
            Some(Trip::Time)
        );
    }

    #[test]
    fn a_start_from_a_wall_reading_of_now_leaves_the_budget() {
        let now = crate::host::unix_ms();
        assert_eq!(run_from_wall(BOUNDED, 60_000.0, now), None);
    }

    #[test]
    fn a_wall_clock_stepped_back_starts_the_budget_at_the_first_check() {
        // A reading ahead of the wall clock at the check (the clock stepped back meanwhile)
        // counts as no time, not as negative time.
        let now = crate::host::unix_ms();
        assert_eq!(run_from_wall(BOUNDED, 60_000.0, now + 3_600_000.0), None);
        // ... and the budget still runs out by the monotonic clock (here: at once).
        assert_eq!(
            run_from_wall(
                "local n = 0 while true do n = n + 1 end",
                1.0,
                now + 3_600_000.0
            ),
            Some(Trip::Time)
        );
    }
}

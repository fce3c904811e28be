//! The global allocator on wasm32: `dlmalloc` (the allocator std uses there) with a system
//! layer that grows the wasm memory geometrically.
//!
//! std's dlmalloc grows the memory by exactly what one request needs (rounded to 64 KiB
//! pages). In Node 20 (V8 11.3) one `memory.grow` costs time proportional to the memory's
//! size: measured 9 µs per 1-page grow at ~1 MB, 400–850 µs past 60 MB. A shard that keeps
//! allocating small pieces (a new key, a hash field) then spends most of its time growing:
//! 200,000 `SET`s of new keys fell from ≈ 220k to ≈ 40k writes/s after the first 100,000.
//! Growing by at least an eighth of the current size (and at least 1 MiB) makes that cost
//! logarithmic in the heap's size, for at most 12.5 % of unused reserve. Chromium's newer V8
//! grows cheaply either way.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::UnsafeCell;
use core::ptr;

const PAGE: usize = 64 * 1024;
/// The smallest growth step (bytes).
const MIN_STEP: usize = 1 << 20;

/// dlmalloc's system layer: fresh regions from `memory.grow`, never returned.
struct GeometricGrowth;

// SAFETY: regions come from `memory.grow`, are zeroed, page-aligned and never handed out twice.
unsafe impl dlmalloc::Allocator for GeometricGrowth {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        let current = wasm32::memory_size(0) * PAGE;
        let step = size.max(current / 8).max(MIN_STEP);
        for bytes in [step, size] {
            let pages = bytes.div_ceil(PAGE);
            let prev = wasm32::memory_grow(0, pages);
            if prev != usize::MAX {
                return ((prev * PAGE) as *mut u8, pages * PAGE, 0);
            }
        }
        // Not even the request fits (the 4 GiB limit): dlmalloc reports out of memory.
        (ptr::null_mut(), 0, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The allocator: one dlmalloc instance. wasm32-unknown-unknown runs one thread per
/// instance, so no lock is needed (std's own wasm allocator takes none without atomics).
struct Allocator(UnsafeCell<dlmalloc::Dlmalloc<GeometricGrowth>>);

// SAFETY: single-threaded target (no `atomics` feature): never shared between threads.
unsafe impl Sync for Allocator {}

#[global_allocator]
static ALLOCATOR: Allocator = Allocator(UnsafeCell::new(dlmalloc::Dlmalloc::new_with_allocator(
    GeometricGrowth,
)));

// SAFETY: forwards to dlmalloc, which upholds GlobalAlloc's contract; no reentrancy (dlmalloc
// never allocates through the global allocator).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).malloc(layout.size(), layout.align())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        (*self.0.get()).free(ptr, layout.size(), layout.align())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        (*self.0.get()).calloc(layout.size(), layout.align())
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        (*self.0.get()).realloc(ptr, layout.size(), layout.align(), new_size)
    }
}

//! Out of memory, said as such. When an allocation fails, Rust aborts, and in wasm an abort is a
//! bare `unreachable` trap: the page could only say "the worker stopped (unreachable)". This
//! allocator passes every request to the system allocator unchanged and remembers the size of the
//! last one refused, so that the worker can say, after the trap, that it ran out of memory and
//! how much it asked for (the budget checks of lnn-core refuse known-large settings before they
//! allocate; this is for everything else, e.g. several workers together filling the tab's memory).
use core::sync::atomic::{AtomicUsize, Ordering};
use std::alloc::{GlobalAlloc, Layout, System};

use wasm_bindgen::prelude::*;

/// Bytes of the last allocation the system allocator refused; 0 while none has been.
static FAILED: AtomicUsize = AtomicUsize::new(0);

struct Remembering;

fn note(p: *mut u8, size: usize) -> *mut u8 {
    if p.is_null() {
        FAILED.store(size.max(1), Ordering::Relaxed);
    }
    p
}

// SAFETY: every call is forwarded to `System` with the caller's arguments; the wrapper only reads
// the returned pointer.
unsafe impl GlobalAlloc for Remembering {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(unsafe { System.alloc(layout) }, layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(unsafe { System.alloc_zeroed(layout) }, layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(unsafe { System.realloc(ptr, layout, new_size) }, new_size)
    }
}

// Natively too (the crate's tests), where it forwards just the same.
#[global_allocator]
static ALLOCATOR: Remembering = Remembering;

/// The size in bytes of the last allocation that failed in this module (0: none). Safe to call
/// after a trap: it reads one atomic and allocates nothing.
#[wasm_bindgen(js_name = failedAllocation)]
pub fn failed_allocation() -> f64 {
    FAILED.load(Ordering::Relaxed) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    // A real refusal is hard to cause natively (Linux overcommits); the e2e test fills a worker's
    // memory in the browser and sees the page say "out of memory". Here: what the wrapper keeps.
    #[test]
    fn a_refused_request_is_remembered_with_its_size() {
        let mut block = 0u8;
        assert_eq!(note(&mut block, 64), &mut block as *mut u8);
        assert_eq!(failed_allocation(), 0.0);
        assert!(note(core::ptr::null_mut(), 1 << 30).is_null());
        assert_eq!(failed_allocation(), (1u64 << 30) as f64);
    }
}

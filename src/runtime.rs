//! What std would provide in the no_std npm build: an allocator and a panic handler.
//!
//! A panic is a bug; it traps (the call throws a `RuntimeError` in JS) without formatting a
//! message, which keeps `core::fmt` and every `Debug` impl out of the Wasm.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::Cell;

/// Size classes: every block is a power of two (at least 16 bytes), aligned to its size, and a
/// freed block goes on its class's list to be reused as it is. Allocating and freeing are O(1)
/// however many blocks are live. (lol_alloc's free-list allocator kept one address-ordered list,
/// so each free walked it: with 10,000 requests waiting for a refresh, half the storm's time
/// went into `dealloc`.) Memory is taken from `memory.grow` and never returned, as Wasm memory
/// never shrinks anyway; blocks are not merged across classes.
struct SizeClasses {
    /// Head of each class's free list (0: empty); a free block's first word links the next.
    free: [Cell<usize>; CLASSES],
    /// The unused rest of the last pages grown: `[next, end)`.
    next: Cell<usize>,
    end: Cell<usize>,
}

const CLASSES: usize = 31;
const PAGE: usize = 65536;

// SAFETY: wasm32-unknown-unknown without the atomics feature has exactly one thread.
unsafe impl Sync for SizeClasses {}

#[global_allocator]
static ALLOCATOR: SizeClasses =
    SizeClasses { free: [const { Cell::new(0) }; CLASSES], next: Cell::new(0), end: Cell::new(0) };

unsafe impl GlobalAlloc for SizeClasses {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let size = block_size(layout);
        let Some(head) = self.free.get(size.trailing_zeros() as usize) else {
            return core::ptr::null_mut();
        };
        let block = head.get();
        if block != 0 {
            // SAFETY: a block on a free list is ours, at least one word long and word-aligned.
            head.set(unsafe { *(block as *const usize) });
            return block as *mut u8;
        }
        let mut start = (self.next.get() + size - 1) & !(size - 1);
        if start + size > self.end.get() {
            // Twice the block: room for it whatever alignment the new pages need.
            let pages = (2 * size).div_ceil(PAGE);
            let previous = core::arch::wasm32::memory_grow(0, pages);
            if previous == usize::MAX {
                return core::ptr::null_mut();
            }
            let base = previous * PAGE;
            if base != self.end.get() {
                // Not contiguous with our last pages: start afresh at the new ones.
                self.next.set(base);
            }
            self.end.set(base + pages * PAGE);
            start = (self.next.get() + size - 1) & !(size - 1);
        }
        self.next.set(start + size);
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(head) = self.free.get(block_size(layout).trailing_zeros() as usize) {
            // SAFETY: the block was allocated with this layout, so it is at least 16 bytes.
            unsafe { *(ptr as *mut usize) = head.get() };
            head.set(ptr as usize);
        }
    }
}

/// The power of two a layout's block takes (its class is out of range when too large).
#[inline(never)]
fn block_size(layout: Layout) -> usize {
    layout.size().max(layout.align()).max(16).next_power_of_two()
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

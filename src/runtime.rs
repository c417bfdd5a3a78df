//! What std would provide in the no_std npm build: an allocator and a panic handler.
//!
//! A panic is a bug; it traps (the call throws a `RuntimeError` in JS) without formatting a
//! message, which keeps `core::fmt` and every `Debug` impl out of the Wasm.

#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has exactly one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

//! Stopping the hardware without unwinding.
//!
//! A transfer's `stop`, `wait` and `Drop` must not unwind while the hardware
//! may still access the buffer ([`Transfer`](crate::Transfer)'s contract):
//! the frames that unwind would drop or hand back memory the DMA still
//! writes. On the chip a register access cannot panic, but on the host it
//! can: a simulator's rule check, a test's interleave hook or a mapped
//! device runs inside it. [`abort_on_unwind`] turns such an unwind into an
//! abort, so no frame is left while the DMA may run.
//!
//! # For HAL authors
//!
//! Wrap every sequence that stops the hardware and acquires its buffers
//! (the body of `stop` and of `Drop`) in it. [`InFlight`](crate::InFlight)
//! does. With `panic = "abort"` (the usual embedded profile) it costs
//! nothing: there is no unwinding for it to catch.

/// Runs `f` and returns its result; if `f` unwinds, the process aborts (a
/// panic during unwinding is an abort) instead of letting the caller's
/// frames drop what the hardware may still use.
///
/// ```
/// let stopped = dma_traits::abort_on_unwind(|| 3);
/// assert_eq!(stopped, 3);
/// ```
#[inline(always)]
pub fn abort_on_unwind<R>(f: impl FnOnce() -> R) -> R {
    /// Dropped only when `f` unwinds: the normal path forgets it.
    struct Unwinding;
    impl Drop for Unwinding {
        // A panic while unwinding is an abort: the one way `core` has.
        #[allow(clippy::panic)]
        fn drop(&mut self) {
            panic!("dma: a stop unwound while the DMA may still access its buffer; aborting");
        }
    }
    let unwinding = Unwinding;
    let result = f();
    core::mem::forget(unwinding);
    result
}

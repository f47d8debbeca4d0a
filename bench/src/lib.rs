//! The instruction-count benchmark of the dma-traits workspace (issue #14).
//!
//! The firmware is in `examples/`, one per reference path (STM32F1 channel,
//! STM32F4 stream, STM32F7 stream with the D-cache fence, nRF52840 UARTE /
//! SPIM / TWIM, PL081 memory-to-memory). Each has three program shapes, each
//! as a `#[no_mangle] #[inline(never)]` function through the crates
//! (`<path>_<shape>_crate`) and a tight hand-written one with the same
//! guarantees (`<path>_<shape>_hand`):
//!
//! * `const`: a constant `'static` buffer, peripherals built in the function;
//! * `held`: a runtime buffer, the peripheral held (passed in and given back)
//!   by the caller;
//! * `two`: the `held` call from two places in one function.
//!
//! Every function returns the count moved, with [`ERR`] set when the transfer
//! failed or was refused. `run.sh` builds them (release, `opt-level = "s"`,
//! LTO, one codegen unit, `panic = "abort"`), counts the instructions of each
//! function and of every function it calls, and fails when the crates' path
//! costs more than its bound over the hand-written one.
//!
//! On the host the examples are empty programs.
#![no_std]

/// Set in a benchmark function's result when the transfer failed or was
/// refused (the low bits are still the count moved).
pub const ERR: u32 = 1 << 31;

/// The benchmarks' result for an ended (or refused) transfer: the count, with
/// [`ERR`] on an error. Written as user code would, at each call site.
#[macro_export]
macro_rules! outcome {
    ($started:expr) => {
        match $started {
            Ok(transfer) => match dma_traits::Transfer::wait(transfer) {
                Ok(done) => (done.resources, done.transferred as u32),
                Err(failed) => (failed.resources, failed.transferred as u32 | $crate::ERR),
            },
            Err(refused) => (refused.resources, $crate::ERR),
        }
    };
}

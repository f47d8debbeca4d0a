//! A complete [`Transfer`] built from one function a HAL writes: `halt`.
//!
//! # For HAL authors
//!
//! Implement [`Halt`] for your peripheral (stop the channel, wait until the
//! hardware reads stopped, say how much moved), and name
//! `InFlight<B, Self, F, N>` as the transfer type of your `DmaWrite` /
//! `DmaRead` / `DmaFullDuplex` / `DmaCopy` impl. `stop`, `wait`, `is_done`
//! and `Drop`, the parking of the buffer and the acquire fences come with it,
//! in the order `Transfer`'s contract needs; your start function ends with the
//! one `unsafe` call [`InFlight::new`].

use core::mem::ManuallyDrop;

use crate::lent::{Lent, Region};
use crate::transfer::{Finished, Outcome, Transfer, TransferError};
use crate::DmaFence;

/// What [`Halt::halt`] found when the hardware stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Halted<E> {
    /// Words the hardware moved (the slowest direction, for two-way transfers).
    pub transferred: usize,
    /// The error the hardware reported, if it failed.
    pub error: Option<E>,
}

/// A peripheral (with its channel) whose running transfer can be stopped.
///
/// # Safety
///
/// For **implementors**:
///
/// * [`halt`](Self::halt) stops the hardware if it is running and returns
///   only once it accesses no memory any more (the reference manual's
///   "stopped" indication read back: STM32 `EN` reads 0, nRF `STOPPED`), and
///   it does not unwind before that (on the host, where a register access
///   may unwind, [`InFlight`] aborts if it does). If the hardware was never started, or
///   has already stopped, it returns at once: it never waits for an event of
///   hardware that is not running.
/// * [`is_done`](Self::is_done) only reads: it starts and stops nothing.
///
/// For **callers**: nothing; both are safe to call at any time.
pub unsafe trait Halt {
    /// What the hardware can report.
    type Error: crate::Error;

    /// Whether the hardware has finished (completed or failed). Does not block.
    fn is_done(&self) -> bool;

    /// Stops the hardware and waits until it has let go of its memory.
    fn halt(&mut self) -> Halted<Self::Error>;
}

/// A transfer in flight over `N` [`Region`]s: the parked buffer `B`, the
/// peripheral `R` that will [`Halt`] it, and the fence `F`.
///
/// Dropping it halts the hardware and runs the acquire fences before the
/// buffer is dropped; [`Transfer::stop`] does the same and gives everything
/// back.
///
/// `repr(C)`, buffer and resources first as in [`TransferError`]: in a
/// [`Started`](crate::Started) both variants then hold them at the same
/// offsets (see [`Finished`]).
#[repr(C)]
pub struct InFlight<B, R: Halt, F: DmaFence, const N: usize> {
    buffer: Lent<B>,
    resources: R,
    regions: [Region; N],
    fence: F,
}

impl<B, R: Halt, F: DmaFence, const N: usize> InFlight<B, R, F, N> {
    /// The transfer the caller just started.
    ///
    /// # Safety
    ///
    /// For **callers**: the hardware behind `resources` was started by a
    /// register access made after `fence` released every one of `regions`
    /// (see [`Region::release_all`]); it accesses no memory outside
    /// `regions`; every region was taken from `buffer` after it was parked
    /// in the `Lent`, so `buffer` owns that memory; and `resources.halt()`
    /// stops exactly that hardware. The caller's own contract (`'static`
    /// buffer, or a transfer that cannot be leaked) covers the rest.
    #[inline(always)]
    pub unsafe fn new(buffer: Lent<B>, resources: R, regions: [Region; N], fence: F) -> Self {
        InFlight { buffer, resources, regions, fence }
    }

    /// Halts the hardware, then acquires every region; aborts if either
    /// unwinds (see [`abort_on_unwind`](crate::abort_on_unwind)).
    fn end(&mut self) -> Halted<R::Error> {
        crate::abort_on_unwind(|| {
            let halted = self.resources.halt();
            Region::acquire_all(self.regions, self.fence);
            halted
        })
    }
}

impl<B, R: Halt, F: DmaFence, const N: usize> Drop for InFlight<B, R, F, N> {
    fn drop(&mut self) {
        // The fields (the buffer among them) are dropped after this returns,
        // so after the hardware let go and the fences ran.
        self.end();
    }
}

impl<B, R: Halt, F: DmaFence, const N: usize> core::fmt::Debug for InFlight<B, R, F, N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("InFlight").field("regions", &self.regions).finish_non_exhaustive()
    }
}

// SAFETY: `stop` and `Drop` (the only ways out besides leaking) call `end`,
// which returns only after `R::halt` returned (by `Halt`'s contract, once the
// hardware accesses no memory) and `acquire` ran over every region; if either
// unwinds (on the host a register access can: a simulator's check, a test's
// hook; review 3, finding 1), `abort_on_unwind` aborts before any frame
// drops or hands back the buffer. By `new`'s contract the regions are all
// the memory the hardware was given, released before it started. Only then does `stop`
// move the buffer out, and `Drop` let it be dropped. `wait` is the default
// (`is_done`, then `stop`); `is_done` only reads (`Halt`'s contract).
unsafe impl<B, R: Halt, F: DmaFence, const N: usize> Transfer for InFlight<B, R, F, N> {
    type Buffer = B;
    type Resources = R;
    type Error = R::Error;

    #[inline(always)]
    fn is_done(&self) -> bool {
        self.resources.is_done()
    }

    #[inline]
    fn stop(self) -> Outcome<Self> {
        let mut this = ManuallyDrop::new(self);
        let Halted { transferred, error } = this.end();
        // SAFETY: `this` is never dropped, and neither field is read again,
        // so the buffer is moved out exactly once; the regions and the fence
        // are `Copy` and have nothing to drop.
        let buffer = unsafe { core::ptr::read(&this.buffer) }.into_inner();
        // SAFETY: as for the buffer, for the resources.
        let resources = unsafe { core::ptr::read(&this.resources) };
        match error {
            None => Ok(Finished { buffer, resources, transferred }),
            Some(error) => Err(TransferError { error, buffer, resources, transferred }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CompilerFence, ErrorKind};

    /// Hardware that was never started: nothing to halt. Its state has
    /// mixed widths, as a HAL's peripheral has.
    struct Idle {
        _items: u16,
        _quiet: bool,
    }

    // SAFETY: it starts nothing, so `halt` has nothing to wait for and
    // `is_done` reads nothing.
    unsafe impl Halt for Idle {
        type Error = ErrorKind;
        fn is_done(&self) -> bool {
            true
        }
        fn halt(&mut self) -> Halted<ErrorKind> {
            Halted { transferred: 0, error: None }
        }
    }

    type Started = Result<
        InFlight<&'static [u8], Idle, CompilerFence, 1>,
        TransferError<ErrorKind, &'static [u8], Idle>,
    >;

    /// The (buffer, resources) offsets inside `started`.
    fn places(started: &Started) -> [usize; 2] {
        let base = core::ptr::from_ref(started) as usize;
        let (buffer, resources) = match started {
            Ok(t) => (
                core::ptr::from_ref(&t.buffer) as usize,
                core::ptr::from_ref(&t.resources) as usize,
            ),
            Err(e) => (
                core::ptr::from_ref(&e.buffer) as usize,
                core::ptr::from_ref(&e.resources) as usize,
            ),
        };
        [buffer - base, resources - base]
    }

    #[test]
    fn a_started_transfer_and_a_refusal_hold_buffer_and_resources_in_one_place() {
        static A: [u8; 3] = [1; 3];
        let regions = [Region::dma_reads(A.as_ptr(), A.len())];
        // SAFETY: `Idle` runs no hardware, so no memory is accessed.
        let ok: Started = Ok(unsafe {
            InFlight::new(
                Lent::new(&A[..]),
                Idle { _items: 1, _quiet: true },
                regions,
                CompilerFence,
            )
        });
        let err: Started = Err(TransferError::rejected(
            ErrorKind::Other,
            &A[..],
            Idle { _items: 2, _quiet: false },
        ));
        assert_eq!(places(&ok), places(&err));
    }
}

//! A transfer that moves its buffer once, and the machinery every transfer
//! shares: start with the release fence, end with stop-wait-acquire.

use core::mem::ManuallyDrop;

use dma_traits::{DmaFence, Finished, Outcome, Region, Transfer, TransferError};

use crate::hw::{Internal, Setup, Status};
use crate::{DmaChannel, Error, Owner};
use dma_traits::Lent as Held;

/// A buffer and its owner lent to a running channel. Dropping it stops the
/// channel, waits until `EN` reads 0, acquires the regions, then drops them.
#[derive(Debug)]
pub(crate) struct Lent<B, R: Owner, F: DmaFence> {
    buffer: ManuallyDrop<Held<B>>,
    resources: ManuallyDrop<R>,
    regions: [Region; 2],
    count: usize,
    pub(crate) items: u16,
    pub(crate) fence: F,
}

// SAFETY: the only non-`Send` fields are the regions' raw addresses, which
// describe memory owned by `buffer`; sending the transfer sends that ownership.
unsafe impl<B: Send, R: Owner + Send, F: DmaFence + Send> Send for Lent<B, R, F> {}

/// How a lent transfer ended.
pub(crate) struct Ended<B, R> {
    pub(crate) buffer: B,
    pub(crate) resources: R,
    pub(crate) status: Status,
    pub(crate) remaining: u16,
}

impl<B, R: Owner, F: DmaFence> Lent<B, R, F> {
    /// Releases `regions`, programs the channel with `setup` and sets `EN`.
    ///
    /// # Safety
    ///
    /// For **callers**: `regions` cover all memory `setup` lets the DMA
    /// access; that memory is owned by `buffer` (by its `DmaReadBuffer` /
    /// `DmaWriteBuffer` contract) and stays valid until the returned value
    /// is ended or dropped, or, for a leaked value, forever.
    #[inline(always)]
    #[allow(clippy::type_complexity)]
    pub(crate) unsafe fn start(
        buffer: Held<B>,
        mut resources: R,
        setup: &Setup,
        regions: &[Region],
        fence: F,
    ) -> Result<Self, (Error, B, R)> {
        let mut held = [Region::dma_reads(setup.memory, 0); 2];
        for (slot, region) in held.iter_mut().zip(regions) {
            *slot = *region;
        }
        let count = regions.len().min(2);
        if let Err(e) = Region::release_all(held.get(..count).unwrap_or(&[]), fence) {
            return Err((Error::Fence(e), buffer.into_inner(), resources));
        }
        let control = resources.dma(Internal::new()).program(setup);
        // From the enabling write until `Lent` exists nothing would stop the
        // channel if a register access unwound (on the host it can: a
        // simulator's check, a test's hook), so that aborts.
        dma_traits::abort_on_unwind(|| {
            // SAFETY: `control` is `program`'s for this setup; the regions
            // were released just above and the caller guarantees the memory
            // outlives the transfer; `Lent` keeps `buffer` and disables the
            // channel before giving it back.
            unsafe { resources.dma(Internal::new()).enable(control) };
            resources.begin(setup.items, Internal::new());
        });
        Ok(Lent {
            buffer: ManuallyDrop::new(buffer),
            resources: ManuallyDrop::new(resources),
            regions: held,
            count,
            items: setup.items,
            fence,
        })
    }

    pub(crate) fn channel(&self) -> &R::Channel {
        self.resources.dma(Internal::new())
    }

    pub(crate) fn region(&self, n: usize) -> Option<Region> {
        self.regions.get(..self.count)?.get(n).copied()
    }

    /// Stops the channel and acquires the regions; returns the status and
    /// `NDTR` seen after the stop.
    #[inline(always)]
    fn halt(&mut self) -> (Status, u16) {
        // Not unwinding while the DMA may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            let channel = self.resources.dma(Internal::new());
            channel.disable();
            let status = channel.status();
            let remaining = channel.remaining();
            channel.clear_all();
            for region in self.regions.iter().take(self.count) {
                region.acquire(self.fence);
            }
            self.resources.finish(Internal::new());
            (status, remaining)
        })
    }

    /// Stops, acquires and gives everything back.
    #[inline(always)]
    pub(crate) fn end(self) -> Ended<B, R> {
        let mut this = ManuallyDrop::new(self);
        let (status, remaining) = this.halt();
        // SAFETY: `this` is in `ManuallyDrop`, so `Lent::drop` never runs and
        // each field is taken exactly once, here; `this` is not used after.
        let buffer = unsafe { ManuallyDrop::take(&mut this.buffer) };
        // SAFETY: as above, for the resources.
        let resources = unsafe { ManuallyDrop::take(&mut this.resources) };
        let buffer = buffer.into_inner();
        Ended { buffer, resources, status, remaining }
    }
}

impl<B, R: Owner, F: DmaFence> Drop for Lent<B, R, F> {
    fn drop(&mut self) {
        self.halt();
        // SAFETY: `drop` runs once; `end` (the only other taker) keeps this
        // from running. The channel has stopped and acquire ran.
        unsafe {
            ManuallyDrop::drop(&mut self.buffer);
        }
        // SAFETY: as above, for the resources.
        unsafe {
            ManuallyDrop::drop(&mut self.resources);
        }
    }
}

/// A one-shot transfer (peripheral to memory, memory to peripheral or memory
/// to memory) in flight. It owns the buffer `B` and the resources `R`
/// (channel, or peripheral and channel) until it ends.
///
/// Ended by [`Transfer::wait`], [`Transfer::stop`] or drop; every way stops
/// the channel, waits until `EN` reads 0 and runs the fence's `acquire`
/// before the buffer is given back (or dropped).
#[derive(Debug)]
pub struct OneShot<B, R: Owner, F: DmaFence> {
    lent: Lent<B, R, F>,
}

impl<B, R: Owner, F: DmaFence> OneShot<B, R, F> {
    /// # Safety
    ///
    /// As for [`Lent::start`].
    #[inline(always)]
    #[allow(clippy::type_complexity)]
    pub(crate) unsafe fn start(
        buffer: Held<B>,
        resources: R,
        setup: &Setup,
        regions: &[Region],
        fence: F,
    ) -> Result<Self, TransferError<Error, B, R>> {
        // SAFETY: forwarded contract.
        match unsafe { Lent::start(buffer, resources, setup, regions, fence) } {
            Ok(lent) => Ok(OneShot { lent }),
            Err((e, buffer, resources)) => Err(TransferError::rejected(e, buffer, resources)),
        }
    }

    /// Items left to move.
    pub fn remaining(&self) -> u16 {
        self.lent.channel().remaining()
    }
}

// SAFETY: `stop`/`wait` go through `Lent::end`, and drop through `Lent::drop`,
// both of which clear `EN`, spin until it reads 0 (the hardware has let go)
// and acquire every region before the buffer leaves.
unsafe impl<B, R: Owner, F: DmaFence> Transfer for OneShot<B, R, F> {
    type Buffer = B;
    type Resources = R;
    type Error = Error;

    /// `TCIF` or an error flag, from one flags read, without polling `EN`:
    /// the hardware ends a one-shot transfer only with one of them set. A
    /// stream's `EN` is cleared by hardware at the end of the transfer
    /// (`TCIF`), on a bus error (`TEIF`) and on a FIFO threshold that does
    /// not fit the burst (`FEIF`, FIFO mode only) (RM0090 §10.5.5 `EN`,
    /// §10.3.18); a channel keeps `EN` set after its last item and sets
    /// `TCIF`, and clears it on a bus error with `TEIF` (RM0008 §13.3.7).
    /// Nothing else of this crate clears `EN` while the transfer owns the
    /// channel (an [`Interrupt`](crate::interrupt::Interrupt) writes only
    /// flag-clear registers, and keeps what it cleared for `status`).
    #[inline(always)]
    fn is_done(&self) -> bool {
        self.lent.channel().status().ended()
    }

    #[inline(always)]
    fn stop(self) -> Outcome<Self> {
        let items = self.lent.items;
        let ended = self.lent.end();
        let transferred = usize::from(items.saturating_sub(ended.remaining));
        match ended.status.error() {
            Some(error) => Err(TransferError {
                error,
                buffer: ended.buffer,
                resources: ended.resources,
                transferred,
            }),
            None => Ok(Finished { buffer: ended.buffer, resources: ended.resources, transferred }),
        }
    }
}

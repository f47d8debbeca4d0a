//! Continuous UARTE reception into two alternating buffers.
//!
//! The UARTE latches `RXD.PTR` and `RXD.MAXCNT` when a `STARTRX` task starts
//! a reception (`RXSTARTED`), so the next buffer's address can be written
//! while the current one fills, and the next `STARTRX` finds it there. The
//! CPU triggers that `STARTRX` itself, the moment it sees the current buffer
//! full; the `ENDRX -> STARTRX` short is not used (see "Cost" below).
//!
//! # Why the stream never hands out a buffer EasyDMA holds
//!
//! The facts used, from the nRF52832/833/840 product specifications (UARTE
//! chapter, "Reception", and "Peripheral interface", "Events"):
//!
//! 1. `STARTRX` latches `RXD.PTR`/`RXD.MAXCNT`; `RXSTARTED` is generated once
//!    they are latched, and only then may `RXD.PTR` be rewritten without
//!    changing what this reception uses.
//! 2. EasyDMA writes only the latched buffer, and `ENDRX` is generated when
//!    that buffer is full (or, after `STOPRX`, before `RXTO`); after `ENDRX`
//!    EasyDMA writes no byte of it. With no short, nothing but a `STARTRX`
//!    task latches a buffer again.
//! 3. `RXD.AMOUNT`, read after `ENDRX` (or `RXTO`), is the number of bytes the
//!    reception that ended wrote.
//! 4. Events are levels: two occurrences before the CPU clears one merge into
//!    one, and no register tells which pointer the hardware latched.
//!
//! Because of 4, the design never lets two receptions be outstanding, so no
//! event ever has two possible meanings. The invariant, true after
//! [`UarteRx::read_stream`] and kept by every [`RxStream::next`]:
//!
//! * exactly one reception is outstanding: it was started by the last
//!   `STARTRX` this driver triggered, its `RXSTARTED` was observed and cleared,
//!   and it latched the `active` slot's buffer (`RXD.PTR` held that address
//!   from before the task until after `RXSTARTED`, by 1);
//! * `ENDRX` was cleared before that `STARTRX` (no end of any earlier
//!   reception can be pending: each was observed before the next start);
//! * `RXD.PTR` holds the `queued` slot's address, written after `RXSTARTED`.
//!
//! `next` waits for `ENDRX`. By the invariant it can only be the end of the
//! one outstanding reception, so the `active` buffer is complete and, by 2,
//! no longer written; `RXD.AMOUNT` is its byte count (3). `next` clears
//! `ENDRX`, triggers `STARTRX` (which latches the `queued` address, the only
//! one in `RXD.PTR`), waits for and clears `RXSTARTED`, writes the fresh
//! buffer's address, rotates the slots and only then runs the acquire fence
//! and hands out the old `active` buffer: the invariant holds again, and the
//! buffer handed out is in neither the latched pointer nor `RXD.PTR`, so no
//! later task can latch it. `stop` and `Drop` trigger `STOPRX` and wait for
//! `RXTO`; by 2 no `ENDRX` and no write follows it, the `active` buffer holds
//! `RXD.AMOUNT` bytes and the `queued` one none (it was never latched).
//!
//! The old design used the `ENDRX -> STARTRX` short. The short latches
//! whatever `RXD.PTR` holds when a buffer fills; if the queued buffer filled
//! before the CPU had replaced its address (an interrupt between clearing
//! `RXSTARTED` and writing `RXD.PTR` is enough, or a CPU late by one buffer),
//! the hardware re-latched the same buffer, and the merged `ENDRX` and
//! `RXSTARTED` looked exactly like a normal rotation: the CPU then handed out
//! the buffer EasyDMA was refilling, and miscounted. By 4 no sequence of
//! register reads can tell the two histories apart, so the short cannot be
//! used soundly.
//!
//! # Cost
//!
//! Between a buffer's `ENDRX` and the `STARTRX` of the next one no buffer is
//! latched. The UARTE keeps receiving into its small RX FIFO meanwhile; with
//! hardware flow control it holds the peer off (RTS) and nothing is lost.
//! Without flow control a CPU that is late by more than the FIFO's few bytes
//! loses bytes: the UARTE reports that as `ERRORSRC.OVERRUN`, which
//! [`Filled::error`] returns with the buffer that was handed out at that
//! moment (so loss is always reported, never silent). To keep the latency
//! short, call [`RxStream::next`] (or poll [`RxStream::is_filled`]) promptly.
//!
//! # Simulator
//!
//! `dma_impl_mock::sim::nrf` models the facts above, including the merging
//! of events and the short's latching of whatever `RXD.PTR` holds, and the
//! adversarial tests (`tests/adversarial.rs`) run this module under every
//! schedule of up to two bytes per CPU register access (and random ones);
//! the design above passes, the short-based one failed.

use core::mem::ManuallyDrop;

use dma_traits::{DmaFence, Lent, Region, StaticWriteBuffer};

use crate::regs::*;
use crate::uarte::UarteRx;
use crate::{check, Chip, Error};

/// A buffer the stream filled.
#[derive(Debug)]
pub struct Filled<B> {
    /// The buffer, acquired: readable by the CPU.
    pub buffer: B,
    /// Bytes received into it (`RXD.AMOUNT`): its full length.
    pub received: usize,
    /// A receive error (`ERRORSRC`) the UARTE flagged since the previous
    /// buffer was handed out: while this one filled, or in the gap after it
    /// (an [`Error::Overrun`] there means bytes between this buffer's last
    /// byte and the next buffer's first were lost). The stream goes on.
    pub error: Option<Error>,
}

/// What [`RxStream::stop`] gives back.
#[derive(Debug)]
pub struct StreamStopped<C: Chip, F: DmaFence, B> {
    /// The receiver.
    pub rx: UarteRx<C, F>,
    /// The buffers in reception order, each with the bytes received into it
    /// (the second was never latched by EasyDMA: always 0).
    pub buffers: [(B, usize); 2],
    /// A receive error flagged since the last buffer was handed out.
    pub error: Option<Error>,
}

/// A running double-buffered reception; see the [module docs](self).
#[derive(Debug)]
pub struct RxStream<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> {
    rx: UarteRx<C, F>,
    /// The buffer the one outstanding reception latched, and its region.
    active: (Lent<B>, Region),
    /// The buffer whose address `RXD.PTR` holds, for the next `STARTRX`.
    queued: (Lent<B>, Region),
}

/// Parks `buffer` and takes its region from the parked buffer, checked for
/// EasyDMA; gives the buffer back if EasyDMA cannot use it.
fn park<C: Chip, B: StaticWriteBuffer<Word = u8>>(
    buffer: B,
) -> Result<(Lent<B>, Region), (Error, B)> {
    let mut lent = Lent::new(buffer);
    let (ptr, len) = lent.get_mut().dma_write_buffer();
    match check::easydma::<C>(ptr, len, false, check::InRam::Check) {
        Ok(()) => Ok((lent, Region::dma_writes(ptr, len))),
        Err(e) => Err((e, lent.into_inner())),
    }
}

impl<C: Chip, F: DmaFence> UarteRx<C, F> {
    /// Starts continuous reception into `first`, then `second`, then each
    /// buffer passed to [`RxStream::next`].
    ///
    /// Refused, with the receiver and both buffers given back and nothing
    /// started, if EasyDMA cannot use a buffer, the fence refuses one, or the
    /// UARTE is not enabled ([`Error::NotEnabled`]).
    #[allow(clippy::type_complexity)]
    pub fn read_stream<B: StaticWriteBuffer<Word = u8>>(
        self,
        first: B,
        second: B,
    ) -> Result<RxStream<C, F, B>, (Error, Self, B, B)> {
        let first = match park::<C, B>(first) {
            Ok(parked) => parked,
            Err((e, first)) => return Err((e, self, first, second)),
        };
        let second = match park::<C, B>(second) {
            Ok(parked) => parked,
            Err((e, second)) => return Err((e, self, first.0.into_inner(), second)),
        };
        let started = self.check_enabled().and_then(|()| {
            second.1.release(self.fence)?;
            // No short: only this driver's STARTRX tasks latch a buffer.
            self.regs.write(SHORTS, 0);
            if let Err(e) = self.start(first.1, false) {
                second.1.acquire(self.fence);
                return Err(e);
            }
            Ok(())
        });
        if let Err(e) = started {
            return Err((e, self, first.0.into_inner(), second.0.into_inner()));
        }
        // The UARTE is enabled and STARTRX was triggered, so RXSTARTED comes:
        // the first address is latched, and `RXD.PTR` may take the second.
        self.regs.wait(EVENTS_RXSTARTED);
        self.regs.clear(EVENTS_RXSTARTED);
        self.regs.channel(RXD_PTR, second.1.start(), second.1.bytes());
        // `start` cleared ENDRX: its interrupt now means the first buffer.
        if self.wired {
            self.token().enable_only(EVENTS_ENDRX);
        }
        Ok(RxStream { rx: self, active: first, queued: second })
    }
}

impl<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> RxStream<C, F, B> {
    /// Whether the active buffer is full, so [`next`](Self::next) will not wait.
    pub fn is_filled(&self) -> bool {
        self.rx.regs.event(EVENTS_ENDRX)
    }

    /// The receiver's interrupt, for the UARTE's vector (the same token as
    /// [`UarteRx::interrupt`]). Once it was taken (here, or from the
    /// receiver before [`read_stream`](UarteRx::read_stream)), the stream
    /// enables `ENDRX`'s interrupt for the buffer being filled (at once if
    /// taken here, and again in each [`next`](Self::next) after clearing
    /// `ENDRX`), never `ERROR`'s; the handler masks it and wakes the task,
    /// which then finds [`is_filled`](Self::is_filled) true: register the
    /// task's waker in the [`DmaWaker`](dma_traits::future::DmaWaker), then
    /// check `is_filled`, as `TransferFuture` does (see [`crate::interrupt`]).
    pub fn interrupt(&mut self) -> crate::Interrupt {
        let token = self.rx.interrupt();
        // The active buffer's ENDRX: a level, so one already set is not
        // missed (the handler masks it and wakes at once).
        token.enable_only(EVENTS_ENDRX);
        token
    }

    /// Waits until the active buffer is full, starts reception into the
    /// queued one, queues `fresh` behind it, and returns the full buffer.
    ///
    /// `fresh` is refused (and given back) if EasyDMA cannot use it or the
    /// fence refuses it; the stream then goes on unchanged.
    pub fn next(&mut self, fresh: B) -> Result<Filled<B>, (Error, B)> {
        let fresh = park::<C, B>(fresh)?;
        let fence = self.rx.fence;
        if let Err(e) = fresh.1.release(fence) {
            return Err((Error::Fence(e), fresh.0.into_inner()));
        }
        let regs = self.rx.regs;
        // The end of the one outstanding reception: the active buffer's.
        regs.wait(EVENTS_ENDRX);
        regs.clear(EVENTS_ENDRX);
        // The next ENDRX is the queued buffer's: its interrupt again (the
        // handler masked it when this one came).
        if self.rx.wired {
            self.rx.token().enable_only(EVENTS_ENDRX);
        }
        let received = regs.amount(RXD_AMOUNT);
        // Latches the queued address, the only one `RXD.PTR` holds.
        regs.trigger(TASKS_STARTRX);
        // Errors so far (an overrun in the gap included) belong to this buffer.
        let error = self.rx.take_error();
        regs.wait(EVENTS_RXSTARTED);
        regs.clear(EVENTS_RXSTARTED);
        regs.channel(RXD_PTR, fresh.1.start(), fresh.1.bytes());
        // Rotate the parked slots; the full buffer is in neither register:
        // EasyDMA finished it (ENDRX of the only reception that latched it)
        // and no task can latch it again.
        let queued = core::mem::replace(&mut self.queued, fresh);
        let (full, region) = core::mem::replace(&mut self.active, queued);
        region.acquire(fence);
        Ok(Filled { buffer: full.into_inner(), received, error })
    }

    /// Stops reception, waits for `RXTO`, and gives back the receiver and both
    /// buffers with the bytes received into each.
    pub fn stop(self) -> StreamStopped<C, F, B> {
        let mut this = ManuallyDrop::new(self);
        let (received, error) = this.halt();
        // SAFETY: `this` is never dropped and each field is read exactly once,
        // after the receiver stopped and the buffers were acquired.
        let rx = unsafe { core::ptr::read(&this.rx) };
        // SAFETY: as above.
        let active = unsafe { core::ptr::read(&this.active) };
        // SAFETY: as above.
        let queued = unsafe { core::ptr::read(&this.queued) };
        StreamStopped {
            rx,
            buffers: [(active.0.into_inner(), received), (queued.0.into_inner(), 0)],
            error,
        }
    }

    /// Stops the receiver and acquires both buffers; returns the bytes in the
    /// active one and any error flagged since the last hand-out.
    fn halt(&mut self) -> (usize, Option<Error>) {
        // Not unwinding while the DMA may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            let regs = self.rx.regs;
            // The receiver was started by `read_stream` (the UARTE was enabled)
            // and not stopped since, so RXTO comes, after any impending ENDRX.
            regs.trigger(TASKS_STOPRX);
            regs.wait(EVENTS_RXTO);
            regs.clear(EVENTS_RXTO);
            regs.clear(EVENTS_ENDRX);
            regs.clear(EVENTS_RXSTARTED);
            // The active buffer's reception ended (full before the stop, or cut
            // by it): its byte count either way.
            let received = regs.amount(RXD_AMOUNT);
            let error = self.rx.take_error();
            let fence = self.rx.fence;
            self.active.1.acquire(fence);
            self.queued.1.acquire(fence);
            (received, error)
        })
    }
}

impl<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> Drop for RxStream<C, F, B> {
    fn drop(&mut self) {
        // The buffers (the `Lent` fields) are dropped after this returns, so
        // after the receiver stopped and they were acquired.
        let _outcome = self.halt();
    }
}

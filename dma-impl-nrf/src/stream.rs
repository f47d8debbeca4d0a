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

use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr;

use dma_traits::{Access, DmaFence, StaticWriteBuffer};

use crate::block::offset::*;
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
    rx: ManuallyDrop<UarteRx<C, F>>,
    /// The buffer the one outstanding reception latched (parked, see
    /// `crate::transfer`).
    active: MaybeUninit<B>,
    /// The buffer whose address `RXD.PTR` holds, for the next `STARTRX` (parked).
    queued: MaybeUninit<B>,
}

fn extent<B: StaticWriteBuffer<Word = u8>>(buffer: &mut B) -> *const [u8] {
    let (p, len) = buffer.dma_write_buffer();
    ptr::slice_from_raw_parts(p.cast_const(), len)
}

fn checked<C: Chip, B: StaticWriteBuffer<Word = u8>>(
    buffer: &mut B,
) -> Result<(*mut u8, usize), Error> {
    let (p, len) = buffer.dma_write_buffer();
    check::easydma::<C>(p, len, false).map(|()| (p, len))
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
        // Parked before their DMA pointers are taken: see `crate::transfer`.
        let (mut first, mut second) = (MaybeUninit::new(first), MaybeUninit::new(second));
        // SAFETY: both were initialized just above.
        let first_mut = unsafe { first.assume_init_mut() };
        // SAFETY: as above.
        let second_mut = unsafe { second.assume_init_mut() };
        let pairs =
            checked::<C, B>(first_mut).and_then(|a| checked::<C, B>(second_mut).map(|b| (a, b)));
        let started = pairs.and_then(|((first_ptr, first_len), (second_ptr, second_len))| {
            self.check_enabled()?;
            let second_extent = ptr::slice_from_raw_parts(second_ptr.cast_const(), second_len);
            self.fence.release(second_extent, Access::DmaWrites)?;
            // No short: only this driver's STARTRX tasks latch a buffer.
            self.regs.write(SHORTS, 0);
            if let Err(e) = self.start(first_ptr, first_len) {
                self.fence.acquire(second_extent, Access::DmaWrites);
                return Err(e);
            }
            Ok((second_ptr, second_len))
        });
        let (second_ptr, second_len) = match started {
            Ok(pair) => pair,
            Err(e) => {
                // SAFETY: both initialized above; nothing was started.
                let first = unsafe { first.assume_init() };
                // SAFETY: as above.
                let second = unsafe { second.assume_init() };
                return Err((e, self, first, second));
            }
        };
        // The UARTE is enabled and STARTRX was triggered, so RXSTARTED comes:
        // the first address is latched, and `RXD.PTR` may take the second.
        self.regs.wait(EVENTS_RXSTARTED);
        self.regs.clear(EVENTS_RXSTARTED);
        self.regs.channel(RXD_PTR, second_ptr, second_len);
        Ok(RxStream { rx: ManuallyDrop::new(self), active: first, queued: second })
    }
}

impl<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> RxStream<C, F, B> {
    /// Whether the active buffer is full, so [`next`](Self::next) will not wait.
    pub fn is_filled(&self) -> bool {
        self.rx.regs.event(EVENTS_ENDRX)
    }

    /// Waits until the active buffer is full, starts reception into the
    /// queued one, queues `fresh` behind it, and returns the full buffer.
    ///
    /// `fresh` is refused (and given back) if EasyDMA cannot use it or the
    /// fence refuses it; the stream then goes on unchanged.
    pub fn next(&mut self, fresh: B) -> Result<Filled<B>, (Error, B)> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let mut fresh = MaybeUninit::new(fresh);
        // SAFETY: initialized just above.
        let (fresh_ptr, fresh_len) = match checked::<C, B>(unsafe { fresh.assume_init_mut() }) {
            Ok(pair) => pair,
            // SAFETY: initialized above and never lent.
            Err(e) => return Err((e, unsafe { fresh.assume_init() })),
        };
        let fence = self.rx.fence;
        let fresh_extent = ptr::slice_from_raw_parts(fresh_ptr.cast_const(), fresh_len);
        if let Err(e) = fence.release(fresh_extent, Access::DmaWrites) {
            // SAFETY: initialized above and never lent.
            return Err((Error::Fence(e), unsafe { fresh.assume_init() }));
        }
        let regs = self.rx.regs;
        // The end of the one outstanding reception: the active buffer's.
        regs.wait(EVENTS_ENDRX);
        regs.clear(EVENTS_ENDRX);
        let received = regs.amount(RXD_AMOUNT);
        // Latches the queued address, the only one `RXD.PTR` holds.
        regs.trigger(TASKS_STARTRX);
        // Errors so far (an overrun in the gap included) belong to this buffer.
        let error = self.rx.take_error();
        regs.wait(EVENTS_RXSTARTED);
        regs.clear(EVENTS_RXSTARTED);
        regs.channel(RXD_PTR, fresh_ptr, fresh_len);
        // Rotate the parked slots; the full buffer is in neither register.
        let queued = core::mem::replace(&mut self.queued, fresh);
        let full = core::mem::replace(&mut self.active, queued);
        // SAFETY: every slot holds a buffer; EasyDMA finished this one (ENDRX
        // of the only reception that latched it) and no task can latch it again.
        let mut full = unsafe { full.assume_init() };
        fence.acquire(extent(&mut full), Access::DmaWrites);
        Ok(Filled { buffer: full, received, error })
    }

    /// Stops reception, waits for `RXTO`, and gives back the receiver and both
    /// buffers with the bytes received into each.
    pub fn stop(self) -> StreamStopped<C, F, B> {
        let mut this = ManuallyDrop::new(self);
        let (received, error) = this.halt();
        // SAFETY: `this` is never dropped and each field is taken exactly once,
        // after the receiver stopped and the buffers were acquired.
        let rx = unsafe { ManuallyDrop::take(&mut this.rx) };
        // SAFETY: as above; every slot holds a buffer.
        let active = unsafe { this.active.assume_init_read() };
        // SAFETY: as above.
        let queued = unsafe { this.queued.assume_init_read() };
        StreamStopped { rx, buffers: [(active, received), (queued, 0)], error }
    }

    /// Stops the receiver and acquires both buffers; returns the bytes in the
    /// active one and any error flagged since the last hand-out.
    fn halt(&mut self) -> (usize, Option<Error>) {
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
        // SAFETY: every slot holds a buffer, and the receiver has stopped.
        let active = unsafe { self.active.assume_init_mut() };
        fence.acquire(extent(active), Access::DmaWrites);
        // SAFETY: as above.
        let queued = unsafe { self.queued.assume_init_mut() };
        fence.acquire(extent(queued), Access::DmaWrites);
        (received, error)
    }
}

impl<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> Drop for RxStream<C, F, B> {
    fn drop(&mut self) {
        let _outcome = self.halt();
        // SAFETY: dropped once, here, after the receiver stopped; `stop` never
        // lets `Drop` run.
        unsafe { self.active.assume_init_drop() };
        // SAFETY: as above.
        unsafe { self.queued.assume_init_drop() };
        // SAFETY: as above.
        unsafe { ManuallyDrop::drop(&mut self.rx) };
    }
}

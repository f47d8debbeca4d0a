//! Continuous UARTE reception into two alternating buffers.
//!
//! The UARTE latches `RXD.PTR` when reception starts (`RXSTARTED`), so the
//! next buffer's address can be written while the current one fills. With the
//! `ENDRX -> STARTRX` shortcut the hardware moves on to it the moment the
//! current buffer is full: no byte falls between two buffers, as long as the
//! CPU hands in a fresh buffer before the queued one is full.

use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr;

use dma_traits::{Access, DmaFence, StaticWriteBuffer};

use crate::block::offset::*;
use crate::uarte::UarteRx;
use crate::{check, Chip, Error};

/// UARTE `SHORTS.ENDRX_STARTRX`.
const SHORT_ENDRX_STARTRX: u32 = 1 << 5;

/// A buffer the stream filled.
#[derive(Debug)]
pub struct Filled<B> {
    /// The buffer, acquired: readable by the CPU.
    pub buffer: B,
    /// Bytes received into it.
    pub received: usize,
    /// A receive error (`ERRORSRC`) seen while it filled; the stream goes on.
    pub error: Option<Error>,
}

/// What [`RxStream::stop`] gives back.
#[derive(Debug)]
pub struct StreamStopped<C: Chip, F: DmaFence, B> {
    /// The receiver.
    pub rx: UarteRx<C, F>,
    /// The buffers in reception order, each with the bytes received into it.
    pub buffers: [(B, usize); 2],
}

/// A running double-buffered reception; see the [module docs](self).
#[derive(Debug)]
pub struct RxStream<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> {
    rx: ManuallyDrop<UarteRx<C, F>>,
    /// The buffer being filled (parked, see `crate::transfer`).
    active: MaybeUninit<B>,
    /// The buffer whose address is latched next (parked).
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
        let ((first_ptr, first_len), (second_ptr, second_len)) = match pairs {
            Ok(pairs) => pairs,
            Err(e) => {
                // SAFETY: both initialized above; nothing started.
                let first = unsafe { first.assume_init() };
                // SAFETY: as above.
                let second = unsafe { second.assume_init() };
                return Err((e, self, first, second));
            }
        };
        let second_extent = ptr::slice_from_raw_parts(second_ptr.cast_const(), second_len);
        if let Err(e) = self.fence.release(second_extent, Access::DmaWrites) {
            // SAFETY: both initialized above; nothing started.
            let first = unsafe { first.assume_init() };
            // SAFETY: as above.
            let second = unsafe { second.assume_init() };
            return Err((Error::Fence(e), self, first, second));
        }
        self.regs.write(SHORTS, SHORT_ENDRX_STARTRX);
        if let Err(e) = self.start(first_ptr, first_len) {
            self.regs.write(SHORTS, 0);
            // SAFETY: both were initialized just above and nothing started.
            let first = unsafe { first.assume_init() };
            // SAFETY: as above.
            let second = unsafe { second.assume_init() };
            return Err((e, self, first, second));
        }
        // The first address is latched once RXSTARTED is set; queue the second.
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

    /// Waits until the active buffer is full, queues `fresh` behind the one
    /// the hardware moved on to, and returns the full buffer.
    ///
    /// `fresh` is refused (and given back) if EasyDMA cannot use it; the
    /// stream then goes on unchanged.
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
        regs.wait(EVENTS_ENDRX);
        regs.clear(EVENTS_ENDRX);
        let received = regs.amount(RXD_AMOUNT);
        // The shortcut restarted reception into the queued buffer: once its
        // address is latched, the fresh one can take its place in RXD.PTR.
        regs.wait(EVENTS_RXSTARTED);
        regs.clear(EVENTS_RXSTARTED);
        // Rotate the parked slots before the fresh address reaches the hardware.
        let queued = core::mem::replace(&mut self.queued, fresh);
        let full = core::mem::replace(&mut self.active, queued);
        regs.channel(RXD_PTR, fresh_ptr, fresh_len);
        let error = self.rx.take_error();
        // SAFETY: every slot holds a buffer; the hardware finished this one
        // (ENDRX) and has latched the next address (RXSTARTED).
        let mut full = unsafe { full.assume_init() };
        fence.acquire(extent(&mut full), Access::DmaWrites);
        Ok(Filled { buffer: full, received, error })
    }

    /// Stops reception, waits for `RXTO`, and gives back the receiver and both
    /// buffers with the bytes received into each.
    pub fn stop(self) -> StreamStopped<C, F, B> {
        let mut this = ManuallyDrop::new(self);
        let (first, second) = this.halt();
        // SAFETY: `this` is never dropped and each field is taken exactly once,
        // after the receiver stopped and the buffers were acquired.
        let rx = unsafe { ManuallyDrop::take(&mut this.rx) };
        // SAFETY: as above; every slot holds a buffer.
        let active = unsafe { this.active.assume_init_read() };
        // SAFETY: as above.
        let queued = unsafe { this.queued.assume_init_read() };
        StreamStopped { rx, buffers: [(active, first), (queued, second)] }
    }

    /// Stops the receiver and acquires both buffers; returns the bytes in each.
    fn halt(&mut self) -> (usize, usize) {
        let regs = self.rx.regs;
        regs.write(SHORTS, 0);
        regs.trigger(TASKS_STOPRX);
        regs.wait(EVENTS_RXTO);
        regs.clear(EVENTS_RXTO);
        regs.clear(EVENTS_ENDRX);
        let amount = regs.amount(RXD_AMOUNT);
        // An unconsumed RXSTARTED means the active buffer filled and the
        // hardware had already moved on to the queued one.
        let moved_on = regs.event(EVENTS_RXSTARTED);
        regs.clear(EVENTS_RXSTARTED);
        let _discarded = self.rx.take_error();
        let fence = self.rx.fence;
        // SAFETY: every slot holds a buffer, and the receiver has stopped.
        let active = unsafe { self.active.assume_init_mut() };
        let (_, active_len) = active.dma_write_buffer();
        fence.acquire(extent(active), Access::DmaWrites);
        // SAFETY: as above.
        let queued = unsafe { self.queued.assume_init_mut() };
        fence.acquire(extent(queued), Access::DmaWrites);
        if moved_on {
            (active_len, amount)
        } else {
            (amount, 0)
        }
    }
}

impl<C: Chip, F: DmaFence, B: StaticWriteBuffer<Word = u8>> Drop for RxStream<C, F, B> {
    fn drop(&mut self) {
        let _amounts = self.halt();
        // SAFETY: dropped once, here, after the receiver stopped; `stop` never
        // lets `Drop` run.
        unsafe { self.active.assume_init_drop() };
        // SAFETY: as above.
        unsafe { self.queued.assume_init_drop() };
        // SAFETY: as above.
        unsafe { ManuallyDrop::drop(&mut self.rx) };
    }
}

//! Reception without end into one buffer, half by half: the UARTE's
//! `dma_traits::DmaReadStream<u8>` ([`UarteHalves`]).
//!
//! The design is [`RxStream`](crate::RxStream)'s, with the two halves of one
//! buffer as its two buffers: exactly one reception is outstanding at any
//! time, every `STARTRX` is triggered by this driver, never by a short, and
//! `RXD.PTR` holds the address of the half after the outstanding one. The
//! facts it rests on (PS UARTE chapter, "Reception"; listed in
//! [`stream`](crate::stream)): `STARTRX` latches `RXD.PTR`/`RXD.MAXCNT`,
//! `RXSTARTED` says they are latched, EasyDMA writes only the latched half
//! and generates `ENDRX` when it is full, and writes nothing more of it
//! after; no other task latches a buffer.
//!
//! [`read_half`](dma_traits::ReadStream::read_half) finds `ENDRX`: the
//! outstanding reception, of the half due, is complete. It reads `ERROR`
//! (after `ENDRX`), clears `ENDRX`, triggers `STARTRX` for the other half,
//! waits for `RXSTARTED`, writes the completed half's address into `RXD.PTR`
//! for the reception after next, and copies the completed half out. EasyDMA
//! cannot come back into that half during the copy: only a `STARTRX` of a
//! later `read_half`, after this one returned, latches its address again. So
//! the copy never races the DMA, and "the DMA came back into the half" cannot
//! happen; the stream never hands out memory of another lap.
//!
//! # Overrun
//!
//! What can happen is that the CPU is late: between a half's `ENDRX` and the
//! next `STARTRX` no buffer is latched, the UARTE's small RX FIFO fills, and
//! a byte is lost: the UARTE sets `ERRORSRC.OVERRUN` and `ERROR` ("Error
//! conditions"). A half is handed out only if no receive error was flagged
//! from the previous half's `ENDRX` up to its own (`ERROR` read after its
//! `ENDRX`: a byte lost before the half's last byte was flagged before its
//! `ENDRX`). Otherwise `read_half` returns [`Error::Overrun`] (kind
//! `Overrun`), discards the half (its bytes may not follow the previous
//! half's, or may have a gap), counts its words in
//! [`lost_words`](dma_traits::ReadStream::lost_words) and goes on with the
//! next half, which is already receiving (the newest). `lost_words` counts
//! the words the stream discarded; the bytes the UARTE dropped on the wire
//! are not counted by any register (at least one was).
//!
//! A parity, framing or break error (`ERRORSRC` bits other than `OVERRUN`)
//! stops the stream: `read_half` returns it from then on, and
//! [`is_done`](dma_traits::Transfer::is_done) is true. `stop` gives
//! everything back.
//!
//! No interrupt is enabled by the stream: poll it.

use core::mem::ManuallyDrop;
use core::sync::atomic::{fence, Ordering};

use dma_traits::{
    DmaFence, DmaReadStream, DmaWriteBuffer, Finished, Lent, Outcome, ReadStream, Region, Started,
    Transfer, TransferError,
};

use crate::regs::uarte::{
    ERRORSRC as UARTE_ERRORSRC, ERRORSRC_BREAK, ERRORSRC_FRAMING, ERRORSRC_OVERRUN, ERRORSRC_PARITY,
};
use crate::regs::*;
use crate::uarte::UarteRx;
use crate::{check, Chip, Error};

/// A running half-by-half reception on a UARTE (see the [module](self)).
#[derive(Debug)]
pub struct UarteHalves<C: Chip, F: DmaFence, B> {
    rx: UarteRx<C, F>,
    buffer: Lent<B>,
    /// The buffer's first byte (its `dma_write_buffer` pointer).
    start: *mut u8,
    /// Bytes per half.
    half: usize,
    /// Halves completed so far (handed out or discarded): the outstanding
    /// reception is of half number `taken`, at `taken % 2`.
    taken: u64,
    /// Bytes handed out so far.
    handed: usize,
    /// Bytes discarded by overruns so far.
    lost: u64,
    /// The error that stopped the stream, if one did.
    failed: Option<Error>,
}

// SAFETY: `start` is an address inside the buffer the stream owns, used only
// through `&mut self` (and `stop`/`Drop`); sending the stream sends that
// ownership with it, as for an `EasyDmaTransfer`. The registers (`UarteRx`)
// are `Send` on their own.
unsafe impl<C: Chip, F: DmaFence + Send, B: Send> Send for UarteHalves<C, F, B> {}

/// Every `ERRORSRC` bit the UARTE has.
const ERRORSRC_ALL: u32 = ERRORSRC_OVERRUN | ERRORSRC_PARITY | ERRORSRC_FRAMING | ERRORSRC_BREAK;

/// Whether `ERRORSRC` holds an error that stops the stream (any bit but
/// `OVERRUN`).
fn fatal(errorsrc: u32) -> bool {
    errorsrc & !ERRORSRC_OVERRUN != 0
}

impl<C: Chip, F: DmaFence, B> UarteHalves<C, F, B> {
    /// The address of half `n % 2`.
    fn half_at(&self, n: u64) -> *mut u8 {
        self.start.wrapping_add(if n.is_multiple_of(2) { 0 } else { self.half })
    }

    /// Stops the receiver (`STOPRX`, then `RXTO`, after any impending
    /// `ENDRX`) and acquires the whole buffer.
    fn halt(&mut self) {
        // Not unwinding while the DMA may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            let regs = self.rx.regs;
            // The receiver was started by `read_stream_unchecked` (the UARTE was
            // enabled) and not stopped since, so RXTO comes.
            regs.trigger(TASKS_STOPRX);
            regs.wait(EVENTS_RXTO);
            regs.clear(EVENTS_RXTO);
            regs.clear(EVENTS_ENDRX);
            regs.clear(EVENTS_RXSTARTED);
            let _ = self.rx.take_error();
            Region::dma_writes(self.start, 2 * self.half).acquire(self.rx.fence);
        })
    }
}

impl<C: Chip, F: DmaFence, B> ReadStream<u8> for UarteHalves<C, F, B> {
    fn half_len(&self) -> usize {
        self.half
    }

    fn lost_words(&self) -> u64 {
        self.lost
    }

    fn read_half(&mut self, out: &mut [u8]) -> Result<Option<usize>, Error> {
        if let Some(error) = self.failed {
            return Err(error);
        }
        let regs = self.rx.regs;
        if !regs.event(EVENTS_ENDRX) {
            if regs.event(EVENTS_ERROR) && fatal(regs.read(UARTE_ERRORSRC)) {
                // The line holds after such an error: the half never fills.
                let error = self.rx.take_error().unwrap_or(Error::Unknown { errorsrc: 0 });
                self.failed = Some(error);
                return Err(error);
            }
            return Ok(None);
        }
        // The end of the one outstanding reception: half `taken` is full.
        // Errors flagged so far fell before its last byte or in the gap
        // before it: they concern this half.
        let error = self.rx.take_error();
        regs.clear(EVENTS_ENDRX);
        let received = regs.amount(RXD_AMOUNT);
        // Latches the other half, whose address `RXD.PTR` holds.
        regs.trigger(TASKS_STARTRX);
        regs.wait(EVENTS_RXSTARTED);
        regs.clear(EVENTS_RXSTARTED);
        let full = self.half_at(self.taken);
        // Queued for the reception after next: latched only by the STARTRX
        // of a later call, after this copy.
        regs.channel(RXD_PTR, full, self.half);
        self.taken += 1;
        match error {
            Some(Error::Overrun) => {
                self.lost += self.half as u64;
                return Err(Error::Overrun);
            }
            Some(error) => {
                self.failed = Some(error);
                return Err(error);
            }
            None => {}
        }
        Region::dma_writes(full, self.half).acquire(self.rx.fence);
        let n = out.len().min(received).min(self.half);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            // SAFETY: byte `i < half` of the completed half, inside the buffer
            // the stream owns and keeps alive; EasyDMA writes it no more
            // (ENDRX of the only reception that latched it, and no task can
            // latch it before this call returns); the simulator's and the
            // chip's EasyDMA write bytes only, so a one-byte atomic load is
            // `load_from_dma`'s contract; the pointer came from
            // `dma_write_buffer` and carries write permission.
            *slot = unsafe { dma_mmio::load_from_dma(full.wrapping_add(i).cast_const()) };
        }
        fence(Ordering::Acquire);
        self.handed += n;
        Ok(Some(n))
    }
}

// SAFETY: `stop` and `Drop` trigger STOPRX and wait for RXTO (after which
// EasyDMA writes nothing, PS UARTE "Reception") and run the acquire fence
// over the whole buffer before it is given back or dropped; the receiver
// was started (the stream exists only after STARTRX on an enabled UARTE),
// so RXTO comes. No panicking path before that, and `halt` runs under
// `abort_on_unwind` (a host register access that unwinds aborts); `is_done`
// only reads.
unsafe impl<C: Chip, F: DmaFence, B> Transfer for UarteHalves<C, F, B> {
    type Buffer = B;
    type Resources = UarteRx<C, F>;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.failed.is_some()
            || (self.rx.regs.event(EVENTS_ERROR) && fatal(self.rx.regs.read(UARTE_ERRORSRC)))
    }

    fn stop(self) -> Outcome<Self> {
        let mut this = ManuallyDrop::new(self);
        this.halt();
        // SAFETY: `this` is never dropped and each field is read exactly once,
        // after the receiver stopped and the buffer was acquired.
        let rx = unsafe { core::ptr::read(&this.rx) };
        // SAFETY: as above.
        let buffer = unsafe { core::ptr::read(&this.buffer) }.into_inner();
        let transferred = this.handed;
        match this.failed {
            Some(error) => Err(TransferError { error, buffer, resources: rx, transferred }),
            None => Ok(Finished { buffer, resources: rx, transferred }),
        }
    }
}

impl<C: Chip, F: DmaFence, B> Drop for UarteHalves<C, F, B> {
    fn drop(&mut self) {
        // The buffer (the `Lent` field) is dropped after this returns, so
        // after the receiver stopped and it was acquired.
        self.halt();
    }
}

// SAFETY: `read_stream_unchecked` refuses (with the buffer and `self`, the
// UARTE untouched) an empty or odd buffer, halves over `MAXCNT`, memory
// outside data RAM, a fence refusal and a disabled UARTE; otherwise it runs
// the release fence over exactly the buffer's pair, programs the first half
// and triggers STARTRX (`UarteRx::start`), then queues the second half: the
// DMA writes exactly the pair, half by half. The stream ends as argued on
// its `Transfer` impl; `read_half` copies only a half whose reception ended
// and that no task can latch before the copy is done.
unsafe impl<C: Chip, F: DmaFence> DmaReadStream<u8> for UarteRx<C, F> {
    type Error = Error;
    type Stream<B: DmaWriteBuffer<Word = u8>> = UarteHalves<C, F, B>;

    /// Two halves of at most `MAXCNT` bytes each.
    fn max_len(&self) -> usize {
        2 * C::MAXCNT_MAX
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut buffer = Lent::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let half = len / 2;
        let checked = if len == 0 {
            Err(Error::Empty)
        } else if !len.is_multiple_of(2) {
            Err(Error::OddLength { len })
        } else if half > C::MAXCNT_MAX {
            Err(Error::TooLong { len, max: 2 * C::MAXCNT_MAX })
        } else {
            check::in_ram::<C>(ptr, len)
        };
        let started = checked.and_then(|()| {
            self.check_enabled()?;
            let whole = Region::dma_writes(ptr, len);
            whole.release(self.fence)?;
            // No short: only this driver's STARTRX tasks latch a half. Stale
            // `ERRORSRC` bits (write 1 to clear) would be taken for this
            // stream's.
            self.regs.write(SHORTS, 0);
            self.regs.write(UARTE_ERRORSRC, ERRORSRC_ALL);
            // Releases the first half again (a no-op after the whole) and
            // starts its reception; no interrupt is enabled.
            if let Err(e) = self.start(Region::dma_writes(ptr, half), false) {
                whole.acquire(self.fence);
                return Err(e);
            }
            Ok(())
        });
        if let Err(error) = started {
            return Err(TransferError::rejected(error, buffer.into_inner(), self));
        }
        // The UARTE is enabled and STARTRX was triggered, so RXSTARTED comes:
        // the first half is latched, and `RXD.PTR` may take the second.
        self.regs.wait(EVENTS_RXSTARTED);
        self.regs.clear(EVENTS_RXSTARTED);
        self.regs.channel(RXD_PTR, ptr.wrapping_add(half), half);
        Ok(UarteHalves {
            rx: self,
            buffer,
            start: ptr,
            half,
            taken: 0,
            handed: 0,
            lost: 0,
            failed: None,
        })
    }
}

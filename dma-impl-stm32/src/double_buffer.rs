//! Double-buffered reception on the stream DMA (`DBM`, `M0AR`/`M1AR`, `CT`).
//!
//! # Why the copy-out is sound, and when its data can be trusted
//!
//! As for [`Circular`](crate::Circular) (see `circular`'s module
//! documentation): the copy reads each item with [`dma_mmio::load_from_dma`]
//! (an atomic load of the item's width; on the chip one `LDRB`/`LDRH`/`LDR`;
//! on the host it races only the simulator's same-width atomic beats), and
//! whether the copy is data is decided from the flags read *after* it.
//!
//! The stream fills buffer `m % 2` with fill `m = 0, 1, 2, ...`. Cut every
//! fill in two parts at its half-transfer point and number the parts
//! `σ = 2m` (first part) and `σ = 2m + 1` (second part); `E(σ)` is the event
//! at the end of part `σ`: `HTIF` for even `σ`, `TCIF` (with the switch of
//! `CT`) for odd `σ` (RM0090 §10.3.9, §10.4). Fill `m` is complete at
//! `E(2m + 1)` and stays intact until the stream starts fill `m + 2` in the
//! same buffer, at `E(2m + 3)`.
//!
//! `TCIF` alone cannot protect the copy: the flags are sticky, so a caller
//! who comes back late finds `TCIF` set and `CT` pointing at the other
//! buffer both one fill and three fills later, and in the second case the
//! buffer holds fill `m + 2`, not `m`: two fills would be lost unreported.
//! No register tells those apart. So the driver follows *both* events, as
//! the circular driver does, with the same invariant for the part `σ` it
//! waits on: the flag of `E(σ)` was cleared after `E(σ - 2)` and before
//! `E(σ)`, the flag of `E(σ + 1)` after `E(σ - 1)` and before `E(σ + 1)`.
//!
//! * flag of `E(σ)` clear: nothing happened yet.
//! * both flags set: at least two events since; the stream may be anywhere
//!   (overrun, then resynchronization as for `Circular`: clear both flags in
//!   one write, read `CT` and `NDTR`, read the flags; if no event came in
//!   between, `CT` and `NDTR` name the part the stream is in).
//! * `σ = 2m`, `HTIF` set, `TCIF` clear: clear `HTIF`, read the flags; with
//!   `TCIF` still clear the clear came before `E(2m + 1)`, hence before
//!   `E(2m + 2)`: now wait on `2m + 1`. (With `TCIF` set, that cannot be
//!   shown: overrun.)
//! * `σ = 2m + 1`, `TCIF` set, `HTIF` clear: fill `m` is complete. Clear
//!   `TCIF`, read the flags: `HTIF` still clear shows that clear came before
//!   `E(2m + 2)`, so `TCIF` now watches `E(2m + 3)`. Copy buffer `m % 2`, run
//!   an acquire fence, read the flags: `TCIF` still clear means `E(2m + 3)`
//!   had not happened, so the stream never wrote that buffer during the
//!   copy, and the copy is returned. Otherwise it is not data: overrun.
//!
//! The count an overrun reports is exact up to whole pairs of fills the
//! stream completed unseen (the flags merge them). The cost of soundness:
//! the caller must look at least once in each half of every fill (on the
//! half-transfer *and* the transfer-complete interrupt, or by polling that
//! often); a call that finds both events happened reports an overrun even
//! when the buffer might still have been intact, because it cannot be
//! shown to be.

use dma_traits::{
    DmaFence, DmaWriteBuffer, Finished, Outcome, Region, Transfer, TransferError, Word,
};

use crate::circular::{at_least, clear_ended, ended, Step};
use crate::hw::{check, copy_from_dma, Direction, Setup};
use crate::one_shot::Lent;
use crate::{DmaChannel, Error, Owner};
use dma_traits::Lent as Held;

/// A double-buffered peripheral-to-memory transfer in flight.
///
/// The stream fills buffer 0 (`M0AR`), switches `CT` and fills buffer 1
/// (`M1AR`), and so on, raising `HTIF` in the middle and `TCIF` at the end
/// of each buffer. [`read_completed`](Self::read_completed) copies out the
/// buffer the stream has just completed and hands the copy out only if the
/// flags read after it show the stream did not come back into that buffer;
/// otherwise it reports [`Error::Overrun`] with the count of items skipped.
/// Call it at least once in each half of every buffer (the module
/// documentation has the argument).
#[derive(Debug)]
pub struct DoubleBuffer<B: DmaWriteBuffer, R: Owner, F: DmaFence> {
    core: Double<(B, B), B::Word, R, F>,
}

/// The driver of a double-buffered stream, over whatever holds the two
/// memory areas `H` (two buffers, or one buffer's two halves).
#[derive(Debug)]
pub(crate) struct Double<H, W, R: Owner, F: DmaFence> {
    lent: Lent<H, R, F>,
    starts: [*const W; 2],
    len: usize,
    /// In step: the part the driver waits on (wrapping; `next / 2` is the
    /// fill due, in buffer `(next / 2) % 2`). Ready: the part the stream was
    /// found in (the fill before it is due). Lost: a lower bound on it.
    next: usize,
    step: Step,
}

// SAFETY: as for `Circular`: the pointers are the buffers' own addresses.
unsafe impl<H: Send, W, R: Owner + Send, F: DmaFence + Send> Send for Double<H, W, R, F> {}

impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> DoubleBuffer<B, R, F> {
    /// Starts filling `first` then `second` from the register at `peripheral`.
    ///
    /// # Safety
    ///
    /// As for [`Circular::start`](crate::Circular); the channel must be a
    /// stream (the caller's type restricts it).
    #[allow(clippy::type_complexity)]
    pub(crate) unsafe fn start(
        buffers: (B, B),
        resources: R,
        peripheral: *const u8,
        fence: F,
    ) -> Result<Self, TransferError<Error, (B, B), R>> {
        let mut buffers = Held::new(buffers);
        let (p0, len) = buffers.get_mut().0.dma_write_buffer();
        let (p1, len1) = buffers.get_mut().1.dma_write_buffer();
        let checked = check(p0.cast_const(), len).and_then(|ok| {
            check(p1.cast_const(), len1)?;
            if len != len1 {
                return Err(Error::LengthMismatch { source: len, destination: len1 });
            }
            if len < 2 {
                // No half-transfer event inside a one-item buffer.
                return Err(Error::TooShort { items: len, min: 2 });
            }
            Ok(ok)
        });
        let (size, items) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffers.into_inner(), resources)),
        };
        let regions = [Region::dma_writes(p0, len), Region::dma_writes(p1, len)];
        let setup = Setup {
            direction: Direction::PeripheralToMemory,
            peripheral,
            memory: p0.cast::<u8>(),
            memory1: Some(p1.cast::<u8>()),
            items,
            size,
            peripheral_increment: false,
            circular: true,
        };
        // SAFETY: the regions cover both buffers; the caller's contract.
        // `program` cleared the flags before `EN`: the invariant holds for part 0.
        match unsafe { Lent::start(buffers, resources, &setup, &regions, fence) } {
            Ok(lent) => Ok(DoubleBuffer {
                core: Double::new(lent, [p0.cast_const(), p1.cast_const()], len),
            }),
            Err((e, buffers, resources)) => Err(TransferError::rejected(e, buffers, resources)),
        }
    }

    /// If the stream has completed the buffer due, copies up to `out.len()`
    /// of its items into `out` and returns which buffer (0 or 1) and how
    /// many; `Ok(None)` if there is none to hand out yet. The rest of `out`,
    /// and all of it when the call does not return `Ok(Some(..))`, holds
    /// unspecified items.
    ///
    /// # Errors
    ///
    /// [`Error::Overrun`] with the number of items skipped when the stream
    /// overtook the CPU (the next calls resynchronize); the error flag of
    /// the stream otherwise.
    pub fn read_completed(&mut self, out: &mut [B::Word]) -> Result<Option<(usize, usize)>, Error> {
        self.core.read_completed(out)
    }
}

impl<H, W: Word, R: Owner, F: DmaFence> Double<H, W, R, F> {
    /// The driver of the stream `lent` runs, filling `len` items at `starts[0]`
    /// (`M0AR`) and at `starts[1]` (`M1AR`) in turn, flags cleared before `EN`.
    pub(crate) fn new(lent: Lent<H, R, F>, starts: [*const W; 2], len: usize) -> Self {
        Double { lent, starts, len, next: 0, step: Step::Following }
    }

    /// Items in each of the two areas.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// As [`DoubleBuffer::read_completed`].
    pub(crate) fn read_completed(
        &mut self,
        out: &mut [W],
    ) -> Result<Option<(usize, usize)>, Error> {
        if self.step == Step::Lost {
            let Some(sigma) = self.resync(self.next)? else {
                return Ok(None);
            };
            let lost = self.salvage(sigma);
            if lost > 0 {
                return Err(Error::Overrun { lost });
            }
        }
        let channel = self.lent.channel();
        let status = channel.status();
        if let Some(e) = status.error() {
            return Err(e);
        }
        let s = self.next;
        // The transfer-complete event that ends the fill after the one due:
        // from it on the stream may write the buffer due.
        let danger = if self.step == Step::Ready { s | 1 } else { s.wrapping_add(2) | 1 };
        if self.step == Step::Following {
            if !ended(status, s) {
                return Ok(None);
            }
            if ended(status, s.wrapping_add(1)) {
                // Two events since the flags were armed: out of step.
                return Err(self.overrun(s.wrapping_add(2)));
            }
            clear_ended(channel, s);
            let check = channel.status();
            if ended(check, s.wrapping_add(1)) {
                // The next event came before the clear could be shown to
                // precede the one after it.
                return Err(self.overrun(s.wrapping_add(2)));
            }
            if s.is_multiple_of(2) {
                // Mid-fill: the half-transfer flag re-armed, nothing to hand out.
                self.next = s.wrapping_add(1);
                return Ok(None);
            }
        } else if ended(status, danger) {
            return Err(self.overrun(danger.wrapping_add(1)));
        }
        let buffer = self.due() % 2;
        let (Some(region), Some(&start)) = (self.lent.region(buffer), self.starts.get(buffer))
        else {
            return Ok(None);
        };
        region.acquire(self.lent.fence);
        let n = out.len().min(self.len);
        let (copy, _) = out.split_at_mut(n);
        // SAFETY: `n <= len` items of the completed buffer, aligned (checked
        // at start), owned by the transfer; the only racing writes are the
        // stream's beats of the item width.
        unsafe { copy_from_dma(start, copy) };
        let after = self.lent.channel().status();
        let released = region.release(self.lent.fence);
        if ended(after, danger) {
            // The stream completed the other buffer and may have come back
            // into this one during the copy: not data.
            return Err(self.overrun(danger.wrapping_add(1)));
        }
        // In step: waiting on the part after the completed fill (in step
        // before), or on the part the resynchronization found (ready before).
        if self.step == Step::Following {
            self.next = s.wrapping_add(1);
        }
        self.step = Step::Following;
        released.map_err(Error::Fence)?;
        Ok(Some((buffer, n)))
    }

    /// The fill due (wrapping): the one part `next` belongs to when in step,
    /// the one before it otherwise.
    fn due(&self) -> usize {
        let fill = self.next >> 1;
        if self.step == Step::Following {
            fill
        } else {
            fill.wrapping_sub(1)
        }
    }

    /// Items of the fills from the one due up to (not including) the fill
    /// due once `next` is `part` in state `step`; moves there.
    fn advance(&mut self, part: usize, step: Step) -> usize {
        let mut fills = (part & !1).wrapping_sub(self.next & !1) >> 1;
        if self.step != Step::Following {
            fills = fills.wrapping_add(1);
        }
        if step != Step::Following {
            fills = fills.wrapping_sub(1);
        }
        self.next = part;
        self.step = step;
        fills.wrapping_mul(self.len)
    }

    /// The stream is in part `sigma` (just shown, with both flags armed
    /// inside it): the fill before `sigma`'s is complete and intact until
    /// the transfer-complete event ending `sigma`'s fill, so it is due next,
    /// ready. Returns the items skipped to get there.
    fn salvage(&mut self, sigma: usize) -> usize {
        self.advance(sigma, Step::Ready)
    }

    /// Out of step: the stream is in part `floor` or later.
    fn overrun(&mut self, floor: usize) -> Error {
        match self.resync(floor) {
            Err(e) => e,
            Ok(Some(sigma)) => Error::Overrun { lost: self.salvage(sigma) },
            Ok(None) => Error::Overrun { lost: self.advance(floor, Step::Lost) },
        }
    }

    /// Clears both flags in one write, reads `CT`, `NDTR` and the flags: if
    /// no event came in between, the number (at least `floor`) of the part
    /// the stream was in all along, with both flags armed inside it.
    fn resync(&self, floor: usize) -> Result<Option<usize>, Error> {
        let channel = self.lent.channel();
        channel.clear_progress();
        let target = channel.current_target();
        let remaining = usize::from(channel.remaining());
        let status = channel.status();
        if let Some(e) = status.error() {
            return Err(e);
        }
        if status.half || status.complete || remaining == 0 || remaining > self.len {
            return Ok(None);
        }
        let second_part = self.len - remaining >= self.len / 2;
        Ok(Some(at_least(floor, 2 * target + usize::from(second_part), 4)))
    }
}

impl<H, W, R: Owner, F: DmaFence> Double<H, W, R, F> {
    /// Whether an error stopped the stream (or it reads disabled).
    pub(crate) fn is_done(&self) -> bool {
        let channel = self.lent.channel();
        channel.status().error().is_some() || !channel.is_enabled()
    }

    /// Stops the stream (wait for `EN` = 0, acquire both areas) and gives
    /// everything back.
    #[allow(clippy::type_complexity)]
    pub(crate) fn stop(self) -> Result<Finished<H, R>, TransferError<Error, H, R>> {
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

// SAFETY: ends through `Lent::end` / `Lent::drop` (stop, wait for `EN` = 0,
// acquire both buffers).
unsafe impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> Transfer for DoubleBuffer<B, R, F> {
    type Buffer = (B, B);
    type Resources = R;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.core.is_done()
    }

    fn stop(self) -> Outcome<Self> {
        self.core.stop()
    }
}

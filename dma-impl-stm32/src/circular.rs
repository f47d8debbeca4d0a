//! Circular reception: the DMA fills a buffer over and over, and the CPU
//! takes each half once the DMA has moved on to the other one.
//!
//! # Why the copy-out is sound, and when its data can be trusted
//!
//! The DMA keeps writing while the CPU copies a half out, and a caller who is
//! late (reads a half, then sleeps) copies memory the DMA may be writing at
//! that moment. A plain or volatile read racing a write is undefined
//! behaviour in Rust's memory model whatever is done with the value, so:
//!
//! 1. **No racing plain reads.** The CPU never forms a reference to the
//!    buffer and never reads it with a plain or volatile access while the
//!    channel runs. The copy reads each item with
//!    [`dma_mmio::load_from_dma`], an atomic load of the item's width. On the
//!    chip that is the same single `LDRB`/`LDRH`/`LDR` (the DMA writes each
//!    item as one bus access of `MSIZE`, so no item is torn); on the host the
//!    simulator writes each beat with `dma_mmio::store_as_dma`, an atomic
//!    store of the same width, so a race is a race of atomics, which is
//!    defined. A value read while the DMA overtook is a valid item of *some*
//!    lap; whether it may be handed out is decided afterwards.
//! 2. **Overrun is decided after the copy.** Number the halves the DMA
//!    writes `s = 0, 1, 2, ...` (half `s % 2`), and call `E(s)` the event at
//!    the end of half `s`: it sets `HTIF` for even `s` and `TCIF` for odd
//!    `s` (RM0090 §10.4, RM0008 §13.3.6). The flags are sticky: two events of
//!    one kind merge into one flag. Half `s` holds lap-consistent data from
//!    `E(s)` until the DMA starts half `s + 2`, i.e. until `E(s + 1)`.
//!    The driver waiting for half `s` keeps this invariant: the flag of
//!    `E(s)` was last cleared after `E(s - 2)` and before `E(s)`, and the
//!    flag of `E(s + 1)` after `E(s - 1)` and before `E(s + 1)`. Then:
//!    * flag of `E(s)` clear: `E(s)` has not happened; nothing to take.
//!    * flag of `E(s)` set and flag of `E(s + 1)` clear: exactly `E(s)`
//!      happened. The driver clears the flag of `E(s)`, copies half `s`,
//!      runs an acquire fence, and reads the flags again. If the flag of
//!      `E(s + 1)` is still clear, `E(s + 1)` had not happened when that
//!      read was made, so the DMA never entered half `s + 2` during the
//!      copy: every item copied is the one written in half `s`, and the
//!      copy is returned. The same read shows the clear of `E(s)`'s flag
//!      came before `E(s + 2)`, so the invariant holds for half `s + 1`.
//!      The fence makes the argument hold for relaxed loads: if a load saw a
//!      value written after `E(s + 1)`, the DMA's flag store for `E(s + 1)`
//!      (ordered before that write, on the host by the simulator's release
//!      fence) happens before the flag read, which then sees it.
//!    * otherwise (both flags set, before or after the copy): the DMA may
//!      have reached the half being taken. Nothing copied is returned; the
//!      call reports [`Error::Overrun`] with the number of items skipped.
//! 3. **Resynchronizing.** After an overrun the driver clears both flags in
//!    one write, reads `NDTR`, then the flags. If both are still clear, no
//!    event happened in between, so `NDTR` names the half `σ` the DMA was in
//!    throughout, and both flags were cleared inside half `σ`: the
//!    invariant holds for waiting on half `σ`, and half `σ - 1`, complete
//!    and intact until `E(σ)`, can be taken first by the same copy and
//!    check (the flag of `E(σ)` read after the copy). If an event
//!    intervened, it tries again at the next call (returning `Ok(None)`
//!    meanwhile). The count reported is the least `σ` consistent with what
//!    was seen, minus the half due; laps that passed unseen (the flags
//!    merge) add multiples of the buffer length, which no register can show.
//!
//! So the CPU never reads DMA memory as plain memory, and nothing the DMA
//! may have written after the half was complete is ever handed out. The
//! invariant requires the caller to look at least once per half (a call
//! that finds both events happened reports an overrun), which is also when
//! the data would be overwritten.

use dma_traits::{DmaFence, DmaWriteBuffer, Finished, Outcome, Region, Transfer, TransferError};

use crate::hw::{check, copy_from_dma, Direction, Setup, Status};
use crate::one_shot::Lent;
use crate::{DmaChannel, Error, Owner};
use dma_traits::Lent as Held;

/// One half of a circular buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// Items `0..len/2`, complete when `HTIF` is set.
    First,
    /// Items `len/2..len`, complete when `TCIF` is set.
    Second,
}

/// Whether the event ending half number `s` has set its flag (`HTIF` for an
/// even `s`, `TCIF` for an odd one).
pub(crate) fn ended(status: Status, s: usize) -> bool {
    if s.is_multiple_of(2) {
        status.half
    } else {
        status.complete
    }
}

/// Clears the flag of the event ending half number `s`.
pub(crate) fn clear_ended<C: DmaChannel>(channel: &C, s: usize) {
    if s.is_multiple_of(2) {
        channel.clear_half();
    } else {
        channel.clear_complete();
    }
}

/// The least `σ >= floor` with `σ ≡ residue (mod modulus)`.
pub(crate) fn at_least(floor: usize, residue: usize, modulus: usize) -> usize {
    let r = floor % modulus;
    floor.wrapping_add((residue + modulus - r) % modulus)
}

/// A circular peripheral-to-memory transfer in flight.
///
/// The DMA writes the first half, raises `HTIF`, writes the second half,
/// raises `TCIF`, and starts over. [`read_half`](Self::read_half) copies out
/// the half the DMA has just finished, and hands the copy out only if the
/// flags read *after* it show that the DMA did not come back into that half
/// meanwhile; otherwise it reports [`Error::Overrun`] with the count of
/// items skipped. Call it at least once per half (the module documentation
/// has the argument).
#[derive(Debug)]
pub struct Circular<B: DmaWriteBuffer, R: Owner, F: DmaFence> {
    lent: Lent<B, R, F>,
    start: *const B::Word,
    half: usize,
    /// The number of the half to take next (wrapping; its parity is the half).
    next: usize,
    step: Step,
}

/// Where a streaming transfer's driver stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Waiting for the unit due, with the invariant holding.
    Following,
    /// Resynchronized: the unit due is complete; take it now, before the
    /// next event.
    Ready,
    /// Out of step until a resynchronization succeeds.
    Lost,
}

// SAFETY: `start` is the buffer's own address, used only under the ownership
// that `Lent` (and thus `B: Send`, `R: Send`) carries.
unsafe impl<B: DmaWriteBuffer + Send, R: Owner + Send, F: DmaFence + Send> Send
    for Circular<B, R, F>
{
}

impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> Circular<B, R, F> {
    /// Starts filling `buffer` from the peripheral register at `peripheral`.
    ///
    /// # Safety
    ///
    /// For **callers**: `peripheral` is a register the DMA may read for the
    /// channel's request, owned through `resources`, and `buffer`'s memory
    /// outlives the transfer (`'static`, or the transfer is never leaked).
    #[allow(clippy::type_complexity)]
    pub(crate) unsafe fn start(
        buffer: B,
        resources: R,
        peripheral: *const u8,
        fence: F,
    ) -> Result<Self, TransferError<Error, B, R>> {
        let mut buffer = Held::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let (size, items) = match check(ptr.cast_const(), len) {
            Ok(ok) if len & 1 == 0 => ok,
            Ok(_) => {
                return Err(TransferError::rejected(
                    Error::OddLength { items: len },
                    buffer.into_inner(),
                    resources,
                ))
            }
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), resources)),
        };
        let half = len / 2;
        let regions =
            [Region::dma_writes(ptr, half), Region::dma_writes(ptr.wrapping_add(half), half)];
        let setup = Setup {
            direction: Direction::PeripheralToMemory,
            peripheral,
            memory: ptr.cast::<u8>(),
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: true,
        };
        // SAFETY: the regions cover the buffer; the caller's contract.
        // `program` cleared the flags before `EN` was set, so the invariant
        // holds for half 0.
        match unsafe { Lent::start(buffer, resources, &setup, &regions, fence) } {
            Ok(lent) => Ok(Circular { lent, start: ptr, half, next: 0, step: Step::Following }),
            Err((e, buffer, resources)) => Err(TransferError::rejected(e, buffer, resources)),
        }
    }

    /// Items per half.
    pub fn half_len(&self) -> usize {
        self.half
    }

    /// If the half the CPU is due to take is complete, copies up to
    /// `out.len()` of its items into `out` and returns which half and how
    /// many; `Ok(None)` if the DMA is still writing it. The rest of `out`,
    /// and all of it when the call does not return `Ok(Some(..))`, holds
    /// unspecified items.
    ///
    /// # Errors
    ///
    /// [`Error::Overrun`] if the DMA overtook the CPU, with the number of
    /// items skipped (the next calls resynchronize), or the channel's error
    /// flag ([`Error::Transfer`]), after which the transfer has stopped.
    pub fn read_half(&mut self, out: &mut [B::Word]) -> Result<Option<(Half, usize)>, Error> {
        if self.step == Step::Lost {
            let Some(sigma) = self.resync(self.next.wrapping_add(1))? else {
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
        if ended(status, s.wrapping_add(1)) {
            // Waiting: both events since the flags were armed; ready: the
            // event after the resynchronization. Either way the DMA is in
            // half `s + 2` or later, writing this half again.
            return Err(self.overrun(s.wrapping_add(2)));
        }
        if self.step == Step::Following {
            if !ended(status, s) {
                return Ok(None);
            }
            clear_ended(channel, s);
        }
        let (offset, taken) =
            if s.is_multiple_of(2) { (0, Half::First) } else { (self.half, Half::Second) };
        let Some(region) = self.lent.region(s % 2) else {
            return Ok(None);
        };
        region.acquire(self.lent.fence);
        let n = out.len().min(self.half);
        let (copy, _) = out.split_at_mut(n);
        // SAFETY: the half starts `offset` items into the buffer and holds
        // `half >= n` items, aligned (checked at start); the transfer owns the
        // buffer; the only writes that can race are the channel's beats of
        // the item width (`PSIZE` = `MSIZE` = the word's width).
        unsafe { copy_from_dma(self.start.wrapping_add(offset), copy) };
        let after = self.lent.channel().status();
        let released = region.release(self.lent.fence);
        if ended(after, s.wrapping_add(1)) {
            // The DMA finished the other half, so it may have written into
            // this one during the copy: not data.
            return Err(self.overrun(s.wrapping_add(2)));
        }
        self.next = s.wrapping_add(1);
        self.step = Step::Following;
        released.map_err(Error::Fence)?;
        Ok(Some((taken, n)))
    }

    /// The DMA is in half `sigma` (just shown, with both flags armed inside
    /// it): half `sigma - 1` is complete and intact until `E(sigma)`, so it
    /// is due next, ready. Returns the items skipped to get there.
    fn salvage(&mut self, sigma: usize) -> usize {
        let due = sigma.wrapping_sub(1);
        let lost = due.wrapping_sub(self.next).wrapping_mul(self.half);
        self.next = due;
        self.step = Step::Ready;
        lost
    }

    /// Out of step: the DMA is in half `floor` or later. Resynchronizes if
    /// it can and reports the items skipped.
    fn overrun(&mut self, floor: usize) -> Error {
        match self.resync(floor) {
            Err(e) => e,
            Ok(Some(sigma)) => Error::Overrun { lost: self.salvage(sigma) },
            Ok(None) => {
                // At best half `floor - 1` can still be saved.
                let due = floor.wrapping_sub(1);
                let lost = due.wrapping_sub(self.next).wrapping_mul(self.half);
                self.next = due;
                self.step = Step::Lost;
                Error::Overrun { lost }
            }
        }
    }

    /// Clears both flags in one write, reads `NDTR`, reads the flags: if no
    /// event came in between, the number (at least `floor`) of the half the
    /// DMA was in all along, with both flags armed inside it.
    fn resync(&self, floor: usize) -> Result<Option<usize>, Error> {
        let channel = self.lent.channel();
        channel.clear_progress();
        let remaining = usize::from(channel.remaining());
        let status = channel.status();
        if let Some(e) = status.error() {
            return Err(e);
        }
        let len = 2 * self.half;
        if status.half || status.complete || remaining == 0 || remaining > len {
            return Ok(None);
        }
        let in_second = len - remaining >= self.half;
        Ok(Some(at_least(floor, usize::from(in_second), 2)))
    }
}

// SAFETY: ends through `Lent::end` / `Lent::drop` (stop, wait for `EN` = 0,
// acquire both halves).
unsafe impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> Transfer for Circular<B, R, F> {
    type Buffer = B;
    type Resources = R;
    type Error = Error;

    /// A circular transfer only finishes by error (or `stop`).
    fn is_done(&self) -> bool {
        let channel = self.lent.channel();
        channel.status().error().is_some() || !channel.is_enabled()
    }

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

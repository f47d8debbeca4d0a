//! Circular reception: the DMA fills a buffer over and over, and the CPU
//! takes each half once the DMA has moved on to the other one.

use dma_traits::{Access, DmaFence, DmaWriteBuffer, Finished, Outcome, Transfer, TransferError};

use crate::held::Held;
use crate::hw::{check, Direction, Region, Setup};
use crate::one_shot::Lent;
use crate::{DmaChannel, Error, Owner};

/// One half of a circular buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// Items `0..len/2`, complete when `HTIF` is set.
    First,
    /// Items `len/2..len`, complete when `TCIF` is set.
    Second,
}

/// A circular peripheral-to-memory transfer in flight.
///
/// The DMA writes the first half, raises `HTIF`, writes the second half,
/// raises `TCIF`, and starts over. [`read_half`](Self::read_half) copies out
/// the half the DMA has just finished (and is not writing), after the acquire
/// fence, and reports [`Error::Overrun`] if the DMA completed the other half
/// too before the CPU came, or came back into this half during the copy.
///
/// The CPU never holds a reference into the buffer while the DMA runs: it
/// copies with volatile reads, so an overrun corrupts at most the copy, which
/// is then reported as an error.
#[derive(Debug)]
pub struct Circular<B: DmaWriteBuffer, R: Owner, F: DmaFence> {
    lent: Lent<B, R, F>,
    start: *const B::Word,
    half: usize,
    next: Half,
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
        let regions = [
            Region::new(ptr, half, Access::DmaWrites),
            Region::new(ptr.wrapping_add(half), half, Access::DmaWrites),
        ];
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
        match unsafe { Lent::start(buffer, resources, &setup, &regions, fence) } {
            Ok(lent) => Ok(Circular { lent, start: ptr, half, next: Half::First }),
            Err((e, buffer, resources)) => Err(TransferError::rejected(e, buffer, resources)),
        }
    }

    /// Items per half.
    pub fn half_len(&self) -> usize {
        self.half
    }

    /// If the half the CPU is due to take is complete, copies up to
    /// `out.len()` of its items into `out` and returns which half and how
    /// many; `Ok(None)` if the DMA is still writing it.
    ///
    /// # Errors
    ///
    /// [`Error::Overrun`] if the DMA overtook the CPU (the copy, if any was
    /// made, may be corrupt; the next call resynchronizes), or the channel's
    /// error flag ([`Error::Transfer`]), after which the transfer has stopped.
    pub fn read_half(&mut self, out: &mut [B::Word]) -> Result<Option<(Half, usize)>, Error> {
        let channel = self.lent.channel();
        let status = channel.status();
        if let Some(e) = status.error() {
            return Err(e);
        }
        let (ready, other) = match self.next {
            Half::First => (status.half, status.complete),
            Half::Second => (status.complete, status.half),
        };
        if !ready {
            return Ok(None);
        }
        if other {
            channel.clear_half();
            channel.clear_complete();
            // Expect next whichever half the DMA is writing now.
            let in_first = usize::from(channel.remaining()) > self.half;
            self.next = if in_first { Half::First } else { Half::Second };
            return Err(Error::Overrun);
        }
        let (index, offset) = match self.next {
            Half::First => {
                channel.clear_half();
                (0, 0)
            }
            Half::Second => {
                channel.clear_complete();
                (1, self.half)
            }
        };
        let Some(region) = self.lent.region(index) else {
            return Ok(None);
        };
        region.acquire(self.lent.fence);
        let mut copied = 0;
        for (i, slot) in out.iter_mut().take(self.half).enumerate() {
            // SAFETY: `offset + i < len`, so the word lies in the buffer; it is
            // aligned (checked at start) and initialized (the DMA wrote the
            // whole half before raising the flag read above, and the acquire
            // fence ran). A volatile read makes no reference, so a DMA that
            // overruns races with nothing the compiler relies on.
            *slot = unsafe { self.start.wrapping_add(offset + i).read_volatile() };
            copied += 1;
        }
        let after = channel.status();
        let overran = match self.next {
            Half::First => after.complete,
            Half::Second => after.half,
        };
        let released = region.release(self.lent.fence);
        let taken = self.next;
        self.next = match taken {
            Half::First => Half::Second,
            Half::Second => Half::First,
        };
        released.map_err(Error::Fence)?;
        if overran {
            return Err(Error::Overrun);
        }
        Ok(Some((taken, copied)))
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

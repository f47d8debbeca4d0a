//! Double-buffered reception on the stream DMA (`DBM`, `M0AR`/`M1AR`, `CT`).

use dma_traits::{Access, DmaFence, DmaWriteBuffer, Finished, Outcome, Transfer, TransferError};

use crate::held::Held;
use crate::hw::{check, Direction, Region, Setup};
use crate::one_shot::Lent;
use crate::{DmaChannel, Error, Owner};

/// A double-buffered peripheral-to-memory transfer in flight.
///
/// The stream fills buffer 0 (`M0AR`), switches `CT` and fills buffer 1
/// (`M1AR`), and so on, raising `TCIF` at each switch.
/// [`read_completed`](Self::read_completed) copies out the buffer the stream
/// has just completed and reports [`Error::Overrun`] when the stream has
/// already switched back to it.
#[derive(Debug)]
pub struct DoubleBuffer<B: DmaWriteBuffer, R: Owner, F: DmaFence> {
    lent: Lent<(B, B), R, F>,
    starts: [*const B::Word; 2],
    len: usize,
    /// The buffer the next `TCIF` completes (the one the stream is filling).
    filling: usize,
}

// SAFETY: as for `Circular`: the pointers are the buffers' own addresses.
unsafe impl<B: DmaWriteBuffer + Send, R: Owner + Send, F: DmaFence + Send> Send
    for DoubleBuffer<B, R, F>
{
}

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
            Ok(ok)
        });
        let (size, items) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffers.into_inner(), resources)),
        };
        let regions =
            [Region::new(p0, len, Access::DmaWrites), Region::new(p1, len, Access::DmaWrites)];
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
        match unsafe { Lent::start(buffers, resources, &setup, &regions, fence) } {
            Ok(lent) => Ok(DoubleBuffer {
                lent,
                starts: [p0.cast_const(), p1.cast_const()],
                len,
                filling: 0,
            }),
            Err((e, buffers, resources)) => Err(TransferError::rejected(e, buffers, resources)),
        }
    }

    /// If the stream has completed a buffer, copies up to `out.len()` of its
    /// items into `out` and returns which buffer (0 or 1) and how many.
    ///
    /// # Errors
    ///
    /// [`Error::Overrun`] when the stream completed both buffers since the
    /// last call, or switched back into the buffer being copied; the error
    /// flag of the stream otherwise.
    pub fn read_completed(&mut self, out: &mut [B::Word]) -> Result<Option<(usize, usize)>, Error> {
        let channel = self.lent.channel();
        let status = channel.status();
        if let Some(e) = status.error() {
            return Err(e);
        }
        if !status.complete {
            return Ok(None);
        }
        channel.clear_complete();
        let completed = self.filling;
        if channel.current_target() == completed {
            // Two switches since the last call: the stream is refilling it.
            self.filling = completed;
            return Err(Error::Overrun);
        }
        let (Some(region), Some(&start)) =
            (self.lent.region(completed), self.starts.get(completed))
        else {
            return Ok(None);
        };
        region.acquire(self.lent.fence);
        let mut copied = 0;
        for (i, slot) in out.iter_mut().take(self.len).enumerate() {
            // SAFETY: `i < len`: inside the completed buffer, aligned (checked
            // at start), fully written by the stream before `TCIF`, acquired.
            *slot = unsafe { start.wrapping_add(i).read_volatile() };
            copied += 1;
        }
        let overran = channel.status().complete;
        let released = region.release(self.lent.fence);
        self.filling = 1 - completed;
        released.map_err(Error::Fence)?;
        if overran {
            return Err(Error::Overrun);
        }
        Ok(Some((completed, copied)))
    }
}

// SAFETY: ends through `Lent::end` / `Lent::drop` (stop, wait for `EN` = 0,
// acquire both buffers).
unsafe impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> Transfer for DoubleBuffer<B, R, F> {
    type Buffer = (B, B);
    type Resources = R;
    type Error = Error;

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

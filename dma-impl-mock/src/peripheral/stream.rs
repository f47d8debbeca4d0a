//! Reception without end on the mock serial port: [`DmaReadStream`] over a
//! circular transfer whose half-transfer and transfer-complete events the
//! engine counts.

use core::ptr;
use core::sync::atomic::{fence, Ordering};

use dma_traits::{
    Access, DmaFence, DmaReadStream, DmaWriteBuffer, Lent, Outcome, ReadStream, Started, Transfer,
    TransferError, Word, WordWidth,
};

use super::serial::MockSerial;
use super::transfer::{MockError, MockTransfer};
use crate::bits::from_bits;
use crate::engine::Descriptor;

/// A stream in flight on a [`MockSerial`]: the receive channel fills the
/// buffer half by half, over and over (see [`dma_traits::stream`]).
///
/// Half number `n` (counting from 0 since the start, so it lies at
/// `n % 2`) is complete once the engine has counted `n + 1` events; the DMA
/// is back in its memory once it has counted `n + 2`. A copy of half `n` is
/// handed out only if, after it (behind an acquire fence that pairs with the
/// release fence the engine runs after each event), fewer than `n + 2`
/// events were counted.
#[derive(Debug)]
pub struct MockStream<B, F: DmaFence, W: Word> {
    transfer: MockTransfer<B, MockSerial<F>, W, F>,
    /// The buffer's first word (its `dma_write_buffer` pointer).
    start: *const W,
    half: usize,
    /// Halves taken or skipped so far: the next due is number `taken`.
    taken: usize,
    /// Words skipped by overruns so far.
    lost: u64,
    fence: F,
}

// SAFETY: `start` is an address inside the buffer the transfer owns, read
// only through `&mut self`; sending the stream sends that ownership, as for
// `MockTransfer`.
unsafe impl<B: Send, F: DmaFence + Send, W: Word> Send for MockStream<B, F, W> {}

impl<B, F: DmaFence, W: Word> MockStream<B, F, W> {
    /// Events (half-transfer plus transfer-complete) counted so far.
    fn events(&self) -> usize {
        self.transfer.channel().map_or(0, |c| c.half_events() + c.full_events())
    }

    /// The DMA overtook the CPU: skip to the newest complete half.
    fn overrun(&mut self, events: usize) -> MockError {
        let newest = events - 1;
        let lost = (newest - self.taken) * self.half;
        self.taken = newest;
        self.lost += lost as u64;
        MockError::Overrun { lost }
    }
}

/// Loads word `i` of `src` as one atomic load of its width.
///
/// # Safety
///
/// `src.add(i)` is valid for reads and aligned, its width is at most 32 bits,
/// and every write to it meanwhile is an atomic store of that width.
unsafe fn load<W: Word>(src: *const W, i: usize) -> W {
    let at = src.wrapping_add(i);
    let bits = match W::WIDTH {
        // SAFETY: the caller's contract, for one byte.
        WordWidth::Bits8 => u64::from(unsafe { dma_mmio::load_from_dma(at.cast::<u8>()) }),
        // SAFETY: the caller's contract, for two aligned bytes.
        WordWidth::Bits16 => u64::from(unsafe { dma_mmio::load_from_dma(at.cast::<u16>()) }),
        WordWidth::Bits32 | WordWidth::Bits64 => {
            // SAFETY: the caller's contract, for four aligned bytes (no
            // 64-bit word reaches here).
            u64::from(unsafe { dma_mmio::load_from_dma(at.cast::<u32>()) })
        }
    };
    from_bits(bits)
}

impl<B, F: DmaFence, W: Word> ReadStream<W> for MockStream<B, F, W> {
    fn half_len(&self) -> usize {
        self.half
    }

    fn lost_words(&self) -> u64 {
        self.lost
    }

    fn read_half(&mut self, out: &mut [W]) -> Result<Option<usize>, MockError> {
        // Read before the events: halves completed before a failure are
        // still handed out, then the failure is reported.
        let failed = self.transfer.is_done();
        let (due, events) = (self.taken, self.events());
        if events <= due {
            return if failed { Err(MockError::Bus) } else { Ok(None) };
        }
        if events >= due + 2 {
            return Err(self.overrun(events));
        }
        let src = self.start.wrapping_add((due % 2) * self.half);
        self.fence.acquire(ptr::slice_from_raw_parts(src, self.half), Access::DmaWrites);
        let n = out.len().min(self.half);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            // SAFETY: word `i < half` of a half of the buffer, which the
            // transfer owns and keeps alive; `start` came from its
            // `dma_write_buffer` pair (valid, aligned for `W`); the stream
            // refused 64-bit words, and the engine writes this memory only
            // with atomic stores of the width (circular jobs).
            *slot = unsafe { load(src, i) };
        }
        fence(Ordering::Acquire);
        let after = self.events();
        if after >= due + 2 {
            return Err(self.overrun(after));
        }
        self.taken = due + 1;
        Ok(Some(n))
    }
}

// SAFETY: forwards to `MockTransfer`, which meets the contract; the stream
// reads the buffer only through `read_half`, never after `stop` began.
unsafe impl<B, F: DmaFence, W: Word> Transfer for MockStream<B, F, W> {
    type Buffer = B;
    type Resources = MockSerial<F>;
    type Error = MockError;

    fn is_done(&self) -> bool {
        self.transfer.is_done()
    }

    fn stop(self) -> Outcome<Self> {
        self.transfer.stop()
    }
}

// SAFETY: `read_stream_unchecked` refuses (with the buffer and `self`, before
// anything starts) 64-bit words, odd or empty buffers and those over
// `MAX_LEN`; otherwise it runs the release fence over exactly the buffer's
// pair and starts the receive channel writing exactly it, circularly. The
// stream ends through `MockTransfer` (see above).
unsafe impl<W: Word, F: DmaFence> DmaReadStream<W> for MockSerial<F> {
    type Error = MockError;
    type Stream<B: DmaWriteBuffer<Word = W>> = MockStream<B, F, W>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut buffer = Lent::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let refusal = if W::WIDTH == WordWidth::Bits64 {
            Some(MockError::UnsupportedWidth)
        } else if len % 2 == 1 {
            Some(MockError::OddLength { len })
        } else {
            None
        };
        if let Some(error) = refusal {
            return Err(TransferError::rejected(error, buffer.into_inner(), self));
        }
        let region = ptr::slice_from_raw_parts(ptr.cast_const(), len);
        let descriptor =
            Descriptor::port_to_mem(self.wire.clone(), ptr.cast::<u8>(), W::WIDTH, len).circular();
        let fence = self.fence;
        // SAFETY: the pair is valid for writes of `len` aligned words while
        // `buffer` lives, the caller keeps it alive until the stream ends
        // (this method's contract), and the stream owns it meanwhile.
        match unsafe { self.start(&self.rx, descriptor, region, Access::DmaWrites) } {
            Ok(transfer) => Ok(MockStream {
                transfer: transfer(buffer, self),
                start: ptr.cast_const(),
                half: len / 2,
                taken: 0,
                lost: 0,
                fence,
            }),
            Err(error) => Err(TransferError::rejected(error, buffer.into_inner(), self)),
        }
    }
}

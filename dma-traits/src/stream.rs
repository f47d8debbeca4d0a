//! Reception that never stops: the DMA fills one buffer half by half, over
//! and over, and the CPU takes each half as it completes (ADC or I²S
//! sampling, audio, a UART that always listens).
//!
//! The DMA writes half 0, then half 1, then half 0 again. The CPU takes a
//! half with [`ReadStream::read_half`], which *copies it out*: a stream never
//! lends the CPU memory the DMA may come back to. The copy is handed out
//! only if the DMA did not come back into that half while it was being
//! copied, which the HAL decides from its completion events read *after*
//! the copy; otherwise the call returns an error of kind
//! [`Overrun`](crate::ErrorKind::Overrun), the stream skips to the newest
//! complete half and goes on. Data is lost when the CPU is more than a half
//! late, and never returned wrong. (A HAL whose hardware needs looking at
//! more often, a double-buffer mode with events per quarter, says so in
//! its docs; it still reports every overrun.)
//!
//! A stream is a [`Transfer`]: `stop` (or drop) halts the DMA and gives the
//! buffer and the peripheral back, as for a one-shot transfer;
//! [`is_done`](Transfer::is_done) turns true only when an error stopped it.
//!
//! # For HAL authors
//!
//! Implement [`DmaReadStream`] with circular DMA (a half-transfer and a
//! transfer-complete event), two chained channels, or double-buffer mode
//! over the two halves. In `read_half`, copy with loads the compiler cannot
//! elide or tear (`dma_mmio::load_from_dma`: the half may be written again
//! while you copy), run the fence's `acquire` over the half before, and
//! decide "overrun" from the events behind an acquire fence after. Refuse a
//! buffer of odd length, or of fewer than 2 words, with everything back.
//!
//! # For driver authors
//!
//! ```
//! use dma_traits::{DmaReadStream, Error as _, ErrorKind, ReadStream};
//!
//! /// Sums what arrives until `n` words have been seen; counts overruns.
//! fn sum<S: ReadStream<u16>>(stream: &mut S, n: usize) -> (u64, usize) {
//!     let (mut total, mut seen, mut overruns) = (0u64, 0, 0);
//!     let mut half = [0u16; 32];
//!     while seen < n {
//!         match stream.read_half(&mut half) {
//!             Ok(Some(words)) => {
//!                 total += half[..words].iter().map(|&w| u64::from(w)).sum::<u64>();
//!                 seen += words;
//!             }
//!             Ok(None) => core::hint::spin_loop(),
//!             Err(e) if e.kind() == ErrorKind::Overrun => overruns += 1,
//!             Err(_) => break, // stopped: `stop` gives everything back
//!         }
//!     }
//!     (total, overruns)
//! }
//!
//! /// Any peripheral that streams `u16` words, any chip.
//! fn start<P>(adc: P, buffer: &'static mut [u16; 64]) -> Option<P::Stream<&'static mut [u16; 64]>>
//! where
//!     P: DmaReadStream<u16>,
//! {
//!     adc.read_stream(buffer).ok()
//! }
//! ```

use crate::transfer::{Started, Transfer};
use crate::{DmaWriteBuffer, StaticWriteBuffer, Word};

/// A running stream (see the [module](self)).
pub trait ReadStream<W: Word>: Transfer {
    /// Words per half.
    fn half_len(&self) -> usize;

    /// Words skipped by overruns since the stream started.
    fn lost_words(&self) -> u64;

    /// If the half due next is complete, copies up to `out.len()` of its
    /// words into `out` and returns how many; `Ok(None)` while the DMA still
    /// writes it. Only the words counted are meaningful.
    ///
    /// # Errors
    ///
    /// Of kind [`Overrun`](crate::ErrorKind::Overrun) when the DMA came back
    /// into the half before it was taken (the stream resynchronizes and goes
    /// on); any other kind means the stream has stopped ([`is_done`](Transfer::is_done)).
    fn read_half(&mut self, out: &mut [W]) -> Result<Option<usize>, Self::Error>;
}

/// A peripheral that receives into a buffer without end, by DMA.
///
/// # Safety
///
/// For **implementors**: `Stream<B>` meets [`Transfer`]'s contract (it
/// ends the DMA's access to the buffer before giving it back, on every
/// path), and `read_stream_unchecked` either starts the DMA writing exactly
/// the buffer's `dma_write_buffer` pair (after the release fence), half by
/// half, or returns an error with the buffer and `self` untouched by the
/// DMA. `read_half` never reads the buffer except by copying a half the
/// DMA completed, and never hands out a copy the DMA may have overwritten.
///
/// For **callers**: see each method.
pub unsafe trait DmaReadStream<W: Word>: Sized {
    /// What can go wrong.
    type Error: crate::Error;
    /// The stream in flight.
    type Stream<B: DmaWriteBuffer<Word = W>>: ReadStream<
        W,
        Buffer = B,
        Resources = Self,
        Error = Self::Error,
    >;

    /// The most words the buffer may have (both halves).
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Starts streaming into `buffer` without requiring `'static`.
    ///
    /// # Safety
    ///
    /// The caller makes sure the buffer's memory outlives the DMA: the stream
    /// is stopped or dropped before the memory is freed or reused, and is
    /// never leaked. (A stream never ends by itself, so there is no scoped
    /// form.)
    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Stream<B>>;

    /// Starts streaming into a `'static` buffer. Leaking the stream is harmless.
    fn read_stream<B: StaticWriteBuffer<Word = W>>(self, buffer: B) -> Started<Self::Stream<B>> {
        // SAFETY: `B: 'static`, so its memory outlives even a leaked stream.
        unsafe { self.read_stream_unchecked(buffer) }
    }
}

//! Memory-to-memory copies through [`dma_traits::DmaCopy`]: channel DMA
//! with `MEM2MEM` on any channel (RM0008 §13.3.3 "Memory-to-memory mode"),
//! stream DMA with `DIR = 10` in FIFO mode, only on DMA2 (RM0090 §10.3.6,
//! RM0385 §8.3.6). A DMA1 stream is not a [`CopyChannel`], so a copy on it
//! does not compile:
//!
//! ```compile_fail
//! # use dma_impl_mock::{record::Recorder, sim::stm32::StreamDma};
//! use dma_impl_stm32::{memory::Memory, stream};
//! use dma_traits::CompilerFence;
//! # let sim = StreamDma::threaded(Recorder::new());
//! // SAFETY: a simulated controller owned by this example.
//! let mut dma1 = unsafe { stream::Dma::<stream::Dma1>::from_base(sim.base()) };
//! // error: `Stream<0, Dma1>` is not a `CopyChannel`
//! let _ = Memory::new(dma1.stream::<0>(0).unwrap(), CompilerFence);
//! ```

use dma_traits::{
    DmaCopy, DmaFence, DmaReadBuffer, DmaWriteBuffer, Region, Started, TransferError, Word,
};

use crate::channel::{self, Channel};
use crate::hw::{check, Direction, Internal, Sealed, Setup};
use crate::interrupt::Mode;
use crate::stream::{Dma2, Part, Stream};
use crate::{DmaChannel, Error, OneShot, Owner};
use dma_traits::Lent as Held;

/// A channel that can copy memory to memory: every channel of the
/// channel-based controller, and the streams of a stream controller's DMA2.
/// Sealed.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot copy memory to memory",
    label = "a DMA1 stream",
    note = "RM0090 §10.3.6, RM0385 §8.3.6: only DMA2 streams copy memory to memory; take one from DMA2"
)]
pub trait CopyChannel: DmaChannel {}

impl<const N: u8, C: channel::Controller, M: Mode> CopyChannel for Channel<N, C, M> {}
impl<const N: u8, P: Part, M: Mode> CopyChannel for Stream<N, Dma2<P>, M> {}

/// A channel set up for memory-to-memory copies with fence `F`; implements
/// [`DmaCopy`] for 8, 16 and 32-bit words.
///
/// ```
/// # use dma_impl_mock::{record::Recorder, sim::stm32::StreamDma};
/// use dma_impl_stm32::{memory::Memory, stream};
/// use dma_traits::{CompilerFence, DmaCopy, Transfer};
/// # let sim = StreamDma::threaded(Recorder::new());
/// // SAFETY: a simulated controller owned by this example.
/// let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(sim.base()) };
/// let from: &'static [u32; 3] = &[1, 2, 3];
/// let to: Box<[u32]> = vec![0; 3].into_boxed_slice();
/// let memory = Memory::new(dma2.stream::<0>(0).unwrap(), CompilerFence);
/// let done = memory.copy(from, to).ok().unwrap().wait().ok().unwrap();
/// assert_eq!(*done.buffer.1, [1, 2, 3]);
/// let _stream = done.resources.release();
/// ```
#[derive(Debug)]
pub struct Memory<C: CopyChannel, F: DmaFence> {
    channel: C,
    fence: F,
}

impl<C: CopyChannel, F: DmaFence> Memory<C, F> {
    /// `channel`, copying with `fence`.
    pub fn new(channel: C, fence: F) -> Self {
        Memory { channel, fence }
    }

    /// The channel back.
    pub fn release(self) -> C {
        self.channel
    }
}

impl<C: CopyChannel, F: DmaFence> Sealed for Memory<C, F> {}

impl<C: CopyChannel, F: DmaFence> Owner for Memory<C, F> {
    type Channel = C;
    fn dma(&self, _: Internal) -> &C {
        &self.channel
    }
}

// SAFETY: `copy_unchecked` either refuses (width, empty, too long,
// misaligned, length mismatch) before touching the channel, giving back both
// buffers and `self`, or starts exactly one transfer that reads the source's
// pair and writes the destination's pair (equal lengths) after the release
// fence; `OneShot` meets `Transfer`'s contract (see its impl).
unsafe impl<W: Word, C: CopyChannel, F: DmaFence> DmaCopy<W> for Memory<C, F> {
    type Error = Error;
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>> =
        OneShot<(S, D), Self, F>;

    /// 65 535 words: the item counter's width ([`MAX_ITEMS`](crate::MAX_ITEMS)).
    fn max_len(&self) -> usize {
        crate::MAX_ITEMS
    }

    unsafe fn copy_unchecked<S, D>(self, source: S, destination: D) -> Started<Self::Transfer<S, D>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        let mut buffers = Held::new((source, destination));
        let (from, len) = buffers.get().0.dma_read_buffer();
        let (to, to_len) = buffers.get_mut().1.dma_write_buffer();
        let checked = check(from, len).and_then(|ok| {
            check(to.cast_const(), to_len)?;
            if len == to_len {
                Ok(ok)
            } else {
                Err(Error::LengthMismatch { source: len, destination: to_len })
            }
        });
        let (size, items) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffers.into_inner(), self)),
        };
        let setup = Setup {
            direction: Direction::MemoryToMemory,
            peripheral: from.cast::<u8>(),
            memory: to.cast::<u8>(),
            memory1: None,
            items,
            size,
            peripheral_increment: true,
            circular: false,
        };
        let fence = self.fence;
        let regions = [Region::dma_reads(from, len), Region::dma_writes(to, len)];
        // SAFETY: the regions cover both buffers; the caller's contract.
        unsafe { OneShot::start(buffers, self, &setup, &regions, fence) }
    }
}

//! Memory-to-memory copies (channel DMA: `MEM2MEM`; stream DMA: `DIR = 10`,
//! FIFO mode, only on DMA2 of an F2/F4/F7).

use dma_traits::{
    Access, DmaFence, DmaReadBuffer, DmaWriteBuffer, StaticReadBuffer, StaticWriteBuffer,
    TransferError,
};

use crate::hw::{check, Direction, Region, Setup};
use crate::{DmaChannel, Error, OneShot, Owner};
use dma_traits::Lent as Held;

/// The result of starting a copy.
pub type CopyResult<S, D, C, F> = Result<OneShot<(S, D), C, F>, TransferError<Error, (S, D), C>>;

/// Starts copying `source` into `destination` (same length) on `channel`.
///
/// ```
/// # use dma_impl_mock::{record::Recorder, sim::stm32::StreamDma};
/// use dma_impl_stm32::{memory, stream};
/// use dma_traits::{CompilerFence, Transfer};
/// # let sim = StreamDma::threaded(Recorder::new());
/// // SAFETY: a simulated controller owned by this example.
/// let mut dma2 = unsafe { stream::Dma::from_base(sim.base()) };
/// let from: &'static [u32; 3] = &[1, 2, 3];
/// let to: Box<[u32]> = vec![0; 3].into_boxed_slice();
/// let copy = memory::copy(dma2.stream::<0>(0).unwrap(), from, to, CompilerFence).ok().unwrap();
/// let done = copy.wait().ok().unwrap();
/// assert_eq!(*done.buffer.1, [1, 2, 3]);
/// ```
pub fn copy<S, D, C, F>(channel: C, source: S, destination: D, fence: F) -> CopyResult<S, D, C, F>
where
    S: StaticReadBuffer,
    D: StaticWriteBuffer<Word = S::Word>,
    C: DmaChannel + Owner,
    F: DmaFence,
{
    // SAFETY: both buffers are `'static`, so even a leaked transfer cannot
    // outlive their memory.
    unsafe { copy_unchecked(channel, source, destination, fence) }
}

/// [`copy`] for buffers that need not be `'static`.
///
/// # Safety
///
/// For **callers**: the buffers' memory outlives the transfer: it is ended
/// (wait, stop or drop) before the memory is freed or reused, and never leaked.
pub unsafe fn copy_unchecked<S, D, C, F>(
    channel: C,
    source: S,
    destination: D,
    fence: F,
) -> CopyResult<S, D, C, F>
where
    S: DmaReadBuffer,
    D: DmaWriteBuffer<Word = S::Word>,
    C: DmaChannel + Owner,
    F: DmaFence,
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
        Err(e) => return Err(TransferError::rejected(e, buffers.into_inner(), channel)),
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
    let regions =
        [Region::new(from, len, Access::DmaReads), Region::new(to, len, Access::DmaWrites)];
    // SAFETY: the regions cover both buffers; the caller's contract.
    unsafe { OneShot::start(buffers, channel, &setup, &regions, fence) }
}

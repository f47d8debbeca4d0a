//! A memory-to-memory DMA channel.

use core::ptr;

use dma_traits::{
    Access, CompilerFence, DmaCopy, DmaFence, DmaReadBuffer, DmaWriteBuffer, Started,
    TransferError, Word,
};

use super::transfer::{check_pairs, launch, MockError, MockTransfer, Plan};
use crate::engine::{Channel, Descriptor, MockDma};
use dma_traits::Lent;

/// A failed or refused copy: the error, both buffers and the channel.
pub type CopyError<S, D, F> = TransferError<MockError, (S, D), MockMemCopy<F>>;

/// A memory-to-memory channel ([`DmaCopy`]): copies a read buffer into a
/// write buffer of the same length.
///
/// ```
/// use dma_impl_mock::peripheral::MockMemCopy;
/// use dma_impl_mock::{MockDma, record::Recorder};
/// use dma_traits::{DmaCopy, Transfer};
///
/// let dma = MockDma::threaded(Recorder::new());
/// let copier = MockMemCopy::new(&dma, dma_traits::CompilerFence);
/// let done = copier.copy(&[1u32, 2, 3][..], vec![0u32; 3]).unwrap().wait().unwrap();
/// assert_eq!(done.buffer.1, [1, 2, 3]);
/// ```
#[derive(Debug)]
pub struct MockMemCopy<F: DmaFence = CompilerFence> {
    channel: Channel,
    fence: F,
}

impl<F: DmaFence> MockMemCopy<F> {
    /// The longest copy, in words.
    pub const MAX_LEN: usize = 65_535;

    /// A copier on a new channel of `dma`, fencing with `fence`.
    pub fn new(dma: &MockDma, fence: F) -> Self {
        MockMemCopy { channel: dma.channel(), fence }
    }
}

// SAFETY: both pairs are checked (equal, non-zero, bounded lengths), both are
// released, and one channel reads exactly the source pair and writes exactly
// the destination pair; every refusal happens before the channel starts (or
// after the fence released the destination, which is then acquired back) and
// returns both buffers and `self`. `MockTransfer` meets `Transfer`'s contract.
unsafe impl<W: Word, F: DmaFence> DmaCopy<W> for MockMemCopy<F> {
    type Error = MockError;
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>> =
        MockTransfer<(S, D), Self, W, F>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn copy_unchecked<S, D>(self, source: S, destination: D) -> Started<Self::Transfer<S, D>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        let mut buffers = Lent::new((source, destination));
        let (src, src_len) = buffers.get().0.dma_read_buffer();
        let (dst, dst_len) = buffers.get_mut().1.dma_write_buffer();
        let refusal = check_pairs((src, src_len), (dst.cast_const(), dst_len), Self::MAX_LEN).err();
        if let Some(error) = refusal {
            return Err(TransferError::rejected(error, buffers.into_inner(), self));
        }
        // Two regions, one channel: the second plan releases the
        // destination; only the first starts the channel.
        let plan = Plan {
            channel: self.channel.clone(),
            descriptor: Descriptor::mem_to_mem(
                src.cast::<u8>(),
                dst.cast::<u8>(),
                W::WIDTH,
                src_len,
            ),
            region: ptr::slice_from_raw_parts(src, src_len),
            access: Access::DmaReads,
        };
        if let Err(error) = self
            .fence
            .release(ptr::slice_from_raw_parts(dst.cast_const(), dst_len), Access::DmaWrites)
        {
            let error = MockError::Fence(error);
            return Err(TransferError::rejected(error, buffers.into_inner(), self));
        }
        // SAFETY: source valid for reads and destination for writes of
        // `src_len` words while the buffers live (buffer traits); the caller
        // keeps them alive until the transfer ends; the transfer owns them.
        match unsafe { launch(self.fence, vec![plan]) } {
            Ok(mut legs) => {
                legs.push(super::transfer::Leg {
                    channel: self.channel.clone(),
                    region: ptr::slice_from_raw_parts(dst.cast_const(), dst_len),
                    access: Access::DmaWrites,
                });
                let fence = self.fence;
                Ok(MockTransfer::new(buffers, self, legs, fence, None))
            }
            Err(error) => {
                self.fence.acquire(
                    ptr::slice_from_raw_parts(dst.cast_const(), dst_len),
                    Access::DmaWrites,
                );
                Err(TransferError::rejected(error, buffers.into_inner(), self))
            }
        }
    }
}

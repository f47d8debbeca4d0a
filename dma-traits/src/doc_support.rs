//! A peripheral for the examples in these docs. Not part of the API.

use crate::{DmaReadBuffer, DmaWrite, Finished, Outcome, Transfer, TransferError};

/// A "serial port" whose DMA consumes the buffer at once and counts the bytes.
#[derive(Debug, Default)]
pub struct Sink;

/// A [`Sink`] transfer; already done when it starts.
#[derive(Debug)]
pub struct SinkTransfer<B> {
    buffer: B,
    sum: usize,
}

// SAFETY: the "DMA" read the whole buffer inside `write_all_unchecked`, so
// nothing accesses it after the transfer value exists.
unsafe impl<B> Transfer for SinkTransfer<B> {
    type Buffer = B;
    type Resources = Sink;
    type Error = core::convert::Infallible;

    fn is_done(&self) -> bool {
        true
    }

    fn stop(self) -> Outcome<Self> {
        Ok(Finished {
            buffer: self.buffer,
            resources: Sink,
            transferred: self.sum,
        })
    }
}

// SAFETY: the buffer's pair is read once, fully, before returning.
unsafe impl DmaWrite<u8> for Sink {
    type Error = core::convert::Infallible;
    type Transfer<B: DmaReadBuffer<Word = u8>> = SinkTransfer<B>;

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<SinkTransfer<B>, TransferError<Self::Error, B, Self>> {
        let (ptr, len) = buffer.dma_read_buffer();
        // SAFETY: `DmaReadBuffer` promises `len` initialized bytes at `ptr`,
        // valid while `buffer` lives; nothing writes them during this read.
        let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
        Ok(SinkTransfer {
            sum: bytes.len(),
            buffer,
        })
    }
}

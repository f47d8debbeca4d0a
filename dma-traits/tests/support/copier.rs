// A memory-to-memory channel whose "DMA" copies inside the start call: enough
// to check what `DmaCopy` accepts, rejects and gives back.

use dma_traits::{
    DmaCopy, DmaReadBuffer, DmaWriteBuffer, ErrorKind, Finished, Outcome, Transfer, TransferError,
    Word,
};

/// A copy channel.
#[derive(Debug, Default)]
pub struct Copier;

/// A copy that already ran.
#[derive(Debug)]
pub struct Copied<S, D> {
    pub buffers: (S, D),
    pub words: usize,
}

// SAFETY: the "DMA" finished inside the start call, before this value existed.
unsafe impl<S, D> Transfer for Copied<S, D> {
    type Buffer = (S, D);
    type Resources = Copier;
    type Error = ErrorKind;

    fn is_done(&self) -> bool {
        true
    }

    fn stop(self) -> Outcome<Self> {
        Ok(Finished { buffer: self.buffers, resources: Copier, transferred: self.words })
    }
}

// SAFETY: reads the source pair and writes the destination pair once,
// completely, before returning; different lengths are refused with both
// buffers and the channel.
unsafe impl<W: Word> DmaCopy<W> for Copier {
    type Error = ErrorKind;
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>> = Copied<S, D>;

    unsafe fn copy_unchecked<S, D>(
        self,
        source: S,
        mut destination: D,
    ) -> Result<Copied<S, D>, TransferError<ErrorKind, (S, D), Self>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        let (from, len) = source.dma_read_buffer();
        let (to, to_len) = destination.dma_write_buffer();
        if len != to_len {
            return Err(TransferError::rejected(
                ErrorKind::LengthMismatch,
                (source, destination),
                self,
            ));
        }
        // SAFETY: `len` initialized words at `from` and `len` writable words
        // at `to`, in different buffers the caller owns (buffer contracts).
        unsafe { core::ptr::copy_nonoverlapping(from, to, len) };
        Ok(Copied { buffers: (source, destination), words: len })
    }
}

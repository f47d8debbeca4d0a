// A serial port whose "DMA" completes inside the start call: enough to check
// what the trait layer accepts, rejects and gives back. Shared by the runtime
// tests, the compile-fail cases and the doc examples.

use dma_traits::{
    DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, ErrorKind, Finished, Outcome, Transfer,
    TransferError, Word,
};

/// The fill pattern a read transfer stores (every byte).
pub const FILL: u8 = 0xA5;

/// A serial port; `sent` counts words it transmitted.
#[derive(Debug, Default)]
pub struct Serial {
    pub sent: usize,
}

/// A transfer that already ran; `stops` counts `stop` calls across all of them.
#[derive(Debug)]
pub struct Instant<B> {
    pub buffer: B,
    pub serial: Serial,
    pub words: usize,
}

// SAFETY: the "DMA" finished inside the start call, before this value existed.
unsafe impl<B> Transfer for Instant<B> {
    type Buffer = B;
    type Resources = Serial;
    type Error = ErrorKind;

    fn is_done(&self) -> bool {
        true
    }

    fn stop(self) -> Outcome<Self> {
        Ok(Finished { buffer: self.buffer, resources: self.serial, transferred: self.words })
    }
}

// SAFETY: reads the buffer's pair once, completely, before returning; empty
// buffers are refused with the buffer and the port.
unsafe impl<W: Word> DmaWrite<W> for Serial {
    type Error = ErrorKind;
    type Transfer<B: DmaReadBuffer<Word = W>> = Instant<B>;

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        mut self,
        buffer: B,
    ) -> Result<Instant<B>, TransferError<ErrorKind, B, Self>> {
        let (ptr, len) = buffer.dma_read_buffer();
        if len == 0 {
            return Err(TransferError::rejected(ErrorKind::Empty, buffer, self));
        }
        // SAFETY: `len` initialized words at `ptr`, alive while `buffer` is.
        let words = unsafe { core::slice::from_raw_parts(ptr, len) };
        self.sent += words.len();
        Ok(Instant { buffer, serial: self, words: len })
    }
}

// SAFETY: writes exactly the buffer's pair once, before returning.
unsafe impl<W: Word> DmaRead<W> for Serial {
    type Error = ErrorKind;
    type Transfer<B: DmaWriteBuffer<Word = W>> = Instant<B>;

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        mut buffer: B,
    ) -> Result<Instant<B>, TransferError<ErrorKind, B, Self>> {
        let (ptr, len) = buffer.dma_write_buffer();
        // SAFETY: `len` writable words at `ptr`; any bytes are a valid `W`.
        unsafe { core::ptr::write_bytes(ptr, FILL, len) };
        Ok(Instant { buffer, serial: self, words: len })
    }
}

/// The instant "DMA" leaves nothing in a shift register.
impl dma_traits::Sent for Serial {
    fn is_sent(&self) -> bool {
        true
    }
}

//! A full-duplex (SPI-like) port: one channel sends, one receives, at once;
//! or, write-only, one channel sends and what comes in is not kept.

use core::ptr;

use dma_traits::{
    Access, CompilerFence, DmaFence, DmaFullDuplex, DmaReadBuffer, DmaWrite, DmaWriteBuffer,
    Started, TransferError, Word,
};

use super::transfer::{check_pair, check_pairs, launch, Defect, MockError, MockTransfer, Plan};
use crate::engine::{Channel, Descriptor, MockDma, Wire};
use dma_traits::Lent;

/// A mock SPI controller: [`DmaFullDuplex`] sends `tx` onto its [`Wire`]
/// while filling `rx` from the words delivered to the wire; [`DmaWrite`]
/// only sends (a display, an LED strip on MOSI), leaving the wire's input
/// alone, as an SPI whose receive side is not read.
///
/// ```
/// use dma_impl_mock::peripheral::MockSpi;
/// use dma_impl_mock::{MockDma, record::Recorder};
/// use dma_traits::{DmaFullDuplex, Transfer};
///
/// let dma = MockDma::threaded(Recorder::new());
/// let spi = MockSpi::new(&dma, dma_traits::CompilerFence);
/// spi.wire().deliver(&[0xa0u8, 0xa1]);
/// let done = spi.transfer(&[1u8, 2][..], vec![0u8; 2]).unwrap().wait().unwrap();
/// let (_tx, rx) = done.buffer;
/// assert_eq!(rx, [0xa0, 0xa1]);
/// assert_eq!(done.resources.wire().take_sent::<u8>(), [1, 2]);
/// ```
#[derive(Debug)]
pub struct MockSpi<F: DmaFence = CompilerFence> {
    tx: Channel,
    rx: Channel,
    wire: Wire,
    fence: F,
    defect: Option<Defect>,
}

impl<F: DmaFence> MockSpi<F> {
    /// The longest buffer, in words, one transfer accepts.
    pub const MAX_LEN: usize = 1024;

    /// A port on two new channels of `dma`, fencing with `fence`.
    pub fn new(dma: &MockDma, fence: F) -> Self {
        MockSpi { tx: dma.channel(), rx: dma.channel(), wire: Wire::default(), fence, defect: None }
    }

    /// The far end (shared): what was sent, and what will be received.
    pub fn wire(&self) -> Wire {
        self.wire.clone()
    }

    /// Builds in a deliberate bug (see [`Defect`]), to show that a test
    /// suite catches it.
    ///
    /// # Safety
    ///
    /// For **callers**: the port's transfers break [`Transfer`]'s contract
    /// in the way `defect` says (with [`Defect::NoStopOnDrop`] the DMA keeps
    /// accessing a dropped transfer's buffer). Give the port only buffers
    /// whose memory is never freed, reused or read by the program while the
    /// DMA may still touch it: leaked `'static` buffers that nothing reads
    /// after the transfer ends, as the conformance suite's checks use.
    ///
    /// [`Transfer`]: dma_traits::Transfer
    pub unsafe fn with_defect(mut self, defect: Defect) -> Self {
        self.defect = Some(defect);
        self
    }
}

// SAFETY: both pairs are checked, released, and given to one channel each
// (tx reads its pair, rx writes its pair); a refusal happens before any
// channel runs (or after stopping the one that did) and returns everything.
// The transfer ends only when both channels have let go (`MockTransfer`).
unsafe impl<W: Word, F: DmaFence> DmaFullDuplex<W> for MockSpi<F> {
    type Error = MockError;
    type Transfer<TX: DmaReadBuffer<Word = W>, RX: DmaWriteBuffer<Word = W>> =
        MockTransfer<(TX, RX), Self, W, F>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn transfer_unchecked<TX, RX>(self, tx: TX, rx: RX) -> Started<Self::Transfer<TX, RX>>
    where
        TX: DmaReadBuffer<Word = W>,
        RX: DmaWriteBuffer<Word = W>,
    {
        let mut buffers = Lent::new((tx, rx));
        let (tx_ptr, tx_len) = buffers.get().0.dma_read_buffer();
        let (rx_ptr, rx_len) = buffers.get_mut().1.dma_write_buffer();
        let rx_pair = (rx_ptr.cast_const(), rx_len);
        if let Err(error) = check_pairs((tx_ptr, tx_len), rx_pair, Self::MAX_LEN) {
            return Err(TransferError::rejected(error, buffers.into_inner(), self));
        }
        let plans = vec![
            Plan {
                channel: self.rx.clone(),
                descriptor: Descriptor::port_to_mem(
                    self.wire.clone(),
                    rx_ptr.cast::<u8>(),
                    W::WIDTH,
                    rx_len,
                ),
                region: ptr::slice_from_raw_parts(rx_ptr.cast_const(), rx_len),
                access: Access::DmaWrites,
            },
            Plan {
                channel: self.tx.clone(),
                descriptor: Descriptor::mem_to_port(
                    tx_ptr.cast::<u8>(),
                    self.wire.clone(),
                    W::WIDTH,
                    tx_len,
                ),
                region: ptr::slice_from_raw_parts(tx_ptr, tx_len),
                access: Access::DmaReads,
            },
        ];
        // SAFETY: each pair is valid for its access while the buffers live
        // (buffer traits), the caller keeps them alive until the transfer
        // ends, and the transfer owns them meanwhile.
        match unsafe { launch(self.fence, plans) } {
            Ok(legs) => {
                let (fence, defect) = (self.fence, self.defect);
                Ok(MockTransfer::new(buffers, self, legs, fence, defect))
            }
            Err(error) => Err(TransferError::rejected(error, buffers.into_inner(), self)),
        }
    }
}

// SAFETY: the pair is checked, released and given to the transmit channel,
// which only reads it; a refusal happens before it runs and returns the
// buffer and the port. `MockTransfer` ends only after the channel let go.
unsafe impl<W: Word, F: DmaFence> DmaWrite<W> for MockSpi<F> {
    type Error = MockError;
    type Transfer<B: DmaReadBuffer<Word = W>> = MockTransfer<B, Self, W, F>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let buffer = Lent::new(buffer);
        let (ptr, len) = buffer.get().dma_read_buffer();
        if let Err(error) = check_pair(ptr, len, Self::MAX_LEN) {
            return Err(TransferError::rejected(error, buffer.into_inner(), self));
        }
        let plans = vec![Plan {
            channel: self.tx.clone(),
            descriptor: Descriptor::mem_to_port(ptr.cast::<u8>(), self.wire.clone(), W::WIDTH, len),
            region: ptr::slice_from_raw_parts(ptr, len),
            access: Access::DmaReads,
        }];
        // SAFETY: the pair is valid for reads while the buffer lives, the
        // caller keeps it alive until the transfer ends, and the transfer
        // owns it meanwhile.
        match unsafe { launch(self.fence, plans) } {
            Ok(legs) => {
                let (fence, defect) = (self.fence, self.defect);
                Ok(MockTransfer::new(buffer, self, legs, fence, defect))
            }
            Err(error) => Err(TransferError::rejected(error, buffer.into_inner(), self)),
        }
    }
}

/// As for [`MockSerial`](crate::MockSerial): the last word is clocked out
/// over the polls after the DMA handed it over.
impl<F: DmaFence> dma_traits::Sent for MockSpi<F> {
    fn is_sent(&self) -> bool {
        self.wire.shift_register_empty()
    }
}

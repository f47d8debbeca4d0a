//! A serial port whose transmitter and receiver move words by DMA.

use core::ptr;

use dma_traits::{
    Access, CompilerFence, DmaFence, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Started,
    TransferError, Word,
};

use super::transfer::{check_pair, Defect, Leg, MockError, MockTransfer};
use crate::engine::{Channel, Descriptor, MockDma, Wire};
use dma_traits::Lent;

/// A mock serial port: [`DmaWrite`] sends a buffer onto its [`Wire`],
/// [`DmaRead`] fills a buffer from it. Any [`Word`] width works.
///
/// The fence `F` is a type parameter (the [`CompilerFence`] by default) so
/// tests can pass a [`RecordingFence`](crate::record::RecordingFence).
///
/// ```
/// use dma_impl_mock::{MockDma, MockSerial};
/// use dma_impl_mock::record::Recorder;
/// use dma_traits::{DmaRead, DmaWrite, Transfer};
///
/// let dma = MockDma::threaded(Recorder::new());
/// let serial = MockSerial::with_default_fence(&dma);
/// let wire = serial.wire();
///
/// let sent = serial.write_all("hi!").unwrap().wait().unwrap();
/// assert_eq!(wire.take_sent::<u8>(), b"hi!");
///
/// wire.deliver(&[7u8, 8]);
/// let rx: Box<[u8]> = Box::new([0; 2]);
/// let received = sent.resources.read_exact(rx).unwrap().wait().unwrap();
/// assert_eq!(*received.buffer, [7, 8]);
/// ```
#[derive(Debug)]
pub struct MockSerial<F: DmaFence = CompilerFence> {
    tx: Channel,
    pub(super) rx: Channel,
    pub(super) wire: Wire,
    pub(super) fence: F,
    defect: Option<Defect>,
}

impl MockSerial {
    /// A serial port on two new channels of `dma`, with the [`CompilerFence`].
    pub fn with_default_fence(dma: &MockDma) -> Self {
        MockSerial::new(dma, CompilerFence)
    }
}

impl<F: DmaFence> MockSerial<F> {
    /// The longest buffer, in words, one transfer accepts.
    pub const MAX_LEN: usize = 1024;

    /// A serial port on two new channels of `dma`, fencing with `fence`.
    pub fn new(dma: &MockDma, fence: F) -> Self {
        MockSerial {
            tx: dma.channel(),
            rx: dma.channel(),
            wire: Wire::default(),
            fence,
            defect: None,
        }
    }

    /// The far end of the port (shared).
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
    /// Calling it without `unsafe` does not compile:
    ///
    /// ```compile_fail,E0133
    /// use dma_impl_mock::{peripheral::Defect, record::Recorder, MockDma, MockSerial};
    /// let dma = MockDma::threaded(Recorder::new());
    /// let broken = MockSerial::with_default_fence(&dma).with_defect(Defect::NoStopOnDrop);
    /// ```
    ///
    /// [`Transfer`]: dma_traits::Transfer
    pub unsafe fn with_defect(mut self, defect: Defect) -> Self {
        self.defect = Some(defect);
        self
    }
}

// SAFETY: `write_all_unchecked` checks the length and alignment, runs the release fence over
// exactly the buffer's pair, then starts one channel reading exactly that pair;
// every refusal happens before the channel starts and returns the buffer and
// `self`. `MockTransfer` meets `Transfer`'s contract (see its impl).
unsafe impl<W: Word, F: DmaFence> DmaWrite<W> for MockSerial<F> {
    type Error = MockError;
    type Transfer<B: DmaReadBuffer<Word = W>> = MockTransfer<B, Self, W, F>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        // Wrapped before the pointer is taken: see `Lent`.
        let buffer = Lent::new(buffer);
        let (ptr, len) = buffer.get().dma_read_buffer();
        let region = ptr::slice_from_raw_parts(ptr, len);
        let descriptor =
            Descriptor::mem_to_port(ptr.cast::<u8>(), self.wire.clone(), W::WIDTH, len);
        // SAFETY: the pair is valid for reads of `len` aligned words while
        // `buffer` lives (`DmaReadBuffer`), and the caller keeps that memory
        // alive until the transfer ends (this method's contract); the
        // transfer owns `buffer` and gives it back only after the channel
        // has let go.
        match unsafe { self.start(&self.tx, descriptor, region, Access::DmaReads) } {
            Ok(transfer) => Ok(transfer(buffer, self)),
            Err(error) => Err(TransferError::rejected(error, buffer.into_inner(), self)),
        }
    }
}

// SAFETY: as for `DmaWrite`, with the buffer's write pair, which only the
// receive channel writes.
unsafe impl<W: Word, F: DmaFence> DmaRead<W> for MockSerial<F> {
    type Error = MockError;
    type Transfer<B: DmaWriteBuffer<Word = W>> = MockTransfer<B, Self, W, F>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let mut buffer = Lent::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let region = ptr::slice_from_raw_parts(ptr.cast_const(), len);
        let descriptor =
            Descriptor::port_to_mem(self.wire.clone(), ptr.cast::<u8>(), W::WIDTH, len);
        // SAFETY: the pair is valid for writes of `len` aligned words while
        // `buffer` lives (`DmaWriteBuffer`), kept alive by the caller until
        // the transfer ends, and owned by the transfer meanwhile, so no one
        // else accesses it.
        match unsafe { self.start(&self.rx, descriptor, region, Access::DmaWrites) } {
            Ok(transfer) => Ok(transfer(buffer, self)),
            Err(error) => Err(TransferError::rejected(error, buffer.into_inner(), self)),
        }
    }
}

impl<F: DmaFence> MockSerial<F> {
    /// Checks the length, runs the release fence, starts `channel`; returns
    /// how to build the transfer from the buffer and the port.
    ///
    /// # Safety
    ///
    /// As for [`Channel::start`] for the memory in `descriptor`, which is `region`.
    #[allow(clippy::type_complexity)]
    pub(super) unsafe fn start<B, W: Word>(
        &self,
        channel: &Channel,
        descriptor: Descriptor,
        region: *const [W],
        access: Access,
    ) -> Result<impl FnOnce(Lent<B>, Self) -> MockTransfer<B, Self, W, F>, MockError> {
        check_pair(region.cast::<W>(), region.len(), Self::MAX_LEN)?;
        self.fence.release(region, access).map_err(MockError::Fence)?;
        // SAFETY: forwarded from this function's contract.
        unsafe { channel.start(descriptor) }.map_err(MockError::Engine)?;
        let leg = Leg { channel: channel.clone(), region, access };
        let (fence, defect) = (self.fence, self.defect);
        Ok(move |buffer, serial| MockTransfer::new(buffer, serial, vec![leg], fence, defect))
    }
}

/// The last word leaves the wire [`FRAME_BITS`](crate::engine::FRAME_BITS)
/// polls after the DMA handed it over (see [`Wire::shift_register_empty`]).
impl<F: DmaFence> dma_traits::Sent for MockSerial<F> {
    fn is_sent(&self) -> bool {
        self.wire.shift_register_empty()
    }
}

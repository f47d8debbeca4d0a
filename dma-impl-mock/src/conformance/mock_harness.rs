//! The harness for the mock serial port: the suite's reference harness, and
//! a model for HAL authors.

use dma_traits::Word;

use super::harness::{ReadHarness, WriteHarness};
use super::two_way::{CopyHarness, FullDuplexHarness};
use crate::engine::{Fault, MockDma, Mode};
use crate::peripheral::Defect;
use crate::record::{Recorder, RecordingFence};
use crate::{MockSerial, Wire};

/// Drives [`MockSerial`] for the transfer checks, for every word width,
/// with fault injection.
///
/// ```
/// use dma_impl_mock::conformance::{check_read_transfers, MockSerialHarness, SuiteConfig};
/// let results = check_read_transfers::<f32, _>(
///     "mock serial",
///     &mut MockSerialHarness::new(),
///     &SuiteConfig::default(),
/// );
/// assert!(results.iter().all(|r| r.passed()), "{results:#?}");
/// ```
#[derive(Debug)]
pub struct MockSerialHarness {
    mode: Mode,
    dma: MockDma,
    wire: Wire,
    defect: Option<Defect>,
}

impl Default for MockSerialHarness {
    fn default() -> Self {
        Self::new()
    }
}

impl MockSerialHarness {
    /// A harness whose serial ports run on a threaded [`MockDma`].
    pub fn new() -> Self {
        Self::with_mode(Mode::Threaded { word_delay: std::time::Duration::ZERO })
    }

    /// A harness whose DMA runs in `mode`. The step mode is of no use to the
    /// suite (nothing would call `step`); slow threaded modes are.
    pub fn with_mode(mode: Mode) -> Self {
        MockSerialHarness {
            mode,
            dma: MockDma::new(mode, Recorder::new()),
            wire: Wire::default(),
            defect: None,
        }
    }

    /// A harness whose serial ports carry `defect`, to show the suite catches it.
    ///
    /// # Safety
    ///
    /// For **callers**: [`MockSerial::with_defect`]'s contract, for every
    /// buffer the harness's ports are given. The suite's transfer checks
    /// meet it (they lend only leaked buffers and read them only through the
    /// event log after a defective drop); any other use of the harness must
    /// too.
    pub unsafe fn with_defect(defect: Defect) -> Self {
        MockSerialHarness { defect: Some(defect), ..Self::new() }
    }

    fn build(
        &mut self,
        fence: RecordingFence,
        log: &'static Recorder,
    ) -> MockSerial<RecordingFence> {
        self.dma = MockDma::new(self.mode, log.clone());
        let serial = MockSerial::new(&self.dma, fence);
        let serial = match self.defect {
            // SAFETY: forwarded from `with_defect`, the only way `defect` is set.
            Some(defect) => unsafe { serial.with_defect(defect) },
            None => serial,
        };
        self.wire = serial.wire();
        serial
    }
}

impl<W: Word> WriteHarness<W> for MockSerialHarness {
    type Peripheral = MockSerial<RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log)
    }

    fn received(&mut self) -> Vec<W> {
        self.wire.take_sent()
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::StallAfter(words));
        true
    }

    fn max_len(&self) -> Option<usize> {
        Some(MockSerial::<RecordingFence>::MAX_LEN)
    }
}

impl<W: Word> ReadHarness<W> for MockSerialHarness {
    type Peripheral = MockSerial<RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log)
    }

    fn feed(&mut self, words: &[W]) {
        self.wire.deliver(words);
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::StallAfter(words));
        true
    }

    fn max_len(&self) -> Option<usize> {
        Some(MockSerial::<RecordingFence>::MAX_LEN)
    }
}

/// Drives [`MockSpi`](crate::peripheral::MockSpi) for the full-duplex checks, for every
/// word width, with fault injection.
#[derive(Debug)]
pub struct MockSpiHarness {
    dma: MockDma,
    wire: Wire,
}

impl Default for MockSpiHarness {
    fn default() -> Self {
        MockSpiHarness { dma: MockDma::threaded(Recorder::new()), wire: Wire::default() }
    }
}

impl<W: Word> FullDuplexHarness<W> for MockSpiHarness {
    type Peripheral = crate::peripheral::MockSpi<RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.dma = MockDma::threaded(log.clone());
        let spi = crate::peripheral::MockSpi::new(&self.dma, fence);
        self.wire = spi.wire();
        spi
    }

    fn feed(&mut self, words: &[W]) {
        self.wire.deliver(words);
    }

    fn received(&mut self) -> Vec<W> {
        self.wire.take_sent()
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::StallAfter(words));
        true
    }

    fn max_len(&self) -> Option<usize> {
        Some(crate::peripheral::MockSpi::<RecordingFence>::MAX_LEN)
    }
}

/// The same port write-only ([`DmaWrite`](dma_traits::DmaWrite)): what it
/// clocks out, nothing kept of what comes in.
impl<W: Word> WriteHarness<W> for MockSpiHarness {
    type Peripheral = crate::peripheral::MockSpi<RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        <Self as FullDuplexHarness<W>>::peripheral(self, fence, log)
    }

    fn received(&mut self) -> Vec<W> {
        self.wire.take_sent()
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::StallAfter(words));
        true
    }

    fn max_len(&self) -> Option<usize> {
        Some(crate::peripheral::MockSpi::<RecordingFence>::MAX_LEN)
    }
}

/// Drives [`MockMemCopy`](crate::peripheral::MockMemCopy) for the
/// memory-to-memory checks, for every word width, with fault injection.
#[derive(Debug)]
pub struct MockMemCopyHarness {
    dma: MockDma,
}

impl Default for MockMemCopyHarness {
    fn default() -> Self {
        MockMemCopyHarness { dma: MockDma::threaded(Recorder::new()) }
    }
}

impl<W: Word> CopyHarness<W> for MockMemCopyHarness {
    type Peripheral = crate::peripheral::MockMemCopy<RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.dma = MockDma::threaded(log.clone());
        crate::peripheral::MockMemCopy::new(&self.dma, fence)
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.dma.inject(Fault::StallAfter(words));
        true
    }

    fn max_len(&self) -> Option<usize> {
        Some(crate::peripheral::MockMemCopy::<RecordingFence>::MAX_LEN)
    }
}

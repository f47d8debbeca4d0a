//! The conformance suite of `dma-impl-mock` against the HAL on the RP2040
//! simulator: memory-to-memory copies (`DmaCopy`), SPI (`DmaWrite`,
//! `DmaRead`, `DmaFullDuplex`) and UART (`DmaWrite`, `DmaRead`), for every
//! word type (the widths a peripheral lacks must be refused).
//!
//! Each harness builds a fresh simulator for every peripheral it hands out,
//! logging into the suite's recorder: threaded natively; under Miri in step
//! mode, driven by the test thread's own CPU accesses (`Rp2040Sim::driven`:
//! one step before each), which is deterministic and spawns no thread.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::cast_possible_truncation)]

mod common;

use dma_impl_mock::bits::{from_bits, to_bits};
use dma_impl_mock::conformance::{
    check_copy_transfers, check_full_duplex_transfers, check_read_transfers, check_write_transfers,
    CheckResult, CopyHarness, FullDuplexHarness, ReadHarness, Report, SuiteConfig, WriteHarness,
};
use dma_impl_mock::record::{Recorder, RecordingFence};
use dma_impl_mock::sim::rp2040::{Rp2040Sim, Side};
use dma_impl_rp2040::{Channel, Spi, Spi1, Uart, Uart0, UartRx, UartTx};
use dma_traits::{Word, WordWidth};

/// Channels the harnesses use (any would do; not 0 and 1, to see the
/// channel number in every register offset).
const TX: usize = 4;
const RX: usize = 9;

#[derive(Default)]
struct Rig {
    /// The driving hook (under Miri), dropped before its simulator.
    drive: Option<dma_mmio::host::interleave::Interleaving>,
    sim: Option<Rp2040Sim>,
}

impl Rig {
    /// A fresh simulator logging into `log`, and channels TX and RX with `fence`.
    fn fresh(
        &mut self,
        fence: RecordingFence,
        log: &'static Recorder,
    ) -> (Channel<RecordingFence>, Channel<RecordingFence>) {
        self.drive = None;
        let sim =
            if cfg!(miri) { Rp2040Sim::new(log.clone()) } else { Rp2040Sim::threaded(log.clone()) };
        let mut ch = common::channels(&sim).map(Some);
        let tx = ch[TX].take().unwrap().with_fence(fence);
        let rx = ch[RX].take().unwrap().with_fence(fence);
        if cfg!(miri) {
            self.drive = Some(sim.driven());
        }
        self.sim = Some(sim);
        (tx, rx)
    }

    fn sim(&self) -> &Rp2040Sim {
        self.sim.as_ref().expect("a peripheral was built")
    }
}

fn words<W: Word>(raw: Vec<u32>) -> Vec<W> {
    raw.into_iter().map(|w| from_bits::<W>(u64::from(w))).collect()
}

fn raw<W: Word>(words: &[W]) -> Vec<u32> {
    // The frames are at most 16 bits wide: nothing is cut.
    #[allow(clippy::cast_possible_truncation)]
    words.iter().map(|w| to_bits(*w) as u32).collect()
}

fn spi_width<W: Word>() -> bool {
    matches!(W::WIDTH, WordWidth::Bits8 | WordWidth::Bits16)
}

// ---- memory to memory ----

#[derive(Default)]
struct CopyRig(Rig);

impl<W: Word> CopyHarness<W> for CopyRig {
    type Peripheral = Channel<RecordingFence>;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.0.fresh(fence, log).0
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.sim().fail_after(TX, words as u32, Side::Read);
        true
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.sim().stall_after(TX, words as u32);
        true
    }
    fn max_len(&self) -> Option<usize> {
        None // 2^32 - 1 items: refused in tests/bad_input.rs without allocating
    }
    fn supports_width(&self) -> bool {
        W::WIDTH != WordWidth::Bits64
    }
}

// ---- SPI ----

type TestSpi = Spi<Spi1, RecordingFence>;

#[derive(Default)]
struct SpiRig(Rig);

impl SpiRig {
    fn build(&mut self, fence: RecordingFence, log: &'static Recorder) -> TestSpi {
        let (tx, rx) = self.0.fresh(fence, log);
        // SAFETY: the simulator's SPI1 block, alive while the rig holds it.
        unsafe { Spi::new(self.0.sim().spi_base(1), tx, rx) }
    }
}

impl<W: Word> WriteHarness<W> for SpiRig {
    type Peripheral = TestSpi;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> TestSpi {
        self.build(fence, log)
    }
    fn received(&mut self) -> Vec<W> {
        words(self.0.sim().spi_sent(1))
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.sim().fail_after(TX, words as u32, Side::Read);
        true
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.sim().stall_after(TX, words as u32);
        true
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        spi_width::<W>()
    }
}

impl<W: Word> ReadHarness<W> for SpiRig {
    type Peripheral = TestSpi;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> TestSpi {
        self.build(fence, log)
    }
    fn feed(&mut self, words: &[W]) {
        self.0.sim().feed_spi(1, &raw(words));
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.sim().fail_after(RX, words as u32, Side::Write);
        true
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.sim().stall_after(RX, words as u32);
        true
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        spi_width::<W>()
    }
}

impl<W: Word> FullDuplexHarness<W> for SpiRig {
    type Peripheral = TestSpi;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> TestSpi {
        self.build(fence, log)
    }
    fn feed(&mut self, words: &[W]) {
        self.0.sim().feed_spi(1, &raw(words));
    }
    fn received(&mut self) -> Vec<W> {
        words(self.0.sim().spi_sent(1))
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.sim().fail_after(RX, words as u32, Side::Write);
        true
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.sim().stall_after(RX, words as u32);
        true
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        spi_width::<W>()
    }
}

// ---- UART ----

#[derive(Default)]
struct UartRig(Rig);

impl UartRig {
    fn build(
        &mut self,
        fence: RecordingFence,
        log: &'static Recorder,
    ) -> (UartTx<Uart0, RecordingFence>, UartRx<Uart0, RecordingFence>) {
        let (tx, rx) = self.0.fresh(fence, log);
        // SAFETY: the simulator's UART0 block, alive while the rig holds it.
        unsafe { Uart::<Uart0>::new(self.0.sim().uart_base(0)) }.split(tx, rx)
    }
}

impl<W: Word> WriteHarness<W> for UartRig {
    type Peripheral = UartTx<Uart0, RecordingFence>;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log).0
    }
    fn received(&mut self) -> Vec<W> {
        self.0.sim().uart_sent(0).into_iter().map(|b| from_bits::<W>(u64::from(b))).collect()
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.sim().fail_after(TX, words as u32, Side::Read);
        true
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.sim().stall_after(TX, words as u32);
        true
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        W::WIDTH == WordWidth::Bits8
    }
}

impl<W: Word> ReadHarness<W> for UartRig {
    type Peripheral = UartRx<Uart0, RecordingFence>;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log).1
    }
    fn feed(&mut self, words: &[W]) {
        // UARTDR holds 8 data bits.
        #[allow(clippy::cast_possible_truncation)]
        let bytes: Vec<u8> = words.iter().map(|w| to_bits(*w) as u8).collect();
        self.0.sim().feed_uart(0, &bytes);
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.sim().fail_after(RX, words as u32, Side::Write);
        true
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.sim().stall_after(RX, words as u32);
        true
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        W::WIDTH == WordWidth::Bits8
    }
}

fn all<F: FnMut() -> Vec<CheckResult>>(mut run: F) -> Vec<CheckResult> {
    run()
}

/// Every word type natively; under Miri (the budget of `.ci/run`) bytes and
/// one refused width only: the other widths run the same code.
macro_rules! every_word {
    ($f:ident, $name:expr, $rig:expr, $config:expr) => {{
        let mut r = Vec::new();
        r.extend($f::<u8, _>($name, $rig, $config));
        if !cfg!(miri) {
            r.extend($f::<u16, _>($name, $rig, $config));
            r.extend($f::<u32, _>($name, $rig, $config));
        }
        r.extend($f::<u64, _>($name, $rig, $config));
        r
    }};
}

fn section(report: &mut Report, name: &str, results: Vec<CheckResult>) {
    report.section(name, results);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "the suite's mem::forget checks need a free-running (threaded) DMA, which Miri \
              interprets far beyond the budget; the HAL's paths run under Miri in \
              tests/adversarial.rs and tests/bad_input.rs"
)]
fn rp2040_conformance() {
    let config = SuiteConfig::default();
    let mut report = Report::new();
    section(
        &mut report,
        "rp2040 DMA memory-to-memory",
        all(|| {
            every_word!(check_copy_transfers, "rp2040 channel", &mut CopyRig::default(), &config)
        }),
    );
    let mut spi = SpiRig::default();
    let mut results = every_word!(check_write_transfers, "rp2040 SPI1", &mut spi, &config);
    results.extend(every_word!(check_read_transfers, "rp2040 SPI1", &mut spi, &config));
    results.extend(every_word!(check_full_duplex_transfers, "rp2040 SPI1", &mut spi, &config));
    section(&mut report, "rp2040 SPI (two channels, DREQ_SPI1_TX/RX)", results);
    let mut uart = UartRig::default();
    let mut results = every_word!(check_write_transfers, "rp2040 UART0", &mut uart, &config);
    results.extend(every_word!(check_read_transfers, "rp2040 UART0", &mut uart, &config));
    section(&mut report, "rp2040 UART (DREQ_UART0_TX/RX)", results);
    println!("{report}");
    assert!(report.all_passed(), "{report}");
}

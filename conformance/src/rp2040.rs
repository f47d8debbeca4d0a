//! The RP2040 sections: memory-to-memory copies (`DmaCopy`), SPI
//! (`DmaWrite`, `DmaRead`, `DmaFullDuplex`) and UART (`DmaWrite`,
//! `DmaRead`) of `dma-impl-rp2040`, against the register-level simulator
//! [`dma_impl_mock::sim::rp2040`], for every word type (the widths a
//! peripheral lacks must be refused).
//!
//! Each harness builds a fresh threaded simulator for every peripheral it
//! hands out, logging into the suite's recorder (the suite's `mem::forget`
//! checks need a DMA that runs by itself). Under Miri only bytes and one
//! refused width run: the other widths take the same paths.
//!
//! This is the one copy of the RP2040 harnesses; the HAL's own tests
//! (`dma-impl-rp2040/tests`) cover its paths under Miri and with bad input.

use dma_impl_mock::bits::{from_bits, to_bits};
use dma_impl_mock::conformance::{
    check_copy_transfers, check_full_duplex_transfers, check_read_transfers, check_write_transfers,
    CheckResult, CopyHarness, FullDuplexHarness, ReadHarness, Report, SuiteConfig, WriteHarness,
};
use dma_impl_mock::record::{Recorder, RecordingFence};
use dma_impl_mock::sim::rp2040::{Rp2040Sim, Side};
use dma_impl_rp2040::{Channel, Dma, Spi, Spi1, Uart, Uart0, UartRx, UartTx};
use dma_traits::{Word, WordWidth};

/// Channels the harnesses use (any would do; not 0 and 1, to see the
/// channel number in every register offset).
const TX: usize = 4;
const RX: usize = 9;

/// Adds the RP2040 sections to `report`.
pub fn run(report: &mut Report) {
    report.section("rp2040 DMA memory-to-memory", memory_to_memory());
    report.section("rp2040 SPI (two channels, DREQ_SPI1_TX/RX)", spi());
    report.section("rp2040 UART (DREQ_UART0_TX/RX)", uart());
}

/// Every word type natively; under Miri bytes and one refused width only:
/// the other widths run the same code.
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

/// Every copy check, every word type, on one channel.
pub fn memory_to_memory() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    every_word!(check_copy_transfers, "rp2040 channel", &mut CopyRig::default(), &config)
}

/// Every write, read and full-duplex check, every word type, on SPI1.
pub fn spi() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let mut spi = SpiRig::default();
    let mut results = every_word!(check_write_transfers, "rp2040 SPI1", &mut spi, &config);
    results.extend(every_word!(check_read_transfers, "rp2040 SPI1", &mut spi, &config));
    results.extend(every_word!(check_full_duplex_transfers, "rp2040 SPI1", &mut spi, &config));
    results
}

/// Every write and read check, every word type, on UART0.
pub fn uart() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let mut uart = UartRig::default();
    let mut results = every_word!(check_write_transfers, "rp2040 UART0", &mut uart, &config);
    results.extend(every_word!(check_read_transfers, "rp2040 UART0", &mut uart, &config));
    results
}

/// The current simulator.
#[derive(Debug, Default)]
struct Rig {
    sim: Option<Rp2040Sim>,
}

impl Rig {
    /// A fresh simulator logging into `log`, and channels TX and RX with `fence`.
    fn fresh(
        &mut self,
        fence: RecordingFence,
        log: &'static Recorder,
    ) -> (Channel<RecordingFence>, Channel<RecordingFence>) {
        // The previous simulator is dropped here (its worker joined).
        self.sim = None;
        let sim = Rp2040Sim::threaded(log.clone());
        // SAFETY: the simulator lives in `self.sim` until the next `fresh`,
        // and the suite, their only caller (the harnesses are crate-private,
        // review 3 finding 2), ends each peripheral's transfers (or forgets them on
        // this simulator) before asking for the next one; the channels of
        // this simulator are stolen once.
        let channels = unsafe { Dma::steal(sim.base()) };
        let [.., tx, _, _, _, _, rx, _, _] = channels;
        self.sim = Some(sim);
        (tx.with_fence(fence), rx.with_fence(fence))
    }

    /// The current simulator; `None` before the first peripheral.
    fn sim(&self) -> Option<&Rp2040Sim> {
        self.sim.as_ref()
    }

    /// Arms a fault on `channel` of the current simulator.
    fn fail_after(&self, channel: usize, words: usize, side: Side) -> bool {
        match (self.sim(), u32::try_from(words)) {
            (Some(sim), Ok(n)) => {
                sim.fail_after(channel, n, side);
                true
            }
            _ => false,
        }
    }

    /// Arms a stall on `channel` of the current simulator.
    fn stall_after(&self, channel: usize, words: usize) -> bool {
        match (self.sim(), u32::try_from(words)) {
            (Some(sim), Ok(n)) => {
                sim.stall_after(channel, n);
                true
            }
            _ => false,
        }
    }
}

const _: () = assert!(TX == 4 && RX == 9, "the destructuring in `Rig::fresh` takes 4 and 9");

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

/// The copy harness: channel 4 of a fresh simulator.
#[derive(Debug, Default)]
pub(crate) struct CopyRig(Rig);

impl<W: Word> CopyHarness<W> for CopyRig {
    type Peripheral = Channel<RecordingFence>;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.0.fresh(fence, log).0
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(TX, words, Side::Read)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(TX, words)
    }
    fn max_len(&self) -> Option<usize> {
        None // 2^32 - 1 items: refused in dma-impl-rp2040/tests/bad_input.rs without allocating
    }
    fn supports_width(&self) -> bool {
        W::WIDTH != WordWidth::Bits64
    }
}

// ---- SPI ----

/// The SPI under test: SPI1 on channels 4 (TX) and 9 (RX).
pub type TestSpi = Spi<Spi1, RecordingFence>;

/// The SPI harness: SPI1 of a fresh simulator, channels 4 and 9.
#[derive(Debug, Default)]
pub(crate) struct SpiRig(Rig);

impl SpiRig {
    fn build(&mut self, fence: RecordingFence, log: &'static Recorder) -> TestSpi {
        let (tx, rx) = self.0.fresh(fence, log);
        let base = self.0.sim().map_or(core::ptr::null_mut(), |sim| sim.spi_base(1));
        // SAFETY: the simulator's SPI1 block, alive while the rig holds it.
        unsafe { Spi::new(base, tx, rx) }
    }
    fn sent<W: Word>(&self) -> Vec<W> {
        self.0.sim().map(|sim| words(sim.spi_sent(1))).unwrap_or_default()
    }
    fn feed<W: Word>(&self, words: &[W]) {
        if let Some(sim) = self.0.sim() {
            sim.feed_spi(1, &raw(words));
        }
    }
}

impl<W: Word> WriteHarness<W> for SpiRig {
    type Peripheral = TestSpi;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> TestSpi {
        self.build(fence, log)
    }
    fn received(&mut self) -> Vec<W> {
        self.sent()
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(TX, words, Side::Read)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(TX, words)
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
        SpiRig::feed(self, words);
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(RX, words, Side::Write)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(RX, words)
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
        SpiRig::feed(self, words);
    }
    fn received(&mut self) -> Vec<W> {
        self.sent()
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(RX, words, Side::Write)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(RX, words)
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        spi_width::<W>()
    }
}

// ---- UART ----

/// The UART harness: UART0 of a fresh simulator, channels 4 and 9.
#[derive(Debug, Default)]
pub(crate) struct UartRig(Rig);

impl UartRig {
    fn build(
        &mut self,
        fence: RecordingFence,
        log: &'static Recorder,
    ) -> (UartTx<Uart0, RecordingFence>, UartRx<Uart0, RecordingFence>) {
        let (tx, rx) = self.0.fresh(fence, log);
        let base = self.0.sim().map_or(core::ptr::null_mut(), |sim| sim.uart_base(0));
        // SAFETY: the simulator's UART0 block, alive while the rig holds it.
        unsafe { Uart::<Uart0>::new(base) }.split(tx, rx)
    }
}

impl<W: Word> WriteHarness<W> for UartRig {
    type Peripheral = UartTx<Uart0, RecordingFence>;
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log).0
    }
    fn received(&mut self) -> Vec<W> {
        let sent = self.0.sim().map(|sim| sim.uart_sent(0)).unwrap_or_default();
        sent.into_iter().map(|b| from_bits::<W>(u64::from(b))).collect()
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(TX, words, Side::Read)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(TX, words)
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
        if let Some(sim) = self.0.sim() {
            sim.feed_uart(0, &bytes);
        }
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(RX, words, Side::Write)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(RX, words)
    }
    fn max_len(&self) -> Option<usize> {
        None
    }
    fn supports_width(&self) -> bool {
        W::WIDTH == WordWidth::Bits8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_all_pass(title: &str, results: Vec<CheckResult>) {
        let mut report = Report::new();
        report.section(title, results);
        assert!(report.all_passed(), "{report}");
        let least = if cfg!(miri) { 9 } else { 10 };
        assert!(report.passed() >= least, "too few checks ran:\n{report}");
    }

    #[test]
    fn memory_to_memory_passes_every_check() {
        assert_all_pass("rp2040 memory to memory", memory_to_memory());
    }

    #[test]
    fn spi_passes_every_check() {
        assert_all_pass("rp2040 SPI", spi());
    }

    #[test]
    fn uart_passes_every_check() {
        assert_all_pass("rp2040 UART", uart());
    }
}

//! The nRF52 section: UARTE TX/RX, SPIM and TWIM by EasyDMA, against the
//! register-level simulator [`dma_impl_mock::sim::nrf`], on the nRF52832
//! (8-bit `MAXCNT`: the over-long check uses 256 bytes). SPIM reads run on
//! the nRF52833: the nRF52832 driver refuses one-byte reads (anomaly 58,
//! [`dma_impl_nrf::Error::Anomaly58`]), which the suite's data check at
//! length 1 cannot count as a pass; `dma-impl-nrf/tests/spim.rs` checks that
//! refusal.
//!
//! Each harness keeps one simulator (one worker thread) and resets it for
//! every fresh peripheral, swapping in the suite's recorder.

use core::marker::PhantomData;
use dma_impl_mock::conformance::{
    check_read_transfers, check_write_transfers, CheckResult, ReadHarness, Report, SuiteConfig,
    WriteHarness,
};
use dma_impl_mock::record::{Recorder, RecordingFence};
use dma_impl_mock::sim::nrf::{EasyDmaSim, Kind, SimConfig, TwiFault};

use dma_impl_nrf::{Chip, Nrf52832, Nrf52833, Spim, Twim, Uarte, UarteRx, UarteTx};

/// The chip every harness builds for.
type Target = Nrf52832;

/// UARTE `ERRORSRC.FRAMING`, the fault injected into reception.
const FRAMING: u32 = 1 << 2;

/// The TWI slave address the TWIM harness talks to.
const SLAVE: u8 = 0x42;

/// Adds the nRF52 sections to `report`.
pub fn run(report: &mut Report) {
    report.section("nrf52 UARTE (EasyDMA TX/RX)", uarte());
    report.section("nrf52 SPIM (EasyDMA, one-way)", spim());
    report.section("nrf52 TWIM (EasyDMA write/read)", twim());
}

/// Every transfer check on the UARTE, both directions.
pub fn uarte() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let mut harness = UarteHarness(Sim::new(Kind::Uarte));
    let mut results = check_write_transfers::<u8, _>("nrf UARTE", &mut harness, &config);
    results.extend(check_read_transfers::<u8, _>("nrf UARTE", &mut harness, &config));
    results
}

/// Every transfer check on the SPIM (write-only and read-only transfers).
pub fn spim() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let mut harness = SpimHarness::<Target>::new(SimConfig::nrf52832());
    let mut results = check_write_transfers::<u8, _>("nrf SPIM", &mut harness, &config);
    let mut harness = SpimHarness::<Nrf52833>::new(SimConfig::nrf52833());
    results.extend(check_read_transfers::<u8, _>("nrf52833 SPIM", &mut harness, &config));
    results
}

/// Every transfer check on the TWIM (slave 0x42).
pub fn twim() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let mut harness = TwimHarness(Sim::new(Kind::Twim));
    let mut results = check_write_transfers::<u8, _>("nrf TWIM", &mut harness, &config);
    results.extend(check_read_transfers::<u8, _>("nrf TWIM", &mut harness, &config));
    results
}

/// One threaded simulator, reset for every fresh driver.
#[derive(Debug)]
struct Sim(EasyDmaSim);

impl Sim {
    fn new(kind: Kind) -> Self {
        Self::for_chip(kind, SimConfig::nrf52832())
    }

    fn for_chip(kind: Kind, config: SimConfig) -> Self {
        Sim(EasyDmaSim::new(kind, &Recorder::new(), config))
    }

    /// Resets the simulator onto `log` and returns its register block.
    fn fresh(&self, log: &'static Recorder) -> *mut u32 {
        self.0.reset(log);
        self.0.base()
    }

    fn stall(&self, words: usize) -> bool {
        self.0.stall_after(words);
        true
    }
}

/// Drives [`UarteTx`] and [`UarteRx`].
#[derive(Debug)]
pub(crate) struct UarteHarness(Sim);

impl UarteHarness {
    fn build(
        &self,
        fence: RecordingFence,
        log: &'static Recorder,
    ) -> Uarte<Target, RecordingFence> {
        let base = self.0.fresh(log);
        // SAFETY: the harness's simulator outlives every driver it builds, and
        // the suite, the only caller (the harnesses are crate-private, review 3
        // finding 2), uses one driver at a time (the previous one has ended or
        // was forgotten, and `reset` stopped its channels).
        unsafe { Uarte::<Target>::new(base) }.with_fence(fence)
    }
}

impl WriteHarness<u8> for UarteHarness {
    type Peripheral = UarteTx<Target, RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log).split().0
    }

    fn received(&mut self) -> Vec<u8> {
        self.0 .0.take_sent()
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall(words)
    }

    fn max_len(&self) -> Option<usize> {
        Some(Target::MAXCNT_MAX)
    }
}

impl ReadHarness<u8> for UarteHarness {
    type Peripheral = UarteRx<Target, RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log).split().1
    }

    fn feed(&mut self, words: &[u8]) {
        self.0 .0.feed(words);
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.0 .0.inject_uart_error(words, FRAMING);
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall(words)
    }

    fn max_len(&self) -> Option<usize> {
        Some(Target::MAXCNT_MAX)
    }
}

/// Drives [`Spim`] of chip `C` one way at a time.
#[derive(Debug)]
pub(crate) struct SpimHarness<C: Chip>(Sim, PhantomData<C>);

impl<C: Chip> SpimHarness<C> {
    /// A harness on a simulator of `config` (the chip `C`).
    fn new(config: SimConfig) -> Self {
        SpimHarness(Sim::for_chip(Kind::Spim, config), PhantomData)
    }

    fn build(&self, fence: RecordingFence, log: &'static Recorder) -> Spim<C, RecordingFence> {
        let base = self.0.fresh(log);
        // SAFETY: as in `UarteHarness::build`; the simulator plays chip `C`.
        unsafe { Spim::<C>::new(base) }.with_fence(fence)
    }
}

impl<C: Chip> WriteHarness<u8> for SpimHarness<C> {
    type Peripheral = Spim<C, RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log)
    }

    fn received(&mut self) -> Vec<u8> {
        self.0 .0.take_sent()
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall(words)
    }

    fn max_len(&self) -> Option<usize> {
        Some(C::MAXCNT_MAX)
    }
}

impl<C: Chip> ReadHarness<u8> for SpimHarness<C> {
    type Peripheral = Spim<C, RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log)
    }

    fn feed(&mut self, words: &[u8]) {
        self.0 .0.feed(words);
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall(words)
    }

    fn max_len(&self) -> Option<usize> {
        Some(C::MAXCNT_MAX)
    }
}

/// Drives [`Twim`] writes and reads to one slave.
#[derive(Debug)]
pub(crate) struct TwimHarness(Sim);

impl TwimHarness {
    fn build(&self, fence: RecordingFence, log: &'static Recorder) -> Twim<Target, RecordingFence> {
        let base = self.0.fresh(log);
        // SAFETY: as in `UarteHarness::build`.
        let twim = unsafe { Twim::<Target>::new(base) };
        twim.with_fence(fence).with_address(SLAVE)
    }
}

impl WriteHarness<u8> for TwimHarness {
    type Peripheral = Twim<Target, RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log)
    }

    fn received(&mut self) -> Vec<u8> {
        self.0 .0.take_sent()
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.0 .0.inject_twi_fault(TwiFault::DataNackAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall(words)
    }

    fn max_len(&self) -> Option<usize> {
        Some(Target::MAXCNT_MAX)
    }
}

impl ReadHarness<u8> for TwimHarness {
    type Peripheral = Twim<Target, RecordingFence>;

    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
        self.build(fence, log)
    }

    fn feed(&mut self, words: &[u8]) {
        self.0 .0.feed(words);
    }

    fn fail_after(&mut self, words: usize) -> bool {
        self.0 .0.inject_twi_fault(TwiFault::OverrunAfter(words));
        true
    }

    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall(words)
    }

    fn max_len(&self) -> Option<usize> {
        Some(Target::MAXCNT_MAX)
    }
}

#[cfg(test)]
mod tests {
    use dma_impl_mock::conformance::Report;

    fn assert_all_pass(name: &str, results: Vec<super::CheckResult>) {
        let mut report = Report::new();
        report.section(name, results);
        assert!(report.all_passed(), "{report}");
        assert!(report.passed() >= 14, "too few checks ran:\n{report}");
    }

    #[test]
    fn uarte_passes_every_check() {
        assert_all_pass("uarte", super::uarte());
    }

    #[test]
    fn spim_passes_every_check() {
        assert_all_pass("spim", super::spim());
    }

    #[test]
    fn twim_passes_every_check() {
        assert_all_pass("twim", super::twim());
    }
}

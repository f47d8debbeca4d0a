//! The PL08x sections: `dma-impl-pl08x` (memory-to-memory copies,
//! `DmaCopy`, and fixed-address writes and reads, `DmaWrite`/`DmaRead` on
//! [`FixedAddress`](dma_impl_pl08x::FixedAddress)) on the register-level
//! simulator [`dma_impl_mock::sim::pl08x`] in QEMU's timing (a transfer runs
//! inside the write that enables it; clearing `DMACConfiguration.E` holds it
//! in flight), through the `no_std` core of the suite,
//! [`dma_conformance_core`].
//!
//! The PL08x simulator logs no DMA accesses into a
//! [`Recorder`](dma_impl_mock::record::Recorder), so the std suite's checks,
//! which compare the DMA's accesses with the fences in one log, cannot run on
//! it; the core suite observes only memory and the transfer. Its harness is
//! the one the QEMU firmware uses, `dma-impl-pl08x/examples/qemu_suite/
//! harness.rs` (one copy, included here as `dma-impl-pl08x/tests/
//! conformance_core.rs` includes it); its results become rows of the report,
//! and a check the harness cannot set up is left out (`-` in the table).

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use dma_conformance_core::{check_copy, check_read, check_write, Config, Memory, Sink, Verdict};
use dma_impl_mock::conformance::{CheckResult, Report};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::Dmac;
use dma_traits::CompilerFence;

#[path = "../../dma-impl-pl08x/examples/qemu_suite/harness.rs"]
#[allow(dead_code, unreachable_pub, clippy::all)]
mod harness;
use harness::Pl08xHarness;

/// Bytes of each of the suite's two memory regions.
const BYTES: usize = 192;

/// A memory region of the suite, aligned as [`Memory`] requires.
#[repr(align(8))]
struct Region([u8; BYTES]);

/// Adds the PL08x sections to `report`.
pub fn run(report: &mut Report) {
    report.section("pl08x PL081 (core suite, QEMU timing): channel 0", pl081());
    report.section("pl08x PL080 (core suite, QEMU timing): channel 7", pl080());
}

/// Every core check on channel 0 of a PL081.
pub fn pl081() -> Vec<CheckResult> {
    on::<2>("pl081", Pl08xSim::pl081(), 0)
}

/// Every core check on channel 7 (the lowest priority) of a PL080.
pub fn pl080() -> Vec<CheckResult> {
    on::<8>("pl080", Pl08xSim::pl080(), 7)
}

/// Runs the core suite on channel `index` of `sim` (with `N` channels).
fn on<const N: usize>(name: &str, sim: Pl08xSim, index: usize) -> Vec<CheckResult> {
    // The core suite's fence log is one static: one run at a time.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    sim.set_qemu_mode(true);
    // Leaked: the suite's memory and the device word must be `'static`.
    let source = Box::leak(Box::new(Region([0; BYTES])));
    let destination = Box::leak(Box::new(Region([0; BYTES])));
    let memory = Memory::new(source.0.as_mut_ptr(), destination.0.as_mut_ptr(), BYTES);
    let device: &'static core::sync::atomic::AtomicU32 =
        Box::leak(Box::new(core::sync::atomic::AtomicU32::new(0)));
    // SAFETY: the simulator outlives the controller (both are dropped at the
    // end of this function, the harness first); everything is reachable.
    let dmac: Dmac<N> = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    let inject = |channel: usize, items: usize| match u32::try_from(items) {
        Ok(items) => {
            sim.fail_after(channel, items);
            true
        }
        Err(_) => false,
    };
    // SAFETY: the regions and the device word are leaked here and used by
    // nothing else; channel `index` of the fresh controller was never taken;
    // the harness goes to the suite's `check_*` functions only.
    let mut h = unsafe {
        Pl08xHarness::new(dmac, index, memory, device.as_ptr(), None, CompilerFence, inject)
    };
    let config =
        if cfg!(miri) { Config { max_data_len: 2, long_len: 4 } } else { Config::default() };
    let mut rows = Rows::new();
    let subject = |what: &str| format!("{name} {what}");
    check_copy::<u8, _>(&subject("copy u8"), &mut h, &config, &mut rows);
    check_copy::<u32, _>(&subject("copy u32"), &mut h, &config, &mut rows);
    check_copy::<u64, _>(&subject("copy u64"), &mut h, &config, &mut rows);
    check_write::<u8, _>(&subject("write u8"), &mut h, &config, &mut rows);
    check_read::<u32, _>(&subject("read u32"), &mut h, &config, &mut rows);
    if !cfg!(miri) {
        check_copy::<u16, _>(&subject("copy u16"), &mut h, &config, &mut rows);
        check_write::<u16, _>(&subject("write u16"), &mut h, &config, &mut rows);
        check_write::<u32, _>(&subject("write u32"), &mut h, &config, &mut rows);
        check_read::<u8, _>(&subject("read u8"), &mut h, &config, &mut rows);
        check_read::<u16, _>(&subject("read u16"), &mut h, &config, &mut rows);
    }
    // What the TRM forbids, the simulator records: one more row.
    let violations = sim.violations();
    rows.0.push(CheckResult {
        check: "no TRM violation",
        subject: format!("{name} simulator"),
        outcome: if violations.is_empty() { Ok(()) } else { Err(violations.join("; ")) },
        elapsed: core::time::Duration::ZERO,
    });
    rows.0
}

/// The core suite's results as report rows (not-applicable ones left out).
struct Rows(Vec<CheckResult>, Instant);

impl Rows {
    fn new() -> Self {
        Rows(Vec::new(), Instant::now())
    }
}

impl Sink for Rows {
    fn result(&mut self, result: &dma_conformance_core::CheckResult<'_>) {
        let now = Instant::now();
        let elapsed = now.duration_since(self.1);
        self.1 = now;
        let outcome = match result.verdict {
            Verdict::Pass => Ok(()),
            Verdict::Fail(why) => Err(why.to_string()),
            Verdict::NotApplicable(_) => return,
        };
        self.0.push(CheckResult {
            check: result.check,
            subject: result.subject.to_owned(),
            outcome,
            elapsed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_all_pass(title: &str, results: Vec<CheckResult>) {
        let mut report = Report::new();
        report.section(title, results);
        assert!(report.all_passed(), "{report}");
        let least = if cfg!(miri) { 10 } else { 40 };
        assert!(report.passed() >= least, "too few checks ran:\n{report}");
    }

    #[test]
    fn pl081_passes_every_check() {
        assert_all_pass("pl081", pl081());
    }

    #[test]
    fn pl080_passes_every_check() {
        assert_all_pass("pl080", pl080());
    }
}

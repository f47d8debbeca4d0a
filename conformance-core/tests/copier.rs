//! The core suite against the test copier (a HAL whose "DMA" runs inside the
//! start call): every check that applies passes.
#![allow(missing_docs)]

use core::ptr::addr_of_mut;

use dma_conformance_core::{
    check_copy, Config, CopyHarness, FmtSink, Harness, Memory, RecordingFence, Tally,
};

#[allow(unreachable_pub)]
mod support {
    include!("support/copier.rs");
}
use support::{Copier, Defect};

#[repr(align(8))]
#[allow(dead_code)] // used through its address only
struct Region([u8; 512]);
static mut SRC: Region = Region([0; 512]);
static mut DST: Region = Region([0; 512]);

/// The suite's fence log is one static, and both tests lend `SRC` / `DST`:
/// the tests take turns (the test harness runs them on several threads).
static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[derive(Default)]
struct Board {
    defect: Defect,
}

// SAFETY: the statics are used by this harness only, handed to the suite
// alone; the copier reaches all memory; holds are refused.
unsafe impl Harness for Board {
    fn memory(&mut self) -> Memory {
        Memory::new(addr_of_mut!(SRC).cast(), addr_of_mut!(DST).cast(), 512)
    }
    fn hold(&mut self) -> bool {
        false
    }
    fn release(&mut self) {}
}

impl<W: dma_traits::Word> CopyHarness<W> for Board {
    type Channel = Copier<RecordingFence>;
    fn channel(&mut self) -> Option<Self::Channel> {
        Some(Copier::with_defect(RecordingFence::default(), self.defect))
    }
    fn max_len(&self) -> Option<usize> {
        Some(Copier::<RecordingFence>::MAX_LEN)
    }
}

#[test]
fn copier_passes_the_core_suite() {
    let _turn = TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut out = String::new();
    let mut tally = Tally::new(FmtSink(&mut out));
    let config = Config::default();
    check_copy::<u8, _>("copier u8", &mut Board::default(), &config, &mut tally);
    check_copy::<u16, _>("copier u16", &mut Board::default(), &config, &mut tally);
    check_copy::<u32, _>("copier u32", &mut Board::default(), &config, &mut tally);
    check_copy::<u64, _>("copier u64", &mut Board::default(), &config, &mut tally);
    let (passed, failed) = (tally.passed, tally.failed);
    println!("{out}");
    assert_eq!(failed, 0, "{out}");
    assert_eq!(passed, 31, "{out}");
}

/// Collects the failed checks' names.
#[derive(Default)]
struct Failures(Vec<&'static str>);

impl dma_conformance_core::Sink for Failures {
    fn result(&mut self, r: &dma_conformance_core::CheckResult<'_>) {
        if let dma_conformance_core::Verdict::Fail(_) = r.verdict {
            self.0.push(r.check);
        }
    }
}

/// Each defect makes the check for it fail (and the others may too).
#[test]
fn each_defect_is_caught_by_its_check() {
    let _turn = TURN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    use dma_conformance_core::names::*;
    let cases: [(Defect, &[&str]); 8] = [
        (Defect::DropsLastWord, &[DATA_INTACT]),
        (Defect::AcceptsEmpty, &[ZERO_LEN_REFUSED]),
        (Defect::AcceptsTooLong, &[OVERLONG_REFUSED]),
        (Defect::AcceptsMisaligned, &[MISALIGNED_REFUSED]),
        (Defect::AcceptsMismatch, &[LENGTH_MISMATCH_REFUSED]),
        (Defect::NoRelease, &[FENCES_BRACKET]),
        (Defect::NoAcquire, &[FENCES_BRACKET]),
        // Every refusal check sees the destination word written mid-region.
        (
            Defect::WritesWhenRefusing,
            &[ZERO_LEN_REFUSED, OVERLONG_REFUSED, MISALIGNED_REFUSED, LENGTH_MISMATCH_REFUSED],
        ),
    ];
    for (defect, checks) in cases {
        let mut failures = Failures::default();
        check_copy::<u32, _>(
            "broken copier",
            &mut Board { defect },
            &Config::default(),
            &mut failures,
        );
        println!("{defect:?}: {:?}", failures.0);
        for check in checks {
            assert!(
                failures.0.contains(check),
                "{defect:?} not caught by {check:?}: {:?}",
                failures.0
            );
        }
    }
}

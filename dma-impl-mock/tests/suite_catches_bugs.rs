//! Deliberately broken buffers and transfers, each caught by the suite with
//! a message that names the broken property.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use core::ops::Deref;

use dma_impl_mock::conformance::{
    check_read_buffer, check_read_buffer_with, check_read_transfers, check_write_buffer,
    check_write_transfers, CheckResult, MockSerialHarness, Report, SuiteConfig, ALIGNED,
    CONTENTS_MATCH, DROP_STOPS, FENCES_BRACKET, INSIDE_TARGET, LENGTH_MATCHES, STABLE_ACROSS_CALLS,
    STABLE_ACROSS_MOVES,
};
use dma_impl_mock::peripheral::Defect;
use dma_traits::{DmaReadBuffer, DmaWriteBuffer};

/// The message of the failed check `check`, panicking if it passed or is missing.
fn failure(results: &[CheckResult], check: &str) -> String {
    let result = results
        .iter()
        .find(|r| r.check == check)
        .unwrap_or_else(|| panic!("no result for {check}: {results:#?}"));
    match &result.outcome {
        Err(message) => message.clone(),
        Ok(()) => panic!("{check} passed on a broken subject: {results:#?}"),
    }
}

fn passed(results: &[CheckResult], check: &str) -> bool {
    results.iter().any(|r| r.check == check && r.passed())
}

/// Lends fresh memory on every call instead of its target.
struct FreshEveryCall(Box<[u8; 4]>);

impl Deref for FreshEveryCall {
    type Target = [u8; 4];
    fn deref(&self) -> &[u8; 4] {
        &self.0
    }
}

// SAFETY: deliberately wrong (requirements 1 and 2); only the suite sees it,
// and it never lets a DMA use the pair.
unsafe impl DmaReadBuffer for FreshEveryCall {
    type Word = u8;
    fn dma_read_buffer(&self) -> (*const u8, usize) {
        let copy: &'static [u8; 4] = Box::leak(Box::new(*self.0));
        (copy.as_ptr(), 4)
    }
}

#[test]
fn a_buffer_that_lends_fresh_memory_is_caught() {
    let results = check_read_buffer("FreshEveryCall", || FreshEveryCall(Box::new([1, 2, 3, 4])));
    assert!(failure(&results, STABLE_ACROSS_CALLS).contains("the pair must not change"));
    assert!(failure(&results, INSIDE_TARGET).contains("memory the buffer does not own"));
    assert!(failure(&results, CONTENTS_MATCH).contains("not compared"));
    assert!(passed(&results, LENGTH_MATCHES));
}

/// An array by value: its memory moves with it.
struct Inline([u16; 4]);

impl Deref for Inline {
    type Target = [u16; 4];
    fn deref(&self) -> &[u16; 4] {
        &self.0
    }
}

// SAFETY: deliberately wrong (requirement 1, indirection); only the suite sees it.
unsafe impl DmaReadBuffer for Inline {
    type Word = u16;
    fn dma_read_buffer(&self) -> (*const u16, usize) {
        (self.0.as_ptr(), 4)
    }
}

#[test]
fn a_buffer_whose_memory_moves_with_it_is_caught() {
    let results = check_read_buffer("Inline", || Inline([5, 6, 7, 8]));
    let message = failure(&results, STABLE_ACROSS_MOVES);
    assert!(
        message.contains("after moving the buffer into a function call")
            && message.contains("must not move with its owner"),
        "{message}"
    );
    assert!(passed(&results, STABLE_ACROSS_CALLS));
    assert!(passed(&results, CONTENTS_MATCH));
}

/// Claims one word more than it owns.
struct OneTooMany(Box<[u32]>);

impl Deref for OneTooMany {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        &self.0
    }
}

impl core::ops::DerefMut for OneTooMany {
    fn deref_mut(&mut self) -> &mut [u32] {
        &mut self.0
    }
}

// SAFETY: deliberately wrong (requirement 4); the suite reads nothing
// outside the target once the range check failed.
unsafe impl DmaWriteBuffer for OneTooMany {
    type Word = u32;
    fn dma_write_buffer(&mut self) -> (*mut u32, usize) {
        (self.0.as_mut_ptr(), self.0.len() + 1)
    }
}

#[test]
fn a_buffer_longer_than_its_target_is_caught() {
    let results = check_write_buffer("OneTooMany", || OneTooMany(vec![0; 4].into_boxed_slice()));
    assert_eq!(
        failure(&results, LENGTH_MATCHES),
        "length is 5 words but the target holds 4 words (16 bytes of 4-byte words)"
    );
    assert!(failure(&results, INSIDE_TARGET).contains("does not own"));
    assert!(failure(&results, CONTENTS_MATCH).contains("cannot be read safely"));
    assert!(passed(&results, ALIGNED));
}

/// Lends its memory one byte in: misaligned for `u16`.
struct OffByOneByte(Vec<u16>);

impl Deref for OffByOneByte {
    type Target = [u16];
    fn deref(&self) -> &[u16] {
        &self.0
    }
}

// SAFETY: deliberately wrong (requirement 4, alignment); never dereferenced.
unsafe impl DmaReadBuffer for OffByOneByte {
    type Word = u16;
    fn dma_read_buffer(&self) -> (*const u16, usize) {
        let ptr = self.0.as_ptr().cast::<u8>().wrapping_add(1).cast::<u16>();
        (ptr, self.0.len() - 1)
    }
}

#[test]
fn a_misaligned_buffer_is_caught() {
    let results = check_read_buffer("OffByOneByte", || OffByOneByte(vec![1, 2, 3]));
    assert!(failure(&results, ALIGNED).contains("is not aligned to 2 bytes"));
    assert!(failure(&results, LENGTH_MATCHES).contains("length is 2 words"));
    assert!(failure(&results, CONTENTS_MATCH).contains("misaligned"));
}

#[test]
fn a_transfer_that_does_not_stop_on_drop_is_caught() {
    let config = SuiteConfig::default();
    // SAFETY: the harness is used only by the suite's checks, which lend
    // leaked buffers and never read them after a defective drop.
    let mut harness = unsafe { MockSerialHarness::with_defect(Defect::NoStopOnDrop) };
    let results = check_write_transfers::<u8, _>("no-stop serial", &mut harness, &config);
    let message = failure(&results, DROP_STOPS);
    assert!(
        message.starts_with("drop returned before the hardware reported it had stopped"),
        "{message}"
    );
    assert!(passed(&results, FENCES_BRACKET), "stop() still works");

    let results = check_read_transfers::<u32, _>("no-stop serial", &mut harness, &config);
    assert!(failure(&results, DROP_STOPS).contains("no Stopped event"));
}

#[test]
fn a_transfer_without_acquire_fence_is_caught() {
    let config = SuiteConfig::default();
    // SAFETY: as above.
    let mut harness = unsafe { MockSerialHarness::with_defect(Defect::NoAcquire) };
    let results = check_read_transfers::<u16, _>("no-acquire serial", &mut harness, &config);
    let message = failure(&results, FENCES_BRACKET);
    assert!(message.starts_with("no acquire fence over the whole buffer"), "{message}");
    assert!(failure(&results, DROP_STOPS).contains("did not run the acquire fence"));
}

#[test]
fn the_report_shows_failures_in_words() {
    let results = check_read_buffer("Inline", || Inline([1, 2, 3, 4]));
    let mut report = Report::new();
    report.section("broken", results);
    let text = report.render();
    assert!(!report.all_passed());
    assert_eq!(report.failed(), 1);
    assert!(text.contains("FAIL Inline / pair stable across moves: after moving"), "{text}");
    assert!(text.contains("5 passed, 1 failed"), "{text}");
}

#[test]
fn a_panicking_check_is_a_failure_not_a_crash() {
    let result = CheckResult::run("explodes", "subject", || panic!("boom {}", 42));
    assert_eq!(result.outcome, Err("panicked: boom 42".to_owned()));
}

/// Hole 4 of the review: a `SubRange` checked against its whole backing
/// array used to make the contents check read `view.len()` words from the
/// pair's start, past the end of the array (Miri: out-of-bounds read). Now
/// the check fails the buffer and reads only words both sides hold.
#[test]
fn a_view_longer_than_the_pair_is_failed_without_reading_past_it() {
    // Equal words, so the comparison does not stop at a first mismatch.
    let backing: &'static [u8; 8] = Box::leak(Box::new([0x5a; 8]));
    let results = check_read_buffer_with(
        "SubRange<&[u8; 8]> against the whole array",
        || dma_traits::SubRange::of_read(backing, 3..8).unwrap(),
        |_| backing,
    );
    assert!(failure(&results, LENGTH_MATCHES).contains("length is 5 words"));
    assert!(passed(&results, INSIDE_TARGET));
    assert!(passed(&results, CONTENTS_MATCH), "the 5 words both hold are equal");
}

/// A (contract-breaking) packed 32-bit word: alignment 1, width 4.
#[derive(Clone, Copy)]
#[repr(C, packed)]
struct Packed(u32);

// SAFETY: deliberately wrong (requirement 3: alignment 1, not 4), to show the
// suite catches it; only read through unaligned-tolerant accesses here.
unsafe impl dma_traits::Word for Packed {
    const WIDTH: dma_traits::WordWidth = dma_traits::WordWidth::Bits32;
}

/// Lends two packed words starting at an odd address of its allocation
/// (a `u32` allocation, so its base is 4-aligned and the address odd under
/// Miri too, whose `u8` allocations may start anywhere).
struct OddPacked(Vec<u32>);

// SAFETY: deliberately wrong (alignment to the beat width); the pair is
// inside the allocation and initialized, so reading it is defined.
unsafe impl DmaReadBuffer for OddPacked {
    type Word = Packed;
    fn dma_read_buffer(&self) -> (*const Packed, usize) {
        (self.0.as_ptr().cast::<u8>().wrapping_add(1).cast::<Packed>(), 2)
    }
}

/// `align_of::<Packed>()` is 1, so a check of "aligned for `Word`" by
/// `align_of` passed this buffer; the beat width is 4 bytes.
#[test]
fn a_packed_word_at_an_odd_address_is_caught() {
    let results = check_read_buffer_with(
        "OddPacked",
        || OddPacked(vec![0x1111_1111; 3]),
        |b: &OddPacked| {
            let (ptr, len) = b.dma_read_buffer();
            let view = core::ptr::slice_from_raw_parts(ptr, len);
            // SAFETY: the pair lies in the buffer's own heap block, which a
            // move of the `Vec` does not move or retag, and nothing writes it.
            Box::leak(Box::new(unsafe { dma_impl_mock::conformance::RawTarget::new(view) }))
        },
    );
    assert!(failure(&results, ALIGNED).contains("is not aligned to 4 bytes"));
}

/// A harness that claims its peripheral lacks `u64` while the peripheral
/// accepts it: the width check must fail (a silent acceptance of an
/// unsupported width would move data the hardware cannot move).
struct ClaimsNoU64(MockSerialHarness);

impl dma_impl_mock::conformance::WriteHarness<u64> for ClaimsNoU64 {
    type Peripheral = dma_impl_mock::MockSerial<dma_impl_mock::record::RecordingFence>;
    fn peripheral(
        &mut self,
        fence: dma_impl_mock::record::RecordingFence,
        log: &'static dma_impl_mock::record::Recorder,
    ) -> Self::Peripheral {
        <MockSerialHarness as dma_impl_mock::conformance::WriteHarness<u64>>::peripheral(
            &mut self.0,
            fence,
            log,
        )
    }
    fn received(&mut self) -> Vec<u64> {
        <MockSerialHarness as dma_impl_mock::conformance::WriteHarness<u64>>::received(&mut self.0)
    }
    fn max_len(&self) -> Option<usize> {
        Some(4)
    }
    fn supports_width(&self) -> bool {
        false
    }
}

#[test]
fn a_width_the_harness_disowns_but_the_peripheral_accepts_is_caught() {
    let results = check_write_transfers::<u64, _>(
        "claims no u64",
        &mut ClaimsNoU64(MockSerialHarness::new()),
        &SuiteConfig::default(),
    );
    assert_eq!(results.len(), 1, "only the width check runs");
    assert!(failure(&results, dma_impl_mock::conformance::WIDTH_REFUSED)
        .starts_with("a buffer of a width it lacks was accepted"));
}

//! Outside soundness review, finding 2 (fixed: the contents check writes
//! only through the pair it checked): the conformance suite's write-buffer
//! contents check (`check_write_buffer` / `check_write_buffer_with`) against the kind
//! of wrong buffer it exists to catch.
//!
//! The suite is a test aid for HAL and buffer authors; its read-side
//! contents check was fixed (earlier review, hole 4) to touch only words
//! that both the first, checked pair and the view hold. The write side
//! checks the *first* pair against the view (`readable`), then fetches the
//! pair again and writes the pattern through all `len` words of the *second*
//! pair, unchecked. A buffer whose pair changes between calls (exactly what
//! "pair stable across calls" reports) makes the suite itself write past
//! its target: out of bounds under Miri, silent corruption natively.
//!
//! Writing the buffers below takes an `unsafe impl` (deliberately wrong,
//! as in `suite_catches_bugs.rs`); the point is that the suite must report
//! such a buffer, not corrupt memory while doing so.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use core::cell::Cell;
use core::ops::Deref;

use dma_impl_mock::conformance::{check_write_buffer, CONTENTS_MATCH, STABLE_ACROSS_CALLS};
use dma_traits::DmaWriteBuffer;

/// Lends its 4 words on the first call, then claims 8.
struct Grows {
    words: Box<[u16; 4]>,
    calls: Cell<usize>,
}

impl Deref for Grows {
    type Target = [u16; 4];
    fn deref(&self) -> &[u16; 4] {
        &self.words
    }
}

// SAFETY: deliberately wrong (requirement 2, a stable pair): only the suite
// sees it, and no DMA ever uses the pair.
unsafe impl DmaWriteBuffer for Grows {
    type Word = u16;
    fn dma_write_buffer(&mut self) -> (*mut u16, usize) {
        let call = self.calls.get();
        self.calls.set(call + 1);
        (self.words.as_mut_ptr(), if call == 0 { 4 } else { 8 })
    }
}

/// Under Miri: "out-of-bounds pointer use" / "memory access failed"
/// inside `check_write_buffer_with`'s contents check (the suite writes
/// words 4..8 of a 4-word allocation).
#[test]
fn a_pair_that_grows_after_the_first_call_is_reported_not_written_past() {
    let results =
        check_write_buffer("Grows", || Grows { words: Box::new([0; 4]), calls: Cell::new(0) });
    let failed = |name: &str| results.iter().any(|r| r.check == name && !r.passed());
    assert!(failed(STABLE_ACROSS_CALLS));
    assert!(failed(CONTENTS_MATCH));
}

/// The same defect seen natively: the buffer lends the first half of an
/// array (its view), and the suite writes the pattern into the second
/// half, which the view does not hold.
struct GrowsInside {
    words: Box<[u16; 8]>,
    calls: Cell<usize>,
}

impl Deref for GrowsInside {
    type Target = [u16; 4];
    fn deref(&self) -> &[u16; 4] {
        self.words.first_chunk::<4>().unwrap()
    }
}

// SAFETY: deliberately wrong (requirement 2): only the suite sees it.
unsafe impl DmaWriteBuffer for GrowsInside {
    type Word = u16;
    fn dma_write_buffer(&mut self) -> (*mut u16, usize) {
        let call = self.calls.get();
        self.calls.set(call + 1);
        (self.words.as_mut_ptr(), if call == 0 { 4 } else { 8 })
    }
}

#[test]
fn the_contents_check_writes_only_inside_the_checked_view() {
    let neighbours = std::rc::Rc::new(Cell::new([0u16; 4]));
    let seen = std::rc::Rc::clone(&neighbours);
    let results = dma_impl_mock::conformance::check_write_buffer_with(
        "GrowsInside",
        || GrowsInside { words: Box::new([0xAAAA; 8]), calls: Cell::new(0) },
        move |b: &GrowsInside| {
            seen.set(*b.words.last_chunk::<4>().unwrap());
            b.deref()
        },
    );
    assert!(results.iter().any(|r| r.check == STABLE_ACROSS_CALLS && !r.passed()));
    // The last view taken (after the contents check wrote): words 4..8,
    // outside the view, must still hold what the buffer put there.
    assert_eq!(neighbours.get(), [0xAAAA; 4], "the suite wrote outside the view it checked");
}

//! The conformance suite: checks a HAL author runs in CI against their own
//! buffer types and transfer implementations, natively and under Miri.
//!
//! Every check returns a [`CheckResult`] naming the property and the
//! subject; a failure says in words what went wrong. Collect them in a
//! [`Report`] to print a table.
//!
//! The checks that observe only memory and the transfer also exist as a
//! `no_std` core, `dma_conformance_core`, which runs on the target (QEMU, a
//! board behind a probe) as well as on the host; the property names
//! ([`DATA_INTACT`], ...) are that crate's, re-exported here. This suite adds
//! what needs std and a simulator: the event-log checks (no DMA access after
//! release, stop or drop), timeouts, panics as failures, and the report.
//!
//! # Buffer types
//!
//! [`check_read_buffer`] / [`check_write_buffer`] take a factory for the
//! buffer and compare its DMA pair with its `Deref` target (through
//! [`TargetView`]); the `*_with` variants take the view as a closure, for
//! buffers without a fitting `Deref`.
//!
//! # Transfers
//!
//! Implement [`WriteHarness`] / [`ReadHarness`] for your peripheral wired to
//! something observable, then call [`check_write_transfers`] /
//! [`check_read_transfers`] once per word type. Full-duplex peripherals and
//! memory-to-memory channels have [`FullDuplexHarness`] /
//! [`check_full_duplex_transfers`] and [`CopyHarness`] /
//! [`check_copy_transfers`]. The suite passes your
//! harness a [`RecordingFence`](crate::record::RecordingFence) and the
//! [`Recorder`](crate::record::Recorder) it logs into; your simulated
//! hardware logs its memory accesses into the same recorder.
//!
//! # Example: a HAL's CI test
//!
//! Copy this into `tests/conformance.rs` and replace the mock serial with
//! your peripheral and simulator:
//!
//! ```
//! use dma_impl_mock::conformance::{
//!     check_read_buffer, check_read_transfers, check_write_buffer, check_write_transfers,
//!     ReadHarness, Report, SuiteConfig, WriteHarness,
//! };
//! use dma_impl_mock::record::{Recorder, RecordingFence};
//! use dma_impl_mock::{MockDma, MockSerial, Wire};
//!
//! /// Builds the peripheral under test, wired to a wire the test can see.
//! struct MyUart {
//!     dma: MockDma,
//!     wire: Wire,
//! }
//!
//! impl WriteHarness<u8> for MyUart {
//!     type Peripheral = MockSerial<RecordingFence>;
//!     fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral {
//!         self.dma = MockDma::threaded(log.clone());
//!         let serial = MockSerial::new(&self.dma, fence);
//!         self.wire = serial.wire();
//!         serial
//!     }
//!     fn received(&mut self) -> Vec<u8> {
//!         self.wire.take_sent()
//!     }
//!     fn fail_after(&mut self, words: usize) -> bool {
//!         self.dma.fail_next_after(words);
//!         true
//!     }
//!     fn max_len(&self) -> Option<usize> {
//!         Some(MockSerial::<RecordingFence>::MAX_LEN)
//!     }
//! }
//!
//! let mut uart = MyUart { dma: MockDma::stepped(Recorder::new()), wire: Wire::default() };
//! let config = SuiteConfig::default();
//! let mut report = Report::new();
//! report.section("my uart", check_write_transfers::<u8, _>("my uart", &mut uart, &config));
//! report.section("my buffers", check_read_buffer("&'static [u8]", || &b"abc"[..]));
//! println!("{report}");
//! assert!(report.all_passed(), "{report}");
//! ```

mod buffers;
mod harness;
mod mock_harness;
mod report;
mod transfers;
mod two_way;

pub use buffers::{
    check_read_buffer, check_read_buffer_with, check_write_buffer, check_write_buffer_with,
    RawTarget, TargetView, ALIGNED, CONTENTS_MATCH, INSIDE_TARGET, LENGTH_MATCHES,
    STABLE_ACROSS_CALLS, STABLE_ACROSS_MOVES,
};
pub use harness::{ReadHarness, SuiteConfig, WriteHarness};
pub use mock_harness::{MockMemCopyHarness, MockSerialHarness, MockSpiHarness};
pub use report::{CheckResult, Report, Section};
pub use transfers::{
    check_read_transfers, check_write_transfers, BACK_ON_COMPLETION, BACK_ON_ERROR, DATA_INTACT,
    DROP_STOPS, FENCES_BRACKET, FORGET_HARMLESS, MISALIGNED_REFUSED, OVERLONG_REFUSED,
    WIDTH_REFUSED, ZERO_LEN_REFUSED,
};
pub use two_way::{
    check_copy_transfers, check_full_duplex_transfers, CopyHarness, FullDuplexHarness,
    LENGTH_MISMATCH_REFUSED,
};

//! The `no_std` core of the `dma-traits` conformance suite: checks that
//! observe only memory and the transfer, so they run on the host (against a
//! simulator, natively and under Miri) and on the target (QEMU, a board
//! behind a probe) alike.
//!
//! * A HAL author implements [`Harness`] (memory from statics, a way to hold
//!   a transfer in flight) and one of [`CopyHarness`], [`WriteHarness`],
//!   [`ReadHarness`] per direction and word type, building channels whose
//!   fence is a [`RecordingFence`] around the chip's real fence.
//! * [`check_copy`], [`check_write`], [`check_read`] run every check and
//!   hand each result to a [`Sink`]: [`FmtSink`] over any
//!   `core::fmt::Write` (semihosting, a UART), [`DefmtSink`](sink) with
//!   feature `defmt` (RTT), [`Tally`] to count.
//!
//! The checks, named as in the std suite of `dma-impl-mock` ([`names`]):
//! data intact for every length; buffer(s) and peripheral back on
//! completion and on error; stop and drop of a transfer held in flight leave
//! the destination untouched once the hold ends; `mem::forget` of a
//! `'static` transfer harmless; zero-length, over-long, misaligned,
//! unreachable (and, for copies, mismatched) buffers refused with everything
//! given back; release before the start and acquire after it on
//! completion, stop and drop, through the [`fence`] log.
//!
//! ```
//! use core::ptr::addr_of_mut;
//! use dma_conformance_core::{check_copy, Config, CopyHarness, FmtSink, Harness, Memory, Tally};
//! # use dma_conformance_core::RecordingFence;
//! # mod chip { include!("../tests/support/copier.rs"); }
//! # use chip::Copier;
//!
//! struct MyBoard { channels: usize }
//!
//! #[repr(align(8))]
//! struct Region([u8; 256]);
//! static mut SRC: Region = Region([0; 256]);
//! static mut DST: Region = Region([0; 256]);
//!
//! // SAFETY: the two statics are used by nothing but the suite; the copier
//! // reaches all memory; it cannot hold transfers (holds return false).
//! unsafe impl Harness for MyBoard {
//!     fn memory(&mut self) -> Memory {
//!         Memory::new(addr_of_mut!(SRC).cast(), addr_of_mut!(DST).cast(), 256)
//!     }
//!     fn hold(&mut self) -> bool { false }
//!     fn release(&mut self) {}
//! }
//!
//! impl CopyHarness<u32> for MyBoard {
//!     type Channel = Copier<RecordingFence>;
//!     fn channel(&mut self) -> Option<Self::Channel> {
//!         self.channels += 1;
//!         Some(Copier::new(RecordingFence::default()))
//!     }
//!     fn max_len(&self) -> Option<usize> { Some(Copier::<RecordingFence>::MAX_LEN) }
//! }
//!
//! let mut out = String::new();
//! let mut tally = Tally::new(FmtSink(&mut out));
//! check_copy::<u32, _>("copier u32", &mut MyBoard { channels: 0 }, &Config::default(), &mut tally);
//! assert_eq!(tally.failed, 0, "{out}");
//! assert!(out.contains("PASS copier u32 / data intact"));
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Feature `alloc` is reserved (nothing in the suite needs an allocator).

mod bits;
mod checks;
pub mod fence;
pub mod harness;
pub mod names;
pub mod sink;

pub use checks::{check_copy, check_read, check_write};
pub use fence::RecordingFence;
pub use harness::{Config, CopyHarness, Harness, Memory, ReadHarness, WriteHarness};
#[cfg(feature = "defmt")]
pub use sink::DefmtSink;
pub use sink::{CheckResult, FmtSink, Sink, Tally, Verdict, Why};

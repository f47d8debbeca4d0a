//! What a HAL author implements so the suite can drive their transfers.
//!
//! A harness builds the peripheral under test, wired to an endpoint the test
//! can observe (a simulated wire, a loopback, a register-level simulator's
//! FIFO), and with its DMA fence and its hardware model both reporting into a
//! [`Recorder`] that the suite passes in. The suite then starts transfers
//! through the peripheral's [`DmaWrite`] / [`DmaRead`] impl and compares what
//! the endpoint saw and what the log recorded with what the contract promises.

use core::time::Duration;

use dma_traits::{DmaRead, DmaWrite, Word};

use crate::record::{Recorder, RecordingFence};

/// Drives a peripheral that sends words by DMA ([`DmaWrite<W>`]).
///
/// Implement it once per peripheral, for every word type the peripheral
/// supports (a generic `impl<W: Word>` if it supports them all), and call
/// [`check_write_transfers`](super::check_write_transfers) once per word type.
///
/// # Wiring contract
///
/// * [`peripheral`](Self::peripheral) returns a peripheral whose transfers
///   use `fence` as their [`DmaFence`](dma_traits::DmaFence), and whose
///   (simulated) DMA pushes [`Event::DmaRead`](crate::record::Event::DmaRead)
///   for every word it reads from memory and
///   [`Event::Stopped`](crate::record::Event::Stopped) when it lets go of the
///   buffer (completion, error or stop) into `log`. `fence` logs into the
///   same `log`, so the suite sees one global order.
/// * Everything the peripheral sends afterwards is returned, in order, by
///   [`received`](Self::received).
/// * Faults armed by `fail_after` / `stall_after` apply to the next transfer
///   started on the most recently built peripheral only.
///
/// # Under Miri
///
/// The suite moves transfers while the DMA runs. A transfer that stores a
/// `Box<[W]>` or `&mut [W]` buffer as a plain field is then reported as a
/// data race ("retag write"): moving a `Box`/`&mut` asserts unique access.
/// Hold the buffer in a `MaybeUninit<B>` (a stand-in for `MaybeDangling`)
/// from *before* taking its DMA pointer until the DMA has stopped; see how
/// `dma_impl_mock`'s `MockTransfer` does it.
pub trait WriteHarness<W: Word> {
    /// The peripheral under test. Its transfers' `Buffer` is the buffer passed in.
    type Peripheral: DmaWrite<W>;

    /// Builds a fresh peripheral (see the wiring contract) with an empty endpoint.
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral;

    /// Takes every word the endpoint received since the last call (or since
    /// the peripheral was built), oldest first.
    fn received(&mut self) -> Vec<W>;

    /// Arms a fault: the next transfer fails after moving `words` words.
    /// Returns `false` (and arms nothing) if the harness cannot inject errors;
    /// the error checks are then reported as not applicable.
    fn fail_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }

    /// Arms a stall: the next transfer moves at most `words` words and then
    /// never finishes until it is stopped. Returns `false` if unsupported;
    /// the drop check then uses a long buffer and hopes to catch it running.
    fn stall_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }

    /// The longest buffer, in words, a transfer accepts (`None`: no limit
    /// below what memory allows). A buffer one word longer must be refused
    /// with an error that gives the buffer and the peripheral back.
    fn max_len(&self) -> Option<usize>;

    /// Whether the peripheral moves words of `W` at all. A harness for a
    /// controller without, say, 64-bit beats returns `false` for `u64`: the
    /// suite then checks only that a valid buffer is refused with everything
    /// given back, and counts that refusal as a pass.
    fn supports_width(&self) -> bool {
        true
    }
}

/// Drives a peripheral that receives words by DMA ([`DmaRead<W>`]).
///
/// The wiring contract of [`WriteHarness`] applies, with the DMA pushing
/// [`Event::DmaWrite`](crate::record::Event::DmaWrite) for every word it
/// writes to memory.
pub trait ReadHarness<W: Word> {
    /// The peripheral under test.
    type Peripheral: DmaRead<W>;

    /// Builds a fresh peripheral with an empty endpoint (see [`WriteHarness::peripheral`]).
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral;

    /// Queues `words` at the endpoint, to be received by the next transfers in
    /// order. The suite calls it before starting the transfer that reads them.
    fn feed(&mut self, words: &[W]);

    /// As [`WriteHarness::fail_after`].
    fn fail_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }

    /// As [`WriteHarness::stall_after`].
    fn stall_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }

    /// As [`WriteHarness::max_len`].
    fn max_len(&self) -> Option<usize>;

    /// As [`WriteHarness::supports_width`].
    fn supports_width(&self) -> bool {
        true
    }
}

/// Sizes and limits of a transfer-suite run.
#[derive(Debug, Clone)]
pub struct SuiteConfig {
    /// Data integrity is checked for every length `1..=max_data_len`
    /// (capped by the harness's `max_len`).
    pub max_data_len: usize,
    /// Length of the buffer used by the drop, forget and fence checks.
    pub long_len: usize,
    /// How long a transfer may take before the suite calls it hung.
    pub timeout: Duration,
    /// After a transfer is dropped, how long the suite watches the log for
    /// DMA accesses that should no longer happen.
    pub grace: Duration,
}

impl Default for SuiteConfig {
    /// Small sizes under Miri, larger natively.
    fn default() -> Self {
        if cfg!(miri) {
            SuiteConfig {
                max_data_len: 3,
                long_len: 8,
                timeout: Duration::from_secs(20),
                grace: Duration::from_millis(2),
            }
        } else {
            SuiteConfig {
                max_data_len: 24,
                long_len: 256,
                timeout: Duration::from_secs(5),
                grace: Duration::from_millis(5),
            }
        }
    }
}

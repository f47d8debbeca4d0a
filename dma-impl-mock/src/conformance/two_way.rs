//! Checks for transfers that move a read buffer and a write buffer at once:
//! full duplex ([`DmaFullDuplex`]) and memory-to-memory ([`DmaCopy`]).

use core::fmt::Debug;

use dma_traits::{
    DmaCopy, DmaFullDuplex, DmaReadBuffer, DmaWriteBuffer, ErrorKind, Started, StaticReadBuffer,
    StaticWriteBuffer, Transfer, Word,
};

use super::report::CheckResult;
use super::transfers::{
    accepted, accesses, buffer_range, capped, dropped_cleanly, fences_bracket, finish, leaked,
    probe, same_bits, wait_until, zeros, Misaligned, RECEIVES, SENDS,
};
use super::transfers::{
    BACK_ON_COMPLETION, BACK_ON_ERROR, DATA_INTACT, DROP_STOPS, FENCES_BRACKET, FORGET_HARMLESS,
    MISALIGNED_REFUSED, OVERLONG_REFUSED, WIDTH_REFUSED, ZERO_LEN_REFUSED,
};
use super::SuiteConfig;
use crate::bits::{pattern_vec, word_name};
use crate::record::{Recorder, RecordingFence};

pub use dma_conformance_core::names::LENGTH_MISMATCH_REFUSED;

/// Drives a full-duplex peripheral ([`DmaFullDuplex<W>`]): what it sends is
/// observable, what it receives can be queued. The wiring contract of
/// [`WriteHarness`](super::WriteHarness) applies to both directions.
pub trait FullDuplexHarness<W: Word> {
    /// The peripheral under test.
    type Peripheral: DmaFullDuplex<W>;
    /// Builds a fresh peripheral with an empty endpoint.
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral;
    /// Queues `words` to be received by the next transfers, in order.
    fn feed(&mut self, words: &[W]);
    /// Takes every word sent since the last call, oldest first.
    fn received(&mut self) -> Vec<W>;
    /// As [`WriteHarness::fail_after`](super::WriteHarness::fail_after).
    fn fail_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }
    /// As [`WriteHarness::stall_after`](super::WriteHarness::stall_after).
    fn stall_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }
    /// As [`WriteHarness::max_len`](super::WriteHarness::max_len).
    fn max_len(&self) -> Option<usize>;
    /// As [`WriteHarness::supports_width`](super::WriteHarness::supports_width).
    fn supports_width(&self) -> bool {
        true
    }
}

/// Drives a memory-to-memory channel ([`DmaCopy<W>`]); the wiring contract
/// of [`WriteHarness`](super::WriteHarness) applies (the simulated DMA logs
/// its reads of the source and its writes of the destination).
pub trait CopyHarness<W: Word> {
    /// The channel under test.
    type Peripheral: DmaCopy<W>;
    /// Builds a fresh channel.
    fn peripheral(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::Peripheral;
    /// As [`WriteHarness::fail_after`](super::WriteHarness::fail_after).
    fn fail_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }
    /// As [`WriteHarness::stall_after`](super::WriteHarness::stall_after).
    fn stall_after(&mut self, words: usize) -> bool {
        let _ = words;
        false
    }
    /// As [`WriteHarness::max_len`](super::WriteHarness::max_len).
    fn max_len(&self) -> Option<usize>;
    /// As [`WriteHarness::supports_width`](super::WriteHarness::supports_width).
    fn supports_width(&self) -> bool {
        true
    }
}

/// What the checks need of either kind of two-way harness.
trait Rig<W: Word> {
    type P;
    type Error: Debug + dma_traits::Error;
    type T<S: DmaReadBuffer<Word = W> + 'static, D: DmaWriteBuffer<Word = W> + 'static>: Transfer<
        Buffer = (S, D),
        Resources = Self::P,
        Error = Self::Error,
    >;
    fn build(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::P;
    fn start<S, D>(p: Self::P, source: S, destination: D) -> Started<Self::T<S, D>>
    where
        S: StaticReadBuffer<Word = W>,
        D: StaticWriteBuffer<Word = W>;
    /// Queues what the destination should receive (a copy: nothing).
    fn feed(&mut self, words: &[W]);
    /// What the destination should hold after `source` moved and `fed` was queued.
    fn expected(source: &[W], fed: &[W]) -> Vec<W>;
    /// What left through the endpoint (a copy: `None`, nothing to compare).
    fn sent(&mut self) -> Option<Vec<W>>;
    fn fail_after(&mut self, words: usize) -> bool;
    fn stall_after(&mut self, words: usize) -> bool;
    fn max_len(&self) -> Option<usize>;
    /// What the peripheral itself says its limit is (`max_len` of its trait).
    fn port_max_len(p: &Self::P) -> usize;
    fn supports_width(&self) -> bool;
}

struct Duplexing<'h, H>(&'h mut H);
struct Copying<'h, H>(&'h mut H);

impl<W: Word, H: FullDuplexHarness<W>> Rig<W> for Duplexing<'_, H>
where
    <H::Peripheral as DmaFullDuplex<W>>::Error: Debug,
{
    type P = H::Peripheral;
    type Error = <H::Peripheral as DmaFullDuplex<W>>::Error;
    type T<S: DmaReadBuffer<Word = W> + 'static, D: DmaWriteBuffer<Word = W> + 'static> =
        <H::Peripheral as DmaFullDuplex<W>>::Transfer<S, D>;
    fn build(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::P {
        self.0.peripheral(fence, log)
    }
    fn start<S, D>(p: Self::P, source: S, destination: D) -> Started<Self::T<S, D>>
    where
        S: StaticReadBuffer<Word = W>,
        D: StaticWriteBuffer<Word = W>,
    {
        p.transfer(source, destination)
    }
    fn feed(&mut self, words: &[W]) {
        self.0.feed(words);
    }
    fn expected(_source: &[W], fed: &[W]) -> Vec<W> {
        fed.to_vec()
    }
    fn sent(&mut self) -> Option<Vec<W>> {
        Some(self.0.received())
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(words)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(words)
    }
    fn max_len(&self) -> Option<usize> {
        self.0.max_len()
    }
    fn port_max_len(p: &Self::P) -> usize {
        DmaFullDuplex::<W>::max_len(p)
    }
    fn supports_width(&self) -> bool {
        self.0.supports_width()
    }
}

impl<W: Word, H: CopyHarness<W>> Rig<W> for Copying<'_, H>
where
    <H::Peripheral as DmaCopy<W>>::Error: Debug,
{
    type P = H::Peripheral;
    type Error = <H::Peripheral as DmaCopy<W>>::Error;
    type T<S: DmaReadBuffer<Word = W> + 'static, D: DmaWriteBuffer<Word = W> + 'static> =
        <H::Peripheral as DmaCopy<W>>::Transfer<S, D>;
    fn build(&mut self, fence: RecordingFence, log: &'static Recorder) -> Self::P {
        self.0.peripheral(fence, log)
    }
    fn start<S, D>(p: Self::P, source: S, destination: D) -> Started<Self::T<S, D>>
    where
        S: StaticReadBuffer<Word = W>,
        D: StaticWriteBuffer<Word = W>,
    {
        p.copy(source, destination)
    }
    fn feed(&mut self, _words: &[W]) {}
    fn expected(source: &[W], _fed: &[W]) -> Vec<W> {
        source.to_vec()
    }
    fn sent(&mut self) -> Option<Vec<W>> {
        None
    }
    fn fail_after(&mut self, words: usize) -> bool {
        self.0.fail_after(words)
    }
    fn stall_after(&mut self, words: usize) -> bool {
        self.0.stall_after(words)
    }
    fn max_len(&self) -> Option<usize> {
        self.0.max_len()
    }
    fn port_max_len(p: &Self::P) -> usize {
        DmaCopy::<W>::max_len(p)
    }
    fn supports_width(&self) -> bool {
        self.0.supports_width()
    }
}

/// Runs every two-way check on a [`DmaFullDuplex<W>`] peripheral.
///
/// ```
/// use dma_impl_mock::conformance::{check_full_duplex_transfers, MockSpiHarness, SuiteConfig};
/// let results = check_full_duplex_transfers::<u16, _>(
///     "mock spi",
///     &mut MockSpiHarness::default(),
///     &SuiteConfig::default(),
/// );
/// assert!(results.iter().all(|r| r.passed()), "{results:#?}");
/// ```
pub fn check_full_duplex_transfers<W, H>(
    subject: &str,
    harness: &mut H,
    config: &SuiteConfig,
) -> Vec<CheckResult>
where
    W: Word,
    H: FullDuplexHarness<W>,
    <H::Peripheral as DmaFullDuplex<W>>::Error: Debug,
{
    let subject = format!("{subject} DmaFullDuplex<{}>", word_name::<W>());
    run(&subject, Duplexing(harness), config)
}

/// Runs every two-way check on a [`DmaCopy<W>`] channel.
///
/// ```
/// use dma_impl_mock::conformance::{check_copy_transfers, MockMemCopyHarness, SuiteConfig};
/// let results = check_copy_transfers::<u32, _>(
///     "mock memcopy",
///     &mut MockMemCopyHarness::default(),
///     &SuiteConfig::default(),
/// );
/// assert!(results.iter().all(|r| r.passed()), "{results:#?}");
/// ```
pub fn check_copy_transfers<W, H>(
    subject: &str,
    harness: &mut H,
    config: &SuiteConfig,
) -> Vec<CheckResult>
where
    W: Word,
    H: CopyHarness<W>,
    <H::Peripheral as DmaCopy<W>>::Error: Debug,
{
    let subject = format!("{subject} DmaCopy<{}>", word_name::<W>());
    run(&subject, Copying(harness), config)
}

fn run<W: Word, R: Rig<W>>(subject: &str, rig: R, config: &SuiteConfig) -> Vec<CheckResult> {
    let mut c = Checks { rig, config };
    if !c.rig.supports_width() {
        return vec![CheckResult::run(WIDTH_REFUSED, subject, || {
            let len = capped(2, c.rig.max_len());
            c.refused(
                zeros::<W>(len),
                zeros::<W>(len),
                "a buffer of a width it lacks",
                ErrorKind::UnsupportedWidth,
                false,
            )
        })];
    }
    let mut results = vec![
        CheckResult::run(DATA_INTACT, subject, || c.data_intact()),
        CheckResult::run(BACK_ON_COMPLETION, subject, || c.back_on_completion()),
    ];
    if let Some(result) = c.back_on_error(subject) {
        results.push(result);
    }
    results.push(CheckResult::run(DROP_STOPS, subject, || c.drop_stops()));
    results.push(CheckResult::run(FORGET_HARMLESS, subject, || c.forget_harmless()));
    results.push(CheckResult::run(FENCES_BRACKET, subject, || c.fences_bracket()));
    results.push(CheckResult::run(ZERO_LEN_REFUSED, subject, || {
        c.refused(zeros::<W>(0), zeros::<W>(0), "two 0-word buffers", ErrorKind::Empty, true)
    }));
    results.push(CheckResult::run(LENGTH_MISMATCH_REFUSED, subject, || {
        c.refused(
            zeros::<W>(3),
            zeros::<W>(2),
            "a 3-word and a 2-word buffer",
            ErrorKind::LengthMismatch,
            true,
        )
    }));
    if let Some(max) = c.rig.max_len() {
        results.push(CheckResult::run(OVERLONG_REFUSED, subject, || {
            let (p, _) = c.fresh::<W>();
            super::transfers::limit_agrees(R::port_max_len(&p), max)?;
            let len = max.saturating_add(1);
            c.refused(
                zeros::<W>(len),
                zeros::<W>(len),
                &format!("two {len}-word buffers"),
                ErrorKind::TooLong { max },
                true,
            )
        }));
    }
    if W::WIDTH.bytes() > 1 {
        results.push(CheckResult::run(MISALIGNED_REFUSED, subject, || {
            let misaligned = "a source one byte off its word alignment";
            c.refused(
                Misaligned::<W>::new(2),
                zeros::<W>(2),
                misaligned,
                ErrorKind::Misaligned,
                true,
            )?;
            let misaligned = "a destination one byte off its word alignment";
            c.refused(
                zeros::<W>(2),
                Misaligned::<W>::new(2),
                misaligned,
                ErrorKind::Misaligned,
                true,
            )
        }));
    }
    results
}

struct Checks<'c, R> {
    rig: R,
    config: &'c SuiteConfig,
}

impl<R> Checks<'_, R> {
    fn fresh<W: Word>(&mut self) -> (R::P, &'static Recorder)
    where
        R: Rig<W>,
    {
        let (fence, log) = probe();
        (self.rig.build(fence, log), log)
    }

    /// Moves `len` words through a fresh pair of buffers; checks both.
    fn exchange<W: Word>(&mut self, p: R::P, len: usize, seed: u64) -> Result<R::P, String>
    where
        R: Rig<W>,
    {
        let source = pattern_vec::<W>(seed, len);
        let fed = pattern_vec::<W>(seed + 1000, len);
        self.rig.feed(&fed);
        let src: &'static [W] = leaked(source.clone());
        let dst = zeros::<W>(len);
        let dst_ptr = dst.as_ptr();
        let transfer = R::start(p, src, dst)
            .map_err(|e| format!("valid {len}-word buffers were refused: {:?}", e.error))?;
        let (outcome, in_time) = finish(transfer, self.config.timeout);
        in_time?;
        let done = outcome.map_err(|e| {
            format!("a {len}-word transfer failed after {} words: {:?}", e.transferred, e.error)
        })?;
        let (src_back, dst_back) = done.buffer;
        if !core::ptr::eq(src_back, src) || dst_back.as_ptr() != dst_ptr {
            return Err("the transfer gave back different buffers than it took".to_owned());
        }
        if done.transferred != len {
            return Err(format!("a {len}-word transfer reports {} words", done.transferred));
        }
        same_bits("the destination", &dst_back, &R::expected(&source, &fed))?;
        if let Some(sent) = self.rig.sent() {
            same_bits("what was sent", &sent, &source)?;
        }
        Ok(done.resources)
    }

    fn data_intact<W: Word>(&mut self) -> Result<(), String>
    where
        R: Rig<W>,
    {
        let (mut p, _) = self.fresh();
        for len in 1..=capped(self.config.max_data_len, self.rig.max_len()) {
            p = self.exchange(p, len, len as u64)?;
        }
        Ok(())
    }

    fn back_on_completion<W: Word>(&mut self) -> Result<(), String>
    where
        R: Rig<W>,
    {
        let (p, _) = self.fresh();
        let len = capped(4, self.rig.max_len());
        let p = self.exchange(p, len, 11)?;
        self.exchange(p, len, 12)
            .map(drop)
            .map_err(|e| format!("the peripheral given back does not work: {e}"))
    }

    fn back_on_error<W: Word>(&mut self, subject: &str) -> Option<CheckResult>
    where
        R: Rig<W>,
    {
        let (p, _) = self.fresh();
        let len = capped(self.config.max_data_len.max(2), self.rig.max_len());
        let fail_at = len / 2;
        if !self.rig.fail_after(fail_at) {
            return None;
        }
        Some(CheckResult::run(BACK_ON_ERROR, subject, || {
            // Only what can arrive before the fault, so nothing is left
            // queued for the next transfer.
            self.rig.feed(&pattern_vec::<W>(23, fail_at));
            let src: &'static [W] = leaked(pattern_vec::<W>(21, len));
            let dst = zeros::<W>(len);
            let dst_ptr = dst.as_ptr();
            let transfer = R::start(p, src, dst)
                .map_err(|e| format!("valid {len}-word buffers were refused: {:?}", e.error))?;
            let (outcome, in_time) = finish(transfer, self.config.timeout);
            in_time?;
            let failed = match outcome {
                Ok(done) => {
                    return Err(format!(
                        "a fault injected after {fail_at} words was not reported: Ok with {} words",
                        done.transferred
                    ))
                }
                Err(failed) => failed,
            };
            let (src_back, dst_back) = failed.buffer;
            if !core::ptr::eq(src_back, src) || dst_back.as_ptr() != dst_ptr {
                return Err("the error gave back different buffers than the transfer took".into());
            }
            if failed.transferred > fail_at {
                return Err(format!(
                    "the error reports {} words, but the fault struck after {fail_at}",
                    failed.transferred
                ));
            }
            let _ = self.rig.sent();
            self.exchange(failed.resources, 2.min(len), 24).map(drop).map_err(|e| {
                format!("the peripheral given back after the error does not work: {e}")
            })
        }))
    }

    fn drop_stops<W: Word>(&mut self) -> Result<(), String>
    where
        R: Rig<W>,
    {
        let (p, log) = self.fresh();
        let len = capped(self.config.long_len.max(2), self.rig.max_len());
        let stalls = self.rig.stall_after(len / 2);
        self.rig.feed(&pattern_vec::<W>(33, len));
        let src: &'static [W] = leaked(pattern_vec::<W>(31, len));
        let dst: &'static mut [W] = leaked(pattern_vec::<W>(32, len));
        let (src_range, dst_range) =
            (buffer_range(src.as_ptr(), len), buffer_range(dst.as_ptr(), len));
        let transfer = R::start(p, src, dst)
            .map_err(|e| format!("valid {len}-word buffers were refused: {:?}", e.error))?;
        let target = if stalls { (len / 2).max(1) } else { 1 };
        let started = wait_until(self.config.timeout, || {
            transfer.is_done() || accesses(&log.events(), dst_range, false).0.len() >= target
        });
        if !started {
            return Err("the transfer never wrote the destination".to_owned());
        }
        let running = !transfer.is_done();
        drop(transfer);
        let mark = log.events().len();
        std::thread::sleep(self.config.grace);
        let events = log.events();
        dropped_cleanly(&events, mark, src_range, SENDS)
            .and_then(|()| dropped_cleanly(&events, mark, dst_range, RECEIVES))
            .map_err(|e| {
                format!("{e} (dropped while {})", if running { "running" } else { "finished" })
            })
    }

    fn forget_harmless<W: Word>(&mut self) -> Result<(), String>
    where
        R: Rig<W>,
    {
        let (p, log) = self.fresh();
        let len = capped(self.config.max_data_len, self.rig.max_len());
        let source = pattern_vec::<W>(41, len);
        let fed = pattern_vec::<W>(43, len);
        self.rig.feed(&fed);
        let src: &'static [W] = leaked(source.clone());
        let dst: &'static mut [W] = leaked(zeros::<W>(len).into_vec());
        let (src_range, dst_range) =
            (buffer_range(src.as_ptr(), len), buffer_range(dst.as_ptr(), len));
        let transfer = R::start(p, src, dst)
            .map_err(|e| format!("valid {len}-word buffers were refused: {:?}", e.error))?;
        core::mem::forget(transfer);
        // The forgotten destination belongs to the DMA now: watch the log,
        // not the memory.
        let mut written = 0;
        let complete = wait_until(self.config.timeout, || {
            written = accesses(&log.events(), dst_range, false).0.len();
            written >= len
        });
        if !complete {
            return Err(format!("after mem::forget the DMA wrote only {written} of {len} words"));
        }
        let events = log.events();
        let (_, read_outside) = accesses(&events, src_range, true);
        let (_, written_outside) = accesses(&events, dst_range, false);
        if read_outside + written_outside > 0 {
            return Err(format!(
                "after mem::forget the DMA read {read_outside} and wrote {written_outside} words \
                 outside the buffers"
            ));
        }
        same_bits("the forgotten source", src, &source)?;
        if let Some(sent) = self.rig.sent() {
            let mut sent = sent;
            wait_until(self.config.timeout, || {
                sent.extend(self.rig.sent().unwrap_or_default());
                sent.len() >= len
            });
            same_bits("what the forgotten transfer sent", &sent, &source)?;
        }
        Ok(())
    }

    fn fences_bracket<W: Word>(&mut self) -> Result<(), String>
    where
        R: Rig<W>,
    {
        let (p, log) = self.fresh();
        let len = capped(self.config.max_data_len.max(2), self.rig.max_len());
        self.rig.feed(&pattern_vec::<W>(52, len));
        let src: &'static [W] = leaked(pattern_vec::<W>(51, len));
        let dst = zeros::<W>(len);
        let (src_range, dst_range) =
            (buffer_range(src.as_ptr(), len), buffer_range(dst.as_ptr(), len));
        let transfer = R::start(p, src, dst)
            .map_err(|e| format!("valid {len}-word buffers were refused: {:?}", e.error))?;
        let (outcome, in_time) = finish(transfer, self.config.timeout);
        in_time?;
        outcome.map_err(|e| format!("the transfer failed: {:?}", e.error))?;
        let events = log.events();
        fences_bracket(&events, src_range, SENDS)
            .map_err(|e| format!("source: {e}"))
            .and_then(|()| fences_bracket(&events, dst_range, RECEIVES))
            .map_err(|e| if e.starts_with("source") { e } else { format!("destination: {e}") })
    }

    /// `source` + `destination` (`what`) must be refused and given back; if
    /// `retry`, the peripheral given back must then work.
    fn refused<W: Word, S, D>(
        &mut self,
        source: S,
        destination: D,
        what: &str,
        kind: ErrorKind,
        retry: bool,
    ) -> Result<(), String>
    where
        R: Rig<W>,
        S: DmaReadBuffer<Word = W> + 'static,
        D: DmaWriteBuffer<Word = W> + 'static,
    {
        let (p, _) = self.fresh();
        let mut destination = destination;
        let pairs = (source.dma_read_buffer(), destination.dma_write_buffer());
        match R::start(p, source, destination) {
            Ok(transfer) => Err(accepted(what, transfer, self.config.timeout)),
            Err(mut rejected) => {
                let back =
                    (rejected.buffer.0.dma_read_buffer(), rejected.buffer.1.dma_write_buffer());
                if back != pairs {
                    return Err("the refusal gave back different buffers".to_owned());
                }
                super::transfers::of_kind(what, &rejected.error, kind)?;
                if !retry {
                    return Ok(());
                }
                let len = capped(2, self.rig.max_len());
                self.exchange(rejected.resources, len, 61).map(drop).map_err(|e| {
                    format!("the peripheral given back by the refusal does not work: {e}")
                })
            }
        }
    }
}

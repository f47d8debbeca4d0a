//! Checks for transfer implementations, driven through a harness.

use core::fmt::Debug;
use std::time::{Duration, Instant};

use dma_traits::{
    DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, ErrorKind, Finished, Outcome, Transfer,
    TransferError, Word,
};

use super::harness::{ReadHarness, SuiteConfig, WriteHarness};
use super::report::CheckResult;
use crate::bits::{from_bits, pattern_vec, to_bits, word_name};
use crate::record::{Event, Recorder, RecordingFence};

// The property names are written once, in the no_std core of the suite.
pub use dma_conformance_core::names::{
    BACK_ON_COMPLETION, BACK_ON_ERROR, DATA_INTACT, DROP_STOPS, FENCES_BRACKET, FORGET_HARMLESS,
    MISALIGNED_REFUSED, OVERLONG_REFUSED, WIDTH_REFUSED, ZERO_LEN_REFUSED,
};

/// The log for one check, and the fence that writes into it.
pub(super) fn probe() -> (RecordingFence, &'static Recorder) {
    let log = Recorder::new().leak();
    (RecordingFence::new(log), log)
}

/// A refusal says what it refused, in the kind a driver acts on.
pub(super) fn of_kind<E: dma_traits::Error>(
    what: &str,
    error: &E,
    kind: ErrorKind,
) -> Result<(), String> {
    let got = error.kind();
    if got == kind {
        Ok(())
    } else {
        Err(format!("{what} was refused with {error:?}, of kind {got:?}, not {kind:?}"))
    }
}

/// The peripheral's own `max_len()` is the limit the harness declares.
pub(super) fn limit_agrees(said: usize, max: usize) -> Result<(), String> {
    if said == max {
        Ok(())
    } else {
        Err(format!("max_len() says {said} words, but {max} is the limit it refuses above"))
    }
}

/// Polls `done` until it holds or `timeout` passes.
pub(super) fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > timeout {
            return false;
        }
        std::thread::yield_now();
    }
}

/// Waits for `transfer` with a deadline; a hung transfer is stopped and
/// reported as an error (its outcome is still returned, to get the parts back).
pub(super) fn finish<T: Transfer>(
    transfer: T,
    timeout: Duration,
) -> (Outcome<T>, Result<(), String>) {
    let in_time = wait_until(timeout, || transfer.is_done());
    let outcome = transfer.stop();
    if in_time {
        (outcome, Ok(()))
    } else {
        (outcome, Err(format!("the transfer did not finish within {timeout:?}; it was stopped")))
    }
}

pub(super) fn same_bits<W: Word>(what: &str, got: &[W], want: &[W]) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!("{what}: {} words instead of {}", got.len(), want.len()));
    }
    match got.iter().zip(want).position(|(g, w)| to_bits(*g) != to_bits(*w)) {
        None => Ok(()),
        Some(index) => Err(format!(
            "{what}: word {index} is {:#x}, expected {:#x}",
            got.get(index).map_or(0, |w| to_bits(*w)),
            want.get(index).map_or(0, |w| to_bits(*w)),
        )),
    }
}

pub(super) fn zeros<W: Word>(len: usize) -> Box<[W]> {
    vec![from_bits::<W>(0); len].into_boxed_slice()
}

/// A buffer that starts one byte past an aligned address: it breaks
/// requirement 4 of the buffer contract *on purpose*, to probe that a HAL
/// refuses it. The `len` words it names lie inside its own allocation (one
/// word longer), so only their alignment is wrong.
pub(super) struct Misaligned<W> {
    words: Box<[W]>,
    len: usize,
}

impl<W: Word> Misaligned<W> {
    pub(super) fn new(len: usize) -> Self {
        Misaligned { words: zeros(len + 1), len }
    }

    fn start(&self) -> *mut W {
        self.words.as_ptr().cast_mut().cast::<u8>().wrapping_add(1).cast::<W>()
    }
}

impl<W> Debug for Misaligned<W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Misaligned({} words)", self.len)
    }
}

// SAFETY: requirements 1-3 hold (the words are in a heap block the `Box`
// owns and frees only on drop); requirement 4 is broken on purpose (the start
// is one byte past alignment), which a conforming HAL detects and refuses
// before any DMA access. The range is inside the allocation and initialized.
unsafe impl<W: Word> DmaReadBuffer for Misaligned<W> {
    type Word = W;
    fn dma_read_buffer(&self) -> (*const W, usize) {
        (self.start().cast_const(), self.len)
    }
}

// SAFETY: as for reads; any bits written keep `W`s valid.
unsafe impl<W: Word> DmaWriteBuffer for Misaligned<W> {
    type Word = W;
    fn dma_write_buffer(&mut self) -> (*mut W, usize) {
        (self.start(), self.len)
    }
}

/// The failure message for a bad buffer that a peripheral accepted.
pub(super) fn accepted<T: Transfer>(what: &str, transfer: T, timeout: Duration) -> String {
    let (outcome, _) = finish(transfer, timeout);
    let moved = match &outcome {
        Ok(Finished { transferred, .. }) | Err(TransferError { transferred, .. }) => *transferred,
    };
    format!(
        "{what} was accepted (and moved {moved} words); it must be refused with an error \
         that gives the buffer back"
    )
}

/// A leaked buffer: what a broken transfer does with it cannot be undefined
/// behaviour in the suite itself.
pub(super) fn leaked<W: Word>(words: Vec<W>) -> &'static mut [W] {
    Box::leak(words.into_boxed_slice())
}

/// Indices of DMA accesses in `events` (reads if `reads`, else writes) that
/// fall inside `range`, and the number of those that fall outside.
pub(super) fn accesses(
    events: &[Event],
    range: (usize, usize),
    reads: bool,
) -> (Vec<usize>, usize) {
    let mut inside = Vec::new();
    let mut outside = 0;
    for (index, event) in events.iter().enumerate() {
        let (addr, bytes) = match (event, reads) {
            (Event::DmaRead { addr, bytes }, true) | (Event::DmaWrite { addr, bytes }, false) => {
                (*addr, *bytes)
            }
            _ => continue,
        };
        if addr >= range.0 && addr + bytes <= range.1 {
            inside.push(index);
        } else {
            outside += 1;
        }
    }
    (inside, outside)
}

fn any_dma(event: &Event) -> bool {
    matches!(event, Event::DmaRead { .. } | Event::DmaWrite { .. })
}

/// Which way the transfer under test moves data, for the shared checks.
#[derive(Clone, Copy)]
pub(super) struct Direction {
    /// `true`: the DMA reads the buffer (`DmaWrite`), else it writes it.
    dma_reads: bool,
}

impl Direction {
    fn access(self) -> dma_traits::Access {
        if self.dma_reads {
            dma_traits::Access::DmaReads
        } else {
            dma_traits::Access::DmaWrites
        }
    }

    fn verb(self) -> &'static str {
        if self.dma_reads {
            "read"
        } else {
            "wrote"
        }
    }
}

/// Checks the log of a transfer over `range` that ended normally: release
/// first, acquire last, nothing outside the buffer.
pub(super) fn fences_bracket(
    events: &[Event],
    range: (usize, usize),
    direction: Direction,
) -> Result<(), String> {
    let bytes = range.1 - range.0;
    let release = events.iter().position(|e| {
        matches!(e, Event::Release { addr, bytes: b, access }
            if *addr == range.0 && *b == bytes && *access == direction.access())
    });
    let acquire = events.iter().rposition(|e| {
        matches!(e, Event::Acquire { addr, bytes: b, access }
            if *addr == range.0 && *b == bytes && *access == direction.access())
    });
    let (inside, outside) = accesses(events, range, direction.dma_reads);
    if outside > 0 {
        return Err(format!(
            "the DMA {} {outside} words outside the buffer {:#x}..{:#x}",
            direction.verb(),
            range.0,
            range.1
        ));
    }
    let (Some(first), Some(last)) = (inside.first(), inside.last()) else {
        return Err(format!(
            "the log shows no DMA access to the buffer: the harness's hardware does not record, \
             or the transfer {} nothing",
            direction.verb()
        ));
    };
    match (release, acquire) {
        (None, _) => Err(format!(
            "no release fence over the whole buffer ({:#x}, {bytes} bytes, {:?}) was run",
            range.0,
            direction.access()
        )),
        (_, None) => Err(format!(
            "no acquire fence over the whole buffer ({:#x}, {bytes} bytes, {:?}) was run \
             before the buffer was handed back",
            range.0,
            direction.access()
        )),
        (Some(r), _) if r > *first => Err(format!(
            "the release fence ran after the DMA's first access (event {r} > {first}): \
             the DMA may have seen stale data"
        )),
        (_, Some(a)) if a < *last => Err(format!(
            "the acquire fence ran before the DMA's last access (event {a} < {last}): \
             the CPU may see stale data"
        )),
        _ => Ok(()),
    }
}

/// After a transfer over `range` was dropped at log position `mark`: the
/// hardware reported stopped, then the acquire ran, all before `mark`, and
/// nothing touched memory after it.
pub(super) fn dropped_cleanly(
    events: &[Event],
    mark: usize,
    range: (usize, usize),
    direction: Direction,
) -> Result<(), String> {
    let late = events.iter().skip(mark).filter(|e| any_dma(e)).count();
    if late > 0 {
        return Err(format!(
            "the DMA {} {late} words after drop returned, i.e. after the buffer was released",
            direction.verb()
        ));
    }
    let before: Vec<Event> = events.iter().take(mark).cloned().collect();
    let last_access = before.iter().rposition(any_dma);
    let stopped = before.iter().rposition(|e| matches!(e, Event::Stopped));
    let acquire =
        before.iter().rposition(|e| matches!(e, Event::Acquire { addr, .. } if *addr == range.0));
    match (stopped, acquire) {
        (None, _) => {
            Err("drop returned before the hardware reported it had stopped (no Stopped event): \
             the DMA may still use the released buffer"
                .to_owned())
        }
        (Some(s), _) if last_access.is_some_and(|a| a > s) => {
            Err("the DMA accessed memory after its last Stopped event, before drop returned"
                .to_owned())
        }
        (_, None) => {
            Err("drop did not run the acquire fence over the buffer after the DMA stopped"
                .to_owned())
        }
        (Some(s), Some(a)) if a < s => Err(format!(
            "drop ran the acquire fence (event {a}) before the hardware stopped (event {s})"
        )),
        _ => Ok(()),
    }
}

pub(super) fn buffer_range<W>(ptr: *const W, len: usize) -> (usize, usize) {
    let start = ptr as usize;
    (start, start + len * core::mem::size_of::<W>())
}

pub(super) fn capped(len: usize, max: Option<usize>) -> usize {
    max.map_or(len, |m| len.min(m))
}

/// Runs every transfer check on a [`DmaWrite<W>`] peripheral.
///
/// `subject` names the implementation ("stm32f1 usart1"); the results name
/// the word type too. Checks that need a fault the harness cannot inject
/// are left out (the report shows `-`).
///
/// ```
/// use dma_impl_mock::conformance::{check_write_transfers, MockSerialHarness, SuiteConfig};
/// let results = check_write_transfers::<u16, _>(
///     "mock serial",
///     &mut MockSerialHarness::new(),
///     &SuiteConfig::default(),
/// );
/// assert!(results.iter().all(|r| r.passed()), "{results:#?}");
/// ```
pub fn check_write_transfers<W, H>(
    subject: &str,
    harness: &mut H,
    config: &SuiteConfig,
) -> Vec<CheckResult>
where
    W: Word,
    H: WriteHarness<W>,
    <H::Peripheral as DmaWrite<W>>::Error: Debug,
{
    let subject = format!("{subject} DmaWrite<{}>", word_name::<W>());
    let subject = subject.as_str();
    let mut checks = WriteChecks { harness, config };
    if !checks.harness.supports_width() {
        return vec![CheckResult::run(WIDTH_REFUSED, subject, || {
            let len = capped(2, checks.harness.max_len());
            checks.refused(
                zeros::<W>(len),
                "a buffer of a width it lacks",
                ErrorKind::UnsupportedWidth,
                false,
            )
        })];
    }
    let mut results = vec![
        CheckResult::run(DATA_INTACT, subject, || checks.data_intact()),
        CheckResult::run(BACK_ON_COMPLETION, subject, || checks.back_on_completion()),
    ];
    if let Some(result) = checks.back_on_error(subject) {
        results.push(result);
    }
    results.push(CheckResult::run(DROP_STOPS, subject, || checks.drop_stops()));
    results.push(CheckResult::run(FORGET_HARMLESS, subject, || checks.forget_harmless()));
    results.push(CheckResult::run(FENCES_BRACKET, subject, || checks.fences_bracket()));
    results.push(CheckResult::run(ZERO_LEN_REFUSED, subject, || {
        checks.refused(zeros::<W>(0), "a 0-word buffer", ErrorKind::Empty, true)
    }));
    if let Some(max) = checks.harness.max_len() {
        results.push(CheckResult::run(OVERLONG_REFUSED, subject, || {
            let (peripheral, _) = checks.fresh::<W>();
            limit_agrees(DmaWrite::<W>::max_len(&peripheral), max)?;
            let len = max.saturating_add(1);
            checks.refused(
                zeros::<W>(len),
                &format!("a {len}-word buffer"),
                ErrorKind::TooLong { max },
                true,
            )
        }));
    }
    if W::WIDTH.bytes() > 1 {
        results.push(CheckResult::run(MISALIGNED_REFUSED, subject, || {
            checks.refused(
                Misaligned::<W>::new(2),
                "a buffer one byte off its word alignment",
                ErrorKind::Misaligned,
                true,
            )
        }));
    }
    results
}

struct WriteChecks<'h, H> {
    harness: &'h mut H,
    config: &'h SuiteConfig,
}

pub(super) const SENDS: Direction = Direction { dma_reads: true };
pub(super) const RECEIVES: Direction = Direction { dma_reads: false };

impl<H> WriteChecks<'_, H> {
    fn fresh<W: Word>(&mut self) -> (H::Peripheral, &'static Recorder)
    where
        H: WriteHarness<W>,
    {
        let (fence, log) = probe();
        (self.harness.peripheral(fence, log), log)
    }

    /// Sends `data` and checks what arrived; gives back the peripheral.
    fn send<W: Word>(
        &mut self,
        peripheral: H::Peripheral,
        data: &[W],
    ) -> Result<H::Peripheral, String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let len = data.len();
        let buffer = data.to_vec().into_boxed_slice();
        let ptr = buffer.as_ptr();
        let transfer = peripheral
            .write_all(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        let (outcome, in_time) = finish(transfer, self.config.timeout);
        in_time?;
        let done = outcome.map_err(|e| {
            format!("a {len}-word transfer failed after {} words: {:?}", e.transferred, e.error)
        })?;
        if done.buffer.as_ptr() != ptr || done.buffer.len() != len {
            return Err(format!(
                "a {len}-word transfer gave back a different buffer ({:?}, {} words) than it took ({ptr:?})",
                done.buffer.as_ptr(),
                done.buffer.len()
            ));
        }
        if done.transferred != len {
            return Err(format!(
                "a {len}-word transfer reports {} words transferred",
                done.transferred
            ));
        }
        same_bits("the buffer after sending", &done.buffer, data)?;
        same_bits(
            &format!("the endpoint after a {len}-word transfer"),
            &self.harness.received(),
            data,
        )?;
        Ok(done.resources)
    }

    fn data_intact<W: Word>(&mut self) -> Result<(), String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let (mut peripheral, _) = self.fresh();
        let longest = capped(self.config.max_data_len, self.harness.max_len());
        for len in 1..=longest {
            peripheral = self.send(peripheral, &pattern_vec::<W>(len as u64, len))?;
        }
        Ok(())
    }

    fn back_on_completion<W: Word>(&mut self) -> Result<(), String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let (peripheral, _) = self.fresh();
        let len = capped(4, self.harness.max_len());
        let peripheral = self.send(peripheral, &pattern_vec::<W>(11, len))?;
        self.send(peripheral, &pattern_vec::<W>(12, len))
            .map_err(|e| format!("the peripheral given back does not work: {e}"))
            .map(drop)
    }

    fn back_on_error<W: Word>(&mut self, subject: &str) -> Option<CheckResult>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let (peripheral, _) = self.fresh();
        let len = capped(self.config.max_data_len.max(2), self.harness.max_len());
        let fail_at = len / 2;
        if !self.harness.fail_after(fail_at) {
            return None;
        }
        Some(CheckResult::run(BACK_ON_ERROR, subject, || {
            let data = pattern_vec::<W>(21, len);
            let buffer = data.clone().into_boxed_slice();
            let ptr = buffer.as_ptr();
            let transfer = peripheral
                .write_all(buffer)
                .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
            let (outcome, in_time) = finish(transfer, self.config.timeout);
            in_time?;
            let failed = match outcome {
                Ok(done) => {
                    return Err(format!(
                        "a fault injected after {fail_at} words was not reported: the transfer \
                         finished Ok with {} words",
                        done.transferred
                    ))
                }
                Err(failed) => failed,
            };
            if failed.buffer.as_ptr() != ptr || failed.buffer.len() != len {
                return Err(
                    "the error gave back a different buffer than the transfer took".to_owned()
                );
            }
            if failed.transferred != fail_at {
                return Err(format!(
                    "the error reports {} words transferred, but the fault struck after {fail_at}",
                    failed.transferred
                ));
            }
            same_bits("the buffer after the error", &failed.buffer, &data)?;
            let sent = self.harness.received();
            same_bits("the endpoint after the error", &sent, data.get(..fail_at).unwrap_or(&[]))?;
            self.send(failed.resources, &pattern_vec::<W>(22, 2.min(len)))
                .map_err(|e| {
                    format!("the peripheral given back after the error does not work: {e}")
                })
                .map(drop)
        }))
    }

    fn drop_stops<W: Word>(&mut self) -> Result<(), String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let (peripheral, log) = self.fresh();
        let len = capped(self.config.long_len.max(2), self.harness.max_len());
        let stalls = self.harness.stall_after(len / 2);
        let buffer: &'static [W] = leaked(pattern_vec::<W>(31, len));
        let range = buffer_range(buffer.as_ptr(), len);
        let transfer = peripheral
            .write_all(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        // Drop it mid-flight: at the stall if armed (so a transfer that does
        // not stop is caught deterministically), else after the first access.
        let target = if stalls { (len / 2).max(1) } else { 1 };
        let started = wait_until(self.config.timeout, || {
            transfer.is_done() || accesses(&log.events(), range, true).0.len() >= target
        });
        if !started {
            return Err("the transfer never touched the buffer".to_owned());
        }
        let running = !transfer.is_done();
        drop(transfer);
        let mark = log.events().len();
        std::thread::sleep(self.config.grace);
        dropped_cleanly(&log.events(), mark, range, SENDS).map_err(|e| {
            let state = if running { "running" } else { "finished" };
            format!("{e} (dropped while {state}{})", if stalls { ", stalled" } else { "" })
        })
    }

    fn forget_harmless<W: Word>(&mut self) -> Result<(), String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let (peripheral, log) = self.fresh();
        let len = capped(self.config.max_data_len, self.harness.max_len());
        let data = pattern_vec::<W>(41, len);
        let buffer: &'static [W] = leaked(data.clone());
        let canary = pattern_vec::<W>(42, len);
        let canary_copy = canary.clone();
        let range = buffer_range(buffer.as_ptr(), len);
        let transfer = peripheral
            .write_all(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        core::mem::forget(transfer);
        let mut sent = Vec::new();
        let arrived = wait_until(self.config.timeout, || {
            sent.extend(self.harness.received());
            sent.len() >= len
        });
        if !arrived {
            return Err(format!("after mem::forget only {} of {len} words arrived", sent.len()));
        }
        same_bits("the endpoint after mem::forget", &sent, &data)?;
        same_bits("the forgotten 'static buffer", buffer, &data)?;
        same_bits("unrelated memory", &canary, &canary_copy)?;
        let (_, outside) = accesses(&log.events(), range, true);
        if outside > 0 {
            return Err(format!(
                "after mem::forget the DMA read {outside} words outside the buffer"
            ));
        }
        Ok(())
    }

    fn fences_bracket<W: Word>(&mut self) -> Result<(), String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
    {
        let (peripheral, log) = self.fresh();
        let len = capped(self.config.max_data_len.max(2), self.harness.max_len());
        let buffer = pattern_vec::<W>(51, len).into_boxed_slice();
        let range = buffer_range(buffer.as_ptr(), len);
        let transfer = peripheral
            .write_all(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        let (outcome, in_time) = finish(transfer, self.config.timeout);
        in_time?;
        outcome.map_err(|e| format!("the transfer failed: {:?}", e.error))?;
        fences_bracket(&log.events(), range, SENDS)
    }

    /// `buffer` (`what`) must be refused and given back; if `retry`, the
    /// peripheral given back must then work.
    fn refused<W: Word, B>(
        &mut self,
        buffer: B,
        what: &str,
        kind: ErrorKind,
        retry: bool,
    ) -> Result<(), String>
    where
        H: WriteHarness<W>,
        <H::Peripheral as DmaWrite<W>>::Error: Debug,
        B: DmaReadBuffer<Word = W> + 'static,
    {
        let (peripheral, _) = self.fresh();
        let pair = buffer.dma_read_buffer();
        match peripheral.write_all(buffer) {
            Ok(transfer) => Err(accepted(what, transfer, self.config.timeout)),
            Err(rejected) => {
                if rejected.buffer.dma_read_buffer() != pair {
                    return Err("the refusal gave back a different buffer".to_owned());
                }
                of_kind(what, &rejected.error, kind)?;
                if !retry {
                    return Ok(());
                }
                let _ = self.harness.received();
                let back = rejected.resources;
                let check = capped(2, self.harness.max_len());
                self.send(back, &pattern_vec::<W>(61, check))
                    .map_err(|e| {
                        format!("the peripheral given back by the refusal does not work: {e}")
                    })
                    .map(drop)
            }
        }
    }
}

/// Runs every transfer check on a [`DmaRead<W>`] peripheral; see
/// [`check_write_transfers`].
pub fn check_read_transfers<W, H>(
    subject: &str,
    harness: &mut H,
    config: &SuiteConfig,
) -> Vec<CheckResult>
where
    W: Word,
    H: ReadHarness<W>,
    <H::Peripheral as DmaRead<W>>::Error: Debug,
{
    let subject = format!("{subject} DmaRead<{}>", word_name::<W>());
    let subject = subject.as_str();
    let mut checks = ReadChecks { harness, config };
    if !checks.harness.supports_width() {
        return vec![CheckResult::run(WIDTH_REFUSED, subject, || {
            let len = capped(2, checks.harness.max_len());
            checks.refused(
                zeros::<W>(len),
                "a buffer of a width it lacks",
                ErrorKind::UnsupportedWidth,
                false,
            )
        })];
    }
    let mut results = vec![
        CheckResult::run(DATA_INTACT, subject, || checks.data_intact()),
        CheckResult::run(BACK_ON_COMPLETION, subject, || checks.back_on_completion()),
    ];
    if let Some(result) = checks.back_on_error(subject) {
        results.push(result);
    }
    results.push(CheckResult::run(DROP_STOPS, subject, || checks.drop_stops()));
    results.push(CheckResult::run(FORGET_HARMLESS, subject, || checks.forget_harmless()));
    results.push(CheckResult::run(FENCES_BRACKET, subject, || checks.fences_bracket()));
    results.push(CheckResult::run(ZERO_LEN_REFUSED, subject, || {
        checks.refused(zeros::<W>(0), "a 0-word buffer", ErrorKind::Empty, true)
    }));
    if let Some(max) = checks.harness.max_len() {
        results.push(CheckResult::run(OVERLONG_REFUSED, subject, || {
            let (peripheral, _) = checks.fresh::<W>();
            limit_agrees(DmaRead::<W>::max_len(&peripheral), max)?;
            let len = max.saturating_add(1);
            checks.refused(
                zeros::<W>(len),
                &format!("a {len}-word buffer"),
                ErrorKind::TooLong { max },
                true,
            )
        }));
    }
    if W::WIDTH.bytes() > 1 {
        results.push(CheckResult::run(MISALIGNED_REFUSED, subject, || {
            checks.refused(
                Misaligned::<W>::new(2),
                "a buffer one byte off its word alignment",
                ErrorKind::Misaligned,
                true,
            )
        }));
    }
    results
}

struct ReadChecks<'h, H> {
    harness: &'h mut H,
    config: &'h SuiteConfig,
}

impl<H> ReadChecks<'_, H> {
    fn fresh<W: Word>(&mut self) -> (H::Peripheral, &'static Recorder)
    where
        H: ReadHarness<W>,
    {
        let (fence, log) = probe();
        (self.harness.peripheral(fence, log), log)
    }

    /// Feeds `data`, receives it, checks it; gives back the peripheral.
    fn receive<W: Word>(
        &mut self,
        peripheral: H::Peripheral,
        data: &[W],
    ) -> Result<H::Peripheral, String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let len = data.len();
        self.harness.feed(data);
        let buffer: Box<[W]> = zeros(len);
        let ptr = buffer.as_ptr();
        let transfer = peripheral
            .read_exact(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        let (outcome, in_time) = finish(transfer, self.config.timeout);
        in_time?;
        let done = outcome.map_err(|e| {
            format!("a {len}-word transfer failed after {} words: {:?}", e.transferred, e.error)
        })?;
        if done.buffer.as_ptr() != ptr || done.buffer.len() != len {
            return Err(format!(
                "a {len}-word transfer gave back a different buffer ({:?}, {} words) than it took ({ptr:?})",
                done.buffer.as_ptr(),
                done.buffer.len()
            ));
        }
        if done.transferred != len {
            return Err(format!(
                "a {len}-word transfer reports {} words transferred",
                done.transferred
            ));
        }
        same_bits(&format!("the buffer after receiving {len} words"), &done.buffer, data)?;
        Ok(done.resources)
    }

    fn data_intact<W: Word>(&mut self) -> Result<(), String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let (mut peripheral, _) = self.fresh();
        let longest = capped(self.config.max_data_len, self.harness.max_len());
        for len in 1..=longest {
            peripheral = self.receive(peripheral, &pattern_vec::<W>(len as u64, len))?;
        }
        Ok(())
    }

    fn back_on_completion<W: Word>(&mut self) -> Result<(), String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let (peripheral, _) = self.fresh();
        let len = capped(4, self.harness.max_len());
        let peripheral = self.receive(peripheral, &pattern_vec::<W>(11, len))?;
        self.receive(peripheral, &pattern_vec::<W>(12, len))
            .map_err(|e| format!("the peripheral given back does not work: {e}"))
            .map(drop)
    }

    fn back_on_error<W: Word>(&mut self, subject: &str) -> Option<CheckResult>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let (peripheral, _) = self.fresh();
        let len = capped(self.config.max_data_len.max(2), self.harness.max_len());
        let fail_at = len / 2;
        if !self.harness.fail_after(fail_at) {
            return None;
        }
        Some(CheckResult::run(BACK_ON_ERROR, subject, || {
            let data = pattern_vec::<W>(21, len);
            self.harness.feed(&data);
            let buffer: Box<[W]> = zeros(len);
            let ptr = buffer.as_ptr();
            let transfer = peripheral
                .read_exact(buffer)
                .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
            let (outcome, in_time) = finish(transfer, self.config.timeout);
            in_time?;
            let failed = match outcome {
                Ok(done) => {
                    return Err(format!(
                        "a fault injected after {fail_at} words was not reported: the transfer \
                         finished Ok with {} words",
                        done.transferred
                    ))
                }
                Err(failed) => failed,
            };
            if failed.buffer.as_ptr() != ptr || failed.buffer.len() != len {
                return Err(
                    "the error gave back a different buffer than the transfer took".to_owned()
                );
            }
            if failed.transferred != fail_at {
                return Err(format!(
                    "the error reports {} words transferred, but the fault struck after {fail_at}",
                    failed.transferred
                ));
            }
            same_bits(
                "the words received before the error",
                failed.buffer.get(..fail_at).unwrap_or(&[]),
                data.get(..fail_at).unwrap_or(&[]),
            )?;
            // The endpoint may still hold the rest of `data`: only check that
            // the peripheral given back completes a transfer.
            let peripheral = failed.resources;
            self.harness.feed(&pattern_vec::<W>(22, 1));
            let transfer = peripheral.read_exact(zeros::<W>(1)).map_err(|e| {
                format!(
                    "the peripheral given back after the error refused a 1-word buffer: {:?}",
                    e.error
                )
            })?;
            let (outcome, in_time) = finish(transfer, self.config.timeout);
            in_time?;
            outcome.map(drop).map_err(|e| {
                format!("the peripheral given back after the error fails: {:?}", e.error)
            })
        }))
    }

    fn drop_stops<W: Word>(&mut self) -> Result<(), String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let (peripheral, log) = self.fresh();
        let len = capped(self.config.long_len.max(2), self.harness.max_len());
        // Only half the words arrive: the transfer waits for the rest.
        let half = len / 2;
        let stalls = self.harness.stall_after(half);
        self.harness.feed(&pattern_vec::<W>(31, half));
        let buffer: &'static mut [W] = leaked(zeros::<W>(len).into_vec());
        let range = buffer_range(buffer.as_ptr(), len);
        let transfer = peripheral
            .read_exact(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        // Drop it mid-flight: at the stall if armed (so a transfer that does
        // not stop is caught deterministically), else after the first access.
        let target = if stalls { (len / 2).max(1) } else { 1 };
        let started = wait_until(self.config.timeout, || {
            transfer.is_done() || accesses(&log.events(), range, false).0.len() >= target
        });
        if !started {
            return Err("the transfer never touched the buffer".to_owned());
        }
        let running = !transfer.is_done();
        drop(transfer);
        let mark = log.events().len();
        std::thread::sleep(self.config.grace);
        dropped_cleanly(&log.events(), mark, range, RECEIVES).map_err(|e| {
            let state = if running { "running" } else { "finished" };
            format!("{e} (dropped while {state}{})", if stalls { ", stalled" } else { "" })
        })
    }

    fn forget_harmless<W: Word>(&mut self) -> Result<(), String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let (peripheral, log) = self.fresh();
        let len = capped(self.config.max_data_len, self.harness.max_len());
        self.harness.feed(&pattern_vec::<W>(41, len));
        let buffer: &'static mut [W] = leaked(zeros::<W>(len).into_vec());
        let canary = pattern_vec::<W>(42, len);
        let canary_copy = canary.clone();
        let range = buffer_range(buffer.as_ptr(), len);
        let transfer = peripheral
            .read_exact(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        core::mem::forget(transfer);
        // The forgotten buffer belongs to the DMA now: watch the log, not the memory.
        let mut written = 0;
        let complete = wait_until(self.config.timeout, || {
            written = accesses(&log.events(), range, false).0.len();
            written >= len
        });
        if !complete {
            return Err(format!("after mem::forget the DMA wrote only {written} of {len} words"));
        }
        same_bits("unrelated memory", &canary, &canary_copy)?;
        let (_, outside) = accesses(&log.events(), range, false);
        if outside > 0 {
            return Err(format!(
                "after mem::forget the DMA wrote {outside} words outside the buffer"
            ));
        }
        Ok(())
    }

    fn fences_bracket<W: Word>(&mut self) -> Result<(), String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
    {
        let (peripheral, log) = self.fresh();
        let len = capped(self.config.max_data_len.max(2), self.harness.max_len());
        self.harness.feed(&pattern_vec::<W>(51, len));
        let buffer: Box<[W]> = zeros(len);
        let range = buffer_range(buffer.as_ptr(), len);
        let transfer = peripheral
            .read_exact(buffer)
            .map_err(|e| format!("a valid {len}-word buffer was refused: {:?}", e.error))?;
        let (outcome, in_time) = finish(transfer, self.config.timeout);
        in_time?;
        outcome.map_err(|e| format!("the transfer failed: {:?}", e.error))?;
        fences_bracket(&log.events(), range, RECEIVES)
    }

    /// As for the write side.
    fn refused<W: Word, B>(
        &mut self,
        buffer: B,
        what: &str,
        kind: ErrorKind,
        retry: bool,
    ) -> Result<(), String>
    where
        H: ReadHarness<W>,
        <H::Peripheral as DmaRead<W>>::Error: Debug,
        B: DmaWriteBuffer<Word = W> + 'static,
    {
        let (peripheral, _) = self.fresh();
        let mut buffer = buffer;
        let pair = buffer.dma_write_buffer();
        match peripheral.read_exact(buffer) {
            Ok(transfer) => Err(accepted(what, transfer, self.config.timeout)),
            Err(mut rejected) => {
                of_kind(what, &rejected.error, kind)?;
                if rejected.buffer.dma_write_buffer() != pair {
                    return Err("the refusal gave back a different buffer".to_owned());
                }
                if !retry {
                    return Ok(());
                }
                let check = capped(2, self.harness.max_len());
                self.receive(rejected.resources, &pattern_vec::<W>(61, check))
                    .map_err(|e| {
                        format!("the peripheral given back by the refusal does not work: {e}")
                    })
                    .map(drop)
            }
        }
    }
}

//! The `no_std` core of the conformance suite (`dma_conformance_core`)
//! against the mock serial port on the threaded software DMA: the checks
//! that observe only memory and the transfer, with a hold made of a stall.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use dma_conformance_core::{
    check_read, check_write, Config, FmtSink, Harness, Memory, ReadHarness, RecordingFence, Tally,
    WriteHarness,
};
use dma_impl_mock::engine::{Fault, MockDma};
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::{MockSerial, Wire};
use dma_traits::Word;

struct Serial {
    dma: MockDma,
    wire: Wire,
    spare: Option<MockSerial<RecordingFence>>,
    /// The DMA log's length when the last port was handed out: a transfer
    /// started on it logs its `Stopped` after this.
    mark: usize,
    /// The suite's two regions (leaked, so `'static`) and their length.
    source: *mut u8,
    destination: *mut u8,
    bytes: usize,
}

/// A leaked, zeroed region of `bytes` bytes (rounded up to whole `u64`s, so
/// 8-byte aligned), as a pointer: the reference is not used again.
fn region(bytes: usize) -> *mut u8 {
    Box::leak(vec![0u64; bytes.div_ceil(8)].into_boxed_slice()).as_mut_ptr().cast()
}

impl Serial {
    /// A harness for words of `W` on a fresh threaded DMA. Its regions hold
    /// `MAX_LEN + 2` words, what the over-long check needs (a buffer of
    /// `max_len + 1` words, one more free past it) and no more: the suite
    /// fills and checks the whole region around every refusal, which under
    /// Miri is most of the run, so each width gets regions of its own size
    /// (one pair for all widths had to fit `u32`'s, four times `u8`'s).
    fn new<W: Word>() -> Self {
        let bytes = (MockSerial::<RecordingFence>::MAX_LEN + 2) * size_of::<W>();
        Serial {
            dma: MockDma::threaded(Recorder::new()),
            wire: Wire::default(),
            spare: None,
            mark: 0,
            source: region(bytes),
            destination: region(bytes),
            bytes: bytes.next_multiple_of(8),
        }
    }

    fn port(&mut self) -> MockSerial<RecordingFence> {
        self.mark = self.dma.recorder().events().len();
        self.spare.take().unwrap_or_else(|| {
            let serial = MockSerial::new(&self.dma, RecordingFence::default());
            self.wire = serial.wire();
            serial
        })
    }
}

// SAFETY: the regions are leaked and used by the suite only (one harness
// each, and `memory` always returns the same two); the software DMA
// reaches all memory; the hold stalls the next transfer before its first
// word; `settle` waits until the threaded DMA logged the forgotten
// transfer's `Stopped` (its last memory access happens before that log
// entry, and reading the log takes the same lock, so the suite's reads of
// the destination come after the DMA's writes).
unsafe impl Harness for Serial {
    fn memory(&mut self) -> Memory {
        Memory::new(self.source, self.destination, self.bytes)
    }
    fn hold(&mut self) -> bool {
        self.dma.inject(Fault::StallAfter(0));
        true
    }
    fn release(&mut self) {}
    fn settle(&mut self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        let stopped =
            |events: &[Event]| events.iter().skip(self.mark).any(|e| *e == Event::Stopped);
        while !stopped(&self.dma.recorder().events()) {
            assert!(std::time::Instant::now() < deadline, "a forgotten transfer never ended");
            std::thread::yield_now();
        }
    }
}

impl<W: Word> WriteHarness<W> for Serial {
    type Peripheral = MockSerial<RecordingFence>;
    fn peripheral(&mut self) -> Option<Self::Peripheral> {
        Some(self.port())
    }
    fn recycle(&mut self, port: Self::Peripheral) {
        self.spare = Some(port);
    }
    fn received(&mut self, out: &mut [W]) -> usize {
        let sent: Vec<W> = self.wire.take_sent();
        let n = sent.len().min(out.len());
        let newest = sent.iter().skip(sent.len() - n);
        for (slot, word) in out.iter_mut().zip(newest) {
            *slot = *word;
        }
        n
    }
    fn fail_next(&mut self, items: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(items));
        true
    }
    fn max_len(&self) -> Option<usize> {
        Some(MockSerial::<RecordingFence>::MAX_LEN)
    }
}

impl<W: Word> ReadHarness<W> for Serial {
    type Peripheral = MockSerial<RecordingFence>;
    fn peripheral(&mut self) -> Option<Self::Peripheral> {
        Some(self.port())
    }
    fn recycle(&mut self, port: Self::Peripheral) {
        self.spare = Some(port);
    }
    fn feed(&mut self, len: usize, word: &dyn Fn(usize) -> W) -> bool {
        // The next transfer's port, so its wire is the one fed.
        let port = self.port();
        self.spare = Some(port);
        self.wire.clear_pending();
        let words: Vec<W> = (0..len).map(word).collect();
        self.wire.deliver(&words);
        true
    }
    fn fail_next(&mut self, items: usize) -> bool {
        self.dma.inject(Fault::ErrorAfter(items));
        true
    }
    fn max_len(&self) -> Option<usize> {
        Some(MockSerial::<RecordingFence>::MAX_LEN)
    }
}

/// Prints each line as it comes (a hang shows where) and keeps it.
struct Echo(String);

impl core::fmt::Write for Echo {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        print!("{s}");
        self.0.push_str(s);
        Ok(())
    }
}

#[test]
fn mock_serial_passes_the_core_suite() {
    let config =
        if cfg!(miri) { Config { max_data_len: 2, long_len: 4 } } else { Config::default() };
    let mut out = Echo(String::new());
    let mut tally = Tally::new(FmtSink(&mut out));
    check_write::<u8, _>("mock serial write u8", &mut Serial::new::<u8>(), &config, &mut tally);
    check_write::<u32, _>("mock serial write u32", &mut Serial::new::<u32>(), &config, &mut tally);
    check_read::<u16, _>("mock serial read u16", &mut Serial::new::<u16>(), &config, &mut tally);
    check_read::<f32, _>("mock serial read f32", &mut Serial::new::<f32>(), &config, &mut tally);
    let (passed, failed) = (tally.passed, tally.failed);
    let out = out.0;
    assert_eq!(failed, 0, "{out}");
    assert!(passed >= 36, "{out}");
}

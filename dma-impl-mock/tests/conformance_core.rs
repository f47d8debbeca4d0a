//! The `no_std` core of the conformance suite (`dma_conformance_core`)
//! against the mock serial port on the threaded software DMA: the checks
//! that observe only memory and the transfer, with a hold made of a stall.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use core::ptr::addr_of_mut;
use std::time::Duration;

use dma_conformance_core::{
    check_read, check_write, Config, FmtSink, Harness, Memory, ReadHarness, RecordingFence, Tally,
    WriteHarness,
};
use dma_impl_mock::engine::{Fault, MockDma};
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::{MockSerial, Wire};
use dma_traits::Word;

const BYTES: usize = 4400; // MAX_LEN + 2 words of u32, for the over-long check
#[repr(align(8))]
#[allow(dead_code)] // used through its address only
struct Region([u8; BYTES]);
static mut SRC: Region = Region([0; BYTES]);
static mut DST: Region = Region([0; BYTES]);

struct Serial {
    dma: MockDma,
    wire: Wire,
    spare: Option<MockSerial<RecordingFence>>,
    /// The DMA log's length when the last port was handed out: a transfer
    /// started on it logs its `Stopped` after this.
    mark: usize,
}

impl Serial {
    fn port(&mut self) -> MockSerial<RecordingFence> {
        self.mark = self.dma.recorder().events().len();
        self.spare.take().unwrap_or_else(|| {
            let serial = MockSerial::new(&self.dma, RecordingFence::default());
            self.wire = serial.wire();
            serial
        })
    }
}

// SAFETY: the statics are used by this one test only; the software DMA
// reaches all memory; the hold stalls the next transfer before its first
// word; `settle` waits until the threaded DMA logged the forgotten
// transfer's `Stopped` (its last memory access happens before that log
// entry, and reading the log takes the same lock, so the suite's reads of
// the destination come after the DMA's writes).
unsafe impl Harness for Serial {
    fn memory(&mut self) -> Memory {
        Memory::new(addr_of_mut!(SRC).cast(), addr_of_mut!(DST).cast(), BYTES)
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
    let dma = MockDma::threaded(Recorder::new());
    let mut serial = Serial { dma, wire: Wire::default(), spare: None, mark: 0 };
    let config =
        if cfg!(miri) { Config { max_data_len: 2, long_len: 4 } } else { Config::default() };
    let mut out = Echo(String::new());
    let mut tally = Tally::new(FmtSink(&mut out));
    check_write::<u8, _>("mock serial write u8", &mut serial, &config, &mut tally);
    check_write::<u32, _>("mock serial write u32", &mut serial, &config, &mut tally);
    check_read::<u16, _>("mock serial read u16", &mut serial, &config, &mut tally);
    check_read::<f32, _>("mock serial read f32", &mut serial, &config, &mut tally);
    let (passed, failed) = (tally.passed, tally.failed);
    let out = out.0;
    assert_eq!(failed, 0, "{out}");
    assert!(passed >= 36, "{out}");
}

//! A blocking wait on the mock cannot hang: on a stepped controller it runs
//! the transfer itself, and a transfer that could never end is stopped and
//! reported as `MockError::WouldHang`, with everything given back, at once.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::time::{Duration, Instant};

use dma_impl_mock::{record::Recorder, Hang, MockDma, MockError, MockSerial};
use dma_traits::{DmaRead, DmaWrite, Transfer};

/// Far below `NO_PROGRESS_LIMIT`: "at once" means without waiting it out.
fn at_once() -> Duration {
    Duration::from_secs(if cfg!(miri) { 60 } else { 2 })
}

#[test]
fn scoped_on_a_stepped_controller_runs_to_completion() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let frame = [1u8, 2, 3, 4];
    let (in_flight, outcome) = serial.write_all_scoped(&frame[..], |transfer| {
        // Nothing has moved yet: this is the in-flight state a test looks at.
        (transfer.is_done(), transfer.transferred())
    });
    assert_eq!(in_flight, Some((false, 0)));
    assert_eq!(outcome.ok().unwrap().transferred, 4);
    assert_eq!(wire.take_sent::<u8>(), frame);
}

#[test]
fn a_stepped_wait_after_some_steps_finishes_the_rest() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let transfer = serial.write_all("hello").ok().unwrap();
    assert_eq!(dma.step(2), 2);
    assert_eq!(transfer.transferred(), 2);
    assert_eq!(transfer.wait().ok().unwrap().transferred, 5);
    assert_eq!(wire.take_sent::<u8>(), b"hello");
}

#[test]
fn a_stepped_reception_with_nothing_delivered_fails_at_once() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    serial.wire().deliver(&[7u8, 8]);
    let start = Instant::now();
    let transfer = serial.read_exact(vec![0u8; 4]).ok().unwrap();
    let failure = transfer.wait().err().unwrap();
    assert!(start.elapsed() < at_once());
    assert_eq!(failure.error, MockError::WouldHang(Hang::Starved));
    assert_eq!(failure.transferred, 2);
    assert_eq!(failure.buffer[..2], [7, 8]);
    assert!(failure.error.to_string().contains("deliver the data first"), "{}", failure.error);
    // Everything came back: the port works again.
    failure.resources.wire().deliver(&[9u8]);
    let again = failure.resources.read_exact(vec![0u8; 1]).ok().unwrap();
    assert_eq!(again.wait().ok().unwrap().buffer, [9]);
}

#[test]
fn a_stall_fails_at_once_on_both_kinds_of_controller() {
    for dma in [MockDma::stepped(Recorder::new()), MockDma::threaded(Recorder::new())] {
        let serial = MockSerial::with_default_fence(&dma);
        dma.stall_next_after(3);
        let start = Instant::now();
        let transfer = serial.write_all(vec![5u8; 8]).ok().unwrap();
        let failure = transfer.wait().err().unwrap();
        assert!(start.elapsed() < at_once(), "{:?}: {:?}", dma.mode(), start.elapsed());
        assert_eq!(failure.error, MockError::WouldHang(Hang::Stalled), "{:?}", dma.mode());
        assert_eq!(failure.transferred, 3);
        assert_eq!(failure.buffer, vec![5u8; 8]);
        assert!(failure.error.to_string().contains("stall_next_after"));
        let sent = failure.resources.wire().take_sent::<u8>();
        assert_eq!(sent, [5, 5, 5]);
    }
}

#[test]
fn a_threaded_reception_fed_late_still_completes() {
    // Not a hang: words keep arriving, more slowly than the CPU polls.
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let transfer = serial.read_exact(vec![0u8; 3]).ok().unwrap();
    let feeder = std::thread::spawn(move || {
        for byte in [1u8, 2, 3] {
            std::thread::sleep(Duration::from_millis(5));
            wire.deliver(&[byte]);
        }
    });
    assert_eq!(transfer.wait().ok().unwrap().buffer, [1, 2, 3]);
    feeder.join().unwrap();
}

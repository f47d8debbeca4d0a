//! `DmaReadStream` on the mock serial port: halves in order, overruns
//! reported and never returned as data (also when the DMA laps the CPU in
//! the middle of a copy, under the adversarial scheduler), refusals with
//! everything back, and `stop` giving the buffer and the port back.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary};
use dma_impl_mock::{MockDma, MockError, MockSerial};
use dma_traits::{CompilerFence, DmaReadStream, Error as _, ErrorKind, ReadStream, Transfer};

fn data(n: usize) -> Vec<u16> {
    (1..=n).map(|i| u16::try_from(i * 3).unwrap()).collect()
}

#[test]
fn halves_come_out_in_order_lap_after_lap() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let words = data(12);
    wire.deliver(&words);
    let mut stream = serial.read_stream(vec![0u16; 4]).ok().unwrap();
    assert_eq!(stream.half_len(), 2);
    let mut out = [0u16; 2];
    assert_eq!(stream.read_half(&mut out).unwrap(), None, "nothing moved yet");
    for lap in 0..6 {
        dma.step(1);
        assert_eq!(stream.read_half(&mut out).unwrap(), None, "half {lap} is not complete");
        dma.step(1);
        assert_eq!(stream.read_half(&mut out).unwrap(), Some(2));
        assert_eq!(out, words[2 * lap..2 * lap + 2]);
    }
    let stopped = stream.stop().ok().unwrap();
    assert_eq!(stopped.transferred, 12);
    assert_eq!(stopped.buffer.len(), 4);
    let _port: MockSerial = stopped.resources;
}

#[test]
fn a_late_cpu_gets_an_overrun_then_the_newest_half() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let words = data(8);
    serial.wire().deliver(&words);
    let mut stream = serial.read_stream(vec![0u16; 4]).ok().unwrap();
    dma.step(7); // halves 0, 1, 2 complete; the DMA is in half 3
    let mut out = [0u16; 2];
    let error = stream.read_half(&mut out).unwrap_err();
    assert_eq!(error, MockError::Overrun { lost: 4 });
    assert_eq!(error.kind(), ErrorKind::Overrun);
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(2));
    assert_eq!(out, words[4..6], "half 2 (the newest complete), not stale data");
    dma.step(1);
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(2));
    assert_eq!(out, words[6..8]);
}

#[test]
fn a_short_out_gets_the_first_words_of_the_half() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    serial.wire().deliver(&[1u8, 2, 3, 4]);
    let mut stream = serial.read_stream(vec![0u8; 8]).ok().unwrap();
    dma.step(4);
    let mut out = [0u8; 3];
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(3));
    assert_eq!(out, [1, 2, 3]);
}

#[test]
fn bad_buffers_are_refused_with_everything_back() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let odd = serial.read_stream(vec![0u16; 5]).err().unwrap();
    assert_eq!(odd.error.kind(), ErrorKind::OddLength);
    assert_eq!(odd.buffer.len(), 5);
    let empty = odd.resources.read_stream(Vec::<u16>::new()).err().unwrap();
    assert_eq!(empty.error.kind(), ErrorKind::Empty);
    let port = empty.resources;
    let long =
        port.read_stream(vec![0u16; MockSerial::<CompilerFence>::MAX_LEN + 2]).err().unwrap();
    assert_eq!(long.error.kind(), ErrorKind::TooLong { max: MockSerial::<CompilerFence>::MAX_LEN });
    assert_eq!(
        DmaReadStream::<u16>::max_len(&long.resources),
        MockSerial::<CompilerFence>::MAX_LEN
    );
    let wide = long.resources.read_stream(vec![0u64; 4]).err().unwrap();
    assert_eq!(wide.error.kind(), ErrorKind::UnsupportedWidth);
    assert!(wide.error.kind().is_refusal());
    // The port still works.
    let mut stream = wide.resources.read_stream(vec![0u8; 2]).ok().unwrap();
    let mut out = [0u8; 1];
    assert_eq!(stream.read_half(&mut out).unwrap(), None);
}

#[test]
fn a_bus_error_stops_the_stream() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    serial.wire().deliver(&[1u8, 2, 3, 4, 5, 6]);
    dma.fail_next_after(3);
    let mut stream = serial.read_stream(vec![0u8; 4]).ok().unwrap();
    dma.step(6);
    let mut out = [0u8; 2];
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(2));
    assert_eq!(stream.read_half(&mut out).unwrap_err().kind(), ErrorKind::Bus);
    assert!(stream.is_done());
    let failed = stream.stop().err().unwrap();
    assert_eq!(failed.error, MockError::Bus);
    assert_eq!(failed.transferred, 3);
}

/// Beats per access, schedule depth, schedule limit, random seeds, halves.
#[cfg(not(miri))]
const PLAN: (u32, usize, usize, u64, usize) = (3, 6, 20_000, 300, 6);
#[cfg(miri)]
const PLAN: (u32, usize, usize, u64, usize) = (2, 2, 64, 4, 3);

/// Every word handed out is the word the line carried at that place; what
/// is skipped is reported; nothing is handed out twice or out of order.
fn follow(adversary: &Adversary, halves: usize) {
    let dma = MockDma::stepped(Recorder::new());
    let stepper = dma.clone();
    let _guard = adversary.attach(move || stepper.step(1) > 0);
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let half = 2;
    let words = data(halves * half);
    wire.deliver(&words);
    let mut stream = serial.read_stream(vec![0u16; 2 * half]).ok().unwrap();
    let (mut position, mut out, mut idle) = (0, [0u16; 2], 0);
    while position < words.len() && idle < 64 {
        match stream.read_half(&mut out) {
            Ok(Some(n)) => {
                assert_eq!(n, half);
                assert_eq!(out, words[position..position + half], "half at word {position}");
                position += half;
                idle = 0;
            }
            Ok(None) => idle += 1,
            Err(MockError::Overrun { lost }) => {
                assert!(lost > 0 && lost % half == 0, "lost {lost}");
                position += lost;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(position, words.len(), "every half handed out or reported lost");
    drop(stream);
    assert_eq!(dma.step(8), 0, "the DMA moved words after the stream was dropped");
}

#[test]
fn the_dma_overtaking_at_any_access_never_corrupts_a_half() {
    let (k, depth, limit, seeds, halves) = PLAN;
    let exhaustive = explore(k, depth, limit, |adv| follow(adv, halves));
    assert!(exhaustive.exhaustive, "schedule limit reached");
    let random = explore_random(k + 1, 0..seeds, |adv| follow(adv, 4 * halves));
    eprintln!("stream: {} exhaustive + {random} random schedules", exhaustive.schedules);
}

#[test]
fn a_threaded_stream_hands_out_only_what_the_line_carried() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let words = data(if cfg!(miri) { 24 } else { 600 });
    let mut stream = serial.read_stream(vec![0u16; 8]).ok().unwrap();
    let feeder = {
        let (wire, words) = (wire.clone(), words.clone());
        std::thread::spawn(move || {
            for chunk in words.chunks(3) {
                wire.deliver(chunk);
                std::thread::yield_now();
            }
        })
    };
    let (mut position, mut out, mut lost_total) = (0, [0u16; 4], 0);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while position < words.len() {
        assert!(std::time::Instant::now() < deadline, "stuck at word {position}");
        match stream.read_half(&mut out) {
            Ok(Some(4)) => {
                assert_eq!(out, words[position..position + 4]);
                position += 4;
            }
            Ok(other) => {
                assert_eq!(other, None);
                std::thread::yield_now();
            }
            Err(MockError::Overrun { lost }) => {
                position += lost;
                lost_total += lost;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    feeder.join().unwrap();
    eprintln!("threaded stream: {} words, {lost_total} lost to overruns", words.len());
    assert!(stream.stop().is_ok());
}

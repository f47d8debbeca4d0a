//! The DMA logger on the mock serial port: exact bytes on the wire.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use core::fmt::Write;

use dma_drivers::logger::{LogError, Logger, RecordDropped};
use dma_impl_mock::{record::Recorder, MockDma, MockError, MockSerial, Wire};

fn buffers(len: usize) -> (&'static mut [u8], &'static mut [u8]) {
    (Box::leak(vec![0; len].into_boxed_slice()), Box::leak(vec![0; len].into_boxed_slice()))
}

fn logger(dma: &MockDma, len: usize) -> (Logger<MockSerial>, Wire) {
    let serial = MockSerial::with_default_fence(dma);
    let wire = serial.wire();
    let (a, b) = buffers(len);
    (Logger::new(serial, a, b), wire)
}

#[test]
fn records_go_out_in_order_while_the_next_buffer_fills() {
    let dma = MockDma::stepped(Recorder::new());
    let (mut log, wire) = logger(&dma, 32);
    log.log(format_args!("one {}\n", 1)).unwrap();
    log.poll().unwrap();
    assert!(log.is_sending(), "the first buffer went to the DMA");
    assert_eq!(log.pending(), 0);

    // The wire is busy: these land in the other buffer.
    log.log(format_args!("two\n")).unwrap();
    write!(log, "three").unwrap();
    log.poll().unwrap();
    assert!(log.is_sending());
    assert_eq!(log.pending(), 9, "still waiting for the wire");
    assert_eq!(wire.sent::<u8>(), b"", "nothing moved before the DMA did");

    dma.step(64);
    log.poll().unwrap(); // ends the first transfer, starts the second
    assert_eq!(wire.take_sent::<u8>(), b"one 1\n");
    dma.step(64);
    log.poll().unwrap();
    assert!(!log.is_sending());
    assert_eq!(wire.take_sent::<u8>(), b"two\nthree");
    assert_eq!(log.dropped(), 0);
}

#[test]
fn a_full_buffer_drops_whole_records_counts_and_reports_them() {
    let dma = MockDma::threaded(Recorder::new());
    let (mut log, wire) = logger(&dma, 32);
    log.log(format_args!("0123456789\n")).unwrap();
    log.log(format_args!("0123456789\n")).unwrap();
    assert_eq!(log.log(format_args!("0123456789\n")), Err(RecordDropped { total: 1 }));
    assert_eq!(log.log(format_args!("{}", "x".repeat(40))), Err(RecordDropped { total: 2 }));
    assert_eq!(log.dropped(), 2);
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"0123456789\n0123456789\n", "no partial record");

    log.log(format_args!("ok\n")).unwrap();
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"<2 records dropped>\nok\n");
    assert_eq!(log.dropped(), 2, "the total stays");
}

#[test]
fn write_macro_appends_whole_records_or_nothing() {
    let dma = MockDma::threaded(Recorder::new());
    let (mut log, wire) = logger(&dma, 12);
    writeln!(log, "a={} b={}", 1, 2).unwrap(); // 8 bytes
    assert!(writeln!(log, "c={} d={}", 3, 4).is_err(), "would need 16 bytes");
    assert_eq!(log.dropped(), 1);
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"a=1 b=2\n", "no half of the second record");
}

#[test]
fn long_records_are_sent_in_chunks_of_the_port_limit() {
    let dma = MockDma::threaded(Recorder::new());
    let (log, wire) = logger(&dma, 32);
    let mut log = log.with_max_transfer(4);
    log.log(format_args!("hello, chunked world\n")).unwrap();
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"hello, chunked world\n");
}

#[test]
fn a_refused_transfer_reports_the_lost_bytes_and_the_logger_goes_on() {
    let dma = MockDma::threaded(Recorder::new());
    let (mut log, wire) = logger(&dma, 1100);
    let long = "y".repeat(1030); // over MockSerial::MAX_LEN
    log.log(format_args!("{long}")).unwrap();
    let error = log.flush().unwrap_err();
    assert_eq!(
        error,
        LogError::Port { error: MockError::TooLong { len: 1030, max: 1024 }, lost: 1030 }
    );
    log.log(format_args!("after\n")).unwrap();
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"after\n");
}

#[test]
fn a_failed_transfer_reports_what_did_not_go_out() {
    let dma = MockDma::threaded(Recorder::new());
    let (mut log, wire) = logger(&dma, 32);
    dma.fail_next_after(3);
    log.log(format_args!("abcdefgh")).unwrap();
    let error = log.flush().unwrap_err();
    assert_eq!(error, LogError::Port { error: MockError::Bus, lost: 5 });
    assert_eq!(wire.take_sent::<u8>(), b"abc");
    log.log(format_args!("next")).unwrap();
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"next");
}

#[test]
fn release_waits_and_gives_everything_back() {
    let dma = MockDma::threaded(Recorder::new());
    let (mut log, wire) = logger(&dma, 16);
    log.log(format_args!("sent")).unwrap();
    log.poll().unwrap();
    log.log(format_args!("kept")).unwrap();
    let released = log.release().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"sent");
    assert_eq!(released.unsent, 4);
    assert!(released.error.is_none());
    assert_eq!(&released.buffers[0][..4], b"kept");
    assert_eq!(released.buffers[1].len(), 16);
    // The port is whole.
    let mut log =
        Logger::new(released.port, Box::leak(Box::new([0; 8])), Box::leak(Box::new([0; 8])));
    log.log(format_args!("again")).unwrap();
    log.flush().unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"again");
}

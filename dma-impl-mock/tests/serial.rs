//! The mock serial port through the `dma-traits` peripheral traits.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use core::mem::MaybeUninit;

use dma_impl_mock::bits::{pattern_vec, to_bits};
use dma_impl_mock::record::{Event, Recorder, RecordingFence};
use dma_impl_mock::{MockDma, MockError, MockSerial};
use dma_traits::{Access, DmaRead, DmaWrite, Transfer, Word};

fn bits<W: Word>(words: &[W]) -> Vec<u64> {
    words.iter().map(|w| to_bits(*w)).collect()
}

fn round_trip<W: Word + core::fmt::Debug>() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let data: Vec<W> = pattern_vec(3, 9);
    let sent = serial.write_all(data.clone()).unwrap().wait().unwrap();
    assert_eq!(sent.transferred, 9);
    assert_eq!(bits(&wire.take_sent::<W>()), bits(&data));

    wire.deliver(&data);
    let rx: Box<[MaybeUninit<W>]> = Box::new_uninit_slice(9);
    let received = sent.resources.read_exact(rx).unwrap().wait().unwrap();
    assert_eq!(received.transferred, 9);
    // SAFETY: the transfer completed, so the DMA wrote all 9 words.
    let words: Vec<W> = received.buffer.iter().map(|w| unsafe { w.assume_init() }).collect();
    assert_eq!(bits(&words), bits(&data));
}

#[test]
fn every_word_type_round_trips() {
    round_trip::<u8>();
    round_trip::<i8>();
    round_trip::<u16>();
    round_trip::<i16>();
    round_trip::<u32>();
    round_trip::<i32>();
    round_trip::<f32>();
    round_trip::<u64>();
    round_trip::<i64>();
    round_trip::<f64>();
}

#[test]
fn an_error_gives_back_buffer_and_port_with_the_count() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    dma.fail_next_after(3);
    let buffer: &'static [u16] = &[1, 2, 3, 4, 5];
    let failed = serial.write_all(buffer).unwrap().wait().unwrap_err();
    assert_eq!(failed.error, MockError::Bus);
    assert_eq!(failed.transferred, 3);
    assert!(core::ptr::eq(failed.buffer, buffer));
    assert_eq!(wire.take_sent::<u16>(), [1, 2, 3]);
    // The port still works.
    let done = failed.resources.write_all(buffer).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 5);
}

#[test]
fn bad_lengths_are_refused_with_everything_given_back() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let empty: Box<[u8]> = Box::new([]);
    let refused = DmaWrite::<u8>::write_all(serial, empty).unwrap_err();
    assert_eq!(refused.error, MockError::ZeroLength);
    assert_eq!(refused.transferred, 0);
    let too_long = vec![0u32; MockSerial::<dma_traits::CompilerFence>::MAX_LEN + 1];
    let refused = refused.resources.read_exact(too_long).unwrap_err();
    assert_eq!(refused.error, MockError::TooLong { len: 1025, max: 1024 });
    assert_eq!(refused.buffer.len(), 1025);
    assert_eq!(refused.error.to_string(), "buffer of 1025 words exceeds the limit of 1024");
}

#[test]
fn fences_bracket_the_dma_in_the_log() {
    let log = Recorder::new();
    let dma = MockDma::threaded(log.clone());
    let serial = MockSerial::new(&dma, RecordingFence::new(log.leak()));
    serial.wire().deliver(&[1u32, 2, 3]);
    let buffer = vec![0u32; 3];
    let addr = buffer.as_ptr() as usize;
    let done = serial.read_exact(buffer).unwrap().wait().unwrap();
    assert_eq!(done.buffer, [1, 2, 3]);
    let events: Vec<Event> =
        log.events().into_iter().filter(|e| !matches!(e, Event::Note(_))).collect();
    let expected = vec![
        Event::Release { addr, bytes: 12, access: Access::DmaWrites },
        Event::DmaWrite { addr, bytes: 4 },
        Event::DmaWrite { addr: addr + 4, bytes: 4 },
        Event::DmaWrite { addr: addr + 8, bytes: 4 },
        Event::Stopped,
        Event::Acquire { addr, bytes: 12, access: Access::DmaWrites },
    ];
    assert_eq!(events, expected);
}

#[test]
fn dropping_a_running_transfer_stops_it_before_the_buffer_goes() {
    let log = Recorder::new();
    let dma = MockDma::stepped(log.clone());
    let serial = MockSerial::new(&dma, RecordingFence::new(log.leak()));
    let wire = serial.wire();
    let transfer = serial.write_all(vec![7u8; 10]).unwrap();
    dma.step(4);
    assert!(!transfer.is_done());
    drop(transfer);
    let after_drop = log.events().len();
    assert_eq!(dma.step(10), 0, "a dropped transfer's channel is stopped");
    let events = log.events();
    assert_eq!(events.len(), after_drop);
    assert!(matches!(events.last(), Some(Event::Acquire { .. })));
    assert!(matches!(events.get(after_drop - 2), Some(Event::Stopped)));
    assert_eq!(wire.take_sent::<u8>().len(), 4);
}

#[test]
fn stop_ends_a_stepped_transfer_early_with_the_count() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    serial.wire().deliver(&[1i16, 2, 3, 4]);
    let transfer = serial.read_exact(vec![0i16; 4]).unwrap();
    dma.step(2);
    assert_eq!(transfer.transferred(), 2);
    let done = transfer.stop().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!(done.buffer, [1, 2, 0, 0]);
}

#[test]
fn forgetting_a_transfer_of_a_static_buffer_is_harmless() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let buffer: &'static mut [u8; 6] = Box::leak(Box::new(*b"leaked"));
    core::mem::forget(serial.write_all(&*buffer).unwrap());
    dma_impl_mock::bounded::spin_until("the leaked transfer's 6 bytes", || {
        wire.sent::<u8>().len() >= 6
    });
    assert_eq!(wire.take_sent::<u8>(), b"leaked");
}

#[test]
fn scoped_transfers_lend_stack_buffers() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let frame = [1u16, 2, 3];
    let (value, outcome) = serial.write_all_scoped(&frame[..], |t| t.transferred() <= 3);
    assert_eq!(value, Some(true));
    let serial = outcome.unwrap().resources;
    assert_eq!(wire.take_sent::<u16>(), frame);

    wire.deliver(&[9u16, 8]);
    let mut landing = [0u16; 2];
    let (_, outcome) = serial.read_exact_scoped(&mut landing[..], |_| ());
    assert_eq!(outcome.unwrap().transferred, 2);
    assert_eq!(landing, [9, 8]);
}

//! The full-duplex port and the memory-to-memory channel.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dma_impl_mock::peripheral::{MockMemCopy, MockSpi};
use dma_impl_mock::record::{Event, Recorder, RecordingFence};
use dma_impl_mock::{MockDma, MockError};
use dma_traits::{Access, CompilerFence, DmaCopy, DmaFullDuplex, Transfer};

#[test]
fn spi_sends_and_receives_at_once() {
    let log = Recorder::new();
    let dma = MockDma::threaded(log.clone());
    let spi = MockSpi::new(&dma, RecordingFence::new(log.leak()));
    let wire = spi.wire();
    wire.deliver(&[10u16, 20, 30]);
    let tx: &'static [u16] = &[1, 2, 3];
    let done = spi.transfer(tx, vec![0u16; 3]).unwrap().wait().unwrap();
    let (tx_back, rx) = done.buffer;
    assert!(core::ptr::eq(tx_back, tx));
    assert_eq!(rx, [10, 20, 30]);
    assert_eq!(wire.take_sent::<u16>(), [1, 2, 3]);
    let events = log.events();
    let releases = events.iter().filter(|e| matches!(e, Event::Release { .. })).count();
    let acquires: Vec<Access> = events
        .iter()
        .filter_map(|e| match e {
            Event::Acquire { access, .. } => Some(*access),
            _ => None,
        })
        .collect();
    assert_eq!(releases, 2);
    assert_eq!(acquires, [Access::DmaWrites, Access::DmaReads]);
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Stopped)).count(), 2);
}

#[test]
fn spi_refuses_mismatched_buffers_and_gives_them_back() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = MockSpi::new(&dma, CompilerFence);
    let refused = spi.transfer(&[1u8, 2][..], vec![0u8; 3]).unwrap_err();
    assert_eq!(refused.error, MockError::LengthMismatch { first: 2, second: 3 });
    assert_eq!(refused.buffer.1.len(), 3);
    // The port given back works, here with borrowed buffers.
    refused.resources.wire().deliver(&[0x42u8]);
    let tx = [9u8];
    let mut rx = [0u8; 1];
    let (_, outcome) = refused.resources.transfer_scoped(&tx[..], &mut rx[..], |_| ());
    assert_eq!(outcome.unwrap().transferred, 1);
    assert_eq!(rx, [0x42]);
}

#[test]
fn spi_error_on_one_side_fails_the_transfer_and_stops_both() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = MockSpi::new(&dma, CompilerFence);
    spi.wire().deliver(&[0u32; 4]);
    dma.fail_next_after(1);
    let failed = spi.transfer(&[1u32, 2, 3, 4][..], vec![0u32; 4]).unwrap().wait().unwrap_err();
    assert_eq!(failed.error, MockError::Bus);
    assert_eq!(failed.transferred, 1);
}

#[test]
fn memory_to_memory_copies_and_checks_lengths() {
    let dma = MockDma::threaded(Recorder::new());
    let copier = MockMemCopy::new(&dma, CompilerFence);
    let source: &'static [f64] = &[1.5, -2.25, 1e300];
    let done = copier.copy(source, vec![0.0f64; 3]).unwrap().wait().unwrap();
    assert_eq!(done.buffer.1, source);
    assert_eq!(done.transferred, 3);
    let refused = done.resources.copy(source, vec![0.0f64; 2]).unwrap_err();
    assert_eq!(refused.error, MockError::LengthMismatch { first: 3, second: 2 });
    let refused = refused.resources.copy(&[][..], Vec::<f64>::new()).unwrap_err();
    assert_eq!(refused.error, MockError::ZeroLength);
}

#[test]
fn a_stepped_copy_can_be_stopped_midway() {
    let dma = MockDma::stepped(Recorder::new());
    let copier = MockMemCopy::new(&dma, CompilerFence);
    let transfer = copier.copy(&[7u8; 8][..], vec![0u8; 8]).unwrap();
    dma.step(5);
    assert!(!transfer.is_done());
    let done = transfer.stop().unwrap();
    assert_eq!(done.transferred, 5);
    assert_eq!(done.buffer.1, [7, 7, 7, 7, 7, 0, 0, 0]);
}

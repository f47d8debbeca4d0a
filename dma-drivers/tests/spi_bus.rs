//! `DmaSpiBus` on the mock SPI, through code that knows only `SpiBus`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_drivers::spi_bus::{DmaSpiBus, SpiBusError};
use dma_impl_mock::{peripheral::MockSpi, record::Recorder, MockDma, MockError};
use dma_traits::CompilerFence;
use embedded_hal::spi::{Error as _, ErrorKind, SpiBus};

/// A device driver's view: a command, a status read, an exchange of
/// different lengths both ways, and an in-place exchange.
fn talk<B: SpiBus>(bus: &mut B) -> Result<[u8; 9], B::Error> {
    let mut out = [0u8; 9];
    let (status, rest) = out.split_at_mut(2);
    let (long_read, in_place) = rest.split_at_mut(4);
    bus.write(&[0x9F, 0x01])?;
    bus.read(status)?;
    bus.transfer(long_read, &[0x03, 0x04])?; // read longer than write
    let mut short_read = [0u8; 1];
    bus.transfer(&mut short_read, &[0x05, 0x06, 0x07])?; // write longer than read
    in_place.copy_from_slice(&[0x11, 0x22, short_read[0]]);
    bus.transfer_in_place(in_place)?;
    bus.flush()?;
    Ok(out)
}

fn spi(dma: &MockDma) -> MockSpi {
    MockSpi::new(dma, CompilerFence)
}

#[test]
fn a_generic_spi_bus_user_gets_exact_bytes_both_ways() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = spi(&dma);
    let wire = spi.wire();
    // 2 (write) + 2 (read) + 4 + 3 + 3 frames clocked in.
    let incoming: Vec<u8> = (0xA0..0xAE).collect();
    wire.deliver(&incoming);
    let mut bus: DmaSpiBus<_, 8> = DmaSpiBus::new(spi).with_fill_byte(0xFF);
    let out = talk(&mut bus).unwrap();
    assert_eq!(
        wire.take_sent::<u8>(),
        [0x9F, 0x01, 0xFF, 0xFF, 0x03, 0x04, 0xFF, 0xFF, 0x05, 0x06, 0x07, 0x11, 0x22, 0xA8]
    );
    assert_eq!(out, [0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xAB, 0xAC, 0xAD]);
    assert_eq!(wire.pending(), 0);
}

#[test]
fn long_buffers_are_chunked_to_the_port_limit() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = spi(&dma);
    let wire = spi.wire();
    let data: Vec<u8> = (0..20).collect();
    wire.deliver(&data);
    let mut bus: DmaSpiBus<_, 4> = DmaSpiBus::new(spi).with_max_transfer(6);
    let mut read = [0u8; 20];
    bus.transfer(&mut read, &data).unwrap();
    assert_eq!(read[..], data[..]);
    assert_eq!(wire.take_sent::<u8>(), data);
}

#[test]
fn a_buffer_the_port_refuses_goes_through_the_bounce_buffer() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = spi(&dma);
    let wire = spi.wire();
    let data: Vec<u8> = (0..251u8).cycle().take(1030).collect(); // over MAX_LEN
    wire.deliver(&data);
    let mut bus: DmaSpiBus<_, 256> = DmaSpiBus::new(spi); // no limit given
    let mut read = vec![0u8; 1030];
    bus.transfer(&mut read, &data).unwrap();
    assert_eq!(read, data);
    assert_eq!(wire.take_sent::<u8>(), data);
}

#[test]
fn port_errors_map_to_error_kinds_and_the_bus_survives() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = spi(&dma);
    let wire = spi.wire();
    wire.deliver(&[0u8; 8]);
    let kind = |e: &MockError| match e {
        MockError::Bus => ErrorKind::Overrun,
        _ => ErrorKind::Other,
    };
    let mut bus: DmaSpiBus<_, 8> = DmaSpiBus::new(spi).with_error_kind(kind);
    dma.fail_next_after(2);
    let error = bus.write(&[1, 2, 3, 4]).unwrap_err();
    assert_eq!(error, SpiBusError::Port { error: MockError::Bus, kind: ErrorKind::Overrun });
    assert_eq!(error.kind(), ErrorKind::Overrun);
    bus.write(&[5, 6]).unwrap();
    let sent = wire.take_sent::<u8>();
    assert_eq!(sent[sent.len() - 2..], [5, 6]);
    assert!(bus.release().is_some());
}

#[test]
fn empty_buffers_are_no_ops() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = spi(&dma);
    let wire = spi.wire();
    let mut bus: DmaSpiBus<_> = DmaSpiBus::new(spi);
    bus.write(&[]).unwrap();
    bus.read(&mut []).unwrap();
    bus.transfer(&mut [], &[]).unwrap();
    bus.transfer_in_place(&mut []).unwrap();
    assert!(wire.sent::<u8>().is_empty());
}

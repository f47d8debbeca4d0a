//! Double-buffered UARTE reception, stepped exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{Nrf52840, Uarte, UarteRx};

fn rx(sim: &EasyDmaSim) -> UarteRx<Nrf52840> {
    // SAFETY: the simulator's block, used only by this UARTE.
    unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().1
}

#[test]
fn a_continuous_stream_loses_no_byte_between_buffers() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let stream: Vec<u8> = (0..20).collect();
    // The whole stream arrives back to back: the hardware never waits.
    sim.feed(&stream);
    let mut rx_stream = rx(&sim).read_stream(vec![0u8; 4], vec![0u8; 4]).ok().unwrap();

    let mut received = Vec::new();
    // Fill the first buffer and let the hardware run into the second one
    // before the CPU collects the first: the latched pointer covers the gap.
    assert_eq!(sim.run(6), 6);
    let filled = rx_stream.next(vec![0u8; 4]).ok().unwrap();
    assert_eq!(filled.received, 4);
    assert!(filled.error.is_none());
    received.extend_from_slice(&filled.buffer);
    for _ in 0..3 {
        while !rx_stream.is_filled() {
            assert!(sim.step());
        }
        let filled = rx_stream.next(vec![0u8; 4]).ok().unwrap();
        received.extend_from_slice(&filled.buffer[..filled.received]);
    }
    assert_eq!(received, stream[..16]);

    sim.run(100);
    let stopped = rx_stream.stop();
    // The buffer that was active got the last 4 bytes, the queued one none.
    let [(last, n_last), (_queued, n_queued)] = stopped.buffers;
    assert_eq!((n_last, n_queued), (4, 0));
    assert_eq!(last, stream[16..]);
    assert_eq!(sim.pending_feed(), 0);
    assert_eq!(sim.starts(), 6, "one STARTRX and five shortcut restarts");
}

#[test]
fn stopping_a_stream_reports_partial_amounts() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    sim.feed(b"abc");
    let rx_stream = rx(&sim).read_stream(vec![0u8; 8], vec![0u8; 8]).ok().unwrap();
    assert_eq!(sim.run(50), 3);
    let stopped = rx_stream.stop();
    let [(first, n_first), (_, n_second)] = stopped.buffers;
    assert_eq!((n_first, n_second), (3, 0));
    assert_eq!(&first[..3], b"abc");
    assert!(sim.is_idle());
}

#[test]
fn a_bad_fresh_buffer_is_given_back_and_the_stream_goes_on() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    sim.feed(b"0123");
    let mut rx_stream = rx(&sim).read_stream(vec![0u8; 2], vec![0u8; 2]).ok().unwrap();
    let (error, fresh) = rx_stream.next(Vec::new()).expect_err("empty refused");
    assert_eq!(error, dma_impl_nrf::Error::Empty);
    assert!(fresh.is_empty());
    sim.run(2);
    let filled = rx_stream.next(vec![0u8; 2]).ok().unwrap();
    assert_eq!(filled.buffer, b"01");
    drop(rx_stream);
    assert!(sim.is_idle());
}

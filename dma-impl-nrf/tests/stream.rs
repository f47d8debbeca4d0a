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
    // The whole stream waits on the line; the simulated peer holds off while
    // no buffer is latched (as with flow control).
    sim.feed(&stream);
    let mut rx_stream = rx(&sim).read_stream(vec![0u8; 4], vec![0u8; 4]).ok().unwrap();

    let mut received = Vec::new();
    // The first buffer fills, then nothing moves: no short restarts the
    // receiver, so EasyDMA cannot run into a buffer the CPU may hand out.
    assert_eq!(sim.run(6), 4);
    assert!(rx_stream.is_filled());
    let filled = rx_stream.next(vec![0u8; 4]).ok().unwrap();
    assert_eq!(filled.received, 4);
    assert!(filled.error.is_none());
    received.extend_from_slice(&filled.buffer);
    for _ in 0..3 {
        while !rx_stream.is_filled() {
            assert!(sim.step());
        }
        let filled = rx_stream.next(vec![0u8; 4]).ok().unwrap();
        assert_eq!(filled.received, 4);
        received.extend_from_slice(&filled.buffer[..filled.received]);
    }
    assert_eq!(received, stream[..16]);

    sim.run(100);
    let stopped = rx_stream.stop();
    // The buffer that was active got the last 4 bytes, the queued one none.
    let [(last, n_last), (_queued, n_queued)] = stopped.buffers;
    assert_eq!((n_last, n_queued), (4, 0));
    assert!(stopped.error.is_none());
    assert_eq!(last, stream[16..]);
    assert_eq!(sim.pending_feed(), 0);
    assert_eq!(sim.starts(), 5, "one STARTRX per buffer, all by the driver");
    assert_eq!(sim.register(0x200), 0, "no shortcut is used");
}

#[test]
fn a_full_buffer_not_yet_collected_is_counted_at_stop() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    sim.feed(b"abcdef");
    let rx_stream = rx(&sim).read_stream(vec![0u8; 3], vec![0u8; 3]).ok().unwrap();
    assert_eq!(sim.run(50), 3, "the receiver waits for the driver's STARTRX");
    let stopped = rx_stream.stop();
    let [(first, n_first), (_, n_second)] = stopped.buffers;
    assert_eq!((n_first, n_second), (3, 0));
    assert_eq!(first, b"abc");
    assert_eq!(sim.pending_feed(), 3, "nothing else was taken off the line");
}

#[test]
fn a_receive_error_is_reported_not_lost() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // ERRORSRC.OVERRUN after two good bytes; the line then holds until a stop.
    sim.inject_uart_error(2, 1);
    sim.feed(b"ab?");
    let mut rx_stream = rx(&sim).read_stream(vec![0u8; 1], vec![0u8; 2]).ok().unwrap();
    sim.run(10);
    let filled = rx_stream.next(vec![0u8; 1]).ok().unwrap();
    assert_eq!((filled.buffer[0], filled.received), (b'a', 1));
    assert!(filled.error.is_none(), "nothing went wrong before this buffer was handed out");
    sim.run(10);
    let stopped = rx_stream.stop();
    let [(second, n_second), (_, n_third)] = stopped.buffers;
    assert_eq!((&second[..n_second], n_third), (&b"b"[..], 0));
    assert_eq!(stopped.error, Some(dma_impl_nrf::Error::Overrun), "the loss is reported");
}

#[test]
fn a_stream_on_a_disabled_uarte_is_refused_with_everything() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    sim.disable();
    let (error, _rx, first, second) =
        rx(&sim).read_stream(vec![1u8; 2], vec![2u8; 3]).expect_err("refused");
    assert_eq!(error, dma_impl_nrf::Error::NotEnabled);
    assert_eq!((first, second), (vec![1u8; 2], vec![2u8; 3]));
    assert_eq!(sim.starts(), 0);
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

/// A buffer handed out by `next` was acquired after EasyDMA's last write to
/// it, and `stop`/`Drop` acquire both buffers only after the receiver stopped.
#[test]
fn the_stream_acquires_each_buffer_after_easydma_let_go() {
    use dma_impl_mock::record::Event;
    for drop_it in [false, true] {
        let (log, fence) = common::recording();
        let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840().step());
        // SAFETY: the simulator's block, used only by this UARTE.
        let rx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.with_fence(fence).split().1;
        sim.feed(&[1, 2, 3, 4, 5, 6]);
        let mut stream = rx.read_stream(vec![0u8; 4], vec![0u8; 4]).ok().unwrap();
        sim.run(10);
        let filled = stream.next(vec![0u8; 4]).ok().unwrap();
        let at = filled.buffer.as_ptr() as usize;
        let events = log.events();
        let acquire = events
            .iter()
            .rposition(|e| matches!(e, Event::Acquire { addr, .. } if *addr == at))
            .expect("the handed-out buffer was acquired");
        let last_write = events
            .iter()
            .rposition(|e| matches!(e, Event::DmaWrite { addr, .. } if (at..at + 4).contains(addr)))
            .unwrap();
        assert!(last_write < acquire, "{events:?}");
        sim.run(1); // one byte into the next buffer, then stop mid-buffer
        let mark = log.events().len();
        if drop_it {
            drop(stream);
        } else {
            drop(stream.stop());
        }
        let events = log.events();
        let tail = &events[mark..];
        let stopped = tail.iter().position(|e| *e == Event::Stopped).expect("the receiver stopped");
        let acquires: Vec<usize> = tail
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e, Event::Acquire { .. }))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(acquires.len(), 2, "both buffers: {tail:?}");
        assert!(acquires.iter().all(|&a| a > stopped), "acquired before the stop: {tail:?}");
    }
}

/// An overrun while a buffer fills is reported with that buffer by `next`,
/// and the stream goes on.
#[test]
fn an_overrun_is_reported_with_the_buffer_it_hit() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // 'a' arrives, '!' is lost to an overrun, 'b' completes the buffer.
    sim.inject_uart_overrun(1);
    sim.feed(b"a!bcd");
    let mut rx_stream = rx(&sim).read_stream(vec![0u8; 2], vec![0u8; 2]).ok().unwrap();
    sim.run(10);
    let filled = rx_stream.next(vec![0u8; 2]).ok().unwrap();
    assert_eq!((&filled.buffer[..], filled.received), (&b"ab"[..], 2));
    assert_eq!(filled.error, Some(dma_impl_nrf::Error::Overrun), "reported with its buffer");
    sim.run(10);
    let filled = rx_stream.next(vec![0u8; 2]).ok().unwrap();
    assert_eq!((&filled.buffer[..], filled.error), (&b"cd"[..], None));
}

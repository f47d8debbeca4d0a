//! `DmaReadStream` on `UartRx` and `Spi` (ring mode on the write side) on
//! the RP2040 simulator: halves in order lap after lap, overruns reported
//! (also when the DMA laps the CPU in the middle of a copy, under the
//! adversarial scheduler) and never returned as data, the end of a
//! sequence re-armed, refusals with everything back, a bus error stopping
//! the stream, stop and drop letting go.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::cast_possible_truncation
)]

mod common;

use common::{scale, stepped, Fake};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary};
use dma_impl_mock::sim::rp2040::{Rp2040Sim, Side};
use dma_impl_rp2040::{Channel, Error, Spi, Spi0, Uart, Uart1, UartRx};
use dma_traits::{DmaReadStream, Error as _, ErrorKind, ReadStream, Transfer};

#[repr(C, align(8))]
struct A8([u8; 8]);
#[repr(C, align(16))]
struct A16([u16; 8]);

fn ring8() -> &'static mut [u8; 8] {
    &mut Box::leak(Box::new(A8([0; 8]))).0
}

fn ring16() -> &'static mut [u16; 8] {
    &mut Box::leak(Box::new(A16([0; 8]))).0
}

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 1) as u8).collect()
}

fn uart_rx(sim: &Rp2040Sim, tx: Channel, rx: Channel) -> UartRx<Uart1> {
    // SAFETY: the simulator's UART1 block, alive for the test (the
    // transmit half is unused).
    let (_tx, rx) = unsafe { Uart::<Uart1>::new(sim.uart_base(1)) }.split(tx, rx);
    rx
}

/// Steps until the channel has written `n` more words (or nothing moves).
fn run_words(sim: &Rp2040Sim, n: u64) {
    let target = sim.dma_writes() + n;
    for _ in 0..10_000 {
        if sim.dma_writes() >= target || !sim.step() {
            break;
        }
    }
    assert!(sim.dma_writes() >= target, "the channel did not write {n} words");
}

#[test]
fn uart_halves_come_out_in_order_lap_after_lap() {
    let (sim, [_, _, c2, c3, ..]) = stepped();
    let rx = uart_rx(&sim, c2, c3);
    let laps = scale(12, 2);
    let fed = bytes(4 * laps);
    sim.feed_uart(1, &fed);
    let mut stream = rx.read_stream(ring8()).ok().unwrap();
    assert_eq!(stream.half_len(), 4);
    let mut out = [0u8; 4];
    assert_eq!(stream.read_half(&mut out).unwrap(), None, "nothing moved yet");
    for lap in 0..laps {
        run_words(&sim, 3);
        assert_eq!(stream.read_half(&mut out).unwrap(), None, "half {lap} is not complete");
        run_words(&sim, 1);
        assert_eq!(stream.read_half(&mut out).unwrap(), Some(4));
        assert_eq!(out, fed[4 * lap..4 * lap + 4], "half {lap}");
    }
    assert!(!stream.is_done());
    assert_eq!(stream.lost_words(), 0);
    let stopped = stream.stop().ok().unwrap();
    assert_eq!(stopped.transferred, 4 * laps);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    let _rx: UartRx<Uart1> = stopped.resources;
}

#[test]
fn a_late_cpu_gets_an_overrun_then_the_newest_half() {
    let (sim, [_, _, c2, c3, ..]) = stepped();
    let rx = uart_rx(&sim, c2, c3);
    let fed = bytes(16);
    sim.feed_uart(1, &fed);
    let mut stream = rx.read_stream(ring8()).ok().unwrap();
    run_words(&sim, 13); // halves 0, 1, 2 complete; the DMA is in half 3
    let mut out = [0u8; 4];
    let error = stream.read_half(&mut out).unwrap_err();
    assert_eq!(error, Error::Overrun { lost: 8 });
    assert_eq!(error.kind(), ErrorKind::Overrun);
    assert_eq!(stream.lost_words(), 8);
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(4));
    assert_eq!(out, fed[8..12], "half 2 (the newest complete), not stale data");
    run_words(&sim, 3);
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(4));
    assert_eq!(out, fed[12..16]);
}

#[test]
fn the_end_of_a_sequence_is_triggered_again_without_a_gap() {
    let (sim, [_, _, c2, c3, ..]) = stepped();
    // Sequences of 5 words: they end inside halves, at every offset.
    let rx = uart_rx(&sim, c2, c3.with_stream_reload(5));
    let fed = bytes(scale(40, 8));
    sim.feed_uart(1, &fed);
    let mut stream = rx.read_stream(ring8()).ok().unwrap();
    let (mut position, mut out) = (0, [0u8; 4]);
    for _ in 0..10_000 {
        if position == fed.len() {
            break;
        }
        match stream.read_half(&mut out).unwrap() {
            Some(4) => {
                assert_eq!(out, fed[position..position + 4], "half at {position}");
                position += 4;
            }
            other => {
                assert_eq!(other, None);
                sim.step();
            }
        }
    }
    assert_eq!(position, fed.len());
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    assert_eq!(stream.stop().ok().unwrap().transferred, fed.len());
}

#[test]
fn spi_streams_16_bit_frames_and_keeps_clocking() {
    let (sim, [_, _, _, _, c4, c5, ..]) = stepped();
    // SAFETY: the simulator's SPI0 block, alive for the test.
    let spi = unsafe { Spi::<Spi0>::new(sim.spi_base(0), c4, c5) };
    let fed: Vec<u32> = (0..scale(40, 8) as u32).map(|i| 0x1000 + i * 3).collect();
    sim.feed_spi(0, &fed);
    let mut stream = spi.read_stream(ring16()).ok().unwrap();
    let (mut position, mut out) = (0, [0u16; 4]);
    for _ in 0..10_000 {
        if position == fed.len() {
            break;
        }
        match stream.read_half(&mut out).unwrap() {
            Some(4) => {
                let want: Vec<u16> =
                    fed[position..position + 4].iter().map(|&w| w as u16).collect();
                assert_eq!(out[..], want[..], "half at {position}");
                position += 4;
            }
            other => {
                assert_eq!(other, None);
                sim.step();
            }
        }
    }
    assert_eq!(position, fed.len());
    let stopped = stream.stop().ok().unwrap();
    assert!(stopped.transferred >= fed.len());
    let sent = sim.spi_sent(0);
    assert!(
        sent.len() >= fed.len() && sent.iter().all(|&w| w == 0),
        "the dummy word clocks the bus"
    );
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    let (_tx, _rx) = stopped.resources.free();
}

#[test]
fn bad_buffers_are_refused_with_everything_back() {
    let (sim, [_, _, c2, c3, c4, c5, ..]) = stepped();
    let rx = uart_rx(&sim, c2, c3);
    let odd = rx.read_stream(vec![0u8; 5]).err().unwrap();
    assert_eq!((odd.error, odd.error.kind()), (Error::OddLength { len: 5 }, ErrorKind::OddLength));
    assert_eq!(odd.buffer.len(), 5);
    let empty = odd.resources.read_stream(Vec::<u8>::new()).err().unwrap();
    assert_eq!(empty.error.kind(), ErrorKind::Empty);
    let six = empty.resources.read_stream(vec![0u8; 6]).err().unwrap();
    assert_eq!(six.error, Error::RingSize { bytes: 6 });
    // SAFETY: never dereferenced: refused first.
    let fake = Fake::<u8>::new(0x2000_0004, 8);
    let misaligned = six.resources.read_stream(fake).err().unwrap();
    assert_eq!(misaligned.error, Error::RingAlignment { address: 0x2000_0004, bytes: 8 });
    assert_eq!(misaligned.error.kind(), ErrorKind::Misaligned);
    let port = misaligned.resources;
    assert_eq!(DmaReadStream::<u8>::max_len(&port), 1 << 15);
    let long = port.read_stream(Fake::<u8>::new(0x2000_0000, 1 << 16)).err().unwrap();
    assert_eq!(long.error.kind(), ErrorKind::TooLong { max: 1 << 15 });
    let wide = long.resources.read_stream(vec![0u16; 4]).err().unwrap();
    assert_eq!(wide.error.kind(), ErrorKind::UnsupportedWidth);
    assert!(wide.error.kind().is_refusal());
    // Nothing was started, the port still works.
    assert!(!sim.is_busy(3));
    sim.feed_uart(1, &[9, 8]);
    let mut stream = wide.resources.read_stream(ring8()).ok().unwrap();
    let mut out = [0u8; 4];
    assert_eq!(stream.read_half(&mut out).unwrap(), None);
    // SAFETY: the simulator's SPI0 block.
    let spi = unsafe { Spi::<Spi0>::new(sim.spi_base(0), c4, c5) };
    assert_eq!(DmaReadStream::<u16>::max_len(&spi), 1 << 14);
    let wide = spi.read_stream(vec![0u32; 4]).err().unwrap();
    assert_eq!(wide.error.kind(), ErrorKind::UnsupportedWidth);
    assert!(!sim.is_busy(4) && !sim.is_busy(5));
}

#[test]
fn a_bus_error_stops_the_stream_after_the_complete_halves() {
    let (sim, [_, _, c2, c3, ..]) = stepped();
    let rx = uart_rx(&sim, c2, c3);
    sim.feed_uart(1, &bytes(16));
    sim.fail_after(3, 6, Side::Write);
    let mut stream = rx.read_stream(ring8()).ok().unwrap();
    sim.run(200);
    let mut out = [0u8; 4];
    assert_eq!(stream.read_half(&mut out).unwrap(), Some(4));
    assert_eq!(stream.read_half(&mut out).unwrap_err(), Error::WriteBus);
    assert!(stream.is_done());
    let failed = stream.stop().err().unwrap();
    assert_eq!((failed.error, failed.transferred), (Error::WriteBus, 6));
    assert!(!sim.is_busy(3));
}

/// Beats per access, schedule depth and limit, random seeds, halves.
const PLAN: (u32, usize, usize, u64, usize) =
    (3, scale(6, 1), scale(20_000, 16), scale(300, 2) as u64, scale(6, 2));
/// Halves of a random schedule's run, per half of an exhaustive one.
const LONGER: usize = scale(4, 2);

/// Every byte handed out is the byte the line carried at that place; what
/// is skipped is reported; nothing is handed out twice or out of order;
/// after the drop the DMA writes nothing.
fn follow(adversary: &Adversary, halves: usize, reload: u32) {
    let (sim, [_, _, c2, c3, ..]) = stepped();
    let rx = uart_rx(&sim, c2, c3.with_stream_reload(reload));
    let half = 2;
    let fed = bytes(halves * half);
    sim.feed_uart(1, &fed);
    #[repr(C, align(4))]
    struct A4([u8; 4]);
    let ring: &'static mut [u8; 4] = &mut Box::leak(Box::new(A4([0; 4]))).0;
    let mut stream = rx.read_stream(ring).ok().unwrap();
    let guard = sim.adversarial(adversary);
    let (mut position, mut out, mut idle) = (0, [0u8; 2], 0);
    while position < fed.len() && idle < 64 {
        match stream.read_half(&mut out) {
            Ok(Some(n)) => {
                assert_eq!(n, half);
                assert_eq!(out, fed[position..position + half], "half at byte {position}");
                position += half;
                idle = 0;
            }
            Ok(None) => idle += 1,
            Err(Error::Overrun { lost }) => {
                assert!(lost > 0 && lost % half == 0, "lost {lost}");
                position += lost;
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(position, fed.len(), "every half handed out or reported lost");
    drop(stream);
    drop(guard);
    let writes = sim.dma_writes();
    sim.run(100);
    assert_eq!(sim.dma_writes(), writes, "the DMA wrote after the stream was dropped");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn the_dma_overtaking_at_any_access_never_corrupts_a_half() {
    let (k, depth, limit, seeds, halves) = PLAN;
    let exhaustive = explore(k, depth, limit, |adv| follow(adv, halves, u32::MAX));
    assert!(exhaustive.exhaustive, "schedule limit reached");
    let random = explore_random(k + 1, 0..seeds, |adv| follow(adv, LONGER * halves, u32::MAX));
    // Sequences of 3 words: re-armed at every offset of the ring.
    let rearmed = explore_random(k + 1, 0..seeds, |adv| follow(adv, LONGER * halves, 3));
    eprintln!(
        "adversarial stream: {} exhaustive + {random} + {rearmed} random schedules",
        exhaustive.schedules
    );
}

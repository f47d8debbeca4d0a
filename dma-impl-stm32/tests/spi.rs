//! SPI1 by DMA on both controller families. Transmit: data intact,
//! `TXDMAEN` around the transfer, everything back on refusal, drop
//! mid-transfer stops the channel, `Sent` only once the last byte has left.
//! Full duplex: both directions intact, RX before TX. Receive: the bytes
//! the slave sent, the dummy byte on MOSI once per byte, RX before TX,
//! `OVR` reported, refusals give everything back, drop and `mem::forget`
//! harmless; and the chip maps' typed `Spi1`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{bytes, fence, Fence, Sim};
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::stm32::{ChannelDma, Line, SpiSim, StreamDma};
use dma_impl_stm32::channel::{self, Channel};
use dma_impl_stm32::spi::{Spi, SpiDuplex, SpiRx, SpiTx, DUMMY_BYTE};
use dma_impl_stm32::stream::{self, Stream};
use dma_traits::{
    Access, DmaFence, DmaFullDuplex, DmaRead, DmaWrite, Error as _, ErrorKind, FenceError, Sent,
    Transfer,
};

/// The simulated hardware of one test, dropped after the driver values.
struct Rig<S> {
    log: Recorder,
    dma: S,
    spi: SpiSim,
    tx_cr: usize,
}

impl<S: Sim> Rig<S> {
    fn run(&self) -> usize {
        (0..10_000).take_while(|_| self.dma.step()).count()
    }
}

/// Under Miri a byte takes one tick of the simulated SPI clock, not the
/// simulator's 4 (as in `dma-drivers/tests/on_hal_simulators.rs`): every
/// tick is a simulator step or register access that Miri interprets, and
/// the wire's speed changes only how often the driver and the DMA poll, not
/// which code runs. The tests about the tail or the drain's clock set their
/// own (slower) speed after the rig is built; the native run keeps 4.
fn fast_wire_under_miri(spi: &SpiSim) {
    if cfg!(miri) {
        spi.set_byte_ticks(1);
    }
}

/// F1: SPI1_TX on DMA1 channel 3 (RM0008 table 78).
fn channel_rig(threaded: bool) -> (Rig<ChannelDma>, SpiTx<Channel<3>, Fence>) {
    let log = Recorder::new();
    let dma =
        if threaded { ChannelDma::threaded(log.clone()) } else { ChannelDma::new(log.clone()) };
    let spi = SpiSim::new();
    fast_wire_under_miri(&spi);
    dma.wire(3, spi.requests(), Line::Tx);
    // SAFETY: the simulators outlive the driver values (the rig is dropped
    // last) and channel 3 is wired to the SPI's TX request just above.
    let mut controller = unsafe { channel::Dma::from_base(dma.base(), 7) };
    // SAFETY: as above, for the SPI block.
    let mut driver = unsafe { Spi::from_base(spi.base()) };
    driver.enable(0);
    let tx = driver.transmitter(controller.channel::<3>().unwrap(), fence(&log));
    (Rig { log, dma, spi, tx_cr: 0x08 + 0x14 * 2 }, tx)
}

/// F4: SPI1_TX on DMA2 stream 3, channel 3 (RM0090 table 43).
fn stream_rig(threaded: bool) -> (Rig<StreamDma>, SpiTx<Stream<3>, Fence>) {
    let log = Recorder::new();
    let dma = if threaded { StreamDma::threaded(log.clone()) } else { StreamDma::new(log.clone()) };
    let spi = SpiSim::new();
    fast_wire_under_miri(&spi);
    dma.wire(3, 3, spi.requests(), Line::Tx);
    // SAFETY: as in `channel_rig`; stream 3 request 3 is wired above.
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above, for the SPI block.
    let mut driver = unsafe { Spi::from_base(spi.base()) };
    driver.enable(0);
    let tx = driver.transmitter(controller.stream::<3>(3).unwrap(), fence(&log));
    (Rig { log, dma, spi, tx_cr: 0x10 + 0x18 * 3 }, tx)
}

/// A fence that refuses every buffer.
#[derive(Debug, Clone, Copy)]
struct Refuse;
// SAFETY: `release` always fails and changes nothing; `acquire` is never
// reached for a refused buffer.
unsafe impl DmaFence for Refuse {
    fn release<W>(self, buf: *const [W], _: Access) -> Result<(), FenceError> {
        Err(FenceError::NotCacheLineAligned { address: buf.cast::<W>() as usize, bytes: 1 })
    }
    fn acquire<W>(self, _: *const [W], _: Access) {}
}

macro_rules! spi_tests {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            #[cfg_attr(miri, ignore = "300 threaded beats: the slowest here under Miri (25 s)")]
            fn write_all_sends_intact_and_discards_what_comes_back() {
                let (rig, tx) = $rig(true);
                rig.spi.feed(&[0xA5; 300]);
                let data = bytes(300, |i| (i * 7) as u8);
                let done = tx.write_all(data).ok().unwrap().wait().ok().unwrap();
                assert_eq!(done.transferred, 300);
                let expected: Vec<u8> = (0..300).map(|i| (i * 7) as u8).collect();
                assert_eq!(rig.spi.sent(), expected);
                assert_eq!(rig.spi.cr2() & 0b11, 0, "TXDMAEN cleared, RXDMAEN never set");
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "channel disabled");
                let tx = done.resources;
                tx.wait_sent();
                assert_eq!(rig.spi.transmitted(), expected);
                // The tail's discarded bytes set OVR after the channel stopped
                // (the module docs); the next transfer clears it first.
                assert_eq!(rig.spi.clocked_in().len(), 300);
                let again = tx.write_all(bytes(3, |_| 1)).ok().unwrap().wait().ok().unwrap();
                assert_eq!(again.transferred, 3);
                assert_eq!(rig.spi.sent().len(), 303);
            }

            #[test]
            fn sent_only_after_the_last_byte_has_left() {
                let (rig, tx) = $rig(false);
                rig.spi.set_byte_ticks(16);
                let transfer = tx.write_all(bytes(4, |i| i as u8)).ok().unwrap();
                rig.run();
                assert!(transfer.is_done());
                let done = transfer.wait().ok().unwrap();
                let tx = done.resources;
                assert!(rig.spi.transmitted().len() < 4, "the tail is still shifting");
                assert!(!tx.is_sent());
                let mut polls = 0;
                while !tx.is_sent() {
                    polls += 1;
                    assert!(polls < 1_000);
                }
                assert_eq!(rig.spi.transmitted(), [0, 1, 2, 3]);
            }

            #[test]
            fn refused_gives_everything_back() {
                let (rig, tx) = $rig(false);
                let (spi, ch) = tx.release();
                let tx = spi.transmitter(ch, Refuse);
                let refused = tx.write_all(bytes(8, |_| 9)).err().unwrap();
                assert_eq!(refused.transferred, 0);
                assert_eq!(&*refused.buffer, &[9; 8]);
                assert!(rig.spi.sent().is_empty());
                assert_eq!(rig.spi.cr2(), 0);
                assert!(refused.resources.is_sent(), "nothing given, nothing pending");
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0);
            }

            #[test]
            fn drop_mid_transfer_stops_the_channel() {
                let (rig, tx) = $rig(false);
                // Under Miri 16 bytes and 8 beats (still mid-way).
                let (len, beats) = if cfg!(miri) { (16, 8) } else { (64, 40) };
                let transfer = tx.write_all(bytes(len, |i| i as u8)).ok().unwrap();
                for _ in 0..beats {
                    rig.dma.step();
                }
                drop(transfer);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "EN reads 0");
                assert_eq!(rig.spi.cr2() & 0b10, 0, "TXDMAEN cleared");
                let moved = rig.spi.sent().len();
                assert!(moved > 0 && moved < len, "stopped mid-way: {moved}");
                rig.run();
                assert_eq!(rig.spi.sent().len(), moved, "nothing moves after the drop");
                assert!(rig.log.events().iter().any(|e| *e == Event::Stopped));
            }
        }
    };
}

spi_tests!(channel_dma, channel_rig);
spi_tests!(stream_dma, stream_rig);

/// F1 full duplex: SPI1_TX DMA1 channel 3, SPI1_RX channel 2 (RM0008 table 78).
fn channel_duplex(threaded: bool) -> (Rig<ChannelDma>, SpiDuplex<Channel<3>, Channel<2>, Fence>) {
    let log = Recorder::new();
    let dma =
        if threaded { ChannelDma::threaded(log.clone()) } else { ChannelDma::new(log.clone()) };
    let spi = SpiSim::new();
    fast_wire_under_miri(&spi);
    spi.set_dma_keeps_up(threaded);
    dma.wire(3, spi.requests(), Line::Tx);
    dma.wire(2, spi.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values (the rig is dropped
    // last); channels 3 and 2 are wired to the SPI's TX and RX requests above.
    let mut controller = unsafe { channel::Dma::from_base(dma.base(), 7) };
    // SAFETY: as above, for the SPI block.
    let mut driver = unsafe { Spi::from_base(spi.base()) };
    driver.enable(0);
    let tx = controller.channel::<3>().unwrap();
    let rx = controller.channel::<2>().unwrap();
    let port = driver.duplex(tx, rx, fence(&log));
    (Rig { log, dma, spi, tx_cr: 0x08 + 0x14 * 2 }, port)
}

/// F4 full duplex: SPI1_TX DMA2 stream 3, SPI1_RX stream 0, both channel 3
/// (RM0090 table 43).
fn stream_duplex(threaded: bool) -> (Rig<StreamDma>, SpiDuplex<Stream<3>, Stream<0>, Fence>) {
    let log = Recorder::new();
    let dma = if threaded { StreamDma::threaded(log.clone()) } else { StreamDma::new(log.clone()) };
    let spi = SpiSim::new();
    fast_wire_under_miri(&spi);
    spi.set_dma_keeps_up(threaded);
    dma.wire(3, 3, spi.requests(), Line::Tx);
    dma.wire(0, 3, spi.requests(), Line::Rx);
    // SAFETY: as in `channel_duplex`; streams 3 and 0, request 3, wired above.
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above, for the SPI block.
    let mut driver = unsafe { Spi::from_base(spi.base()) };
    driver.enable(0);
    let tx = controller.stream::<3>(3).unwrap();
    let rx = controller.stream::<0>(3).unwrap();
    let port = driver.duplex(tx, rx, fence(&log));
    (Rig { log, dma, spi, tx_cr: 0x10 + 0x18 * 3 }, port)
}

macro_rules! duplex_tests {
    ($family:ident, $rig:ident, $rx_cr:expr, $rx_number:expr) => {
        mod $family {
            use super::*;

            #[test]
            fn a_lost_byte_is_an_overrun_with_everything_back() {
                let (rig, port) = $rig(false);
                rig.spi.feed(&(0..16).collect::<Vec<u8>>());
                // The RX channel stops serving after 5 bytes: the TX channel
                // goes on clocking, the next bytes overrun.
                rig.dma.stall_after($rx_number, 5);
                let out = bytes(16, |i| i as u8);
                let transfer = port.transfer(out, bytes(16, |_| 0)).ok().unwrap();
                rig.run();
                assert!(transfer.is_done(), "OVR ends the transfer: no wait for a lost byte");
                let failed = transfer.wait().err().unwrap();
                assert!(matches!(failed.error, dma_impl_stm32::Error::Overrun { lost } if lost >= 1));
                assert_eq!(failed.error.kind(), ErrorKind::Overrun);
                assert_eq!(failed.transferred, 5);
                assert_eq!(&failed.buffer.1[..5], &[0, 1, 2, 3, 4]);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0);
                assert_eq!(rig.dma.register($rx_cr) & 1, 0);
            }

            #[test]
            #[cfg_attr(miri, ignore = "200 threaded beats each way: slow under Miri (13 s)")]
            fn full_duplex_sends_and_receives_intact() {
                let (rig, port) = $rig(true);
                let answer: Vec<u8> = (0..200).map(|i| (255 - i) as u8).collect();
                rig.spi.feed(&answer);
                let out = bytes(200, |i| i as u8);
                let done = port.transfer(out, bytes(200, |_| 0)).ok().unwrap().wait().ok().unwrap();
                assert_eq!(done.transferred, 200);
                assert_eq!(&*done.buffer.1, &answer[..]);
                let sent: Vec<u8> = (0..200).map(|i| i as u8).collect();
                assert_eq!(rig.spi.sent(), sent);
                assert_eq!(rig.spi.cr2() & 0b11, 0, "TXDMAEN and RXDMAEN cleared");
                assert!(done.resources.is_sent(), "the last byte came back: it has left");
                // Again, with what is left of the answers (0xFF: MISO high).
                let port = done.resources;
                let again = port.transfer(bytes(3, |_| 7), bytes(3, |_| 0)).ok().unwrap();
                let again = again.wait().ok().unwrap();
                assert_eq!(&*again.buffer.1, &[0xFF; 3]);
            }

            #[test]
            fn rx_is_enabled_before_tx() {
                let (rig, port) = $rig(false);
                let transfer = port.transfer(bytes(2, |_| 1), bytes(2, |_| 0)).ok().unwrap();
                assert_eq!(rig.dma.register($rx_cr) & 1, 1, "RX channel on");
                rig.run();
                let done = transfer.wait().ok().unwrap();
                assert_eq!(done.transferred, 2);
                // The RX channel's programming came first in the log.
                let events = rig.log.events();
                let first_release = events.iter().position(|e| matches!(e, Event::Release { .. }));
                assert!(matches!(
                    events[first_release.unwrap()],
                    Event::Release { access: dma_traits::Access::DmaWrites, .. }
                ));
            }

            #[test]
            fn refused_or_mismatched_gives_everything_back() {
                let (rig, port) = $rig(false);
                let mismatch = port.transfer(bytes(3, |_| 1), bytes(4, |_| 2)).err().unwrap();
                assert!(matches!(
                    mismatch.error,
                    dma_impl_stm32::Error::LengthMismatch { source: 3, destination: 4 }
                ));
                let (spi, tx, rx) = mismatch.resources.release();
                let port = spi.duplex(tx, rx, Refuse);
                let refused = port.transfer(bytes(3, |_| 1), bytes(3, |_| 2)).err().unwrap();
                assert_eq!(
                    (&*refused.buffer.0, &*refused.buffer.1),
                    (&[1u8; 3][..], &[2u8; 3][..])
                );
                assert!(rig.spi.sent().is_empty());
                assert_eq!(rig.spi.cr2(), 0);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0);
                assert_eq!(rig.dma.register($rx_cr) & 1, 0);
            }

            #[test]
            fn drop_mid_transfer_stops_both_channels() {
                let (rig, port) = $rig(false);
                // Under Miri 16 bytes and 8 beats (still mid-way).
                let (len, beats) = if cfg!(miri) { (16, 8) } else { (64, 40) };
                let transfer =
                    port.transfer(bytes(len, |i| i as u8), bytes(len, |_| 0)).ok().unwrap();
                for _ in 0..beats {
                    rig.dma.step();
                }
                drop(transfer);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "TX EN reads 0");
                assert_eq!(rig.dma.register($rx_cr) & 1, 0, "RX EN reads 0");
                assert_eq!(rig.spi.cr2() & 0b11, 0);
                let moved = rig.spi.sent().len();
                assert!(moved > 0 && moved < len, "stopped mid-way: {moved}");
                rig.run();
                assert_eq!(rig.spi.sent().len(), moved);
            }
        }
    };
}

duplex_tests!(channel_duplex_tests, channel_duplex, 0x08 + 0x14, 2);
duplex_tests!(stream_duplex_tests, stream_duplex, 0x10, 0);

/// F1 receive: the dummy transmitter on SPI1_TX (DMA1 channel 3), the
/// bytes on SPI1_RX (channel 2), RM0008 table 78.
fn channel_receiver(threaded: bool) -> (Rig<ChannelDma>, SpiRx<Channel<3>, Channel<2>, Fence>) {
    let (rig, port) = channel_duplex(threaded);
    let (spi, tx, rx) = port.release();
    let fence = fence(&rig.log);
    (rig, spi.receiver(tx, rx, fence))
}

/// F4 receive: DMA2 stream 3 (SPI1_TX) and stream 0 (SPI1_RX), channel 3
/// (RM0090 table 43).
fn stream_receiver(threaded: bool) -> (Rig<StreamDma>, SpiRx<Stream<3>, Stream<0>, Fence>) {
    let (rig, port) = stream_duplex(threaded);
    let (spi, tx, rx) = port.release();
    let fence = fence(&rig.log);
    (rig, spi.receiver(tx, rx, fence))
}

/// The DMA writes the log shows, as (first address, count), and whether
/// all lie inside `range`.
fn writes_inside(log: &Recorder, range: (usize, usize)) -> (usize, usize) {
    let (mut inside, mut outside) = (0, 0);
    for event in log.events() {
        if let Event::DmaWrite { addr, bytes } = event {
            if addr >= range.0 && addr + bytes <= range.1 {
                inside += 1;
            } else {
                outside += 1;
            }
        }
    }
    (inside, outside)
}

macro_rules! read_tests {
    ($family:ident, $rig:ident, $rx_cr:expr, $rx_number:expr) => {
        mod $family {
            use super::*;

            #[test]
            fn read_exact_receives_what_the_slave_sent_clocking_the_dummy_byte() {
                let (rig, port) = $rig(true);
                // Fewer bytes under Miri, where each threaded beat is slow.
                let n = if cfg!(miri) { 16 } else { 300 };
                let answer: Vec<u8> = (0..n).map(|i| (i * 13 + 5) as u8).collect();
                rig.spi.feed(&answer);
                let done = port.read_exact(bytes(n, |_| 0)).ok().unwrap().wait().ok().unwrap();
                assert_eq!(done.transferred, n);
                assert_eq!(&*done.buffer, &answer[..], "the bytes the slave sent");
                assert_eq!(rig.spi.sent(), vec![DUMMY_BYTE; n], "one dummy byte per byte, no more");
                assert_eq!(rig.spi.clocked_in(), answer, "exactly n frames clocked");
                assert_eq!(rig.spi.cr2() & 0b11, 0, "TXDMAEN and RXDMAEN cleared");
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "dummy channel disabled");
                assert_eq!(rig.dma.register($rx_cr) & 1, 0, "RX channel disabled");
                // The port given back works again (0xFF once the slave is silent).
                let again = done.resources.read_exact(bytes(3, |_| 0)).ok().unwrap();
                let again = again.wait().ok().unwrap();
                assert_eq!((&*again.buffer, again.transferred), (&[0xFF; 3][..], 3));
                assert_eq!(rig.spi.sent().len(), n + 3);
            }

            #[test]
            fn rx_is_enabled_before_the_dummy_transmitter() {
                let (rig, port) = $rig(false);
                let transfer = port.read_exact(bytes(2, |_| 0)).ok().unwrap();
                assert_eq!(rig.dma.register($rx_cr) & 1, 1, "RX channel on");
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 1, "dummy channel on");
                // RM0090 §28.3.9: RXDMAEN before TXDMAEN, never both at once.
                let writes = rig.spi.cr2_writes();
                let rx_on = writes.iter().position(|v| v & 0b01 != 0);
                let tx_on = writes.iter().position(|v| v & 0b10 != 0);
                assert!(rx_on.is_some() && rx_on < tx_on, "CR2 writes {writes:x?}");
                rig.run();
                let done = transfer.wait().ok().unwrap();
                assert_eq!(done.transferred, 2);
            }

            #[test]
            fn refusals_give_everything_back() {
                let (rig, port) = $rig(false);
                let max = DmaRead::<u8>::max_len(&port);
                assert_eq!(max, 65_535);
                let empty = port.read_exact(bytes(0, |_| 0)).err().unwrap();
                assert_eq!(empty.error.kind(), ErrorKind::Empty);
                assert_eq!((empty.buffer.len(), empty.transferred), (0, 0));
                // `vec!` and a slice compare: a closure or loop per byte
                // takes 10 s under Miri.
                let long = empty.resources.read_exact(vec![7; max + 1].into_boxed_slice());
                let long = long.err().unwrap();
                assert_eq!(long.error.kind(), ErrorKind::TooLong { max });
                assert!(*long.buffer == *vec![7; max + 1], "untouched");
                // Unreachable: the fence refuses the buffer.
                let (spi, tx, rx) = long.resources.release();
                let refused = spi.receiver(tx, rx, Refuse).read_exact(bytes(4, |_| 9)).err().unwrap();
                assert_eq!(refused.error.kind(), ErrorKind::Fence);
                assert_eq!(&*refused.buffer, &[9; 4]);
                assert!(rig.spi.sent().is_empty(), "nothing clocked");
                assert_eq!(rig.spi.cr2(), 0);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0);
                assert_eq!(rig.dma.register($rx_cr) & 1, 0);
                // And the port given back by the refusal works.
                let (spi, tx, rx) = refused.resources.release();
                let port = spi.receiver(tx, rx, fence(&rig.log));
                rig.spi.feed(&[1, 2]);
                let transfer = port.read_exact(bytes(2, |_| 0)).ok().unwrap();
                rig.run();
                assert_eq!(&*transfer.wait().ok().unwrap().buffer, &[1, 2]);
            }

            #[test]
            fn drop_mid_transfer_stops_both_channels_and_the_clock() {
                let (rig, port) = $rig(false);
                rig.spi.feed(&[0x5A; 64]);
                // Slow frames: the few register reads of the drain do not
                // finish the frames still held; only the wait for TXE/BSY does.
                rig.spi.set_byte_ticks(16);
                let transfer = port.read_exact(bytes(64, |_| 0)).ok().unwrap();
                for _ in 0..40 {
                    rig.dma.step();
                }
                drop(transfer);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "dummy EN reads 0");
                assert_eq!(rig.dma.register($rx_cr) & 1, 0, "RX EN reads 0");
                assert_eq!(rig.spi.cr2() & 0b11, 0);
                let clocked = rig.spi.sent().len();
                assert!(clocked > 0 && clocked < 64, "stopped mid-way: {clocked}");
                // Before drop returned: the frames the SPI held went out
                // (TXE, BSY clear) and what they clocked in was drained.
                assert_eq!(rig.spi.transmitted().len(), clocked, "held frames went out");
                assert_eq!(rig.spi.status() & 0b1000_0011, 0b10, "TXE, not BSY, not RXNE");
                let writes = rig.log.events().len();
                rig.run();
                assert_eq!(rig.spi.sent().len(), clocked, "no frame clocked after the drop");
                assert_eq!(rig.spi.transmitted().len(), clocked, "the frames held went out");
                assert_eq!(rig.log.events().len(), writes, "no DMA access after the drop");
                assert_eq!(rig.spi.status() & 0b1, 0, "receive buffer drained");
            }

            #[test]
            fn a_forgotten_transfer_writes_only_its_static_buffer() {
                let (rig, port) = $rig(false);
                // Under Miri 16 bytes, forgotten after 5 beats (mid-way).
                let (n, beats) = if cfg!(miri) { (16, 5) } else { (48, 20) };
                let answer: Vec<u8> = (0..n).map(|i| i as u8 ^ 0x3C).collect();
                rig.spi.feed(&answer);
                let buffer: &'static mut [u8] = Box::leak(vec![0u8; n].into_boxed_slice());
                let start = buffer.as_ptr() as usize;
                let canary = vec![0xEEu8; n];
                let transfer = port.read_exact(buffer).ok().unwrap();
                for _ in 0..beats {
                    rig.dma.step();
                }
                core::mem::forget(transfer);
                rig.run();
                let (inside, outside) = writes_inside(&rig.log, (start, start + n));
                assert_eq!((inside, outside), (n, 0), "n writes, all into the buffer");
                assert_eq!(rig.spi.sent(), vec![DUMMY_BYTE; n], "and exactly n frames");
                assert!(canary.iter().all(|b| *b == 0xEE));
            }

            #[test]
            fn a_lost_byte_is_an_overrun_with_everything_back() {
                let (rig, port) = $rig(false);
                rig.spi.feed(&(0..16).collect::<Vec<u8>>());
                // The RX channel stops serving after 5 bytes: the dummy
                // channel goes on clocking, the next bytes overrun.
                rig.dma.stall_after($rx_number, 5);
                let transfer = port.read_exact(bytes(16, |_| 0)).ok().unwrap();
                rig.run();
                assert!(transfer.is_done(), "OVR ends the transfer: no wait for a lost byte");
                let failed = transfer.wait().err().unwrap();
                assert!(matches!(failed.error, dma_impl_stm32::Error::Overrun { lost } if lost >= 1));
                assert_eq!(failed.error.kind(), ErrorKind::Overrun);
                assert_eq!(failed.transferred, 5);
                assert_eq!(&failed.buffer[..5], &[0, 1, 2, 3, 4]);
                assert_eq!(rig.spi.status() & (1 << 6), 0, "OVR cleared (DR, then SR)");
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0);
                assert_eq!(rig.dma.register($rx_cr) & 1, 0);
                // The port given back receives again, no stale byte first.
                rig.spi.feed(&[0xA1, 0xA2]);
                let port = failed.resources;
                let transfer = port.read_exact(bytes(2, |_| 0)).ok().unwrap();
                rig.run();
                let done = transfer.wait().ok().unwrap();
                assert_eq!(&*done.buffer, &[0xA1, 0xA2]);
            }

            #[test]
            fn a_bus_error_on_the_rx_channel_returns_the_count_and_everything() {
                let (rig, port) = $rig(true);
                // Under Miri (threaded) 16 bytes; the error still mid-way.
                let n = if cfg!(miri) { 16 } else { 32 };
                rig.spi.feed(&(0..n as u8).collect::<Vec<u8>>());
                rig.dma.fail_after($rx_number, 10);
                let failed = port.read_exact(bytes(n, |_| 0)).ok().unwrap().wait().err().unwrap();
                assert_eq!(failed.error, dma_impl_stm32::Error::Transfer);
                assert_eq!(failed.transferred, 10);
                assert_eq!(&failed.buffer[..10], &(0..10).collect::<Vec<u8>>()[..]);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "dummy channel stopped too");
                assert_eq!(rig.spi.cr2() & 0b11, 0);
            }
        }
    };
}

read_tests!(channel_read_tests, channel_receiver, 0x08 + 0x14, 2);
read_tests!(stream_read_tests, stream_receiver, 0x10, 0);

/// The typed path: an F1's `Spi1` takes DMA1 channels 3 and 2 and receives.
#[cfg(feature = "stm32f1")]
#[test]
fn stm32f1_spi1_receives_on_dma1_channels_3_and_2() {
    use dma_impl_stm32::chip::stm32f1;
    let sim = ChannelDma::threaded(Recorder::new());
    let spi = SpiSim::new();
    fast_wire_under_miri(&spi);
    spi.set_dma_keeps_up(true);
    sim.wire(3, spi.requests(), Line::Tx);
    sim.wire(2, spi.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F1's DMA1 and SPI1 (RM0008 table 78).
    let mut dma1: stm32f1::Dma1 = unsafe { stm32f1::Dma1::new(sim.base(), 7) };
    // SAFETY: as above.
    let mut spi1 = unsafe { Spi::<stm32f1::Spi1>::new(spi.base()) };
    spi1.enable(0);
    let port = spi1.receiver(
        dma1.channel::<3>().unwrap(),
        dma1.channel::<2>().unwrap(),
        dma_traits::CompilerFence,
    );
    spi.feed(b"F1");
    let done = port.read_exact(bytes(2, |_| 0)).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"F1");
}

/// The typed path on an F4: `Spi1` selects channel 3 (RM0090 table 43) on
/// streams taken with another request; the simulator serves only CHSEL 3.
#[cfg(feature = "stm32f4")]
#[test]
fn stm32f4_spi1_selects_chsel_3_on_dma2_streams_5_and_2() {
    use dma_impl_stm32::chip::stm32f4;
    let sim = StreamDma::threaded(Recorder::new());
    let spi = SpiSim::new();
    fast_wire_under_miri(&spi);
    spi.set_dma_keeps_up(true);
    sim.wire(5, 3, spi.requests(), Line::Tx);
    sim.wire(2, 3, spi.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F4's DMA2 and SPI1.
    let mut dma2: stm32f4::Dma2 = unsafe { stm32f4::Dma2::from_base(sim.base()) };
    // SAFETY: as above.
    let mut spi1 = unsafe { Spi::<stm32f4::Spi1>::new(spi.base()) };
    spi1.enable(0);
    let (tx, rx) = (dma2.stream::<5>(0).unwrap(), dma2.stream::<2>(7).unwrap());
    let port = spi1.receiver(tx, rx, dma_traits::CompilerFence);
    spi.feed(b"F4");
    let done = port.read_exact(bytes(2, |_| 0)).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"F4");
    assert_eq!(spi.sent(), [DUMMY_BYTE; 2]);
}

/// A register access that panics in the stop of a duplex transfer or a
/// receive (both channels: the stop of one runs while the other may still
/// move) aborts instead of unwinding past it (review 3's finding 1, as
/// review 4 pointed out for `halt_both`). In child processes
/// (`dma_impl_mock::unwind`).
#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_register_panic_in_the_stop_of_both_channels_aborts() {
    use dma_impl_mock::unwind::{end_with_a_panicking_write, in_child};
    in_child(
        "a_register_panic_in_the_stop_of_both_channels_aborts",
        &["duplex drop", "duplex stop", "receive drop", "receive stop"],
        |case| {
            if case.starts_with("duplex") {
                let (_rig, port) = stream_duplex(false);
                let transfer = port.transfer(bytes(8, |i| i as u8), bytes(8, |_| 0)).ok().unwrap();
                end_with_a_panicking_write(case, transfer);
            } else {
                let (_rig, port) = stream_receiver(false);
                end_with_a_panicking_write(case, port.read_exact(bytes(8, |_| 0)).ok().unwrap());
            }
        },
    );
}

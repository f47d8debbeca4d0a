//! SPI1 transmit by DMA on both controller families: data intact,
//! `TXDMAEN` around the transfer, everything back on refusal, drop
//! mid-transfer stops the channel, `Sent` only once the last byte has left.
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
use dma_impl_stm32::spi::{Spi, SpiDuplex, SpiTx};
use dma_impl_stm32::stream::{self, Stream};
use dma_traits::{Access, DmaFence, DmaFullDuplex, DmaWrite, FenceError, Sent, Transfer};

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

/// F1: SPI1_TX on DMA1 channel 3 (RM0008 table 78).
fn channel_rig(threaded: bool) -> (Rig<ChannelDma>, SpiTx<Channel<3>, Fence>) {
    let log = Recorder::new();
    let dma =
        if threaded { ChannelDma::threaded(log.clone()) } else { ChannelDma::new(log.clone()) };
    let spi = SpiSim::new();
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
                let transfer = tx.write_all(bytes(64, |i| i as u8)).ok().unwrap();
                for _ in 0..40 {
                    rig.dma.step();
                }
                drop(transfer);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "EN reads 0");
                assert_eq!(rig.spi.cr2() & 0b10, 0, "TXDMAEN cleared");
                let moved = rig.spi.sent().len();
                assert!(moved > 0 && moved < 64, "stopped mid-way: {moved}");
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
    ($family:ident, $rig:ident, $rx_cr:expr) => {
        mod $family {
            use super::*;

            #[test]
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
                let transfer =
                    port.transfer(bytes(64, |i| i as u8), bytes(64, |_| 0)).ok().unwrap();
                for _ in 0..40 {
                    rig.dma.step();
                }
                drop(transfer);
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "TX EN reads 0");
                assert_eq!(rig.dma.register($rx_cr) & 1, 0, "RX EN reads 0");
                assert_eq!(rig.spi.cr2() & 0b11, 0);
                let moved = rig.spi.sent().len();
                assert!(moved > 0 && moved < 64, "stopped mid-way: {moved}");
                rig.run();
                assert_eq!(rig.spi.sent().len(), moved);
            }
        }
    };
}

duplex_tests!(channel_duplex_tests, channel_duplex, 0x08 + 0x14);
duplex_tests!(stream_duplex_tests, stream_duplex, 0x10);

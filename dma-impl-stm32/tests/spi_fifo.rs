//! The SPI of the F0, F3, F7 and L4 (32-bit FIFOs, RM0091 §26.3.7) by DMA,
//! against `SpiSim::with_fifos`, through the chips' typed `Spi1` (which sets
//! `CR2.FRXTH`): a one-byte receive completes (without `FRXTH` its byte
//! would never raise `RXNE`), a transmit is `Sent` only once the FIFO and
//! the shift register are empty (`FTLVL` and `BSY`), and a duplex transfer
//! moves both ways intact.
#![cfg(all(feature = "stm32f3", feature = "stm32f7"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::bytes;
use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::stm32::{spi as sim_spi, ChannelDma, Line, SpiSim, StreamDma};
use dma_impl_stm32::chip::{stm32f3, stm32f7};
use dma_impl_stm32::spi::{Spi, DUMMY_BYTE};
use dma_traits::{CompilerFence, DmaFullDuplex, DmaRead, DmaWrite, Sent, Transfer};

/// Steps a stepped DMA until it has nothing to do (at most 10 000 steps).
fn run(step: impl Fn() -> bool) -> usize {
    (0..10_000).take_while(|_| step()).count()
}

#[test]
fn an_f7_spi1_receives_one_byte_and_sends_until_its_fifo_is_empty() {
    let dma = StreamDma::new(Recorder::new());
    let spi = SpiSim::with_fifos();
    // RM0385 DMA2 request mapping: SPI1 TX stream 3, RX stream 0, channel 3.
    dma.wire(3, 3, spi.requests(), Line::Tx);
    dma.wire(0, 3, spi.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F7's DMA2 and SPI1.
    let mut dma2: stm32f7::Dma2 = unsafe { stm32f7::Dma2::from_base(dma.base()) };
    // SAFETY: as above.
    let mut spi1 = unsafe { Spi::<stm32f7::Spi1>::new(spi.base()) };
    spi1.enable(0);
    assert_ne!(spi.cr2() & sim_spi::FRXTH, 0, "FRXTH: RXNE at one byte");
    let (tx, rx) = (dma2.stream::<3>(0).unwrap(), dma2.stream::<0>(0).unwrap());
    let port = spi1.receiver(tx, rx, CompilerFence);
    spi.feed(b"7");
    let transfer = port.read_exact(bytes(1, |_| 0)).ok().unwrap();
    run(|| dma.step());
    assert!(transfer.is_done(), "one byte in the receive FIFO raised the RX request");
    let done = transfer.wait().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer), (1, &b"7"[..]));
    assert_eq!(spi.sent(), [DUMMY_BYTE]);

    let (spi1, tx, _rx) = done.resources.release();
    let port = spi1.transmitter(tx, CompilerFence);
    spi.set_byte_ticks(50);
    let transfer = port.write_all(bytes(6, |i| i as u8)).ok().unwrap();
    run(|| dma.step());
    assert!(transfer.is_done());
    let port = transfer.wait().ok().unwrap().resources;
    let status = spi.status();
    assert_ne!(status & (sim_spi::FTLVL | sim_spi::BSY), 0, "bytes still in the FIFO");
    assert!(!port.is_sent(), "not sent while the FIFO holds bytes: {status:#x}");
    port.wait_sent();
    assert_eq!(spi.status() & (sim_spi::FTLVL | sim_spi::BSY), 0);
    assert_eq!(spi.transmitted()[1..], [0, 1, 2, 3, 4, 5]);
    assert!(!spi.tx_overflowed(), "the DMA wrote only on TXE");
}

#[test]
fn an_f3_spi1_moves_both_ways_on_dma1_channels_3_and_2() {
    let dma = ChannelDma::new(Recorder::new());
    let spi = SpiSim::with_fifos();
    // RM0316 DMA1 request mapping: SPI1 TX channel 3, RX channel 2.
    dma.wire(3, spi.requests(), Line::Tx);
    dma.wire(2, spi.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values and are wired as an
    // F3's DMA1 and SPI1.
    let mut dma1: stm32f3::Dma1 = unsafe { stm32f3::Dma1::new(dma.base(), 7) };
    // SAFETY: as above.
    let mut spi1 = unsafe { Spi::<stm32f3::Spi1>::new(spi.base()) };
    spi1.enable(0);
    let port =
        spi1.duplex(dma1.channel::<3>().unwrap(), dma1.channel::<2>().unwrap(), CompilerFence);
    spi.feed(b"fifo");
    let out = bytes(5, |i| 0x10 + i as u8);
    let transfer = port.transfer(out, bytes(5, |_| 0)).ok().unwrap();
    run(|| dma.step());
    assert!(transfer.is_done());
    let done = transfer.wait().ok().unwrap();
    assert_eq!(done.transferred, 5);
    assert_eq!(&*done.buffer.1, b"fifo\xFF", "MISO high once the slave is done");
    assert_eq!(spi.sent(), [0x10, 0x11, 0x12, 0x13, 0x14]);
    assert!(!spi.tx_overflowed());
}

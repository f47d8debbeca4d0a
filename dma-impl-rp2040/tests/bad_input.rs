//! Bad input is refused, never panics, and gives back everything: the
//! buffer(s) and the channel or peripheral, which then still work. Bus
//! errors end a transfer with the count and everything given back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{leak, stepped, Fake};
use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::rp2040::{Rp2040Sim, Side};
use dma_impl_rp2040::{regs, Error, Spi, Spi0, Uart, Uart0};
use dma_mmio::host::interleave::Interleaving;
use dma_traits::{DmaCopy, DmaFullDuplex, DmaRead, DmaWrite, Transfer, WordWidth};

/// A threaded simulator natively; under Miri a stepped one driven by the
/// test's own CPU accesses (no thread to interpret). The guard goes first.
fn threaded() -> (Option<Interleaving>, Rp2040Sim, [dma_impl_rp2040::Channel; 12]) {
    let sim = if cfg!(miri) {
        Rp2040Sim::new(Recorder::new())
    } else {
        Rp2040Sim::threaded(Recorder::new())
    };
    let ch = common::channels(&sim);
    let drive = cfg!(miri).then(|| sim.driven());
    (drive, sim, ch)
}

#[test]
fn copies_refuse_and_give_back() {
    let (_drive, sim, ch) = threaded();
    let [c, ..] = ch;
    // Zero length.
    let e = c.copy(&[0u32; 0][..], leak(&[0u32; 0])).err().unwrap();
    assert_eq!((e.error, e.transferred), (Error::Empty, 0));
    // Lengths differ.
    let e = e.resources.copy(&[1u16, 2][..], leak(&[0u16; 3])).err().unwrap();
    assert_eq!(e.error, Error::LengthMismatch { source: 2, destination: 3 });
    assert_eq!(e.buffer.1.len(), 3);
    // Misaligned (a u32 source one byte off).
    let e = e.resources.copy(Fake::<u32>::new(0x2000_0001, 2), leak(&[0u32; 2])).err().unwrap();
    assert_eq!(e.error, Error::Misaligned { address: 0x2000_0001 });
    // More than TRANS_COUNT counts (no memory behind the fakes: refused first).
    let too_many = regs::MAX_TRANS_COUNT as usize + 1;
    let e = e
        .resources
        .copy(Fake::<u8>::new(0x2000_0000, too_many), Fake::<u8>::new(0x2001_0000, too_many))
        .err()
        .unwrap();
    assert_eq!(e.error, Error::TooLong { items: too_many, max: u32::MAX as usize });
    // 64-bit words.
    let e = e.resources.copy(&[1u64][..], leak(&[0u64])).err().unwrap();
    assert_eq!(e.error, Error::UnsupportedWidth(WordWidth::Bits64));
    assert_eq!(sim.dma_writes(), 0, "nothing reached the DMA");
    // The channel given back works.
    let done = e.resources.copy(&[5u8, 6][..], leak(&[0u8; 2])).ok().unwrap().wait().ok().unwrap();
    assert_eq!((done.transferred, &done.buffer.1[..]), (2, &[5, 6][..]));
    assert!(sim.violations().is_empty());
}

#[test]
fn spi_refuses_and_gives_back() {
    let (_drive, sim, ch) = threaded();
    let [tx, rx, ..] = ch;
    // SAFETY: the simulator's SPI0 block, alive for the test.
    let spi = unsafe { Spi::<Spi0>::new(sim.spi_base(0), tx, rx) };
    let e = DmaWrite::write_all(spi, &[1u32, 2][..]).err().unwrap();
    assert_eq!(e.error, Error::UnsupportedWidth(WordWidth::Bits32), "SPI frames are 4..16 bits");
    let e = e.resources.transfer(&[1u8, 2][..], leak(&[0u8; 1])).err().unwrap();
    assert_eq!(e.error, Error::LengthMismatch { source: 2, destination: 1 });
    let e = DmaRead::read_exact(e.resources, leak(&[0u8; 0])).err().unwrap();
    assert_eq!(e.error, Error::Empty);
    let e = DmaRead::read_exact(e.resources, Fake::<u16>::new(0x2000_0003, 4)).err().unwrap();
    assert_eq!(e.error, Error::Misaligned { address: 0x2000_0003 });
    sim.feed_spi(0, &[9, 8, 7]);
    let done = e.resources.transfer(&[1u8, 2, 3][..], leak(&[0u8; 3])).ok().unwrap().wait();
    let done = done.ok().unwrap();
    assert_eq!(&done.buffer.1[..], &[9, 8, 7]);
    assert_eq!(sim.spi_sent(0), vec![1, 2, 3]);
    let (tx, rx) = done.resources.free();
    assert_eq!((tx.index(), rx.index()), (0, 1));
}

#[test]
fn uart_refuses_and_gives_back() {
    let (_drive, sim, ch) = threaded();
    let [_, _, a, b, ..] = ch;
    // SAFETY: the simulator's UART0 block, alive for the test.
    let (tx, rx) = unsafe { Uart::<Uart0>::new(sim.uart_base(0)) }.split(a, b);
    let e = tx.write_all(&[1u16][..]).err().unwrap();
    assert_eq!(e.error, Error::UnsupportedWidth(WordWidth::Bits16));
    let e = e.resources.write_all(&[0u8; 0][..]).err().unwrap();
    assert_eq!(e.error, Error::Empty);
    let done = e.resources.write_all(&b"ok"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 2);
    assert_eq!(sim.uart_sent(0), b"ok");
    let e = rx.read_exact(leak(&[0i16; 2])).err().unwrap();
    assert_eq!(e.error, Error::UnsupportedWidth(WordWidth::Bits16));
    sim.feed_uart(0, b"xyz");
    let done = e.resources.read_exact(leak(&[0u8; 3])).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&done.buffer[..], b"xyz");
}

#[test]
fn bus_errors_return_everything() {
    let (sim, ch) = stepped();
    let [c, r1, ..] = ch;
    sim.fail_after(0, 2, Side::Read);
    let src = leak(&[1u32, 2, 3, 4]);
    let t = c.copy(&*src, leak(&[0u32; 4])).ok().unwrap();
    sim.run(1000);
    assert!(t.is_done(), "a channel halted on a bus error is done");
    let e = t.wait().err().unwrap();
    assert_eq!((e.error, e.transferred), (Error::ReadBus, 2));
    assert_eq!(&e.buffer.1[..2], &[1, 2]);
    assert_eq!(sim.register(regs::CHAN_ABORT), 0);
    assert_eq!(sim.register(regs::INTR), 0, "the flag cleared");
    // The error flags were cleared: the channel works again.
    sim.fail_after(0, 0, Side::Write);
    let t = e.resources.copy(&*src, leak(&[0u32; 4])).ok().unwrap();
    sim.run(1000);
    let e = t.wait().err().unwrap();
    assert_eq!((e.error, e.transferred), (Error::WriteBus, 0));
    let t = e.resources.copy(&*src, leak(&[0u32; 4])).ok().unwrap();
    sim.run(1000);
    let done = t.wait().ok().unwrap();
    assert_eq!(&done.buffer.1[..], &[1, 2, 3, 4]);
    // A paced transfer whose DREQ never comes: stop ends it without waiting.
    // SAFETY: the simulator's UART0 block (never enabled for DMA here).
    let uart = unsafe { Uart::<Uart0>::new(sim.uart_base(0)) };
    let (_, rx) = uart.split(done.resources, r1);
    let t = rx.read_exact(leak(&[0u8; 4])).ok().unwrap();
    sim.run(100);
    assert!(!t.is_done(), "nothing to receive");
    let done = t.stop().ok().unwrap();
    assert_eq!(done.transferred, 0);
    assert!(!sim.is_busy(1));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

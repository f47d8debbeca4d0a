//! `Sent` on the SPI and on the UART transmitter: a finished write is
//! "sent" only once its last frame has left the block (`SSPSR.BSY` clear
//! and `SSPSR.TFE` set; `UARTFR.BUSY` clear), on a stepped simulator whose
//! transmit FIFOs shift one frame per step.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::stepped;
use dma_impl_mock::sim::rp2040::Rp2040Sim;
use dma_impl_rp2040::{regs, Spi, Spi0, Uart, Uart0};
use dma_mmio::Reg;
use dma_traits::{DmaWrite, Sent, Transfer};

/// Steps `sim` until `done()`, at most 10 000 steps.
fn step_until(sim: &Rp2040Sim, mut done: impl FnMut() -> bool) {
    let steps = (0..10_000)
        .take_while(|_| {
            !done() && {
                sim.step();
                true
            }
        })
        .count();
    assert!(done(), "not done after {steps} steps");
}

/// A register of a block of the simulator, `offset` bytes from `base`.
fn register(base: *mut u32, offset: usize) -> Reg {
    // SAFETY: `base` is a block of the simulator, alive for the test.
    let block = unsafe { Reg::from_ptr(base) };
    // SAFETY: `offset` is one of the block's registers (§4.2.8, §4.4.4).
    unsafe { block.offset(offset) }
}

#[test]
fn spi_is_sent_only_when_the_last_frame_is_out() {
    let (sim, [tx, rx, ..]) = stepped();
    // SAFETY: the simulator's SPI0 block, alive for the test.
    let spi = unsafe { Spi::<Spi0>::new(sim.spi_base(0), tx, rx) };
    assert!(spi.is_sent(), "idle before any transfer");
    let data: &'static [u8] = &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    let t = DmaWrite::write_all(spi, data).ok().unwrap();
    step_until(&sim, || t.is_done());
    let spi = t.wait().ok().unwrap().resources;
    step_until(&sim, || spi.is_sent());
    let out: Vec<u32> = data.iter().map(|&b| u32::from(b)).collect();
    assert_eq!(sim.spi_sent(0), out, "sent means every frame is out");
    // A frame waiting in the transmit FIFO (written by the CPU): not sent
    // until it has shifted out.
    register(sim.spi_base(0), regs::SSPDR).write(0x5A);
    assert!(!spi.is_sent(), "sent while a frame waits in the transmit FIFO");
    step_until(&sim, || spi.is_sent());
    assert_eq!(sim.spi_sent(0).last(), Some(&0x5A), "sent means the frame is out");
}

#[test]
fn uart_is_sent_only_when_the_last_byte_is_out() {
    let (sim, [tx, rx, ..]) = stepped();
    // SAFETY: the simulator's UART0 block, alive for the test.
    let (tx, _rx) = unsafe { Uart::<Uart0>::new(sim.uart_base(0)) }.split(tx, rx);
    assert!(tx.is_sent(), "idle before any transfer");
    let data: &'static [u8] = b"hello, sent world";
    let t = tx.write_all(data).ok().unwrap();
    step_until(&sim, || t.is_done());
    let tx = t.wait().ok().unwrap().resources;
    step_until(&sim, || tx.is_sent());
    assert_eq!(sim.uart_sent(0), data, "sent means every byte is out");
    register(sim.uart_base(0), regs::UARTDR).write(u32::from(b'!'));
    assert!(!tx.is_sent(), "sent while a byte waits in the transmit FIFO");
    step_until(&sim, || tx.is_sent());
    assert_eq!(sim.uart_sent(0).last(), Some(&b'!'), "sent means the byte is out");
}

//! The STM32 simulators' manual behaviours, driven through `dma_mmio::Reg`
//! the way a driver does.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dma_mmio::Reg;

use super::{ChannelDma, Fault, Line, StreamDma, UsartLayout, UsartSim};
use crate::record::Recorder;

fn reg(base: *mut u32, offset: usize) -> Reg {
    // SAFETY: `offset` is inside the simulator's mapped block, which lives
    // as long as the simulator the caller holds.
    unsafe { Reg::from_ptr(base.wrapping_byte_add(offset)) }
}

const S0CR: usize = 0x10;
const S0NDTR: usize = 0x14;
const S0PAR: usize = 0x18;
const S0M0AR: usize = 0x1C;
const S0FCR: usize = 0x24;
/// `SxCR`: memory to memory, PINC, MINC, 8-bit.
const M2M: u32 = 0b10 << 6 | 1 << 9 | 1 << 10;

/// Programs stream 0 of `dma` for a copy of `n` bytes (FIFO mode), without EN.
fn program_copy(dma: &StreamDma, from: &[u8], to: &mut [u8]) {
    reg(dma.base(), S0NDTR).write(u32::try_from(from.len()).unwrap());
    reg(dma.base(), S0PAR).write_ptr(from.as_ptr());
    reg(dma.base(), S0M0AR).write_ptr(to.as_mut_ptr());
    reg(dma.base(), S0FCR).write(1 << 2 | 0b11);
    reg(dma.base(), S0CR).write(M2M);
}

/// Disables stream 0 as a driver must: clear EN, wait for it to read 0,
/// clear the flags.
fn off(dma: &StreamDma) {
    reg(dma.base(), S0CR).modify(|v| v & !1);
    while reg(dma.base(), S0CR).read() & 1 != 0 {}
    reg(dma.base(), 0x08).write(0x3D);
}

#[test]
fn a_channel_keeps_en_after_its_last_item_and_ignores_cndtr_while_enabled() {
    let dma = ChannelDma::new(Recorder::new());
    let (from, mut to) = ([1u8, 2, 3], [0u8; 3]);
    let (ccr1, cndtr1) = (0x08, 0x0C);
    reg(dma.base(), cndtr1).write(3);
    reg(dma.base(), 0x10).write_ptr(from.as_ptr());
    reg(dma.base(), 0x14).write_ptr(to.as_mut_ptr());
    reg(dma.base(), ccr1).write(1 << 14 | 1 << 7 | 1 << 6 | 1); // MEM2MEM, MINC, PINC, EN
    dma.run(100);
    assert_eq!(to, from);
    assert_eq!(reg(dma.base(), ccr1).read() & 1, 1, "RM0008 §13.3.3: EN stays 1");
    assert_eq!(reg(dma.base(), 0x00).read() & 0b11, 0b11, "GIF1 | TCIF1");
    reg(dma.base(), cndtr1).write(2);
    assert_eq!(reg(dma.base(), cndtr1).read(), 0, "CNDTR is read-only while EN = 1");
    let violations = dma.take_violations();
    assert!(
        violations.iter().any(|v| v.contains("NDTR written while EN reads 1")),
        "{violations:?}"
    );
    reg(dma.base(), ccr1).write(0);
    reg(dma.base(), cndtr1).write(2);
    assert_eq!(reg(dma.base(), cndtr1).read(), 2);
    assert!(dma.take_violations().is_empty());
}

#[test]
fn a_stream_drains_after_a_software_disable_and_sets_tcif() {
    let dma = StreamDma::new(Recorder::new());
    dma.set_disable_latency(3);
    let from: Vec<u8> = (1..=16).collect();
    let mut to = vec![0u8; 16];
    program_copy(&dma, &from, &mut to);
    reg(dma.base(), S0CR).modify(|v| v | 1);
    dma.step();
    dma.step();
    reg(dma.base(), S0CR).modify(|v| v & !1);
    // RM0090 §10.3.14: EN reads 1 and beats still move for a while.
    assert_eq!(reg(dma.base(), S0CR).read() & 1, 1, "EN still 1 right after the clear");
    assert_eq!(reg(dma.base(), S0CR).read() & 1, 1);
    assert_eq!(reg(dma.base(), S0CR).read() & 1, 0, "EN reads 0 after the drain");
    let moved = to.iter().filter(|&&b| b != 0).count();
    assert_eq!(moved, 4, "two beats before the clear, two during the drain");
    assert_eq!(reg(dma.base(), S0NDTR).read(), 12, "NDTR keeps what is left");
    assert_eq!(reg(dma.base(), 0x00).read() & (1 << 5), 1 << 5, "TCIF0 after a software disable");
    assert!(dma.take_violations().is_empty());
}

#[test]
fn en_is_refused_while_the_streams_flags_are_set() {
    let dma = StreamDma::new(Recorder::new());
    let (from, mut to) = ([5u8; 4], [0u8; 4]);
    program_copy(&dma, &from, &mut to);
    dma.fault(0, Fault::Fifo);
    reg(dma.base(), S0CR).modify(|v| v | 1);
    assert_eq!(reg(dma.base(), S0CR).read() & 1, 0, "RM0090 §10.5.5: the stream stays off");
    let violations = dma.take_violations();
    assert!(violations.iter().any(|v| v.contains("flags")), "{violations:?}");
    reg(dma.base(), 0x08).write(0x3D); // LIFCR: clear stream 0's flags
    reg(dma.base(), S0CR).modify(|v| v | 1);
    dma.run(100);
    assert_eq!(to, from);
    assert!(dma.take_violations().is_empty());
}

#[test]
fn the_configuration_is_write_protected_while_a_stream_runs() {
    let dma = StreamDma::new(Recorder::new());
    let (from, mut to) = ([5u8; 8], [0u8; 8]);
    program_copy(&dma, &from, &mut to);
    reg(dma.base(), S0CR).modify(|v| v | 1);
    reg(dma.base(), S0NDTR).write(1);
    reg(dma.base(), S0FCR).write(0);
    reg(dma.base(), S0CR).write(M2M | 1 | 1 << 16); // PL changed while EN = 1
    assert_eq!(dma.take_violations().len(), 3);
    dma.run(100);
    assert_eq!(to, from, "the ignored writes changed nothing");
}

#[test]
fn invalid_values_are_violations() {
    let dma = StreamDma::new(Recorder::new());
    // Large enough for 4 items of the reserved size (decoded as 4 bytes), and
    // aligned for them.
    #[repr(align(4))]
    struct Aligned([u8; 64]);
    let (from, mut to) = (Aligned([5; 64]), Aligned([0; 64]));
    let (from, to) = (&from.0, &mut to.0);
    // PSIZE = 0b11 (reserved), and direct mode memory to memory.
    reg(dma.base(), S0NDTR).write(4);
    reg(dma.base(), S0PAR).write_ptr(from.as_ptr());
    reg(dma.base(), S0M0AR).write_ptr(to.as_mut_ptr());
    reg(dma.base(), S0CR).write(M2M | 0b11 << 11 | 1);
    let violations = dma.take_violations();
    assert!(violations.iter().any(|v| v.contains("PSIZE = 0b11")), "{violations:?}");
    assert!(violations.iter().any(|v| v.contains("direct mode")), "{violations:?}");
    off(&dma);
    // CHSEL 8 on a 3-bit part; fine on a 4-bit one.
    program_copy(&dma, from, to);
    reg(dma.base(), S0CR).modify(|v| v | 8 << 25 | 1);
    assert!(dma.take_violations().iter().any(|v| v.contains("CHSEL = 8")));
    off(&dma);
    dma.set_requests(16);
    program_copy(&dma, from, to);
    reg(dma.base(), S0CR).modify(|v| v | 8 << 25 | 1);
    assert!(dma.take_violations().is_empty(), "16 requests on an F76x");
    off(&dma);
    // Memory to memory on a DMA1.
    dma.set_memory_to_memory(false);
    program_copy(&dma, from, to);
    reg(dma.base(), S0CR).modify(|v| v | 1);
    assert!(dma.take_violations().iter().any(|v| v.contains("only DMA2")));
    off(&dma);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "the driver wrote register values the reference manual forbids")]
fn a_violation_left_fails_the_test_when_the_simulator_is_dropped() {
    let dma = ChannelDma::new(Recorder::new());
    reg(dma.base(), 0x08).write(0b11 << 8 | 1); // PSIZE = 0b11
}

#[test]
fn bus_load_raises_feif_only_in_direct_mode() {
    let dma = StreamDma::new(Recorder::new());
    dma.fault(1, Fault::BusLoad);
    assert_eq!(reg(dma.base(), 0x00).read() >> 6 & 1, 1, "stream 1 in direct mode: FEIF1");
    reg(dma.base(), 0x24 + 0x18).write(1 << 2); // S1FCR: FIFO mode
    reg(dma.base(), 0x08).write(0x3D << 6);
    dma.fault(1, Fault::BusLoad);
    assert_eq!(reg(dma.base(), 0x00).read() >> 6 & 1, 0, "FIFO mode: nothing flagged");
}

#[test]
fn the_usart_requests_only_when_enabled() {
    let usart = UsartSim::new(UsartLayout::StatusData);
    let requests = usart.requests();
    let (cr1, cr3) = (0x0C, 0x14);
    reg(usart.base(), cr3).write(1 << 7 | 1 << 6); // DMAT | DMAR
    usart.feed(b"x");
    assert!(!requests.requesting(Line::Tx), "DMAT alone raises nothing");
    assert!(!requests.requesting(Line::Rx));
    reg(usart.base(), cr1).write(1 << 13 | 1 << 3); // UE | TE
    assert!(requests.requesting(Line::Tx));
    assert!(!requests.requesting(Line::Rx), "RE is off");
    reg(usart.base(), cr1).write(1 << 13 | 1 << 2); // UE | RE
    assert!(requests.requesting(Line::Rx));
    assert!(!requests.requesting(Line::Tx));
}

/// The FIFO SPI (RM0091 §26.3.7-§26.3.10, §26.5.3), by the CPU: `TXE`
/// while the transmit FIFO is at most half full, `FTLVL` its level, `RXNE`
/// at one byte with `FRXTH` and at two without, `FRLVL`, and the fifth
/// frame into a full receive FIFO lost with `OVR`; the SPI without FIFOs
/// takes one byte each way.
#[test]
fn a_fifo_spi_buffers_four_bytes_each_way() {
    use super::spi::{self, SpiSim};
    let level = |sr: u32, field: u32| (sr & field) >> field.trailing_zeros();
    let fifo = SpiSim::with_fifos();
    assert_eq!(fifo.status(), spi::TXE, "SR at reset");
    fifo.set_byte_ticks(10);
    fifo.feed(&[1, 2, 3, 4, 5]);
    // SPE and MSTR: a byte written moves into the shift register at once.
    reg(fifo.base(), spi::CR1).write(spi::SPE | spi::MSTR);
    let dr = reg(fifo.base(), spi::DR);
    for (byte, txe, ftlvl) in [(10, true, 0), (11, true, 1), (12, true, 2), (13, false, 3)] {
        dr.write(byte);
        let sr = fifo.status();
        assert_eq!((sr & spi::TXE != 0, level(sr, spi::FTLVL)), (txe, ftlvl), "after {byte}");
    }
    assert!(!fifo.tx_overflowed());
    // A frame is 10 ticks (each access above was one): let the four go,
    // one `SR` read a tick.
    let sr = reg(fifo.base(), spi::SR);
    for _ in 0..40 {
        sr.read();
    }
    let now = fifo.status();
    assert_eq!(now & (spi::BSY | spi::TXE), spi::TXE, "all sent: {now:#x}");
    assert_eq!(level(now, spi::FRLVL), 3, "four bytes received: the FIFO is full");
    assert_eq!(now & spi::RXNE, spi::RXNE);
    // Without FRXTH, RXNE needs two bytes.
    assert_eq!([dr.read(), dr.read(), dr.read()], [1, 2, 3]);
    assert_eq!(fifo.status() & spi::RXNE, 0, "one byte left, FRXTH clear");
    reg(fifo.base(), spi::CR2).write(spi::FRXTH);
    assert_eq!(fifo.status() & spi::RXNE, spi::RXNE, "one byte, FRXTH set");
    assert_eq!(dr.read(), 4);
    assert_eq!(fifo.status() & spi::OVR, 0);
    // Five more frames into four places: the fifth is lost.
    for byte in 0..5 {
        dr.write(byte);
        for _ in 0..10 {
            sr.read();
        }
    }
    assert_eq!(fifo.status() & spi::OVR, spi::OVR, "the fifth frame overran");
    assert_eq!([dr.read(), dr.read(), dr.read(), dr.read()], [5, 0xFF, 0xFF, 0xFF]);

    let plain = SpiSim::new();
    reg(plain.base(), spi::CR1).write(spi::SPE | spi::MSTR);
    let dr = reg(plain.base(), spi::DR);
    dr.write(1);
    dr.write(2);
    assert_eq!(plain.status() & (spi::TXE | spi::FTLVL | spi::FRLVL), 0, "one byte waits");
}

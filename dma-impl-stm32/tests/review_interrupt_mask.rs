//! Outside soundness review, finding 3 (fixed): the STM32 `Interrupt`
//! token against the *hardware* changing `SxCR` while the token works.
//!
//! The finding, as reported against the token's old mask (a
//! read-modify-write of `SxCR`):
//!
//! The module docs of `dma_impl_stm32::interrupt` argue that "no
//! interleaving can change `EN` or the configuration behind the owner's
//! back" because the mask runs in a critical section. A critical section
//! excludes the owner's code, not the DMA: a stream clears `EN` itself at
//! the end of a one-shot transfer and toggles `CT` at each fill of a
//! double-buffered one (RM0090 §10.5.5), and the mask then writes back the
//! `EN` / `CT` it read before. The `interleave` hook below lets the
//! simulated stream advance exactly there, as real hardware may.
//!
//! The fix: the token no longer writes `SxCR` at all. It clears the flags
//! it read (`LIFCR`, write-1-to-clear) and keeps them in the stream's
//! `InterruptFlags` for the transfer. The hook now steps the stream at the
//! token's only write, between its read of the flags and their clear (and,
//! were the token to write `SxCR` again, at that write too). 3b also fixed
//! the simulator: with `EN` set, a `CT` written is ignored, as RM0090 says.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::rc::Rc;

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_stm32::interrupt::{Interrupt, InterruptFlags, Irq};
use dma_impl_stm32::stream::{self, Stream};
use dma_impl_stm32::usart::{InterruptStatus, RxHalf, Usart, UsartRx};
use dma_mmio::host::interleave::{interleave, CpuAccess};
use dma_traits::{CompilerFence, DmaRead, Transfer};

/// `S2CR`, and its `CT` bit; `LIFCR` (streams 0..=3).
const S2CR: usize = 0x10 + 0x18 * 2;
const LIFCR: usize = 0x08;
const CT: u32 = 1 << 19;

type Rx =
    UsartRx<InterruptStatus, Stream<2, stream::Dma2, Irq>, CompilerFence, RxHalf<InterruptStatus>>;

/// A stepped stream DMA and USART; the USART's RX on stream 2, with its
/// interrupt token taken.
fn rig() -> (StreamDma, UsartSim, Rx, Interrupt) {
    let dma = StreamDma::new(Recorder::new());
    let usart = UsartSim::new(UsartLayout::InterruptStatus);
    dma.wire(7, 4, usart.requests(), Line::Tx);
    dma.wire(2, 4, usart.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values (returned first, so
    // the callers declare them first and drop them last).
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<InterruptStatus>::from_base(usart.base()) };
    driver.enable(1);
    let flags = Box::leak(Box::new(InterruptFlags::new()));
    let (rx_stream, irq) = controller.stream::<2>(4).unwrap().interrupt(flags).unwrap();
    let (_tx, rx) = driver.split(controller.stream::<7>(4).unwrap(), rx_stream, CompilerFence);
    (dma, usart, rx, irq)
}

/// Acknowledges with `irq` while the stream moves one item before the
/// token's first write (a flag clear, or a control-register write were it
/// to make one), after its reads; after it if it writes nothing.
fn mask_across_one_beat(dma: &Rc<StreamDma>, irq: Interrupt) {
    let (cr, lifcr) = (dma.base() as usize + S2CR, dma.base() as usize + LIFCR);
    let hardware = Rc::clone(dma);
    let stepped = Rc::new(std::cell::Cell::new(false));
    let seen = Rc::clone(&stepped);
    let hook = interleave(move |access| {
        if !seen.get() && (access == CpuAccess::Write(cr) || access == CpuAccess::Write(lifcr)) {
            seen.set(true);
            hardware.step();
        }
    });
    irq.acknowledge();
    drop(hook);
    // A token that found no flag to clear wrote nothing: the beat comes
    // right after it instead.
    if !stepped.get() {
        dma.step();
    }
}

/// The stream ends a one-shot reception (clears `EN`, sets `TCIF`) inside
/// the mask; the mask writes `EN` = 1 back, with `TCIF` set: RM0090
/// §10.5.5 forbids it (the flags must be cleared before `EN` is set), and
/// what the stream does then is not specified. (The driver's own stop
/// still disables and waits, so this is a manual violation, not a buffer
/// given back early.)
#[test]
fn a_mask_racing_the_end_of_a_transfer_does_not_set_en_again() {
    let (dma, usart, rx, irq) = rig();
    let dma = Rc::new(dma);
    let reading = rx.read_exact(vec![0u8; 2].into_boxed_slice()).ok().unwrap();
    usart.feed(b"xy");
    assert!(dma.step(), "x moved");
    mask_across_one_beat(&dma, irq);
    let violations = dma.take_violations();
    let done = reading.wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"xy");
    assert!(violations.is_empty(), "{violations:?}");
}

/// Double-buffer mode: the stream switches `CT` to `M1AR` at the end of
/// fill 0, inside the mask; the mask writes the old `CT` back. On the chip
/// that write is ignored (RM0090 §10.5.5: with `EN` set, `CT` "operates as a
/// status flag"), the simulator takes it: fill 1 then goes into buffer 0
/// again, and the driver hands out buffer 1, which the DMA never wrote, as
/// fill 1. A simulator that accepts what the hardware refuses can hide or
/// invent driver bugs in every test that runs on it.
#[test]
fn a_mask_racing_the_buffer_switch_leaves_ct_to_the_hardware() {
    let (dma, usart, rx, irq) = rig();
    let dma = Rc::new(dma);
    let halves: (Box<[u8]>, Box<[u8]>) = (vec![0u8; 3].into(), vec![0u8; 3].into());
    let mut db = rx.read_double_buffered(halves).ok().unwrap();
    let mut out = [0u8; 3];
    usart.feed(b"ab");
    dma.step();
    assert_eq!(db.read_completed(&mut out), Ok(None), "half of fill 0");
    dma.step();
    usart.feed(b"c");
    mask_across_one_beat(&dma, irq); // 'c' ends fill 0: CT switches to 1
    let ct = dma.register(S2CR) & CT != 0;
    assert_eq!(db.read_completed(&mut out), Ok(Some((0, 3))));
    assert_eq!(&out, b"abc");
    usart.feed(b"def");
    dma.step();
    assert_eq!(db.read_completed(&mut out), Ok(None), "half of fill 1");
    (0..4).for_each(|_| {
        dma.step();
    });
    let fill1 = db.read_completed(&mut out);
    let stopped = db.stop().ok().unwrap();
    assert!(
        ct && fill1 == Ok(Some((1, 3))) && &out == b"def",
        "CT after the mask {ct}; fill 1 handed out as {fill1:?} {out:?}; buffers at the stop \
         {:?} {:?}",
        stopped.buffer.0,
        stopped.buffer.1
    );
}

/// Control for 3b: the same schedule with the beat outside any mask; the
/// switch to `M1AR` and both fills arrive as sent (catches a simulator
/// that never switched `CT`, which would make 3b prove nothing).
#[test]
fn without_the_mask_the_buffers_alternate() {
    let (dma, usart, rx, _irq) = rig();
    let halves: (Box<[u8]>, Box<[u8]>) = (vec![0u8; 3].into(), vec![0u8; 3].into());
    let mut db = rx.read_double_buffered(halves).ok().unwrap();
    let mut out = [0u8; 3];
    usart.feed(b"ab");
    dma.step();
    assert_eq!(db.read_completed(&mut out), Ok(None), "half of fill 0");
    dma.step();
    usart.feed(b"c");
    dma.step();
    assert_ne!(dma.register(S2CR) & CT, 0, "switched to M1AR");
    assert_eq!(db.read_completed(&mut out), Ok(Some((0, 3))));
    assert_eq!(&out, b"abc");
    usart.feed(b"def");
    dma.step();
    assert_eq!(db.read_completed(&mut out), Ok(None), "half of fill 1");
    (0..4).for_each(|_| {
        dma.step();
    });
    assert_eq!(db.read_completed(&mut out), Ok(Some((1, 3))));
    assert_eq!(&out, b"def");
    assert!(db.stop().is_ok());
}

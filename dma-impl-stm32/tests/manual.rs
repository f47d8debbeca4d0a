//! The driver against the behaviours the reference manuals describe and the
//! simulator models (see `dma_impl_mock::sim::stm32`): a stream keeps
//! running for a while after `EN` is cleared (RM0090 §10.3.14), a channel
//! keeps `EN` after its last item (RM0008 §13.3.3), `EN` is refused while
//! flags are set (RM0090 §10.5.5), `FEIF` is harmless in direct mode and an
//! error in FIFO mode (§10.3.18), the USART's DMA enables are cleared, the
//! `CHSEL` range is the part's and the counter holds 65535 items.
//!
//! Every wait is bounded (a broken driver fails, it does not hang).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use common::*;
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::stm32::{ChannelDma, Fault, Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_stm32::memory::Memory;
use dma_impl_stm32::usart::{InterruptStatus, Usart};
use dma_impl_stm32::{channel, stream, Error};
use dma_traits::{
    Access, CompilerFence, DmaCopy, DmaFence, DmaRead, DmaWrite, FenceError, Transfer,
};

/// Steps `dma` until `transfer` is done (at most `limit` steps); panics if
/// it never is, after stopping it (so the panic leaves no DMA running).
fn finish<T: Transfer>(dma: &impl Sim, transfer: T, limit: usize) -> dma_traits::Outcome<T> {
    for _ in 0..limit {
        if transfer.is_done() {
            return transfer.wait();
        }
        dma.step();
    }
    drop(transfer.stop());
    panic!("the transfer did not finish within {limit} steps");
}

/// Polls a transfer on a threaded simulator (bounded, 5 s).
fn finish_threaded<T: Transfer>(transfer: T) -> dma_traits::Outcome<T> {
    for _ in 0..5_000 {
        if transfer.is_done() {
            return transfer.wait();
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    drop(transfer.stop());
    panic!("the transfer did not finish within 5 s");
}

#[test]
fn a_stream_stop_returns_only_once_en_reads_0() {
    let (rig, tx, _rx) = stream_rig(false);
    // A USART that takes a byte at every beat (one tick a frame), so the
    // beats of the drain are not held back by the shift register.
    rig.usart.set_frame_ticks(1);
    let transfer = tx.write_all(bytes(16, |i| i as u8)).ok().unwrap();
    for _ in 0..3 {
        rig.dma.step();
    }
    // Clearing EN takes effect after a few ticks, with data still moving
    // (RM0090 §10.3.14): the stop must wait for EN = 0.
    let stopped = transfer.stop().ok().unwrap();
    rig.mark("stop returned");
    assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "EN reads 0 once stop returns");
    let sent = rig.usart.take_sent().len();
    assert!(sent > 3, "beats moved after EN was cleared ({sent})");
    assert_eq!(stopped.transferred, sent, "transferred is what moved, drain included");
    rig.run();
    let log = rig.log.events();
    let mark = position(&log, |e| matches!(e, Event::Note("stop returned"))).unwrap();
    assert!(!log[mark..].iter().any(is_dma_access), "no DMA access after stop returned");
    let stop = last_position(&log[..mark], |e| matches!(e, Event::Stopped)).unwrap();
    let last_access = last_position(&log[..mark], is_dma_access).unwrap();
    let acquire = last_position(&log[..mark], |e| matches!(e, Event::Acquire { .. })).unwrap();
    assert!(last_access < stop && stop < acquire, "access < Stopped < acquire");
    // A software disable sets TCIF (RM0090 §10.3.14); the driver cleared it.
    assert_eq!(rig.dma.register(0x04) >> 22 & 0x3D, 0, "stream 7's flags cleared");
}

/// A fence that counts releases made while the watched channel's `EN` reads
/// 1 (a release after enabling) and acquires made while it reads 1 (an
/// acquire before the stop was observed).
#[derive(Clone, Copy)]
struct Watch {
    en: fn() -> bool,
    bad: &'static AtomicUsize,
}

// SAFETY: `CompilerFence`'s fences, plus a register read of the simulator.
unsafe impl DmaFence for Watch {
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError> {
        if (self.en)() {
            self.bad.fetch_add(1, Ordering::SeqCst);
        }
        CompilerFence.release(buf, access)
    }
    fn acquire<W>(self, buf: *const [W], access: Access) {
        CompilerFence.acquire(buf, access);
        if (self.en)() {
            self.bad.fetch_add(1, Ordering::SeqCst);
        }
    }
}

static STREAM: OnceLock<(StreamDma, UsartSim)> = OnceLock::new();
static CHANNEL: OnceLock<(ChannelDma, UsartSim)> = OnceLock::new();
static STREAM_BAD: AtomicUsize = AtomicUsize::new(0);
static CHANNEL_BAD: AtomicUsize = AtomicUsize::new(0);

#[test]
fn fences_run_only_while_the_stream_is_disabled() {
    let (dma, usart) = STREAM.get_or_init(|| {
        let dma = StreamDma::new(Recorder::new());
        let usart = UsartSim::new(UsartLayout::InterruptStatus);
        fast_line_under_miri(&usart);
        dma.wire(7, 4, usart.requests(), Line::Tx);
        dma.wire(2, 4, usart.requests(), Line::Rx);
        (dma, usart)
    });
    let en = || STREAM.get().is_some_and(|(d, _)| d.register(0x10 + 0x18 * 7) & 1 != 0);
    let fence = Watch { en, bad: &STREAM_BAD };
    // SAFETY: the simulators are statics, alive for the whole run.
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<InterruptStatus>::from_base(usart.base()) };
    driver.enable(1);
    let mut tx = driver.transmitter(controller.stream::<7>(4).unwrap(), fence);
    for stop_after in [None, Some(2), Some(0)] {
        let transfer = tx.write_all(bytes(8, |i| i as u8)).ok().unwrap();
        tx = match stop_after {
            None => finish(dma, transfer, 1_000).ok().unwrap().resources,
            Some(n) => {
                for _ in 0..n {
                    dma.step();
                }
                transfer.stop().ok().unwrap().resources
            }
        };
    }
    let transfer = tx.write_all(bytes(8, |i| i as u8)).ok().unwrap();
    dma.step();
    drop(transfer);
    assert_eq!(STREAM_BAD.load(Ordering::SeqCst), 0, "a fence ran while EN read 1");
    assert_eq!(dma.take_violations(), Vec::<String>::new());
}

#[test]
fn fences_run_only_while_the_channel_is_disabled() {
    let (dma, usart) = CHANNEL.get_or_init(|| {
        let dma = ChannelDma::new(Recorder::new());
        let usart = UsartSim::new(UsartLayout::StatusData);
        fast_line_under_miri(&usart);
        dma.wire(4, usart.requests(), Line::Tx);
        (dma, usart)
    });
    let en = || CHANNEL.get().is_some_and(|(d, _)| d.register(0x08 + 0x14 * 3) & 1 != 0);
    let fence = Watch { en, bad: &CHANNEL_BAD };
    // SAFETY: the simulators are statics, alive for the whole run.
    let mut controller = unsafe { channel::Dma::from_base(dma.base(), 7) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<dma_impl_stm32::usart::StatusData>::from_base(usart.base()) };
    driver.enable(1);
    let mut tx = driver.transmitter(controller.channel::<4>().unwrap(), fence);
    for stop_after in [None, Some(2)] {
        let transfer = tx.write_all(bytes(8, |i| i as u8)).ok().unwrap();
        tx = match stop_after {
            None => finish(dma, transfer, 1_000).ok().unwrap().resources,
            Some(n) => {
                for _ in 0..n {
                    dma.step();
                }
                transfer.stop().ok().unwrap().resources
            }
        };
    }
    assert_eq!(CHANNEL_BAD.load(Ordering::SeqCst), 0, "a fence ran while EN read 1");
    assert_eq!(dma.take_violations(), Vec::<String>::new());
}

#[test]
fn a_channel_is_disabled_after_its_last_item_and_reprogrammed() {
    let (rig, tx, _rx) = channel_rig(false);
    rig.fast_line_under_miri();
    let t = tx.write_all(bytes(4, |i| i as u8)).ok().unwrap();
    rig.run();
    // RM0008 §13.3.3: EN stays 1 after the last item; the driver clears it.
    assert_eq!(rig.dma.register(rig.tx_cr) & 1, 1, "the channel keeps EN after TC");
    let done = finish(&rig.dma, t, 100).ok().unwrap();
    assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0, "the driver cleared EN");
    let t = done.resources.write_all(bytes(3, |i| 10 + i as u8)).ok().unwrap();
    let done = finish(&rig.dma, t, 100).ok().unwrap();
    assert_eq!(done.transferred, 3);
    assert_eq!(rig.usart.take_sent(), [0, 1, 2, 3, 10, 11, 12]);
    assert_eq!(rig.dma.take_violations(), Vec::<String>::new());
}

#[test]
fn stale_flags_are_cleared_before_enable() {
    let (rig, tx, _rx) = stream_rig(false);
    rig.fast_line_under_miri();
    // Flags left from earlier (another owner, a reset value the driver
    // does not know): EN is refused while they are set (RM0090 §10.5.5).
    rig.dma.fault(7, Fault::Fifo);
    rig.dma.fault(7, Fault::DirectMode);
    let t = tx.write_all(bytes(4, |i| i as u8)).ok().unwrap();
    let done = finish(&rig.dma, t, 100).ok().unwrap();
    assert_eq!((done.transferred, rig.usart.take_sent()), (4, vec![0, 1, 2, 3]));
    assert_eq!(rig.dma.take_violations(), Vec::<String>::new());
}

#[test]
fn bus_load_feif_in_direct_mode_is_not_an_error() {
    let (rig, tx, rx) = stream_rig(true);
    rig.fast_line_under_miri();
    // Under Miri (threaded: every beat and poll interpreted) 8 bytes each
    // way, the bus load still well inside both transfers; natively 32 / 16.
    let (out, back) = if cfg!(miri) { (8, 8) } else { (32, 16) };
    rig.dma.bus_load_after(7, 3);
    let t = tx.write_all(bytes(out, |i| i as u8)).ok().unwrap();
    let done = finish_threaded(t).ok().unwrap();
    assert_eq!(done.transferred, out);
    assert_eq!(rig.usart.take_sent(), (0..out as u8).collect::<Vec<u8>>());
    rig.dma.bus_load_after(2, 5);
    rig.usart.feed(&vec![7; back]);
    let t = rx.read_exact(bytes(back, |_| 0)).ok().unwrap();
    let done = finish_threaded(t).ok().unwrap();
    assert_eq!(*done.buffer, *vec![7; back]);
}

#[test]
fn feif_in_fifo_mode_is_an_error() {
    let sim = StreamDma::new(Recorder::new());
    // SAFETY: a simulated controller owned by this test.
    let mut dma2 = unsafe { stream::Dma::<stream::Dma2>::from_base(sim.base()) };
    let memory = Memory::new(dma2.stream::<3>(0).unwrap(), CompilerFence);
    let from: Box<[u32]> = (0..8).collect();
    let copy = memory.copy(from, vec![0u32; 8].into_boxed_slice()).ok().unwrap();
    sim.step();
    sim.fault(3, Fault::Fifo); // FIFO mode (memory to memory): RM0090 §10.3.18
    let err = finish(&sim, copy, 100).err().unwrap();
    assert_eq!(err.error, Error::Fifo);
    assert_eq!(sim.take_violations(), Vec::<String>::new());
}

#[test]
fn the_usart_dma_enables_are_cleared_on_every_end() {
    let (rig, tx, rx) = stream_rig(false);
    rig.fast_line_under_miri();
    let t = tx.write_all(bytes(4, |i| i as u8)).ok().unwrap();
    assert_ne!(rig.usart.cr3() & (1 << 7), 0, "DMAT set while running");
    let tx = finish(&rig.dma, t, 100).ok().unwrap().resources;
    assert_eq!(rig.usart.cr3() & (1 << 7), 0, "DMAT cleared on completion");
    let t = tx.write_all(bytes(4, |i| i as u8)).ok().unwrap();
    rig.dma.step();
    drop(t.stop());
    assert_eq!(rig.usart.cr3() & (1 << 7), 0, "DMAT cleared on stop");
    rig.usart.feed(b"ab");
    let t = rx.read_exact(bytes(2, |_| 0)).ok().unwrap();
    assert_ne!(rig.usart.cr3() & (1 << 6), 0, "DMAR set while running");
    let rx = finish(&rig.dma, t, 100).ok().unwrap().resources;
    assert_eq!(rig.usart.cr3() & (1 << 6), 0, "DMAR cleared on completion");
    let t = rx.read_exact(bytes(2, |_| 0)).ok().unwrap();
    drop(t);
    assert_eq!(rig.usart.cr3() & (1 << 6), 0, "DMAR cleared on drop");
}

#[test]
fn chsel_is_bounded_by_the_part() {
    let sim = StreamDma::new(Recorder::new());
    // SAFETY: a simulated controller owned by this test (streams taken only).
    let mut f4 = unsafe { stream::Dma::<stream::Dma2<stream::F4>>::from_base(sim.base()) };
    assert!(f4.stream::<0>(8).is_none(), "CHSEL is 3 bits on F2/F4/F74x");
    assert!(f4.stream::<0>(7).is_some());
    // SAFETY: as above.
    let mut f76x = unsafe { stream::Dma::<stream::Dma2<stream::F76x>>::from_base(sim.base()) };
    assert!(f76x.stream::<1>(16).is_none());
    assert!(f76x.stream::<1>(15).is_some(), "4 bits on F76x/F77x");
}

#[test]
fn the_counter_holds_65535_items_and_no_more() {
    let (rig, tx, _rx) = stream_rig(false);
    let err = tx.write_all(vec![0u8; 65_536].into_boxed_slice()).err().unwrap();
    assert_eq!(err.error, Error::TooLong { items: 65_536, max: 65_535 });
    let t = err.resources.write_all(vec![0u8; 65_535].into_boxed_slice()).ok().unwrap();
    assert_eq!(rig.dma.register(rig.tx_cr + 4), 65_535, "NDTR = 65535");
    rig.dma.step();
    let stopped = t.stop().ok().unwrap();
    assert_eq!(stopped.transferred, rig.usart.take_sent().len());
    let (rig, _tx, rx) = channel_rig(false);
    let t = rx.read_exact(vec![0u8; 65_535].into_boxed_slice()).ok().unwrap();
    assert_eq!(rig.dma.register(rig.rx_cr + 4), 65_535, "CNDTR = 65535");
    drop(t);
}

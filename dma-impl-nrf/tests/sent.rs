//! `dma_traits::Sent`: whether what a finished transfer gave the peripheral
//! has left it, against the simulator's model of the UARTE transmitter (the
//! last byte leaves a frame after `ENDTX`, `TXSTOPPED` only after it).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{regs, EasyDmaSim, SimConfig};
use dma_impl_nrf::{Nrf52840, Spim, Twim, Uarte, UarteTx};
use dma_traits::{DmaWrite, Sent, Transfer};

fn tx(sim: &EasyDmaSim) -> UarteTx<Nrf52840> {
    // SAFETY: the simulator's mapped block, used only by this UARTE.
    unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0
}

#[test]
fn a_fresh_transmitter_is_sent() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    assert!(tx(&sim).is_sent(), "never started: nothing in it");
}

/// ENDTX (the transfer is done) comes while the last byte is still in the
/// transmitter; after `wait` (STOPTX, TXSTOPPED) it has left.
#[test]
fn uarte_endtx_is_done_not_sent_and_wait_leaves_it_sent() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let transfer = tx(&sim).write_all(b"abc".to_vec()).unwrap();
    while !transfer.is_done() {
        assert!(sim.step(), "the transmission moves");
    }
    assert_eq!(sim.take_sent(), b"ab", "ENDTX: EasyDMA read `c`, the wire has not had it");
    assert_eq!(sim.register(regs::EVENTS_TXSTOPPED), 0);
    let done = transfer.wait().unwrap();
    assert_eq!(done.transferred, 3);
    assert!(done.resources.is_sent(), "wait waited for TXSTOPPED");
    assert_eq!(sim.take_sent(), b"c", "and the last byte is out");
    done.resources.wait_sent();
}

/// Threaded: whenever `is_sent` says so, every byte is on the wire, and
/// `wait_sent` returns only then.
#[test]
fn uarte_is_sent_only_when_the_wire_has_every_byte() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let mut tx = tx(&sim);
    let mut wire = Vec::new();
    let rounds = if cfg!(miri) { 3 } else { 50 };
    for round in 0..rounds {
        let data: Vec<u8> = (0..=(round % 7) as u8).collect();
        let done = tx.write_all(data.clone()).unwrap().wait().unwrap();
        tx = done.resources;
        let sent_now = tx.is_sent();
        wire.extend(sim.take_sent());
        if sent_now {
            assert!(wire.ends_with(&data), "is_sent, but the wire lacks the tail: {wire:?}");
        }
        assert!(sent_now, "right after wait the transmitter is stopped (TXSTOPPED)");
        tx.wait_sent();
        wire.extend(sim.take_sent());
        assert!(wire.ends_with(&data), "wait_sent returned before the tail left: {wire:?}");
        wire.clear();
    }
}

/// A stop in the middle (a dropped transfer) also leaves the transmitter
/// sent: what EasyDMA read has left, nothing more follows.
#[test]
fn uarte_a_stopped_transfer_is_sent() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let transfer = tx(&sim).write_all(b"abcdef".to_vec()).unwrap();
    sim.step();
    sim.step();
    let stopped = transfer.stop();
    let (tx, moved) = match stopped {
        Ok(done) => (done.resources, done.transferred),
        Err(failed) => (failed.resources, failed.transferred),
    };
    assert!(tx.is_sent());
    assert_eq!(sim.take_sent().len(), moved, "every byte EasyDMA read left, no more");
    assert!(sim.is_idle());
}

#[test]
fn spim_is_sent_after_wait_with_every_frame_clocked() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    assert!(spim.is_sent());
    let done = spim.write_all(vec![1u8, 2, 3]).unwrap().wait().unwrap();
    assert!(done.resources.is_sent());
    assert_eq!(sim.take_sent(), [1, 2, 3]);
    assert!(sim.is_idle());
}

#[test]
fn twim_is_sent_after_wait_with_the_bus_stopped() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used only by this TWIM.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) };
    let done = twim.write_all(vec![0x10u8, 0x20]).unwrap().wait().unwrap();
    assert!(done.resources.is_sent());
    assert_eq!(sim.take_sent(), [0x10, 0x20]);
    assert!(sim.is_idle());
}

/// A fence that refuses two-byte buffers (a fence's refusal depends on the
/// buffer: `CortexM7DCache` refuses some and not others).
#[derive(Debug, Clone, Copy)]
struct RefusesTwoBytes;

// SAFETY: `release` fails for two-element buffers and changes nothing
// then; for others it is a compiler fence, enough for the simulator (whose
// DMA is the host CPU); `acquire` likewise.
unsafe impl dma_traits::DmaFence for RefusesTwoBytes {
    fn release<W>(
        self,
        buf: *const [W],
        access: dma_traits::Access,
    ) -> Result<(), dma_traits::FenceError> {
        if buf.len() == 2 {
            return Err(dma_traits::FenceError::NotCacheLineAligned {
                address: buf.cast::<W>() as usize,
                bytes: 2,
            });
        }
        dma_traits::CompilerFence.release(buf, access)
    }
    fn acquire<W>(self, buf: *const [W], access: dma_traits::Access) {
        dma_traits::CompilerFence.acquire(buf, access);
    }
}

/// A transmission refused by the fence leaves the transmitter as sent as
/// the last one left it: `wait_sent` returns (it used to spin for a
/// `TXSTOPPED` the refused start had cleared).
#[test]
fn uarte_a_refused_transfer_keeps_the_last_one_sent() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // SAFETY: the simulator's mapped block, used only by this UARTE.
    let uarte = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.with_fence(RefusesTwoBytes);
    let transfer = uarte.split().0.write_all(b"ok!".to_vec()).unwrap();
    while !transfer.is_done() {
        assert!(sim.step(), "the transmission moves");
    }
    let tx = transfer.wait().unwrap().resources;
    assert!(tx.is_sent());
    let refused = tx.write_all(b"no".to_vec()).err().unwrap();
    assert!(matches!(refused.error, dma_impl_nrf::Error::Fence(_)), "{:?}", refused.error);
    assert!(refused.resources.is_sent(), "the refused start changed no event");
    refused.resources.wait_sent();
}

//! SPIM against the register-level simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{Chip, Error, Nrf52832, Nrf52840, Spim};
use dma_traits::{DmaFullDuplex, DmaWrite, Transfer};

fn spim<C: Chip>(sim: &EasyDmaSim) -> Spim<C> {
    // SAFETY: the simulator's block, used only by this SPIM.
    unsafe { Spim::<C>::new(sim.base()) }
}

#[test]
fn rx_longer_than_tx_clocks_out_the_orc() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    let mut spim = spim::<Nrf52840>(&sim);
    spim.set_orc(0xAB);
    sim.feed(&[10, 11, 12, 13, 14]);
    let done = spim.transfer(vec![1u8, 2, 3], vec![0u8; 5]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 5, "five frames clocked");
    assert_eq!(sim.take_sent(), [1, 2, 3, 0xAB, 0xAB]);
    assert_eq!(done.buffer.1, [10, 11, 12, 13, 14]);
}

#[test]
fn tx_longer_than_rx_drops_the_extra_input() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    let spim = spim::<Nrf52840>(&sim);
    sim.feed(&[20, 21, 22, 23]);
    let done = spim.transfer(vec![5u8, 6, 7, 8], vec![0u8; 2]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 4);
    assert_eq!(sim.take_sent(), [5, 6, 7, 8]);
    assert_eq!(done.buffer.1, [20, 21]);
    assert_eq!(sim.pending_feed(), 0, "all four frames clocked in");
}

#[test]
fn write_only_and_read_only_transfers_work() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    let spim = spim::<Nrf52840>(&sim);
    let done = spim.transfer(vec![1u8, 2], Vec::<u8>::new()).unwrap().wait().unwrap();
    assert_eq!(sim.take_sent(), [1, 2]);
    sim.feed(&[9, 8]);
    let done = done.resources.transfer(Vec::<u8>::new(), vec![0u8; 2]).unwrap().wait().unwrap();
    assert_eq!(done.buffer.1, [9, 8]);
}

#[test]
fn bad_buffers_are_refused_with_both_given_back() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    let spim = spim::<Nrf52832>(&sim);
    let rejected = spim.transfer(vec![1u8; 4], vec![0u8; 256]).expect_err("256 > 255 on nRF52832");
    assert_eq!(rejected.error, Error::TooLong { len: 256, max: 255 });
    assert_eq!(rejected.buffer.0, vec![1u8; 4]);
    assert_eq!(rejected.buffer.1.len(), 256);
    let rejected = rejected
        .resources
        .transfer(Vec::<u8>::new(), Vec::<u8>::new())
        .expect_err("nothing to clock");
    assert_eq!(rejected.error, Error::Empty);
    assert_eq!(sim.starts(), 0);
}

#[test]
fn dropping_an_unfinished_transfer_waits_for_stopped() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::spim(&log, SimConfig::nrf52840());
    // SAFETY: as in `spim`.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    sim.stall_after(3);
    let transfer = spim.transfer(vec![1u8; 16], vec![0u8; 16]).unwrap();
    common::wait_for_dma(&log, 6);
    assert!(!transfer.is_done());
    drop(transfer);
    log.push(Event::Note("drop returned"));
    common::assert_stopped_before(&log, "drop returned");
    let acquires = log.events().iter().filter(|e| matches!(e, Event::Acquire { .. })).count();
    assert_eq!(acquires, 2, "both buffers acquired");
}

#[test]
fn stop_reports_frames_clocked_so_far() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::spim(&log, SimConfig::nrf52840());
    // SAFETY: as in `spim`.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    sim.stall_after(3);
    let transfer = spim.transfer(vec![1u8; 8], vec![0u8; 8]).unwrap();
    common::wait_for_dma(&log, 6);
    let done = transfer.stop().unwrap();
    assert_eq!(done.transferred, 3);
}

/// A `STOPPED` left from before must not end the wait of the next stop.
/// Deterministic: a stepped simulator whose stop takes effect at a step
/// (`defer_stops`), stepped only from the second read of `STOPPED` after the
/// `STOP` task on, so a drop that takes the stale event for its own returns
/// while the SPIM still runs (with a threaded simulator the stop could
/// finish between the task and the first read, and hide that).
#[test]
fn a_stale_stopped_does_not_end_the_stop_of_the_next_transfer() {
    use dma_impl_nrf::regs::{EVENTS_STOPPED, TASKS_STOP};
    use dma_mmio::host::interleave::{interleave, CpuAccess};
    use std::cell::Cell;
    use std::rc::Rc;

    let (log, fence) = common::recording();
    let sim = EasyDmaSim::spim(&log, SimConfig::nrf52840().step());
    // SAFETY: as in `spim`.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    common::set_event(&sim, EVENTS_STOPPED);
    sim.stall_after(3);
    sim.defer_stops();
    let transfer = spim.transfer(vec![1u8; 16], vec![0u8; 16]).unwrap();
    sim.run(100);
    assert!(!transfer.is_done(), "stalled after 3 bytes");
    let base = sim.base() as usize;
    let step = sim.stepper();
    let reads_since_stop = Rc::new(Cell::new(None::<usize>));
    let seen = Rc::clone(&reads_since_stop);
    let hook = interleave(move |access| match access {
        CpuAccess::Write(a) if a == base + TASKS_STOP => seen.set(Some(0)),
        CpuAccess::Read(a) if a == base + EVENTS_STOPPED => {
            if let Some(n) = seen.get() {
                seen.set(Some(n + 1));
                if n >= 1 {
                    step();
                }
            }
        }
        _ => {}
    });
    drop(transfer);
    drop(hook);
    log.push(Event::Note("drop returned"));
    assert!(reads_since_stop.get().is_some(), "the drop triggered STOP");
    assert!(sim.is_idle(), "the drop waited for this transaction's STOPPED");
    common::assert_stopped_before(&log, "drop returned");
}

#[test]
fn an_end_left_from_before_does_not_finish_the_next_transfer() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840().step());
    let spim = spim::<Nrf52840>(&sim);
    common::set_event(&sim, dma_impl_nrf::regs::EVENTS_END);
    let transfer = spim.write_all(vec![1u8; 4]).unwrap();
    assert!(!transfer.is_done(), "the stale END was cleared before START");
    sim.run(100);
    let done = transfer.wait().unwrap();
    assert_eq!((done.transferred, sim.take_sent()), (4, vec![1u8; 4]));
    for event in [dma_impl_nrf::regs::EVENTS_END, dma_impl_nrf::regs::EVENTS_ENDTX] {
        assert_eq!(sim.register(event), 0, "event {event:#x} consumed");
    }
}

#[test]
fn is_done_on_an_idle_spim_does_not_let_the_next_transfer_skip_its_stop() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::spim(&log, SimConfig::nrf52840());
    // SAFETY: as in `spim`.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    common::set_event(&sim, dma_impl_nrf::regs::EVENTS_END);
    // Safe to call at any time (`Halt`'s contract); it sees the stale END.
    assert!(dma_traits::Halt::is_done(&spim));
    sim.stall_after(3);
    let transfer = spim.transfer(vec![1u8; 16], vec![0u8; 16]).unwrap();
    common::wait_for_dma(&log, 6);
    drop(transfer);
    log.push(Event::Note("drop returned"));
    assert!(sim.is_idle(), "the drop stopped the SPIM");
    common::assert_stopped_before(&log, "drop returned");
}

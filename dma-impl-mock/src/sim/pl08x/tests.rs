//! The simulator on its own, programmed register by register as the TRM says.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;
use dma_mmio::Reg;

fn reg(sim: &Pl08xSim, offset: usize) -> Reg {
    // SAFETY: the live simulator's block.
    let base = unsafe { Reg::from_ptr(sim.base()) };
    // SAFETY: a register of that block.
    unsafe { base.offset(offset) }
}

/// Programs channel 0 to copy `n` words from `src` to `dst` and enables it.
fn start(sim: &Pl08xSim, src: *const u32, dst: *mut u32, n: u32, lli: *const u8) {
    reg(sim, CONFIGURATION).write(1);
    reg(sim, 0x100).write_ptr(src);
    reg(sim, 0x104).write_ptr(dst);
    reg(sim, 0x108).write_ptr(lli);
    reg(sim, 0x10C).write(I | SI | DI | (2 << 18) | (2 << 21) | n);
    reg(sim, 0x110).write(ITC | IE | E);
}

#[test]
fn identifies_as_pl080_or_pl081() {
    let ids: Vec<u32> = (0..8).map(|i| Pl08xSim::pl080().register(0xFE0 + 4 * i)).collect();
    assert_eq!(ids, [0x80, 0x10, 0x04, 0x0A, 0x0D, 0xF0, 0x05, 0xB1]);
    assert_eq!(Pl08xSim::pl081().register(0xFE0), 0x81);
}

#[test]
fn a_copy_runs_beat_by_beat_and_raises_terminal_count() {
    let sim = Pl08xSim::pl081();
    let src = [1u32, 2, 3];
    let mut dst = [0u32; 3];
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 3, core::ptr::null());
    assert_eq!(sim.register(ENABLED_CHANNELS), 1);
    assert!(sim.step()); // read item 0 into the FIFO
    assert_ne!(sim.register(0x110) & A, 0, "Active while the FIFO holds data");
    assert_eq!(sim.register(0x10C) & SIZE_MASK, 3);
    assert!(sim.step()); // write it
    assert_eq!(sim.register(0x10C) & SIZE_MASK, 2, "TransferSize counts down");
    assert_eq!(sim.run(100), 4);
    assert_eq!(sim.register(ENABLED_CHANNELS), 0, "E cleared at the end");
    assert_eq!(sim.register(RAW_INT_TC_STATUS), 1);
    assert_eq!(sim.register(INT_TC_STATUS), 1);
    reg(&sim, INT_TC_CLEAR).write(1);
    assert_eq!(sim.register(RAW_INT_TC_STATUS), 0, "write 1 to clear");
    drop(sim);
    assert_eq!(dst, src);
}

#[test]
fn halt_drains_the_fifo_and_stops_reading() {
    let sim = Pl08xSim::pl081();
    let src = [1u32, 2, 3];
    let mut dst = [0u32; 3];
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 3, core::ptr::null());
    sim.step(); // item 0 in the FIFO
    reg(&sim, 0x110).write(ITC | IE | E | H);
    assert!(sim.step(), "the FIFO drains while halted");
    assert_eq!(sim.register(0x110) & A, 0);
    assert!(!sim.step(), "no further reads while halted");
    reg(&sim, 0x110).write(ITC | IE | H);
    assert_eq!(sim.register(0x10C) & SIZE_MASK, 2);
    assert!(sim.violations().is_empty());
    drop(sim);
    assert_eq!(dst, [1, 0, 0]);
}

#[test]
fn writes_to_an_enabled_channel_are_ignored_and_recorded() {
    let sim = Pl08xSim::pl081();
    let src = [1u32];
    let mut dst = [0u32];
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 1, core::ptr::null());
    reg(&sim, 0x10C).write(0);
    assert_eq!(sim.register(0x10C) & SIZE_MASK, 1);
    assert_eq!(sim.violations().len(), 1);
    sim.run(10);
}

#[test]
fn a_null_address_or_an_injected_fault_is_a_bus_error() {
    let sim = Pl08xSim::pl081();
    let src = [1u32, 2];
    start(&sim, src.as_ptr(), core::ptr::null_mut(), 2, core::ptr::null());
    sim.run(10);
    assert_eq!(sim.register(RAW_INT_ERROR_STATUS), 1);
    assert_eq!(sim.register(ENABLED_CHANNELS), 0, "disabled on error");
    reg(&sim, INT_ERR_CLEAR).write(1);
    let mut dst = [0u32; 2];
    sim.fail_after(0, 1);
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 2, core::ptr::null());
    assert_eq!(sim.run(10), 3, "one item, then the error");
    assert_eq!(sim.register(RAW_INT_ERROR_STATUS), 1);
    drop(sim);
    assert_eq!(dst, [1, 0]);
}

#[test]
fn the_controller_enable_gates_every_channel_and_qemu_mode_runs_at_once() {
    let sim = Pl08xSim::pl081();
    let src = [7u32; 5];
    let mut dst = [0u32; 5];
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 5, core::ptr::null());
    reg(&sim, CONFIGURATION).write(0);
    assert!(!sim.step(), "DMACConfiguration.E = 0: nothing moves");
    sim.set_qemu_mode(true);
    reg(&sim, CONFIGURATION).write(1);
    assert_eq!(sim.register(ENABLED_CHANNELS), 0, "whole transfer inside the write");
    drop(sim);
    assert_eq!(dst, src);
}

#[test]
fn the_interrupt_line_is_the_masked_status() {
    use std::sync::atomic::AtomicUsize;
    let sim = Pl08xSim::pl081();
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    sim.on_interrupt(move || {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let count = || calls.load(Ordering::SeqCst);
    let src = [1u32];
    let mut dst = [0u32; 1];
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 1, core::ptr::null());
    sim.run(10);
    // The terminal count rose with ITC set (§3.4.2): the line rose, once.
    assert_eq!((sim.register(INT_TC_STATUS), count()), (1, 1));
    assert_eq!(sim.interrupts_left_pending(), 1, "nothing cleared or masked it");
    // Masking ITC lowers it; unmasking the pending status raises it again.
    reg(&sim, 0x110).write(0);
    assert_eq!((sim.register(INT_STATUS), count()), (0, 1));
    reg(&sim, 0x110).write(ITC);
    assert_eq!(count(), 2, "a level: ITC set while the status is");
    // Clearing the status lowers it (W1C, §3.4.3).
    reg(&sim, INT_TC_CLEAR).write(1);
    assert_eq!((sim.register(INT_STATUS), sim.register(RAW_INT_TC_STATUS)), (0, 0));
    // With ITC and IE clear, an error raises the raw status only.
    reg(&sim, 0x110).write(0);
    start(&sim, src.as_ptr(), dst.as_mut_ptr(), 1, core::ptr::null());
    reg(&sim, 0x110).write(0);
    reg(&sim, 0x10C).write(I | SI | DI | (2 << 18) | (2 << 21) | 1);
    reg(&sim, 0x110).write(E);
    sim.fault(0);
    assert_eq!((sim.register(RAW_INT_ERROR_STATUS), count()), (1, 2));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

//! The simulator's register semantics, driven through `dma_mmio::Reg` the
//! way a driver does.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use dma_mmio::Reg;

use super::regs::*;
use super::{EasyDmaSim, SimConfig, TwiFault};
use crate::record::{Event, Recorder};

fn reg(sim: &EasyDmaSim, offset: usize) -> Reg {
    // SAFETY: `offset` is inside the simulator's mapped 0x600-byte block,
    // which lives as long as `sim`.
    unsafe { Reg::from_ptr(sim.base().wrapping_byte_add(offset)) }
}

#[test]
fn maxcnt_is_cut_to_the_chips_width() {
    let log = Recorder::new();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52832().step());
    let data = [0x5Au8; 300];
    reg(&sim, TXD_PTR).write_ptr(data.as_ptr());
    reg(&sim, TXD_MAXCNT).write(300);
    reg(&sim, TASKS_STARTTX).write(1);
    sim.run(1000);
    // 300 = 0x12C: an 8-bit MAXCNT keeps 0x2C = 44 bytes, silently.
    assert_eq!(reg(&sim, TXD_AMOUNT).read(), 44);
    assert_eq!(sim.take_sent().len(), 44);
    assert_eq!(reg(&sim, EVENTS_ENDTX).read(), 1);
    reg(&sim, EVENTS_ENDTX).write(0);
    assert_eq!(reg(&sim, EVENTS_ENDTX).read(), 0, "events clear by writing 0");
}

#[test]
fn errorsrc_is_write_one_to_clear() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840().step());
    let mut rx = [0u8; 2];
    sim.inject_twi_fault(TwiFault::AddressNack);
    reg(&sim, RXD_PTR).write_ptr(rx.as_mut_ptr());
    reg(&sim, RXD_MAXCNT).write(2);
    reg(&sim, TASKS_STARTRX).write(1);
    sim.run(10);
    assert_eq!(reg(&sim, EVENTS_ERROR).read(), 1);
    assert_eq!(reg(&sim, TWIM_ERRORSRC).read(), TWIM_ANACK);
    reg(&sim, TWIM_ERRORSRC).write(TWIM_DNACK);
    assert_eq!(reg(&sim, TWIM_ERRORSRC).read(), TWIM_ANACK, "other bits stay");
    reg(&sim, TWIM_ERRORSRC).write(TWIM_ANACK);
    assert_eq!(reg(&sim, TWIM_ERRORSRC).read(), 0);
    reg(&sim, TASKS_STOP).write(1);
    assert_eq!(reg(&sim, EVENTS_STOPPED).read(), 1);
    assert_eq!(rx, [0, 0], "nothing was received");
}

#[test]
fn a_pointer_outside_data_ram_starts_nothing() {
    let log = Recorder::new();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840().step());
    let data = [1u8; 4];
    let _flash = dma_mmio::host::place(data.as_ptr(), 4, 0x0000_1000);
    reg(&sim, TXD_PTR).write_ptr(data.as_ptr());
    reg(&sim, TXD_MAXCNT).write(4);
    reg(&sim, TASKS_STARTTX).write(1);
    assert_eq!(sim.run(10), 0);
    assert!(sim.is_idle());
    assert!(matches!(log.events().as_slice(), [Event::Note(_)]));
}

#[test]
fn rxstarted_latches_the_pointer_so_the_next_can_be_queued() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let (mut first, mut second) = ([0u8; 2], [0u8; 2]);
    sim.feed(b"abcd");
    reg(&sim, SHORTS).write(SHORT_ENDRX_STARTRX);
    reg(&sim, RXD_PTR).write_ptr(first.as_mut_ptr());
    reg(&sim, RXD_MAXCNT).write(2);
    reg(&sim, TASKS_STARTRX).write(1);
    assert_eq!(reg(&sim, EVENTS_RXSTARTED).read(), 1);
    reg(&sim, RXD_PTR).write_ptr(second.as_mut_ptr());
    sim.run(4);
    reg(&sim, SHORTS).write(0);
    reg(&sim, TASKS_STOPRX).write(1);
    assert_eq!(reg(&sim, EVENTS_RXTO).read(), 1);
    assert_eq!((&first, &second), (b"ab", b"cd"));
}

#[test]
fn a_stop_task_on_a_unit_that_never_started_raises_no_stopped_event() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&sim, TASKS_STOPTX).write(1);
    reg(&sim, TASKS_STOPRX).write(1);
    assert_eq!(reg(&sim, EVENTS_TXSTOPPED).read(), 0);
    assert_eq!(reg(&sim, EVENTS_RXTO).read(), 0);
    let spim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&spim, TASKS_STOP).write(1);
    assert_eq!(reg(&spim, EVENTS_STOPPED).read(), 0);
}

#[test]
fn a_disabled_peripheral_ignores_its_tasks() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    assert_eq!(reg(&sim, ENABLE).read(), ENABLE_UARTE, "reads as enabled out of reset");
    let data = [1u8; 2];
    reg(&sim, TXD_PTR).write_ptr(data.as_ptr());
    reg(&sim, TXD_MAXCNT).write(2);
    sim.disable();
    reg(&sim, TASKS_STARTTX).write(1);
    assert_eq!(sim.run(10), 0);
    assert_eq!(sim.starts(), 0);
    reg(&sim, TASKS_STOPTX).write(1);
    assert_eq!(reg(&sim, EVENTS_TXSTOPPED).read(), 0, "never started, never stopped");
}

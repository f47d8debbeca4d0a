//! TWIM against the register-level simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig, TwiFault};
use dma_impl_nrf::{Error, Nrf52840, Twim};
use dma_traits::Transfer;

const TWIM_ERRORSRC: usize = 0x4C4;

fn twim(sim: &EasyDmaSim) -> Twim<Nrf52840> {
    // SAFETY: the simulator's block, used only by this TWIM.
    unsafe { Twim::<Nrf52840>::new(sim.base()) }
}

#[test]
fn write_sends_the_bytes_to_the_address() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    let done = twim(&sim).write_to(0x42, vec![0x10u8, 0x20, 0x30]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 3);
    assert_eq!(sim.twi_address(), Some(0x42));
    assert_eq!(sim.take_sent(), [0x10, 0x20, 0x30]);
}

#[test]
fn read_fills_the_buffer() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    sim.feed(&[7, 8, 9]);
    let done = twim(&sim).read_from(0x1D, vec![0u8; 3]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 3);
    assert_eq!(done.buffer, [7, 8, 9]);
    assert_eq!(sim.twi_address(), Some(0x1D));
}

#[test]
fn write_then_read_uses_a_repeated_start() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    sim.feed(&[0xC0, 0xFF, 0xEE]);
    let done =
        twim(&sim).write_then_read(0x50, vec![0x0Fu8], vec![0u8; 3]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 3, "bytes read");
    assert_eq!(sim.take_sent(), [0x0F]);
    assert_eq!(done.buffer.1, [0xC0, 0xFF, 0xEE]);
    assert_eq!(sim.starts(), 2, "STARTTX, then STARTRX by the shortcut");
}

#[test]
fn errorsrc_maps_to_twi_errors() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());

    sim.inject_twi_fault(TwiFault::AddressNack);
    let failed = twim(&sim).write_to(0x33, vec![1u8, 2]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::AddressNack);
    assert_eq!(failed.transferred, 0);
    assert_eq!(failed.buffer, [1, 2]);
    assert_eq!(sim.register(TWIM_ERRORSRC), 0, "ERRORSRC cleared");

    sim.inject_twi_fault(TwiFault::DataNackAfter(2));
    let failed = failed.resources.write_to(0x33, vec![1u8, 2, 3, 4]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::DataNack);
    assert_eq!(failed.transferred, 2);

    sim.inject_twi_fault(TwiFault::OverrunAfter(0));
    let failed = failed.resources.read_from(0x33, vec![0u8; 2]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::Overrun);

    // After all that, a clean transaction goes through.
    let done = failed.resources.write_to(0x33, vec![5u8]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 1);
}

#[test]
fn an_address_above_7_bits_is_refused() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    let rejected = twim(&sim).write_to(0x80, vec![1u8]).err().unwrap();
    assert_eq!(rejected.error, Error::InvalidAddress(0x80));
    assert_eq!(rejected.buffer, [1]);
    assert_eq!(sim.starts(), 0);
}

#[test]
fn a_flash_buffer_is_refused() {
    static IN_FLASH: [u8; 2] = [0xAA, 0x55];
    let _flash = dma_mmio::host::place(IN_FLASH.as_ptr(), 2, 0x0002_0000);
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    let rejected = twim(&sim).write_to(0x10, &IN_FLASH).err().unwrap();
    assert!(matches!(rejected.error, Error::NotInDataRam { bytes: 2, .. }));
    assert!(core::ptr::eq(rejected.buffer, &IN_FLASH));
}

#[test]
fn dropping_an_unfinished_read_waits_for_stopped() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::twim(&log, SimConfig::nrf52840());
    // SAFETY: as in `twim`.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    sim.stall_after(2);
    let transfer = twim.read_from(0x21, vec![0u8; 8]).unwrap();
    common::wait_for_dma(&log, 2);
    assert!(!transfer.is_done());
    drop(transfer);
    log.push(Event::Note("drop returned"));
    common::assert_stopped_before(&log, "drop returned");
    assert!(sim.is_idle());
}

#[test]
fn events_left_from_before_neither_finish_nor_fail_the_next_transfer() {
    for stale in [dma_impl_nrf::regs::EVENTS_STOPPED, dma_impl_nrf::regs::EVENTS_ERROR] {
        let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840().step());
        common::set_event(&sim, stale);
        let transfer = twim(&sim).write_to(0x21, vec![1u8, 2, 3]).unwrap();
        assert!(!transfer.is_done(), "{stale:#x} cleared before the start task");
        sim.run(200);
        let done = transfer.wait().unwrap();
        assert_eq!((done.transferred, sim.take_sent()), (3, vec![1u8, 2, 3]));
        for event in [dma_impl_nrf::regs::EVENTS_STOPPED, dma_impl_nrf::regs::EVENTS_LASTTX] {
            assert_eq!(sim.register(event), 0, "event {event:#x} consumed");
        }
    }
}

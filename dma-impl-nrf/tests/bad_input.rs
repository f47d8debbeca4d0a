//! Issue #10's nRF items: a refusal touches nothing and gives everything back,
//! nothing waits for hardware that never started, and a transfer the
//! hardware cut short is never a plain success.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{Error, Nrf52832, Nrf52840, Spim, Twim, Uarte};
use dma_traits::{DmaFullDuplex, DmaRead, DmaWrite, Transfer};

fn leak_bounce(contents: &[u8]) -> &'static mut heapless::Vec<u8, 8> {
    let bounce: &'static mut heapless::Vec<u8, 8> = Box::leak(Box::default());
    bounce.extend_from_slice(contents).unwrap();
    bounce
}

/// Takes a raw pointer (a `&mut` argument would be protected for the whole
/// call, and freeing its memory inside the call is undefined behaviour:
/// Miri caught the first version of this helper).
fn free_bounce(bounce: *mut heapless::Vec<u8, 8>) {
    // SAFETY: every bounce buffer comes from `leak_bounce` (a `Box`) and is
    // given back here for the last time; no reference to it is live.
    drop(unsafe { Box::from_raw(bounce) });
}

#[test]
fn a_refused_bounce_leaves_the_bounce_buffer_as_it_was() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // SAFETY: the simulator's block, used only by this UARTE.
    let tx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0;

    // Too long for the bounce buffer.
    let rejected = tx.write_all_bounced(&[7u8; 9], leak_bounce(b"keep")).err().unwrap();
    assert_eq!(rejected.error, Error::BounceTooSmall { len: 9, capacity: 8 });
    assert_eq!(rejected.buffer.as_slice(), b"keep", "the bounce buffer was not emptied");
    let (tx, bounce) = (rejected.resources, rejected.buffer);

    // Empty source.
    let rejected = tx.write_all_bounced(&[], bounce).err().unwrap();
    assert_eq!(rejected.error, Error::Empty);
    assert_eq!(rejected.buffer.as_slice(), b"keep");
    let (tx, bounce) = (rejected.resources, rejected.buffer);

    // A UARTE nobody enabled.
    sim.disable();
    let rejected = tx.write_all_bounced(b"new", bounce).err().unwrap();
    assert_eq!(rejected.error, Error::NotEnabled);
    assert_eq!(rejected.buffer.as_slice(), b"keep");
    assert_eq!(sim.starts(), 0, "nothing was started");
    free_bounce(rejected.buffer);
}

#[test]
fn a_bounce_buffer_outside_data_ram_is_refused_untouched() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // SAFETY: the simulator's block, used only by this UARTE.
    let tx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0;
    let bounce = leak_bounce(b"old");
    let placed = dma_mmio::host::place(bounce.as_ptr(), 8, 0x0001_0000);
    let rejected = tx.write_all_bounced(b"data", bounce).err().unwrap();
    drop(placed);
    assert!(matches!(rejected.error, Error::NotInDataRam { .. }), "{:?}", rejected.error);
    assert_eq!(rejected.buffer.as_slice(), b"old");
    free_bounce(rejected.buffer);
}

/// Every transfer on a peripheral whose `ENABLE` does not switch it on is
/// refused with the buffer and the peripheral: on silicon its start task
/// would be ignored, and the stop in `Drop` (or in `scoped`'s unwinding)
/// would wait for ever for a stopped event.
#[test]
fn nothing_starts_on_a_disabled_peripheral() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    sim.disable();
    // SAFETY: the simulator's block, used only by this UARTE.
    let (tx, rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split();
    let rejected = tx.write_all(vec![1u8; 4]).err().unwrap();
    assert_eq!((rejected.error, rejected.buffer), (Error::NotEnabled, vec![1u8; 4]));
    let rejected = rx.read_exact(vec![2u8; 4]).err().unwrap();
    assert_eq!((rejected.error, rejected.buffer), (Error::NotEnabled, vec![2u8; 4]));
    let rejected = rejected.resources.read_exact_chunked(vec![0u8; 4]).err().unwrap();
    assert_eq!(rejected.error, Error::NotEnabled);
    assert_eq!(sim.starts(), 0);

    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    sim.disable();
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    let rejected = spim.transfer(vec![1u8; 2], vec![0u8; 2]).err().unwrap();
    assert_eq!(rejected.error, Error::NotEnabled);

    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    sim.disable();
    // SAFETY: the simulator's block, used only by this TWIM.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) };
    let rejected = twim.write_to(0x42, vec![1u8; 2]).err().unwrap();
    assert_eq!(rejected.error, Error::NotEnabled);
}

#[test]
fn scoped_on_a_disabled_uarte_neither_runs_the_body_nor_hangs() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    sim.disable();
    // SAFETY: the simulator's block, used only by this UARTE.
    let tx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0;
    let data = [5u8; 4];
    let (value, outcome) = tx.write_all_scoped(&data[..], |_| panic!("the body must not run"));
    assert!(value.is_none());
    assert_eq!(outcome.err().unwrap().error, Error::NotEnabled);
}

#[test]
fn scoped_unwinding_stops_a_started_transfer() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    sim.stall_after(1);
    // SAFETY: the simulator's block, used only by this UARTE.
    let tx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0;
    let data = [5u8; 16];
    let unwound = catch_unwind(AssertUnwindSafe(|| {
        tx.write_all_scoped(&data[..], |_| panic!("body panics mid-transfer"))
    }));
    assert!(unwound.is_err());
    assert!(sim.is_idle(), "the unwinding stop waited for TXSTOPPED");
}

/// `Uarte::<Nrf52840>` on an nRF52832 (which breaks `new`'s contract): the
/// 8-bit `MAXCNT` keeps 300 & 0xFF = 44, the hardware ends after 44 bytes,
/// and the transfer reports that, with the buffer.
#[test]
fn a_transfer_the_hardware_cut_short_is_an_error_with_the_buffer() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block, used only by this UARTE; the chip type is
    // deliberately wrong (the contract violation this test is about).
    let (tx, rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split();
    let failed = tx.write_all(vec![3u8; 300]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::Truncated { asked: 300, moved: 44 });
    assert_eq!((failed.transferred, failed.buffer.len()), (44, 300));
    assert_eq!(sim.take_sent().len(), 44);

    let tx = failed.resources;
    let failed = tx.write_all_chunked(vec![4u8; 300]).err().unwrap();
    assert_eq!(failed.error, Error::Truncated { asked: 300, moved: 44 });
    assert_eq!(failed.buffer, vec![4u8; 300]);

    sim.feed(&[9u8; 300]);
    let failed = rx.read_exact(vec![0u8; 300]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::Truncated { asked: 300, moved: 44 });
    assert_eq!(failed.transferred, 44);
    assert_eq!(failed.buffer[..44], [9u8; 44]);
    drop(sim);

    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: as above, for an SPIM.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    let failed = spim.transfer(vec![1u8; 300], vec![0u8; 2]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::Truncated { asked: 300, moved: 44 });
    drop(sim);

    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: as above, for a TWIM.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) };
    let failed = twim.write_to(0x42, vec![1u8; 300]).unwrap().wait().err().unwrap();
    assert_eq!(failed.error, Error::Truncated { asked: 300, moved: 44 });
}

/// The right chip type refuses the same buffer before anything starts.
#[test]
fn the_right_chip_type_refuses_before_starting() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block, used only by this UARTE.
    let tx = unsafe { Uarte::<Nrf52832>::new(sim.base()) }.split().0;
    let rejected = tx.write_all(vec![3u8; 300]).err().unwrap();
    assert_eq!(rejected.error, Error::TooLong { len: 300, max: 255 });
    assert_eq!(sim.starts(), 0);
}

/// A stop that arrives after the transfer ended by itself is not a plain
/// success either when the hardware moved less than asked, but a stop
/// mid-flight is (it reports what moved).
#[test]
fn a_stop_mid_flight_reports_the_partial_amount_as_success() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // SAFETY: the simulator's block, used only by this UARTE.
    let tx = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0;
    let transfer = tx.write_all(vec![1u8; 8]).unwrap();
    sim.run(3);
    let done = transfer.stop().unwrap();
    assert_eq!(done.transferred, 3);
}

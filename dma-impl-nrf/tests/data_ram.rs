//! `ram_static!` / `DataRam` on the host: no linker script proves anything
//! here, so the `*_ram` start methods run the same run-time data-RAM check as
//! `write_all` (a buffer placed at a flash address is refused, everything
//! given back), and a buffer that passes it is sent as usual. That the type
//! cannot be made outside the macro is `compile_fail.rs`'s part.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{DataRam, Error, Nrf52832, Nrf52840, Spim, Twim, Uarte};
use dma_traits::Transfer;

dma_impl_nrf::ram_static!(static MESSAGE: [u8; 6] = *b"in RAM");
dma_impl_nrf::ram_static!(
    /// Attributes and visibility pass through.
    pub(crate) static PLACED_IN_FLASH: [u8; 3] = *b"ROM";
);

#[test]
fn nothing_is_proven_on_the_host() {
    assert_eq!(DataRam::<[u8; 6]>::PROVEN, None);
    assert_eq!(&MESSAGE[..], b"in RAM", "the value derefs");
}

#[test]
fn a_ram_static_buffer_is_sent_by_each_peripheral() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used by this UARTE only.
    let (tx, _rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split();
    let done = tx.write_all_ram(&MESSAGE).unwrap().wait().unwrap();
    assert_eq!((done.transferred, sim.take_sent()), (6, b"in RAM".to_vec()));
    assert!(core::ptr::eq(done.buffer, &MESSAGE), "the same static given back");

    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used by this SPIM only.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    let done = spim.write_all_ram(&MESSAGE).unwrap().wait().unwrap();
    assert_eq!((done.transferred, sim.take_sent()), (6, b"in RAM".to_vec()));

    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used by this TWIM only.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) }.with_address(0x3C);
    let done = twim.write_all_ram(&MESSAGE).unwrap().wait().unwrap();
    assert_eq!((done.transferred, sim.take_sent()), (6, b"in RAM".to_vec()));
}

#[test]
fn the_run_time_check_still_runs_on_the_host() {
    // As if the linker had put it in flash: nothing proved otherwise here.
    let _flash = dma_mmio::host::place(PLACED_IN_FLASH.as_ptr(), 3, 0x0001_0000);
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used by this UARTE only.
    let (tx, _rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split();
    let refused = tx.write_all_ram(&PLACED_IN_FLASH).unwrap_err();
    let address = PLACED_IN_FLASH.as_ptr() as usize;
    assert_eq!(refused.error, Error::NotInDataRam { address, bytes: 3 });
    assert!(core::ptr::eq(refused.buffer, &PLACED_IN_FLASH), "buffer given back");
    assert_eq!(sim.starts(), 0, "nothing started");
    // The transmitter came back too, and works.
    assert_eq!(refused.resources.write_all_ram(&MESSAGE).unwrap().wait().unwrap().transferred, 6);

    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block, used by this SPIM only.
    let spim = unsafe { Spim::<Nrf52832>::new(sim.base()) };
    let refused = spim.write_all_ram(&PLACED_IN_FLASH).unwrap_err();
    assert!(matches!(refused.error, Error::NotInDataRam { .. }));
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840());
    // SAFETY: the simulator's block, used by this TWIM only.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) }.with_address(0x3C);
    let refused = twim.write_all_ram(&PLACED_IN_FLASH).unwrap_err();
    assert!(matches!(refused.error, Error::NotInDataRam { .. }));
    assert_eq!(sim.starts(), 0);
}

#[test]
fn the_length_is_still_checked() {
    dma_impl_nrf::ram_static!(static LONG: [u8; 256] = [0x55; 256]);
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    // SAFETY: the simulator's block, used by this UARTE only.
    let (tx, _rx) = unsafe { Uarte::<Nrf52832>::new(sim.base()) }.split();
    let refused = tx.write_all_ram(&LONG).unwrap_err();
    assert_eq!(refused.error, Error::TooLong { len: 256, max: 255 });
}

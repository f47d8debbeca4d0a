//! `DmaSpiBus` over the nRF SPIM (register-level simulator): flash data goes
//! through the RAM bounce buffer, long buffers are chunked to `MAXCNT`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_drivers::spi_bus::DmaSpiBus;
use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
#[cfg(feature = "nrf52840")]
use dma_impl_nrf::Error;
use dma_impl_nrf::{Chip, Nrf52832, Nrf52840, Spim};
#[cfg(feature = "nrf52840")]
use embedded_hal::spi::ErrorKind;
use embedded_hal::spi::SpiBus;

fn spim<C: Chip>(sim: &EasyDmaSim) -> Spim<C> {
    // SAFETY: the simulator's block, used only by this SPIM.
    unsafe { Spim::<C>::new(sim.base()) }
}

/// Sends a page the way a flash driver would, knowing only `SpiBus`.
fn program<B: SpiBus>(bus: &mut B, page: &[u8]) -> Result<u8, B::Error> {
    bus.write(&[0x02])?;
    bus.write(page)?;
    let mut status = [0x05, 0];
    bus.transfer_in_place(&mut status)?;
    Ok(status[1])
}

#[test]
fn data_in_flash_is_bounced_through_ram() {
    static IN_FLASH: [u8; 10] = *b"0123456789";
    let _flash = dma_mmio::host::place(IN_FLASH.as_ptr(), IN_FLASH.len(), 0x0001_0000);
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840());
    sim.feed(&[0; 11]);
    sim.feed(&[0xEE, 0x5A]);
    let mut bus: DmaSpiBus<_, 4> = DmaSpiBus::new(spim::<Nrf52840>(&sim));
    let status = program(&mut bus, &IN_FLASH).unwrap();
    assert_eq!(status, 0x5A);
    let mut expected = vec![0x02];
    expected.extend_from_slice(&IN_FLASH);
    expected.extend_from_slice(&[0x05, 0]);
    assert_eq!(sim.take_sent(), expected);
}

#[test]
fn buffers_over_maxcnt_are_chunked_and_reads_clock_the_fill_byte() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832());
    // Over MAXCNT (255): a full chunk and a short one. Under Miri 258 bytes
    // (the same two chunks, a shorter second one); natively 300.
    let len = if cfg!(miri) { 258 } else { 300 };
    let data: Vec<u8> = (0..=255u8).cycle().take(len).collect();
    let mut bus: DmaSpiBus<_, 64> =
        DmaSpiBus::new(spim::<Nrf52832>(&sim)).with_max_transfer(Nrf52832::MAXCNT_MAX);
    sim.feed(&data);
    let mut read = vec![0u8; len];
    bus.transfer(&mut read, &data).unwrap();
    assert_eq!(read, data);
    assert_eq!(sim.take_sent(), data);

    sim.feed(&[7, 8, 9]);
    let mut bus = bus.with_fill_byte(0xA5);
    let mut three = [0u8; 3];
    bus.read(&mut three).unwrap();
    assert_eq!(three, [7, 8, 9]);
    assert_eq!(sim.take_sent(), [0xA5; 3]);
}

/// With the `nrf52840` feature the bus reports an overrun as such.
#[cfg(feature = "nrf52840")]
#[test]
fn nrf_error_kinds_are_mapped() {
    use dma_drivers::spi_bus::nrf_error_kind;
    assert_eq!(nrf_error_kind(&Error::Overrun), ErrorKind::Overrun);
    assert_eq!(nrf_error_kind(&Error::Empty), ErrorKind::Other);
}

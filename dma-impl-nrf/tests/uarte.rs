//! UARTE against the register-level simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{Chip, Error, Nrf52832, Nrf52840, Uarte, UarteRx, UarteTx};
use dma_traits::{CompilerFence, DmaFence, DmaRead, DmaWrite, Transfer};

const UARTE_ERRORSRC: usize = 0x480;

fn uarte<C: Chip>(sim: &EasyDmaSim) -> (UarteTx<C>, UarteRx<C>) {
    // SAFETY: the simulator's mapped block, used only by this UARTE.
    unsafe { Uarte::<C>::new(sim.base()) }.split()
}

fn uarte_with<C: Chip, F: DmaFence>(sim: &EasyDmaSim, fence: F) -> (UarteTx<C, F>, UarteRx<C, F>) {
    // SAFETY: as above.
    unsafe { Uarte::<C>::new(sim.base()) }.with_fence(fence).split()
}

#[test]
fn tx_sends_the_buffer_and_reports_amount() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let (tx, _rx) = uarte::<Nrf52840>(&sim);
    let data: Vec<u8> = (1..=12).collect();
    let done = tx.write_all(data.clone()).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 12);
    assert_eq!(done.buffer, data);
    assert_eq!(sim.take_sent(), data);
}

#[test]
fn flash_buffer_is_rejected_with_the_buffer_returned() {
    static IN_FLASH: [u8; 8] = *b"constant";
    let _flash = dma_mmio::host::place(IN_FLASH.as_ptr(), IN_FLASH.len(), 0x0001_0000);
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let (tx, _rx) = uarte::<Nrf52840>(&sim);

    let rejected = tx.write_all(&IN_FLASH).expect_err("flash refused");
    assert_eq!(
        rejected.error,
        Error::NotInDataRam { address: IN_FLASH.as_ptr() as usize, bytes: 8 }
    );
    assert_eq!(rejected.transferred, 0);
    assert!(core::ptr::eq(rejected.buffer, &IN_FLASH));
    assert_eq!(sim.starts(), 0, "nothing was started");

    // The peripheral came back too and still works.
    let done = rejected.resources.write_all(b"ram".to_vec()).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 3);
    assert_eq!(sim.take_sent(), b"ram");
}

#[test]
fn bounce_buffer_copies_flash_data_through_ram() {
    static IN_FLASH: [u8; 6] = *b"flash!";
    let _flash = dma_mmio::host::place(IN_FLASH.as_ptr(), IN_FLASH.len(), 0x0001_0000);
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    let (tx, _rx) = uarte::<Nrf52832>(&sim);

    let bounce: &'static mut heapless::Vec<u8, 16> = Box::leak(Box::new(heapless::Vec::new()));
    let done = tx.write_all_bounced(&IN_FLASH, bounce).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 6);
    assert_eq!(sim.take_sent(), b"flash!");
    assert_eq!(done.buffer.as_slice(), b"flash!");

    // Too small a bounce buffer is refused, with both given back.
    let rejected = done
        .resources
        .write_all_bounced(&[0u8; 17], done.buffer)
        .expect_err("17 bytes do not fit 16");
    assert_eq!(rejected.error, Error::BounceTooSmall { len: 17, capacity: 16 });
    // SAFETY: the bounce buffer came from `Box::leak` above and is returned
    // here for the last time; nothing else refers to it.
    drop(unsafe { Box::from_raw(rejected.buffer as *mut heapless::Vec<u8, 16>) });
}

#[test]
fn maxcnt_limit_is_an_error_per_chip() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    let (tx, _rx) = uarte::<Nrf52832>(&sim);
    let rejected = tx.write_all(vec![7u8; 256]).expect_err("256 > 255");
    assert_eq!(rejected.error, Error::TooLong { len: 256, max: 255 });
    assert_eq!(rejected.buffer, vec![7u8; 256], "returned untouched");
    let done = rejected.resources.write_all(vec![1u8; 255]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 255);
    assert_eq!(sim.starts(), 1);
    drop(sim);

    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let (tx, rx) = uarte::<Nrf52840>(&sim);
    let rejected = tx.write_all(vec![0u8; 65_536]).expect_err("65536 > 65535");
    assert_eq!(rejected.error, Error::TooLong { len: 65_536, max: 65_535 });
    let rejected = rx.read_exact(vec![0u8; 65_536]).expect_err("65536 > 65535");
    assert_eq!(rejected.error, Error::TooLong { len: 65_536, max: 65_535 });
    let done = tx_after(rejected_tx(sim.base()), 256);
    assert_eq!(done, 256, "256 bytes fit an nRF52840");
    assert_eq!(sim.starts(), 1);
}

fn rejected_tx(base: *mut u32) -> UarteTx<Nrf52840> {
    // SAFETY: the simulator's block; the other handles were dropped or are idle.
    unsafe { Uarte::<Nrf52840>::new(base) }.split().0
}

fn tx_after(tx: UarteTx<Nrf52840>, len: usize) -> usize {
    tx.write_all(vec![3u8; len]).unwrap().wait().unwrap().transferred
}

#[test]
fn chunked_write_splits_at_maxcnt() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    let (tx, _rx) = uarte::<Nrf52832>(&sim);
    let data: Vec<u8> = (0..600u32).map(|i| (i % 251) as u8).collect();
    let done = tx.write_all_chunked(data.clone()).unwrap();
    assert_eq!(done.transferred, 600);
    assert_eq!(sim.starts(), 3, "255 + 255 + 90");
    assert_eq!(sim.take_sent(), data);
}

#[test]
fn chunked_read_fills_a_long_buffer() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832());
    let (_tx, rx) = uarte::<Nrf52832>(&sim);
    let data: Vec<u8> = (0..300u32).map(|i| (i % 253) as u8).collect();
    sim.feed(&data);
    let done = rx.read_exact_chunked(vec![0u8; 300]).unwrap();
    assert_eq!(done.transferred, 300);
    assert_eq!(done.buffer, data);
    assert_eq!(sim.starts(), 2);
}

#[test]
fn rx_fills_the_buffer() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let (_tx, rx) = uarte::<Nrf52840>(&sim);
    sim.feed(b"abcdefgh");
    let done = rx.read_exact(vec![0u8; 8]).unwrap().wait().unwrap();
    assert_eq!(done.transferred, 8);
    assert_eq!(done.buffer, b"abcdefgh");
}

#[test]
fn short_rx_reports_amount_after_stoprx() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840());
    let (_tx, rx) = uarte_with::<Nrf52840, _>(&sim, fence);
    sim.feed(b"xyz");
    let transfer = rx.read_exact(vec![0u8; 8]).unwrap();
    common::wait_for_dma(&log, 3);
    assert!(!transfer.is_done());
    let done = transfer.stop().unwrap();
    assert_eq!(done.transferred, 3, "AMOUNT after STOPRX/RXTO");
    assert_eq!(&done.buffer[..3], b"xyz");
    assert_eq!(&done.buffer[3..], &[0; 5]);
}

#[test]
fn errorsrc_maps_to_uart_errors() {
    for (bits, expected) in [
        (1 << 0, Error::Overrun),
        (1 << 1, Error::Parity),
        (1 << 2, Error::Framing),
        (1 << 3, Error::Break),
        (0b1010, Error::Parity),
    ] {
        let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
        let (_tx, rx) = uarte::<Nrf52840>(&sim);
        sim.inject_uart_error(2, bits);
        // The corrupt third byte is the last on the line.
        sim.feed(b"12?");
        let failed = rx.read_exact(vec![0u8; 4]).unwrap().wait().expect_err("error");
        assert_eq!(failed.error, expected);
        assert_eq!(failed.transferred, 2);
        assert_eq!(&failed.buffer[..2], b"12");
        assert_eq!(sim.register(UARTE_ERRORSRC), 0, "ERRORSRC cleared (W1C)");
    }
}

#[test]
fn dropping_an_unfinished_tx_waits_for_txstopped() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840());
    let (tx, _rx) = uarte_with::<Nrf52840, _>(&sim, fence);
    sim.stall_after(4);
    let transfer = tx.write_all(vec![0x55u8; 32]).unwrap();
    common::wait_for_dma(&log, 4);
    assert!(!transfer.is_done());
    drop(transfer);
    log.push(Event::Note("drop returned"));
    common::assert_stopped_before(&log, "drop returned");
    assert!(sim.is_idle());
    assert_eq!(sim.take_sent().len(), 4);
}

#[test]
fn dropping_an_unfinished_rx_waits_for_rxto() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840());
    let (_tx, rx) = uarte_with::<Nrf52840, _>(&sim, fence);
    sim.feed(b"ab");
    let transfer = rx.read_exact(vec![0u8; 16]).unwrap();
    common::wait_for_dma(&log, 2);
    drop(transfer);
    log.push(Event::Note("drop returned"));
    common::assert_stopped_before(&log, "drop returned");
    sim.feed(b"late");
    assert!(sim.is_idle());
    assert_eq!(sim.pending_feed(), 4, "nothing received after the drop");
}

#[test]
fn fences_bracket_the_dma() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840());
    let (tx, _rx) = uarte_with::<Nrf52840, _>(&sim, fence);
    let data = vec![9u8; 5];
    let addr = data.as_ptr() as usize;
    tx.write_all(data).unwrap().wait().unwrap();
    let events = log.events();
    let release = events.iter().position(|e| matches!(e, Event::Release { .. })).unwrap();
    let first = events.iter().position(common::is_dma_access).unwrap();
    let last = events.iter().rposition(common::is_dma_access).unwrap();
    let acquire = events.iter().position(|e| matches!(e, Event::Acquire { .. })).unwrap();
    assert!(release < first && last < acquire, "{events:?}");
    assert_eq!(
        events[release],
        Event::Release { addr, bytes: 5, access: dma_traits::Access::DmaReads }
    );
    assert_eq!(
        events[acquire],
        Event::Acquire { addr, bytes: 5, access: dma_traits::Access::DmaReads }
    );
}

#[test]
fn compiler_fence_is_the_default() {
    fn default_fence<F: DmaFence>(_: &UarteTx<Nrf52840, F>) -> &'static str {
        core::any::type_name::<F>()
    }
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let (tx, _rx) = uarte::<Nrf52840>(&sim);
    assert_eq!(default_fence(&tx), core::any::type_name::<CompilerFence>());
}

/// The release fence runs before the start task, on every peripheral and
/// direction (the simulator logs the CPU's start task).
#[test]
fn release_comes_before_the_start_task() {
    use dma_impl_mock::sim::nrf::START_TASK;
    fn check(log: &Recorder) {
        let events = log.events();
        let release = events.iter().position(|e| matches!(e, Event::Release { .. }));
        let start = events.iter().position(|e| *e == Event::Note(START_TASK));
        assert!(release.unwrap() < start.unwrap(), "{events:?}");
    }
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840().step());
    let (tx, _rx) = uarte_with::<Nrf52840, _>(&sim, fence);
    drop(tx.write_all(vec![1u8; 4]).unwrap());
    check(&log);

    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840().step());
    let (_tx, rx) = uarte_with::<Nrf52840, _>(&sim, fence);
    drop(rx.read_exact(vec![0u8; 4]).unwrap());
    check(&log);

    let (log, fence) = common::recording();
    let sim = EasyDmaSim::spim(&log, SimConfig::nrf52840().step());
    // SAFETY: the simulator's block, used only by this SPIM.
    let spim = unsafe { dma_impl_nrf::Spim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    drop(dma_traits::DmaFullDuplex::transfer(spim, vec![1u8; 2], vec![0u8; 2]).unwrap());
    check(&log);

    let (log, fence) = common::recording();
    let sim = EasyDmaSim::twim(&log, SimConfig::nrf52840().step());
    // SAFETY: the simulator's block, used only by this TWIM.
    let twim = unsafe { dma_impl_nrf::Twim::<Nrf52840>::new(sim.base()) }.with_fence(fence);
    drop(twim.write_to(0x10, vec![1u8; 2]).unwrap());
    check(&log);
}

/// Chunked transfers bracket every chunk: released before its start task,
/// acquired after its last EasyDMA access.
#[test]
fn chunked_transfers_fence_every_chunk() {
    let (log, fence) = common::recording();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52832());
    let (tx, rx) = uarte_with::<Nrf52832, _>(&sim, fence);
    tx.write_all_chunked(vec![5u8; 300]).unwrap();
    sim.feed(&[6u8; 300]);
    rx.read_exact_chunked(vec![0u8; 300]).unwrap();
    let events = log.events();
    let acquires: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Acquire { .. }))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(acquires.len(), 4, "two chunks each way: {events:?}");
    let last_access = events.iter().rposition(common::is_dma_access).unwrap();
    assert!(last_access < *acquires.last().unwrap());
    for (i, event) in events.iter().enumerate() {
        if let Event::DmaRead { addr, .. } | Event::DmaWrite { addr, .. } = *event {
            // The acquire of the chunk holding `addr` comes after this access.
            let later = acquires.iter().any(|&a| {
                a > i
                    && matches!(events[a], Event::Acquire { addr: start, bytes, .. }
                        if (start..start + bytes).contains(&addr))
            });
            assert!(later, "access {i} at {addr:#x} not acquired after: {events:?}");
        }
    }
}

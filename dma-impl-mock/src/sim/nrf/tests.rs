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
    let events = log.events();
    assert!(
        matches!(events.as_slice(), [Event::Note(super::START_TASK), Event::Note(_)]),
        "{events:?}"
    );
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

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "UARTE `BAUDRATE`")]
fn the_legacy_uart_baud_value_fails_the_test() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    // 115200 in the legacy UART's table, not the UARTE's.
    reg(&sim, BAUDRATE_OR_FREQUENCY).write(0x01D7_E000);
}

#[test]
fn every_table_value_is_accepted_and_decoded() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832().step());
    for (value, baud) in UARTE_BAUDRATES {
        reg(&sim, BAUDRATE_OR_FREQUENCY).write(value);
        assert_eq!(sim.baud(), Some(baud));
    }
    let spim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832().step());
    for (value, hz) in SPIM_FREQUENCIES {
        reg(&spim, BAUDRATE_OR_FREQUENCY).write(value);
        assert_eq!(spim.frequency(), Some(hz));
    }
    let twim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52832().step());
    for (value, hz) in TWIM_FREQUENCIES {
        reg(&twim, BAUDRATE_OR_FREQUENCY).write(value);
        assert_eq!(twim.frequency(), Some(hz));
    }
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "SPIM `FREQUENCY`")]
fn a_frequency_off_the_table_fails_the_test() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&sim, BAUDRATE_OR_FREQUENCY).write(0x0A00_0000); // SPIM3's 16 Mbps
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "written while the peripheral is enabled")]
fn psel_written_while_enabled_fails_the_test() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&sim, PSEL_FIRST + 4).write(6); // ENABLE reads 8 out of reset
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "names a port this chip lacks")]
fn a_port_1_pin_on_the_nrf52832_fails_the_test() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52832().step());
    sim.disable();
    reg(&sim, PSEL_FIRST).write((1 << PSEL_PORT_BIT) | 3);
}

#[test]
fn psel_values_the_chips_have_are_accepted() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840().step());
    sim.disable();
    reg(&sim, PSEL_FIRST).write((1 << PSEL_PORT_BIT) | 31);
    reg(&sim, SPIM_PSEL_LAST).write(u32::MAX); // disconnected (the reset value)
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52832().step());
    sim.disable();
    reg(&sim, PSEL_FIRST).write(31);
    reg(&sim, PSEL_FIRST + 4).write(1 << PSEL_CONNECT_BIT);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "UARTE `CONFIG`: reserved bits")]
fn the_stop_bit_does_not_exist_on_the_nrf52832() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832().step());
    reg(&sim, UARTE_CONFIG).write(1 << 4);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "CONFIG.PARITY")]
fn a_parity_value_other_than_0_or_7_fails_the_test() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&sim, UARTE_CONFIG).write(1 << 4); // STOP exists on the nRF52840
    reg(&sim, UARTE_CONFIG).write(0b0110);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "SPIM `CONFIG`")]
fn reserved_spim_config_bits_fail_the_test() {
    let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&sim, SPIM_CONFIG).write(0b1000);
}

#[test]
#[cfg_attr(miri, ignore = "a rule check (logic); a panic takes seconds in Miri")]
#[should_panic(expected = "7-bit address")]
fn an_8_bit_twi_address_fails_the_test() {
    let sim = EasyDmaSim::twim(&Recorder::new(), SimConfig::nrf52840().step());
    reg(&sim, TWIM_ADDRESS).write(0x80);
}

/// nRF52832 Errata, anomaly 58: one byte read clocks two frames.
#[test]
fn anomaly_58_clocks_an_extra_byte_on_the_nrf52832_only() {
    for (config, frames) in [(SimConfig::nrf52832(), 2), (SimConfig::nrf52833(), 1)] {
        let sim = EasyDmaSim::spim(&Recorder::new(), config.step());
        let mut rx = [0u8; 1];
        sim.feed(&[0x11, 0x22]);
        reg(&sim, SPIM_ORC).write(0xAB);
        reg(&sim, TXD_MAXCNT).write(0);
        reg(&sim, RXD_PTR).write_ptr(rx.as_mut_ptr());
        reg(&sim, RXD_MAXCNT).write(1);
        reg(&sim, TASKS_START).write(1);
        sim.run(10);
        assert_eq!(reg(&sim, EVENTS_END).read(), 1);
        assert_eq!(sim.take_sent(), vec![0xAB; frames]);
        assert_eq!(rx, [0x11]);
        assert_eq!(sim.pending_feed(), 2 - frames);
    }
}

#[test]
fn the_interrupt_line_is_an_enabled_event() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    sim.on_interrupt(move || {
        seen.fetch_add(1, Ordering::SeqCst);
    });
    let endtx = inten_bit(EVENTS_ENDTX).unwrap();
    let data = [1u8];
    reg(&sim, TXD_PTR).write_ptr(data.as_ptr());
    reg(&sim, TXD_MAXCNT).write(1);
    // Masked: the event is raised, the line stays low.
    reg(&sim, TASKS_STARTTX).write(1);
    sim.run(10);
    assert_eq!((reg(&sim, EVENTS_ENDTX).read(), calls.load(Ordering::SeqCst)), (1, 0));
    assert!(!sim.interrupt_line());
    // Level-sensitive: enabling the pending event raises it at once.
    reg(&sim, INTENSET).write(endtx);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(sim.interrupt_line());
    assert_eq!(reg(&sim, INTENCLR).read(), endtx, "INTENCLR reads as INTEN");
    // INTENCLR lowers it; only the bits written change.
    reg(&sim, INTENSET).write(inten_bit(EVENTS_RXTO).unwrap());
    reg(&sim, INTENCLR).write(endtx);
    assert_eq!(reg(&sim, INTEN).read(), inten_bit(EVENTS_RXTO).unwrap());
    assert!(!sim.interrupt_line());
    // Enabled: raising the event raises the line.
    reg(&sim, EVENTS_ENDTX).write(0);
    reg(&sim, INTENSET).write(endtx);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "no event, no interrupt");
    reg(&sim, TASKS_STARTTX).write(1);
    sim.run(10);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(sim.interrupts(), 2);
    assert_eq!(sim.interrupts_left_pending(), 2, "this handler masks nothing");
}

#[test]
fn the_last_uarte_byte_leaves_a_frame_after_endtx_and_txstopped_waits_for_it() {
    for (sim, threaded) in [
        (EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step()), false),
        (EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840()), true),
    ] {
        let data = *b"xy";
        reg(&sim, TXD_PTR).write_ptr(data.as_ptr());
        reg(&sim, TXD_MAXCNT).write(2);
        reg(&sim, TASKS_STARTTX).write(1);
        if !threaded {
            assert!(sim.step()); // EasyDMA reads `x` into the transmitter
            assert!(sim.take_sent().is_empty(), "read, not yet on the wire");
            assert!(sim.step()); // `x` leaves, `y` read: ENDTX
            assert_eq!(reg(&sim, EVENTS_ENDTX).read(), 1);
            assert_eq!(reg(&sim, EVENTS_TXDRDY).read(), 1, "`x` was sent over the line");
            assert_eq!(sim.take_sent(), b"x", "ENDTX: `y` is still in the transmitter");
            assert!(!sim.is_idle(), "the transmitter holds a byte");
        } else {
            while reg(&sim, EVENTS_ENDTX).read() == 0 {
                std::thread::yield_now();
            }
        }
        reg(&sim, TASKS_STOPTX).write(1);
        while reg(&sim, EVENTS_TXSTOPPED).read() == 0 {
            std::thread::yield_now();
        }
        let mut wire = sim.take_sent();
        if !threaded {
            assert_eq!(wire, b"y", "step mode: the frame passed inside the STOPTX write");
            wire = b"xy".to_vec();
        }
        assert!(wire.ends_with(b"y"), "TXSTOPPED before the last byte left: {wire:?}");
        assert!(sim.is_idle());
    }
}

#[test]
#[cfg_attr(miri, ignore = "a million register reads")]
fn polling_an_event_nothing_can_raise_fails_at_once() {
    for config in [SimConfig::nrf52840(), SimConfig::nrf52840().step()] {
        let sim = EasyDmaSim::uarte(&Recorder::new(), config);
        let stopped = reg(&sim, EVENTS_TXSTOPPED);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            while stopped.read() == 0 {
                core::hint::spin_loop();
            }
        }));
        assert!(caught.is_err(), "the poll fails instead of spinning for ever");
        let panic = caught.err().unwrap();
        let msg = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(msg.contains("EVENTS_TXSTOPPED (offset 0x158) polled 1000000 times"), "{msg}");
        assert!(msg.contains("was TASKS_STOPTX triggered?"), "{msg}");
    }
}

#[test]
fn a_poll_the_hardware_will_answer_is_never_accused() {
    // Threaded: 3 bytes held until `resume`, polled far past the limit.
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let data = [1u8, 2, 3];
    sim.stall_after(0);
    reg(&sim, TXD_PTR).write_ptr(data.as_ptr());
    reg(&sim, TXD_MAXCNT).write(3);
    reg(&sim, TASKS_STARTTX).write(1);
    let endtx = reg(&sim, EVENTS_ENDTX);
    let limit = if cfg!(miri) { 100 } else { 3 * super::POLL_LIMIT };
    for _ in 0..limit {
        assert_eq!(endtx.read(), 0, "a channel is active: the poll may go on");
    }
    sim.resume();
    while endtx.read() == 0 {
        std::thread::yield_now();
    }
    reg(&sim, TASKS_STOPTX).write(1);
    while reg(&sim, EVENTS_TXSTOPPED).read() == 0 {
        std::thread::yield_now();
    }
}

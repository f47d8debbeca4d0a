//! Register values the product specifications call invalid: the CPU write
//! that makes one panics, failing the test in the driver's own thread.
//!
//! Each rule names its source: nRF52832 PS v1.4, nRF52833 PS v1.3, nRF52840
//! PS v1.1, the "Registers" and "Pin configuration" sections of the UARTE,
//! SPIM and TWIM chapters.
#![allow(clippy::panic)] // failing the test is the point

use super::regs::*;
use super::{Kind, Shared};

/// The second member of the pair whose first is `value`.
pub(super) fn lookup(table: &[(u32, u32)], value: u32) -> Option<u32> {
    table.iter().find(|(v, _)| *v == value).map(|(_, meaning)| *meaning)
}

/// Panics if the CPU writing `value` to `offset` breaks a rule of the PS.
pub(super) fn check_write(shared: &Shared, offset: usize, value: u32) {
    let kind = shared.kind;
    let name = match kind {
        Kind::Uarte => "UARTE",
        Kind::Spim => "SPIM",
        Kind::Twim => "TWIM",
    };
    let psel_last = match kind {
        Kind::Uarte => UARTE_PSEL_LAST,
        Kind::Spim => SPIM_PSEL_LAST,
        Kind::Twim => TWIM_PSEL_LAST,
    };
    if (PSEL_FIRST..=psel_last).contains(&offset) {
        psel(shared, name, offset, value);
    }
    match (kind, offset) {
        // PS UARTE chapter, `BAUDRATE`: one of the listed values.
        (Kind::Uarte, BAUDRATE_OR_FREQUENCY) if lookup(&UARTE_BAUDRATES, value).is_none() => {
            panic!("nRF52 PS, UARTE `BAUDRATE`: {value:#010x} is not a value of the UARTE table")
        }
        // PS SPIM chapter, `FREQUENCY` (SPIM0..2).
        (Kind::Spim, BAUDRATE_OR_FREQUENCY) if lookup(&SPIM_FREQUENCIES, value).is_none() => {
            panic!("nRF52 PS, SPIM `FREQUENCY`: {value:#010x} is not a listed value")
        }
        // PS TWIM chapter, `FREQUENCY`.
        (Kind::Twim, BAUDRATE_OR_FREQUENCY) if lookup(&TWIM_FREQUENCIES, value).is_none() => {
            panic!("nRF52 PS, TWIM `FREQUENCY`: {value:#010x} is not a listed value")
        }
        // PS UARTE chapter, `CONFIG`: HWFC, PARITY (0 or 7), and STOP /
        // PARITYTYPE where the chip has them; the other bits are reserved.
        (Kind::Uarte, UARTE_CONFIG) => {
            let reserved = value & !shared.config.uarte_config_mask;
            if reserved != 0 {
                panic!("nRF52 PS, UARTE `CONFIG`: reserved bits {reserved:#x} set ({value:#x})");
            }
            let parity =
                (value >> UARTE_CONFIG_PARITY_OFFSET) & ((1 << UARTE_CONFIG_PARITY_BITS) - 1);
            if parity != 0 && parity != UARTE_CONFIG_PARITY_INCLUDED {
                panic!("nRF52 PS, UARTE `CONFIG.PARITY`: {parity} is neither Excluded (0) nor Included (7)");
            }
        }
        // PS SPIM chapter, `CONFIG`: ORDER, CPHA, CPOL; the rest reserved.
        (Kind::Spim, SPIM_CONFIG) if value & !SPIM_CONFIG_MASK != 0 => {
            panic!("nRF52 PS, SPIM `CONFIG`: reserved bits set ({value:#x})")
        }
        // PS TWIM chapter, `ADDRESS`: a 7-bit address, the rest reserved.
        (Kind::Twim, TWIM_ADDRESS) if value >> TWIM_ADDRESS_BITS != 0 => {
            panic!("nRF52 PS, TWIM `ADDRESS`: {value:#x} is not a 7-bit address")
        }
        _ => {}
    }
}

/// PS, each chapter's "Pin configuration": the `PSEL` registers are to be
/// configured only while the peripheral is disabled; `Registers`, `PSEL.*`:
/// PIN in bits 0..=4, PORT in bit 5 on the nRF52833/840 only, CONNECT in bit
/// 31, the rest reserved. A disconnected signal (CONNECT = 1) may hold any
/// pin bits (the reset value is 0xFFFF_FFFF).
fn psel(shared: &Shared, name: &str, offset: usize, value: u32) {
    if shared.reg(ENABLE) != 0 {
        panic!(
            "nRF52 PS, {name} \"Pin configuration\": PSEL at {offset:#x} written while the \
             peripheral is enabled (ENABLE = {})",
            shared.reg(ENABLE)
        );
    }
    if value >> PSEL_CONNECT_BIT != 0 {
        return;
    }
    let port = (value >> PSEL_PORT_BIT) & 1;
    let port_bits = if shared.config.gpio_ports > 1 { 1 } else { 0 };
    let reserved = value >> (PSEL_PORT_BIT + port_bits);
    if reserved != 0 || u8::try_from(port).map_or(true, |p| p >= shared.config.gpio_ports) {
        panic!(
            "nRF52 PS, {name} `PSEL` at {offset:#x}: {value:#x} names a port this chip lacks \
             or sets reserved bits ({} GPIO port(s); nRF52832: no PORT field)",
            shared.config.gpio_ports
        );
    }
}

//! The register map this crate programs: base addresses, offsets, bit
//! positions and values, as the drivers use them.
//!
//! Sources: the nRF52832 Product Specification v1.4, the nRF52833 PS v1.3 and
//! the nRF52840 PS v1.1, chapters "Memory" (instantiation table), "UARTE —
//! Universal asynchronous receiver/transmitter with EasyDMA", "SPIM — Serial
//! peripheral interface master with EasyDMA" and "TWIM — I2C compatible
//! two-wire interface master with EasyDMA", section "Registers" of each.
//!
//! The drivers read every number from here, and the PAC oracle
//! (`pac-oracle/tests/nrf.rs`) compares every one of them with the
//! `nrf52832-pac`, `nrf52833-pac` and `nrf52840-pac` crates (generated from
//! Nordic's SVD files), so a wrong number here fails a test there.
//!
//! ```
//! use dma_impl_nrf::regs;
//! assert_eq!(regs::uarte::ENABLE_VALUE, 8);
//! assert_eq!(regs::base::UARTE0 + regs::TXD_MAXCNT, 0x4000_2548);
//! ```

/// Base addresses of the register blocks (PS "Memory", instantiation table;
/// SPIM*n* and TWIM*n* share one ID and one block).
pub mod base {
    /// UARTE0 (ID 2).
    pub const UARTE0: usize = 0x4000_2000;
    /// SPIM0 / TWIM0 (ID 3).
    pub const SERIAL0: usize = 0x4000_3000;
    /// SPIM1 / TWIM1 (ID 4).
    pub const SERIAL1: usize = 0x4000_4000;
    /// SPIM2 (ID 35).
    pub const SPIM2: usize = 0x4002_3000;
    /// UARTE1 (ID 40): nRF52833 and nRF52840 only.
    pub const UARTE1: usize = 0x4002_8000;
}

// Offsets every EasyDMA serial block shares (the PS "Registers" tables: a
// name at the same offset in UARTE, SPIM and TWIM where it exists).

/// UARTE, TWIM `TASKS_STARTRX`.
pub const TASKS_STARTRX: usize = 0x000;
/// UARTE `TASKS_STOPRX`.
pub const TASKS_STOPRX: usize = 0x004;
/// UARTE, TWIM `TASKS_STARTTX`.
pub const TASKS_STARTTX: usize = 0x008;
/// UARTE `TASKS_STOPTX`.
pub const TASKS_STOPTX: usize = 0x00C;
/// SPIM `TASKS_START`.
pub const TASKS_START: usize = 0x010;
/// SPIM, TWIM `TASKS_STOP`.
pub const TASKS_STOP: usize = 0x014;
/// SPIM, TWIM `EVENTS_STOPPED`.
pub const EVENTS_STOPPED: usize = 0x104;
/// UARTE, SPIM `EVENTS_ENDRX`.
pub const EVENTS_ENDRX: usize = 0x110;
/// SPIM `EVENTS_END`.
pub const EVENTS_END: usize = 0x118;
/// UARTE, SPIM `EVENTS_ENDTX`.
pub const EVENTS_ENDTX: usize = 0x120;
/// UARTE, TWIM `EVENTS_ERROR`.
pub const EVENTS_ERROR: usize = 0x124;
/// UARTE `EVENTS_RXTO`.
pub const EVENTS_RXTO: usize = 0x144;
/// UARTE, TWIM `EVENTS_RXSTARTED`; SPIM `EVENTS_STARTED`.
pub const EVENTS_RXSTARTED: usize = 0x14C;
/// UARTE, TWIM `EVENTS_TXSTARTED`.
pub const EVENTS_TXSTARTED: usize = 0x150;
/// UARTE `EVENTS_TXSTOPPED`.
pub const EVENTS_TXSTOPPED: usize = 0x158;
/// TWIM `EVENTS_LASTRX`.
pub const EVENTS_LASTRX: usize = 0x15C;
/// TWIM `EVENTS_LASTTX`.
pub const EVENTS_LASTTX: usize = 0x160;
/// `SHORTS`.
pub const SHORTS: usize = 0x200;
/// `INTENSET`: write 1 to enable an event's interrupt (a transfer enables
/// the events that end it when it starts, once the peripheral's interrupt
/// token was taken).
pub const INTENSET: usize = 0x304;
/// `INTENCLR`: write 1 to disable an event's interrupt (`configure` clears
/// them all, the interrupt handler masks the events it saw,
/// [`crate::interrupt`]).
pub const INTENCLR: usize = 0x308;

/// The `INTENSET` / `INTENCLR` bit of the event at offset `event`: the
/// event's ID, its offset from the first event (0x100) in words (PS
/// "Peripheral interface", "Interrupts"; nRF52840 PS v1.1 §6.1.7). For
/// example UARTE `ENDTX` (0x120) is bit 8, SPIM `END` (0x118) bit 6, TWIM
/// `STOPPED` (0x104) bit 1, as the PS register tables list them.
///
/// ```
/// use dma_impl_nrf::regs;
/// assert_eq!(regs::inten_bit(regs::EVENTS_ENDTX), 1 << 8);
/// assert_eq!(regs::inten_bit(regs::EVENTS_ERROR), 1 << 9);
/// ```
pub const fn inten_bit(event: usize) -> u32 {
    1 << ((event - EVENTS_FIRST) / 4)
}

/// The offset of the first event register (event ID 0).
pub const EVENTS_FIRST: usize = 0x100;
/// `ENABLE`.
pub const ENABLE: usize = 0x500;
/// `RXD.PTR`.
pub const RXD_PTR: usize = 0x534;
/// `RXD.MAXCNT`.
pub const RXD_MAXCNT: usize = 0x538;
/// `RXD.AMOUNT`.
pub const RXD_AMOUNT: usize = 0x53C;
/// `TXD.PTR`.
pub const TXD_PTR: usize = 0x544;
/// `TXD.MAXCNT`.
pub const TXD_MAXCNT: usize = 0x548;
/// `TXD.AMOUNT`.
pub const TXD_AMOUNT: usize = 0x54C;

/// `PSEL.*` fields (every PSEL register of the three peripherals).
pub mod psel {
    /// `PIN`: bits 0..=4.
    pub const PIN_WIDTH: u32 = 5;
    /// `PORT`: bit 5, nRF52833 and nRF52840 only (the nRF52832 has one GPIO
    /// port and no such field).
    pub const PORT_BIT: u32 = 5;
    /// `CONNECT`: bit 31, 1 = disconnected.
    pub const CONNECT_BIT: u32 = 31;
}

/// UARTE registers and values.
pub mod uarte {
    /// `ERRORSRC` (write 1 to clear).
    pub const ERRORSRC: usize = 0x480;
    /// `PSEL.RTS`.
    pub const PSEL_RTS: usize = 0x508;
    /// `PSEL.TXD`.
    pub const PSEL_TXD: usize = 0x50C;
    /// `PSEL.CTS`.
    pub const PSEL_CTS: usize = 0x510;
    /// `PSEL.RXD`.
    pub const PSEL_RXD: usize = 0x514;
    /// `BAUDRATE`.
    pub const BAUDRATE: usize = 0x524;
    /// `CONFIG`.
    pub const CONFIG: usize = 0x56C;
    /// `ENABLE` value that switches the block on as a UARTE.
    pub const ENABLE_VALUE: u32 = 8;
    /// `SHORTS.ENDRX_STARTRX`.
    pub const SHORT_ENDRX_STARTRX: u32 = 1 << 5;
    /// `SHORTS.ENDRX_STOPRX`.
    pub const SHORT_ENDRX_STOPRX: u32 = 1 << 6;
    /// `ERRORSRC.OVERRUN`.
    pub const ERRORSRC_OVERRUN: u32 = 1 << 0;
    /// `ERRORSRC.PARITY`.
    pub const ERRORSRC_PARITY: u32 = 1 << 1;
    /// `ERRORSRC.FRAMING`.
    pub const ERRORSRC_FRAMING: u32 = 1 << 2;
    /// `ERRORSRC.BREAK`.
    pub const ERRORSRC_BREAK: u32 = 1 << 3;
    /// `CONFIG.HWFC`: bit 0.
    pub const CONFIG_HWFC_BIT: u32 = 0;
    /// `CONFIG.PARITY`: bits 1..=3, 0 = excluded, 7 = included.
    pub const CONFIG_PARITY_OFFSET: u32 = 1;
    /// `CONFIG.PARITY` width.
    pub const CONFIG_PARITY_WIDTH: u32 = 3;
    /// `CONFIG.PARITY = Included`.
    pub const CONFIG_PARITY_INCLUDED: u32 = 7;
    /// `CONFIG.STOP` (two stop bits): bit 4, nRF52833 and nRF52840 only.
    pub const CONFIG_STOP_BIT: u32 = 4;
}

/// SPIM registers and values.
pub mod spim {
    /// `PSEL.SCK`.
    pub const PSEL_SCK: usize = 0x508;
    /// `PSEL.MOSI`.
    pub const PSEL_MOSI: usize = 0x50C;
    /// `PSEL.MISO`.
    pub const PSEL_MISO: usize = 0x510;
    /// `FREQUENCY`.
    pub const FREQUENCY: usize = 0x524;
    /// `CONFIG`.
    pub const CONFIG: usize = 0x554;
    /// `ORC`.
    pub const ORC: usize = 0x5C0;
    /// `ENABLE` value that switches the block on as an SPIM.
    pub const ENABLE_VALUE: u32 = 7;
    /// `CONFIG.ORDER`: bit 0, 1 = LSB first.
    pub const CONFIG_ORDER_BIT: u32 = 0;
    /// `CONFIG.CPHA`: bit 1, 1 = trailing edge.
    pub const CONFIG_CPHA_BIT: u32 = 1;
    /// `CONFIG.CPOL`: bit 2, 1 = active low.
    pub const CONFIG_CPOL_BIT: u32 = 2;
    /// The `CONFIG` bits that exist (ORDER, CPHA, CPOL).
    pub const CONFIG_MASK: u32 =
        (1 << CONFIG_ORDER_BIT) | (1 << CONFIG_CPHA_BIT) | (1 << CONFIG_CPOL_BIT);
}

/// TWIM registers and values.
pub mod twim {
    /// `ERRORSRC` (write 1 to clear).
    pub const ERRORSRC: usize = 0x4C4;
    /// `PSEL.SCL`.
    pub const PSEL_SCL: usize = 0x508;
    /// `PSEL.SDA`.
    pub const PSEL_SDA: usize = 0x50C;
    /// `FREQUENCY`.
    pub const FREQUENCY: usize = 0x524;
    /// `ADDRESS`.
    pub const ADDRESS: usize = 0x588;
    /// `ADDRESS.ADDRESS` width: 7 bits.
    pub const ADDRESS_WIDTH: u32 = 7;
    /// `ENABLE` value that switches the block on as a TWIM.
    pub const ENABLE_VALUE: u32 = 6;
    /// `SHORTS.LASTTX_STARTRX`.
    pub const SHORT_LASTTX_STARTRX: u32 = 1 << 7;
    /// `SHORTS.LASTTX_STOP`.
    pub const SHORT_LASTTX_STOP: u32 = 1 << 9;
    /// `SHORTS.LASTRX_STOP`.
    pub const SHORT_LASTRX_STOP: u32 = 1 << 12;
    /// `ERRORSRC.OVERRUN`.
    pub const ERRORSRC_OVERRUN: u32 = 1 << 0;
    /// `ERRORSRC.ANACK`.
    pub const ERRORSRC_ANACK: u32 = 1 << 1;
    /// `ERRORSRC.DNACK`.
    pub const ERRORSRC_DNACK: u32 = 1 << 2;
}

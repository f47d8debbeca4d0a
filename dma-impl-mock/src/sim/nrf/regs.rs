//! The register map the nRF52 simulator implements: offsets of the UARTE,
//! SPIM and TWIM blocks, bit positions and the value tables it accepts.
//!
//! Sources: nRF52832 Product Specification v1.4, nRF52833 PS v1.3, nRF52840
//! PS v1.1, the "Registers" sections of the UARTE, SPIM and TWIM chapters
//! (the three share one layout for the EasyDMA part). Public so that the PAC
//! oracle (`pac-oracle/tests/nrf.rs`) checks the very numbers the simulator
//! uses against `nrf52832-pac`, `nrf52833-pac` and `nrf52840-pac`.

/// `TASKS_STARTRX` (UARTE, TWIM).
pub const TASKS_STARTRX: usize = 0x000;
/// `TASKS_STOPRX` (UARTE).
pub const TASKS_STOPRX: usize = 0x004;
/// `TASKS_STARTTX` (UARTE, TWIM).
pub const TASKS_STARTTX: usize = 0x008;
/// `TASKS_STOPTX` (UARTE).
pub const TASKS_STOPTX: usize = 0x00C;
/// `TASKS_START` (SPIM).
pub const TASKS_START: usize = 0x010;
/// `TASKS_STOP` (SPIM, TWIM).
pub const TASKS_STOP: usize = 0x014;

/// `EVENTS_STOPPED` (SPIM, TWIM).
pub const EVENTS_STOPPED: usize = 0x104;
/// `EVENTS_ENDRX` (UARTE, SPIM).
pub const EVENTS_ENDRX: usize = 0x110;
/// `EVENTS_TXDRDY` (UARTE): a byte has left on the TXD line.
pub const EVENTS_TXDRDY: usize = 0x11C;
/// `EVENTS_END` (SPIM).
pub const EVENTS_END: usize = 0x118;
/// `EVENTS_ENDTX` (UARTE, SPIM).
pub const EVENTS_ENDTX: usize = 0x120;
/// `EVENTS_ERROR` (UARTE, TWIM).
pub const EVENTS_ERROR: usize = 0x124;
/// `EVENTS_RXTO` (UARTE).
pub const EVENTS_RXTO: usize = 0x144;
/// `RXSTARTED` on UARTE and TWIM, `STARTED` on SPIM.
pub const EVENTS_RXSTARTED: usize = 0x14C;
/// `EVENTS_TXSTARTED` (UARTE, TWIM).
pub const EVENTS_TXSTARTED: usize = 0x150;
/// `EVENTS_TXSTOPPED` (UARTE).
pub const EVENTS_TXSTOPPED: usize = 0x158;
/// `EVENTS_LASTRX` (TWIM).
pub const EVENTS_LASTRX: usize = 0x15C;
/// `EVENTS_LASTTX` (TWIM).
pub const EVENTS_LASTTX: usize = 0x160;

/// `SHORTS`.
pub const SHORTS: usize = 0x200;
/// `INTEN`: one enable bit per event (PS "Peripheral interface",
/// "Interrupts": the bit number is the event's ID, its offset from 0x100
/// divided by 4; see [`inten_bit`]).
pub const INTEN: usize = 0x300;
/// `INTENSET`: writing 1 sets `INTEN` bits; reads as `INTEN`.
pub const INTENSET: usize = 0x304;
/// `INTENCLR`: writing 1 clears `INTEN` bits; reads as `INTEN`.
pub const INTENCLR: usize = 0x308;

/// The `INTEN` bit of the event at `event` (PS "Peripheral interface",
/// "Interrupts": "the bit position in INTEN is the event ID", the events
/// starting at 0x100, one word each); `None` outside the event range.
pub const fn inten_bit(event: usize) -> Option<u32> {
    if event >= 0x100 && event < 0x180 && event.is_multiple_of(4) {
        Some(1 << ((event - 0x100) / 4))
    } else {
        None
    }
}
/// `ERRORSRC` of the UARTE (write 1 to clear).
pub const UARTE_ERRORSRC: usize = 0x480;
/// `ERRORSRC` of the TWIM (write 1 to clear).
pub const TWIM_ERRORSRC: usize = 0x4C4;
/// `ENABLE`.
pub const ENABLE: usize = 0x500;
/// The first `PSEL.*` register (UARTE `PSEL.RTS`, SPIM `PSEL.SCK`, TWIM
/// `PSEL.SCL`).
pub const PSEL_FIRST: usize = 0x508;
/// The last `PSEL.*` register of the UARTE (`PSEL.RXD`).
pub const UARTE_PSEL_LAST: usize = 0x514;
/// The last `PSEL.*` register of SPIM0..2 (`PSEL.MISO`).
pub const SPIM_PSEL_LAST: usize = 0x510;
/// The last `PSEL.*` register of the TWIM (`PSEL.SDA`).
pub const TWIM_PSEL_LAST: usize = 0x50C;
/// UARTE `BAUDRATE`, SPIM and TWIM `FREQUENCY`.
pub const BAUDRATE_OR_FREQUENCY: usize = 0x524;

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
/// SPIM `CONFIG`.
pub const SPIM_CONFIG: usize = 0x554;
/// UARTE `CONFIG`.
pub const UARTE_CONFIG: usize = 0x56C;
/// TWIM `ADDRESS`.
pub const TWIM_ADDRESS: usize = 0x588;
/// SPIM `ORC`.
pub const SPIM_ORC: usize = 0x5C0;

/// `ENABLE` value that switches the block on as a UARTE.
pub const ENABLE_UARTE: u32 = 8;
/// `ENABLE` value that switches the block on as an SPIM.
pub const ENABLE_SPIM: u32 = 7;
/// `ENABLE` value that switches the block on as a TWIM.
pub const ENABLE_TWIM: u32 = 6;

/// Words in a simulated block (0x000..0x600).
pub const BLOCK_WORDS: usize = 0x600 / 4;

/// UARTE `SHORTS.ENDRX_STARTRX`.
pub const SHORT_ENDRX_STARTRX: u32 = 1 << 5;
/// TWIM `SHORTS.LASTTX_STARTRX`.
pub const SHORT_LASTTX_STARTRX: u32 = 1 << 7;
/// TWIM `SHORTS.LASTTX_STOP`.
pub const SHORT_LASTTX_STOP: u32 = 1 << 9;
/// TWIM `SHORTS.LASTRX_STOP`.
pub const SHORT_LASTRX_STOP: u32 = 1 << 12;

/// TWIM `ERRORSRC.OVERRUN`.
pub const TWIM_OVERRUN: u32 = 1 << 0;
/// TWIM `ERRORSRC.ANACK`.
pub const TWIM_ANACK: u32 = 1 << 1;
/// TWIM `ERRORSRC.DNACK`.
pub const TWIM_DNACK: u32 = 1 << 2;
/// TWIM `ADDRESS.ADDRESS`: 7 bits.
pub const TWIM_ADDRESS_BITS: u32 = 7;

/// `PSEL.PIN`: bits 0..=4.
pub const PSEL_PIN_BITS: u32 = 5;
/// `PSEL.PORT`: bit 5 (nRF52833 and nRF52840 only).
pub const PSEL_PORT_BIT: u32 = 5;
/// `PSEL.CONNECT`: bit 31 (1 = disconnected).
pub const PSEL_CONNECT_BIT: u32 = 31;

/// UARTE `CONFIG.PARITY`: bits 1..=3, 0 (excluded) or 7 (included).
pub const UARTE_CONFIG_PARITY_OFFSET: u32 = 1;
/// UARTE `CONFIG.PARITY` width.
pub const UARTE_CONFIG_PARITY_BITS: u32 = 3;
/// UARTE `CONFIG.PARITY = Included`.
pub const UARTE_CONFIG_PARITY_INCLUDED: u32 = 7;
/// SPIM `CONFIG` bits that exist: ORDER (0), CPHA (1), CPOL (2).
pub const SPIM_CONFIG_MASK: u32 = 0b111;

/// The UARTE `BAUDRATE` table: (register value, baud).
pub const UARTE_BAUDRATES: [(u32, u32); 18] = [
    (0x0004_F000, 1200),
    (0x0009_D000, 2400),
    (0x0013_B000, 4800),
    (0x0027_5000, 9600),
    (0x003A_F000, 14_400),
    (0x004E_A000, 19_200),
    (0x0075_C000, 28_800),
    (0x0080_0000, 31_250),
    (0x009D_0000, 38_400),
    (0x00E5_0000, 56_000),
    (0x00EB_0000, 57_600),
    (0x013A_9000, 76_800),
    (0x01D6_0000, 115_200),
    (0x03B0_0000, 230_400),
    (0x0400_0000, 250_000),
    (0x0740_0000, 460_800),
    (0x0F00_0000, 921_600),
    (0x1000_0000, 1_000_000),
];

/// The SPIM0..2 `FREQUENCY` table: (register value, bits per second).
pub const SPIM_FREQUENCIES: [(u32, u32); 7] = [
    (0x0200_0000, 125_000),
    (0x0400_0000, 250_000),
    (0x0800_0000, 500_000),
    (0x1000_0000, 1_000_000),
    (0x2000_0000, 2_000_000),
    (0x4000_0000, 4_000_000),
    (0x8000_0000, 8_000_000),
];

/// The TWIM `FREQUENCY` table: (register value, bits per second).
pub const TWIM_FREQUENCIES: [(u32, u32); 3] =
    [(0x0198_0000, 100_000), (0x0400_0000, 250_000), (0x0640_0000, 400_000)];

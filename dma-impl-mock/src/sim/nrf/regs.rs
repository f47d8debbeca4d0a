//! Register offsets of the nRF52 UARTE, SPIM and TWIM blocks (nRF52832/833/840
//! product specifications; the three share one layout for the EasyDMA part).

pub(super) const TASKS_STARTRX: usize = 0x000;
pub(super) const TASKS_STOPRX: usize = 0x004;
pub(super) const TASKS_STARTTX: usize = 0x008;
pub(super) const TASKS_STOPTX: usize = 0x00C;
pub(super) const TASKS_START: usize = 0x010;
pub(super) const TASKS_STOP: usize = 0x014;

pub(super) const EVENTS_STOPPED: usize = 0x104;
pub(super) const EVENTS_ENDRX: usize = 0x110;
pub(super) const EVENTS_END: usize = 0x118;
pub(super) const EVENTS_ENDTX: usize = 0x120;
pub(super) const EVENTS_ERROR: usize = 0x124;
pub(super) const EVENTS_RXTO: usize = 0x144;
/// `RXSTARTED` on UARTE and TWIM, `STARTED` on SPIM.
pub(super) const EVENTS_RXSTARTED: usize = 0x14C;
pub(super) const EVENTS_TXSTARTED: usize = 0x150;
pub(super) const EVENTS_TXSTOPPED: usize = 0x158;
pub(super) const EVENTS_LASTRX: usize = 0x15C;
pub(super) const EVENTS_LASTTX: usize = 0x160;

pub(super) const SHORTS: usize = 0x200;
pub(super) const UARTE_ERRORSRC: usize = 0x480;
pub(super) const TWIM_ERRORSRC: usize = 0x4C4;
pub(super) const ENABLE: usize = 0x500;

pub(super) const RXD_PTR: usize = 0x534;
pub(super) const RXD_MAXCNT: usize = 0x538;
pub(super) const RXD_AMOUNT: usize = 0x53C;
pub(super) const TXD_PTR: usize = 0x544;
pub(super) const TXD_MAXCNT: usize = 0x548;
pub(super) const TXD_AMOUNT: usize = 0x54C;
pub(super) const TWIM_ADDRESS: usize = 0x588;
pub(super) const SPIM_ORC: usize = 0x5C0;

/// `ENABLE` values that switch the block on as each peripheral (PS, the
/// `ENABLE` register of the UARTE, SPIM and TWIM chapters).
pub(super) const ENABLE_UARTE: u32 = 8;
pub(super) const ENABLE_SPIM: u32 = 7;
pub(super) const ENABLE_TWIM: u32 = 6;

/// Words in a simulated block (0x000..0x600).
pub(super) const BLOCK_WORDS: usize = 0x600 / 4;

/// UARTE `SHORTS.ENDRX_STARTRX`.
pub(super) const SHORT_ENDRX_STARTRX: u32 = 1 << 5;
/// TWIM `SHORTS.LASTTX_STARTRX`.
pub(super) const SHORT_LASTTX_STARTRX: u32 = 1 << 7;
/// TWIM `SHORTS.LASTTX_STOP`.
pub(super) const SHORT_LASTTX_STOP: u32 = 1 << 9;
/// TWIM `SHORTS.LASTRX_STOP`.
pub(super) const SHORT_LASTRX_STOP: u32 = 1 << 12;

/// TWIM `ERRORSRC` bits.
pub(super) const TWIM_OVERRUN: u32 = 1 << 0;
pub(super) const TWIM_ANACK: u32 = 1 << 1;
pub(super) const TWIM_DNACK: u32 = 1 << 2;

//! A peripheral's register block: tasks, events and EasyDMA channels by offset.

use dma_mmio::Reg;

/// Register offsets shared by UARTE, SPIM and TWIM (nRF52832/833/840 product
/// specifications).
pub(crate) mod offset {
    pub(crate) const TASKS_STARTRX: usize = 0x000;
    pub(crate) const TASKS_STOPRX: usize = 0x004;
    pub(crate) const TASKS_STARTTX: usize = 0x008;
    pub(crate) const TASKS_STOPTX: usize = 0x00C;
    pub(crate) const TASKS_START: usize = 0x010;
    pub(crate) const TASKS_STOP: usize = 0x014;
    pub(crate) const EVENTS_STOPPED: usize = 0x104;
    pub(crate) const EVENTS_ENDRX: usize = 0x110;
    pub(crate) const EVENTS_END: usize = 0x118;
    pub(crate) const EVENTS_ENDTX: usize = 0x120;
    pub(crate) const EVENTS_ERROR: usize = 0x124;
    pub(crate) const EVENTS_RXTO: usize = 0x144;
    pub(crate) const EVENTS_RXSTARTED: usize = 0x14C;
    pub(crate) const EVENTS_TXSTOPPED: usize = 0x158;
    pub(crate) const EVENTS_LASTRX: usize = 0x15C;
    pub(crate) const EVENTS_LASTTX: usize = 0x160;
    pub(crate) const SHORTS: usize = 0x200;
    pub(crate) const UARTE_ERRORSRC: usize = 0x480;
    pub(crate) const TWIM_ERRORSRC: usize = 0x4C4;
    pub(crate) const ENABLE: usize = 0x500;
    pub(crate) const PSEL0: usize = 0x508;
    pub(crate) const PSEL1: usize = 0x50C;
    pub(crate) const PSEL2: usize = 0x510;
    pub(crate) const PSEL3: usize = 0x514;
    pub(crate) const FREQUENCY: usize = 0x524;
    pub(crate) const BAUDRATE: usize = 0x524;
    pub(crate) const RXD_PTR: usize = 0x534;
    pub(crate) const RXD_AMOUNT: usize = 0x53C;
    pub(crate) const TXD_PTR: usize = 0x544;
    pub(crate) const TXD_AMOUNT: usize = 0x54C;
    pub(crate) const SPIM_CONFIG: usize = 0x554;
    pub(crate) const UARTE_CONFIG: usize = 0x56C;
    pub(crate) const TWIM_ADDRESS: usize = 0x588;
    pub(crate) const SPIM_ORC: usize = 0x5C0;
}

/// `MAXCNT` is the word after `PTR`.
const MAXCNT_FROM_PTR: usize = 4;

/// The base of one peripheral's registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block(Reg);

impl Block {
    /// # Safety
    ///
    /// For **callers**: `base` is the base address of a UARTE, SPIM or TWIM
    /// block (on the host: a simulator's mapping of at least 0x600 bytes) that
    /// the caller owns exclusively, valid while the `Block` is used.
    pub(crate) const unsafe fn new(base: *mut u32) -> Self {
        // SAFETY: forwarded from this function's contract.
        Block(unsafe { Reg::from_ptr(base) })
    }

    fn at(self, offset: usize) -> Reg {
        // SAFETY: every offset used is one of the constants above, inside the
        // 0x600-byte block that `new`'s contract covers.
        unsafe { self.0.offset(offset) }
    }

    pub(crate) fn read(self, offset: usize) -> u32 {
        self.at(offset).read()
    }

    pub(crate) fn write(self, offset: usize, value: u32) {
        self.at(offset).write(value);
    }

    pub(crate) fn trigger(self, task: usize) {
        self.write(task, 1);
    }

    pub(crate) fn event(self, event: usize) -> bool {
        self.read(event) != 0
    }

    pub(crate) fn clear(self, event: usize) {
        self.write(event, 0);
    }

    /// Spins until `event` is set.
    pub(crate) fn wait(self, event: usize) {
        while !self.event(event) {
            core::hint::spin_loop();
        }
    }

    /// Programs the EasyDMA channel whose `PTR` is at `ptr_offset`.
    pub(crate) fn channel(self, ptr_offset: usize, ptr: *const u8, len: usize) {
        self.at(ptr_offset).write_ptr(ptr);
        self.write(ptr_offset + MAXCNT_FROM_PTR, u32::try_from(len).unwrap_or(u32::MAX));
    }

    pub(crate) fn amount(self, amount_offset: usize) -> usize {
        self.read(amount_offset) as usize
    }
}

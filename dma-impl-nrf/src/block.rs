//! A peripheral's register block: tasks, events and EasyDMA channels by offset.

use dma_mmio::Reg;

/// `MAXCNT` is the word after `PTR` (checked by the PAC oracle).
const MAXCNT_FROM_PTR: usize = crate::regs::TXD_MAXCNT - crate::regs::TXD_PTR;

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
        // SAFETY: every offset used is one of the `crate::regs` constants, inside the
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

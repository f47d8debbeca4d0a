//! Register access for DMA drivers that run unchanged on the chip and on the host.
//!
//! A driver reaches its peripheral through [`Reg`] handles made from the
//! reference manual's addresses. On a bare-metal target (`target_os = "none"`)
//! [`Reg::read`] and [`Reg::write`] are single volatile accesses and nothing
//! else: the layer costs no instruction. On the host, a register-level
//! simulator [`map`](host::map)s a [`host::Device`] over a block of memory it
//! owns, and every access to an address inside that block is routed to the
//! device, which applies the hardware's side effects (write-1-to-clear flags,
//! task triggers) at the moment of the access, while the simulator's own thread
//! plays the rest of the hardware against the same memory with atomics.
//!
//! # For HAL authors
//!
//! Keep register offsets as constants, make a [`Reg`] per access, and take the
//! peripheral's base address as a parameter of an `unsafe` constructor so host
//! tests can pass the simulator's [`host::Mapping::base`].
#![no_std]

mod dma_memory;
#[cfg(not(target_os = "none"))]
pub mod host;

pub use dma_memory::load_from_dma;
#[cfg(not(target_os = "none"))]
pub use dma_memory::store_as_dma;

/// Whether the `bytes` bytes at `ptr` lie inside `window`, a range of the
/// chip's bus addresses (for example the data RAM that nRF EasyDMA can reach).
///
/// On the target the pointer is the bus address. On the host, memory is inside
/// every window unless a test [`host::place`]s it elsewhere (at a flash
/// address, say), so the same driver check can be exercised both ways.
///
/// ```
/// let ram = 0x2000_0000..0x2004_0000;
/// let on_stack = [0u8; 4];
/// assert!(dma_mmio::in_window(on_stack.as_ptr(), 4, ram));
/// ```
pub fn in_window(ptr: *const u8, bytes: usize, window: core::ops::Range<u32>) -> bool {
    #[cfg(target_os = "none")]
    let start = Some(ptr as usize);
    #[cfg(not(target_os = "none"))]
    let start = match host::placement(ptr) {
        Some(bus) => Some(bus),
        None => return true,
    };
    match start.and_then(|s| Some((s, s.checked_add(bytes)?))) {
        Some((s, e)) => s >= window.start as usize && e <= window.end as usize,
        None => false,
    }
}

/// One 32-bit memory-mapped register, by address.
///
/// ```
/// # use dma_mmio::Reg;
/// let mut word = core::sync::atomic::AtomicU32::new(0); // stands in for a register
/// // SAFETY: `word` is a live, aligned 32-bit location accessed only atomically.
/// let reg = unsafe { Reg::from_ptr(word.as_ptr()) };
/// reg.modify(|v| v | 0b101);
/// assert_eq!(reg.read(), 0b101);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reg {
    ptr: *mut u32,
}

impl Reg {
    /// The register at `ptr`.
    ///
    /// # Safety
    ///
    /// For **callers**: on the target, `ptr` is the address of a 32-bit
    /// register of a peripheral the caller owns. On the host, `ptr` lies in a
    /// block [`host::map`]ped by a live simulator, or else is a valid, aligned
    /// location that every party accesses only atomically. In both cases the
    /// location stays valid for as long as the `Reg` (and its copies) is used.
    #[inline(always)]
    pub const unsafe fn from_ptr(ptr: *mut u32) -> Self {
        Reg { ptr }
    }

    /// The register `offset` bytes after `self`.
    ///
    /// # Safety
    ///
    /// For **callers**: the result must meet [`Reg::from_ptr`]'s contract (it is
    /// a register of the same peripheral block).
    #[inline(always)]
    pub const unsafe fn offset(self, offset: usize) -> Self {
        Reg { ptr: self.ptr.wrapping_byte_add(offset) }
    }

    /// The register's address.
    #[inline(always)]
    pub fn addr(self) -> usize {
        self.ptr as usize
    }

    /// Reads the register.
    #[inline(always)]
    pub fn read(self) -> u32 {
        #[cfg(target_os = "none")]
        // SAFETY: `from_ptr`'s contract: a register the owner may access; a
        // volatile read is exactly one bus read of it.
        return unsafe { core::ptr::read_volatile(self.ptr) };
        #[cfg(not(target_os = "none"))]
        // SAFETY: `from_ptr`'s host contract.
        return unsafe { host::read(self.ptr) };
    }

    /// Writes the register.
    #[inline(always)]
    pub fn write(self, value: u32) {
        #[cfg(target_os = "none")]
        // SAFETY: as in `read`; one bus write.
        unsafe {
            core::ptr::write_volatile(self.ptr, value)
        };
        #[cfg(not(target_os = "none"))]
        // SAFETY: `from_ptr`'s host contract.
        unsafe {
            host::write(self.ptr, value)
        };
    }

    /// Writes a memory address into a DMA address register (`CMAR`, `PTR`).
    ///
    /// On the target this is `write(ptr as u32)`. On the host, where pointers
    /// are wider than the register, the mapped device receives the full
    /// pointer (see [`host::Device::write_ptr`]) so its DMA engine can reach
    /// the memory.
    #[inline(always)]
    pub fn write_ptr<T>(self, ptr: *const T) {
        // Bare-metal Cortex-M addresses are 32 bits wide: nothing is cut.
        #[cfg(target_os = "none")]
        #[allow(clippy::cast_possible_truncation)]
        self.write(ptr as usize as u32);
        #[cfg(not(target_os = "none"))]
        // SAFETY: `from_ptr`'s host contract.
        unsafe {
            host::write_ptr(self.ptr, ptr.cast::<u8>().cast_mut())
        };
    }

    /// Read-modify-write. Not atomic with respect to interrupts: callers own
    /// the register (or the bits) they modify.
    #[inline(always)]
    pub fn modify(self, f: impl FnOnce(u32) -> u32) {
        self.write(f(self.read()));
    }
}

// SAFETY: a `Reg` is an address; which contexts may use it is governed by
// ownership of the driver value holding it, not by the handle.
unsafe impl Send for Reg {}
// SAFETY: as for `Send`.
unsafe impl Sync for Reg {}

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
    match start {
        Some(s) => fits(s, bytes, window.start as usize, window.end as usize),
        None => false,
    }
}

/// `$name(s, bytes, start, end)`: whether `s..s + bytes` (without wrapping
/// past the top of the address space) lies inside `start..end`, as one
/// compare of the offset `s - start` against the room left after `bytes`
/// (`end - start - bytes`; `false` if `bytes` does not fit the window at
/// all, or the window is reversed). With a constant window the room is a
/// constant minus `bytes`, and `bytes <= end - start` folds away once the
/// caller has checked a smaller length limit.
///
/// Equivalent to `s >= start && s.checked_add(bytes) <= Some(end)`: if
/// `s < start`, `s.wrapping_sub(start)` is `s - start + 2^W` >
/// `end - start` (as `end < 2^W`, `s >= 0`); if `s >= start` the offset is
/// exact and `s - start <= end - start - bytes` is `s + bytes <= end`, which
/// cannot overflow. `tests::fits_matches_the_checked_add_formula` checks it
/// on a `u8` instance (same tokens) for every pointer and length, wrap-around
/// included.
macro_rules! fits {
    ($(#[$attr:meta])* $name:ident: $t:ty) => {
        $(#[$attr])*
        #[inline(always)]
        const fn $name(s: $t, bytes: $t, start: $t, end: $t) -> bool {
            match end.checked_sub(start) {
                Some(size) if bytes <= size => s.wrapping_sub(start) <= size - bytes,
                _ => false,
            }
        }
    };
}
fits!(
    /// The check of [`in_window`] on bus addresses.
    fits: usize
);

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

#[cfg(test)]
mod tests {
    extern crate std;

    fits!(
        /// The `u8` instance of the same check, small enough to test exhaustively.
        fits_u8: u8
    );

    /// What `in_window` computed before `fits`: `checked_add` and two compares.
    fn old(s: u128, bytes: u128, start: u128, end: u128, max: u128) -> bool {
        match s.checked_add(bytes).filter(|&e| e <= max) {
            Some(e) => s >= start && e <= end,
            None => false,
        }
    }

    /// Every pointer and length against windows at every 8th boundary and
    /// every boundary near 0, the middle and the top (reversed and empty
    /// windows included): a start, a length or an end that wraps past 255 is
    /// refused exactly when the old formula refused it.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "exhaustive over 2^16 pointers and lengths per window: minutes under Miri; pure integer arithmetic, no memory access to check"
    )]
    fn fits_matches_the_checked_add_formula() {
        let edges = (0..=255u8)
            .filter(|&v| v % 8 == 0 || !(4..=251).contains(&v) || (126..=130).contains(&v));
        let edges: std::vec::Vec<u8> = edges.collect();
        for &start in &edges {
            for &end in &edges {
                for s in 0..=255u8 {
                    for bytes in 0..=255u8 {
                        let want = old(s.into(), bytes.into(), start.into(), end.into(), 255);
                        assert_eq!(
                            fits_u8(s, bytes, start, end),
                            want,
                            "{s} {bytes} {start}..{end}"
                        );
                    }
                }
            }
        }
    }

    /// The `usize` instance at the top of the address space and around a
    /// data-RAM-like window.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "72 000 cases: a minute under Stacked Borrows, more under Tree Borrows; pure integer arithmetic on addresses, no memory access to check"
    )]
    fn fits_matches_at_the_top_of_usize() {
        let max = usize::MAX;
        let top = [max - 300, max - 256, max - 17, max - 1, max];
        let windows =
            [(max - 256, max), (max - 17, max - 1), (0x2000_0000, 0x2004_0000), (5, 3), (0, max)];
        for (start, end) in windows {
            for base in top.iter().copied().chain([0, 0x1FFF_FFF0, 0x2003_FFF0]) {
                for s in base.saturating_sub(20)..=base.saturating_add(20) {
                    for bytes in (0..40).chain([max - 1, max, 0x4_0000, 0x4_0001]) {
                        let want =
                            old(s as u128, bytes as u128, start as u128, end as u128, max as u128);
                        assert_eq!(
                            super::fits(s, bytes, start, end),
                            want,
                            "{s} {bytes} {start}..{end}"
                        );
                    }
                }
            }
        }
    }
}

//! The Cortex-M7 data-cache fence.

use core::sync::atomic::{compiler_fence, Ordering};

use super::{Access, DmaFence, FenceError};

/// The Cortex-M7 data-cache line size in bytes.
pub const CACHE_LINE: usize = 32;

/// The fence for a Cortex-M7 with its data cache enabled (STM32F7, STM32H7,
/// i.MX RT): cleans lines before the DMA reads memory, invalidates them after
/// the DMA wrote it.
///
/// * `release`: `DSB`, clean (`DCCMVAC`) every line the buffer touches, `DSB`.
///   For [`Access::DmaWrites`] the buffer must start and end on a line
///   boundary, or it is refused with [`FenceError::NotCacheLineAligned`]: the
///   later invalidate would throw away CPU writes to whatever shares the first
///   or last line.
/// * `acquire`: for [`Access::DmaWrites`], `DSB`, clean and invalidate
///   (`DCCIMVAC`) the buffer's lines (the core may have speculatively
///   refilled them while the DMA ran), `DSB`, `ISB`. For
///   [`Access::DmaReads`] nothing is done.
///
/// `acquire` never *discards* a line: a line it drops is first written back
/// if dirty. After a matching `release` the buffer's lines are clean (the CPU
/// did not write the buffer while the DMA owned it), so cleaning them writes
/// nothing and the effect is that of an invalidate; called on any other
/// memory, from safe code, it costs time but cannot lose a CPU write. A
/// plain invalidate (`DCIMVAC`) would make a safe call on a buffer that was
/// never released, or on its neighbours, throw away the CPU's writes.
///
/// Build it from the `SCB` to show the caller owns the core peripherals:
///
/// ```no_run
/// # fn f(scb: &mut cortex_m::peripheral::SCB) {
/// let fence = dma_traits::CortexM7DCache::new(scb);
/// # let _ = fence; }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CortexM7DCache(());

impl CortexM7DCache {
    /// The fence, for the core whose system control block the caller owns.
    pub fn new(_scb: &mut cortex_m::peripheral::SCB) -> Self {
        CortexM7DCache(())
    }

    /// Whether `release` would accept `buf` for `access`: a buffer the DMA
    /// writes must start and end on a line boundary. Pure; no cache operation.
    ///
    /// ```
    /// use dma_traits::{Access, CacheAligned, CortexM7DCache, FenceError};
    /// let good = CacheAligned::new([0u8; 64]);
    /// let raw = core::ptr::slice_from_raw_parts(good.as_ptr(), 64);
    /// assert_eq!(CortexM7DCache::check(raw, Access::DmaWrites), Ok(()));
    /// let part = core::ptr::slice_from_raw_parts(good[1..].as_ptr(), 32);
    /// assert!(matches!(
    ///     CortexM7DCache::check(part, Access::DmaWrites),
    ///     Err(FenceError::NotCacheLineAligned { bytes: 32, .. })
    /// ));
    /// // Cleaning never harms a neighbour, so the DMA may read any buffer.
    /// assert_eq!(CortexM7DCache::check(part, Access::DmaReads), Ok(()));
    /// ```
    pub fn check<W>(buf: *const [W], access: Access) -> Result<(), FenceError> {
        let address = buf.cast::<W>() as usize;
        let bytes = core::mem::size_of::<W>().saturating_mul(buf.len());
        let aligned = address % CACHE_LINE == 0 && bytes % CACHE_LINE == 0;
        if access == Access::DmaWrites && !aligned {
            return Err(FenceError::NotCacheLineAligned { address, bytes });
        }
        Ok(())
    }

    /// The lines covering `buf`: the addresses of its first and its last
    /// line (equal for a buffer within one line), `None` for an empty one.
    /// Computed once per call, so that the maintenance loop is a store, a
    /// compare and an add per line.
    #[inline(always)]
    fn lines<W>(buf: *const [W]) -> Option<(usize, usize)> {
        let start = buf.cast::<W>() as usize;
        let bytes = core::mem::size_of::<W>().saturating_mul(buf.len());
        if bytes == 0 {
            return None;
        }
        // The last byte; a (never real) buffer past the end of the address
        // space stops at its top line.
        let last = start.saturating_add(bytes - 1);
        Some((start & !(CACHE_LINE - 1), last & !(CACHE_LINE - 1)))
    }

    /// Writes the address of every line of `lines` to the cache maintenance
    /// register at `op`, between `DSB`s (and an `ISB` after, as the Armv7-M
    /// ARM requires before the maintained memory is used again).
    #[inline(always)]
    fn maintain(op: usize, lines: Option<(usize, usize)>) {
        let Some((first, last)) = lines else {
            return;
        };
        cortex_m::asm::dsb();
        let mut line = first;
        loop {
            // SAFETY: `op` is one of the write-only, stateless by-address
            // maintenance registers of the system control space (`DCCMVAC`
            // or `DCCIMVAC`); writing an address there cleans (and maybe
            // invalidates) the line holding it, changing no other state and
            // no memory contents that a clean could not (a clean writes back
            // what the CPU wrote). `new` required a `&mut SCB`, so the caller
            // owns the core's system control block. On a Cortex-M7 addresses
            // are 32 bits, so the cast loses nothing.
            #[allow(clippy::cast_possible_truncation)]
            unsafe {
                core::ptr::write_volatile(op as *mut u32, line as u32)
            };
            // `first <= last`, both line-aligned: the loop reaches `last`,
            // and `line < last <= usize::MAX - (CACHE_LINE - 1)` before the
            // add, so it does not overflow.
            if line == last {
                break;
            }
            line += CACHE_LINE;
        }
        cortex_m::asm::dsb();
        cortex_m::asm::isb();
    }
}

/// By-address cache maintenance registers of the system control space
/// (Armv7-M Architecture Reference Manual, "Cache maintenance operations"
/// and the SCS register map: `DCCMVAC` at 0xE000_EF68, `DCCIMVAC` at
/// 0xE000_EF70). Checked against `cortex_m::peripheral::CBP` by a test.
const DCCMVAC: usize = 0xE000_EF68;
/// See [`DCCMVAC`].
const DCCIMVAC: usize = 0xE000_EF70;

// SAFETY: `release` cleans every line the buffer overlaps, so the DMA reads
// the CPU's data from memory, and no dirty line is left to be evicted over DMA
// writes; it refuses a DMA-write buffer that shares a line with other data
// before doing anything. `acquire` cleans and invalidates the buffer's lines
// after the stop was observed: they are clean (cleaned by `release`, not
// written by the CPU since, refilled only from memory by speculation), so the
// clean writes nothing back over the DMA's data, and the invalidate makes
// later CPU reads miss and read what the DMA stored. For any other pointer it
// writes dirty lines back before dropping them, so no call of it loses data.
// The DSB before and DSB + ISB after the maintenance order it against the
// surrounding accesses, and the compiler fences keep the compiler from moving
// buffer accesses across the calls.
unsafe impl DmaFence for CortexM7DCache {
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError> {
        Self::check(buf, access)?;
        compiler_fence(Ordering::SeqCst);
        Self::maintain(DCCMVAC, Self::lines(buf));
        compiler_fence(Ordering::SeqCst);
        Ok(())
    }

    fn acquire<W>(self, buf: *const [W], access: Access) {
        compiler_fence(Ordering::SeqCst);
        if access == Access::DmaWrites {
            Self::maintain(DCCIMVAC, Self::lines(buf));
        }
        compiler_fence(Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cortex_m::peripheral::{cbp::RegisterBlock, CBP};

    #[test]
    fn maintenance_registers_are_the_ones_cortex_m_names() {
        let base = CBP::PTR as usize;
        assert_eq!(DCCMVAC, base + core::mem::offset_of!(RegisterBlock, dccmvac));
        assert_eq!(DCCIMVAC, base + core::mem::offset_of!(RegisterBlock, dccimvac));
    }

    #[test]
    fn lines_cover_the_buffer_once() {
        let at = |start: usize, words: usize| {
            CortexM7DCache::lines(core::ptr::slice_from_raw_parts(start as *const u32, words))
        };
        assert_eq!(at(0x2000_0000, 8), Some((0x2000_0000, 0x2000_0000)));
        assert_eq!(at(0x2000_0004, 8), Some((0x2000_0000, 0x2000_0020)));
        assert_eq!(at(0x2000_001C, 1), Some((0x2000_0000, 0x2000_0000)));
        assert_eq!(at(0x2000_0020, 0), None);
        assert_eq!(at(0x2000_0000, 9), Some((0x2000_0000, 0x2000_0020)));
        // Past the top of the address space: up to the top line, no overflow.
        let top = usize::MAX & !(CACHE_LINE - 1);
        assert_eq!(at(usize::MAX - 3, 4), Some((top, top)));
    }
}

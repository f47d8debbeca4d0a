//! The fence for cores whose bus may reorder memory accesses: a `DMB`.

use super::{Access, DmaFence, FenceError};

/// The fence for Armv7-M and Armv8-M cores without a data cache in the way,
/// where the in-order-bus argument behind [`CompilerFence`](super::CompilerFence)
/// does not hold: Cortex-M33 / M23 / M35P / M52, M55 and M85 with their data
/// cache off, multi-master interconnects and dual-core parts.
///
/// Under the Armv8-M memory model (Armv8-M Architecture Reference Manual,
/// "Memory ordering" and "Memory barriers"), another bus master is only
/// guaranteed to observe a Normal-memory store (the buffer) before a later
/// Device-memory store (the enabling register write) if a `DMB` separates
/// them, and a Normal-memory load after a Device-memory load (the status
/// read that shows the DMA stopped) may otherwise be satisfied early. So:
///
/// * `release`: `DMB SY` (every CPU write to the buffer is observed before
///   the enabling write that follows);
/// * `acquire`: `DMB SY` (the status read that showed the stop is ordered
///   before every later read of the buffer).
///
/// Both are compiler barriers too. It does no cache maintenance: with a data
/// cache on, use [`CortexM7DCache`]. On a host build
/// (simulators, Miri) it is a `SeqCst` atomic fence.
///
/// ```
/// use dma_traits::{Access, DmaFence, DmbFence};
/// let buf = [0u8; 4];
/// let raw = core::ptr::slice_from_raw_parts(buf.as_ptr(), buf.len());
/// DmbFence.release(raw, Access::DmaReads).unwrap();
/// DmbFence.acquire(raw, Access::DmaReads);
/// ```
///
#[cfg_attr(feature = "cortex-m7", doc = "[`CortexM7DCache`]: crate::CortexM7DCache")]
#[cfg_attr(not(feature = "cortex-m7"), doc = "[`CortexM7DCache`]: crate#features")]
#[derive(Debug, Clone, Copy, Default)]
pub struct DmbFence;

#[inline(always)]
fn barrier() {
    #[cfg(all(target_arch = "arm", target_os = "none"))]
    // SAFETY: `DMB SY` only orders memory accesses; it reads and writes no
    // memory or register the compiler tracks. Without `nomem` the asm block
    // is also a compiler barrier for all memory, which the fence needs.
    unsafe {
        core::arch::asm!("dmb sy", options(nostack, preserves_flags))
    };
    #[cfg(not(all(target_arch = "arm", target_os = "none")))]
    core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
}

// SAFETY: on the documented cores, `DMB SY` orders every explicit memory
// access before it before every explicit access after it, as seen by every
// observer including other bus masters (the DMA), and no cache stands between
// the CPU and memory; so after `release` the DMA started by a later register
// write sees the CPU's writes, and after `acquire` (issued after the register
// read that showed the stop) CPU reads see the DMA's writes. The asm block is
// a compiler barrier, so the compiler moves no buffer access across it.
// `release` never fails, so it never refuses after changing anything. The
// barrier orders every access, not only those to `buf`, so one call covers
// every buffer.
unsafe impl DmaFence for DmbFence {
    const COVERS_ALL_BUFFERS: bool = true;

    #[inline(always)]
    fn release<W>(self, _buf: *const [W], _access: Access) -> Result<(), FenceError> {
        barrier();
        Ok(())
    }

    #[inline(always)]
    fn acquire<W>(self, _buf: *const [W], _access: Access) {
        barrier();
    }
}

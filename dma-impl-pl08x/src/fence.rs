//! The fence for the Cortex-M33 of the MPS2 AN505/AN521 images.
//!
//! The M33 (Armv8-M Mainline) has no data cache in these images, but it may
//! buffer and reorder its writes to Normal memory relative to a later write
//! to Device memory: Armv8-M orders Device accesses only among themselves
//! (Armv8-M ARM, B7.1 "Memory types": Normal memory accesses may be
//! observed out of order with respect to Device accesses). The enabling write
//! to `DMACCxConfiguration` is a Device write; the buffer and LLI writes
//! before it are Normal writes that the DMA, another bus master, must see.
//! A `DMB` between them is what orders them for every observer (Armv8-M ARM,
//! "Data Memory Barrier"; ARM application note AN321 §4.8 "Memory barriers":
//! a DMB before starting a DMA transfer over memory the CPU wrote). After the
//! stop was observed through a Device read, a `DMB` keeps later Normal reads
//! of the buffer from being performed before that read.
//!
//! The compiler-only fence is not enough by that argument (it emits nothing),
//! so this crate ships [`DmbFence`] and uses it by default. It belongs in
//! `dma-traits` next to `CompilerFence` (one fence per kind of core).

use dma_traits::{Access, DmaFence, FenceError};

/// `DMB` on release and acquire: `core::sync::atomic::fence(SeqCst)`, which
/// compiles to `dmb ish` on Armv7-M/Armv8-M (and to a full fence on the host,
/// where the simulator's atomics supply the hardware ordering).
///
/// For cores without a data cache between the CPU and the DMA (the Cortex-M33
/// of mps2-an505/an521, Cortex-M3/M4/M0+); not for a Cortex-M7 with its data
/// cache on.
///
/// ```
/// use dma_impl_pl08x::DmbFence;
/// use dma_traits::{Access, DmaFence};
/// let buf = [0u32; 2];
/// let raw = core::ptr::slice_from_raw_parts(buf.as_ptr(), buf.len());
/// DmbFence.release(raw, Access::DmaReads).unwrap();
/// DmbFence.acquire(raw, Access::DmaReads);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct DmbFence;

// SAFETY: on the documented cores no cache stands between CPU and DMA; a
// SeqCst fence is a `DMB` there, which completes every earlier memory access
// before any later one (the enabling Device write, or the buffer reads after
// the stop was read), and it is also a compiler barrier in both directions.
// `release` never fails and changes nothing it could need to undo.
unsafe impl DmaFence for DmbFence {
    #[inline(always)]
    fn release<W>(self, _buf: *const [W], _access: Access) -> Result<(), FenceError> {
        core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    #[inline(always)]
    fn acquire<W>(self, _buf: *const [W], _access: Access) {
        core::sync::atomic::fence(core::sync::atomic::Ordering::SeqCst);
    }
}

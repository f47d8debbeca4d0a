//! Fences that make CPU writes visible to the DMA, and DMA writes to the CPU.
//!
//! The compiler may move ordinary loads and stores across a volatile register
//! write, and a core with a data cache may hold lines the DMA never sees (or
//! serve stale lines after the DMA wrote memory). A HAL brackets every transfer:
//!
//! ```text
//! fence.release(buffer, access)?   // before the write that enables the channel
//! ... DMA runs; the CPU does not touch the buffer ...
//! (observe "stopped" through a register read)
//! fence.acquire(buffer, access)    // before the buffer is handed back
//! ```
//!
//! # Which fence for which core
//!
//! | core | fence | why (source) |
//! |---|---|---|
//! | Cortex-M0, M0+, M3, M4, single core, no data cache | [`CompilerFence`] | these cores issue their loads and stores to the bus in program order, so only the compiler must be stopped (ARM application note AN321, "Cortex-M Programming Guide to Memory Barrier Instructions", on DMA) |
//! | Cortex-M23, M33, M35P, M52; M55 / M85 with the data cache off; any core behind a multi-master interconnect or on a dual-core part | [`DmbFence`] | the Armv8-M memory model orders a Normal store before a later Device store for other observers only across a `DMB` (Armv8-M ARM, "Memory ordering"); AN321 recommends the `DMB` for portable code |
//! | Cortex-M7 with its data cache on | [`CortexM7DCache`] (feature `cortex-m7`) | clean before the DMA reads, clean + invalidate after it wrote, by 32-byte line, between `DSB`s (Armv7-M ARM, "Cache maintenance operations"); one register store per line, so a 1 KiB buffer costs 32 stores plus two `DSB`s and an `ISB` |
//! | RISC-V | none provided | a fence must order device I/O too: `fence iorw, iorw` (RISC-V unprivileged ISA, "FENCE"); `core::sync::atomic::fence` emits `fence rw, rw`, which does not order I/O |
//!
//! # For HAL authors
//!
//! Take the fence as a type parameter with a default for the family (from
//! the table above). `release` can fail: return its error with the buffer
//! before touching the channel. `acquire` must run on every path that hands
//! the buffer back, including `Drop` and errors.
//!
#![cfg_attr(not(feature = "cortex-m7"), doc = "[`CortexM7DCache`]: crate#features")]

#[cfg(feature = "cortex-m7")]
mod cortex_m7;
mod dmb;
#[cfg(feature = "cortex-m7")]
pub use cortex_m7::{CortexM7DCache, CACHE_LINE};
pub use dmb::DmbFence;

use core::sync::atomic::{compiler_fence, Ordering};

/// Which way the DMA uses a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Access {
    /// The DMA reads the buffer (memory-to-peripheral, the source of a copy).
    DmaReads,
    /// The DMA writes the buffer (peripheral-to-memory, the destination of a copy).
    DmaWrites,
}

/// Why a fence cannot maintain a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FenceError {
    /// The DMA would write a buffer that does not start and end on data-cache
    /// line boundaries: invalidating the partly covered lines would discard
    /// the CPU's writes to the neighbouring data. Use a
    /// [`CacheAligned`](crate::CacheAligned) buffer.
    NotCacheLineAligned {
        /// The buffer's start address.
        address: usize,
        /// The buffer's length in bytes.
        bytes: usize,
    },
}

impl core::fmt::Display for FenceError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FenceError::NotCacheLineAligned { address, bytes } => write!(
                f,
                "DMA write buffer at {address:#x} ({bytes} bytes) does not cover whole data-cache lines"
            ),
        }
    }
}

impl core::error::Error for FenceError {}

/// Acquire / release fences between the CPU and a DMA controller.
///
/// # Safety
///
/// For **implementors**: on the chips the type is meant for,
///
/// * after `release(buf, access)` returns `Ok`, every CPU write to `buf` made
///   before the call is visible to a DMA started by a register write issued
///   after it, and for [`Access::DmaWrites`], no line of `buf` the CPU holds
///   can later be written back over what the DMA stores;
/// * after `acquire(buf, access)` returns, every CPU read of `buf` sees what the
///   DMA wrote before the stop was observed, and no CPU access to `buf` is
///   moved before the call;
/// * `release` returns `Err` instead of doing anything unsafe, and when it
///   returns `Err` it has changed nothing.
///
/// * if [`COVERS_ALL_BUFFERS`](Self::COVERS_ALL_BUFFERS) is `true`, each
///   call's guarantee holds for every buffer at once, not only for `buf`
///   (a barrier; not maintenance of `buf`'s cache lines).
///
/// For **callers**: call `release` before the enabling register write and
/// start nothing if it fails; call `acquire` with the same pointer, length and
/// access after a register read has shown the DMA stopped, and before the
/// buffer is handed back or read. The pointer need not be dereferenceable by
/// Rust (it is never turned into a reference). When `COVERS_ALL_BUFFERS` is
/// `true`, one `release` and one `acquire`, with any one of a transfer's
/// buffers, stand for the calls of all of them
/// ([`Region::release_all`](crate::Region::release_all) and
/// [`Region::acquire_all`](crate::Region::acquire_all) do this).
pub unsafe trait DmaFence: Copy {
    /// Whether one call fences every buffer (see the contract). `false`
    /// unless the implementation says otherwise: a fence that maintains
    /// the cache lines of `buf` must be called for each buffer.
    ///
    /// ```
    /// use dma_traits::{CompilerFence, DmaFence, DmbFence};
    /// assert!(CompilerFence::COVERS_ALL_BUFFERS && DmbFence::COVERS_ALL_BUFFERS);
    /// ```
    const COVERS_ALL_BUFFERS: bool = false;

    /// Publish the CPU's writes to `buf` to the DMA that is about to start.
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError>;

    /// Make the DMA's writes to `buf` visible to the CPU after it stopped.
    fn acquire<W>(self, buf: *const [W], access: Access);
}

/// The fence for Cortex-M0, M0+, M3 and M4 (single core, no data cache
/// between the CPU and the DMA) and for host simulations.
///
/// It emits no instruction: it stops the compiler from moving buffer accesses
/// across the register write that starts the DMA (`Release`) or the register
/// read that shows it stopped (`Acquire`). On these cores the bus keeps
/// program order for the DMA master's view (ARM application note AN321,
/// "Cortex-M Programming Guide to Memory Barrier Instructions"). It is not
/// for Armv8-M cores (M23, M33, ...): use [`DmbFence`] there. On the host,
/// the simulated register block's atomic operations supply the hardware
/// ordering.
///
/// ```
/// use dma_traits::{Access, CompilerFence, DmaFence};
/// let buf = [0u8; 4];
/// let raw = core::ptr::slice_from_raw_parts(buf.as_ptr(), buf.len());
/// CompilerFence.release(raw, Access::DmaReads).unwrap();
/// CompilerFence.acquire(raw, Access::DmaReads);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct CompilerFence;

// SAFETY: on the documented cores no cache stands between CPU and DMA, so the
// only reordering left is the compiler's, which `compiler_fence` forbids across
// the call in the direction each operation needs, whatever `buf` is, so one
// call covers every buffer. `release` never fails.
unsafe impl DmaFence for CompilerFence {
    const COVERS_ALL_BUFFERS: bool = true;

    #[inline(always)]
    fn release<W>(self, _buf: *const [W], _access: Access) -> Result<(), FenceError> {
        compiler_fence(Ordering::Release);
        Ok(())
    }

    #[inline(always)]
    fn acquire<W>(self, _buf: *const [W], _access: Access) {
        compiler_fence(Ordering::Acquire);
    }
}

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
//! # For HAL authors
//!
//! Take the fence as a type parameter with a default for the family (the
//! [`CompilerFence`] on Cortex-M0..M4, [`CortexM7DCache`] on an M7 with its data
//! cache on). `release` can fail: return its error with the buffer before
//! touching the channel. `acquire` must run on every path that hands the
//! buffer back, including `Drop` and errors.

#[cfg(feature = "cortex-m7")]
mod cortex_m7;
#[cfg(feature = "cortex-m7")]
pub use cortex_m7::{CortexM7DCache, CACHE_LINE};

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
/// For **callers**: call `release` before the enabling register write and
/// start nothing if it fails; call `acquire` with the same pointer, length and
/// access after a register read has shown the DMA stopped, and before the
/// buffer is handed back or read. The pointer need not be dereferenceable by
/// Rust (it is never turned into a reference).
pub unsafe trait DmaFence: Copy {
    /// Publish the CPU's writes to `buf` to the DMA that is about to start.
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError>;

    /// Make the DMA's writes to `buf` visible to the CPU after it stopped.
    fn acquire<W>(self, buf: *const [W], access: Access);
}

/// The fence for cores without a data cache between the CPU and the DMA:
/// Cortex-M0/M0+/M3/M4/M33 (single core) and host simulations.
///
/// It emits no instruction: it stops the compiler from moving buffer accesses
/// across the register write that starts the DMA (`Release`) or the register
/// read that shows it stopped (`Acquire`). On these cores the bus keeps
/// program order for the DMA master's view (ARM application note 321, "DMA
/// controller"). On the host, the simulated register block's atomic
/// operations supply the hardware ordering.
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
// the call in the direction each operation needs. `release` never fails.
unsafe impl DmaFence for CompilerFence {
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

//! The host side: simulated devices mapped over blocks of memory.

extern crate std;

use core::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::vec::Vec;

pub mod interleave;
use interleave::{notify, CpuAccess};

/// A simulated peripheral's register interface, as the CPU sees it.
///
/// `read` and `write` get the byte offset inside the block and perform the
/// access with the hardware's side effects (a write-1-to-clear register clears
/// flags and reads as zero, a task register starts the hardware). They run on
/// the CPU's (the test's) thread; the simulator's thread shares the state.
pub trait Device: Send + Sync {
    /// A CPU read of the register at `offset`.
    fn read(&self, offset: usize) -> u32;
    /// A CPU write of `value` to the register at `offset`.
    fn write(&self, offset: usize, value: u32);
    /// A CPU write of a memory address to the address register at `offset`.
    /// A DMA engine keeps `ptr` (which carries the provenance a memory access
    /// needs) and stores what the register would read back.
    fn write_ptr(&self, offset: usize, ptr: *mut u8) {
        // The register holds the low 32 bits, as a 32-bit bus would.
        #[allow(clippy::cast_possible_truncation)]
        self.write(offset, ptr as usize as u32);
    }
}

struct Region {
    start: usize,
    len: usize,
    device: Arc<dyn Device>,
}

static REGIONS: RwLock<Vec<Region>> = RwLock::new(Vec::new());

/// A device mapped at an address range; unmapped when dropped.
pub struct Mapping {
    base: *mut u32,
}

// SAFETY: the mapping is a key into the global table; the device is `Send + Sync`.
unsafe impl Send for Mapping {}
// SAFETY: as for `Send`.
unsafe impl Sync for Mapping {}

impl core::fmt::Debug for Mapping {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Mapping").field("base", &self.base).finish()
    }
}

impl Mapping {
    /// The block's base address, to hand to a driver's constructor.
    pub fn base(&self) -> *mut u32 {
        self.base
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        let start = self.base as usize;
        let mut regions = REGIONS.write().unwrap_or_else(PoisonError::into_inner);
        regions.retain(|r| r.start != start);
    }
}

/// Routes CPU accesses to `words` (the block's memory, which the device owns)
/// to `device` until the returned mapping is dropped.
pub fn map(words: &[AtomicU32], device: Arc<dyn Device>) -> Mapping {
    let base = words.as_ptr().cast_mut().cast::<u32>();
    let region = Region { start: base as usize, len: core::mem::size_of_val(words), device };
    REGIONS.write().unwrap_or_else(PoisonError::into_inner).push(region);
    Mapping { base }
}

/// # Safety
///
/// For **callers**: [`crate::Reg::from_ptr`]'s host contract.
pub(crate) unsafe fn write_ptr(reg: *mut u32, ptr: *mut u8) {
    notify(CpuAccess::Write(reg as usize));
    match device_at(reg) {
        Some((device, offset)) => device.write_ptr(offset, ptr),
        // SAFETY: as in `read`.
        #[allow(clippy::cast_possible_truncation)]
        None => unsafe { AtomicU32::from_ptr(reg) }.store(ptr as usize as u32, Ordering::SeqCst),
    }
}

struct Placed {
    start: usize,
    len: usize,
    bus: usize,
}

static PLACED: RwLock<Vec<Placed>> = RwLock::new(Vec::new());

/// Host memory placed at a bus address; back to "reachable" when dropped.
#[derive(Debug)]
pub struct Placement {
    start: usize,
}

impl Drop for Placement {
    fn drop(&mut self) {
        let mut placed = PLACED.write().unwrap_or_else(PoisonError::into_inner);
        placed.retain(|p| p.start != self.start);
    }
}

/// Pretends the `len` bytes at `ptr` sit at bus address `bus` (a flash
/// address, say) for [`crate::in_window`], until the placement is dropped.
///
/// ```
/// static IN_FLASH: [u8; 4] = *b"text";
/// let _flash = dma_mmio::host::place(IN_FLASH.as_ptr(), 4, 0x0001_0000);
/// assert!(!dma_mmio::in_window(IN_FLASH.as_ptr(), 4, 0x2000_0000..0x2001_0000));
/// ```
pub fn place(ptr: *const u8, len: usize, bus: u32) -> Placement {
    let start = ptr as usize;
    PLACED.write().unwrap_or_else(PoisonError::into_inner).push(Placed {
        start,
        len,
        bus: bus as usize,
    });
    Placement { start }
}

/// The bus address of `ptr` if a test placed it, else `None`.
pub(crate) fn placement(ptr: *const u8) -> Option<usize> {
    let addr = ptr as usize;
    let placed = PLACED.read().unwrap_or_else(PoisonError::into_inner);
    placed
        .iter()
        .find(|p| addr >= p.start && addr - p.start < p.len.max(1))
        .map(|p| p.bus + (addr - p.start))
}

fn device_at(ptr: *mut u32) -> Option<(Arc<dyn Device>, usize)> {
    let addr = ptr as usize;
    let regions = REGIONS.read().unwrap_or_else(PoisonError::into_inner);
    regions
        .iter()
        .find(|r| addr >= r.start && addr - r.start < r.len)
        .map(|r| (Arc::clone(&r.device), addr - r.start))
}

/// # Safety
///
/// For **callers**: [`crate::Reg::from_ptr`]'s host contract.
pub(crate) unsafe fn read(ptr: *mut u32) -> u32 {
    notify(CpuAccess::Read(ptr as usize));
    match device_at(ptr) {
        Some((device, offset)) => device.read(offset),
        // SAFETY: outside any mapping, the caller promised an aligned location
        // that is only accessed atomically.
        None => unsafe { AtomicU32::from_ptr(ptr) }.load(Ordering::SeqCst),
    }
}

/// # Safety
///
/// For **callers**: [`crate::Reg::from_ptr`]'s host contract.
pub(crate) unsafe fn write(ptr: *mut u32, value: u32) {
    notify(CpuAccess::Write(ptr as usize));
    match device_at(ptr) {
        Some((device, offset)) => device.write(offset, value),
        // SAFETY: as in `read`.
        None => unsafe { AtomicU32::from_ptr(ptr) }.store(value, Ordering::SeqCst),
    }
}

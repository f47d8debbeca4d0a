//! Reading memory that a DMA may be writing at the same moment.
//!
//! A streaming driver (a circular buffer, a double buffer) copies data out of
//! a region the DMA keeps writing, and only afterwards learns from the
//! hardware whether the DMA overtook the copy. A plain or volatile read that
//! races a write is undefined behaviour in Rust's memory model, however the
//! result is used. [`load_from_dma`] is an atomic load of the beat's width
//! instead: on Cortex-M it is the same single `LDRB`/`LDRH`/`LDR` a volatile
//! read would be, and on the host it is race-free against a simulator that
//! writes each beat with an atomic store of the same width. A value read while
//! the DMA was overtaking is a valid word of *some* lap; the driver must then
//! discard it, which the overrun check after the copy decides.

use core::mem::size_of;
use core::sync::atomic::{AtomicU16, AtomicU32, AtomicU8, Ordering};

/// Reads one word at `src` with a single atomic load of the word's width
/// (Relaxed: ordering with the DMA comes from the register accesses around
/// the copy, which are `SeqCst` on the host and device-memory on the chip).
///
/// # Safety
///
/// For **callers**:
/// * `src` is valid for reads of `size_of::<W>()` bytes and aligned to
///   `size_of::<W>()`, which must be 1, 2 or 4 (the beat widths of the
///   controllers this crate serves; other sizes do not compile);
/// * every bit pattern of that size is a valid `W` (a `dma_traits::Word`);
/// * every write to those bytes that may race this load is either made by
///   hardware outside the Rust abstract machine (the chip's DMA) or is an
///   atomic store of the same width (a host simulator's beat);
/// * the memory is writable (Rust's atomics may not touch read-only memory;
///   a buffer the DMA writes always is), and `src` carries write permission.
///
/// ```
/// let mut words = [7u16, 9];
/// // SAFETY: `words` is live, aligned, writable, and nothing writes it now.
/// let second = unsafe { dma_mmio::load_from_dma(words.as_mut_ptr().wrapping_add(1)) };
/// assert_eq!(second, 9);
/// ```
#[inline(always)]
pub unsafe fn load_from_dma<W: Copy>(src: *const W) -> W {
    #[cfg(not(target_os = "none"))]
    crate::host::interleave::notify(crate::host::interleave::CpuAccess::DmaMemory(src as usize));
    const { assert!(matches!(size_of::<W>(), 1 | 2 | 4), "a DMA beat is 1, 2 or 4 bytes") };
    match size_of::<W>() {
        1 => {
            // SAFETY: the caller's contract: valid, (trivially) aligned, and
            // raced only by same-width atomic or hardware writes.
            let bits =
                unsafe { AtomicU8::from_ptr(src.cast::<u8>().cast_mut()) }.load(Ordering::Relaxed);
            // SAFETY: `W` is 1 byte and every bit pattern is a valid `W`.
            unsafe { core::mem::transmute_copy(&bits) }
        }
        2 => {
            // SAFETY: as above, aligned to 2 by the contract.
            let bits = unsafe { AtomicU16::from_ptr(src.cast::<u16>().cast_mut()) }
                .load(Ordering::Relaxed);
            // SAFETY: `W` is 2 bytes and every bit pattern is a valid `W`.
            unsafe { core::mem::transmute_copy(&bits) }
        }
        _ => {
            // SAFETY: as above, aligned to 4 by the contract (the size is 4:
            // the const assertion excludes every other).
            let bits = unsafe { AtomicU32::from_ptr(src.cast::<u32>().cast_mut()) }
                .load(Ordering::Relaxed);
            // SAFETY: `W` is 4 bytes and every bit pattern is a valid `W`.
            unsafe { core::mem::transmute_copy(&bits) }
        }
    }
}

/// Stores one word at `dst` with a single atomic store of the word's width:
/// what a host simulator uses for a DMA beat, so that a driver's racing
/// [`load_from_dma`] is a race of atomics, not undefined behaviour.
///
/// # Safety
///
/// For **callers**: `dst` is valid for writes of `size_of::<W>()` bytes
/// (1, 2 or 4) and aligned to it, and every access that may race this store
/// is an atomic access of the same width.
#[cfg(not(target_os = "none"))]
pub unsafe fn store_as_dma<W: Copy>(dst: *mut W, value: W) {
    const { assert!(matches!(size_of::<W>(), 1 | 2 | 4), "a DMA beat is 1, 2 or 4 bytes") };
    match size_of::<W>() {
        1 => {
            // SAFETY: `W` is 1 byte; any byte is a `u8`.
            let bits: u8 = unsafe { core::mem::transmute_copy(&value) };
            // SAFETY: the caller's contract.
            unsafe { AtomicU8::from_ptr(dst.cast::<u8>()) }.store(bits, Ordering::Relaxed);
        }
        2 => {
            // SAFETY: `W` is 2 bytes; any 2 bytes are a `u16`.
            let bits: u16 = unsafe { core::mem::transmute_copy(&value) };
            // SAFETY: the caller's contract.
            unsafe { AtomicU16::from_ptr(dst.cast::<u16>()) }.store(bits, Ordering::Relaxed);
        }
        _ => {
            // SAFETY: `W` is 4 bytes; any 4 bytes are a `u32`.
            let bits: u32 = unsafe { core::mem::transmute_copy(&value) };
            // SAFETY: the caller's contract.
            unsafe { AtomicU32::from_ptr(dst.cast::<u32>()) }.store(bits, Ordering::Relaxed);
        }
    }
}

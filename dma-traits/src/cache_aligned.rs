//! A buffer that owns whole data-cache lines.

use core::mem::size_of;
use core::ops::{Deref, DerefMut};

use crate::Word;

/// An array that starts on a 32-byte boundary and fills whole 32-byte lines,
/// so a cache-maintaining fence can invalidate it without touching anything
/// else. The length check is made at compile time.
///
/// ```
/// use dma_traits::{CacheAligned, DmaWriteBuffer};
/// static mut RX: CacheAligned<[u8; 64]> = CacheAligned::new([0; 64]);
/// // SAFETY: the only reference ever made to `RX`.
/// let mut rx = unsafe { &mut *core::ptr::addr_of_mut!(RX) };
/// let (ptr, len) = rx.dma_write_buffer();
/// assert_eq!((ptr as usize % 32, len), (0, 64));
/// ```
///
/// A length that leaves part of a line to a neighbour does not compile:
///
/// ```compile_fail,E0080
/// let rx = dma_traits::CacheAligned::new([0u8; 33]);
/// ```
// No `Default`: `new` is the only way in, so the size check cannot be skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(C, align(32))]
pub struct CacheAligned<T>(T);
// Its target impls are in `target.rs`: `new` makes its size exactly the
// array's (whole lines, no padding), so it is a contiguous run of words.

impl<W: Word, const N: usize> CacheAligned<[W; N]> {
    /// Wraps `array`; fails to compile unless it is a whole number of lines.
    pub const fn new(array: [W; N]) -> Self {
        const { assert!(size_of::<[W; N]>() % 32 == 0, "CacheAligned needs whole 32-byte lines") };
        CacheAligned(array)
    }
}

impl<T> Deref for CacheAligned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for CacheAligned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

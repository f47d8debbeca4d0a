//! A buffer that owns whole data-cache lines.

use core::ops::{Deref, DerefMut};

use crate::{ReadTarget, Word, WriteTarget};

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

impl<W: Word, const N: usize> CacheAligned<[W; N]> {
    const WHOLE_LINES: () = assert!(
        core::mem::size_of::<[W; N]>() % 32 == 0,
        "a CacheAligned array must fill whole 32-byte lines"
    );

    /// Wraps `array`; fails to compile unless it is a whole number of lines.
    pub const fn new(array: [W; N]) -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::WHOLE_LINES;
        CacheAligned(array)
    }

    /// The array.
    pub fn into_inner(self) -> [W; N] {
        self.0
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

// SAFETY: the array is the first field of a `repr(C, align(32))` struct, so its
// pair is the array's own (see the array impls), starting on a line boundary.
unsafe impl<W: Word, const N: usize> ReadTarget for CacheAligned<[W; N]> {
    type Word = W;
    fn dma_read_target(&self) -> (*const W, usize) {
        (self.0.as_ptr(), N)
    }
}

// SAFETY: as for reads; `new` (the only constructor) proved the size is whole lines.
unsafe impl<W: Word, const N: usize> WriteTarget for CacheAligned<[W; N]> {
    type Word = W;
    fn dma_write_target(&mut self) -> (*mut W, usize) {
        (self.0.as_mut_ptr(), N)
    }
}

//! What a buffer points at: the memory the DMA reads or writes.
//!
//! A *target* is the pointee of a buffer (`[u8; 64]` in `&'static mut [u8; 64]`).
//! The buffer traits in [`crate::buffer`] are implemented for every stable
//! pointer to a target, so a new element type or a new array-like type only
//! needs a target impl.

use core::mem::MaybeUninit;
use core::ptr;

use crate::Word;

/// Memory a DMA controller may read: a run of initialized [`Word`]s.
///
/// # Safety
///
/// For **implementors**: `dma_read_target` returns `(ptr, len)` such that
///
/// 1. `ptr..ptr + len` lies inside the memory of `*self` (or memory `*self`
///    owns and does not release while it lives), in one allocation, and `ptr`
///    is aligned for `Self::Word`;
/// 2. those `len` words are initialized;
/// 3. every call on the same, unmoved and unmodified value returns the same
///    pair (no allocation, no state change in the method).
///
/// For **callers**: the pair is valid as [`DmaReadBuffer`](crate::DmaReadBuffer)
/// describes for the buffer that owns the target.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not memory a DMA may read",
    note = "DMA read targets are `[W]`, `[W; N]` and `str`, where `W` is a `Word` (u8..u64, i8..i64, f32, f64)"
)]
pub unsafe trait ReadTarget {
    /// The element type.
    type Word: Word;

    /// Start and length in words of the memory the DMA may read.
    fn dma_read_target(&self) -> (*const Self::Word, usize);
}

/// Memory a DMA controller may write: a run of [`Word`]s, possibly uninitialized.
///
/// # Safety
///
/// For **implementors**: as for [`ReadTarget`], except that the words may be
/// uninitialized, and the memory must accept any bit pattern: after the DMA has
/// written it, `*self` must still be a valid value of its type.
///
/// For **callers**: the pair is valid as
/// [`DmaWriteBuffer`](crate::DmaWriteBuffer) describes for the buffer that owns
/// the target.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not memory a DMA may write",
    note = "DMA write targets are `[W]`, `[W; N]`, `[MaybeUninit<W>]` and `MaybeUninit<[W; N]>`, where `W` is a `Word` (u8..u64, i8..i64, f32, f64): every bit pattern must be a valid value"
)]
pub unsafe trait WriteTarget {
    /// The element type.
    type Word: Word;

    /// Start and length in words of the memory the DMA may write.
    fn dma_write_target(&mut self) -> (*mut Self::Word, usize);
}

/// The one-line opt-in for a `#[repr(transparent)]` newtype over a target.
///
/// A newtype gets [`ReadTarget`] when `Inner` is one and [`WriteTarget`] when
/// `Inner` is one, with `Inner`'s pointer and length.
///
/// ```
/// use dma_traits::{StaticWriteBuffer, TransparentTarget};
///
/// #[repr(transparent)]
/// struct Frame([u16; 64]);
///
/// // SAFETY: `Frame` is `repr(transparent)` over `[u16; 64]` and has no
/// // invariant on its contents.
/// unsafe impl TransparentTarget for Frame { type Inner = [u16; 64]; }
///
/// fn takes<B: StaticWriteBuffer<Word = u16>>(_: B) {}
/// static mut FRAME: Frame = Frame([0; 64]);
/// // SAFETY: the only reference ever made to `FRAME`.
/// takes(unsafe { &mut *core::ptr::addr_of_mut!(FRAME) });
/// ```
///
/// # Safety
///
/// For **implementors**: `Self` is `#[repr(transparent)]` over `Inner` (so a
/// pointer to `Self` is a pointer to `Inner`), and `Self` places no invariant on
/// `Inner`'s contents that a DMA write of arbitrary words could break.
///
/// For **callers**: nothing beyond the target traits.
///
/// Forbidden: a newtype that is not `repr(transparent)` (its field may not be at
/// offset 0), or one whose methods rely on the contents (`struct Ascii([u8; 8])`
/// whose methods assume every byte is < 128).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a DMA target",
    note = "DMA targets are `[W]` and `[W; N]` of a `Word` (u8..u64, i8..i64, f32, f64), `MaybeUninit` arrays for writes, and `repr(transparent)` newtypes that opt in with `TransparentTarget`"
)]
pub unsafe trait TransparentTarget {
    /// The wrapped target.
    type Inner;
}

// SAFETY: by `TransparentTarget`'s contract `T` and `T::Inner` have the same
// address and layout, so `T::Inner`'s pair describes memory inside `*self`;
// stability and initialization carry over from `T::Inner: ReadTarget`.
unsafe impl<T: TransparentTarget> ReadTarget for T
where
    T::Inner: ReadTarget,
{
    type Word = <T::Inner as ReadTarget>::Word;

    fn dma_read_target(&self) -> (*const Self::Word, usize) {
        let inner = ptr::from_ref(self).cast::<T::Inner>();
        // SAFETY: `inner` is `self` reinterpreted as its sole transparent field
        // (contract of `TransparentTarget`), so it is valid for reads for the
        // lifetime of `&self`, aligned and initialized.
        unsafe { &*inner }.dma_read_target()
    }
}

// SAFETY: as above, with `&mut`: the unique borrow of `self` is the unique
// borrow of its only field, and `Self` accepts any contents of `Inner`.
unsafe impl<T: TransparentTarget> WriteTarget for T
where
    T::Inner: WriteTarget,
{
    type Word = <T::Inner as WriteTarget>::Word;

    fn dma_write_target(&mut self) -> (*mut Self::Word, usize) {
        let inner = ptr::from_mut(self).cast::<T::Inner>();
        // SAFETY: `inner` is `self` reinterpreted as its transparent field; it
        // inherits the unique borrow of `self` for this call.
        unsafe { &mut *inner }.dma_write_target()
    }
}

// SAFETY: a slice of words is initialized, aligned and in one allocation;
// `as_ptr`/`len` are pure.
unsafe impl<W: Word> ReadTarget for [W] {
    type Word = W;
    fn dma_read_target(&self) -> (*const W, usize) {
        (self.as_ptr(), self.len())
    }
}

// SAFETY: as for `[W]`; any bits written are valid `W`s (`Word` contract).
unsafe impl<W: Word> WriteTarget for [W] {
    type Word = W;
    fn dma_write_target(&mut self) -> (*mut W, usize) {
        (self.as_mut_ptr(), self.len())
    }
}

// SAFETY: an array is laid out as a slice of `N` words.
unsafe impl<W: Word, const N: usize> ReadTarget for [W; N] {
    type Word = W;
    fn dma_read_target(&self) -> (*const W, usize) {
        (self.as_ptr(), N)
    }
}

// SAFETY: as for `[W; N]` reads; any bits written are valid `W`s.
unsafe impl<W: Word, const N: usize> WriteTarget for [W; N] {
    type Word = W;
    fn dma_write_target(&mut self) -> (*mut W, usize) {
        (self.as_mut_ptr(), N)
    }
}

// SAFETY: `MaybeUninit<W>` has `W`'s layout and accepts any bits, and after the
// DMA writes words the caller may `assume_init` exactly those words.
unsafe impl<W: Word> WriteTarget for [MaybeUninit<W>] {
    type Word = W;
    fn dma_write_target(&mut self) -> (*mut W, usize) {
        (self.as_mut_ptr().cast::<W>(), self.len())
    }
}

// SAFETY: as for `[MaybeUninit<W>]`, with `N` elements.
unsafe impl<W: Word, const N: usize> WriteTarget for [MaybeUninit<W>; N] {
    type Word = W;
    fn dma_write_target(&mut self) -> (*mut W, usize) {
        (self.as_mut_ptr().cast::<W>(), N)
    }
}

// SAFETY: `MaybeUninit<[W; N]>` has the layout of `[W; N]` and accepts any bits.
unsafe impl<W: Word, const N: usize> WriteTarget for MaybeUninit<[W; N]> {
    type Word = W;
    fn dma_write_target(&mut self) -> (*mut W, usize) {
        (self.as_mut_ptr().cast::<W>(), N)
    }
}

// SAFETY: a `str` is initialized bytes in one allocation. It is a *read*
// target only: a DMA write could store bytes that are not UTF-8.
unsafe impl ReadTarget for str {
    type Word = u8;
    fn dma_read_target(&self) -> (*const u8, usize) {
        (self.as_ptr(), self.len())
    }
}

#[cfg(feature = "heapless")]
mod heapless_targets {
    use super::{ReadTarget, WriteTarget};
    use crate::Word;

    // SAFETY: the initialized elements of a `heapless::Vec` are an inline slice
    // of `len()` words; `len` cannot change while the caller holds the
    // borrow that a buffer's ownership stands for.
    unsafe impl<W: Word, const N: usize> ReadTarget for heapless::Vec<W, N> {
        type Word = W;
        fn dma_read_target(&self) -> (*const W, usize) {
            (self.as_ptr(), self.len())
        }
    }

    // SAFETY: the DMA overwrites the `len()` initialized words, never the spare
    // capacity, and any bits are a valid `W`.
    unsafe impl<W: Word, const N: usize> WriteTarget for heapless::Vec<W, N> {
        type Word = W;
        fn dma_write_target(&mut self) -> (*mut W, usize) {
            (self.as_mut_ptr(), self.len())
        }
    }

    // SAFETY: the UTF-8 bytes of a `heapless::String`; read-only, like `str`.
    unsafe impl<const N: usize> ReadTarget for heapless::String<N> {
        type Word = u8;
        fn dma_read_target(&self) -> (*const u8, usize) {
            (self.as_ptr(), self.len())
        }
    }
}

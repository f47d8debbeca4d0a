//! What a buffer points at: the memory the DMA reads or writes.
//!
//! A *target* is the pointee of a buffer (`[u8; 64]` in `&'static mut [u8; 64]`).
//! The buffer traits in [`crate::buffer`] are implemented for every stable
//! pointer to a target, so a new element type or a new array-like type only
//! needs a target impl.

use core::mem::{size_of, size_of_val, MaybeUninit};
use core::ptr;

use crate::{CacheAligned, Word};

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

/// Implements a target trait for types that are a contiguous run of `W`s (or of
/// `MaybeUninit<W>`s, which have `W`'s layout) and nothing else.
macro_rules! contiguous_targets {
    ($trait:ident, $method:ident, $ptr:tt, $from:ident, $recv:ty; $($ty:ty $(, const $n:ident)?;)+) => {$(
        // SAFETY: `$ty` is exactly `size_of_val(self) / size_of::<W>()` words
        // (`Word`s are never zero-sized), contiguous in one allocation and
        // aligned for `W`; the pair is computed from `self` alone, so it is the
        // same on every call. For writes, any bits are a valid `W` (`Word`) or
        // `MaybeUninit<W>`, so the target stays valid.
        unsafe impl<W: Word $(, const $n: usize)?> $trait for $ty {
            type Word = W;
            fn $method(self: $recv) -> (*$ptr W, usize) {
                (ptr::$from(self).cast(), size_of_val(self) / size_of::<W>())
            }
        }
    )+};
}

contiguous_targets!(ReadTarget, dma_read_target, const, from_ref, &Self;
    [W]; [W; N], const N; CacheAligned<[W; N]>, const N;);
contiguous_targets!(WriteTarget, dma_write_target, mut, from_mut, &mut Self;
    [W]; [W; N], const N; [MaybeUninit<W>]; [MaybeUninit<W>; N], const N; MaybeUninit<[W; N]>, const N;
    CacheAligned<[W; N]>, const N;);

/// Implements a target trait for a type whose `len()` initialized elements
/// start at `as_ptr()` / `as_mut_ptr()`.
macro_rules! len_targets {
    ($trait:ident, $method:ident, $ptr:tt, $as_ptr:ident, $recv:ty;
        $([$($g:tt)*] $ty:ty => $w:ty;)+) => {$(
        // SAFETY: the `len()` elements at `as_ptr()` are initialized `$w`s in
        // one allocation, aligned; `len` and the storage cannot change while
        // the caller holds the borrow the buffer's ownership stands for. Write
        // impls are only made for storage of `Word`s, where any bits are valid
        // (never for `str` or strings, which must stay UTF-8).
        unsafe impl<$($g)*> $trait for $ty {
            type Word = $w;
            fn $method(self: $recv) -> (*$ptr $w, usize) {
                (self.$as_ptr(), self.len())
            }
        }
    )+};
}

len_targets!(ReadTarget, dma_read_target, const, as_ptr, &Self; [] str => u8;);

#[cfg(feature = "heapless")]
len_targets!(ReadTarget, dma_read_target, const, as_ptr, &Self;
    [W: Word, const N: usize] heapless::Vec<W, N> => W;
    [const N: usize] heapless::String<N> => u8;);

#[cfg(feature = "heapless")]
len_targets!(WriteTarget, dma_write_target, mut, as_mut_ptr, &mut Self;
    [W: Word, const N: usize] heapless::Vec<W, N> => W;);

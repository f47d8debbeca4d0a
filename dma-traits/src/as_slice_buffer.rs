//! Read buffers whose target is reached through `as_slice::AsSlice`.
//!
//! `AsSlice` is a safe trait, so its `as_slice` may return different memory on
//! every call: a blanket impl that called it on each `dma_read_buffer` would
//! break the stable-target requirement. [`AsSliceBuffer`] calls it exactly once,
//! when the buffer is wrapped, and lends that slice. There is deliberately no
//! write counterpart over `AsMutSlice`; `docs/design.md` ("as-slice") has the
//! argument.

use as_slice::AsSlice;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ops::Deref;
use stable_deref_trait::StableDeref;

use crate::{DmaReadBuffer, Word};

/// A read buffer over `B: Deref + StableDeref` whose target is `AsSlice`.
///
/// ```
/// use dma_traits::{AsSliceBuffer, StaticReadBuffer};
/// fn send<B: StaticReadBuffer<Word = u8>>(b: B) -> B { b }
/// static MSG: [u8; 3] = *b"abc";
/// let buf = send(AsSliceBuffer::new(&MSG));
/// assert_eq!(buf.into_inner(), &MSG);
/// ```
#[derive(Debug)]
pub struct AsSliceBuffer<B> {
    // Parked before `ptr` is taken: moving a `MaybeUninit` does not retag the
    // `Box`/`&` inside, which would invalidate `ptr` under the aliasing model.
    buffer: MaybeUninit<B>,
    ptr: *const (),
    len: usize,
}

// SAFETY: `ptr` is a cached address into memory that `buffer` keeps alive and
// only reads through; sending or sharing the wrapper is exactly as safe as
// sending or sharing `B`.
unsafe impl<B: Send> Send for AsSliceBuffer<B> {}
// SAFETY: as for `Send`; `&AsSliceBuffer` gives no access but `&B`.
unsafe impl<B: Sync> Sync for AsSliceBuffer<B> {}

impl<B, W> AsSliceBuffer<B>
where
    B: Deref + StableDeref,
    B::Target: AsSlice<Element = W>,
    W: Word,
{
    /// Wraps `buffer`, calling `as_slice` once.
    pub fn new(buffer: B) -> Self {
        let buffer = MaybeUninit::new(buffer);
        // SAFETY: initialized on the line above.
        let slice = unsafe { buffer.assume_init_ref() }.as_slice();
        let (ptr, len) = (slice.as_ptr().cast::<()>(), slice.len());
        AsSliceBuffer { buffer, ptr, len }
    }

    /// The buffer, for use after the transfer has ended.
    pub fn into_inner(self) -> B {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized in `new`; `this` is never dropped, so `B` is
        // moved out exactly once.
        unsafe { this.buffer.assume_init_read() }
    }
}

impl<B> Drop for AsSliceBuffer<B> {
    fn drop(&mut self) {
        // SAFETY: initialized in `new` and not moved out (`into_inner` skips `drop`).
        unsafe { self.buffer.assume_init_drop() }
    }
}

// SAFETY: the pair came from one `as_slice(&target)` call. The target cannot
// move (`StableDeref`) and the wrapper never hands out `&mut` to it, so only
// shared access to the target exists until `into_inner`; safe code cannot free
// or change memory it has lent as `&[W]` while holding only `&self` (a cell
// that does so cannot lend a plain `&[W]`), so the memory stays valid and
// unchanged while the wrapper lives. `W: Word` gives initialized words.
unsafe impl<B, W> DmaReadBuffer for AsSliceBuffer<B>
where
    B: Deref + StableDeref,
    B::Target: AsSlice<Element = W>,
    W: Word,
{
    type Word = W;

    fn dma_read_buffer(&self) -> (*const W, usize) {
        (self.ptr.cast::<W>(), self.len)
    }
}

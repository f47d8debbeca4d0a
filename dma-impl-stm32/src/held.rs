//! A buffer while the DMA may use its memory.

use core::mem::{ManuallyDrop, MaybeUninit};

/// Holds a buffer lent to the DMA, always initialized.
///
/// A `Box` or `&mut` moved by value is, in Rust's aliasing model, a fresh
/// claim of unique access to its target (Miri "retags" it), which would
/// conflict with the DMA writing that memory, and would invalidate the raw
/// pointer the DMA was given. Behind `MaybeUninit` the buffer is opaque to
/// those rules: the transfer holding it can move freely while the DMA runs,
/// and the buffer is taken out only after the DMA stopped.
pub(crate) struct Held<B>(MaybeUninit<B>);

impl<B> Held<B> {
    pub(crate) fn new(buffer: B) -> Self {
        Held(MaybeUninit::new(buffer))
    }

    pub(crate) fn get(&self) -> &B {
        // SAFETY: `Held` is always initialized (`new` is the only constructor
        // and `into_inner`/`drop` end its life).
        unsafe { self.0.assume_init_ref() }
    }

    pub(crate) fn get_mut(&mut self) -> &mut B {
        // SAFETY: as in `get`.
        unsafe { self.0.assume_init_mut() }
    }

    pub(crate) fn into_inner(self) -> B {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized (see `get`); `this` is never used or dropped
        // again, so the value is moved out exactly once.
        unsafe { this.0.assume_init_read() }
    }
}

impl<B> Drop for Held<B> {
    fn drop(&mut self) {
        // SAFETY: initialized (see `get`), and dropped only here, once.
        unsafe { self.0.assume_init_drop() }
    }
}

impl<B> core::fmt::Debug for Held<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Held(..)")
    }
}

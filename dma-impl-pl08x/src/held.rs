//! A buffer while the DMA may use its memory.

use core::mem::{ManuallyDrop, MaybeUninit};

/// Holds a buffer lent to the DMA, always initialized.
///
/// Behind `MaybeUninit` the buffer is opaque to Rust's aliasing model: a
/// `Box` or `&mut` moved with the transfer is not retagged (which Miri would
/// count as an access racing the DMA and which would invalidate the pointer
/// the DMA was given). It is taken out only after the channel stopped.
pub(crate) struct Held<B>(MaybeUninit<B>);

impl<B> Held<B> {
    pub(crate) fn new(buffer: B) -> Self {
        Held(MaybeUninit::new(buffer))
    }

    pub(crate) fn get(&self) -> &B {
        // SAFETY: `new` is the only constructor and initializes the value;
        // only `into_inner` and `drop` end its life, and both consume `self`.
        unsafe { self.0.assume_init_ref() }
    }

    pub(crate) fn get_mut(&mut self) -> &mut B {
        // SAFETY: initialized, as in `get`.
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
        // SAFETY: initialized (see `get`) and dropped only here, once.
        unsafe { self.0.assume_init_drop() }
    }
}

impl<B> core::fmt::Debug for Held<B> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Held(..)")
    }
}

//! A buffer lent to the DMA, stored so that moving it asserts nothing.
//!
//! Moving a `Box<[W]>` or a `&'static mut [W]` is, in Rust's aliasing model,
//! a "retag": it claims unique access to the memory behind the pointer, which
//! Miri counts as a write. If the DMA uses that memory at the same time, it
//! is a data race, so a transfer that holds its buffer as a plain field is
//! undefined behaviour as soon as the transfer is moved while running. A
//! union is never retagged: holding the buffer in a `MaybeUninit` (the
//! stand-in for the proposed `MaybeDangling`) makes the move a plain copy of
//! the pointer. The buffer must be wrapped *before* its DMA pointer is taken,
//! and taken out only after the DMA has stopped.

use core::fmt;
use core::mem::{ManuallyDrop, MaybeUninit};

/// Owns a `B` without exposing it to retags while it is lent to the DMA.
pub(crate) struct Lent<B>(MaybeUninit<B>);

impl<B> Lent<B> {
    /// Wraps `buffer`.
    pub(crate) fn new(buffer: B) -> Self {
        Lent(MaybeUninit::new(buffer))
    }

    /// The buffer, to ask for its DMA pair.
    pub(crate) fn get(&self) -> &B {
        // SAFETY: initialized by `new`; only `into_inner` (which consumes
        // `self`) and `drop` move it out.
        unsafe { self.0.assume_init_ref() }
    }

    /// The buffer, to ask for its DMA write pair.
    pub(crate) fn get_mut(&mut self) -> &mut B {
        // SAFETY: as in `get`.
        unsafe { self.0.assume_init_mut() }
    }

    /// Takes the buffer back (after the DMA has let go of it).
    pub(crate) fn into_inner(self) -> B {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized by `new`; `this` is never dropped, so the
        // buffer is moved out exactly once.
        unsafe { this.0.assume_init_read() }
    }
}

impl<B> Drop for Lent<B> {
    fn drop(&mut self) {
        // SAFETY: initialized by `new`, and `into_inner` skips this drop.
        unsafe { self.0.assume_init_drop() }
    }
}

impl<B> fmt::Debug for Lent<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Lent(..)")
    }
}

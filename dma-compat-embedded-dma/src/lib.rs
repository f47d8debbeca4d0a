//! Interop with `embedded-dma`: a buffer that implements `embedded-dma`'s
//! `ReadBuffer` / `WriteBuffer` used where `dma-traits` wants a
//! `DmaReadBuffer` / `DmaWriteBuffer`. See `docs/migrating-from-embedded-dma.md`
//! for why this direction is sound and the other one is not offered.
#![no_std]

use core::marker::PhantomData;
use core::mem::{ManuallyDrop, MaybeUninit};

use dma_traits::{DmaReadBuffer, DmaWriteBuffer, Word};

/// An `embedded-dma` buffer used where `dma-traits` wants one.
///
/// The constructor asks `embedded-dma` for the pair exactly once and caches it,
/// and the wrapper calls no `&mut self` method of `B` afterwards, which is what
/// `embedded-dma`'s contract needs for the pair to stay valid. The element must
/// be one of our [`Word`]s (its own `ReadBuffer::Word` is unconstrained).
///
/// ```
/// use dma_compat_embedded_dma::FromEmbeddedDma;
/// use dma_traits::{DmaReadBuffer, StaticReadBuffer};
/// fn takes<B: StaticReadBuffer<Word = u16>>(b: B) -> B { b }
/// static TABLE: [u16; 3] = [1, 2, 3];
/// let buf = takes(FromEmbeddedDma::read(&TABLE));
/// assert_eq!(buf.dma_read_buffer().1, 3);
/// ```
///
/// Which way the DMA may use the memory is part of the type (`D`): a wrapper
/// made by [`read`](FromEmbeddedDma::read) holds the pair `read_buffer` gave,
/// which `embedded-dma` promises only for reads, so it is never a
/// `DmaWriteBuffer`, even when `B` is also a `WriteBuffer`:
///
/// ```compile_fail,E0277
/// use dma_compat_embedded_dma::FromEmbeddedDma;
/// use dma_traits::DmaWriteBuffer;
/// fn dma_writes<B: DmaWriteBuffer>(_: B) {}
/// let buf: &'static mut [u8; 4] = Box::leak(Box::new([0; 4]));
/// dma_writes(FromEmbeddedDma::read(buf)); // a read pair is not writable
/// ```
#[derive(Debug)]
pub struct FromEmbeddedDma<B, W, D = ForReads> {
    // Parked before the pair is taken: moving a `MaybeUninit` does not retag a
    // `Box`/`&mut` inside it, which would invalidate `ptr`.
    buffer: MaybeUninit<B>,
    ptr: *mut W,
    len: usize,
    direction: PhantomData<D>,
}

/// `D` of a [`FromEmbeddedDma`] made from a `ReadBuffer`: the DMA only reads it.
#[derive(Debug)]
pub enum ForReads {}

/// `D` of a [`FromEmbeddedDma`] made from a `WriteBuffer`: the DMA writes it.
#[derive(Debug)]
pub enum ForWrites {}

// SAFETY: the cached pointer is into memory `buffer` keeps alive; moving or
// sharing the wrapper across threads is as safe as doing so with `B`.
unsafe impl<B: Send, W, D> Send for FromEmbeddedDma<B, W, D> {}
// SAFETY: `&FromEmbeddedDma` gives access to nothing but `&B` and the pair.
unsafe impl<B: Sync, W, D> Sync for FromEmbeddedDma<B, W, D> {}

impl<B, W: Word> FromEmbeddedDma<B, W, ForReads> {
    /// Wraps an `embedded_dma::ReadBuffer`.
    pub fn read(buffer: B) -> Self
    where
        B: embedded_dma::ReadBuffer<Word = W>,
    {
        let buffer = MaybeUninit::new(buffer);
        // SAFETY: initialized on the line above.
        let parked = unsafe { buffer.assume_init_ref() };
        // SAFETY: `read_buffer`'s caller contract forbids `&mut self` calls on
        // the buffer while the pair is in use; the wrapper makes none.
        let (ptr, len) = unsafe { parked.read_buffer() };
        FromEmbeddedDma { buffer, ptr: ptr.cast_mut(), len, direction: PhantomData }
    }
}

impl<B, W: Word> FromEmbeddedDma<B, W, ForWrites> {
    /// Wraps an `embedded_dma::WriteBuffer`.
    pub fn write(buffer: B) -> Self
    where
        B: embedded_dma::WriteBuffer<Word = W>,
    {
        let mut buffer = MaybeUninit::new(buffer);
        // SAFETY: initialized on the line above.
        let parked = unsafe { buffer.assume_init_mut() };
        // SAFETY: as for `read`: after this call only the cached pair is used.
        let (ptr, len) = unsafe { parked.write_buffer() };
        FromEmbeddedDma { buffer, ptr, len, direction: PhantomData }
    }
}

impl<B, W, D> FromEmbeddedDma<B, W, D> {
    /// The buffer, once no transfer uses it.
    pub fn into_inner(self) -> B {
        let this = ManuallyDrop::new(self);
        // SAFETY: initialized in the constructor; `this` is never dropped, so
        // `B` is moved out exactly once.
        unsafe { this.buffer.assume_init_read() }
    }
}

impl<B, W, D> Drop for FromEmbeddedDma<B, W, D> {
    fn drop(&mut self) {
        // SAFETY: initialized in the constructor and not moved out
        // (`into_inner` skips `drop`).
        unsafe { self.buffer.assume_init_drop() }
    }
}

// SAFETY: `embedded-dma`'s `ReadBuffer` contract gives indirection (a pointer
// to the actual buffer) and memory that is not freed while `B` is not dropped
// (so also if it is forgotten); caching makes the pair stable across calls and
// moves; `W: Word` gives valid, initialized-by-contract words.
unsafe impl<B: embedded_dma::ReadBuffer<Word = W>, W: Word> DmaReadBuffer
    for FromEmbeddedDma<B, W, ForReads>
{
    type Word = W;
    fn dma_read_buffer(&self) -> (*const W, usize) {
        (self.ptr.cast_const(), self.len)
    }
}

// SAFETY: as for reads, with `WriteBuffer`'s promise that the target is valid
// for any byte pattern. Only `write` makes a `ForWrites` wrapper, so the pair
// is the one `write_buffer` gave, valid for writes (a `read_buffer` pair,
// derived from a shared borrow, would not be).
unsafe impl<B: embedded_dma::WriteBuffer<Word = W>, W: Word> DmaWriteBuffer
    for FromEmbeddedDma<B, W, ForWrites>
{
    type Word = W;
    fn dma_write_buffer(&mut self) -> (*mut W, usize) {
        (self.ptr, self.len)
    }
}

/// `docs/migrating-from-embedded-dma.md`, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/migrating-from-embedded-dma.md")]
struct MigrationGuide;

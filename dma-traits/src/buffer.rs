//! The buffer traits: an owner that lends stable memory to a DMA transfer.
//!
//! # For HAL authors
//!
//! Bound safe APIs on [`StaticReadBuffer`] / [`StaticWriteBuffer`], never on a
//! bare [`DmaReadBuffer`] / [`DmaWriteBuffer`]: see [`DmaReadBuffer`]'s
//! "Why `'static`". Call `dma_*_buffer` once, program the controller with the
//! pair, keep the buffer inside the transfer, and give it back only after the
//! hardware has stopped and the acquire fence has run.
//!
//! # For buffer authors
//!
//! Implement [`ReadTarget`] / [`WriteTarget`] for the pointee (or use
//! [`TransparentTarget`](crate::TransparentTarget)) and let the blanket impls
//! below cover every [`StableDeref`] pointer to it.

use core::ops::{Deref, DerefMut};

use stable_deref_trait::StableDeref;

use crate::{ReadTarget, Word, WriteTarget};

/// A buffer whose memory a DMA controller may read (memory-to-peripheral).
///
/// Implemented for every `B: Deref + StableDeref` whose target is a
/// [`ReadTarget`]: `&'static [u8]`, `&'static mut [u16; 8]`, `Box<[u32]>`,
/// `Rc<[u8]>`, `Arc<[u8]>`, `Vec<u8>`, `heapless::pool` boxes, `&'static str`.
///
/// # Why `'static`
///
/// `mem::forget` of a transfer is safe Rust, and after it nothing stops the
/// hardware. If the buffer was `&mut local_array`, the DMA keeps using the stack
/// after the frame is gone. `B: 'static` makes the memory outlive any forgotten
/// transfer: a `'static` buffer either points to memory that is never freed or
/// owns its memory, which `forget` then leaks instead of freeing. So a safe API
/// takes [`StaticReadBuffer`]; a bare `DmaReadBuffer` bound is only for
/// `unsafe` constructors and scoped APIs that cannot be leaked.
///
/// # Safety
///
/// For **implementors**, `dma_read_buffer` returns `(ptr, len)` where:
///
/// 1. **Indirection.** The memory is not inside `Self`'s own bytes: moving the
///    buffer does not move it (`[u8; 16]` by value is not a buffer).
/// 2. **Stable target.** Every call returns the same pair, before and after
///    the buffer is moved, for as long as it is not dropped and not accessed
///    through `&mut` by anyone but the DMA.
/// 3. **Valid while owned, even if forgotten.** The memory stays allocated
///    until `Self` is dropped; leaking `Self` leaks the memory.
/// 4. **Valid bits.** The `len` words are initialized `Word`s; the range lies
///    in one allocation and `ptr` is aligned for `Word`, which by `Word`'s
///    contract is alignment to its width: the beat width a HAL programs from
///    `Word::WIDTH`.
///
/// For **callers** (HALs):
///
/// * the pointer may be given to the DMA from the call until the buffer is
///   given back or dropped; hold the buffer (not a copy of the pointer) for
///   that whole time;
/// * while the DMA runs, the buffer may be moved but must not be dereferenced
///   (`Deref`) or passed to code that does, and no reference to the memory may
///   be made: the hardware accesses it outside Rust's aliasing model;
/// * run [`DmaFence::release`](crate::DmaFence::release) over the pair before
///   the DMA starts and [`DmaFence::acquire`](crate::DmaFence::acquire) after
///   the DMA is seen stopped, before the buffer is handed back;
/// * keep `B: 'static` in every safe API (see above);
/// * program beats no wider than `Word::WIDTH` unless the pointer is checked
///   for the wider beat ([`WordWidth::aligns`](crate::WordWidth::aligns)),
///   and refuse a buffer that fails the check, giving it back.
///
/// Forbidden impls: a buffer whose pointer points inside itself (an inline
/// array, `heapless::Vec` by value), a `Deref` that returns fresh memory per
/// call, a target with invalid bit patterns (`String` for writes, `bool`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a buffer a DMA may read",
    note = "a DMA read buffer is a stable pointer (`&'static [W]`, `&'static mut [W; N]`, `Box`, `Vec`, `Rc`, `Arc`, a pool box) to an array or slice of a `Word`; arrays by value and `heapless::Vec` by value move with the transfer"
)]
pub unsafe trait DmaReadBuffer {
    /// The element the DMA moves.
    type Word: Word;

    /// Start and length, in words, of the memory the DMA may read.
    ///
    /// ```
    /// use dma_traits::DmaReadBuffer;
    /// static DATA: [u16; 4] = [1, 2, 3, 4];
    /// let (ptr, len) = (&DATA).dma_read_buffer();
    /// assert_eq!((ptr, len), (DATA.as_ptr(), 4));
    /// ```
    fn dma_read_buffer(&self) -> (*const Self::Word, usize);
}

/// A buffer whose memory a DMA controller may write (peripheral-to-memory).
///
/// Implemented for every `B: DerefMut + StableDeref` whose target is a
/// [`WriteTarget`]: `&'static mut [u8]`, `&'static mut [MaybeUninit<u8>; 64]`,
/// `Box<[u16]>`, `Vec<u32>`, `heapless::pool` boxes. Shared pointers
/// (`&'static [u8]`, `Rc`, `Arc`) are not write buffers.
///
/// # Safety
///
/// For **implementors**: the four requirements of [`DmaReadBuffer`], except
/// that the words may be uninitialized, and any bit pattern the DMA writes
/// leaves the target a valid value.
///
/// For **callers**: as for [`DmaReadBuffer`]; besides, after the acquire fence
/// exactly the words the DMA wrote may be treated as initialized.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a buffer a DMA may write",
    note = "a DMA write buffer is a unique stable pointer (`&'static mut [W]`, `Box`, `Vec`, a pool box) to an array or slice of a `Word` or of `MaybeUninit<Word>`; shared pointers, arrays by value, `Pin` and plain `Deref` types are not"
)]
pub unsafe trait DmaWriteBuffer {
    /// The element the DMA moves.
    type Word: Word;

    /// Start and length, in words, of the memory the DMA may write.
    ///
    /// ```
    /// use dma_traits::DmaWriteBuffer;
    /// use core::mem::MaybeUninit;
    /// let mut rx: &'static mut [MaybeUninit<u8>; 32] =
    ///     Box::leak(Box::new([MaybeUninit::uninit(); 32]));
    /// let (_ptr, len) = rx.dma_write_buffer();
    /// assert_eq!(len, 32);
    /// ```
    fn dma_write_buffer(&mut self) -> (*mut Self::Word, usize);
}

// SAFETY: `StableDeref` gives requirements 1 and 2 (the target does not move
// with `B` and `deref` returns it every time); the target's `ReadTarget` impl
// gives 4 and a pure pointer computation. Requirement 3 holds because a
// `StableDeref` pointer either borrows (and the borrow's lifetime keeps the
// memory alive) or owns its target, freeing it only on drop.
unsafe impl<B> DmaReadBuffer for B
where
    B: Deref + StableDeref,
    B::Target: ReadTarget,
{
    type Word = <B::Target as ReadTarget>::Word;

    fn dma_read_buffer(&self) -> (*const Self::Word, usize) {
        self.deref().dma_read_target()
    }
}

// SAFETY: as for reads; `DerefMut` of a `StableDeref` returns the same target,
// and `WriteTarget` guarantees that any bits written keep it valid.
unsafe impl<B> DmaWriteBuffer for B
where
    B: DerefMut + StableDeref,
    B::Target: WriteTarget,
{
    type Word = <B::Target as WriteTarget>::Word;

    fn dma_write_buffer(&mut self) -> (*mut Self::Word, usize) {
        self.deref_mut().dma_write_target()
    }
}

/// The bound for a **safe** API that reads a buffer by DMA: `DmaReadBuffer + 'static`.
///
/// Use this name, not `DmaReadBuffer`, wherever a transfer can be leaked
/// ([`DmaReadBuffer`] explains why). It is implemented for every such buffer.
///
/// ```
/// use dma_traits::StaticReadBuffer;
/// fn write_all<B: StaticReadBuffer<Word = u8>>(buf: B) -> B { buf }
/// write_all("hello");
/// write_all(&[1u8, 2, 3]);
/// ```
///
/// A stack buffer is rejected:
///
/// ```compile_fail,E0597
/// # use dma_traits::StaticReadBuffer;
/// # fn write_all<B: StaticReadBuffer<Word = u8>>(buf: B) -> B { buf }
/// let local = [0u8; 4];
/// write_all(&local);
/// ```
pub trait StaticReadBuffer: DmaReadBuffer + 'static {}
impl<B: DmaReadBuffer + 'static> StaticReadBuffer for B {}

/// The bound for a **safe** API that writes a buffer by DMA: `DmaWriteBuffer + 'static`.
///
/// ```
/// use dma_traits::StaticWriteBuffer;
/// fn read_exact<B: StaticWriteBuffer<Word = u16>>(buf: B) -> B { buf }
/// let buf: &'static mut [u16; 8] = Box::leak(Box::new([0; 8]));
/// read_exact(buf);
/// ```
pub trait StaticWriteBuffer: DmaWriteBuffer + 'static {}
impl<B: DmaWriteBuffer + 'static> StaticWriteBuffer for B {}

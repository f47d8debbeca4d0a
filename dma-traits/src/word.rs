//! The element a DMA channel moves in one beat.

/// The width of one DMA beat, known at compile time through [`Word::WIDTH`].
///
/// A HAL maps this to its size field (STM32 `PSIZE`/`MSIZE`, a SAM `BEATSIZE`)
/// with an exhaustive `match`: there is no "unsupported width" case to panic on.
/// A controller that cannot move 64-bit beats rejects [`WordWidth::Bits64`]
/// with an error when the transfer is started, giving the buffer back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum WordWidth {
    /// One byte. (Each discriminant is log2 of the width in bytes.)
    Bits8 = 0,
    /// Two bytes.
    Bits16 = 1,
    /// Four bytes.
    Bits32 = 2,
    /// Eight bytes.
    Bits64 = 3,
}

impl WordWidth {
    /// The width in bytes.
    ///
    /// ```
    /// use dma_traits::{Word, WordWidth};
    /// assert_eq!(<u16 as Word>::WIDTH.bytes(), 2);
    /// assert_eq!(WordWidth::Bits64.bytes(), 8);
    /// ```
    pub const fn bytes(self) -> usize {
        1 << self as u32
    }

    /// Whether `ptr` is aligned to this width: what a HAL checks before it
    /// programs beats of this width over a buffer (the start of a buffer of
    /// `W` is aligned to `W::WIDTH` by `Word`'s contract, so this matters when
    /// the beat is wider than the word, or for a pointer from elsewhere).
    ///
    /// ```
    /// use dma_traits::WordWidth;
    /// let words = [0u32; 2];
    /// assert!(WordWidth::Bits32.aligns(words.as_ptr()));
    /// assert!(!WordWidth::Bits32.aligns(words.as_ptr().cast::<u8>().wrapping_add(2)));
    /// assert!(WordWidth::Bits16.aligns(words.as_ptr().cast::<u8>().wrapping_add(2)));
    /// ```
    #[inline(always)]
    pub fn aligns<T>(self, ptr: *const T) -> bool {
        (ptr as usize) & (self.bytes() - 1) == 0
    }
}

/// A plain-old-data element that a DMA controller may read or write.
///
/// A DMA controller copies bits without knowing Rust's types, so whatever it
/// writes into a `[W]` must be a valid `W`, and whatever it reads must be the
/// value's whole representation.
///
/// ```
/// use dma_traits::{Word, WordWidth};
///
/// // A HAL turns the width into its register field with no panic path.
/// const fn psize<W: Word>() -> u32 {
///     match W::WIDTH {
///         WordWidth::Bits8 => 0b00,
///         WordWidth::Bits16 => 0b01,
///         WordWidth::Bits32 => 0b10,
///         WordWidth::Bits64 => 0b11,
///     }
/// }
/// assert_eq!(psize::<f32>(), 0b10);
/// ```
///
/// # Safety
///
/// For **implementors**: `unsafe impl Word for T` promises that
///
/// 1. every bit pattern of `size_of::<T>()` bytes is a valid `T` (no `bool`,
///    `char`, enums, references, `NonZero*`);
/// 2. `T` has no padding and no interior mutability, so its bytes are exactly
///    its value;
/// 3. `size_of::<T>() == T::WIDTH.bytes()` and `align_of::<T>() == size_of::<T>()`:
///    consecutive words of a `[T]` are `WIDTH` bytes apart, and every `T` in
///    memory is aligned to `WIDTH`. So "aligned for `Word`", which the buffer
///    traits promise, *is* "aligned to the beat width" a HAL programs from
///    `WIDTH`. A `#[repr(packed)]` type (alignment 1) is not a `Word`.
///
/// A `#[repr(transparent)]` newtype over one of the provided words meets all
/// three (the assertions make the third one checked at compile time):
///
/// ```
/// use dma_traits::{Word, WordWidth};
///
/// #[derive(Clone, Copy)]
/// #[repr(transparent)]
/// struct Sample(i16);
///
/// // SAFETY: `Sample` is `repr(transparent)` over `i16`, which is a `Word`
/// // of width 16: same size, same validity, no padding.
/// unsafe impl Word for Sample {
///     const WIDTH: WordWidth = WordWidth::Bits16;
/// }
/// const _: () = assert!(core::mem::size_of::<Sample>() == Sample::WIDTH.bytes());
/// const _: () = assert!(core::mem::align_of::<Sample>() == Sample::WIDTH.bytes());
/// ```
///
/// For **callers**: a HAL may program `WIDTH` as the beat size and move
/// `len * WIDTH.bytes()` bytes for a buffer of `len` words; it may write any bit
/// pattern into the buffer.
pub unsafe trait Word: Copy + Send + Sync + 'static {
    /// The width of one element.
    const WIDTH: WordWidth;
}

macro_rules! impl_word {
    ($($width:ident: $($t:ty),+;)+) => {$($(
        // SAFETY: a primitive integer or float: every bit pattern is a value,
        // it has no padding, and its size and alignment are the width named
        // here (checked below; a target where `u64` is 4-aligned, such as
        // i686 Linux, fails to build rather than lend misaligned beats).
        unsafe impl Word for $t {
            const WIDTH: WordWidth = WordWidth::$width;
        }
        const _: () = assert!(core::mem::size_of::<$t>() == <$t as Word>::WIDTH.bytes());
        const _: () = assert!(
            core::mem::align_of::<$t>() == <$t as Word>::WIDTH.bytes(),
            "a Word must be aligned to its width"
        );
    )+)+};
}

impl_word! {
    Bits8: u8, i8;
    Bits16: u16, i16;
    Bits32: u32, i32, f32;
    Bits64: u64, i64, f64;
}

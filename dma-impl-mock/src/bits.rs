//! Words as raw bits, so that one engine and one suite serve every [`Word`].
//!
//! A [`Word`] of width `n` bytes is exactly `n` bytes of plain data, so it
//! round-trips through the low `n` bytes of a `u64`. Comparing words by their
//! bits (not with `==`) also makes `f32`/`f64` NaN patterns compare equal.

use dma_traits::{Word, WordWidth};

/// The bits of `word`, zero-extended to 64 bits.
///
/// ```
/// use dma_impl_mock::bits::to_bits;
/// assert_eq!(to_bits(-1i16), 0xffff);
/// assert_eq!(to_bits(1.0f32), 0x3f80_0000);
/// ```
pub fn to_bits<W: Word>(word: W) -> u64 {
    match W::WIDTH {
        // SAFETY: `Word`'s contract makes `size_of::<W>()`
        // equal to the width matched here, so `transmute_copy` reads exactly
        // the bytes of `word` (it tolerates any alignment), and every bit
        // pattern of the target integer is valid.
        WordWidth::Bits8 => u64::from(unsafe { core::mem::transmute_copy::<W, u8>(&word) }),
        // SAFETY: as above, width 2.
        WordWidth::Bits16 => u64::from(unsafe { core::mem::transmute_copy::<W, u16>(&word) }),
        // SAFETY: as above, width 4.
        WordWidth::Bits32 => u64::from(unsafe { core::mem::transmute_copy::<W, u32>(&word) }),
        // SAFETY: as above, width 8.
        WordWidth::Bits64 => unsafe { core::mem::transmute_copy::<W, u64>(&word) },
    }
}

/// The word whose bits are the low `W::WIDTH` bytes of `bits` (the rest is ignored).
///
/// ```
/// use dma_impl_mock::bits::from_bits;
/// assert_eq!(from_bits::<u8>(0x1234), 0x34);
/// assert_eq!(from_bits::<i16>(0xffff), -1);
/// ```
#[allow(clippy::cast_possible_truncation)] // truncation to the word's width is the point
pub fn from_bits<W: Word>(bits: u64) -> W {
    match W::WIDTH {
        // SAFETY: `size_of::<W>()` is the width matched here
        // (`Word` contract), so the source integer has exactly `W`'s size, and
        // every bit pattern of that size is a valid `W` (`Word` contract).
        WordWidth::Bits8 => unsafe { core::mem::transmute_copy::<u8, W>(&(bits as u8)) },
        // SAFETY: as above, width 2.
        WordWidth::Bits16 => unsafe { core::mem::transmute_copy::<u16, W>(&(bits as u16)) },
        // SAFETY: as above, width 4.
        WordWidth::Bits32 => unsafe { core::mem::transmute_copy::<u32, W>(&(bits as u32)) },
        // SAFETY: as above, width 8.
        WordWidth::Bits64 => unsafe { core::mem::transmute_copy::<u64, W>(&bits) },
    }
}

/// Keeps the low `width` bytes of `bits`.
pub fn truncate(bits: u64, width: WordWidth) -> u64 {
    match width {
        WordWidth::Bits8 => bits & 0xff,
        WordWidth::Bits16 => bits & 0xffff,
        WordWidth::Bits32 => bits & 0xffff_ffff,
        WordWidth::Bits64 => bits,
    }
}

/// A reproducible test pattern: word `index` of stream `seed`.
///
/// Multiplying by an odd constant is a bijection on the low bits, so the
/// first `2^(8 * width)` words of a stream are all different: a dropped,
/// doubled or reordered word always shows.
pub fn pattern<W: Word>(seed: u64, index: usize) -> W {
    let x = (index as u64).wrapping_add(seed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    from_bits(x)
}

/// `len` words of [`pattern`] for `seed`.
pub fn pattern_vec<W: Word>(seed: u64, len: usize) -> Vec<W> {
    (0..len).map(|i| pattern(seed, i)).collect()
}

/// A short name of a word type for reports: `u8`, `f32`, ...
pub fn word_name<W: Word>() -> &'static str {
    let full = core::any::type_name::<W>();
    full.rsplit("::").next().unwrap_or(full)
}

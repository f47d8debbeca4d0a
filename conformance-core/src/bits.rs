//! Words as raw bits, and the suite's data pattern.

use dma_traits::{Word, WordWidth};

/// The bits of `word`, zero-extended.
pub(crate) fn to_bits<W: Word>(word: W) -> u64 {
    match W::WIDTH {
        // SAFETY: `Word`'s contract makes `size_of::<W>()` the width matched
        // here, so `transmute_copy` reads exactly the bytes of `word`, and
        // every bit pattern of the integer is valid.
        WordWidth::Bits8 => u64::from(unsafe { core::mem::transmute_copy::<W, u8>(&word) }),
        // SAFETY: as above, width 2.
        WordWidth::Bits16 => u64::from(unsafe { core::mem::transmute_copy::<W, u16>(&word) }),
        // SAFETY: as above, width 4.
        WordWidth::Bits32 => u64::from(unsafe { core::mem::transmute_copy::<W, u32>(&word) }),
        // SAFETY: as above, width 8.
        WordWidth::Bits64 => unsafe { core::mem::transmute_copy::<W, u64>(&word) },
    }
}

/// The word made of the low `W::WIDTH` bytes of `bits`.
#[allow(clippy::cast_possible_truncation)] // truncation to the width is the point
pub(crate) fn from_bits<W: Word>(bits: u64) -> W {
    match W::WIDTH {
        // SAFETY: `Word`'s contract: `W` is exactly this many bytes of plain
        // data for which every bit pattern is valid (the DMA copies bits).
        WordWidth::Bits8 => unsafe { core::mem::transmute_copy::<u8, W>(&(bits as u8)) },
        // SAFETY: as above, width 2.
        WordWidth::Bits16 => unsafe { core::mem::transmute_copy::<u16, W>(&(bits as u16)) },
        // SAFETY: as above, width 4.
        WordWidth::Bits32 => unsafe { core::mem::transmute_copy::<u32, W>(&(bits as u32)) },
        // SAFETY: as above, width 8.
        WordWidth::Bits64 => unsafe { core::mem::transmute_copy::<u64, W>(&bits) },
    }
}

/// Word `i` of the data sent by the check seeded `seed`: no byte is 0, so
/// 0 means "not written" (the suite clears destinations to 0).
pub(crate) fn pattern<W: Word>(seed: u8, i: usize) -> W {
    let mut bits = 0u64;
    // Only the word's own bytes: `from_bits` keeps no more (the pattern's
    // values are those of all eight; fewer steps, which Miri counts).
    for k in 0..W::WIDTH.bytes() as u64 {
        let mixed = (i as u64).wrapping_mul(7).wrapping_add(u64::from(seed)).wrapping_add(k * 31);
        bits |= (mixed % 0x7E + 1) << (8 * k);
    }
    from_bits(bits)
}

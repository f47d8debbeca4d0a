//! The chips and their EasyDMA limits.

use core::ops::Range;

/// An nRF52 chip's EasyDMA limits. Peripherals are generic over it, so the
/// limits of every chip are checked (and testable) in one build.
///
/// Sealed: the drivers' soundness rests on these numbers (a buffer outside
/// [`DATA_RAM`](Chip::DATA_RAM) or longer than
/// [`MAXCNT_MAX`](Chip::MAXCNT_MAX) is refused before EasyDMA sees it), so
/// only this crate's chips implement it.
///
/// ```compile_fail
/// use core::ops::Range;
/// struct Fake;
/// impl dma_impl_nrf::Chip for Fake {
///     const NAME: &'static str = "fake";
///     const MAXCNT_MAX: usize = usize::MAX;
///     const DATA_RAM: Range<u32> = 0..u32::MAX;
/// }
/// ```
///
/// ```
/// use dma_impl_nrf::{Chip, Nrf52832, Nrf52840};
/// assert_eq!(Nrf52832::MAXCNT_MAX, 255);
/// assert_eq!(Nrf52840::MAXCNT_MAX, 65_535);
/// assert!(Nrf52840::DATA_RAM.contains(&0x2003_FFFF));
/// ```
pub trait Chip: sealed::Sealed + Send + Sync + 'static {
    /// The chip's name.
    const NAME: &'static str;
    /// The largest `MAXCNT` (words per EasyDMA transfer).
    const MAXCNT_MAX: usize;
    /// The bus addresses EasyDMA can reach: the data RAM.
    const DATA_RAM: Range<u32>;
}

/// nRF52832: 8-bit `MAXCNT`, 64 KiB of data RAM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nrf52832;

/// nRF52833: 16-bit `MAXCNT`, 128 KiB of data RAM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nrf52833;

/// nRF52840: 16-bit `MAXCNT`, 256 KiB of data RAM.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nrf52840;

pub(crate) mod sealed {
    /// Implemented only by this crate's chips and peripherals.
    pub trait Sealed {}
}

impl sealed::Sealed for Nrf52832 {}
impl sealed::Sealed for Nrf52833 {}
impl sealed::Sealed for Nrf52840 {}

impl Chip for Nrf52832 {
    const NAME: &'static str = "nRF52832";
    const MAXCNT_MAX: usize = (1 << 8) - 1;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2001_0000;
}

impl Chip for Nrf52833 {
    const NAME: &'static str = "nRF52833";
    const MAXCNT_MAX: usize = (1 << 16) - 1;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2002_0000;
}

impl Chip for Nrf52840 {
    const NAME: &'static str = "nRF52840";
    const MAXCNT_MAX: usize = (1 << 16) - 1;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2004_0000;
}

/// The chip chosen by feature, for the `take()` singletons. With several
/// chip features the most restrictive one wins (its limits hold on the others).
#[cfg(feature = "nrf52832")]
pub type TargetChip = Nrf52832;
/// The chip chosen by feature, for the `take()` singletons.
#[cfg(all(feature = "nrf52833", not(feature = "nrf52832")))]
pub type TargetChip = Nrf52833;
/// The chip chosen by feature, for the `take()` singletons.
#[cfg(all(feature = "nrf52840", not(feature = "nrf52832"), not(feature = "nrf52833")))]
pub type TargetChip = Nrf52840;

#[cfg(test)]
mod tests {
    use super::{Chip, Nrf52833};

    #[test]
    fn nrf52833_has_16_bit_maxcnt_and_128_kib() {
        assert_eq!(Nrf52833::MAXCNT_MAX, 65_535);
        assert_eq!(Nrf52833::DATA_RAM.end - Nrf52833::DATA_RAM.start, 128 * 1024);
    }

    // With several chip features, the most restrictive limits hold.
    #[cfg(all(feature = "nrf52832", feature = "nrf52840"))]
    #[test]
    fn several_chips_pick_the_most_restrictive() {
        assert_eq!(<super::TargetChip as Chip>::MAXCNT_MAX, 255);
    }
}

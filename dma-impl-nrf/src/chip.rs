//! The chips and their EasyDMA limits.

use core::ops::Range;

/// An nRF52 chip's EasyDMA limits. Peripherals are generic over it, so the
/// limits of every chip are checked (and testable) in one build.
///
/// Sealed: the drivers' soundness rests on these numbers (a buffer outside
/// [`DATA_RAM`](Chip::DATA_RAM) or longer than
/// [`MAXCNT_MAX`](Chip::MAXCNT_MAX) is refused before EasyDMA sees it), so
/// only this crate's chips implement it. `pac-oracle/tests/nrf.rs` checks
/// `MAXCNT_BITS` and `GPIO_PORTS` against each chip's PAC.
///
/// ```compile_fail
/// use core::ops::Range;
/// #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
/// struct Fake;
/// impl dma_impl_nrf::Chip for Fake {
///     const NAME: &'static str = "fake";
///     const MAXCNT_BITS: u32 = 32;
///     const DATA_RAM: Range<u32> = 0..u32::MAX;
///     const GPIO_PORTS: u8 = 2;
///     const ANOMALY_58: bool = false;
/// }
/// ```
///
/// ```
/// use dma_impl_nrf::{Chip, Nrf52832, Nrf52832Qfaa, Nrf52840};
/// assert_eq!(Nrf52832::MAXCNT_MAX, 255);
/// assert_eq!(Nrf52840::MAXCNT_MAX, 65_535);
/// // Only a type wider than the family's narrowest part checks for truncation.
/// assert!(!Nrf52832::MAY_BE_WIDER_THAN_THE_PART && Nrf52840::MAY_BE_WIDER_THAN_THE_PART);
/// assert!(Nrf52840::DATA_RAM.contains(&0x2003_FFFF));
/// // Every nRF52832 has 32 KiB; only the QFAA (and CIAA) parts have 64.
/// assert!(!Nrf52832::DATA_RAM.contains(&0x2000_8000));
/// assert!(Nrf52832Qfaa::DATA_RAM.contains(&0x2000_FFFF));
/// ```
pub trait Chip:
    sealed::Sealed + core::fmt::Debug + Clone + Copy + Default + PartialEq + Eq + Send + Sync + 'static
{
    /// The chip's name.
    const NAME: &'static str;
    /// Width of the `MAXCNT` field of every EasyDMA channel, in bits
    /// (nRF52832 PS v1.4: 8 in UARTE, SPIM and TWIM; nRF52833 PS v1.3 and
    /// nRF52840 PS v1.1: 16).
    const MAXCNT_BITS: u32;
    /// The largest `MAXCNT` (words per EasyDMA transfer).
    const MAXCNT_MAX: usize = (1 << Self::MAXCNT_BITS) - 1;
    /// Whether the hardware's `MAXCNT` may be narrower than
    /// [`MAXCNT_BITS`](Chip::MAXCNT_BITS) says (this type used on another
    /// nRF52, which breaks the peripherals' `new` contract): then a
    /// transaction that ended by itself is checked for moving fewer words
    /// than it asked ([`Error::Truncated`](crate::Error::Truncated)). The
    /// narrowest `MAXCNT` of the family is 8 bits (nRF52832), so a chip type
    /// of 8 bits cannot be wider than the part it runs on, and the check
    /// would never fire.
    const MAY_BE_WIDER_THAN_THE_PART: bool = Self::MAXCNT_BITS > 8;
    /// The bus addresses EasyDMA can reach: the data RAM.
    const DATA_RAM: Range<u32>;
    /// GPIO ports: 1 on the nRF52832 (its `PSEL` registers have no `PORT`
    /// field), 2 on the nRF52833 and nRF52840.
    const GPIO_PORTS: u8;
    /// Whether the SPIM has anomaly 58 (nRF52832 Errata, anomaly 58 "SPIM: An
    /// additional byte is clocked out when RXD.MAXCNT = 1 and TXD.MAXCNT <=
    /// 1"): the drivers refuse such transfers ([`Error::Anomaly58`](crate::Error::Anomaly58)).
    const ANOMALY_58: bool;
}

/// A chip with a GPIO port 1: [`Pin::p1`](crate::Pin::p1) exists only for
/// these, so a port-1 pin on an nRF52832 does not compile.
pub trait HasPort1: Chip {}

/// Any nRF52832: 8-bit `MAXCNT`, 32 KiB of data RAM (0x2000_0000..0x2000_8000).
///
/// The nRF52832 comes with 64 KiB (QFAA, CIAA) or 32 KiB (QFAB) of RAM
/// (nRF52832 PS v1.4, "Ordering information"). A buffer check that trusted
/// 64 KiB on a QFAB would hand EasyDMA an address where no RAM is (a bus
/// error at best); one that trusts 32 KiB only refuses, with everything given
/// back, a buffer in the upper half of a QFAA's RAM. So this type, and the
/// `nrf52832` feature's singletons and `memory.x`, assume 32 KiB; on a part
/// with 64 KiB, use [`Nrf52832Qfaa`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nrf52832;

/// An nRF52832 with 64 KiB of data RAM (QFAA, CIAA); otherwise [`Nrf52832`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nrf52832Qfaa;

/// nRF52833: 16-bit `MAXCNT`, 128 KiB of data RAM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nrf52833;

/// nRF52840: 16-bit `MAXCNT`, 256 KiB of data RAM.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nrf52840;

pub(crate) mod sealed {
    /// Implemented only by this crate's chips and peripherals.
    pub trait Sealed {}
}

impl sealed::Sealed for Nrf52832 {}
impl sealed::Sealed for Nrf52832Qfaa {}
impl sealed::Sealed for Nrf52833 {}
impl sealed::Sealed for Nrf52840 {}

impl Chip for Nrf52832 {
    const NAME: &'static str = "nRF52832";
    const MAXCNT_BITS: u32 = 8;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2000_8000;
    const GPIO_PORTS: u8 = 1;
    const ANOMALY_58: bool = true;
}

impl Chip for Nrf52832Qfaa {
    const NAME: &'static str = "nRF52832-QFAA";
    const MAXCNT_BITS: u32 = 8;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2001_0000;
    const GPIO_PORTS: u8 = 1;
    const ANOMALY_58: bool = true;
}

impl Chip for Nrf52833 {
    const NAME: &'static str = "nRF52833";
    const MAXCNT_BITS: u32 = 16;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2002_0000;
    const GPIO_PORTS: u8 = 2;
    const ANOMALY_58: bool = false;
}

impl Chip for Nrf52840 {
    const NAME: &'static str = "nRF52840";
    const MAXCNT_BITS: u32 = 16;
    const DATA_RAM: Range<u32> = 0x2000_0000..0x2004_0000;
    const GPIO_PORTS: u8 = 2;
    const ANOMALY_58: bool = false;
}

impl HasPort1 for Nrf52833 {}
impl HasPort1 for Nrf52840 {}

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

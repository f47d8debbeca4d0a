//! Each peripheral instance, taken once.
//!
//! SPIM*n* and TWIM*n* share one register block (the same peripheral ID), so
//! taking one makes the other unavailable. The `take()` functions exist when
//! a chip feature is on **and** the build is for the chip (`target_os =
//! "none"`); they hand out instances of `TargetChip` (the chip the
//! feature names).
//!
//! On any other target there is no register block at the product
//! specification's addresses, so no safe function hands one out: host tests
//! build peripherals with the `unsafe` constructors (`Uarte::new` and so on)
//! over a simulator's block. This does not compile on the host, whatever the
//! features:
//!
//! ```compile_fail
//! let _uarte = dma_impl_nrf::peripherals::uarte0();
//! ```
//!
//! while the rest of the module does:
//!
//! ```
//! assert_eq!(dma_impl_nrf::peripherals::base::UARTE0, 0x4000_2000);
//! ```

use core::cell::Cell;

use critical_section::Mutex;

/// Base addresses: [`crate::regs::base`], checked against the PACs.
pub use crate::regs::base;

/// One bit per register block.
#[cfg_attr(
    not(all(
        target_os = "none",
        any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")
    )),
    allow(dead_code)
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Instance {
    Uarte0 = 1 << 0,
    Serial0 = 1 << 1,
    Serial1 = 1 << 2,
    Spim2 = 1 << 3,
    Uarte1 = 1 << 4,
}

static TAKEN: Mutex<Cell<u32>> = Mutex::new(Cell::new(0));

/// Marks `instance` taken; `false` if it already was.
#[cfg_attr(
    not(all(
        target_os = "none",
        any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")
    )),
    allow(dead_code)
)]
pub(crate) fn claim(instance: Instance) -> bool {
    let bit = instance as u32;
    critical_section::with(|cs| {
        let taken = TAKEN.borrow(cs);
        let free = taken.get() & bit == 0;
        taken.set(taken.get() | bit);
        free
    })
}

#[cfg(all(
    target_os = "none",
    any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")
))]
mod take {
    use super::{base, claim, Instance};
    use crate::{Spim, TargetChip, Twim, Uarte};

    /// UARTE0, the first time; `None` afterwards.
    pub fn uarte0() -> Option<Uarte<TargetChip>> {
        // SAFETY: `claim` succeeds once per block, so this is the only owner
        // of the UARTE0 registers at their product-specification address.
        claim(Instance::Uarte0).then(|| unsafe { Uarte::new(base::UARTE0 as *mut u32) })
    }

    /// SPIM0, unless it or TWIM0 was taken.
    pub fn spim0() -> Option<Spim<TargetChip>> {
        // SAFETY: as in `uarte0`, for the block SPIM0 shares with TWIM0.
        claim(Instance::Serial0).then(|| unsafe { Spim::new(base::SERIAL0 as *mut u32) })
    }

    /// TWIM0, unless it or SPIM0 was taken.
    pub fn twim0() -> Option<Twim<TargetChip>> {
        // SAFETY: as in `spim0`.
        claim(Instance::Serial0).then(|| unsafe { Twim::new(base::SERIAL0 as *mut u32) })
    }

    /// SPIM1, unless it or TWIM1 was taken.
    pub fn spim1() -> Option<Spim<TargetChip>> {
        // SAFETY: as in `uarte0`, for the block SPIM1 shares with TWIM1.
        claim(Instance::Serial1).then(|| unsafe { Spim::new(base::SERIAL1 as *mut u32) })
    }

    /// TWIM1, unless it or SPIM1 was taken.
    pub fn twim1() -> Option<Twim<TargetChip>> {
        // SAFETY: as in `spim1`.
        claim(Instance::Serial1).then(|| unsafe { Twim::new(base::SERIAL1 as *mut u32) })
    }

    /// SPIM2, the first time.
    pub fn spim2() -> Option<Spim<TargetChip>> {
        // SAFETY: as in `uarte0`, for SPIM2.
        claim(Instance::Spim2).then(|| unsafe { Spim::new(base::SPIM2 as *mut u32) })
    }

    /// UARTE1, the first time: nRF52833 and nRF52840 only (with the
    /// `nrf52832` feature on, the target chip has none).
    #[cfg(not(feature = "nrf52832"))]
    pub fn uarte1() -> Option<Uarte<TargetChip>> {
        // SAFETY: as in `uarte0`, for UARTE1, which the target chip has.
        claim(Instance::Uarte1).then(|| unsafe { Uarte::new(base::UARTE1 as *mut u32) })
    }
}

#[cfg(all(
    target_os = "none",
    any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")
))]
pub use take::*;

#[cfg(test)]
mod tests {
    use super::{claim, Instance};

    #[test]
    fn a_block_is_claimed_once() {
        assert!(claim(Instance::Spim2));
        assert!(!claim(Instance::Spim2));
    }
}

//! The EasyDMA rules a buffer must meet before a channel is programmed.

use crate::{Chip, Error};

/// Refuses an empty buffer (unless `may_be_empty`), one longer than `MAXCNT`,
/// and one outside data RAM (unless `in_ram` is [`InRam::Proven`]).
#[inline]
pub(crate) fn easydma<C: Chip>(
    ptr: *const u8,
    len: usize,
    may_be_empty: bool,
    in_ram: InRam,
) -> Result<(), Error> {
    if len == 0 && !may_be_empty {
        return Err(Error::Empty);
    }
    if len > C::MAXCNT_MAX {
        return Err(Error::TooLong { len, max: C::MAXCNT_MAX });
    }
    match in_ram {
        InRam::Proven => Ok(()),
        InRam::Check => self::in_ram::<C>(ptr, len),
    }
}

/// Whether a buffer's place in data RAM is still to be checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InRam {
    /// At run time, against [`Chip::DATA_RAM`].
    Check,
    /// Proven at link time for this chip type: a [`DataRam`](crate::DataRam)
    /// buffer with [`DataRam::proven_for`](crate::DataRam) true. Only
    /// `transfer::lend_in_ram` passes it.
    Proven,
}

/// Refuses memory EasyDMA cannot reach.
#[inline]
pub(crate) fn in_ram<C: Chip>(ptr: *const u8, len: usize) -> Result<(), Error> {
    if len == 0 || dma_mmio::in_window(ptr, len, C::DATA_RAM) {
        Ok(())
    } else {
        Err(Error::NotInDataRam { address: ptr as usize, bytes: len })
    }
}

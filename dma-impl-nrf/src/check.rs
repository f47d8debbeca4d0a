//! The EasyDMA rules a buffer must meet before a channel is programmed.

use crate::{Chip, Error};

/// Refuses an empty buffer (unless `may_be_empty`), one longer than `MAXCNT`,
/// and one outside data RAM.
#[inline]
pub(crate) fn easydma<C: Chip>(
    ptr: *const u8,
    len: usize,
    may_be_empty: bool,
) -> Result<(), Error> {
    if len == 0 && !may_be_empty {
        return Err(Error::Empty);
    }
    if len > C::MAXCNT_MAX {
        return Err(Error::TooLong { len, max: C::MAXCNT_MAX });
    }
    in_ram::<C>(ptr, len)
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

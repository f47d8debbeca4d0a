//! Why a transfer was refused or failed.

use dma_traits::FenceError;

/// A refused or failed EasyDMA transfer. Every error comes with the buffer
/// and the peripheral in a `dma_traits::TransferError`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The buffer is empty (EasyDMA needs at least one byte).
    Empty,
    /// The buffer is longer than the chip's `MAXCNT` allows; use the
    /// `*_chunked` API to split it.
    TooLong {
        /// The buffer's length in bytes.
        len: usize,
        /// The chip's `MAXCNT` limit.
        max: usize,
    },
    /// The buffer is outside data RAM (in flash, say), where EasyDMA cannot
    /// reach; copy it through RAM with the `*_bounced` API.
    NotInDataRam {
        /// The buffer's address.
        address: usize,
        /// The buffer's length in bytes.
        bytes: usize,
    },
    /// A stream's buffer of an odd number of bytes: it needs two equal
    /// halves ([`UarteRx`](crate::UarteRx)'s `DmaReadStream`).
    OddLength {
        /// The buffer's length in bytes.
        len: usize,
    },
    /// The bounce buffer cannot hold the data.
    BounceTooSmall {
        /// The data's length.
        len: usize,
        /// The bounce buffer's capacity.
        capacity: usize,
    },
    /// A TWI address above 0x7F.
    InvalidAddress(u8),
    /// The fence refused the buffer.
    Fence(FenceError),
    /// UARTE or TWIM `ERRORSRC.OVERRUN`: a byte was lost.
    Overrun,
    /// UARTE `ERRORSRC.PARITY`.
    Parity,
    /// UARTE `ERRORSRC.FRAMING`: no valid stop bit.
    Framing,
    /// UARTE `ERRORSRC.BREAK`: the line was held low.
    Break,
    /// TWIM `ERRORSRC.ANACK`: the slave did not acknowledge its address.
    AddressNack,
    /// TWIM `ERRORSRC.DNACK`: the slave did not acknowledge a data byte.
    DataNack,
    /// The peripheral's `ENABLE` register does not switch it on as this
    /// peripheral (call `configure` first): its tasks would be ignored, so
    /// nothing was started.
    NotEnabled,
    /// The transaction ended by itself after fewer words than it asked for:
    /// the hardware's `MAXCNT` is narrower than the chip type said (an
    /// nRF52832 driven as an nRF52840, say). The buffer comes back with the
    /// error; `moved` words of it were transferred.
    Truncated {
        /// Words the transaction asked for.
        asked: usize,
        /// Words the hardware moved (`AMOUNT`).
        moved: usize,
    },
    /// nRF52832 SPIM: a transaction with `RXD.MAXCNT = 1` and `TXD.MAXCNT
    /// <= 1`, which the chip would extend by an extra byte on the bus
    /// (nRF52832 Errata, anomaly 58); refused before anything starts. See
    /// [`Spim`](crate::Spim).
    Anomaly58,
    /// An `ERROR` event with no known `ERRORSRC` bit.
    Unknown {
        /// The raw `ERRORSRC` value.
        errorsrc: u32,
    },
}

impl Error {
    /// Maps a UARTE `ERRORSRC` value (bit 0 OVERRUN, 1 PARITY, 2 FRAMING,
    /// 3 BREAK) to the first error it reports.
    ///
    /// ```
    /// use dma_impl_nrf::Error;
    /// assert_eq!(Error::from_uarte_errorsrc(0b0100), Error::Framing);
    /// ```
    pub fn from_uarte_errorsrc(errorsrc: u32) -> Self {
        use crate::regs::uarte::{
            ERRORSRC_BREAK, ERRORSRC_FRAMING, ERRORSRC_OVERRUN, ERRORSRC_PARITY,
        };
        if errorsrc & ERRORSRC_OVERRUN != 0 {
            Error::Overrun
        } else if errorsrc & ERRORSRC_PARITY != 0 {
            Error::Parity
        } else if errorsrc & ERRORSRC_FRAMING != 0 {
            Error::Framing
        } else if errorsrc & ERRORSRC_BREAK != 0 {
            Error::Break
        } else {
            Error::Unknown { errorsrc }
        }
    }

    /// Maps a TWIM `ERRORSRC` value (bit 0 OVERRUN, 1 ANACK, 2 DNACK).
    ///
    /// ```
    /// use dma_impl_nrf::Error;
    /// assert_eq!(Error::from_twim_errorsrc(0b010), Error::AddressNack);
    /// ```
    pub fn from_twim_errorsrc(errorsrc: u32) -> Self {
        use crate::regs::twim::{ERRORSRC_ANACK, ERRORSRC_DNACK, ERRORSRC_OVERRUN};
        if errorsrc & ERRORSRC_ANACK != 0 {
            Error::AddressNack
        } else if errorsrc & ERRORSRC_DNACK != 0 {
            Error::DataNack
        } else if errorsrc & ERRORSRC_OVERRUN != 0 {
            Error::Overrun
        } else {
            Error::Unknown { errorsrc }
        }
    }
}

impl From<FenceError> for Error {
    fn from(e: FenceError) -> Self {
        Error::Fence(e)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Empty => write!(f, "empty buffer"),
            Error::TooLong { len, max } => {
                write!(f, "buffer of {len} bytes exceeds MAXCNT ({max})")
            }
            Error::NotInDataRam { address, bytes } => write!(
                f,
                "buffer at {address:#x} ({bytes} bytes) is outside data RAM, unreachable by EasyDMA"
            ),
            Error::OddLength { len } => {
                write!(f, "a stream buffer of {len} bytes cannot be split into two halves")
            }
            Error::BounceTooSmall { len, capacity } => {
                write!(f, "{len} bytes do not fit a bounce buffer of {capacity}")
            }
            Error::InvalidAddress(a) => write!(f, "TWI address {a:#x} is not 7-bit"),
            Error::Fence(e) => write!(f, "fence: {e}"),
            Error::Overrun => write!(f, "overrun"),
            Error::Parity => write!(f, "parity error"),
            Error::Framing => write!(f, "framing error"),
            Error::Break => write!(f, "break condition"),
            Error::AddressNack => write!(f, "address not acknowledged"),
            Error::DataNack => write!(f, "data not acknowledged"),
            Error::NotEnabled => write!(f, "peripheral not enabled (configure it first)"),
            Error::Truncated { asked, moved } => write!(
                f,
                "transfer ended after {moved} of {asked} words: MAXCNT narrower than the chip type"
            ),
            Error::Anomaly58 => {
                write!(f, "nRF52832 anomaly 58: a 1-byte SPIM read would clock out a second byte")
            }
            Error::Unknown { errorsrc } => write!(f, "error (ERRORSRC {errorsrc:#x})"),
        }
    }
}

impl core::error::Error for Error {}

impl dma_traits::Error for Error {
    fn kind(&self) -> dma_traits::ErrorKind {
        use dma_traits::ErrorKind;
        match self {
            Error::Empty => ErrorKind::Empty,
            Error::TooLong { max, .. } => ErrorKind::TooLong { max: *max },
            Error::NotInDataRam { .. } => ErrorKind::Unreachable,
            Error::Fence(_) => ErrorKind::Fence,
            Error::OddLength { .. } => ErrorKind::OddLength,
            Error::Overrun => ErrorKind::Overrun,
            // A bounce buffer too small, a TWI address above 0x7F, a
            // peripheral not enabled, anomaly 58: refusals a driver cannot
            // fix by splitting or moving the buffer.
            Error::BounceTooSmall { .. }
            | Error::InvalidAddress(_)
            | Error::NotEnabled
            | Error::Anomaly58
            | Error::Parity
            | Error::Framing
            | Error::Break
            | Error::AddressNack
            | Error::DataNack
            | Error::Truncated { .. }
            | Error::Unknown { .. } => ErrorKind::Other,
        }
    }
}

//! What can go wrong.

use dma_traits::{FenceError, WordWidth};

/// Why a transfer was refused or failed. A refusal gives back everything
/// the call took ([`dma_traits::TransferError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// A buffer of length 0.
    Empty,
    /// Source and destination lengths differ (copies are never truncated).
    LengthMismatch {
        /// Source items.
        source: usize,
        /// Destination items.
        destination: usize,
    },
    /// More items than one segment holds (4095, `TransferSize` is 12 bits,
    /// or the lowered segment limit) and no (or too small an) LLI pool on
    /// the channel.
    TooLong {
        /// Items asked for.
        items: usize,
        /// Items this channel can move in one transfer with its pool.
        max: usize,
    },
    /// A buffer (or the fixed address) not aligned to the word width.
    Misaligned {
        /// The address.
        address: usize,
    },
    /// A buffer the DMA cannot reach (outside the controller's reachable
    /// windows, e.g. SSRAM through its non-secure alias on mps2-an505).
    Unreachable {
        /// The buffer's start address.
        address: usize,
        /// Its size in bytes.
        bytes: usize,
    },
    /// The controller moves 8, 16 and 32-bit items only.
    UnsupportedWidth(WordWidth),
    /// A request line number of 16 or more.
    NoSuchRequestLine(u8),
    /// The fence refused a buffer.
    Fence(FenceError),
    /// A stream's buffer of an odd number of words (it needs two halves).
    OddLength {
        /// Words in the buffer.
        items: usize,
    },
    /// A stream needs a ring of linked-list items in the channel's LLI pool
    /// ([`Channel::with_lli_pool`](crate::Channel::with_lli_pool)), and the
    /// pool has fewer.
    LliPoolTooSmall {
        /// Items the ring needs.
        needed: usize,
        /// Items in the channel's pool.
        available: usize,
    },
    /// A stream's DMA came back into a half before it was taken: `lost`
    /// words were skipped (whole turns of the LLI ring that went by unseen
    /// are not counted; see [`crate::stream`]).
    Overrun {
        /// Words skipped.
        lost: usize,
    },
    /// The channel reported an error (an AHB error response: its bit in
    /// `DMACRawIntErrorStatus`); the hardware disabled it.
    Bus,
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Empty => f.write_str("empty buffer"),
            Error::LengthMismatch { source, destination } => {
                write!(f, "source has {source} items, destination {destination}")
            }
            Error::TooLong { items, max } => write!(f, "{items} items, at most {max}"),
            Error::Misaligned { address } => write!(f, "address {address:#x} misaligned"),
            Error::Unreachable { address, bytes } => {
                write!(f, "{bytes} bytes at {address:#x} are not reachable by the DMA")
            }
            Error::UnsupportedWidth(w) => write!(f, "{} -byte words unsupported", w.bytes()),
            Error::NoSuchRequestLine(n) => write!(f, "no request line {n}"),
            Error::Fence(e) => write!(f, "fence: {e}"),
            Error::Bus => f.write_str("bus error"),
            Error::OddLength { items } => write!(f, "a stream buffer of {items} words (odd)"),
            Error::LliPoolTooSmall { needed, available } => {
                write!(f, "the stream's ring needs {needed} LLIs, the pool has {available}")
            }
            Error::Overrun { lost } => write!(f, "overrun: {lost} words lost"),
        }
    }
}

impl core::error::Error for Error {}

impl dma_traits::Error for Error {
    fn kind(&self) -> dma_traits::ErrorKind {
        use dma_traits::ErrorKind;
        match self {
            Error::Empty => ErrorKind::Empty,
            Error::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            Error::TooLong { max, .. } => ErrorKind::TooLong { max: *max },
            Error::Misaligned { .. } => ErrorKind::Misaligned,
            Error::Unreachable { .. } => ErrorKind::Unreachable,
            Error::UnsupportedWidth(_) => ErrorKind::UnsupportedWidth,
            Error::NoSuchRequestLine(_) => ErrorKind::Other,
            Error::Fence(_) => ErrorKind::Fence,
            Error::Bus => ErrorKind::Bus,
            Error::OddLength { .. } => ErrorKind::OddLength,
            Error::LliPoolTooSmall { .. } => ErrorKind::Other,
            Error::Overrun { .. } => ErrorKind::Overrun,
        }
    }
}

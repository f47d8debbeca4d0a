//! Why a transfer was refused or failed.

use dma_traits::{FenceError, WordWidth};

/// Why a transfer was refused (before the channel was touched) or failed.
///
/// Every error comes inside a [`dma_traits::TransferError`] together with the
/// buffer and the channel / peripheral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The buffer holds no item: the controller cannot start a zero-item transfer.
    Empty,
    /// More items than one transfer moves: the 16-bit counter
    /// (`NDTR`/`CNDTR`) holds 65 535 ([`MAX_ITEMS`](crate::MAX_ITEMS)); a
    /// stream's buffer holds two halves of at most that.
    TooLong {
        /// Items in the buffer.
        items: usize,
        /// The most items the call takes (the port's `max_len`).
        max: usize,
    },
    /// The buffer does not start on a multiple of its word size.
    Misaligned {
        /// The buffer's address.
        address: usize,
    },
    /// The controller cannot move words of this width (64-bit).
    UnsupportedWidth(WordWidth),
    /// A copy's source and destination differ in length.
    LengthMismatch {
        /// Items in the source.
        source: usize,
        /// Items in the destination.
        destination: usize,
    },
    /// Circular transfers hand over halves: the item count must be even.
    OddLength {
        /// Items in the buffer.
        items: usize,
    },
    /// The fence cannot maintain this buffer (a D-cache line shared with other data).
    Fence(FenceError),
    /// `TEIF`: a bus error; the hardware disabled the channel.
    Transfer,
    /// `FEIF`: FIFO overrun or underrun (stream DMA).
    Fifo,
    /// `DMEIF`: direct-mode error (stream DMA).
    DirectMode,
    /// Double buffering needs a half-transfer event inside every buffer.
    TooShort {
        /// Items in each buffer.
        items: usize,
        /// The fewest items that work.
        min: usize,
    },
    /// The DMA overtook the CPU: `lost` items were not delivered (skipped
    /// since the last item handed out, counted from the hardware's position).
    ///
    /// The flags of a circular or double-buffered transfer are sticky and
    /// merge, so whole cycles that went by while the CPU did not look cannot
    /// be seen: the true number is `lost` plus a multiple of the cycle
    /// (the buffer's length for [`Circular`](crate::Circular), both buffers'
    /// for [`DoubleBuffer`](crate::DoubleBuffer)).
    Overrun {
        /// Items skipped, at least.
        lost: usize,
    },
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Empty => f.write_str("zero-item DMA transfer"),
            Error::TooLong { items, max } => {
                write!(f, "{items} items exceed the {max} one transfer takes")
            }
            Error::Misaligned { address } => {
                write!(f, "buffer at {address:#x} is not aligned for its word")
            }
            Error::UnsupportedWidth(w) => write!(f, "the DMA cannot move {}-byte words", w.bytes()),
            Error::LengthMismatch { source, destination } => {
                write!(f, "copy of {source} items into {destination}")
            }
            Error::OddLength { items } => {
                write!(f, "circular buffer of {items} items has no halves")
            }
            Error::Fence(e) => write!(f, "fence: {e}"),
            Error::Transfer => f.write_str("DMA transfer error (TEIF)"),
            Error::Fifo => f.write_str("DMA FIFO error (FEIF)"),
            Error::DirectMode => f.write_str("DMA direct-mode error (DMEIF)"),
            Error::TooShort { items, min } => {
                write!(f, "{items}-item buffers are too short (at least {min})")
            }
            Error::Overrun { lost } => write!(f, "DMA overran the CPU: {lost} items lost"),
        }
    }
}

impl core::error::Error for Error {}

/// The kind every driver can act on. The refusals map one to one; of the
/// errors of a running transfer, `TEIF` is a bus error, `DMEIF` (in direct
/// mode a request came before the previous item was written: an item was
/// lost) and the streams' overruns are overruns. `FEIF` in FIFO mode (an
/// overrun *or* underrun of the FIFO, RM0090 §10.3.18) and a double buffer
/// of one item are [`Other`](dma_traits::ErrorKind::Other).
impl dma_traits::Error for Error {
    fn kind(&self) -> dma_traits::ErrorKind {
        use dma_traits::ErrorKind;
        match *self {
            Error::Empty => ErrorKind::Empty,
            Error::TooLong { max, .. } => ErrorKind::TooLong { max },
            Error::Misaligned { .. } => ErrorKind::Misaligned,
            Error::UnsupportedWidth(_) => ErrorKind::UnsupportedWidth,
            Error::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            Error::OddLength { .. } => ErrorKind::OddLength,
            Error::Fence(_) => ErrorKind::Fence,
            Error::Transfer => ErrorKind::Bus,
            Error::DirectMode | Error::Overrun { .. } => ErrorKind::Overrun,
            Error::Fifo | Error::TooShort { .. } => ErrorKind::Other,
        }
    }
}

impl From<FenceError> for Error {
    fn from(e: FenceError) -> Self {
        Error::Fence(e)
    }
}

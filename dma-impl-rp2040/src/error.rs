//! What can go wrong.

use dma_traits::{FenceError, WordWidth};

/// Why a transfer was refused or failed. A refusal or a failure gives back
/// everything the call took ([`dma_traits::TransferError`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// A buffer of length 0.
    Empty,
    /// The two buffers of a copy or a full-duplex transfer differ in length
    /// (nothing is truncated).
    LengthMismatch {
        /// Items of the buffer the DMA reads.
        source: usize,
        /// Items of the buffer the DMA writes.
        destination: usize,
    },
    /// More items than `TRANS_COUNT` (32 bits) counts.
    TooLong {
        /// Items asked for.
        items: usize,
        /// The most one sequence moves.
        max: usize,
    },
    /// A buffer not aligned to the word width (the DMA's `DATA_SIZE`
    /// accesses must be naturally aligned, §2.5.2).
    Misaligned {
        /// The buffer's address.
        address: usize,
    },
    /// A word width this peripheral or the DMA does not move (the DMA: 8, 16,
    /// 32 bits; SPI frames: 8 and 16; UART: 8).
    UnsupportedWidth(WordWidth),
    /// The fence refused a buffer.
    Fence(FenceError),
    /// A stream's buffer of an odd number of words (it needs two halves).
    OddLength {
        /// Words of the buffer.
        len: usize,
    },
    /// A stream's buffer whose size is not a power of two of bytes (the
    /// channel's write-side ring, §2.5.7 CTRL `RING_SIZE`, wraps on a
    /// power-of-two boundary).
    RingSize {
        /// Bytes of the buffer.
        bytes: usize,
    },
    /// A stream's buffer not aligned to its own size (a ring is "naturally
    /// aligned", §2.5.7 CTRL `RING_SIZE`).
    RingAlignment {
        /// The buffer's address.
        address: usize,
        /// Its size, the alignment it needs.
        bytes: usize,
    },
    /// A stream's channel came back into a half before it was taken: `lost`
    /// words were skipped (the stream goes on from the newest complete half).
    Overrun {
        /// Words skipped.
        lost: usize,
    },
    /// `READ_ERROR`: the channel got a bus error reading (§2.5.7, CTRL bit 30).
    ReadBus,
    /// `WRITE_ERROR`: the channel got a bus error writing (CTRL bit 29).
    WriteBus,
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
            Error::UnsupportedWidth(w) => write!(f, "{}-byte words unsupported", w.bytes()),
            Error::Fence(e) => write!(f, "fence: {e}"),
            Error::OddLength { len } => write!(f, "a stream buffer of {len} (odd) words"),
            Error::RingSize { bytes } => write!(f, "a ring of {bytes} bytes (not a power of two)"),
            Error::RingAlignment { address, bytes } => {
                write!(f, "a ring of {bytes} bytes at {address:#x} (not aligned to its size)")
            }
            Error::Overrun { lost } => write!(f, "overrun: {lost} words lost"),
            Error::ReadBus => f.write_str("DMA read bus error"),
            Error::WriteBus => f.write_str("DMA write bus error"),
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
            Error::UnsupportedWidth(_) => ErrorKind::UnsupportedWidth,
            Error::Fence(_) => ErrorKind::Fence,
            Error::OddLength { .. } => ErrorKind::OddLength,
            Error::RingSize { .. } => ErrorKind::Other,
            Error::RingAlignment { .. } => ErrorKind::Misaligned,
            Error::Overrun { .. } => ErrorKind::Overrun,
            Error::ReadBus | Error::WriteBus => ErrorKind::Bus,
        }
    }
}

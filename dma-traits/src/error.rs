//! What went wrong, in terms every driver can act on: [`ErrorKind`], and the
//! [`Error`] trait that each peripheral trait's `Error` type implements.
//!
//! A HAL's error says what happened in its own words (a register, a chip
//! limit); its [`kind`](Error::kind) says what a driver written for every
//! chip can do about it:
//!
//! | kind | the driver can |
//! |---|---|
//! | [`TooLong { max }`](ErrorKind::TooLong) | send in chunks of `max` words |
//! | [`Unreachable`](ErrorKind::Unreachable) | copy the data into RAM the DMA reaches |
//! | [`Empty`](ErrorKind::Empty) | skip the transfer |
//! | [`Misaligned`](ErrorKind::Misaligned) | use a buffer aligned to the word |
//! | [`UnsupportedWidth`](ErrorKind::UnsupportedWidth) | use a narrower word |
//! | [`LengthMismatch`](ErrorKind::LengthMismatch) | give both sides one length |
//! | [`OddLength`](ErrorKind::OddLength) | give a stream an even number of words |
//! | [`Fence`](ErrorKind::Fence) | use a [`CacheAligned`](crate::CacheAligned) buffer |
//! | [`Bus`](ErrorKind::Bus), [`Overrun`](ErrorKind::Overrun) | retry, report |
//! | [`Other`](ErrorKind::Other) | report |
//!
//! The first eight are refusals: the transfer never started, and the error
//! came back with the buffer and the peripheral. `Bus` and `Overrun` strike
//! a running transfer.
//!
//! # For HAL authors
//!
//! Implement [`Error`] for the `Error` type of your peripheral traits (the
//! traits require it), and override `max_len` on them when a transfer has
//! a limit: report `TooLong { max }` with the same `max`.
//!
//! # For driver authors
//!
//! Ask `port.max_len()` before you start, and match on
//! `error.kind()` rather than guessing from retries:
//!
//! ```
//! use dma_traits::{DmaWrite, Error as _, ErrorKind};
//!
//! /// How many bytes of `len` one transfer on `port` may carry.
//! fn chunk<P: DmaWrite<u8>>(port: &P, len: usize) -> usize {
//!     len.min(port.max_len())
//! }
//!
//! /// Whether it is worth copying the data into RAM and trying again.
//! fn copy_to_ram_and_retry<E: dma_traits::Error>(error: &E) -> bool {
//!     error.kind() == ErrorKind::Unreachable
//! }
//! # let _ = (chunk::<support::Serial>, copy_to_ram_and_retry::<ErrorKind>);
//! # mod support { include!("../tests/support/serial.rs"); }
//! ```

use core::convert::Infallible;

use crate::FenceError;

/// What kind of thing went wrong, whichever the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ErrorKind {
    /// The buffer has more words than one transfer can move.
    TooLong {
        /// The most words one transfer can move (the port's `max_len`).
        max: usize,
    },
    /// The DMA cannot reach the buffer's memory (flash on an nRF52, a
    /// memory its bus matrix does not connect).
    Unreachable,
    /// A buffer of zero words.
    Empty,
    /// The buffer does not start on a boundary of the beat width.
    Misaligned,
    /// The peripheral cannot move words of this width.
    UnsupportedWidth,
    /// The two buffers of a full-duplex transfer or a copy differ in length.
    LengthMismatch,
    /// A stream's buffer has an odd number of words (it needs two halves).
    OddLength,
    /// The fence refused the buffer ([`FenceError`]).
    Fence,
    /// A bus error while the transfer ran.
    Bus,
    /// Words arrived faster than they were taken, and some were lost.
    Overrun,
    /// Anything else: see the HAL's error.
    Other,
}

impl ErrorKind {
    /// Whether the transfer was refused before it started (the buffer and
    /// the peripheral came back untouched).
    pub fn is_refusal(self) -> bool {
        !matches!(self, ErrorKind::Bus | ErrorKind::Overrun | ErrorKind::Other)
    }
}

impl core::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ErrorKind::TooLong { max } => write!(f, "more than {max} words in one transfer"),
            ErrorKind::Unreachable => f.write_str("memory the DMA cannot reach"),
            ErrorKind::Empty => f.write_str("a buffer of zero words"),
            ErrorKind::Misaligned => f.write_str("a buffer not aligned to the beat width"),
            ErrorKind::UnsupportedWidth => f.write_str("a word width the peripheral lacks"),
            ErrorKind::LengthMismatch => f.write_str("buffers of different lengths"),
            ErrorKind::OddLength => f.write_str("a stream buffer of an odd number of words"),
            ErrorKind::Fence => f.write_str("the fence refused the buffer"),
            ErrorKind::Bus => f.write_str("a bus error"),
            ErrorKind::Overrun => f.write_str("an overrun: words were lost"),
            ErrorKind::Other => f.write_str("a DMA error"),
        }
    }
}

/// An error of a DMA peripheral, with its [`ErrorKind`].
pub trait Error: core::fmt::Debug {
    /// What kind of error this is.
    fn kind(&self) -> ErrorKind;
}

impl Error for ErrorKind {
    fn kind(&self) -> ErrorKind {
        *self
    }
}

impl Error for Infallible {
    fn kind(&self) -> ErrorKind {
        match *self {}
    }
}

impl Error for FenceError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Fence
    }
}

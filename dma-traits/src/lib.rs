//! Memory-safe, device-agnostic DMA for embedded Rust.
//!
//! A DMA controller reads and writes memory behind the compiler's back. This
//! crate states, as `unsafe` traits, what a buffer must promise to be lent to
//! it, what a HAL must do with it, and how a driver talks to any chip's DMA:
//!
//! * [`Word`]: an element the DMA may copy bits into (`u8`..`u64`, `i8`..`i64`,
//!   `f32`, `f64`), with its width known at compile time;
//! * [`DmaReadBuffer`] / [`DmaWriteBuffer`]: an owner of stable memory, given
//!   by pointer and length; implemented for every
//!   [`StableDeref`](stable_deref_trait::StableDeref) pointer to a
//!   [`ReadTarget`] / [`WriteTarget`];
//! * [`StaticReadBuffer`] / [`StaticWriteBuffer`]: the bounds safe APIs use;
//! * [`DmaFence`]: release / acquire around a transfer, with [`CompilerFence`],
//!   [`DmbFence`] and (feature `cortex-m7`) a data-cache fence, plus
//!   [`CacheAligned`]; the [`fence`] module has the core → fence table;
//! * [`Transfer`], [`DmaWrite`], [`DmaRead`], [`DmaFullDuplex`], [`DmaCopy`]: transfers a
//!   driver can poll, wait on and stop, getting the buffer and the peripheral
//!   back on every path, and [`scoped`] for borrowed buffers.
//!
//! * [`Lent`], [`Region`], [`Halt`] and [`InFlight`]: what every HAL needs to
//!   hold a buffer while the DMA runs; `InFlight` is a complete [`Transfer`]
//!   around one `halt` function.
//! * [`Sent`]: whether what a finished transfer gave a peripheral has left
//!   it (the wire is idle), for chip selects, bus turnaround and `flush`;
//! * [`DmaReadStream`] / [`ReadStream`]: reception without end, half by
//!   half, overruns reported and never returned as data;
//! * [`Error`] and [`ErrorKind`]: what went wrong, in terms a driver for
//!   every chip can act on; with `max_len` on the peripheral traits.
//!
//! # For HAL authors
//!
//! Implement [`Halt`] for your peripheral and the `*_unchecked` constructor
//! of the peripheral traits, returning an [`InFlight`] (or implement
//! [`Transfer`] yourself); take the fence as a type parameter. Then run the conformance suite
//! of `dma-impl-mock` in CI. See `docs/hal-guide.md`.
//!
//! # For driver authors
//!
//! Bound on `P: DmaWrite<u8>` (and friends) and `B: StaticReadBuffer<Word = u8>`;
//! see [`transfer`] and `docs/driver-guide.md`.
//!
//! # Features
//!
//! `alloc` (`Box`, `Vec`), `heapless` (`heapless::Vec`/`String` targets),
//! `bbqueue` (bbqueue 0.5 grants as buffers, see [`bbqueue`][bbqueue-mod]),
//! `as-slice` ([`AsSliceBuffer`]), `defmt` (`Format` on errors), `cortex-m7`
//! ([`CortexM7DCache`]), `async` ([`future`]). None is on by default; in docs
//! built without a feature, its items link back here.
//!
#![cfg_attr(feature = "bbqueue", doc = "[bbqueue-mod]: mod@bbqueue")]
#![cfg_attr(not(feature = "bbqueue"), doc = "[bbqueue-mod]: #features")]
#![cfg_attr(not(feature = "as-slice"), doc = "[`AsSliceBuffer`]: #features")]
#![cfg_attr(not(feature = "cortex-m7"), doc = "[`CortexM7DCache`]: #features")]
#![cfg_attr(not(feature = "async"), doc = "[`future`]: #features")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "as-slice")]
mod as_slice_buffer;
#[cfg(feature = "bbqueue")]
pub mod bbqueue;
pub mod buffer;
mod cache_aligned;
pub mod error;
pub mod fence;
#[cfg(feature = "async")]
pub mod future;
pub mod in_flight;
pub mod lent;
mod no_unwind;
pub mod sent;
pub mod stream;
mod sub_range;
pub mod target;
pub mod transfer;
mod word;

#[cfg(feature = "as-slice")]
pub use as_slice_buffer::AsSliceBuffer;
pub use buffer::{DmaReadBuffer, DmaWriteBuffer, StaticReadBuffer, StaticWriteBuffer};
pub use cache_aligned::CacheAligned;
pub use error::{Error, ErrorKind};
pub use fence::{Access, CompilerFence, DmaFence, DmbFence, FenceError};
#[cfg(feature = "cortex-m7")]
pub use fence::{CortexM7DCache, CACHE_LINE};
pub use in_flight::{Halt, Halted, InFlight};
pub use lent::{Lent, Region};
pub use no_unwind::abort_on_unwind;
pub use sent::Sent;
pub use stream::{DmaReadStream, ReadStream};
pub use sub_range::{RangeError, SubRange};
pub use target::{ReadTarget, TransparentTarget, WriteTarget};
pub use transfer::{
    scoped, DmaCopy, DmaFullDuplex, DmaRead, DmaWrite, Failure, Finished, Outcome, ScopedOutcome,
    Started, Transfer, TransferError,
};
pub use word::{Word, WordWidth};

/// The workspace README's example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExample;

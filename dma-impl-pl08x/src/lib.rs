//! ARM PrimeCell PL080 / PL081 DMA controller for `dma-traits`.
//!
//! * [`Dmac`] (`Pl080` = 8 channels, `Pl081` = 2) hands out owned
//!   [`Channel`]s. A channel implements [`DmaCopy`](dma_traits::DmaCopy)
//!   for 8, 16 and 32-bit words; a [`FixedAddress`] (a channel bound to a
//!   device register) implements [`DmaWrite`](dma_traits::DmaWrite) and
//!   [`DmaRead`](dma_traits::DmaRead).
//! * `TransferSize` is 12 bits (4095 items). A longer transfer runs as one
//!   transfer through linked-list items in a `'static` pool the channel owns
//!   ([`Channel::with_lli_pool`]); too small a pool is refused. Whether a
//!   channel has a pool is in its type ([`NoLliPool`], the default, or
//!   [`LliPool`]): without one the LLI chaining is not compiled in, and
//!   gather and scatter lists and streams, which need one, do not compile.
//! * Every transfer is started after the fence's `release` (a `DMB`,
//!   [`DmbFence`]) and ended, on every path including drop, by the TRM's
//!   procedure: set Halt, poll Active until 0, clear Enable (DDI 0196
//!   §3.4.19), then `acquire`. `transferred` comes from `TransferSize` and
//!   the LLI register.
//! * Bad input never panics and gives back everything: zero length, length
//!   mismatch, too long, misaligned, a 64-bit word, memory the DMA cannot
//!   reach ([`Reach`]; on the MPS2 boards [`mps2::SecureSsram`]).
//! * Streams ([`stream`]): a [`StreamRx`] (a channel and a [`PacedSource`],
//!   a peripheral's data register and request line) implements
//!   [`DmaReadStream`](dma_traits::DmaReadStream) with a ring of four LLIs
//!   in the channel's pool over the buffer's two halves, peripheral-to-memory
//!   with the DMAC as flow controller; the terminal-count bit moves round
//!   the ring so that an overrun is seen however far the DMA went.
//! * Interrupts ([`interrupt`]): [`Interrupt::on_interrupt`] (a channel's
//!   `Copy` token, [`Channel::interrupt`]), called from the controller's
//!   vector, clears the channel's terminal count, masks its error and wakes
//!   a `dma_traits::future::DmaWaker`.
//!
//! Registers are reached through [`dma_mmio::Reg`]: volatile on the chip,
//! routed to `dma_impl_mock::sim::pl08x` on the host.
//!
//! ```
//! # use dma_impl_mock::sim::pl08x::Pl08xSim;
//! use dma_impl_pl08x::{Anywhere, Pl081};
//! use dma_traits::{DmaCopy, Transfer};
//! # let sim = Pl08xSim::threaded(2);
//! // SAFETY: a simulated PL081 this code owns (on mps2: `mps2::take()`).
//! let mut dmac = unsafe { Pl081::new(sim.base(), Anywhere) };
//! let from: &'static [u16] = &[1, 2, 3];
//! let to: Box<[u16]> = vec![0; 3].into();
//! let done = dmac.channel(0).unwrap().copy(from, to).ok().unwrap().wait().ok().unwrap();
//! assert_eq!((done.transferred, &*done.buffer.1), (3, &[1, 2, 3][..]));
//! ```
#![no_std]

mod dmac;
mod error;
mod held;
pub mod interrupt;
pub mod mps2;
pub mod reach;
mod regs;
pub mod stream;
mod transfer;

/// The fence the channels use by default: `DMB` around the transfer (the
/// MPS2 images' Cortex-M33 is Armv8-M; see `dma_traits::fence`).
pub use dma_traits::DmbFence;
pub use dmac::{Channel, Dmac, Lli, LliPool, MaybeLliPool, NoLliPool, Pl080, Pl081};
pub use error::Error;
pub use interrupt::Interrupt;
pub use reach::{Anywhere, Reach};
pub use regs::{MAX_TRANSFER_SIZE, REQUEST_LINES};
pub use stream::{PacedSource, RingStream, StreamRx};
pub use transfer::{FixedAddress, InFlight, ListStarted, ListTransfer, Owner, Pacing};

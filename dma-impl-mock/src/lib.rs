//! A software DMA engine, register-level simulators and the conformance suite
//! for `dma-traits`. A host (`std`) development tool: not for targets.
//!
//! * [`engine`]: [`MockDma`], a DMA controller in software: channels move
//!   words memory-to-peripheral, peripheral-to-memory or memory-to-memory,
//!   one-shot or circular, on a worker thread or one [`MockDma::step`] at a
//!   time, with injected faults (error after N words, stall, slow completion).
//! * [`peripheral`]: [`MockSerial`] (`DmaWrite` / `DmaRead` for every word
//!   type), `MockSpi` (`DmaFullDuplex`), `MockMemCopy`, their transfer
//!   [`MockTransfer`], and deliberate [`Defect`](peripheral::Defect)s.
//! * [`record`]: the log of fences and DMA memory accesses tests assert on.
//! * [`sim`]: register-level simulators of STM32 DMA and nRF52 EasyDMA.
//! * [`conformance`]: the suite a HAL author runs in CI.
//!
//! Under Miri the engine's memory accesses are plain (non-atomic) volatile
//! accesses ordered only by the channel's status atomics, so a driver that
//! touches a buffer before it has seen the DMA stop is a reported data race.
//! Run with `MIRIFLAGS=-Zmiri-ignore-leaks`: tests leak `'static` buffers on
//! purpose.

pub mod bits;
pub mod bounded;
pub mod conformance;
pub mod engine;
pub mod parked;
pub mod peripheral;
pub mod record;
pub mod sim;
pub mod unwind;

pub use engine::{MockDma, Wire};
pub use peripheral::{Hang, MockError, MockSerial, MockStream, MockTransfer, NO_PROGRESS_LIMIT};

/// `docs/hal-guide.md`, compiled and run as doctests so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../docs/hal-guide.md")]
struct HalGuide;

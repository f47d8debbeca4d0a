//! Device-agnostic drivers written only against `dma-traits` (and
//! `embedded-hal` 1.x): they run unchanged on every chip whose HAL implements
//! the transfer traits, and on the host mock.
//!
//! * [`logger`]: a double-buffered logger that streams records over any
//!   [`DmaWrite<u8>`](dma_traits::DmaWrite) serial port.
//! * [`ws2812`]: a WS2812 LED strip driven through the MOSI line of any
//!   [`DmaWrite<u8>`](dma_traits::DmaWrite) SPI port, drawing one frame while
//!   the other one is on the wire.
//! * [`sampler`]: takes every half of any
//!   [`DmaReadStream`](dma_traits::DmaReadStream) (ADC, I²S, a UART that
//!   always listens), counting what was lost to overruns.
//! * [`spi_bus`]: [`embedded_hal::spi::SpiBus`] over any
//!   [`DmaFullDuplex<u8>`](dma_traits::DmaFullDuplex) port, on borrowed
//!   buffers through the scoped API, with a RAM bounce buffer for memory the
//!   DMA cannot reach.
//! * [`queued`] (feature `bbqueue`): a serial port by DMA over a bbqueue,
//!   committing / releasing exactly what each transfer moved.
//! * [`io`] and [`spi_async`] (feature `async`): `embedded-io` /
//!   `embedded-io-async` `Read` and `Write` over any DMA serial port, and
//!   `embedded-hal-async` `SpiBus` over any full-duplex port, copying through
//!   driver-owned `'static` buffers so that a leaked future is harmless.
//!
//! The driver author's guide, `docs/driver-guide.md`, explains how they are
//! built; its code is compiled as doctests of this crate. (In docs built
//! without a feature, its modules link to the list above.)
//!
#![cfg_attr(not(feature = "bbqueue"), doc = "[`queued`]: crate")]
#![cfg_attr(not(feature = "async"), doc = "[`io`]: crate")]
#![cfg_attr(not(feature = "async"), doc = "[`spi_async`]: crate")]
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod cursor;
#[cfg(feature = "async")]
pub mod io;
pub mod logger;
#[cfg(feature = "bbqueue")]
pub mod queued;
pub mod sampler;
#[cfg(feature = "async")]
mod slot;
#[cfg(feature = "async")]
pub mod spi_async;
pub mod spi_bus;
pub mod ws2812;

#[cfg(doctest)]
#[doc = include_str!("../../docs/driver-guide.md")]
struct DriverGuide;

//! Register-level simulators of the STM32 DMA controllers and USART.
//!
//! * [`ChannelDma`]: the channel-based controller of F0/F1/F3/L4/G0/G4
//!   (`ISR`/`IFCR`, `CCRx`/`CNDTRx`/`CPARx`/`CMARx`, RM0008 §13).
//! * [`StreamDma`]: the stream-based controller of F2/F4/F7
//!   (`LISR`/`HISR`/`LIFCR`/`HIFCR`, `SxCR`/`SxNDTR`/`SxPAR`/`SxM0AR`/`SxM1AR`/`SxFCR`,
//!   RM0090 §10), with channel select, circular mode and double buffering.
//! * [`UsartSim`]: a USART data register (both register layouts) that
//!   captures what is sent and serves what a test feeds, and raises the DMA
//!   requests (`DMAT`/`DMAR`) a DMA channel is [wired](ChannelDma::wire) to.
//!
//! Each controller is a [`dma_mmio::host::Device`] over a block of
//! [`AtomicU32`](core::sync::atomic::AtomicU32)s. A driver built with the
//! block's [`base`](ChannelDma::base) programs it exactly as it would the chip.
//! The hardware side runs either on a worker thread ([`ChannelDma::threaded`])
//! or one beat at a time on the test's thread ([`ChannelDma::step`]). Every
//! memory access the simulated DMA makes is logged as
//! [`Event::DmaRead`](crate::record::Event::DmaRead) /
//! [`Event::DmaWrite`](crate::record::Event::DmaWrite), and every stop as
//! [`Event::Stopped`](crate::record::Event::Stopped).
//!
//! Modelled: `EN` (reads 0 only once the engine has let go), the item counter
//! counting down, `TCIF`/`HTIF`/`TEIF` (and `GIF`), write-1-to-clear flag
//! registers, circular reload, `DBM`/`CT` switching, `TEIF` on a memory
//! address the CPU never gave a pointer for (null, or written as a plain
//! number), and injected faults ([`Fault`]). Not modelled: FIFO thresholds
//! and bursts, arbitration timing between channels.

mod engine;
mod usart;

pub use engine::{ChannelDma, Fault, Line, StreamDma};
pub use usart::{UsartLayout, UsartSim};

/// A peripheral whose DMA requests drive a simulated channel.
///
/// Implemented by [`UsartSim`]; a test can implement it for its own
/// peripheral model.
pub trait DmaRequest: Send + Sync {
    /// Whether the peripheral asserts its request on `line` now.
    fn requesting(&self, line: Line) -> bool;
    /// A DMA read of the peripheral register at bus address `addr`; `None` if
    /// no register of this peripheral is there (the DMA raises a transfer error).
    fn dma_read(&self, addr: usize) -> Option<u32>;
    /// A DMA write to the peripheral register at `addr`; `false` if none is there.
    fn dma_write(&self, addr: usize, value: u32) -> bool;
}

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
//! Modelled, each with its manual section at the code: `EN` (reads 0 only
//! once the engine has let go), the item counter counting down,
//! `TCIF`/`HTIF`/`TEIF` (and `GIF`), write-1-to-clear flag registers,
//! circular reload, `DBM`/`CT` switching, `TEIF` on a memory address the
//! CPU never gave a pointer for (null, or written as a plain number), and
//! injected faults ([`Fault`]). Following the manuals:
//!
//! * channel DMA keeps `EN` at 1 after the last item of a normal transfer
//!   (RM0008 §13.3.3, §13.4.4); `CNDTR`/`CPAR`/`CMAR` written while `EN` is
//!   1 are ignored (§13.4.4–§13.4.6);
//! * stream DMA: clearing `EN` on a running stream takes effect only after
//!   a configurable number of ticks ([`StreamDma::set_disable_latency`]),
//!   with `EN` reading 1 and beats still moving meanwhile, and then sets
//!   `TCIF` (RM0090 §10.3.14); `EN` is refused while the stream's flags are
//!   set, and `SxCR`/`SxNDTR`/`SxPAR`/`SxM0AR`/`SxM1AR`/`SxFCR` are
//!   write-protected while `EN` reads 1 (§10.5.5); bus load raises `FEIF`
//!   in direct mode while the transfer goes on ([`Fault::BusLoad`],
//!   §10.3.18); the part's `CHSEL` width ([`StreamDma::set_requests`]) and
//!   whether the controller may copy memory to memory
//!   ([`StreamDma::set_memory_to_memory`]) are configurable;
//! * each channel's interrupt line is asserted while one of its flags is set
//!   with its enable bit (`TCIE`/`HTIE`/`TEIE`, on streams also `DMEIE`;
//!   RM0008 §13.3.6, RM0090 §10.4), level-sensitive: a handler registered
//!   with `on_interrupt` is called after the step or CPU write that asserts
//!   it, and again while it stays asserted (a handler that never masks or
//!   clears is a violation after 8 calls, not a hang); the interrupt
//!   enables of a running stream may be written (§10.5.5 protects only the
//!   configuration);
//! * the USART raises DMA requests only while `UE` and `TE` / `RE` are set;
//!   its transmit request is `TXE`, and a frame takes [`FRAME_TICKS`] ticks
//!   in the shift register before `TC` is set (RM0008 §27.3.2).
//!
//! **Invalid register values** (reserved `PSIZE`/`MSIZE`/`DIR`, `CHSEL`
//! beyond the part, memory-to-memory in direct or circular mode or on DMA1,
//! `MEM2MEM` with `CIRC`, writes to write-protected registers, `EN` with
//! flags set) are recorded as violations, each citing its rule. The
//! write is ignored as the hardware would (or applied, where the manual
//! only says "not allowed"), the test goes on, and dropping the simulator
//! panics with the list, failing the test: recording rather than panicking
//! inside the write keeps a driver that is half-way through its stop
//! sequence from unwinding with the DMA still running. A test that
//! provokes one on purpose takes them with `take_violations`.
//!
//! The register map decoded is [`regs`], checked against the vendors' PACs
//! by `dma-pac-oracle`. Not modelled: FIFO thresholds and bursts,
//! arbitration timing between channels.

mod engine;
pub mod regs;
pub mod spi;
#[cfg(test)]
mod tests;
mod usart;

pub use engine::{ChannelDma, Fault, Line, StreamDma};
pub use spi::SpiSim;
pub use usart::{UsartLayout, UsartSim, FRAME_TICKS};

/// A peripheral whose DMA requests drive a simulated channel.
///
/// Implemented by [`UsartSim`]; a test can implement it for its own
/// peripheral model.
pub trait DmaRequest: Send + Sync {
    /// Whether the peripheral asserts its request on `line` now.
    fn requesting(&self, line: Line) -> bool;
    /// Whether the peripheral, not requesting on `line` now, will by itself
    /// (a USART's frame still shifting out): a step that finds it so counts
    /// as progress. `false` by default.
    fn busy(&self, line: Line) -> bool {
        let _ = line;
        false
    }
    /// A DMA read of the peripheral register at bus address `addr`; `None` if
    /// no register of this peripheral is there (the DMA raises a transfer error).
    fn dma_read(&self, addr: usize) -> Option<u32>;
    /// A DMA write to the peripheral register at `addr`; `false` if none is there.
    fn dma_write(&self, addr: usize, value: u32) -> bool;
}

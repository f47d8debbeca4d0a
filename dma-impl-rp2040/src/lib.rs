//! The RP2040's DMA for `dma-traits`, written from the *RP2040 Datasheet*
//! §2.5 and its errata.
//!
//! * [`Dma`] hands out the 12 [`Channel`]s once (`Dma::take` on the chip;
//!   [`Dma::steal`], `unsafe`, over a simulator on the host).
//! * A channel copies memory to memory ([`DmaCopy`](dma_traits::DmaCopy),
//!   8/16/32-bit words, unpaced).
//! * [`Spi<I>`](Spi) (two channels: `DmaWrite`, `DmaRead`, `DmaFullDuplex`,
//!   8 and 16-bit frames) and [`Uart<I>`](Uart) (split into [`UartTx`]:
//!   `DmaWrite<u8>` and [`UartRx`]: `DmaRead<u8>`) pace their channels with
//!   the DREQs of their instance `I` ([`Spi0`], [`Spi1`], [`Uart0`],
//!   [`Uart1`]): the request is a constant of the instance type, so a
//!   channel given to SPI0 can only be paced by `DREQ_SPI0_TX`/`_RX`.
//! * Every transfer is programmed through non-triggering registers, the
//!   fence's `release` runs, then one write starts it (`CTRL_TRIG`, or
//!   `MULTI_CHAN_TRIGGER` for both SPI channels). Every way out (wait, stop,
//!   drop) stops it as §2.5.5.3 prescribes, with the RP2040-E13 workaround:
//!   clear `EN`, write `CHAN_ABORT`, poll it and `BUSY` to 0, wait for the
//!   DMA's data FIFOs to drain, clear the (spurious) `INTR` flag; then
//!   `acquire`. `transferred` is from `TRANS_COUNT` (RP2040-E12: the
//!   address read-back is not reliable for non-incrementing sides).
//! * Streams ([`stream`]): `UartRx` and `Spi` implement
//!   [`DmaReadStream`](dma_traits::DmaReadStream) with one channel whose
//!   write address wraps in ring mode over a naturally aligned
//!   power-of-two buffer (others refused, everything back); overrun is
//!   decided from `TRANS_COUNT` read after the copy.
//! * Interrupts ([`interrupt`]): [`Channel::interrupt`] routes a channel to
//!   `DMA_IRQ_0` or `DMA_IRQ_1` (its transfers then set the `INTEx` bit);
//!   [`Interrupt::on_interrupt`], called from the line's vector, masks it
//!   through the atomic clear alias and wakes a
//!   `dma_traits::future::DmaWaker`.
//! * `READ_ERROR` / `WRITE_ERROR` end the transfer with [`Error::ReadBus`] /
//!   [`Error::WriteBus`], everything given back. Bad input (empty, lengths
//!   differing, more than `TRANS_COUNT` holds, misaligned, a width the
//!   peripheral lacks) is refused, everything given back, nothing panics.
//!
//! # The fence: [`CompilerFence`](dma_traits::CompilerFence)
//!
//! The RP2040's cores are Cortex-M0+ (Armv6-M): no data cache, and loads
//! and stores reach the bus in program order, one at a time; a store is
//! complete before the next access is issued on the same AHB-Lite port
//! (ARM AN321, the M0/M0+ rows). The DMA's trigger is a store to the same
//! bus fabric after the buffer stores, so it cannot overtake them; only the
//! compiler could reorder, which the compiler fence stops. Memory the other
//! core wrote reaches this code through whatever synchronised the hand-over
//! of the buffer (a `Send` of it), which already orders those stores.
//!
//! Registers are reached through [`dma_mmio::Reg`]: volatile on the chip,
//! routed to `dma_impl_mock::sim::rp2040` on the host.
//!
//! ```
//! # use dma_impl_mock::sim::rp2040::Rp2040Sim;
//! use dma_impl_rp2040::Dma;
//! use dma_traits::{DmaCopy, Transfer};
//! # let sim = Rp2040Sim::threaded(dma_impl_mock::record::Recorder::new());
//! // SAFETY: a simulated DMA this code owns (on the chip: `Dma::take()`).
//! let [ch0, ..] = unsafe { Dma::steal(sim.base()) };
//! let from: &'static [u16] = &[1, 2, 3];
//! let to: Box<[u16]> = vec![0; 3].into();
//! let done = ch0.copy(from, to).ok().unwrap().wait().ok().unwrap();
//! assert_eq!((done.transferred, &*done.buffer.1), (3, &[1, 2, 3][..]));
//! ```
#![no_std]

mod channel;
mod error;
pub mod interrupt;
pub mod regs;
mod spi;
pub mod stream;
mod transfer;
mod uart;

pub use channel::{Channel, Dma, POLL_LIMIT};
pub use error::Error;
pub use interrupt::{DmaIrq, Interrupt};
pub use spi::{Spi, Spi0, Spi1, SpiInstance, SpiTransfer};
pub use stream::RxStream;
pub use transfer::CopyTransfer;
pub use uart::{Uart, Uart0, Uart1, UartInstance, UartRx, UartTransfer, UartTx};

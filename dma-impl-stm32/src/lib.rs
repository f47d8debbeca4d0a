//! STM32 DMA for `dma-traits`: the channel-based and the stream-based
//! controller, and USART transmit / receive by DMA.
//!
//! * [`channel`]: the DMA of F0/F1/F3/L0/L1/L4/G0/G4 (`CCRx`, `CNDTRx`,
//!   `CPARx`, `CMARx`, `ISR`/`IFCR`).
//! * [`stream`]: the DMA of F2/F4/F7/H7 (`SxCR`, `SxNDTR`, `SxPAR`,
//!   `SxM0AR`/`SxM1AR`, `SxFCR`, `LISR`/`HISR`/`LIFCR`/`HIFCR`).
//! * [`usart`]: a USART whose transmitter implements
//!   [`DmaWrite<u8>`](dma_traits::DmaWrite) and whose receiver implements
//!   [`DmaRead<u8>`](dma_traits::DmaRead), plus circular and double-buffered
//!   reception; [`read_stream`]: the receiver as a portable
//!   [`DmaReadStream`](dma_traits::DmaReadStream) (circular on both
//!   families; on streams also double-buffered over two halves, through
//!   [`read_stream::DoubleBuffered`], which needs a look per quarter).
//! * [`spi`]: SPI1 as a master by DMA, transmit-only and full duplex
//!   ([`DmaWrite<u8>`](dma_traits::DmaWrite), [`Sent`](dma_traits::Sent)).
//! * [`memory`]: memory-to-memory copies.
//! * [`chip`]: the reference manuals' addresses, request maps and `take()`
//!   singletons, one module per chip feature. A chip's `Usart1` takes only
//!   the channels its manual wires to it (a compile error otherwise) and
//!   selects their request itself.
//! * [`regs`]: every register offset, bit and field value the drivers
//!   program, checked against the vendors' PACs by `dma-pac-oracle`.
//!
//! Both controller families are always compiled (the chip features only add
//! addresses), so the host tests exercise both against the register-level
//! simulators of `dma-impl-mock`. Registers are reached through
//! [`dma_mmio::Reg`]: volatile accesses on the chip, the simulator on the host.
//!
//! Every transfer is a value that owns its buffer and its channel (and
//! peripheral) until it ends. It runs the fence's `release` before setting
//! `EN`, and on every way out (completion, [`stop`](dma_traits::Transfer::stop),
//! error, drop) clears `EN`, waits until `EN` reads 0, runs `acquire` and only
//! then gives the buffer back.
//!
//! ```
//! # use dma_impl_mock::{record::Recorder, sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim}};
//! use dma_impl_stm32::{channel, usart::{Usart, StatusData}};
//! use dma_traits::{CompilerFence, DmaWrite, Transfer};
//! # let sim = ChannelDma::threaded(Recorder::new());
//! # let serial = UsartSim::new(UsartLayout::StatusData);
//! # sim.wire(4, serial.requests(), Line::Tx);
//! # let (dma_base, usart_base) = (sim.base(), serial.base());
//! // SAFETY: the bases are a simulated controller and USART this code owns,
//! // channel 4 wired to the USART's TX request (on a chip:
//! // `dma_impl_stm32::chip::stm32f1::take()`, whose `usart1` takes only
//! // DMA1 channel 4 for TX).
//! let mut dma = unsafe { channel::Dma::from_base(dma_base, 7) };
//! let mut usart = unsafe { Usart::<StatusData>::from_base(usart_base) };
//! usart.enable(8_000_000 / 115_200);
//! let tx = usart.transmitter(dma.channel::<4>().unwrap(), CompilerFence);
//! let done = tx.write_all(b"hello").ok().unwrap().wait().ok().unwrap();
//! assert_eq!(done.transferred, 5);
//! # assert_eq!(serial.sent(), b"hello");
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

pub mod channel;
pub mod chip;
pub mod circular;
pub mod double_buffer;
mod error;
mod hw;
pub mod interrupt;
pub mod memory;
mod one_shot;
pub mod read_stream;
pub mod regs;
pub mod spi;
pub mod stream;
pub mod usart;

pub use circular::{Circular, Half};
pub use double_buffer::DoubleBuffer;
pub use error::Error;
pub use hw::{Direction, DmaChannel, Owner, Priority, Setup, Status};
pub use one_shot::OneShot;

/// The most items one transfer moves: the 16-bit item counter (`CNDTR`,
/// RM0008 §13.4.4; `SxNDTR`, RM0090 §10.5.6). Every port's `max_len`.
pub const MAX_ITEMS: usize = 0xFFFF;

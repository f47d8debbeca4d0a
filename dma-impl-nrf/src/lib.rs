//! nRF52 EasyDMA on `dma-traits`: UARTE, SPIM and TWIM for the nRF52832,
//! nRF52833 and nRF52840.
//!
//! A reference implementation: the same driver code runs on the chip
//! (volatile MMIO at the product specifications' addresses, through
//! `dma_mmio::Reg`) and in host tests against the register-level simulator
//! `dma_impl_mock::sim::nrf`.
//!
//! # The EasyDMA rules, enforced
//!
//! * EasyDMA reaches only data RAM ([`Chip::DATA_RAM`]): a buffer elsewhere (a
//!   `&'static [u8]` literal lives in flash) is refused with
//!   [`Error::NotInDataRam`], buffer and peripheral given back.
//!   [`UarteTx::write_all_bounced`] copies such data through a RAM buffer.
//!   A [`ram_static!`] buffer ([`DataRam`]) is proven in data RAM at link
//!   time instead (`easydma.x`, [`data_ram`]), so its `*_ram` transfers
//!   skip the run-time window check.
//! * `MAXCNT` is 8 bits on the nRF52832 and 16 bits on the nRF52833/840
//!   ([`Chip::MAXCNT_MAX`]): a longer buffer is [`Error::TooLong`], never
//!   truncated; [`UarteTx::write_all_chunked`] / [`UarteRx::read_exact_chunked`]
//!   split it.
//! * A transfer clears the end events, programs `PTR`/`MAXCNT`, runs the
//!   `release` fence, then triggers the start task. It finishes on the end
//!   event (or `ERROR`, with `ERRORSRC` mapped to [`Error`]), stops the
//!   peripheral and waits for its stopped event, runs the `acquire` fence, and
//!   reports `AMOUNT` as `transferred`. Dropping an unfinished transfer does
//!   the same: STOP task, stopped event (`TXSTOPPED`, `RXTO`, `STOPPED`),
//!   acquire, and only then the buffer is released.
//! * A transfer on a peripheral whose `ENABLE` does not switch it on is
//!   refused ([`Error::NotEnabled`]): its tasks would be ignored and its stop
//!   never answered. No path waits for the stopped event of something this
//!   crate did not start.
//! * A transfer that ended by itself with `AMOUNT` short of its length is
//!   [`Error::Truncated`] (the chip has a narrower `MAXCNT` than its type
//!   says), never a plain success.
//! * UARTE reception can be double buffered ([`UarteRx::read_stream`]); the
//!   stream never hands out a buffer EasyDMA holds (argued in [`stream`]).
//!   [`UarteRx`] is also a `dma_traits::DmaReadStream<u8>` over the two
//!   halves of one buffer ([`half_stream`]): the same one-reception design,
//!   a half handed out by copy only if no receive error was flagged up to
//!   its end (an overrun is `Error::Overrun`, the half discarded and counted
//!   in `lost_words`).
//! * nRF52832 anomaly 58 (an SPIM transaction with `RXD.MAXCNT = 1` and
//!   `TXD.MAXCNT <= 1` clocks out an extra byte) is refused with
//!   [`Error::Anomaly58`], everything given back (argued at [`Spim`]).
//! * A [`Pin`] is typed by its chip: `Pin::<Nrf52832>::p1` does not compile
//!   (the nRF52832's `PSEL` has no `PORT` field).
//! * Every register fact is in [`regs`], checked against the nRF PACs by
//!   `pac-oracle/tests/nrf.rs`.
//! * A running transfer is a `dma_traits::InFlight` over the buffer parked
//!   in a `dma_traits::Lent` ([`EasyDmaTransfer`]); each peripheral writes
//!   only its `dma_traits::Halt`.
//! * [`Chip`] and [`Engine`] are sealed: the checks trust them.
//! * Interrupts ([`interrupt`]): once a peripheral's [`Interrupt`] token was
//!   taken, its transfers enable the interrupts of the events that end them
//!   (before that, none is written); [`Interrupt::on_interrupt`], called from the
//!   peripheral's vector, masks them (`INTENCLR`, the events stay for
//!   `is_done`) and wakes a `dma_traits::future::DmaWaker`, so a
//!   `TransferFuture` needs no busy executor.
//!
//! # Chips and features
//!
//! Peripherals are generic over a [`Chip`] ([`Nrf52832`], [`Nrf52833`],
//! [`Nrf52840`]), so every chip's limits are checked in one build. The
//! features `nrf52832`, `nrf52833`, `nrf52840` choose the chip of the
//! [`peripherals`] singletons ([`TargetChip`]), which exist only when building
//! for the chip (`target_os = "none"`); they are additive, and with
//! several the most restrictive chip wins. `rt` pulls in `cortex-m-rt` and a
//! single-core critical section for the example firmware.
//!
#![cfg_attr(
    not(any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840")),
    doc = "[`TargetChip`]: crate#chips-and-features"
)]
//!
//! ```
//! use dma_impl_mock::record::Recorder;
//! use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
//! use dma_impl_nrf::{Nrf52840, Uarte};
//! use dma_traits::{DmaWrite, Transfer};
//!
//! let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
//! // SAFETY: the simulator's block, used by nothing else.
//! let uarte = unsafe { Uarte::<Nrf52840>::new(sim.base()) };
//! let (tx, _rx) = uarte.split();
//! let buffer: Vec<u8> = b"hello".to_vec(); // owned, so `'static`
//! let done = tx.write_all(buffer).unwrap().wait().unwrap();
//! assert_eq!(done.transferred, 5);
//! assert_eq!(sim.take_sent(), b"hello");
//! ```
#![no_std]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod block;
mod check;
mod chip;
pub mod data_ram;
mod error;
pub mod half_stream;
pub mod interrupt;
pub mod peripherals;
mod pin;
pub mod regs;
pub mod spim;
pub mod stream;
pub mod transfer;
pub mod twim;
pub mod uarte;

#[cfg(any(feature = "nrf52832", feature = "nrf52833", feature = "nrf52840"))]
pub use chip::TargetChip;
pub use chip::{Chip, HasPort1, Nrf52832, Nrf52832Qfaa, Nrf52833, Nrf52840};
pub use data_ram::DataRam;
pub use error::Error;
pub use half_stream::UarteHalves;
pub use interrupt::Interrupt;
pub use pin::Pin;
pub use spim::{Spim, SpimConfig};
pub use stream::{Filled, RxStream, StreamStopped};
pub use transfer::{DuplexTransfer, EasyDmaTransfer, Engine};
pub use twim::{Twim, TwimFrequency};
pub use uarte::{Baudrate, Uarte, UarteConfig, UarteRx, UarteTx};

//! Reference-manual addresses, request maps and the `take()` singletons,
//! one module per chip feature. Features are additive: each enabled chip
//! gets its module.
//!
//! # Request maps
//!
//! Each module has a USART instance type (`Usart1`) and, for each direction,
//! a trait implemented by exactly the channels (streams) the reference
//! manual wires to that request (`Usart1Tx`, `Usart1Rx`; each impl cites
//! its table). [`Usart<Usart1>`](crate::usart::Usart) takes only those, so
//! a wrong channel is a compile error that says which one to use:
//!
//! ```text
//! error[E0277]: `Channel<5, dma_impl_stm32::channel::Dma1>` is not wired to USART1 TX on STM32F1
//!   = note: RM0008 table 78: USART1 TX is DMA1 channel 4
//! ```
//!
//! and it sets the request selection itself: `CHSEL` on a stream, `CxS`
//! in `CSELR` on the L4 (a critical-section read-modify-write, the only
//! way this crate writes that shared register), so no wrong selection can
//! be given either. The channel controllers are typed
//! ([`channel::Dma1`](crate::channel::Dma1), [`channel::Dma2`](crate::channel::Dma2))
//! so DMA2 channel 4 is not DMA1 channel 4; the stream controllers already
//! were ([`stream::Dma1`](crate::stream::Dma1), [`stream::Dma2`](crate::stream::Dma2)).
//! The chip is named by the USART's type, not the channel's: one program
//! runs on one chip, and the F4 and F7 share their stream types.
//!
//! SPI1 is mapped the same way: `Spi1` (the type of `Peripherals::spi1`, a
//! [`Spi<Spi1>`](crate::spi::Spi)) with `Spi1Tx` / `Spi1Rx`, so
//!
//! ```text
//! error[E0277]: `Channel<2, dma_impl_stm32::channel::Dma1>` is not wired to SPI1 TX on STM32F1
//!   = note: RM0008 table 78: SPI1 TX is DMA1 channel 3
//! ```
//!
//! and the `Spi1` of a FIFO SPI (F0, F3, F7, L4) sets `CR2.FRXTH` when
//! enabled (see [`spi`](crate::spi)).
//!
//! The unchecked path stays for the simulators and for what no module maps
//! (other USARTs, F0 remapping through `SYSCFG_CFGR1`, other families):
//! `Usart::<StatusData>::from_base` / `Usart::<InterruptStatus>::from_base`
//! take any channel, and their caller promises it is wired.
//!
//! `take()` exists only when building for the chip (`target_os = "none"`):
//! the blocks it hands out are at the chip's addresses, which on any other
//! target are nobody's memory, so no safe host code can reach them. Host
//! code (tests against the simulators) builds its values with the `unsafe`
//! constructors (`channel::Dma::from_base`, `stream::Dma::from_base`,
//! `Usart::from_base`) at a simulator's base instead.
//!
//! | chip | DMA | USART1 | USART1 TX / RX request | manual |
//! |------|-----|--------|------------------------|--------|
//! | F0 | channel, `0x4002_0000` (5 ch) | `0x4001_3800`, ISR map | DMA1 ch 2 / ch 3 | RM0360 |
//! | F1 | channel, `0x4002_0000` (7), `0x4002_0400` (5) | `0x4001_3800`, SR map | DMA1 ch 4 / ch 5 | RM0008 |
//! | F3 | channel, `0x4002_0000` (7), `0x4002_0400` (5) | `0x4001_3800`, ISR map | DMA1 ch 4 / ch 5 | RM0316 |
//! | L4 | channel + `CSELR`, `0x4002_0000` (7), `0x4002_0400` (7) | `0x4001_3800`, ISR map | DMA1 ch 4 / ch 5 or DMA2 ch 6 / ch 7, request 2 | RM0351 |
//! | F4 | stream, `0x4002_6000`, `0x4002_6400` | `0x4001_1000`, SR map | DMA2 s7 c4 / s2 or s5 c4 | RM0090 |
//! | F7 | stream, `0x4002_6000`, `0x4002_6400` | `0x4001_1000`, ISR map | DMA2 s7 c4 / s2 or s5 c4 | RM0385 |
//!
//! | chip | SPI1 (all at `0x4001_3000`) | SPI1 TX / RX request | manual |
//! |------|------|------------------------|--------|
//! | F0 | FIFO | DMA1 ch 3 / ch 2 | RM0360 |
//! | F1 | no FIFO | DMA1 ch 3 / ch 2 | RM0008 table 78 |
//! | F3 | FIFO | DMA1 ch 3 / ch 2 | RM0316 |
//! | L4 | FIFO | DMA1 ch 3 / ch 2, request 1; or DMA2 ch 4 / ch 3, request 4 | RM0351 tables 41, 42 |
//! | F4 | no FIFO | DMA2 s3 or s5 / s0 or s2, channel 3 | RM0090 table 43 |
//! | F7 | FIFO | DMA2 s3 or s5 / s0 or s2, channel 3 | RM0385 |

#[cfg(target_os = "none")]
use core::cell::Cell;
#[cfg(target_os = "none")]
use critical_section::Mutex;

/// Marks a singleton taken; `false` if it already was.
#[cfg(target_os = "none")]
#[allow(dead_code)]
fn claim(flag: &Mutex<Cell<bool>>) -> bool {
    critical_section::with(|cs| !flag.borrow(cs).replace(true))
}

/// The USART instance type and its two wiring traits, in a chip module.
// (rustfmt re-indents the attributes below on every run: skipped.)
// Used only by the chip modules: unused in a build without chip features.
#[rustfmt::skip]
#[allow(unused_macros)]
macro_rules! usart_instance {
    ($chip:literal, $layout:ident,
     tx = ($tx_message:literal, $tx_note:literal),
     rx = ($rx_message:literal, $rx_note:literal)) => {
        #[doc = concat!("USART1 of the ", $chip, ": the type of `Peripherals::usart1`, a")]
        /// [`Usart`] that takes only the channels this chip wires to it
        /// ([`Usart1Tx`], [`Usart1Rx`]) and selects their request itself.
        #[derive(Debug)]
        pub enum Usart1 {}

        impl crate::hw::Sealed for Usart1 {}
        impl crate::usart::Instance for Usart1 {
            type Layout = crate::usart::$layout;
        }

        #[doc = concat!("A channel the ", $chip, " wires to USART1's transmit request.")]
        ///
        /// Sealed (a [`DmaChannel`](crate::DmaChannel)); the impls are the
        /// reference manual's request table.
        #[diagnostic::on_unimplemented(
            message = $tx_message,
            label = "not wired to USART1 TX",
            note = $tx_note
        )]
        pub trait Usart1Tx: crate::DmaChannel {
            /// The request selection USART1 sets on the channel, if the
            /// controller has one.
            const REQUEST: Option<u8>;
        }

        #[doc = concat!("A channel the ", $chip, " wires to USART1's receive request.")]
        ///
        /// Sealed (a [`DmaChannel`](crate::DmaChannel)); the impls are the
        /// reference manual's request table.
        #[diagnostic::on_unimplemented(
            message = $rx_message,
            label = "not wired to USART1 RX",
            note = $rx_note
        )]
        pub trait Usart1Rx: crate::DmaChannel {
            /// As [`Usart1Tx::REQUEST`].
            const REQUEST: Option<u8>;
        }

        impl<C: Usart1Tx> crate::usart::TxRequest<C> for Usart1 {
            const REQUEST: Option<u8> = <C as Usart1Tx>::REQUEST;
        }
        impl<C: Usart1Rx> crate::usart::RxRequest<C> for Usart1 {
            const REQUEST: Option<u8> = <C as Usart1Rx>::REQUEST;
        }
    };
}

/// The SPI1 instance type and its two wiring traits, in a chip module.
// (rustfmt re-indents the attributes below on every run: skipped.)
// Used only by the chip modules: unused in a build without chip features.
#[rustfmt::skip]
#[allow(unused_macros)]
macro_rules! spi_instance {
    ($chip:literal, fifo = $fifo:literal,
     tx = ($tx_message:literal, $tx_note:literal),
     rx = ($rx_message:literal, $rx_note:literal)) => {
        #[doc = concat!("SPI1 of the ", $chip, ": the type of `Peripherals::spi1`, a")]
        /// [`Spi`](crate::spi::Spi) that takes only the channels this chip
        /// wires to it ([`Spi1Tx`], [`Spi1Rx`]) and selects their request itself.
        #[derive(Debug)]
        pub enum Spi1 {}

        impl crate::hw::Sealed for Spi1 {}
        impl crate::spi::Instance for Spi1 {
            const FIFO: bool = $fifo;
        }

        #[doc = concat!("A channel the ", $chip, " wires to SPI1's transmit request.")]
        ///
        /// Sealed (a [`DmaChannel`](crate::DmaChannel)); the impls are the
        /// reference manual's request table.
        #[diagnostic::on_unimplemented(
            message = $tx_message,
            label = "not wired to SPI1 TX",
            note = $tx_note
        )]
        pub trait Spi1Tx: crate::DmaChannel {
            /// The request selection SPI1 sets on the channel, if the
            /// controller has one.
            const REQUEST: Option<u8>;
        }

        #[doc = concat!("A channel the ", $chip, " wires to SPI1's receive request.")]
        ///
        /// Sealed (a [`DmaChannel`](crate::DmaChannel)); the impls are the
        /// reference manual's request table.
        #[diagnostic::on_unimplemented(
            message = $rx_message,
            label = "not wired to SPI1 RX",
            note = $rx_note
        )]
        pub trait Spi1Rx: crate::DmaChannel {
            /// As [`Spi1Tx::REQUEST`].
            const REQUEST: Option<u8>;
        }

        impl<C: Spi1Tx> crate::spi::SpiTxRequest<C> for Spi1 {
            const REQUEST: Option<u8> = <C as Spi1Tx>::REQUEST;
        }
        impl<C: Spi1Rx> crate::spi::SpiRxRequest<C> for Spi1 {
            const REQUEST: Option<u8> = <C as Spi1Rx>::REQUEST;
        }
    };
}

macro_rules! channel_chip {
    ($(#[$doc:meta])* $feature:literal, $name:ident, $layout:ident, fence = $fence:ty,
     dma1 = ($d1:literal, $n1:literal)
     $(, dma2 = ($d2:literal, $n2:literal, if [$($dma2_cfg:tt)*]))?,
     usart1 = $u1:literal, tx = $tx:literal, rx = $rx:literal
     $(, request = $request:literal)?,
     map { $($map:tt)* }) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub mod $name {
            #[cfg(target_os = "none")]
            use core::cell::Cell;
            #[cfg(target_os = "none")]
            use critical_section::Mutex;

            use crate::channel;
            use crate::interrupt::Mode;
            use crate::spi::Spi;
            use crate::usart::Usart;

            /// DMA1 register block.
            pub const DMA1: usize = $d1;
            $(
            /// DMA2 register block.
            pub const DMA2: usize = $d2;
            )?
            /// USART1 register block.
            pub const USART1: usize = $u1;
            /// SPI1 register block (checked against the PAC by `dma-pac-oracle`).
            pub const SPI1: usize = 0x4001_3000;
            /// The DMA1 channel wired to USART1's transmit request.
            pub const USART1_TX_CHANNEL: u8 = $tx;
            /// The DMA1 channel wired to USART1's receive request.
            pub const USART1_RX_CHANNEL: u8 = $rx;
            $(
            /// USART1's request selection (`CxS`) on its channels. A
            /// [`Usart<Usart1>`] sets it itself; this is for the unchecked
            /// path ([`channel::Dma::channel_for_request`]).
            pub const USART1_REQUEST: u8 = $request;
            )?
            /// The fence for this core.
            pub type Fence = $fence;
            /// DMA1 of this chip.
            pub type Dma1 = channel::Dma<channel::Dma1>;
            $(
            #[doc = concat!("DMA2 of this chip (", stringify!($n2), " channels).")]
            pub type Dma2 = channel::Dma<channel::Dma2>;
            )?

            $($map)*

            /// The peripherals this crate drives, each once.
            ///
            /// On the chip, from `take()`; elsewhere there is no safe way to
            /// get one (the addresses are not memory there):
            ///
            #[doc = concat!("```compile_fail\nlet _ = dma_impl_stm32::chip::", stringify!($name), "::take();\n```")]
            ///
            /// while the module itself is there:
            ///
            #[doc = concat!("```\nlet _ = dma_impl_stm32::chip::", stringify!($name), "::USART1;\n```")]
            #[derive(Debug)]
            pub struct Peripherals {
                /// DMA1.
                pub dma1: Dma1,
                $(
                #[doc = concat!("DMA2 (", stringify!($n2), " channels).")]
                #[cfg($($dma2_cfg)*)]
                pub dma2: Dma2,
                )?
                /// USART1: takes only the channels of [`Usart1Tx`] / [`Usart1Rx`].
                pub usart1: Usart<Usart1>,
                /// SPI1: takes only the channels of [`Spi1Tx`] / [`Spi1Rx`].
                pub spi1: Spi<Spi1>,
            }

            #[cfg(target_os = "none")]
            static TAKEN: Mutex<Cell<bool>> = Mutex::new(Cell::new(false));

            /// The peripherals, the first time; `None` afterwards. Only on
            /// the chip (`target_os = "none"`).
            #[cfg(target_os = "none")]
            pub fn take() -> Option<Peripherals> {
                if !super::claim(&TAKEN) {
                    return None;
                }
                // SAFETY: the addresses are this chip's register blocks (see
                // the table in `chip`), DMA1 at `DMA1` and DMA2 at `DMA2` as
                // typed, USART1 at `USART1`, SPI1 at `SPI1`; `claim` makes
                // this the only time they are handed out.
                unsafe {
                    Some(Peripherals {
                        dma1: channel::Dma::new(DMA1 as *mut u32, $n1),
                        $(
                        #[cfg($($dma2_cfg)*)]
                        dma2: channel::Dma::new($d2 as *mut u32, $n2),
                        )?
                        usart1: Usart::from_base(USART1 as *mut u32),
                        spi1: Spi::new(SPI1 as *mut u32),
                    })
                }
            }
        }
    };
}

macro_rules! stream_chip {
    ($(#[$doc:meta])* $feature:literal, $name:ident, $layout:ident, fence = $fence:ty,
     part = $part:ty, usart1 = $u1:literal, map { $($map:tt)* }) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub mod $name {
            #[cfg(target_os = "none")]
            use core::cell::Cell;
            #[cfg(target_os = "none")]
            use critical_section::Mutex;

            use crate::spi::Spi;
            use crate::interrupt::Mode;
            use crate::stream;
            use crate::usart::Usart;

            /// DMA1 register block.
            pub const DMA1: usize = 0x4002_6000;
            /// DMA2 register block.
            pub const DMA2: usize = 0x4002_6400;
            /// USART1 register block.
            pub const USART1: usize = $u1;
            /// SPI1 register block (checked against the PAC by `dma-pac-oracle`).
            pub const SPI1: usize = 0x4001_3000;
            /// USART1_TX: DMA2 stream 7, channel 4. A [`Usart<Usart1>`]
            /// selects the channel itself; this is for the unchecked path.
            pub const USART1_TX: (u8, u8) = (7, 4);
            /// USART1_RX: DMA2 stream 2, channel 4 (stream 5 also serves it).
            pub const USART1_RX: (u8, u8) = (2, 4);
            /// The fence for this core.
            pub type Fence = $fence;
            /// The part family, for the range of `CHSEL`.
            pub type Part = $part;
            /// DMA1 of this part (no memory-to-memory copies).
            pub type Dma1 = stream::Dma<stream::Dma1<$part>>;
            /// DMA2 of this part.
            pub type Dma2 = stream::Dma<stream::Dma2<$part>>;

            $($map)*

            /// The peripherals this crate drives, each once.
            ///
            /// On the chip, from `take()`; elsewhere there is no safe way to
            /// get one (the addresses are not memory there):
            ///
            #[doc = concat!("```compile_fail\nlet _ = dma_impl_stm32::chip::", stringify!($name), "::take();\n```")]
            ///
            /// while the module itself is there:
            ///
            #[doc = concat!("```\nlet _ = dma_impl_stm32::chip::", stringify!($name), "::USART1;\n```")]
            #[derive(Debug)]
            pub struct Peripherals {
                /// DMA1.
                pub dma1: Dma1,
                /// DMA2 (the only one that can copy memory to memory).
                pub dma2: Dma2,
                /// USART1: takes only the streams of [`Usart1Tx`] / [`Usart1Rx`].
                pub usart1: Usart<Usart1>,
                /// SPI1: takes only the streams of [`Spi1Tx`] / [`Spi1Rx`].
                pub spi1: Spi<Spi1>,
            }

            #[cfg(target_os = "none")]
            static TAKEN: Mutex<Cell<bool>> = Mutex::new(Cell::new(false));

            /// The peripherals, the first time; `None` afterwards. Only on
            /// the chip (`target_os = "none"`).
            #[cfg(target_os = "none")]
            pub fn take() -> Option<Peripherals> {
                if !super::claim(&TAKEN) {
                    return None;
                }
                // SAFETY: as for the channel-based chips: this chip's blocks,
                // DMA1 and DMA2 as typed, handed out once.
                unsafe {
                    Some(Peripherals {
                        dma1: stream::Dma::from_base(DMA1 as *mut u32),
                        dma2: stream::Dma::from_base(DMA2 as *mut u32),
                        usart1: Usart::from_base(USART1 as *mut u32),
                        spi1: Spi::new(SPI1 as *mut u32),
                    })
                }
            }
        }
    };
}

channel_chip!(
    /// STM32F0 (Cortex-M0, RM0360).
    "stm32f0", stm32f0, InterruptStatus, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 5), usart1 = 0x4001_3800, tx = 2, rx = 3,
    map {
        usart_instance!(
            "STM32F0", InterruptStatus,
            tx = (
                "`{Self}` is not wired to USART1 TX on STM32F0",
                "RM0360 DMA1 request mapping: USART1 TX is DMA1 channel 2 (channel 4 only after a SYSCFG_CFGR1 remap, not modelled: use `Usart::<InterruptStatus>::from_base` for it)"
            ),
            rx = (
                "`{Self}` is not wired to USART1 RX on STM32F0",
                "RM0360 DMA1 request mapping: USART1 RX is DMA1 channel 3 (channel 5 only after a SYSCFG_CFGR1 remap, not modelled: use `Usart::<InterruptStatus>::from_base` for it)"
            )
        );
        // RM0360, the DMA1 request mapping table, with SYSCFG_CFGR1
        // USART1_TX_DMA_RMP / USART1_RX_DMA_RMP at their reset value 0.
        impl<M: Mode> Usart1Tx for channel::Channel<2, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        impl<M: Mode> Usart1Rx for channel::Channel<3, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        spi_instance!(
            "STM32F0", fifo = true,
            tx = (
                "`{Self}` is not wired to SPI1 TX on STM32F0",
                "RM0360 DMA1 request mapping: SPI1 TX is DMA1 channel 3"
            ),
            rx = (
                "`{Self}` is not wired to SPI1 RX on STM32F0",
                "RM0360 DMA1 request mapping: SPI1 RX is DMA1 channel 2"
            )
        );
        // RM0360, the DMA1 request mapping table ("summary of the DMA
        // requests for each channel"): SPI1_RX channel 2, SPI1_TX channel 3.
        impl<M: Mode> Spi1Tx for channel::Channel<3, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        impl<M: Mode> Spi1Rx for channel::Channel<2, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
    }
);
channel_chip!(
    /// STM32F1 (Cortex-M3, RM0008). DMA2 exists only on the high-density,
    /// XL-density and connectivity-line parts (RM0008 §13.1); the
    /// low/medium-density F103 that `memory/stm32f1.x` describes has DMA1
    /// only, so `Peripherals::dma2` is there only with feature
    /// `stm32f1-dma2`.
    "stm32f1", stm32f1, StatusData, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 7), dma2 = (0x4002_0400, 5, if [feature = "stm32f1-dma2"]),
    usart1 = 0x4001_3800, tx = 4, rx = 5,
    map {
        usart_instance!(
            "STM32F1", StatusData,
            tx = (
                "`{Self}` is not wired to USART1 TX on STM32F1",
                "RM0008 table 78: USART1 TX is DMA1 channel 4"
            ),
            rx = (
                "`{Self}` is not wired to USART1 RX on STM32F1",
                "RM0008 table 78: USART1 RX is DMA1 channel 5"
            )
        );
        // RM0008 table 78 "Summary of DMA1 requests for each
        // channel": USART1_TX channel 4, USART1_RX channel 5 (no DMA2 request).
        impl<M: Mode> Usart1Tx for channel::Channel<4, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        impl<M: Mode> Usart1Rx for channel::Channel<5, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        spi_instance!(
            "STM32F1", fifo = false,
            tx = (
                "`{Self}` is not wired to SPI1 TX on STM32F1",
                "RM0008 table 78: SPI1 TX is DMA1 channel 3"
            ),
            rx = (
                "`{Self}` is not wired to SPI1 RX on STM32F1",
                "RM0008 table 78: SPI1 RX is DMA1 channel 2"
            )
        );
        // RM0008 table 78: SPI1_RX channel 2, SPI1_TX channel 3 (table 79,
        // DMA2, has SPI/I2S3 only).
        impl<M: Mode> Spi1Tx for channel::Channel<3, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        impl<M: Mode> Spi1Rx for channel::Channel<2, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
    }
);
channel_chip!(
    /// STM32F3 (Cortex-M4, RM0316).
    "stm32f3", stm32f3, InterruptStatus, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 7), dma2 = (0x4002_0400, 5, if [all()]), usart1 = 0x4001_3800,
    tx = 4, rx = 5,
    map {
        usart_instance!(
            "STM32F3", InterruptStatus,
            tx = (
                "`{Self}` is not wired to USART1 TX on STM32F3",
                "RM0316 DMA1 request mapping: USART1 TX is DMA1 channel 4"
            ),
            rx = (
                "`{Self}` is not wired to USART1 RX on STM32F3",
                "RM0316 DMA1 request mapping: USART1 RX is DMA1 channel 5"
            )
        );
        // RM0316, the DMA1 request mapping table ("summary of the DMA1
        // requests for each channel"): USART1_TX channel 4, USART1_RX
        // channel 5 (none on DMA2).
        impl<M: Mode> Usart1Tx for channel::Channel<4, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        impl<M: Mode> Usart1Rx for channel::Channel<5, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        spi_instance!(
            "STM32F3", fifo = true,
            tx = (
                "`{Self}` is not wired to SPI1 TX on STM32F3",
                "RM0316 DMA1 request mapping: SPI1 TX is DMA1 channel 3"
            ),
            rx = (
                "`{Self}` is not wired to SPI1 RX on STM32F3",
                "RM0316 DMA1 request mapping: SPI1 RX is DMA1 channel 2"
            )
        );
        // RM0316 DMA1 request mapping: SPI1_RX channel 2, SPI1_TX channel 3 (table 79,
        // DMA2, has SPI/I2S3 only).
        impl<M: Mode> Spi1Tx for channel::Channel<3, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
        impl<M: Mode> Spi1Rx for channel::Channel<2, channel::Dma1, M> {
            const REQUEST: Option<u8> = None;
        }
    }
);
channel_chip!(
    /// STM32L4 (Cortex-M4, RM0351), with `CSELR` request selection.
    "stm32l4", stm32l4, InterruptStatus, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 7), dma2 = (0x4002_0400, 7, if [all()]), usart1 = 0x4001_3800,
    tx = 4, rx = 5, request = 2,
    map {
        usart_instance!(
            "STM32L4", InterruptStatus,
            tx = (
                "`{Self}` is not wired to USART1 TX on STM32L4",
                "RM0351 tables 41/42: USART1 TX is DMA1 channel 4 or DMA2 channel 6 (request 2, which the USART selects)"
            ),
            rx = (
                "`{Self}` is not wired to USART1 RX on STM32L4",
                "RM0351 tables 41/42: USART1 RX is DMA1 channel 5 or DMA2 channel 7 (request 2, which the USART selects)"
            )
        );
        // RM0351 §11.6.7 (`CSELR`), table 41 "DMA1 requests for each
        // channel": USART1_TX channel 4, USART1_RX channel 5, both C*S = 2.
        impl<M: Mode> Usart1Tx for channel::Channel<4, channel::Dma1, M> {
            const REQUEST: Option<u8> = Some(2);
        }
        impl<M: Mode> Usart1Rx for channel::Channel<5, channel::Dma1, M> {
            const REQUEST: Option<u8> = Some(2);
        }
        // Table 42 "DMA2 requests for each channel": USART1_TX channel 6,
        // USART1_RX channel 7, both C*S = 2.
        impl<M: Mode> Usart1Tx for channel::Channel<6, channel::Dma2, M> {
            const REQUEST: Option<u8> = Some(2);
        }
        impl<M: Mode> Usart1Rx for channel::Channel<7, channel::Dma2, M> {
            const REQUEST: Option<u8> = Some(2);
        }
        spi_instance!(
            "STM32L4", fifo = true,
            tx = (
                "`{Self}` is not wired to SPI1 TX on STM32L4",
                "RM0351 tables 41/42: SPI1 TX is DMA1 channel 3 (request 1) or DMA2 channel 4 (request 4), which the SPI selects"
            ),
            rx = (
                "`{Self}` is not wired to SPI1 RX on STM32L4",
                "RM0351 tables 41/42: SPI1 RX is DMA1 channel 2 (request 1) or DMA2 channel 3 (request 4), which the SPI selects"
            )
        );
        // RM0351 table 41 (DMA1): SPI1_RX channel 2, SPI1_TX channel 3, C*S = 1;
        // table 42 (DMA2): SPI1_RX channel 3, SPI1_TX channel 4, C*S = 4.
        impl<M: Mode> Spi1Tx for channel::Channel<3, channel::Dma1, M> {
            const REQUEST: Option<u8> = Some(1);
        }
        impl<M: Mode> Spi1Rx for channel::Channel<2, channel::Dma1, M> {
            const REQUEST: Option<u8> = Some(1);
        }
        impl<M: Mode> Spi1Tx for channel::Channel<4, channel::Dma2, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        impl<M: Mode> Spi1Rx for channel::Channel<3, channel::Dma2, M> {
            const REQUEST: Option<u8> = Some(4);
        }
    }
);
stream_chip!(
    /// STM32F4 (Cortex-M4, RM0090).
    "stm32f4", stm32f4, StatusData, fence = dma_traits::CompilerFence, part = crate::stream::F4,
    usart1 = 0x4001_1000,
    map {
        usart_instance!(
            "STM32F4", StatusData,
            tx = (
                "`{Self}` is not wired to USART1 TX on STM32F4",
                "RM0090 table 43: USART1 TX is DMA2 stream 7 (channel 4, which the USART selects)"
            ),
            rx = (
                "`{Self}` is not wired to USART1 RX on STM32F4",
                "RM0090 table 43: USART1 RX is DMA2 stream 2 or stream 5 (channel 4, which the USART selects)"
            )
        );
        // RM0090 §10.3.3, table 43 "DMA2 request mapping": USART1_TX is
        // stream 7 channel 4; USART1_RX stream 2 channel 4 and stream 5
        // channel 4. Table 42 (DMA1) has no USART1 request.
        impl<M: Mode> Usart1Tx for stream::Stream<7, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        impl<M: Mode> Usart1Rx for stream::Stream<2, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        impl<M: Mode> Usart1Rx for stream::Stream<5, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        spi_instance!(
            "STM32F4", fifo = false,
            tx = (
                "`{Self}` is not wired to SPI1 TX on STM32F4",
                "RM0090 table 43: SPI1 TX is DMA2 stream 3 or stream 5 (channel 3, which the SPI selects)"
            ),
            rx = (
                "`{Self}` is not wired to SPI1 RX on STM32F4",
                "RM0090 table 43: SPI1 RX is DMA2 stream 0 or stream 2 (channel 3, which the SPI selects)"
            )
        );
        // RM0090 table 43 "DMA2 request mapping": SPI1_RX stream 0 and
        // stream 2, SPI1_TX stream 3 and stream 5, all channel 3. Table 42
        // (DMA1) has no SPI1 request.
        impl<M: Mode> Spi1Tx for stream::Stream<3, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
        impl<M: Mode> Spi1Tx for stream::Stream<5, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
        impl<M: Mode> Spi1Rx for stream::Stream<0, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
        impl<M: Mode> Spi1Rx for stream::Stream<2, stream::Dma2<stream::F4>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
    }
);
stream_chip!(
    /// STM32F7 (Cortex-M7 with D-cache, RM0385): build the fence with
    /// `dma_traits::CortexM7DCache::new(&mut scb)`. The controllers are
    /// typed for the F74x/F75x (3-bit `CHSEL`, [`stream::F4`](crate::stream::F4));
    /// on an F76x/F77x build them with
    /// `stream::Dma::<stream::Dma2<stream::F76x>>::from_base` for the 16
    /// requests (USART1's streams are the same there, RM0410).
    "stm32f7", stm32f7, InterruptStatus, fence = dma_traits::CortexM7DCache,
    part = crate::stream::F4, usart1 = 0x4001_1000,
    map {
        usart_instance!(
            "STM32F7", InterruptStatus,
            tx = (
                "`{Self}` is not wired to USART1 TX on STM32F7",
                "RM0385 DMA2 request mapping: USART1 TX is DMA2 stream 7 (channel 4, which the USART selects)"
            ),
            rx = (
                "`{Self}` is not wired to USART1 RX on STM32F7",
                "RM0385 DMA2 request mapping: USART1 RX is DMA2 stream 2 or stream 5 (channel 4, which the USART selects)"
            )
        );
        // RM0385, the DMA2 request mapping table (as RM0090 table 43):
        // USART1_TX stream 7 channel 4; USART1_RX streams 2 and 5, channel
        // 4. The same on the F76x/F77x (RM0410), either part.
        impl<P: stream::Part, M: Mode> Usart1Tx for stream::Stream<7, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        impl<P: stream::Part, M: Mode> Usart1Rx for stream::Stream<2, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        impl<P: stream::Part, M: Mode> Usart1Rx for stream::Stream<5, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(4);
        }
        spi_instance!(
            "STM32F7", fifo = true,
            tx = (
                "`{Self}` is not wired to SPI1 TX on STM32F7",
                "RM0385 DMA2 request mapping: SPI1 TX is DMA2 stream 3 or stream 5 (channel 3, which the SPI selects)"
            ),
            rx = (
                "`{Self}` is not wired to SPI1 RX on STM32F7",
                "RM0385 DMA2 request mapping: SPI1 RX is DMA2 stream 0 or stream 2 (channel 3, which the SPI selects)"
            )
        );
        // RM0385, the DMA2 request mapping table (as RM0090 table 43):
        // SPI1_RX streams 0 and 2, SPI1_TX streams 3 and 5, channel 3; the
        // same on the F76x/F77x (RM0410), either part.
        impl<P: stream::Part, M: Mode> Spi1Tx for stream::Stream<3, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
        impl<P: stream::Part, M: Mode> Spi1Tx for stream::Stream<5, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
        impl<P: stream::Part, M: Mode> Spi1Rx for stream::Stream<0, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
        impl<P: stream::Part, M: Mode> Spi1Rx for stream::Stream<2, stream::Dma2<P>, M> {
            const REQUEST: Option<u8> = Some(3);
        }
    }
);

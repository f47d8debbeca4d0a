//! Reference-manual addresses and the `take()` singletons, one module per
//! chip feature. Features are additive: each enabled chip gets its module.
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
//! | L4 | channel + `CSELR`, `0x4002_0000` (7), `0x4002_0400` (7) | `0x4001_3800`, ISR map | DMA1 ch 4 / ch 5, request 2 | RM0351 |
//! | F4 | stream, `0x4002_6000`, `0x4002_6400` | `0x4001_1000`, SR map | DMA2 s7 c4 / s2 c4 | RM0090 |
//! | F7 | stream, `0x4002_6000`, `0x4002_6400` | `0x4001_1000`, ISR map | DMA2 s7 c4 / s2 c4 | RM0385 |

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

macro_rules! channel_chip {
    ($(#[$doc:meta])* $feature:literal, $name:ident, $layout:ident, fence = $fence:ty,
     dma1 = ($d1:literal, $n1:literal)
     $(, dma2 = ($d2:literal, $n2:literal, if [$($dma2_cfg:tt)*]))?,
     usart1 = $u1:literal, tx = $tx:literal, rx = $rx:literal
     $(, request = $request:literal)?) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub mod $name {
            #[cfg(target_os = "none")]
            use core::cell::Cell;
            #[cfg(target_os = "none")]
            use critical_section::Mutex;

            use crate::channel;
            use crate::usart::{$layout, Usart};

            /// DMA1 register block.
            pub const DMA1: usize = $d1;
            $(
            /// DMA2 register block.
            pub const DMA2: usize = $d2;
            )?
            /// USART1 register block.
            pub const USART1: usize = $u1;
            /// The DMA1 channel wired to USART1's transmit request.
            pub const USART1_TX_CHANNEL: u8 = $tx;
            /// The DMA1 channel wired to USART1's receive request.
            pub const USART1_RX_CHANNEL: u8 = $rx;
            $(
            /// USART1's request selection (`CxS`) on both its channels: take
            /// them with [`channel::Dma::channel_for_request`].
            pub const USART1_REQUEST: u8 = $request;
            )?
            /// The fence for this core.
            pub type Fence = $fence;

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
                pub dma1: channel::Dma,
                $(
                #[doc = concat!("DMA2 (", stringify!($n2), " channels).")]
                #[cfg($($dma2_cfg)*)]
                pub dma2: channel::Dma,
                )?
                /// USART1.
                pub usart1: Usart<$layout>,
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
                // the table in `chip`), and `claim` makes this the only time
                // they are handed out.
                unsafe {
                    Some(Peripherals {
                        dma1: channel::Dma::from_base(DMA1 as *mut u32, $n1),
                        $(
                        #[cfg($($dma2_cfg)*)]
                        dma2: channel::Dma::from_base($d2 as *mut u32, $n2),
                        )?
                        usart1: Usart::from_base(USART1 as *mut u32),
                    })
                }
            }
        }
    };
}

macro_rules! stream_chip {
    ($(#[$doc:meta])* $feature:literal, $name:ident, $layout:ident, fence = $fence:ty,
     part = $part:ty, usart1 = $u1:literal) => {
        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub mod $name {
            #[cfg(target_os = "none")]
            use core::cell::Cell;
            #[cfg(target_os = "none")]
            use critical_section::Mutex;

            use crate::stream;
            use crate::usart::{$layout, Usart};

            /// DMA1 register block.
            pub const DMA1: usize = 0x4002_6000;
            /// DMA2 register block.
            pub const DMA2: usize = 0x4002_6400;
            /// USART1 register block.
            pub const USART1: usize = $u1;
            /// USART1_TX: DMA2 stream 7, channel 4.
            pub const USART1_TX: (u8, u8) = (7, 4);
            /// USART1_RX: DMA2 stream 2, channel 4.
            pub const USART1_RX: (u8, u8) = (2, 4);
            /// The fence for this core.
            pub type Fence = $fence;
            /// The part family, for the range of `CHSEL`.
            pub type Part = $part;
            /// DMA1 of this part (no memory-to-memory copies).
            pub type Dma1 = stream::Dma<stream::Dma1<$part>>;
            /// DMA2 of this part.
            pub type Dma2 = stream::Dma<stream::Dma2<$part>>;

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
                /// USART1.
                pub usart1: Usart<$layout>,
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
                // handed out once.
                unsafe {
                    Some(Peripherals {
                        dma1: stream::Dma::from_base(DMA1 as *mut u32),
                        dma2: stream::Dma::from_base(DMA2 as *mut u32),
                        usart1: Usart::from_base(USART1 as *mut u32),
                    })
                }
            }
        }
    };
}

channel_chip!(
    /// STM32F0 (Cortex-M0, RM0360).
    "stm32f0", stm32f0, InterruptStatus, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 5), usart1 = 0x4001_3800, tx = 2, rx = 3
);
channel_chip!(
    /// STM32F1 (Cortex-M3, RM0008). DMA2 exists only on the high-density,
    /// XL-density and connectivity-line parts (RM0008 §13.1); the
    /// low/medium-density F103 that `memory/stm32f1.x` describes has DMA1
    /// only, so `Peripherals::dma2` is there only with feature
    /// `stm32f1-dma2`.
    "stm32f1", stm32f1, StatusData, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 7), dma2 = (0x4002_0400, 5, if [feature = "stm32f1-dma2"]),
    usart1 = 0x4001_3800, tx = 4, rx = 5
);
channel_chip!(
    /// STM32F3 (Cortex-M4, RM0316).
    "stm32f3", stm32f3, InterruptStatus, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 7), dma2 = (0x4002_0400, 5, if [all()]), usart1 = 0x4001_3800,
    tx = 4, rx = 5
);
channel_chip!(
    /// STM32L4 (Cortex-M4, RM0351), with `CSELR` request selection.
    "stm32l4", stm32l4, InterruptStatus, fence = dma_traits::CompilerFence,
    dma1 = (0x4002_0000, 7), dma2 = (0x4002_0400, 7, if [all()]), usart1 = 0x4001_3800,
    tx = 4, rx = 5, request = 2
);
stream_chip!(
    /// STM32F4 (Cortex-M4, RM0090).
    "stm32f4", stm32f4, StatusData, fence = dma_traits::CompilerFence, part = crate::stream::F4,
    usart1 = 0x4001_1000
);
stream_chip!(
    /// STM32F7 (Cortex-M7 with D-cache, RM0385): build the fence with
    /// `dma_traits::CortexM7DCache::new(&mut scb)`. The controllers are
    /// typed for the F74x/F75x (3-bit `CHSEL`, [`stream::F4`](crate::stream::F4));
    /// on an F76x/F77x build them with
    /// `stream::Dma::<stream::Dma2<stream::F76x>>::from_base` for the 16 requests.
    "stm32f7", stm32f7, InterruptStatus, fence = dma_traits::CortexM7DCache,
    part = crate::stream::F4, usart1 = 0x4001_1000
);

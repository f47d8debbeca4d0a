//! Both drivers on an STM32F4, unchanged: the logger on USART1 (PA9, DMA2
//! stream 7 channel 4, 115200 baud) and the WS2812 strip on USART2 (PA2, DMA1
//! stream 6 channel 4), each a `DmaWrite<u8>` of `dma-impl-stm32`.
//!
//! `dma-impl-stm32` has no SPI yet, so the strip's frames go out on a USART
//! here: this firmware shows that the driver links and runs against any
//! `DmaWrite<u8>`; a real strip needs an SPI MOSI at 2.4 MHz.
//!
//! ```text
//! cargo build -p dma-drivers --example stm32f4_drivers --release \
//!     --target thumbv7em-none-eabihf --features rt,stm32f4
//! ```
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
#[path = "shared/app.rs"]
mod app;

#[cfg(target_os = "none")]
mod firmware {
    use cortex_m_rt::entry;
    use dma_impl_stm32::chip::stm32f4;
    use dma_impl_stm32::usart::{StatusData, Usart};
    use dma_traits::CompilerFence;

    use crate::app;

    /// USART2 register block (RM0090 memory map).
    const USART2: usize = 0x4000_4400;
    /// USART2_TX: DMA1 stream 6, channel 4 (RM0090 DMA1 request mapping).
    const USART2_TX: u8 = 4;

    /// Replaces the bits `mask` of the register at `address` with `bits`.
    fn modify(address: usize, mask: u32, bits: u32) {
        let register = address as *mut u32;
        // SAFETY: only called below, once each, with RCC and GPIOA registers
        // of this chip, which nothing else in this program touches.
        let value = unsafe { register.read_volatile() };
        // SAFETY: as above.
        unsafe { register.write_volatile((value & !mask) | bits) };
    }

    #[entry]
    fn main() -> ! {
        modify(0x4002_3830, 0, 1 << 22 | 1 << 21 | 1); // RCC_AHB1ENR: DMA2EN, DMA1EN, GPIOAEN
        modify(0x4002_3844, 0, 1 << 4); // RCC_APB2ENR: USART1EN
        modify(0x4002_3840, 0, 1 << 17); // RCC_APB1ENR: USART2EN
        modify(0x4002_0000, 0b11 << 18 | 0b11 << 4, 0b10 << 18 | 0b10 << 4); // PA9, PA2 alternate
        modify(0x4002_0024, 0xF << 4, 7 << 4); // GPIOA_AFRH: PA9 AF7 (USART1_TX)
        modify(0x4002_0020, 0xF << 8, 7 << 8); // GPIOA_AFRL: PA2 AF7 (USART2_TX)

        let Some(mut p) = stm32f4::take() else { halt() };
        let (_, usart1_request) = stm32f4::USART1_TX;
        let (Some(log_stream), Some(strip_stream)) =
            (p.dma2.stream::<7>(usart1_request), p.dma1.stream::<6>(USART2_TX))
        else {
            halt()
        };
        let mut usart1 = p.usart1;
        usart1.enable(16_000_000 / 115_200); // HSI, 16 MHz
                                             // SAFETY: USART2's block, which `stm32f4::take()` does not hand out
                                             // and nothing else in this program uses.
        let mut usart2 = unsafe { Usart::<StatusData>::from_base(USART2 as *mut u32) };
        usart2.enable(16); // 1 Mbaud
        let serial = usart1.transmitter(log_stream, CompilerFence);
        let strip_port = usart2.transmitter(strip_stream, CompilerFence);

        let (Some(log_a), Some(log_b), Some(frame_a), Some(frame_b)) = (
            cortex_m::singleton!(: [u8; app::LOG] = [0; app::LOG]),
            cortex_m::singleton!(: [u8; app::LOG] = [0; app::LOG]),
            cortex_m::singleton!(: [u8; app::FRAME] = [0; app::FRAME]),
            cortex_m::singleton!(: [u8; app::FRAME] = [0; app::FRAME]),
        ) else {
            halt()
        };
        app::run(serial, [log_a, log_b], strip_port, [frame_a, frame_b])
    }

    fn halt() -> ! {
        loop {
            cortex_m::asm::wfi();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        halt()
    }
}

/// Firmware for `thumbv7em-none-eabihf`; on the host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {}

//! Sends a buffer over USART1 by DMA, then halts. Firmware for an STM32F4
//! (PA9, DMA2 stream 7 channel 4) or an STM32F1 (PA9, DMA1 channel 4), on the
//! reset clock (HSI), at 115200 baud.
//!
//! ```text
//! cargo build -p dma-impl-stm32 --example usart_dma --release \
//!     --target thumbv7em-none-eabihf --features rt,stm32f4
//! cargo build -p dma-impl-stm32 --example usart_dma --release \
//!     --target thumbv7m-none-eabi --features rt,stm32f1
//! ```
//!
//! On the host the example is an empty program, so `cargo test` with all
//! features still builds.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", not(any(feature = "stm32f4", feature = "stm32f1"))))]
compile_error!("the usart_dma firmware needs feature stm32f4 or stm32f1");

#[cfg(all(target_os = "none", any(feature = "stm32f4", feature = "stm32f1")))]
mod firmware {
    use cortex_m_rt::entry;
    use dma_mmio::Reg;
    use dma_traits::{CompilerFence, DmaWrite, Transfer};

    static MESSAGE: &[u8] = b"hello from the DMA\r\n";

    /// Sets `bits` in the register at `address`.
    fn set(address: usize, mask: u32, bits: u32) {
        // SAFETY: only called below with RCC and GPIOA registers of this
        // chip, which nothing else in this program uses.
        let reg = unsafe { Reg::from_ptr(address as *mut u32) };
        reg.modify(|v| (v & !mask) | bits);
    }

    #[cfg(feature = "stm32f4")]
    fn clocks_and_pins() -> u32 {
        set(0x4002_3830, 0, 1 << 22 | 1 << 0); // RCC_AHB1ENR: DMA2EN, GPIOAEN
        set(0x4002_3844, 0, 1 << 4); // RCC_APB2ENR: USART1EN
        set(0x4002_0000, 0b11 << 18, 0b10 << 18); // GPIOA_MODER: PA9 alternate
        set(0x4002_0024, 0xF << 4, 7 << 4); // GPIOA_AFRH: PA9 AF7 (USART1_TX)
        16_000_000 / 115_200
    }

    #[cfg(all(feature = "stm32f1", not(feature = "stm32f4")))]
    fn clocks_and_pins() -> u32 {
        set(0x4002_1014, 0, 1 << 0); // RCC_AHBENR: DMA1EN
        set(0x4002_1018, 0, 1 << 14 | 1 << 2); // RCC_APB2ENR: USART1EN, IOPAEN
        set(0x4001_0804, 0xF << 4, 0b1011 << 4); // GPIOA_CRH: PA9 AF push-pull, 50 MHz
        8_000_000 / 115_200
    }

    #[entry]
    fn main() -> ! {
        let brr = clocks_and_pins();
        #[cfg(feature = "stm32f4")]
        let (usart, channel) = {
            let Some(mut p) = dma_impl_stm32::chip::stm32f4::take() else { halt() };
            let (stream, request) = dma_impl_stm32::chip::stm32f4::USART1_TX;
            let _ = stream;
            (p.usart1, p.dma2.stream::<7>(request))
        };
        #[cfg(all(feature = "stm32f1", not(feature = "stm32f4")))]
        let (usart, channel) = {
            let Some(mut p) = dma_impl_stm32::chip::stm32f1::take() else { halt() };
            (p.usart1, p.dma1.channel::<4>())
        };
        let Some(channel) = channel else { halt() };
        let mut usart = usart;
        usart.enable(brr);
        let tx = usart.transmitter(channel, CompilerFence);
        let tx = match tx.write_all(MESSAGE) {
            Ok(transfer) => match transfer.wait() {
                Ok(done) => done.resources,
                Err(failed) => failed.resources,
            },
            Err(rejected) => rejected.resources,
        };
        while !tx.is_idle() {}
        halt()
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

#[cfg(not(target_os = "none"))]
fn main() {
    println!("usart_dma is firmware: build it for a thumb target with --features rt,stm32f4");
}

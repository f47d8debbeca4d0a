//! PAC oracle, STM32F4: see `stm32/mod.rs` for the method. One PAC per
//! test binary: the PAC crates each define the symbol `DEVICE_PERIPHERALS`,
//! so two of them cannot be linked into one executable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod stm32;
use stm32::*;

#[test]
fn stm32f4_stream_dma_and_usart1() {
    use stm32f4::stm32f407 as pac;
    assert_eq!(pac::DMA1::PTR as usize, chip::stm32f4::DMA1);
    assert_eq!(pac::DMA2::PTR as usize, chip::stm32f4::DMA2);
    assert_eq!(pac::USART1::PTR as usize, chip::stm32f4::USART1);
    check_stream_dma!(stm32f4::stm32f407::dma2, 3);
    check_sr_usart!(stm32f4::stm32f407::usart1, stm32f4);
    // CHSEL is 3 bits on F2/F4 (and F74x/F75x, RM0385 §8.5.5): 8 requests.
    let (block, _) = host_block::<pac::dma2::RegisterBlock>();
    let (_, width) = field!(block.st(0).cr(), chsel);
    assert_eq!(u32::from(<stream::F4 as stream::Part>::REQUESTS), 1 << width);
    // RM0090 Table 43 "DMA2 request mapping": USART1_TX stream 7 channel 4,
    // USART1_RX stream 2 (or 5) channel 4.
    assert_eq!((chip::stm32f4::USART1_TX, chip::stm32f4::USART1_RX), ((7, 4), (2, 4)));
}

#[test]
fn stm32f4_spi1() {
    use stm32f4::stm32f407 as pac;
    assert_eq!(pac::SPI1::PTR as usize, dma_impl_stm32::spi::SPI1);
    assert_eq!(pac::SPI1::PTR as usize, chip::stm32f4::SPI1);
    check_spi!(stm32f4::stm32f407::spi1);
}

//! PAC oracle, STM32F1: see `stm32/mod.rs` for the method. One PAC per
//! test binary: the PAC crates each define the symbol `DEVICE_PERIPHERALS`,
//! so two of them cannot be linked into one executable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod stm32;
use stm32::*;

#[test]
fn stm32f1_channel_dma_and_usart1() {
    use stm32f1::stm32f103 as pac;
    assert_eq!(pac::DMA1::PTR as usize, chip::stm32f1::DMA1);
    assert_eq!(pac::DMA2::PTR as usize, chip::stm32f1::DMA2);
    assert_eq!(pac::USART1::PTR as usize, chip::stm32f1::USART1);
    check_channel_dma!(stm32f1::stm32f103::dma1, 7);
    check_sr_usart!(stm32f1::stm32f103::usart1, stm32f1);
    // RM0008 Table 78 "Summary of DMA1 requests for each channel":
    // USART1_TX channel 4, USART1_RX channel 5.
    assert_eq!((chip::stm32f1::USART1_TX_CHANNEL, chip::stm32f1::USART1_RX_CHANNEL), (4, 5));
}

#[test]
fn stm32f1_spi1() {
    use stm32f1::stm32f103 as pac;
    assert_eq!(pac::SPI1::PTR as usize, dma_impl_stm32::spi::SPI1);
    assert_eq!(pac::SPI1::PTR as usize, chip::stm32f1::SPI1);
    check_spi!(stm32f1::stm32f103::spi1);
}

//! PAC oracle, STM32F3: see `stm32/mod.rs` for the method. One PAC per
//! test binary: the PAC crates each define the symbol `DEVICE_PERIPHERALS`,
//! so two of them cannot be linked into one executable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod stm32;
use stm32::*;

#[test]
fn stm32f3_channel_dma_and_usart1() {
    use stm32f3::stm32f303 as pac;
    assert_eq!(pac::DMA1::PTR as usize, chip::stm32f3::DMA1);
    assert_eq!(pac::DMA2::PTR as usize, chip::stm32f3::DMA2);
    assert_eq!(pac::USART1::PTR as usize, chip::stm32f3::USART1);
    check_channel_dma!(stm32f3::stm32f303::dma1, 7);
    check_isr_usart!(stm32f3::stm32f303::usart1, stm32f3);
    // RM0316, DMA chapter, table "Summary of the DMA1 requests for each
    // channel": USART1_TX channel 4, USART1_RX channel 5.
    assert_eq!((chip::stm32f3::USART1_TX_CHANNEL, chip::stm32f3::USART1_RX_CHANNEL), (4, 5));
}

/// SPI1: the chip module's address, the register map the driver and the
/// simulator share, and the FIFO SPI's `FRXTH` / `FTLVL`.
#[test]
fn stm32f3_spi1() {
    use stm32f3::stm32f303 as pac;
    assert_eq!(pac::SPI1::PTR as usize, chip::stm32f3::SPI1);
    check_spi!(stm32f3::stm32f303::spi1);
    check_fifo_spi!(stm32f3::stm32f303::spi1);
}

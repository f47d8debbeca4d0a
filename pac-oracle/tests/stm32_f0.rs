//! PAC oracle, STM32F0: see `stm32/mod.rs` for the method. One PAC per
//! test binary: the PAC crates each define the symbol `DEVICE_PERIPHERALS`,
//! so two of them cannot be linked into one executable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod stm32;
use stm32::*;

#[test]
fn stm32f0_channel_dma_and_usart1() {
    use stm32f0::stm32f0x0 as pac;
    assert_eq!(pac::DMA1::PTR as usize, chip::stm32f0::DMA1);
    assert_eq!(pac::USART1::PTR as usize, chip::stm32f0::USART1);
    check_channel_dma!(stm32f0::stm32f0x0::dma1, 5);
    check_isr_usart!(stm32f0::stm32f0x0::usart1, stm32f0);
    // RM0360, DMA chapter, table "Summary of the DMA requests for each
    // channel": USART1_TX on channel 2, USART1_RX on channel 3 (without the
    // SYSCFG_CFGR1 remap to channels 4/5).
    assert_eq!((chip::stm32f0::USART1_TX_CHANNEL, chip::stm32f0::USART1_RX_CHANNEL), (2, 3));
}

/// SPI1: the chip module's address, the register map the driver and the
/// simulator share, and the FIFO SPI's `FRXTH` / `FTLVL`.
#[test]
fn stm32f0_spi1() {
    use stm32f0::stm32f0x0 as pac;
    assert_eq!(pac::SPI1::PTR as usize, chip::stm32f0::SPI1);
    check_spi!(stm32f0::stm32f0x0::spi1);
    check_fifo_spi!(stm32f0::stm32f0x0::spi1);
}

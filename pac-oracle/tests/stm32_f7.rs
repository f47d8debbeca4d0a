//! PAC oracle, STM32F7: see `stm32/mod.rs` for the method. One PAC per
//! test binary: the PAC crates each define the symbol `DEVICE_PERIPHERALS`,
//! so two of them cannot be linked into one executable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod stm32;
use stm32::*;

#[test]
fn stm32f7_stream_dma_and_usart1() {
    use stm32f7::stm32f767 as pac;
    assert_eq!(pac::DMA1::PTR as usize, chip::stm32f7::DMA1);
    assert_eq!(pac::DMA2::PTR as usize, chip::stm32f7::DMA2);
    assert_eq!(pac::USART1::PTR as usize, chip::stm32f7::USART1);
    check_stream_dma!(stm32f7::stm32f767::dma2, 4);
    check_isr_usart!(stm32f7::stm32f767::usart1, stm32f7);
    // CHSEL is 4 bits on F76x/F77x (RM0410 §8.5.5): 16 requests.
    let (block, _) = host_block::<pac::dma2::RegisterBlock>();
    let (_, width) = field!(block.st(0).cr(), chsel);
    assert_eq!(u32::from(<stream::F76x as stream::Part>::REQUESTS), 1 << width);
    // RM0385 / RM0410, table "DMA2 request mapping": USART1_TX stream 7
    // channel 4, USART1_RX stream 2 channel 4.
    assert_eq!((chip::stm32f7::USART1_TX, chip::stm32f7::USART1_RX), ((7, 4), (2, 4)));
}

/// SPI1: the chip module's address, the register map the driver and the
/// simulator share, and the FIFO SPI's `FRXTH` / `FTLVL`.
#[test]
fn stm32f7_spi1() {
    use stm32f7::stm32f767 as pac;
    assert_eq!(pac::SPI1::PTR as usize, chip::stm32f7::SPI1);
    check_spi!(stm32f7::stm32f767::spi1);
    check_fifo_spi!(stm32f7::stm32f767::spi1);
}

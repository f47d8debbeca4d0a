//! PAC oracle, STM32L4: see `stm32/mod.rs` for the method. One PAC per
//! test binary: the PAC crates each define the symbol `DEVICE_PERIPHERALS`,
//! so two of them cannot be linked into one executable.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[macro_use]
mod stm32;
use stm32::*;

#[test]
fn stm32l4_channel_dma_cselr_and_usart1() {
    use stm32l4::stm32l4x6 as pac;
    assert_eq!(pac::DMA1::PTR as usize, chip::stm32l4::DMA1);
    assert_eq!(pac::DMA2::PTR as usize, chip::stm32l4::DMA2);
    assert_eq!(pac::USART1::PTR as usize, chip::stm32l4::USART1);
    check_channel_dma!(stm32l4::stm32l4x6::dma1, 7);
    check_isr_usart!(stm32l4::stm32l4x6::usart1, stm32l4);
    let (block, _) = host_block::<pac::dma1::RegisterBlock>();
    assert_eq!(offset(block, block.cselr()), regs::channel::CSELR);
    assert_eq!(offset(block, block.cselr()), sim::channel::CSELR);
    // `CxS` of channel x at 4·(x − 1), 4 bits (RM0351 §11.6.7).
    for (x, (at, width)) in [
        (1, field!(block.cselr(), c1s)),
        (2, field!(block.cselr(), c2s)),
        (3, field!(block.cselr(), c3s)),
        (4, field!(block.cselr(), c4s)),
        (5, field!(block.cselr(), c5s)),
        (6, field!(block.cselr(), c6s)),
        (7, field!(block.cselr(), c7s)),
    ] {
        assert_eq!((at, width), (regs::channel::CSELR_BITS * (x - 1), regs::channel::CSELR_BITS));
        assert_eq!((at, width), (sim::channel::CSELR_BITS * (x - 1), sim::channel::CSELR_BITS));
    }
    // RM0351 Table 41 "DMA1 requests for each channel": USART1_TX channel 4,
    // USART1_RX channel 5, both request 2 (CxS = 0010).
    assert_eq!((chip::stm32l4::USART1_TX_CHANNEL, chip::stm32l4::USART1_RX_CHANNEL), (4, 5));
    assert_eq!(chip::stm32l4::USART1_REQUEST, 2);
}

/// SPI1: the chip module's address, the register map the driver and the
/// simulator share, and the FIFO SPI's `FRXTH` / `FTLVL`.
#[test]
fn stm32l4_spi1() {
    use stm32l4::stm32l4x6 as pac;
    assert_eq!(pac::SPI1::PTR as usize, chip::stm32l4::SPI1);
    check_spi!(stm32l4::stm32l4x6::spi1);
    check_fifo_spi!(stm32l4::stm32l4x6::spi1);
}

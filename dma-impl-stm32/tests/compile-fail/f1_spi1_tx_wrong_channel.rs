//! STM32F1, RM0008 table 78: SPI1 TX is DMA1 channel 3 only (SPI1 RX is
//! channel 2). Channel 2 as the transmitter (the two swapped), and DMA2
//! channel 3 (another controller), are refused, for every SPI1 port.
use dma_impl_stm32::chip::stm32f1;
use dma_traits::CompilerFence;

fn dma1_channel_2(mut p: stm32f1::Peripherals) {
    let channel = p.dma1.channel::<2>().unwrap();
    let _tx = p.spi1.transmitter(channel, CompilerFence);
}

fn swapped_in_receiver(mut p: stm32f1::Peripherals) {
    let (ch3, ch2) = (p.dma1.channel::<3>().unwrap(), p.dma1.channel::<2>().unwrap());
    let _rx = p.spi1.receiver(ch2, ch3, CompilerFence);
}

fn dma2_channel_3(spi1: dma_impl_stm32::spi::Spi<stm32f1::Spi1>, dma2: &mut stm32f1::Dma2) {
    let channel = dma2.channel::<3>().unwrap();
    let _tx = spi1.transmitter(channel, CompilerFence);
}

fn main() {}

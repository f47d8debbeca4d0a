//! STM32F4, RM0090 table 43: SPI1 RX is DMA2 stream 0 or stream 2 only
//! (channel 3, which the SPI selects). DMA2 stream 1 and DMA1 stream 0
//! (another controller) are refused as the receiving stream.
use dma_impl_stm32::chip::stm32f4;
use dma_traits::CompilerFence;

fn dma2_stream_1(mut p: stm32f4::Peripherals) {
    let tx = p.dma2.stream::<3>(3).unwrap();
    let rx = p.dma2.stream::<1>(3).unwrap();
    let _rx = p.spi1.receiver(tx, rx, CompilerFence);
}

fn dma1_stream_0_in_duplex(mut p: stm32f4::Peripherals) {
    let tx = p.dma2.stream::<5>(3).unwrap();
    let rx = p.dma1.stream::<0>(3).unwrap();
    let _port = p.spi1.duplex(tx, rx, CompilerFence);
}

fn main() {}

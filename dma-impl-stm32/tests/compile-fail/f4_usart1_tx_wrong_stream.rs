//! STM32F4, RM0090 table 43: USART1 TX is DMA2 stream 7 only. DMA2 stream 6
//! and DMA1 stream 7 (another controller) are refused.
use dma_impl_stm32::chip::stm32f4;
use dma_traits::CompilerFence;

fn dma2_stream_6(mut p: stm32f4::Peripherals) {
    let stream = p.dma2.stream::<6>(4).unwrap();
    let _tx = p.usart1.transmitter(stream, CompilerFence);
}

fn dma1_stream_7(mut p: stm32f4::Peripherals) {
    let stream = p.dma1.stream::<7>(4).unwrap();
    let _tx = p.usart1.transmitter(stream, CompilerFence);
}

fn main() {}

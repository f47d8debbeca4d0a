//! STM32F1, RM0008 table 78: USART1 TX is DMA1 channel 4 only. Channel 5
//! (USART1 RX's) and DMA2 channel 4 (another controller) are refused.
use dma_impl_stm32::chip::stm32f1;
use dma_traits::CompilerFence;

fn dma1_channel_5(mut p: stm32f1::Peripherals) {
    let channel = p.dma1.channel::<5>().unwrap();
    let _tx = p.usart1.transmitter(channel, CompilerFence);
}

fn dma2_channel_4(usart1: dma_impl_stm32::usart::Usart<stm32f1::Usart1>, dma2: &mut stm32f1::Dma2) {
    let channel = dma2.channel::<4>().unwrap();
    let _tx = usart1.transmitter(channel, CompilerFence);
}

fn swapped_in_split(mut p: stm32f1::Peripherals) {
    let (ch4, ch5) = (p.dma1.channel::<4>().unwrap(), p.dma1.channel::<5>().unwrap());
    let _halves = p.usart1.split(ch5, ch4, CompilerFence);
}

fn main() {}

//! STM32F4, RM0090 §10.3.6: only DMA2 copies memory to memory; a DMA1
//! stream is refused.
use dma_impl_stm32::chip::stm32f4;
use dma_impl_stm32::memory::Memory;
use dma_traits::CompilerFence;

fn copy_on_dma1(mut p: stm32f4::Peripherals) {
    let stream = p.dma1.stream::<0>(0).unwrap();
    let _memory = Memory::new(stream, CompilerFence);
}

fn main() {}

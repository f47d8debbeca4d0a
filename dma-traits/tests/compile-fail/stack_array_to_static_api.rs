//! The embedonomicon's unsound program: a stack array lent to a DMA whose
//! transfer can be leaked. The safe constructor requires a 'static buffer.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let mut on_stack = [0u8; 16];
    let transfer = Serial::default().read_exact(&mut on_stack);
    drop(transfer);
}

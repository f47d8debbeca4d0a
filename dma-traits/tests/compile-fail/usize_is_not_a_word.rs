//! usize has no fixed width, so no fixed DMA beat size.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let words: &'static [usize; 2] = Box::leak(Box::new([0, 1]));
    let _ = Serial::default().write_all(words);
}

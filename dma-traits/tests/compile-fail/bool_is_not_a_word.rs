//! A DMA write could store 2 into a bool.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let flags: &'static mut [bool; 4] = Box::leak(Box::new([false; 4]));
    let _ = Serial::default().read_exact(flags);
}

//! A DMA could write bytes that are not UTF-8 into a String.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let _ = Serial::default().read_exact(String::from("hello"));
}

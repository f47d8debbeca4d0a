//! heapless::Vec stores its elements inline: moving the transfer moves them.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let v: heapless::Vec<u8, 16> = heapless::Vec::new();
    let _ = Serial::default().write_all(v);
}

//! The constructor that accepts non-'static buffers is unsafe to call.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let buf = [0u8; 4];
    let _ = Serial::default().write_all_unchecked(&buf);
}

//! An array moved into the transfer moves with it: its address is not stable.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let _ = Serial::default().read_exact([0u8; 16]);
}

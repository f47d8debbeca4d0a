//! A shared reference is read-only: the DMA must not write through it.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

static TABLE: [u8; 4] = [1, 2, 3, 4];

fn main() {
    let _ = Serial::default().read_exact(&TABLE);
}

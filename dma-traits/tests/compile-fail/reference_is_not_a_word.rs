//! A DMA could write a dangling address into a reference; reading one leaks an address.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

static ONE: u8 = 1;

fn main() {
    let refs: &'static [&'static u8; 2] = Box::leak(Box::new([&ONE, &ONE]));
    let _ = Serial::default().write_all(refs);
}

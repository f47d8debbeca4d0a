//! Rc<[u8]> is shared: other clones could read while the DMA writes.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

use std::rc::Rc;

fn main() {
    let shared: Rc<[u8]> = Rc::from(vec![0u8; 8]);
    let _ = Serial::default().read_exact(shared);
}

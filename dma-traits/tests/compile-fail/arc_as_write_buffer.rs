//! Arc<[u8]> is shared: other clones (on other threads) could read while the
//! DMA writes.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

use std::sync::Arc;

fn main() {
    let shared: Arc<[u8]> = Arc::from(vec![0u8; 8]);
    let _ = Serial::default().read_exact(shared);
}

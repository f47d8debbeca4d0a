//! Most u32 values are not chars.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let text: &'static mut [char; 4] = Box::leak(Box::new(['a'; 4]));
    let _ = Serial::default().read_exact(text);
}

//! &mut str: as for String, the DMA could break UTF-8.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let text: &'static mut str = Box::leak(String::from("hello").into_boxed_str());
    let _ = Serial::default().read_exact(text);
}

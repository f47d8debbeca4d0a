//! Start a DMA into a stack buffer, forget the transfer, return: the DMA
//! would write into a dead frame. Rejected because the buffer is not 'static.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn start(serial: Serial) {
    let mut buf = [0u8; 16];
    core::mem::forget(serial.read_exact(&mut buf[..]));
}

fn main() {
    start(Serial::default());
}

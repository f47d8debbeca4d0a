//! The transfer owns the serial port; it cannot be used until it comes back.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let serial = Serial::default();
    let transfer = serial.write_all("hello").ok();
    let _ = serial.write_all("again");
    drop(transfer);
}

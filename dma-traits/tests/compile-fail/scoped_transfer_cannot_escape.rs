//! The scoped API lends the transfer only by reference for the closure's
//! duration: it cannot be smuggled out (and then leaked).
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

fn main() {
    let mut buf = [0u8; 4];
    let (escaped, _) = Serial::default().read_exact_scoped(&mut buf[..], |t| t);
    let _ = escaped;
}

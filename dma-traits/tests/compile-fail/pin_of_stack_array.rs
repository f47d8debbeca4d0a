//! Pin<&mut [u8; N]> of a stack array: Pin does not make the memory outlive
//! a leaked transfer, and it is not StableDeref.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

use core::pin::Pin;

fn main() {
    let mut buf = [0u8; 16];
    let _ = Serial::default().read_exact(Pin::new(&mut buf));
}

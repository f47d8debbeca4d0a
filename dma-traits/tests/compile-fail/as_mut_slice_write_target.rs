//! A target reached only through as_slice::AsMutSlice is not a write target:
//! as_mut_slice is safe code and may hand out different memory on each call.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

use as_slice::{AsMutSlice, AsSlice};

struct Frame {
    bytes: Vec<u8>,
}

impl AsSlice for Frame {
    type Element = u8;
    fn as_slice(&self) -> &[u8] {
        &self.bytes
    }
}

impl AsMutSlice for Frame {
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self.bytes = vec![0; 16]; // frees the memory a running DMA would use
        &mut self.bytes
    }
}

fn main() {
    let frame: &'static mut Frame = Box::leak(Box::new(Frame { bytes: vec![0; 16] }));
    let _ = Serial::default().read_exact(frame);
}

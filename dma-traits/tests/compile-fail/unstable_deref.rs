//! The dma-poc's UnstableBuffer: deref_mut frees the memory the DMA uses and
//! returns new memory. Deref alone is not enough; StableDeref is required.
#[allow(dead_code, unreachable_pub)]
#[path = "../support/serial.rs"]
mod serial;

#[allow(unused_imports)]
use dma_traits::{DmaRead, DmaWrite};
use serial::Serial;

use core::ops::{Deref, DerefMut};

struct UnstableBuffer {
    inner: Box<[u8; 16]>,
}

impl Deref for UnstableBuffer {
    type Target = [u8; 16];
    fn deref(&self) -> &[u8; 16] {
        &self.inner
    }
}

impl DerefMut for UnstableBuffer {
    fn deref_mut(&mut self) -> &mut [u8; 16] {
        self.inner = Box::new([0; 16]);
        &mut self.inner
    }
}

fn main() {
    let buf = UnstableBuffer { inner: Box::new([0; 16]) };
    let _ = Serial::default().read_exact(buf);
}

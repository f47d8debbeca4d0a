// A stack array cannot go to the safe `'static` copy: a leaked copy would
// keep writing the frame after it is gone.
mod support {
    include!("../support/copier.rs");
}
use dma_traits::DmaCopy;

fn main() {
    let source = [1u8, 2, 3];
    let mut destination = [0u8; 3];
    let copy = support::Copier.copy(&source[..], &mut destination[..]);
    core::mem::forget(copy);
}

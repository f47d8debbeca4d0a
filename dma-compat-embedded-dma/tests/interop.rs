//! `embedded-dma` buffers keep their pair when lent through `dma-traits`.
#![allow(clippy::unwrap_used)]

use dma_compat_embedded_dma::FromEmbeddedDma;
use dma_traits::{DmaReadBuffer, DmaWriteBuffer};

#[test]
fn read_buffer_pair_is_embedded_dmas() {
    let data: &'static [u32; 4] = Box::leak(Box::new([1, 2, 3, 4]));
    let wrapped = FromEmbeddedDma::read(data);
    let moved = Box::new(wrapped);
    assert_eq!(moved.dma_read_buffer(), (data.as_ptr(), 4));
    assert!(core::ptr::eq(moved.into_inner(), data));
}

#[test]
fn write_buffer_pair_is_embedded_dmas_and_stays_put() {
    let buf: &'static mut [u8; 8] = Box::leak(Box::new([0; 8]));
    let at = buf.as_ptr();
    let mut wrapped = FromEmbeddedDma::write(buf);
    let first = wrapped.dma_write_buffer();
    let mut moved = Box::new(wrapped);
    assert_eq!(first, moved.dma_write_buffer());
    assert_eq!((first.0.cast_const(), first.1), (at, 8));
    // SAFETY: no DMA uses the pair; the wrapper owns the only borrow of `buf`.
    unsafe { first.0.write_bytes(0x5A, first.1) };
    assert_eq!(*moved.into_inner(), [0x5A; 8]);
}

//! "Sent" after "done": the mock's last word leaves its shift register a
//! frame time after the DMA let go of memory.
#![allow(clippy::unwrap_used)]

use dma_impl_mock::engine::FRAME_BITS;
use dma_impl_mock::peripheral::MockSpi;
use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
use dma_traits::{DmaFullDuplex, DmaWrite, Sent, Transfer};

#[test]
fn the_last_word_leaves_after_the_transfer_is_done() {
    for dma in [MockDma::stepped(Recorder::new()), MockDma::threaded(Recorder::new())] {
        let serial = MockSerial::with_default_fence(&dma);
        assert!(serial.is_sent(), "idle before any transfer");
        let port = serial.write_all(b"abc").ok().unwrap().wait().ok().unwrap().resources;
        let polls = (1..).take_while(|_| !port.is_sent()).count();
        assert_eq!(polls + 1, FRAME_BITS as usize, "{:?}", dma.mode());
        assert!(port.is_sent());
    }
}

#[test]
fn wait_sent_returns_only_once_the_wire_is_idle() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = MockSpi::new(&dma, dma_traits::CompilerFence);
    let wire = spi.wire();
    wire.deliver(&[0u8; 2]);
    let rx: &'static mut [u8] = Box::leak(Box::new([0u8; 2]));
    let spi = spi.transfer(&[1u8, 2][..], rx).ok().unwrap().wait().ok().unwrap().resources;
    spi.wait_sent();
    assert!(spi.is_sent());
    assert_eq!(wire.take_sent::<u8>(), [1, 2]);
}

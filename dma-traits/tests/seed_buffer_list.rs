//! Every buffer type `dma-poc`'s README says "should be supported", lent to
//! a transfer through the safe `'static` API: for reads and writes
//! `&'static mut [u8]`, `Box<[u8]>`, `Vec<u8>`, bbqueue's `GrantW` and a
//! `heapless` pool box; for reads only `&'static [u8]`, `Rc<[u8]>`,
//! `Arc<[u8]>`, bbqueue's `GrantR` and `String`. (That the read-only ones are
//! refused as write buffers is the compile-fail suite's job:
//! `shared_ref_as_write_buffer`, `rc_as_write_buffer`, `arc_as_write_buffer`,
//! `bbqueue_read_grant_as_write_buffer`, `string_as_write_target`.)
#![cfg(all(feature = "alloc", feature = "heapless", feature = "bbqueue"))]
#![allow(clippy::unwrap_used)]

#[allow(dead_code, unreachable_pub)]
#[path = "support/serial.rs"]
mod serial;

use std::rc::Rc;
use std::sync::Arc;

use dma_traits::bbqueue::DmaGrant;
use dma_traits::{DmaRead, DmaWrite, StaticReadBuffer, StaticWriteBuffer, Transfer};
use serial::{Serial, FILL};

/// Sends `buffer` and returns it with the word count.
fn sent<B: StaticReadBuffer<Word = u8>>(buffer: B) -> (B, usize) {
    let done = Serial::default().write_all(buffer).ok().unwrap().wait().ok().unwrap();
    (done.buffer, done.transferred)
}

/// Fills `buffer` by DMA and returns it with the word count.
fn filled<B: StaticWriteBuffer<Word = u8>>(buffer: B) -> (B, usize) {
    let done = Serial::default().read_exact(buffer).ok().unwrap().wait().ok().unwrap();
    (done.buffer, done.transferred)
}

fn leak<T>(value: T) -> &'static mut T {
    Box::leak(Box::new(value))
}

#[test]
fn the_read_and_write_types_lend_both_ways() {
    let (slice, n) = filled(&mut leak([0u8; 4])[..]);
    assert_eq!((&*slice, n), (&[FILL; 4][..], 4));
    assert_eq!(sent(slice).1, 4);

    let (boxed, n) = filled(vec![0u8; 5].into_boxed_slice());
    assert_eq!((&*boxed, n), (&[FILL; 5][..], 5));
    assert_eq!(sent(boxed).1, 5);

    let (vec, n) = filled(vec![0u8; 6]);
    assert_eq!((vec.as_slice(), n), (&[FILL; 6][..], 6));
    assert_eq!(sent(vec).1, 6);
}

#[test]
#[cfg_attr(miri, ignore = "the pool's 128-bit compare-and-swap on x86_64 is inline assembly")]
fn a_heapless_pool_box_lends_both_ways() {
    use heapless::box_pool;
    use heapless::pool::boxed::BoxBlock;
    box_pool!(Frames: [u8; 8]);
    Frames.manage(leak(BoxBlock::new()));
    let (frame, n) = filled(Frames.alloc([0; 8]).ok().unwrap());
    assert_eq!((*frame, n), ([FILL; 8], 8));
    assert_eq!(sent(frame).1, 8);
}

#[test]
fn bbqueue_grants_lend_their_way() {
    static QUEUE: bbqueue::BBBuffer<16> = bbqueue::BBBuffer::new();
    let (mut producer, mut consumer) = QUEUE.try_split().unwrap();
    let (grant, n) = filled(DmaGrant::new(producer.grant_exact(7).unwrap()));
    grant.into_inner().commit(n);
    let (grant, n) = sent(DmaGrant::new(consumer.read().unwrap()));
    assert_eq!((&**grant.get(), n), (&[FILL; 7][..], 7));
    grant.into_inner().release(n);
}

#[test]
fn the_read_only_types_lend_for_reads() {
    assert_eq!(sent(&b"static"[..]).1, 6);
    let rc: Rc<[u8]> = Rc::from(&b"rc"[..]);
    assert_eq!(sent(rc).1, 2);
    let arc: Arc<[u8]> = Arc::from(&b"arc"[..]);
    assert_eq!(sent(arc).1, 3);
    assert_eq!(sent(String::from("string")).1, 6);
}

//! Every buffer impl gives the pointer and length of its target, the same on
//! every call and after the owner moves.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::reversed_empty_ranges)]

use core::mem::MaybeUninit;
use std::rc::Rc;
use std::sync::Arc;

use dma_traits::{
    CacheAligned, DmaReadBuffer, DmaWriteBuffer, SubRange, TransparentTarget, Word, WordWidth,
};

fn read_pair<B: DmaReadBuffer>(b: &B) -> (usize, usize) {
    let (p, n) = b.dma_read_buffer();
    (p as usize, n)
}

fn write_pair<B: DmaWriteBuffer>(b: &mut B) -> (usize, usize) {
    let (p, n) = b.dma_write_buffer();
    (p as usize, n)
}

/// Moves `b` through a function and a box, returning it.
fn shuffle<B>(b: B) -> B {
    *Box::new(std::convert::identity(b))
}

fn check_read<B: DmaReadBuffer>(b: B, expect: (usize, usize)) {
    assert_eq!(read_pair(&b), expect, "first call");
    assert_eq!(read_pair(&b), expect, "second call");
    let moved = shuffle(b);
    assert_eq!(read_pair(&moved), expect, "after a move");
    assert_eq!(expect.0 % core::mem::align_of::<B::Word>(), 0, "aligned");
}

fn check_write<B: DmaWriteBuffer>(mut b: B, expect: (usize, usize)) {
    assert_eq!(write_pair(&mut b), expect, "first call");
    assert_eq!(write_pair(&mut b), expect, "second call");
    let mut moved = shuffle(b);
    assert_eq!(write_pair(&mut moved), expect, "after a move");
}

fn leak<T>(t: T) -> &'static mut T {
    Box::leak(Box::new(t))
}

#[test]
fn static_slices_and_arrays() {
    let arr: &'static mut [u16; 8] = leak([7; 8]);
    let at = (arr.as_ptr() as usize, 8);
    check_write(arr, at);

    let shared: &'static [u32; 3] = leak([1, 2, 3]);
    check_read(shared, (shared.as_ptr() as usize, 3));

    let slice: &'static mut [i8] = leak([0i8; 5]);
    let at = (slice.as_ptr() as usize, 5);
    check_write(slice, at);

    let text: &'static str = "hello";
    check_read(text, (text.as_ptr() as usize, 5));
}

#[test]
fn uninitialized_targets_are_write_buffers() {
    let arr: &'static mut [MaybeUninit<u32>; 4] = leak([MaybeUninit::uninit(); 4]);
    let at = (arr.as_ptr() as usize, 4);
    check_write(arr, at);

    let whole: &'static mut MaybeUninit<[u64; 2]> = leak(MaybeUninit::uninit());
    let at = (whole.as_ptr() as usize, 2);
    check_write(whole, at);

    let slice: &'static mut [MaybeUninit<u8>] = leak([MaybeUninit::<u8>::uninit(); 9]);
    let at = (slice.as_ptr() as usize, 9);
    check_write(slice, at);
}

#[test]
fn owning_pointers() {
    let boxed: Box<[f32]> = vec![0.5; 6].into_boxed_slice();
    let at = (boxed.as_ptr() as usize, 6);
    check_write(boxed, at);

    let boxed_array: Box<[u8; 16]> = Box::new([0; 16]);
    let at = (boxed_array.as_ptr() as usize, 16);
    check_write(boxed_array, at);

    let vec: Vec<i64> = vec![1, 2, 3];
    let at = (vec.as_ptr() as usize, 3);
    check_write(vec, at);

    let rc: Rc<[u8]> = Rc::from(&b"abc"[..]);
    let at = (rc.as_ptr() as usize, 3);
    check_read(Rc::clone(&rc), at);

    let arc: Arc<[u16]> = Arc::from(&[1u16, 2][..]);
    let at = (arc.as_ptr() as usize, 2);
    check_read(arc, at);
}

#[test]
fn heapless_targets() {
    let mut v: heapless::Vec<u16, 8> = heapless::Vec::new();
    v.extend_from_slice(&[1, 2, 3]).unwrap();
    let v: &'static mut heapless::Vec<u16, 8> = leak(v);
    let at = (v.as_ptr() as usize, 3);
    check_write(v, at);

    let s: &'static heapless::String<8> = leak(heapless::String::try_from("log").unwrap());
    check_read(s, (s.as_ptr() as usize, 3));
}

#[test]
#[cfg_attr(miri, ignore = "the pool's 128-bit compare-and-swap on x86_64 is inline assembly")]
fn heapless_pool_box_is_a_buffer() {
    use heapless::box_pool;
    use heapless::pool::boxed::BoxBlock;

    box_pool!(Frames: [u8; 32]);
    let block: &'static mut BoxBlock<[u8; 32]> = leak(BoxBlock::new());
    Frames.manage(block);
    let frame = Frames.alloc([3; 32]).ok().unwrap();
    let at = (frame.as_ptr() as usize, 32);
    check_write(frame, at);
}

#[test]
fn transparent_newtype() {
    #[repr(transparent)]
    struct Samples([i16; 10]);
    // SAFETY: `repr(transparent)` over `[i16; 10]`, no invariant on contents.
    unsafe impl TransparentTarget for Samples {
        type Inner = [i16; 10];
    }
    let s: &'static mut Samples = leak(Samples([0; 10]));
    let at = (s.0.as_ptr() as usize, 10);
    check_write(s, at);
}

#[test]
fn cache_aligned_is_line_aligned() {
    let mut buf: &'static mut CacheAligned<[u32; 16]> = leak(CacheAligned::new([0; 16]));
    let (ptr, len) = write_pair(&mut buf);
    assert_eq!((ptr % 32, len), (0, 16));
}

#[test]
fn sub_range_lends_part_and_returns_whole() {
    let buf: &'static mut [u8; 10] = leak(*b"0123456789");
    let base = buf.as_ptr() as usize;
    let mut part = SubRange::of_write(buf, 2..7).unwrap();
    assert_eq!(part.range(), 2..7);
    check_write(SubRange::of_write(part.into_inner(), 2..7).unwrap(), (base + 2, 5));
    part = SubRange::of_write(leak([0u8; 10]), 10..10).unwrap();
    assert_eq!(write_pair(&mut part).1, 0, "an empty range is allowed; HALs reject it");
    let (back, err) = SubRange::of_write(leak([0u8; 4]), 3..2).unwrap_err();
    assert_eq!((back.len(), err.start, err.end), (4, 3, 2));
    assert_eq!(err.to_string(), "range 3..2 does not fit a buffer of 4 words");
}

#[test]
fn as_slice_buffer_caches_one_call() {
    let data: &'static [u16; 4] = leak([1, 2, 3, 4]);
    let buf = dma_traits::AsSliceBuffer::new(data);
    check_read(buf, (data.as_ptr() as usize, 4));
}

#[test]
fn as_slice_buffer_of_a_box_survives_moves() {
    let boxed: Box<[u16; 3]> = Box::new([7, 8, 9]);
    let buf = shuffle(dma_traits::AsSliceBuffer::new(boxed));
    let (ptr, len) = buf.dma_read_buffer();
    // SAFETY: the pair is valid while `buf` lives; nothing writes it. Under
    // Miri this read fails if the move invalidated the cached pointer.
    let seen = unsafe { core::slice::from_raw_parts(ptr, len) }.to_vec();
    assert_eq!(seen, [7, 8, 9]);
    assert_eq!(*buf.into_inner(), [7, 8, 9]);
}

#[test]
fn word_widths_match_sizes() {
    fn width<W: Word>() -> (usize, WordWidth) {
        (core::mem::size_of::<W>(), W::WIDTH)
    }
    assert_eq!(width::<u8>(), (1, WordWidth::Bits8));
    assert_eq!(width::<i8>(), (1, WordWidth::Bits8));
    assert_eq!(width::<u16>(), (2, WordWidth::Bits16));
    assert_eq!(width::<i16>(), (2, WordWidth::Bits16));
    assert_eq!(width::<u32>(), (4, WordWidth::Bits32));
    assert_eq!(width::<i32>(), (4, WordWidth::Bits32));
    assert_eq!(width::<f32>(), (4, WordWidth::Bits32));
    assert_eq!(width::<u64>(), (8, WordWidth::Bits64));
    assert_eq!(width::<i64>(), (8, WordWidth::Bits64));
    assert_eq!(width::<f64>(), (8, WordWidth::Bits64));
}

//! The mock section: every buffer type of `dma-traits`, and the mock
//! serial port's transfers for every word width.

use core::mem::MaybeUninit;
use core::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use dma_impl_mock::bits::{pattern_vec, word_name};
use dma_impl_mock::conformance::{
    check_copy_transfers, check_full_duplex_transfers, check_read_buffer, check_read_buffer_with,
    check_read_transfers, check_write_buffer, check_write_buffer_with, check_write_transfers,
    CheckResult, MockMemCopyHarness, MockSerialHarness, MockSpiHarness, RawTarget, Report,
    SuiteConfig,
};
use dma_traits::{AsSliceBuffer, CacheAligned, DmaReadBuffer, DmaWriteBuffer, SubRange, Word};

/// Adds the mock sections to `report`.
pub fn run(report: &mut Report) {
    report.section("buffer types (dma-traits)", buffers());
    report.section("bbqueue grants (dma-traits, feature bbqueue)", grants());
    report.section("mock serial transfers", transfers());
    report.section("mock SPI (full duplex) and memory-to-memory", two_way());
}

/// A leaked copy of `words`, as a `'static` slice.
fn leak<W: Word>(words: Vec<W>) -> &'static mut [W] {
    Box::leak(words.into_boxed_slice())
}

/// A leaked array of pattern words.
fn leak_array<W: Word, const N: usize>(seed: u64) -> &'static mut [W; N] {
    let words: Vec<W> = pattern_vec(seed, N);
    let mut array =
        [words.first().copied().unwrap_or_else(|| dma_impl_mock::bits::from_bits(0)); N];
    array.copy_from_slice(&words);
    Box::leak(Box::new(array))
}

/// `SubRange::of_read`, falling back to an empty range (which the length
/// check then reports) instead of panicking.
fn sub_range_read<B: DmaReadBuffer>(buffer: B, range: Range<usize>) -> SubRange<B> {
    match SubRange::of_read(buffer, range) {
        Ok(sub) => sub,
        Err((buffer, _)) => sub_range_read(buffer, 0..0),
    }
}

/// As [`sub_range_read`], for write buffers.
fn sub_range_write<B: DmaWriteBuffer>(buffer: B, range: Range<usize>) -> SubRange<B> {
    match SubRange::of_write(buffer, range) {
        Ok(sub) => sub,
        Err((buffer, _)) => sub_range_write(buffer, 0..0),
    }
}

fn read_buffers<W: Word>() -> Vec<CheckResult> {
    let w = word_name::<W>();
    let mut results = Vec::new();
    results
        .extend(check_read_buffer(&format!("&'static [{w}]"), || &*leak(pattern_vec::<W>(1, 5))));
    results.extend(check_read_buffer(&format!("&'static [{w}; 4]"), || &*leak_array::<W, 4>(2)));
    results.extend(check_read_buffer(&format!("&'static mut [{w}; 4]"), || leak_array::<W, 4>(3)));
    results.extend(check_read_buffer(&format!("Box<[{w}]>"), || {
        pattern_vec::<W>(4, 6).into_boxed_slice()
    }));
    results
        .extend(check_read_buffer(&format!("Box<[{w}; 3]>"), || Box::new(*leak_array::<W, 3>(5))));
    results.extend(check_read_buffer(&format!("Vec<{w}>"), || pattern_vec::<W>(6, 7)));
    results.extend(check_read_buffer(&format!("Rc<[{w}]>"), || {
        Rc::<[W]>::from(pattern_vec::<W>(7, 4))
    }));
    results.extend(check_read_buffer(&format!("Arc<[{w}]>"), || {
        Arc::<[W]>::from(pattern_vec::<W>(8, 4))
    }));
    let backing: &'static [W] = leak(pattern_vec::<W>(9, 8));
    results.extend(check_read_buffer_with(
        &format!("SubRange<&'static [{w}]>"),
        || sub_range_read(backing, 2..6),
        |_| backing.get(2..6).unwrap_or(&[]),
    ));
    let array: &'static [W; 4] = leak_array::<W, 4>(10);
    results.extend(check_read_buffer_with(
        &format!("AsSliceBuffer<&'static [{w}; 4]>"),
        || AsSliceBuffer::new(array),
        |_| &array[..],
    ));
    results
}

fn write_buffers<W: Word>() -> Vec<CheckResult> {
    let w = word_name::<W>();
    let mut results = Vec::new();
    results.extend(check_write_buffer(&format!("&'static mut [{w}]"), || {
        leak(pattern_vec::<W>(1, 5))
    }));
    results.extend(check_write_buffer(&format!("&'static mut [{w}; 4]"), || leak_array::<W, 4>(2)));
    results.extend(check_write_buffer(&format!("&'static mut [MaybeUninit<{w}>; 4]"), || {
        Box::leak(Box::new([MaybeUninit::<W>::uninit(); 4]))
    }));
    results.extend(check_write_buffer(&format!("&'static mut MaybeUninit<[{w}; 4]>"), || {
        Box::leak(Box::new(MaybeUninit::<[W; 4]>::uninit()))
    }));
    results.extend(check_write_buffer(&format!("Box<[{w}]>"), || {
        pattern_vec::<W>(4, 6).into_boxed_slice()
    }));
    results.extend(check_write_buffer(&format!("Box<[MaybeUninit<{w}>]>"), || {
        Box::<[W]>::new_uninit_slice(5)
    }));
    results.extend(check_write_buffer(&format!("Vec<{w}>"), || pattern_vec::<W>(6, 7)));
    let mut backing: Vec<W> = pattern_vec(9, 8);
    let words =
        core::ptr::slice_from_raw_parts(backing.as_mut_ptr().wrapping_add(2).cast_const(), 4);
    // SAFETY: words 2..6 of `backing`'s heap block, which the `SubRange` below
    // owns and never frees while the checks run (it is leaked by them or
    // dropped last); a `Vec` moved by value keeps its block and the pointer's
    // provenance comes from `as_mut_ptr`, which moves do not retag.
    let lent: &'static RawTarget<W> = Box::leak(Box::new(unsafe { RawTarget::new(words) }));
    results.extend(check_write_buffer_with(
        &format!("SubRange<Vec<{w}>>"),
        move || sub_range_write(backing, 2..6),
        |_| lent,
    ));
    results
}

fn cache_aligned_buffers() -> Vec<CheckResult> {
    let mut results = Vec::new();
    results.extend(check_read_buffer("&'static CacheAligned<[u8; 64]>", || {
        &*Box::leak(Box::new(CacheAligned::new([0x5a_u8; 64])))
    }));
    results.extend(check_write_buffer("&'static mut CacheAligned<[u32; 8]>", || {
        Box::leak(Box::new(CacheAligned::new([7_u32; 8])))
    }));
    results.extend(check_write_buffer("Box<CacheAligned<[u16; 16]>>", || {
        Box::new(CacheAligned::new([1_u16; 16]))
    }));
    results.extend(check_read_buffer("&'static str", || "conformance"));
    results
}

/// Every buffer check on every buffer type, for one word type per width
/// under Miri and for every width plus the floats natively (the buffer
/// impls are generic: word types of one width share their code).
pub fn buffers() -> Vec<CheckResult> {
    let mut results = Vec::new();
    macro_rules! each_word {
        ($($w:ty),*) => {$(
            results.extend(read_buffers::<$w>());
            results.extend(write_buffers::<$w>());
        )*};
    }
    if cfg!(miri) {
        each_word!(u8, u16, f32, u64);
    } else {
        each_word!(u8, i16, u32, f32, u64, f64);
    }
    results.extend(cache_aligned_buffers());
    results
}

/// Every transfer check on the mock serial port, both directions, for one
/// word type per width under Miri and for all word types natively.
pub fn transfers() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let mut harness = MockSerialHarness::new();
    let mut results = Vec::new();
    macro_rules! each_word {
        ($($w:ty),*) => {$(
            results.extend(check_write_transfers::<$w, _>("mock serial", &mut harness, &config));
            results.extend(check_read_transfers::<$w, _>("mock serial", &mut harness, &config));
        )*};
    }
    if cfg!(miri) {
        each_word!(u8, u16, f32, u64);
    } else {
        each_word!(u8, i8, u16, i16, u32, i32, f32, u64, i64, f64);
    }
    results
}

/// The two-way checks: the mock SPI port (`DmaFullDuplex`, and `DmaWrite`
/// write-only) and the mock
/// memory-to-memory channel (`DmaCopy`), for several word widths.
pub fn two_way() -> Vec<CheckResult> {
    let config = SuiteConfig::default();
    let (mut spi, mut copier) = (MockSpiHarness::default(), MockMemCopyHarness::default());
    let mut results = Vec::new();
    macro_rules! each_word {
        ($($w:ty),*) => {$(
            results.extend(check_full_duplex_transfers::<$w, _>("mock spi", &mut spi, &config));
            results.extend(check_write_transfers::<$w, _>("mock spi (write-only)", &mut spi, &config));
            results.extend(check_copy_transfers::<$w, _>("mock memcopy", &mut copier, &config));
        )*};
    }
    if cfg!(miri) {
        each_word!(u8, u32);
    } else {
        each_word!(u8, u16, u32, f32, u64);
    }
    results
}

/// A fresh `'static` queue holding `committed` bytes, split.
fn queue<const N: usize>(
    committed: &[u8],
) -> (bbqueue::Producer<'static, N>, bbqueue::Consumer<'static, N>) {
    let queue: &'static bbqueue::BBBuffer<N> = Box::leak(Box::new(bbqueue::BBBuffer::new()));
    let Ok((mut producer, consumer)) = queue.try_split() else {
        unreachable!("a fresh queue splits")
    };
    if let Ok(mut grant) = producer.grant_exact(committed.len()) {
        grant.copy_from_slice(committed);
        grant.commit(committed.len());
    }
    (producer, consumer)
}

/// The buffer checks on bbqueue's write and read grants (plain and framed),
/// each viewed through the grant's own `Deref`.
pub fn grants() -> Vec<CheckResult> {
    use dma_traits::bbqueue::DmaGrant;
    let mut results = Vec::new();
    results.extend(check_write_buffer_with(
        "DmaGrant<GrantW<'static, 32>>",
        || {
            let (mut producer, _) = queue::<32>(b"");
            DmaGrant::new(producer.grant_exact(12).ok().unwrap_or_else(|| unreachable!()))
        },
        |g| &**g.get(),
    ));
    results.extend(check_read_buffer_with(
        "DmaGrant<GrantR<'static, 32>>",
        || {
            let (_, mut consumer) = queue::<32>(b"committed bytes");
            DmaGrant::new(consumer.read().ok().unwrap_or_else(|| unreachable!()))
        },
        |g| &**g.get(),
    ));
    results.extend(check_write_buffer_with(
        "DmaGrant<FrameGrantW<'static, 32>>",
        || {
            let queue: &'static bbqueue::BBBuffer<32> =
                Box::leak(Box::new(bbqueue::BBBuffer::new()));
            let Ok((mut producer, _)) = queue.try_split_framed() else { unreachable!() };
            DmaGrant::new(producer.grant(10).ok().unwrap_or_else(|| unreachable!()))
        },
        |g| &**g.get(),
    ));
    results.extend(check_read_buffer_with(
        "DmaGrant<FrameGrantR<'static, 32>>",
        || {
            let queue: &'static bbqueue::BBBuffer<32> =
                Box::leak(Box::new(bbqueue::BBBuffer::new()));
            let Ok((mut producer, mut consumer)) = queue.try_split_framed() else { unreachable!() };
            if let Ok(mut frame) = producer.grant(5) {
                frame.copy_from_slice(b"frame");
                frame.commit(5);
            }
            DmaGrant::new(consumer.read().unwrap_or_else(|| unreachable!()))
        },
        |g| &**g.get(),
    ));
    results
}

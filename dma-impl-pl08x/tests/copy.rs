//! Memory-to-memory copies: every width, LLI chains, stop, drop, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{leak, pool, ramp, scale, stepped, threaded};
use dma_impl_pl08x::{Error, MAX_TRANSFER_SIZE};
use dma_traits::{DmaCopy, Transfer};

/// `DMACC0Control` / `DMACC0Configuration` (DDI 0196 §3.3).
const C0_CONTROL: usize = 0x10C;
const C0_CONFIG: usize = 0x110;

#[test]
fn copies_every_width() {
    let (sim, mut dmac) = threaded::<2>();
    let ch = dmac.channel(0).unwrap();
    let from: Box<[u8]> = ramp::<u8>(37, 1).into();
    let to: Box<[u8]> = vec![0; 37].into();
    let done = ch.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer.0), (37, &*done.buffer.1));
    let control = sim.register(C0_CONTROL);
    assert_eq!((control >> 18) & 0x3F, 0, "SWidth = DWidth = 8 bits");
    assert_eq!(control >> 26 & 0b11, 0b11, "SI and DI");
    assert_eq!(sim.register(C0_CONFIG), 0, "channel left disabled and clear");

    let from: Box<[u16]> = ramp::<u16>(19, 3).into();
    let to: Box<[u16]> = vec![0; 19].into();
    let done = done.resources.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer.0), (19, &*done.buffer.1));
    assert_eq!((sim.register(C0_CONTROL) >> 18) & 0x3F, 0b001_001, "16 bits");

    let from: Box<[f32]> = vec![1.5, -2.0, 3.25].into();
    let to: Box<[f32]> = vec![0.0; 3].into();
    let done = done.resources.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!(*done.buffer.1, [1.5, -2.0, 3.25]);
    assert_eq!((sim.register(C0_CONTROL) >> 18) & 0x3F, 0b010_010, "32 bits");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn a_copy_longer_than_one_lli_runs_as_one_transfer() {
    // More than 4095 items: three segments through two LLIs.
    let n = scale(2 * MAX_TRANSFER_SIZE + 1000, 40);
    let (sim, mut dmac) = threaded::<8>();
    let mut ch = dmac.channel(7).unwrap();
    if cfg!(miri) {
        ch = ch.with_segment_limit(15).ok().unwrap();
    }
    let from = leak(&ramp::<u32>(n, 5));
    let to = leak(&vec![0u32; n]);
    let refused = ch.copy(&*from, to).err().unwrap();
    assert_eq!(refused.error, Error::TooLong { items: n, max: refused.resources.segment_limit() });
    let (from, to) = refused.buffer;
    let ch = refused.resources.with_lli_pool(pool(1));
    let refused = ch.copy(from, to).err().unwrap();
    assert!(matches!(refused.error, Error::TooLong { .. }), "a pool of one is too small");
    let (from, to) = refused.buffer;
    let (ch, old) = refused.resources.take_lli_pool();
    assert_eq!(old.len(), 1, "the pool comes back");
    let ch = ch.with_lli_pool(pool(2));
    let done = ch.copy(from, to).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, n);
    assert_eq!(done.buffer.0, &*done.buffer.1);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn llis_chain_segment_by_segment() {
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(1).unwrap().with_segment_limit(3).ok().unwrap().with_lli_pool(pool(2));
    let from = leak(&[1u16, 2, 3, 4, 5, 6, 7]);
    let to = leak(&[0u16; 7]);
    let copy = ch.copy(&*from, to).ok().unwrap();
    let lli = || sim.register(0x128);
    let first = lli();
    assert_ne!(first, 0, "segment 0 points at LLI 0");
    assert_eq!(sim.run(6), 6);
    let size = u32::try_from(core::mem::size_of::<dma_impl_pl08x::Lli>()).unwrap();
    assert_eq!(lli(), first.wrapping_add(size), "segment 1 points at LLI 1");
    assert_eq!(sim.run(6), 6);
    assert_eq!(lli(), 0, "the last segment has no next LLI");
    assert_eq!(sim.run(100), 2);
    assert!(copy.is_done());
    let done = copy.wait().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer.1), (7, &[1, 2, 3, 4, 5, 6, 7][..]));
}

#[test]
fn stop_mid_flight_counts_through_llis_and_nothing_moves_after() {
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(0).unwrap().with_segment_limit(2).ok().unwrap().with_lli_pool(pool(4));
    let from = leak(&[1u8, 2, 3, 4, 5, 6, 7]);
    let to = leak(&[0u8; 7]);
    let copy = ch.copy(&*from, to).ok().unwrap();
    sim.run(10); // five items: two segments and one item of the third
    let done = copy.stop().ok().unwrap();
    assert_eq!(done.transferred, 5);
    assert_eq!(done.buffer.1, &[1, 2, 3, 4, 5, 0, 0]);
    let writes = sim.dma_writes();
    assert_eq!(sim.run(100), 0);
    assert_eq!(sim.dma_writes(), writes);
    assert!(!sim.is_enabled(0));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn drop_mid_flight_stops_the_channel() {
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(0).unwrap();
    let from = leak(&[9u32; 6]);
    let to = leak(&[0u32; 6]);
    let copy = ch.copy(&*from, to).ok().unwrap();
    sim.run(4);
    drop(copy);
    let writes = sim.dma_writes();
    assert_eq!(writes, 2);
    assert_eq!(sim.run(100), 0, "the channel is disabled");
    assert_eq!(sim.dma_writes(), writes);
}

#[test]
fn a_bus_error_gives_back_everything_with_the_count() {
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(1).unwrap();
    let from: Box<[u16]> = vec![1, 2, 3, 4].into();
    let to: Box<[u16]> = vec![0; 4].into();
    sim.fail_after(1, 3);
    let copy = ch.copy(from, to).ok().unwrap();
    sim.run(100);
    assert!(copy.is_done(), "the hardware disabled the channel");
    let failed = copy.wait().err().unwrap();
    assert_eq!((failed.error, failed.transferred), (Error::Bus, 3));
    assert_eq!(*failed.buffer.1, [1, 2, 3, 0]);
    assert_eq!(sim.register(0x018), 0, "error status cleared");
    // The channel works again.
    let (from, to) = failed.buffer;
    let copy = failed.resources.copy(from, to).ok().unwrap();
    sim.run(100);
    assert_eq!(*copy.wait().ok().unwrap().buffer.1, [1, 2, 3, 4]);
}

#[test]
fn an_injected_fault_mid_flight_is_reported() {
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(0).unwrap();
    let copy = ch.copy(leak(&[5u8; 8]), leak(&[0u8; 8])).ok().unwrap();
    sim.run(6);
    sim.fault(0);
    let failed = copy.stop().err().unwrap();
    assert_eq!((failed.error, failed.transferred), (Error::Bus, 3));
}

#[test]
fn scoped_copies_borrow_stack_buffers() {
    let (_sim, mut dmac) = threaded::<2>();
    let from = [3u32, 1, 4, 1, 5];
    let mut to = [0u32; 5];
    let (ran, outcome) = dmac.channel(1).unwrap().copy_scoped(&from, &mut to, |t| {
        let _ = t.is_done();
        true
    });
    assert_eq!(ran, Some(true));
    assert_eq!(outcome.ok().unwrap().transferred, 5);
    assert_eq!(to, from);
}

#[test]
fn forgetting_a_static_copy_is_harmless() {
    let (sim, mut dmac) = stepped();
    let from = leak(&[1u32, 2, 3]);
    let (to_ptr, to) = common::leak_raw(&[0u32; 3]);
    let copy = dmac.channel(0).unwrap().copy(&*from, to).ok().unwrap();
    core::mem::forget(copy);
    sim.run(100);
    // SAFETY: the DMA finished (run returned: nothing moves) and the leaked
    // buffer is never used again through its (forgotten) owner.
    assert_eq!(unsafe { &*to_ptr }, [1, 2, 3]);
    // The other channel still works.
    let done = dmac.channel(1).unwrap().copy(&*from, leak(&[0u32; 3])).ok().unwrap();
    sim.run(100);
    assert_eq!(done.wait().ok().unwrap().buffer.1, &[1, 2, 3]);
}

#[test]
fn the_qemu_timing_runs_the_copy_inside_the_enabling_write() {
    let (sim, mut dmac) = stepped();
    sim.set_qemu_mode(true);
    let copy = dmac.channel(0).unwrap().copy(leak(&[7u16; 9]), leak(&[0u16; 9])).ok().unwrap();
    assert!(copy.is_done());
    assert_eq!(copy.wait().ok().unwrap().buffer.1, &[7; 9]);
    // With the controller disabled first, a copy stays in flight.
    dmac.disable();
    let copy = dmac.channel(1).unwrap().copy(leak(&[7u16; 9]), leak(&[0u16; 9])).ok().unwrap();
    assert!(!copy.is_done());
    let done = copy.stop().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer.1), (0, &[0u16; 9][..]));
    dmac.enable();
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

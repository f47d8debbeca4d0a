//! Fixed-address transfers: memory to a device register and back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use core::sync::atomic::{AtomicU32, AtomicU8, Ordering};

use common::{leak, pool, stepped, threaded};
use dma_impl_pl08x::{Error, FixedAddress, Pacing};
use dma_traits::{DmaRead, DmaWrite, Transfer};

/// A device data register stand-in: accessed only atomically.
fn register() -> &'static AtomicU32 {
    Box::leak(Box::new(AtomicU32::new(0)))
}

#[test]
fn writes_to_and_reads_from_a_fixed_address() {
    let (sim, mut dmac) = threaded::<2>();
    let dr = register();
    // SAFETY: `dr` is a leaked atomic: valid forever, accessed only atomically.
    let port =
        unsafe { FixedAddress::new(dmac.channel(0).unwrap(), dr.as_ptr().cast(), Pacing::Unpaced) }
            .ok()
            .unwrap();
    let done = port.write_all(&[10u32, 20, 30][..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 3);
    assert_eq!(dr.load(Ordering::SeqCst), 30, "the last word stays in the register");
    let control = sim.register(0x10C);
    assert_eq!(control >> 26 & 0b11, 0b01, "SI set, DI clear");

    dr.store(0xABCD_0123, Ordering::SeqCst);
    let done = done.resources.read_exact(leak(&[0u32; 4])).ok().unwrap().wait().ok().unwrap();
    assert_eq!((done.transferred, &*done.buffer), (4, &[0xABCD_0123; 4][..]));
    assert_eq!(sim.register(0x10C) >> 26 & 0b11, 0b10, "SI clear, DI set");
    // Bytes to a byte-wide register (a separate one: Rust's memory model has
    // no mixed-size atomics, and Miri rejects byte stores into an `AtomicU32`).
    let byte_dr: &'static AtomicU8 = Box::leak(Box::new(AtomicU8::new(0)));
    let ch = done.resources.into_channel();
    assert_eq!(ch.index(), 0);
    // SAFETY: a leaked atomic, valid forever, accessed only atomically.
    let port = unsafe { FixedAddress::new(ch, byte_dr.as_ptr(), Pacing::Unpaced) }.ok().unwrap();
    port.write_all(&b"hey"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(byte_dr.load(Ordering::SeqCst), b'y');
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn a_request_line_paces_the_transfer() {
    let (sim, mut dmac) = stepped();
    let dr = register();
    // SAFETY: as above.
    let port =
        unsafe { FixedAddress::new(dmac.channel(1).unwrap(), dr.as_ptr().cast(), Pacing::Line(5)) }
            .ok()
            .unwrap();
    let tx = port.write_all(&[1u16, 2][..]).ok().unwrap();
    let config = sim.register(0x130);
    assert_eq!((config >> 11) & 7, 1, "FlowCntrl memory-to-peripheral");
    assert_eq!((config >> 6) & 0xF, 5, "DestPeripheral 5");
    assert_eq!(sim.run(10), 0, "no request, no transfer");
    sim.set_request(5, true);
    assert_eq!(sim.run(10), 4);
    let done = tx.wait().ok().unwrap();
    assert_eq!((done.transferred, dr.load(Ordering::SeqCst)), (2, 2));
    sim.set_request(5, false);
    let rx = done.resources.read_exact(leak(&[0u16; 2])).ok().unwrap();
    assert_eq!((sim.register(0x130) >> 11) & 7, 2, "FlowCntrl peripheral-to-memory");
    assert_eq!((sim.register(0x130) >> 1) & 0xF, 5, "SrcPeripheral 5");
    assert_eq!(sim.run(10), 0);
    let stopped = rx.stop().ok().unwrap();
    assert_eq!(stopped.transferred, 0, "stopped before any request");
}

#[test]
fn long_fixed_address_transfers_use_the_lli_pool() {
    let (_sim, mut dmac) = threaded::<2>();
    let ch = dmac.channel(0).unwrap().with_segment_limit(4).ok().unwrap().with_lli_pool(pool(3));
    let dr = register();
    // SAFETY: as above.
    let port = unsafe { FixedAddress::new(ch, dr.as_ptr().cast(), Pacing::Unpaced) }.ok().unwrap();
    let words: Vec<u32> = (1..=15).collect();
    let done = port.write_all(leak(&words)).ok().unwrap().wait().ok().unwrap();
    assert_eq!((done.transferred, dr.load(Ordering::SeqCst)), (15, 15));
    let refused = done.resources.write_all(leak(&[0u32; 17])).err().unwrap();
    assert_eq!(refused.error, Error::TooLong { items: 17, max: 16 });
}

#[test]
fn bad_device_settings_are_refused() {
    let (_sim, mut dmac) = stepped();
    let dr = register();
    // SAFETY: as above.
    let refused = unsafe {
        FixedAddress::new(dmac.channel(0).unwrap(), dr.as_ptr().cast(), Pacing::Line(16))
    };
    let (error, ch) = refused.err().unwrap();
    assert_eq!(error, Error::NoSuchRequestLine(16));
    // A device address not aligned to the word width.
    let odd = dr.as_ptr().cast::<u8>().wrapping_add(1);
    // SAFETY: never accessed: the transfer is refused.
    let port = unsafe { FixedAddress::new(ch, odd, Pacing::Unpaced) }.ok().unwrap();
    let refused = port.write_all(&[1u32][..]).err().unwrap();
    assert_eq!(refused.error, Error::Misaligned { address: odd as usize });
    assert_eq!(refused.buffer, &[1]);
}

#[test]
fn gather_writes_and_scatter_reads_run_as_one_transfer() {
    let (sim, mut dmac) = threaded::<2>();
    let ch = dmac.channel(1).unwrap().with_segment_limit(4).ok().unwrap().with_lli_pool(pool(3));
    let dr = register();
    // SAFETY: as above.
    let port = unsafe { FixedAddress::new(ch, dr.as_ptr().cast(), Pacing::Unpaced) }.ok().unwrap();
    let header: &'static [u32] = &[0xA0, 0xA1];
    let empty: &'static [u32] = &[];
    let payload: &'static [u32] = &[1, 2, 3, 4, 5, 6];
    // 1 + 0 + 2 segments of at most 4: three segments, two LLIs.
    let done = port.write_gather([header, empty, payload]).ok().unwrap().wait().ok().unwrap();
    assert_eq!((done.transferred, dr.load(Ordering::SeqCst)), (8, 6));
    assert_eq!(done.buffer, [header, empty, payload]);

    dr.store(0x77, Ordering::SeqCst);
    let parts = [leak(&[0u32; 3]), leak(&[0u32; 5])];
    let done = done.resources.read_scatter(parts).ok().unwrap().wait().ok().unwrap();
    assert_eq!(done.transferred, 8);
    assert!(done.buffer.iter().all(|b| b.iter().all(|&w| w == 0x77)));

    // Too many segments for the pool, and nothing at all, are refused.
    let refused = done.resources.write_gather([payload, payload, payload]).err().unwrap();
    assert_eq!(refused.error, Error::TooLong { items: 18, max: 0 });
    let refused = refused.resources.write_gather([empty, empty]).err().unwrap();
    assert_eq!(refused.error, Error::Empty);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

//! Every transfer API under the adversarial scheduler: the simulated PL081
//! advances 0..=K bus beats before every CPU register access the HAL makes
//! (exhaustively over the first accesses, and over seeded random schedules).
//! Checked each time: data intact, `transferred` right, the destination a
//! prefix of the source and untouched beyond it, no DMA write after
//! `stop`/`wait`/drop returned, and no TRM violation.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use core::sync::atomic::{AtomicU32, Ordering};

use common::{leak, pool, ramp, scale};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary, Explored};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Channel, Dmac, DmbFence, Error, FixedAddress, MaybeLliPool, Pacing, Pl081};
use dma_traits::{DmaCopy, DmaRead, DmaWrite, Transfer, Word};

const K: u32 = 2;
const DEPTH: usize = scale(8, 2);
const LIMIT: usize = scale(20_000, 100);
const SEEDS: u64 = scale(300, 3) as u64;

#[derive(Clone, Copy, Debug)]
enum End {
    /// `wait` (after `polls` calls of `is_done`).
    Wait,
    /// `stop` after `polls` calls of `is_done`.
    Stop(usize),
    /// Drop after `polls` calls of `is_done`.
    Drop(usize),
}

fn rig() -> (Pl08xSim, Pl081) {
    let sim = Pl08xSim::pl081();
    // SAFETY: the simulator outlives the controller value.
    let dmac = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    (sim, dmac)
}

/// After the transfer ended: nothing moves any more and the TRM was obeyed.
fn quiescent(sim: &Pl08xSim) {
    let writes = sim.dma_writes();
    assert_eq!(sim.run(1000), 0, "the channel still moves after it was ended");
    assert_eq!(sim.dma_writes(), writes, "a DMA write after the end");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

/// `dst` is `src[..k]` followed by `sentinel`s; returns `k`.
fn prefix<W: Word + PartialEq + core::fmt::Debug>(src: &[W], dst: &[W], sentinel: W) -> usize {
    let k = src.iter().zip(dst).take_while(|(a, b)| a == b).count();
    assert!(dst[k..].iter().all(|w| *w == sentinel), "written beyond the prefix: {dst:?}");
    k
}

fn copy_case<W>(adv: &Adversary, n: usize, segment: Option<usize>, end: End, fail: Option<u32>)
where
    W: Word + PartialEq + core::fmt::Debug + TryFrom<u64> + Default + From<u8>,
{
    let (sim, mut dmac) = rig();
    let ch = dmac.channel(0).unwrap();
    match segment {
        Some(items) => {
            let ch = ch.with_segment_limit(items).ok().unwrap();
            copy_on::<W, _>(adv, &sim, ch.with_lli_pool(pool(n.div_ceil(items))), n, end, fail);
        }
        None => copy_on::<W, _>(adv, &sim, ch, n, end, fail),
    }
}

/// [`copy_case`] on `ch`, a channel with or without an LLI pool.
fn copy_on<W, P: MaybeLliPool>(
    adv: &Adversary,
    sim: &Pl08xSim,
    ch: Channel<2, DmbFence, P>,
    n: usize,
    end: End,
    fail: Option<u32>,
) where
    W: Word + PartialEq + core::fmt::Debug + TryFrom<u64> + Default + From<u8>,
{
    if let Some(item) = fail {
        sim.fail_after(0, item);
    }
    let src = leak(&ramp::<W>(n, 1));
    let sentinel = W::from(0xEE);
    let (dst_ptr, dst) = common::leak_raw(&vec![sentinel; n]);
    let copy = ch.copy(&*src, dst).ok().unwrap();
    let guard = sim.adversarial(adv);
    let polls = match end {
        End::Wait => 0,
        End::Stop(p) | End::Drop(p) => p,
    };
    for _ in 0..polls {
        let _ = copy.is_done();
    }
    match end {
        End::Wait | End::Stop(_) => {
            let outcome = if matches!(end, End::Wait) { copy.wait() } else { copy.stop() };
            let (transferred, dst) = match outcome {
                Ok(done) => {
                    assert!(fail.is_none() || fail.is_some_and(|f| f as usize >= n));
                    (done.transferred, done.buffer.1)
                }
                Err(failed) => {
                    assert_eq!(failed.error, Error::Bus);
                    assert_eq!(u32::try_from(failed.transferred).ok(), fail, "count at the error");
                    (failed.transferred, failed.buffer.1)
                }
            };
            drop(guard);
            let k = prefix(src, dst, sentinel);
            assert_eq!(k, transferred, "transferred vs what the destination holds");
            if matches!(end, End::Wait) && fail.is_none() {
                assert_eq!(transferred, n);
            }
            quiescent(sim);
            assert_eq!(prefix(src, dst, sentinel), k, "changed after stop returned");
        }
        End::Drop(_) => {
            drop(copy);
            drop(guard);
            quiescent(sim);
            // SAFETY: the leaked buffer's transfer ended (drop stopped the
            // channel); nothing else uses the memory.
            let dst = unsafe { &*dst_ptr };
            prefix(src, dst, sentinel);
        }
    }
}

fn report(api: &str, explored: Explored, random: usize) {
    println!(
        "adversarial {api}: {} schedules (exhaustive: {}) over the first {DEPTH} accesses, K = {K}; {random} random schedules",
        explored.schedules, explored.exhaustive
    );
    assert!(explored.exhaustive, "{api}: the exhaustive run hit its limit");
}

#[test]
fn copy_wait_every_width() {
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u32>(adv, 3, None, End::Wait, None));
    let r = explore_random(3, 0..SEEDS, |adv| copy_case::<u32>(adv, 9, None, End::Wait, None));
    report("copy u32 wait", e, r);
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u16>(adv, 3, None, End::Wait, None));
    let r = explore_random(3, 0..SEEDS, |adv| copy_case::<u16>(adv, 9, None, End::Wait, None));
    report("copy u16 wait", e, r);
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u8>(adv, 3, None, End::Wait, None));
    let r = explore_random(3, 0..SEEDS, |adv| copy_case::<u8>(adv, 9, None, End::Wait, None));
    report("copy u8 wait", e, r);
}

#[test]
fn copy_stop_mid_flight() {
    for polls in 0..3 {
        let e =
            explore(K, DEPTH, LIMIT, |adv| copy_case::<u32>(adv, 3, None, End::Stop(polls), None));
        report(&format!("copy stop after {polls} polls"), e, 0);
    }
    let r = explore_random(3, 0..SEEDS, |adv| {
        let polls = adv.next_beats() as usize * 2;
        copy_case::<u8>(adv, 8, None, End::Stop(polls), None);
    });
    report("copy stop (random polls)", Explored { schedules: 0, exhaustive: true }, r);
}

#[test]
fn copy_drop_mid_flight() {
    for polls in 0..3 {
        let e =
            explore(K, DEPTH, LIMIT, |adv| copy_case::<u16>(adv, 3, None, End::Drop(polls), None));
        report(&format!("copy drop after {polls} polls"), e, 0);
    }
    let r = explore_random(3, 0..SEEDS, |adv| {
        let polls = adv.next_beats() as usize * 2;
        copy_case::<u32>(adv, 8, None, End::Drop(polls), None);
    });
    report("copy drop (random polls)", Explored { schedules: 0, exhaustive: true }, r);
}

#[test]
fn lli_copies_wait_and_stop() {
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u32>(adv, 5, Some(2), End::Wait, None));
    let r = explore_random(3, 0..SEEDS, |adv| copy_case::<u16>(adv, 23, Some(4), End::Wait, None));
    report("LLI copy wait", e, r);
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u8>(adv, 5, Some(2), End::Stop(1), None));
    let r = explore_random(3, 0..SEEDS, |adv| {
        let polls = adv.next_beats() as usize * 3;
        copy_case::<u32>(adv, 23, Some(4), End::Stop(polls), None);
    });
    report("LLI copy stop", e, r);
    let r = explore_random(3, 0..SEEDS, |adv| {
        let polls = adv.next_beats() as usize * 3;
        copy_case::<u8>(adv, 23, Some(4), End::Drop(polls), None);
    });
    report("LLI copy drop", Explored { schedules: 0, exhaustive: true }, r);
}

#[test]
fn bus_errors_give_the_count() {
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u32>(adv, 3, None, End::Wait, Some(1)));
    let r =
        explore_random(3, 0..SEEDS, |adv| copy_case::<u16>(adv, 11, Some(3), End::Wait, Some(7)));
    report("copy with a bus error", e, r);
}

fn fixed_case(adv: &Adversary, n: usize, end: End, rx: bool) {
    let (sim, mut dmac) = rig();
    let dr: &'static AtomicU32 = Box::leak(Box::new(AtomicU32::new(0)));
    // SAFETY: a leaked atomic, valid forever, accessed only atomically.
    let port =
        unsafe { FixedAddress::new(dmac.channel(1).unwrap(), dr.as_ptr().cast(), Pacing::Line(2)) }
            .ok()
            .unwrap();
    sim.set_request(2, true);
    let src = leak(&ramp::<u32>(n, 3));
    let polls = match end {
        End::Wait => 0,
        End::Stop(p) | End::Drop(p) => p,
    };
    if rx {
        dr.store(0x55, Ordering::SeqCst);
        let dst = leak(&vec![0xEE_u32; n]);
        let t = port.read_exact(dst).ok().unwrap();
        let guard = sim.adversarial(adv);
        for _ in 0..polls {
            let _ = t.is_done();
        }
        let done = if matches!(end, End::Wait) { t.wait() } else { t.stop() }.ok().unwrap();
        drop(guard);
        let k = prefix(&vec![0x55; n], done.buffer, 0xEE);
        assert_eq!(k, done.transferred);
        if matches!(end, End::Wait) {
            assert_eq!(k, n);
        }
        quiescent(&sim);
    } else {
        let t = port.write_all(&*src).ok().unwrap();
        let guard = sim.adversarial(adv);
        for _ in 0..polls {
            let _ = t.is_done();
        }
        let done = if matches!(end, End::Wait) { t.wait() } else { t.stop() }.ok().unwrap();
        drop(guard);
        let k = done.transferred;
        let last = if k == 0 { 0 } else { src[k - 1] };
        assert_eq!(dr.load(Ordering::SeqCst), last, "the register holds item k-1");
        if matches!(end, End::Wait) {
            assert_eq!(k, n);
        }
        quiescent(&sim);
        assert_eq!(dr.load(Ordering::SeqCst), last, "written after stop returned");
    }
}

#[test]
fn fixed_address_tx_and_rx() {
    let e = explore(K, DEPTH, LIMIT, |adv| fixed_case(adv, 3, End::Wait, false));
    let r = explore_random(3, 0..SEEDS, |adv| {
        fixed_case(adv, 7, End::Stop(adv.next_beats() as usize), false)
    });
    report("fixed-address TX", e, r);
    let e = explore(K, DEPTH, LIMIT, |adv| fixed_case(adv, 3, End::Stop(1), true));
    let r = explore_random(3, 0..SEEDS, |adv| fixed_case(adv, 7, End::Wait, true));
    report("fixed-address RX", e, r);
}

fn list_case(adv: &Adversary, end: End, rx: bool) {
    let (sim, mut dmac) = rig();
    let ch = dmac.channel(0).unwrap().with_segment_limit(2).ok().unwrap().with_lli_pool(pool(4));
    let dr: &'static AtomicU32 = Box::leak(Box::new(AtomicU32::new(0)));
    // SAFETY: a leaked atomic, valid forever, accessed only atomically.
    let port = unsafe { FixedAddress::new(ch, dr.as_ptr().cast(), Pacing::Unpaced) }.ok().unwrap();
    let polls = match end {
        End::Wait => 0,
        End::Stop(p) | End::Drop(p) => p,
    };
    if rx {
        dr.store(0x55, Ordering::SeqCst);
        let t = port.read_scatter([leak(&[0xEE_u16; 3]), leak(&[0xEE_u16; 2])]).ok().unwrap();
        let guard = sim.adversarial(adv);
        for _ in 0..polls {
            let _ = t.is_done();
        }
        let done = if matches!(end, End::Wait) { t.wait() } else { t.stop() }.ok().unwrap();
        drop(guard);
        let flat: Vec<u16> = done.buffer.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(prefix(&[0x55; 5], &flat, 0xEE), done.transferred, "scatter order and count");
        quiescent(&sim);
    } else {
        let lists: [&'static [u16]; 3] = [&[1, 2, 3], &[], &[4, 5]];
        let flat = [1u16, 2, 3, 4, 5];
        let t = port.write_gather(lists).ok().unwrap();
        let guard = sim.adversarial(adv);
        for _ in 0..polls {
            let _ = t.is_done();
        }
        let done = if matches!(end, End::Wait) { t.wait() } else { t.stop() }.ok().unwrap();
        drop(guard);
        let k = done.transferred;
        let last = if k == 0 { 0 } else { u32::from(flat[k - 1]) };
        assert_eq!(dr.load(Ordering::SeqCst), last, "gather order and count");
        if matches!(end, End::Wait) {
            assert_eq!(k, 5);
        }
        quiescent(&sim);
    }
}

#[test]
fn gather_and_scatter_lists() {
    let e = explore(K, DEPTH, LIMIT, |adv| list_case(adv, End::Wait, false));
    let r = explore_random(3, 0..SEEDS, |adv| {
        list_case(adv, End::Stop(adv.next_beats() as usize * 2), false)
    });
    report("gather write", e, r);
    let e = explore(K, DEPTH, LIMIT, |adv| list_case(adv, End::Stop(1), true));
    let r = explore_random(3, 0..SEEDS, |adv| {
        list_case(adv, End::Stop(adv.next_beats() as usize * 2), true)
    });
    report("scatter read", e, r);
}

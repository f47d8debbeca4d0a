//! Every transfer API under the adversarial scheduler: the simulated RP2040
//! advances 0..=K steps before every CPU access the HAL makes (every
//! schedule of the first accesses, then seeded random schedules). Checked
//! each time: data intact, `transferred` equal to what the destination
//! holds, the destination a prefix of the source and untouched beyond it,
//! no DMA write after `wait`/`stop`/drop returned, no violation recorded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::{leak, leak_raw, ramp, scale, stepped};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary, Explored};
use dma_impl_mock::sim::rp2040::{Rp2040Sim, Side};
use dma_impl_rp2040::{Error, Spi, Spi0, Uart, Uart1};
use dma_traits::{DmaCopy, DmaFullDuplex, DmaRead, DmaWrite, Transfer, Word};

const K: u32 = 2;
const DEPTH: usize = scale(7, 2);
const LIMIT: usize = scale(20_000, 100);
const SEEDS: u64 = scale(200, 2) as u64;

#[derive(Clone, Copy, Debug)]
enum End {
    Wait,
    /// `stop` after this many `is_done` polls.
    Stop(usize),
    /// Drop after this many polls.
    Drop(usize),
}

impl End {
    fn polls(self) -> usize {
        match self {
            End::Wait => 0,
            End::Stop(p) | End::Drop(p) => p,
        }
    }
}

/// After the end: nothing moves any more, nothing was done wrong.
fn quiescent(sim: &Rp2040Sim) {
    let writes = sim.dma_writes();
    sim.run(1000);
    assert_eq!(sim.dma_writes(), writes, "a DMA write after the transfer ended");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

/// `dst` is `src[..k]` followed by `sentinel`s; returns `k`.
fn prefix<W: Word + PartialEq + core::fmt::Debug>(src: &[W], dst: &[W], sentinel: W) -> usize {
    let k = src.iter().zip(dst).take_while(|(a, b)| a == b).count();
    assert!(dst[k..].iter().all(|w| *w == sentinel), "written beyond the prefix: {dst:?}");
    k
}

fn copy_case<W>(adv: &Adversary, n: usize, end: End, fail: Option<(u32, Side)>)
where
    W: Word + PartialEq + core::fmt::Debug + TryFrom<u64> + Default + From<u8>,
{
    let (sim, ch) = stepped();
    let [_, _, ch2, ..] = ch;
    if let Some((item, side)) = fail {
        sim.fail_after(2, item, side);
    }
    let src = leak(&ramp::<W>(n, 1));
    let sentinel = W::from(0xEE);
    let (dst_ptr, dst) = leak_raw(&vec![sentinel; n]);
    let copy = ch2.copy(&*src, dst).ok().unwrap();
    let guard = sim.adversarial(adv);
    for _ in 0..end.polls() {
        let _ = copy.is_done();
    }
    match end {
        End::Wait | End::Stop(_) => {
            let outcome = if matches!(end, End::Wait) { copy.wait() } else { copy.stop() };
            let (transferred, dst) = match outcome {
                Ok(done) => {
                    assert!(fail.is_none() || !matches!(end, End::Wait));
                    (done.transferred, done.buffer.1)
                }
                Err(failed) => {
                    let (item, side) = fail.expect("an error only when one was injected");
                    let want = if side == Side::Read { Error::ReadBus } else { Error::WriteBus };
                    assert_eq!(failed.error, want);
                    assert_eq!(failed.transferred, item as usize, "count at the error");
                    (failed.transferred, failed.buffer.1)
                }
            };
            drop(guard);
            let k = prefix(src, dst, sentinel);
            assert_eq!(k, transferred, "transferred vs what the destination holds");
            if matches!(end, End::Wait) && fail.is_none() {
                assert_eq!(transferred, n);
            }
            quiescent(&sim);
            assert_eq!(prefix(src, dst, sentinel), k, "changed after stop returned");
        }
        End::Drop(_) => {
            drop(copy);
            drop(guard);
            quiescent(&sim);
            // SAFETY: the transfer ended (drop stopped the channel); nothing
            // else uses the leaked memory.
            prefix(src, unsafe { &*dst_ptr }, sentinel);
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
    let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u32>(adv, 3, End::Wait, None));
    let r = explore_random(3, 0..SEEDS, |adv| copy_case::<u16>(adv, 9, End::Wait, None));
    report("copy wait (u32, u16)", e, r);
    if !cfg!(miri) {
        let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u8>(adv, 3, End::Wait, None));
        report("copy wait (u8)", e, 0);
    }
}

#[test]
fn copy_stop_and_drop_mid_flight() {
    // Under Miri (each schedule a whole interpreted run) one poll count.
    for polls in scale(0, 1)..scale(3, 2) {
        let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u32>(adv, 3, End::Stop(polls), None));
        report(&format!("copy stop after {polls} polls"), e, 0);
        let e = explore(K, DEPTH, LIMIT, |adv| copy_case::<u16>(adv, 3, End::Drop(polls), None));
        report(&format!("copy drop after {polls} polls"), e, 0);
    }
    let r = explore_random(3, 0..SEEDS, |adv| {
        let polls = adv.next_beats() as usize * 2;
        copy_case::<u8>(adv, 8, End::Stop(polls), None);
    });
    report("copy stop (random polls)", Explored { schedules: 0, exhaustive: true }, r);
    let r = explore_random(3, 0..SEEDS, |adv| {
        let polls = adv.next_beats() as usize * 2;
        copy_case::<u32>(adv, 8, End::Drop(polls), None);
    });
    report("copy drop (random polls)", Explored { schedules: 0, exhaustive: true }, r);
}

#[test]
fn bus_errors_give_the_count() {
    let e = explore(K, DEPTH, LIMIT, |adv| {
        copy_case::<u32>(adv, 3, End::Wait, Some((1, Side::Read)));
    });
    let r = explore_random(3, 0..SEEDS, |adv| {
        copy_case::<u16>(adv, 9, End::Wait, Some((5, Side::Write)));
    });
    report("copy with a bus error", e, r);
}

fn spi_case(adv: &Adversary, n: usize, end: End, duplex: bool) {
    let (sim, ch) = stepped();
    let [tx, _, _, _, _, rx, ..] = ch;
    // SAFETY: the simulator's SPI0 block, alive for the case.
    let spi = unsafe { Spi::<Spi0>::new(sim.spi_base(0), tx, rx) };
    let fed: Vec<u8> = ramp(n, 40);
    sim.feed_spi(0, &fed.iter().map(|&b| u32::from(b)).collect::<Vec<_>>());
    let out = leak(&ramp::<u8>(n, 3));
    let (in_ptr, inp) = leak_raw(&vec![0xEEu8; n]);
    let t = if duplex {
        spi.transfer(&*out, inp).ok().unwrap()
    } else {
        // A read only: the transmit side sends the dummy word.
        let t = DmaRead::read_exact(spi, inp).ok().unwrap();
        let done = finish(&sim, adv, t, end);
        if let Some((k, buffer)) = done {
            assert_eq!(prefix(&fed, buffer, 0xEE), k);
            if matches!(end, End::Wait) {
                assert_eq!(k, n);
                assert!(sim.spi_sent(0).iter().all(|&w| w == 0), "the dummy word is 0");
            }
        }
        quiescent(&sim);
        // SAFETY: the transfer ended; the leaked memory is ours.
        prefix(&fed, unsafe { &*in_ptr }, 0xEE);
        return;
    };
    if let Some((k, (_, buffer))) = finish(&sim, adv, t, end) {
        assert_eq!(prefix(&fed, buffer, 0xEE), k, "received = the fed words, k of them");
        if matches!(end, End::Wait) {
            assert_eq!(k, n);
            sim.run(100);
            assert_eq!(sim.spi_sent(0), out.iter().map(|&b| u32::from(b)).collect::<Vec<_>>());
        }
    }
    quiescent(&sim);
    // SAFETY: as above.
    prefix(&fed, unsafe { &*in_ptr }, 0xEE);
}

/// Ends `t` under the adversary as `end` says; the count and the buffer
/// (None after a drop).
fn finish<T: Transfer>(
    sim: &Rp2040Sim,
    adv: &Adversary,
    t: T,
    end: End,
) -> Option<(usize, T::Buffer)>
where
    T::Error: core::fmt::Debug,
{
    let guard = sim.adversarial(adv);
    for _ in 0..end.polls() {
        let _ = t.is_done();
    }
    let outcome = match end {
        End::Wait => t.wait(),
        End::Stop(_) => t.stop(),
        End::Drop(_) => {
            drop(t);
            return None;
        }
    };
    drop(guard);
    let done = outcome.ok().expect("no error injected");
    Some((done.transferred, done.buffer))
}

#[test]
fn spi_full_duplex_and_read() {
    let e = explore(K, DEPTH, LIMIT, |adv| spi_case(adv, 3, End::Wait, true));
    let r = explore_random(3, 0..SEEDS, |adv| spi_case(adv, 12, End::Wait, true));
    report("SPI full duplex wait", e, r);
    if !cfg!(miri) {
        let e = explore(K, DEPTH, LIMIT, |adv| spi_case(adv, 3, End::Stop(1), true));
        let r = explore_random(3, 0..SEEDS, |adv| {
            let end = End::Drop(adv.next_beats() as usize * 3);
            spi_case(adv, 12, end, true);
        });
        report("SPI full duplex stop / drop", e, r);
    }
    let e = explore(K, DEPTH, LIMIT, |adv| spi_case(adv, 3, End::Wait, false));
    let r = explore_random(3, 0..SEEDS, |adv| {
        let end = End::Stop(adv.next_beats() as usize * 3);
        spi_case(adv, 10, end, false);
    });
    report("SPI read", e, r);
}

fn uart_case(adv: &Adversary, n: usize, end: End, rx: bool) {
    let (sim, ch) = stepped();
    let [_, _, _, _, _, _, _, a, b, ..] = ch;
    // SAFETY: the simulator's UART1 block, alive for the case.
    let (utx, urx) = unsafe { Uart::<Uart1>::new(sim.uart_base(1)) }.split(a, b);
    if rx {
        let fed: Vec<u8> = ramp(n, 9);
        sim.feed_uart(1, &fed);
        let (ptr, buf) = leak_raw(&vec![0xEEu8; n]);
        let t = urx.read_exact(buf).ok().unwrap();
        if let Some((k, buffer)) = finish(&sim, adv, t, end) {
            assert_eq!(prefix(&fed, buffer, 0xEE), k);
            if matches!(end, End::Wait) {
                assert_eq!(k, n);
            }
        }
        quiescent(&sim);
        // SAFETY: the transfer ended; the leaked memory is ours.
        prefix(&fed, unsafe { &*ptr }, 0xEE);
    } else {
        let out = leak(&ramp::<u8>(n, 2));
        let t = utx.write_all(&*out).ok().unwrap();
        let done = finish(&sim, adv, t, end);
        quiescent(&sim);
        let sent = sim.uart_sent(1);
        if let Some((k, _)) = done {
            assert_eq!(sent.len(), k, "every byte the DMA moved, and only those, was sent");
            if matches!(end, End::Wait) {
                assert_eq!(k, n);
            }
        }
        assert_eq!(sent[..], out[..sent.len()]);
    }
}

#[test]
fn uart_tx_and_rx() {
    let e = explore(K, DEPTH, LIMIT, |adv| uart_case(adv, 3, End::Wait, false));
    let r = explore_random(3, 0..SEEDS, |adv| {
        let end = End::Stop(adv.next_beats() as usize * 2);
        uart_case(adv, 9, end, false);
    });
    report("UART TX", e, r);
    let e = explore(K, DEPTH, LIMIT, |adv| uart_case(adv, 3, End::Stop(2), true));
    let r = explore_random(3, 0..SEEDS, |adv| {
        let end = End::Drop(adv.next_beats() as usize * 2);
        uart_case(adv, 9, end, true);
    });
    report("UART RX", e, r);
}

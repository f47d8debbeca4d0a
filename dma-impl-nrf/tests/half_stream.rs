//! The UARTE's `DmaReadStream<u8>`: one buffer, received half by half, each
//! half copied out; an overrun (`ERRORSRC.OVERRUN`) discards the half it
//! touched and is reported; refusals give everything back. Also under the
//! adversarial scheduler.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::Cell;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary};
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{Chip, Error, Nrf52832, Nrf52840, Uarte, UarteRx};
use dma_mmio::host::interleave::Interleaving;
use dma_traits::{DmaRead, DmaReadStream, Error as _, ErrorKind, ReadStream, Transfer};

fn rx<C: Chip>(sim: &EasyDmaSim) -> UarteRx<C> {
    // SAFETY: the simulator's block, used only by this UARTE.
    unsafe { Uarte::<C>::new(sim.base()) }.split().1
}

/// The trait's `read_stream` (`UarteRx` has an inherent `read_stream` of
/// its own, the two-buffer `RxStream`).
fn halves<C: Chip, B: dma_traits::StaticWriteBuffer<Word = u8>>(
    rx: UarteRx<C>,
    buffer: B,
) -> dma_traits::Started<<UarteRx<C> as DmaReadStream<u8>>::Stream<B>> {
    DmaReadStream::read_stream(rx, buffer)
}

/// Distinct, nonzero bytes (so a missing or repeated byte shows).
fn line(n: usize) -> Vec<u8> {
    (0..n).map(|i| u8::try_from(i % 250).unwrap() + 1).collect()
}

/// What one run saw.
#[derive(Debug, Default)]
struct Seen {
    halves: Vec<Vec<u8>>,
    overruns: usize,
}

/// Reads halves until `want` were handed out or discarded, advancing the
/// simulator with `advance` whenever none is complete.
fn follow<S: ReadStream<u8, Error = Error>>(
    stream: &mut S,
    want: usize,
    mut advance: impl FnMut(),
) -> Seen {
    let mut seen = Seen::default();
    let mut out = vec![0u8; stream.half_len()];
    let mut idle = 0;
    while seen.halves.len() + seen.overruns < want {
        match stream.read_half(&mut out) {
            Ok(Some(n)) => {
                assert_eq!(n, stream.half_len());
                seen.halves.push(out[..n].to_vec());
                idle = 0;
            }
            Ok(None) => {
                idle += 1;
                assert!(idle < 10_000, "no half completes: {seen:?}");
                advance();
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Overrun, "{e:?}");
                seen.overruns += 1;
            }
        }
    }
    seen
}

/// Every half handed out is the line's bytes at its place: halves follow
/// each other on the line, except where an overrun skipped (a lost byte
/// shifts the rest of the line by one).
fn check(seen: &Seen, line: &[u8], half: usize, lost_bytes: usize) {
    let mut at = 0;
    let mut overruns_left = seen.overruns;
    for got in &seen.halves {
        while line.get(at..at + half) != Some(&got[..]) {
            assert!(overruns_left > 0, "a half not on the line at {at}: {got:?} ({seen:?})");
            // The discarded half, and the bytes lost with it.
            at += half + lost_bytes;
            overruns_left -= 1;
        }
        at += half;
    }
}

#[test]
fn halves_arrive_in_order_and_stop_gives_everything_back() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let data = line(40);
    sim.feed(&data);
    let mut stream = halves(rx::<Nrf52840>(&sim), vec![0u8; 8]).ok().unwrap();
    assert_eq!(stream.half_len(), 4);
    let seen = follow(&mut stream, 10, || {
        sim.step();
    });
    assert_eq!(seen.overruns, 0);
    assert_eq!(seen.halves.concat(), data);
    assert_eq!(stream.lost_words(), 0);
    assert!(!stream.is_done());
    let done = stream.stop().unwrap();
    assert_eq!(done.transferred, 40);
    assert_eq!(done.buffer.len(), 8);
    assert!(sim.is_idle());
    // The receiver works again.
    sim.feed(b"ok");
    let again = done.resources.read_exact(vec![0u8; 2]).unwrap();
    sim.run(100);
    let again = again.wait().unwrap();
    assert_eq!(again.buffer, b"ok");
}

#[test]
fn threaded_halves_arrive_in_order() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let data = line(if cfg!(miri) { 24 } else { 400 });
    let mut stream = halves(rx::<Nrf52840>(&sim), vec![0u8; 16]).ok().unwrap();
    sim.feed(&data);
    let seen = follow(&mut stream, data.len() / 8, std::thread::yield_now);
    assert_eq!(seen.overruns, 0);
    assert_eq!(seen.halves.concat(), data);
    drop(stream);
    assert!(sim.is_idle(), "Drop stopped the receiver");
}

/// A late CPU: the UARTE loses a byte (`ERRORSRC.OVERRUN`). The half it
/// fell in is discarded and reported as `Overrun`; the stream goes on with
/// the next half, and never hands out a half with the gap in it.
#[test]
fn an_overrun_discards_the_half_and_sampling_goes_on() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let data = line(41);
    sim.feed(&data);
    sim.inject_uart_overrun(9); // byte 9 (in the third half) is lost
    let mut stream = halves(rx::<Nrf52840>(&sim), vec![0u8; 8]).ok().unwrap();
    let seen = follow(&mut stream, 10, || {
        sim.step();
    });
    assert_eq!(seen.overruns, 1, "{seen:?}");
    assert_eq!(stream.lost_words(), 4, "the discarded half");
    assert_eq!(seen.halves[..2].concat(), data[..8]);
    // Half 2 would have held bytes 8, 10, 11, 12: discarded; then 13.. go on.
    assert_eq!(seen.halves[2..].concat(), data[13..41]);
    check(&seen, &data, 4, 1);
    assert!(stream.stop().is_ok(), "an overrun does not stop the stream");
}

/// A framing error stops the stream: reported (kind `Other`), `is_done`,
/// and `stop` gives the buffer back with the error.
#[test]
fn a_framing_error_stops_the_stream() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    sim.feed(&line(12));
    sim.inject_uart_error(6, 1 << 2);
    let mut stream = halves(rx::<Nrf52840>(&sim), vec![0u8; 8]).ok().unwrap();
    let mut out = [0u8; 4];
    while stream.read_half(&mut out) == Ok(None) {
        assert!(sim.step());
    }
    assert_eq!(out, line(4)[..], "the half before the error");
    sim.run(100);
    assert!(stream.is_done());
    assert_eq!(stream.read_half(&mut out), Err(Error::Framing));
    assert_eq!(stream.read_half(&mut out), Err(Error::Framing), "stays stopped");
    let failed = stream.stop().unwrap_err();
    assert_eq!(failed.error, Error::Framing);
    assert_eq!(failed.buffer.len(), 8);
    assert!(sim.is_idle());
}

#[test]
fn refusals_give_everything_back_and_start_nothing() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52832().step());
    let rx = rx::<Nrf52832>(&sim);
    assert_eq!(DmaReadStream::<u8>::max_len(&rx), 510);
    let refuse = |rx: UarteRx<Nrf52832>, buffer: Vec<u8>, kind: ErrorKind| {
        let len = buffer.len();
        let failed = halves(rx, buffer).err().unwrap();
        assert_eq!(failed.error.kind(), kind, "{len} bytes: {:?}", failed.error);
        assert_eq!(failed.buffer.len(), len, "the buffer came back");
        assert_eq!(failed.transferred, 0);
        failed.resources
    };
    let rx = refuse(rx, vec![], ErrorKind::Empty);
    let rx = refuse(rx, vec![0; 7], ErrorKind::OddLength);
    let rx = refuse(rx, vec![0; 1], ErrorKind::OddLength);
    let rx = refuse(rx, vec![0; 512], ErrorKind::TooLong { max: 510 });
    // A `&[u8]` is not a write buffer: a flash buffer cannot even be
    // offered; a RAM buffer placed at a flash address stands in for it.
    let mut ram = vec![0u8; 8];
    let _placed = dma_mmio::host::place(ram.as_ptr(), 8, 0x0001_0000);
    let failed = halves(rx, std::mem::take(&mut ram)).err().unwrap();
    assert_eq!(failed.error.kind(), ErrorKind::Unreachable);
    let rx = failed.resources;
    assert_eq!(sim.starts(), 0, "nothing started");
    sim.disable();
    let failed = halves(rx, vec![0u8; 8]).err().unwrap();
    assert_eq!(failed.error, Error::NotEnabled);
    assert_eq!(sim.starts(), 0);
    assert!(sim.is_idle());
}

/// Beats the hardware may advance before one CPU access.
const K: u32 = 2;
#[cfg(not(miri))]
const DEPTH: usize = 8;
#[cfg(miri)]
const DEPTH: usize = 1;
#[cfg(not(miri))]
const SEEDS: u64 = 200;
#[cfg(miri)]
const SEEDS: u64 = 2;
const WATCHDOG: usize = 20_000;

fn attach(sim: &EasyDmaSim, adv: &Adversary) -> Interleaving {
    let step = sim.stepper();
    let count = Cell::new(0usize);
    adv.attach(move || {
        count.set(count.get() + 1);
        if count.get() == WATCHDOG {
            panic!("watchdog: the driver waited {WATCHDOG} accesses for the hardware");
        }
        step()
    })
}

/// One adversarial run: the line carries `halves` halves (and one byte lost
/// to an overrun at `overrun_at`, if any); the CPU reads them all. Every
/// half handed out is the line's at its place (so none was handed out with
/// a gap or from another lap), exactly the injected overrun is reported, and
/// after `stop` the simulator is idle.
fn adversarial_case(adv: &Adversary, overrun_at: Option<usize>) {
    let log = Recorder::new();
    let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840().step());
    let half = 3;
    let rounds = 5;
    let lost = usize::from(overrun_at.is_some());
    let data = line(half * rounds + lost);
    sim.feed(&data);
    if let Some(at) = overrun_at {
        sim.inject_uart_overrun(at);
    }
    let mut stream = halves(rx::<Nrf52840>(&sim), vec![0u8; 2 * half]).ok().unwrap();
    let seen = {
        let _guard = attach(&sim, adv);
        let mut seen = Seen::default();
        let mut out = vec![0u8; half];
        let mut polls = 0;
        while seen.halves.len() + seen.overruns < rounds {
            polls += 1;
            assert!(polls < 100_000, "no half completes: {seen:?}, {:?}", sim.pending_feed());
            match stream.read_half(&mut out) {
                Ok(Some(n)) => {
                    seen.halves.push(out[..n].to_vec());
                }
                Ok(None) => {}
                Err(e) => {
                    assert_eq!(e, Error::Overrun);
                    seen.overruns += 1;
                }
            }
        }
        seen
    };
    check(&seen, &data, half, lost);
    assert_eq!(seen.overruns, lost, "exactly the injected overrun: {seen:?}");
    assert_eq!(stream.lost_words(), (lost * half) as u64);
    let done = stream.stop().unwrap();
    assert_eq!(done.transferred, seen.halves.len() * half);
    assert!(sim.is_idle());
    assert!(log.events().contains(&Event::Stopped));
}

#[test]
fn adversarial_every_schedule_hands_out_only_the_lines_halves() {
    let explored = explore(K, DEPTH, 1_000_000, |adv| adversarial_case(adv, None));
    assert!(explored.exhaustive);
    let random = explore_random(K, 0..SEEDS, |adv| adversarial_case(adv, None));
    println!("{} exhaustive schedules, {random} random", explored.schedules);
}

#[test]
fn adversarial_an_overrun_is_reported_never_handed_out() {
    for at in [1, 4, 7] {
        let explored = explore(K, DEPTH.min(6), 1_000_000, |adv| adversarial_case(adv, Some(at)));
        assert!(explored.exhaustive);
        explore_random(K, 0..SEEDS / 2, |adv| adversarial_case(adv, Some(at)));
    }
}

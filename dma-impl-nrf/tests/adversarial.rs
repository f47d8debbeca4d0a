//! Every public nRF transfer API under the adversarial scheduler.
//!
//! The simulator runs in step mode and an [`Adversary`] advances it 0..=K
//! beats before every CPU access the driver makes (`explore`: every schedule
//! of the first accesses; `explore_random`: seeded schedules throughout).
//! After each schedule the case checks that
//!
//! * no beat of the simulated EasyDMA hit a buffer after the driver handed it
//!   to the CPU (the recorder's `DmaWrite`/`DmaRead` log after the hand-out),
//!   and the buffer still holds what it held when handed out;
//! * every byte fed to the line was delivered exactly once, in order, or is
//!   still on the line (the simulated peer waits while no buffer is latched,
//!   so nothing may be lost), and every byte sent is the buffer's;
//! * the counts (`transferred`, `received`, the stop amounts) match what moved.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary, Explored};
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_nrf::{Nrf52832, Nrf52840, Spim, Twim, Uarte, UarteRx, UarteTx};
use dma_mmio::host::interleave::Interleaving;
use dma_traits::{DmaFullDuplex, DmaRead, DmaWrite, Transfer};
use std::cell::Cell;

/// Beats the hardware may advance before one CPU access.
const K: u32 = 2;

/// Exhaustive depth (CPU accesses whose beat count is explored) and the
/// number of random seeds; smaller under Miri.
#[cfg(not(miri))]
const DEPTH: usize = 9;
#[cfg(miri)]
const DEPTH: usize = 2;
#[cfg(not(miri))]
const SEEDS: u64 = 300;
#[cfg(miri)]
const SEEDS: u64 = 3;

/// A cap no exhaustive exploration here reaches.
const LIMIT: usize = 1_000_000;
#[cfg(not(miri))]
const STREAM_BUFFERS: usize = 6;
#[cfg(miri)]
const STREAM_BUFFERS: usize = 3;

fn step_sim_uarte(log: &Recorder) -> EasyDmaSim {
    EasyDmaSim::uarte(log, SimConfig::nrf52840().step())
}

fn tx(sim: &EasyDmaSim) -> UarteTx<Nrf52840> {
    // SAFETY: the simulator's block, used only by this UARTE.
    unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().0
}

fn rx(sim: &EasyDmaSim) -> UarteRx<Nrf52840> {
    // SAFETY: the simulator's block, used only by this UARTE.
    unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().1
}

/// Distinct, nonzero bytes (so a missing or repeated byte shows).
fn line(n: usize) -> Vec<u8> {
    (0..n).map(|i| u8::try_from(i % 250).unwrap() + 1).collect()
}

/// A buffer the driver handed to the CPU: where it is, what it held, and
/// how long the log was at that moment.
struct HandedOut {
    addr: usize,
    len: usize,
    snapshot: Vec<u8>,
    mark: usize,
}

impl HandedOut {
    fn new(log: &Recorder, buffer: &[u8]) -> Self {
        HandedOut {
            addr: buffer.as_ptr() as usize,
            len: buffer.len(),
            snapshot: buffer.to_vec(),
            mark: log.events().len(),
        }
    }

    /// No DMA access touched the buffer after it was handed out, and it
    /// still holds what it held then.
    fn check(&self, log: &Recorder, now: &[u8], what: &str) {
        let range = self.addr..self.addr + self.len;
        let events = log.events();
        let late = events[self.mark..].iter().find(|e| match e {
            Event::DmaWrite { addr, .. } | Event::DmaRead { addr, .. } => range.contains(addr),
            _ => false,
        });
        assert!(late.is_none(), "{what}: EasyDMA touched it after it was handed out: {late:?}");
        assert_eq!(now, &self.snapshot[..], "{what}: changed after it was handed out");
    }
}

/// CPU accesses after which a case counts as hung (the driver waits for an
/// event that will never come).
const WATCHDOG: usize = 20_000;

/// Attaches `adv` to `sim`, with a watchdog: past [`WATCHDOG`] steps the hook
/// panics once (so a hang is a failure with its schedule, and the unwinding
/// drop of the driver still runs against a working simulator).
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

fn report(api: &str, explored: Explored, random: usize) {
    println!(
        "{api}: {} exhaustive schedules (K = {K}, depth {DEPTH}, complete: {}), {random} random",
        explored.schedules, explored.exhaustive
    );
    assert!(explored.exhaustive, "{api}: the schedule limit cut the exploration short");
}

/// The RX stream: `read_stream`, `buffers` calls of `next`, then `stop`.
/// The line carries two buffers' worth at the start and one more before
/// every further `next` (and `extra` bytes before the stop), so the hardware
/// may run ahead of the CPU but never so far that a correct driver waits for
/// ever. With `settle`, the adversary attaches only once the stream runs, so
/// the explored accesses are those of `next`.
fn stream_case(adv: &Adversary, len: usize, buffers: usize, extra: usize, settle: bool) {
    let log = Recorder::new();
    let sim = step_sim_uarte(&log);
    let fed = line(len * (buffers + 1) + extra);
    let mut feeding = fed.chunks(len);
    let mut feed_one = || sim.feed(feeding.next().unwrap_or(&[]));
    feed_one();
    feed_one();
    let mut guard = (!settle).then(|| attach(&sim, adv));
    let mut stream = rx(&sim).read_stream(vec![0u8; len], vec![0u8; len]).ok().unwrap();
    if settle {
        guard = Some(attach(&sim, adv));
    }
    let mut handed = Vec::new();
    for i in 0..buffers {
        if i > 0 {
            feed_one();
        }
        let filled = stream.next(vec![0u8; len]).ok().unwrap();
        assert!(filled.error.is_none(), "no error was injected");
        handed.push((HandedOut::new(&log, &filled.buffer), filled.received, filled.buffer));
    }
    sim.feed(&fed[len * (buffers + 1)..]);
    let stopped = stream.stop();
    drop(guard);
    assert!(sim.is_idle(), "the receiver stopped");

    let mut delivered = Vec::new();
    for (i, (out, received, buffer)) in handed.iter().enumerate() {
        out.check(&log, buffer, &format!("buffer {i}"));
        assert_eq!(*received, len, "buffer {i}: `next` returns a full buffer");
        delivered.extend_from_slice(&buffer[..*received]);
    }
    for (buffer, n) in &stopped.buffers {
        assert!(*n <= buffer.len());
        delivered.extend_from_slice(&buffer[..*n]);
    }
    let moved = fed.len() - sim.pending_feed();
    assert_eq!(delivered, fed[..moved], "every byte taken off the line, once and in order");
}

#[test]
fn rx_stream_steady_state_every_schedule() {
    let explored = explore(K, DEPTH, LIMIT, |adv| stream_case(adv, 2, 3, 1, true));
    report("RxStream next (steady state)", explored, 0);
}

#[test]
fn rx_stream_setup_and_stop_every_schedule() {
    let explored = explore(K, DEPTH, LIMIT, |adv| stream_case(adv, 2, 1, 1, false));
    report("RxStream read_stream + stop", explored, 0);
}

#[test]
fn rx_stream_random_schedules() {
    let n = explore_random(K, 0..SEEDS, |adv| stream_case(adv, 3, STREAM_BUFFERS, 2, false));
    println!("RxStream (3-byte buffers, {STREAM_BUFFERS} of them): {n} random schedules");
}

/// Runs `case` exhaustively (K, [`DEPTH`]) and under [`SEEDS`] random
/// schedules, and reports both counts.
fn every_schedule(api: &str, case: impl FnMut(&Adversary)) {
    every_schedule_to(DEPTH, api, case);
}

/// [`every_schedule`] with the exhaustive part cut to `depth` accesses.
fn every_schedule_to(depth: usize, api: &str, mut case: impl FnMut(&Adversary)) {
    let explored = explore(K, depth, LIMIT, &mut case);
    let random = explore_random(K, 0..SEEDS, &mut case);
    println!(
        "{api}: {} exhaustive schedules (K = {K}, depth {depth}, complete: {}), {random} random",
        explored.schedules, explored.exhaustive
    );
    assert!(explored.exhaustive, "{api}: the schedule limit cut the exploration short");
}

/// What the driver let go of, checked against the log: no EasyDMA access to
/// `buffer` after `mark`.
fn untouched_after(log: &Recorder, mark: usize, buffer: &[u8], what: &str) {
    HandedOut {
        addr: buffer.as_ptr() as usize,
        len: buffer.len(),
        snapshot: buffer.to_vec(),
        mark,
    }
    .check(log, buffer, what);
}

/// How a case ends a transfer.
#[derive(Clone, Copy, Debug)]
enum End {
    Wait,
    /// `is_done` once (a chance for the hardware to move), then `stop`.
    Stop,
    /// `is_done` once, then drop.
    Drop,
}

const ENDS: [End; 3] = [End::Wait, End::Stop, End::Drop];

fn uarte_tx_case(adv: &Adversary, len: usize, end: End) {
    let log = Recorder::new();
    let sim = step_sim_uarte(&log);
    let data = line(len);
    let guard = attach(&sim, adv);
    let transfer = tx(&sim).write_all(data.clone()).ok().unwrap();
    let (buffer, transferred) = match end {
        End::Wait => {
            let done = transfer.wait().ok().unwrap();
            assert_eq!(done.transferred, len, "wait: everything was sent");
            (Some(done.buffer), len)
        }
        End::Stop => {
            let _ = transfer.is_done();
            let done = transfer.stop().ok().unwrap();
            (Some(done.buffer), done.transferred)
        }
        End::Drop => {
            let _ = transfer.is_done();
            drop(transfer);
            (None, sim.take_sent().len())
        }
    };
    let mark = log.events().len();
    drop(guard);
    sim.run(100);
    assert!(sim.is_idle(), "{end:?}: the transmitter let go");
    assert_eq!(log.events().len(), mark, "{end:?}: no EasyDMA access after the transfer ended");
    if let Some(buffer) = buffer {
        assert_eq!(buffer, data, "a TX buffer comes back unchanged");
        assert_eq!(sim.take_sent(), data[..transferred], "{end:?}: sent exactly `transferred`");
    } else {
        assert!(transferred <= len);
    }
}

fn uarte_rx_case(adv: &Adversary, len: usize, end: End) {
    let log = Recorder::new();
    let sim = step_sim_uarte(&log);
    let fed = line(len + 2);
    sim.feed(&fed);
    let guard = attach(&sim, adv);
    let transfer = rx(&sim).read_exact(vec![0u8; len]).ok().unwrap();
    let got = match end {
        End::Wait => {
            let done = transfer.wait().ok().unwrap();
            assert_eq!(done.transferred, len, "wait: the buffer is full");
            Some((done.buffer, done.transferred))
        }
        End::Stop => {
            let _ = transfer.is_done();
            let done = transfer.stop().ok().unwrap();
            Some((done.buffer, done.transferred))
        }
        End::Drop => {
            let _ = transfer.is_done();
            drop(transfer);
            None
        }
    };
    let mark = log.events().len();
    drop(guard);
    sim.run(100);
    assert!(sim.is_idle(), "{end:?}: the receiver let go");
    assert_eq!(log.events().len(), mark, "{end:?}: no EasyDMA access after the transfer ended");
    let moved = fed.len() - sim.pending_feed();
    if let Some((buffer, transferred)) = got {
        untouched_after(&log, mark, &buffer, "RX buffer");
        assert_eq!(transferred, moved, "{end:?}: `transferred` is what left the line");
        assert_eq!(buffer[..transferred], fed[..transferred], "{end:?}: delivered in order");
        assert!(buffer[transferred..].iter().all(|&b| b == 0), "nothing past `transferred`");
    } else {
        assert!(moved <= len);
    }
}

#[test]
fn uarte_tx_one_shot_stop_and_drop() {
    for end in ENDS {
        every_schedule(&format!("UarteTx::write_all + {end:?}"), |adv| uarte_tx_case(adv, 3, end));
    }
}

#[test]
fn uarte_rx_one_shot_stop_and_drop() {
    for end in ENDS {
        every_schedule(&format!("UarteRx::read_exact + {end:?}"), |adv| uarte_rx_case(adv, 3, end));
    }
}

#[test]
fn uarte_chunked_and_bounced() {
    let chunk = if cfg!(miri) { 4 } else { 300 };
    // 300 bytes per schedule: the exhaustive part covers the first chunk's
    // start, the random schedules the rest.
    let depth = DEPTH.min(6);
    every_schedule_to(depth, "UarteTx::write_all_chunked (nRF52832)", |adv| {
        let log = Recorder::new();
        let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52832().step());
        let data = line(chunk);
        let guard = attach(&sim, adv);
        // SAFETY: the simulator's block, used only by this UARTE.
        let tx = unsafe { Uarte::<Nrf52832>::new(sim.base()) }.split().0;
        let done = tx.write_all_chunked(data.clone()).ok().unwrap();
        drop(guard);
        assert_eq!(done.transferred, chunk);
        assert_eq!(done.buffer, data);
        assert_eq!(sim.take_sent(), data, "every byte sent once, in order");
        assert!(sim.is_idle());
    });
    every_schedule_to(depth, "UarteRx::read_exact_chunked (nRF52832)", |adv| {
        let log = Recorder::new();
        let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52832().step());
        let fed = line(chunk + 1);
        sim.feed(&fed);
        let guard = attach(&sim, adv);
        // SAFETY: the simulator's block, used only by this UARTE.
        let rx = unsafe { Uarte::<Nrf52832>::new(sim.base()) }.split().1;
        let done = rx.read_exact_chunked(vec![0u8; chunk]).ok().unwrap();
        let mark = log.events().len();
        drop(guard);
        sim.run(10);
        untouched_after(&log, mark, &done.buffer, "chunked RX buffer");
        assert_eq!(done.transferred, chunk);
        assert_eq!(done.buffer, fed[..chunk]);
        assert_eq!(sim.pending_feed(), 1, "nothing read past the buffer");
    });
    every_schedule("UarteTx::write_all_bounced", |adv| {
        static SOURCE: [u8; 5] = *b"flash";
        let log = Recorder::new();
        let sim = step_sim_uarte(&log);
        let bounce: &'static mut heapless::Vec<u8, 8> = Box::leak(Box::default());
        let guard = attach(&sim, adv);
        let transfer = tx(&sim).write_all_bounced(&SOURCE, bounce).ok().unwrap();
        let done = transfer.wait().ok().unwrap();
        drop(guard);
        assert_eq!(done.transferred, 5);
        assert_eq!(sim.take_sent(), SOURCE);
        assert_eq!(done.buffer.as_slice(), SOURCE);
        // SAFETY: leaked above, given back here for the last time.
        drop(unsafe { Box::from_raw(done.buffer as *mut heapless::Vec<u8, 8>) });
    });
}

fn spim(sim: &EasyDmaSim) -> Spim<Nrf52840> {
    // SAFETY: the simulator's block, used only by this SPIM.
    unsafe { Spim::<Nrf52840>::new(sim.base()) }
}

/// SPIM full duplex (`tx_len` out, `rx_len` in), or one way when a length is 0.
fn spim_case(adv: &Adversary, tx_len: usize, rx_len: usize, end: End) {
    let log = Recorder::new();
    let sim = EasyDmaSim::spim(&log, SimConfig::nrf52840().step());
    let (out, miso) = (line(tx_len), line(rx_len.max(tx_len) + 1));
    sim.feed(&miso);
    let mut spim = spim(&sim);
    spim.set_orc(0xEE);
    let guard = attach(&sim, adv);
    let (tx_back, rx_back, transferred, ok) = match (tx_len, rx_len) {
        (_, 0) => {
            let t = spim.write_all(out.clone()).ok().unwrap();
            let outcome = finish(t, end);
            (outcome.as_ref().map(|(b, _)| b.clone()), None, outcome.map(|(_, n)| n), end)
        }
        (0, _) => {
            let t = spim.read_exact(vec![0u8; rx_len]).ok().unwrap();
            let outcome = finish(t, end);
            (None, outcome.as_ref().map(|(b, _)| b.clone()), outcome.map(|(_, n)| n), end)
        }
        _ => {
            let t = spim.transfer(out.clone(), vec![0u8; rx_len]).ok().unwrap();
            let outcome = finish(t, end);
            let n = outcome.as_ref().map(|(_, n)| *n);
            let (t, r) = outcome.map(|((t, r), _)| (t, r)).unzip();
            (t, r, n, end)
        }
    };
    let mark = log.events().len();
    drop(guard);
    sim.run(100);
    assert!(sim.is_idle(), "{ok:?}: the SPIM let go");
    assert_eq!(log.events().len(), mark, "{ok:?}: no EasyDMA access after the transfer ended");
    let clocked = sim.take_sent();
    if let Some(n) = transferred {
        assert_eq!(clocked.len(), n, "{ok:?}: `transferred` is the frames clocked");
        if matches!(end, End::Wait) {
            assert_eq!(n, tx_len.max(rx_len));
        }
    }
    if let Some(t) = tx_back {
        assert_eq!(t, out, "the TX buffer comes back unchanged");
        let sent = clocked.len().min(tx_len);
        assert_eq!(clocked[..sent], out[..sent]);
        assert!(clocked[sent..].iter().all(|&b| b == 0xEE), "ORC after the TX buffer");
    }
    if let Some(r) = rx_back {
        untouched_after(&log, mark, &r, "SPIM RX buffer");
        let got = clocked.len().min(rx_len);
        assert_eq!(r[..got], miso[..got], "MISO in order");
        assert!(r[got..].iter().all(|&b| b == 0));
    }
}

/// Ends `transfer` as `end` says; the buffer and `transferred`, unless dropped.
fn finish<T: Transfer>(transfer: T, end: End) -> Option<(T::Buffer, usize)>
where
    T::Error: core::fmt::Debug,
{
    match end {
        End::Wait => {
            let done = transfer.wait().ok().unwrap();
            Some((done.buffer, done.transferred))
        }
        End::Stop => {
            let _ = transfer.is_done();
            let done = transfer.stop().ok().unwrap();
            Some((done.buffer, done.transferred))
        }
        End::Drop => {
            let _ = transfer.is_done();
            drop(transfer);
            None
        }
    }
}

#[test]
fn spim_full_duplex_and_one_way() {
    for end in ENDS {
        every_schedule(&format!("Spim::transfer (3 out, 2 in) + {end:?}"), |adv| {
            spim_case(adv, 3, 2, end);
        });
        every_schedule(&format!("Spim::write_all + {end:?}"), |adv| spim_case(adv, 3, 0, end));
        every_schedule(&format!("Spim::read_exact + {end:?}"), |adv| spim_case(adv, 0, 3, end));
    }
}

fn twim(sim: &EasyDmaSim) -> Twim<Nrf52840> {
    // SAFETY: the simulator's block, used only by this TWIM.
    unsafe { Twim::<Nrf52840>::new(sim.base()) }
}

/// TWIM write (`rx_len` 0), read (`tx_len` 0) or write-then-read.
fn twim_case(adv: &Adversary, tx_len: usize, rx_len: usize, end: End) {
    let log = Recorder::new();
    let sim = EasyDmaSim::twim(&log, SimConfig::nrf52840().step());
    let (out, slave) = (line(tx_len), line(rx_len + 1));
    sim.feed(&slave);
    let guard = attach(&sim, adv);
    let twim = twim(&sim);
    let (tx_back, rx_back, transferred) = match (tx_len, rx_len) {
        (_, 0) => {
            let outcome = finish(twim.write_to(0x42, out.clone()).ok().unwrap(), end);
            let n = outcome.as_ref().map(|(_, n)| *n);
            (outcome.map(|(b, _)| b), None, n)
        }
        (0, _) => {
            let outcome = finish(twim.read_from(0x42, vec![0u8; rx_len]).ok().unwrap(), end);
            let n = outcome.as_ref().map(|(_, n)| *n);
            (None, outcome.map(|(b, _)| b), n)
        }
        _ => {
            let t = twim.write_then_read(0x42, out.clone(), vec![0u8; rx_len]).ok().unwrap();
            let outcome = finish(t, end);
            let n = outcome.as_ref().map(|(_, n)| *n);
            let (t, r) = outcome.map(|(b, _)| b).unzip();
            (t, r, n)
        }
    };
    let mark = log.events().len();
    drop(guard);
    sim.run(100);
    assert!(sim.is_idle(), "{end:?}: the TWIM let go");
    assert_eq!(log.events().len(), mark, "{end:?}: no EasyDMA access after the transfer ended");
    let written = sim.take_sent();
    assert_eq!(written[..], out[..written.len()], "bytes written in order, each once");
    let read = slave.len() - sim.pending_feed();
    if let Some(t) = tx_back {
        assert_eq!(t, out, "the TX buffer comes back unchanged");
    }
    if let Some(r) = &rx_back {
        untouched_after(&log, mark, r, "TWIM RX buffer");
        assert_eq!(r[..read], slave[..read], "bytes read in order");
        assert!(r[read..].iter().all(|&b| b == 0));
    }
    if let Some(n) = transferred {
        let expected = if rx_len == 0 { written.len() } else { read };
        assert_eq!(n, expected, "{end:?}: `transferred` counts what moved");
        if matches!(end, End::Wait) {
            assert_eq!(n, if rx_len == 0 { tx_len } else { rx_len });
        }
    }
}

#[test]
fn twim_write_read_and_write_then_read() {
    for end in ENDS {
        every_schedule(&format!("Twim::write_to + {end:?}"), |adv| twim_case(adv, 3, 0, end));
        every_schedule(&format!("Twim::read_from + {end:?}"), |adv| twim_case(adv, 0, 3, end));
        every_schedule(&format!("Twim::write_then_read + {end:?}"), |adv| {
            twim_case(adv, 2, 2, end);
        });
    }
}

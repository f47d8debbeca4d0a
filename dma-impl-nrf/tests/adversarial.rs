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
use dma_impl_nrf::{Nrf52840, Uarte, UarteRx};
use dma_mmio::host::interleave::Interleaving;
use std::cell::Cell;

/// Beats the hardware may advance before one CPU access.
const K: u32 = 2;

/// Exhaustive depth (CPU accesses whose beat count is explored) and the
/// number of random seeds; smaller under Miri.
#[cfg(not(miri))]
const DEPTH: usize = 8;
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

//! Every public transfer API of the STM32 driver under the adversarial
//! scheduler: the simulated DMA advances 0..=K beats before *every* CPU
//! access the driver makes (register reads and writes, and each
//! `load_from_dma` of the streaming copy-out), exhaustively over the first
//! accesses of small cases and over seeded random schedules of larger ones.
//!
//! Receive data is a sequence whose values name their position (`value =
//! position + 1`), so an item from the wrong lap, or one the DMA overwrote
//! before the driver validated the copy, is caught. After each schedule:
//!
//! * one-shot: the peripheral saw exactly the buffer (TX), the buffer holds
//!   exactly the items fed at their positions (RX), the counts match what
//!   left the peripheral, and nothing moves after `stop`/drop;
//! * streaming: every item handed out equals the fed item at the position
//!   the driver's accounting says, every item the DMA wrote is delivered
//!   once or counted lost by an `Overrun`, and (since the flags merge whole
//!   cycles) the only slack allowed is whole cycles right after an overrun.
//!
//! Each test prints how many schedules it ran (`--nocapture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
#![allow(missing_docs)]

use std::cell::Cell;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary, Explored};
use dma_impl_mock::sim::stm32::{ChannelDma, Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_stm32::memory::{CopyChannel, Memory};
use dma_impl_stm32::usart::{StatusData, Usart, UsartRx};
use dma_impl_stm32::{channel, stream, DmaChannel, Error, Half};
use dma_mmio::host::interleave::Interleaving;
use dma_traits::{CompilerFence, DmaCopy, DmaRead, DmaReadStream, DmaWrite, ReadStream, Transfer};

/// Beats per access (K) and, natively / under Miri, the exhaustive depth and
/// the number of random seeds.
const K: u32 = 2;
const DEPTH: usize = if cfg!(miri) { 2 } else { 9 };
const SEEDS: u64 = if cfg!(miri) { 1 } else { 300 };

/// A size of the random cases, smaller under Miri.
const fn big(n: usize) -> usize {
    if cfg!(miri) {
        n / 4
    } else {
        n
    }
}
const LIMIT: usize = 1_000_000;

/// The sequence fed to a receiver: `n` items whose values name their position.
fn seq(n: usize) -> Vec<u8> {
    assert!(n < 255, "values must stay unique");
    (1..=n).map(|v| u8::try_from(v).unwrap()).collect()
}

/// The position an item names.
fn position(value: u8) -> usize {
    assert_ne!(value, 0, "an item nobody fed (the buffer's initial value)");
    usize::from(value) - 1
}

// ---------------------------------------------------------------------------
// Rigs: a controller in step mode and a USART (F1: channel DMA, ch4 TX /
// ch5 RX; F4: stream DMA, s7 TX / s2 RX on request channel 4).

trait Controller {
    /// A fresh controller with the USART's requests wired, in step mode.
    fn wired(log: &Recorder, usart: &UsartSim) -> Self;
    fn attach(&self, adversary: &Adversary) -> Interleaving;
    fn beat(&self) -> bool;
    /// Offset of the control register of channel/stream `n`.
    fn cr(n: usize) -> usize;
    fn reg(&self, offset: usize) -> u32;
}

impl Controller for ChannelDma {
    fn wired(log: &Recorder, usart: &UsartSim) -> Self {
        let dma = ChannelDma::new(log.clone());
        dma.wire(4, usart.requests(), Line::Tx);
        dma.wire(5, usart.requests(), Line::Rx);
        dma
    }
    fn attach(&self, adversary: &Adversary) -> Interleaving {
        self.adversarial(adversary)
    }
    fn beat(&self) -> bool {
        self.step()
    }
    fn cr(n: usize) -> usize {
        0x08 + 0x14 * (n - 1)
    }
    fn reg(&self, offset: usize) -> u32 {
        self.register(offset)
    }
}

impl Controller for StreamDma {
    fn wired(log: &Recorder, usart: &UsartSim) -> Self {
        let dma = StreamDma::new(log.clone());
        dma.wire(7, 4, usart.requests(), Line::Tx);
        dma.wire(2, 4, usart.requests(), Line::Rx);
        dma
    }
    fn attach(&self, adversary: &Adversary) -> Interleaving {
        self.adversarial(adversary)
    }
    fn beat(&self) -> bool {
        self.step()
    }
    fn cr(n: usize) -> usize {
        0x10 + 0x18 * n
    }
    fn reg(&self, offset: usize) -> u32 {
        self.register(offset)
    }
}

/// The simulated hardware of one schedule (declared first, dropped last).
struct Hw<D> {
    log: Recorder,
    dma: D,
    usart: UsartSim,
}

impl<D: Controller> Hw<D> {
    fn new() -> Self {
        let log = Recorder::new();
        let usart = UsartSim::new(UsartLayout::StatusData);
        // Under Miri a frame takes one tick of the USART's clock, not 8:
        // fewer beats per item sent, the same code paths (Miri runs one
        // schedule per case; which beat lands where is the native run's job).
        if cfg!(miri) {
            usart.set_frame_ticks(1);
        }
        let dma = D::wired(&log, &usart);
        Hw { log, dma, usart }
    }

    fn usart(&self) -> Usart<StatusData> {
        // SAFETY: the simulator lives in `self`, which every test keeps
        // until the driver values built from it are gone.
        let mut usart = unsafe { Usart::<StatusData>::from_base(self.usart.base()) };
        usart.enable(1); // UE, TE, RE: the USART raises DMA requests
        usart
    }

    /// Marks a point in the log, lets the hardware run (with data fed) and
    /// checks that the DMA touched no memory after the mark.
    fn assert_quiet_after(&self, note: &'static str) {
        self.log.push(Event::Note(note));
        self.usart.feed(&[0xEE; 4]);
        for _ in 0..16 {
            self.dma.beat();
        }
        let events = self.log.events();
        let at = events.iter().rposition(|e| *e == Event::Note(note)).unwrap();
        let late = events[at..]
            .iter()
            .any(|e| matches!(e, Event::DmaRead { .. } | Event::DmaWrite { .. }));
        assert!(!late, "the DMA accessed memory after {note}");
    }
}

/// A transmitter and a receiver of either family, each from its own USART
/// value (both halves of one simulated USART).
trait Family: Controller + Sized {
    type Ch4: DmaChannel;
    type Ch5: DmaChannel;
    fn channels(hw: &Hw<Self>) -> (Self::Ch4, Self::Ch5);
}

impl Family for ChannelDma {
    type Ch4 = channel::Channel<4>;
    type Ch5 = channel::Channel<5>;
    fn channels(hw: &Hw<Self>) -> (Self::Ch4, Self::Ch5) {
        // SAFETY: a live simulated controller owned by `hw`.
        let mut dma = unsafe { channel::Dma::from_base(hw.dma.base(), 7) };
        (dma.channel::<4>().unwrap(), dma.channel::<5>().unwrap())
    }
}

impl Family for StreamDma {
    type Ch4 = stream::Stream<7>;
    type Ch5 = stream::Stream<2>;
    fn channels(hw: &Hw<Self>) -> (Self::Ch4, Self::Ch5) {
        // SAFETY: a live simulated controller owned by `hw`.
        let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(hw.dma.base()) };
        (dma.stream::<7>(4).unwrap(), dma.stream::<2>(4).unwrap())
    }
}

/// The TX and RX channel numbers of a family, for their control registers.
fn tx_rx<D: Family>() -> (usize, usize) {
    if D::cr(1) == 0x08 {
        (4, 5)
    } else {
        (7, 2)
    }
}

fn report(api: &str, explored: Explored, random: usize) {
    let (units, overruns) = (DELIVERED.replace(0), OVERRUNS.replace(0));
    let streamed = if units + overruns > 0 {
        format!(" ({units} units handed out, {overruns} overruns reported)")
    } else {
        String::new()
    };
    println!(
        "{api}: {} exhaustive schedules (K = {K}, depth {DEPTH}, complete: {}) + {random} random{streamed}",
        explored.schedules, explored.exhaustive
    );
    assert!(explored.exhaustive, "{api}: the exhaustive run hit its limit");
}

// ---------------------------------------------------------------------------
// One-shot transmit.

/// `write_all`, then `wait` (`polls: None`) or `stop` / drop after `polls`
/// looks at `is_done`.
fn tx_case<D: Family>(adv: &Adversary, len: usize, polls: Option<usize>, drop_it: bool) {
    let hw = Hw::<D>::new();
    let (ch4, _) = D::channels(&hw);
    let tx = hw.usart().transmitter(ch4, CompilerFence);
    let message: Box<[u8]> = (0..len).map(|i| u8::try_from((i * 7 + 3) % 256).unwrap()).collect();
    let expected = message.to_vec();
    let guard = hw.dma.attach(adv);
    let transfer = tx.write_all(message).ok().unwrap();
    let moved = match polls {
        None => {
            let done = transfer.wait().ok().unwrap();
            assert_eq!(&*done.buffer, &expected[..], "the buffer comes back unchanged");
            assert_eq!(done.transferred, len);
            len
        }
        Some(polls) => {
            for _ in 0..polls {
                let _ = transfer.is_done();
            }
            if drop_it {
                drop(transfer);
                hw.usart.sent().len()
            } else {
                let done = transfer.stop().ok().unwrap();
                assert_eq!(&*done.buffer, &expected[..]);
                done.transferred
            }
        }
    };
    drop(guard);
    assert_eq!(hw.usart.sent(), &expected[..moved], "the peripheral saw exactly the buffer");
    assert_eq!(hw.dma_cr_en(tx_rx::<D>().0), 0, "EN reads 0");
    assert_eq!(hw.usart.cr3() & (1 << 7), 0, "DMAT cleared");
    hw.assert_quiet_after("tx ended");
}

impl<D: Controller> Hw<D> {
    fn dma_cr_en(&self, n: usize) -> u32 {
        self.dma.reg(D::cr(n)) & 1
    }
}

fn tx_all<D: Family>(name: &str) {
    let mut explored = explore(K, DEPTH, LIMIT, |adv| tx_case::<D>(adv, 3, None, false));
    let random = explore_random(K + 1, 0..SEEDS, |adv| tx_case::<D>(adv, big(24), None, false));
    report(&format!("{name} write_all + wait"), explored, random);
    for (what, drop_it) in [("stop", false), ("drop", true)] {
        explored = explore(K, DEPTH, LIMIT, |adv| tx_case::<D>(adv, 4, Some(2), drop_it));
        let random = explore_random(K + 1, 0..SEEDS, |adv| {
            let polls = (adv.next_beats() as usize) * 3;
            tx_case::<D>(adv, big(24), Some(polls), drop_it);
        });
        report(&format!("{name} write_all + {what} mid-flight"), explored, random);
    }
}

#[test]
fn f1_channel_dma_usart_tx() {
    tx_all::<ChannelDma>("F1 channel DMA: UsartTx");
}

#[test]
fn f4_stream_dma_usart_tx() {
    tx_all::<StreamDma>("F4 stream DMA: UsartTx");
}

// ---------------------------------------------------------------------------
// One-shot receive.

fn rx_case<D: Family>(
    adv: &Adversary,
    len: usize,
    fed: usize,
    polls: Option<usize>,
    drop_it: bool,
) {
    let hw = Hw::<D>::new();
    let (_, ch5) = D::channels(&hw);
    let rx = hw.usart().receiver(ch5, CompilerFence);
    let data = seq(fed);
    hw.usart.feed(&data);
    let guard = hw.dma.attach(adv);
    let transfer = rx.read_exact(vec![0u8; len].into_boxed_slice()).ok().unwrap();
    let moved = match polls {
        None => {
            let done = transfer.wait().ok().unwrap();
            assert_eq!(&*done.buffer, &data[..len], "exactly the items fed, in place");
            assert_eq!(done.transferred, len);
            len
        }
        Some(polls) => {
            for _ in 0..polls {
                let _ = transfer.is_done();
            }
            if drop_it {
                drop(transfer);
                fed - hw.usart.pending()
            } else {
                let done = transfer.stop().ok().unwrap();
                let t = done.transferred;
                assert_eq!(&done.buffer[..t], &data[..t], "the items moved, in place");
                assert!(done.buffer[t..].iter().all(|&b| b == 0), "nothing past `transferred`");
                t
            }
        }
    };
    drop(guard);
    assert_eq!(hw.usart.pending(), fed - moved, "every item read was delivered once");
    assert_eq!(hw.dma_cr_en(tx_rx::<D>().1), 0, "EN reads 0");
    assert_eq!(hw.usart.cr3() & (1 << 6), 0, "DMAR cleared");
    hw.assert_quiet_after("rx ended");
}

fn rx_all<D: Family>(name: &str) {
    let explored = explore(K, DEPTH, LIMIT, |adv| rx_case::<D>(adv, 3, 5, None, false));
    let random =
        explore_random(K + 1, 0..SEEDS, |adv| rx_case::<D>(adv, big(24), big(30), None, false));
    report(&format!("{name} read_exact + wait"), explored, random);
    for (what, drop_it) in [("stop", false), ("drop", true)] {
        let explored = explore(K, DEPTH, LIMIT, |adv| rx_case::<D>(adv, 4, 6, Some(2), drop_it));
        let random = explore_random(K + 1, 0..SEEDS, |adv| {
            let polls = (adv.next_beats() as usize) * 3;
            rx_case::<D>(adv, big(24), big(30), Some(polls), drop_it);
        });
        report(&format!("{name} read_exact + {what} mid-flight"), explored, random);
    }
}

#[test]
fn f1_channel_dma_usart_rx() {
    rx_all::<ChannelDma>("F1 channel DMA: UsartRx");
}

#[test]
fn f4_stream_dma_usart_rx() {
    rx_all::<StreamDma>("F4 stream DMA: UsartRx");
}

// ---------------------------------------------------------------------------
// Streaming: what the driver hands out, against what was fed.

std::thread_local! {
    /// Units handed out and overruns reported, over all schedules of a test.
    static DELIVERED: Cell<usize> = const { Cell::new(0) };
    static OVERRUNS: Cell<usize> = const { Cell::new(0) };
}

/// The receiving side's ledger for a streaming transfer.
struct Ledger {
    fed: Vec<u8>,
    /// Items per unit handed out (a half, or a buffer).
    unit: usize,
    /// Items per hardware cycle the flags cannot count (the circular
    /// buffer's length, both buffers of a double buffer).
    cycle: usize,
    /// The position of the next item due, by the driver's accounting.
    due: usize,
    /// An overrun was reported since the last delivery: the next delivery may
    /// be whole cycles later than `due`.
    slack: bool,
    delivered: usize,
    lost: usize,
    /// What happened, for the failure message.
    history: Vec<String>,
}

impl Ledger {
    fn new(fed: Vec<u8>, unit: usize, cycle: usize) -> Self {
        Ledger {
            fed,
            unit,
            cycle,
            due: 0,
            slack: false,
            delivered: 0,
            lost: 0,
            history: Vec::new(),
        }
    }

    /// A unit handed out: `items` (the copy), starting at `offset` in the
    /// buffer ring of `cycle` items.
    fn delivered(&mut self, items: &[u8], offset: usize) {
        let at = position(items[0]);
        self.history.push(format!("unit at {at} (offset {offset}, due {})", self.due));
        let history = &self.history;
        if self.slack {
            assert!(at >= self.due, "an item before the one due came out: {history:?}");
            assert_eq!((at - self.due) % self.cycle, 0, "a unit from the wrong place: {history:?}");
        } else {
            assert_eq!(at, self.due, "not the unit due (skipped without an overrun): {history:?}");
        }
        assert_eq!(at % self.cycle, offset, "the unit is not where it was written");
        assert_eq!(
            items,
            &self.fed[at..at + items.len()],
            "the copy was overwritten before the driver validated it"
        );
        self.due = at + self.unit;
        self.delivered += self.unit;
        DELIVERED.set(DELIVERED.get() + 1);
        self.slack = false;
    }

    fn overrun(&mut self, lost: usize) {
        self.history.push(format!("overrun, {lost} lost (due {})", self.due));
        assert_eq!(lost % self.unit, 0, "lost counts whole units");
        self.due += lost;
        self.lost += lost;
        OVERRUNS.set(OVERRUNS.get() + 1);
        self.slack = true;
    }

    /// With the DMA idle after `written` items and the driver caught up:
    /// every item written was delivered once or counted lost, up to the unit
    /// in progress (and whole unseen cycles after the last overrun).
    fn settle(&self, written: usize) {
        assert!(written >= self.due, "the driver accounted {} of {written} items", self.due);
        let open = written - self.due;
        if self.slack {
            assert!(open % self.cycle < self.unit, "{open} items neither delivered nor lost");
        } else {
            assert!(open < self.unit, "{open} items neither delivered nor lost");
        }
    }
}

/// A streaming receiver under test: one call of its read method.
trait Stream {
    fn unit(&self) -> usize;
    fn cycle(&self) -> usize;
    /// Reads into `out`: `Ok(Some(offset in the ring, n))` / `Ok(None)` / error.
    fn read(&mut self, out: &mut [u8]) -> Result<Option<(usize, usize)>, Error>;
    /// Stops; the position in the current cycle it reports.
    fn end(self) -> usize;
    /// The items of one `NDTR` cycle.
    fn ring(&self) -> usize;
}

type Rx<D> = UsartRx<StatusData, <D as Family>::Ch5, CompilerFence>;

struct Circ<D: Family>(dma_impl_stm32::Circular<Box<[u8]>, Rx<D>, CompilerFence>);

impl<D: Family> Stream for Circ<D> {
    fn unit(&self) -> usize {
        self.0.half_len()
    }
    fn cycle(&self) -> usize {
        2 * self.0.half_len()
    }
    fn read(&mut self, out: &mut [u8]) -> Result<Option<(usize, usize)>, Error> {
        let half = self.0.half_len();
        Ok(self.0.read_half(out)?.map(|(h, n)| (if h == Half::First { 0 } else { half }, n)))
    }
    fn end(self) -> usize {
        self.0.stop().ok().unwrap().transferred
    }
    fn ring(&self) -> usize {
        self.cycle()
    }
}

type StreamRx = UsartRx<StatusData, stream::Stream<2>, CompilerFence>;

struct Double(dma_impl_stm32::DoubleBuffer<Box<[u8]>, StreamRx, CompilerFence>, usize);

impl Stream for Double {
    fn unit(&self) -> usize {
        self.1
    }
    fn cycle(&self) -> usize {
        2 * self.1
    }
    fn read(&mut self, out: &mut [u8]) -> Result<Option<(usize, usize)>, Error> {
        let len = self.1;
        Ok(self.0.read_completed(out)?.map(|(b, n)| (b * len, n)))
    }
    fn end(self) -> usize {
        self.0.stop().ok().unwrap().transferred
    }
    fn ring(&self) -> usize {
        self.1
    }
}

/// Runs `calls` reads of `stream` under the adversary, then lets the DMA
/// run dry, catches up, and checks the ledger; ends by `stop` or drop.
fn stream_case<D: Controller, S: Stream>(
    hw: &Hw<D>,
    adv: &Adversary,
    mut stream: S,
    fed: Vec<u8>,
    calls: usize,
    drop_it: bool,
) {
    let mut ledger = Ledger::new(fed, stream.unit(), stream.cycle());
    let mut out = vec![0u8; stream.unit()];
    let mut step = |stream: &mut S, ledger: &mut Ledger| match stream.read(&mut out) {
        Ok(Some((offset, n))) => {
            assert_eq!(n, ledger.unit);
            ledger.delivered(&out[..n], offset);
        }
        Ok(None) => {}
        Err(Error::Overrun { lost }) => ledger.overrun(lost),
        Err(e) => panic!("unexpected error {e:?}"),
    };
    let guard = hw.dma.attach(adv);
    for _ in 0..calls {
        step(&mut stream, &mut ledger);
    }
    drop(guard);
    // The hardware runs dry; the driver catches up (nothing moves now).
    while hw.dma.beat() {}
    for _ in 0..8 {
        step(&mut stream, &mut ledger);
    }
    let written = ledger.fed.len() - hw.usart.pending();
    ledger.settle(written);
    assert!(ledger.delivered + ledger.lost <= written);
    if drop_it {
        drop(stream);
    } else {
        let ring = stream.ring();
        assert_eq!(stream.end(), written % ring, "the position `stop` reports");
    }
    hw.assert_quiet_after("stream ended");
}

fn circular_case<D: Family>(adv: &Adversary, len: usize, fed: usize, calls: usize, drop_it: bool) {
    let hw = Hw::<D>::new();
    let (_, ch5) = D::channels(&hw);
    let rx = hw.usart().receiver(ch5, CompilerFence);
    let circ = rx.read_circular(vec![0u8; len].into_boxed_slice()).ok().unwrap();
    let data = seq(fed);
    hw.usart.feed(&data);
    stream_case(&hw, adv, Circ::<D>(circ), data, calls, drop_it);
    assert_eq!(hw.dma_cr_en(tx_rx::<D>().1), 0, "EN reads 0");
}

fn circular_all<D: Family>(name: &str) {
    for (what, drop_it) in [("stop", false), ("drop", true)] {
        // Halves of one item let a single access's beats cross two events.
        let explored = explore(K, DEPTH, LIMIT, |adv| {
            circular_case::<D>(adv, 2, 10, 6, drop_it);
        });
        // Under Miri (5 s a schedule on the stream DMA) the one-item halves
        // only: the aliasing of the copy-out is the same for both sizes.
        let explored = if cfg!(miri) {
            explored
        } else {
            let more = explore(K, DEPTH, LIMIT, |adv| circular_case::<D>(adv, 4, 14, 6, drop_it));
            Explored {
                schedules: explored.schedules + more.schedules,
                exhaustive: explored.exhaustive && more.exhaustive,
            }
        };
        let random = explore_random(K + 1, 0..SEEDS, |adv| {
            circular_case::<D>(adv, 2, big(60), big(40), drop_it);
        }) + explore_random(K + 1, 0..SEEDS, |adv| {
            circular_case::<D>(adv, 8, big(120), big(40), drop_it);
        });
        report(&format!("{name} read_circular + read_half, then {what}"), explored, random);
    }
}

#[test]
fn f1_channel_dma_circular() {
    circular_all::<ChannelDma>("F1 channel DMA");
}

#[test]
fn f4_stream_dma_circular() {
    circular_all::<StreamDma>("F4 stream DMA");
}

fn double_case(adv: &Adversary, len: usize, fed: usize, calls: usize, drop_it: bool) {
    let hw = Hw::<StreamDma>::new();
    let (_, s2) = StreamDma::channels(&hw);
    let rx = hw.usart().receiver(s2, CompilerFence);
    let buffers = (vec![0u8; len].into_boxed_slice(), vec![0u8; len].into_boxed_slice());
    let db = rx.read_double_buffered(buffers).ok().unwrap();
    let data = seq(fed);
    hw.usart.feed(&data);
    stream_case(&hw, adv, Double(db, len), data, calls, drop_it);
    assert_eq!(hw.dma_cr_en(2), 0, "EN reads 0");
}

#[test]
fn f4_stream_dma_double_buffer() {
    for (what, drop_it) in [("stop", false), ("drop", true)] {
        // Under Miri (2 s a schedule) fewer items and looks, as for the
        // portable streams: still past two switches of `CT` and the catch-up.
        let (fed, calls) = if cfg!(miri) { (8, 5) } else { (14, 8) };
        let explored = explore(K, DEPTH, LIMIT, |adv| double_case(adv, 2, fed, calls, drop_it));
        let random =
            explore_random(K + 1, 0..SEEDS, |adv| double_case(adv, 5, big(120), big(60), drop_it));
        report(
            &format!("F4 stream DMA read_double_buffered + read_completed, then {what}"),
            explored,
            random,
        );
    }
}

// ---------------------------------------------------------------------------
// The portable stream (`DmaReadStream`): circular mode on the channel DMA,
// double-buffer mode over the buffer's two halves on the stream DMA, through
// `read_half`, against the same ledger.

/// A `ReadStream` under test. `ring` is the items of one `NDTR` cycle.
struct Portable<T> {
    stream: T,
    ring: usize,
    reported: u64,
}

impl<T: ReadStream<u8, Error = Error>> Stream for Portable<T> {
    fn unit(&self) -> usize {
        self.stream.half_len()
    }
    fn cycle(&self) -> usize {
        2 * self.stream.half_len()
    }
    fn read(&mut self, out: &mut [u8]) -> Result<Option<(usize, usize)>, Error> {
        let result = self.stream.read_half(out);
        if let Err(Error::Overrun { lost }) = result {
            self.reported += lost as u64;
        }
        assert_eq!(self.stream.lost_words(), self.reported, "lost_words sums the overruns");
        // The portable API does not say which half it handed out: the
        // ledger takes the place from the data (and still checks the copy
        // is the unit due, whole, from one lap).
        let cycle = self.cycle();
        Ok(result?.map(|n| (position(out[0]) % cycle, n)))
    }
    fn end(self) -> usize {
        self.stream.stop().ok().unwrap().transferred
    }
    fn ring(&self) -> usize {
        self.ring
    }
}

fn portable_case<D: Family, X>(
    adv: &Adversary,
    len: usize,
    fed: usize,
    calls: usize,
    drop_it: bool,
    wrap: &dyn Fn(Rx<D>) -> X,
    per_fill: bool,
) where
    X: DmaReadStream<u8, Error = Error>,
{
    let hw = Hw::<D>::new();
    let (_, ch5) = D::channels(&hw);
    let rx = wrap(hw.usart().receiver(ch5, CompilerFence));
    let stream = rx.read_stream(vec![0u8; len].into_boxed_slice()).ok().unwrap();
    // Circular mode: one cycle is the buffer; double buffer: one fill is a half.
    let ring = if per_fill { len / 2 } else { len };
    let data = seq(fed);
    hw.usart.feed(&data);
    stream_case(&hw, adv, Portable { stream, ring, reported: 0 }, data, calls, drop_it);
    assert_eq!(hw.dma_cr_en(tx_rx::<D>().1), 0, "EN reads 0");
}

fn portable_all<D: Family, X>(
    name: &str,
    small: usize,
    large: usize,
    wrap: &dyn Fn(Rx<D>) -> X,
    per_fill: bool,
) where
    X: DmaReadStream<u8, Error = Error>,
{
    // Under Miri (a few seconds a test): the stop variant, the small buffer.
    let ends: &[(&str, bool)] =
        if cfg!(miri) { &[("stop", false)] } else { &[("stop", false), ("drop", true)] };
    for &(what, drop_it) in ends {
        let (fed, calls) = if cfg!(miri) { (8, 5) } else { (14, 8) };
        let explored = explore(K, DEPTH, LIMIT, |adv| {
            portable_case::<D, X>(adv, small, fed, calls, drop_it, wrap, per_fill);
        });
        let mut random = 0;
        if !cfg!(miri) {
            random += explore_random(K + 1, 0..SEEDS, |adv| {
                portable_case::<D, X>(adv, small, big(60), big(40), drop_it, wrap, per_fill);
            });
            random += explore_random(K + 1, 0..SEEDS, |adv| {
                portable_case::<D, X>(adv, large, big(120), big(40), drop_it, wrap, per_fill);
            });
        }
        report(&format!("{name} read_stream + read_half, then {what}"), explored, random);
    }
}

#[test]
fn f1_channel_dma_portable_stream_circular() {
    // Halves of one item let a single access's beats cross two events.
    portable_all::<ChannelDma, _>("F1 channel DMA (circular)", 2, 8, &|rx| rx, false);
}

#[test]
fn f4_stream_dma_portable_stream_circular() {
    portable_all::<StreamDma, _>("F4 stream DMA (circular)", 2, 8, &|rx| rx, false);
}

#[test]
fn f4_stream_dma_portable_stream_double_buffer_halves() {
    portable_all::<StreamDma, _>(
        "F4 stream DMA (double buffer over halves)",
        4,
        10,
        &|rx| rx.double_buffered(),
        true,
    );
}

// ---------------------------------------------------------------------------
// Memory to memory.

fn copy_case<D: Controller>(
    adv: &Adversary,
    hw: &Hw<D>,
    channel: impl CopyChannel,
    len: usize,
    polls: Option<usize>,
) {
    let source: Box<[u16]> = (0..len).map(|i| 0x1000 + u16::try_from(i).unwrap()).collect();
    let expected = source.to_vec();
    let destination: Box<[u16]> = vec![0; len].into_boxed_slice();
    let guard = hw.dma.attach(adv);
    let copy = Memory::new(channel, CompilerFence).copy(source, destination).ok().unwrap();
    let (t, to) = match polls {
        None => {
            let done = copy.wait().ok().unwrap();
            (done.transferred, done.buffer.1)
        }
        Some(polls) => {
            for _ in 0..polls {
                let _ = copy.is_done();
            }
            let done = copy.stop().ok().unwrap();
            assert_eq!(&*done.buffer.0, &expected[..], "the source is untouched");
            (done.transferred, done.buffer.1)
        }
    };
    drop(guard);
    if polls.is_none() {
        assert_eq!(t, len);
    }
    assert_eq!(&to[..t], &expected[..t], "exactly the source, in place");
    assert!(to[t..].iter().all(|&w| w == 0), "nothing past `transferred`");
    hw.assert_quiet_after("copy ended");
}

#[test]
fn memory_to_memory_on_both_families() {
    for (what, polls, stop_at) in [("wait", None, None), ("stop", Some(2), Some(4))] {
        let explored = explore(K, DEPTH, LIMIT, |adv| {
            let hw = Hw::<ChannelDma>::new();
            // SAFETY: a live simulated controller owned by `hw`.
            let mut dma = unsafe { channel::Dma::from_base(hw.dma.base(), 7) };
            copy_case(adv, &hw, dma.channel::<1>().unwrap(), 3, polls);
        });
        let random = explore_random(K + 1, 0..SEEDS, |adv| {
            let hw = Hw::<ChannelDma>::new();
            // SAFETY: as above.
            let mut dma = unsafe { channel::Dma::from_base(hw.dma.base(), 7) };
            copy_case(adv, &hw, dma.channel::<1>().unwrap(), big(20), stop_at);
        });
        report(&format!("F1 channel DMA memory::copy + {what}"), explored, random);
        let explored = explore(K, DEPTH, LIMIT, |adv| {
            let hw = Hw::<StreamDma>::new();
            // SAFETY: as above.
            let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(hw.dma.base()) };
            copy_case(adv, &hw, dma.stream::<0>(0).unwrap(), 3, polls);
        });
        let random = explore_random(K + 1, 0..SEEDS, |adv| {
            let hw = Hw::<StreamDma>::new();
            // SAFETY: as above.
            let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(hw.dma.base()) };
            copy_case(adv, &hw, dma.stream::<0>(0).unwrap(), big(20), stop_at);
        });
        report(&format!("F4 stream DMA memory::copy + {what}"), explored, random);
    }
}

// ---------------------------------------------------------------------------
// One lap late, on real threads: the hardware runs on its own thread while
// the CPU reads a half and then sleeps. Under Miri, a copy-out that reads
// memory the DMA may be writing with plain or volatile reads is a data race.

fn lap_late<S: Stream>(stream: &mut S, usart: &UsartSim, fed: Vec<u8>) -> Ledger {
    let mut ledger = Ledger::new(fed, stream.unit(), stream.cycle());
    let mut out = vec![0u8; stream.unit()];
    let total = ledger.fed.len();
    let chunk = 3 * ledger.unit;
    let mut read = |stream: &mut S, ledger: &mut Ledger| match stream.read(&mut out) {
        Ok(Some((offset, n))) => {
            ledger.delivered(&out[..n], offset);
            true
        }
        Ok(None) => false,
        Err(Error::Overrun { lost }) => {
            ledger.overrun(lost);
            false
        }
        Err(e) => panic!("unexpected error {e:?}"),
    };
    let mut fed = 0;
    while fed < total {
        let next = (fed + chunk).min(total);
        usart.feed(&ledger.fed[fed..next]);
        fed = next;
        // Read a half (or buffer) as soon as there is one ...
        for _ in 0..10_000 {
            if read(stream, &mut ledger) {
                break;
            }
            std::thread::yield_now();
        }
        // ... then sleep: the DMA, one lap ahead, writes into the half the
        // CPU copied last while the CPU is away.
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    while usart.pending() > 0 {
        std::thread::yield_now();
    }
    std::thread::sleep(std::time::Duration::from_millis(1));
    for _ in 0..8 {
        read(stream, &mut ledger);
    }
    ledger.settle(total);
    ledger
}

#[test]
fn one_lap_late_circular_on_a_running_dma() {
    let log = Recorder::new();
    let usart = UsartSim::new(UsartLayout::StatusData);
    let dma = ChannelDma::threaded(log);
    dma.wire(5, usart.requests(), Line::Rx);
    // SAFETY: the simulators outlive every driver value below.
    let mut controller = unsafe { channel::Dma::from_base(dma.base(), 7) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<StatusData>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let rx = driver.receiver(controller.channel::<5>().unwrap(), CompilerFence);
    let circ = rx.read_circular(vec![0u8; 4].into_boxed_slice()).ok().unwrap();
    let mut stream = Circ::<ChannelDma>(circ);
    let data = seq(if cfg!(miri) { 24 } else { 240 });
    let ledger = lap_late(&mut stream, &usart, data);
    println!("one lap late, circular: {} delivered, {} lost", ledger.delivered, ledger.lost);
    drop(stream);
}

#[test]
fn one_lap_late_double_buffer_on_a_running_dma() {
    let log = Recorder::new();
    let usart = UsartSim::new(UsartLayout::StatusData);
    let dma = StreamDma::threaded(log);
    dma.wire(2, 4, usart.requests(), Line::Rx);
    // SAFETY: the simulators outlive every driver value below.
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<StatusData>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let rx = driver.receiver(controller.stream::<2>(4).unwrap(), CompilerFence);
    let buffers = (vec![0u8; 2].into_boxed_slice(), vec![0u8; 2].into_boxed_slice());
    let db = rx.read_double_buffered(buffers).ok().unwrap();
    let mut stream = Double(db, 2);
    let data = seq(if cfg!(miri) { 24 } else { 240 });
    let ledger = lap_late(&mut stream, &usart, data);
    println!("one lap late, double buffer: {} delivered, {} lost", ledger.delivered, ledger.lost);
    drop(stream);
}

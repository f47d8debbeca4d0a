//! The LLI-ring stream (`StreamRx`, a `DmaReadStream`) on the simulated
//! PL081, fed by a simulated paced peripheral (`Pl08xSim::paced_source`):
//! halves in order, overruns reported and never handed out (also when the
//! DMA overtakes the copy), stop and drop halt the channel, refusals give
//! everything back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{leak, leak_raw, pool, scale};
use dma_impl_mock::sim::adversary::{explore, explore_random, Adversary};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{
    Anywhere, Dmac, DmbFence, Error, PacedSource, Pl081, Reach, RingStream, StreamRx,
};
use dma_mmio::host::interleave::{interleave, CpuAccess};
use dma_traits::{
    DmaReadStream, DmaWriteBuffer, Error as _, ErrorKind, ReadStream, Transfer, Word,
};

/// The request line of the simulated peripheral.
const LINE: u8 = 5;
/// Channel 0's `DMACCxConfiguration`, `DMACCxControl`, `DMACCxLLI`.
const CONFIG: usize = 0x110;
const CONTROL: usize = 0x10C;
/// `DMACRawIntTCStatus`.
const RAW_TC: usize = 0x014;

type Stream<W> = RingStream<&'static mut [W], 2, DmbFence>;

/// A stepped PL081 whose channel 0 (with a 4-item pool) receives from a
/// simulated peripheral on `LINE`.
fn receiver<A: Reach>(reach: A) -> (Pl08xSim, StreamRx<2, DmbFence, A>) {
    let sim = Pl08xSim::pl081();
    // SAFETY: the simulator outlives the controller in every test (it is
    // declared first, so dropped last).
    let mut dmac: Pl081<A> = unsafe { Dmac::new(sim.base(), reach) };
    let channel = dmac.channel(0).unwrap().with_lli_pool(pool(4));
    // SAFETY: the simulator's peripheral data register, paced by `LINE`,
    // valid while the simulator lives.
    let source = unsafe { PacedSource::new(sim.paced_source(u32::from(LINE)), LINE) }.unwrap();
    (sim, StreamRx::new(channel, source))
}

/// A running stream of `len` words of `W`.
fn start<W: Word + Default + Clone>(len: usize) -> (Pl08xSim, Stream<W>) {
    let (sim, rx) = receiver(Anywhere);
    let stream = rx.read_stream(leak(&vec![W::default(); len])).ok().unwrap();
    (sim, stream)
}

/// The peripheral receives `words`, and the DMA moves all of them.
fn deliver<W: Copy + Into<u32>>(sim: &Pl08xSim, words: &[W]) {
    let words: Vec<u32> = words.iter().map(|&w| w.into()).collect();
    sim.feed(u32::from(LINE), &words);
    sim.run(100_000);
    assert_eq!(sim.pending(u32::from(LINE)), 0);
}

/// `1, 2, 3, ...` as `u16`.
fn line(n: usize) -> Vec<u16> {
    (1..=n).map(|i| u16::try_from(i).unwrap()).collect()
}

/// After the end: nothing moves any more, and the TRM was obeyed.
fn quiescent(sim: &Pl08xSim) {
    assert!(!sim.is_enabled(0), "channel 0 still enabled");
    let writes = sim.dma_writes();
    sim.feed(u32::from(LINE), &[0xEE; 8]);
    assert_eq!(sim.run(1000), 0, "the channel still moves after the end");
    assert_eq!(sim.dma_writes(), writes, "a DMA write after the end");
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn halves_arrive_in_order_with_the_right_data() {
    let (sim, mut stream) = start::<u16>(8);
    let config = sim.register(CONFIG);
    assert_eq!((config >> 11) & 7, 2, "FlowCntrl: peripheral-to-memory, the DMAC flow controller");
    assert_eq!((config >> 1) & 0xF, u32::from(LINE), "SrcPeripheral");
    assert_eq!(config & (1 << 15), 0, "ITC masked: a ring's terminal count interrupts nobody");
    let control = sim.register(CONTROL);
    assert_eq!((control >> 26) & 3, 0b10, "DI set, SI clear");
    assert_eq!(control & 0xFFF, 4, "one half per segment");
    let line = line(scale(48, 16));
    let mut half = [0u16; 4];
    for (k, chunk) in line.chunks(4).enumerate() {
        deliver(&sim, &chunk[..3]);
        assert_eq!(stream.read_half(&mut half).ok(), Some(None), "half {k}: 3 words of 4");
        deliver(&sim, &chunk[3..]);
        assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)), "half {k}");
        assert_eq!(half, chunk, "half {k}");
        assert_eq!(stream.read_half(&mut half).ok(), Some(None), "half {k} taken once");
    }
    assert_eq!(sim.register(RAW_TC) & 1, 0, "no terminal count while the CPU keeps up");
    assert_eq!(stream.lost_words(), 0);
    assert!(!stream.is_done());
    let done = stream.stop().ok().unwrap();
    assert_eq!(done.transferred, line.len());
    assert_eq!(&done.buffer[..], &line[line.len() - 8..], "the buffer holds the last lap");
    quiescent(&sim);
}

#[test]
fn every_word_width_and_a_short_output() {
    let (sim, mut stream) = start::<u8>(6);
    deliver(&sim, &[1u8, 2, 3, 4]);
    let mut two = [0u8; 2];
    assert_eq!(stream.read_half(&mut two).ok(), Some(Some(2)), "only as many as `out` holds");
    assert_eq!(two, [1, 2]);
    deliver(&sim, &[5u8, 6]);
    let mut half = [0u8; 3];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(3)));
    assert_eq!(half, [4, 5, 6]);
    deliver(&sim, &[7u8, 8, 9]);
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(3)));
    assert_eq!(half, [7, 8, 9]);
    assert_eq!(stream.stop().ok().unwrap().transferred, 9);
    quiescent(&sim);

    let (sim, mut stream) = start::<u32>(4);
    deliver(&sim, &[0xDEAD_BEEFu32, 0x0123_4567, 9]);
    let mut half = [0u32; 2];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(2)));
    assert_eq!(half, [0xDEAD_BEEF, 0x0123_4567]);
    assert_eq!(stream.read_half(&mut half).ok(), Some(None));
    assert_eq!(sim.register(CONTROL) >> 18 & 0x3F, 0b010_010, "SWidth = DWidth = 32 bits");
    assert_eq!(stream.stop().ok().unwrap().transferred, 3);
    quiescent(&sim);
}

/// Takes half 0 of a fresh `u16` stream of 8 words (the DMA then in half
/// 1), then delivers `late` more halves at once and reads again.
fn late_by(late: usize) -> (Pl08xSim, Stream<u16>, Vec<u16>, Result<Option<usize>, Error>) {
    let (sim, mut stream) = start::<u16>(8);
    let line = line(4 * (late + 2));
    let mut half = [0u16; 4];
    deliver(&sim, &line[..4]);
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    deliver(&sim, &line[4..4 + 4 * late]);
    let result = stream.read_half(&mut half);
    (sim, stream, line, result)
}

#[test]
fn one_half_late_loses_nothing() {
    let (sim, mut stream, line, result) = late_by(1);
    assert_eq!(result.ok(), Some(Some(4)));
    deliver(&sim, &line[8..12]);
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    assert_eq!(half, line[8..12]);
    assert_eq!(stream.lost_words(), 0);
    assert!(stream.stop().is_ok());
    quiescent(&sim);
}

#[test]
fn one_lap_late_is_an_overrun_and_the_newest_half_comes_next() {
    // Halves 1 and 2 arrived: the DMA writes half 1's memory again (it is
    // in segment 3), so half 1 is lost and half 2, complete, comes next.
    let (sim, mut stream, line, result) = late_by(2);
    let error = result.expect_err("an overrun");
    assert_eq!(error, Error::Overrun { lost: 4 });
    assert_eq!(error.kind(), ErrorKind::Overrun);
    assert_eq!(stream.lost_words(), 4);
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    assert_eq!(half, line[8..12], "half 2, not half 1's memory rewritten");
    // And on from there, with nothing lost.
    deliver(&sim, &[100u16, 101, 102, 103]);
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    assert_eq!(half, [100, 101, 102, 103]);
    assert_eq!(stream.lost_words(), 4);
    assert!(stream.stop().is_ok());
    quiescent(&sim);
}

#[test]
fn two_laps_late_is_seen_through_the_moving_terminal_count() {
    // Halves 1..=5 arrived: `DMACCxLLI` names segment 6, which modulo the
    // ring of 4 looks like segment 2, one ahead of the half due; only the
    // terminal count of the marked LLI says that the ring went round.
    let (sim, mut stream, line, result) = late_by(5);
    assert_eq!(sim.register(RAW_TC) & 1, 0, "cleared by the resynchronization");
    assert_eq!(result.err(), Some(Error::Overrun { lost: 16 }));
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    assert_eq!(half, line[20..24], "half 5, the newest");
    assert_eq!(stream.lost_words(), 16);
    assert!(stream.stop().is_ok());
    quiescent(&sim);
}

#[test]
fn a_whole_ring_unseen_is_undercounted_but_never_handed_out_torn() {
    // Halves 1..=9 arrived: 8 lost, half 9 newest. The registers cannot
    // tell segment 10 from segment 6 (the terminal count says only "at
    // least one turn"), so `lost` is 16 rather than 32; the half handed
    // out next is still one whole half the DMA completed.
    let (sim, mut stream, line, result) = late_by(9);
    assert_eq!(result.err(), Some(Error::Overrun { lost: 16 }));
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    assert_eq!(half, line[36..40]);
    assert!(stream.stop().is_ok());
    quiescent(&sim);
}

/// Runs the DMA `beats` beats at the `at`-th read of DMA memory the CPU
/// makes (counting from 1), once.
fn overtake_at(
    sim: &Pl08xSim,
    at: usize,
    beats: usize,
) -> dma_mmio::host::interleave::Interleaving {
    let step = sim.stepper();
    let seen = Rc::new(Cell::new(0));
    interleave(move |access| {
        if let CpuAccess::DmaMemory(_) = access {
            seen.set(seen.get() + 1);
            if seen.get() == at {
                for _ in 0..beats {
                    step();
                }
            }
        }
    })
}

#[test]
fn the_dma_overtaking_the_copy_is_an_overrun_not_data() {
    for at in (1..=4).step_by(scale(1, 3)) {
        let (sim, mut stream) = start::<u16>(8);
        let line = line(16);
        deliver(&sim, &line[..4]);
        // Two more halves wait in the peripheral; the DMA runs them both
        // (back into half 0) while the CPU copies half 0.
        sim.feed(u32::from(LINE), &line[4..12].iter().map(|&w| u32::from(w)).collect::<Vec<_>>());
        let hook = overtake_at(&sim, at, 16);
        let mut half = [0u16; 4];
        let result = stream.read_half(&mut half);
        drop(hook);
        assert_eq!(result, Err(Error::Overrun { lost: 8 }), "overtaken at load {at}: {half:?}");
        assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
        assert_eq!(half, line[8..12], "the half the DMA completed last");
        assert!(stream.stop().is_ok());
        quiescent(&sim);
    }
}

#[test]
fn stop_gives_everything_back_and_the_channel_is_stopped() {
    let (sim, rx) = receiver(Anywhere);
    let (raw, buffer) = leak_raw(&[0u16; 8]);
    let at = buffer.as_ptr();
    let mut stream = rx.read_stream(buffer).ok().unwrap();
    deliver(&sim, &line(6));
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    assert!(sim.is_enabled(0));
    let done = stream.stop().ok().unwrap();
    assert!(!sim.is_enabled(0), "stopped when `stop` returns");
    assert_eq!(done.transferred, 6);
    assert_eq!((done.buffer.as_ptr(), done.buffer.len()), (at, 8), "the same buffer");
    assert_eq!(&done.buffer[..6], &line(6)[..]);
    let (channel, source) = done.resources.into_parts();
    assert_eq!((channel.index(), source.line()), (0, LINE));
    assert_eq!(channel.take_lli_pool().1.len(), 4, "the pool comes back");
    quiescent(&sim);
    // SAFETY: the DMA has stopped (checked) and the reference is not used
    // again.
    assert_eq!(unsafe { (*raw)[5] }, 6);
}

#[test]
fn drop_while_running_stops_the_dma() {
    let (sim, mut stream) = start::<u16>(8);
    deliver(&sim, &line(5));
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    // More words wait at the peripheral, with the request line high.
    sim.feed(u32::from(LINE), &[7, 7, 7]);
    assert!(sim.is_enabled(0));
    drop(stream);
    assert!(!sim.is_enabled(0), "stopped by the drop");
    quiescent(&sim);
    assert_eq!(sim.pending(u32::from(LINE)), 11, "3 + 8 words wait: nothing more was read");
}

#[test]
fn forgetting_a_stream_of_a_static_buffer_is_harmless() {
    let (sim, mut stream) = start::<u16>(8);
    deliver(&sim, &line(4));
    let mut half = [0u16; 4];
    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
    core::mem::forget(stream);
    // The DMA goes on round the ring in the leaked buffer and the leaked
    // pool, for ever; Miri checks that every access stays in them.
    let writes = sim.dma_writes();
    deliver(&sim, &line(20));
    assert_eq!(sim.dma_writes(), writes + 20);
    assert!(sim.is_enabled(0));
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn a_bus_error_stops_the_stream_with_everything_back() {
    let (sim, mut stream) = start::<u16>(8);
    deliver(&sim, &line(2));
    sim.fault(0);
    assert!(stream.is_done());
    let mut half = [0u16; 4];
    let error = stream.read_half(&mut half).err().unwrap();
    assert_eq!(error.kind(), ErrorKind::Bus);
    let failed = stream.stop().err().unwrap();
    assert_eq!((failed.error, failed.transferred, failed.buffer.len()), (Error::Bus, 2, 8));
    assert_eq!(failed.resources.channel().index(), 0);
    quiescent(&sim);
}

/// A write buffer at an address of our choosing; never dereferenced (the
/// driver refuses it first).
struct Fake<W> {
    addr: usize,
    len: usize,
    _w: core::marker::PhantomData<W>,
}

// SAFETY: a test double; every test refuses it before any access.
unsafe impl<W: Word> DmaWriteBuffer for Fake<W> {
    type Word = W;
    fn dma_write_buffer(&mut self) -> (*mut W, usize) {
        (core::ptr::without_provenance_mut(self.addr), self.len)
    }
}

/// Starts `rx` on `buffer`, expects a refusal of `kind`, checks that
/// everything came back untouched; returns the error, the buffer and `rx`.
fn refused<W: Word, B: DmaWriteBuffer<Word = W>, A: Reach>(
    sim: &Pl08xSim,
    rx: StreamRx<2, DmbFence, A>,
    buffer: B,
    kind: ErrorKind,
) -> (Error, B, StreamRx<2, DmbFence, A>) {
    let writes = sim.dma_writes();
    // SAFETY: every buffer these tests pass is refused before the DMA
    // starts (checked below: `DMACCxConfiguration` is never written).
    let e = match unsafe { DmaReadStream::<W>::read_stream_unchecked(rx, buffer) } {
        Err(e) => e,
        Ok(_) => panic!("started, expected {kind:?}"),
    };
    assert_eq!(e.error.kind(), kind, "{:?}", e.error);
    assert_eq!(e.transferred, 0);
    assert!(!sim.is_enabled(0), "the channel was enabled");
    assert_eq!(sim.register(CONFIG), 0, "DMACCxConfiguration never written");
    assert_eq!(sim.dma_writes(), writes);
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    (e.error, e.buffer, e.resources)
}

#[test]
fn refusals_give_everything_back() {
    let (sim, rx) = receiver(Anywhere);
    let (e, b, rx) = refused::<u16, _, _>(&sim, rx, leak(&[0u16; 0]), ErrorKind::Empty);
    assert_eq!((e, b.len()), (Error::Empty, 0));
    let (e, b, rx) = refused::<u16, _, _>(&sim, rx, leak(&[0u16; 7]), ErrorKind::OddLength);
    assert_eq!((e, b.len()), (Error::OddLength { items: 7 }, 7));
    // A half longer than one LLI's `TransferSize` (4095).
    assert_eq!(DmaReadStream::<u8>::max_len(&rx), 8190);
    let (e, b, rx) =
        refused::<u8, _, _>(&sim, rx, leak(&vec![0u8; 8192]), ErrorKind::TooLong { max: 8190 });
    assert_eq!((e, b.len()), (Error::TooLong { items: 8192, max: 8190 }, 8192));
    let (e, _, rx) = refused::<u16, _, _>(
        &sim,
        rx,
        Fake::<u16> { addr: 0x2000_0001, len: 8, _w: core::marker::PhantomData },
        ErrorKind::Misaligned,
    );
    assert_eq!(e, Error::Misaligned { address: 0x2000_0001 });
    let (e, _, rx) = refused::<u64, _, _>(&sim, rx, leak(&[0u64; 4]), ErrorKind::UnsupportedWidth);
    assert_eq!(e, Error::UnsupportedWidth(dma_traits::WordWidth::Bits64));
    // A misaligned source register for 16-bit words.
    let (channel, source) = rx.into_parts();
    // SAFETY: never read: the stream is refused before the start.
    let odd = unsafe { PacedSource::new(source.address().wrapping_add(1), LINE) }.unwrap();
    let rx = StreamRx::new(channel, odd);
    let (e, _, rx) = refused::<u16, _, _>(&sim, rx, leak(&[0u16; 8]), ErrorKind::Misaligned);
    assert!(matches!(e, Error::Misaligned { .. }));
    // No ring without a pool of 4 items (a channel without a pool is not a
    // `StreamRx` at all: its type says so).
    let (channel, _) = rx.into_parts();
    let (channel, old) = channel.take_lli_pool();
    assert_eq!(old.len(), 4);
    let rx = StreamRx::new(channel.with_lli_pool(pool(3)), source);
    let (e, _, rx) = refused::<u16, _, _>(&sim, rx, leak(&[0u16; 8]), ErrorKind::Other);
    assert_eq!(e, Error::LliPoolTooSmall { needed: 4, available: 3 });
    let (channel, source) = rx.into_parts();
    let (channel, small) = channel.take_lli_pool();
    assert_eq!(small.len(), 3, "the pool came back");
    let rx = StreamRx::new(channel.with_lli_pool(pool(0)), source);
    let (e, _, rx) = refused::<u16, _, _>(&sim, rx, leak(&[0u16; 8]), ErrorKind::Other);
    assert_eq!(e, Error::LliPoolTooSmall { needed: 4, available: 0 });
    // A lowered segment limit lowers the longest half.
    let (channel, source) = rx.into_parts();
    let (channel, _) = channel.take_lli_pool();
    let channel = channel.with_segment_limit(4).ok().unwrap().with_lli_pool(pool(4));
    let rx = StreamRx::new(channel, source);
    assert_eq!(DmaReadStream::<u16>::max_len(&rx), 8);
    let (e, _, _) =
        refused::<u16, _, _>(&sim, rx, leak(&[0u16; 10]), ErrorKind::TooLong { max: 8 });
    assert_eq!(e, Error::TooLong { items: 10, max: 8 });
    // SAFETY: never read (the line is refused).
    let bad = unsafe { PacedSource::new(core::ptr::null_mut(), 16) };
    assert_eq!(bad, Err(Error::NoSuchRequestLine(16)));
}

#[test]
fn memory_the_dma_cannot_reach_is_refused() {
    // The DMA reaches only the MPS2's secure SSRAM aliases.
    let (sim, rx) = receiver(dma_impl_pl08x::mps2::SECURE_SSRAM);
    let buffer = leak(&[0u16; 8]);
    // SSRAM2 through its non-secure alias: the DMA's writes would vanish.
    let ns = dma_mmio::host::place(buffer.as_ptr().cast(), 16, 0x2800_1000);
    let (e, buffer, rx) = refused::<u16, _, _>(&sim, rx, buffer, ErrorKind::Unreachable);
    assert_eq!(e, Error::Unreachable { address: buffer.as_ptr() as usize, bytes: 16 });
    drop(ns);
    // The buffer at its secure alias, the ring in the non-secure one.
    let _s = dma_mmio::host::place(buffer.as_ptr().cast(), 16, 0x3800_1000);
    let (channel, source) = rx.into_parts();
    let (channel, _) = channel.take_lli_pool();
    let ring = pool(4);
    let ring_at = ring.as_ptr() as usize;
    let bytes = 4 * core::mem::size_of::<dma_impl_pl08x::Lli>();
    let _ring = dma_mmio::host::place(ring.as_ptr().cast(), bytes, 0x2800_2000);
    let channel = channel.with_lli_pool(ring);
    let rx = StreamRx::new(channel, source);
    let (e, _, _) = refused::<u16, _, _>(&sim, rx, buffer, ErrorKind::Unreachable);
    assert_eq!(e, Error::Unreachable { address: ring_at, bytes });
}

/// Under an adversary that steps the DMA 0..=2 beats before every CPU
/// access: every half handed out is a whole half of the line at a place
/// the overruns account for (exactly, or short by whole turns of the ring,
/// which no register shows), and the end stops the DMA.
fn adversarial_case(adversary: &Adversary, words: usize) {
    let (sim, mut stream) = start::<u16>(8);
    let line = line(words);
    sim.feed(u32::from(LINE), &line.iter().map(|&w| u32::from(w)).collect::<Vec<_>>());
    let guard = sim.adversarial(adversary);
    let mut claimed = 0usize;
    let mut half = [0u16; 4];
    let mut idle = 0;
    while idle < 3 {
        match stream.read_half(&mut half) {
            Ok(Some(n)) => {
                assert_eq!(n, 4);
                let t = usize::from(half[0]) - 1;
                assert_eq!(half[..], line[t..t + 4], "a torn half");
                assert!(
                    t >= claimed && (t - claimed).is_multiple_of(16),
                    "at {t}, expected {claimed}"
                );
                claimed = t + 4;
                idle = 0;
            }
            Ok(None) => {
                if sim.pending(u32::from(LINE)) == 0 {
                    idle += 1;
                }
            }
            Err(Error::Overrun { lost }) => {
                assert!(lost.is_multiple_of(4));
                claimed += lost;
                idle = 0;
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(stream.lost_words().is_multiple_of(4));
    let done = stream.stop().ok().unwrap();
    drop(guard);
    assert!(done.transferred <= words);
    quiescent(&sim);
}

#[test]
fn adversarial_schedules_never_hand_out_an_overwritten_half() {
    // Under Miri: the one schedule of depth 0 and one seed (the aliasing
    // model is what Miri adds; the schedules run natively), or none when
    // the run's budget says so (`DMA_ADVERSARY_MIRI_DEPTH=skip`, the Tree
    // Borrows pass of `.ci/run`).
    let explored =
        explore(2, scale(6, 0), scale(2000, 1), |adv| adversarial_case(adv, scale(24, 16)));
    assert!(explored.schedules >= 1 || cfg!(miri));
    let n = explore_random(2, 0..scale(200, 1) as u64, |adv| adversarial_case(adv, scale(64, 16)));
    assert!(n >= 1 || cfg!(miri));
}

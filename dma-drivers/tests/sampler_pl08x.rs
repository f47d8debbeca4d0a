//! The sampler, written once against `DmaReadStream`, unchanged on the
//! PL08x's LLI-ring stream (`dma_impl_pl08x::StreamRx`) against the
//! register-level simulator, fed by a simulated paced peripheral on request
//! line 5: every word it hands out is the word the line carried at that
//! place, and a CPU two halves late is reported as `SamplerError::Overrun`
//! with the words lost, after which sampling goes on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_drivers::sampler::{Sampler, SamplerError};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Dmac, Lli, PacedSource, Pl081, StreamRx};
use dma_traits::{DmaReadStream, ReadStream, Word};

const LINE: u8 = 5;

/// What one run saw: the blocks handed out and the overruns reported.
#[derive(Debug, Default)]
struct Seen<W> {
    blocks: Vec<Vec<W>>,
    overruns: Vec<u64>,
}

/// Polls `sampler` once after each `advance()` until `rounds` have passed.
fn sample<W: Word, S: ReadStream<W>, const N: usize>(
    sampler: &mut Sampler<W, S, N>,
    rounds: usize,
    mut advance: impl FnMut(usize),
) -> Seen<W> {
    let mut seen = Seen { blocks: Vec::new(), overruns: Vec::new() };
    for round in 0..rounds {
        advance(round);
        loop {
            match sampler.poll(|block| seen.blocks.push(block.to_vec())) {
                Ok(_) => break,
                Err(SamplerError::Overrun { lost, .. }) => seen.overruns.push(lost),
                Err(SamplerError::Stopped(e)) => panic!("stream stopped: {e:?}"),
            }
        }
    }
    seen
}

/// Checks that the blocks, placed after the words lost before each, are the
/// line's words.
fn check<W: Word + PartialEq + core::fmt::Debug>(seen: &Seen<W>, line: &[W], half: usize) {
    let handed: usize = seen.blocks.iter().map(Vec::len).sum();
    let lost: u64 = seen.overruns.iter().sum();
    assert_eq!(handed as u64 + lost, line.len() as u64, "{seen:?}");
    let mut position = 0;
    let mut lost_left: Vec<u64> = seen.overruns.clone();
    for block in &seen.blocks {
        assert_eq!(block.len(), half);
        while block[..] != line[position..position + half] {
            let skip = lost_left.first_mut().expect("a block not on the line");
            assert!(*skip >= half as u64);
            *skip -= half as u64;
            if *skip == 0 {
                lost_left.remove(0);
            }
            position += half;
        }
        position += half;
    }
}

/// A stepped PL081 whose channel 0 streams 8 words of `W` from the
/// simulated peripheral, which has received `line` (as 16-bit words).
fn sampler<W: Word + Default>(
    sim: &Pl08xSim,
    line: &[u32],
) -> Sampler<W, impl ReadStream<W, Error = dma_impl_pl08x::Error>, 4> {
    // SAFETY: the simulator outlives the controller and the stream (each
    // test keeps it until the sampler is gone).
    let mut dmac: Pl081 = unsafe { Dmac::new(sim.base(), &[]) };
    let mut channel = dmac.channel(0).unwrap();
    channel.with_lli_pool(Box::leak(Box::new([Lli::EMPTY; 4])));
    // SAFETY: the simulator's peripheral data register on `LINE`, valid
    // while the simulator lives (as above).
    let source = unsafe { PacedSource::new(sim.paced_source(u32::from(LINE)), LINE) }.unwrap();
    sim.feed(u32::from(LINE), line);
    let buffer: &'static mut [W] = Box::leak(vec![W::default(); 8].into_boxed_slice());
    let stream = StreamRx::new(channel, source).read_stream(buffer).ok().unwrap();
    Sampler::new(stream).ok().unwrap()
}

/// Runs the simulator until its DMA has written `n` more words.
fn deliver(sim: &Pl08xSim, n: u64) {
    let target = sim.dma_writes() + n;
    while sim.dma_writes() < target && sim.step() {}
}

#[test]
fn on_the_pl08x_lli_ring_u16_every_half_in_order() {
    let sim = Pl08xSim::pl081();
    let line: Vec<u16> = (0..64).map(|i| i * 1000).collect();
    let words: Vec<u32> = line.iter().map(|&w| u32::from(w)).collect();
    let mut sampler = sampler::<u16>(&sim, &words);
    let seen = sample(&mut sampler, 16, |_| deliver(&sim, 4));
    assert!(seen.overruns.is_empty());
    check(&seen, &line, 4);
    assert_eq!((sampler.taken(), sampler.lost()), (64, 0));
    assert!(sampler.stop().is_ok());
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

#[test]
fn on_the_pl08x_lli_ring_i16_an_overrun_is_reported_and_sampling_goes_on() {
    let sim = Pl08xSim::pl081();
    let line: Vec<i16> = (0..64).map(|i| (i - 32) * 1000).collect();
    // The peripheral's register holds the word's 16 bits.
    let words: Vec<u32> = line.iter().map(|&w| u32::from(w as u16)).collect();
    let mut sampler = sampler::<i16>(&sim, &words);
    // Round 5: the CPU is late by two halves (12 words at once).
    let seen = sample(&mut sampler, 14, |round| deliver(&sim, if round == 5 { 12 } else { 4 }));
    assert_eq!(seen.overruns, [8], "two halves lost, the newest kept");
    check(&seen, &line, 4);
    assert_eq!(sampler.lost(), 8);
    assert!(sampler.stop().is_ok());
    assert!(sim.violations().is_empty(), "{:?}", sim.violations());
}

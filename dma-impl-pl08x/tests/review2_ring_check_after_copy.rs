//! Review 2: the PL08x ring stream's check after the copy cannot tell "the
//! DMA is still in segment d + 1" from "the DMA is in segment d + 4".
//!
//! `read_half` for segment `d` moves the terminal-count mark to the item
//! segment `d + 4` loads *before* the copy (`src/stream.rs`, `read_half`:
//! `self.mark(d + 3, false); self.mark(d + 4, true)`), so after the copy the
//! terminal count only shows that segment `d + 4` has *ended*. A DMA that
//! went on during the copy through segments `d + 1`, `d + 2` (which rewrites
//! the half being copied) and `d + 3`, and is now in segment `d + 4`, shows
//! terminal count 0 and `DMACCxLLI` naming item `(d + 5) % 4`, which
//! `look()` resolves with `at_least(self.due, ..)` to segment `d`: the check
//! `Seen::In(j) if j <= d + 1` passes and the copy, overwritten by segment
//! `d + 2`, is handed out as half `d`. On the chip: an interrupt of about
//! three half-times preempting `read_half` during its copy.
//!
//! The DMA is advanced with the same hook as the crate's own
//! `the_dma_overtaking_the_copy_is_an_overrun_not_data` (a step of the
//! simulator at the CPU's n-th load of DMA memory), just one lap further.
//!
//! Fixed: the check after the copy counts from segment `d + 1` (the first
//! look saw it running and the DMA only moves on), so `d + 4` reads as
//! `d + 4`: an overrun. The test fails with the old floor.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::{leak, pool};
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Dmac, DmbFence, Error, PacedSource, Pl081, RingStream, StreamRx};
use dma_mmio::host::interleave::{interleave, CpuAccess, Interleaving};
use dma_traits::{DmaReadStream, ReadStream, Transfer};

const LINE: u8 = 5;

type Stream = RingStream<&'static mut [u16], 2, DmbFence>;

/// A stepped PL081, channel 0 with a 4-item pool streaming 8 `u16`s
/// (halves of 4) from a paced peripheral on `LINE`.
fn start() -> (Pl08xSim, Stream) {
    let sim = Pl08xSim::pl081();
    // SAFETY: the simulator outlives the controller (declared first, so
    // dropped last).
    let mut dmac: Pl081 = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
    let channel = dmac.channel(0).unwrap().with_lli_pool(pool(4));
    // SAFETY: the simulator's peripheral data register, paced by `LINE`,
    // valid while the simulator lives.
    let source = unsafe { PacedSource::new(sim.paced_source(u32::from(LINE)), LINE) }.unwrap();
    let stream = StreamRx::new(channel, source).read_stream(leak(&[0u16; 8])).ok().unwrap();
    (sim, stream)
}

/// Steps the DMA up to `beats` times at the `at`-th load of DMA memory the
/// CPU makes (from 1), once; it stops early when a step moves nothing (the
/// line's words are all in: a step that moves nothing changes nothing).
fn overtake_at(sim: &Pl08xSim, at: usize, beats: usize) -> Interleaving {
    let step = sim.stepper();
    let seen = Rc::new(Cell::new(0));
    interleave(move |access| {
        if let CpuAccess::DmaMemory(_) = access {
            seen.set(seen.get() + 1);
            if seen.get() == at {
                for _ in 0..beats {
                    if !step() {
                        break;
                    }
                }
            }
        }
    })
}

#[test]
fn the_dma_three_halves_ahead_during_the_copy_is_not_handed_out_as_data() {
    // `extra` words arrive while half 0 is copied: 12 finish segments 1, 2
    // (half 0 again) and 3 and leave the DMA at the start of segment 4;
    // up to 15 leave it inside segment 4 (half 0 yet again).
    for extra in 12..=15u16 {
        for at in 1..=4 {
            let (sim, mut stream) = start();
            let line: Vec<u16> = (1..=4 + extra).collect();
            sim.feed(u32::from(LINE), &line[..4].iter().map(|&w| u32::from(w)).collect::<Vec<_>>());
            sim.run(100_000);
            let more: Vec<u32> = line[4..].iter().map(|&w| u32::from(w)).collect();
            sim.feed(u32::from(LINE), &more);
            let hook = overtake_at(&sim, at, 1000);
            let mut half = [0u16; 4];
            let result = stream.read_half(&mut half);
            drop(hook);
            assert_eq!(sim.pending(u32::from(LINE)), 0, "the DMA took every word");
            match result {
                Err(Error::Overrun { .. }) => {}
                Ok(Some(4)) => assert_eq!(
                    half,
                    line[..4],
                    "{extra} words during the copy, overtaken at load {at}: half 0 handed \
                     out with words the DMA wrote two and four segments later"
                ),
                other => panic!("{other:?}"),
            }
            let _ = stream.stop();
        }
    }
}

//! A register access that panics inside a transfer's stop (on the host a
//! test hook or a simulator check can) aborts the process instead of
//! unwinding past it: the unwind would drop the transfer's `Box` buffers
//! while the channel may still write them (review 3, finding 1): a copy and
//! the LLI-ring stream, each dropped and stopped. Each case runs in a child
//! process (`dma_impl_mock::unwind`).
#![allow(clippy::unwrap_used)]

mod common;

use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_mock::unwind::{end_with_a_panicking_write, in_child};
use dma_impl_pl08x::{Dmac, PacedSource, Pl081, StreamRx};
use dma_traits::{DmaCopy, DmaReadStream};

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_copy_whose_stop_panics_aborts_instead_of_freeing_its_buffers() {
    in_child(
        "a_copy_whose_stop_panics_aborts_instead_of_freeing_its_buffers",
        &["drop", "stop"],
        |case| {
            let (_sim, mut dmac) = common::stepped();
            let channel = dmac.channel(0).unwrap();
            let src: Box<[u32]> = vec![0x5A5A_5A5A; 64].into();
            let dst: Box<[u32]> = vec![0; 64].into();
            let copy = channel.copy(src, dst).ok().unwrap();
            // The first write of the stop sets `H`, to halt the channel.
            end_with_a_panicking_write(case, copy);
        },
    );
}

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_ring_stream_whose_stop_panics_aborts_instead_of_freeing_its_buffer() {
    in_child(
        "a_ring_stream_whose_stop_panics_aborts_instead_of_freeing_its_buffer",
        &["drop", "stop"],
        |case| {
            const LINE: u8 = 5;
            let sim = Pl08xSim::pl081();
            // SAFETY: the simulator outlives the controller (declared first).
            let mut dmac: Pl081 = unsafe { Dmac::new(sim.base(), dma_impl_pl08x::Anywhere) };
            let channel = dmac.channel(0).unwrap().with_lli_pool(common::pool(4));
            // SAFETY: the simulator's paced data register, valid while it lives.
            let source =
                unsafe { PacedSource::new(sim.paced_source(u32::from(LINE)), LINE) }.unwrap();
            let buffer: Box<[u32]> = vec![0; 16].into();
            let stream = StreamRx::new(channel, source).read_stream(buffer).ok().unwrap();
            // The first write of the stop sets `H`, to halt the channel.
            end_with_a_panicking_write(case, stream);
        },
    );
}

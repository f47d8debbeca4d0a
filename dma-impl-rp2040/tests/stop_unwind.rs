//! A register access that panics inside a transfer's stop (on the host a
//! test hook or a simulator check can) aborts the process: the unwind would
//! otherwise drop the transfer's `Box` buffers while the DMA writes them
//! (review 3, finding 1: a heap corruption natively, a data race with the
//! deallocation under Miri). Each case runs in a child process
//! (`dma_impl_mock::unwind`).
#![allow(clippy::unwrap_used)]

mod common;

use dma_impl_mock::unwind::{end_with_a_panicking_write, in_child};
use dma_traits::DmaCopy;

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_copy_whose_stop_panics_aborts_instead_of_freeing_its_buffers() {
    in_child(
        "a_copy_whose_stop_panics_aborts_instead_of_freeing_its_buffers",
        &["drop", "stop"],
        |case| {
            let (_sim, [_, _, _, _, channel, ..]) = common::stepped();
            let src: Box<[u32]> = vec![0xA5A5_A5A5; 64].into();
            let dst: Box<[u32]> = vec![0; 64].into();
            let copy = channel.copy(src, dst).ok().unwrap();
            // The first write of the stop is the one that clears `EN`.
            end_with_a_panicking_write(case, copy);
        },
    );
}

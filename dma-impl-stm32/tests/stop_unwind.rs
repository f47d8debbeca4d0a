//! A register access that panics while the channel may run (on the host a
//! test hook or a simulator check can) aborts the process instead of
//! unwinding past the stop: the unwind would drop the transfer's `Box`
//! buffer while the DMA reads it (review 3, finding 1). The cases: in the
//! stop of a dropped or stopped transfer, and in the start after the
//! enabling write (the transmitter's `begin`, before the transfer value
//! exists). Each case runs in a child process (`dma_impl_mock::unwind`).
#![allow(clippy::unwrap_used)]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use dma_impl_mock::unwind::{end_with_a_panicking_write, in_child, panic_at_write};
use dma_mmio::host::interleave::{interleave, CpuAccess};
use dma_traits::DmaWrite;

fn message() -> Box<[u8]> {
    vec![0x55; 32].into()
}

/// The register writes of one `write_all` on a fresh rig.
fn writes_of_a_start() -> usize {
    let (_rig, tx, _rx) = common::stream_rig(false);
    let writes = Rc::new(Cell::new(0));
    let counter = Rc::clone(&writes);
    let hook = interleave(move |access| {
        if matches!(access, CpuAccess::Write(_)) {
            counter.set(counter.get() + 1);
        }
    });
    let transfer = tx.write_all(message()).ok().unwrap();
    drop(hook);
    drop(transfer);
    writes.get()
}

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_register_panic_while_the_stream_may_run_aborts() {
    in_child(
        "a_register_panic_while_the_stream_may_run_aborts",
        &["drop", "stop", "start"],
        |case| {
            if case == "start" {
                // The last write of the start is `CR3.DMAT`, in `begin`,
                // after the stream was enabled.
                let last = writes_of_a_start();
                let (_rig, tx, _rx) = common::stream_rig(false);
                let _hook = panic_at_write(last);
                drop(tx.write_all(message()));
                return;
            }
            let (_rig, tx, _rx) = common::stream_rig(false);
            end_with_a_panicking_write(case, tx.write_all(message()).ok().unwrap());
        },
    );
}

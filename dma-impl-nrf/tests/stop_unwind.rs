//! A register access that panics inside a reception's stop (on the host a
//! test hook or a simulator check can) aborts the process instead of
//! unwinding past it: the unwind would drop the buffers while EasyDMA may
//! still write them (review 3, finding 1). The cases: a one-shot read
//! (`InFlight`), the double-buffered `RxStream` and the half stream, each
//! dropped and stopped. Each runs in a child process
//! (`dma_impl_mock::unwind`).
#![allow(clippy::unwrap_used)]

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
use dma_impl_mock::unwind::{end_with_a_panicking_write, in_child, panic_at_write};
use dma_impl_nrf::{Nrf52840, Uarte, UarteRx};
use dma_traits::{DmaRead, DmaReadStream};

fn rx(sim: &EasyDmaSim) -> UarteRx<Nrf52840> {
    // SAFETY: the simulator's block, used only by this UARTE.
    unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split().1
}

#[test]
#[cfg_attr(miri, ignore = "spawns a child process")]
fn a_reception_whose_stop_panics_aborts_instead_of_freeing_its_buffers() {
    in_child(
        "a_reception_whose_stop_panics_aborts_instead_of_freeing_its_buffers",
        &["read drop", "read stop", "stream drop", "stream stop", "halves drop", "halves stop"],
        |case| {
            let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
            let rx = rx(&sim);
            // The first write of each stop is its STOPRX trigger.
            match case {
                "read drop" | "read stop" => {
                    end_with_a_panicking_write(case, rx.read_exact(vec![0u8; 8]).ok().unwrap());
                }
                "stream drop" | "stream stop" => {
                    let stream = rx.read_stream(vec![0u8; 4], vec![0u8; 4]).ok().unwrap();
                    let _hook = panic_at_write(1);
                    if case == "stream drop" {
                        drop(stream);
                    } else {
                        drop(stream.stop());
                    }
                }
                _ => {
                    let halves = DmaReadStream::read_stream(rx, vec![0u8; 8]).ok().unwrap();
                    end_with_a_panicking_write(case, halves);
                }
            }
        },
    );
}

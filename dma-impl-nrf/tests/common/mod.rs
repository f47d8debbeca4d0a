//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Mutex, PoisonError};

use dma_impl_mock::record::{Event, Recorder, RecordingFence};

/// Leaked logs stay reachable from here, so Miri's leak check is satisfied.
static KEEP: Mutex<Vec<&'static Recorder>> = Mutex::new(Vec::new());

/// A fresh log and a fence that records into it.
pub fn recording() -> (Recorder, RecordingFence) {
    let log = Recorder::new();
    let leaked = log.leak();
    KEEP.lock().unwrap_or_else(PoisonError::into_inner).push(leaked);
    (log, RecordingFence::new(leaked))
}

pub fn is_dma_access(event: &Event) -> bool {
    matches!(event, Event::DmaRead { .. } | Event::DmaWrite { .. })
}

pub fn count_dma(log: &Recorder) -> usize {
    log.events().iter().filter(|e| is_dma_access(e)).count()
}

/// Spins (yielding) until the simulated DMA made `n` memory accesses.
pub fn wait_for_dma(log: &Recorder, n: usize) {
    while count_dma(log) < n {
        std::thread::yield_now();
    }
}

/// Asserts that the hardware reported Stopped before `marker`, made no memory
/// access after the last Stopped, and that an acquire follows the last access.
pub fn assert_stopped_before(log: &Recorder, marker: &'static str) {
    let events = log.events();
    let marker_at = events.iter().position(|e| *e == Event::Note(marker)).expect("marker logged");
    let last_stop =
        events.iter().rposition(|e| *e == Event::Stopped).expect("the hardware stopped");
    assert!(last_stop < marker_at, "Stopped came after drop returned: {events:?}");
    assert!(
        !events[last_stop..].iter().any(is_dma_access),
        "DMA access after the stop: {events:?}"
    );
    let last_access = events.iter().rposition(is_dma_access).expect("some DMA happened");
    let acquire =
        events.iter().rposition(|e| matches!(e, Event::Acquire { .. })).expect("acquired");
    assert!(last_access < acquire && acquire < marker_at, "{events:?}");
}

/// Sets the event at `offset` of the simulator's block, as the hardware (or
/// whoever used the block before) would have left it.
pub fn set_event(sim: &dma_impl_mock::sim::nrf::EasyDmaSim, offset: usize) {
    // SAFETY: the simulator's mapped block, which lives as long as `sim`.
    let base = unsafe { dma_mmio::Reg::from_ptr(sim.base()) };
    // SAFETY: `offset` is an event register's, inside the 0x600-byte block;
    // the write goes through the simulator like the driver's own.
    unsafe { base.offset(offset) }.write(1);
}

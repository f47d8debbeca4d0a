//! A bound for every blocking loop in a test: [`spin_until`] polls a
//! condition and fails the test with a message instead of hanging it.

use std::time::{Duration, Instant};

/// How long [`spin_until`] polls before it gives up (Miri interprets slowly).
pub const SPIN_LIMIT: Duration = Duration::from_secs(if cfg!(miri) { 300 } else { 30 });

/// Polls `done` (yielding between polls) until it holds.
///
/// # Panics
///
/// If `done` still fails after [`SPIN_LIMIT`], with a message naming `what`
/// was awaited: a test that would hang fails instead.
///
/// ```
/// use std::sync::atomic::{AtomicBool, Ordering};
/// let flag = AtomicBool::new(true);
/// dma_impl_mock::bounded::spin_until("the flag", || flag.load(Ordering::SeqCst));
/// ```
pub fn spin_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < SPIN_LIMIT, "still waiting for {what} after {SPIN_LIMIT:?}");
        std::thread::yield_now();
    }
}

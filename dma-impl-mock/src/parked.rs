//! An executor for interrupt-wiring tests: the future runs on a thread of
//! its own that parks until woken, while the test thread plays the
//! hardware, so a future that nobody wakes fails the test instead of
//! hanging it.
//!
//! ```
//! use std::future::ready;
//! let (value, polls) = dma_impl_mock::parked::run_parked(ready(7), || (), || false);
//! assert_eq!((value, polls), (7, 1));
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// How long [`run_parked`] waits (Miri's threads are slow); a hang fails
/// after it.
pub const TIMEOUT: Duration =
    if cfg!(miri) { Duration::from_secs(600) } else { Duration::from_secs(20) };

/// A future that counts its polls, each once it has returned (a count of
/// 1 means the first poll registered its waker and came back).
struct Counted<F> {
    inner: F,
    polls: Arc<AtomicUsize>,
}

impl<F: Future + Unpin> Future for Counted<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let poll = Pin::new(&mut self.inner).poll(cx);
        self.polls.fetch_add(1, Ordering::SeqCst);
        poll
    }
}

/// Runs `future` with `futures_executor::block_on` (which parks until
/// woken) on its own thread. Once the first poll has returned, `start` runs
/// (it lets the hardware go on), then `drive` again and again on this
/// thread (it plays the hardware: steps a simulator, whose interrupt handler
/// runs here) until the output comes. Returns the output and the number of
/// polls: 2 means pending once, then woken once and ready.
///
/// # Panics
///
/// If the first poll or the output does not come within [`TIMEOUT`], or
/// the executor's thread panicked.
pub fn run_parked<F>(
    future: F,
    start: impl FnOnce(),
    drive: impl Fn() -> bool,
) -> (F::Output, usize)
where
    F: Future + Unpin + Send + 'static,
    F::Output: Send + 'static,
{
    let polls = Arc::new(AtomicUsize::new(0));
    let counted = Counted { inner: future, polls: Arc::clone(&polls) };
    let (send, recv) = mpsc::channel();
    std::thread::spawn(move || drop(send.send(futures_executor::block_on(counted))));
    let first = Instant::now();
    while polls.load(Ordering::SeqCst) < 1 {
        assert!(first.elapsed() < TIMEOUT, "timed out waiting for the first poll");
        std::thread::yield_now();
    }
    start();
    let begun = Instant::now();
    loop {
        match recv.try_recv() {
            Ok(output) => return (output, polls.load(Ordering::SeqCst)),
            Err(e) => assert!(e == mpsc::TryRecvError::Empty, "the executor's thread panicked"),
        }
        assert!(
            begun.elapsed() < TIMEOUT,
            "the future never completed: no interrupt woke it to a finished transfer"
        );
        if !drive() {
            std::thread::yield_now();
        }
    }
}

//! `async` transfers: a [`Future`] over any [`Transfer`], woken from the DMA
//! interrupt.
//!
//! ```
//! use dma_traits::future::{DmaWaker, TransferFuture};
//! use dma_traits::DmaWrite;
//! # mod support { include!("../tests/support/serial.rs"); }
//! # use support::Serial;
//!
//! /// One per channel; the channel's interrupt handler calls `TX_DONE.wake()`.
//! static TX_DONE: DmaWaker = DmaWaker::new();
//!
//! async fn send(port: Serial) -> Serial {
//!     let transfer = match port.write_all("hello") {
//!         Ok(t) => t,
//!         Err(rejected) => return rejected.resources,
//!     };
//!     match TransferFuture::new(transfer, &TX_DONE).await {
//!         Ok(done) => done.resources,
//!         Err(failed) => failed.resources,
//!     }
//! }
//! # let _ = send;
//! ```
//!
//! # Why there is no `async` scoped API
//!
//! [`scoped`](crate::scoped) makes borrowed buffers safe because its stack frame
//! cannot be left while the DMA runs. A future has no such frame: it can be
//! `mem::forget`-ten, or leaked by an executor that never drops it, and then
//! nothing stops the DMA while the borrowed memory is reused. So a
//! `TransferFuture` only wraps a transfer that already exists, and the safe
//! constructors only make transfers over `'static` buffers; a transfer over a
//! borrowed buffer needs the `unsafe` constructor, whose caller has promised
//! it is never leaked (which includes never leaking the future holding it).
//!
//! Dropping the future before it completes drops the transfer, which (by
//! [`Transfer`]'s contract) stops the DMA and waits until it has let go.

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

use critical_section::Mutex;

use crate::{Outcome, Transfer};

/// Where a DMA channel's interrupt finds the task to wake. Usable from a
/// `static`; safe to share between the interrupt and thread mode.
#[derive(Debug)]
pub struct DmaWaker {
    waker: Mutex<RefCell<Option<Waker>>>,
}

impl DmaWaker {
    /// No task registered. (No `Default`: a waker lives in a `static`.)
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        DmaWaker { waker: Mutex::new(RefCell::new(None)) }
    }

    /// Registers `waker` (replacing an older one) to be woken by [`wake`](Self::wake).
    pub fn register(&self, waker: &Waker) {
        critical_section::with(|cs| *self.waker.borrow_ref_mut(cs) = Some(waker.clone()));
    }

    /// Wakes the registered task, if any. Call it from the DMA interrupt.
    pub fn wake(&self) {
        if let Some(waker) = critical_section::with(|cs| self.waker.borrow_ref_mut(cs).take()) {
            waker.wake();
        }
    }
}

/// A [`Transfer`] as a [`Future`] of its [`Outcome`].
#[derive(Debug)]
pub struct TransferFuture<'w, T: Transfer> {
    transfer: Option<T>,
    waker: &'w DmaWaker,
}

impl<'w, T: Transfer> TransferFuture<'w, T> {
    /// Wraps `transfer`; `waker` must be the one its channel's interrupt wakes.
    pub fn new(transfer: T, waker: &'w DmaWaker) -> Self {
        TransferFuture { transfer: Some(transfer), waker }
    }
}

impl<T: Transfer + Unpin> Future for TransferFuture<'_, T> {
    type Output = Outcome<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome<T>> {
        // Register before looking, so a completion between the two is not missed.
        self.waker.register(cx.waker());
        match self.transfer.take() {
            Some(transfer) if transfer.is_done() => Poll::Ready(transfer.stop()),
            still_running => {
                self.transfer = still_running; // `None` once completed: stays pending
                Poll::Pending
            }
        }
    }
}

//! Where the async drivers keep their port: idle, or inside a transfer in
//! flight. The transfer lives in the driver, not in a future, so a future
//! that is dropped or leaked at an await point leaves the transfer where the
//! next call (or the driver's `Drop`) finds it.

use core::future::poll_fn;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use dma_traits::future::DmaWaker;
use dma_traits::{Outcome, Transfer};

/// A port and its buffers, idle or lent to transfer `T`.
pub(crate) enum Slot<I, T> {
    /// Ready for the next transfer.
    Idle(I),
    /// A transfer in flight that owns them.
    Busy(T),
    /// Taken by a call that did not finish: the port's own code panicked.
    Lost,
}

impl<I, T: Transfer> Slot<I, T> {
    /// The idle contents; the slot reads [`Slot::Lost`] until they are put back.
    pub(crate) fn take_idle(&mut self) -> Option<I> {
        match core::mem::replace(self, Slot::Lost) {
            Slot::Idle(idle) => Some(idle),
            other => {
                *self = other;
                None
            }
        }
    }

    /// Waits until the transfer in the slot (if any) has ended, and returns
    /// how it ended; the slot is [`Slot::Lost`] until the caller refills it.
    /// `waker` is woken by the channel's interrupt; without one, the future
    /// asks to be polled again at once.
    pub(crate) async fn end(&mut self, waker: Option<&DmaWaker>) -> Option<Outcome<T>> {
        poll_fn(|cx| self.poll_end(cx, waker)).await
    }

    fn poll_end(
        &mut self,
        cx: &mut Context<'_>,
        waker: Option<&DmaWaker>,
    ) -> Poll<Option<Outcome<T>>> {
        // Register before looking, so a completion between the two is not missed.
        match waker {
            Some(waker) => waker.register(cx.waker()),
            None => cx.waker().wake_by_ref(),
        }
        match core::mem::replace(self, Slot::Lost) {
            Slot::Busy(transfer) if !transfer.is_done() => {
                *self = Slot::Busy(transfer);
                Poll::Pending
            }
            Slot::Busy(transfer) => Poll::Ready(Some(transfer.stop())),
            other => {
                *self = other;
                Poll::Ready(None)
            }
        }
    }
}

/// Runs `future` to completion on this thread by polling it in a loop: the
/// blocking traits are the async ones without an executor.
pub(crate) fn spin_on<F: core::future::Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        core::hint::spin_loop();
    }
}

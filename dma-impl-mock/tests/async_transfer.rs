//! `dma_traits::future::TransferFuture` on the mock engine: woken from the
//! engine's interrupt line, driven by a real executor, and cancelled safely.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::{MockDma, MockSerial};
use dma_traits::future::{DmaWaker, TransferFuture};
use dma_traits::{DmaRead, DmaWrite};
use futures_executor::block_on;

/// A controller whose interrupt wakes a fresh `DmaWaker`, as an ISR would.
fn controller(log: &Recorder) -> (MockDma, &'static DmaWaker) {
    let dma = MockDma::threaded(log.clone());
    let waker: &'static DmaWaker = Box::leak(Box::new(DmaWaker::new()));
    dma.on_interrupt(move || waker.wake());
    (dma, waker)
}

fn dma_accesses(events: &[Event]) -> usize {
    events.iter().filter(|e| matches!(e, Event::DmaRead { .. } | Event::DmaWrite { .. })).count()
}

#[test]
fn completes_and_gives_everything_back() {
    let log = Recorder::new();
    let (dma, irq) = controller(&log);
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let frame: Box<[u16]> = (0..24).collect();
    let transfer = serial.write_all(frame).unwrap();
    let done = block_on(TransferFuture::new(transfer, irq)).unwrap();
    assert_eq!(done.transferred, 24);
    assert_eq!(wire.take_sent::<u16>(), (0..24).collect::<Vec<u16>>());
    assert_eq!(done.buffer.len(), 24, "the buffer comes back");

    // The port came back too and works again, now receiving.
    wire.deliver(&[9u8, 8, 7]);
    let rx: Box<[u8]> = Box::new([0; 3]);
    let transfer = done.resources.read_exact(rx).unwrap();
    let received = block_on(TransferFuture::new(transfer, irq)).unwrap();
    assert_eq!(*received.buffer, [9, 8, 7]);
}

#[test]
fn error_gives_the_buffer_back() {
    let log = Recorder::new();
    let (dma, irq) = controller(&log);
    let serial = MockSerial::with_default_fence(&dma);
    dma.fail_next_after(5);
    let transfer = serial.write_all(&b"0123456789"[..]).unwrap();
    let failed = block_on(TransferFuture::new(transfer, irq)).expect_err("the bus error");
    assert_eq!(failed.transferred, 5);
    assert_eq!(failed.buffer, b"0123456789");
    assert_eq!(serial_wire_len(&failed.resources), 5);
}

fn serial_wire_len(serial: &MockSerial) -> usize {
    serial.wire().take_sent::<u8>().len()
}

#[test]
fn dropping_the_future_mid_transfer_stops_the_dma() {
    let log = Recorder::new();
    let (dma, irq) = controller(&log);
    let serial = MockSerial::with_default_fence(&dma);
    serial.wire().deliver(&[0x42u8; 16]);
    dma.stall_next_after(3);
    let rx: Box<[u8]> = Box::new([0; 16]);
    let mut future = Box::pin(TransferFuture::new(serial.read_exact(rx).unwrap(), irq));

    // Poll until the DMA has started writing, then cancel.
    let mut cx = Context::from_waker(Waker::noop());
    let deadline = Instant::now() + Duration::from_secs(10);
    while dma_accesses(&log.events()) < 3 {
        assert!(future.as_mut().poll(&mut cx).is_pending(), "stalled, so never ready");
        assert!(Instant::now() < deadline, "the DMA never started");
        std::thread::yield_now();
    }
    drop(future);
    let at_drop = log.events();
    std::thread::sleep(Duration::from_millis(if cfg!(miri) { 1 } else { 20 }));
    let later = log.events();
    assert_eq!(dma_accesses(&later), dma_accesses(&at_drop), "no DMA access after the drop");
    let stopped =
        at_drop.iter().position(|e| *e == Event::Stopped).expect("stopped before drop returned");
    let acquire = at_drop.iter().position(|e| matches!(e, Event::Acquire { .. }));
    assert!(acquire.is_none() || acquire > Some(stopped), "acquire only after the stop");
}

#[test]
fn the_interrupt_wakes_a_pending_future() {
    let dma = MockDma::stepped(Recorder::new());
    let irq: &'static DmaWaker = Box::leak(Box::new(DmaWaker::new()));
    dma.on_interrupt(move || irq.wake());
    let serial = MockSerial::with_default_fence(&dma);
    let transfer = serial.write_all(&[1u32, 2, 3, 4][..]).unwrap();
    let mut future = pin!(TransferFuture::new(transfer, irq));
    let (wakes, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);

    assert!(future.as_mut().poll(&mut cx).is_pending());
    dma.step(3);
    assert_eq!(wakes.load(Ordering::SeqCst), 0, "no interrupt before the last word");
    assert!(future.as_mut().poll(&mut cx).is_pending());
    dma.step(1);
    assert_eq!(wakes.load(Ordering::SeqCst), 1, "the completion interrupt woke the task");
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(outcome) => assert_eq!(outcome.unwrap().transferred, 4),
        Poll::Pending => panic!("woken but not ready"),
    }
}

fn counting_waker() -> (Arc<AtomicUsize>, Waker) {
    struct Count(Arc<AtomicUsize>);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let n = Arc::new(AtomicUsize::new(0));
    (n.clone(), Waker::from(Arc::new(Count(n))))
}

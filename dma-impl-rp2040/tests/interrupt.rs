//! Interrupt wiring: `TransferFuture`s over RP2040 transfers, woken only by
//! the simulator's `DMA_IRQ_0` / `DMA_IRQ_1` calling `Interrupt::on_interrupt`;
//! dropped at each await point; leaked.
//!
//! The executor is `futures_executor::block_on`, which parks its thread
//! until woken: without the interrupt it would hang, so it runs on a thread
//! of its own and the test fails after a bounded wait. The hardware is a
//! stepped simulator that the test's thread steps meanwhile (the handler
//! then runs on that thread), or (one test) a threaded one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use dma_impl_mock::parked::run_parked;
use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::rp2040::{Rp2040Sim, Side};
use dma_impl_rp2040::{Channel, Dma, DmaIrq, Error, Interrupt, Uart, Uart0, UartRx};
use dma_traits::future::{DmaWaker, TransferFuture};
use dma_traits::{DmaCopy, DmaRead};

/// `INTE0`.
const INTE0: usize = 0x404;

/// A stepped simulator and its channels.
fn stepped() -> (Rp2040Sim, [Channel; 12]) {
    rig(Rp2040Sim::new(Recorder::new()))
}

/// A threaded simulator and its channels.
fn threaded() -> (Rp2040Sim, [Channel; 12]) {
    rig(Rp2040Sim::threaded(Recorder::new()))
}

fn rig(sim: Rp2040Sim) -> (Rp2040Sim, [Channel; 12]) {
    // SAFETY: the simulator outlives the channels and the interrupt tokens
    // (its handlers hold them, and go with it); stolen once per simulator
    // (tests that steal again argue it where they do).
    let ch = unsafe { Dma::steal(sim.base()) };
    (sim, ch)
}

/// UART0's receiver on `channel` (its transmitter on `spare`).
fn uart_rx(sim: &Rp2040Sim, spare: Channel, channel: Channel) -> UartRx<Uart0> {
    // SAFETY: the simulator's UART0 block, used by this UART only.
    unsafe { Uart::<Uart0>::new(sim.uart_base(0)) }.split(spare, channel).1
}

/// `irq` on its line's vector, waking `waker`.
fn wire(sim: &Rp2040Sim, irq: Interrupt, waker: &'static DmaWaker) {
    let line = match irq.line() {
        DmaIrq::Irq0 => 0,
        DmaIrq::Irq1 => 1,
    };
    sim.on_interrupt(line, move || irq.on_interrupt(waker));
}

#[test]
fn a_uart_read_is_woken_by_dma_irq_0() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, [c0, mut c1, ..]) = threaded();
    let irq = c1.interrupt(DmaIrq::Irq0);
    wire(&sim, irq, &WAKER);
    let rx = uart_rx(&sim, c0, c1);
    let transfer = rx.read_exact(vec![0u8; 3]).unwrap();
    assert_eq!(sim.register(INTE0), 1 << 1, "the start enabled channel 1 on line 0");
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || sim.feed_uart(0, b"irq"), || false);
    let done = outcome.unwrap();
    assert_eq!((done.transferred, &done.buffer[..], polls), (3, &b"irq"[..], 2));
    assert_eq!(sim.register(INTE0), 0, "masked by the handler");
    assert_eq!(sim.register(0x400), 0, "INTR: cleared by the transfer's stop, not the handler");
    assert_eq!((sim.interrupts(0), sim.interrupts_left_pending(0)), (1, 0));
}

#[test]
fn a_bus_error_wakes_through_dma_irq_1() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, [c0, _, _, mut c3, ..]) = stepped();
    let irq = c3.interrupt(DmaIrq::Irq1);
    wire(&sim, irq, &WAKER);
    let rx = uart_rx(&sim, c0, c3);
    sim.fail_after(3, 1, Side::Write);
    let transfer = rx.read_exact(vec![0u8; 4]).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || sim.feed_uart(0, b"abcd"), || sim.step());
    let failed = outcome.unwrap_err();
    assert_eq!((failed.error, failed.transferred, polls), (Error::WriteBus, 1, 2));
    assert_eq!((sim.interrupts(1), sim.interrupts_left_pending(1), sim.interrupts(0)), (1, 0, 0));
}

#[test]
fn a_copy_completes_through_the_future() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, [mut c0, ..]) = stepped();
    wire(&sim, c0.interrupt(DmaIrq::Irq0), &WAKER);
    let from: &'static [u32] = &[1, 2, 3, 4];
    let copy = c0.copy(from, vec![0u32; 4]).ok().unwrap();
    let (outcome, polls) = run_parked(TransferFuture::new(copy, &WAKER), || (), || sim.step());
    assert_eq!(&outcome.ok().unwrap().buffer.1[..], from);
    // Each poll reads the DMA block, which may complete a write in flight
    // (the bus latency), so the copy may end before the first poll returns.
    assert!(polls <= 2);
    assert_eq!(sim.interrupts_left_pending(0), 0);
}

/// A waker that counts its wakes.
#[derive(Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Pending once (waking itself at once): a task's yield to its executor.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if std::mem::replace(&mut self.0, true) {
            Poll::Ready(())
        } else {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Two reads of two bytes with a yield between: three await points.
async fn two_reads(rx: UartRx<Uart0>, waker: &'static DmaWaker) -> Option<UartRx<Uart0>> {
    let first = TransferFuture::new(rx.read_exact(vec![0u8; 2]).ok()?, waker).await.ok()?;
    assert_eq!(&first.buffer[..], b"12");
    YieldOnce(false).await;
    let second =
        TransferFuture::new(first.resources.read_exact(vec![0u8; 2]).ok()?, waker).await.ok()?;
    assert_eq!(&second.buffer[..], b"34");
    Some(second.resources)
}

/// Where [`dropping_the_future_at_each_await_point`] drops the future.
#[derive(Debug, Clone, Copy)]
enum DropAt {
    Unpolled,
    FirstAwait,
    Woken,
    Between,
    SecondAwait,
}

#[test]
fn dropping_the_future_at_each_await_point() {
    static WAKER: DmaWaker = DmaWaker::new();
    let points =
        [DropAt::Unpolled, DropAt::FirstAwait, DropAt::Woken, DropAt::Between, DropAt::SecondAwait];
    // One simulator for every case (cheaper under Miri): each case steals
    // the channels again, the previous case's all gone.
    let sim = Rp2040Sim::new(Recorder::new());
    for at in points {
        // SAFETY: the simulator outlives the channels; every channel of the
        // previous case was dropped (with its future, its UART half, or at
        // the pattern), so nothing else uses the registers.
        let [c0, mut c1, ..] = unsafe { Dma::steal(sim.base()) };
        let irq = c1.interrupt(DmaIrq::Irq0);
        wire(&sim, irq, &WAKER);
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        let mut future = Box::pin(two_reads(uart_rx(&sim, c0, c1), &WAKER));
        if !matches!(at, DropAt::Unpolled) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "no data yet");
        }
        if matches!(at, DropAt::Woken | DropAt::Between | DropAt::SecondAwait) {
            sim.feed_uart(0, b"12");
            sim.run(1000);
            assert_eq!(wakes.0.load(Ordering::SeqCst), 1, "the interrupt woke the task");
        }
        if matches!(at, DropAt::Between | DropAt::SecondAwait) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "at the yield");
        }
        if matches!(at, DropAt::SecondAwait) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "no more data");
            assert!(sim.is_busy(1));
        }
        drop(future);
        assert!(!sim.is_busy(1) && !sim.in_flight(1), "{at:?}: the drop stopped channel 1");

        // The channel again: the dropped transfer stopped it.
        // SAFETY: every channel of the first steal is gone (c1 with the
        // future, c0 with the UART's transmitter inside it; the rest were
        // dropped at the pattern), so nothing else uses the registers.
        let [c0, mut c1, ..] = unsafe { Dma::steal(sim.base()) };
        assert_eq!(c1.interrupt(DmaIrq::Irq0), irq, "the same token");
        let rx = uart_rx(&sim, c0, c1);
        let feed = || sim.feed_uart(0, b"1234");
        let (output, _) = run_parked(Box::pin(two_reads(rx, &WAKER)), feed, || sim.step());
        assert!(output.is_some(), "{at:?}: both reads completed");
        assert_eq!(sim.interrupts_left_pending(0), 0);
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    }
}

#[test]
fn a_leaked_future_then_the_shared_line_and_the_channel_again() {
    static RX_WAKER: DmaWaker = DmaWaker::new();
    static COPY_WAKER: DmaWaker = DmaWaker::new();
    let (sim, [c0, mut c1, mut c2, ..]) = stepped();
    let (rx_irq, copy_irq) = (c1.interrupt(DmaIrq::Irq0), c2.interrupt(DmaIrq::Irq0));
    // One vector for both channels of the line.
    sim.on_interrupt(0, move || {
        rx_irq.on_interrupt(&RX_WAKER);
        copy_irq.on_interrupt(&COPY_WAKER);
    });
    let wakes = Arc::new(Wakes::default());
    let waker = Waker::from(Arc::clone(&wakes));
    let rx = uart_rx(&sim, c0, c1);
    let mut future = TransferFuture::new(rx.read_exact(vec![0u8; 2]).unwrap(), &RX_WAKER);
    assert!(Pin::new(&mut future).poll(&mut Context::from_waker(&waker)).is_pending());
    std::mem::forget(future); // the transfer, its `'static` buffer and channel 1

    // Channel 2 on the same line: its interrupt wakes its own future only.
    let from: &'static [u16] = &[5, 6, 7];
    let copy = c2.copy(from, vec![0u16; 3]).ok().unwrap();
    let future = TransferFuture::new(copy, &COPY_WAKER);
    let (outcome, _) = run_parked(future, || (), || sim.step());
    assert_eq!(&outcome.ok().unwrap().buffer.1[..], from);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 0, "channel 1 still waits");

    // The leaked transfer ends into its leaked buffer and wakes its task.
    sim.feed_uart(0, b"ok");
    sim.run(1000);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert!(!sim.is_busy(1) && !sim.in_flight(1));

    // SAFETY: the forgotten transfer has finished (channel 1 is not BUSY and
    // has nothing in flight) and is never used again; the copy's channel
    // came back with it and is dropped here; nothing else uses the block.
    let [c0, mut c1, ..] = unsafe { Dma::steal(sim.base()) };
    let rx_irq_again = c1.interrupt(DmaIrq::Irq0);
    assert_eq!(rx_irq_again, rx_irq);
    let rx = uart_rx(&sim, c0, c1);
    let transfer = rx.read_exact(vec![0u8; 5]).unwrap();
    let future = TransferFuture::new(transfer, &RX_WAKER);
    let (outcome, polls) = run_parked(future, || sim.feed_uart(0, b"again"), || sim.step());
    assert_eq!((&outcome.unwrap().buffer[..], polls), (&b"again"[..], 2));
    assert_eq!(sim.interrupts_left_pending(0), 0);
}

#[test]
fn a_channel_without_a_line_enables_nothing() {
    let (sim, [c0, ..]) = stepped();
    let _hardware = sim.driven(); // steps with every register access
    let from: &'static [u8] = &[1, 2];
    let done = dma_traits::Transfer::wait(c0.copy(from, vec![0u8; 2]).ok().unwrap()).ok().unwrap();
    assert_eq!(&done.buffer.1[..], from);
    assert_eq!((sim.register(INTE0), sim.register(0x414)), (0, 0));
    let mut c0 = done.resources;
    let irq = c0.interrupt(DmaIrq::Irq1);
    assert_eq!((irq.channel(), irq.line(), irq.is_pending()), (0, DmaIrq::Irq1, false));
}

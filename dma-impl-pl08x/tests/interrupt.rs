//! Interrupt wiring: `TransferFuture`s over PL08x transfers, woken only by
//! the simulator's interrupt line calling `Interrupt::on_interrupt`; dropped
//! at each await point; leaked.
//!
//! The executor is `futures_executor::block_on`, which parks its thread
//! until woken: without the interrupt it would hang, so it runs on a thread
//! of its own and the test fails after a bounded wait. The hardware is a
//! stepped simulator that the test's thread steps meanwhile (the handler
//! then runs on that thread), or (one test) a threaded one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use common::{leak, leak_raw, stepped, threaded};
use dma_impl_mock::parked::run_parked;
use dma_impl_mock::sim::pl08x::Pl08xSim;
use dma_impl_pl08x::{Channel, Error, Interrupt};
use dma_traits::future::{DmaWaker, TransferFuture};
use dma_traits::DmaCopy;

/// `DMACRawIntTCStatus`, `DMACRawIntErrorStatus`, `DMACC0Configuration`.
const RAW_TC: usize = 0x014;
const RAW_ERR: usize = 0x018;
const C0_CONFIG: usize = 0x110;

/// `irq` on the controller's vector, waking `waker`.
fn wire(sim: &Pl08xSim, irq: Interrupt, waker: &'static DmaWaker) {
    sim.on_interrupt(move || irq.on_interrupt(waker));
}

#[test]
fn a_copy_is_woken_by_the_interrupt() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(0).unwrap();
    wire(&sim, ch.interrupt(), &WAKER);
    let from: &'static [u32] = &[1, 2, 3];
    let copy = ch.copy(from, vec![0u32; 3]).ok().unwrap();
    let (outcome, polls) = run_parked(TransferFuture::new(copy, &WAKER), || (), || sim.step());
    let done = outcome.ok().unwrap();
    assert_eq!((done.transferred, &done.buffer.1[..], polls), (3, from, 2));
    assert_eq!((sim.interrupts(), sim.interrupts_left_pending()), (1, 0));
    assert_eq!(sim.register(RAW_TC), 0);
}

#[test]
fn a_copy_on_a_threaded_controller_is_woken_by_the_interrupt() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, mut dmac) = threaded::<8>();
    let ch = dmac.channel(5).unwrap();
    wire(&sim, ch.interrupt(), &WAKER);
    dmac.disable(); // held until the first poll has returned
    let from: &'static [u16] = &[7, 8, 9, 10];
    let copy = ch.copy(from, vec![0u16; 4]).ok().unwrap();
    let (outcome, polls) =
        run_parked(TransferFuture::new(copy, &WAKER), || dmac.enable(), || false);
    assert_eq!((&outcome.ok().unwrap().buffer.1[..], polls), (from, 2));
    assert_eq!(sim.interrupts_left_pending(), 0);
}

#[test]
fn a_bus_error_wakes_and_stays_reported() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(1).unwrap();
    let irq = ch.interrupt();
    wire(&sim, irq, &WAKER);
    sim.fail_after(1, 2);
    let from: &'static [u8] = &[1, 2, 3, 4];
    let copy = ch.copy(from, vec![0u8; 4]).ok().unwrap();
    let (outcome, polls) = run_parked(TransferFuture::new(copy, &WAKER), || (), || sim.step());
    let failed = outcome.err().unwrap();
    assert_eq!((failed.error, failed.transferred, polls), (Error::Bus, 2, 2));
    assert_eq!(sim.interrupts_left_pending(), 0, "the error was masked");
    assert_eq!(sim.register(RAW_ERR), 0, "cleared by the transfer's stop, after it read it");
}

#[test]
fn the_handler_leaves_the_error_to_the_transfer() {
    static WAKER: DmaWaker = DmaWaker::new();
    let (sim, mut dmac) = stepped();
    let ch = dmac.channel(0).unwrap();
    let irq = ch.interrupt();
    wire(&sim, irq, &WAKER);
    sim.fail_after(0, 1);
    let copy = ch.copy(&[5u32, 6][..], leak(&[0u32; 2])).ok().unwrap();
    sim.run(100);
    assert_eq!(sim.interrupts(), 1);
    assert_eq!(sim.register(RAW_ERR), 1, "the raw error stays");
    assert_eq!(sim.register(C0_CONFIG) & (1 << 14), 0, "IE masked");
    assert!(!irq.is_pending());
    assert_eq!(dma_traits::Transfer::wait(copy).err().unwrap().error, Error::Bus);
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

/// Two copies with a yield between: three await points.
async fn two_copies(ch: Channel<2>, waker: &'static DmaWaker) -> Option<Channel<2>> {
    let from: &'static [u32] = &[1, 2];
    let first = TransferFuture::new(ch.copy(from, vec![0u32; 2]).ok()?, waker).await.ok()?;
    assert_eq!(&first.buffer.1[..], from);
    YieldOnce(false).await;
    let from: &'static [u32] = &[3, 4];
    let second =
        TransferFuture::new(first.resources.copy(from, vec![0u32; 2]).ok()?, waker).await.ok()?;
    assert_eq!(&second.buffer.1[..], from);
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
    for at in points {
        let (sim, mut dmac) = stepped();
        let ch = dmac.channel(0).unwrap();
        let irq = ch.interrupt();
        wire(&sim, irq, &WAKER);
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        let mut future = Box::pin(two_copies(ch, &WAKER));
        if !matches!(at, DropAt::Unpolled) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "nothing moved yet");
        }
        if matches!(at, DropAt::Woken | DropAt::Between | DropAt::SecondAwait) {
            sim.run(1000);
            assert_eq!(wakes.0.load(Ordering::SeqCst), 1, "the interrupt woke the task");
        }
        if matches!(at, DropAt::Between | DropAt::SecondAwait) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "at the yield");
        }
        if matches!(at, DropAt::SecondAwait) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "the second copy runs");
            assert!(sim.is_enabled(0));
        }
        drop(future);
        assert!(!sim.is_enabled(0), "{at:?}: the drop stopped channel 0");

        // The channel again: the dropped transfer stopped it.
        // SAFETY: the channel went with the future, whose drop stopped its
        // transfer (channel 0 reads disabled); nothing else uses it.
        let ch = unsafe { dmac.steal_channel(0) }.unwrap();
        assert_eq!(ch.interrupt(), irq, "the same token");
        let (output, _) = run_parked(Box::pin(two_copies(ch, &WAKER)), || (), || sim.step());
        assert!(output.is_some(), "{at:?}: both copies completed");
        assert_eq!(sim.interrupts_left_pending(), 0);
        assert!(sim.violations().is_empty(), "{:?}", sim.violations());
    }
}

#[test]
fn a_leaked_future_then_the_shared_line_and_the_channel_again() {
    static LEAKED: DmaWaker = DmaWaker::new();
    static OTHER: DmaWaker = DmaWaker::new();
    let (sim, mut dmac) = stepped();
    let (ch0, ch1) = (dmac.channel(0).unwrap(), dmac.channel(1).unwrap());
    let (irq0, irq1) = (ch0.interrupt(), ch1.interrupt());
    // One vector for the controller, every channel's token in it.
    sim.on_interrupt(move || {
        irq0.on_interrupt(&LEAKED);
        irq1.on_interrupt(&OTHER);
    });
    let wakes = Arc::new(Wakes::default());
    let waker = Waker::from(Arc::clone(&wakes));
    let (to_ptr, to) = leak_raw(&[0u32; 3]);
    let from: &'static [u32] = &[4, 5, 6];
    let mut future = TransferFuture::new(ch0.copy(from, to).ok().unwrap(), &LEAKED);
    assert!(Pin::new(&mut future).poll(&mut Context::from_waker(&waker)).is_pending());
    std::mem::forget(future); // the transfer, its `'static` buffers and channel 0

    // Channel 1 on the same line: its own interrupt wakes its own future;
    // the leaked copy runs beside it (channel 0 first, §2.2.3) and wakes its
    // forgotten task, nothing else.
    let copy = ch1.copy(&[9u16, 9][..], vec![0u16; 2]).ok().unwrap();
    let (outcome, polls) = run_parked(TransferFuture::new(copy, &OTHER), || (), || sim.step());
    assert_eq!((&outcome.ok().unwrap().buffer.1[..], polls), (&[9u16, 9][..], 2));
    sim.run(100);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(dmac.enabled_channels(), 0);
    // SAFETY: the DMA finished (channel 0 reads disabled, nothing moves) and
    // the leaked buffer is never used again through its (forgotten) owner.
    assert_eq!(unsafe { &*to_ptr }, [4, 5, 6]);

    // SAFETY: the forgotten transfer has finished (`DMACEnbldChns` bit 0
    // reads 0) and is never used again.
    let ch0 = unsafe { dmac.steal_channel(0) }.unwrap();
    let copy = ch0.copy(&[1u8, 2, 3][..], vec![0u8; 3]).ok().unwrap();
    let (outcome, polls) = run_parked(TransferFuture::new(copy, &LEAKED), || (), || sim.step());
    assert_eq!((&outcome.ok().unwrap().buffer.1[..], polls), (&[1u8, 2, 3][..], 2));
    assert_eq!(sim.interrupts_left_pending(), 0);
}

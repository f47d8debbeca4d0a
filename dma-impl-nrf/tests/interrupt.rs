//! Interrupt wiring: `TransferFuture`s over UARTE, SPIM and TWIM transfers,
//! woken only by the simulator's interrupt line calling
//! `Interrupt::on_interrupt`; dropped at each await point; leaked.
//!
//! The executor is `futures_executor::block_on`, which parks its thread
//! until the waker is woken: without the interrupt it would hang, so it runs
//! on a thread of its own and the test fails after a bounded wait. The
//! hardware is a stepped simulator that the test's thread steps meanwhile
//! (its interrupt handler then runs on that thread, as an interrupt would
//! preempt whatever runs), or (one test) a threaded one.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use dma_impl_mock::parked::run_parked;
use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::nrf::{EasyDmaSim, Kind, SimConfig, TwiFault};
use dma_impl_nrf::{Error, Interrupt, Nrf52840, Spim, Twim, Uarte, UarteRx, UarteTx};
use dma_traits::future::{DmaWaker, TransferFuture};
use dma_traits::{DmaFence, DmaFullDuplex, DmaRead, DmaWrite};

/// Nothing to drive: the hardware runs on its own thread.
fn threaded_hardware() -> bool {
    false
}

/// Connects `irq` to the simulator's interrupt line, waking `waker`.
fn wire(sim: &EasyDmaSim, irq: Interrupt, waker: &'static DmaWaker) {
    sim.on_interrupt(move || irq.on_interrupt(waker));
}

fn uarte(sim: &EasyDmaSim) -> (UarteTx<Nrf52840>, UarteRx<Nrf52840>) {
    // SAFETY: the simulator's mapped block, used by this UARTE only (tests
    // that build a second one argue it where they do); it outlives the
    // interrupt tokens, which its handler holds.
    unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split()
}

fn stepped(kind: Kind) -> EasyDmaSim {
    EasyDmaSim::new(kind, &Recorder::new(), SimConfig::nrf52840().step())
}

#[test]
fn uarte_tx_future_is_woken_by_the_interrupt() {
    static WAKER: DmaWaker = DmaWaker::new();
    // The hardware on its own thread, as on the chip: the handler runs there.
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
    let (mut tx, _rx) = uarte(&sim);
    wire(&sim, tx.interrupt(), &WAKER);
    sim.stall_after(0);
    let transfer = tx.write_all(b"wake".to_vec()).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || sim.resume(), threaded_hardware);
    let done = outcome.unwrap();
    assert_eq!((done.transferred, &done.buffer[..]), (4, &b"wake"[..]));
    assert_eq!(polls, 2, "pending once, woken once");
    assert_eq!(sim.take_sent(), b"wake");
    assert!(sim.interrupts() >= 1);
    assert_eq!(sim.interrupts_left_pending(), 0, "the handler masked what raised it");
}

#[test]
fn uarte_rx_future_is_woken_by_the_interrupt() {
    static WAKER: DmaWaker = DmaWaker::new();
    let sim = stepped(Kind::Uarte);
    let (_tx, mut rx) = uarte(&sim);
    wire(&sim, rx.interrupt(), &WAKER);
    let transfer = rx.read_exact(vec![0u8; 3]).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || sim.feed(b"abc"), || sim.step());
    let done = outcome.unwrap();
    assert_eq!((done.transferred, &done.buffer[..]), (3, &b"abc"[..]));
    assert_eq!(polls, 2);
    assert_eq!(sim.interrupts_left_pending(), 0);
}

#[test]
fn uarte_rx_error_wakes_the_future_with_the_error() {
    static WAKER: DmaWaker = DmaWaker::new();
    let sim = stepped(Kind::Uarte);
    let (_tx, mut rx) = uarte(&sim);
    wire(&sim, rx.interrupt(), &WAKER);
    sim.inject_uart_error(1, 1 << 2); // FRAMING after one good byte
    let transfer = rx.read_exact(vec![0u8; 4]).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || sim.feed(b"xyzw"), || sim.step());
    let failed = outcome.unwrap_err();
    assert_eq!((failed.error, failed.transferred), (Error::Framing, 1));
    assert_eq!(polls, 2);
}

#[test]
fn spim_future_is_woken_by_the_interrupt() {
    static WAKER: DmaWaker = DmaWaker::new();
    let sim = stepped(Kind::Spim);
    // SAFETY: the simulator's block, used by this SPIM only; it outlives the token.
    let mut spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    wire(&sim, spim.interrupt(), &WAKER);
    sim.feed(&[9, 8, 7]);
    let transfer = spim.transfer(vec![1u8, 2, 3], vec![0u8; 3]).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || (), || sim.step());
    let done = outcome.unwrap();
    assert_eq!(&done.buffer.1[..], &[9, 8, 7]);
    assert_eq!(polls, 2);
    assert_eq!(sim.take_sent(), [1, 2, 3]);
    assert_eq!(sim.interrupts_left_pending(), 0);
}

#[test]
fn twim_future_is_woken_by_the_interrupt_and_by_an_error() {
    static WAKER: DmaWaker = DmaWaker::new();
    let sim = stepped(Kind::Twim);
    // SAFETY: the simulator's block, used by this TWIM only; it outlives the token.
    let mut twim = unsafe { Twim::<Nrf52840>::new(sim.base()) }.with_address(0x42);
    wire(&sim, twim.interrupt(), &WAKER);
    let transfer = twim.write_all(vec![5u8, 6]).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let (outcome, polls) = run_parked(future, || (), || sim.step());
    let done = outcome.unwrap();
    assert_eq!((done.transferred, polls), (2, 2));
    assert_eq!(sim.take_sent(), [5, 6]);

    // A NACKed byte ends the transaction with ERROR, which wakes too.
    let transfer = done.resources.write_all(vec![5u8, 6]).unwrap();
    let future = TransferFuture::new(transfer, &WAKER);
    let nack = || sim.inject_twi_fault(TwiFault::DataNackAfter(1));
    let (outcome, polls) = run_parked(future, nack, || sim.step());
    let failed = outcome.unwrap_err();
    assert_eq!((failed.error, failed.transferred, polls), (Error::DataNack, 1, 2));
    assert_eq!(sim.interrupts_left_pending(), 0);
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

/// Two writes in a row with a yield between: three await points.
async fn two_writes<F: DmaFence + Unpin>(
    tx: UarteTx<Nrf52840, F>,
    waker: &'static DmaWaker,
) -> Option<UarteTx<Nrf52840, F>> {
    let first = TransferFuture::new(tx.write_all(b"12".to_vec()).ok()?, waker).await.ok()?;
    YieldOnce(false).await;
    let second =
        TransferFuture::new(first.resources.write_all(b"34".to_vec()).ok()?, waker).await.ok()?;
    Some(second.resources)
}

/// Where [`dropping_the_future_at_each_await_point`] drops the future.
#[derive(Debug, Clone, Copy)]
enum DropAt {
    /// Never polled: no transfer started.
    Unpolled,
    /// Pending at the first await, the line held.
    FirstAwait,
    /// The first transfer's interrupt woke the task, which was not polled again.
    Woken,
    /// At the yield: the first transfer completed, the second not started.
    Between,
    /// Pending at the second await.
    SecondAwait,
}

#[test]
fn dropping_the_future_at_each_await_point() {
    static WAKER: DmaWaker = DmaWaker::new();
    let points =
        [DropAt::Unpolled, DropAt::FirstAwait, DropAt::Woken, DropAt::Between, DropAt::SecondAwait];
    for at in points {
        let (log, fence) = common::recording();
        let sim = EasyDmaSim::uarte(&log, SimConfig::nrf52840().step());
        // SAFETY: as in `uarte`.
        let (mut tx, _rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.with_fence(fence).split();
        let irq = tx.interrupt();
        wire(&sim, irq, &WAKER);
        let wakes = Arc::new(Wakes::default());
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        let mut future = Box::pin(two_writes(tx, &WAKER));
        // Nothing moves but by `sim.run`.
        if !matches!(at, DropAt::Unpolled) {
            assert!(future.as_mut().poll(&mut cx).is_pending());
        }
        if matches!(at, DropAt::Woken | DropAt::Between | DropAt::SecondAwait) {
            sim.run(100);
            assert_eq!(wakes.0.load(Ordering::SeqCst), 1, "the interrupt woke the task");
        }
        if matches!(at, DropAt::Between | DropAt::SecondAwait) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "at the yield");
            assert_eq!(wakes.0.load(Ordering::SeqCst), 2, "the yield woke itself");
        }
        if matches!(at, DropAt::SecondAwait) {
            assert!(future.as_mut().poll(&mut cx).is_pending(), "the second write runs");
        }
        drop(future);
        log.push(Event::Note("dropped"));
        assert!(sim.is_idle(), "{at:?}: the drop stopped the UARTE");
        let sent = sim.take_sent();
        match at {
            DropAt::Unpolled => assert_eq!(sim.starts(), 0),
            DropAt::FirstAwait => {
                assert!(sent.is_empty());
                let events = log.events();
                let stopped = events.iter().position(|e| *e == Event::Stopped);
                let dropped = events.iter().position(|e| *e == Event::Note("dropped"));
                assert!(stopped < dropped, "stopped before the drop returned: {events:?}");
            }
            DropAt::Woken | DropAt::Between | DropAt::SecondAwait => {
                assert_eq!(sent, b"12", "{at:?}");
                common::assert_stopped_before(&log, "dropped");
            }
        }

        // The UARTE again: the dropped transfer halted, the block is free.
        // SAFETY: the previous `UarteTx` was dropped with the future (its
        // transfer halted first); nothing else uses the block.
        let (mut tx, _rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split();
        assert_eq!(tx.interrupt(), irq, "the same token");
        let (output, _) = run_parked(Box::pin(two_writes(tx, &WAKER)), || (), || sim.step());
        assert!(output.is_some(), "{at:?}: both writes completed");
        assert_eq!(sim.take_sent(), b"1234");
        assert_eq!(sim.interrupts_left_pending(), 0);
    }
}

#[test]
fn a_leaked_future_then_the_other_half_and_the_uarte_again() {
    static TX_WAKER: DmaWaker = DmaWaker::new();
    static RX_WAKER: DmaWaker = DmaWaker::new();
    let sim = stepped(Kind::Uarte);
    let (mut tx, mut rx) = uarte(&sim);
    let (tx_irq, rx_irq) = (tx.interrupt(), rx.interrupt());
    // One vector for both halves, as on the chip.
    sim.on_interrupt(move || {
        tx_irq.on_interrupt(&TX_WAKER);
        rx_irq.on_interrupt(&RX_WAKER);
    });
    let wakes = Arc::new(Wakes::default());
    let waker = Waker::from(Arc::clone(&wakes));
    let mut future = TransferFuture::new(tx.write_all(b"lost".to_vec()).unwrap(), &TX_WAKER);
    assert!(Pin::new(&mut future).poll(&mut Context::from_waker(&waker)).is_pending());
    std::mem::forget(future); // the transfer, its `'static` buffer and the UARTE half with it

    // The receiver was never lent: it works, woken by the shared vector,
    // while the leaked transmission runs beside it.
    let transfer = rx.read_exact(vec![0u8; 2]).unwrap();
    let future = TransferFuture::new(transfer, &RX_WAKER);
    let (outcome, polls) = run_parked(future, || sim.feed(b"ok"), || sim.step());
    assert_eq!((&outcome.unwrap().buffer[..], polls), (&b"ok"[..], 2));

    // The leaked transfer ran to its end and its interrupt woke the
    // (forgotten) task: nothing else happened.
    sim.run(100);
    assert_eq!(wakes.0.load(Ordering::SeqCst), 1);
    assert_eq!(sim.take_sent(), b"lost");

    // The whole UARTE again, now that the leaked transmission has ended.
    assert!(sim.is_idle());
    // SAFETY: the forgotten transfer has finished (the simulator is idle)
    // and is never used again; the receiver's transfer completed and was
    // given back; nothing else uses the block.
    let (mut tx, _rx) = unsafe { Uarte::<Nrf52840>::new(sim.base()) }.split();
    // A new transmitter enables its interrupt once its token is taken: the
    // same token the vector already holds.
    assert_eq!(tx.interrupt(), tx_irq);
    let transfer = tx.write_all(b"again".to_vec()).unwrap();
    let future = TransferFuture::new(transfer, &TX_WAKER);
    let (outcome, polls) = run_parked(future, || (), || sim.step());
    assert_eq!((outcome.unwrap().transferred, polls), (5, 2));
    assert_eq!(sim.take_sent(), b"again");
    assert_eq!(sim.interrupts_left_pending(), 0);
}

#[test]
fn the_handler_leaves_the_events_to_the_transfer() {
    let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    let (mut tx, _rx) = uarte(&sim);
    let irq = tx.interrupt();
    static WAKER: DmaWaker = DmaWaker::new();
    wire(&sim, irq, &WAKER);
    let transfer = tx.write_all(b"ab".to_vec()).unwrap();
    assert_eq!(sim.register(0x300) & irq.mask(), irq.mask(), "the start enabled ENDTX");
    sim.run(100);
    assert_eq!(sim.interrupts(), 1);
    assert!(irq.is_pending(), "ENDTX is still set");
    assert_eq!(sim.register(0x300) & irq.mask(), 0, "masked");
    assert!(dma_traits::Transfer::is_done(&transfer));
    assert_eq!(dma_traits::Transfer::wait(transfer).unwrap().transferred, 2);
}

#[test]
fn the_rx_stream_is_woken_by_endrx() {
    static WAKER: DmaWaker = DmaWaker::new();
    let sim = stepped(Kind::Uarte);
    let (_tx, mut rx) = uarte(&sim);
    let irq = rx.interrupt();
    wire(&sim, irq, &WAKER);
    let mut stream = rx.read_stream(vec![0u8; 2], vec![0u8; 2]).map_err(|e| e.0).unwrap();
    assert_eq!(stream.interrupt(), irq);
    let endrx = dma_impl_nrf::regs::inten_bit(dma_impl_nrf::regs::EVENTS_ENDRX);
    assert_eq!(sim.register(0x300), endrx, "ENDRX's interrupt only, not ERROR's");
    let future = Box::pin(async move {
        let mut got = Vec::new();
        for _ in 0..2 {
            // Register, then look: as `TransferFuture` does.
            std::future::poll_fn(|cx| {
                WAKER.register(cx.waker());
                if stream.is_filled() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            let filled = stream.next(vec![0u8; 2]).map_err(|e| e.0).unwrap();
            assert_eq!(filled.error, None);
            got.extend_from_slice(&filled.buffer);
        }
        drop(stream); // STOPRX, RXTO
        got
    });
    let (got, polls) = run_parked(future, || sim.feed(b"abcd"), || sim.step());
    assert_eq!(got, b"abcd");
    assert!(polls >= 2, "pending at first, woken by ENDRX");
    assert_eq!(sim.interrupts_left_pending(), 0);
}

/// `INTEN` (read through the simulator) while `transfer` runs; then stops it.
fn inten_while_running<T: dma_traits::Transfer>(sim: &EasyDmaSim, transfer: T) -> u32 {
    let inten = sim.register(0x300);
    drop(transfer.stop());
    inten
}

#[test]
fn a_transfer_enables_interrupts_only_once_the_token_was_taken() {
    // Blocking use, no token: no transfer writes `INTENSET`.
    let sim = stepped(Kind::Uarte);
    let (tx, rx) = uarte(&sim);
    assert_eq!(inten_while_running(&sim, tx.write_all(b"a".to_vec()).unwrap()), 0, "UARTE TX");
    assert_eq!(inten_while_running(&sim, rx.read_exact(vec![0u8; 1]).unwrap()), 0, "UARTE RX");
    let sim = stepped(Kind::Spim);
    // SAFETY: the simulator's block, used by this SPIM only.
    let spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    assert_eq!(inten_while_running(&sim, spim.write_all(b"a".to_vec()).unwrap()), 0, "SPIM");
    let sim = stepped(Kind::Twim);
    // SAFETY: the simulator's block, used by this TWIM only.
    let twim = unsafe { Twim::<Nrf52840>::new(sim.base()) }.with_address(0x42);
    assert_eq!(inten_while_running(&sim, twim.write_all(b"a".to_vec()).unwrap()), 0, "TWIM");

    // With the token: the events that end each transfer.
    let sim = stepped(Kind::Uarte);
    let (mut tx, mut rx) = uarte(&sim);
    let (tx_irq, rx_irq) = (tx.interrupt(), rx.interrupt());
    // The tokens survive `join` and `split`.
    let (tx, rx) = Uarte::join(tx, rx).unwrap().split();
    let running = tx.write_all(b"a".to_vec()).unwrap();
    assert_eq!(inten_while_running(&sim, running), tx_irq.mask(), "UARTE TX");
    let running = rx.read_exact(vec![0u8; 1]).unwrap();
    // The transmitter's bit stays: no handler ran to mask it.
    let both = tx_irq.mask() | rx_irq.mask();
    assert_eq!(inten_while_running(&sim, running), both, "UARTE RX");
    let sim = stepped(Kind::Spim);
    // SAFETY: the simulator's block, used by this SPIM only.
    let mut spim = unsafe { Spim::<Nrf52840>::new(sim.base()) };
    let irq = spim.interrupt();
    let running = spim.with_fence(dma_traits::CompilerFence).write_all(b"a".to_vec()).unwrap();
    assert_eq!(inten_while_running(&sim, running), irq.mask(), "SPIM, across with_fence");
    let sim = stepped(Kind::Twim);
    // SAFETY: the simulator's block, used by this TWIM only.
    let mut twim = unsafe { Twim::<Nrf52840>::new(sim.base()) }.with_address(0x42);
    let irq = twim.interrupt();
    assert_eq!(inten_while_running(&sim, twim.write_all(b"a".to_vec()).unwrap()), irq.mask());
}

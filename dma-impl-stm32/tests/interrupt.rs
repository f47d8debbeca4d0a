//! The DMA interrupt wired to `TransferFuture` (issue #18 item 2), on both
//! controller families: the simulator raises the channel's line
//! (level-sensitive) and calls the registered vector, which acknowledges
//! the flags with the channel's `Interrupt` token and wakes the future's
//! `DmaWaker`. The executor (`futures-executor`'s `LocalPool`) polls a task
//! only when it was woken, so a future that completes was woken by the
//! interrupt. Every run is bounded: a future that is never woken fails the
//! test, never hangs it.
#![cfg(feature = "async")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use dma_impl_mock::record::{Event, Recorder};
use dma_impl_mock::sim::stm32::{ChannelDma, Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_stm32::interrupt::{Interrupt, InterruptFlags};
use dma_impl_stm32::usart::{RxHalf, StatusData, TxHalf, Usart, UsartRx, UsartTx};
use dma_impl_stm32::DmaChannel;
use dma_impl_stm32::{channel, stream};
use dma_traits::future::{DmaWaker, TransferFuture};
use dma_traits::{CompilerFence, DmaRead, DmaWrite};
use futures_executor::LocalPool;
use futures_executor::LocalSpawner;
use futures_task::{LocalFutureObj, LocalSpawn};

/// Spawns `future` on the pool's spawner.
fn spawn(spawner: &LocalSpawner, future: impl core::future::Future<Output = ()> + 'static) {
    spawner.spawn_local_obj(LocalFutureObj::new(Box::new(future))).unwrap();
}

/// Steps of the simulator a test may take before it counts as hung.
const BOUND: usize = 400;

/// A `'static` `DmaWaker` of its own for each test (tests run in parallel).
fn waker() -> &'static DmaWaker {
    Box::leak(Box::new(DmaWaker::new()))
}

/// `'static` `InterruptFlags` for one channel, likewise.
fn flags() -> &'static InterruptFlags {
    Box::leak(Box::new(InterruptFlags::new()))
}

/// The simulated hardware and a transmitter and receiver on it, their
/// channels' vectors registered (counting their calls).
struct Hw<D> {
    log: Recorder,
    dma: D,
    usart: UsartSim,
    taken: Arc<AtomicUsize>,
    tx_irq: Interrupt,
}

trait Stepped {
    fn step(&self) -> bool;
}
impl Stepped for ChannelDma {
    fn step(&self) -> bool {
        ChannelDma::step(self)
    }
}
impl Stepped for StreamDma {
    fn step(&self) -> bool {
        StreamDma::step(self)
    }
}

impl<D: Stepped> Hw<D> {
    /// Runs `pool` until `done` says so, stepping the hardware between
    /// stalls; `None` if it did not finish within `bound` steps.
    fn drive(&self, pool: &mut LocalPool, done: impl Fn() -> bool, bound: usize) -> Option<usize> {
        for i in 0..bound {
            pool.run_until_stalled();
            if done() {
                return Some(i);
            }
            self.dma.step();
        }
        pool.run_until_stalled();
        done().then_some(bound)
    }

    fn assert_quiet_after(&self, note: &'static str) {
        self.log.push(Event::Note(note));
        self.usart.feed(&[0xEE; 4]);
        for _ in 0..16 {
            self.dma.step();
        }
        let events = self.log.events();
        let at = events.iter().rposition(|e| *e == Event::Note(note)).unwrap();
        let late = events[at..]
            .iter()
            .any(|e| matches!(e, Event::DmaRead { .. } | Event::DmaWrite { .. }));
        assert!(!late, "the DMA accessed memory after {note}");
    }
}

fn usart(sim: &UsartSim) -> Usart<StatusData> {
    // SAFETY: the simulator outlives the driver values (held by the test's `Hw`).
    let mut usart = unsafe { Usart::<StatusData>::from_base(sim.base()) };
    usart.enable(1);
    usart
}

macro_rules! interrupt_tests {
    ($family:ident, $Sim:ty, $TxCh:ty, $RxCh:ty, $tx_n:literal, $rx_n:literal, $take:expr, $wire:expr) => {
        mod $family {
            use super::*;

            /// The TX and RX channels with their interrupts on, and their tokens.
            fn armed(
                tx: $TxCh,
                rx: $RxCh,
            ) -> (impl DmaChannel, impl DmaChannel, Interrupt, Interrupt) {
                let (tx, tx_irq) = tx.interrupt(flags()).unwrap();
                let (rx, rx_irq) = rx.interrupt(flags()).unwrap();
                (tx, rx, tx_irq, rx_irq)
            }

            /// The TX and RX channels polled, and tokens for the assertions
            /// only, from another controller: the channels' transfers never
            /// enable their sources.
            fn polled(tx: $TxCh, rx: $RxCh) -> ($TxCh, $RxCh, Interrupt, Interrupt) {
                let (a, b) = $take(&<$Sim>::new(Recorder::new()));
                (tx, rx, a.interrupt(flags()).unwrap().1, b.interrupt(flags()).unwrap().1)
            }

            /// Wires the USART, takes the TX and RX channels, puts them in
            /// their mode (`mode`: [`armed`] or [`polled`]) and registers
            /// the vectors.
            #[allow(clippy::type_complexity)]
            fn rig<T: DmaChannel, R: DmaChannel>(
                tx_waker: &'static DmaWaker,
                rx_waker: &'static DmaWaker,
                mode: fn($TxCh, $RxCh) -> (T, R, Interrupt, Interrupt),
            ) -> (
                Hw<$Sim>,
                UsartTx<StatusData, T, CompilerFence, TxHalf<StatusData>>,
                UsartRx<StatusData, R, CompilerFence, RxHalf<StatusData>>,
            ) {
                let log = Recorder::new();
                let dma = <$Sim>::new(log.clone());
                let usart_sim = UsartSim::new(UsartLayout::StatusData);
                $wire(&dma, &usart_sim);
                let (tx_ch, rx_ch) = $take(&dma);
                let taken = Arc::new(AtomicUsize::new(0));
                let (tx_ch, rx_ch, tx_irq, rx_irq) = mode(tx_ch, rx_ch);
                let count = Arc::clone(&taken);
                dma.on_interrupt($tx_n, move || {
                    count.fetch_add(1, Ordering::SeqCst);
                    tx_irq.on_interrupt(tx_waker);
                });
                let count = Arc::clone(&taken);
                dma.on_interrupt($rx_n, move || {
                    count.fetch_add(1, Ordering::SeqCst);
                    rx_irq.on_interrupt(rx_waker);
                });
                let (tx_half, rx_half) = usart(&usart_sim).halves();
                let tx = tx_half.transmitter(tx_ch, CompilerFence);
                let rx = rx_half.receiver(rx_ch, CompilerFence);
                (Hw { log, dma, usart: usart_sim, taken, tx_irq }, tx, rx)
            }

            #[test]
            fn a_future_woken_only_by_the_interrupt_completes() {
                let tx_waker = waker();
                let (hw, tx, _rx) = rig(tx_waker, waker(), armed);
                let mut pool = LocalPool::new();
                let out = Rc::new(RefCell::new(None));
                let slot = Rc::clone(&out);
                let transfer = tx.write_all(&b"irq!"[..]).ok().unwrap();
                spawn(&pool.spawner(), async move {
                    let done = TransferFuture::new(transfer, tx_waker).await;
                    *slot.borrow_mut() = Some(done.ok().unwrap().transferred);
                });
                let steps = hw.drive(&mut pool, || out.borrow().is_some(), BOUND);
                assert!(steps.is_some(), "the future was never woken (no interrupt)");
                assert_eq!(*out.borrow(), Some(4));
                assert_eq!(hw.usart.sent(), b"irq!");
                assert!(hw.taken.load(Ordering::SeqCst) >= 1, "the vector ran");
                assert!(!hw.tx_irq.is_pending(), "the handler took the flags");
            }

            #[test]
            fn without_the_interrupt_a_done_transfer_stays_pending() {
                // The channels' transfers do not enable their sources: the
                // transfer completes, nobody wakes the future, the executor
                // never polls it again.
                let tx_waker = waker();
                let (hw, tx, _rx) = rig(tx_waker, waker(), polled);
                let mut pool = LocalPool::new();
                let out = Rc::new(RefCell::new(None));
                let slot = Rc::clone(&out);
                let transfer = tx.write_all(&b"no"[..]).ok().unwrap();
                spawn(&pool.spawner(), async move {
                    let done = TransferFuture::new(transfer, tx_waker).await;
                    *slot.borrow_mut() = Some(done.is_ok());
                });
                assert_eq!(hw.drive(&mut pool, || out.borrow().is_some(), 40), None);
                assert_eq!(hw.usart.sent(), b"no", "done, yet not woken");
                assert_eq!(hw.taken.load(Ordering::SeqCst), 0);
                // A wake (the interrupt's job) is all it needs.
                tx_waker.wake();
                pool.run_until_stalled();
                assert_eq!(*out.borrow(), Some(true));
            }

            #[test]
            fn dropped_at_each_await_point() {
                // Two transfers in sequence; the task is dropped after `k`
                // steps of the hardware, for every `k` up to completion.
                let mut completed = false;
                // Under Miri (a few seconds a test) every tenth step: before
                // the first, during and between the transfers, and after.
                for k in (0..BOUND).step_by(if cfg!(miri) { 10 } else { 1 }) {
                    let tx_waker = waker();
                    let (hw, tx, _rx) = rig(tx_waker, waker(), armed);
                    let mut pool = LocalPool::new();
                    let out = Rc::new(RefCell::new(None));
                    let slot = Rc::clone(&out);
                    spawn(&pool.spawner(), async move {
                        let first = tx.write_all(&b"ab"[..]).ok().unwrap();
                        let tx = TransferFuture::new(first, tx_waker).await.ok().unwrap().resources;
                        let second = tx.write_all(&b"cd"[..]).ok().unwrap();
                        let done = TransferFuture::new(second, tx_waker).await.ok().unwrap();
                        *slot.borrow_mut() = Some(done.transferred);
                    });
                    let finished = hw.drive(&mut pool, || out.borrow().is_some(), k);
                    drop(pool); // drops the task, and the transfer it holds
                    let sent = hw.usart.sent();
                    assert!(b"abcd".starts_with(&sent), "{sent:?}");
                    hw.assert_quiet_after("task dropped");
                    if finished.is_some() {
                        assert_eq!(sent, b"abcd");
                        completed = true;
                        break;
                    }
                }
                assert!(completed, "the two transfers never completed");
            }

            #[test]
            fn the_worker_takes_the_interrupt_concurrently_and_wakes_the_future() {
                // Threaded: the simulated controller moves data, and takes
                // its interrupt, on its own thread while this one polls and
                // starts transfers: the handler's acknowledge races the
                // owner's status reads and clears for real.
                let tx_waker = waker();
                let dma = <$Sim>::threaded(Recorder::new());
                let usart_sim = UsartSim::new(UsartLayout::StatusData);
                $wire(&dma, &usart_sim);
                let (tx_ch, _rx_ch) = $take(&dma);
                let (tx_ch, irq) = tx_ch.interrupt(flags()).unwrap();
                let taken = Arc::new(AtomicUsize::new(0));
                let count = Arc::clone(&taken);
                dma.on_interrupt($tx_n, move || {
                    count.fetch_add(1, Ordering::SeqCst);
                    irq.on_interrupt(tx_waker);
                });
                let tx = usart(&usart_sim).transmitter(tx_ch, CompilerFence);
                let mut pool = LocalPool::new();
                let out = Rc::new(RefCell::new(None));
                let slot = Rc::clone(&out);
                spawn(&pool.spawner(), async move {
                    let mut tx = tx;
                    let mut sent = 0;
                    for message in [&b"ab"[..], &b"cde"[..], &b"f"[..]] {
                        let done =
                            TransferFuture::new(tx.write_all(message).ok().unwrap(), tx_waker);
                        let done = done.await.ok().unwrap();
                        sent += done.transferred;
                        tx = done.resources;
                    }
                    *slot.borrow_mut() = Some(sent);
                });
                // Bounded: a future nobody wakes fails the test. The pool
                // polls the task only when it was woken.
                for _ in 0..20_000 {
                    pool.run_until_stalled();
                    if out.borrow().is_some() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_micros(50));
                }
                assert_eq!(*out.borrow(), Some(6), "the future was never woken (no interrupt)");
                assert_eq!(usart_sim.sent(), b"abcdef");
                assert!(taken.load(Ordering::SeqCst) >= 3, "the worker ran the vector");
                assert!(!irq.is_pending(), "the handler took the flags");
            }

            #[test]
            fn a_leaked_future_then_the_waker_and_the_vector_reused() {
                let (tx_waker, rx_waker) = (waker(), waker());
                let (hw, tx, rx) = rig(tx_waker, rx_waker, armed);
                let message: &'static [u8] = b"leaked";
                let mut future =
                    Box::pin(TransferFuture::new(tx.write_all(message).ok().unwrap(), tx_waker));
                let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
                assert!(future.as_mut().poll(&mut cx).is_pending());
                // Leaked: the transfer is never stopped (the buffer is
                // `'static`, so that is safe); it runs to its end, and its
                // interrupt is taken and acknowledged with nobody to wake.
                core::mem::forget(future);
                for _ in 0..BOUND {
                    if !hw.dma.step() {
                        break;
                    }
                }
                assert_eq!(hw.usart.sent(), message, "the leaked transfer's bytes went out intact");
                assert!(!hw.tx_irq.is_pending(), "its interrupt was taken and acknowledged");
                let taken = hw.taken.load(Ordering::SeqCst);
                assert!(taken >= 1);
                // The contract allows everything not lent to the leaked
                // transfer to be reused: the receiver, its vector, and the
                // same `DmaWaker` for a new future.
                hw.usart.feed(b"ok");
                let mut pool = LocalPool::new();
                let out = Rc::new(RefCell::new(None));
                let slot = Rc::clone(&out);
                let transfer = rx.read_exact(vec![0u8; 2].into_boxed_slice()).ok().unwrap();
                spawn(&pool.spawner(), async move {
                    let done = TransferFuture::new(transfer, rx_waker).await.ok().unwrap();
                    *slot.borrow_mut() = Some(done.buffer);
                });
                assert!(hw.drive(&mut pool, || out.borrow().is_some(), BOUND).is_some());
                assert_eq!(out.borrow().as_deref(), Some(&b"ok"[..]));
                assert!(hw.taken.load(Ordering::SeqCst) > taken, "woken by the RX vector");
                let _ = tx_waker; // still registered to the leaked task: harmless
            }
        }
    };
}

use core::future::Future as _;

interrupt_tests!(
    channel_dma,
    ChannelDma,
    channel::Channel<4>,
    channel::Channel<5>,
    4,
    5,
    |dma: &ChannelDma| {
        // SAFETY: a live simulated controller, owned by the test's `Hw`.
        let mut c = unsafe { channel::Dma::from_base(dma.base(), 7) };
        (c.channel::<4>().unwrap(), c.channel::<5>().unwrap())
    },
    |dma: &ChannelDma, usart: &UsartSim| {
        dma.wire(4, usart.requests(), Line::Tx);
        dma.wire(5, usart.requests(), Line::Rx);
    }
);

interrupt_tests!(
    stream_dma,
    StreamDma,
    stream::Stream<7>,
    stream::Stream<2>,
    7,
    2,
    |dma: &StreamDma| {
        // SAFETY: as above.
        let mut c = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
        (c.stream::<7>(4).unwrap(), c.stream::<2>(4).unwrap())
    },
    |dma: &StreamDma, usart: &UsartSim| {
        dma.wire(7, 4, usart.requests(), Line::Tx);
        dma.wire(2, 4, usart.requests(), Line::Rx);
    }
);

/// One `InterruptFlags` serves one channel: a second channel is refused
/// (it would read the first one's flags as its own and end its transfers
/// early) and given back whole, to be armed with flags of its own.
#[test]
fn interrupt_flags_serve_one_channel() {
    let dma = StreamDma::new(Recorder::new());
    // SAFETY: a live simulated controller that outlives the streams.
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    let (s7, s2) = (controller.stream::<7>(4).unwrap(), controller.stream::<2>(4).unwrap());
    let shared = flags();
    let _s7 = s7.interrupt(shared).unwrap().0;
    let s2 = s2.interrupt(shared).expect_err("claimed by stream 7");
    assert!(s2.interrupt(flags()).is_ok());
}

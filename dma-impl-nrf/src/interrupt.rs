//! Interrupt wiring: waking a [`TransferFuture`](dma_traits::future::TransferFuture)
//! from the peripheral's interrupt vector.
//!
//! Once its [`Interrupt`] (a `Copy` token) was taken from a peripheral
//! (`interrupt(&mut self)`), every transfer of that peripheral enables, when
//! it starts (after clearing its events, before the start task), the
//! interrupts of the events that end it: `ENDTX`
//! ([`UarteTx`](crate::UarteTx)), `ENDRX` and `ERROR`
//! ([`UarteRx`](crate::UarteRx)), `END` ([`Spim`](crate::Spim)), `STOPPED`
//! and `ERROR` ([`Twim`](crate::Twim)). A peripheral whose token was never
//! taken writes no `INTENSET`: blocking use pays nothing for the wiring. The
//! peripheral remembers it across `with_fence`, `with_address` and the
//! UARTE's `split` / `join`; one made anew by its `unsafe` constructor has
//! not taken it (take it again: it is the same token). Before starting,
//! take the token and call [`Interrupt::on_interrupt`] from the peripheral's
//! vector with the [`DmaWaker`] the future waits on:
//!
//! ```ignore
//! static TX_DONE: DmaWaker = DmaWaker::new();
//! static TX_IRQ: Mutex<Cell<Option<Interrupt>>> = ...; // set to `tx.interrupt()`
//!
//! #[interrupt]
//! fn UARTE0_UART0() {
//!     if let Some(irq) = critical_section::with(|cs| TX_IRQ.borrow(cs).get()) {
//!         irq.on_interrupt(&TX_DONE);
//!     }
//! }
//! // thread mode / a task:
//! let done = TransferFuture::new(tx.write_all(buffer)?, &TX_DONE).await;
//! ```
//!
//! The UARTE's transmitter and receiver share one vector: call both
//! halves' tokens there, each with its own waker; each acts on its own events
//! only.
//!
//! # What the handler does, and why it is sound
//!
//! The transfer's completion logic (`is_done`, `halt`) reads the events, so
//! the handler must not consume them: it **masks** them instead. The nRF
//! interrupt is a level (PS "Peripheral interface", "Interrupts", nRF52840
//! PS v1.1 §6.1.7: pending while an event is set and its `INTEN` bit is set),
//! so a handler that left it enabled would be entered again at once.
//!
//! [`Interrupt::on_interrupt`]:
//! 1. reads `INTEN` (through `INTENSET`) and its events; none of its events
//!    is both set and enabled: returns (another source of the shared vector,
//!    an event this transfer does not wait on, or a late entry). Reads have
//!    no side effect.
//! 2. writes those enabled bits to `INTENCLR`. `INTENCLR` is write-1-to-clear: the
//!    write changes only those bits, so it cannot race a thread-mode write
//!    to `INTENSET` / `INTENCLR` the way a read-modify-write of `INTEN`
//!    would.
//! 3. reads those events again: if none is set now, thread mode ended that
//!    transfer (and may have started the next, which enabled these bits)
//!    between 1 and 2, so the handler gives the enable back (`INTENSET`).
//!    On the single-core nRF52 an interrupt preempts thread mode and this
//!    never happens; on the host, where a simulator's thread runs the
//!    handler beside the test's, it can.
//! 4. wakes the waker.
//!
//! Memory safety: the token writes only `INTENSET` / `INTENCLR` and reads
//! only events. Which interrupts are enabled decides which handler runs
//! when, never what EasyDMA or the CPU accesses; the buffers are owned by the
//! transfer, whose `halt` waits for the stopped event by polling whatever
//! `INTEN` holds. So the token needs no ownership of the peripheral, and is
//! `Copy`, `Send` and `Sync`.
//!
//! No lost wake-up: `TransferFuture::poll` registers its waker, then reads
//! `is_done` (the events). If the event was set before that read, the poll
//! completes. Otherwise the event is set after the registration; the handler
//! runs after the event is set (1), and wakes (4) after it, so it finds the
//! registered waker. The handler never clears an event, so no poll after
//! it can miss one. Masking (2) comes before waking (4): once woken, a task
//! may finish this transfer and start the next, which enables the bits
//! again; a mask after the wake could undo that enable. (3) covers the same
//! race when thread mode outruns the handler before step 2.
//!
//! A handler that never runs (no vector wired) leaves `TransferFuture`
//! pending until polled again: the transfer itself is unaffected, and a busy
//! executor still completes it.

use dma_traits::future::DmaWaker;

use crate::block::Block;
use crate::regs::{inten_bit, INTENCLR, INTENSET};

/// A peripheral's interrupt, as its vector sees it: masks and wakes, nothing
/// else. Taken from the peripheral before a transfer starts
/// ([`UarteTx::interrupt`](crate::UarteTx::interrupt),
/// [`UarteRx::interrupt`](crate::UarteRx::interrupt),
/// [`Spim::interrupt`](crate::Spim::interrupt),
/// [`Twim::interrupt`](crate::Twim::interrupt)); valid as long as the
/// peripheral's register block (for ever on the chip; on the host, while the
/// simulator the peripheral was built over lives, a condition of the
/// peripheral's `unsafe` constructor).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupt {
    regs: Block,
    /// The events that end this peripheral's transfers (at most two).
    events: [usize; 2],
}

impl Interrupt {
    pub(crate) const fn new(regs: Block, events: [usize; 2]) -> Self {
        Interrupt { regs, events }
    }

    /// The `INTEN` bits of the events.
    pub const fn mask(&self) -> u32 {
        inten_bit(self.events[0]) | inten_bit(self.events[1])
    }

    /// Whether one of the events is set (the transfer finished or failed),
    /// enabled or not.
    pub fn is_pending(&self) -> bool {
        self.events.iter().any(|&event| self.regs.event(event))
    }

    /// Whether one of the events whose bit is in `bits` is set.
    fn any_set(&self, bits: u32) -> bool {
        self.events.iter().any(|&event| inten_bit(event) & bits != 0 && self.regs.event(event))
    }

    /// Enables the events' interrupts: the transfer's start does it.
    pub(crate) fn enable(&self) {
        self.regs.write(INTENSET, self.mask());
    }

    /// Enables the interrupt of `event` alone (one of the events): the RX
    /// stream waits on `ENDRX` only.
    pub(crate) fn enable_only(&self, event: usize) {
        self.regs.write(INTENSET, inten_bit(event) & self.mask());
    }

    /// The interrupt handler's work: if one of the events is set, masks
    /// their interrupts (`INTENCLR`; the events stay set for the transfer's
    /// `is_done`) and wakes `waker`. See the [module docs](self) for the
    /// order of the steps and why no wake-up is lost.
    pub fn on_interrupt(&self, waker: &DmaWaker) {
        // `INTENSET` reads as `INTEN`.
        let enabled = self.regs.read(INTENSET) & self.mask();
        if !self.any_set(enabled) {
            return;
        }
        self.regs.write(INTENCLR, enabled);
        if !self.any_set(enabled) {
            // Thread mode ended that transfer before the mask, and may have
            // started the next one: give its enable back.
            self.regs.write(INTENSET, enabled);
        }
        waker.wake();
    }
}

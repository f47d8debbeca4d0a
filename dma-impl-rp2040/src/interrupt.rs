//! Interrupt wiring: waking a [`TransferFuture`](dma_traits::future::TransferFuture)
//! from `DMA_IRQ_0` or `DMA_IRQ_1`.
//!
//! Opt in per channel before giving it a transfer:
//! [`Channel::interrupt`](crate::Channel::interrupt)`(line)` records the line
//! in the channel (its transfers then set the channel's `INTEx` bit when they
//! start, after clearing its old `INTR` flag and before the trigger) and
//! returns a `Copy` [`Interrupt`] token; call [`Interrupt::on_interrupt`]
//! from the line's vector with the [`DmaWaker`] the future waits on. A
//! channel without a line enables no interrupt (the shared `DMA_IRQ_x` line
//! may belong to another driver's channels). For an [`Spi`](crate::Spi)
//! transfer, which ends when both of its channels are done, wire both
//! channels (same waker); a wake by the first is harmless.
//!
//! ```ignore
//! static RX_DONE: DmaWaker = DmaWaker::new();
//! let rx_irq = ch1.interrupt(DmaIrq::Irq0); // into a static for the vector
//! #[interrupt]
//! fn DMA_IRQ_0() { rx_irq.on_interrupt(&RX_DONE); }
//! let done = TransferFuture::new(uart_rx.read_exact(buffer)?, &RX_DONE).await;
//! ```
//!
//! # What the handler does, and why it is sound
//!
//! A transfer's completion (`is_done`) reads the channel's `CTRL` (`BUSY`,
//! `AHB_ERROR`), not `INTR`; its stop clears `INTR` itself (RP2040-E13's
//! spurious flag). The handler could therefore clear the flag — but
//! `INTS0`/`INTS1` writes are write-1-to-clear on `INTR` itself, which both
//! lines share (§2.5.7), so a handler of line 0 clearing it would take the
//! event from a line-1 handler of the same channel. It **masks** instead:
//!
//! 1. reads `INTSx`; the channel's bit clear: returns (another channel of the
//!    shared line). Reads have no side effect.
//! 2. writes the channel's bit to `INTEx` through the atomic **clear alias**
//!    (+0x3000, §2.1.2 "Atomic register access"): only that bit changes, so
//!    no read-modify-write can race thread mode, the other core, or another
//!    handler setting other channels' bits (thread mode enables through the
//!    set alias, +0x2000, likewise).
//! 3. reads `INTR`: if the channel's flag is clear now, thread mode ended
//!    that transfer (and may have started the next, which enabled the bit)
//!    between 1 and 2, so the enable is given back (set alias). On the chip
//!    an interrupt preempts the code on its core and this needs the other
//!    core to run the channel's transfers; on the host a simulator's thread
//!    runs the handler beside the test's.
//! 4. wakes the waker.
//!
//! Memory safety: the token writes only the channel's bit of `INTEx` (set
//! and clear aliases) and reads `INTSx` / `INTR`. Interrupt enables decide
//! which handler runs when, never what the DMA or the CPU accesses; the
//! buffers belong to the transfer, whose stop polls `CTRL`/`CHAN_ABORT`
//! whatever `INTEx` holds. So the token needs no ownership of the channel
//! and is `Copy`, `Send` and `Sync`.
//!
//! No lost wake-up: `TransferFuture::poll` registers its waker, then reads
//! `is_done`. `INTR` rises when the sequence ends (the last write done, so
//! `BUSY` is low: §2.5.7 `INTR`, `CTRL.BUSY`) or on a bus error (with
//! `AHB_ERROR`); either makes `is_done` true from then on. If that was before
//! the poll's read, the poll completes; otherwise the registration came first
//! and the handler, which runs after the flag rose, wakes after it (4). The
//! handler never clears the flag or `CTRL`, so no later poll misses the end.
//! The mask (2) comes before the wake (4): a woken task may finish and start
//! the channel again, enabling the bit, which a later mask would undo.

use dma_mmio::Reg;
use dma_traits::future::DmaWaker;

use crate::regs;

/// One of the DMA's two interrupt lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DmaIrq {
    /// `DMA_IRQ_0` (`INTE0` / `INTS0`).
    Irq0,
    /// `DMA_IRQ_1` (`INTE1` / `INTS1`).
    Irq1,
}

impl DmaIrq {
    /// The line's (`INTEx`, `INTSx`) offsets.
    const fn regs(self) -> (usize, usize) {
        match self {
            DmaIrq::Irq0 => (regs::INTE0, regs::INTS0),
            DmaIrq::Irq1 => (regs::INTE1, regs::INTS1),
        }
    }
}

/// One channel's interrupt on one line, as the line's vector sees it: masks
/// and wakes, nothing else. From
/// [`Channel::interrupt`](crate::Channel::interrupt); valid as long as the DMA
/// block (for ever on the chip; on the host, while the simulator given to
/// [`Dma::steal`](crate::Dma::steal) lives, a condition of that call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupt {
    base: Reg,
    index: usize,
    line: DmaIrq,
}

impl Interrupt {
    pub(crate) const fn new(base: Reg, index: usize, line: DmaIrq) -> Self {
        Interrupt { base, index, line }
    }

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `offset` is one of the shared registers (0x400..0x420)
        // plus at most the clear alias (0x3000), inside the DMA block and its
        // atomic aliases (§2.1.2, §2.5.7), which `Dma::steal`'s caller gave.
        unsafe { self.base.offset(offset) }
    }

    fn bit(&self) -> u32 {
        1 << self.index
    }

    /// The channel (0..12).
    pub fn channel(&self) -> usize {
        self.index
    }

    /// The line.
    pub fn line(&self) -> DmaIrq {
        self.line
    }

    /// Whether the channel's interrupt is asserted on the line (`INTSx`).
    pub fn is_pending(&self) -> bool {
        self.reg(self.line.regs().1).read() & self.bit() != 0
    }

    /// Sets the channel's `INTEx` bit (set alias): a transfer's start does it.
    pub(crate) fn enable(&self) {
        self.reg(regs::ATOMIC_SET + self.line.regs().0).write(self.bit());
    }

    /// The interrupt handler's work: if the channel's interrupt is asserted,
    /// masks it (`INTEx` clear alias; `INTR` and `CTRL` stay for the
    /// transfer) and wakes `waker`. See the [module docs](self) for the order
    /// of the steps and why no wake-up is lost.
    pub fn on_interrupt(&self, waker: &DmaWaker) {
        if !self.is_pending() {
            return;
        }
        self.reg(regs::ATOMIC_CLR + self.line.regs().0).write(self.bit());
        if self.reg(regs::INTR).read() & self.bit() == 0 {
            // Thread mode ended that transfer before the mask, and may have
            // started the next one: give its enable back.
            self.enable();
        }
        waker.wake();
    }
}

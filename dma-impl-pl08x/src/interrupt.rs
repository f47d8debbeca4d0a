//! Interrupt wiring: waking a [`TransferFuture`](dma_traits::future::TransferFuture)
//! from the controller's interrupt (`DMACINTR`, or `DMACINTTC` and
//! `DMACINTERR` where they are wired apart).
//!
//! Every transfer already unmasks its channel's interrupts when it starts:
//! `ITC` and `IE` in `DMACCxConfiguration` (DDI 0196 §3.4.19), and `I` in the
//! control word of its last linked-list item (§3.4.18), so the terminal count
//! is raised once, when the whole transfer has moved. Take the channel's
//! `Copy` [`Interrupt`] token ([`Channel::interrupt`](crate::Channel::interrupt))
//! before giving the channel to a transfer, and call
//! [`Interrupt::on_interrupt`] from the controller's vector (every channel's
//! token there, each with its waker: the line is shared).
//!
//! ```ignore
//! static COPY_DONE: DmaWaker = DmaWaker::new();
//! let irq = channel.interrupt(); // into a static the vector reads
//! #[interrupt]
//! fn DMA0() { irq.on_interrupt(&COPY_DONE); }
//! let done = TransferFuture::new(channel.copy(from, to)?, &COPY_DONE).await;
//! ```
//!
//! # What the handler does, and why
//!
//! The transfer's completion is the channel's `E` bit (`is_done`: `E` reads
//! 0, which the hardware does "when the last LLI completes or on an error",
//! §3.4.19); its stop reads the count from `TransferSize` / `DMACCxLLI` and
//! the error from `DMACRawIntErrorStatus` (§3.4.7). So:
//!
//! * **Terminal count: cleared** (`DMACIntTCClear`, §3.4.3). The transfer
//!   tracks completion through `E`, not the terminal-count status, so the
//!   handler may consume it. The register is write-1-to-clear and
//!   write-only: the write touches only this channel's bit, no
//!   read-modify-write.
//! * **Error: masked, not cleared.** The transfer reports `Error::Bus` from
//!   the raw error status, so clearing it (`DMACIntErrClr`) would turn a
//!   failed transfer into a silently short one. The handler clears the
//!   channel's `IE` mask bit instead (§3.4.19: "IE: interrupt error mask";
//!   the raw status stays). That is a read-modify-write of
//!   `DMACCxConfiguration`, done only when `E` reads 0 (the channel has
//!   stopped; the value written keeps `E` 0), and the next transfer's start
//!   writes the register afresh with `IE` set.
//!
//! The handler acts only once the channel's `E` reads 0: a raised status
//! with `E` still 1 (not seen on the models, which clear `E` and raise the
//! status in one step) is left alone, the level interrupt enters the
//! handler again, and the wake is not given before `is_done` can see it.
//!
//! # The check and the clear are one step
//!
//! Reading "asserted, `E` 0" and then clearing must not straddle the start
//! of the channel's next transfer: the clear would then erase that
//! transfer's terminal count, which a [ring stream](crate::stream) reads as
//! the evidence that the DMA went round (review finding 1: a stale clear
//! let a half from the next lap be handed out as data). So the handler
//! reads, decides and writes inside one critical section, and the owner's
//! enabling write cannot fall between:
//!
//! * on the chip the enabling write is one store; a handler preempts the
//!   owner before or after it, and a token called from thread mode holds
//!   interrupts off, so an owner in a handler waits until it is done. `E`
//!   goes from 0 to 1 only by that store (the hardware only clears it,
//!   §3.4.19), so "`E` reads 0" holds for the whole critical section;
//! * on the host, where a token may run on another thread, the owner's
//!   enabling write takes the same critical section (`Hw::enable`).
//!
//! A token run on a core other than the one that owns the channel (the
//! AN521's second core) is outside this argument unless the
//! `critical-section` implementation covers both cores and the owner runs
//! its starts inside it too; this crate does not support that.
//!
//! Memory safety: the token writes only the channel's bit of
//! `DMACIntTCClear` and the channel's configuration with `E` kept at 0 and
//! `IE` cleared; it reads status registers. None of that lets the DMA touch
//! memory: the buffers belong to the transfer, whose stop polls `A` / `E`.
//! So the token needs no ownership of the channel and is `Copy`, `Send` and
//! `Sync`.
//!
//! No lost wake-up: `TransferFuture::poll` registers its waker, then reads
//! `is_done` (`E`). If `E` read 0, the poll completes. Otherwise the
//! registration came before the end, and the handler, which wakes only after
//! it has seen `E` read 0, finds it. Neither the terminal-count clear nor the
//! mask changes `E` or what the stop reads, so no later poll misses the end.
//! Clearing and masking come before the wake: a woken task may start the
//! channel again, and its fresh status and mask must not be undone.

use dma_mmio::Reg;
use dma_traits::future::DmaWaker;

use crate::regs;

/// One channel's interrupt, as the controller's vector sees it: clears the
/// terminal count, masks the error, wakes. From
/// [`Channel::interrupt`](crate::Channel::interrupt); valid as long as the
/// controller's register block (for ever on the chip; on the host, while
/// the simulator given to [`Dmac::new`](crate::Dmac::new) lives, a condition
/// of that call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupt {
    base: Reg,
    index: usize,
}

impl Interrupt {
    pub(crate) const fn new(base: Reg, index: usize) -> Self {
        Interrupt { base, index }
    }

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `offset` is one of the controller's registers below 0x200
        // (§3.3), the channel's group included (`index` is below the
        // controller's channel count, checked when the channel was taken).
        unsafe { self.base.offset(offset) }
    }

    fn bit(&self) -> u32 {
        1 << self.index
    }

    /// The channel.
    pub fn channel(&self) -> usize {
        self.index
    }

    /// Whether the channel's interrupt is asserted: its terminal count or
    /// error status, after masking (`DMACIntTCStatus`, `DMACIntErrorStatus`,
    /// §3.4.2, §3.4.4).
    pub fn is_pending(&self) -> bool {
        let tc = self.reg(regs::INT_TC_STATUS).read();
        let err = self.reg(regs::INT_ERROR_STATUS).read();
        (tc | err) & self.bit() != 0
    }

    /// The interrupt handler's work: once the channel has stopped (`E`
    /// reads 0) with its interrupt asserted, clears its terminal count,
    /// masks its error (`IE`; the raw status stays for the transfer) and
    /// wakes `waker`. See the [module docs](self).
    pub fn on_interrupt(&self, waker: &DmaWaker) {
        // Check and clear in one critical section (module docs); the wake
        // after it, outside.
        if critical_section::with(|_| self.acknowledge()) {
            waker.wake();
        }
    }

    /// Clears the terminal count and masks the error of a stopped channel
    /// whose interrupt is asserted; whether it did. Runs in a critical
    /// section.
    fn acknowledge(&self) -> bool {
        let tc = self.reg(regs::INT_TC_STATUS).read() & self.bit() != 0;
        let err = self.reg(regs::INT_ERROR_STATUS).read() & self.bit() != 0;
        if !tc && !err {
            return false;
        }
        let config = self.reg(regs::channel(self.index) + regs::CONFIG);
        let now = config.read();
        if now & regs::CONFIG_E != 0 {
            // Not stopped yet: the level interrupt comes back.
            return false;
        }
        if tc {
            self.reg(regs::INT_TC_CLEAR).write(self.bit());
        }
        if err {
            config.write(now & !(regs::CONFIG_IE | regs::CONFIG_E));
        }
        true
    }
}

//! The 12 channels, owned, and the register sequences every transfer uses:
//! program, trigger, and stop through `CHAN_ABORT`.

use dma_mmio::Reg;
use dma_traits::{CompilerFence, DmaFence, WordWidth};

use crate::interrupt::{DmaIrq, Interrupt};
use crate::{regs, Error};

/// The DMA block: hands out its 12 channels once.
#[derive(Debug)]
pub struct Dma;

impl Dma {
    /// The 12 channels of the chip's DMA, once per program run; `None` after
    /// the first call.
    ///
    /// The flag is taken in a `critical_section`: on the dual-core RP2040 the
    /// application must provide a critical-section implementation that
    /// excludes the other core (e.g. one built on a hardware spinlock), or
    /// call this before starting core 1.
    #[cfg(target_os = "none")]
    pub fn take() -> Option<[Channel; regs::CHANNELS]> {
        use core::sync::atomic::{AtomicBool, Ordering};
        static TAKEN: AtomicBool = AtomicBool::new(false);
        let first = critical_section::with(|_| {
            // Load and store (the M0+ has no compare-and-swap) inside the
            // critical section, so no other context runs in between.
            let taken = TAKEN.load(Ordering::Relaxed);
            TAKEN.store(true, Ordering::Relaxed);
            !taken
        });
        // SAFETY: `DMA_BASE` is the DMA's register block (datasheet §2.2.2);
        // the flag makes this the only call that creates its channels.
        first.then(|| unsafe { Self::steal(regs::DMA_BASE as *mut u32) })
    }

    /// The 12 channels of the DMA block at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the RP2040 DMA's register block (on the
    /// chip [`regs::DMA_BASE`], with its atomic aliases at +0x1000..0x4000,
    /// §2.1.2) or a live host simulator of one (mapping the aliases too),
    /// which outlives the channels and the [`Interrupt`] tokens taken from
    /// them, and nothing
    /// else uses its channels' registers while the returned channels (or
    /// transfers owning them) exist. Each channel's registers are then owned
    /// by exactly one `Channel`; the shared registers (`INTR`,
    /// `CHAN_ABORT`, `MULTI_CHAN_TRIGGER`, `FIFO_LEVELS`) are only written
    /// with the owning channels' bits, or read.
    pub unsafe fn steal(base: *mut u32) -> [Channel; regs::CHANNELS] {
        // SAFETY: the caller's contract: the DMA block, owned.
        let base = unsafe { Reg::from_ptr(base) };
        core::array::from_fn(|index| Channel {
            hw: Hw { base, index, irq: None },
            fence: CompilerFence,
            count: 0,
            stream_reload: regs::MAX_TRANS_COUNT,
        })
    }
}

/// One channel's registers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hw {
    base: Reg,
    pub(crate) index: usize,
    /// The line the channel's transfers enable their interrupt on
    /// ([`Channel::interrupt`]); `None`: none.
    irq: Option<DmaIrq>,
}

/// What a stopped channel reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stopped {
    /// `TRANS_COUNT` once no more transfers were issued.
    pub(crate) remaining: u32,
    pub(crate) error: Option<Error>,
}

/// One channel's part of a transfer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Leg {
    pub(crate) hw: Hw,
    pub(crate) read: *const u8,
    pub(crate) write: *const u8,
    pub(crate) count: u32,
    /// `CTRL` with `EN` set.
    pub(crate) ctrl: u32,
}

/// The `DATA_SIZE` code of a width (§2.5.7 CTRL bits 3:2).
pub(crate) fn size_code(width: WordWidth) -> Result<u32, Error> {
    match width {
        WordWidth::Bits8 => Ok(regs::DATA_SIZE_BYTE),
        WordWidth::Bits16 => Ok(regs::DATA_SIZE_HALFWORD),
        WordWidth::Bits32 => Ok(regs::DATA_SIZE_WORD),
        WordWidth::Bits64 => Err(Error::UnsupportedWidth(width)),
    }
}

/// Checks a buffer: not empty, at most `TRANS_COUNT`'s range, aligned to
/// the width; its count.
pub(crate) fn check(ptr: *const u8, len: usize, width: WordWidth) -> Result<u32, Error> {
    if len == 0 {
        return Err(Error::Empty);
    }
    let count = u32::try_from(len)
        .map_err(|_| Error::TooLong { items: len, max: regs::MAX_TRANS_COUNT as usize })?;
    if (ptr as usize) & (width.bytes() - 1) != 0 {
        return Err(Error::Misaligned { address: ptr as usize });
    }
    Ok(count)
}

impl Hw {
    pub(crate) fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `index < 12`, so the group `index * 0x40 .. + 0x40` is in
        // the block (§2.5.7), which `Dma::steal`'s caller gave us.
        unsafe { self.base.offset(regs::channel(self.index) + offset) }
    }

    pub(crate) fn global(&self, offset: usize) -> Reg {
        // SAFETY: the block's shared registers (0x400..0x44C, §2.5.7).
        unsafe { self.base.offset(offset) }
    }

    pub(crate) fn bit(&self) -> u32 {
        1 << self.index
    }

    /// `CTRL` for this channel: `EN`, the size, increments, no chaining
    /// (`CHAIN_TO` = its own number, §2.5.7), the request.
    pub(crate) fn ctrl(&self, size: u32, incr_read: bool, incr_write: bool, treq: u8) -> u32 {
        let mut c = regs::CTRL_EN | (size << regs::CTRL_DATA_SIZE_SHIFT);
        if incr_read {
            c |= regs::CTRL_INCR_READ;
        }
        if incr_write {
            c |= regs::CTRL_INCR_WRITE;
        }
        // `index < 12` fits the 4-bit field.
        #[allow(clippy::cast_possible_truncation)]
        let own = self.index as u32;
        c | (own << regs::CTRL_CHAIN_TO_SHIFT) | (u32::from(treq) << regs::CTRL_TREQ_SEL_SHIFT)
    }

    /// Programs the channel without starting it: `CTRL` through the
    /// non-triggering alias `AL1_CTRL` with `EN` clear (clearing old
    /// `READ_ERROR`/`WRITE_ERROR`, write 1 to clear), the old `INTR` flag,
    /// the channel's `INTEx` bit if it has a line ([`Channel::interrupt`]),
    /// then the addresses and the count (none of them a trigger, §2.5.2.1).
    pub(crate) fn program(&self, leg: &Leg) {
        let errors = regs::CTRL_READ_ERROR | regs::CTRL_WRITE_ERROR;
        self.reg(regs::AL1_CTRL).write((leg.ctrl & !regs::CTRL_EN) | errors);
        self.global(regs::INTR).write(self.bit());
        if let Some(line) = self.irq {
            // After the old flag is cleared: the line rises for this
            // transfer's end only.
            Interrupt::new(self.base, self.index, line).enable();
        }
        self.reg(regs::READ_ADDR).write_ptr(leg.read);
        self.reg(regs::WRITE_ADDR).write_ptr(leg.write);
        self.reg(regs::TRANS_COUNT).write(leg.count);
    }

    /// Finished: `BUSY` low, or halted on a bus error (`AHB_ERROR`).
    pub(crate) fn is_done(&self) -> bool {
        let ctrl = self.reg(regs::AL1_CTRL).read();
        ctrl & regs::CTRL_BUSY == 0 || ctrl & regs::CTRL_AHB_ERROR != 0
    }

    /// Polls `done` up to [`POLL_LIMIT`] times; whether it held.
    fn poll(mut done: impl FnMut() -> bool) -> bool {
        for _ in 0..POLL_LIMIT {
            if done() {
                return true;
            }
            core::hint::spin_loop();
        }
        false
    }

    /// Whether the DMA has a transfer in flight (`FIFO_LEVELS`: the
    /// write-address or transfer-data FIFO holds an entry).
    /// Bits 31:24 of the register are reserved (read 0); a read with one set
    /// is not the datasheet's register (rp2040js reads 0xFFFF_FFFF), which
    /// then tells nothing and is not waited on.
    fn in_flight(&self) -> bool {
        let pending = (0xFF << regs::FIFO_LEVELS_WAF_SHIFT) | regs::FIFO_LEVELS_TDF_MASK;
        let levels = self.global(regs::FIFO_LEVELS).read();
        levels & pending != 0 && levels & regs::FIFO_LEVELS_RESERVED == 0
    }

    /// Stops the channel and returns once it accesses no memory.
    ///
    /// A channel still `BUSY` (running, paused, or halted by a bus error) is
    /// stopped as the datasheet prescribes:
    ///
    /// 1. `EN` cleared through `AL1_CTRL`: the channel "will ignore
    ///    triggers, stop issuing transfers, and pause the current transfer
    ///    sequence" (§2.5.7 CTRL `EN`). (Also RP2350-E5's workaround: clear
    ///    EN before aborting.)
    /// 2. The transfers already issued complete their writes (they "cannot
    ///    be revoked", §2.5.5.3): `FIFO_LEVELS` is polled until the DMA's
    ///    write-address and transfer-data FIFOs are empty. `TRANS_COUNT`,
    ///    which drops "each time a write transfer completes" (§2.5.7), is
    ///    then final: the count moved (RP2040-E12: the address registers'
    ///    read-back is unreliable for fixed addresses, the count is not).
    /// 3. Its bit written to `CHAN_ABORT`, which "forces channels to complete
    ///    early" and clears the count; the register is polled until the bit
    ///    reads 0 (§2.5.5.3: "poll the register until it reads all-zeroes";
    ///    the channel must not be restarted before) and `BUSY` until 0. RP2040
    ///    `CHAN_ABORT` has bits 15:0; a read with a reserved bit (31:16) set
    ///    is not the datasheet's register (rp2040js reads 0xFFFF_FFFF), and
    ///    then only `BUSY` is polled.
    /// 4. RP2040-E13: an abort of a channel whose read is done but whose write
    ///    is not clears the abort status early, and that write still lands
    ///    (raising the channel's IRQ flag). Step 2 leaves no such transfer;
    ///    the FIFOs are polled empty once more all the same.
    /// 5. `READ_ERROR`/`WRITE_ERROR` read, then cleared (write 1), and the
    ///    channel's (possibly spurious, E13) `INTR` flag cleared.
    ///
    /// The wait for the abort (step 3) is not bounded: the buffer goes back
    /// only after the channel has let go, and the datasheet says that
    /// "generally takes only a few cycles" (§2.5.5.3); no DREQ or other
    /// channel can hold it up. The FIFO polls (steps 2 and 4) are bounded by
    /// [`POLL_LIMIT`] reads of the DMA block: they may end at the limit while
    /// other channels stream, by when this channel's entries, which were
    /// ahead in the in-order FIFOs, have long left. A channel that is not
    /// `BUSY` returns at once.
    pub(crate) fn stop(&self) -> Stopped {
        // The mutant (`ci.sh`): a stop (so a `Drop`) that leaves a running
        // channel running.
        if cfg!(rp2040_mutant_drop_no_abort) {
            return Stopped { remaining: self.reg(regs::TRANS_COUNT).read(), error: None };
        }
        let ctrl_reg = self.reg(regs::AL1_CTRL);
        let ctrl = ctrl_reg.read();
        if ctrl & regs::CTRL_BUSY != 0 {
            let keep = !(regs::CTRL_EN | regs::CTRL_READ_ERROR | regs::CTRL_WRITE_ERROR);
            ctrl_reg.write(ctrl & keep);
            // The mutant (`ci.sh`): an abort that does not wait for the channel.
            let wait = !cfg!(rp2040_mutant_no_busy_wait);
            if wait {
                Self::poll(|| !self.in_flight());
            }
            let remaining = self.reg(regs::TRANS_COUNT).read();
            let abort = self.global(regs::CHAN_ABORT);
            abort.write(self.bit());
            if wait {
                let bit = self.bit();
                // Not bounded: the buffer goes back only once the channel is
                // no longer BUSY, however long the hardware takes; giving up
                // would hand back memory the DMA may still write.
                loop {
                    let a = abort.read();
                    let aborting = a & bit != 0 && a & !regs::CHAN_ABORT_FIELD == 0;
                    if !aborting && ctrl_reg.read() & regs::CTRL_BUSY == 0 {
                        break;
                    }
                    core::hint::spin_loop();
                }
                Self::poll(|| !self.in_flight());
            }
            self.finish(remaining)
        } else {
            let remaining = self.reg(regs::TRANS_COUNT).read();
            self.finish(remaining)
        }
    }

    fn finish(&self, remaining: u32) -> Stopped {
        let ctrl_reg = self.reg(regs::AL1_CTRL);
        let flags = ctrl_reg.read();
        let error = if flags & regs::CTRL_READ_ERROR != 0 {
            Some(Error::ReadBus)
        } else if flags & regs::CTRL_WRITE_ERROR != 0 {
            Some(Error::WriteBus)
        } else {
            None
        };
        ctrl_reg.write(regs::CTRL_READ_ERROR | regs::CTRL_WRITE_ERROR);
        self.global(regs::INTR).write(self.bit());
        Stopped { remaining, error }
    }
}

/// The most reads of the DMA block one FIFO wait of a stop makes (see
/// `Channel`'s stop; the wait for the abort itself is not bounded).
pub const POLL_LIMIT: u32 = 1 << 12;

/// One DMA channel, owned. It copies memory to memory
/// ([`DmaCopy`](dma_traits::DmaCopy)) and is given to a peripheral
/// ([`Spi`](crate::Spi), [`Uart`](crate::Uart)), which paces it with its
/// own DREQ.
#[derive(Debug)]
pub struct Channel<F: DmaFence = CompilerFence> {
    pub(crate) hw: Hw,
    pub(crate) fence: F,
    /// Items of the sequence last started.
    pub(crate) count: u32,
    /// `TRANS_COUNT` of a stream's sequences ([`crate::stream`]).
    pub(crate) stream_reload: u32,
}

// SAFETY: a channel is its registers' address, owned exclusively (see
// `Dma::steal`); moving it to another context moves that ownership.
unsafe impl<F: DmaFence + Send> Send for Channel<F> {}

impl<F: DmaFence> Channel<F> {
    /// The channel number (0..12).
    pub fn index(&self) -> usize {
        self.hw.index
    }

    /// The same channel with fence `fence` (the default, [`CompilerFence`],
    /// is the right one for the Cortex-M0+, see the crate docs).
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Channel<G> {
        Channel { hw: self.hw, fence, count: 0, stream_reload: self.stream_reload }
    }

    /// For tests of the end of a stream's sequence: its streams load
    /// `count` (at least 1) instead of `u32::MAX` into `TRANS_COUNT`, so
    /// a sequence ends, and is triggered again, after `count` words.
    #[doc(hidden)]
    pub fn with_stream_reload(mut self, count: u32) -> Self {
        self.stream_reload = count.max(1);
        self
    }

    /// Routes the channel's interrupt to `line`: from now on each transfer
    /// of the channel sets its `INTEx` bit when it starts, and the returned
    /// token, called from the line's vector, masks it and wakes the task
    /// ([`crate::interrupt`]). Take it before giving the channel to a
    /// transfer or a peripheral.
    pub fn interrupt(&mut self, line: DmaIrq) -> Interrupt {
        self.hw.irq = Some(line);
        Interrupt::new(self.hw.base, self.hw.index, line)
    }

    /// Stops the channel (see `Hw::stop`); the items moved and the error.
    pub(crate) fn stop_counted(&mut self) -> (usize, Option<Error>) {
        let s = self.hw.stop();
        let moved = self.count - s.remaining.min(self.count);
        self.count = 0;
        (moved as usize, s.error)
    }
}

impl Hw {
    /// `AHB_ERROR`: the channel halted on a bus error.
    pub(crate) fn failed(&self) -> bool {
        self.reg(regs::AL1_CTRL).read() & regs::CTRL_AHB_ERROR != 0
    }
}

//! What the transfers need from a channel of either controller family.

use dma_traits::{Word, WordWidth};

use crate::Error;

/// Channel priority (`PL`): the arbiter serves higher levels first, and among
/// equal levels the lower channel number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Priority {
    /// `PL = 00`.
    #[default]
    Low,
    /// `PL = 01`.
    Medium,
    /// `PL = 10`.
    High,
    /// `PL = 11`.
    VeryHigh,
}

impl Priority {
    /// The `PL` field value (both controllers: `00` low to `11` very high).
    pub const fn bits(self) -> u32 {
        match self {
            Priority::Low => 0,
            Priority::Medium => 1,
            Priority::High => 2,
            Priority::VeryHigh => 3,
        }
    }
}

/// Which way data moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Peripheral register to memory.
    PeripheralToMemory,
    /// Memory to peripheral register.
    MemoryToPeripheral,
    /// Memory (the peripheral address register) to memory.
    MemoryToMemory,
}

/// Everything a channel is programmed with before `EN` is set.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    /// Direction.
    pub direction: Direction,
    /// Peripheral address (`CPAR`/`PAR`); the source of a memory-to-memory copy.
    pub peripheral: *const u8,
    /// Memory address (`CMAR`/`M0AR`); the destination of a copy.
    pub memory: *const u8,
    /// Second memory address (`M1AR`) for double buffering (stream DMA only).
    pub memory1: Option<*const u8>,
    /// Items (`CNDTR`/`NDTR`).
    pub items: u16,
    /// `PSIZE` = `MSIZE` code (0: 8, 1: 16, 2: 32 bits).
    pub size: u32,
    /// Whether the peripheral address increments.
    pub peripheral_increment: bool,
    /// Circular mode.
    pub circular: bool,
}

/// The flags of one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Transfer complete.
    pub complete: bool,
    /// Half transfer.
    pub half: bool,
    /// Transfer error.
    pub error: bool,
    /// FIFO error (stream DMA) **in FIFO mode**. In direct mode `FEIF` is
    /// not an error (RM0090 §10.3.18: no data is lost and the stream keeps
    /// running) and is not reported here.
    pub fifo: bool,
    /// Direct-mode error (stream DMA).
    pub direct_mode: bool,
}

impl Status {
    /// Whether a one-shot transfer has ended: `complete` or an error flag.
    /// (Without short-circuits, so that the compiler can test the flags of
    /// one read with one mask.)
    #[inline(always)]
    pub fn ended(self) -> bool {
        self.complete | self.error | self.direct_mode | self.fifo
    }

    /// The first error flag, if any.
    pub fn error(self) -> Option<Error> {
        if self.error {
            Some(Error::Transfer)
        } else if self.direct_mode {
            Some(Error::DirectMode)
        } else if self.fifo {
            Some(Error::Fifo)
        } else {
            None
        }
    }
}

mod sealed {
    pub trait Sealed {}

    /// The argument of the methods only this crate may call. A trait in a
    /// private module is no guard: generic code outside the crate calls a
    /// supertrait's methods through the public bound (`fn f<C:
    /// DmaChannel>(c: &mut C) { c.select(0) }` compiles). A value of this
    /// type cannot be made outside the crate, so such a call cannot be
    /// written (review 2, finding 3).
    #[derive(Debug, Clone, Copy)]
    pub struct Internal(());

    impl Internal {
        /// The token, for this crate's calls.
        #[inline(always)]
        pub(crate) const fn new() -> Self {
            Internal(())
        }
    }

    /// Request selection, for the typed paths only.
    pub trait Select {
        /// Makes the channel serve request `request` from now on: `CHSEL`
        /// of a stream (written by its next `program`), the channel's `CxS`
        /// field of `CSELR` on a channel-DMA controller that has one.
        fn select(&mut self, request: u8, _: Internal);
    }
}
pub(crate) use sealed::{Internal, Sealed, Select};

/// A channel (channel DMA) or stream (stream DMA) owned by the holder.
///
/// Sealed: implemented by [`channel::Channel`](crate::channel::Channel) and
/// [`stream::Stream`](crate::stream::Stream). The transfers in this crate are
/// the way to use one; the methods are for them and for tests.
pub trait DmaChannel: Sealed + Select {
    /// Whether the controller has `M1AR`/`CT` (stream DMA).
    const DOUBLE_BUFFER: bool;

    /// Clears the channel's flags and programs every register but the
    /// control register (`CCR`/`SxCR`), whose value (without `EN`) it
    /// returns for [`enable`](Self::enable) to write. The channel is owned,
    /// so it is idle (`EN` reads 0) and the registers are writable.
    fn program(&self, setup: &Setup) -> u32;

    /// Writes `control | EN` to the control register, with one store: the
    /// configuration bits are write-protected only while `EN` reads 1
    /// (RM0090 §10.5.5, RM0008 §13.4.3), and before this store it reads 0,
    /// so the configuration and `EN` take together.
    ///
    /// # Safety
    ///
    /// For **callers**: `control` is what [`program`](Self::program)
    /// returned for the setup just programmed, the addresses programmed are
    /// valid for the DMA's accesses until the channel reads disabled, and
    /// the release fence ran.
    unsafe fn enable(&self, control: u32);

    /// Clears `EN` and waits until it reads 0: from then on the hardware does
    /// not access memory.
    fn disable(&self);

    /// Whether `EN` reads 1.
    fn is_enabled(&self) -> bool;

    /// The channel's flags.
    fn status(&self) -> Status;

    /// Clears the half-transfer flag.
    fn clear_half(&self);

    /// Clears the transfer-complete flag.
    fn clear_complete(&self);

    /// Clears the half-transfer and transfer-complete flags, in one write
    /// (the error flags stay).
    fn clear_progress(&self);

    /// Clears every flag of the channel.
    fn clear_all(&self);

    /// Items left in the current cycle (`NDTR`).
    fn remaining(&self) -> u16;

    /// The memory buffer the stream is using (`CT`): 0 for `M0AR`, 1 for `M1AR`.
    fn current_target(&self) -> usize;
}

/// What a transfer owns besides its buffer: a channel, or a peripheral with
/// its channel. The transfer calls [`finish`](Self::finish) once the channel
/// has stopped, before giving it back.
///
/// Sealed: the transfers rely on [`dma`](Self::dma) always returning the
/// channel they programmed. Its methods take an argument only this crate
/// can make: the peripherals rely on nothing else reaching the channel they
/// own (a transmitter reads what its last transfer left in `NDTR`) or
/// running their hooks (which keep their `Sent` bookkeeping).
pub trait Owner: Sealed {
    /// The DMA channel.
    type Channel: DmaChannel;

    /// The channel.
    fn dma(&self, _: Internal) -> &Self::Channel;

    /// Turns the peripheral's DMA requests on (sets `DMAT`/`DMAR`); called
    /// right after the channel is enabled with `items` items.
    fn begin(&mut self, items: u16, _: Internal) {
        let _ = items;
    }

    /// Turns them off again; called once the channel has stopped.
    fn finish(&mut self, _: Internal) {}
}

/// Runs an access of the channel's owner that a token on another thread
/// must not split: on the host, the status read of "hardware flags, then
/// the kept ones" (see the [`interrupt`](crate::interrupt) module), and the
/// control-register stores. On the chip (single core) the order of the two
/// reads is all it takes, since a handler runs whole between two of the
/// owner's instructions: nothing added. On the host the access takes the
/// critical section the token's acknowledge runs in (the `std`
/// implementation: a lock).
#[inline(always)]
pub(crate) fn host_atomic<T>(access: impl FnOnce() -> T) -> T {
    #[cfg(target_os = "none")]
    {
        access()
    }
    #[cfg(not(target_os = "none"))]
    {
        critical_section::with(|_| access())
    }
}

/// The `PSIZE`/`MSIZE` code for `W`, or the error for a width the controller
/// cannot move. Evaluated at compile time for each `W`.
pub(crate) const fn size_code<W: Word>() -> Result<u32, Error> {
    match W::WIDTH {
        WordWidth::Bits8 => Ok(crate::regs::SIZE_8),
        WordWidth::Bits16 => Ok(crate::regs::SIZE_16),
        WordWidth::Bits32 => Ok(crate::regs::SIZE_32),
        WordWidth::Bits64 => Err(Error::UnsupportedWidth(WordWidth::Bits64)),
    }
}

/// Checks a buffer (width, length, alignment): the size code and item count.
#[inline(always)]
pub(crate) fn check<W: Word>(ptr: *const W, len: usize) -> Result<(u32, u16), Error> {
    let size = size_code::<W>()?;
    if len == 0 {
        return Err(Error::Empty);
    }
    let Ok(items) = u16::try_from(len) else {
        return Err(Error::TooLong { items: len, max: crate::MAX_ITEMS });
    };
    let address = ptr as usize;
    // Widths are powers of two.
    if address & (W::WIDTH.bytes() - 1) != 0 {
        return Err(Error::Misaligned { address });
    }
    Ok((size, items))
}

/// Copies `out.len()` words starting at `src` into `out`, each with one
/// [`dma_mmio::load_from_dma`] of the word's width, and then runs an acquire
/// fence, so that register reads made after this call see every flag the DMA
/// set before writing any value the copy read.
///
/// # Safety
///
/// For **callers**: `src` is valid for reads of `out.len()` words of `W` and
/// aligned for `W`; `W` is 1, 2 or 4 bytes wide; every write that may race
/// the copy is a DMA beat of `W`'s width (on the host: the simulator's
/// `dma_mmio::store_as_dma`).
#[inline(always)]
pub(crate) unsafe fn copy_from_dma<W: Word>(src: *const W, out: &mut [W]) {
    for (i, slot) in out.iter_mut().enumerate() {
        // SAFETY: `i < out.len()`, so the word is inside the caller's range,
        // aligned and raced only by same-width DMA beats (the contract).
        *slot = unsafe { dma_mmio::load_from_dma(src.wrapping_add(i)) };
    }
    // Orders the loads above before the caller's next register read (on the
    // chip a `DMB`; on the host it pairs with the simulator's release fence
    // before each beat).
    core::sync::atomic::fence(core::sync::atomic::Ordering::Acquire);
}

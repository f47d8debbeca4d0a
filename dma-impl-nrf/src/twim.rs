//! TWIM: an I2C master that writes, reads, or writes then reads (repeated
//! start) by EasyDMA, ending each transaction with a STOP condition.

use core::marker::PhantomData;

use dma_traits::{
    CompilerFence, DmaFence, DmaFullDuplex, DmaRead, DmaWrite, Halt, Halted, Region, Started,
    StaticReadBuffer, StaticWriteBuffer, TransferError,
};

use crate::block::Block;
use crate::check::{self, InRam};
use crate::chip::sealed::Sealed;
use crate::regs::twim::{
    ADDRESS as TWIM_ADDRESS, ADDRESS_WIDTH, ENABLE_VALUE as ENABLE_TWIM, ERRORSRC as TWIM_ERRORSRC,
    ERRORSRC_ANACK, ERRORSRC_DNACK, ERRORSRC_OVERRUN, FREQUENCY, PSEL_SCL, PSEL_SDA,
    SHORT_LASTRX_STOP, SHORT_LASTTX_STARTRX, SHORT_LASTTX_STOP,
};
use crate::regs::*;
use crate::transfer::{self, complete, Begin, DuplexTransfer, EasyDmaTransfer, Engine};
use crate::{Chip, DataRam, Error, Interrupt, Pin};

/// All `ERRORSRC` bits, to clear them.
const ERRORSRC_ALL: u32 = ERRORSRC_OVERRUN | ERRORSRC_ANACK | ERRORSRC_DNACK;

/// I2C clock frequency: every `FREQUENCY` value (nRF52832 PS v1.4 /
/// nRF52840 PS v1.1, TWIM chapter, "Registers", `FREQUENCY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TwimFrequency {
    /// 100 kbps.
    K100,
    /// 250 kbps.
    K250,
    /// 400 kbps.
    K400,
}

impl TwimFrequency {
    /// Every frequency, slowest first.
    pub const ALL: [TwimFrequency; 3] =
        [TwimFrequency::K100, TwimFrequency::K250, TwimFrequency::K400];

    /// The register value.
    pub const fn register(self) -> u32 {
        match self {
            TwimFrequency::K100 => 0x0198_0000,
            TwimFrequency::K250 => 0x0400_0000,
            TwimFrequency::K400 => 0x0640_0000,
        }
    }
}

/// A TWIM instance of chip `C`.
///
/// The [`DmaWrite`], [`DmaRead`] and [`DmaFullDuplex`] (write, then read
/// with a repeated start) impls talk to the slave set with
/// [`Twim::with_address`]; [`Twim::write_to`], [`Twim::read_from`] and
/// [`Twim::write_then_read`] take the address per call. A transfer's
/// `transferred` is the bytes written ([`DmaWrite`]) or read (the others).
#[derive(Debug)]
pub struct Twim<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    address: u8,
    /// Whether [`interrupt`](Self::interrupt) handed out the token: only then
    /// does a transfer enable the `STOPPED` and `ERROR` interrupts.
    wired: bool,
    /// The (TX, RX) bytes the running transaction asked for, 0 for a
    /// direction it does not have (a write, a read, or both: a write then a
    /// read); `None` when idle.
    asked: Option<(usize, usize)>,
    chip: PhantomData<C>,
}

impl<C: Chip> Twim<C> {
    /// The TWIM whose registers start at `base`, addressing slave 0 until
    /// [`Twim::with_address`].
    ///
    /// # Safety
    ///
    /// For **callers**:
    /// * `base` is a TWIM register block (on the host, a simulator's
    ///   mapping) that nothing else uses (no SPIM of the same ID either)
    ///   while this value and its transfers live, and that stays mapped
    ///   while an [`Interrupt`] taken from them is used (on the chip it
    ///   always is);
    /// * the block belongs to a chip of type `C`, as for
    ///   [`Uarte::new`](crate::Uarte::new): `C`'s data RAM and `MAXCNT`
    ///   width are trusted.
    pub unsafe fn new(base: *mut u32) -> Self {
        Twim {
            // SAFETY: forwarded from this function's contract.
            regs: unsafe { Block::new(base) },
            fence: CompilerFence,
            address: 0,
            wired: false,
            asked: None,
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Twim<C, F> {
    /// The same TWIM, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Twim<C, G> {
        Twim {
            regs: self.regs,
            fence,
            address: self.address,
            wired: self.wired,
            asked: self.asked,
            chip: PhantomData,
        }
    }

    /// The same TWIM, talking to the slave at 7-bit `address` (checked when a
    /// transfer starts).
    pub fn with_address(mut self, address: u8) -> Self {
        self.address = address;
        self
    }

    /// The TWIM's interrupt (`STOPPED`, `ERROR`), for its vector: see
    /// [`crate::interrupt`]. Take it before starting a transfer: from then
    /// on every transfer of this TWIM enables both interrupts when it
    /// starts; one that never took it writes no `INTENSET`.
    pub fn interrupt(&mut self) -> Interrupt {
        self.wired = true;
        self.token()
    }

    /// The token, without changing whether transfers enable it.
    fn token(&self) -> Interrupt {
        Interrupt::new(self.regs, [EVENTS_STOPPED, EVENTS_ERROR])
    }

    /// The slave address the trait impls use.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Sets pins and clock and enables the TWIM. Call it before the first
    /// transfer: a disabled TWIM ignores its tasks.
    ///
    /// The `PSEL` registers are written while the TWIM is disabled (PS TWIM
    /// chapter, "Pin configuration"), and every interrupt is switched off (once
    /// the token was taken, a transfer enables `STOPPED`'s and `ERROR`'s
    /// when it starts, [`crate::interrupt`]).
    pub fn configure(&mut self, scl: Pin<C>, sda: Pin<C>, frequency: TwimFrequency) {
        self.regs.write(ENABLE, 0);
        self.regs.write(INTENCLR, u32::MAX);
        self.regs.write(PSEL_SCL, scl.psel());
        self.regs.write(PSEL_SDA, sda.psel());
        self.regs.write(FREQUENCY, frequency.register());
        self.regs.write(ENABLE, ENABLE_TWIM);
    }

    /// Writes a [`ram_static!`](crate::ram_static) buffer to the slave set with
    /// [`with_address`](Self::with_address): as
    /// [`DmaWrite::write_all`], but without
    /// the run-time data-RAM check when the link proved the buffer there for
    /// this chip type (see [`crate::data_ram`]; on the host it checks).
    #[inline]
    pub fn write_all_ram<const N: usize>(
        self,
        buffer: &'static DataRam<[u8; N]>,
    ) -> Started<EasyDmaTransfer<Self, &'static DataRam<[u8; N]>>> {
        transfer::lend_in_ram::<C, _, [u8; N]>(self, buffer)
    }

    /// Writes `buffer` to the slave at `address`.
    #[allow(clippy::type_complexity)]
    pub fn write_to<B: StaticReadBuffer<Word = u8>>(
        self,
        address: u8,
        buffer: B,
    ) -> Result<EasyDmaTransfer<Self, B>, TransferError<Error, B, Self>> {
        self.with_address(address).write_all(buffer)
    }

    /// Reads `buffer.len()` bytes from the slave at `address`.
    #[allow(clippy::type_complexity)]
    pub fn read_from<B: StaticWriteBuffer<Word = u8>>(
        self,
        address: u8,
        buffer: B,
    ) -> Result<EasyDmaTransfer<Self, B>, TransferError<Error, B, Self>> {
        self.with_address(address).read_exact(buffer)
    }

    /// Writes `tx`, then (repeated start) reads into `rx`, from the slave at `address`.
    #[allow(clippy::type_complexity)]
    pub fn write_then_read<TX, RX>(
        self,
        address: u8,
        tx: TX,
        rx: RX,
    ) -> Result<DuplexTransfer<Self, TX, RX>, TransferError<Error, (TX, RX), Self>>
    where
        TX: StaticReadBuffer<Word = u8>,
        RX: StaticWriteBuffer<Word = u8>,
    {
        self.with_address(address).transfer(tx, rx)
    }
}

impl<C: Chip, F: DmaFence> Sealed for Twim<C, F> {}

impl<C: Chip, F: DmaFence> Engine for Twim<C, F> {
    type Fence = F;

    #[inline]
    fn fence(&self) -> F {
        self.fence
    }
}

impl<C: Chip, F: DmaFence> Begin for Twim<C, F> {
    /// A write (TX region only), a read (RX only) or a write then read
    /// (both), ended by a STOP condition through the shorts. Clears the two
    /// events `is_done` and `halt` read (`STOPPED`, `ERROR`) and `ERRORSRC`.
    #[inline]
    fn begin(&mut self, regions: &[Region], in_ram: InRam) -> Result<(), Error> {
        if self.address >> ADDRESS_WIDTH != 0 {
            return Err(Error::InvalidAddress(self.address));
        }
        let (tx, rx) = transfer::channels(regions);
        if tx.is_none() && rx.is_none() {
            return Err(Error::Empty);
        }
        if let Some(tx) = tx {
            check::easydma::<C>(tx.start(), tx.bytes(), false, in_ram)?;
        }
        if let Some(rx) = rx {
            check::easydma::<C>(rx.start(), rx.bytes(), false, in_ram)?;
        }
        // A disabled TWIM ignores its tasks, and STOP would never be answered
        // (PS TWIM chapter, `ENABLE`).
        if self.regs.read(ENABLE) != ENABLE_TWIM {
            return Err(Error::NotEnabled);
        }
        self.regs.clear(EVENTS_STOPPED);
        self.regs.clear(EVENTS_ERROR);
        self.regs.write(TWIM_ERRORSRC, ERRORSRC_ALL);
        self.regs.write(TWIM_ADDRESS, u32::from(self.address));
        let shorts = match (tx, rx) {
            (Some(_), None) => SHORT_LASTTX_STOP,
            (None, _) => SHORT_LASTRX_STOP,
            (Some(_), Some(_)) => SHORT_LASTTX_STARTRX | SHORT_LASTRX_STOP,
        };
        self.regs.write(SHORTS, shorts);
        if let Some(tx) = tx {
            self.regs.channel(TXD_PTR, tx.start(), tx.bytes());
        }
        if let Some(rx) = rx {
            self.regs.channel(RXD_PTR, rx.start(), rx.bytes());
        }
        Region::release_all(regions, self.fence)?;
        if self.wired {
            self.token().enable();
        }
        self.regs.trigger(if tx.is_some() { TASKS_STARTTX } else { TASKS_STARTRX });
        let bytes = |channel: Option<Region>| channel.map_or(0, |c| c.bytes());
        self.asked = Some((bytes(tx), bytes(rx)));
        Ok(())
    }
}

// SAFETY: `halt` returns at once when nothing runs (`asked` is `None`: only
// `begin` sets it, after a start task on an enabled TWIM). Otherwise, unless
// STOPPED is already set (`begin` cleared it, so this transaction stopped:
// by the shorts' STOP, or after an error), it triggers STOP and waits for
// STOPPED, which the PS (TWIM chapter, "Master write sequence", "Master read
// sequence") raises once the transaction has stopped, so EasyDMA moves no
// more. After an error the TWIM holds the bus until a STOP; if STOPPED is
// set, that STOP has happened. No panicking path; `is_done` only reads.
unsafe impl<C: Chip, F: DmaFence> Halt for Twim<C, F> {
    type Error = Error;

    #[inline]
    fn is_done(&self) -> bool {
        self.regs.event(EVENTS_STOPPED) || self.regs.event(EVENTS_ERROR)
    }

    #[inline]
    fn halt(&mut self) -> Halted<Error> {
        let Some((tx, rx)) = self.asked.take() else {
            return transfer::IDLE;
        };
        // Stopped by itself: the last byte's short (or a STOP after an error
        // the hardware raised, which is read below).
        let ended = self.regs.event(EVENTS_STOPPED);
        if !ended {
            // Still running, or holding the bus after an error, until STOP.
            self.regs.trigger(TASKS_STOP);
            self.regs.wait(EVENTS_STOPPED);
        }
        // The events of this transaction's path, so that the next one (and
        // whoever reads them) starts from clear ones. `SHORTS` stays: the
        // next `begin` writes it before any task.
        self.regs.clear(EVENTS_STOPPED);
        if tx != 0 {
            self.regs.clear(EVENTS_LASTTX);
        }
        if rx != 0 {
            self.regs.clear(EVENTS_LASTRX);
        }
        let sent = if tx == 0 { 0 } else { self.regs.amount(TXD_AMOUNT) };
        let received = if rx == 0 { 0 } else { self.regs.amount(RXD_AMOUNT) };
        // A write reports the bytes written; a read, or a write then read,
        // the bytes read.
        let amount = if rx == 0 { sent } else { received };
        let short =
            complete::<C>(ended, tx, sent).and_then(|()| complete::<C>(ended, rx, received));
        // An error raised while the STOP was under way counts too.
        if !self.regs.event(EVENTS_ERROR) {
            return transfer::halted(amount, short);
        }
        let errorsrc = self.regs.read(TWIM_ERRORSRC);
        self.regs.write(TWIM_ERRORSRC, errorsrc);
        self.regs.clear(EVENTS_ERROR);
        transfer::halted(amount, Err(Error::from_twim_errorsrc(errorsrc)))
    }
}

transfer::easydma_impls!(Twim: write, read, duplex);

/// Whether the bus is released: true whenever the TWIM is not in a transfer.
///
/// nRF52840 PS v1.1, TWIM chapter, "Master write sequence" / "Master read
/// sequence": the TWIM generates `STOPPED` once it has sent the STOP
/// condition after the last byte (the `LASTTX_STOP` / `LASTRX_STOP` shorts
/// this crate sets, or the `STOP` task after an error). Every path that gives
/// a `Twim` back waited for `STOPPED` (see its `Halt` impl).
impl<C: Chip, F: DmaFence> dma_traits::Sent for Twim<C, F> {
    fn is_sent(&self) -> bool {
        // `asked` is `Some` only inside a transfer, which owns the TWIM.
        self.asked.is_none()
    }
}

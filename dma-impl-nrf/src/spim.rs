//! SPIM: an SPI master that clocks one EasyDMA buffer out while it clocks
//! another in; the two may differ in length.

use core::cell::Cell;
use core::marker::PhantomData;

use dma_traits::{CompilerFence, DmaFence, Halt, Halted, Region, Started};

use crate::block::Block;
use crate::check::{self, InRam};
use crate::chip::sealed::Sealed;
use crate::regs::spim::{
    CONFIG as SPIM_CONFIG, CONFIG_MASK, ENABLE_VALUE as ENABLE_SPIM, FREQUENCY, ORC as SPIM_ORC,
    PSEL_MISO, PSEL_MOSI, PSEL_SCK,
};
use crate::regs::*;
use crate::transfer::{self, complete, Begin, EasyDmaTransfer, Engine};
use crate::{Chip, DataRam, Error, Interrupt, Pin};

/// SPI clock frequency: every `FREQUENCY` value of SPIM0..2 (nRF52832 PS
/// v1.4 / nRF52840 PS v1.1, SPIM chapter, "Registers", `FREQUENCY`; the 16
/// and 32 Mbps values are SPIM3's, which this crate does not drive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frequency {
    /// 125 kbps.
    K125,
    /// 250 kbps.
    K250,
    /// 500 kbps.
    K500,
    /// 1 Mbps.
    M1,
    /// 2 Mbps.
    M2,
    /// 4 Mbps.
    M4,
    /// 8 Mbps.
    M8,
}

impl Frequency {
    /// Every frequency, slowest first.
    pub const ALL: [Frequency; 7] = [
        Frequency::K125,
        Frequency::K250,
        Frequency::K500,
        Frequency::M1,
        Frequency::M2,
        Frequency::M4,
        Frequency::M8,
    ];

    /// The register value.
    pub const fn register(self) -> u32 {
        match self {
            Frequency::K125 => 0x0200_0000,
            Frequency::K250 => 0x0400_0000,
            Frequency::K500 => 0x0800_0000,
            Frequency::M1 => 0x1000_0000,
            Frequency::M2 => 0x2000_0000,
            Frequency::M4 => 0x4000_0000,
            Frequency::M8 => 0x8000_0000,
        }
    }
}

/// Pins, clock and mode of an SPIM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpimConfig<C: Chip> {
    /// Clock pin.
    pub sck: Pin<C>,
    /// Data out, or `None` for a receiver only.
    pub mosi: Option<Pin<C>>,
    /// Data in, or `None` for a transmitter only.
    pub miso: Option<Pin<C>>,
    /// Clock frequency.
    pub frequency: Frequency,
    /// The `CONFIG` register: bit 0 ORDER (1 = LSB first), bit 1 CPHA, bit 2
    /// CPOL; other bits are reserved and not written.
    pub mode: u32,
}

/// An SPIM instance of chip `C`: a [`DmaFullDuplex<u8>`](dma_traits::DmaFullDuplex), and a
/// [`DmaWrite<u8>`](dma_traits::DmaWrite) (input ignored) and [`DmaRead<u8>`](dma_traits::DmaRead) (clocking out the
/// over-read character) for one-way transfers.
///
/// When the TX buffer is shorter than the RX buffer, the over-read character
/// ([`Spim::set_orc`]) is clocked out for the rest; when the RX buffer is the
/// shorter one, the extra bytes clocked in are dropped.
///
/// On the nRF52832 a transaction with `RXD.MAXCNT = 1` and `TXD.MAXCNT <= 1`
/// (a one-byte read, or a one-byte exchange) is refused with
/// [`Error::Anomaly58`]: the chip would clock out a second byte (nRF52832
/// Errata, anomaly 58). Nordic's workaround (a GPIOTE channel on SCK and a
/// PPI channel that triggers STOP on its first edge) needs resources this
/// driver does not own; a driver that applied it behind the user's back
/// would take them from whoever does, so the refusal, with everything given
/// back, is the honest answer. A one-byte write (`RXD.MAXCNT = 0`) is not
/// affected.
///
/// `Send`, not `Sync`: its `is_done` (through `&self`) notes that it saw
/// `END`, so that `halt` after a wait does not read `END` again.
#[derive(Debug)]
pub struct Spim<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    /// (TX, RX) bytes the running transaction asked for (0 for a channel
    /// it does not use); `None` when idle.
    asked: Option<(usize, usize)>,
    /// Whether [`interrupt`](Self::interrupt) handed out the token: only then
    /// does a transfer enable `END`'s interrupt.
    wired: bool,
    /// Whether `is_done` saw this transaction's `END` (`begin` resets it),
    /// so that `halt` after a wait need not read it again.
    seen_end: Cell<bool>,
    chip: PhantomData<C>,
}

impl<C: Chip> Spim<C> {
    /// The SPIM whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**:
    /// * `base` is an SPIM register block (on the host, a simulator's
    ///   mapping) that nothing else uses (no TWIM of the same ID either)
    ///   while this value and its transfers live, and that stays mapped
    ///   while an [`Interrupt`] taken from them is used (on the chip it
    ///   always is);
    /// * the block belongs to a chip of type `C`, as for
    ///   [`Uarte::new`](crate::Uarte::new): `C`'s data RAM and `MAXCNT`
    ///   width are trusted.
    pub unsafe fn new(base: *mut u32) -> Self {
        Spim {
            // SAFETY: forwarded from this function's contract.
            regs: unsafe { Block::new(base) },
            fence: CompilerFence,
            asked: None,
            wired: false,
            seen_end: Cell::new(false),
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Spim<C, F> {
    /// The same SPIM, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Spim<C, G> {
        Spim {
            regs: self.regs,
            fence,
            asked: self.asked,
            wired: self.wired,
            seen_end: self.seen_end,
            chip: PhantomData,
        }
    }

    /// Sets pins, clock and mode and enables the SPIM. Call it before the
    /// first transfer: a disabled SPIM ignores its tasks.
    ///
    /// The `PSEL` registers are written while the SPIM is disabled (PS SPIM
    /// chapter, "Pin configuration"), and every interrupt is switched off (once
    /// the token was taken, a transfer enables `END`'s when it starts,
    /// [`crate::interrupt`]).
    pub fn configure(&mut self, config: &SpimConfig<C>) {
        self.regs.write(ENABLE, 0);
        self.regs.write(INTENCLR, u32::MAX);
        self.regs.write(PSEL_SCK, config.sck.psel());
        self.regs.write(PSEL_MOSI, config.mosi.map_or(Pin::<C>::DISCONNECTED, Pin::psel));
        self.regs.write(PSEL_MISO, config.miso.map_or(Pin::<C>::DISCONNECTED, Pin::psel));
        self.regs.write(FREQUENCY, config.frequency.register());
        self.regs.write(SPIM_CONFIG, config.mode & CONFIG_MASK);
        self.regs.write(ENABLE, ENABLE_SPIM);
    }

    /// The SPIM's interrupt (`END`), for its vector: see
    /// [`crate::interrupt`]. Take it before starting a transfer: from then
    /// on every transfer of this SPIM enables `END`'s interrupt when it
    /// starts; one that never took it writes no `INTENSET`.
    pub fn interrupt(&mut self) -> Interrupt {
        self.wired = true;
        self.token()
    }

    /// The token, without changing whether transfers enable it.
    fn token(&self) -> Interrupt {
        Interrupt::new(self.regs, [EVENTS_END, EVENTS_END])
    }

    /// Sends a [`ram_static!`](crate::ram_static) buffer: as
    /// [`DmaWrite::write_all`](dma_traits::DmaWrite::write_all), but without
    /// the run-time data-RAM check when the link proved the buffer there for
    /// this chip type (see [`crate::data_ram`]; on the host it checks).
    #[inline]
    pub fn write_all_ram<const N: usize>(
        self,
        buffer: &'static DataRam<[u8; N]>,
    ) -> Started<EasyDmaTransfer<Self, &'static DataRam<[u8; N]>>> {
        transfer::lend_in_ram::<C, _, [u8; N]>(self, buffer)
    }

    /// The over-read character, clocked out once the TX buffer is exhausted.
    pub fn set_orc(&mut self, orc: u8) {
        self.regs.write(SPIM_ORC, u32::from(orc));
    }
}

impl<C: Chip, F: DmaFence> Sealed for Spim<C, F> {}

impl<C: Chip, F: DmaFence> Engine for Spim<C, F> {
    type Fence = F;

    #[inline]
    fn fence(&self) -> F {
        self.fence
    }
}

impl<C: Chip, F: DmaFence> Begin for Spim<C, F> {
    /// Checks both regions (one may be absent or empty, not both), anomaly
    /// 58 and `ENABLE`; clears `END` (the one event `is_done` and the wait
    /// read); programs each channel (`MAXCNT` = 0 for an absent one, whose
    /// `PTR` EasyDMA then never uses); releases; triggers `START`.
    #[inline]
    fn begin(&mut self, regions: &[Region], in_ram: InRam) -> Result<(), Error> {
        let (tx, rx) = transfer::channels(regions);
        let bytes = |channel: Option<Region>| channel.map_or(0, |c| c.bytes());
        let (tx_bytes, rx_bytes) = (bytes(tx), bytes(rx));
        if let Some(tx) = tx {
            check::easydma::<C>(tx.start(), tx_bytes, true, in_ram)?;
        }
        if let Some(rx) = rx {
            check::easydma::<C>(rx.start(), rx_bytes, true, in_ram)?;
        }
        if tx_bytes == 0 && rx_bytes == 0 {
            return Err(Error::Empty);
        }
        // nRF52832 Errata, anomaly 58: with RXD.MAXCNT = 1 and TXD.MAXCNT
        // <= 1 the SPIM clocks out an additional byte.
        if C::ANOMALY_58 && rx_bytes == 1 && tx_bytes <= 1 {
            return Err(Error::Anomaly58);
        }
        // A disabled SPIM ignores START, and a later STOP would never be
        // answered (PS SPIM chapter, `ENABLE`).
        if self.regs.read(ENABLE) != ENABLE_SPIM {
            return Err(Error::NotEnabled);
        }
        // `ENDTX` / `ENDRX` are read by nothing (`halt` clears them for
        // whoever looks next); `STOPPED` is cleared by `halt` before its
        // STOP, the only place it is waited for.
        self.regs.clear(EVENTS_END);
        self.seen_end.set(false);
        match tx {
            Some(tx) => self.regs.channel(TXD_PTR, tx.start(), tx_bytes),
            None => self.regs.write(TXD_MAXCNT, 0),
        }
        match rx {
            Some(rx) => self.regs.channel(RXD_PTR, rx.start(), rx_bytes),
            None => self.regs.write(RXD_MAXCNT, 0),
        }
        Region::release_all(regions, self.fence)?;
        if self.wired {
            self.token().enable();
        }
        self.regs.trigger(TASKS_START);
        self.asked = Some((tx_bytes, rx_bytes));
        Ok(())
    }
}

// SAFETY: `halt` returns at once when nothing runs (`asked` is `None`: only
// `begin` sets it, after START on an enabled SPIM). Otherwise, if END (the
// PS's "both channels done") was not seen, it clears STOPPED (so that one
// left from before cannot end the wait), triggers STOP and waits for STOPPED
// or END: the transaction may end just before STOP arrives, and the PS
// (SPIM chapter, "SPI master transaction sequence") promises no STOPPED for
// a STOP to an idle SPIM; either event, raised after this STOP or by this
// transaction (`begin` cleared END), means EasyDMA has let go. No panicking
// path. `is_done` only reads registers (it notes in `seen_end` that END was
// set, which `halt` uses only to skip reading END again: `begin` cleared
// both before START).
unsafe impl<C: Chip, F: DmaFence> Halt for Spim<C, F> {
    type Error = Error;

    #[inline]
    fn is_done(&self) -> bool {
        let end = self.regs.event(EVENTS_END);
        if end {
            self.seen_end.set(true);
        }
        end
    }

    /// Transferred = frames clocked: the larger of the two `AMOUNT`s.
    #[inline]
    fn halt(&mut self) -> Halted<Error> {
        let Some((tx, rx)) = self.asked.take() else {
            return transfer::IDLE;
        };
        let ended = self.seen_end.replace(false) || self.regs.event(EVENTS_END);
        if !ended {
            self.regs.clear(EVENTS_STOPPED);
            self.regs.trigger(TASKS_STOP);
            while !self.regs.event(EVENTS_STOPPED) && !self.regs.event(EVENTS_END) {
                core::hint::spin_loop();
            }
            self.regs.clear(EVENTS_STOPPED);
        }
        // The events of both channels, so that whoever reads them next sees
        // this transaction's as consumed.
        self.regs.clear(EVENTS_END);
        self.regs.clear(EVENTS_ENDTX);
        self.regs.clear(EVENTS_ENDRX);
        // A channel given `MAXCNT` = 0 moved nothing: its `AMOUNT` is not read.
        let sent = if tx == 0 { 0 } else { self.regs.amount(TXD_AMOUNT) };
        let received = if rx == 0 { 0 } else { self.regs.amount(RXD_AMOUNT) };
        let result =
            complete::<C>(ended, tx, sent).and_then(|()| complete::<C>(ended, rx, received));
        transfer::halted(sent.max(received), result)
    }
}

transfer::easydma_impls!(Spim: write, read, duplex);

/// Whether the last frame has been clocked out: true whenever the SPIM is not
/// in a transfer.
///
/// nRF52840 PS v1.1, SPIM chapter, "SPI master transaction sequence": "The
/// transaction stops automatically after all bytes have been
/// transmitted/received", with `END` "after both the ENDRX and ENDTX events";
/// after a `STOP` task "SPIM will complete the transmission/reception of the
/// current byte before stopping", and `STOPPED` is "generated when the SPI
/// master has stopped". Every path that gives an `Spim` back waited for `END`
/// or `STOPPED` (see its `Halt` impl), so nothing more is on the wire; a
/// chip select may be released at once.
impl<C: Chip, F: DmaFence> dma_traits::Sent for Spim<C, F> {
    fn is_sent(&self) -> bool {
        // `asked` is `Some` only inside a transfer, which owns the SPIM.
        self.asked.is_none()
    }
}

//! SPIM: an SPI master that clocks one EasyDMA buffer out while it clocks
//! another in; the two may differ in length.

use core::marker::PhantomData;

use dma_traits::{CompilerFence, DmaFence, Halt, Halted, Region};

use crate::block::Block;
use crate::chip::sealed::Sealed;
use crate::regs::spim::{
    CONFIG as SPIM_CONFIG, CONFIG_MASK, ENABLE_VALUE as ENABLE_SPIM, FREQUENCY, ORC as SPIM_ORC,
    PSEL_MISO, PSEL_MOSI, PSEL_SCK,
};
use crate::regs::*;
use crate::transfer::{self, complete, Begin, Engine};
use crate::{check, Chip, Error, Interrupt, Pin};

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
#[derive(Debug)]
pub struct Spim<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    /// (TX, RX) bytes the running transaction asked for; `None` when idle.
    asked: Option<(usize, usize)>,
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
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Spim<C, F> {
    /// The same SPIM, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Spim<C, G> {
        Spim { regs: self.regs, fence, asked: self.asked, chip: PhantomData }
    }

    /// Sets pins, clock and mode and enables the SPIM. Call it before the
    /// first transfer: a disabled SPIM ignores its tasks.
    ///
    /// The `PSEL` registers are written while the SPIM is disabled (PS SPIM
    /// chapter, "Pin configuration"), and every interrupt is switched off (a
    /// transfer enables `END`'s when it starts, [`crate::interrupt`]).
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
    /// [`crate::interrupt`]. Take it before starting a transfer.
    pub fn interrupt(&self) -> Interrupt {
        Interrupt::new(self.regs, [EVENTS_END, EVENTS_END])
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
    #[inline]
    fn begin(&mut self, regions: &[Region]) -> Result<(), Error> {
        let (tx, rx) = transfer::channels(regions);
        let tx = tx.unwrap_or(Region::dma_reads(core::ptr::null::<u8>(), 0));
        let rx = rx.unwrap_or(Region::dma_writes(core::ptr::null_mut::<u8>(), 0));
        check::easydma::<C>(tx.start(), tx.bytes(), true)?;
        check::easydma::<C>(rx.start(), rx.bytes(), true)?;
        if tx.bytes() == 0 && rx.bytes() == 0 {
            return Err(Error::Empty);
        }
        // nRF52832 Errata, anomaly 58: with RXD.MAXCNT = 1 and TXD.MAXCNT
        // <= 1 the SPIM clocks out an additional byte.
        if C::ANOMALY_58 && rx.bytes() == 1 && tx.bytes() <= 1 {
            return Err(Error::Anomaly58);
        }
        // A disabled SPIM ignores START, and a later STOP would never be
        // answered (PS SPIM chapter, `ENABLE`).
        if self.regs.read(ENABLE) != ENABLE_SPIM {
            return Err(Error::NotEnabled);
        }
        for event in [EVENTS_END, EVENTS_ENDTX, EVENTS_ENDRX, EVENTS_STOPPED] {
            self.regs.clear(event);
        }
        self.regs.channel(TXD_PTR, tx.start(), tx.bytes());
        self.regs.channel(RXD_PTR, rx.start(), rx.bytes());
        Region::release_all(regions, self.fence)?;
        self.interrupt().enable();
        self.regs.trigger(TASKS_START);
        self.asked = Some((tx.bytes(), rx.bytes()));
        Ok(())
    }
}

// SAFETY: `halt` returns at once when nothing runs (`asked` is `None`: only
// `begin` sets it, after START on an enabled SPIM). Otherwise, if END (the
// PS's "both channels done") was not seen, it triggers STOP and waits for
// STOPPED or END: the transaction may end just before STOP arrives, and the
// PS (SPIM chapter, "SPI master transaction sequence") promises no STOPPED
// for a STOP to an idle SPIM; either event means EasyDMA has let go. No
// panicking path; `is_done` only reads.
unsafe impl<C: Chip, F: DmaFence> Halt for Spim<C, F> {
    type Error = Error;

    #[inline]
    fn is_done(&self) -> bool {
        self.regs.event(EVENTS_END)
    }

    /// Transferred = frames clocked: the larger of the two `AMOUNT`s.
    #[inline]
    fn halt(&mut self) -> Halted<Error> {
        let Some((tx, rx)) = self.asked.take() else {
            return transfer::IDLE;
        };
        let ended = self.regs.event(EVENTS_END);
        if !ended {
            self.regs.trigger(TASKS_STOP);
            while !self.regs.event(EVENTS_STOPPED) && !self.regs.event(EVENTS_END) {
                core::hint::spin_loop();
            }
        }
        for event in [EVENTS_END, EVENTS_ENDTX, EVENTS_ENDRX, EVENTS_STOPPED] {
            self.regs.clear(event);
        }
        let (sent, received) = (self.regs.amount(TXD_AMOUNT), self.regs.amount(RXD_AMOUNT));
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

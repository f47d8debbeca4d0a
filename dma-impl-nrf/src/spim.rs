//! SPIM: an SPI master that clocks one EasyDMA buffer out while it clocks
//! another in; the two may differ in length.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr;

use dma_traits::{
    Access, CompilerFence, DmaFence, DmaFullDuplex, DmaRead, DmaReadBuffer, DmaWrite,
    DmaWriteBuffer, TransferError,
};

use crate::block::{offset::*, Block};
use crate::chip::sealed::Sealed;
use crate::transfer::{complete, DuplexTransfer, Engine, RxTransfer, Token, TxTransfer};
use crate::{check, Chip, Error, Pin};

/// `ENABLE` value that turns the SPIM on (PS SPIM chapter, `ENABLE`).
const ENABLE_SPIM: u32 = 7;

/// SPI clock frequency (`FREQUENCY` register values).
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
pub struct SpimConfig {
    /// Clock pin.
    pub sck: Pin,
    /// Data out, or `None` for a receiver only.
    pub mosi: Option<Pin>,
    /// Data in, or `None` for a transmitter only.
    pub miso: Option<Pin>,
    /// Clock frequency.
    pub frequency: Frequency,
    /// The `CONFIG` register: bit 0 ORDER (1 = LSB first), bit 1 CPHA, bit 2 CPOL.
    pub mode: u32,
}

/// An SPIM instance of chip `C`: a [`DmaFullDuplex<u8>`], and a
/// [`DmaWrite<u8>`] (input ignored) and [`DmaRead<u8>`] (clocking out the
/// over-read character) for one-way transfers.
///
/// When the TX buffer is shorter than the RX buffer, the over-read character
/// ([`Spim::set_orc`]) is clocked out for the rest; when the RX buffer is the
/// shorter one, the extra bytes clocked in are dropped.
#[derive(Debug)]
pub struct Spim<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
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
    ///   while this value and its transfers live;
    /// * the block belongs to a chip of type `C`, as for
    ///   [`Uarte::new`](crate::Uarte::new): `C`'s data RAM and `MAXCNT`
    ///   width are trusted.
    pub unsafe fn new(base: *mut u32) -> Self {
        Spim {
            // SAFETY: forwarded from this function's contract.
            regs: unsafe { Block::new(base) },
            fence: CompilerFence,
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Spim<C, F> {
    /// The same SPIM, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Spim<C, G> {
        Spim { regs: self.regs, fence, chip: PhantomData }
    }

    /// Sets pins, clock and mode and enables the SPIM. Call it before the
    /// first transfer: a disabled SPIM ignores its tasks.
    pub fn configure(&mut self, config: &SpimConfig) {
        self.regs.write(ENABLE, 0);
        self.regs.write(PSEL0, config.sck.psel());
        self.regs.write(PSEL1, config.mosi.map_or(Pin::DISCONNECTED, Pin::psel));
        self.regs.write(PSEL2, config.miso.map_or(Pin::DISCONNECTED, Pin::psel));
        self.regs.write(FREQUENCY, config.frequency.register());
        self.regs.write(SPIM_CONFIG, config.mode & 0b111);
        self.regs.write(ENABLE, ENABLE_SPIM);
    }

    /// The over-read character, clocked out once the TX buffer is exhausted.
    pub fn set_orc(&mut self, orc: u8) {
        self.regs.write(SPIM_ORC, u32::from(orc));
    }

    /// Checks both buffers and `ENABLE`, programs both channels, releases
    /// and triggers `START`. On `Err` nothing was started.
    fn start(&self, tx: (*const u8, usize), rx: (*mut u8, usize)) -> Result<(), Error> {
        check::easydma::<C>(tx.0, tx.1, true)?;
        check::easydma::<C>(rx.0, rx.1, true)?;
        if tx.1 == 0 && rx.1 == 0 {
            return Err(Error::Empty);
        }
        // A disabled SPIM ignores START, and a later STOP would never be
        // answered (PS SPIM chapter, `ENABLE`).
        if self.regs.read(ENABLE) != ENABLE_SPIM {
            return Err(Error::NotEnabled);
        }
        for event in [EVENTS_END, EVENTS_ENDTX, EVENTS_ENDRX, EVENTS_STOPPED] {
            self.regs.clear(event);
        }
        self.regs.channel(TXD_PTR, tx.0, tx.1);
        self.regs.channel(RXD_PTR, rx.0, rx.1);
        let tx_extent = ptr::slice_from_raw_parts(tx.0, tx.1);
        let rx_extent = ptr::slice_from_raw_parts(rx.0.cast_const(), rx.1);
        self.fence.release(tx_extent, Access::DmaReads)?;
        if let Err(e) = self.fence.release(rx_extent, Access::DmaWrites) {
            // Nothing started: hand the TX buffer back to the CPU.
            self.fence.acquire(tx_extent, Access::DmaReads);
            return Err(Error::Fence(e));
        }
        self.regs.trigger(TASKS_START);
        Ok(())
    }
}

impl<C: Chip, F: DmaFence> Sealed for Spim<C, F> {}

impl<C: Chip, F: DmaFence> Engine for Spim<C, F> {
    type Fence = F;

    fn fence(&self) -> F {
        self.fence
    }

    fn is_finished(&self) -> bool {
        self.regs.event(EVENTS_END)
    }

    /// Transferred = frames clocked: the larger of the two `AMOUNT`s.
    fn halt(&mut self, _: Token, tx: usize, rx: usize) -> (Result<(), Error>, usize) {
        let ended = self.regs.event(EVENTS_END);
        if !ended {
            self.regs.trigger(TASKS_STOP);
            // The transaction may end (END) just before STOP arrives, and the
            // PS promises no STOPPED for a STOP to an idle SPIM: either event
            // means EasyDMA has let go.
            while !self.regs.event(EVENTS_STOPPED) && !self.regs.event(EVENTS_END) {
                core::hint::spin_loop();
            }
        }
        for event in [EVENTS_END, EVENTS_ENDTX, EVENTS_ENDRX, EVENTS_STOPPED] {
            self.regs.clear(event);
        }
        let (sent, received) = (self.regs.amount(TXD_AMOUNT), self.regs.amount(RXD_AMOUNT));
        let result = complete(ended, tx, sent).and_then(|()| complete(ended, rx, received));
        (result, sent.max(received))
    }
}

// SAFETY: the transfer keeps both buffers until END or STOPPED was observed
// and the acquire fence ran for each; both were checked (data RAM, MAXCNT)
// before the channels were programmed.
unsafe impl<C: Chip, F: DmaFence> DmaFullDuplex<u8> for Spim<C, F> {
    type Error = Error;
    type Transfer<TX: DmaReadBuffer<Word = u8>, RX: DmaWriteBuffer<Word = u8>> =
        DuplexTransfer<Self, TX, RX>;

    unsafe fn transfer_unchecked<TX, RX>(
        self,
        tx: TX,
        rx: RX,
    ) -> Result<DuplexTransfer<Self, TX, RX>, TransferError<Error, (TX, RX), Self>>
    where
        TX: DmaReadBuffer<Word = u8>,
        RX: DmaWriteBuffer<Word = u8>,
    {
        // Parked before their DMA pointers are taken: see `crate::transfer`.
        let (tx, mut rx) = (MaybeUninit::new(tx), MaybeUninit::new(rx));
        // SAFETY: both were initialized just above.
        let tx_pair = unsafe { tx.assume_init_ref() }.dma_read_buffer();
        // SAFETY: as above.
        let rx_pair = unsafe { rx.assume_init_mut() }.dma_write_buffer();
        match self.start(tx_pair, rx_pair) {
            Ok(()) => Ok(DuplexTransfer::started(self, tx, rx, (tx_pair.1, rx_pair.1))),
            Err(error) => {
                // SAFETY: initialized just above, and nothing started.
                let tx = unsafe { tx.assume_init() };
                // SAFETY: as above.
                let rx = unsafe { rx.assume_init() };
                let buffers = (tx, rx);
                Err(TransferError::rejected(error, buffers, self))
            }
        }
    }
}

// SAFETY: as for `DmaFullDuplex`, with no RX buffer (`RXD.MAXCNT` = 0).
unsafe impl<C: Chip, F: DmaFence> DmaWrite<u8> for Spim<C, F> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = u8>> = TxTransfer<Self, B>;

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<TxTransfer<Self, B>, TransferError<Error, B, Self>> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let parked = MaybeUninit::new(buffer);
        // SAFETY: `parked` was initialized just above.
        let pair = unsafe { parked.assume_init_ref() }.dma_read_buffer();
        match self.start(pair, (ptr::null_mut(), 0)) {
            Ok(()) => Ok(TxTransfer::started(self, parked, pair.1)),
            Err(error) => {
                // SAFETY: `parked` was initialized just above and nothing started.
                Err(TransferError::rejected(error, unsafe { parked.assume_init() }, self))
            }
        }
    }
}

// SAFETY: as for `DmaFullDuplex`, with no TX buffer (`TXD.MAXCNT` = 0).
unsafe impl<C: Chip, F: DmaFence> DmaRead<u8> for Spim<C, F> {
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = u8>> = RxTransfer<Self, B>;

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<RxTransfer<Self, B>, TransferError<Error, B, Self>> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let mut parked = MaybeUninit::new(buffer);
        // SAFETY: `parked` was initialized just above.
        let pair = unsafe { parked.assume_init_mut() }.dma_write_buffer();
        match self.start((ptr::null(), 0), pair) {
            Ok(()) => Ok(RxTransfer::started(self, parked, pair.1)),
            Err(error) => {
                // SAFETY: `parked` was initialized just above and nothing started.
                Err(TransferError::rejected(error, unsafe { parked.assume_init() }, self))
            }
        }
    }
}

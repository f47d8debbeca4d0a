//! TWIM: an I2C master that writes, reads, or writes then reads (repeated
//! start) by EasyDMA, ending each transaction with a STOP condition.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr;

use dma_traits::{
    Access, CompilerFence, DmaFence, DmaFullDuplex, DmaRead, DmaReadBuffer, DmaWrite,
    DmaWriteBuffer, StaticReadBuffer, StaticWriteBuffer, TransferError,
};

use crate::block::{offset::*, Block};
use crate::chip::sealed::Sealed;
use crate::transfer::{complete, DuplexTransfer, Engine, RxTransfer, Token, TxTransfer};
use crate::{check, Chip, Error, Pin};

/// `ENABLE` value that turns the TWIM on (PS TWIM chapter, `ENABLE`).
const ENABLE_TWIM: u32 = 6;
/// `SHORTS` bits (TWIM).
const LASTTX_STARTRX: u32 = 1 << 7;
const LASTTX_STOP: u32 = 1 << 9;
const LASTRX_STOP: u32 = 1 << 12;
/// All `ERRORSRC` bits (OVERRUN, ANACK, DNACK), to clear them.
const ERRORSRC_ALL: u32 = 0b111;

/// I2C clock frequency (`FREQUENCY` register values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TwimFrequency {
    /// 100 kbps.
    K100,
    /// 400 kbps.
    K400,
}

/// What the current transaction does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Read,
    WriteRead,
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
    mode: Mode,
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
    ///   while this value and its transfers live;
    /// * the block belongs to a chip of type `C`, as for
    ///   [`Uarte::new`](crate::Uarte::new): `C`'s data RAM and `MAXCNT`
    ///   width are trusted.
    pub unsafe fn new(base: *mut u32) -> Self {
        Twim {
            // SAFETY: forwarded from this function's contract.
            regs: unsafe { Block::new(base) },
            fence: CompilerFence,
            address: 0,
            mode: Mode::Write,
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Twim<C, F> {
    /// The same TWIM, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Twim<C, G> {
        Twim { regs: self.regs, fence, address: self.address, mode: self.mode, chip: PhantomData }
    }

    /// The same TWIM, talking to the slave at 7-bit `address` (checked when a
    /// transfer starts).
    pub fn with_address(mut self, address: u8) -> Self {
        self.address = address;
        self
    }

    /// The slave address the trait impls use.
    pub fn address(&self) -> u8 {
        self.address
    }

    /// Sets pins and clock and enables the TWIM. Call it before the first
    /// transfer: a disabled TWIM ignores its tasks.
    pub fn configure(&mut self, scl: Pin, sda: Pin, frequency: TwimFrequency) {
        self.regs.write(ENABLE, 0);
        self.regs.write(PSEL0, scl.psel());
        self.regs.write(PSEL1, sda.psel());
        let frequency = match frequency {
            TwimFrequency::K100 => 0x0198_0000,
            TwimFrequency::K400 => 0x0640_0000,
        };
        self.regs.write(FREQUENCY, frequency);
        self.regs.write(ENABLE, ENABLE_TWIM);
    }

    /// Writes `buffer` to the slave at `address`.
    #[allow(clippy::type_complexity)]
    pub fn write_to<B: StaticReadBuffer<Word = u8>>(
        self,
        address: u8,
        buffer: B,
    ) -> Result<TxTransfer<Self, B>, TransferError<Error, B, Self>> {
        self.with_address(address).write_all(buffer)
    }

    /// Reads `buffer.len()` bytes from the slave at `address`.
    #[allow(clippy::type_complexity)]
    pub fn read_from<B: StaticWriteBuffer<Word = u8>>(
        self,
        address: u8,
        buffer: B,
    ) -> Result<RxTransfer<Self, B>, TransferError<Error, B, Self>> {
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

    fn start(
        &mut self,
        mode: Mode,
        tx: (*const u8, usize),
        rx: (*mut u8, usize),
    ) -> Result<(), Error> {
        if self.address > 0x7F {
            return Err(Error::InvalidAddress(self.address));
        }
        let (tx_used, rx_used) = match mode {
            Mode::Write => (true, false),
            Mode::Read => (false, true),
            Mode::WriteRead => (true, true),
        };
        if tx_used {
            check::easydma::<C>(tx.0, tx.1, false)?;
        }
        if rx_used {
            check::easydma::<C>(rx.0, rx.1, false)?;
        }
        // A disabled TWIM ignores its tasks, and STOP would never be answered
        // (PS TWIM chapter, `ENABLE`).
        if self.regs.read(ENABLE) != ENABLE_TWIM {
            return Err(Error::NotEnabled);
        }
        for event in [EVENTS_STOPPED, EVENTS_ERROR, EVENTS_LASTTX, EVENTS_LASTRX, EVENTS_RXSTARTED]
        {
            self.regs.clear(event);
        }
        self.regs.write(TWIM_ERRORSRC, ERRORSRC_ALL);
        self.regs.write(TWIM_ADDRESS, u32::from(self.address));
        let shorts = match mode {
            Mode::Write => LASTTX_STOP,
            Mode::Read => LASTRX_STOP,
            Mode::WriteRead => LASTTX_STARTRX | LASTRX_STOP,
        };
        self.regs.write(SHORTS, shorts);
        let tx_extent = ptr::slice_from_raw_parts(tx.0, if tx_used { tx.1 } else { 0 });
        let rx_extent =
            ptr::slice_from_raw_parts(rx.0.cast_const(), if rx_used { rx.1 } else { 0 });
        if tx_used {
            self.regs.channel(TXD_PTR, tx.0, tx.1);
            self.fence.release(tx_extent, Access::DmaReads)?;
        }
        if rx_used {
            self.regs.channel(RXD_PTR, rx.0, rx.1);
            if let Err(e) = self.fence.release(rx_extent, Access::DmaWrites) {
                if tx_used {
                    self.fence.acquire(tx_extent, Access::DmaReads);
                }
                return Err(Error::Fence(e));
            }
        }
        self.mode = mode;
        self.regs.trigger(if tx_used { TASKS_STARTTX } else { TASKS_STARTRX });
        Ok(())
    }
}

impl<C: Chip, F: DmaFence> Sealed for Twim<C, F> {}

impl<C: Chip, F: DmaFence> Engine for Twim<C, F> {
    type Fence = F;

    fn fence(&self) -> F {
        self.fence
    }

    fn is_finished(&self) -> bool {
        self.regs.event(EVENTS_STOPPED) || self.regs.event(EVENTS_ERROR)
    }

    fn halt(&mut self, _: Token, tx: usize, rx: usize) -> (Result<(), Error>, usize) {
        let failed_before = self.regs.event(EVENTS_ERROR);
        let ended = self.regs.event(EVENTS_STOPPED);
        if failed_before || !ended {
            // The TWIM runs (or holds the bus after the error) until STOP; if
            // the short's STOP got there first, STOPPED is already set.
            self.regs.trigger(TASKS_STOP);
            self.regs.wait(EVENTS_STOPPED);
        }
        self.regs.write(SHORTS, 0);
        for event in [EVENTS_STOPPED, EVENTS_LASTTX, EVENTS_LASTRX, EVENTS_RXSTARTED] {
            self.regs.clear(event);
        }
        let (sent, received) = (self.regs.amount(TXD_AMOUNT), self.regs.amount(RXD_AMOUNT));
        let (amount, short) = match self.mode {
            Mode::Write => (sent, complete(ended, tx, sent)),
            Mode::Read => (received, complete(ended, rx, received)),
            Mode::WriteRead => {
                (received, complete(ended, tx, sent).and_then(|()| complete(ended, rx, received)))
            }
        };
        // An error raised while the STOP was under way counts too.
        if !self.regs.event(EVENTS_ERROR) {
            return (short, amount);
        }
        let errorsrc = self.regs.read(TWIM_ERRORSRC);
        self.regs.write(TWIM_ERRORSRC, errorsrc);
        self.regs.clear(EVENTS_ERROR);
        (Err(Error::from_twim_errorsrc(errorsrc)), amount)
    }
}

// SAFETY: the transfer keeps the buffer until STOPPED was observed (after a
// STOP task if needed) and the acquire fence ran; the buffer was checked.
unsafe impl<C: Chip, F: DmaFence> DmaWrite<u8> for Twim<C, F> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = u8>> = TxTransfer<Self, B>;

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        mut self,
        buffer: B,
    ) -> Result<TxTransfer<Self, B>, TransferError<Error, B, Self>> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let parked = MaybeUninit::new(buffer);
        // SAFETY: `parked` was initialized just above.
        let pair = unsafe { parked.assume_init_ref() }.dma_read_buffer();
        match self.start(Mode::Write, pair, (ptr::null_mut(), 0)) {
            Ok(()) => Ok(TxTransfer::started(self, parked, pair.1)),
            Err(error) => {
                // SAFETY: `parked` was initialized just above and nothing started.
                Err(TransferError::rejected(error, unsafe { parked.assume_init() }, self))
            }
        }
    }
}

// SAFETY: as for `DmaWrite`.
unsafe impl<C: Chip, F: DmaFence> DmaRead<u8> for Twim<C, F> {
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = u8>> = RxTransfer<Self, B>;

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = u8>>(
        mut self,
        buffer: B,
    ) -> Result<RxTransfer<Self, B>, TransferError<Error, B, Self>> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let mut parked = MaybeUninit::new(buffer);
        // SAFETY: `parked` was initialized just above.
        let pair = unsafe { parked.assume_init_mut() }.dma_write_buffer();
        match self.start(Mode::Read, (ptr::null(), 0), pair) {
            Ok(()) => Ok(RxTransfer::started(self, parked, pair.1)),
            Err(error) => {
                // SAFETY: `parked` was initialized just above and nothing started.
                Err(TransferError::rejected(error, unsafe { parked.assume_init() }, self))
            }
        }
    }
}

// SAFETY: as for `DmaWrite`, for both buffers.
unsafe impl<C: Chip, F: DmaFence> DmaFullDuplex<u8> for Twim<C, F> {
    type Error = Error;
    type Transfer<TX: DmaReadBuffer<Word = u8>, RX: DmaWriteBuffer<Word = u8>> =
        DuplexTransfer<Self, TX, RX>;

    unsafe fn transfer_unchecked<TX, RX>(
        mut self,
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
        match self.start(Mode::WriteRead, tx_pair, rx_pair) {
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

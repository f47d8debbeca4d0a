//! UARTE: a UART whose transmitter and receiver move bytes by EasyDMA.
//!
//! [`Uarte::split`] gives a [`UarteTx`] (a [`DmaWrite<u8>`]) and a
//! [`UarteRx`] (a [`DmaRead<u8>`]); both run at the same time.

use core::marker::PhantomData;
use core::mem::MaybeUninit;
use core::ptr;

use dma_traits::{
    Access, CompilerFence, DmaFence, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Finished,
    StaticReadBuffer, StaticWriteBuffer, TransferError,
};

use crate::block::{offset::*, Block};
use crate::chip::sealed::Sealed;
use crate::transfer::{complete, Engine, RxTransfer, Token, TxTransfer};
use crate::{check, Chip, Error, Pin};

/// `ENABLE` value that turns the UARTE on (PS UARTE chapter, `ENABLE`).
const ENABLE_UARTE: u32 = 8;

/// The `BAUDRATE` register value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Baudrate {
    /// 9600 baud.
    Baud9600,
    /// 115200 baud.
    Baud115200,
    /// 1 Mbaud.
    Baud1M,
}

impl Baudrate {
    /// The register value (nRF52840 product specification, UARTE `BAUDRATE`).
    pub const fn register(self) -> u32 {
        match self {
            Baudrate::Baud9600 => 0x0027_5000,
            Baudrate::Baud115200 => 0x01D7_E000,
            Baudrate::Baud1M => 0x1000_0000,
        }
    }
}

/// Pins and speed; no parity, no flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UarteConfig {
    /// TXD pin.
    pub txd: Pin,
    /// RXD pin, or `None` for a transmitter only.
    pub rxd: Option<Pin>,
    /// Speed.
    pub baudrate: Baudrate,
}

/// A UARTE instance of chip `C`, not yet split.
#[derive(Debug)]
pub struct Uarte<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    chip: PhantomData<C>,
}

impl<C: Chip> Uarte<C> {
    /// The UARTE whose registers start at `base`.
    ///
    /// Safe code gets instances from the `take()` singletons of
    /// [`crate::peripherals`]; this constructor is for other base addresses,
    /// such as a simulator's on the host.
    ///
    /// # Safety
    ///
    /// For **callers**:
    /// * `base` is a UARTE register block (on the host, a simulator's
    ///   mapping) that nothing else uses while this value and the halves and
    ///   transfers made from it live;
    /// * the block belongs to a chip of type `C`: the buffer checks trust
    ///   `C`'s data RAM range ([`Chip::DATA_RAM`]: EasyDMA must reach every
    ///   buffer that passes) and `MAXCNT` width ([`Chip::MAXCNT_MAX`]). A
    ///   `MAXCNT` narrower than `C`'s is caught after the fact (the transfer
    ///   fails with [`Error::Truncated`], buffer given back), a smaller data
    ///   RAM is not.
    pub unsafe fn new(base: *mut u32) -> Self {
        Uarte {
            // SAFETY: forwarded from this function's contract.
            regs: unsafe { Block::new(base) },
            fence: CompilerFence,
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Uarte<C, F> {
    /// The same UARTE, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Uarte<C, G> {
        Uarte { regs: self.regs, fence, chip: PhantomData }
    }

    /// Sets pins and speed and enables the UARTE.
    ///
    /// Call it before the first transfer: on a disabled UARTE the tasks do
    /// nothing, so a transfer would never finish (nor stop).
    pub fn configure(&mut self, config: &UarteConfig) {
        self.regs.write(ENABLE, 0);
        self.regs.write(PSEL0, Pin::DISCONNECTED);
        self.regs.write(PSEL1, config.txd.psel());
        self.regs.write(PSEL2, Pin::DISCONNECTED);
        self.regs.write(PSEL3, config.rxd.map_or(Pin::DISCONNECTED, Pin::psel));
        self.regs.write(BAUDRATE, config.baudrate.register());
        self.regs.write(UARTE_CONFIG, 0);
        self.regs.write(ENABLE, ENABLE_UARTE);
    }

    /// The transmitter and the receiver, to be used independently.
    pub fn split(self) -> (UarteTx<C, F>, UarteRx<C, F>) {
        let tx = UarteTx { regs: self.regs, fence: self.fence, chip: PhantomData };
        let rx = UarteRx { regs: self.regs, fence: self.fence, chip: PhantomData };
        (tx, rx)
    }

    /// Joins the halves of one UARTE; gives them back if they come from
    /// different instances.
    #[allow(clippy::type_complexity)]
    pub fn join(
        tx: UarteTx<C, F>,
        rx: UarteRx<C, F>,
    ) -> Result<Self, (UarteTx<C, F>, UarteRx<C, F>)> {
        if tx.regs == rx.regs {
            Ok(Uarte { regs: tx.regs, fence: tx.fence, chip: PhantomData })
        } else {
            Err((tx, rx))
        }
    }
}

/// The UARTE transmitter: a [`DmaWrite<u8>`].
#[derive(Debug)]
pub struct UarteTx<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    chip: PhantomData<C>,
}

/// Refuses to start anything on a UARTE whose `ENABLE` does not switch it
/// on: its tasks would be ignored, and a stop would then wait for ever for a
/// stopped event (PS UARTE chapter, `ENABLE` register).
fn check_enabled(regs: Block) -> Result<(), Error> {
    if regs.read(ENABLE) == ENABLE_UARTE {
        Ok(())
    } else {
        Err(Error::NotEnabled)
    }
}

impl<C: Chip, F: DmaFence> UarteTx<C, F> {
    /// Checks `ENABLE`, clears the end events, programs `TXD`, releases and
    /// triggers `STARTTX`. On `Err` nothing was started.
    fn start(&self, ptr: *const u8, len: usize) -> Result<(), Error> {
        check_enabled(self.regs)?;
        self.regs.clear(EVENTS_ENDTX);
        self.regs.clear(EVENTS_TXSTOPPED);
        self.regs.channel(TXD_PTR, ptr, len);
        self.fence.release(ptr::slice_from_raw_parts(ptr, len), Access::DmaReads)?;
        self.regs.trigger(TASKS_STARTTX);
        Ok(())
    }

    /// Sends `buffer`, split into EasyDMA transfers of at most
    /// [`Chip::MAXCNT_MAX`] bytes, and returns when all were sent.
    ///
    /// [`DmaWrite::write_all`] refuses such a buffer with [`Error::TooLong`].
    #[allow(clippy::type_complexity)]
    pub fn write_all_chunked<B: StaticReadBuffer<Word = u8>>(
        mut self,
        buffer: B,
    ) -> Result<Finished<B, Self>, TransferError<Error, B, Self>> {
        let (ptr, len) = buffer.dma_read_buffer();
        let checked = if len == 0 { Err(Error::Empty) } else { check::in_ram::<C>(ptr, len) };
        if let Err(error) = checked {
            return Err(TransferError::rejected(error, buffer, self));
        }
        let mut sent = 0;
        while sent < len {
            let chunk = ptr.wrapping_add(sent);
            let n = C::MAXCNT_MAX.min(len - sent);
            let result = self.start(chunk, n).and_then(|()| {
                while !self.is_finished() {
                    core::hint::spin_loop();
                }
                let (result, amount) = self.halt(Token(()), n, 0);
                self.fence.acquire(ptr::slice_from_raw_parts(chunk, n), Access::DmaReads);
                sent += amount;
                result
            });
            if let Err(error) = result {
                return Err(TransferError { error, buffer, resources: self, transferred: sent });
            }
        }
        Ok(Finished { buffer, resources: self, transferred: sent })
    }

    /// Sends `source` from anywhere (flash included) by first copying it into
    /// `bounce`, a RAM buffer the transfer owns and gives back.
    ///
    /// [`DmaWrite::write_all`] refuses a buffer outside data RAM with
    /// [`Error::NotInDataRam`]; this is the explicit way around it.
    ///
    /// Every check runs before `bounce` is touched: a refusal (an empty or
    /// too long `source`, a `bounce` outside data RAM, a disabled UARTE, a
    /// fence that refuses the bounce buffer) gives back `bounce` with its
    /// contents as they were, and the transmitter.
    #[allow(clippy::type_complexity)]
    pub fn write_all_bounced<const N: usize>(
        self,
        source: &[u8],
        bounce: &'static mut heapless::Vec<u8, N>,
    ) -> Result<
        TxTransfer<Self, &'static mut heapless::Vec<u8, N>>,
        TransferError<Error, &'static mut heapless::Vec<u8, N>, Self>,
    > {
        let len = source.len();
        let checked = if len > N {
            Err(Error::BounceTooSmall { len, capacity: N })
        } else {
            // Where the bytes will be once copied: the start of the storage.
            check::easydma::<C>(bounce.as_ptr(), len, false)
                .and_then(|()| check_enabled(self.regs))
                .and_then(|()| {
                    let extent = ptr::slice_from_raw_parts(bounce.as_ptr(), len);
                    // Asked now, before the copy, so a refusal changes nothing;
                    // `write_all` releases again after the copy (a fence's
                    // refusal depends only on the extent and the access).
                    Ok(self.fence.release(extent, Access::DmaReads)?)
                })
        };
        if let Err(error) = checked {
            return Err(TransferError::rejected(error, bounce, self));
        }
        bounce.clear();
        // Cannot fail: `len <= N` was checked above.
        if bounce.extend_from_slice(source).is_err() {
            let error = Error::BounceTooSmall { len, capacity: N };
            return Err(TransferError::rejected(error, bounce, self));
        }
        self.write_all(bounce)
    }
}

impl<C: Chip, F: DmaFence> Sealed for UarteTx<C, F> {}

impl<C: Chip, F: DmaFence> Engine for UarteTx<C, F> {
    type Fence = F;

    fn fence(&self) -> F {
        self.fence
    }

    fn is_finished(&self) -> bool {
        self.regs.event(EVENTS_ENDTX)
    }

    fn halt(&mut self, _: Token, tx: usize, _rx: usize) -> (Result<(), Error>, usize) {
        let ended = self.regs.event(EVENTS_ENDTX);
        // Only a started transmitter is halted (the token keeps `halt` to this
        // crate's transfers, which start first, on an enabled UARTE), so
        // TXSTOPPED comes.
        self.regs.trigger(TASKS_STOPTX);
        self.regs.wait(EVENTS_TXSTOPPED);
        self.regs.clear(EVENTS_TXSTOPPED);
        self.regs.clear(EVENTS_ENDTX);
        let amount = self.regs.amount(TXD_AMOUNT);
        (complete(ended, tx, amount), amount)
    }
}

// SAFETY: the transfer keeps the buffer until the transmitter has stopped
// (`halt` waits for TXSTOPPED) and the acquire fence ran; the buffer was
// checked to lie in data RAM and fit MAXCNT before the channel was programmed.
unsafe impl<C: Chip, F: DmaFence> DmaWrite<u8> for UarteTx<C, F> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = u8>> = TxTransfer<Self, B>;

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<TxTransfer<Self, B>, TransferError<Error, B, Self>> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let parked = MaybeUninit::new(buffer);
        // SAFETY: `parked` was initialized just above.
        let (ptr, len) = unsafe { parked.assume_init_ref() }.dma_read_buffer();
        match check::easydma::<C>(ptr, len, false).and_then(|()| self.start(ptr, len)) {
            Ok(()) => Ok(TxTransfer::started(self, parked, len)),
            Err(error) => {
                // SAFETY: `parked` was initialized just above and nothing started.
                Err(TransferError::rejected(error, unsafe { parked.assume_init() }, self))
            }
        }
    }
}

/// The UARTE receiver: a [`DmaRead<u8>`], and a double-buffered stream
/// ([`UarteRx::read_stream`]).
#[derive(Debug)]
pub struct UarteRx<C: Chip, F: DmaFence = CompilerFence> {
    pub(crate) regs: Block,
    pub(crate) fence: F,
    chip: PhantomData<C>,
}

impl<C: Chip, F: DmaFence> UarteRx<C, F> {
    /// Refuses a disabled UARTE (see [`Error::NotEnabled`]).
    pub(crate) fn check_enabled(&self) -> Result<(), Error> {
        check_enabled(self.regs)
    }

    /// Checks `ENABLE`, clears the events, programs `RXD`, releases and
    /// triggers `STARTRX`. On `Err` nothing was started.
    pub(crate) fn start(&self, ptr: *mut u8, len: usize) -> Result<(), Error> {
        check_enabled(self.regs)?;
        self.regs.clear(EVENTS_ENDRX);
        self.regs.clear(EVENTS_RXTO);
        self.regs.clear(EVENTS_ERROR);
        self.regs.clear(EVENTS_RXSTARTED);
        self.regs.channel(RXD_PTR, ptr, len);
        self.fence.release(ptr::slice_from_raw_parts(ptr.cast_const(), len), Access::DmaWrites)?;
        self.regs.trigger(TASKS_STARTRX);
        Ok(())
    }

    /// Reads and clears `ERRORSRC` after an `ERROR` event.
    pub(crate) fn take_error(&self) -> Option<Error> {
        if !self.regs.event(EVENTS_ERROR) {
            return None;
        }
        let errorsrc = self.regs.read(UARTE_ERRORSRC);
        self.regs.write(UARTE_ERRORSRC, errorsrc);
        self.regs.clear(EVENTS_ERROR);
        Some(Error::from_uarte_errorsrc(errorsrc))
    }

    /// Fills `buffer`, split into EasyDMA transfers of at most
    /// [`Chip::MAXCNT_MAX`] bytes, and returns when it is full.
    #[allow(clippy::type_complexity)]
    pub fn read_exact_chunked<B: StaticWriteBuffer<Word = u8>>(
        mut self,
        mut buffer: B,
    ) -> Result<Finished<B, Self>, TransferError<Error, B, Self>> {
        let (ptr, len) = buffer.dma_write_buffer();
        let checked = if len == 0 { Err(Error::Empty) } else { check::in_ram::<C>(ptr, len) };
        if let Err(error) = checked {
            return Err(TransferError::rejected(error, buffer, self));
        }
        let mut received = 0;
        while received < len {
            let chunk = ptr.wrapping_add(received);
            let n = C::MAXCNT_MAX.min(len - received);
            let result = self.start(chunk, n).and_then(|()| {
                while !self.is_finished() {
                    core::hint::spin_loop();
                }
                let (result, amount) = self.halt(Token(()), 0, n);
                self.fence
                    .acquire(ptr::slice_from_raw_parts(chunk.cast_const(), n), Access::DmaWrites);
                received += amount;
                result
            });
            if let Err(error) = result {
                return Err(TransferError {
                    error,
                    buffer,
                    resources: self,
                    transferred: received,
                });
            }
        }
        Ok(Finished { buffer, resources: self, transferred: received })
    }
}

impl<C: Chip, F: DmaFence> Sealed for UarteRx<C, F> {}

impl<C: Chip, F: DmaFence> Engine for UarteRx<C, F> {
    type Fence = F;

    fn fence(&self) -> F {
        self.fence
    }

    fn is_finished(&self) -> bool {
        self.regs.event(EVENTS_ENDRX) || self.regs.event(EVENTS_ERROR)
    }

    fn halt(&mut self, _: Token, _tx: usize, rx: usize) -> (Result<(), Error>, usize) {
        // ENDRX before STOPRX: the buffer's reception ended by itself.
        let ended = self.regs.event(EVENTS_ENDRX);
        self.regs.write(SHORTS, 0);
        // As for the transmitter: only a started receiver is halted, so RXTO comes.
        self.regs.trigger(TASKS_STOPRX);
        self.regs.wait(EVENTS_RXTO);
        self.regs.clear(EVENTS_RXTO);
        self.regs.clear(EVENTS_ENDRX);
        self.regs.clear(EVENTS_RXSTARTED);
        let amount = self.regs.amount(RXD_AMOUNT);
        match self.take_error() {
            Some(error) => (Err(error), amount),
            None => (complete(ended, rx, amount), amount),
        }
    }
}

// SAFETY: as for `UarteTx`: the receiver is stopped (RXTO observed) and the
// acquire fence ran before the buffer is given back or dropped.
unsafe impl<C: Chip, F: DmaFence> DmaRead<u8> for UarteRx<C, F> {
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = u8>> = RxTransfer<Self, B>;

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<RxTransfer<Self, B>, TransferError<Error, B, Self>> {
        // Parked before its DMA pointer is taken: see `crate::transfer`.
        let mut parked = MaybeUninit::new(buffer);
        // SAFETY: `parked` was initialized just above.
        let (ptr, len) = unsafe { parked.assume_init_mut() }.dma_write_buffer();
        match check::easydma::<C>(ptr, len, false).and_then(|()| self.start(ptr, len)) {
            Ok(()) => Ok(RxTransfer::started(self, parked, len)),
            Err(error) => {
                // SAFETY: `parked` was initialized just above and nothing started.
                Err(TransferError::rejected(error, unsafe { parked.assume_init() }, self))
            }
        }
    }
}

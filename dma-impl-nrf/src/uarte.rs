//! UARTE: a UART whose transmitter and receiver move bytes by EasyDMA.
//!
//! [`Uarte::split`] gives a [`UarteTx`] (a [`DmaWrite<u8>`]) and a
//! [`UarteRx`] (a [`DmaRead<u8>`](dma_traits::DmaRead)); both run at the same time.

use core::marker::PhantomData;

use dma_traits::{
    CompilerFence, DmaFence, DmaWrite, Finished, Halt, Halted, Region, Started, StaticReadBuffer,
    StaticWriteBuffer, TransferError,
};

use crate::block::Block;
use crate::check::{self, InRam};
use crate::chip::sealed::Sealed;
use crate::regs::uarte::{
    BAUDRATE, CONFIG as UARTE_CONFIG, ENABLE_VALUE as ENABLE_UARTE, ERRORSRC as UARTE_ERRORSRC,
    PSEL_CTS, PSEL_RTS, PSEL_RXD, PSEL_TXD,
};
use crate::regs::*;
use crate::transfer::{self, complete, Begin, EasyDmaTransfer, Engine};
use crate::{Chip, DataRam, Error, Interrupt, Pin};

/// A UARTE speed: every `BAUDRATE` value the UARTE table lists.
///
/// nRF52832 PS v1.4 / nRF52833 PS v1.3 / nRF52840 PS v1.1, UARTE chapter,
/// "Registers", `BAUDRATE` (the same 18 values on the three chips). These are
/// the UARTE's values, not the legacy UART's (whose table differs: 115200 is
/// `0x01D7_E000` there, `0x01D6_0000` here). `pac-oracle/tests/nrf.rs` checks
/// [`Baudrate::ALL`] against each chip's PAC, value by value and in count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Baudrate {
    /// 1200 baud (actual 1205).
    Baud1200,
    /// 2400 baud (actual 2396).
    Baud2400,
    /// 4800 baud (actual 4808).
    Baud4800,
    /// 9600 baud (actual 9598).
    Baud9600,
    /// 14400 baud (actual 14401).
    Baud14400,
    /// 19200 baud (actual 19208).
    Baud19200,
    /// 28800 baud (actual 28777).
    Baud28800,
    /// 31250 baud (actual 31250).
    Baud31250,
    /// 38400 baud (actual 38369).
    Baud38400,
    /// 56000 baud (actual 55944).
    Baud56000,
    /// 57600 baud (actual 57554).
    Baud57600,
    /// 76800 baud (actual 76923).
    Baud76800,
    /// 115200 baud (actual 115108).
    Baud115200,
    /// 230400 baud (actual 231884).
    Baud230400,
    /// 250000 baud (actual 250000).
    Baud250000,
    /// 460800 baud (actual 457143).
    Baud460800,
    /// 921600 baud (actual 941176).
    Baud921600,
    /// 1M baud (actual 1000000).
    Baud1M,
}

impl Baudrate {
    /// Every speed, slowest first.
    pub const ALL: [Baudrate; 18] = [
        Baudrate::Baud1200,
        Baudrate::Baud2400,
        Baudrate::Baud4800,
        Baudrate::Baud9600,
        Baudrate::Baud14400,
        Baudrate::Baud19200,
        Baudrate::Baud28800,
        Baudrate::Baud31250,
        Baudrate::Baud38400,
        Baudrate::Baud56000,
        Baudrate::Baud57600,
        Baudrate::Baud76800,
        Baudrate::Baud115200,
        Baudrate::Baud230400,
        Baudrate::Baud250000,
        Baudrate::Baud460800,
        Baudrate::Baud921600,
        Baudrate::Baud1M,
    ];

    /// The `BAUDRATE` register value.
    pub const fn register(self) -> u32 {
        match self {
            Baudrate::Baud1200 => 0x0004_F000,
            Baudrate::Baud2400 => 0x0009_D000,
            Baudrate::Baud4800 => 0x0013_B000,
            Baudrate::Baud9600 => 0x0027_5000,
            Baudrate::Baud14400 => 0x003A_F000,
            Baudrate::Baud19200 => 0x004E_A000,
            Baudrate::Baud28800 => 0x0075_C000,
            Baudrate::Baud31250 => 0x0080_0000,
            Baudrate::Baud38400 => 0x009D_0000,
            Baudrate::Baud56000 => 0x00E5_0000,
            Baudrate::Baud57600 => 0x00EB_0000,
            Baudrate::Baud76800 => 0x013A_9000,
            Baudrate::Baud115200 => 0x01D6_0000,
            Baudrate::Baud230400 => 0x03B0_0000,
            Baudrate::Baud250000 => 0x0400_0000,
            Baudrate::Baud460800 => 0x0740_0000,
            Baudrate::Baud921600 => 0x0F00_0000,
            Baudrate::Baud1M => 0x1000_0000,
        }
    }
}

/// Pins and speed; no parity, no flow control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UarteConfig<C: Chip> {
    /// TXD pin.
    pub txd: Pin<C>,
    /// RXD pin, or `None` for a transmitter only.
    pub rxd: Option<Pin<C>>,
    /// Speed.
    pub baudrate: Baudrate,
}

/// A UARTE instance of chip `C`, not yet split.
#[derive(Debug)]
pub struct Uarte<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    /// Whether the transmitter's and the receiver's [`Interrupt`] were taken
    /// (kept across [`Uarte::join`] and [`Uarte::split`]).
    wired: (bool, bool),
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
    ///   transfers made from it live, and that stays mapped while an
    ///   [`Interrupt`] taken from them is used (on the chip it always is);
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
            wired: (false, false),
            chip: PhantomData,
        }
    }
}

impl<C: Chip, F: DmaFence> Uarte<C, F> {
    /// The same UARTE, bracketing its transfers with `fence`.
    pub fn with_fence<G: DmaFence>(self, fence: G) -> Uarte<C, G> {
        Uarte { regs: self.regs, fence, wired: self.wired, chip: PhantomData }
    }

    /// Sets pins and speed and enables the UARTE.
    ///
    /// Call it before the first transfer: on a disabled UARTE the tasks do
    /// nothing, so a transfer would never finish (nor stop).
    ///
    /// The `PSEL` registers are written while the UARTE is disabled (PS UARTE
    /// chapter, "Pin configuration"), and every interrupt is switched off; once
    /// a half's token was taken, its transfers enable those of the events
    /// that end them when they start ([`crate::interrupt`]).
    pub fn configure(&mut self, config: &UarteConfig<C>) {
        self.regs.write(ENABLE, 0);
        self.regs.write(INTENCLR, u32::MAX);
        self.regs.write(PSEL_RTS, Pin::<C>::DISCONNECTED);
        self.regs.write(PSEL_TXD, config.txd.psel());
        self.regs.write(PSEL_CTS, Pin::<C>::DISCONNECTED);
        self.regs.write(PSEL_RXD, config.rxd.map_or(Pin::<C>::DISCONNECTED, Pin::psel));
        self.regs.write(BAUDRATE, config.baudrate.register());
        self.regs.write(UARTE_CONFIG, 0);
        self.regs.write(ENABLE, ENABLE_UARTE);
    }

    /// The transmitter and the receiver, to be used independently.
    pub fn split(self) -> (UarteTx<C, F>, UarteRx<C, F>) {
        let tx = UarteTx {
            regs: self.regs,
            fence: self.fence,
            asked: None,
            started: false,
            wired: self.wired.0,
            chip: PhantomData,
        };
        let rx = UarteRx {
            regs: self.regs,
            fence: self.fence,
            asked: None,
            wired: self.wired.1,
            chip: PhantomData,
        };
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
            Ok(Uarte {
                regs: tx.regs,
                fence: tx.fence,
                wired: (tx.wired, rx.wired),
                chip: PhantomData,
            })
        } else {
            Err((tx, rx))
        }
    }
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

/// Waits for the end of the running chunk, halts and acquires it: the
/// chunked APIs' loop body. `transferred` grows by what moved.
fn run_chunk<E: Begin>(
    engine: &mut E,
    region: Region,
    transferred: &mut usize,
) -> Result<(), Error> {
    engine.begin(&[region], InRam::Check)?;
    while !engine.is_done() {
        core::hint::spin_loop();
    }
    let Halted { transferred: moved, error } = engine.halt();
    region.acquire(engine.fence());
    *transferred += moved;
    error.map_or(Ok(()), Err)
}

/// The UARTE transmitter: a [`DmaWrite<u8>`].
#[derive(Debug)]
pub struct UarteTx<C: Chip, F: DmaFence = CompilerFence> {
    regs: Block,
    fence: F,
    /// Bytes the running transmission asked for; `None` when none runs.
    asked: Option<usize>,
    /// Whether this transmitter ever triggered `STARTTX` (before that it is
    /// stopped, and `TXSTOPPED` says nothing).
    started: bool,
    /// Whether [`interrupt`](Self::interrupt) handed out the token: only then
    /// does a transfer enable `ENDTX`'s interrupt.
    wired: bool,
    chip: PhantomData<C>,
}

impl<C: Chip, F: DmaFence> UarteTx<C, F> {
    /// The transmitter's interrupt (`ENDTX`), for the UARTE's vector: see
    /// [`crate::interrupt`]. Take it before starting a transfer: from then
    /// on every transfer of this transmitter enables `ENDTX`'s interrupt when
    /// it starts; one that never took it writes no `INTENSET`.
    pub fn interrupt(&mut self) -> Interrupt {
        self.wired = true;
        self.token()
    }

    /// The token, without changing whether transfers enable it.
    fn token(&self) -> Interrupt {
        Interrupt::new(self.regs, [EVENTS_ENDTX, EVENTS_ENDTX])
    }

    /// Sends a [`ram_static!`](crate::ram_static) buffer: as
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
            let n = C::MAXCNT_MAX.min(len - sent);
            let chunk = Region::dma_reads(ptr.wrapping_add(sent), n);
            if let Err(error) = run_chunk(&mut self, chunk, &mut sent) {
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
        EasyDmaTransfer<Self, &'static mut heapless::Vec<u8, N>>,
        TransferError<Error, &'static mut heapless::Vec<u8, N>, Self>,
    > {
        let len = source.len();
        let checked = if len > N {
            Err(Error::BounceTooSmall { len, capacity: N })
        } else {
            // Where the bytes will be once copied: the start of the storage.
            check::easydma::<C>(bounce.as_ptr(), len, false, InRam::Check)
                .and_then(|()| check_enabled(self.regs))
                .and_then(|()| {
                    // Asked now, before the copy, so a refusal changes nothing;
                    // `write_all` releases again after the copy (a fence's
                    // refusal depends only on the extent and the access).
                    Ok(Region::dma_reads(bounce.as_ptr(), len).release(self.fence)?)
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

    #[inline]
    fn fence(&self) -> F {
        self.fence
    }
}

impl<C: Chip, F: DmaFence> Begin for UarteTx<C, F> {
    /// Checks the buffer and `ENABLE`, clears the end events, programs
    /// `TXD`, releases and triggers `STARTTX`.
    #[inline]
    fn begin(&mut self, regions: &[Region], in_ram: InRam) -> Result<(), Error> {
        let (Some(tx), None) = transfer::channels(regions) else {
            return Err(Error::Empty);
        };
        check::easydma::<C>(tx.start(), tx.bytes(), false, in_ram)?;
        check_enabled(self.regs)?;
        self.regs.channel(TXD_PTR, tx.start(), tx.bytes());
        Region::release_all(regions, self.fence)?;
        // Cleared only once nothing can refuse any more: a transfer the
        // fence refused leaves `TXSTOPPED` as it was, so `Sent` still says
        // what the last transmission did (review: `wait_sent` hung after a
        // refusal). Still before STARTTX, the only trigger of a new end.
        self.regs.clear(EVENTS_ENDTX);
        self.regs.clear(EVENTS_TXSTOPPED);
        if self.wired {
            self.token().enable();
        }
        self.regs.trigger(TASKS_STARTTX);
        self.asked = Some(tx.bytes());
        self.started = true;
        Ok(())
    }
}

// SAFETY: `halt` returns at once when nothing runs (`asked` is `None`: only
// `begin` sets it, after STARTTX on an enabled UARTE); otherwise it triggers
// STOPTX and returns only after TXSTOPPED, which the PS (UARTE chapter,
// "Transmission") raises once the transmitter has stopped, so EasyDMA reads
// no more. It has no panicking path. `is_done` only reads.
unsafe impl<C: Chip, F: DmaFence> Halt for UarteTx<C, F> {
    type Error = Error;

    #[inline]
    fn is_done(&self) -> bool {
        self.regs.event(EVENTS_ENDTX)
    }

    #[inline]
    fn halt(&mut self) -> Halted<Error> {
        let Some(asked) = self.asked.take() else {
            return transfer::IDLE;
        };
        let ended = self.regs.event(EVENTS_ENDTX);
        self.regs.trigger(TASKS_STOPTX);
        self.regs.wait(EVENTS_TXSTOPPED);
        // TXSTOPPED stays set: `Sent::is_sent` reads it; `begin` clears it.
        self.regs.clear(EVENTS_ENDTX);
        let amount = self.regs.amount(TXD_AMOUNT);
        transfer::halted(amount, complete::<C>(ended, asked, amount))
    }
}

transfer::easydma_impls!(UarteTx: write);

/// Whether the last byte has left the TXD pin, not only EasyDMA.
///
/// nRF52840 PS v1.1 (nRF52832 v1.4, nRF52833 v1.3), UARTE chapter:
/// "EasyDMA": "The ENDRX and ENDTX events indicate that the EasyDMA is
/// finished accessing the RX or TX buffer in RAM", so `ENDTX`, the event a
/// transfer is done on, does not say the last byte is out of the
/// transmitter; "Transmission": "A TXSTOPPED event will be generated when the
/// UARTE transmitter has stopped", and the transmitter is stopped "after it
/// has been stopped via STOPTX and the TXSTOPPED event has been generated".
/// Every path that gives a `UarteTx` back (`wait`, `stop`, `Drop`, the
/// chunked and bounced writes) triggered `STOPTX` and waited for
/// `TXSTOPPED`, which is left set for this method: a stopped transmitter
/// sends nothing more, so what it was given has left it. That the byte in
/// flight at `STOPTX` is finished rather than cut the PS does not say in so
/// many words; Nordic's own drivers (nrfx, Zephyr's `uart_nrfx_uarte`, whose
/// "TX complete" is `TXSTOPPED`) and every nRF HAL stop after `ENDTX` with
/// exactly this sequence and rely on it, and the simulator models it so
/// (`TXSTOPPED` one frame after the last byte left EasyDMA).
///
/// Before any transfer the transmitter was never started: sent.
impl<C: Chip, F: DmaFence> dma_traits::Sent for UarteTx<C, F> {
    fn is_sent(&self) -> bool {
        !self.started || self.regs.event(EVENTS_TXSTOPPED)
    }
}

/// The UARTE receiver: a [`DmaRead<u8>`](dma_traits::DmaRead), and a double-buffered stream
/// ([`UarteRx::read_stream`]).
#[derive(Debug)]
pub struct UarteRx<C: Chip, F: DmaFence = CompilerFence> {
    pub(crate) regs: Block,
    pub(crate) fence: F,
    /// Bytes the running reception asked for; `None` when none runs (the
    /// stream keeps its own state and never sets it).
    asked: Option<usize>,
    /// Whether [`interrupt`](Self::interrupt) handed out the token: only then
    /// do a transfer and [`read_stream`](Self::read_stream) enable interrupts.
    pub(crate) wired: bool,
    chip: PhantomData<C>,
}

impl<C: Chip, F: DmaFence> UarteRx<C, F> {
    /// The receiver's interrupt (`ENDRX`, `ERROR`), for the UARTE's vector:
    /// see [`crate::interrupt`]. Take it before starting a transfer: from
    /// then on every transfer of this receiver enables the `ENDRX` and
    /// `ERROR` interrupts when it starts (and [`read_stream`](Self::read_stream)
    /// `ENDRX`'s); one that never took it writes no `INTENSET`. (The
    /// [`DmaReadStream`](dma_traits::DmaReadStream) over the halves of one
    /// buffer, [`crate::half_stream`], polls and enables none.)
    pub fn interrupt(&mut self) -> Interrupt {
        self.wired = true;
        self.token()
    }

    /// The token, without changing whether transfers enable it.
    pub(crate) fn token(&self) -> Interrupt {
        Interrupt::new(self.regs, [EVENTS_ENDRX, EVENTS_ERROR])
    }

    /// Refuses a disabled UARTE (see [`Error::NotEnabled`]).
    pub(crate) fn check_enabled(&self) -> Result<(), Error> {
        check_enabled(self.regs)
    }

    /// Checks `ENABLE`, clears the events, programs `RXD`, releases,
    /// enables the `ENDRX` / `ERROR` interrupts if `interrupt` (a transfer
    /// whose receiver's token was taken, not a stream) and triggers
    /// `STARTRX`. On `Err` nothing was started.
    pub(crate) fn start(&self, rx: Region, interrupt: bool) -> Result<(), Error> {
        check_enabled(self.regs)?;
        self.regs.clear(EVENTS_ENDRX);
        self.regs.clear(EVENTS_RXTO);
        self.regs.clear(EVENTS_ERROR);
        self.regs.clear(EVENTS_RXSTARTED);
        self.regs.channel(RXD_PTR, rx.start(), rx.bytes());
        rx.release(self.fence)?;
        if interrupt {
            self.token().enable();
        }
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
            let n = C::MAXCNT_MAX.min(len - received);
            let chunk = Region::dma_writes(ptr.wrapping_add(received), n);
            if let Err(error) = run_chunk(&mut self, chunk, &mut received) {
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

    #[inline]
    fn fence(&self) -> F {
        self.fence
    }
}

impl<C: Chip, F: DmaFence> Begin for UarteRx<C, F> {
    #[inline]
    fn begin(&mut self, regions: &[Region], in_ram: InRam) -> Result<(), Error> {
        let (None, Some(rx)) = transfer::channels(regions) else {
            return Err(Error::Empty);
        };
        check::easydma::<C>(rx.start(), rx.bytes(), false, in_ram)?;
        self.start(rx, self.wired)?;
        self.asked = Some(rx.bytes());
        Ok(())
    }
}

// SAFETY: as for `UarteTx`: `halt` returns at once when nothing runs, and
// otherwise only after RXTO, which the PS (UARTE chapter, "Reception") raises
// once the receiver has stopped, after the impending ENDRX; EasyDMA writes
// no more. `is_done` only reads.
unsafe impl<C: Chip, F: DmaFence> Halt for UarteRx<C, F> {
    type Error = Error;

    #[inline]
    fn is_done(&self) -> bool {
        self.regs.event(EVENTS_ENDRX) || self.regs.event(EVENTS_ERROR)
    }

    #[inline]
    fn halt(&mut self) -> Halted<Error> {
        let Some(asked) = self.asked.take() else {
            return transfer::IDLE;
        };
        // ENDRX before STOPRX: the buffer's reception ended by itself.
        let ended = self.regs.event(EVENTS_ENDRX);
        self.regs.write(SHORTS, 0);
        self.regs.trigger(TASKS_STOPRX);
        self.regs.wait(EVENTS_RXTO);
        self.regs.clear(EVENTS_RXTO);
        self.regs.clear(EVENTS_ENDRX);
        self.regs.clear(EVENTS_RXSTARTED);
        let amount = self.regs.amount(RXD_AMOUNT);
        let result = match self.take_error() {
            Some(error) => Err(error),
            None => complete::<C>(ended, asked, amount),
        };
        transfer::halted(amount, result)
    }
}

transfer::easydma_impls!(UarteRx: read);

//! SPI1 as a master with 8-bit frames: transmit, receive and full duplex by DMA.
//!
//! [`Spi`] is the SPI's register block (`CR1`, `CR2`, `SR`, `DR`; RM0008
//! §25.5, RM0090 §28.5, the same map on F1 and F4, SPI1 at 0x4001_3000 on
//! both). It is paired with DMA channels (or streams) into a port:
//!
//! * [`Spi::transmitter`]: an [`SpiTx`] on the TX channel,
//!   [`DmaWrite<u8>`](dma_traits::DmaWrite) and [`Sent`](dma_traits::Sent);
//! * [`Spi::receiver`]: an [`SpiRx`] on a TX and an RX channel,
//!   [`DmaRead<u8>`](dma_traits::DmaRead) (see "How a receive is clocked");
//! * [`Spi::duplex`]: an [`SpiDuplex`] on a TX and an RX channel,
//!   [`DmaFullDuplex<u8>`](dma_traits::DmaFullDuplex).
//!
//! # Which channels
//!
//! The type parameter is the SPI's [`Instance`], as for the
//! [USART](crate::usart): a chip's SPI (`chip::stm32f1::Spi1`, from the
//! chip's `take()`) takes only the channels its reference manual wires to
//! it ([`SpiTxRequest`] / [`SpiRxRequest`], implemented in [`chip`](crate::chip))
//! and sets their request selection itself (`CHSEL`, the L4's `CSELR`); any
//! other channel is a compile error naming the right one. [`Unchecked`],
//! from the `unsafe` [`Spi::from_base`], takes any channel: the path for
//! the simulators, whose caller promises the wiring.
//!
//! # What is received while transmitting
//!
//! A master clocks in a byte for every byte it clocks out. [`SpiTx`]
//! discards them: `CR2.RXDMAEN` stays clear, so the received bytes pile up
//! in the receive buffer and set `OVR` (RM0090 §28.3.10, RM0008 §25.3.10
//! "Error flags"), which does not stop the transmitter. Each transfer
//! clears `OVR` before it starts and again when its channel has stopped,
//! by reading `DR` and then `SR` (the manual's clearing sequence); a byte
//! still shifting out then may set it once more, which the next transfer
//! clears.
//!
//! # How a receive is clocked
//!
//! A master receives only while it drives SCK, and it drives SCK only
//! while it transmits (RM0090 §28.3.5, RM0008 §25.3.5 "Data transmission
//! and reception procedures": the sequence begins when a byte is written
//! into the Tx buffer). There are two ways to clock in N bytes:
//!
//! * **`RXONLY`** (RM0090 §28.3.4): the master clocks continuously from the
//!   moment `SPE` is set until it is cleared. Stopping after exactly N
//!   frames is a race against the bus clock: the manual's procedure
//!   (RM0090 §28.3.8, RM0008 §25.3.8 "Disabling the SPI", receive-only
//!   case) is to wait for the second-to-last `RXNE`, wait one SPI clock in
//!   a software loop, then clear `SPE`. With DMA the CPU is not looking at
//!   the second-to-last `RXNE`, an interrupt's latency decides whether one
//!   frame too many is clocked (the slave loses a byte of its stream, a
//!   FIFO sensor pops a sample nobody reads), and `stop` or `drop` of a
//!   transfer could never bring the bus to a frame boundary.
//! * **A dummy transmitter** (chosen here): a second DMA channel, on the
//!   SPI's TX request, writes one fixed byte, [`DUMMY_BYTE`] (0xFF: MOSI
//!   held high, as SD cards ask while they send), N times into `DR`, from
//!   a `static` byte this crate owns, with memory increment off. Each
//!   write clocks exactly one frame (RM0090 §28.3.9, RM0008 §25.3.9 "SPI
//!   communication using DMA": a request on every `TXE`), so exactly N
//!   frames go out and the clock stops by itself after the last one.
//!   Stopping early is clearing the TX channel's `EN`: at most the byte in
//!   the Tx buffer and the one in the shift register still go out, whole
//!   frames, and the transfer stops the RX channel, waits for them (`TXE` =
//!   1, then `BSY` = 0, the §28.3.8 / §25.3.8 procedure for the
//!   transmitting modes) and empties the receive buffer of what they
//!   clocked in, so nothing is clocked after the transfer has ended and no
//!   stale byte is taken by the next one. The dummy channel never touches
//!   the caller's buffer: only the RX channel does, which is stopped,
//!   acquired and given back as in every other transfer here.
//!
//! The RX channel is enabled (then `RXDMAEN`) before the dummy channel
//! (then `TXDMAEN`), RM0090 §28.3.9: no frame is clocked before the RX
//! side is ready for it. With the chip maps' channels the RX request also
//! wins arbitration at equal priority (lower channel / stream number:
//! RM0008 §13.3.2, RM0090 §10.3.3), so the RX channel keeps up with the
//! dummy channel. If it still falls behind (bus contention) a byte is lost
//! and `OVR` set: the transfer then ends as [`Error::Overrun`] (kind
//! [`Overrun`](dma_traits::ErrorKind::Overrun)) with the buffer, the port
//! and the count of bytes received, instead of waiting for a byte that
//! will never come.
//!
//! # FIFO SPIs
//!
//! The SPI of the F0, F3, F7 and L4 has 32-bit FIFOs (RM0316 §30.5): an
//! 8-bit receive needs `CR2.FRXTH` set (`RXNE` at one byte), and the last
//! byte has left when `SR.FTLVL` reads 0 and `BSY` 0. A chip's `Spi1`
//! knows which SPI it is ([`Instance::FIFO`]); [`Unchecked`] is the F1/F2/F4
//! SPI without FIFOs. The simulator models both (`SpiSim::new`,
//! `SpiSim::with_fifos`); `tests/spi_fifo.rs` runs the F3's and F7's
//! `Spi1` against the FIFO one.

use core::cell::Cell;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;

use dma_mmio::Reg;
use dma_traits::{
    DmaFence, DmaFullDuplex, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Finished, Outcome,
    Region, Started, Transfer, TransferError,
};

use crate::hw::{check, Direction, Internal, Sealed, Setup, Status};
use crate::interrupt::Mode;
use crate::one_shot::Lent;
use crate::regs::spi::{
    BR_SHIFT, BSY, CR1, CR2, DR, FRXTH, FTLVL, MSTR, OVR, RXDMAEN, RXNE, SPE, SR, SSI, SSM,
    TXDMAEN, TXE,
};
use crate::{channel, stream, DmaChannel, Error, OneShot, Owner};
use dma_traits::Lent as Held;

/// SPI1's register block on the F1 (RM0008 §3.3 memory map) and the F4
/// (RM0090 §2.3), checked against the PACs by `dma-pac-oracle` (as are the
/// chip modules' `SPI1`, the same address on every chip this crate maps).
pub const SPI1: usize = 0x4001_3000;

/// The byte a [`SpiRx`] clocks out for every byte it receives.
pub const DUMMY_BYTE: u8 = 0xFF;

/// The dummy channel's source: one byte, never written, for the lifetime
/// of the program (so a leaked receive that keeps clocking reads valid
/// memory forever).
static DUMMY: u8 = DUMMY_BYTE;

/// Bytes the receive FIFO of a FIFO SPI holds (RM0316 §30.5.9: 32 bits).
const RX_FIFO_BYTES: usize = 4;

fn at(base: Reg, offset: usize) -> Reg {
    // SAFETY: every offset used is one of `CR1`, `CR2`, `SR`, `DR`, all
    // inside the SPI block `base`, which the caller of `Spi::new` handed over.
    unsafe { base.offset(offset) }
}

/// What an [`Spi`] is. Sealed.
///
/// * [`Unchecked`]: the SPI takes any channel, and the caller of
///   [`Spi::from_base`] vouches that the channels it gives are wired to it.
/// * A chip's SPI (`chip::stm32f1::Spi1`): it takes only the channels the
///   chip's request map wires to it ([`SpiTxRequest`], [`SpiRxRequest`]).
pub trait Instance: Sealed {
    /// Whether the SPI has the 32-bit FIFOs (F0, F3, F7, L4: `CR2.FRXTH`,
    /// `SR.FTLVL`; RM0316 §30.9.2, §30.9.3) or not (F1, F2, F4).
    const FIFO: bool;
}

/// An SPI no chip map names, from [`Spi::from_base`]: the F1/F2/F4 register
/// semantics (no FIFOs), any channel.
#[derive(Debug)]
pub enum Unchecked {}

impl Sealed for Unchecked {}
impl Instance for Unchecked {
    const FIFO: bool = false;
}

/// The chip wires channel (or stream) `C` to the transmit request of SPI
/// `Self`. Sealed; implemented in [`chip`](crate::chip) from the reference
/// manuals' request tables (through the per-chip `Spi1Tx`, whose message
/// names the right channel), and for every channel by [`Unchecked`].
#[diagnostic::on_unimplemented(
    message = "`{C}` is not wired to the TX request of `{Self}`",
    label = "not a channel of this SPI's TX request",
    note = "the chip module's `Spi1Tx` implementors are the channels its reference manual wires"
)]
pub trait SpiTxRequest<C: DmaChannel>: Instance {
    /// The request selection the SPI sets on `C` when it takes it (`CHSEL`
    /// of a stream, `CxS` in an L4's `CSELR`); `None` where the chip has no
    /// selection or the SPI is [`Unchecked`].
    const REQUEST: Option<u8>;
}

/// The chip wires channel (or stream) `C` to the receive request of SPI
/// `Self`. As [`SpiTxRequest`].
#[diagnostic::on_unimplemented(
    message = "`{C}` is not wired to the RX request of `{Self}`",
    label = "not a channel of this SPI's RX request",
    note = "the chip module's `Spi1Rx` implementors are the channels its reference manual wires"
)]
pub trait SpiRxRequest<C: DmaChannel>: Instance {
    /// As [`SpiTxRequest::REQUEST`].
    const REQUEST: Option<u8>;
}

impl<C: DmaChannel> SpiTxRequest<C> for Unchecked {
    const REQUEST: Option<u8> = None;
}
impl<C: DmaChannel> SpiRxRequest<C> for Unchecked {
    const REQUEST: Option<u8> = None;
}

/// `channel` made to serve `request`, if there is a selection to make.
fn selected<C: DmaChannel>(mut channel: C, request: Option<u8>) -> C {
    if let Some(request) = request {
        channel.select(request, Internal::new());
    }
    channel
}

/// A channel that can be programmed to read one memory address over and
/// over (memory increment off), as the dummy transmitter of an [`SpiRx`]
/// does. Sealed: every [`Channel`](crate::channel::Channel) and
/// [`Stream`](crate::stream::Stream).
pub trait FixedSource: DmaChannel {
    /// The control register's `MINC` bit: `CCR` bit 7 (RM0008 §13.4.3),
    /// `SxCR` bit 10 (RM0090 §10.5.5).
    const MINC: u32;
}

impl<const N: u8, C: channel::Controller, M: Mode> FixedSource for channel::Channel<N, C, M> {
    const MINC: u32 = crate::regs::channel::MINC;
}
impl<const N: u8, C: stream::Controller, M: Mode> FixedSource for stream::Stream<N, C, M> {
    const MINC: u32 = crate::regs::stream::MINC;
}

/// An SPI (master, 8-bit frames, software slave select), not yet paired
/// with a channel.
#[derive(Debug)]
pub struct Spi<I: Instance = Unchecked> {
    base: Reg,
    _instance: PhantomData<I>,
}

impl Spi<Unchecked> {
    /// The SPI whose register block starts at `base`, taking any channel.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of an SPI without
    /// FIFOs (F1, F2, F4; on the host: a live simulator's base), `CR1` at
    /// 0x00 ... `DR` at 0x0C, that nothing else uses while the returned
    /// value or a port made from it lives; and every channel later given to
    /// it is wired to its request of that direction (request selected, on
    /// a stream). Nothing checks the wiring; a wrong channel is not a
    /// memory-safety matter (the transfer still owns its buffer) but its
    /// transfer never completes.
    pub unsafe fn from_base(base: *mut u32) -> Self {
        // SAFETY: the caller's contract is `new`'s for `Unchecked`.
        unsafe { Self::new(base) }
    }
}

impl<I: Instance> Spi<I> {
    /// SPI `I` whose register block starts at `base`. The chip's `take()`
    /// calls this; on the host, tests of the typed path do.
    ///
    /// # Safety
    ///
    /// For **callers**: as [`Spi::from_base`]; and unless `I` is
    /// [`Unchecked`], `base` is that SPI of that chip (on the host: a
    /// simulator wired as the chip's request map says), so the channels its
    /// map accepts are the right ones, and its FIFOs are as
    /// [`Instance::FIFO`] says.
    pub unsafe fn new(base: *mut u32) -> Self {
        // SAFETY: the caller's contract (an SPI block nothing else uses)
        // is `Reg::from_ptr`'s.
        Spi { base: unsafe { Reg::from_ptr(base) }, _instance: PhantomData }
    }

    /// Enables the SPI as a master with software slave management
    /// (`SSM`, `SSI`: the master's own NSS is held high, RM0090 §28.3.1
    /// "Slave select (NSS) pin management"), clock f_PCLK / 2^(`br` + 1)
    /// (`br` taken modulo 8), mode 0, 8-bit frames, MSB first. On a FIFO
    /// SPI also `CR2.FRXTH`: `RXNE` (and the RX DMA request) for every
    /// byte, not every second one (RM0316 §30.9.2).
    pub fn enable(&mut self, br: u8) {
        let br = u32::from(br & 0b111) << BR_SHIFT;
        if I::FIFO {
            at(self.base, CR2).modify(|v| v | FRXTH);
        }
        let cr1 = at(self.base, CR1);
        // RM0090 §28.3.3: configure, then set SPE.
        cr1.write(MSTR | SSM | SSI | br);
        cr1.write(MSTR | SSM | SSI | br | SPE);
    }

    /// The transmitter on `channel`: one the chip wires to this SPI's TX
    /// request (`I: SpiTxRequest<C>`; any channel for [`Unchecked`]), whose
    /// request selection it sets.
    pub fn transmitter<C: DmaChannel, F: DmaFence>(self, channel: C, fence: F) -> SpiTx<C, F, I>
    where
        I: SpiTxRequest<C>,
    {
        let channel = selected(channel, <I as SpiTxRequest<C>>::REQUEST);
        SpiTx { spi: self, channel, fence }
    }

    /// The receiver on `tx` (the dummy transmitter, on this SPI's TX
    /// request) and `rx` (on its RX request): see "How a receive is
    /// clocked" in the [module](self) docs. Both requests are selected.
    pub fn receiver<Ct, Cr, F>(self, tx: Ct, rx: Cr, fence: F) -> SpiRx<Ct, Cr, F, I>
    where
        Ct: FixedSource,
        Cr: DmaChannel,
        F: DmaFence,
        I: SpiTxRequest<Ct> + SpiRxRequest<Cr>,
    {
        let tx = selected(tx, <I as SpiTxRequest<Ct>>::REQUEST);
        let rx = selected(rx, <I as SpiRxRequest<Cr>>::REQUEST);
        SpiRx { spi: self, tx, rx, fence }
    }

    /// The full-duplex port on `tx` and `rx`, each wired to this SPI's
    /// request of that direction (RM0008 table 78: SPI1_TX DMA1 channel 3,
    /// SPI1_RX channel 2 on the F1; RM0090 table 43: SPI1_TX DMA2 stream 3
    /// or 5, SPI1_RX stream 0 or 2, channel 3, on the F4).
    pub fn duplex<Ct, Cr, F>(self, tx: Ct, rx: Cr, fence: F) -> SpiDuplex<Ct, Cr, F, I>
    where
        Ct: DmaChannel,
        Cr: DmaChannel,
        F: DmaFence,
        I: SpiTxRequest<Ct> + SpiRxRequest<Cr>,
    {
        let tx = selected(tx, <I as SpiTxRequest<Ct>>::REQUEST);
        let rx = selected(rx, <I as SpiRxRequest<Cr>>::REQUEST);
        SpiDuplex { spi: self, tx, rx, fence }
    }
}

/// Whether the last byte has left: `TXE` set and `BSY` clear (RM0090
/// §28.3.8, RM0008 §25.3.8); on a FIFO SPI `FTLVL` = 0 and `BSY` clear
/// (RM0316 §30.5.9: `TXE` there means "FIFO at most half full").
fn idle<I: Instance>(base: Reg) -> bool {
    let sr = at(base, SR).read();
    if I::FIFO {
        sr & (FTLVL | BSY) == 0
    } else {
        sr & (TXE | BSY) == TXE
    }
}

/// Clears `OVR`: a read of `DR`, then of `SR` (RM0090 §28.3.10, RM0008
/// §25.3.10 "Overrun condition").
fn clear_overrun(base: Reg) {
    let _ = at(base, DR).read();
    let _ = at(base, SR).read();
}

/// Empties the receive buffer (a FIFO SPI's holds up to four bytes) and
/// clears `OVR`, so that no stale byte is taken as the next one received.
/// Bounded: at most [`RX_FIFO_BYTES`] reads while `RXNE`, then the clearing
/// sequence.
fn drain(base: Reg) {
    for _ in 0..RX_FIFO_BYTES {
        if at(base, SR).read() & RXNE == 0 {
            break;
        }
        let _ = at(base, DR).read();
    }
    clear_overrun(base);
}

/// After the TX channel has stopped: waits until the frames the SPI still
/// holds (at most the Tx buffer and the shift register) have gone, so none
/// is clocked after the transfer ends (RM0090 §28.3.8, RM0008 §25.3.8:
/// wait for `TXE` = 1, then `BSY` = 0). Returns at once on an SPI that is
/// not enabled (`SPE` clear: nothing shifts, `BSY` has no meaning), so it
/// never waits for a clock that does not run.
fn settle<I: Instance>(base: Reg) {
    while at(base, CR1).read() & SPE != 0 && !idle::<I>(base) {
        core::hint::spin_loop();
    }
}

/// The address of `DR`, as the DMA's peripheral address.
fn data_register(base: Reg) -> *const u8 {
    // Only compared and programmed, never dereferenced by the CPU.
    core::ptr::null::<u8>().wrapping_add(at(base, DR).addr())
}

/// An SPI transmitter with its DMA channel: [`DmaWrite<u8>`], the received
/// bytes discarded (see the [module](self)).
#[derive(Debug)]
pub struct SpiTx<C: DmaChannel, F: DmaFence, I: Instance = Unchecked> {
    spi: Spi<I>,
    channel: C,
    fence: F,
}

impl<C: DmaChannel, F: DmaFence, I: Instance> SpiTx<C, F, I> {
    /// Everything back: the SPI and the channel (the fence is `Copy`).
    pub fn release(self) -> (Spi<I>, C) {
        (self.spi, self.channel)
    }
}

impl<C: DmaChannel, F: DmaFence, I: Instance> Sealed for SpiTx<C, F, I> {}

impl<C: DmaChannel, F: DmaFence, I: Instance> Owner for SpiTx<C, F, I> {
    type Channel = C;
    #[inline(always)]
    fn dma(&self, _: Internal) -> &C {
        &self.channel
    }
    #[inline(always)]
    fn begin(&mut self, _: u16, _: Internal) {
        // RM0090 §28.3.9: enable the stream, then `TXDMAEN`.
        at(self.spi.base, CR2).modify(|v| v | TXDMAEN);
    }
    #[inline(always)]
    fn finish(&mut self, _: Internal) {
        at(self.spi.base, CR2).modify(|v| v & !TXDMAEN);
        clear_overrun(self.spi.base);
    }
}

/// RM0090 §28.3.8 (RM0008 §25.3.8): "wait until TXE=1 and then until
/// BSY=0" before disabling the SPI. A finished transfer has written its
/// last byte into `DR`; the byte is sent when `TXE` is set (the transmit
/// buffer empty) and `BSY` clear (the shift register too); on a FIFO SPI
/// when `FTLVL` is 0 and `BSY` clear. Unlike a USART's `TC`, these are live
/// states rather than latched flags, so a transfer that gave the SPI
/// nothing leaves them reading "sent".
impl<C: DmaChannel, F: DmaFence, I: Instance> dma_traits::Sent for SpiTx<C, F, I> {
    #[inline(always)]
    fn is_sent(&self) -> bool {
        idle::<I>(self.spi.base)
    }
}

// SAFETY: `OneShot` meets `Transfer`'s contract; `write_all_unchecked` either
// starts a transfer that reads exactly the buffer's pair after the release
// fence, or returns the buffer and `self` before the channel is enabled.
unsafe impl<C: DmaChannel, F: DmaFence, I: Instance> DmaWrite<u8> for SpiTx<C, F, I> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = u8>> = OneShot<B, Self, F>;

    /// 65 535 bytes: the item counter's width ([`MAX_ITEMS`](crate::MAX_ITEMS)).
    #[inline(always)]
    fn max_len(&self) -> usize {
        crate::MAX_ITEMS
    }

    #[inline(always)]
    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let buffer = Held::new(buffer);
        let (ptr, len) = buffer.get().dma_read_buffer();
        let (size, items) = match check(ptr, len) {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), self)),
        };
        let setup = Setup {
            direction: Direction::MemoryToPeripheral,
            peripheral: data_register(self.spi.base),
            memory: ptr,
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        clear_overrun(self.spi.base);
        let fence = self.fence;
        let regions = [Region::dma_reads(ptr, len)];
        // SAFETY: the region is the buffer's pair, all the DMA reads (memory
        // increment over `items` bytes from `ptr`); the caller of
        // `write_all_unchecked` guarantees that memory outlives the transfer.
        unsafe { OneShot::start(buffer, self, &setup, &regions, fence) }
    }
}

/// SPI1 with a TX and an RX channel: [`DmaFullDuplex<u8>`](dma_traits::DmaFullDuplex),
/// from [`Spi::duplex`]. The RX channel is enabled (with `RXDMAEN`) before
/// the TX channel (with `TXDMAEN`), as RM0090 §28.3.9 asks, so no received
/// byte can be missed; a transfer ends only when both channels have stopped.
#[derive(Debug)]
pub struct SpiDuplex<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance = Unchecked> {
    spi: Spi<I>,
    tx: Ct,
    rx: Cr,
    fence: F,
}

impl<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance> SpiDuplex<Ct, Cr, F, I> {
    /// Everything back: the SPI and the TX and RX channels.
    pub fn release(self) -> (Spi<I>, Ct, Cr) {
        (self.spi, self.tx, self.rx)
    }
}

/// As for [`SpiTx`]: `TXE` set and `BSY` clear.
impl<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance> dma_traits::Sent
    for SpiDuplex<Ct, Cr, F, I>
{
    #[inline(always)]
    fn is_sent(&self) -> bool {
        idle::<I>(self.spi.base)
    }
}

/// The transmit side of a running transfer: `TXDMAEN` and the TX channel.
#[derive(Debug)]
struct DuplexTx<Ct> {
    base: Reg,
    channel: Ct,
}

/// The receive side of a running transfer: the SPI, `RXDMAEN` and the RX
/// channel.
#[derive(Debug)]
struct DuplexRx<Cr, I: Instance> {
    spi: Spi<I>,
    channel: Cr,
}

impl<Ct: DmaChannel> Sealed for DuplexTx<Ct> {}
impl<Cr: DmaChannel, I: Instance> Sealed for DuplexRx<Cr, I> {}

impl<Ct: DmaChannel> Owner for DuplexTx<Ct> {
    type Channel = Ct;
    fn dma(&self, _: Internal) -> &Ct {
        &self.channel
    }
    fn begin(&mut self, _: u16, _: Internal) {
        at(self.base, CR2).modify(|v| v | TXDMAEN);
    }
    fn finish(&mut self, _: Internal) {
        at(self.base, CR2).modify(|v| v & !TXDMAEN);
    }
}

impl<Cr: DmaChannel, I: Instance> Owner for DuplexRx<Cr, I> {
    type Channel = Cr;
    fn dma(&self, _: Internal) -> &Cr {
        &self.channel
    }
    fn begin(&mut self, _: u16, _: Internal) {
        at(self.spi.base, CR2).modify(|v| v | RXDMAEN);
    }
    fn finish(&mut self, _: Internal) {
        at(self.spi.base, CR2).modify(|v| v & !RXDMAEN);
    }
}

/// A full-duplex transfer in flight: both buffers, the SPI and both
/// channels. Every way out (`wait`, `stop`, drop) first stops both channels
/// (TX; then, once the frames the SPI still holds have gone, RX; each
/// clears `EN` and waits until it reads 0), and only then runs the acquire
/// fence on either buffer and gives them back.
#[derive(Debug)]
pub struct Duplex<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance = Unchecked> {
    tx: ManuallyDrop<Lent<TX, DuplexTx<Ct>, F>>,
    rx: ManuallyDrop<Lent<RX, DuplexRx<Cr, I>, F>>,
    base: Reg,
    /// `OVR` was seen set: a byte was lost (latched, as for [`Receive`]).
    overrun: Cell<bool>,
}

impl<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance>
    Duplex<TX, RX, Ct, Cr, F, I>
{
    /// Whether `OVR` is (or was) set.
    fn overran(&self) -> bool {
        if at(self.base, SR).read() & OVR != 0 {
            self.overrun.set(true);
        }
        self.overrun.get()
    }

    /// Stops both channels before either `Lent` acquires its region; notes
    /// an `OVR` of the transfer's frames (the last ones are received while
    /// the SPI settles) before the RX channel stops.
    fn halt_both(&self) {
        // Not unwinding while a channel may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            self.tx.channel().disable();
            settle::<I>(self.base);
            self.overran();
            self.rx.channel().disable();
        });
    }
}

impl<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance> Drop
    for Duplex<TX, RX, Ct, Cr, F, I>
{
    fn drop(&mut self) {
        self.halt_both();
        // SAFETY: `drop` runs once, and `stop` (the only other taker) wraps
        // `self` in `ManuallyDrop` so this never runs after it; both
        // channels have stopped just above.
        unsafe { ManuallyDrop::drop(&mut self.tx) };
        // SAFETY: as above, for the RX side.
        unsafe { ManuallyDrop::drop(&mut self.rx) };
    }
}

// SAFETY: `stop`/`wait` and drop first disable both channels (each clears
// `EN` and spins until it reads 0), and only then end or drop both `Lent`s,
// which acquire their regions before the buffers leave.
unsafe impl<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance> Transfer
    for Duplex<TX, RX, Ct, Cr, F, I>
{
    type Buffer = (TX, RX);
    type Resources = SpiDuplex<Ct, Cr, F, I>;
    type Error = Error;

    /// Both channels complete, either in error, or `OVR` set (a byte was
    /// lost, so the RX channel would wait forever for it). The RX channel
    /// completes after the TX channel, once the last byte has been clocked
    /// in.
    fn is_done(&self) -> bool {
        let (t, r) = (self.tx.channel().status(), self.rx.channel().status());
        t.error().is_some() || r.error().is_some() || (t.complete && r.complete) || self.overran()
    }

    fn stop(self) -> Outcome<Self> {
        self.halt_both();
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is in `ManuallyDrop`, so `Duplex::drop` never runs
        // and each field is taken exactly once, here.
        let tx = unsafe { ManuallyDrop::take(&mut this.tx) };
        // SAFETY: as above, for the RX side.
        let rx = unsafe { ManuallyDrop::take(&mut this.rx) };
        let (fence, items, overrun) = (tx.fence, rx.items, this.overrun.get());
        let t = tx.end();
        let r = rx.end();
        // Full duplex: what was received is what made the round trip.
        let received = items.saturating_sub(r.remaining);
        let transferred = usize::from(received);
        let clocked = items.saturating_sub(t.remaining);
        let lost = usize::from(clocked.saturating_sub(received)).max(1);
        let resources = SpiDuplex {
            spi: r.resources.spi,
            tx: t.resources.channel,
            rx: r.resources.channel,
            fence,
        };
        let buffer = (t.buffer, r.buffer);
        let overrun = if overrun { Some(Error::Overrun { lost }) } else { None };
        match t.status.error().or(r.status.error()).or(overrun) {
            Some(error) => Err(TransferError { error, buffer, resources, transferred }),
            None => Ok(Finished { buffer, resources, transferred }),
        }
    }
}

// SAFETY: `transfer_unchecked` either starts both channels over exactly the
// two buffers' pairs after the release fence, or gives both buffers and
// `self` back with no channel running.
unsafe impl<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence, I: Instance> DmaFullDuplex<u8>
    for SpiDuplex<Ct, Cr, F, I>
{
    type Error = Error;
    type Transfer<TX: DmaReadBuffer<Word = u8>, RX: DmaWriteBuffer<Word = u8>> =
        Duplex<TX, RX, Ct, Cr, F, I>;

    /// 65 535 bytes: the item counter's width ([`MAX_ITEMS`](crate::MAX_ITEMS)).
    fn max_len(&self) -> usize {
        crate::MAX_ITEMS
    }

    unsafe fn transfer_unchecked<TX, RX>(self, tx: TX, rx: RX) -> Started<Self::Transfer<TX, RX>>
    where
        TX: DmaReadBuffer<Word = u8>,
        RX: DmaWriteBuffer<Word = u8>,
    {
        let tx = Held::new(tx);
        let mut rx = Held::new(rx);
        let (tp, tl) = tx.get().dma_read_buffer();
        let (rp, rl) = rx.get_mut().dma_write_buffer();
        let checked = if tl == rl {
            check(tp, tl).and_then(|t| check(rp.cast_const(), rl).map(|_| t))
        } else {
            Err(Error::LengthMismatch { source: tl, destination: rl })
        };
        let (size, items) = match checked {
            Ok(ok) => ok,
            Err(e) => {
                let buffers = (tx.into_inner(), rx.into_inner());
                return Err(TransferError::rejected(e, buffers, self));
            }
        };
        let common = |direction, memory| Setup {
            direction,
            peripheral: data_register(self.spi.base),
            memory,
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        let rx_setup = common(Direction::PeripheralToMemory, rp.cast::<u8>().cast_const());
        let tx_setup = common(Direction::MemoryToPeripheral, tp);
        // A byte left in the receive buffer (and `OVR`) from before would
        // be taken as the first received: drain it, DR then SR.
        drain(self.spi.base);
        let SpiDuplex { spi, tx: ct, rx: cr, fence } = self;
        let base = spi.base;
        let rx_regions = [Region::dma_writes(rp, rl)];
        // SAFETY: the region is the RX buffer's pair, all the RX channel
        // writes; the caller guarantees the memory outlives the transfer.
        let rx_lent = match unsafe {
            Lent::start(rx, DuplexRx { spi, channel: cr }, &rx_setup, &rx_regions, fence)
        } {
            Ok(lent) => lent,
            Err((e, rx, side)) => {
                let port = SpiDuplex { spi: side.spi, tx: ct, rx: side.channel, fence };
                return Err(TransferError::rejected(e, (tx.into_inner(), rx), port));
            }
        };
        let tx_regions = [Region::dma_reads(tp, tl)];
        // SAFETY: as above, for the TX buffer's pair, all the TX channel reads.
        match unsafe {
            Lent::start(tx, DuplexTx { base, channel: ct }, &tx_setup, &tx_regions, fence)
        } {
            Ok(tx) => Ok(Duplex {
                tx: ManuallyDrop::new(tx),
                rx: ManuallyDrop::new(rx_lent),
                base,
                overrun: Cell::new(false),
            }),
            Err((e, tx, side)) => {
                // Nothing was clocked: the RX channel stops having moved nothing.
                let r = rx_lent.end();
                let port = SpiDuplex {
                    spi: r.resources.spi,
                    tx: side.channel,
                    rx: r.resources.channel,
                    fence,
                };
                Err(TransferError::rejected(e, (tx, r.buffer), port))
            }
        }
    }
}

/// SPI1 receiving by DMA: [`DmaRead<u8>`](dma_traits::DmaRead), from
/// [`Spi::receiver`]. The RX channel fills the buffer while the TX channel
/// clocks out [`DUMMY_BYTE`] once per byte (see "How a receive is clocked"
/// in the [module](self) docs).
#[derive(Debug)]
pub struct SpiRx<Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance = Unchecked> {
    spi: Spi<I>,
    tx: Ct,
    rx: Cr,
    fence: F,
}

impl<Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance> SpiRx<Ct, Cr, F, I> {
    /// Everything back: the SPI, the (dummy) TX channel and the RX channel.
    pub fn release(self) -> (Spi<I>, Ct, Cr) {
        (self.spi, self.tx, self.rx)
    }
}

/// A receive in flight: the buffer, the SPI and both channels.
///
/// Every way out (`wait`, `stop`, drop) stops the dummy TX channel first
/// (clears `EN`, waits until it reads 0, clears `TXDMAEN`), then the RX
/// channel (and `RXDMAEN`), waits until the frames the SPI still holds have
/// been clocked, empties the receive buffer and clears `OVR`, and only then
/// acquires the buffer and gives it back.
#[derive(Debug)]
pub struct Receive<B, Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance = Unchecked> {
    rx: ManuallyDrop<Lent<B, DuplexRx<Cr, I>, F>>,
    tx: ManuallyDrop<DuplexTx<Ct>>,
    /// `OVR` was seen set: a byte was lost. Latched, because the `SR` read
    /// that shows it also completes its clearing sequence when the RX
    /// channel has read `DR` since.
    overrun: Cell<bool>,
}

impl<B, Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance> Receive<B, Ct, Cr, F, I> {
    /// Whether `OVR` is (or was) set.
    fn overran(&self) -> bool {
        if at(self.tx.base, SR).read() & OVR != 0 {
            self.overrun.set(true);
        }
        self.overrun.get()
    }

    /// Stops the dummy channel, notes `OVR`, stops the RX channel, lets the
    /// SPI clock out what it still holds and empties the receive buffer.
    /// Returns the dummy channel's flags and the bytes it clocked.
    fn halt_both(&self) -> (Status, u16) {
        // Not unwinding while a channel may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            let base = self.tx.base;
            let channel = &self.tx.channel;
            channel.disable();
            let status = channel.status();
            let left = channel.remaining();
            channel.clear_all();
            at(base, CR2).modify(|v| v & !TXDMAEN);
            // `OVR` now is a byte of the transfer lost; the frames the SPI still
            // holds were clocked after the stop and are not the transfer's.
            self.overran();
            self.rx.channel().disable();
            at(base, CR2).modify(|v| v & !RXDMAEN);
            settle::<I>(base);
            drain(base);
            (status, self.rx.items.saturating_sub(left))
        })
    }
}

impl<B, Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance> Drop
    for Receive<B, Ct, Cr, F, I>
{
    fn drop(&mut self) {
        self.halt_both();
        // SAFETY: `drop` runs once, and `stop` (the only other taker) wraps
        // `self` in `ManuallyDrop` so this never runs after it; both
        // channels have stopped just above, so the `Lent` acquires and
        // drops a buffer no DMA accesses any more.
        unsafe { ManuallyDrop::drop(&mut self.rx) };
        // SAFETY: as above; the TX side owns no memory, only a channel.
        unsafe { ManuallyDrop::drop(&mut self.tx) };
    }
}

// SAFETY: the only memory the transfer lets a DMA write is the buffer's
// pair, by the RX channel inside the `Lent`; `stop`/`wait` and drop first
// disable the dummy channel and then the RX channel (each clears `EN` and
// spins until it reads 0) and only then end or drop the `Lent`, which
// acquires the region before the buffer leaves. The dummy channel reads
// only `DUMMY`, a `static` valid for the whole program.
unsafe impl<B, Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance> Transfer
    for Receive<B, Ct, Cr, F, I>
{
    type Buffer = B;
    type Resources = SpiRx<Ct, Cr, F, I>;
    type Error = Error;

    /// The RX channel complete (the last byte received; the dummy channel
    /// finished before it), either channel in error, or `OVR` set (a byte
    /// was lost, so the RX channel would wait forever for it).
    fn is_done(&self) -> bool {
        let (t, r) = (self.tx.channel.status(), self.rx.channel().status());
        r.complete || r.error().is_some() || t.error().is_some() || self.overran()
    }

    fn stop(self) -> Outcome<Self> {
        let (t, clocked) = self.halt_both();
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is in `ManuallyDrop`, so `Receive::drop` never runs
        // and each field is taken exactly once, here.
        let rx = unsafe { ManuallyDrop::take(&mut this.rx) };
        // SAFETY: as above, for the TX side.
        let tx = unsafe { ManuallyDrop::take(&mut this.tx) };
        let (fence, items, overrun) = (rx.fence, rx.items, this.overrun.get());
        let r = rx.end();
        let received = items.saturating_sub(r.remaining);
        let transferred = usize::from(received);
        let resources =
            SpiRx { spi: r.resources.spi, tx: tx.channel, rx: r.resources.channel, fence };
        let lost = usize::from(clocked.saturating_sub(received)).max(1);
        let error = t.error().or(r.status.error()).or(if overrun {
            Some(Error::Overrun { lost })
        } else {
            None
        });
        match error {
            Some(error) => Err(TransferError { error, buffer: r.buffer, resources, transferred }),
            None => Ok(Finished { buffer: r.buffer, resources, transferred }),
        }
    }
}

// SAFETY: `read_exact_unchecked` either starts the RX channel over exactly
// the buffer's write pair after the release fence (and the dummy channel
// over the `'static` `DUMMY` alone), or gives the buffer and `self` back
// with no channel running; `Receive` meets `Transfer`'s contract (above).
unsafe impl<Ct: FixedSource, Cr: DmaChannel, F: DmaFence, I: Instance> DmaRead<u8>
    for SpiRx<Ct, Cr, F, I>
{
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = u8>> = Receive<B, Ct, Cr, F, I>;

    /// 65 535 bytes: the item counter's width ([`MAX_ITEMS`](crate::MAX_ITEMS)).
    fn max_len(&self) -> usize {
        crate::MAX_ITEMS
    }

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let mut buffer = Held::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let (size, items) = match check(ptr.cast_const(), len) {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), self)),
        };
        let peripheral = data_register(self.spi.base);
        let rx_setup = Setup {
            direction: Direction::PeripheralToMemory,
            peripheral,
            memory: ptr.cast::<u8>().cast_const(),
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        let tx_setup = Setup {
            direction: Direction::MemoryToPeripheral,
            peripheral,
            memory: &raw const DUMMY,
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        // A byte left in the receive buffer (and `OVR`) from before would
        // be taken as the first received.
        drain(self.spi.base);
        let SpiRx { spi, tx: ct, rx: cr, fence } = self;
        let base = spi.base;
        let regions = [Region::dma_writes(ptr, len)];
        // RX first (channel, then `RXDMAEN`, in `Lent::start`): nothing is
        // clocked before the dummy channel runs, so no byte is missed.
        // SAFETY: the region is the buffer's pair, all the RX channel writes
        // (memory increment over `items` bytes from `ptr`); the caller of
        // `read_exact_unchecked` guarantees that memory outlives the transfer.
        let rx = match unsafe {
            Lent::start(buffer, DuplexRx { spi, channel: cr }, &rx_setup, &regions, fence)
        } {
            Ok(lent) => lent,
            Err((e, buffer, side)) => {
                let port = SpiRx { spi: side.spi, tx: ct, rx: side.channel, fence };
                return Err(TransferError::rejected(e, buffer, port));
            }
        };
        // The dummy channel: `program`'s configuration with `MINC` cleared,
        // so every item reads the one byte `DUMMY`.
        let control = ct.program(&tx_setup) & !Ct::MINC;
        // SAFETY: `enable` asks for `program`'s value for the setup just
        // programmed, the addresses valid for the DMA's accesses until the
        // channel reads disabled, and the release fence run. `control` is
        // that value with one bit cleared, `MINC`, which changes only the
        // memory addresses the channel reads: with it clear, every one of
        // the `items` reads is of `CMAR`/`M0AR` itself, `&DUMMY`, one byte
        // of a `static` that is valid and never written for the whole
        // program (so also after a leaked transfer), and every write is to
        // this SPI's `DR`, owned by `rx` until the transfer ends. No CPU
        // write to `DUMMY` exists for a release fence to order, and no
        // cache line holds a newer value of it. The channel is owned and
        // idle (`Receive` disables it before giving it back).
        unsafe { ct.enable(control) };
        at(base, CR2).modify(|v| v | TXDMAEN);
        Ok(Receive {
            rx: ManuallyDrop::new(rx),
            tx: ManuallyDrop::new(DuplexTx { base, channel: ct }),
            overrun: Cell::new(false),
        })
    }
}

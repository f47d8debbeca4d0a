//! A USART whose transmitter and receiver move bytes by DMA.
//!
//! # Which channels
//!
//! The type parameter is the USART's [`Instance`]:
//!
//! * a chip's USART (`chip::stm32f1::Usart1`, from the chip's `take()`)
//!   takes only the channels the chip's request map wires to it
//!   ([`TxRequest`] / [`RxRequest`], implemented in [`chip`](crate::chip)
//!   from the reference manuals' tables) and sets their request selection
//!   (`CHSEL`, `CSELR`) itself. Any other channel is a compile error naming
//!   the right one, e.g. "`Channel<5, dma_impl_stm32::channel::Dma1>` is
//!   not wired to USART1 TX on STM32F1 ... RM0008 table 78: USART1 TX is
//!   DMA1 channel 4".
//! * a bare register map ([`StatusData`], [`InterruptStatus`], from the
//!   `unsafe` [`Usart::from_base`]) takes any channel: the unchecked path
//!   for the simulators and for USARTs no chip module maps, whose caller
//!   promises the wiring.
//!
//! The check is a bound on the USART's type (`I: TxRequest<C>`) rather
//! than on the channel's (`C: TxRequest<I>`): with it, the compiler reports
//! the per-chip trait (`Usart1Tx`) and its message, which can say which
//! channel the manual gives.
//!
//! # Register maps
//!
//! Two exist: [`StatusData`] (`SR`/`DR`: F1, F2, F4; RM0008 §27.6, RM0090
//! §30.6) and [`InterruptStatus`] (`ISR`/`ICR`/`RDR`/`TDR`: F0, F3, F7, L4,
//! G0, G4; RM0316 §29.8). `CR3.DMAT` (bit 7) and `CR3.DMAR` (bit 6) connect the
//! data registers to the DMA request lines; the transfer sets them after
//! enabling the channel and clears them once it has stopped.

use core::marker::PhantomData;

use dma_mmio::Reg;
use dma_traits::{
    DmaFence, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Region, Started, StaticWriteBuffer,
    TransferError,
};

use crate::hw::{check, Direction, Internal, Sealed, Setup};
use crate::interrupt::Mode;
use crate::stream::{self, Stream};
use crate::{Circular, DmaChannel, DoubleBuffer, Error, OneShot, Owner};
use dma_traits::Lent as Held;

/// A USART register map.
pub trait Layout: Sealed {
    /// Status register (`SR` / `ISR`).
    const STATUS: usize;
    /// Transmit data register (`DR` / `TDR`).
    const TDR: usize;
    /// Receive data register (`DR` / `RDR`).
    const RDR: usize;
    /// Baud rate register.
    const BRR: usize;
    /// Control register 1.
    const CR1: usize;
    /// Control register 3.
    const CR3: usize;
    /// `CR1.UE`.
    const UE: u32;
    /// Clears `TC`.
    fn clear_tc(base: Reg);
}

/// `SR`/`DR` register map (F1, F2, F4).
#[derive(Debug)]
pub enum StatusData {}
/// `ISR`/`ICR`/`RDR`/`TDR` register map (F0, F3, F7, L4, G0, G4).
#[derive(Debug)]
pub enum InterruptStatus {}

impl Sealed for StatusData {}
impl Sealed for InterruptStatus {}

use crate::regs::usart::{DMAR, DMAT, ICR, RE, TC, TE, UE_ISR_MAP, UE_SR_MAP};

fn at(base: Reg, offset: usize) -> Reg {
    // SAFETY: every offset used is a register of the USART block `base`,
    // which the caller of `Usart::from_base` handed over.
    unsafe { base.offset(offset) }
}

impl Layout for StatusData {
    const STATUS: usize = 0x00;
    const TDR: usize = 0x04;
    const RDR: usize = 0x04;
    const BRR: usize = 0x08;
    const CR1: usize = 0x0C;
    const CR3: usize = 0x14;
    const UE: u32 = UE_SR_MAP;
    #[inline(always)]
    fn clear_tc(base: Reg) {
        // `TC` is rc_w0: writing 0 clears it, 1s elsewhere change nothing.
        at(base, Self::STATUS).write(!TC);
    }
}

impl Layout for InterruptStatus {
    const STATUS: usize = 0x1C;
    const TDR: usize = 0x28;
    const RDR: usize = 0x24;
    const BRR: usize = 0x0C;
    const CR1: usize = 0x00;
    const CR3: usize = 0x08;
    const UE: u32 = UE_ISR_MAP;
    #[inline(always)]
    fn clear_tc(base: Reg) {
        // `ICR.TCCF`.
        at(base, ICR).write(TC);
    }
}

/// What a [`Usart`] is. Sealed.
///
/// * A bare register map, [`StatusData`] or [`InterruptStatus`]: the USART
///   takes any channel, and the caller of [`Usart::from_base`] vouches that
///   the channels it gives are wired to it (the explicit, unchecked path for
///   the simulators and for USARTs no chip module maps).
/// * A chip's USART, such as `chip::stm32f1::Usart1` (from the chip's
///   `take()`): it takes only the channels the chip's request map wires to
///   it ([`TxRequest`], [`RxRequest`]), and selects the request itself.
pub trait Instance: Sealed {
    /// The register map.
    type Layout: Layout;
}

impl Instance for StatusData {
    type Layout = Self;
}
impl Instance for InterruptStatus {
    type Layout = Self;
}

/// The chip wires channel (or stream) `C` to the transmit request of USART
/// `Self`. Sealed; implemented in [`chip`](crate::chip) from the reference
/// manuals' request tables, and for every channel by the bare maps.
///
/// A chip's impls go through a trait per USART and direction
/// (`chip::stm32f1::Usart1Tx`), whose error message names the channel the
/// manual gives.
#[diagnostic::on_unimplemented(
    message = "`{C}` is not wired to the TX request of `{Self}`",
    label = "not a channel of this USART's TX request",
    note = "the chip module's `Usart1Tx` implementors are the channels its reference manual wires"
)]
pub trait TxRequest<C: DmaChannel>: Instance {
    /// The request selection the USART sets on `C` when it takes it (`CHSEL`
    /// of a stream, `CxS` in an L4's `CSELR`); `None` where the chip has no
    /// selection or the USART is a bare map (the channel keeps what it was
    /// taken with).
    const REQUEST: Option<u8>;
}

/// The chip wires channel (or stream) `C` to the receive request of USART
/// `Self`. As [`TxRequest`].
#[diagnostic::on_unimplemented(
    message = "`{C}` is not wired to the RX request of `{Self}`",
    label = "not a channel of this USART's RX request",
    note = "the chip module's `Usart1Rx` implementors are the channels its reference manual wires"
)]
pub trait RxRequest<C: DmaChannel>: Instance {
    /// As [`TxRequest::REQUEST`].
    const REQUEST: Option<u8>;
}

impl<C: DmaChannel> TxRequest<C> for StatusData {
    const REQUEST: Option<u8> = None;
}
impl<C: DmaChannel> TxRequest<C> for InterruptStatus {
    const REQUEST: Option<u8> = None;
}
impl<C: DmaChannel> RxRequest<C> for StatusData {
    const REQUEST: Option<u8> = None;
}
impl<C: DmaChannel> RxRequest<C> for InterruptStatus {
    const REQUEST: Option<u8> = None;
}

/// `channel` made to serve `request`, if there is a selection to make.
#[inline(always)]
fn selected<C: DmaChannel>(mut channel: C, request: Option<u8>) -> C {
    if let Some(request) = request {
        channel.select(request, Internal::new());
    }
    channel
}

/// USART `I` (a register map or a chip's USART, see [`Instance`]), not yet
/// split into its DMA halves.
#[derive(Debug)]
pub struct Usart<I: Instance> {
    base: Reg,
    /// The transmitter's last transfer moved no byte and it was sent
    /// before (see [`Tail::quiet`]): kept here across
    /// [`UsartTx::release`] and a new [`transmitter`](Self::transmitter).
    quiet: bool,
    _layout: PhantomData<I>,
}

impl<I: Instance> Usart<I> {
    /// The USART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of a USART with map
    /// `I::Layout` (on the host: a live simulator's base) that nothing else
    /// uses while this value or its halves live. Moreover:
    ///
    /// * if `I` is a bare map ([`StatusData`], [`InterruptStatus`]): every
    ///   channel given to this USART or its halves is wired to the USART's
    ///   request of that direction, with the selection it was taken with
    ///   ([`stream::Dma::stream`](crate::stream::Dma::stream)'s `request`,
    ///   [`channel::Dma::channel_for_request`](crate::channel::Dma::channel_for_request)).
    ///   Nothing checks it; a wrong channel is not a memory-safety matter
    ///   (the transfer still owns its buffer) but its transfer never
    ///   completes, and its `wait` never returns.
    /// * if `I` is a chip's USART (`chip::stm32f1::Usart1`): `base` is that
    ///   USART of that chip (on the host: a simulator wired as the chip's
    ///   request map says), so the channels its map accepts are the right ones.
    pub unsafe fn from_base(base: *mut u32) -> Self {
        Usart {
            // SAFETY: the caller's contract is `Reg::from_ptr`'s.
            base: unsafe { Reg::from_ptr(base) },
            quiet: false,
            _layout: PhantomData,
        }
    }

    /// Sets the baud-rate divider (`BRR` = f_CK / baud) and enables the
    /// USART, its transmitter and receiver (8N1). The USART raises its DMA
    /// requests only while `UE` and `TE` (transmit) / `RE` (receive) are set
    /// (RM0008 §27.3.13, RM0090 §30.3.13), so call this (or program `CR1`
    /// yourself) before the first transfer.
    pub fn enable(&mut self, brr: u32) {
        at(self.base, <I::Layout as Layout>::BRR).write(brr);
        at(self.base, <I::Layout as Layout>::CR1).write(<I::Layout as Layout>::UE | TE | RE);
    }

    /// The transmitter, sending by DMA on `channel`: one the chip wires to
    /// this USART's TX request (`I: TxRequest<C>`; any channel for a bare
    /// map), whose request selection it sets. It owns the whole USART and
    /// gives it back from [`UsartTx::release`].
    pub fn transmitter<C: DmaChannel, F: DmaFence>(self, channel: C, fence: F) -> UsartTx<I, C, F>
    where
        I: TxRequest<C>,
    {
        let channel = selected(channel, <I as TxRequest<C>>::REQUEST);
        let tail = Tail::kept(self.quiet);
        UsartTx { part: self, channel, fence, tail, _layout: PhantomData }
    }

    /// The receiver, receiving by DMA on `channel`: one the chip wires to
    /// this USART's RX request (`I: RxRequest<C>`), as for
    /// [`transmitter`](Self::transmitter). It owns the whole USART and gives
    /// it back from [`UsartRx::release`].
    pub fn receiver<C: DmaChannel, F: DmaFence>(self, channel: C, fence: F) -> UsartRx<I, C, F>
    where
        I: RxRequest<C>,
    {
        let channel = selected(channel, <I as RxRequest<C>>::REQUEST);
        UsartRx { base: self.base, part: self, channel, fence, _layout: PhantomData }
    }

    /// Both halves, each with its channel. Each gives its half of the
    /// USART back from `release`; [`Usart::join`] puts them together again.
    #[allow(clippy::type_complexity)]
    pub fn split<T, R, F>(
        self,
        tx: T,
        rx: R,
        fence: F,
    ) -> (UsartTx<I, T, F, TxHalf<I>>, UsartRx<I, R, F, RxHalf<I>>)
    where
        T: DmaChannel,
        R: DmaChannel,
        F: DmaFence,
        I: TxRequest<T> + RxRequest<R>,
    {
        let (tx_half, rx_half) = self.halves();
        (tx_half.transmitter(tx, fence), rx_half.receiver(rx, fence))
    }

    /// The transmitter and receiver halves, without channels.
    pub fn halves(self) -> (TxHalf<I>, RxHalf<I>) {
        (
            TxHalf { base: self.base, quiet: self.quiet, _layout: PhantomData },
            RxHalf { base: self.base, _layout: PhantomData },
        )
    }

    /// The USART again from its two halves; both back in `Err` if they are
    /// halves of different USARTs.
    #[allow(clippy::type_complexity)]
    pub fn join(tx: TxHalf<I>, rx: RxHalf<I>) -> Result<Self, (TxHalf<I>, RxHalf<I>)> {
        if tx.base.addr() == rx.base.addr() {
            Ok(Usart { base: tx.base, quiet: tx.quiet, _layout: PhantomData })
        } else {
            Err((tx, rx))
        }
    }
}

/// The transmitter half of a USART (`TDR`, `TC`, `CR3.DMAT`), from
/// [`Usart::halves`] or [`Usart::split`].
#[derive(Debug)]
pub struct TxHalf<I: Instance> {
    base: Reg,
    /// As [`Usart`]'s.
    quiet: bool,
    _layout: PhantomData<I>,
}

/// The receiver half of a USART (`RDR`, `CR3.DMAR`), from
/// [`Usart::halves`] or [`Usart::split`].
#[derive(Debug)]
pub struct RxHalf<I: Instance> {
    base: Reg,
    _layout: PhantomData<I>,
}

impl<I: Instance> TxHalf<I> {
    /// The transmitter on `channel` (see [`Usart::transmitter`]).
    pub fn transmitter<C: DmaChannel, F: DmaFence>(
        self,
        channel: C,
        fence: F,
    ) -> UsartTx<I, C, F, TxHalf<I>>
    where
        I: TxRequest<C>,
    {
        let channel = selected(channel, <I as TxRequest<C>>::REQUEST);
        let tail = Tail::kept(self.quiet);
        UsartTx { part: self, channel, fence, tail, _layout: PhantomData }
    }
}

impl<I: Instance> RxHalf<I> {
    /// The receiver on `channel` (see [`Usart::receiver`]).
    pub fn receiver<C: DmaChannel, F: DmaFence>(
        self,
        channel: C,
        fence: F,
    ) -> UsartRx<I, C, F, RxHalf<I>>
    where
        I: RxRequest<C>,
    {
        let channel = selected(channel, <I as RxRequest<C>>::REQUEST);
        UsartRx { base: self.base, part: self, channel, fence, _layout: PhantomData }
    }
}

/// What of a USART a transmitter owns: all of it ([`Usart`]) or its
/// transmitter half ([`TxHalf`]). Sealed.
pub trait TxPart: Sealed + keep::Quiet {
    /// Whether another value (the receiver half) may change `CR3` too:
    /// `false` for the whole [`Usart`], `true` for [`TxHalf`].
    const SHARED: bool;
}
/// What of a USART a receiver owns: all of it ([`Usart`]) or its receiver
/// half ([`RxHalf`]). Sealed.
pub trait RxPart: Sealed {
    /// As [`TxPart::SHARED`]: `false` for [`Usart`], `true` for [`RxHalf`].
    const SHARED: bool;
}

impl<I: Instance> Sealed for Usart<I> {}
impl<I: Instance> Sealed for TxHalf<I> {}
impl<I: Instance> Sealed for RxHalf<I> {}
mod keep {
    use crate::hw::Internal;

    /// Where a transmitter's part keeps [`Tail::quiet`](super::Tail)
    /// between transmitters. Its methods take [`Internal`]: a supertrait of
    /// the public `TxPart`, so generic code outside the crate could call
    /// them otherwise (a wrong value would make `is_sent` lie; the base is
    /// the USART's registers).
    pub trait Quiet {
        /// The USART's register block.
        fn base(&self, _: Internal) -> dma_mmio::Reg;
        /// Keeps `quiet`.
        fn keep_quiet(&mut self, quiet: bool, _: Internal);
    }
}

impl<I: Instance> keep::Quiet for Usart<I> {
    #[inline(always)]
    fn base(&self, _: Internal) -> Reg {
        self.base
    }
    #[inline(always)]
    fn keep_quiet(&mut self, quiet: bool, _: Internal) {
        self.quiet = quiet;
    }
}
impl<I: Instance> keep::Quiet for TxHalf<I> {
    #[inline(always)]
    fn base(&self, _: Internal) -> Reg {
        self.base
    }
    #[inline(always)]
    fn keep_quiet(&mut self, quiet: bool, _: Internal) {
        self.quiet = quiet;
    }
}

impl<I: Instance> TxPart for Usart<I> {
    const SHARED: bool = false;
}
impl<I: Instance> TxPart for TxHalf<I> {
    const SHARED: bool = true;
}
impl<I: Instance> RxPart for Usart<I> {
    const SHARED: bool = false;
}
impl<I: Instance> RxPart for RxHalf<I> {
    const SHARED: bool = true;
}

/// Sets or clears `bits` of `CR3`. When `shared` (the two halves of a split
/// USART, owned by different contexts, both change the register) the
/// read-modify-write runs inside a critical section so neither loses the
/// other's bit. A transmitter or receiver that owns the whole USART is the
/// only value that touches its `CR3` (`Usart` is not `Clone`, the halves are
/// made from it by value, and no `Interrupt` token masks USART bits), so its
/// read-modify-write cannot interleave with another and takes none.
#[inline(always)]
fn cr3<L: Layout>(base: Reg, bits: u32, on: bool, shared: bool) {
    let access = || at(base, L::CR3).modify(|v| if on { v | bits } else { v & !bits });
    if shared {
        critical_section::with(|_| access());
    } else {
        access();
    }
}

/// The address of a data register, as the DMA's peripheral address.
fn data_register(base: Reg, offset: usize) -> *const u8 {
    // Only compared and programmed, never dereferenced by the CPU.
    core::ptr::null::<u8>().wrapping_add(at(base, offset).addr())
}

/// A USART transmitter with its DMA channel, owning `P` of the USART (all
/// of it when made by [`Usart::transmitter`], the [`TxHalf`] when made by
/// [`Usart::split`]).
#[derive(Debug)]
pub struct UsartTx<I: Instance, C: DmaChannel, F: DmaFence, P: TxPart = Usart<I>> {
    /// The USART (its base; and `quiet` for the next transmitter, see [`Tail`]).
    part: P,
    channel: C,
    fence: F,
    tail: Tail,
    _layout: PhantomData<I>,
}

/// What the transmitter knows about its last transfer, for [`Sent`]. `TC`
/// is cleared as each transfer begins (after the fence accepted it, before
/// the USART's DMA request is on) and set again only by a frame that
/// leaves. The clear waits until the line is idle (`is_sent`): clearing
/// while the previous transfer's last frame is still shifting out would
/// lose that frame's `TC` if it left between the read and the clear (review
/// 2, finding 2), and after a transfer that then moves nothing `TC` would
/// never be set again. So a transfer that began and gave the USART no byte
/// (stopped before its first beat) leaves the line idle; one the fence
/// refused changes nothing.
#[derive(Debug, Clone, Copy)]
struct Tail {
    /// A transfer began with the line idle (and `TC` cleared).
    begun: bool,
    /// The items that transfer was programmed with.
    items: u16,
    /// The transmitter is idle whatever `TC` says: (a new transmitter) the
    /// part's last one ended so. Kept in the USART part (`Usart`,
    /// `TxHalf`) by `release`, and taken from it by a new `transmitter`, so
    /// that it survives both.
    quiet: bool,
}

impl Tail {
    /// A new transmitter's: what its part kept from the last one.
    #[inline(always)]
    const fn kept(quiet: bool) -> Tail {
        Tail { begun: false, items: 0, quiet }
    }
}

impl<I: Instance, C: DmaChannel, F: DmaFence, P: TxPart> UsartTx<I, C, F, P> {
    /// Whether the last byte has left the shift register (`TC`). See
    /// [`Sent::is_sent`](dma_traits::Sent::is_sent), which also knows about a transfer that sent nothing.
    pub fn is_idle(&self) -> bool {
        at(self.base(), <I::Layout as Layout>::STATUS).read() & TC != 0
    }

    /// Whether the last transfer began (with the line idle, see [`Tail`])
    /// and ended having moved nothing: then the line is still idle,
    /// whatever `TC` says. Asked when needed rather than computed at the
    /// end of every transfer: the channel is stopped and only this
    /// transmitter reaches it (`Owner::dma` takes [`Internal`]), so its
    /// item counter keeps what the transfer left until the next `program`
    /// (RM0090 §10.5.6, RM0008 §13.4.4), and a refused transfer programs
    /// nothing.
    #[inline(always)]
    fn moved_nothing(&self) -> bool {
        self.tail.begun && self.channel.remaining() == self.tail.items
    }

    /// The USART's register block.
    #[inline(always)]
    fn base(&self) -> Reg {
        keep::Quiet::base(&self.part, Internal::new())
    }

    /// Everything back: the USART (or its transmitter half) and the channel.
    /// (The fence is `Copy`; the caller still has it.) The part keeps what
    /// [`Sent`](dma_traits::Sent) needs to know about the last transfer
    /// (whether it moved nothing), for the next transmitter made from it.
    pub fn release(self) -> (P, C) {
        let quiet = self.tail.quiet || self.moved_nothing();
        let mut part = self.part;
        keep::Quiet::keep_quiet(&mut part, quiet, Internal::new());
        (part, self.channel)
    }
}

impl<I: Instance, C: DmaChannel, F: DmaFence, P: TxPart> Sealed for UsartTx<I, C, F, P> {}
impl<I: Instance, C: DmaChannel, F: DmaFence, P: RxPart> Sealed for UsartRx<I, C, F, P> {}

impl<I: Instance, C: DmaChannel, F: DmaFence, P: TxPart> Owner for UsartTx<I, C, F, P> {
    type Channel = C;
    #[inline(always)]
    fn dma(&self, _: Internal) -> &C {
        &self.channel
    }
    /// Runs after the fence accepted the transfer and the channel is
    /// enabled with `items` items, before the USART requests a byte
    /// (`DMAT`).
    #[inline(always)]
    fn begin(&mut self, items: u16, _: Internal) {
        // The line is idle (`write_all_unchecked` waited): `TC` may be
        // cleared. Nothing moves before `DMAT`.
        <I::Layout as Layout>::clear_tc(self.base());
        self.tail = Tail { begun: true, items, quiet: false };
        cr3::<I::Layout>(self.base(), DMAT, true, P::SHARED);
    }
    #[inline(always)]
    fn finish(&mut self, _: Internal) {
        cr3::<I::Layout>(self.base(), DMAT, false, P::SHARED);
    }
}

/// `TC` (RM0008 §27.3.2, RM0090 §30.3.2, RM0316 §29.5.2): "If a frame is
/// transmitted (after the stop bit) and the TXE bit is set, the TC bit goes
/// high." A transfer is done when the DMA has written the last byte into
/// `TDR`; that byte and the one in the shift register still take up to two
/// frame times to leave, and only then is `TC` set. Each transfer clears
/// `TC` as it begins, once the line is idle (RM0008 §27.3.13; see `Tail`),
/// so `TC` set afterwards means its last frame has gone. After a transfer
/// that began and moved no byte `TC` stays clear: the line was idle when it
/// began, and still is.
impl<I: Instance, C: DmaChannel, F: DmaFence, P: TxPart> dma_traits::Sent for UsartTx<I, C, F, P> {
    #[inline(always)]
    fn is_sent(&self) -> bool {
        self.tail.quiet || self.is_idle() || self.moved_nothing()
    }
}

// SAFETY: `OneShot` meets `Transfer`'s contract; `write_all_unchecked` either
// starts a transfer that reads exactly the buffer's pair after the release
// fence, or returns the buffer and `self` before the channel is enabled.
unsafe impl<I: Instance, C: DmaChannel, F: DmaFence, P: TxPart> DmaWrite<u8>
    for UsartTx<I, C, F, P>
{
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
            peripheral: data_register(self.base(), <I::Layout as Layout>::TDR),
            memory: ptr,
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        // The line idle before `begin` clears `TC` (see `Tail`). Bounded:
        // the last transfer has stopped, so at most the two frames it left
        // in `TDR` and the shift register are still to leave, and a USART
        // that never sent has `TC` at its reset value 1 (RM0090 §30.6.1,
        // RM0008 §27.6.1). Nothing transmits between here and `begin`.
        if !(self.tail.quiet || self.moved_nothing()) {
            while !self.is_idle() {
                core::hint::spin_loop();
            }
        }
        let fence = self.fence;
        let regions = [Region::dma_reads(ptr, len)];
        // SAFETY: the region is the buffer's pair; the caller guarantees the
        // memory outlives the transfer. A refusal gives `self` back as it
        // was (`TC` and the tail are touched only in `begin`).
        unsafe { OneShot::start(buffer, self, &setup, &regions, fence) }
    }
}

/// A USART receiver with its DMA channel, owning `P` of the USART (all of
/// it when made by [`Usart::receiver`], the [`RxHalf`] when made by
/// [`Usart::split`]).
#[derive(Debug)]
pub struct UsartRx<I: Instance, C: DmaChannel, F: DmaFence, P: RxPart = Usart<I>> {
    base: Reg,
    part: P,
    channel: C,
    fence: F,
    _layout: PhantomData<I>,
}

impl<I: Instance, C: DmaChannel, F: DmaFence, P: RxPart> UsartRx<I, C, F, P> {
    /// Everything back: the USART (or its receiver half) and the channel.
    /// (The fence is `Copy`; the caller still has it.)
    pub fn release(self) -> (P, C) {
        (self.part, self.channel)
    }

    /// The receive data register, as the DMA's peripheral address.
    pub(crate) fn rdr(&self) -> *const u8 {
        data_register(self.base, <I::Layout as Layout>::RDR)
    }

    /// The fence the receiver was made with.
    pub(crate) fn fence(&self) -> F {
        self.fence
    }

    /// Receives into `buffer` continuously, handing over each half as it
    /// fills (see [`Circular`]).
    #[allow(clippy::type_complexity)]
    pub fn read_circular<B: StaticWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<Circular<B, Self, F>, TransferError<Error, B, Self>> {
        let peripheral = data_register(self.base, <I::Layout as Layout>::RDR);
        let fence = self.fence;
        // SAFETY: `B: 'static`; the peripheral address is this USART's `RDR`.
        unsafe { Circular::start(buffer, self, peripheral, fence) }
    }
}

impl<I: Instance, const N: u8, S: stream::Controller, M: Mode, F: DmaFence, P: RxPart>
    UsartRx<I, Stream<N, S, M>, F, P>
{
    /// Receives alternately into `buffers.0` and `buffers.1` (same length),
    /// using the stream's double-buffer mode (see [`DoubleBuffer`]).
    #[allow(clippy::type_complexity)]
    pub fn read_double_buffered<B: StaticWriteBuffer<Word = u8>>(
        self,
        buffers: (B, B),
    ) -> Result<DoubleBuffer<B, Self, F>, TransferError<Error, (B, B), Self>> {
        let peripheral = data_register(self.base, <I::Layout as Layout>::RDR);
        let fence = self.fence;
        // SAFETY: as in `read_circular`; the channel is a stream.
        unsafe { DoubleBuffer::start(buffers, self, peripheral, fence) }
    }
}

impl<I: Instance, C: DmaChannel, F: DmaFence, P: RxPart> Owner for UsartRx<I, C, F, P> {
    type Channel = C;
    fn dma(&self, _: Internal) -> &C {
        &self.channel
    }
    fn begin(&mut self, _: u16, _: Internal) {
        cr3::<I::Layout>(self.base, DMAR, true, P::SHARED);
    }
    fn finish(&mut self, _: Internal) {
        cr3::<I::Layout>(self.base, DMAR, false, P::SHARED);
    }
}

// SAFETY: as for `DmaWrite`, with the buffer's write pair.
unsafe impl<I: Instance, C: DmaChannel, F: DmaFence, P: RxPart> DmaRead<u8>
    for UsartRx<I, C, F, P>
{
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = u8>> = OneShot<B, Self, F>;

    /// 65 535 bytes: the item counter's width ([`MAX_ITEMS`](crate::MAX_ITEMS)).
    #[inline(always)]
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
        let setup = Setup {
            direction: Direction::PeripheralToMemory,
            peripheral: data_register(self.base, <I::Layout as Layout>::RDR),
            memory: ptr.cast::<u8>(),
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        let fence = self.fence;
        let regions = [Region::dma_writes(ptr, len)];
        // SAFETY: as in `write_all_unchecked`.
        unsafe { OneShot::start(buffer, self, &setup, &regions, fence) }
    }
}

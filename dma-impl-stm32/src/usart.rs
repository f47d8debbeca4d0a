//! A USART whose transmitter and receiver move bytes by DMA.
//!
//! Two register maps exist; the type parameter says which one:
//! [`StatusData`] (`SR`/`DR`: F1, F2, F4; RM0008 §27.6, RM0090 §30.6) and
//! [`InterruptStatus`] (`ISR`/`ICR`/`RDR`/`TDR`: F0, F3, F7, L4, G0, G4;
//! RM0316 §29.8). `CR3.DMAT` (bit 7) and `CR3.DMAR` (bit 6) connect the
//! data registers to the DMA request lines; the transfer sets them after
//! enabling the channel and clears them once it has stopped.

use core::marker::PhantomData;

use dma_mmio::Reg;
use dma_traits::{
    DmaFence, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Region, StaticWriteBuffer,
    TransferError,
};

use crate::hw::{check, Direction, Sealed, Setup};
use crate::stream::Stream;
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

/// A USART with register map `L`, not yet split into its DMA halves.
#[derive(Debug)]
pub struct Usart<L: Layout> {
    base: Reg,
    _layout: PhantomData<L>,
}

impl<L: Layout> Usart<L> {
    /// The USART whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of a USART with map `L`
    /// (on the host: a live simulator's base) that nothing else uses while
    /// this value or its halves live.
    pub unsafe fn from_base(base: *mut u32) -> Self {
        Usart {
            // SAFETY: the caller's contract is `Reg::from_ptr`'s.
            base: unsafe { Reg::from_ptr(base) },
            _layout: PhantomData,
        }
    }

    /// Sets the baud-rate divider (`BRR` = f_CK / baud) and enables the
    /// USART, its transmitter and receiver (8N1). The USART raises its DMA
    /// requests only while `UE` and `TE` (transmit) / `RE` (receive) are set
    /// (RM0008 §27.3.13, RM0090 §30.3.13), so call this (or program `CR1`
    /// yourself) before the first transfer.
    pub fn enable(&mut self, brr: u32) {
        at(self.base, L::BRR).write(brr);
        at(self.base, L::CR1).write(L::UE | TE | RE);
    }

    /// The transmitter, sending by DMA on `channel` (which must be the one
    /// the chip's request map connects to this USART's TX request). It owns
    /// the whole USART and gives it back from [`UsartTx::release`].
    pub fn transmitter<C: DmaChannel, F: DmaFence>(self, channel: C, fence: F) -> UsartTx<L, C, F> {
        UsartTx { base: self.base, part: self, channel, fence, _layout: PhantomData }
    }

    /// The receiver, receiving by DMA on `channel` (the RX request's
    /// channel). It owns the whole USART and gives it back from
    /// [`UsartRx::release`].
    pub fn receiver<C: DmaChannel, F: DmaFence>(self, channel: C, fence: F) -> UsartRx<L, C, F> {
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
    ) -> (UsartTx<L, T, F, TxHalf<L>>, UsartRx<L, R, F, RxHalf<L>>)
    where
        T: DmaChannel,
        R: DmaChannel,
        F: DmaFence,
    {
        let (tx_half, rx_half) = self.halves();
        (tx_half.transmitter(tx, fence), rx_half.receiver(rx, fence))
    }

    /// The transmitter and receiver halves, without channels.
    pub fn halves(self) -> (TxHalf<L>, RxHalf<L>) {
        (
            TxHalf { base: self.base, _layout: PhantomData },
            RxHalf { base: self.base, _layout: PhantomData },
        )
    }

    /// The USART again from its two halves; both back in `Err` if they are
    /// halves of different USARTs.
    #[allow(clippy::type_complexity)]
    pub fn join(tx: TxHalf<L>, rx: RxHalf<L>) -> Result<Self, (TxHalf<L>, RxHalf<L>)> {
        if tx.base.addr() == rx.base.addr() {
            Ok(Usart { base: tx.base, _layout: PhantomData })
        } else {
            Err((tx, rx))
        }
    }
}

/// The transmitter half of a USART (`TDR`, `TC`, `CR3.DMAT`), from
/// [`Usart::halves`] or [`Usart::split`].
#[derive(Debug)]
pub struct TxHalf<L: Layout> {
    base: Reg,
    _layout: PhantomData<L>,
}

/// The receiver half of a USART (`RDR`, `CR3.DMAR`), from
/// [`Usart::halves`] or [`Usart::split`].
#[derive(Debug)]
pub struct RxHalf<L: Layout> {
    base: Reg,
    _layout: PhantomData<L>,
}

impl<L: Layout> TxHalf<L> {
    /// The transmitter on `channel` (see [`Usart::transmitter`]).
    pub fn transmitter<C: DmaChannel, F: DmaFence>(
        self,
        channel: C,
        fence: F,
    ) -> UsartTx<L, C, F, TxHalf<L>> {
        UsartTx { base: self.base, part: self, channel, fence, _layout: PhantomData }
    }
}

impl<L: Layout> RxHalf<L> {
    /// The receiver on `channel` (see [`Usart::receiver`]).
    pub fn receiver<C: DmaChannel, F: DmaFence>(
        self,
        channel: C,
        fence: F,
    ) -> UsartRx<L, C, F, RxHalf<L>> {
        UsartRx { base: self.base, part: self, channel, fence, _layout: PhantomData }
    }
}

/// What of a USART a transmitter owns: all of it ([`Usart`]) or its
/// transmitter half ([`TxHalf`]). Sealed.
pub trait TxPart: Sealed {}
/// What of a USART a receiver owns: all of it ([`Usart`]) or its receiver
/// half ([`RxHalf`]). Sealed.
pub trait RxPart: Sealed {}

impl<L: Layout> Sealed for Usart<L> {}
impl<L: Layout> Sealed for TxHalf<L> {}
impl<L: Layout> Sealed for RxHalf<L> {}
impl<L: Layout> TxPart for Usart<L> {}
impl<L: Layout> TxPart for TxHalf<L> {}
impl<L: Layout> RxPart for Usart<L> {}
impl<L: Layout> RxPart for RxHalf<L> {}

/// Sets or clears `bits` of `CR3` inside a critical section (the two halves
/// share the register).
#[inline(always)]
fn cr3<L: Layout>(base: Reg, bits: u32, on: bool) {
    critical_section::with(|_| {
        at(base, L::CR3).modify(|v| if on { v | bits } else { v & !bits });
    });
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
pub struct UsartTx<L: Layout, C: DmaChannel, F: DmaFence, P: TxPart = Usart<L>> {
    base: Reg,
    part: P,
    channel: C,
    fence: F,
    _layout: PhantomData<L>,
}

impl<L: Layout, C: DmaChannel, F: DmaFence, P: TxPart> UsartTx<L, C, F, P> {
    /// Whether the last byte has left the shift register (`TC`).
    pub fn is_idle(&self) -> bool {
        at(self.base, L::STATUS).read() & TC != 0
    }

    /// Everything back: the USART (or its transmitter half) and the channel.
    /// (The fence is `Copy`; the caller still has it.)
    pub fn release(self) -> (P, C) {
        (self.part, self.channel)
    }
}

impl<L: Layout, C: DmaChannel, F: DmaFence, P: TxPart> Sealed for UsartTx<L, C, F, P> {}
impl<L: Layout, C: DmaChannel, F: DmaFence, P: RxPart> Sealed for UsartRx<L, C, F, P> {}

impl<L: Layout, C: DmaChannel, F: DmaFence, P: TxPart> Owner for UsartTx<L, C, F, P> {
    type Channel = C;
    #[inline(always)]
    fn dma(&self) -> &C {
        &self.channel
    }
    #[inline(always)]
    fn begin(&mut self) {
        cr3::<L>(self.base, DMAT, true);
    }
    #[inline(always)]
    fn finish(&mut self) {
        cr3::<L>(self.base, DMAT, false);
    }
}

// SAFETY: `OneShot` meets `Transfer`'s contract; `write_all_unchecked` either
// starts a transfer that reads exactly the buffer's pair after the release
// fence, or returns the buffer and `self` before the channel is enabled.
unsafe impl<L: Layout, C: DmaChannel, F: DmaFence, P: TxPart> DmaWrite<u8> for UsartTx<L, C, F, P> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = u8>> = OneShot<B, Self, F>;

    #[inline(always)]
    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<OneShot<B, Self, F>, TransferError<Error, B, Self>> {
        let buffer = Held::new(buffer);
        let (ptr, len) = buffer.get().dma_read_buffer();
        let (size, items) = match check(ptr, len) {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), self)),
        };
        let setup = Setup {
            direction: Direction::MemoryToPeripheral,
            peripheral: data_register(self.base, L::TDR),
            memory: ptr,
            memory1: None,
            items,
            size,
            peripheral_increment: false,
            circular: false,
        };
        L::clear_tc(self.base);
        let fence = self.fence;
        let regions = [Region::dma_reads(ptr, len)];
        // SAFETY: the region is the buffer's pair; the caller guarantees the
        // memory outlives the transfer.
        unsafe { OneShot::start(buffer, self, &setup, &regions, fence) }
    }
}

/// A USART receiver with its DMA channel, owning `P` of the USART (all of
/// it when made by [`Usart::receiver`], the [`RxHalf`] when made by
/// [`Usart::split`]).
#[derive(Debug)]
pub struct UsartRx<L: Layout, C: DmaChannel, F: DmaFence, P: RxPart = Usart<L>> {
    base: Reg,
    part: P,
    channel: C,
    fence: F,
    _layout: PhantomData<L>,
}

impl<L: Layout, C: DmaChannel, F: DmaFence, P: RxPart> UsartRx<L, C, F, P> {
    /// Everything back: the USART (or its receiver half) and the channel.
    /// (The fence is `Copy`; the caller still has it.)
    pub fn release(self) -> (P, C) {
        (self.part, self.channel)
    }

    /// Receives into `buffer` continuously, handing over each half as it
    /// fills (see [`Circular`]).
    #[allow(clippy::type_complexity)]
    pub fn read_circular<B: StaticWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<Circular<B, Self, F>, TransferError<Error, B, Self>> {
        let peripheral = data_register(self.base, L::RDR);
        let fence = self.fence;
        // SAFETY: `B: 'static`; the peripheral address is this USART's `RDR`.
        unsafe { Circular::start(buffer, self, peripheral, fence) }
    }
}

impl<L: Layout, const N: u8, F: DmaFence, P: RxPart> UsartRx<L, Stream<N>, F, P> {
    /// Receives alternately into `buffers.0` and `buffers.1` (same length),
    /// using the stream's double-buffer mode (see [`DoubleBuffer`]).
    #[allow(clippy::type_complexity)]
    pub fn read_double_buffered<B: StaticWriteBuffer<Word = u8>>(
        self,
        buffers: (B, B),
    ) -> Result<DoubleBuffer<B, Self, F>, TransferError<Error, (B, B), Self>> {
        let peripheral = data_register(self.base, L::RDR);
        let fence = self.fence;
        // SAFETY: as in `read_circular`; the channel is a stream.
        unsafe { DoubleBuffer::start(buffers, self, peripheral, fence) }
    }
}

impl<L: Layout, C: DmaChannel, F: DmaFence, P: RxPart> Owner for UsartRx<L, C, F, P> {
    type Channel = C;
    fn dma(&self) -> &C {
        &self.channel
    }
    fn begin(&mut self) {
        cr3::<L>(self.base, DMAR, true);
    }
    fn finish(&mut self) {
        cr3::<L>(self.base, DMAR, false);
    }
}

// SAFETY: as for `DmaWrite`, with the buffer's write pair.
unsafe impl<L: Layout, C: DmaChannel, F: DmaFence, P: RxPart> DmaRead<u8> for UsartRx<L, C, F, P> {
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = u8>> = OneShot<B, Self, F>;

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Result<OneShot<B, Self, F>, TransferError<Error, B, Self>> {
        let mut buffer = Held::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let (size, items) = match check(ptr.cast_const(), len) {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), self)),
        };
        let setup = Setup {
            direction: Direction::PeripheralToMemory,
            peripheral: data_register(self.base, L::RDR),
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

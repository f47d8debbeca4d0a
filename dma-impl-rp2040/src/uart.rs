//! UART (the ARM PL011 of §4.2) with DMA: `UartTx: DmaWrite<u8>` and
//! `UartRx: DmaRead<u8>`, each on a channel paced by the instance's DREQ.

use core::marker::PhantomData;

use dma_mmio::Reg;
use dma_traits::{
    CompilerFence, DmaFence, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Halt, Halted,
    InFlight, Lent, Region, Started, TransferError, Word, WordWidth,
};

use crate::channel::{check, size_code, Channel, Leg};
use crate::transfer::start;
use crate::{regs, Error};

mod sealed {
    pub trait Sealed {}
}

/// A UART block: base address and DREQs (§2.5.3.1, Table 120). Sealed.
pub trait UartInstance: sealed::Sealed {
    /// The block's address on the chip (§2.2.2).
    const BASE: usize;
    /// `DREQ_UARTx_TX`.
    const TX_DREQ: u8;
    /// `DREQ_UARTx_RX`.
    const RX_DREQ: u8;
}

/// `UART0`.
#[derive(Debug)]
pub enum Uart0 {}
/// `UART1`.
#[derive(Debug)]
pub enum Uart1 {}
impl sealed::Sealed for Uart0 {}
impl sealed::Sealed for Uart1 {}
impl UartInstance for Uart0 {
    const BASE: usize = regs::UART0_BASE;
    const TX_DREQ: u8 = regs::DREQ_UART0_TX;
    const RX_DREQ: u8 = regs::DREQ_UART0_RX;
}
impl UartInstance for Uart1 {
    const BASE: usize = regs::UART1_BASE;
    const TX_DREQ: u8 = regs::DREQ_UART1_TX;
    const RX_DREQ: u8 = regs::DREQ_UART1_RX;
}

/// A UART block (configured by the application), to split into its DMA
/// halves.
#[derive(Debug)]
pub struct Uart<I: UartInstance> {
    regs: Reg,
    _instance: PhantomData<I>,
}

/// The transmit half: sends bytes from memory, paced by `DREQ_UARTx_TX`.
#[derive(Debug)]
pub struct UartTx<I: UartInstance, F: DmaFence = CompilerFence> {
    regs: Reg,
    channel: Channel<F>,
    _instance: PhantomData<I>,
}

/// The receive half: fills memory, paced by `DREQ_UARTx_RX`.
#[derive(Debug)]
pub struct UartRx<I: UartInstance, F: DmaFence = CompilerFence> {
    regs: Reg,
    channel: Channel<F>,
    _instance: PhantomData<I>,
}

// SAFETY: the halves own their channel; of the block they use only the data
// register (the FIFO of their own direction) after `split` wrote `UARTDMACR`.
unsafe impl<I: UartInstance, F: DmaFence + Send> Send for UartTx<I, F> {}
// SAFETY: as for `UartTx`.
unsafe impl<I: UartInstance, F: DmaFence + Send> Send for UartRx<I, F> {}

impl<I: UartInstance> Uart<I> {
    /// The UART block at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is `I`'s register block (on the chip
    /// `I::BASE`, enabled and configured) or a live host simulator of it,
    /// owned by the caller while this value, its halves or their transfers
    /// exist.
    pub unsafe fn new(base: *mut u32) -> Self {
        // SAFETY: the caller's contract.
        Uart { regs: unsafe { Reg::from_ptr(base) }, _instance: PhantomData }
    }

    /// Sets `UARTDMACR.TXDMAE | RXDMAE` once (so neither half writes the
    /// shared register again) and gives each half its channel.
    pub fn split<F: DmaFence>(
        self,
        tx: Channel<F>,
        rx: Channel<F>,
    ) -> (UartTx<I, F>, UartRx<I, F>) {
        // SAFETY: `UARTDMACR` is a register of the block (§4.2.8).
        let dmacr = unsafe { self.regs.offset(regs::UARTDMACR) };
        dmacr.write(regs::UARTDMACR_TXDMAE | regs::UARTDMACR_RXDMAE);
        (
            UartTx { regs: self.regs, channel: tx, _instance: PhantomData },
            UartRx { regs: self.regs, channel: rx, _instance: PhantomData },
        )
    }
}

fn data(regs: Reg) -> *const u8 {
    // `UARTDR` is at offset 0 (§4.2.8).
    core::ptr::without_provenance(regs.addr().wrapping_add(regs::UARTDR))
}

fn byte_size(width: WordWidth) -> Result<u32, Error> {
    match width {
        WordWidth::Bits8 => size_code(width),
        _ => Err(Error::UnsupportedWidth(width)),
    }
}

impl<I: UartInstance, F: DmaFence> UartTx<I, F> {
    /// The channel back.
    pub fn into_channel(self) -> Channel<F> {
        self.channel
    }
}

/// Whether the last byte has left the transmitter: `UARTFR.BUSY` clear.
///
/// RP2040 datasheet §4.2.8, UARTFR: "BUSY: UART busy. If this bit is set
/// to 1, the UART is busy transmitting data. This bit remains set until the
/// complete byte, including all the stop bits, has been sent from the shift
/// register. This bit is set as soon as the transmit FIFO becomes
/// non-empty, regardless of whether the UART is enabled or not."
impl<I: UartInstance, F: DmaFence> dma_traits::Sent for UartTx<I, F> {
    fn is_sent(&self) -> bool {
        // SAFETY: `UARTFR` is a register of the block (§4.2.8), read only.
        let flags = unsafe { self.regs.offset(regs::UARTFR) }.read();
        flags & regs::UARTFR_BUSY == 0
    }
}

impl<I: UartInstance, F: DmaFence> UartRx<I, F> {
    /// The channel back.
    pub fn into_channel(self) -> Channel<F> {
        self.channel
    }
}

// SAFETY: `halt` is the channel's stop (`Hw::stop`); `is_done` only reads.
unsafe impl<I: UartInstance, F: DmaFence> Halt for UartTx<I, F> {
    type Error = Error;
    fn is_done(&self) -> bool {
        self.channel.hw.is_done()
    }
    fn halt(&mut self) -> Halted<Error> {
        let (transferred, error) = self.channel.stop_counted();
        Halted { transferred, error }
    }
}

// SAFETY: as for `UartTx`.
unsafe impl<I: UartInstance, F: DmaFence> Halt for UartRx<I, F> {
    type Error = Error;
    fn is_done(&self) -> bool {
        self.channel.hw.is_done()
    }
    fn halt(&mut self) -> Halted<Error> {
        let (transferred, error) = self.channel.stop_counted();
        Halted { transferred, error }
    }
}

/// A UART transfer in flight.
pub type UartTransfer<B, R, F> = InFlight<B, R, F, 1>;

// SAFETY: a refusal gives everything back before any channel register is
// written; a start reads exactly the buffer's pair into `UARTDR`, after the
// release fence; `InFlight` with the half's `Halt` is a `Transfer`.
unsafe impl<W: Word, I: UartInstance, F: DmaFence> DmaWrite<W> for UartTx<I, F> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = W>> = UartTransfer<B, UartTx<I, F>, F>;

    fn max_len(&self) -> usize {
        // `TRANS_COUNT` is 32 bits (datasheet §2.5.7).
        usize::try_from(crate::regs::MAX_TRANS_COUNT).unwrap_or(usize::MAX)
    }

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        mut self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let lent = Lent::new(buffer);
        let (p, n) = lent.get().dma_read_buffer();
        let count = match byte_size(W::WIDTH).and_then(|s| Ok((s, check(p.cast(), n, W::WIDTH)?))) {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, lent.into_inner(), self)),
        };
        let hw = self.channel.hw;
        let leg = Leg {
            hw,
            read: p.cast(),
            write: data(self.regs),
            count: count.1,
            ctrl: hw.ctrl(count.0, true, false, I::TX_DREQ),
        };
        self.channel.count = count.1;
        let fence = self.channel.fence;
        // SAFETY: the leg reads exactly the parked buffer's pair and writes
        // the block's data register; the caller keeps the buffer alive.
        unsafe { start(lent, self, &[leg], [Region::dma_reads(p, n)], fence) }
    }
}

// SAFETY: as for `UartTx`, writing exactly the buffer's pair from `UARTDR`.
unsafe impl<W: Word, I: UartInstance, F: DmaFence> DmaRead<W> for UartRx<I, F> {
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = W>> = UartTransfer<B, UartRx<I, F>, F>;

    fn max_len(&self) -> usize {
        // `TRANS_COUNT` is 32 bits (datasheet §2.5.7).
        usize::try_from(crate::regs::MAX_TRANS_COUNT).unwrap_or(usize::MAX)
    }

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = W>>(
        mut self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let mut lent = Lent::new(buffer);
        let (p, n) = lent.get_mut().dma_write_buffer();
        let checked =
            byte_size(W::WIDTH).and_then(|s| Ok((s, check(p.cast_const().cast(), n, W::WIDTH)?)));
        let (size, count) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, lent.into_inner(), self)),
        };
        let hw = self.channel.hw;
        let leg = Leg {
            hw,
            read: data(self.regs),
            write: p.cast_const().cast(),
            count,
            ctrl: hw.ctrl(size, false, true, I::RX_DREQ),
        };
        self.channel.count = count;
        let fence = self.channel.fence;
        // SAFETY: as in `write_all_unchecked`.
        unsafe { start(lent, self, &[leg], [Region::dma_writes(p, n)], fence) }
    }
}

// SAFETY: a refusal (a width other than 8 bits, or a buffer `check_ring`
// refuses) gives everything back before any channel register is written; a
// start programs the channel to read `UARTDR` and write exactly the
// buffer's pair, its write address wrapping in a ring of exactly the
// buffer's size at the buffer's (size-aligned) address, so it never leaves
// it, triggered after the release fence; `RxStream` meets the rest.
unsafe impl<W: Word, I: UartInstance, F: DmaFence> dma_traits::DmaReadStream<W> for UartRx<I, F> {
    type Error = Error;
    type Stream<B: DmaWriteBuffer<Word = W>> = crate::RxStream<B, UartRx<I, F>, F, W>;

    fn max_len(&self) -> usize {
        crate::stream::max_words::<W>()
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = W>>(
        mut self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut lent = Lent::new(buffer);
        let (p, n) = lent.get_mut().dma_write_buffer();
        let checked = byte_size(W::WIDTH)
            .and_then(|s| Ok((s, crate::stream::check_ring(p.cast_const(), n)?)));
        let (size, ring) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, lent.into_inner(), self)),
        };
        let hw = self.channel.hw;
        let reload = self.channel.stream_reload;
        let ctrl = hw.ctrl(size, false, true, I::RX_DREQ) | crate::stream::ring_bits(ring);
        let leg =
            Leg { hw, read: data(self.regs), write: p.cast_const().cast(), count: reload, ctrl };
        self.channel.count = reload;
        let fence = self.channel.fence;
        // SAFETY: the leg reads `UARTDR` and writes only inside the parked
        // buffer's pair (the ring); the caller keeps the buffer alive.
        let transfer = unsafe { start(lent, self, &[leg], [Region::dma_writes(p, n)], fence) }?;
        let rings = crate::stream::Rings {
            rx: (hw, ctrl),
            tx: None,
            reload,
            start: p.cast_const(),
            len: n,
        };
        Ok(crate::RxStream::new(transfer, rings, fence))
    }
}

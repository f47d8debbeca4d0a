//! SPI (the ARM PL022 of §4.4) with DMA: `DmaWrite`, `DmaRead` and
//! `DmaFullDuplex`, on two channels paced by the instance's own DREQs.

use core::marker::PhantomData;

use dma_mmio::Reg;
use dma_traits::{
    CompilerFence, DmaFence, DmaFullDuplex, DmaRead, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Halt,
    Halted, InFlight, Lent, Region, Started, TransferError, Word, WordWidth,
};

use crate::channel::{check, size_code, Channel, Leg};
use crate::transfer::start;
use crate::{regs, Error};

mod sealed {
    pub trait Sealed {}
}

/// An SPI block of the RP2040: its base address and its two DREQs
/// (§2.5.3.1, Table 120). Sealed: a channel given to `Spi<I>` is paced by
/// `I`'s DREQs and by nothing else.
pub trait SpiInstance: sealed::Sealed {
    /// The block's address on the chip (§2.2.2).
    const BASE: usize;
    /// `DREQ_SPIx_TX`: the transmit FIFO has room.
    const TX_DREQ: u8;
    /// `DREQ_SPIx_RX`: the receive FIFO holds data.
    const RX_DREQ: u8;
}

/// `SPI0`.
#[derive(Debug)]
pub enum Spi0 {}
/// `SPI1`.
#[derive(Debug)]
pub enum Spi1 {}
impl sealed::Sealed for Spi0 {}
impl sealed::Sealed for Spi1 {}
impl SpiInstance for Spi0 {
    const BASE: usize = regs::SPI0_BASE;
    const TX_DREQ: u8 = regs::DREQ_SPI0_TX;
    const RX_DREQ: u8 = regs::DREQ_SPI0_RX;
}
impl SpiInstance for Spi1 {
    const BASE: usize = regs::SPI1_BASE;
    const TX_DREQ: u8 = regs::DREQ_SPI1_TX;
    const RX_DREQ: u8 = regs::DREQ_SPI1_RX;
}

/// The word the transmit channel sends while only receiving (read with a
/// fixed address, never written).
static DUMMY: u32 = 0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Read,
    Duplex,
}

/// An SPI block, configured (format and clock are the application's), with
/// a transmit and a receive channel. Frames of 8 or 16 bits: `u8`/`i8` and
/// `u16`/`i16` words; other widths are refused.
#[derive(Debug)]
pub struct Spi<I: SpiInstance, F: DmaFence = CompilerFence> {
    regs: Reg,
    tx: Channel<F>,
    rx: Channel<F>,
    mode: Mode,
    _instance: PhantomData<I>,
}

// SAFETY: the block's registers and the channels are owned by the value.
unsafe impl<I: SpiInstance, F: DmaFence + Send> Send for Spi<I, F> {}

impl<I: SpiInstance, F: DmaFence> Spi<I, F> {
    /// The SPI block at `base` with channels `tx` and `rx` (both with fence
    /// `F`); sets `SSPDMACR.TXDMAE | RXDMAE` so the block raises its DREQs.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is `I`'s register block (on the chip
    /// `I::BASE`, enabled and configured) or a live host simulator of it,
    /// owned by the caller, and stays so while this value or a transfer of
    /// it exists.
    pub unsafe fn new(base: *mut u32, tx: Channel<F>, rx: Channel<F>) -> Self {
        // SAFETY: the caller's contract.
        let regs = unsafe { Reg::from_ptr(base) };
        let spi = Spi { regs, tx, rx, mode: Mode::Write, _instance: PhantomData };
        spi.reg(regs::SSPDMACR).write(regs::SSPDMACR_TXDMAE | regs::SSPDMACR_RXDMAE);
        spi
    }

    /// Clears `SSPDMACR` and gives the channels back.
    pub fn free(self) -> (Channel<F>, Channel<F>) {
        self.reg(regs::SSPDMACR).write(0);
        (self.tx, self.rx)
    }

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: offsets below 0x28 are registers of the block (§4.4.4).
        unsafe { self.regs.offset(offset) }
    }

    fn data(&self) -> *const u8 {
        // An address only: the DMA is given it, nothing here dereferences it.
        core::ptr::without_provenance(self.reg(regs::SSPDR).addr())
    }

    /// Empties the receive FIFO (8 entries deep, §4.4.3.x) of frames left by
    /// a write-only transfer, so a read receives only its own frames.
    fn drain(&self) {
        // At most the FIFO's 8 entries and a frame being received.
        for _ in 0..9 {
            if self.reg(regs::SSPSR).read() & regs::SSPSR_RNE == 0 {
                break;
            }
            let _ = self.reg(regs::SSPDR).read();
        }
    }

    fn width(width: WordWidth) -> Result<u32, Error> {
        match width {
            WordWidth::Bits8 | WordWidth::Bits16 => size_code(width),
            _ => Err(Error::UnsupportedWidth(width)),
        }
    }
}

// SAFETY: `halt` stops the channels the running mode started (`Hw::stop`,
// which returns only when each accesses no memory); `is_done` only reads.
unsafe impl<I: SpiInstance, F: DmaFence> Halt for Spi<I, F> {
    type Error = Error;
    fn is_done(&self) -> bool {
        let (tx, rx) = (self.tx.hw.is_done(), self.rx.hw.is_done());
        match self.mode {
            Mode::Write => tx,
            // A failed side ends the transfer: the other would wait forever.
            Mode::Read | Mode::Duplex => (tx && rx) || self.tx.hw.failed() || self.rx.hw.failed(),
        }
    }
    fn halt(&mut self) -> Halted<Error> {
        let (sent, tx_error) = self.tx.stop_counted();
        if self.mode == Mode::Write {
            return Halted { transferred: sent, error: tx_error };
        }
        let (received, rx_error) = self.rx.stop_counted();
        let transferred = if self.mode == Mode::Duplex { sent.min(received) } else { received };
        Halted { transferred, error: tx_error.or(rx_error) }
    }
}

/// Whether the last frame has been clocked out: `SSPSR.BSY` clear and
/// `SSPSR.TFE` set.
///
/// RP2040 datasheet §4.4.4, SSPSR: "BSY: PrimeCell SSP busy flag, RO: 0 SSP
/// is idle. 1 SSP is currently transmitting and/or receiving a frame or the
/// transmit FIFO is not empty." and "TFE: Transmit FIFO empty, RO: 0
/// Transmit FIFO is not empty. 1 Transmit FIFO is empty." A write is done
/// when the DMA has put its last frame in the transmit FIFO; it is on the
/// wire once both say so, and a chip select may be released.
impl<I: SpiInstance, F: DmaFence> dma_traits::Sent for Spi<I, F> {
    fn is_sent(&self) -> bool {
        let status = self.reg(regs::SSPSR).read();
        status & regs::SSPSR_BSY == 0 && status & regs::SSPSR_TFE != 0
    }
}

/// An SPI transfer in flight over `N` buffers.
pub type SpiTransfer<B, I, F, const N: usize> = InFlight<B, Spi<I, F>, F, N>;

impl<I: SpiInstance, F: DmaFence> Spi<I, F> {
    /// Starts `mode` with `tx` (None: the dummy word) and `rx` (None: only
    /// send). The pairs are the buffers' (`lent` owns them).
    ///
    /// # Safety
    ///
    /// For **callers**: `tx` / `rx` are pairs of the buffer parked in
    /// `lent`, and `regions` covers exactly them; the caller's contract keeps
    /// them alive until the transfer ends.
    unsafe fn begin<B, W: Word, const N: usize>(
        mut self,
        lent: Lent<B>,
        mode: Mode,
        tx: Option<(*const W, usize)>,
        rx: Option<(*mut W, usize)>,
        regions: [Region; N],
    ) -> Started<SpiTransfer<B, I, F, N>> {
        let checked = (|| {
            let size = Self::width(W::WIDTH)?;
            if let (Some((_, n)), Some((_, m))) = (tx, rx) {
                if n != m {
                    return Err(Error::LengthMismatch { source: n, destination: m });
                }
            }
            let tx_count = match tx {
                Some((p, n)) => Some(check(p.cast(), n, W::WIDTH)?),
                None => None,
            };
            let rx_count = match rx {
                Some((p, n)) => Some(check(p.cast_const().cast(), n, W::WIDTH)?),
                None => None,
            };
            Ok((size, tx_count, rx_count))
        })();
        let (size, tx_count, rx_count) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, lent.into_inner(), self)),
        };
        let count = tx_count.or(rx_count).unwrap_or(0);
        let data = self.data();
        let (txh, rxh) = (self.tx.hw, self.rx.hw);
        let send = Leg {
            hw: txh,
            read: tx.map_or((&raw const DUMMY).cast(), |(p, _)| p.cast()),
            write: data,
            count,
            // The mutant (`ci.sh`): the transmit channel's read address
            // not incremented (the first word sent over and over).
            ctrl: txh.ctrl(
                size,
                tx.is_some() && !cfg!(rp2040_mutant_spi_no_incr),
                false,
                I::TX_DREQ,
            ),
        };
        self.mode = mode;
        self.tx.count = count;
        let fence = self.tx.fence;
        if mode == Mode::Write {
            // SAFETY: the leg reads exactly the buffer's pair and writes the
            // block's data register, owned by `self`.
            return unsafe { start(lent, self, &[send], regions, fence) };
        }
        self.drain();
        let receive = Leg {
            hw: rxh,
            read: data,
            write: rx.map_or(core::ptr::null(), |(p, _)| p.cast_const().cast()),
            count,
            ctrl: rxh.ctrl(size, false, true, I::RX_DREQ),
        };
        self.rx.count = count;
        // SAFETY: the legs read the transmit pair (or the dummy static) and
        // write the receive pair, both owned by `lent`, and the data register.
        unsafe { start(lent, self, &[receive, send], regions, fence) }
    }
}

// SAFETY: a refusal gives everything back before any register of the
// channels is written; a start reads exactly the buffer's pair (to `SSPDR`)
// after the release fence; `InFlight` with `Spi`'s `Halt` is a `Transfer`.
unsafe impl<W: Word, I: SpiInstance, F: DmaFence> DmaWrite<W> for Spi<I, F> {
    type Error = Error;
    type Transfer<B: DmaReadBuffer<Word = W>> = SpiTransfer<B, I, F, 1>;

    fn max_len(&self) -> usize {
        // `TRANS_COUNT` is 32 bits (datasheet §2.5.7).
        usize::try_from(crate::regs::MAX_TRANS_COUNT).unwrap_or(usize::MAX)
    }

    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let lent = Lent::new(buffer);
        let (p, n) = lent.get().dma_read_buffer();
        // SAFETY: the pair of the parked buffer, and its region.
        unsafe { self.begin(lent, Mode::Write, Some((p, n)), None, [Region::dma_reads(p, n)]) }
    }
}

// SAFETY: as for `DmaWrite`; the DMA writes exactly the buffer's pair (and
// reads only the dummy static and `SSPDR`).
unsafe impl<W: Word, I: SpiInstance, F: DmaFence> DmaRead<W> for Spi<I, F> {
    type Error = Error;
    type Transfer<B: DmaWriteBuffer<Word = W>> = SpiTransfer<B, I, F, 1>;

    fn max_len(&self) -> usize {
        // `TRANS_COUNT` is 32 bits (datasheet §2.5.7).
        usize::try_from(crate::regs::MAX_TRANS_COUNT).unwrap_or(usize::MAX)
    }

    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>> {
        let mut lent = Lent::new(buffer);
        let (p, n) = lent.get_mut().dma_write_buffer();
        // SAFETY: as in `write_all_unchecked`.
        unsafe { self.begin(lent, Mode::Read, None, Some((p, n)), [Region::dma_writes(p, n)]) }
    }
}

// SAFETY: as for `DmaWrite` and `DmaRead`, for both buffers (equal lengths,
// checked); the transfer ends only when both channels have stopped.
unsafe impl<W: Word, I: SpiInstance, F: DmaFence> DmaFullDuplex<W> for Spi<I, F> {
    type Error = Error;
    type Transfer<TX: DmaReadBuffer<Word = W>, RX: DmaWriteBuffer<Word = W>> =
        SpiTransfer<(TX, RX), I, F, 2>;

    fn max_len(&self) -> usize {
        // `TRANS_COUNT` is 32 bits (datasheet §2.5.7).
        usize::try_from(crate::regs::MAX_TRANS_COUNT).unwrap_or(usize::MAX)
    }

    unsafe fn transfer_unchecked<TX, RX>(self, tx: TX, rx: RX) -> Started<Self::Transfer<TX, RX>>
    where
        TX: DmaReadBuffer<Word = W>,
        RX: DmaWriteBuffer<Word = W>,
    {
        let mut lent = Lent::new((tx, rx));
        let (t, n) = lent.get().0.dma_read_buffer();
        let (r, m) = lent.get_mut().1.dma_write_buffer();
        let regions = [Region::dma_reads(t, n), Region::dma_writes(r, m)];
        // SAFETY: as in `write_all_unchecked`, for both pairs.
        unsafe { self.begin(lent, Mode::Duplex, Some((t, n)), Some((r, m)), regions) }
    }
}

// SAFETY: a refusal (a width other than 8 or 16 bits, or a buffer
// `check_ring` refuses) gives everything back before any channel register
// is written; a start programs the receiving channel to read `SSPDR` and
// write exactly the buffer's pair, its write address wrapping in a ring of
// exactly the buffer's size at the buffer's (size-aligned) address, and the
// transmit channel to read only the dummy static, both triggered together
// after the release fence; `RxStream` meets the rest (its stop is `Spi`'s
// `Halt` in `Mode::Read`: both channels).
unsafe impl<W: Word, I: SpiInstance, F: DmaFence> dma_traits::DmaReadStream<W> for Spi<I, F> {
    type Error = Error;
    type Stream<B: DmaWriteBuffer<Word = W>> = crate::RxStream<B, Spi<I, F>, F, W>;

    fn max_len(&self) -> usize {
        crate::stream::max_words::<W>()
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = W>>(
        mut self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut lent = Lent::new(buffer);
        let (p, n) = lent.get_mut().dma_write_buffer();
        let checked = Self::width(W::WIDTH)
            .and_then(|s| Ok((s, crate::stream::check_ring(p.cast_const(), n)?)));
        let (size, ring) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, lent.into_inner(), self)),
        };
        let (txh, rxh) = (self.tx.hw, self.rx.hw);
        let reload = self.rx.stream_reload;
        let data = self.data();
        let rx_ctrl = rxh.ctrl(size, false, true, I::RX_DREQ) | crate::stream::ring_bits(ring);
        let tx_ctrl = txh.ctrl(size, false, false, I::TX_DREQ);
        let receive =
            Leg { hw: rxh, read: data, write: p.cast_const().cast(), count: reload, ctrl: rx_ctrl };
        let send = Leg {
            hw: txh,
            read: (&raw const DUMMY).cast(),
            write: data,
            count: reload,
            ctrl: tx_ctrl,
        };
        self.mode = Mode::Read;
        self.tx.count = reload;
        self.rx.count = reload;
        self.drain();
        let fence = self.rx.fence;
        // SAFETY: the receiving leg writes only inside the parked buffer's
        // pair (the ring), the transmitting one reads the dummy static; the
        // caller keeps the buffer alive.
        let transfer =
            unsafe { start(lent, self, &[receive, send], [Region::dma_writes(p, n)], fence) }?;
        let rings = crate::stream::Rings {
            rx: (rxh, rx_ctrl),
            tx: Some((txh, tx_ctrl)),
            reload,
            start: p.cast_const(),
            len: n,
        };
        Ok(crate::RxStream::new(transfer, rings, fence))
    }
}

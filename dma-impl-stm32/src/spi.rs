//! SPI1 as a master with 8-bit frames, transmitting (and full duplex) by DMA.
//!
//! [`Spi`] is the SPI's register block (`CR1`, `CR2`, `SR`, `DR`; RM0008
//! §25.5, RM0090 §28.5, the same map on F1 and F4, SPI1 at 0x4001_3000 on
//! both). [`Spi::transmitter`] pairs it with the channel (or stream) wired
//! to its TX request into an [`SpiTx`], which implements
//! [`DmaWrite<u8>`](dma_traits::DmaWrite) and [`Sent`](dma_traits::Sent);
//! [`Spi::duplex`] with a TX and an RX channel into an [`SpiDuplex`], which
//! implements [`DmaFullDuplex<u8>`](dma_traits::DmaFullDuplex).
//!
//! # What is received meanwhile
//!
//! A master clocks in a byte for every byte it clocks out. [`SpiTx`]
//! discards them: `CR2.RXDMAEN` stays clear, so the received bytes pile up
//! in the receive buffer and set `OVR` (RM0090 §28.4.8, RM0008 §25.4.7),
//! which does not stop the transmitter. Each transfer clears `OVR` before
//! it starts and again when its channel has stopped, by reading `DR` and
//! then `SR` (the manual's clearing sequence); a byte still shifting out
//! then may set it once more, which the next transfer clears.
//!
//! # Unchecked
//!
//! [`Spi::from_base`] takes any channel: its caller promises that the
//! channel given to [`Spi::transmitter`] is wired to this SPI's TX request
//! (RM0008 table 78: SPI1_TX is DMA1 channel 3 on the F1; RM0090 table 43:
//! DMA2 stream 3 or 5, channel 3, on the F4) and, on a stream, selected it.

use core::mem::ManuallyDrop;

use dma_mmio::Reg;
use dma_traits::{
    DmaFence, DmaFullDuplex, DmaReadBuffer, DmaWrite, DmaWriteBuffer, Finished, Outcome, Region,
    Started, Transfer, TransferError,
};

use crate::hw::{check, Direction, Sealed, Setup};
use crate::one_shot::Lent;
use crate::regs::spi::{
    BR_SHIFT, BSY, CR1, CR2, DR, MSTR, RXDMAEN, SPE, SR, SSI, SSM, TXDMAEN, TXE,
};
use crate::{DmaChannel, Error, OneShot, Owner};
use dma_traits::Lent as Held;

/// SPI1's register block on the F1 (RM0008 §3.3 memory map) and the F4
/// (RM0090 §2.3), checked against the PACs by `dma-pac-oracle`.
pub const SPI1: usize = 0x4001_3000;

fn at(base: Reg, offset: usize) -> Reg {
    // SAFETY: every offset used is one of `CR1`, `CR2`, `SR`, `DR`, all
    // inside the SPI block `base`, which the caller of `Spi::from_base`
    // handed over.
    unsafe { base.offset(offset) }
}

/// An SPI (master, 8-bit frames, software slave select), not yet paired
/// with a channel.
#[derive(Debug)]
pub struct Spi {
    base: Reg,
}

impl Spi {
    /// The SPI whose register block starts at `base`.
    ///
    /// # Safety
    ///
    /// `base` is an SPI register block (`CR1` at 0x00 ... `DR` at 0x0C)
    /// that nothing else uses while the returned value lives, and every
    /// channel later given to [`transmitter`](Self::transmitter) is wired
    /// to its TX request (request selected, on a stream).
    pub unsafe fn from_base(base: *mut u32) -> Self {
        // SAFETY: the caller's contract (an SPI block nothing else uses)
        // is `Reg::from_ptr`'s.
        Spi { base: unsafe { Reg::from_ptr(base) } }
    }

    /// Enables the SPI as a master with software slave management
    /// (`SSM`, `SSI`: the master's own NSS is held high, RM0090 §28.3.1
    /// "Slave select (NSS) pin management"), clock f_PCLK / 2^(`br` + 1)
    /// (`br` taken modulo 8), mode 0, 8-bit frames, MSB first.
    pub fn enable(&mut self, br: u8) {
        let br = u32::from(br & 0b111) << BR_SHIFT;
        let cr1 = at(self.base, CR1);
        // RM0090 §28.3.3: configure, then set SPE.
        cr1.write(MSTR | SSM | SSI | br);
        cr1.write(MSTR | SSM | SSI | br | SPE);
    }

    /// The transmitter on `channel`. The channel must be wired to this
    /// SPI's TX request (the promise of [`from_base`](Self::from_base)).
    pub fn transmitter<C: DmaChannel, F: DmaFence>(self, channel: C, fence: F) -> SpiTx<C, F> {
        SpiTx { spi: self, channel, fence }
    }

    /// Whether the last byte has left (`TXE` set and `BSY` clear).
    fn idle(&self) -> bool {
        at(self.base, SR).read() & (TXE | BSY) == TXE
    }

    /// Clears `OVR`: a read of `DR`, then of `SR` (RM0090 §28.4.8).
    fn clear_overrun(&self) {
        let _ = at(self.base, DR).read();
        let _ = at(self.base, SR).read();
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
pub struct SpiTx<C: DmaChannel, F: DmaFence> {
    spi: Spi,
    channel: C,
    fence: F,
}

impl<C: DmaChannel, F: DmaFence> SpiTx<C, F> {
    /// Everything back: the SPI and the channel (the fence is `Copy`).
    pub fn release(self) -> (Spi, C) {
        (self.spi, self.channel)
    }
}

impl<C: DmaChannel, F: DmaFence> Sealed for SpiTx<C, F> {}

impl<C: DmaChannel, F: DmaFence> Owner for SpiTx<C, F> {
    type Channel = C;
    #[inline(always)]
    fn dma(&self) -> &C {
        &self.channel
    }
    #[inline(always)]
    fn begin(&mut self) {
        // RM0090 §28.3.9: enable the stream, then `TXDMAEN`.
        at(self.spi.base, CR2).modify(|v| v | TXDMAEN);
    }
    #[inline(always)]
    fn finish(&mut self) {
        at(self.spi.base, CR2).modify(|v| v & !TXDMAEN);
        self.spi.clear_overrun();
    }
}

/// RM0090 §28.3.9 (RM0008 §25.3.9): "wait until TXE=1 and then until
/// BSY=0" before disabling the SPI. A finished transfer has written its
/// last byte into `DR`; the byte is sent when `TXE` is set (the transmit
/// buffer empty) and `BSY` clear (the shift register too). Unlike a USART's
/// `TC`, both are live states rather than latched flags, so a transfer that
/// gave the SPI nothing leaves them reading "sent".
impl<C: DmaChannel, F: DmaFence> dma_traits::Sent for SpiTx<C, F> {
    #[inline(always)]
    fn is_sent(&self) -> bool {
        self.spi.idle()
    }
}

// SAFETY: `OneShot` meets `Transfer`'s contract; `write_all_unchecked` either
// starts a transfer that reads exactly the buffer's pair after the release
// fence, or returns the buffer and `self` before the channel is enabled.
unsafe impl<C: DmaChannel, F: DmaFence> DmaWrite<u8> for SpiTx<C, F> {
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
    ) -> Result<OneShot<B, Self, F>, TransferError<Error, B, Self>> {
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
        self.spi.clear_overrun();
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
pub struct SpiDuplex<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> {
    spi: Spi,
    tx: Ct,
    rx: Cr,
    fence: F,
}

impl Spi {
    /// The full-duplex port on `tx` and `rx`, each wired to this SPI's
    /// request of that direction (the promise of [`from_base`](Self::from_base):
    /// RM0008 table 78, SPI1_RX is DMA1 channel 2 on the F1; RM0090 table 43,
    /// DMA2 stream 0 or 2, channel 3, on the F4).
    pub fn duplex<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence>(
        self,
        tx: Ct,
        rx: Cr,
        fence: F,
    ) -> SpiDuplex<Ct, Cr, F> {
        SpiDuplex { spi: self, tx, rx, fence }
    }
}

impl<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> SpiDuplex<Ct, Cr, F> {
    /// Everything back: the SPI and the TX and RX channels.
    pub fn release(self) -> (Spi, Ct, Cr) {
        (self.spi, self.tx, self.rx)
    }
}

/// As for [`SpiTx`]: `TXE` set and `BSY` clear.
impl<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> dma_traits::Sent for SpiDuplex<Ct, Cr, F> {
    #[inline(always)]
    fn is_sent(&self) -> bool {
        self.spi.idle()
    }
}

/// The transmit side of a running duplex transfer: `TXDMAEN` and the TX channel.
#[derive(Debug)]
struct DuplexTx<Ct> {
    base: Reg,
    channel: Ct,
}

/// The receive side of a running duplex transfer: the SPI, `RXDMAEN` and
/// the RX channel.
#[derive(Debug)]
struct DuplexRx<Cr> {
    spi: Spi,
    channel: Cr,
}

impl<Ct: DmaChannel> Sealed for DuplexTx<Ct> {}
impl<Cr: DmaChannel> Sealed for DuplexRx<Cr> {}

impl<Ct: DmaChannel> Owner for DuplexTx<Ct> {
    type Channel = Ct;
    fn dma(&self) -> &Ct {
        &self.channel
    }
    fn begin(&mut self) {
        at(self.base, CR2).modify(|v| v | TXDMAEN);
    }
    fn finish(&mut self) {
        at(self.base, CR2).modify(|v| v & !TXDMAEN);
    }
}

impl<Cr: DmaChannel> Owner for DuplexRx<Cr> {
    type Channel = Cr;
    fn dma(&self) -> &Cr {
        &self.channel
    }
    fn begin(&mut self) {
        at(self.spi.base, CR2).modify(|v| v | RXDMAEN);
    }
    fn finish(&mut self) {
        at(self.spi.base, CR2).modify(|v| v & !RXDMAEN);
    }
}

/// A full-duplex transfer in flight: both buffers, the SPI and both
/// channels. Every way out (`wait`, `stop`, drop) first stops both channels
/// (TX, then RX; each clears `EN` and waits until it reads 0), and only
/// then runs the acquire fence on either buffer and gives them back.
#[derive(Debug)]
pub struct Duplex<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> {
    tx: ManuallyDrop<Lent<TX, DuplexTx<Ct>, F>>,
    rx: ManuallyDrop<Lent<RX, DuplexRx<Cr>, F>>,
}

impl<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> Duplex<TX, RX, Ct, Cr, F> {
    /// Stops both channels before either `Lent` acquires its region.
    fn halt_both(&self) {
        self.tx.channel().disable();
        self.rx.channel().disable();
    }
}

impl<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> Drop for Duplex<TX, RX, Ct, Cr, F> {
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
unsafe impl<TX, RX, Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> Transfer
    for Duplex<TX, RX, Ct, Cr, F>
{
    type Buffer = (TX, RX);
    type Resources = SpiDuplex<Ct, Cr, F>;
    type Error = Error;

    /// Both channels complete, or either in error. The RX channel completes
    /// after the TX channel, once the last byte has been clocked in.
    fn is_done(&self) -> bool {
        let (t, r) = (self.tx.channel().status(), self.rx.channel().status());
        t.error().is_some() || r.error().is_some() || (t.complete && r.complete)
    }

    fn stop(self) -> Outcome<Self> {
        self.halt_both();
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is in `ManuallyDrop`, so `Duplex::drop` never runs
        // and each field is taken exactly once, here.
        let tx = unsafe { ManuallyDrop::take(&mut this.tx) };
        // SAFETY: as above, for the RX side.
        let rx = unsafe { ManuallyDrop::take(&mut this.rx) };
        let (fence, items) = (tx.fence, rx.items);
        let t = tx.end();
        let r = rx.end();
        // Full duplex: what was received is what made the round trip.
        let transferred = usize::from(items.saturating_sub(r.remaining));
        let resources = SpiDuplex {
            spi: r.resources.spi,
            tx: t.resources.channel,
            rx: r.resources.channel,
            fence,
        };
        let buffer = (t.buffer, r.buffer);
        match t.status.error().or(r.status.error()) {
            Some(error) => Err(TransferError { error, buffer, resources, transferred }),
            None => Ok(Finished { buffer, resources, transferred }),
        }
    }
}

// SAFETY: `transfer_unchecked` either starts both channels over exactly the
// two buffers' pairs after the release fence, or gives both buffers and
// `self` back with no channel running.
unsafe impl<Ct: DmaChannel, Cr: DmaChannel, F: DmaFence> DmaFullDuplex<u8>
    for SpiDuplex<Ct, Cr, F>
{
    type Error = Error;
    type Transfer<TX: DmaReadBuffer<Word = u8>, RX: DmaWriteBuffer<Word = u8>> =
        Duplex<TX, RX, Ct, Cr, F>;

    /// 65 535 bytes: the item counter's width ([`MAX_ITEMS`](crate::MAX_ITEMS)).
    fn max_len(&self) -> usize {
        crate::MAX_ITEMS
    }

    unsafe fn transfer_unchecked<TX, RX>(self, tx: TX, rx: RX) -> Started<Duplex<TX, RX, Ct, Cr, F>>
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
        self.spi.clear_overrun();
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
            Ok(tx) => Ok(Duplex { tx: ManuallyDrop::new(tx), rx: ManuallyDrop::new(rx_lent) }),
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

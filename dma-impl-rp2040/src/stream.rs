//! Reception without end ([`DmaReadStream`](dma_traits::DmaReadStream)) on
//! [`UartRx`](crate::UartRx) and [`Spi`](crate::Spi): one channel in **ring
//! mode** over the whole buffer.
//!
//! # The mechanism, and why this one
//!
//! The datasheet offers two ways to fill one buffer over and over (§2.5.7
//! CTRL `RING_SIZE` / `RING_SEL` and `CHAIN_TO`):
//!
//! * **Ring mode on the write side** (chosen): `RING_SEL` set and
//!   `RING_SIZE = n` make "only the lower n bits of the address change. This
//!   wraps the address on a (1 << n) byte boundary, facilitating access to
//!   naturally-aligned ring buffers" (§2.5.7 CTRL). The wrap is done by the
//!   address generator, so the channel **cannot write outside the buffer**,
//!   whatever the CPU does or fails to do: a program that never calls
//!   `read_half` loses data, never memory. The price: the buffer must be a
//!   power of two of bytes, at most 32 KiB (`RING_SIZE` is 4 bits, 15 at
//!   most), and aligned to its own size; any other is refused with
//!   everything back ([`Error::RingSize`],
//!   [`Error::RingAlignment`],
//!   [`Error::TooLong`]).
//! * **Two channels chained over the two halves** (`CHAIN_TO`, each
//!   re-armed by the CPU): a completed channel's `WRITE_ADDR` is left at the
//!   end of its half (only `TRANS_COUNT` is reloaded at a trigger, §2.5.7
//!   `CH0_TRANS_COUNT` / `DBG_TCR`), so if the CPU is late to rewrite it
//!   before the other channel completes and chains back, the channel writes
//!   *past its half*, and on the next lap past the buffer. Memory safety
//!   would depend on the CPU's timing, which a safe API cannot promise.
//!
//! Halves complete when the words written cross a half: the channel's
//! `TRANS_COUNT` "decrements each time a write transfer completes" (§2.5.7
//! `CH0_TRANS_COUNT`), so `reload - TRANS_COUNT` words have landed, the
//! newest at `(written - 1) % len`. Half `n` (counting from the start) is
//! complete once `written >= (n + 1) * half`; a copy of it is handed out
//! only if, read after the copy behind an acquire fence, `written <
//! (n + 2) * half`: at `(n + 2) * half` the next write (possibly already
//! read from the peripheral and in flight) goes into half `n` again.
//!
//! The RP2040 has no endless count: `TRANS_COUNT` is 32 bits, so the
//! sequence ends after `u32::MAX` words (9 minutes of an SPI at 62.5 Mbit/s,
//! half a day of a UART at 921600 baud). `read_half` then triggers it again
//! (through `CTRL_TRIG`: the count is reloaded, the ring's write address
//! runs on from where it is, §2.5.2.2 / §2.5.7) and counts on; words that
//! arrived while it was not running wait in the peripheral's FIFO (a UART
//! drops them once its 32 entries are full; an SPI master clocks nothing
//! while the transmit channel is not running).
//!
//! On an [`Spi`](crate::Spi) the transmit channel sends the dummy word
//! (fixed read address) for ever alongside, paced by `DREQ_SPIx_TX`, so the
//! bus keeps clocking; both are started by one `MULTI_CHAN_TRIGGER`.

use core::sync::atomic::{fence, Ordering};

use dma_traits::{
    Access, DmaFence, InFlight, Outcome, ReadStream, Transfer, TransferError, Word, WordWidth,
};

use crate::channel::Hw;
use crate::{regs, Error};

/// The largest ring (`RING_SIZE` = 15: 32 KiB, §2.5.7 CTRL bits 9:6).
pub(crate) const MAX_RING_BYTES: usize = 1 << 15;

/// The most words of `W` a stream's buffer may have.
pub(crate) fn max_words<W: Word>() -> usize {
    MAX_RING_BYTES / W::WIDTH.bytes()
}

/// Checks a stream's buffer; its `RING_SIZE` code and count on success.
pub(crate) fn check_ring<W: Word>(ptr: *const W, len: usize) -> Result<u32, Error> {
    if len == 0 {
        return Err(Error::Empty);
    }
    if len % 2 == 1 {
        return Err(Error::OddLength { len });
    }
    let max = max_words::<W>();
    if len > max {
        return Err(Error::TooLong { items: len, max });
    }
    let bytes = len * W::WIDTH.bytes();
    if !bytes.is_power_of_two() {
        return Err(Error::RingSize { bytes });
    }
    let address = ptr as usize;
    if address & (bytes - 1) != 0 {
        return Err(Error::RingAlignment { address, bytes });
    }
    // `bytes` is a power of two at most 1 << 15: its log fits the field.
    Ok(bytes.trailing_zeros())
}

/// `CTRL`'s ring bits for a write-side ring of `1 << size` bytes.
pub(crate) fn ring_bits(size: u32) -> u32 {
    (size << regs::CTRL_RING_SIZE_SHIFT) | regs::CTRL_RING_SEL
}

/// Loads word `at` with one access of its width.
///
/// # Safety
///
/// `at` is valid for reads and aligned, `W` is 8 or 16 bits wide, and the
/// DMA writes it only with accesses of that width.
unsafe fn load<W: Word>(at: *const W) -> W {
    if W::WIDTH == WordWidth::Bits8 {
        // SAFETY: the caller's contract, for one byte.
        let bits = unsafe { dma_mmio::load_from_dma(at.cast::<u8>()) };
        // SAFETY: `W` is one byte (`Word`'s width is its size) and every bit
        // pattern is a valid `W`.
        unsafe { core::mem::transmute_copy(&bits) }
    } else {
        // SAFETY: the caller's contract, for two aligned bytes.
        let bits = unsafe { dma_mmio::load_from_dma(at.cast::<u16>()) };
        // SAFETY: `W` is two bytes (the caller's contract) and every bit
        // pattern is a valid `W`.
        unsafe { core::mem::transmute_copy(&bits) }
    }
}

/// A stream in flight on `P` ([`UartRx`](crate::UartRx) or
/// [`Spi`](crate::Spi)): see the [module](self).
///
/// `stop` (or drop) stops the channels as every transfer of this crate
/// does, then gives the buffer and `P` back; its `transferred` is the words
/// received since the start (saturating).
pub struct RxStream<B, P: dma_traits::Halt<Error = Error>, F: DmaFence, W: Word> {
    transfer: InFlight<B, P, F, 1>,
    /// The receiving channel (ring on its write side).
    rx: Hw,
    /// `CTRL` of the receiving channel (with `EN`).
    rx_ctrl: u32,
    /// The SPI's transmit channel and its `CTRL`, re-armed with it.
    tx: Option<(Hw, u32)>,
    /// `TRANS_COUNT` loaded at each trigger.
    reload: u32,
    /// Words written by the sequences that ended before the current one.
    base: u64,
    /// The buffer's first word (its `dma_write_buffer` pointer).
    start: *const W,
    half: usize,
    /// Halves taken or skipped: the next due is number `taken`.
    taken: u64,
    lost: u64,
    fence: F,
}

impl<B, P: dma_traits::Halt<Error = Error>, F: DmaFence, W: Word> core::fmt::Debug
    for RxStream<B, P, F, W>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RxStream")
            .field("channel", &self.rx.index)
            .field("half", &self.half)
            .field("taken", &self.taken)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

// SAFETY: `start` is an address inside the buffer the transfer owns, read
// only through `&mut self`; sending the stream sends that ownership, as for
// `InFlight` (whose `Send` needs `B`, `P`, `F` to be `Send`).
unsafe impl<B: Send, P: dma_traits::Halt<Error = Error> + Send, F: DmaFence + Send, W: Word> Send
    for RxStream<B, P, F, W>
{
}

/// What `RxStream::new` takes besides the transfer.
pub(crate) struct Rings<W> {
    pub(crate) rx: (Hw, u32),
    pub(crate) tx: Option<(Hw, u32)>,
    pub(crate) reload: u32,
    pub(crate) start: *const W,
    pub(crate) len: usize,
}

impl<B, P: dma_traits::Halt<Error = Error>, F: DmaFence, W: Word> RxStream<B, P, F, W> {
    pub(crate) fn new(transfer: InFlight<B, P, F, 1>, rings: Rings<W>, fence: F) -> Self {
        RxStream {
            transfer,
            rx: rings.rx.0,
            rx_ctrl: rings.rx.1,
            tx: rings.tx,
            reload: rings.reload,
            base: 0,
            start: rings.start,
            half: rings.len / 2,
            taken: 0,
            lost: 0,
            fence,
        }
    }

    /// The bus error that stopped the stream, if one did.
    fn failure(&self) -> Option<Error> {
        let mut hws = [Some(self.rx), self.tx.map(|t| t.0)];
        hws.iter_mut().flatten().find_map(|hw| {
            let ctrl = hw.reg(regs::AL1_CTRL).read();
            if ctrl & regs::CTRL_READ_ERROR != 0 {
                Some(Error::ReadBus)
            } else if ctrl & regs::CTRL_WRITE_ERROR != 0 {
                Some(Error::WriteBus)
            } else {
                None
            }
        })
    }

    /// Words written since the start; a sequence that ran out of count
    /// (neither `BUSY` nor failed) is triggered again first.
    fn written(&mut self) -> u64 {
        if let Some((tx, ctrl)) = self.tx {
            Self::rearm(tx, ctrl);
        }
        let remaining = self.rx.reg(regs::TRANS_COUNT).read().min(self.reload);
        if remaining == 0 && Self::rearm(self.rx, self.rx_ctrl) {
            self.base += u64::from(self.reload);
            return self.base;
        }
        self.base + u64::from(self.reload - remaining)
    }

    /// Triggers `hw` again if its sequence ended normally; whether it did.
    fn rearm(hw: Hw, ctrl: u32) -> bool {
        let now = hw.reg(regs::AL1_CTRL).read();
        if now & (regs::CTRL_BUSY | regs::CTRL_AHB_ERROR) != 0 {
            return false;
        }
        // The end raised the channel's flag: clear it, then trigger
        // (`CTRL_TRIG`: the reload value goes into the count, the ring's
        // write address runs on, §2.5.2.1, §2.5.7).
        hw.global(regs::INTR).write(hw.bit());
        hw.reg(regs::CTRL_TRIG).write(ctrl);
        true
    }

    /// The DMA overtook the CPU: skip to the newest complete half.
    fn overrun(&mut self, complete: u64) -> Error {
        let newest = complete - 1;
        let lost = (newest - self.taken) * self.half as u64;
        self.taken = newest;
        self.lost += lost;
        Error::Overrun { lost: usize::try_from(lost).unwrap_or(usize::MAX) }
    }
}

impl<B, P: dma_traits::Halt<Error = Error>, F: DmaFence, W: Word> ReadStream<W>
    for RxStream<B, P, F, W>
{
    fn half_len(&self) -> usize {
        self.half
    }

    fn lost_words(&self) -> u64 {
        self.lost
    }

    fn read_half(&mut self, out: &mut [W]) -> Result<Option<usize>, Error> {
        // Read before the count: halves completed before a failure are still
        // handed out, then the failure is reported.
        let failed = self.failure();
        let half = self.half as u64;
        let due = self.taken;
        let complete = self.written() / half;
        if complete <= due {
            return match failed {
                Some(error) => Err(error),
                None => Ok(None),
            };
        }
        if complete >= due + 2 {
            return Err(self.overrun(complete));
        }
        let src = self.start.wrapping_add((due % 2) as usize * self.half);
        self.fence.acquire(core::ptr::slice_from_raw_parts(src, self.half), Access::DmaWrites);
        let n = out.len().min(self.half);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            // SAFETY: word `i < half` of a half of the buffer, which the
            // transfer owns and keeps alive; `start` came from its
            // `dma_write_buffer` pair (valid, aligned for `W`, checked for
            // the ring); the stream refused widths other than 8 and 16
            // bits, and the channel writes with `DATA_SIZE` of the width.
            *slot = unsafe { load(src.wrapping_add(i)) };
        }
        // The copy's loads before the count's read.
        fence(Ordering::Acquire);
        let after = self.written() / half;
        // The mutant (`ci.sh`): the copy handed out without this check.
        if after >= due + 2 && !cfg!(rp2040_mutant_stream_no_recheck) {
            return Err(self.overrun(after));
        }
        self.taken = due + 1;
        Ok(Some(n))
    }
}

// SAFETY: `stop` and drop go through `InFlight` (with `P`'s `Halt`, which
// stops both channels as every transfer of the crate does: `Hw::stop`),
// whose contract holds; the stream reads the buffer only through
// `read_half`, never after `stop` began. `is_done` only reads.
unsafe impl<B, P: dma_traits::Halt<Error = Error>, F: DmaFence, W: Word> Transfer
    for RxStream<B, P, F, W>
{
    type Buffer = B;
    type Resources = P;
    type Error = Error;

    /// True only once a bus error stopped the stream.
    fn is_done(&self) -> bool {
        self.failure().is_some()
    }

    fn stop(self) -> Outcome<Self> {
        let (base, reload) = (self.base, self.reload);
        // Words of the current sequence come from `P::halt`'s count.
        let total = |moved: usize| {
            let current = (moved as u64).min(u64::from(reload));
            usize::try_from(base + current).unwrap_or(usize::MAX)
        };
        match self.transfer.stop() {
            Ok(mut done) => {
                done.transferred = total(done.transferred);
                Ok(done)
            }
            Err(failed) => Err(TransferError { transferred: total(failed.transferred), ..failed }),
        }
    }
}

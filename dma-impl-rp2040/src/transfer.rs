//! Starting transfers, and memory-to-memory copies.

use dma_traits::{
    DmaCopy, DmaFence, DmaReadBuffer, DmaWriteBuffer, Halt, Halted, InFlight, Lent, Region,
    Started, TransferError, Word,
};

use crate::channel::{check, size_code, Channel, Leg};
use crate::{regs, Error};

/// Programs every leg, releases `regions`, then starts the legs with one
/// trigger: `CTRL_TRIG` for one channel, `MULTI_CHAN_TRIGGER` for several
/// (§2.5.2.1, §2.5.7), so both sides of a full-duplex transfer start
/// together.
///
/// # Safety
///
/// For **callers**: the legs let the DMA access only memory owned by the
/// buffer parked in `lent` (taken after it was parked), which `regions`
/// cover, and device data registers owned by `resources`; the legs'
/// channels are owned by `resources`, whose `halt` stops them; the caller's
/// own contract keeps that memory valid until the transfer ends (or
/// forever if it is leaked).
pub(crate) unsafe fn start<B, R, F, const N: usize>(
    lent: Lent<B>,
    resources: R,
    legs: &[Leg],
    regions: [Region; N],
    fence: F,
) -> Started<InFlight<B, R, F, N>>
where
    R: Halt<Error = Error>,
    F: DmaFence,
{
    for leg in legs {
        leg.hw.program(leg);
    }
    if let Err(e) = Region::release_all(&regions, fence) {
        return Err(TransferError::rejected(Error::Fence(e), lent.into_inner(), resources));
    }
    match legs {
        [one] => one.hw.reg(regs::CTRL_TRIG).write(one.ctrl),
        _ => {
            let mut bits = 0;
            for leg in legs {
                // `EN` set through the non-triggering alias.
                leg.hw.reg(regs::AL1_CTRL).write(leg.ctrl);
                bits |= leg.hw.bit();
            }
            if let Some(first) = legs.first() {
                first.hw.global(regs::MULTI_CHAN_TRIGGER).write(bits);
            }
        }
    }
    // SAFETY: started by the trigger just written, after `release_all` over
    // every region; the rest is this function's contract.
    Ok(unsafe { InFlight::new(lent, resources, regions, fence) })
}

// SAFETY: `halt` returns only after `Hw::stop` saw the channel not BUSY, its
// abort flushed and the DMA's data FIFOs empty (or found it idle), and it
// cannot unwind (no indexing or unwrap); `is_done` only reads CTRL.
unsafe impl<F: DmaFence> Halt for Channel<F> {
    type Error = Error;
    fn is_done(&self) -> bool {
        self.hw.is_done()
    }
    fn halt(&mut self) -> Halted<Error> {
        let (transferred, error) = self.stop_counted();
        Halted { transferred, error }
    }
}

/// A copy in flight.
pub type CopyTransfer<S, D, F> = InFlight<(S, D), Channel<F>, F, 2>;

// SAFETY: `copy_unchecked` either refuses before touching the channel's
// registers (everything given back), or programs one channel to read exactly
// the source's pair and write exactly the destination's (equal lengths,
// checked), triggered after the release fence over both; `InFlight` with
// the channel's `Halt` meets `Transfer`'s contract.
unsafe impl<W: Word, F: DmaFence> DmaCopy<W> for Channel<F> {
    type Error = Error;
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>> = CopyTransfer<S, D, F>;

    fn max_len(&self) -> usize {
        // `TRANS_COUNT` is 32 bits (datasheet §2.5.7).
        usize::try_from(crate::regs::MAX_TRANS_COUNT).unwrap_or(usize::MAX)
    }

    unsafe fn copy_unchecked<S, D>(
        mut self,
        source: S,
        destination: D,
    ) -> Started<Self::Transfer<S, D>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        let fence = self.fence;
        let hw = self.hw;
        let mut lent = Lent::new((source, destination));
        let (from, len) = lent.get().0.dma_read_buffer();
        let (to, to_len) = lent.get_mut().1.dma_write_buffer();
        let checked = (|| {
            let size = size_code(W::WIDTH)?;
            if len != to_len {
                return Err(Error::LengthMismatch { source: len, destination: to_len });
            }
            let count = check(from.cast(), len, W::WIDTH)?;
            check(to.cast_const().cast(), to_len, W::WIDTH)?;
            Ok((size, count))
        })();
        let (size, count) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, lent.into_inner(), self)),
        };
        let leg = Leg {
            hw,
            read: from.cast(),
            write: to.cast_const().cast(),
            count,
            ctrl: hw.ctrl(size, true, true, regs::TREQ_PERMANENT),
        };
        let regions = [Region::dma_reads(from, len), Region::dma_writes(to, to_len)];
        self.count = count;
        // SAFETY: the leg reads exactly the source pair and writes exactly the
        // destination pair, both owned by `lent`; the channel is `self`,
        // whose `halt` stops it; the caller keeps the buffers alive.
        unsafe { start(lent, self, &[leg], regions, fence) }
    }
}

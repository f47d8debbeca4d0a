// A memory-to-memory channel whose "DMA" copies inside the start call, with
// the refusals and fences a HAL owes: the suite's own test subject.

use dma_traits::{
    Access, DmaCopy, DmaFence, ErrorKind, DmaReadBuffer, DmaWriteBuffer, Finished, Outcome, Transfer,
    TransferError, Word,
};

/// A deliberate defect, to show the suite catches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Defect {
    /// None: a conforming channel.
    #[default]
    None,
    /// Copies one word too few.
    DropsLastWord,
    /// Accepts (and copies) a zero-length transfer.
    AcceptsEmpty,
    /// Accepts transfers longer than `MAX_LEN`.
    AcceptsTooLong,
    /// Accepts misaligned buffers (and copies them bytewise).
    AcceptsMisaligned,
    /// Accepts different lengths, copying the shorter.
    AcceptsMismatch,
    /// Starts without the release fence.
    NoRelease,
    /// Ends without the acquire fence.
    NoAcquire,
    /// Refuses what it must, but first writes a byte 256 bytes into the
    /// destination (the middle of the test's 512-byte region).
    WritesWhenRefusing,
}

/// A copy channel using fence `F`.
#[derive(Debug, Default)]
pub struct Copier<F> {
    fence: F,
    defect: Defect,
}

impl<F: DmaFence> Copier<F> {
    /// The longest copy, in words.
    pub const MAX_LEN: usize = 16;

    /// A channel with fence `fence`.
    #[allow(dead_code)] // the crate's doc example uses it
    pub fn new(fence: F) -> Self {
        Copier { fence, defect: Defect::None }
    }

    /// A channel with `defect`.
    pub fn with_defect(fence: F, defect: Defect) -> Self {
        Copier { fence, defect }
    }
}

/// A copy that already ran; the acquire runs when it ends.
#[derive(Debug)]
pub struct Copied<S: DmaReadBuffer, D: DmaWriteBuffer, F: DmaFence> {
    buffers: core::mem::ManuallyDrop<(S, D)>,
    fence: F,
    defect: Defect,
    words: usize,
}

impl<S: DmaReadBuffer, D: DmaWriteBuffer, F: DmaFence> Copied<S, D, F> {
    fn acquire(&mut self) {
        if self.defect == Defect::NoAcquire {
            return;
        }
        let (from, len) = self.buffers.0.dma_read_buffer();
        let (to, _) = self.buffers.1.dma_write_buffer();
        self.fence.acquire(core::ptr::slice_from_raw_parts(from, len), Access::DmaReads);
        self.fence.acquire(core::ptr::slice_from_raw_parts(to.cast_const(), len), Access::DmaWrites);
    }
}

impl<S: DmaReadBuffer, D: DmaWriteBuffer, F: DmaFence> Drop for Copied<S, D, F> {
    fn drop(&mut self) {
        self.acquire();
        // SAFETY: dropped once, here; `stop` takes the buffers out of a
        // `ManuallyDrop<Self>` whose `Drop` never runs.
        unsafe { core::mem::ManuallyDrop::drop(&mut self.buffers) };
    }
}

// SAFETY: the "DMA" finished inside the start call, before this value
// existed; every end runs the acquire fence.
unsafe impl<S: DmaReadBuffer, D: DmaWriteBuffer, F: DmaFence> Transfer for Copied<S, D, F> {
    type Buffer = (S, D);
    type Resources = Copier<F>;
    type Error = ErrorKind;

    fn is_done(&self) -> bool {
        true
    }

    fn stop(self) -> Outcome<Self> {
        let mut this = core::mem::ManuallyDrop::new(self);
        this.acquire();
        // SAFETY: taken once; `this` is never dropped or used again.
        let buffer = unsafe { core::mem::ManuallyDrop::take(&mut this.buffers) };
        let resources = Copier { fence: this.fence, defect: this.defect };
        Ok(Finished { buffer, resources, transferred: this.words })
    }
}

// SAFETY: refuses bad buffers before any access, giving both back; releases
// both, then reads the source pair and writes the destination pair once.
unsafe impl<W: Word, F: DmaFence> DmaCopy<W> for Copier<F> {
    type Error = ErrorKind;
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>> = Copied<S, D, F>;

    fn max_len(&self) -> usize {
        Self::MAX_LEN
    }

    unsafe fn copy_unchecked<S, D>(
        self,
        source: S,
        mut destination: D,
    ) -> Result<Copied<S, D, F>, TransferError<ErrorKind, (S, D), Self>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        let (from, len) = source.dma_read_buffer();
        let (to, to_len) = destination.dma_write_buffer();
        let d = self.defect;
        let why = if len != to_len && d != Defect::AcceptsMismatch {
            Some(ErrorKind::LengthMismatch)
        } else if len == 0 && d != Defect::AcceptsEmpty {
            Some(ErrorKind::Empty)
        } else if len > Self::MAX_LEN && d != Defect::AcceptsTooLong {
            Some(ErrorKind::TooLong { max: Self::MAX_LEN })
        } else if (!W::WIDTH.aligns(from) || !W::WIDTH.aligns(to)) && d != Defect::AcceptsMisaligned
        {
            Some(ErrorKind::Misaligned)
        } else {
            None
        };
        let len = len.min(to_len);
        if let Some(why) = why {
            if d == Defect::WritesWhenRefusing {
                // SAFETY: this defect is used only by `tests/copier.rs`,
                // whose destinations all start inside its 512-byte `DST`
                // (at most 1 byte in, a misaligned one), so byte 256 is
                // inside it; written through the pointer the buffer gave,
                // whose provenance is the whole region, while nothing else
                // uses it.
                unsafe { to.cast::<u8>().wrapping_add(256).write_volatile(0x77) };
            }
            return Err(TransferError::rejected(why, (source, destination), self));
        }
        let (src, dst) = (
            core::ptr::slice_from_raw_parts(from, len),
            core::ptr::slice_from_raw_parts(to.cast_const(), len),
        );
        if d != Defect::NoRelease
            && (self.fence.release(src, Access::DmaReads).is_err()
                || self.fence.release(dst, Access::DmaWrites).is_err())
        {
            return Err(TransferError::rejected(ErrorKind::Fence, (source, destination), self));
        }
        let words = if d == Defect::DropsLastWord { len.saturating_sub(1) } else { len };
        let bytes = words * core::mem::size_of::<W>();
        // SAFETY: `words <= len` initialized words at `from` and writable
        // words at `to`, in different buffers the caller owns (buffer
        // contracts; a defect's misaligned or over-long buffers are the
        // suite's, inside its memory); copied bytewise, so alignment does
        // not matter.
        unsafe { core::ptr::copy_nonoverlapping(from.cast::<u8>(), to.cast::<u8>(), bytes) };
        let buffers = core::mem::ManuallyDrop::new((source, destination));
        Ok(Copied { buffers, fence: self.fence, defect: d, words })
    }
}

//! DMA over part of a buffer while keeping ownership of the whole.

use core::ops::Range;

use crate::{DmaReadBuffer, DmaWriteBuffer};

/// A range that does not fit the buffer it was asked of.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RangeError {
    /// The range asked for, in words.
    pub start: usize,
    /// One past the last word asked for.
    pub end: usize,
    /// The buffer's length in words.
    pub len: usize,
}

impl core::fmt::Display for RangeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "range {}..{} does not fit a buffer of {} words", self.start, self.end, self.len)
    }
}

impl core::error::Error for RangeError {}

/// The words `range` of a buffer `B`, lent to the DMA; [`into_inner`](Self::into_inner)
/// gives back the whole `B`.
///
/// `SubRange<B>` is a [`DmaReadBuffer`] when `B` is, a [`DmaWriteBuffer`] when
/// `B` is, and `'static` when `B` is, so it goes wherever `B` goes.
///
/// While it is lent, the transfer holds it out of reach (nothing may look
/// at a buffer the DMA may be using): keep the range beside the transfer if
/// you need it before the transfer ends, as `dma_drivers::ws2812` does.
///
/// ```
/// use dma_traits::{DmaReadBuffer, SubRange};
///
/// static FRAME: [u8; 8] = *b"HDRdata!";
/// let body = SubRange::of_read(&FRAME, 3..8).unwrap();
/// let (ptr, len) = body.dma_read_buffer();
/// assert_eq!(len, 5);
/// assert_eq!(ptr, FRAME[3..].as_ptr());
/// let whole: &[u8; 8] = body.into_inner();
/// # let _ = whole;
///
/// // A bad range is an error that gives the buffer back.
/// let (back, err) = SubRange::of_read(&FRAME, 6..9).unwrap_err();
/// assert_eq!((err.end, err.len), (9, 8));
/// assert!(core::ptr::eq(back, &FRAME));
/// ```
#[derive(Debug)]
pub struct SubRange<B> {
    buffer: B,
    start: usize,
    len: usize,
}

impl<B> SubRange<B> {
    fn checked(len: usize, range: Range<usize>, buffer: B) -> Result<Self, (B, RangeError)> {
        if range.start <= range.end && range.end <= len {
            Ok(SubRange { buffer, start: range.start, len: range.end - range.start })
        } else {
            let error = RangeError { start: range.start, end: range.end, len };
            Err((buffer, error))
        }
    }

    /// The words `range` of a read buffer; `Err` gives the buffer back.
    pub fn of_read(buffer: B, range: Range<usize>) -> Result<Self, (B, RangeError)>
    where
        B: DmaReadBuffer,
    {
        Self::checked(buffer.dma_read_buffer().1, range, buffer)
    }

    /// The words `range` of a write buffer; `Err` gives the buffer back.
    ///
    /// ```
    /// use dma_traits::{DmaWriteBuffer, SubRange};
    /// let buf: &'static mut [u32; 16] = Box::leak(Box::new([0; 16]));
    /// let mut tail = SubRange::of_write(buf, 12..16).unwrap();
    /// assert_eq!(tail.dma_write_buffer().1, 4);
    /// ```
    pub fn of_write(mut buffer: B, range: Range<usize>) -> Result<Self, (B, RangeError)>
    where
        B: DmaWriteBuffer,
    {
        Self::checked(buffer.dma_write_buffer().1, range, buffer)
    }

    /// The range of words lent to the DMA.
    pub fn range(&self) -> Range<usize> {
        self.start..self.start + self.len
    }

    /// The whole buffer.
    pub fn into_inner(self) -> B {
        self.buffer
    }
}

// SAFETY: the range was checked against `B`'s length at construction, and
// `B`'s pair is stable (its own contract), so `ptr + start .. + len` stays
// inside `B`'s memory on every call and inherits requirements 1 to 4 from `B`.
unsafe impl<B: DmaReadBuffer> DmaReadBuffer for SubRange<B> {
    type Word = B::Word;

    fn dma_read_buffer(&self) -> (*const B::Word, usize) {
        let (ptr, _) = self.buffer.dma_read_buffer();
        (ptr.wrapping_add(self.start), self.len)
    }
}

// SAFETY: as for reads, with `B`'s write pair.
unsafe impl<B: DmaWriteBuffer> DmaWriteBuffer for SubRange<B> {
    type Word = B::Word;

    fn dma_write_buffer(&mut self) -> (*mut B::Word, usize) {
        let (ptr, _) = self.buffer.dma_write_buffer();
        (ptr.wrapping_add(self.start), self.len)
    }
}

//! A sampler over any [`DmaReadStream`](dma_traits::DmaReadStream): it
//! takes every half the stream completes, hands it to the application, and
//! keeps count of the words taken and lost. The same code samples an ADC, an I²S microphone or a
//! UART that always listens, on every chip.
//!
//! ```
//! use dma_drivers::sampler::{Sampler, SamplerError};
//! use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
//! use dma_traits::DmaReadStream;
//!
//! let dma = MockDma::stepped(Recorder::new());
//! let adc = MockSerial::with_default_fence(&dma); // any DmaReadStream<u16>
//! let line = adc.wire();
//! line.deliver(&[10u16, 20, 30, 40]);
//! let stream = adc.read_stream(vec![0u16; 4]).ok().unwrap();
//! let mut sampler: Sampler<u16, _, 2> = Sampler::new(stream).ok().unwrap();
//! let mut sum = 0u32;
//! for _ in 0..2 {
//!     dma.step(2); // one half
//!     let taken = sampler.poll(|block| sum += block.iter().map(|&w| u32::from(w)).sum::<u32>());
//!     assert_eq!(taken.ok(), Some(2));
//! }
//! assert_eq!((sum, sampler.taken(), sampler.lost()), (100, 4, 0));
//! // Two halves at once: the DMA has wrapped into the first again, so the
//! // CPU was a half late; the sampler says so.
//! line.deliver(&[1u16, 2, 3, 4]);
//! dma.step(4);
//! assert!(matches!(sampler.poll(|_| ()), Err(SamplerError::Overrun { lost: 2, .. })));
//! ```

use core::fmt;

use dma_traits::{Error, ErrorKind, Outcome, ReadStream, Word};

/// Why [`Sampler::poll`] stopped early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SamplerError<E> {
    /// The CPU was more than a half late: `lost` words were skipped (the
    /// sampler goes on with the newest half; the stream's error says more).
    Overrun {
        /// Words skipped.
        lost: u64,
        /// The stream's error.
        error: E,
    },
    /// The stream has stopped (a bus error, say): [`Sampler::stop`] gives
    /// everything back.
    Stopped(E),
}

impl<E: fmt::Debug> fmt::Display for SamplerError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SamplerError::Overrun { lost, error } => {
                write!(f, "sampler overrun: {lost} words lost ({error:?})")
            }
            SamplerError::Stopped(error) => write!(f, "sampler stream stopped: {error:?}"),
        }
    }
}

/// A buffer whose halves are longer than the sampler's block of `N` words.
#[derive(Debug)]
pub struct BlockTooShort<S> {
    /// The stream, given back (still running).
    pub stream: S,
    /// Words per half of the stream.
    pub half: usize,
}

/// Samples a stream `S` of words `W`, handing out blocks of one half each,
/// copied into its own block of `N` words.
#[derive(Debug)]
pub struct Sampler<W: Word, S: ReadStream<W>, const N: usize> {
    stream: S,
    block: [W; N],
    taken: u64,
    lost: u64,
}

impl<W: Word + Default, S: ReadStream<W>, const N: usize> Sampler<W, S, N> {
    /// A sampler on `stream`.
    ///
    /// # Errors
    ///
    /// [`BlockTooShort`], with the stream, if its halves are longer than
    /// `N` words (a half is never cut short).
    pub fn new(stream: S) -> Result<Self, BlockTooShort<S>> {
        let half = stream.half_len();
        if half > N {
            return Err(BlockTooShort { stream, half });
        }
        Ok(Sampler { stream, block: [W::default(); N], taken: 0, lost: 0 })
    }
}

impl<W: Word, S: ReadStream<W>, const N: usize> Sampler<W, S, N> {
    /// Hands every half completed so far to `sink`, oldest first; returns
    /// the words handed out.
    ///
    /// # Errors
    ///
    /// [`SamplerError::Overrun`] when halves were lost since the last call
    /// (call again: the newest half is still there), or
    /// [`SamplerError::Stopped`].
    pub fn poll(&mut self, mut sink: impl FnMut(&[W])) -> Result<usize, SamplerError<S::Error>> {
        let mut handed = 0;
        loop {
            match self.stream.read_half(&mut self.block) {
                Ok(Some(words)) => {
                    let block = self.block.get(..words).unwrap_or(&self.block);
                    sink(block);
                    handed += words;
                    self.taken += u64::try_from(words).unwrap_or(u64::MAX);
                }
                Ok(None) => return Ok(handed),
                Err(error) if error.kind() == ErrorKind::Overrun => {
                    let lost = self.stream.lost_words() - self.lost;
                    self.lost = self.stream.lost_words();
                    return Err(SamplerError::Overrun { lost, error });
                }
                Err(error) => return Err(SamplerError::Stopped(error)),
            }
        }
    }

    /// Words handed out so far.
    pub fn taken(&self) -> u64 {
        self.taken
    }

    /// Words lost to overruns so far.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Stops the stream and gives back its buffer and peripheral.
    pub fn stop(self) -> Outcome<S> {
        self.stream.stop()
    }
}

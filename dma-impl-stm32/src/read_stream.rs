//! [`DmaReadStream`] for the USART receiver: reception without end into one
//! buffer, half by half, on both controller families.
//!
//! * [`UsartRx`] on either family (a [`Channel`](crate::channel::Channel) or a [`Stream`]): circular
//!   mode over the whole buffer (`CIRC`, RM0008 §13.3.3, RM0090 §10.3.10),
//!   `HTIF` ending the first half and `TCIF` the second: a [`Circular`]
//!   transfer ([`CircularStream`]). Two events a lap: look at least once
//!   per half, as the trait's contract says; a CPU at most one half late
//!   loses nothing and an overrun is reported only when a half it had not
//!   taken was overwritten.
//! * [`DoubleBuffered`] (from [`UsartRx::double_buffered`], stream DMA
//!   only): double-buffer mode (`DBM`, RM0090 §10.3.9) with `SxM0AR` the
//!   first half and `SxM1AR` the second, each half a fill of its own, the
//!   [`DoubleBuffer`](crate::DoubleBuffer) driver over one buffer's halves
//!   ([`HalvesStream`]). Its buffer may be twice as long (131 070 bytes),
//!   but it needs **a look per quarter** of the buffer, not per half: each
//!   half has its own `HTIF` and `TCIF`, four events a lap, and a call that
//!   finds both flags set cannot tell how far the stream went, so it
//!   reports an overrun even when, as it then turns out, no half was
//!   overwritten (`lost` is then 0). That is stricter than the
//!   [`DmaReadStream`] contract; choose it only when the CPU keeps up.
//!
//! The `lost` an overrun reports is exact up to whole laps of the buffer
//! that went by unseen (see [`Error::Overrun`]); a lap is never handed out
//! as data of another.
//!
//! Either way `read_half` copies the completed half out with
//! `load_from_dma` and decides "overrun" from the flags read after the copy
//! (the argument is in the `circular` and `double_buffer` modules); an
//! overrun is an [`Error::Overrun`] whose `lost` is added to
//! [`lost_words`](ReadStream::lost_words), and the stream goes on from the
//! newest complete half.
//!
//! ```
//! # use dma_impl_mock::{record::Recorder, sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim}};
//! use dma_impl_stm32::{channel, usart::{StatusData, Usart}};
//! use dma_traits::{CompilerFence, DmaReadStream, ReadStream, Transfer};
//! # let sim = ChannelDma::new(Recorder::new());
//! # let serial = UsartSim::new(UsartLayout::StatusData);
//! # sim.wire(5, serial.requests(), Line::Rx);
//! // SAFETY: a simulated controller and USART owned by this example, channel
//! // 5 wired to the USART's RX request.
//! let mut dma = unsafe { channel::Dma::from_base(sim.base(), 7) };
//! let mut usart = unsafe { Usart::<StatusData>::from_base(serial.base()) };
//! usart.enable(1);
//! let rx = usart.receiver(dma.channel::<5>().unwrap(), CompilerFence);
//! let mut stream = rx.read_stream(vec![0u8; 8].into_boxed_slice()).ok().unwrap();
//! serial.feed(b"abcdefgh");
//! # sim.run(4);
//! let mut half = [0; 4];
//! assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
//! assert_eq!(&half, b"abcd");
//! # assert!(stream.stop().is_ok());
//! ```

use dma_traits::{
    DmaFence, DmaReadStream, DmaWriteBuffer, Outcome, ReadStream, Region, Started, Transfer,
    TransferError,
};

use crate::double_buffer::Double;
use crate::hw::{check, Direction, Internal, Setup};
use crate::interrupt::Mode;
use crate::one_shot::Lent;
use crate::stream::{self, Stream};
use crate::usart::{Instance, RxPart, UsartRx};
use crate::{Circular, DmaChannel, Error, Owner, MAX_ITEMS};
use dma_traits::Lent as Held;

/// Adds an overrun's count to `lost`.
fn count<T>(lost: &mut u64, result: Result<T, Error>) -> Result<T, Error> {
    if let Err(Error::Overrun { lost: n }) = result {
        *lost = lost.saturating_add(n as u64);
    }
    result
}

/// A stream in circular mode ([`Circular`] over the whole buffer), on either family.
pub struct CircularStream<B: DmaWriteBuffer, R: Owner, F: DmaFence> {
    inner: Circular<B, R, F>,
    lost: u64,
}

impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> core::fmt::Debug for CircularStream<B, R, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CircularStream").field("lost", &self.lost).finish_non_exhaustive()
    }
}

// SAFETY: `Circular`'s contract (stop, wait for `EN` = 0, acquire both
// halves, on every path including drop).
unsafe impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> Transfer for CircularStream<B, R, F> {
    type Buffer = B;
    type Resources = R;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    fn stop(self) -> Outcome<Self> {
        self.inner.stop()
    }
}

impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> ReadStream<B::Word> for CircularStream<B, R, F> {
    fn half_len(&self) -> usize {
        self.inner.half_len()
    }

    fn lost_words(&self) -> u64 {
        self.lost
    }

    fn read_half(&mut self, out: &mut [B::Word]) -> Result<Option<usize>, Error> {
        let read = self.inner.read_half(out).map(|got| got.map(|(_, n)| n));
        count(&mut self.lost, read)
    }
}

/// A stream on the stream DMA in double-buffer mode over the buffer's
/// halves, from [`DoubleBuffered`]: look once per quarter of the buffer.
pub struct HalvesStream<B: DmaWriteBuffer, R: Owner, F: DmaFence> {
    inner: Double<B, B::Word, R, F>,
    lost: u64,
}

impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> core::fmt::Debug for HalvesStream<B, R, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HalvesStream").field("lost", &self.lost).finish_non_exhaustive()
    }
}

// SAFETY: the double-buffer driver's contract (stop, wait for `EN` = 0,
// acquire both halves, on every path including drop).
unsafe impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> Transfer for HalvesStream<B, R, F> {
    type Buffer = B;
    type Resources = R;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.inner.is_done()
    }

    fn stop(self) -> Outcome<Self> {
        self.inner.stop()
    }
}

impl<B: DmaWriteBuffer, R: Owner, F: DmaFence> ReadStream<B::Word> for HalvesStream<B, R, F> {
    fn half_len(&self) -> usize {
        self.inner.len()
    }

    fn lost_words(&self) -> u64 {
        self.lost
    }

    fn read_half(&mut self, out: &mut [B::Word]) -> Result<Option<usize>, Error> {
        let read = self.inner.read_completed(out).map(|got| got.map(|(_, n)| n));
        count(&mut self.lost, read)
    }
}

/// The most bytes a circular stream's buffer holds: the counter's 65 535,
/// even.
const CIRCULAR_MAX: usize = MAX_ITEMS & !1;
/// The most bytes a double-buffered stream's buffer holds: two halves of
/// 65 535.
const HALVES_MAX: usize = 2 * MAX_ITEMS;

// SAFETY: `read_stream_unchecked` either refuses (length, width, alignment,
// fence) before the channel is enabled, giving back the buffer and `self`,
// or starts one circular transfer writing exactly the buffer's pair after
// the release fence; `CircularStream` is `Circular`, which meets
// `Transfer`'s contract and never hands out a copy the DMA may have
// overwritten (the `circular` module's argument, which holds on both
// families: `HTIF`/`TCIF` of a circular stream as of a circular channel).
unsafe impl<I, C, F, P> DmaReadStream<u8> for UsartRx<I, C, F, P>
where
    I: Instance,
    C: DmaChannel,
    F: DmaFence,
    P: RxPart,
{
    type Error = Error;
    type Stream<B: DmaWriteBuffer<Word = u8>> = CircularStream<B, Self, F>;

    /// 65 534 bytes: both halves in the 16-bit counter (`CNDTR`/`SxNDTR`).
    fn max_len(&self) -> usize {
        CIRCULAR_MAX
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut buffer = Held::new(buffer);
        let (_, len) = buffer.get_mut().dma_write_buffer();
        if len > CIRCULAR_MAX {
            let error = Error::TooLong { items: len, max: CIRCULAR_MAX };
            return Err(TransferError::rejected(error, buffer.into_inner(), self));
        }
        let (peripheral, fence) = (self.rdr(), self.fence());
        // SAFETY: the caller keeps the buffer's memory alive for the stream;
        // the peripheral address is this USART's `RDR`.
        let started = unsafe { Circular::start(buffer.into_inner(), self, peripheral, fence) };
        started.map(|inner| CircularStream { inner, lost: 0 })
    }
}

/// A USART receiver on a stream whose [`DmaReadStream`] uses the stream's
/// double-buffer mode over the buffer's two halves ([`HalvesStream`]), from
/// [`UsartRx::double_buffered`].
///
/// **Polling need: look at least once per quarter of the buffer** (every
/// half of a half), not once per half as the [`DmaReadStream`] contract
/// promises its users: each half is a fill with its own `HTIF` and `TCIF`
/// (four events a lap), and a look that finds both set cannot tell whether
/// the DMA went one fill or three further, so it reports
/// [`Error::Overrun`] (with `lost` 0 when it then turns out no half was
/// overwritten). Its gain is the length: up to 131 070 bytes (a half per
/// `SxNDTR` fill) instead of 65 534. A driver written against the trait
/// alone, which looks once per half, should get the plain [`UsartRx`].
#[derive(Debug)]
pub struct DoubleBuffered<R>(R);

impl<I: Instance, const N: u8, S: stream::Controller, M: Mode, F: DmaFence, P: RxPart>
    UsartRx<I, Stream<N, S, M>, F, P>
{
    /// This receiver with the double-buffered stream (see
    /// [`DoubleBuffered`]: it needs a look per quarter of the buffer).
    pub fn double_buffered(self) -> DoubleBuffered<Self> {
        DoubleBuffered(self)
    }
}

impl<R> DoubleBuffered<R> {
    /// The receiver again.
    pub fn into_inner(self) -> R {
        self.0
    }
}

impl<R> crate::hw::Sealed for DoubleBuffered<R> {}

impl<R: Owner> Owner for DoubleBuffered<R> {
    type Channel = R::Channel;
    fn dma(&self, _: Internal) -> &R::Channel {
        self.0.dma(Internal::new())
    }
    fn begin(&mut self, items: u16, _: Internal) {
        self.0.begin(items, Internal::new());
    }
    fn finish(&mut self, _: Internal) {
        self.0.finish(Internal::new());
    }
}

// SAFETY: as above, with one double-buffered stream writing exactly the
// buffer's pair (`SxM0AR` its first half, `SxM1AR` its second); the
// double-buffer driver meets `Transfer`'s contract and never hands out a
// copy the DMA may have overwritten (the `double_buffer` module's argument).
unsafe impl<I, const N: u8, S, M, F, P> DmaReadStream<u8>
    for DoubleBuffered<UsartRx<I, Stream<N, S, M>, F, P>>
where
    I: Instance,
    S: stream::Controller,
    M: Mode,
    F: DmaFence,
    P: RxPart,
{
    type Error = Error;
    type Stream<B: DmaWriteBuffer<Word = u8>> = HalvesStream<B, Self, F>;

    /// 131 070 bytes: each half a fill of up to 65 535 (`SxNDTR`).
    fn max_len(&self) -> usize {
        HALVES_MAX
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = u8>>(
        self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut buffer = Held::new(buffer);
        let (ptr, len) = buffer.get_mut().dma_write_buffer();
        let half = len / 2;
        let checked = if len > HALVES_MAX {
            Err(Error::TooLong { items: len, max: HALVES_MAX })
        } else if len == 0 {
            Err(Error::Empty)
        } else if len % 2 != 0 {
            Err(Error::OddLength { items: len })
        } else if half < 2 {
            // No half-transfer event inside a one-item fill.
            Err(Error::TooShort { items: half, min: 2 })
        } else {
            check(ptr.cast_const(), half)
        };
        let (size, items) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, buffer.into_inner(), self)),
        };
        let second = ptr.wrapping_add(half);
        let regions = [Region::dma_writes(ptr, half), Region::dma_writes(second, half)];
        let setup = Setup {
            direction: Direction::PeripheralToMemory,
            peripheral: self.0.rdr(),
            memory: ptr.cast::<u8>(),
            memory1: Some(second.cast::<u8>()),
            items,
            size,
            peripheral_increment: false,
            circular: true,
        };
        let fence = self.0.fence();
        // SAFETY: the regions cover the buffer (its two halves); the
        // caller's contract keeps it alive. `program` clears the flags
        // before `EN`: the driver's invariant holds for part 0.
        match unsafe { Lent::start(buffer, self, &setup, &regions, fence) } {
            Ok(lent) => Ok(HalvesStream {
                inner: Double::new(lent, [ptr.cast_const(), second.cast_const()], half),
                lost: 0,
            }),
            Err((e, buffer, resources)) => Err(TransferError::rejected(e, buffer, resources)),
        }
    }
}

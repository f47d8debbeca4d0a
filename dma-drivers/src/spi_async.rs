//! [`embedded_hal_async::spi::SpiBus`] over any [`DmaFullDuplex<u8>`] port,
//! sound when a future is leaked.
//!
//! As in [`io`](crate::io), the caller's slices are never lent to the DMA: a
//! future may be leaked while the DMA still uses them. The bus owns a
//! `'static` transmit and receive buffer and exchanges through them, one
//! chunk (the shorter buffer) at a time; the transfer in flight lives in the
//! bus, so a dropped or leaked future leaves it where the next call waits for
//! it. (The blocking [`DmaSpiBus`](crate::spi_bus::DmaSpiBus) can lend the
//! caller's memory directly: its scoped transfers cannot be leaked.)
//!
//! ```
//! use dma_drivers::spi_async::AsyncDmaSpiBus;
//! use dma_impl_mock::{peripheral::MockSpi, record::Recorder, MockDma};
//! use embedded_hal_async::spi::SpiBus;
//!
//! let dma = MockDma::threaded(Recorder::new());
//! let spi = MockSpi::new(&dma, dma_traits::CompilerFence);
//! let wire = spi.wire();
//! wire.deliver(&[0xA0u8, 0xA1, 0xA2]);
//! let tx: &'static mut [u8; 2] = Box::leak(Box::new([0; 2]));
//! let rx: &'static mut [u8; 2] = Box::leak(Box::new([0; 2]));
//! let mut bus = AsyncDmaSpiBus::new(spi, tx, rx);
//! let mut status = [0u8; 3];
//! futures_executor::block_on(bus.transfer(&mut status, &[0x05])).unwrap();
//! assert_eq!(status, [0xA0, 0xA1, 0xA2]);
//! assert_eq!(wire.take_sent::<u8>(), [0x05, 0x00, 0x00]);
//! ```

use core::fmt;

use dma_traits::future::DmaWaker;
use dma_traits::{DmaFullDuplex, StaticReadBuffer, StaticWriteBuffer, SubRange};
use embedded_hal::spi::{ErrorKind, ErrorType};

use crate::slot::Slot;
use crate::spi_bus::{other_kind, SpiBusError};

/// The step of an exchange a caller's closure serves.
enum Step<'a> {
    /// Fill these transmit bytes (the chunk at `offset`).
    Send(&'a mut [u8]),
    /// These bytes arrived (the chunk at `offset`).
    Received(&'a [u8]),
}

type Buffers<P, TX, RX> = (P, TX, RX);
type Exchange<P, TX, RX> = <P as DmaFullDuplex<u8>>::Transfer<SubRange<TX>, SubRange<RX>>;

/// An async [`SpiBus`](embedded_hal_async::spi::SpiBus) on DMA port `P`,
/// exchanging through the `'static` buffers `TX` and `RX`.
pub struct AsyncDmaSpiBus<P, TX, RX>
where
    P: DmaFullDuplex<u8>,
    TX: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
    RX: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    slot: Slot<Buffers<P, TX, RX>, Exchange<P, TX, RX>>,
    chunk: usize,
    fill: u8,
    kind: fn(&P::Error) -> ErrorKind,
    waker: Option<&'static DmaWaker>,
}

impl<P, TX, RX> fmt::Debug for AsyncDmaSpiBus<P, TX, RX>
where
    P: DmaFullDuplex<u8>,
    TX: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
    RX: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncDmaSpiBus")
            .field("chunk", &self.chunk)
            .field("fill", &self.fill)
            .finish_non_exhaustive()
    }
}

impl<P, TX, RX> AsyncDmaSpiBus<P, TX, RX>
where
    P: DmaFullDuplex<u8>,
    TX: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
    RX: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    /// A bus on `port` exchanging through `tx` and `rx`: fill byte 0x00,
    /// every port error [`ErrorKind::Other`]; its futures poll again at once
    /// while the DMA runs (see [`with_waker`](Self::with_waker)).
    pub fn new(port: P, mut tx: TX, mut rx: RX) -> Self {
        let tx_len = tx.dma_read_buffer().1.min(tx.as_mut().len());
        let rx_len = rx.dma_write_buffer().1.min(rx.as_mut().len());
        AsyncDmaSpiBus {
            slot: Slot::Idle((port, tx, rx)),
            chunk: tx_len.min(rx_len),
            fill: 0,
            kind: other_kind::<P::Error>,
            waker: None,
        }
    }

    /// Sleeps until `waker` is woken (by the channel's interrupt).
    pub fn with_waker(mut self, waker: &'static DmaWaker) -> Self {
        self.waker = Some(waker);
        self
    }

    /// The byte clocked out while only reading.
    pub fn with_fill_byte(mut self, fill: u8) -> Self {
        self.fill = fill;
        self
    }

    /// How the port's errors map to [`ErrorKind`]s.
    pub fn with_error_kind(mut self, kind: fn(&P::Error) -> ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Waits for an exchange a cancelled call left, then gives back the port
    /// and both buffers; `None` after a panic in the port took them.
    pub fn release(mut self) -> Option<(P, TX, RX)> {
        crate::slot::spin_on(self.settle()).ok()?;
        self.slot.take_idle()
    }

    fn error(&self, error: P::Error) -> SpiBusError<P::Error> {
        let kind = (self.kind)(&error);
        SpiBusError::Port { error, kind }
    }

    /// Ends an exchange a cancelled call left (its data is nobody's).
    async fn settle(&mut self) -> Result<(), SpiBusError<P::Error>> {
        match self.slot.end(self.waker).await {
            Some(Ok(done)) => {
                let (tx, rx) = done.buffer;
                self.slot = Slot::Idle((done.resources, tx.into_inner(), rx.into_inner()));
            }
            Some(Err(failure)) => {
                let (tx, rx) = failure.buffer;
                self.slot = Slot::Idle((failure.resources, tx.into_inner(), rx.into_inner()));
            }
            None => {}
        }
        match self.slot {
            Slot::Idle(_) => Ok(()),
            _ => Err(SpiBusError::PortLost),
        }
    }

    /// Clocks `len` bytes, one chunk at a time: `step` fills each chunk's
    /// transmit bytes, then sees what arrived.
    async fn exchange(
        &mut self,
        len: usize,
        mut step: impl FnMut(usize, Step<'_>),
    ) -> Result<(), SpiBusError<P::Error>> {
        let mut offset = 0;
        while offset < len {
            self.settle().await?;
            let (port, mut tx, rx) = self.slot.take_idle().ok_or(SpiBusError::PortLost)?;
            let n = (len - offset).min(self.chunk);
            if n == 0 {
                // Empty buffers: nothing can be exchanged. Refuse, keep everything.
                self.slot = Slot::Idle((port, tx, rx));
                return Err(SpiBusError::NoBuffer);
            }
            let (send, _) = tx.as_mut().split_at_mut(n);
            send.fill(self.fill);
            step(offset, Step::Send(send));
            let started = match (SubRange::of_read(tx, 0..n), SubRange::of_write(rx, 0..n)) {
                (Ok(tx), Ok(rx)) => port.transfer(tx, rx),
                (tx, rx) => {
                    let tx = tx.map_or_else(|(b, _)| b, SubRange::into_inner);
                    let rx = rx.map_or_else(|(b, _)| b, SubRange::into_inner);
                    self.slot = Slot::Idle((port, tx, rx));
                    return Err(SpiBusError::NoBuffer);
                }
            };
            match started {
                Ok(transfer) => self.slot = Slot::Busy(transfer),
                Err(refused) => {
                    let (tx, rx) = refused.buffer;
                    self.slot = Slot::Idle((refused.resources, tx.into_inner(), rx.into_inner()));
                    return Err(self.error(refused.error));
                }
            }
            match self.slot.end(self.waker).await {
                Some(Ok(done)) => {
                    let (tx, rx) = done.buffer;
                    let mut rx = rx.into_inner();
                    let (arrived, _) = rx.as_mut().split_at_mut(n.min(done.transferred));
                    step(offset, Step::Received(arrived));
                    self.slot = Slot::Idle((done.resources, tx.into_inner(), rx));
                }
                Some(Err(failure)) => {
                    let (tx, rx) = failure.buffer;
                    self.slot = Slot::Idle((failure.resources, tx.into_inner(), rx.into_inner()));
                    return Err(self.error(failure.error));
                }
                None => return Err(SpiBusError::PortLost),
            }
            offset += n;
        }
        Ok(())
    }
}

/// Copies as many bytes as both slices hold.
fn copy(to: &mut [u8], from: &[u8]) {
    for (t, f) in to.iter_mut().zip(from) {
        *t = *f;
    }
}

/// `slice[offset..]`, empty past the end.
fn tail(slice: &[u8], offset: usize) -> &[u8] {
    slice.get(offset..).unwrap_or_default()
}

/// `slice[offset..]`, empty past the end.
fn tail_mut(slice: &mut [u8], offset: usize) -> &mut [u8] {
    slice.get_mut(offset..).unwrap_or_default()
}

impl<P, TX, RX> ErrorType for AsyncDmaSpiBus<P, TX, RX>
where
    P: DmaFullDuplex<u8>,
    P::Error: fmt::Debug,
    TX: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
    RX: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    type Error = SpiBusError<P::Error>;
}

impl<P, TX, RX> embedded_hal_async::spi::SpiBus<u8> for AsyncDmaSpiBus<P, TX, RX>
where
    P: DmaFullDuplex<u8> + dma_traits::Sent,
    P::Error: fmt::Debug,
    TX: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
    RX: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    async fn read(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        self.exchange(words.len(), |offset, step| {
            if let Step::Received(arrived) = step {
                copy(tail_mut(words, offset), arrived);
            }
        })
        .await
    }

    async fn write(&mut self, words: &[u8]) -> Result<(), Self::Error> {
        self.exchange(words.len(), |offset, step| {
            if let Step::Send(send) = step {
                copy(send, tail(words, offset));
            }
        })
        .await
    }

    async fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        self.exchange(read.len().max(write.len()), |offset, step| match step {
            Step::Send(send) => copy(send, tail(write, offset)),
            Step::Received(arrived) => copy(tail_mut(read, offset), arrived),
        })
        .await
    }

    async fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        self.exchange(words.len(), |offset, step| match step {
            Step::Send(send) => copy(send, tail(words, offset)),
            Step::Received(arrived) => copy(tail_mut(words, offset), arrived),
        })
        .await
    }

    /// Waits for an exchange a cancelled call left (every other exchange has
    /// ended before its call returned), then until the port has clocked its
    /// last word out ([`Sent`](dma_traits::Sent)).
    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.settle().await?;
        core::future::poll_fn(|cx| match &self.slot {
            Slot::Idle((port, _, _)) if !dma_traits::Sent::is_sent(port) => {
                cx.waker().wake_by_ref();
                core::task::Poll::Pending
            }
            _ => core::task::Poll::Ready(()),
        })
        .await;
        Ok(())
    }
}

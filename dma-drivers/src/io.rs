//! [`embedded_io`] and [`embedded_io_async`] `Read` / `Write` over any
//! [`DmaRead<u8>`] / [`DmaWrite<u8>`] port, sound when a future is leaked.
//!
//! An async `write(&mut self, buf: &[u8])` cannot lend `buf` to the DMA: the
//! future may be `mem::forget`-ten while the DMA still reads `buf`, and then
//! the caller reuses the memory (the bug of embassy#4378). So the drivers
//! here own a `'static` buffer and copy through it, chunk by chunk: the DMA
//! only ever touches memory nobody else can reach, and a leaked or dropped
//! future leaves the transfer inside the driver, where the next call waits
//! for it. The copy costs one `memcpy` of each chunk (see the closing note of
//! the drivers' benchmark in `docs/driver-guide.md`).
//!
//! The blocking traits run the same code, polled in a loop.
//!
//! ```
//! use dma_drivers::io::DmaWriter;
//! use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
//! use embedded_io::Write;
//!
//! let dma = MockDma::threaded(Recorder::new());
//! let serial = MockSerial::with_default_fence(&dma);
//! let wire = serial.wire();
//! let chunk: &'static mut [u8; 8] = Box::leak(Box::new([0; 8]));
//! let mut tx = DmaWriter::new(serial, chunk);
//! tx.write_all(b"longer than one chunk").unwrap(); // borrowed, copied through
//! tx.flush().unwrap();
//! assert_eq!(wire.take_sent::<u8>(), b"longer than one chunk");
//! ```
//!
//! # Errors
//!
//! Every error leaves the driver usable: the port and the buffer come back
//! from the failed transfer before the error is returned. A failed write
//! says how many bytes of the chunk went out; a failed read keeps the bytes
//! that arrived before the failure and returns them on the next call.
//!
//! # Cancellation
//!
//! Dropping a `write` future may leave its chunk on the way; the next call
//! waits for it (its bytes are sent, but not counted to anyone). Dropping a
//! `read` future loses nothing: the next `read` returns what that reception
//! brought.

use core::fmt;
use core::task::Poll;

use dma_traits::future::DmaWaker;
use dma_traits::{
    DmaRead, DmaWrite, Sent, StaticReadBuffer, StaticWriteBuffer, SubRange, TransferError,
};
use embedded_io::ErrorKind;

use crate::slot::{spin_on, Slot};

/// A failed read or write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IoError<E> {
    /// The port refused or failed a transfer.
    Port {
        /// The port's error.
        error: E,
        /// Bytes of the chunk moved before the failure.
        transferred: usize,
    },
    /// The driver's buffer is empty or its DMA view is shorter than its
    /// `AsMut` view: nothing can be copied through it.
    Buffer,
    /// A panic in the port's own code took the port; the driver is unusable.
    PortLost,
}

impl<E: fmt::Debug> embedded_io::Error for IoError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            IoError::Buffer => ErrorKind::OutOfMemory,
            IoError::Port { .. } | IoError::PortLost => ErrorKind::Other,
        }
    }
}

/// Shows the port's error by `Debug`: `embedded-io` errors must be
/// `core::error::Error`, and a port's error need not be `Display`.
impl<E: fmt::Debug> fmt::Display for IoError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IoError::Port { error, transferred } => {
                write!(f, "DMA port: {error:?} (after {transferred} bytes)")
            }
            IoError::Buffer => f.write_str("the driver's DMA buffer cannot hold a byte"),
            IoError::PortLost => f.write_str("the DMA port was lost to a panic"),
        }
    }
}

impl<E: fmt::Debug> core::error::Error for IoError<E> {}

/// The port's error of a failed transfer, with everything handed back.
fn failed<E, B, R>(failure: TransferError<E, B, R>) -> (R, B, IoError<E>) {
    let error = IoError::Port { error: failure.error, transferred: failure.transferred };
    (failure.resources, failure.buffer, error)
}

/// Bytes the DMA can move through `buffer`: its `AsMut` view, cut to its DMA view.
fn capacity(dma_len: usize, view: &mut [u8]) -> usize {
    dma_len.min(view.len())
}

/// `embedded-io` `Write` over a DMA port `P`, through the `'static` buffer `B`.
pub struct DmaWriter<P: DmaWrite<u8>, B: StaticReadBuffer<Word = u8> + AsMut<[u8]>> {
    slot: Slot<(P, B), P::Transfer<SubRange<B>>>,
    capacity: usize,
    waker: Option<&'static DmaWaker>,
}

impl<P, B> fmt::Debug for DmaWriter<P, B>
where
    P: DmaWrite<u8>,
    B: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DmaWriter").field("capacity", &self.capacity).finish_non_exhaustive()
    }
}

impl<P, B> DmaWriter<P, B>
where
    P: DmaWrite<u8>,
    B: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
{
    /// A writer on `port` that copies through `buffer`. Its futures poll
    /// again at once while the DMA runs; see [`with_waker`](Self::with_waker).
    pub fn new(port: P, mut buffer: B) -> Self {
        let capacity = capacity(buffer.dma_read_buffer().1, buffer.as_mut());
        DmaWriter { slot: Slot::Idle((port, buffer)), capacity, waker: None }
    }

    /// Sleeps until `waker` is woken (by the channel's interrupt) instead of
    /// polling in a loop.
    pub fn with_waker(mut self, waker: &'static DmaWaker) -> Self {
        self.waker = Some(waker);
        self
    }

    /// Waits for a transfer left by a cancelled call, then gives back the
    /// port and the buffer; `None` after a panic in the port took them.
    pub fn release(mut self) -> Option<(P, B)> {
        spin_on(self.settle()).ok()?;
        self.slot.take_idle()
    }

    /// Ends the transfer a cancelled call left (its outcome is nobody's).
    async fn settle(&mut self) -> Result<(), IoError<P::Error>> {
        match self.slot.end(self.waker).await {
            Some(Ok(done)) => self.slot = Slot::Idle((done.resources, done.buffer.into_inner())),
            Some(Err(failure)) => {
                let (port, buffer, _) = failed(failure);
                self.slot = Slot::Idle((port, buffer.into_inner()));
            }
            None => {}
        }
        match self.slot {
            Slot::Idle(_) => Ok(()),
            _ => Err(IoError::PortLost),
        }
    }

    /// Ends what a cancelled call left, then waits until the port's last
    /// byte has left it ([`Sent`]): "flushed" means on the wire.
    async fn drain(&mut self) -> Result<(), IoError<P::Error>>
    where
        P: Sent,
    {
        self.settle().await?;
        core::future::poll_fn(|cx| match &self.slot {
            Slot::Idle((port, _)) if !port.is_sent() => {
                // The tail is one frame: poll again soon.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            _ => Poll::Ready(()),
        })
        .await;
        Ok(())
    }

    /// Sends the first chunk of `data` and waits until it is out of memory.
    async fn write_chunk(&mut self, data: &[u8]) -> Result<usize, IoError<P::Error>> {
        if data.is_empty() {
            return Ok(0);
        }
        self.settle().await?;
        let (port, mut buffer) = self.slot.take_idle().ok_or(IoError::PortLost)?;
        let len = data.len().min(self.capacity);
        let (chunk, _) = buffer.as_mut().split_at_mut(len);
        chunk.copy_from_slice(data.get(..len).unwrap_or_default());
        let sub = match SubRange::of_read(buffer, 0..len) {
            Ok(sub) if len > 0 => sub,
            Ok(sub) => return self.refill(port, sub.into_inner(), IoError::Buffer),
            Err((buffer, _)) => return self.refill(port, buffer, IoError::Buffer),
        };
        match port.write_all(sub) {
            Ok(transfer) => self.slot = Slot::Busy(transfer),
            Err(refused) => {
                let (port, sub, error) = failed(refused);
                return self.refill(port, sub.into_inner(), error);
            }
        }
        match self.slot.end(self.waker).await {
            Some(Ok(done)) => {
                self.slot = Slot::Idle((done.resources, done.buffer.into_inner()));
                Ok(done.transferred)
            }
            Some(Err(failure)) => {
                let (port, sub, error) = failed(failure);
                self.refill(port, sub.into_inner(), error)
            }
            None => Err(IoError::PortLost),
        }
    }

    /// Puts the port and the buffer back and returns `error`.
    fn refill(
        &mut self,
        port: P,
        buffer: B,
        error: IoError<P::Error>,
    ) -> Result<usize, IoError<P::Error>> {
        self.slot = Slot::Idle((port, buffer));
        Err(error)
    }
}

impl<P, B> embedded_io::ErrorType for DmaWriter<P, B>
where
    P: DmaWrite<u8>,
    P::Error: fmt::Debug,
    B: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
{
    type Error = IoError<P::Error>;
}

impl<P, B> embedded_io_async::Write for DmaWriter<P, B>
where
    P: DmaWrite<u8> + Sent,
    P::Error: fmt::Debug,
    B: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
{
    /// Copies up to one buffer of `buf` and returns once the DMA has read it.
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.write_chunk(buf).await
    }

    /// Waits for a chunk a cancelled `write` left, then until the port has
    /// shifted its last byte out ([`Sent`]).
    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.drain().await
    }
}

impl<P, B> embedded_io::Write for DmaWriter<P, B>
where
    P: DmaWrite<u8> + Sent,
    P::Error: fmt::Debug,
    B: StaticReadBuffer<Word = u8> + AsMut<[u8]>,
{
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        spin_on(self.write_chunk(buf))
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        spin_on(self.drain())
    }
}

/// What a reader holds besides the port.
struct Received<B> {
    buffer: B,
    /// The bytes of `buffer` not yet handed out.
    unread: core::ops::Range<usize>,
}

/// `embedded-io` `Read` over a DMA port `P`, through the `'static` buffer `B`.
pub struct DmaReader<P: DmaRead<u8>, B: StaticWriteBuffer<Word = u8> + AsMut<[u8]>> {
    slot: Slot<(P, Received<B>), P::Transfer<SubRange<B>>>,
    capacity: usize,
    waker: Option<&'static DmaWaker>,
}

impl<P, B> fmt::Debug for DmaReader<P, B>
where
    P: DmaRead<u8>,
    B: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DmaReader").field("capacity", &self.capacity).finish_non_exhaustive()
    }
}

impl<P, B> DmaReader<P, B>
where
    P: DmaRead<u8>,
    B: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    /// A reader on `port` that receives into `buffer`. Its futures poll
    /// again at once while the DMA runs; see [`with_waker`](Self::with_waker).
    pub fn new(port: P, mut buffer: B) -> Self {
        let capacity = capacity(buffer.dma_write_buffer().1, buffer.as_mut());
        let received = Received { buffer, unread: 0..0 };
        DmaReader { slot: Slot::Idle((port, received)), capacity, waker: None }
    }

    /// Sleeps until `waker` is woken (by the channel's interrupt) instead of
    /// polling in a loop.
    pub fn with_waker(mut self, waker: &'static DmaWaker) -> Self {
        self.waker = Some(waker);
        self
    }

    /// Waits for a reception left by a cancelled call, then gives back the
    /// port and the buffer (with the bytes not yet read, as a range of it);
    /// `None` after a panic in the port took them.
    pub fn release(mut self) -> Option<(P, B, core::ops::Range<usize>)> {
        let _ = spin_on(self.settle());
        self.slot.take_idle().map(|(port, received)| (port, received.buffer, received.unread))
    }

    /// Ends a reception in flight and keeps what it brought for the next read.
    async fn settle(&mut self) -> Result<(), IoError<P::Error>> {
        let outcome = match self.slot.end(self.waker).await {
            Some(outcome) => outcome,
            None => return Ok(()),
        };
        let (port, sub, transferred, error) = match outcome {
            Ok(done) => (done.resources, done.buffer, done.transferred, None),
            Err(failure) => {
                let transferred = failure.transferred;
                let (port, sub, error) = failed(failure);
                (port, sub, transferred, Some(error))
            }
        };
        let start = sub.range().start;
        let unread = start..start + transferred;
        self.slot = Slot::Idle((port, Received { buffer: sub.into_inner(), unread }));
        error.map_or(Ok(()), Err)
    }

    /// Hands out received bytes, receiving a chunk first if none are left.
    async fn read_chunk(&mut self, out: &mut [u8]) -> Result<usize, IoError<P::Error>> {
        if out.is_empty() {
            return Ok(0);
        }
        self.settle().await?;
        let (mut port, mut received) = self.slot.take_idle().ok_or(IoError::PortLost)?;
        if received.unread.is_empty() {
            let len = out.len().min(self.capacity);
            let sub = match SubRange::of_write(received.buffer, 0..len) {
                Ok(sub) if len > 0 => sub,
                Ok(sub) => return self.refill(port, sub.into_inner(), IoError::Buffer),
                Err((buffer, _)) => return self.refill(port, buffer, IoError::Buffer),
            };
            match port.read_exact(sub) {
                Ok(transfer) => self.slot = Slot::Busy(transfer),
                Err(refused) => {
                    let (port, sub, error) = failed(refused);
                    return self.refill(port, sub.into_inner(), error);
                }
            }
            self.settle().await?;
            (port, received) = self.slot.take_idle().ok_or(IoError::PortLost)?;
        }
        let unread = received.buffer.as_mut().get(received.unread.clone()).unwrap_or_default();
        let n = unread.len().min(out.len());
        let (now, _) = out.split_at_mut(n);
        now.copy_from_slice(unread.get(..n).unwrap_or_default());
        received.unread.start += n;
        self.slot = Slot::Idle((port, received));
        Ok(n)
    }

    /// Puts the port and the (empty) buffer back and returns `error`.
    fn refill(
        &mut self,
        port: P,
        buffer: B,
        error: IoError<P::Error>,
    ) -> Result<usize, IoError<P::Error>> {
        self.slot = Slot::Idle((port, Received { buffer, unread: 0..0 }));
        Err(error)
    }
}

impl<P, B> embedded_io::ErrorType for DmaReader<P, B>
where
    P: DmaRead<u8>,
    P::Error: fmt::Debug,
    B: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    type Error = IoError<P::Error>;
}

impl<P, B> embedded_io_async::Read for DmaReader<P, B>
where
    P: DmaRead<u8>,
    P::Error: fmt::Debug,
    B: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    /// Returns bytes left from an earlier reception, or else receives exactly
    /// `min(buf.len(), buffer length)` bytes and returns them.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        self.read_chunk(buf).await
    }
}

impl<P, B> embedded_io::Read for DmaReader<P, B>
where
    P: DmaRead<u8>,
    P::Error: fmt::Debug,
    B: StaticWriteBuffer<Word = u8> + AsMut<[u8]>,
{
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        spin_on(self.read_chunk(buf))
    }
}

//! [`embedded_hal::spi::SpiBus`] over any [`DmaFullDuplex<u8>`] port.
//!
//! `SpiBus` lends borrowed buffers, so every exchange goes through the scoped
//! API ([`DmaFullDuplex::transfer_scoped`]): the transfer never leaves the
//! call, and a panic unwinding through it stops the DMA before the borrow
//! ends. Each exchange clocks equal lengths out and in, at most the port's
//! [`max_len`](DmaFullDuplex::max_len) bytes; one-way parts
//! (`read`, `write`, the longer tail of `transfer`) clock the fill byte out
//! or drop the input through internal buffers of `N` bytes.
//!
//! When the port refuses to start on the caller's memory (EasyDMA cannot
//! read flash, a length above the port's limit, ...), the bus copies the
//! data through its own RAM buffers, `N` bytes at a time, and tries again.
//!
//! ```
//! use dma_drivers::spi_bus::DmaSpiBus;
//! use dma_impl_mock::{peripheral::MockSpi, record::Recorder, MockDma};
//! use embedded_hal::spi::SpiBus;
//!
//! let dma = MockDma::threaded(Recorder::new());
//! let spi = MockSpi::new(&dma, dma_traits::CompilerFence);
//! let wire = spi.wire();
//! wire.deliver(&[0xA0u8, 0xA1, 0xA2]);
//! let mut bus: DmaSpiBus<_> = DmaSpiBus::new(spi);
//! let mut status = [0u8; 3];
//! bus.transfer(&mut status, &[0x05]).unwrap(); // borrowed, on the stack
//! assert_eq!(status, [0xA0, 0xA1, 0xA2]);
//! assert_eq!(wire.take_sent::<u8>(), [0x05, 0x00, 0x00]);
//! ```

use core::fmt;

use dma_traits::DmaFullDuplex;
use embedded_hal::spi::{ErrorKind, ErrorType, SpiBus};

/// A failed bus operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpiBusError<E> {
    /// The port refused or failed an exchange (also through the bounce
    /// buffers); `kind` is the port error's [`ErrorKind`].
    Port {
        /// The port's error.
        error: E,
        /// Its `embedded-hal` kind.
        kind: ErrorKind,
    },
    /// A panic in the port's own code took the port; the bus is unusable.
    PortLost,
    /// The bus's own buffers hold no byte the DMA can use (an async bus
    /// built on empty buffers); nothing was exchanged.
    NoBuffer,
}

impl<E: fmt::Debug> embedded_hal::spi::Error for SpiBusError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            SpiBusError::Port { kind, .. } => *kind,
            SpiBusError::PortLost | SpiBusError::NoBuffer => ErrorKind::Other,
        }
    }
}

impl<E: fmt::Display> fmt::Display for SpiBusError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpiBusError::Port { error, kind } => write!(f, "SPI ({kind}): {error}"),
            SpiBusError::PortLost => f.write_str("the SPI port was lost to a panic"),
            SpiBusError::NoBuffer => f.write_str("the bus's DMA buffers cannot hold a byte"),
        }
    }
}

/// Maps every error to [`ErrorKind::Other`] (the default of [`DmaSpiBus`]).
pub fn other_kind<E>(_: &E) -> ErrorKind {
    ErrorKind::Other
}

/// The kinds of `dma_impl_nrf` errors: overrun is [`ErrorKind::Overrun`].
#[cfg(feature = "nrf52840")]
pub fn nrf_error_kind(error: &dma_impl_nrf::Error) -> ErrorKind {
    match error {
        dma_impl_nrf::Error::Overrun => ErrorKind::Overrun,
        _ => ErrorKind::Other,
    }
}

/// What one exchange sends.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// These bytes.
    Bytes(&'a [u8]),
    /// The fill byte.
    Fill,
    /// The destination's bytes (in place).
    Destination,
}

/// Where one exchange's input goes.
enum Destination<'a> {
    /// Into these bytes.
    Bytes(&'a mut [u8]),
    /// Nowhere.
    Discard,
}

/// How an exchange ended.
enum Exchange<E> {
    Done,
    /// The port would not start; nothing moved.
    Refused(E),
    /// It started and failed.
    Failed(E),
}

/// The first `len` bytes of `buffer` (all of it if shorter).
fn prefix_mut(buffer: &mut [u8], len: usize) -> &mut [u8] {
    buffer.split_at_mut(len.min(buffer.len())).0
}

/// Copies as many bytes as both slices hold.
fn copy(to: &mut [u8], from: &[u8]) {
    for (t, f) in to.iter_mut().zip(from) {
        *t = *f;
    }
}

/// One scoped full-duplex exchange; the port always comes back (unless its
/// own code panics, which unwinds through here after stopping the DMA).
fn exchange<P: DmaFullDuplex<u8>>(port: P, tx: &[u8], rx: &mut [u8]) -> (P, Exchange<P::Error>) {
    let (ran, outcome) = port.transfer_scoped(tx, rx, |_| ());
    match outcome {
        Ok(done) => (done.resources, Exchange::Done),
        Err(e) if ran.is_none() => (e.resources, Exchange::Refused(e.error)),
        Err(e) => (e.resources, Exchange::Failed(e.error)),
    }
}

/// An [`SpiBus`] on DMA port `P`, with `N`-byte RAM buffers for one-way
/// exchanges and bouncing (see the [module](self)). `N` must not be 0.
pub struct DmaSpiBus<P: DmaFullDuplex<u8>, const N: usize = 32> {
    port: Option<P>,
    max_transfer: usize,
    fill: u8,
    kind: fn(&P::Error) -> ErrorKind,
    bounce_tx: [u8; N],
    bounce_rx: [u8; N],
}

impl<P: DmaFullDuplex<u8>, const N: usize> fmt::Debug for DmaSpiBus<P, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DmaSpiBus")
            .field("has_port", &self.port.is_some())
            .field("max_transfer", &self.max_transfer)
            .field("fill", &self.fill)
            .field("bounce", &N)
            .finish()
    }
}

impl<P: DmaFullDuplex<u8>, const N: usize> DmaSpiBus<P, N> {
    /// Refuses `N = 0` at compile time: nothing could be bounced.
    const BOUNCE_NOT_EMPTY: () = assert!(N > 0, "DmaSpiBus needs N > 0");

    /// A bus on `port`: exchanges split at the port's
    /// [`max_len`](DmaFullDuplex::max_len), fill byte 0x00, every error
    /// [`ErrorKind::Other`].
    pub fn new(port: P) -> Self {
        let () = Self::BOUNCE_NOT_EMPTY;
        let max_transfer = port.max_len().max(1);
        DmaSpiBus {
            port: Some(port),
            max_transfer,
            fill: 0,
            kind: other_kind::<P::Error>,
            bounce_tx: [0; N],
            bounce_rx: [0; N],
        }
    }

    /// Splits exchanges at `max` bytes (at least 1) instead of the port's
    /// `max_len`. A refused exchange is retried `N` bytes at a time anyway.
    pub fn with_max_transfer(mut self, max: usize) -> Self {
        self.max_transfer = max.max(1);
        self
    }

    /// The byte clocked out while only reading.
    pub fn with_fill_byte(mut self, fill: u8) -> Self {
        self.fill = fill;
        self
    }

    /// How the port's errors map to [`ErrorKind`]s (e.g. `nrf_error_kind`).
    pub fn with_error_kind(mut self, kind: fn(&P::Error) -> ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// The port back; `None` only after a panic in the port took it.
    pub fn release(self) -> Option<P> {
        self.port
    }

    fn one_way_chunk(&self) -> usize {
        N.min(self.max_transfer)
    }

    fn error(&self, error: P::Error) -> SpiBusError<P::Error> {
        let kind = (self.kind)(&error);
        SpiBusError::Port { error, kind }
    }

    /// One exchange of `len` bytes: straight from the caller's memory, or
    /// through the bounce buffers if the port refuses that memory.
    fn chunk(
        &mut self,
        source: Source<'_>,
        mut destination: Destination<'_>,
        len: usize,
    ) -> Result<(), SpiBusError<P::Error>> {
        match self.direct(source, &mut destination, len)? {
            Exchange::Done => Ok(()),
            Exchange::Refused(_) => self.bounced(source, destination, len),
            Exchange::Failed(error) => Err(self.error(error)),
        }
    }

    /// Exchanges on the caller's memory (the internal buffers stand in for
    /// fill bytes and dropped input).
    fn direct(
        &mut self,
        source: Source<'_>,
        destination: &mut Destination<'_>,
        len: usize,
    ) -> Result<Exchange<P::Error>, SpiBusError<P::Error>> {
        let port = self.port.take().ok_or(SpiBusError::PortLost)?;
        let tx: &[u8] = match (source, &*destination) {
            (Source::Bytes(bytes), _) => bytes,
            (Source::Fill, _) => {
                let tx = prefix_mut(&mut self.bounce_tx, len);
                tx.fill(self.fill);
                tx
            }
            (Source::Destination, Destination::Bytes(bytes)) => {
                let tx = prefix_mut(&mut self.bounce_tx, len);
                copy(tx, bytes);
                tx
            }
            (Source::Destination, Destination::Discard) => &[],
        };
        let rx: &mut [u8] = match destination {
            Destination::Bytes(bytes) => bytes,
            Destination::Discard => prefix_mut(&mut self.bounce_rx, len),
        };
        let (port, result) = exchange(port, tx, rx);
        self.port = Some(port);
        Ok(result)
    }

    /// Exchanges through the bounce buffers, `N` bytes at a time.
    fn bounced(
        &mut self,
        mut source: Source<'_>,
        mut destination: Destination<'_>,
        len: usize,
    ) -> Result<(), SpiBusError<P::Error>> {
        let mut remaining = len;
        while remaining > 0 {
            let n = remaining.min(N);
            let (source_now, source_rest) = match source {
                Source::Bytes(bytes) => {
                    let (now, rest) = bytes.split_at(n.min(bytes.len()));
                    (Source::Bytes(now), Source::Bytes(rest))
                }
                other => (other, other),
            };
            let (mut destination_now, destination_rest) = match destination {
                Destination::Bytes(bytes) => {
                    let at = n.min(bytes.len());
                    let (now, rest) = bytes.split_at_mut(at);
                    (Destination::Bytes(now), Destination::Bytes(rest))
                }
                Destination::Discard => (Destination::Discard, Destination::Discard),
            };
            let port = self.port.take().ok_or(SpiBusError::PortLost)?;
            let tx = prefix_mut(&mut self.bounce_tx, n);
            match (source_now, &destination_now) {
                (Source::Bytes(bytes), _) => copy(tx, bytes),
                (Source::Destination, Destination::Bytes(bytes)) => copy(tx, bytes),
                _ => tx.fill(self.fill),
            }
            let rx = prefix_mut(&mut self.bounce_rx, n);
            let (port, result) = exchange(port, tx, rx);
            self.port = Some(port);
            match result {
                Exchange::Done => {
                    if let Destination::Bytes(bytes) = &mut destination_now {
                        copy(bytes, prefix_mut(&mut self.bounce_rx, n));
                    }
                }
                Exchange::Refused(error) | Exchange::Failed(error) => {
                    return Err(self.error(error));
                }
            }
            source = source_rest;
            destination = destination_rest;
            remaining -= n;
        }
        Ok(())
    }
}

impl<P: DmaFullDuplex<u8>, const N: usize> ErrorType for DmaSpiBus<P, N>
where
    P::Error: fmt::Debug,
{
    type Error = SpiBusError<P::Error>;
}

impl<P: DmaFullDuplex<u8> + dma_traits::Sent, const N: usize> SpiBus<u8> for DmaSpiBus<P, N>
where
    P::Error: fmt::Debug,
{
    fn read(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in words.chunks_mut(self.one_way_chunk()) {
            let len = chunk.len();
            self.chunk(Source::Fill, Destination::Bytes(chunk), len)?;
        }
        Ok(())
    }

    fn write(&mut self, words: &[u8]) -> Result<(), Self::Error> {
        for chunk in words.chunks(self.one_way_chunk()) {
            self.chunk(Source::Bytes(chunk), Destination::Discard, chunk.len())?;
        }
        Ok(())
    }

    fn transfer(&mut self, read: &mut [u8], write: &[u8]) -> Result<(), Self::Error> {
        let common = read.len().min(write.len());
        let (read_both, read_rest) = read.split_at_mut(common);
        let (write_both, write_rest) = write.split_at(common);
        let max = self.max_transfer;
        for (rx, tx) in read_both.chunks_mut(max).zip(write_both.chunks(max)) {
            let len = rx.len();
            self.chunk(Source::Bytes(tx), Destination::Bytes(rx), len)?;
        }
        self.read(read_rest)?;
        self.write(write_rest)
    }

    fn transfer_in_place(&mut self, words: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in words.chunks_mut(self.one_way_chunk()) {
            let len = chunk.len();
            self.chunk(Source::Destination, Destination::Bytes(chunk), len)?;
        }
        Ok(())
    }

    /// Every operation waits for its transfers; this waits until the port
    /// has also clocked the last word out ([`Sent`](dma_traits::Sent)).
    fn flush(&mut self) -> Result<(), Self::Error> {
        match &self.port {
            Some(port) => {
                port.wait_sent();
                Ok(())
            }
            None => Err(SpiBusError::PortLost),
        }
    }
}

//! A logger that streams records over any DMA serial port, double buffered.
//!
//! The application appends records to one `'static` buffer while the other
//! one is on the wire; [`Logger::poll`] swaps them when the transfer has
//! finished. Only the filled part goes out ([`SubRange`]). Logging never waits
//! for the wire: a record that does not fit is dropped, counted, and reported
//! in the stream (`<N records dropped>\n`) as soon as there is room.
//!
//! ```
//! use core::fmt::Write;
//! use dma_drivers::logger::Logger;
//! use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
//!
//! let dma = MockDma::threaded(Recorder::new());
//! let serial = MockSerial::with_default_fence(&dma);
//! let wire = serial.wire();
//! let (a, b) = (Box::leak(Box::new([0u8; 32])), Box::leak(Box::new([0u8; 32])));
//! let mut log = Logger::new(serial, a, b);
//! writeln!(log, "boot {}", 1).unwrap();
//! log.flush().unwrap();
//! assert_eq!(wire.take_sent::<u8>(), b"boot 1\n");
//! ```

use core::fmt;
use core::mem;

use dma_traits::{DmaWrite, SubRange, Transfer};

use crate::cursor;

/// A logger buffer: `'static`, so a transfer of it may even be leaked.
pub type LogBuffer = &'static mut [u8];

/// Where the port and the buffer not being filled are.
enum Link<P: DmaWrite<u8>> {
    /// The port waits; `spare` is free.
    Idle { port: P, spare: LogBuffer },
    /// `filled` bytes of a buffer go out, the part in the transfer first.
    Sending { transfer: P::Transfer<SubRange<LogBuffer>>, filled: usize },
    /// The port's own code panicked while it had the port; nothing is left.
    Lost,
}

/// Why records did not reach the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogError<E> {
    /// The port refused or failed a transfer. The logger keeps the port and
    /// both buffers and goes on; `lost` bytes of records did not go out.
    Port {
        /// The port's error.
        error: E,
        /// Bytes of records that were not sent.
        lost: usize,
    },
    /// A panic in the port's own code took the port; the logger is unusable.
    PortLost,
}

impl<E: fmt::Display> fmt::Display for LogError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LogError::Port { error, lost } => write!(f, "{error}; {lost} bytes of records lost"),
            LogError::PortLost => f.write_str("the serial port was lost to a panic"),
        }
    }
}

/// A record did not fit the free buffer and was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordDropped {
    /// Records dropped since the logger was made, this one included.
    pub total: u32,
}

impl fmt::Display for RecordDropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "log buffer full, record dropped ({} so far)", self.total)
    }
}

/// Everything a logger owned, given back by [`Logger::release`].
#[derive(Debug)]
pub struct Released<P, E> {
    /// The serial port.
    pub port: P,
    /// The two buffers.
    pub buffers: [LogBuffer; 2],
    /// Bytes of records appended but never sent.
    pub unsent: usize,
    /// The last transfer's error, if it failed.
    pub error: Option<LogError<E>>,
}

/// A double-buffered DMA logger on serial port `P` (see the [module](self)).
pub struct Logger<P: DmaWrite<u8>> {
    link: Link<P>,
    filling: LogBuffer,
    len: usize,
    max_transfer: usize,
    unreported: u32,
    dropped: u32,
}

impl<P: DmaWrite<u8>> fmt::Debug for Logger<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let link = match self.link {
            Link::Idle { .. } => "idle",
            Link::Sending { .. } => "sending",
            Link::Lost => "lost",
        };
        f.debug_struct("Logger")
            .field("link", &link)
            .field("pending", &self.len)
            .field("dropped", &self.dropped)
            .finish()
    }
}

impl<P: DmaWrite<u8>> Logger<P> {
    /// A logger sending on `port`, filling `first` and `second` in turn.
    pub fn new(port: P, first: LogBuffer, second: LogBuffer) -> Self {
        Logger {
            link: Link::Idle { port, spare: second },
            filling: first,
            len: 0,
            max_transfer: usize::MAX,
            unreported: 0,
            dropped: 0,
        }
    }

    /// Sends at most `max` bytes per transfer (for ports with a short length
    /// register, such as the nRF52832's 255-byte `MAXCNT`). At least 1.
    pub fn with_max_transfer(mut self, max: usize) -> Self {
        self.max_transfer = max.max(1);
        self
    }

    /// Appends one formatted record; it goes out whole or not at all.
    ///
    /// # Errors
    ///
    /// [`RecordDropped`] when it does not fit the buffer being filled; the
    /// drop is counted and reported on the wire later.
    pub fn log(&mut self, args: fmt::Arguments<'_>) -> Result<(), RecordDropped> {
        if self.unreported > 0 {
            let note = format_args!("<{} records dropped>\n", self.unreported);
            if cursor::append(self.filling, &mut self.len, note) {
                self.unreported = 0;
            }
        }
        if cursor::append(self.filling, &mut self.len, args) {
            Ok(())
        } else {
            self.unreported = self.unreported.saturating_add(1);
            self.dropped = self.dropped.saturating_add(1);
            Err(RecordDropped { total: self.dropped })
        }
    }

    /// Records dropped so far because the buffer was full.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// Bytes appended and not yet handed to the DMA.
    pub fn pending(&self) -> usize {
        self.len
    }

    /// Whether a transfer is in flight.
    pub fn is_sending(&self) -> bool {
        matches!(self.link, Link::Sending { .. })
    }

    /// Moves things along without blocking: ends a finished transfer, sends
    /// the rest of its buffer if it was chunked, and otherwise hands the
    /// filled buffer to the DMA and starts filling the other one.
    ///
    /// # Errors
    ///
    /// [`LogError::Port`] when a transfer was refused or failed (the logger
    /// keeps working), [`LogError::PortLost`] after a panic in the port.
    pub fn poll(&mut self) -> Result<(), LogError<P::Error>> {
        match mem::replace(&mut self.link, Link::Lost) {
            Link::Lost => Err(LogError::PortLost),
            Link::Sending { transfer, filled } if !transfer.is_done() => {
                self.link = Link::Sending { transfer, filled };
                Ok(())
            }
            Link::Sending { transfer, filled } => match transfer.stop() {
                Ok(done) => {
                    let sent_to = done.buffer.range().end;
                    let buffer = done.buffer.into_inner();
                    if sent_to < filled {
                        self.start(done.resources, buffer, sent_to, filled)
                    } else {
                        self.link = Link::Idle { port: done.resources, spare: buffer };
                        self.swap()
                    }
                }
                Err(failed) => {
                    let sent_to = failed.buffer.range().start.saturating_add(failed.transferred);
                    let spare = failed.buffer.into_inner();
                    self.link = Link::Idle { port: failed.resources, spare };
                    Err(LogError::Port {
                        error: failed.error,
                        lost: filled.saturating_sub(sent_to),
                    })
                }
            },
            idle @ Link::Idle { .. } => {
                self.link = idle;
                self.swap()
            }
        }
    }

    /// Sends everything appended so far and waits until it is on the wire.
    ///
    /// # Errors
    ///
    /// As for [`poll`](Self::poll); the first error ends the flush.
    pub fn flush(&mut self) -> Result<(), LogError<P::Error>> {
        loop {
            self.poll()?;
            if !self.is_sending() && self.len == 0 {
                return Ok(());
            }
            core::hint::spin_loop();
        }
    }

    /// Waits for the transfer in flight and gives everything back; `None`
    /// only after a panic in the port took it ([`LogError::PortLost`]).
    pub fn release(self) -> Option<Released<P, P::Error>> {
        let unsent = self.len;
        match self.link {
            Link::Lost => None,
            Link::Idle { port, spare } => {
                Some(Released { port, buffers: [self.filling, spare], unsent, error: None })
            }
            Link::Sending { transfer, filled } => Some(match transfer.wait() {
                Ok(done) => {
                    let sent_to = done.buffer.range().end;
                    Released {
                        port: done.resources,
                        buffers: [self.filling, done.buffer.into_inner()],
                        unsent: unsent.saturating_add(filled.saturating_sub(sent_to)),
                        error: None,
                    }
                }
                Err(failed) => {
                    let sent_to = failed.buffer.range().start.saturating_add(failed.transferred);
                    let lost = filled.saturating_sub(sent_to);
                    Released {
                        port: failed.resources,
                        buffers: [self.filling, failed.buffer.into_inner()],
                        unsent: unsent.saturating_add(lost),
                        error: Some(LogError::Port { error: failed.error, lost }),
                    }
                }
            }),
        }
    }

    /// With the port idle and records waiting: hands the filled buffer to
    /// the DMA and makes the spare one the buffer being filled.
    fn swap(&mut self) -> Result<(), LogError<P::Error>> {
        if self.len == 0 {
            return Ok(());
        }
        match mem::replace(&mut self.link, Link::Lost) {
            Link::Idle { port, spare } => {
                let full = mem::replace(&mut self.filling, spare);
                let filled = mem::take(&mut self.len);
                self.start(port, full, 0, filled)
            }
            other => {
                self.link = other;
                Ok(())
            }
        }
    }

    /// Starts sending `buffer[from..filled]`, at most `max_transfer` bytes.
    fn start(
        &mut self,
        port: P,
        buffer: LogBuffer,
        from: usize,
        filled: usize,
    ) -> Result<(), LogError<P::Error>> {
        let to = filled.min(from.saturating_add(self.max_transfer));
        let range = match SubRange::of_read(buffer, from..to) {
            Ok(range) => range,
            Err((spare, _)) => {
                // Unreachable (`from <= to <= filled <= len`); give up the rest.
                self.link = Link::Idle { port, spare };
                return Ok(());
            }
        };
        match port.write_all(range) {
            Ok(transfer) => {
                self.link = Link::Sending { transfer, filled };
                Ok(())
            }
            Err(rejected) => {
                let spare = rejected.buffer.into_inner();
                self.link = Link::Idle { port: rejected.resources, spare };
                Err(LogError::Port { error: rejected.error, lost: filled.saturating_sub(from) })
            }
        }
    }
}

/// `write!(logger, ..)` appends one whole record (as [`Logger::log`]); a
/// direct `write_str` call is a record of its own.
impl<P: DmaWrite<u8>> fmt::Write for Logger<P> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        self.log(format_args!("{text}")).map_err(|_| fmt::Error)
    }

    fn write_fmt(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        self.log(args).map_err(|_| fmt::Error)
    }
}

//! A WS2812 (NeoPixel) LED strip on the MOSI line of an SPI port, by DMA.
//!
//! The SPI clock runs at 2.4 MHz, so three SPI bits last 1.25 µs, one LED
//! bit: `110` sends a 1 (high 0.83 µs), `100` a 0 (high 0.42 µs). One LED
//! (green, red, blue, 8 bits each) is [`BYTES_PER_LED`] SPI bytes, and a
//! frame ends with [`RESET_BYTES`] zero bytes (320 µs low) that latch it.
//!
//! The application draws into one `'static` frame buffer while the other is
//! on the wire; [`Strip::show`] swaps them. The driver needs only
//! [`DmaWrite<u8>`]: the data-in line of the strip is wired to MOSI.
//!
//! A frame longer than the port's [`max_len`](DmaWrite::max_len) (255
//! bytes on an nRF52832, 28 LEDs) goes out in chunks of whole LEDs, each
//! started when the one before has left memory, from [`Strip::is_busy`],
//! [`Strip::wait`] or [`Strip::show`]. The line is low between chunks, so
//! poll often enough that the gap stays shorter than the strip's reset time
//! (50 µs for the WS2812, 280 µs for the WS2812B), or the LEDs latch early.
//!
//! ```
//! use dma_drivers::ws2812::{frame_len, Rgb, Strip};
//! use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
//!
//! let dma = MockDma::threaded(Recorder::new());
//! let spi = MockSerial::with_default_fence(&dma); // any DmaWrite<u8>
//! let wire = spi.wire();
//! let a = Box::leak(vec![0u8; frame_len(1)].into_boxed_slice());
//! let b = Box::leak(vec![0u8; frame_len(1)].into_boxed_slice());
//! let mut strip = Strip::new(spi, a, b, 1).unwrap();
//! strip.set(0, Rgb { r: 0xFF, g: 0, b: 0 }).unwrap();
//! strip.show().unwrap();
//! strip.wait().unwrap();
//! let sent = wire.take_sent::<u8>();
//! assert_eq!(sent[..9], [0x92, 0x49, 0x24, 0xDB, 0x6D, 0xB6, 0x92, 0x49, 0x24]);
//! assert!(sent[9..].iter().all(|&b| b == 0));
//! ```

use core::fmt;
use core::mem;

use dma_traits::{DmaWrite, SubRange, Transfer};

/// SPI bytes per LED: 24 colour bits, 3 SPI bits each.
pub const BYTES_PER_LED: usize = 9;

/// Zero bytes after the LEDs: 96 × 8 bits at 2.4 MHz = 320 µs low, longer
/// than the 280 µs reset of the WS2812B.
pub const RESET_BYTES: usize = 96;

/// The SPI clock the encoding is made for, in hertz.
pub const SPI_HZ: u32 = 2_400_000;

/// Bytes of a frame buffer for `leds` LEDs (encoded colours and the reset).
pub const fn frame_len(leds: usize) -> usize {
    leds * BYTES_PER_LED + RESET_BYTES
}

/// A colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

/// The 24 SPI bits (3 bytes, MSB first) that send `value` to a WS2812.
///
/// ```
/// use dma_drivers::ws2812::encode;
/// assert_eq!(encode(0x00), [0x92, 0x49, 0x24]); // 100 100 100 ...
/// assert_eq!(encode(0xFF), [0xDB, 0x6D, 0xB6]); // 110 110 110 ...
/// ```
pub const fn encode(value: u8) -> [u8; 3] {
    let mut bits: u32 = 0;
    let mut bit = 8;
    while bit > 0 {
        bit -= 1;
        let symbol = if value & (1 << bit) != 0 { 0b110 } else { 0b100 };
        bits = (bits << 3) | symbol;
    }
    let [_, high, middle, low] = bits.to_be_bytes();
    [high, middle, low]
}

/// A frame buffer: `'static`, so the transfer may even be leaked.
pub type FrameBuffer = &'static mut [u8];

/// Why the strip did not start.
#[derive(Debug)]
pub struct SetupError<P> {
    /// The port, given back.
    pub port: P,
    /// The two buffers, given back.
    pub buffers: [FrameBuffer; 2],
    /// Bytes each buffer needs ([`frame_len`]).
    pub needed: usize,
}

/// Why a frame did not go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StripError<E> {
    /// The port refused or failed the transfer; the strip keeps the port and
    /// both buffers, and the frame drawn stays in the drawing buffer if it was
    /// refused.
    Port(E),
    /// A panic in the port's own code took the port; the strip is unusable.
    PortLost,
}

impl<E: fmt::Display> fmt::Display for StripError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StripError::Port(e) => write!(f, "LED strip port: {e}"),
            StripError::PortLost => f.write_str("the LED strip port was lost to a panic"),
        }
    }
}

/// An LED index past the end of the strip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange {
    /// The index asked for.
    pub index: usize,
    /// LEDs on the strip.
    pub leds: usize,
}

/// Where the port and the frame last shown are.
enum Link<P: DmaWrite<u8>> {
    Idle {
        port: P,
        shown: FrameBuffer,
    },
    /// A chunk of the frame on the wire; the frame's bytes up to `end` are sent
    /// once it completes.
    Showing {
        transfer: P::Transfer<SubRange<FrameBuffer>>,
        end: usize,
    },
    Lost,
}

/// A WS2812 strip of `leds` LEDs on SPI port `P` (see the [module](self)).
pub struct Strip<P: DmaWrite<u8>> {
    link: Link<P>,
    drawing: FrameBuffer,
    leds: usize,
    /// Bytes per transfer: the port's `max_len`, cut to whole LEDs.
    chunk: usize,
}

impl<P: DmaWrite<u8>> fmt::Debug for Strip<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let link = match self.link {
            Link::Idle { .. } => "idle",
            Link::Showing { .. } => "showing",
            Link::Lost => "lost",
        };
        f.debug_struct("Strip")
            .field("link", &link)
            .field("leds", &self.leds)
            .field("chunk", &self.chunk)
            .finish()
    }
}

/// Writes the black frame and the reset into `buffer`.
fn blank(buffer: &mut [u8], leds: usize) {
    let (colours, reset) = buffer.split_at_mut((leds * BYTES_PER_LED).min(buffer.len()));
    for led in colours.chunks_exact_mut(3) {
        led.copy_from_slice(&encode(0));
    }
    reset.fill(0);
}

impl<P: DmaWrite<u8>> Strip<P> {
    /// A strip of `leds` LEDs drawing into `first` and `second` in turn;
    /// each needs [`frame_len`]`(leds)` bytes (more is ignored). Both start
    /// black. Frames go out in transfers of at most `port.max_len()` bytes.
    ///
    /// # Errors
    ///
    /// [`SetupError`], with everything given back, when a buffer is too short.
    pub fn new(
        port: P,
        first: FrameBuffer,
        second: FrameBuffer,
        leds: usize,
    ) -> Result<Self, SetupError<P>> {
        let needed = leds.checked_mul(BYTES_PER_LED).and_then(|n| n.checked_add(RESET_BYTES));
        match needed {
            Some(needed) if first.len() >= needed && second.len() >= needed => {
                blank(first, leds);
                blank(second, leds);
                let max = port.max_len();
                let chunk = if max >= BYTES_PER_LED { max - max % BYTES_PER_LED } else { max };
                let link = Link::Idle { port, shown: second };
                Ok(Strip { link, drawing: first, leds, chunk: chunk.max(1) })
            }
            _ => Err(SetupError {
                port,
                buffers: [first, second],
                needed: needed.unwrap_or(usize::MAX),
            }),
        }
    }

    /// LEDs on the strip.
    pub fn len(&self) -> usize {
        self.leds
    }

    /// Whether the strip has no LEDs.
    pub fn is_empty(&self) -> bool {
        self.leds == 0
    }

    /// Sets LED `index` of the frame being drawn.
    ///
    /// # Errors
    ///
    /// [`OutOfRange`] past the last LED.
    pub fn set(&mut self, index: usize, colour: Rgb) -> Result<(), OutOfRange> {
        let out_of_range = OutOfRange { index, leds: self.leds };
        if index >= self.leds {
            return Err(out_of_range);
        }
        let start = index * BYTES_PER_LED;
        let led = self.drawing.get_mut(start..start + BYTES_PER_LED).ok_or(out_of_range)?;
        for (slot, value) in led.chunks_exact_mut(3).zip([colour.g, colour.r, colour.b]) {
            slot.copy_from_slice(&encode(value));
        }
        Ok(())
    }

    /// Sets every LED of the frame being drawn.
    pub fn fill(&mut self, colour: Rgb) {
        for index in 0..self.leds {
            let _in_range = self.set(index, colour);
        }
    }

    /// Bytes one transfer carries (the port's `max_len`, cut to whole LEDs).
    pub fn chunk_len(&self) -> usize {
        self.chunk
    }

    /// Whether a frame is still going out. When a chunk of it has left
    /// memory, this starts the next one.
    ///
    /// # Errors
    ///
    /// As [`wait`](Self::wait), when a chunk failed or the next was refused
    /// (the rest of that frame is dropped, the strip keeps going).
    pub fn is_busy(&mut self) -> Result<bool, StripError<P::Error>> {
        match &self.link {
            Link::Showing { transfer, .. } if !transfer.is_done() => Ok(true),
            Link::Showing { .. } => {
                self.advance()?;
                Ok(matches!(self.link, Link::Showing { .. }))
            }
            Link::Idle { .. } => Ok(false),
            Link::Lost => Err(StripError::PortLost),
        }
    }

    /// Waits until the frame on the wire (if any) has gone out, chunk by chunk.
    ///
    /// # Errors
    ///
    /// [`StripError::Port`] if a transfer failed or a chunk was refused (the
    /// rest of that frame is dropped; the strip keeps going).
    pub fn wait(&mut self) -> Result<(), StripError<P::Error>> {
        loop {
            match &self.link {
                Link::Showing { .. } => self.advance()?,
                Link::Idle { .. } => return Ok(()),
                Link::Lost => return Err(StripError::PortLost),
            }
        }
    }

    /// Ends the chunk on the wire (waiting for it) and starts the next one,
    /// if the frame has more.
    fn advance(&mut self) -> Result<(), StripError<P::Error>> {
        let Link::Showing { transfer, end } = mem::replace(&mut self.link, Link::Lost) else {
            return Ok(());
        };
        match transfer.wait() {
            Ok(done) if end < frame_len(self.leds) => {
                self.send(done.resources, done.buffer.into_inner(), end)
            }
            Ok(done) => {
                self.link = Link::Idle { port: done.resources, shown: done.buffer.into_inner() };
                Ok(())
            }
            Err(failed) => {
                let shown = failed.buffer.into_inner();
                self.link = Link::Idle { port: failed.resources, shown };
                Err(StripError::Port(failed.error))
            }
        }
    }

    /// Starts sending the chunk of `frame` that begins at byte `start`. On
    /// a refusal the strip is idle again, showing `frame`.
    fn send(
        &mut self,
        port: P,
        frame: FrameBuffer,
        start: usize,
    ) -> Result<(), StripError<P::Error>> {
        let end = start.saturating_add(self.chunk).min(frame_len(self.leds));
        let range = match SubRange::of_read(frame, start..end) {
            Ok(range) => range,
            // Unreachable: `new` checked the buffers' length. Keep the frame.
            Err((frame, _)) => {
                self.link = Link::Idle { port, shown: frame };
                return Ok(());
            }
        };
        match port.write_all(range) {
            Ok(transfer) => {
                self.link = Link::Showing { transfer, end };
                Ok(())
            }
            Err(rejected) => {
                let shown = rejected.buffer.into_inner();
                self.link = Link::Idle { port: rejected.resources, shown };
                Err(StripError::Port(rejected.error))
            }
        }
    }

    /// Sends the frame drawn so far (after the previous one has gone out) and
    /// returns at once; drawing continues in the other buffer, which still
    /// holds the frame before: redraw it (or [`fill`](Self::fill) it) whole.
    ///
    /// # Errors
    ///
    /// [`StripError::Port`] if the previous frame failed or this one was
    /// refused; a refused frame stays in the drawing buffer.
    pub fn show(&mut self) -> Result<(), StripError<P::Error>> {
        self.wait()?;
        let Link::Idle { port, shown } = mem::replace(&mut self.link, Link::Lost) else {
            return Err(StripError::PortLost);
        };
        let frame = mem::replace(&mut self.drawing, shown);
        let refused = self.send(port, frame, 0);
        if refused.is_err() {
            // Back to drawing the refused frame; the one shown before stays shown.
            if let Link::Idle { shown, .. } = &mut self.link {
                mem::swap(shown, &mut self.drawing);
            }
        }
        refused
    }

    /// Waits for the frame on the wire and gives the port and both buffers
    /// back; `None` only after a panic in the port took it.
    pub fn release(mut self) -> Option<(P, [FrameBuffer; 2])> {
        let _outcome = self.wait();
        match self.link {
            Link::Idle { port, shown } => Some((port, [self.drawing, shown])),
            _ => None,
        }
    }
}

//! The application both firmware examples run: the same driver code for
//! every chip, given any two `DmaWrite<u8>` ports and four `'static` buffers.
//! It greets through the async `embedded-io-async` writer, then animates
//! the strip and logs through the blocking drivers.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use dma_drivers::io::DmaWriter;
use dma_drivers::logger::Logger;
use dma_drivers::ws2812::{frame_len, Rgb, Strip};
use dma_traits::{DmaWrite, Sent};

/// LEDs on the strip.
pub(crate) const LEDS: usize = 8;
/// Bytes of one strip frame buffer.
pub(crate) const FRAME: usize = frame_len(LEDS);
/// Bytes of one log buffer.
pub(crate) const LOG: usize = 128;

/// Animates the strip and logs each frame, forever; the CPU never waits for
/// a wire.
pub(crate) fn run<L: DmaWrite<u8> + Sent, S: DmaWrite<u8>>(
    serial: L,
    log_buffers: [&'static mut [u8]; 2],
    spi: S,
    frames: [&'static mut [u8]; 2],
) -> !
where
    L::Error: core::fmt::Debug,
{
    let [first, second] = log_buffers;
    let Some((serial, first)) = block_on(greet(serial, first)) else { park() };
    let mut log = Logger::new(serial, first, second);
    let [front, back] = frames;
    let Ok(mut strip) = Strip::new(spi, front, back, LEDS) else {
        let _dropped = log.log(format_args!("strip buffers too short\r\n"));
        let _flushed = log.flush();
        park()
    };
    let mut tick: u32 = 0;
    loop {
        // A failed chunk drops the rest of its frame; the next frame is whole.
        if !strip.is_busy().unwrap_or(false) {
            for (led, offset) in (0..LEDS).zip((0u32..).step_by(32)) {
                let _in_range = strip.set(led, wheel(tick.wrapping_add(offset)));
            }
            let shown = strip.show().is_ok();
            let dropped = log.dropped();
            // A full log buffer drops the record, counts it, reports it later.
            let _dropped =
                log.log(format_args!("frame {tick} shown {shown}, dropped {dropped}\r\n"));
            tick = tick.wrapping_add(1);
        }
        // A failed transfer is reported by the logger and it goes on.
        let _polled = log.poll();
    }
}

/// Writes the banner with `embedded-io-async`'s `write_all` through a
/// [`DmaWriter`] (the bytes are copied into `buffer`, which the DMA reads),
/// then gives the port and the buffer back; `None` if the port was lost.
async fn greet<P: DmaWrite<u8> + Sent>(
    serial: P,
    buffer: &'static mut [u8],
) -> Option<(P, &'static mut [u8])>
where
    P::Error: core::fmt::Debug,
{
    use embedded_io_async::Write;
    let mut writer = DmaWriter::new(serial, buffer);
    // An error is the port's (the wire is not this firmware's to fix); the
    // writer stays usable and gives everything back either way.
    let _sent = writer.write_all(b"dma-drivers: async writer up\r\n").await;
    let _flushed = writer.flush().await;
    writer.release()
}

/// The smallest executor: polls `future` until it is ready. (With the
/// channel's interrupt waking a `DmaWaker`, `DmaWriter::with_waker`, it
/// would sleep in `wfi` between polls instead.)
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        core::hint::spin_loop();
    }
}

/// A colour wheel: red to green to blue and back.
fn wheel(position: u32) -> Rgb {
    let [step, ..] = position.to_le_bytes();
    let rising = step.wrapping_mul(3);
    match step {
        0..=84 => Rgb { r: 255 - rising, g: rising, b: 0 },
        85..=169 => Rgb { r: 0, g: 255 - rising.wrapping_sub(255), b: rising.wrapping_sub(255) },
        _ => Rgb { r: rising.wrapping_sub(254), g: 0, b: 255 - rising.wrapping_sub(254) },
    }
}

/// Stops here (the strip could not be set up).
fn park() -> ! {
    loop {
        core::hint::spin_loop();
    }
}

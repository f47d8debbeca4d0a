//! The application both firmware examples run: the same driver code for
//! every chip, given any two `DmaWrite<u8>` ports and four `'static` buffers.

use dma_drivers::logger::Logger;
use dma_drivers::ws2812::{frame_len, Rgb, Strip};
use dma_traits::DmaWrite;

/// LEDs on the strip.
pub(crate) const LEDS: usize = 8;
/// Bytes of one strip frame buffer.
pub(crate) const FRAME: usize = frame_len(LEDS);
/// Bytes of one log buffer.
pub(crate) const LOG: usize = 128;

/// Animates the strip and logs each frame, forever; the CPU never waits for
/// a wire.
pub(crate) fn run<L: DmaWrite<u8>, S: DmaWrite<u8>>(
    serial: L,
    log_buffers: [&'static mut [u8]; 2],
    spi: S,
    frames: [&'static mut [u8]; 2],
) -> ! {
    let [first, second] = log_buffers;
    let mut log = Logger::new(serial, first, second);
    let [front, back] = frames;
    let Ok(mut strip) = Strip::new(spi, front, back, LEDS) else {
        let _dropped = log.log(format_args!("strip buffers too short\r\n"));
        let _flushed = log.flush();
        park()
    };
    let mut tick: u32 = 0;
    loop {
        if !strip.is_busy() {
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

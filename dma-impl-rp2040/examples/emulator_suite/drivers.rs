//! Drivers of `dma-drivers`, unchanged, over the HAL's SPI0 (`DmaWrite<u8>`):
//! the WS2812 strip and the async `embedded-io` writer (`DmaWriter`, which
//! needs `Sent`), the latter driven by a noop-waker executor. Each check
//! compares the frames `run.mjs` logged in the mailbox with the bytes the
//! driver should have sent.

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

use dma_drivers::io::DmaWriter;
use dma_drivers::ws2812::{frame_len, Rgb, Strip};
use dma_traits::Sent;

use super::harness::{MAILBOX, RING};
use super::{ensure, read_reg, spin, Spi0Dma, Suite};

/// Polls `f` to completion with a waker that does nothing (the drivers
/// poll again at once while the DMA runs).
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Frames the harness has logged so far.
fn logged() -> u32 {
    read_reg(MAILBOX)
}

/// Whether the `want.len()` frames logged from `from` on are `want`.
fn logged_equal(from: u32, want: &[u8]) -> Result<(), &'static str> {
    let now = logged();
    ensure(now.wrapping_sub(from) as usize == want.len(), "frame count differs")?;
    ensure(want.len() <= RING, "more than the ring holds")?;
    for (i, &b) in want.iter().enumerate() {
        let at = MAILBOX + 0x10 + 2 * ((from as usize + i) % RING);
        // SAFETY: an entry of the mailbox's ring (SRAM5), read only.
        let frame = unsafe { (at as *const u16).read_volatile() };
        if frame != u16::from(b) {
            return Err("a logged frame differs from the driver's bytes");
        }
    }
    Ok(())
}

const LEDS: usize = 3;
const FRAME: usize = frame_len(LEDS);

/// The frame a WS2812 strip of `colours` should get, encoded here
/// independently of the driver: green, red, blue, most significant bit
/// first, each bit three SPI bits (`110` a 1, `100` a 0), then the zero
/// reset bytes.
fn expected_frame(colours: &[Rgb; LEDS]) -> [u8; FRAME] {
    let mut out = [0u8; FRAME];
    let mut bit = 0usize;
    for c in colours {
        for byte in [c.g, c.r, c.b] {
            for k in (0..8).rev() {
                let one = byte >> k & 1 == 1;
                for level in [true, one, false] {
                    if level {
                        out[bit / 8] |= 0x80 >> (bit % 8);
                    }
                    bit += 1;
                }
            }
        }
    }
    out
}

/// The WS2812 strip: three LEDs, one frame, then a second frame.
pub(crate) fn ws2812(t: &mut Suite, spi: Spi0Dma) -> Spi0Dma {
    let a = cortex_m::singleton!(: [u8; FRAME] = [0; FRAME]).unwrap();
    let b = cortex_m::singleton!(: [u8; FRAME] = [0; FRAME]).unwrap();
    let mut strip = Strip::new(spi, a, b, LEDS).ok().unwrap();
    let colours =
        [Rgb { r: 0xFF, g: 0, b: 0 }, Rgb { r: 0, g: 0x80, b: 0x01 }, Rgb { r: 1, g: 2, b: 3 }];
    for (i, c) in colours.iter().enumerate() {
        strip.set(i, *c).unwrap();
    }
    let from = logged();
    let shown = strip.show().and_then(|()| strip.wait());
    let (spi, [_, frame]) = strip.release().unwrap();
    spi.wait_sent();
    spin(2_000);
    let want = expected_frame(&colours);
    t.check(
        "dma-drivers ws2812::Strip over SPI0: frame bytes arrive exactly as encoded",
        ensure(shown.is_ok(), "the strip reported an error")
            .and(ensure(
                want[..9] == [0x92, 0x49, 0x24, 0xDB, 0x6D, 0xB6, 0x92, 0x49, 0x24],
                "the check's own encoder is wrong",
            ))
            .and(ensure(frame[..] == want[..], "the driver encoded another frame"))
            .and(logged_equal(from, &want)),
    );
    spi
}

/// `DmaWriter` (embedded-io-async `Write`) through a 16-byte buffer: a
/// message longer than the buffer, then `flush` (which waits for `Sent`).
pub(crate) fn writer(t: &mut Suite, spi: Spi0Dma) -> Spi0Dma {
    use embedded_io_async::Write as _;
    let buffer: &'static mut [u8] = cortex_m::singleton!(: [u8; 16] = [0; 16]).unwrap();
    let mut w = DmaWriter::new(spi, buffer);
    let message: &[u8] = b"dma-drivers DmaWriter over the RP2040 SPI0, async";
    let from = logged();
    let written = block_on(async {
        w.write_all(message).await?;
        w.flush().await
    });
    let (spi, _) = w.release().unwrap();
    // After `flush`: every frame is out (`Sent`), so the harness logged all.
    let sent = spi.is_sent();
    spin(2_000);
    t.check(
        "dma-drivers io::DmaWriter (async, noop-waker executor) over SPI0: bytes as written, flushed = Sent",
        ensure(written.is_ok(), "the writer reported an error")
            .and(ensure(sent, "not Sent after flush"))
            .and(logged_equal(from, message)),
    );
    spi
}

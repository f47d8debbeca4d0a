//! The WS2812 strip on a mock port: exact SPI bytes of each frame.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use dma_drivers::ws2812::{encode, frame_len, Rgb, Strip, StripError, BYTES_PER_LED, RESET_BYTES};
use dma_impl_mock::{record::Recorder, MockDma, MockError, MockSerial, Wire};
use dma_traits::{Access, DmaFence, FenceError};

fn frame(len: usize) -> &'static mut [u8] {
    Box::leak(vec![0xEE; len].into_boxed_slice())
}

fn strip(dma: &MockDma, leds: usize) -> (Strip<MockSerial>, Wire) {
    let port = MockSerial::with_default_fence(dma);
    let wire = port.wire();
    (Strip::new(port, frame(frame_len(leds)), frame(frame_len(leds)), leds).unwrap(), wire)
}

/// What the strip must see for these colours: G, R, B per LED, then the reset.
fn expected(colours: &[Rgb]) -> Vec<u8> {
    let mut bytes: Vec<u8> =
        colours.iter().flat_map(|c| [c.g, c.r, c.b]).flat_map(encode).collect();
    bytes.extend([0; RESET_BYTES]);
    bytes
}

const RED: Rgb = Rgb { r: 0xFF, g: 0, b: 0 };
const TEAL: Rgb = Rgb { r: 0, g: 0x80, b: 0x81 };

#[test]
fn a_frame_goes_out_as_grb_bits_and_a_reset() {
    let dma = MockDma::threaded(Recorder::new());
    let (mut strip, wire) = strip(&dma, 2);
    strip.set(0, RED).unwrap();
    strip.set(1, TEAL).unwrap();
    strip.show().unwrap();
    strip.wait().unwrap();
    assert_eq!(wire.take_sent::<u8>(), expected(&[RED, TEAL]));
}

#[test]
fn the_next_frame_is_drawn_while_the_last_one_is_on_the_wire() {
    let dma = MockDma::stepped(Recorder::new());
    let (mut strip, wire) = strip(&dma, 2);
    strip.fill(RED);
    strip.show().unwrap();
    assert!(strip.is_busy().unwrap());
    // Drawing now touches the other buffer only.
    strip.fill(TEAL);
    dma.step(frame_len(2));
    assert!(!strip.is_busy().unwrap());
    assert_eq!(wire.take_sent::<u8>(), expected(&[RED, RED]));
    strip.show().unwrap();
    dma.step(frame_len(2));
    strip.wait().unwrap();
    assert_eq!(wire.take_sent::<u8>(), expected(&[TEAL, TEAL]));
}

#[test]
fn bad_setup_and_indices_are_errors_not_panics() {
    let dma = MockDma::threaded(Recorder::new());
    let port = MockSerial::with_default_fence(&dma);
    let error = Strip::new(port, frame(frame_len(3)), frame(frame_len(2)), 3).unwrap_err();
    assert_eq!(error.needed, frame_len(3));
    assert_eq!(error.buffers[1].len(), frame_len(2), "buffers given back");

    let (mut strip, _wire) = strip(&dma, 2);
    let out = strip.set(2, RED).unwrap_err();
    assert_eq!((out.index, out.leds), (2, 2));
}

#[test]
fn a_frame_longer_than_the_port_allows_goes_out_in_chunks_of_whole_leds() {
    let dma = MockDma::stepped(Recorder::new());
    // 120 * 9 + 96 = 1176 bytes, over MockSerial::MAX_LEN (1024). Under
    // Miri 104 (1032 bytes: the fewest LEDs over the limit, still a full
    // chunk and a second one), each byte a step Miri interprets.
    let leds = if cfg!(miri) { 104 } else { 120 };
    let (mut strip, wire) = strip(&dma, leds);
    assert_eq!(strip.chunk_len(), 1017, "1024 cut to whole LEDs");
    assert_eq!(strip.chunk_len() % BYTES_PER_LED, 0);
    let colours: Vec<Rgb> =
        (0..leds).map(|i| u8::try_from(i).unwrap()).map(|i| Rgb { r: i, g: 0x55, b: !i }).collect();
    for (index, colour) in colours.iter().enumerate() {
        strip.set(index, *colour).unwrap();
    }
    strip.show().unwrap();
    // The first chunk, then the second, each started by the poll after the last.
    dma.step(1017);
    assert_eq!(wire.sent::<u8>().len(), 1017);
    assert!(strip.is_busy().unwrap(), "the second chunk is started, not yet sent");
    dma.step(2);
    assert_eq!(wire.sent::<u8>().len(), 1019);
    strip.wait().unwrap();
    assert!(!strip.is_busy().unwrap());
    assert_eq!(wire.take_sent::<u8>(), expected(&colours));
}

/// Refuses every buffer: no transfer ever starts, so no memory is ever lent.
#[derive(Debug, Clone, Copy)]
struct RefusingFence;

// SAFETY: `release` always returns `Err`, so no DMA is ever started after
// it; `acquire` is then never owed anything and does nothing.
unsafe impl DmaFence for RefusingFence {
    fn release<W>(self, buf: *const [W], _access: Access) -> Result<(), FenceError> {
        Err(FenceError::NotCacheLineAligned { address: buf.cast::<u8>() as usize, bytes: 0 })
    }
    fn acquire<W>(self, _buf: *const [W], _access: Access) {}
}

#[test]
fn a_refused_frame_stays_in_the_drawing_buffer() {
    let dma = MockDma::threaded(Recorder::new());
    let port = MockSerial::new(&dma, RefusingFence);
    let wire = port.wire();
    let mut strip = Strip::new(port, frame(frame_len(2)), frame(frame_len(2)), 2).unwrap();
    strip.set(0, RED).unwrap();
    let error = strip.show().unwrap_err();
    assert!(matches!(error, StripError::Port(MockError::Fence(_))), "{error:?}");
    assert!(wire.sent::<u8>().is_empty());
    let (_port, [drawing, _shown]) = strip.release().unwrap();
    assert_eq!(drawing[..9], expected(&[RED])[..9], "the frame drawn was kept");
}

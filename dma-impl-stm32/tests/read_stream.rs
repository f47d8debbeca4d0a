//! The USART receiver as a portable `DmaReadStream<u8>`: circular mode on
//! the channel DMA and on the stream DMA, and the stream DMA's
//! double-buffer mode over the buffer's two halves (`DoubleBuffered`). Halves in order, a late CPU gets an overrun (counted in
//! `lost_words`) and then the newest complete half, refusals give
//! everything back. (Under the adversarial scheduler: `tests/adversarial.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dma_traits::{DmaReadStream, Error as _, ErrorKind, ReadStream, Transfer};

/// `n` bytes whose values name their position (1, 2, ...).
fn line(n: usize) -> Vec<u8> {
    (1..=n).map(|v| u8::try_from(v).unwrap()).collect()
}

macro_rules! stream_tests {
    ($family:ident, $rig:ident, $every:literal, $wrap:expr) => {
        mod $family {
            use super::*;

            #[test]
            fn halves_in_order() {
                let (rig, _tx, rx) = $rig(false);
                let rx = $wrap(rx);
                let data = line(40);
                rig.usart.feed(&data);
                let mut stream = rx.read_stream(bytes(8, |_| 0)).ok().unwrap();
                assert_eq!(stream.half_len(), 4);
                let mut half = [0u8; 4];
                assert_eq!(stream.read_half(&mut half).ok(), Some(None), "nothing yet");
                for k in 0..10 {
                    // The CPU looks every `$every` bytes: once per half on
                    // the channel DMA, once per half of a half (a fill's
                    // half-transfer event) on the stream DMA.
                    for byte in 1..=4 {
                        assert!(rig.dma.step());
                        if byte % $every == 0 && byte < 4 {
                            let mid = stream.read_half(&mut half).ok();
                            assert_eq!(mid, Some(None), "mid-half {k}");
                        }
                    }
                    assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)), "half {k}");
                    assert_eq!(half, data[4 * k..4 * k + 4], "half {k}");
                    assert_eq!(stream.read_half(&mut half).ok(), Some(None), "taken once");
                }
                assert_eq!(stream.lost_words(), 0);
                assert!(!stream.is_done(), "a stream ends only by error or stop");
                let done = stream.stop().ok().unwrap();
                assert_eq!(done.buffer.len(), 8);
                assert_eq!(rig.usart.cr3() & (1 << 6), 0, "DMAR cleared");
            }

            #[test]
            fn a_late_cpu_gets_an_overrun_then_the_newest_half() {
                let (rig, _tx, rx) = $rig(false);
                let rx = $wrap(rx);
                let data = line(40);
                rig.usart.feed(&data);
                let mut stream = rx.read_stream(bytes(8, |_| 0)).ok().unwrap();
                let mut half = [0u8; 4];
                for _ in 0..4 / $every {
                    for _ in 0..$every {
                        rig.dma.step();
                    }
                    let _ = stream.read_half(&mut half).unwrap();
                }
                assert_eq!(half, data[..4]);
                // The CPU sleeps for three halves (12 bytes).
                for _ in 0..14 {
                    rig.dma.step();
                }
                let err = stream.read_half(&mut half).err().unwrap();
                assert_eq!(err.kind(), ErrorKind::Overrun);
                // Eight bytes (4..12) were lost. The flags merge events, so
                // the count is exact up to whole cycles of the buffer (8
                // bytes): the stream DMA's double buffer, with four events a
                // cycle, may report 0 (see `Error::Overrun`).
                let lost = stream.lost_words();
                assert_eq!((8 - lost) % 8, 0, "lost {lost}: 8 up to whole cycles");
                assert!(matches!(err, dma_impl_stm32::Error::Overrun { lost: l } if l as u64 == lost));
                // Then the newest complete half, from the right place.
                let mut got = None;
                for _ in 0..4 {
                    if let Ok(Some(n)) = stream.read_half(&mut half) {
                        got = Some(n);
                        break;
                    }
                }
                assert_eq!(got, Some(4));
                assert_eq!(half, data[12..16], "bytes 12..16: the newest complete half");
                assert_eq!(stream.lost_words(), lost);
                assert!(stream.stop().is_ok());
            }

            #[test]
            fn refusals_give_everything_back() {
                let (rig, _tx, rx) = $rig(false);
                let rx = $wrap(rx);
                let max = DmaReadStream::<u8>::max_len(&rx);
                // (The 64 and 128 KiB buffers take minutes under Miri, and
                // their refusal touches no memory: native only.)
                let rx = if cfg!(miri) {
                    rx
                } else {
                    let err = rx.read_stream(bytes(max + 1, |_| 0)).err().unwrap();
                    assert_eq!(err.error.kind(), ErrorKind::TooLong { max });
                    assert_eq!(err.buffer.len(), max + 1);
                    err.resources
                };
                let err = rx.read_stream(bytes(7, |_| 0)).err().unwrap();
                assert_eq!(err.error.kind(), ErrorKind::OddLength);
                let err = err.resources.read_stream(bytes(0, |_| 0)).err().unwrap();
                assert_eq!(err.error.kind(), ErrorKind::Empty);
                assert!(err.error.kind().is_refusal());
                assert_eq!(rig.dma.register(rig.rx_cr) & 1, 0, "never enabled");
                assert!(rig.log.events().is_empty(), "no fence ran");
                // The receiver came back working; the longest buffer is taken.
                let len = if cfg!(miri) { 8 } else { max };
                let stream = err.resources.read_stream(bytes(len, |_| 0)).ok().unwrap();
                let rx = stream.stop().ok().unwrap().resources;
                rig.usart.feed(b"abcd");
                let mut stream = rx.read_stream(bytes(4, |_| 0)).ok().unwrap();
                let mut half = [0; 2];
                rig.dma.step();
                if $every == 2 {
                    // The fill's half-transfer event, seen.
                    assert_eq!(stream.read_half(&mut half).ok(), Some(None));
                }
                rig.dma.step();
                assert_eq!(stream.read_half(&mut half).ok(), Some(Some(2)));
                assert_eq!(&half, b"ab");
                drop(stream);
            }
        }
    };
}

stream_tests!(channel_dma, channel_rig, 4, |rx| rx);
stream_tests!(stream_dma_circular, stream_rig, 4, |rx| rx);
stream_tests!(stream_dma_double_buffered, stream_rig, 2, |rx: StreamRx| rx.double_buffered());

#[test]
fn the_limits_differ_by_family() {
    let (_c, _tx, rx) = channel_rig(false);
    assert_eq!(DmaReadStream::<u8>::max_len(&rx), 65_534, "both halves in one CNDTR");
    let (_s, _tx, rx) = stream_rig(false);
    assert_eq!(DmaReadStream::<u8>::max_len(&rx), 65_534, "circular: both halves in one SxNDTR");
    let rx = rx.double_buffered();
    assert_eq!(DmaReadStream::<u8>::max_len(&rx), 131_070, "a half per SxNDTR fill");
    // A double buffer needs a half-transfer event inside each half.
    let err = rx.read_stream(bytes(2, |_| 0)).err().unwrap();
    assert_eq!(err.error, dma_impl_stm32::Error::TooShort { items: 1, min: 2 });
    assert_eq!(err.error.kind(), ErrorKind::Other);
}

/// The `DmaReadStream` contract: a CPU that looks once per half, at any
/// phase, loses nothing. The receiver's own stream (circular mode) keeps it
/// on both families; the double-buffered variant, which needs a look per
/// quarter, reports an overrun with nothing lost for the same pattern (its
/// documented polling need).
#[test]
fn one_look_per_half_at_any_phase_loses_nothing() {
    fn looks<S: ReadStream<u8, Error = dma_impl_stm32::Error>>(
        stream: &mut S,
        step: &dyn Fn() -> bool,
        phase: usize,
    ) -> (Vec<u8>, Vec<dma_impl_stm32::Error>) {
        let (mut got, mut errors) = (Vec::new(), Vec::new());
        let mut half = [0u8; 4];
        for _ in 0..phase {
            step();
        }
        for _ in 0..9 {
            for _ in 0..4 {
                step();
            }
            match stream.read_half(&mut half) {
                Ok(Some(n)) => got.extend_from_slice(&half[..n]),
                Ok(None) => {}
                Err(e) => errors.push(e),
            }
        }
        (got, errors)
    }
    let data = line(48);
    // Under Miri (14 s a phase under Tree Borrows) the first and the last
    // phase: the copy-out's aliasing is the same at every phase.
    for phase in (0..4).step_by(if cfg!(miri) { 3 } else { 1 }) {
        let (rig, _tx, rx) = channel_rig(false);
        rig.usart.feed(&data);
        let mut stream = rx.read_stream(bytes(8, |_| 0)).ok().unwrap();
        let (got, errors) = looks(&mut stream, &|| rig.dma.step(), phase);
        assert_eq!(errors, [], "channel, phase {phase}");
        assert_eq!(got, data[..got.len()], "channel, phase {phase}");
        assert!(got.len() >= 32, "channel, phase {phase}");
        assert!(stream.stop().is_ok());

        let (rig, _tx, rx) = stream_rig(false);
        rig.usart.feed(&data);
        let mut stream = rx.read_stream(bytes(8, |_| 0)).ok().unwrap();
        let (got, errors) = looks(&mut stream, &|| rig.dma.step(), phase);
        assert_eq!(errors, [], "stream circular, phase {phase}");
        assert_eq!(got, data[..got.len()], "stream circular, phase {phase}");
        assert!(got.len() >= 32, "stream circular, phase {phase}");
        assert_eq!(stream.lost_words(), 0);
        assert!(stream.stop().is_ok());
    }
    // Double-buffered, one look per half at phase 1: each look finds the
    // other fill's half-transfer event on top of the completed half.
    let (rig, _tx, rx) = stream_rig(false);
    rig.usart.feed(&data);
    let mut stream = rx.double_buffered().read_stream(bytes(8, |_| 0)).ok().unwrap();
    let (_, errors) = looks(&mut stream, &|| rig.dma.step(), 1);
    assert!(
        errors.contains(&dma_impl_stm32::Error::Overrun { lost: 0 }),
        "the double buffer needs a look per quarter: {errors:?}"
    );
    assert!(stream.stop().is_ok());
}

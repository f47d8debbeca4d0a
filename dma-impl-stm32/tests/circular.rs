//! Circular reception: half / full handover and overrun, on both families.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dma_impl_mock::record::Event;
use dma_impl_stm32::{Error, Half};
use dma_traits::Transfer;

macro_rules! circular_tests {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            fn halves_are_handed_over_in_turn() {
                let (rig, _tx, rx) = $rig(false);
                let mut circ = rx.read_circular(bytes(8, |_| 0)).ok().unwrap();
                let mut out = [0u8; 4];
                assert_eq!(circ.read_half(&mut out), Ok(None), "nothing arrived yet");
                rig.usart.feed(b"abc");
                rig.run();
                assert_eq!(circ.read_half(&mut out), Ok(None), "first half incomplete");
                rig.usart.feed(b"d");
                rig.run();
                assert_eq!(circ.read_half(&mut out), Ok(Some((Half::First, 4))));
                assert_eq!(&out, b"abcd");
                assert_eq!(circ.read_half(&mut out), Ok(None));
                rig.usart.feed(b"efgh");
                rig.run();
                assert_eq!(circ.read_half(&mut out), Ok(Some((Half::Second, 4))));
                assert_eq!(&out, b"efgh");
                // Wraps around into the first half again.
                rig.usart.feed(b"ijkl");
                rig.run();
                let mut small = [0u8; 2];
                assert_eq!(circ.read_half(&mut small), Ok(Some((Half::First, 2))));
                assert_eq!(&small, b"ij");
                assert!(!circ.is_done());
                let done = circ.stop().ok().unwrap();
                assert_eq!(&*done.buffer, b"ijklefgh");
                assert_eq!(rig.usart.cr3() & (1 << 6), 0, "DMAR cleared");
            }

            #[test]
            fn overrun_is_reported_and_resynchronized() {
                let (rig, _tx, rx) = $rig(false);
                let mut circ = rx.read_circular(bytes(4, |_| 0)).ok().unwrap();
                let mut out = [0u8; 2];
                // Both halves complete before the CPU looks: the DMA is
                // writing the first half again.
                rig.usart.feed(b"12345");
                rig.run();
                // "12" was overwritten; "34" is intact and taken next.
                assert_eq!(circ.read_half(&mut out), Err(Error::Overrun { lost: 2 }));
                assert_eq!(circ.read_half(&mut out), Ok(Some((Half::Second, 2))));
                assert_eq!(&out, b"34");
                // Back in step: the DMA is in the first half (one item in).
                rig.usart.feed(b"6");
                rig.run();
                assert_eq!(circ.read_half(&mut out), Ok(Some((Half::First, 2))));
                assert_eq!(&out, b"56");
                drop(circ);
                rig.mark("dropped");
                rig.usart.feed(b"78");
                rig.run();
                let events = rig.log.events();
                let at = events.iter().position(|e| *e == Event::Note("dropped")).unwrap();
                assert!(!events[at..].iter().any(is_dma_access));
            }
        }
    };
}

circular_tests!(channel_dma, channel_rig);
circular_tests!(stream_dma, stream_rig);

#[test]
fn threaded_circular_reception() {
    let (rig, _tx, rx) = channel_rig(true);
    let mut circ = rx.read_circular(bytes(4, |_| 0)).ok().unwrap();
    let mut received = Vec::new();
    let mut out = [0u8; 2];
    for chunk in [b"ab", b"cd", b"ef"] {
        rig.usart.feed(chunk);
        loop {
            if let Some((_, n)) = circ.read_half(&mut out).unwrap() {
                received.extend_from_slice(&out[..n]);
                break;
            }
            std::thread::yield_now();
        }
    }
    assert_eq!(received, b"abcdef");
    let done = circ.stop().ok().unwrap();
    assert_eq!(done.transferred, 2, "position in the cycle");
}

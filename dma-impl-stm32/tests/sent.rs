//! `Sent` on the USART transmitter: a transfer is done when the DMA has
//! written the last byte into `TDR`, sent only once `TC` says its frame has
//! left the shift register (RM0008 §27.3.2, RM0090 §30.3.2). The simulator
//! shifts each frame out over `FRAME_TICKS` ticks, so the tail is real.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dma_impl_mock::sim::stm32::FRAME_TICKS;
use dma_traits::{DmaWrite, Sent, Transfer};

/// Polls `is_sent` (bounded): how many polls said "not yet", and checks
/// after each that the last byte has not left.
fn polls_until_sent<T: Sent>(tx: &T, rig_transmitted: impl Fn() -> Vec<u8>, all: &[u8]) -> usize {
    let mut polls = 0;
    while !tx.is_sent() {
        assert_ne!(rig_transmitted(), all, "all bytes left, yet not sent");
        polls += 1;
        assert!(polls < 10_000, "TC never set");
    }
    assert_eq!(rig_transmitted(), all, "sent before the last byte left");
    polls
}

macro_rules! sent_tests {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            fn done_is_not_sent_until_the_last_frame_has_left() {
                for threaded in [false, true] {
                    let (rig, tx, _rx) = $rig(threaded);
                    assert!(tx.is_sent(), "TC is set at reset");
                    let transfer = tx.write_all(bytes(5, |i| b"tail!"[i])).ok().unwrap();
                    if !threaded {
                        rig.run();
                    }
                    let done = transfer.wait().ok().unwrap();
                    assert_eq!(rig.usart.sent(), b"tail!", "all in the USART");
                    let tx = done.resources;
                    assert!(!tx.is_sent(), "the last frame is still shifting out");
                    assert_ne!(rig.usart.transmitted(), b"tail!");
                    let polls = polls_until_sent(&tx, || rig.usart.transmitted(), b"tail!");
                    assert!(polls >= FRAME_TICKS as usize / 2, "{polls} polls: no tail");
                    tx.wait_sent();
                    assert_eq!(rig.usart.transmitted(), b"tail!");
                }
            }

            #[test]
            fn a_second_transfer_clears_tc_again() {
                let (rig, tx, _rx) = $rig(false);
                let t = tx.write_all(bytes(2, |_| 1)).ok().unwrap();
                rig.run();
                let tx = t.wait().ok().unwrap().resources;
                polls_until_sent(&tx, || rig.usart.transmitted(), &[1, 1]);
                let t = tx.write_all(bytes(3, |_| 2)).ok().unwrap();
                rig.run();
                let tx = t.wait().ok().unwrap().resources;
                assert!(!tx.is_sent());
                polls_until_sent(&tx, || rig.usart.transmitted(), &[1, 1, 2, 2, 2]);
            }

            #[test]
            fn a_transfer_that_moved_nothing_leaves_the_transmitter_sent() {
                let (rig, tx, _rx) = $rig(false);
                // Stopped before the first beat: TC was cleared, no frame
                // will set it, yet nothing is left to send. (A stream's
                // stop drains, RM0090 §10.3.14: the beats it still moved
                // are then waited for.)
                let t = tx.write_all(bytes(4, |_| 3)).ok().unwrap();
                let tx = t.stop().ok().unwrap().resources;
                let moved = rig.usart.sent();
                if moved.is_empty() {
                    assert!(tx.is_sent(), "nothing given, nothing to wait for");
                } else {
                    polls_until_sent(&tx, || rig.usart.transmitted(), &moved);
                }
                // Refused by the fence after TC was cleared: the same.
                let (rig, tx, _rx) = $rig(false);
                let (half, channel) = tx.release();
                let tx = half.transmitter(channel, Refusing);
                let err = tx.write_all(bytes(2, |_| 4)).err().unwrap();
                assert!(err.resources.is_sent());
                err.resources.wait_sent();
                assert!(rig.usart.sent().is_empty());
            }

            #[test]
            fn a_rebuilt_transmitter_remembers_a_transfer_that_moved_nothing() {
                let (rig, tx, rx) = $rig(false);
                let (half, channel) = tx.release();
                let tx = half.transmitter(channel, Refusing);
                // Refused: nothing given to the USART, and nothing changed.
                let err = tx.write_all(bytes(2, |_| 5)).err().unwrap();
                assert!(err.resources.is_idle(), "a refused transfer leaves TC alone");
                assert!(err.resources.is_sent());
                // Begun (TC cleared) and stopped before its first beat: no
                // frame will set TC again. Rebuilt from its parts, the
                // knowledge must survive. Bounded: a broken version fails
                // here instead of hanging in `wait_sent`.
                let (half, channel) = err.resources.release();
                let tx = half.transmitter(channel, fence(&rig.log));
                let tx = tx.write_all(bytes(2, |_| 5)).ok().unwrap().stop().ok().unwrap().resources;
                let (half, channel) = tx.release();
                let tx = half.transmitter(channel, fence(&rig.log));
                if rig.usart.sent().is_empty() {
                    // A channel stops at once (RM0008 §13.3.7).
                    assert!(!tx.is_idle(), "TC reads clear");
                    assert!(tx.is_sent(), "released and rebuilt, still sent");
                } else {
                    // A stream's stop lets what it started finish (RM0090
                    // §10.3.14): those bytes leave, then it is sent.
                    let moved = rig.usart.sent();
                    polls_until_sent(&tx, || rig.usart.transmitted(), &moved);
                }
                // Through the whole USART (join, halves) as well.
                let (half, channel) = tx.release();
                let (rx_half, _) = rx.release();
                let usart = dma_impl_stm32::usart::Usart::join(half, rx_half).ok().unwrap();
                let (half, _) = usart.halves();
                let tx = half.transmitter(channel, fence(&rig.log));
                assert!(tx.is_sent(), "joined, split and rebuilt, still sent");
                tx.wait_sent();
                // A transfer that moves bytes forgets it: sent again only
                // once its last frame has left.
                let mut all = rig.usart.sent();
                all.extend_from_slice(&[6, 6]);
                let t = tx.write_all(bytes(2, |_| 6)).ok().unwrap();
                rig.run();
                let tx = t.wait().ok().unwrap().resources;
                let (half, channel) = tx.release();
                let tx = half.transmitter(channel, fence(&rig.log));
                polls_until_sent(&tx, || rig.usart.transmitted(), &all);
            }
        }
    };
}

sent_tests!(channel_dma, channel_rig);
sent_tests!(stream_dma, stream_rig);

//! Review 2: the USART transmitter's `Sent` loses the previous transfer's
//! `TC` when that transfer's last frame leaves between the `TC` read
//! (`sent_before = is_sent()`) and the `TC` clear of the next
//! `write_all` (`src/usart.rs`, `write_all_unchecked`). If the next
//! transfer then gives the USART no byte (refused by the fence, or stopped
//! before its first beat), `TC` stays clear for ever, `sent_before` is
//! false, and `is_sent` never becomes true although every byte has left:
//! `Sent::wait_sent` ("a transmitter with no more words always drains")
//! spins for ever.
//!
//! The simulator ticks the USART's clock at every CPU access to it (the
//! `SR`/`ISR` read and the `TC` clear included), so the window is hit
//! deterministically by polling the tail up to the right tick; the test
//! tries every offset within two frames.
//!
//! Fixed: a refused transfer no longer touches `TC` (it is cleared in the
//! transmitter's `begin` hook, after the fence accepted), and the start
//! waits until the line is idle before anything can clear `TC` (at most
//! the two frames the last transfer left), so a transfer that then moves
//! nothing leaves it idle and known so. The refusal tests fail on the old
//! code; the last test fails without the wait (it would report sent while
//! the previous frame is on the wire).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dma_impl_mock::sim::stm32::FRAME_TICKS;
use dma_traits::{DmaWrite, Sent, Transfer};

/// The offsets (USART ticks after the first transfer) tried: every one
/// within two frames natively; under Miri, which checks the aliasing and
/// not the timing, the three regimes: no look at the tail, the frame just
/// leaving (one frame of ticks), and the line long idle (the last offset).
fn offsets() -> Vec<usize> {
    let f = FRAME_TICKS as usize;
    if cfg!(miri) {
        vec![0, f, 2 * f + 1]
    } else {
        (0..2 * f + 2).collect()
    }
}

/// Polls `is_sent` a bounded number of times: whether it ever said so.
fn becomes_sent<T: Sent>(tx: &T) -> bool {
    (0..10_000).any(|_| tx.is_sent())
}

/// One byte sent; `polls` looks at the tail; then a transfer the fence
/// refuses (after `TC` was cleared).
macro_rules! refused_test {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            fn a_refused_write_as_the_last_frame_leaves_never_reports_sent() {
                for polls in offsets() {
                    let (rig, tx, _rx) = $rig(false);
                    let t = tx.write_all(bytes(1, |_| 0x5A)).ok().unwrap();
                    rig.run();
                    let tx = t.wait().ok().unwrap().resources;
                    for _ in 0..polls {
                        if tx.is_idle() {
                            break;
                        }
                    }
                    let (half, channel) = tx.release();
                    let tx = half.transmitter(channel, Refusing);
                    let err = tx.write_all(bytes(1, |_| 0xA5)).err().unwrap();
                    let tx = err.resources;
                    let sent = becomes_sent(&tx);
                    assert_eq!(rig.usart.transmitted(), [0x5A], "the byte has left");
                    assert!(
                        sent,
                        "{polls} polls: every byte has left, nothing more will be sent, \
                         yet is_sent never says so (wait_sent hangs)"
                    );
                }
            }
        }
    };
}

refused_test!(channel_dma, channel_rig);
refused_test!(stream_dma, stream_rig);

/// The same with a transfer the fence accepts that is stopped before its
/// first beat (channel DMA: a stopped channel moves nothing more; a
/// stream's stop drains its prefetched beat, which sets `TC` again).
#[test]
fn channel_dma_a_write_stopped_before_its_first_beat_as_the_last_frame_leaves_never_reports_sent() {
    for polls in offsets() {
        let (rig, tx, _rx) = channel_rig(false);
        let t = tx.write_all(bytes(1, |_| 0x5A)).ok().unwrap();
        rig.run();
        let tx = t.wait().ok().unwrap().resources;
        for _ in 0..polls {
            if tx.is_idle() {
                break;
            }
        }
        let t = tx.write_all(bytes(3, |_| 0xA5)).ok().unwrap();
        let tx = t.stop().ok().unwrap().resources;
        let sent = becomes_sent(&tx);
        let moved = rig.usart.sent();
        let left = rig.usart.transmitted();
        assert_eq!(moved, left, "every byte given to the USART has left");
        assert!(
            sent,
            "{polls} polls: every byte ({moved:?}) has left, nothing more will be sent, \
             yet is_sent never says so (wait_sent hangs)"
        );
    }
}

/// The other side of the fix (the `TC` clear waits for the line to be
/// idle): a transfer begun while the previous one's last frame is still
/// shifting out and stopped before its first beat must not report sent
/// until that frame has left. Clearing `TC` at once and trusting "moved
/// nothing" would.
#[test]
fn channel_dma_a_write_stopped_before_its_first_beat_is_not_sent_while_the_last_frame_is_out() {
    let (rig, tx, _rx) = channel_rig(false);
    // Slow frames: the register accesses of the second start and stop do
    // not finish the first frame by themselves.
    rig.usart.set_frame_ticks(200);
    let t = tx.write_all(bytes(1, |_| 0x5A)).ok().unwrap();
    rig.run();
    let tx = t.wait().ok().unwrap().resources;
    assert!(rig.usart.transmitted().is_empty(), "the frame is still shifting out");
    let t = tx.write_all(bytes(3, |_| 0xA5)).ok().unwrap();
    let tx = t.stop().ok().unwrap().resources;
    assert_eq!(rig.usart.sent(), [0x5A], "the second transfer moved nothing");
    let said_sent = tx.is_sent();
    let left = rig.usart.transmitted();
    assert!(!said_sent || left == [0x5A], "is_sent said sent with {left:?} on the wire");
    assert!(becomes_sent(&tx), "and it becomes sent once the frame has left");
}

//! USART transmit and receive by DMA on both controller families: data,
//! `DMAT`/`DMAR`, fences around every DMA access, stop and drop.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use common::*;
use dma_impl_mock::record::Event;
use dma_traits::{Access, DmaRead, DmaWrite, Transfer};

macro_rules! usart_tests {
    ($family:ident, $rig:ident) => {
        mod $family {
            use super::*;

            #[test]
            fn write_all_sends_and_fences_bracket_the_dma() {
                let (rig, tx, _rx) = $rig(true);
                rig.fast_line_under_miri();
                let message = bytes(5, |i| b"hello"[i]);
                let addr = message.as_ptr() as usize;
                let transfer = tx.write_all(message).ok().unwrap();
                let done = transfer.wait().ok().unwrap();
                rig.mark("returned");
                assert_eq!(done.transferred, 5);
                assert_eq!(&*done.buffer, b"hello");
                assert_eq!(rig.usart.sent(), b"hello");
                assert_eq!(rig.usart.cr3() & (1 << 7), 0, "DMAT cleared after the transfer");
                let events = rig.log.events();
                let release = position(&events, |e| {
                    matches!(e, Event::Release { addr: a, bytes: 5, access: Access::DmaReads } if *a == addr)
                })
                .unwrap();
                let first = position(&events, is_dma_access).unwrap();
                let last = last_position(&events, is_dma_access).unwrap();
                let stopped = last_position(&events, |e| *e == Event::Stopped).unwrap();
                let acquire = position(&events, |e| matches!(e, Event::Acquire { .. })).unwrap();
                assert!(release < first, "release before the first DMA access");
                assert!(last < stopped && stopped < acquire, "acquire after the stop");
                assert_eq!(
                    events.iter().filter(|e| matches!(e, Event::DmaRead { bytes: 1, .. })).count(),
                    5
                );
                // The channel is idle and the transmitter reusable.
                assert_eq!(rig.dma.register(rig.tx_cr) & 1, 0);
                let again = done.resources.write_all(bytes(2, |_| b'!')).ok().unwrap();
                again.wait().ok().unwrap();
                assert_eq!(rig.usart.sent(), b"hello!!");
            }

            #[test]
            fn read_exact_receives_what_arrives() {
                let (rig, _tx, rx) = $rig(true);
                rig.usart.feed(b"abcdef");
                let done = rx.read_exact(bytes(6, |_| 0)).ok().unwrap().wait().ok().unwrap();
                assert_eq!(&*done.buffer, b"abcdef");
                assert_eq!(done.transferred, 6);
                assert_eq!(rig.usart.cr3() & (1 << 6), 0, "DMAR cleared");
                let events = rig.log.events();
                let acquire = position(&events, |e| {
                    matches!(e, Event::Acquire { access: Access::DmaWrites, bytes: 6, .. })
                })
                .unwrap();
                assert!(last_position(&events, is_dma_access).unwrap() < acquire);
            }

            #[test]
            fn scoped_write_of_a_stack_buffer() {
                let (rig, tx, _rx) = $rig(true);
                rig.fast_line_under_miri();
                let stack = [7u8, 8, 9];
                let (body, outcome) = tx.write_all_scoped(&stack[..], |t| t.is_done() as u8);
                assert!(body.is_some());
                assert_eq!(outcome.ok().unwrap().transferred, 3);
                assert_eq!(rig.usart.sent(), [7, 8, 9]);
            }

            #[test]
            fn stop_midway_reports_what_moved() {
                let (rig, _tx, rx) = $rig(false);
                rig.usart.feed(b"xyz");
                let transfer = rx.read_exact(bytes(8, |_| 0)).ok().unwrap();
                assert_eq!(rig.run(), 3);
                assert!(!transfer.is_done());
                let done = transfer.stop().ok().unwrap();
                assert_eq!(done.transferred, 3);
                assert_eq!(&done.buffer[..3], b"xyz");
                assert_eq!(&done.buffer[3..], [0; 5]);
            }

            #[test]
            fn drop_midway_stops_before_returning() {
                let (rig, _tx, rx) = $rig(true);
                rig.usart.feed(b"12");
                let transfer = rx.read_exact(bytes(8, |_| 0)).ok().unwrap();
                while rig.usart.pending() > 0 {
                    std::thread::yield_now();
                }
                drop(transfer);
                rig.mark("dropped");
                // Data arriving now must not reach the (freed) buffer.
                rig.usart.feed(b"345678");
                for _ in 0..20 {
                    std::thread::yield_now();
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
                let events = rig.log.events();
                let dropped = position(&events, |e| *e == Event::Note("dropped")).unwrap();
                assert!(!events[dropped..].iter().any(is_dma_access), "{events:?}");
                let stopped = last_position(&events[..dropped], |e| *e == Event::Stopped).unwrap();
                let acquire = last_position(&events[..dropped], |e| matches!(e, Event::Acquire { .. })).unwrap();
                assert!(last_position(&events[..dropped], is_dma_access).unwrap() < stopped);
                assert!(stopped < acquire);
                assert_eq!(rig.dma.register(rig.rx_cr) & 1, 0, "EN reads 0");
                assert_eq!(rig.usart.pending(), 6, "nothing read after the drop");
            }
        }
    };
}

usart_tests!(channel_dma, channel_rig);
usart_tests!(stream_dma, stream_rig);

/// `release` gives back everything the transmitter / receiver owns: the
/// whole USART (made by `transmitter` / `receiver`) or its half (made by
/// `split`), and the channel; the halves join into the USART again.
#[test]
fn release_gives_back_the_usart_and_the_channel() {
    use dma_impl_mock::record::Recorder;
    use dma_impl_mock::sim::stm32::{ChannelDma, Line, UsartLayout, UsartSim};
    use dma_impl_stm32::channel;
    use dma_impl_stm32::usart::{StatusData, Usart};
    use dma_traits::CompilerFence;

    let sim = ChannelDma::threaded(Recorder::new());
    let serial = UsartSim::new(UsartLayout::StatusData);
    fast_line_under_miri(&serial);
    sim.wire(4, serial.requests(), Line::Tx);
    sim.wire(5, serial.requests(), Line::Rx);
    // SAFETY: the simulators outlive every driver value below.
    let mut dma = unsafe { channel::Dma::from_base(sim.base(), 7) };
    // SAFETY: as above.
    let mut usart = unsafe { Usart::<StatusData>::from_base(serial.base()) };
    usart.enable(1); // UE, TE, RE: the USART raises DMA requests
    let (ch4, ch5) = (dma.channel::<4>().unwrap(), dma.channel::<5>().unwrap());

    // The whole USART, through a transfer and back.
    let tx = usart.transmitter(ch4, CompilerFence);
    let done = tx.write_all(&b"ab"[..]).ok().unwrap().wait().ok().unwrap();
    let (mut usart, ch4) = done.resources.release();
    usart.enable(16);
    // ... and on to the receiver, with the other channel.
    serial.feed(b"cd");
    let rx = usart.receiver(ch5, CompilerFence);
    let done = rx.read_exact(bytes(2, |_| 0)).ok().unwrap().wait().ok().unwrap();
    assert_eq!(&*done.buffer, b"cd");
    let (usart, ch5) = done.resources.release();

    // Split halves give back their half; they join into the USART again.
    let (tx, rx) = usart.split(ch4, ch5, CompilerFence);
    let ((tx_half, ch4), (rx_half, ch5)) = (tx.release(), rx.release());
    let usart = Usart::join(tx_half, rx_half).ok().unwrap();
    let tx = usart.transmitter(ch4, CompilerFence);
    let done = tx.write_all(&b"e"[..]).ok().unwrap().wait().ok().unwrap();
    assert_eq!(serial.sent(), b"abe");
    let (usart, _ch4) = done.resources.release();

    // Halves of different USARTs do not join; both come back.
    let other = UsartSim::new(UsartLayout::StatusData);
    // SAFETY: a live simulated USART nothing else uses.
    let mut stranger = unsafe { Usart::<StatusData>::from_base(other.base()) };
    stranger.enable(1); // UE, TE, RE: the USART raises DMA requests
    let (tx_half, rx_half) = usart.halves();
    let (_, theirs) = stranger.halves();
    let (tx_half, _theirs) = Usart::join(tx_half, theirs).err().unwrap();
    assert!(Usart::join(tx_half, rx_half).is_ok());
    let _ = ch5;
}

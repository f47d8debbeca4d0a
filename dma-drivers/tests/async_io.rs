//! The async drivers (`io::DmaWriter`, `io::DmaReader`, `spi_async::AsyncDmaSpiBus`)
//! on the mock: a future leaked mid-transfer, after which the caller reuses
//! its slice; a future dropped at every await point; errors that leave the
//! driver usable; and the interrupt waking a real executor. Run natively and
//! under Miri (which reports any DMA access to the caller's memory).
#![cfg(feature = "async")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use dma_drivers::io::{DmaReader, DmaWriter, IoError};
use dma_drivers::spi_async::AsyncDmaSpiBus;
use dma_impl_mock::peripheral::MockSpi;
use dma_impl_mock::record::Recorder;
use dma_impl_mock::{MockDma, MockSerial};
use dma_traits::future::DmaWaker;
use dma_traits::CompilerFence;
use embedded_hal_async::spi::SpiBus;
use embedded_io_async::{Read, Write};
use futures_executor::block_on;

fn chunk<const N: usize>() -> &'static mut [u8; N] {
    Box::leak(Box::new([0; N]))
}

/// Polls `future` once; it must still be waiting for the (stepped) DMA.
fn poll_pending<F: Future>(future: std::pin::Pin<&mut F>) {
    let mut cx = Context::from_waker(Waker::noop());
    assert!(future.poll(&mut cx).is_pending(), "the stepped DMA has not moved yet");
}

/// Polls `future` to the end, moving the stepped DMA one word between polls;
/// fails (rather than hangs) if it is still pending after 1000 polls.
fn drive<F: Future>(dma: &MockDma, future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        dma.step(1);
    }
    panic!("still pending after 1000 polls: the driver waits for a transfer that cannot end");
}

/// Polls `future` (on the threaded mock, whose DMA runs by itself) until it
/// is ready; fails after 10 s (under Miri, which interprets each poll a
/// hundred times slower and shares the cores with other Miri runs in CI,
/// 300 s) instead of hanging.
fn within_10s<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    let limit = if cfg!(miri) { 300 } else { 10 };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(limit);
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut cx) {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "still pending after {limit} s");
        std::thread::yield_now();
    }
}

#[test]
fn a_leaked_write_future_leaves_the_callers_slice_alone() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let mut writer = DmaWriter::new(serial, chunk::<8>());

    let mut message = *b"leak me, then reuse me";
    {
        let mut future = Box::pin(writer.write(&message));
        poll_pending(future.as_mut());
        std::mem::forget(future);
    }
    // The future is gone without a drop; the caller's memory is theirs again.
    message.fill(b'#');
    assert_eq!(dma.step(3), 3);
    message.fill(b'%');
    dma.step(usize::MAX);
    // The chunk that was in flight went out from the driver's own buffer.
    drive(&dma, writer.flush()).unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"leak me,");

    // The driver is still usable.
    drive(&dma, writer.write_all(b"ok")).unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"ok");
}

#[test]
fn a_write_future_dropped_at_any_await_point_loses_nothing_it_reported() {
    // Under Miri 10 bytes (three chunks of 4, the last one short): the
    // drops at 0..8 polls fall before the first poll, inside the first and
    // the second chunk and at their ends, as for the 20 bytes of the native
    // run, and each round's resend is half as long.
    let message: &[u8] = if cfg!(miri) { b"0123456789" } else { b"0123456789abcdefghij" };
    for polls in 0..8 {
        let dma = MockDma::stepped(Recorder::new());
        let serial = MockSerial::with_default_fence(&dma);
        let wire = serial.wire();
        let mut writer = DmaWriter::new(serial, chunk::<4>());
        {
            let mut future = pin!(writer.write_all(message));
            let mut cx = Context::from_waker(Waker::noop());
            for _ in 0..polls {
                if future.as_mut().poll(&mut cx).is_ready() {
                    break;
                }
                dma.step(1);
            }
        } // dropped here, possibly with a chunk in flight
        drive(&dma, writer.flush()).unwrap();
        let sent = wire.take_sent::<u8>();
        assert!(message.starts_with(&sent), "after {polls} polls: {sent:?} is a prefix");
        // Whatever was in flight finished; then the whole message again.
        drive(&dma, writer.write_all(message)).unwrap();
        assert_eq!(wire.take_sent::<u8>(), message, "after {polls} polls");
    }
}

#[test]
fn a_dropped_or_leaked_read_future_loses_no_byte() {
    let dma = MockDma::stepped(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let mut reader = DmaReader::new(serial, chunk::<6>());
    wire.deliver(b"abcdefghij");

    let mut first = [0u8; 4];
    {
        let mut future = Box::pin(reader.read(&mut first));
        poll_pending(future.as_mut());
        std::mem::forget(future); // leaked while receiving 4 bytes
    }
    first.fill(0); // reused: the DMA writes the driver's buffer, not this
    dma.step(usize::MAX);
    assert_eq!(drive(&dma, reader.read(&mut first)).unwrap(), 4);
    assert_eq!(&first, b"abcd", "the leaked read's bytes come out of the next read");

    // A read dropped after one poll (receiving min(8, 6) bytes): its bytes
    // come out of the next one too.
    let mut second = [0u8; 8];
    {
        let mut future = pin!(reader.read(&mut second));
        poll_pending(future.as_mut());
    }
    dma.step(usize::MAX);
    let n = drive(&dma, reader.read(&mut second)).unwrap();
    assert_eq!(&second[..n], b"efghij");
}

#[test]
fn errors_give_everything_back_and_the_drivers_stay_usable() {
    let dma = MockDma::threaded(Recorder::new());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let mut writer = DmaWriter::new(serial, chunk::<16>());
    dma.fail_next_after(3);
    let error = within_10s(writer.write(b"0123456789")).expect_err("the injected bus error");
    assert!(matches!(error, IoError::Port { transferred: 3, .. }), "{error:?}");
    assert_eq!(wire.take_sent::<u8>(), b"012");
    assert_eq!(within_10s(writer.write(b"again")).unwrap(), 5);
    assert_eq!(wire.take_sent::<u8>(), b"again");

    // A failed reception keeps the bytes that arrived for the next read.
    let (serial, _) = writer.release().unwrap();
    let mut reader = DmaReader::new(serial, chunk::<8>());
    wire.deliver(b"xyzw");
    dma.fail_next_after(2);
    let mut buf = [0u8; 4];
    assert!(within_10s(reader.read(&mut buf)).is_err());
    let n = within_10s(reader.read(&mut buf)).unwrap();
    assert_eq!(&buf[..n], b"xy", "nothing that arrived is lost");
}

#[test]
fn the_interrupt_wakes_the_executor() {
    let dma = MockDma::threaded(Recorder::new());
    let irq: &'static DmaWaker = Box::leak(Box::new(DmaWaker::new()));
    dma.on_interrupt(move || irq.wake());
    let serial = MockSerial::with_default_fence(&dma);
    let wire = serial.wire();
    let mut writer = DmaWriter::new(serial, chunk::<5>()).with_waker(irq);
    block_on(async {
        writer.write_all(b"sleeps between chunks").await.unwrap();
        writer.flush().await.unwrap();
    });
    assert_eq!(wire.take_sent::<u8>(), b"sleeps between chunks");
}

#[test]
fn a_leaked_spi_future_leaves_the_callers_slices_alone() {
    let dma = MockDma::stepped(Recorder::new());
    let spi = MockSpi::new(&dma, CompilerFence);
    let wire = spi.wire();
    wire.deliver(&[1u8, 2, 3, 4, 5, 6, 7, 8]);
    let mut bus = AsyncDmaSpiBus::new(spi, chunk::<4>(), chunk::<4>());

    let mut read = [0u8; 6];
    let mut write = *b"CMD---";
    {
        let mut future = Box::pin(bus.transfer(&mut read, &write));
        poll_pending(future.as_mut());
        std::mem::forget(future);
    }
    read.fill(0xEE);
    write.fill(0);
    dma.step(usize::MAX);
    assert_eq!(read, [0xEE; 6], "the DMA never wrote the caller's slice");
    drive(&dma, bus.flush()).unwrap();
    assert_eq!(wire.take_sent::<u8>(), b"CMD-", "the chunk in flight came from the bus's buffer");

    let mut status = [0u8; 3];
    drive(&dma, bus.transfer(&mut status, &[0x9F])).unwrap();
    assert_eq!(status, [5, 6, 7]);
    assert_eq!(wire.take_sent::<u8>(), [0x9F, 0, 0]);
}

#[test]
fn spi_operations_through_chunks() {
    let dma = MockDma::threaded(Recorder::new());
    let spi = MockSpi::new(&dma, CompilerFence);
    let wire = spi.wire();
    // The receive buffer is the shorter one: it sets the chunk.
    let mut bus = AsyncDmaSpiBus::new(spi, chunk::<5>(), chunk::<3>()).with_fill_byte(0xFF);
    block_on(async {
        wire.deliver(&[0u8; 7]); // what the device clocks back, dropped
        bus.write(b"abcdefg").await.unwrap();
        assert_eq!(wire.take_sent::<u8>(), b"abcdefg");
        wire.deliver(&[10u8, 11, 12, 13]);
        let mut four = [0u8; 4];
        bus.read(&mut four).await.unwrap();
        assert_eq!(four, [10, 11, 12, 13]);
        assert_eq!(wire.take_sent::<u8>(), [0xFF; 4]);
        wire.deliver(&[20u8, 21, 22, 23, 24]);
        let mut words = *b"hello";
        bus.transfer_in_place(&mut words).await.unwrap();
        assert_eq!(words, [20, 21, 22, 23, 24]);
        assert_eq!(wire.take_sent::<u8>(), b"hello");
    });
}

/// The same drivers on the reference HALs, over their register-level simulators.
mod on_hal_simulators {
    use super::*;
    use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
    use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
    use dma_impl_nrf::{Nrf52840, Uarte};
    use dma_impl_stm32::stream;
    use dma_impl_stm32::usart::{StatusData, Usart};

    /// Under Miri a frame takes one tick of the simulated USART's clock, not
    /// 8: every tick is a simulator step Miri interprets, and the line's
    /// speed changes only how often the driver polls, not which code runs
    /// (a frame still leaves a tick after the DMA wrote it, so `flush` still
    /// waits for `TC`). The native run keeps the simulator's 8.
    fn fast_line_under_miri(usart: &UsartSim) {
        if cfg!(miri) {
            usart.set_frame_ticks(1);
        }
    }

    /// Polls `future` once, then leaks it (the DMA may still be running).
    fn poll_once_and_leak<F: Future>(future: F) {
        let mut future = Box::pin(future);
        let mut cx = Context::from_waker(Waker::noop());
        let _ = future.as_mut().poll(&mut cx);
        std::mem::forget(future);
    }

    #[test]
    fn stm32f4_usart_async_write_and_read() {
        let dma_sim = StreamDma::threaded(Recorder::new());
        let usart_sim = UsartSim::new(UsartLayout::StatusData);
        fast_line_under_miri(&usart_sim);
        dma_sim.wire(7, 4, usart_sim.requests(), Line::Tx);
        dma_sim.wire(2, 4, usart_sim.requests(), Line::Rx);
        // SAFETY: the simulated DMA2 and USART1 blocks, used only here.
        let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(dma_sim.base()) };
        // SAFETY: as above.
        let mut usart = unsafe { Usart::<StatusData>::from_base(usart_sim.base()) };
        usart.enable(1);
        let (tx, rx) =
            usart.split(dma.stream::<7>(4).unwrap(), dma.stream::<2>(4).unwrap(), CompilerFence);
        let mut writer = DmaWriter::new(tx, chunk::<8>());
        let mut reader = DmaReader::new(rx, chunk::<8>());

        let mut message = *b"through the stream";
        poll_once_and_leak(writer.write(&message));
        message.fill(b'#'); // the caller's slice is theirs again
        within_10s(writer.flush()).unwrap();
        within_10s(writer.write_all(b" and more")).unwrap();
        assert_eq!(usart_sim.sent(), b"through  and more", "the leaked chunk went out intact");
        // `flush` means on the wire: the last byte has left the shift
        // register, not only the DMA's memory (`Sent`, from `TC`).
        within_10s(writer.flush()).unwrap();
        assert_eq!(usart_sim.transmitted(), b"through  and more", "flushed = transmitted");

        usart_sim.feed(b"reply!");
        let mut got = [0u8; 6];
        within_10s(reader.read_exact(&mut got)).unwrap();
        assert_eq!(&got, b"reply!");
    }

    #[test]
    fn flush_waits_for_the_last_byte_to_leave_the_stm32_usart() {
        let dma_sim = StreamDma::threaded(Recorder::new());
        let usart_sim = UsartSim::new(UsartLayout::StatusData);
        // A slow line: the tail is long. Under Miri 16 ticks a frame (each
        // tick a threaded simulator step Miri interprets): the last frame
        // still takes many steps after the DMA's last write.
        usart_sim.set_frame_ticks(if cfg!(miri) { 16 } else { 64 });
        dma_sim.wire(7, 4, usart_sim.requests(), Line::Tx);
        // SAFETY: the simulated DMA2 and USART1 blocks, used only here.
        let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(dma_sim.base()) };
        // SAFETY: as above.
        let mut usart = unsafe { Usart::<StatusData>::from_base(usart_sim.base()) };
        usart.enable(1);
        let tx = usart.transmitter(dma.stream::<7>(4).unwrap(), CompilerFence);
        let mut writer = DmaWriter::new(tx, chunk::<8>());
        within_10s(writer.write_all(b"tail")).unwrap();
        within_10s(writer.flush()).unwrap();
        assert_eq!(usart_sim.transmitted(), b"tail", "flush returned before the wire was idle");
    }

    #[test]
    fn nrf_uarte_async_write_and_read() {
        let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
        // SAFETY: the simulator's block, used only by this UARTE.
        let uarte = unsafe { Uarte::<Nrf52840>::new(sim.base()) };
        let (tx, rx) = uarte.split();
        let mut writer = DmaWriter::new(tx, chunk::<8>());
        let mut reader = DmaReader::new(rx, chunk::<8>());

        let mut message = *b"easy does it";
        poll_once_and_leak(writer.write(&message));
        message.fill(b'#'); // the caller's slice is theirs again
        within_10s(writer.flush()).unwrap();
        assert_eq!(sim.take_sent(), b"easy doe", "the leaked chunk went out intact");

        sim.feed(b"abc");
        let mut got = [0u8; 3];
        within_10s(reader.read_exact(&mut got)).unwrap();
        assert_eq!(&got, b"abc");
    }
}

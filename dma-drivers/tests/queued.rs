//! The bbqueue serial driver: exactly what the DMA moved is committed or
//! released, across grant boundaries and wrap-around, on error, on stop and
//! when a transfer is forgotten; on the mock and on the STM32 and nRF
//! simulators.
#![cfg(feature = "bbqueue")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use bbqueue::BBBuffer;
use dma_drivers::queued::{receive, transmit, QueueError};
use dma_impl_mock::record::Recorder;
use dma_impl_mock::{MockDma, MockSerial};
use dma_traits::{DmaRead, DmaWrite};

fn stream(len: usize) -> Vec<u8> {
    (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect()
}

/// Pumps `data` through `queue` in receptions of at most `chunk` bytes, each
/// followed by as many transmissions as the queue has data, and returns what
/// was sent. Grants are contiguous, so a reception near the end of the
/// storage is cut at the end and the next one starts at its beginning.
fn pump<R, T, const N: usize>(
    queue: &'static BBBuffer<N>,
    mut rx: R,
    mut tx: T,
    feed: impl Fn(&[u8]),
    take_sent: impl Fn() -> Vec<u8>,
    data: &[u8],
    chunk: usize,
) -> (Vec<u8>, usize)
where
    R: DmaRead<u8>,
    T: DmaWrite<u8>,
{
    let (mut producer, mut consumer) = queue.try_split().unwrap();
    feed(data);
    let (mut received, mut receptions) = (0, 0);
    while received < data.len() {
        let want = chunk.min(data.len() - received);
        let Ok(reception) = receive(rx, &mut producer, want) else {
            panic!("a reception of {want} bytes was refused");
        };
        let done = reception.wait();
        assert_eq!(done.error.map(|_| ()), None);
        assert!(done.moved > 0 && done.moved <= want);
        received += done.moved;
        receptions += 1;
        rx = done.port;
        loop {
            match transmit(tx, &mut consumer) {
                Ok(sending) => {
                    let sent = sending.wait();
                    assert_eq!(sent.error.map(|_| ()), None);
                    tx = sent.port;
                }
                Err(refused) => {
                    assert!(matches!(
                        refused.error,
                        QueueError::Queue(bbqueue::Error::InsufficientSize)
                    ));
                    tx = refused.port;
                    break;
                }
            }
        }
    }
    (take_sent(), receptions)
}

#[test]
fn a_stream_wraps_around_the_queue_without_loss_or_duplication() {
    static QUEUE: BBBuffer<16> = BBBuffer::new();
    let dma = MockDma::threaded(Recorder::new());
    let (rx, tx) = (MockSerial::with_default_fence(&dma), MockSerial::with_default_fence(&dma));
    let (rx_wire, tx_wire) = (rx.wire(), tx.wire());
    let data = stream(if cfg!(miri) { 23 } else { 100 });
    let (sent, receptions) =
        pump(&QUEUE, rx, tx, |d| rx_wire.deliver(d), || tx_wire.take_sent::<u8>(), &data, 7);
    assert_eq!(sent, data);
    assert!(receptions > data.len() / 7, "some receptions were cut at the wrap");
}

#[test]
fn an_error_mid_grant_commits_what_arrived() {
    static QUEUE: BBBuffer<32> = BBBuffer::new();
    let (mut producer, mut consumer) = QUEUE.try_split().unwrap();
    let dma = MockDma::threaded(Recorder::new());
    let port = MockSerial::with_default_fence(&dma);
    port.wire().deliver(b"abcdefgh");
    dma.fail_next_after(3);
    let done = receive(port, &mut producer, 8).map_err(|e| e.error).unwrap().wait();
    assert_eq!(done.moved, 3);
    assert!(done.error.is_some());
    let grant = consumer.read().unwrap();
    assert_eq!(&*grant, b"abc", "exactly the bytes before the error are committed");
    grant.release(3);
    // The port given back goes on where the wire is.
    let done = receive(done.port, &mut producer, 5).map_err(|e| e.error).unwrap().wait();
    assert_eq!((done.moved, done.error.is_none()), (5, true));
    assert_eq!(&*consumer.read().unwrap(), b"defgh");
}

#[test]
fn a_stop_mid_grant_commits_what_arrived() {
    static QUEUE: BBBuffer<32> = BBBuffer::new();
    let (mut producer, mut consumer) = QUEUE.try_split().unwrap();
    let dma = MockDma::stepped(Recorder::new());
    let port = MockSerial::with_default_fence(&dma);
    let wire = port.wire();
    wire.deliver(b"12345678");
    let reception = receive(port, &mut producer, 8).map_err(|e| e.error).unwrap();
    dma.step(5);
    assert!(!reception.is_done());
    let stopped = reception.stop();
    assert_eq!((stopped.moved, stopped.error.is_none()), (5, true));
    assert_eq!(&*consumer.read().unwrap(), b"12345");
    assert_eq!(wire.pending(), 3, "the rest is still on the wire, not lost");
}

#[test]
fn a_transmission_stopped_mid_grant_releases_only_what_was_sent() {
    static QUEUE: BBBuffer<32> = BBBuffer::new();
    let (mut producer, mut consumer) = QUEUE.try_split().unwrap();
    let mut grant = producer.grant_exact(6).unwrap();
    grant.copy_from_slice(b"uvwxyz");
    grant.commit(6);
    let dma = MockDma::stepped(Recorder::new());
    let port = MockSerial::with_default_fence(&dma);
    let wire = port.wire();
    let sending = transmit(port, &mut consumer).map_err(|e| e.error).unwrap();
    dma.step(2);
    let stopped = sending.stop();
    assert_eq!(stopped.moved, 2);
    assert_eq!(wire.take_sent::<u8>(), b"uv");
    assert_eq!(&*consumer.read().unwrap(), b"wxyz", "unsent bytes stay queued");
}

#[test]
fn a_forgotten_transfer_leaves_the_queue_refusing_not_broken() {
    static QUEUE: BBBuffer<16> = BBBuffer::new();
    let (mut producer, _consumer) = QUEUE.try_split().unwrap();
    let dma = MockDma::threaded(Recorder::new());
    let port = MockSerial::with_default_fence(&dma);
    port.wire().deliver(b"lost");
    core::mem::forget(receive(port, &mut producer, 4).map_err(|e| e.error).unwrap());
    let again = MockSerial::with_default_fence(&dma);
    let refused = receive(again, &mut producer, 4).err().unwrap();
    assert!(matches!(refused.error, QueueError::Queue(bbqueue::Error::GrantInProgress)));
}

mod on_hal_simulators {
    use super::*;
    use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
    use dma_impl_mock::sim::stm32::{Line, StreamDma, UsartLayout, UsartSim};
    use dma_impl_nrf::{Nrf52840, Uarte};
    use dma_impl_stm32::stream;
    use dma_impl_stm32::usart::{StatusData, Usart};
    use dma_traits::CompilerFence;

    #[test]
    fn the_queue_runs_on_the_stm32f4_usart() {
        static QUEUE: BBBuffer<16> = BBBuffer::new();
        let dma_sim = StreamDma::threaded(Recorder::new());
        let usart_sim = UsartSim::new(UsartLayout::StatusData);
        // Under Miri a frame takes one tick of the USART's clock, not 8:
        // every tick is a threaded simulator step Miri interprets; the
        // line's speed changes how often the driver polls, not which code
        // runs. The native run keeps 8.
        if cfg!(miri) {
            usart_sim.set_frame_ticks(1);
        }
        dma_sim.wire(7, 4, usart_sim.requests(), Line::Tx);
        dma_sim.wire(2, 4, usart_sim.requests(), Line::Rx);
        // SAFETY: the simulated DMA2 and USART1 blocks, used only here.
        let mut dma = unsafe { stream::Dma::<stream::Dma2>::from_base(dma_sim.base()) };
        // SAFETY: as above.
        let mut usart = unsafe { Usart::<StatusData>::from_base(usart_sim.base()) };
        usart.enable(1); // the simulated USART raises DMA requests only when enabled
        let (tx, rx) =
            usart.split(dma.stream::<7>(4).unwrap(), dma.stream::<2>(4).unwrap(), CompilerFence);
        let data = stream(if cfg!(miri) { 18 } else { 40 });
        let (sent, _) = pump(&QUEUE, rx, tx, |d| usart_sim.feed(d), || usart_sim.sent(), &data, 6);
        assert_eq!(sent, data);
    }

    #[test]
    fn the_queue_runs_on_the_nrf_uarte() {
        static QUEUE: BBBuffer<16> = BBBuffer::new();
        let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840());
        // SAFETY: the simulator's block, used only by this UARTE.
        let uarte = unsafe { Uarte::<Nrf52840>::new(sim.base()) };
        let (tx, rx) = uarte.split();
        let data = stream(if cfg!(miri) { 18 } else { 40 });
        let (sent, _) = pump(&QUEUE, rx, tx, |d| sim.feed(d), || sim.take_sent(), &data, 6);
        assert_eq!(sent, data);
    }
}

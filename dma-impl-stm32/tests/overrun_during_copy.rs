//! An overrun that happens while the CPU copies a half (or buffer) out is
//! reported. A fence whose `acquire` lets the simulated DMA run a few beats
//! makes the timing exact: the DMA completes the *other* half during the
//! handover, so the half being copied is about to be overwritten.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::OnceLock;

use dma_impl_mock::record::Recorder;
use dma_impl_mock::sim::stm32::{ChannelDma, Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_stm32::usart::{InterruptStatus, StatusData, Usart};
use dma_impl_stm32::{channel, stream, Error, Half};
use dma_traits::{Access, DmaFence, FenceError};

/// Something whose hardware can be advanced by one beat.
trait Beat: Sync {
    fn beat(&self) -> bool;
}
impl Beat for ChannelDma {
    fn beat(&self) -> bool {
        self.step()
    }
}
impl Beat for StreamDma {
    fn beat(&self) -> bool {
        self.step()
    }
}

/// A fence that, on `acquire`, lets the DMA move `beats` items first.
#[derive(Clone, Copy)]
struct SlowCpu {
    dma: &'static dyn Beat,
    beats: usize,
}

// SAFETY: `release` and `acquire` are compiler fences as `CompilerFence`'s
// (host simulation, no cache); the extra beats run on this thread before the
// fence, so they are ordered before every later CPU access.
unsafe impl DmaFence for SlowCpu {
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError> {
        dma_traits::CompilerFence.release(buf, access)
    }
    fn acquire<W>(self, buf: *const [W], access: Access) {
        for _ in 0..self.beats {
            self.dma.beat();
        }
        dma_traits::CompilerFence.acquire(buf, access);
    }
}

/// Simulators that live for the whole test run (statics: never dropped).
static CHANNEL: OnceLock<(ChannelDma, UsartSim)> = OnceLock::new();
static STREAM: OnceLock<(StreamDma, UsartSim)> = OnceLock::new();

#[test]
fn circular_overrun_during_the_copy() {
    let (dma, usart) = CHANNEL.get_or_init(|| {
        let dma = ChannelDma::new(Recorder::new());
        let usart = UsartSim::new(UsartLayout::StatusData);
        dma.wire(5, usart.requests(), Line::Rx);
        (dma, usart)
    });
    // SAFETY: the simulators are statics, alive for the whole run.
    let mut controller = unsafe { channel::Dma::from_base(dma.base(), 7) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<StatusData>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let fence = SlowCpu { dma, beats: 4 };
    let rx = driver.receiver(controller.channel::<5>().unwrap(), fence);
    let mut circ = rx.read_circular(common::bytes(8, |_| 0)).ok().unwrap();
    usart.feed(b"abcd");
    while dma.step() {}
    usart.feed(b"efgh");
    let mut out = [0u8; 4];
    // While the first half is handed over, the DMA finishes the second and
    // turns back to the first: the copy cannot be trusted.
    assert_eq!(circ.read_half(&mut out), Err(Error::Overrun { lost: 4 }));
    assert_eq!(&out, b"abcd", "nothing was overwritten yet in this run");
    // The next half in turn is the second, complete and intact.
    assert_eq!(circ.read_half(&mut out), Ok(Some((Half::Second, 4))));
    assert_eq!(&out, b"efgh");
}

#[test]
fn double_buffer_overrun_during_the_copy() {
    let (dma, usart) = STREAM.get_or_init(|| {
        let dma = StreamDma::new(Recorder::new());
        let usart = UsartSim::new(UsartLayout::InterruptStatus);
        dma.wire(2, 4, usart.requests(), Line::Rx);
        (dma, usart)
    });
    // SAFETY: the simulators are statics, alive for the whole run.
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<InterruptStatus>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let fence = SlowCpu { dma, beats: 2 };
    let rx = driver.receiver(controller.stream::<2>(4).unwrap(), fence);
    let buffers = (common::bytes(2, |_| 0), common::bytes(2, |_| 0));
    let mut db = rx.read_double_buffered(buffers).ok().unwrap();
    usart.feed(b"1");
    while dma.step() {}
    let mut out = [0u8; 2];
    assert_eq!(db.read_completed(&mut out), Ok(None), "half of buffer 0 seen");
    usart.feed(b"2");
    while dma.step() {}
    usart.feed(b"34");
    // Buffer 0 is handed over while the stream fills buffer 1 and switches
    // back to buffer 0: the copy is not data ("12" is counted lost).
    assert_eq!(db.read_completed(&mut out), Err(Error::Overrun { lost: 2 }));
    assert_eq!(&out, b"12", "nothing was overwritten yet in this run");
    // Buffer 1, complete and intact, is taken next.
    assert_eq!(db.read_completed(&mut out), Ok(Some((1, 2))));
    assert_eq!(&out, b"34");
}

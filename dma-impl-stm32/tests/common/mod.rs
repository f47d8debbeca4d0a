//! Test rigs: a simulated controller and USART, and the driver halves on them.
#![allow(dead_code, unreachable_pub, missing_docs, clippy::unwrap_used, clippy::expect_used)]

use dma_impl_mock::record::{Event, Recorder, RecordingFence};
use dma_impl_mock::sim::stm32::{ChannelDma, Fault, Line, StreamDma, UsartLayout, UsartSim};
use dma_impl_stm32::channel::{self, Channel};
use dma_impl_stm32::stream::{self, Stream};
use dma_impl_stm32::usart::{InterruptStatus, RxHalf, StatusData, TxHalf, Usart, UsartRx, UsartTx};

/// A simulated controller, either family.
pub trait Sim {
    fn step(&self) -> bool;
    fn fault(&self, number: usize, fault: Fault);
    fn register(&self, offset: usize) -> u32;
}

impl Sim for ChannelDma {
    fn step(&self) -> bool {
        ChannelDma::step(self)
    }
    fn fault(&self, number: usize, fault: Fault) {
        ChannelDma::fault(self, number, fault);
    }
    fn register(&self, offset: usize) -> u32 {
        ChannelDma::register(self, offset)
    }
}

impl Sim for StreamDma {
    fn step(&self) -> bool {
        StreamDma::step(self)
    }
    fn fault(&self, number: usize, fault: Fault) {
        StreamDma::fault(self, number, fault);
    }
    fn register(&self, offset: usize) -> u32 {
        StreamDma::register(self, offset)
    }
}

/// The simulated hardware of one test; declare it first so it is dropped last.
pub struct Rig<S> {
    pub log: Recorder,
    pub dma: S,
    pub usart: UsartSim,
    /// Offsets of the TX and RX channels' control registers.
    pub tx_cr: usize,
    pub rx_cr: usize,
    /// The TX / RX channel number, for fault injection.
    pub tx_number: usize,
    pub rx_number: usize,
}

impl<S: Sim> Rig<S> {
    /// Steps until nothing moves (bounded).
    pub fn run(&self) -> usize {
        (0..10_000).take_while(|_| self.dma.step()).count()
    }

    /// See [`fast_line_under_miri`].
    pub fn fast_line_under_miri(&self) {
        fast_line_under_miri(&self.usart);
    }

    /// Marks "the driver call has returned" in the log.
    pub fn mark(&self, note: &'static str) {
        self.log.push(Event::Note(note));
    }
}

pub type Fence = RecordingFence;
pub type ChannelTx = UsartTx<StatusData, Channel<4>, Fence, TxHalf<StatusData>>;
pub type ChannelRx = UsartRx<StatusData, Channel<5>, Fence, RxHalf<StatusData>>;
pub type StreamTx = UsartTx<InterruptStatus, Stream<7>, Fence, TxHalf<InterruptStatus>>;
pub type StreamRx = UsartRx<InterruptStatus, Stream<2>, Fence, RxHalf<InterruptStatus>>;

/// An F1-like rig: channel DMA, `SR`/`DR` USART, TX on channel 4, RX on 5.
pub fn channel_rig(threaded: bool) -> (Rig<ChannelDma>, ChannelTx, ChannelRx) {
    let log = Recorder::new();
    let dma =
        if threaded { ChannelDma::threaded(log.clone()) } else { ChannelDma::new(log.clone()) };
    let usart = UsartSim::new(UsartLayout::StatusData);
    dma.wire(4, usart.requests(), Line::Tx);
    dma.wire(5, usart.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values (the rig is dropped last).
    let mut controller = unsafe { channel::Dma::from_base(dma.base(), 7) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<StatusData>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let fence = fence(&log);
    let (tx, rx) =
        driver.split(controller.channel::<4>().unwrap(), controller.channel::<5>().unwrap(), fence);
    let rig = Rig {
        log,
        dma,
        usart,
        tx_cr: 0x08 + 0x14 * 3,
        rx_cr: 0x08 + 0x14 * 4,
        tx_number: 4,
        rx_number: 5,
    };
    (rig, tx, rx)
}

/// An F7-like rig: stream DMA, `ISR`/`TDR` USART, TX on stream 7 and RX on
/// stream 2, both request channel 4.
pub fn stream_rig(threaded: bool) -> (Rig<StreamDma>, StreamTx, StreamRx) {
    let log = Recorder::new();
    let dma = if threaded { StreamDma::threaded(log.clone()) } else { StreamDma::new(log.clone()) };
    let usart = UsartSim::new(UsartLayout::InterruptStatus);
    dma.wire(7, 4, usart.requests(), Line::Tx);
    dma.wire(2, 4, usart.requests(), Line::Rx);
    // SAFETY: the simulators outlive the driver values (the rig is dropped last).
    let mut controller = unsafe { stream::Dma::<stream::Dma2>::from_base(dma.base()) };
    // SAFETY: as above.
    let mut driver = unsafe { Usart::<InterruptStatus>::from_base(usart.base()) };
    driver.enable(1); // UE, TE, RE: the USART raises DMA requests
    let fence = fence(&log);
    let (tx, rx) =
        driver.split(controller.stream::<7>(4).unwrap(), controller.stream::<2>(4).unwrap(), fence);
    let rig = Rig {
        log,
        dma,
        usart,
        tx_cr: 0x10 + 0x18 * 7,
        rx_cr: 0x10 + 0x18 * 2,
        tx_number: 7,
        rx_number: 2,
    };
    (rig, tx, rx)
}

/// Under Miri a frame takes one tick of the simulated USART's clock, not
/// `FRAME_TICKS` (8): every tick is a DMA-simulator step or register access
/// that Miri interprets (most of a transmitting test's time), and the line's
/// speed changes only how often the driver and the DMA poll, not which code
/// runs; a frame still leaves a tick after it entered the shift register, so
/// `TC` still trails the last DMA write. For tests that are not about the
/// tail's length (`tests/sent.rs` and `tests/review2_sent_tc_race.rs` keep
/// the default). The native run keeps `FRAME_TICKS`.
pub fn fast_line_under_miri(usart: &UsartSim) {
    if cfg!(miri) {
        usart.set_frame_ticks(1);
    }
}

/// Leaked recorders, kept reachable from a static so Miri's leak check
/// knows they are meant to live for the whole test run.
static KEPT: std::sync::Mutex<Vec<&'static Recorder>> = std::sync::Mutex::new(Vec::new());

/// A fence logging into `log`, for the whole test run.
pub fn fence(log: &Recorder) -> RecordingFence {
    let kept = log.leak();
    KEPT.lock().unwrap().push(kept);
    RecordingFence::new(kept)
}

/// Index of the first event matching `f`.
pub fn position(events: &[Event], f: impl Fn(&Event) -> bool) -> Option<usize> {
    events.iter().position(f)
}

/// Index of the last event matching `f`.
pub fn last_position(events: &[Event], f: impl Fn(&Event) -> bool) -> Option<usize> {
    events.iter().rposition(f)
}

pub fn is_dma_access(e: &Event) -> bool {
    matches!(e, Event::DmaRead { .. } | Event::DmaWrite { .. })
}

/// A `'static` buffer of `n` bytes that Miri does not count as leaked.
pub fn bytes(n: usize, fill: impl Fn(usize) -> u8) -> Box<[u8]> {
    (0..n).map(fill).collect()
}

/// A fence that refuses every buffer.
#[derive(Clone, Copy)]
pub struct Refusing;

// SAFETY: `release` always fails and changes nothing; `acquire` is never
// reached for a refused buffer.
unsafe impl dma_traits::DmaFence for Refusing {
    fn release<W>(
        self,
        buf: *const [W],
        _: dma_traits::Access,
    ) -> Result<(), dma_traits::FenceError> {
        Err(dma_traits::FenceError::NotCacheLineAligned {
            address: buf.cast::<W>() as usize,
            bytes: 1,
        })
    }
    fn acquire<W>(self, _: *const [W], _: dma_traits::Access) {}
}

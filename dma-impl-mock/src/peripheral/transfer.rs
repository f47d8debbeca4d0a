//! The in-flight transfer shared by every mock peripheral.

use core::fmt;
use std::time::{Duration, Instant};

use dma_traits::{
    Access, DmaFence, ErrorKind, FenceError, Finished, Outcome, Transfer, TransferError, Word,
};

use crate::engine::{Channel, EngineError, Mode, Status};
use dma_traits::Lent;

/// What goes wrong in a mock transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MockError {
    /// A buffer of zero words: nothing to transfer.
    ZeroLength,
    /// A buffer longer than the peripheral's limit.
    TooLong {
        /// The buffer's length in words.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Two buffers of a full-duplex or copy transfer differ in length.
    LengthMismatch {
        /// The first buffer's length.
        first: usize,
        /// The second buffer's length.
        second: usize,
    },
    /// The fence refused the buffer.
    Fence(FenceError),
    /// The DMA channel refused the descriptor.
    Engine(EngineError),
    /// The buffer's start is not aligned to its word's width.
    Misaligned {
        /// The start address.
        address: usize,
        /// The alignment the word's width needs.
        align: usize,
    },
    /// The (injected) bus error struck; the words before it were moved.
    Bus,
    /// A stream's buffer has an odd number of words.
    OddLength {
        /// The buffer's length in words.
        len: usize,
    },
    /// The word is wider than the mock streams (32 bits).
    UnsupportedWidth,
    /// A stream's DMA came back into a half before the CPU took it.
    Overrun {
        /// Words skipped.
        lost: usize,
    },
    /// [`Transfer::wait`] would never return; the transfer was stopped and
    /// everything is given back instead.
    WouldHang(Hang),
}

/// Why waiting for a mock transfer would never end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hang {
    /// The channel reached an injected stall (`MockDma::stall_next_after`),
    /// which only `stop` ends.
    Stalled,
    /// On a stepped controller, the channel waits for its peripheral (a
    /// wire with nothing delivered, say), and nothing else runs while the
    /// CPU waits: deliver first, or use a threaded controller.
    Starved,
    /// On a threaded controller, no word moved for this long.
    NoProgress(Duration),
}

impl fmt::Display for Hang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hang::Stalled => f.write_str(
                "the channel is stalled by an injected fault (stall_next_after); only stop() ends it",
            ),
            Hang::Starved => f.write_str(
                "on a stepped MockDma the channel waits for its peripheral and nothing else runs \
                 while the CPU waits; deliver the data first or use MockDma::threaded",
            ),
            Hang::NoProgress(limit) => write!(
                f,
                "no word moved for {limit:?}; does the peripheral wait for data nobody delivers?"
            ),
        }
    }
}

/// How long [`Transfer::wait`] on a threaded mock waits for the next word
/// before it gives up with [`Hang::NoProgress`] (Miri interprets slowly).
pub const NO_PROGRESS_LIMIT: Duration = Duration::from_secs(if cfg!(miri) { 120 } else { 10 });

/// Checks that one pair can be programmed: not empty, at most `max` words,
/// aligned to the word's width (the beat width the engine moves).
pub(crate) fn check_pair<W: Word>(ptr: *const W, len: usize, max: usize) -> Result<(), MockError> {
    if len == 0 {
        Err(MockError::ZeroLength)
    } else if len > max {
        Err(MockError::TooLong { len, max })
    } else if !W::WIDTH.aligns(ptr) {
        Err(MockError::Misaligned { address: ptr as usize, align: W::WIDTH.bytes() })
    } else {
        Ok(())
    }
}

/// [`check_pair`] for the two sides of a copy or full-duplex transfer, which
/// must also be of one length.
pub(crate) fn check_pairs<W: Word>(
    first: (*const W, usize),
    second: (*const W, usize),
    max: usize,
) -> Result<(), MockError> {
    if first.1 != second.1 {
        return Err(MockError::LengthMismatch { first: first.1, second: second.1 });
    }
    check_pair(first.0, first.1, max).and_then(|()| check_pair(second.0, second.1, max))
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::ZeroLength => f.write_str("zero-length buffer"),
            MockError::TooLong { len, max } => {
                write!(f, "buffer of {len} words exceeds the limit of {max}")
            }
            MockError::LengthMismatch { first, second } => {
                write!(f, "buffers of {first} and {second} words")
            }
            MockError::Fence(e) => write!(f, "fence: {e}"),
            MockError::Engine(e) => write!(f, "DMA channel: {e}"),
            MockError::Misaligned { address, align } => {
                write!(f, "buffer at {address:#x} is not aligned to {align} bytes")
            }
            MockError::Bus => f.write_str("DMA bus error"),
            MockError::WouldHang(why) => write!(f, "waiting would never end: {why}"),
            MockError::OddLength { len } => write!(f, "a stream buffer of {len} (odd) words"),
            MockError::UnsupportedWidth => {
                f.write_str("mock streams move words of at most 32 bits")
            }
            MockError::Overrun { lost } => write!(f, "overrun: {lost} words lost"),
        }
    }
}

impl std::error::Error for MockError {}

impl dma_traits::Error for MockError {
    fn kind(&self) -> ErrorKind {
        match self {
            MockError::ZeroLength | MockError::Engine(EngineError::ZeroLength) => ErrorKind::Empty,
            MockError::TooLong { max, .. } => ErrorKind::TooLong { max: *max },
            MockError::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            MockError::Fence(_) => ErrorKind::Fence,
            MockError::Misaligned { .. } => ErrorKind::Misaligned,
            MockError::Bus => ErrorKind::Bus,
            MockError::OddLength { .. } => ErrorKind::OddLength,
            MockError::UnsupportedWidth => ErrorKind::UnsupportedWidth,
            MockError::Overrun { .. } => ErrorKind::Overrun,
            MockError::Engine(EngineError::Busy) | MockError::WouldHang(_) => ErrorKind::Other,
        }
    }
}

/// A deliberate bug, to show that a test suite catches it. Only the `unsafe`
/// `with_defect` constructors build one into a port, whose contract says how
/// the broken transfers must be confined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// Dropping a running transfer neither stops the DMA nor waits for it,
    /// nor runs the acquire fence: the buffer is released while in use.
    NoStopOnDrop,
    /// The transfer never runs the acquire fence.
    NoAcquire,
}

/// One channel's share of a transfer: the channel and the memory it was given.
pub(crate) struct Leg<W> {
    pub(crate) channel: Channel,
    pub(crate) region: *const [W],
    pub(crate) access: Access,
}

impl<W> fmt::Debug for Leg<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Leg")
            .field("channel", &self.channel.status())
            .field("region", &self.region.cast::<u8>())
            .field("words", &self.region.len())
            .field("access", &self.access)
            .finish()
    }
}

/// A transfer in flight on a mock peripheral. Owns the buffer(s) `B` and the
/// peripheral `R` until it ends; dropping it stops the DMA, waits until it has
/// let go and runs the acquire fence, before the buffer is dropped.
pub struct MockTransfer<B, R, W: Word, F: DmaFence> {
    // Declared first: dropped first, so the DMA stops before `buffer` drops.
    guard: Guard<W, F>,
    buffer: Lent<B>,
    resources: R,
}

/// The channels and fence of a transfer; stops them when dropped.
struct Guard<W: Word, F: DmaFence> {
    legs: Vec<Leg<W>>,
    fence: F,
    defect: Option<Defect>,
    halted: bool,
}

impl<B, R, W: Word, F: DmaFence> fmt::Debug for MockTransfer<B, R, W, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockTransfer")
            .field("legs", &self.guard.legs)
            .field("defect", &self.guard.defect)
            .finish_non_exhaustive()
    }
}

// SAFETY: the raw `region` pointers are addresses handed to the fence, never
// dereferenced by the transfer; the channels are `Send`. Sending the transfer
// is as safe as sending its buffer and peripheral.
unsafe impl<B: Send, R: Send, W: Word, F: DmaFence + Send> Send for MockTransfer<B, R, W, F> {}

impl<B, R, W: Word, F: DmaFence> MockTransfer<B, R, W, F> {
    /// A transfer whose legs the caller has already started.
    pub(crate) fn new(
        buffer: Lent<B>,
        resources: R,
        legs: Vec<Leg<W>>,
        fence: F,
        defect: Option<Defect>,
    ) -> Self {
        MockTransfer { guard: Guard { legs, fence, defect, halted: false }, buffer, resources }
    }

    /// Words moved so far by the slowest leg.
    pub fn transferred(&self) -> usize {
        self.guard.transferred()
    }

    /// The channel of the first leg (for circular transfers' event counters).
    pub fn channel(&self) -> Option<&Channel> {
        self.guard.legs.first().map(|l| &l.channel)
    }
}

impl<W: Word, F: DmaFence> Guard<W, F> {
    fn transferred(&self) -> usize {
        self.legs.iter().map(|l| l.channel.moved()).min().unwrap_or(0)
    }

    /// Why waiting for this transfer would never end, or `None` while it
    /// may still end. On a stepped controller it first runs this transfer's
    /// channels (round robin, as the hardware would) until they stop moving:
    /// a blocking wait is the one place where nothing else can step them.
    fn hang(&self, progress: &mut (usize, Instant)) -> Option<Hang> {
        if self.legs.iter().any(|l| l.channel.is_stalled()) {
            return Some(Hang::Stalled);
        }
        if self.legs.first().is_some_and(|l| l.channel.mode() == Mode::Stepped) {
            while self.legs.iter().fold(false, |moved, l| l.channel.step_one() | moved) {}
            // The last round published every final status that was due.
            let done = self.legs.iter().all(|l| l.channel.is_done());
            return match done {
                true => None,
                false if self.legs.iter().any(|l| l.channel.is_stalled()) => Some(Hang::Stalled),
                false => Some(Hang::Starved),
            };
        }
        let moved = self.transferred();
        if moved != progress.0 {
            *progress = (moved, Instant::now());
            None
        } else if progress.1.elapsed() > NO_PROGRESS_LIMIT {
            Some(Hang::NoProgress(NO_PROGRESS_LIMIT))
        } else {
            None
        }
    }

    /// Stops every leg, waits until each has let go, runs the acquire
    /// fences; returns whether a leg failed.
    fn halt(&mut self) -> bool {
        let mut failed = false;
        for leg in &self.legs {
            failed |= leg.channel.stop() == Status::Failed;
        }
        if self.defect != Some(Defect::NoAcquire) && !self.halted {
            for leg in &self.legs {
                self.fence.acquire(leg.region, leg.access);
            }
        }
        self.halted = true;
        failed
    }
}

impl<W: Word, F: DmaFence> Drop for Guard<W, F> {
    fn drop(&mut self) {
        if !self.halted && self.defect != Some(Defect::NoStopOnDrop) {
            self.halt();
        }
    }
}

// SAFETY: `stop` and `Drop` (the only ways out besides leaking) call
// `Guard::halt`, which returns only after every channel reports a final
// status (the engine has let go of the memory) and then runs the acquire
// fence over every region; on drop the guard is the first field, so this
// happens before the buffer is dropped. `wait` is the default: `is_done`
// then `stop`. A `defect` other than `None` breaks this on purpose; it can
// only be set through the `unsafe` `with_defect` constructors, whose callers
// take over the obligation (no buffer of theirs is freed or read while the
// DMA may touch it), so no safe program reaches a state where this is false.
unsafe impl<B, R, W: Word, F: DmaFence> Transfer for MockTransfer<B, R, W, F> {
    type Buffer = B;
    type Resources = R;
    type Error = MockError;

    fn is_done(&self) -> bool {
        self.guard.legs.iter().all(|l| l.channel.is_done())
    }

    /// Blocks until the hardware has finished, then ends the transfer. It
    /// cannot hang: on a stepped controller it runs the transfer's channels
    /// itself, and when the transfer could never end (an injected stall, a
    /// stepped channel starved of data, no word moved for
    /// [`NO_PROGRESS_LIMIT`]) it stops the transfer and returns
    /// [`MockError::WouldHang`] with everything.
    fn wait(self) -> Outcome<Self> {
        let mut progress = (self.transferred(), Instant::now());
        loop {
            if self.is_done() {
                return self.stop();
            }
            if let Some(why) = self.guard.hang(&mut progress) {
                let error = MockError::WouldHang(why);
                return Err(match self.stop() {
                    Ok(done) => TransferError {
                        error,
                        buffer: done.buffer,
                        resources: done.resources,
                        transferred: done.transferred,
                    },
                    Err(failure) => TransferError { error, ..failure },
                });
            }
            std::thread::yield_now();
        }
    }

    fn stop(self) -> Outcome<Self> {
        let MockTransfer { mut guard, buffer, resources } = self;
        let failed = guard.halt();
        let transferred = guard.transferred();
        let buffer = buffer.into_inner();
        if failed {
            Err(TransferError { error: MockError::Bus, buffer, resources, transferred })
        } else {
            Ok(Finished { buffer, resources, transferred })
        }
    }
}

/// One leg to start: which channel, what it does, over which memory.
pub(crate) struct Plan<W> {
    pub(crate) channel: Channel,
    pub(crate) descriptor: crate::engine::Descriptor,
    pub(crate) region: *const [W],
    pub(crate) access: Access,
}

/// Releases every region, then starts every channel. If anything fails,
/// the channels already started are stopped and the regions already
/// released are acquired back before the error is returned.
///
/// # Safety
///
/// As for [`Channel::start`], for every plan's descriptor.
pub(crate) unsafe fn launch<W: Word, F: DmaFence>(
    fence: F,
    plans: Vec<Plan<W>>,
) -> Result<Vec<Leg<W>>, MockError> {
    let mut released: Vec<&Plan<W>> = Vec::new();
    let mut failure = None;
    for plan in &plans {
        match fence.release(plan.region, plan.access) {
            Ok(()) => released.push(plan),
            Err(error) => {
                failure = Some(MockError::Fence(error));
                break;
            }
        }
    }
    let mut started: Vec<&Plan<W>> = Vec::new();
    if failure.is_none() {
        for plan in &plans {
            // SAFETY: forwarded from this function's contract.
            match unsafe { plan.channel.start(plan.descriptor.clone()) } {
                Ok(()) => started.push(plan),
                Err(error) => {
                    failure = Some(MockError::Engine(error));
                    break;
                }
            }
        }
    }
    if let Some(error) = failure {
        for plan in started {
            plan.channel.stop();
        }
        for plan in released {
            fence.acquire(plan.region, plan.access);
        }
        return Err(error);
    }
    Ok(plans
        .into_iter()
        .map(|plan| Leg { channel: plan.channel, region: plan.region, access: plan.access })
        .collect())
}

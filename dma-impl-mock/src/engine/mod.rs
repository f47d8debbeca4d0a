//! A software DMA controller: channels that move words between memory and
//! mock peripherals, on a worker thread or one step at a time.
//!
//! The CPU/DMA handshake is made of `SeqCst` atomics, as a real controller's
//! enable bit and status flags are: the descriptor is published before the
//! channel reads "running", and the worker's last memory access happens
//! before the channel reads "stopped". The engine accesses buffer memory
//! through raw pointers with volatile, non-atomic accesses, so under Miri a
//! driver that touches the buffer before it has observed "stopped" is a
//! reported data race. Every access is logged to a [`Recorder`].
//!
//! ```
//! use dma_impl_mock::engine::{Descriptor, MockDma, Side, Status};
//! use dma_impl_mock::record::Recorder;
//! use dma_traits::WordWidth;
//!
//! let dma = MockDma::stepped(Recorder::new());
//! let channel = dma.channel();
//! let source = [1u16, 2, 3];
//! let mut destination = [0u16; 3];
//! let descriptor = Descriptor::mem_to_mem(
//!     source.as_ptr().cast(),
//!     destination.as_mut_ptr().cast(),
//!     WordWidth::Bits16,
//!     3,
//! );
//! // SAFETY: both arrays outlive the transfer, which ends (`stop`) before
//! // they are used again.
//! unsafe { channel.start(descriptor) }.unwrap();
//! assert_eq!(dma.step(2), 2);
//! assert_eq!(channel.status(), Status::Running);
//! dma.step(1);
//! assert_eq!(channel.stop(), Status::Complete);
//! assert_eq!(destination, [1, 2, 3]);
//! ```

mod job;
mod wire;

use core::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use dma_mmio::host::interleave::{notify, CpuAccess};
use dma_traits::WordWidth;

pub use wire::{Wire, FRAME_BITS};

use crate::record::{Event, Recorder};
use job::{Halt, Job, Step};

/// How a controller moves words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Each transfer runs on its own worker thread, pausing `word_delay`
    /// after every word (zero: as fast as the thread runs).
    Threaded {
        /// Pause after each word.
        word_delay: Duration,
    },
    /// Nothing moves until the test calls [`MockDma::step`].
    Stepped,
}

/// A fault injected into the next transfer started on a controller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A bus error after this many words: the channel stops with [`Status::Failed`].
    ErrorAfter(usize),
    /// After this many words the channel stops moving and never completes;
    /// only a stop ends it.
    StallAfter(usize),
    /// All words move, then the completion flag is raised this much later.
    SlowCompletion(Duration),
}

/// One end of a transfer.
#[derive(Debug, Clone)]
pub enum Side {
    /// Memory at `address`; word `i` is at `address + i * width` if
    /// `increment`, else always at `address` (a fixed address).
    Memory {
        /// The first word (with provenance: the engine dereferences it).
        address: *mut u8,
        /// Whether the address advances after each word.
        increment: bool,
    },
    /// A peripheral's data register, connected to a [`Wire`].
    Port(Wire),
}

impl Side {
    /// A memory side at `address`.
    pub fn memory(address: *mut u8, increment: bool) -> Self {
        Side::Memory { address, increment }
    }
}

/// What a channel does: `count` words of `width` from `source` to `destination`.
#[derive(Debug, Clone)]
pub struct Descriptor {
    /// Where words come from.
    pub source: Side,
    /// Where words go.
    pub destination: Side,
    /// The width of every word.
    pub width: WordWidth,
    /// Words per pass.
    pub count: usize,
    /// Whether to start over after `count` words (until stopped), raising
    /// half-transfer and transfer-complete events on every pass.
    pub circular: bool,
}

impl Descriptor {
    /// Memory-to-peripheral, one-shot, incrementing memory address.
    pub fn mem_to_port(source: *const u8, wire: Wire, width: WordWidth, count: usize) -> Self {
        Descriptor {
            source: Side::memory(source.cast_mut(), true),
            destination: Side::Port(wire),
            width,
            count,
            circular: false,
        }
    }

    /// Peripheral-to-memory, one-shot, incrementing memory address.
    pub fn port_to_mem(wire: Wire, destination: *mut u8, width: WordWidth, count: usize) -> Self {
        Descriptor {
            source: Side::Port(wire),
            destination: Side::memory(destination, true),
            width,
            count,
            circular: false,
        }
    }

    /// Memory-to-memory, one-shot, both addresses incrementing.
    pub fn mem_to_mem(
        source: *const u8,
        destination: *mut u8,
        width: WordWidth,
        count: usize,
    ) -> Self {
        Descriptor {
            source: Side::memory(source.cast_mut(), true),
            destination: Side::memory(destination, true),
            width,
            count,
            circular: false,
        }
    }

    /// The same transfer, repeating until stopped.
    pub fn circular(mut self) -> Self {
        self.circular = true;
        self
    }
}

/// Where a channel is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never started.
    Idle,
    /// Moving words (or stalled, or waiting for a peripheral).
    Running,
    /// All words moved; the hardware has let go.
    Complete,
    /// An error stopped it; the hardware has let go.
    Failed,
    /// Stopped on request; the hardware has let go.
    Stopped,
}

impl Status {
    const fn encode(self) -> u8 {
        match self {
            Status::Idle => 0,
            Status::Running => 1,
            Status::Complete => 2,
            Status::Failed => 3,
            Status::Stopped => 4,
        }
    }

    const fn decode(value: u8) -> Self {
        match value {
            1 => Status::Running,
            2 => Status::Complete,
            3 => Status::Failed,
            4 => Status::Stopped,
            _ => Status::Idle,
        }
    }

    /// Whether the hardware has let go (complete, failed or stopped).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Complete | Status::Failed | Status::Stopped)
    }
}

/// Why a channel refused to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineError {
    /// The channel is still running a transfer.
    Busy,
    /// A descriptor with zero words.
    ZeroLength,
}

impl core::fmt::Display for EngineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EngineError::Busy => f.write_str("the DMA channel is busy"),
            EngineError::ZeroLength => f.write_str("a DMA transfer of zero words"),
        }
    }
}

impl std::error::Error for EngineError {}

/// A handler for the controller's interrupt line.
type Handler = Arc<dyn Fn() + Send + Sync>;

/// The controller's interrupt line: raised on the DMA side every time a
/// channel publishes a final status (complete, failed, stopped), after the
/// status is visible, as a completion interrupt is on real hardware.
#[derive(Default)]
pub(crate) struct InterruptLine(Mutex<Option<Handler>>);

impl core::fmt::Debug for InterruptLine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let connected = self.0.lock().map(|h| h.is_some()).unwrap_or(false);
        f.debug_struct("InterruptLine").field("connected", &connected).finish()
    }
}

impl InterruptLine {
    fn raise(&self) {
        let handler = self.0.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(handler) = handler {
            handler();
        }
    }
}

/// The state a channel shares with its worker: the "registers".
#[derive(Debug, Default)]
pub(crate) struct ChannelCore {
    /// The controller's interrupt line (shared by all its channels).
    interrupt: Arc<InterruptLine>,
    status: AtomicU8,
    stop_requested: AtomicBool,
    pub(crate) moved: AtomicUsize,
    pub(crate) half_events: AtomicUsize,
    pub(crate) full_events: AtomicUsize,
    /// The threaded worker has reached an injected stall: only a stop ends it.
    stalled: AtomicBool,
    /// The running job in step mode (in threaded mode the worker owns it).
    stepped_job: Mutex<Option<Job>>,
    /// Wakes a waiting worker when a stop is requested.
    wake: Condvar,
    wake_lock: Mutex<()>,
}

impl ChannelCore {
    fn status(&self) -> Status {
        Status::decode(self.status.load(Ordering::SeqCst))
    }

    fn job(&self) -> MutexGuard<'_, Option<Job>> {
        self.stepped_job.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Asks the worker to stop and wakes it if it waits.
    fn request_stop(&self) {
        let _guard = self.wake_lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.stop_requested.store(true, Ordering::SeqCst);
        self.wake.notify_all();
    }

    /// Waits until a stop is requested or `timeout` (if any) passes;
    /// returns whether a stop was requested.
    fn wait_for_stop(&self, timeout: Option<Duration>) -> bool {
        let mut guard = self.wake_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let deadline = timeout.map(|t| Instant::now() + t);
        while !self.stop_requested.load(Ordering::SeqCst) {
            match deadline {
                None => {
                    guard = self.wake.wait(guard).unwrap_or_else(PoisonError::into_inner);
                }
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    guard = self
                        .wake
                        .wait_timeout(guard, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
        true
    }

    /// The hardware lets go: log it, then publish the final status. The
    /// `SeqCst` store is the edge that orders every access before it with a
    /// CPU that loads the final status.
    fn let_go(&self, log: &Recorder, status: Status) {
        log.push(Event::Stopped);
        self.status.store(status.encode(), Ordering::SeqCst);
        self.interrupt.raise();
    }
}

#[derive(Debug)]
struct Controller {
    mode: Mode,
    log: Recorder,
    next_fault: Mutex<Option<Fault>>,
    /// Every channel ever made, held strongly: hardware runs a channel
    /// whether or not the program still holds a handle to it, so a stepped
    /// channel whose handle was dropped (or leaked) mid-transfer keeps
    /// moving words, as a threaded channel's worker does.
    channels: Mutex<Vec<Arc<ChannelCore>>>,
    interrupt: Arc<InterruptLine>,
}

/// A software DMA controller. Cloning shares it.
#[derive(Debug, Clone)]
pub struct MockDma {
    controller: Arc<Controller>,
}

impl MockDma {
    /// A controller whose transfers run on worker threads as fast as they can.
    pub fn threaded(log: Recorder) -> Self {
        Self::new(Mode::Threaded { word_delay: Duration::ZERO }, log)
    }

    /// A controller that moves words only in [`step`](Self::step).
    pub fn stepped(log: Recorder) -> Self {
        Self::new(Mode::Stepped, log)
    }

    /// A controller in `mode`, logging every memory access into `log`.
    pub fn new(mode: Mode, log: Recorder) -> Self {
        MockDma {
            controller: Arc::new(Controller {
                mode,
                log,
                next_fault: Mutex::new(None),
                channels: Mutex::new(Vec::new()),
                interrupt: Arc::default(),
            }),
        }
    }

    /// The log this controller writes to.
    pub fn recorder(&self) -> &Recorder {
        &self.controller.log
    }

    /// The mode.
    pub fn mode(&self) -> Mode {
        self.controller.mode
    }

    /// A new channel on this controller.
    pub fn channel(&self) -> Channel {
        let core = Arc::new(ChannelCore {
            interrupt: Arc::clone(&self.controller.interrupt),
            ..ChannelCore::default()
        });
        self.controller
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Arc::clone(&core));
        Channel {
            core,
            controller: Arc::clone(&self.controller),
            worker: Arc::new(Mutex::new(None)),
        }
    }

    /// Connects `handler` to the controller's interrupt line: it runs (on the
    /// DMA's thread, or in `step` in step mode) every time a channel reaches a
    /// final status, as a DMA interrupt handler would. Replaces any earlier
    /// handler.
    ///
    /// ```
    /// use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
    /// use dma_traits::{DmaWrite, Transfer};
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let dma = MockDma::stepped(Recorder::new());
    /// let irqs = Arc::new(AtomicUsize::new(0));
    /// let count = Arc::clone(&irqs);
    /// dma.on_interrupt(move || { count.fetch_add(1, Ordering::SeqCst); });
    /// let transfer = MockSerial::with_default_fence(&dma).write_all("hi").unwrap();
    /// dma.step(2);
    /// assert_eq!(irqs.load(Ordering::SeqCst), 1);
    /// transfer.wait().unwrap();
    /// ```
    pub fn on_interrupt(&self, handler: impl Fn() + Send + Sync + 'static) {
        *self.controller.interrupt.0.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Arc::new(handler));
    }

    /// Arms `fault` for the next transfer started on any channel of this controller.
    pub fn inject(&self, fault: Fault) {
        *self.controller.next_fault.lock().unwrap_or_else(PoisonError::into_inner) = Some(fault);
    }

    /// The next transfer fails with a bus error after `words` words.
    pub fn fail_next_after(&self, words: usize) {
        self.inject(Fault::ErrorAfter(words));
    }

    /// The next transfer stalls after `words` words until stopped.
    pub fn stall_next_after(&self, words: usize) {
        self.inject(Fault::StallAfter(words));
    }

    /// In step mode, lets every running channel move up to `words` words
    /// (round robin); returns the number of words moved in total. Does
    /// nothing in threaded mode.
    pub fn step(&self, words: usize) -> usize {
        if self.controller.mode != Mode::Stepped {
            return 0;
        }
        let cores: Vec<Arc<ChannelCore>> = self
            .controller
            .channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect();
        let mut moved = 0;
        for _ in 0..words {
            let before = moved;
            for core in &cores {
                if step_once(core, &self.controller.log) {
                    moved += 1;
                }
            }
            if moved == before {
                break;
            }
        }
        moved
    }
}

/// Advances a stepped channel by one word; `true` if a word moved.
fn step_once(core: &ChannelCore, log: &Recorder) -> bool {
    let mut slot = core.job();
    let Some(job) = slot.as_mut() else {
        return false;
    };
    if core.stop_requested.load(Ordering::SeqCst) {
        *slot = None;
        core.let_go(log, Status::Stopped);
        return false;
    }
    if let Some(halt) = job.halt() {
        match halt {
            Halt::Complete => {
                *slot = None;
                core.let_go(log, Status::Complete);
            }
            Halt::Failed => {
                *slot = None;
                core.let_go(log, Status::Failed);
            }
            Halt::Stalled => {}
        }
        return false;
    }
    // SAFETY: the job was accepted by `Channel::start`, whose caller
    // promised the memory stays valid and unshared until the channel reports
    // a final status, which it has not yet (it is set only below or above).
    let step = unsafe { job.step(core, log) };
    let moved = matches!(step, Step::Moved);
    if moved {
        // Finish eagerly so a one-shot transfer is done after its last word.
        match job.halt() {
            Some(Halt::Complete) if job.completion_delay().is_zero() => {
                *slot = None;
                core.let_go(log, Status::Complete);
            }
            Some(Halt::Failed) => {
                *slot = None;
                core.let_go(log, Status::Failed);
            }
            _ => {}
        }
    }
    moved
}

/// Runs `job` to its end on the worker thread.
fn run_worker(mut job: Job, core: &ChannelCore, log: &Recorder, word_delay: Duration) {
    // How long a starved channel waits before looking at its wire again.
    let poll = Duration::from_micros(if cfg!(miri) { 2 } else { 50 });
    loop {
        if core.stop_requested.load(Ordering::SeqCst) {
            return core.let_go(log, Status::Stopped);
        }
        match job.halt() {
            Some(Halt::Failed) => return core.let_go(log, Status::Failed),
            Some(Halt::Complete) => {
                let delay = job.completion_delay();
                if !delay.is_zero() && core.wait_for_stop(Some(delay)) {
                    return core.let_go(log, Status::Stopped);
                }
                return core.let_go(log, Status::Complete);
            }
            Some(Halt::Stalled) => {
                core.stalled.store(true, Ordering::SeqCst);
                core.wait_for_stop(None);
            }
            // SAFETY: as in `step_once`: the memory is valid until this
            // thread publishes a final status, which it has not.
            None => match unsafe { job.step(core, log) } {
                Step::Moved if !word_delay.is_zero() => thread::sleep(word_delay),
                Step::Moved => {}
                Step::Starved => {
                    core.wait_for_stop(Some(poll));
                }
            },
        }
    }
}

/// One channel of a [`MockDma`]. Cloning shares the channel.
#[derive(Debug, Clone)]
pub struct Channel {
    core: Arc<ChannelCore>,
    controller: Arc<Controller>,
    worker: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Channel {
    /// Starts a transfer.
    ///
    /// # Safety
    ///
    /// Every memory side of `descriptor` is valid for reads (source) or
    /// writes (destination) of `count` words of `width` (one word for a fixed
    /// address), aligned for the width, from this call until [`status`](Self::status)
    /// returns a final status or [`stop`](Self::stop) returns. The caller
    /// does not access that memory in the meantime (the engine's accesses are
    /// not atomic), and the memory of a circular transfer stays valid until
    /// it is stopped.
    pub unsafe fn start(&self, descriptor: Descriptor) -> Result<(), EngineError> {
        self.cpu_access(false);
        if self.status() == Status::Running {
            return Err(EngineError::Busy);
        }
        if descriptor.count == 0 {
            return Err(EngineError::ZeroLength);
        }
        self.join_worker();
        let fault =
            self.controller.next_fault.lock().unwrap_or_else(PoisonError::into_inner).take();
        let job = Job {
            source: descriptor.source,
            destination: descriptor.destination,
            width: descriptor.width,
            count: descriptor.count,
            circular: descriptor.circular,
            fault,
            moved: 0,
        };
        self.core.stop_requested.store(false, Ordering::SeqCst);
        self.core.stalled.store(false, Ordering::SeqCst);
        self.core.moved.store(0, Ordering::SeqCst);
        self.core.half_events.store(0, Ordering::SeqCst);
        self.core.full_events.store(0, Ordering::SeqCst);
        match self.controller.mode {
            Mode::Stepped => {
                *self.core.job() = Some(job);
                self.core.status.store(Status::Running.encode(), Ordering::SeqCst);
            }
            Mode::Threaded { word_delay } => {
                // The enabling write: the worker starts after it.
                self.core.status.store(Status::Running.encode(), Ordering::SeqCst);
                let core = Arc::clone(&self.core);
                let log = self.controller.log.clone();
                let handle = thread::spawn(move || run_worker(job, &core, &log, word_delay));
                *self.worker_slot() = Some(handle);
            }
        }
        Ok(())
    }

    /// Lets an adversarial test advance the hardware here, before the CPU's
    /// access to this channel's "registers" (see `crate::sim::adversary`).
    fn cpu_access(&self, write: bool) {
        let at = Arc::as_ptr(&self.core) as usize;
        notify(if write { CpuAccess::Write(at) } else { CpuAccess::Read(at) });
    }

    fn worker_slot(&self) -> MutexGuard<'_, Option<JoinHandle<()>>> {
        self.worker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Joins a worker that has published its final status.
    fn join_worker(&self) {
        let handle = self.worker_slot().take();
        if let Some(handle) = handle {
            // A worker never panics (no panic path in `run_worker`); if it
            // did, the status it left is what callers see.
            let _ = handle.join();
        }
    }

    /// The channel's status (a `SeqCst` load: after it returns a final
    /// status, every memory access of the transfer happened before).
    pub fn status(&self) -> Status {
        self.cpu_access(false);
        self.core.status()
    }

    /// Whether the hardware has let go.
    pub fn is_done(&self) -> bool {
        self.status().is_final()
    }

    /// Words moved by the current (or last) transfer.
    pub fn moved(&self) -> usize {
        self.cpu_access(false);
        self.core.moved.load(Ordering::SeqCst)
    }

    /// Half-transfer events of a circular transfer so far.
    pub fn half_events(&self) -> usize {
        self.cpu_access(false);
        self.core.half_events.load(Ordering::SeqCst)
    }

    /// Transfer-complete events of a circular transfer so far.
    pub fn full_events(&self) -> usize {
        self.cpu_access(false);
        self.core.full_events.load(Ordering::SeqCst)
    }

    /// The controller's mode.
    pub fn mode(&self) -> Mode {
        self.controller.mode
    }

    /// Whether the running transfer has reached an injected stall
    /// ([`MockDma::stall_next_after`]), which only a stop ends.
    pub fn is_stalled(&self) -> bool {
        match self.controller.mode {
            Mode::Threaded { .. } => self.core.stalled.load(Ordering::SeqCst),
            Mode::Stepped => {
                self.core.job().as_ref().is_some_and(|job| job.halt() == Some(Halt::Stalled))
            }
        }
    }

    /// In step mode, lets this channel alone move one word (or, at its end,
    /// publish its final status); `true` if a word moved. Does nothing in
    /// threaded mode.
    pub fn step_one(&self) -> bool {
        self.controller.mode == Mode::Stepped && step_once(&self.core, &self.controller.log)
    }

    /// Stops the channel if it runs, waits until the hardware has let go,
    /// and returns the final status (`Idle` if it never started).
    pub fn stop(&self) -> Status {
        match self.status() {
            Status::Idle => return Status::Idle,
            Status::Running => {}
            done => {
                self.join_worker();
                return done;
            }
        }
        self.cpu_access(true);
        self.core.request_stop();
        if self.controller.mode == Mode::Stepped {
            let mut slot = self.core.job();
            if slot.take().is_some() {
                self.core.let_go(&self.controller.log, Status::Stopped);
            }
        }
        while !self.status().is_final() {
            thread::yield_now();
        }
        self.join_worker();
        self.status()
    }
}

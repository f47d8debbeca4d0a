//! A log of what the CPU and the DMA did to memory, in one global order.
//!
//! Engines and simulators push [`Event::DmaRead`] / [`Event::DmaWrite`] for
//! every memory access the simulated hardware makes and [`Event::Stopped`]
//! when it lets go; [`RecordingFence`] pushes [`Event::Release`] /
//! [`Event::Acquire`]. Tests then assert orderings such as "no DMA access after
//! the acquire" or "release before the first DMA access".

use std::sync::{Arc, Mutex, PoisonError};

use dma_traits::{Access, CompilerFence, DmaFence, FenceError};

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A fence released `bytes` bytes at `addr` to the DMA.
    Release {
        /// Start address.
        addr: usize,
        /// Length in bytes.
        bytes: usize,
        /// Which way the DMA uses the buffer.
        access: Access,
    },
    /// A fence acquired `bytes` bytes at `addr` back from the DMA.
    Acquire {
        /// Start address.
        addr: usize,
        /// Length in bytes.
        bytes: usize,
        /// Which way the DMA used the buffer.
        access: Access,
    },
    /// The simulated DMA read `bytes` bytes of memory at `addr`.
    DmaRead {
        /// Address read.
        addr: usize,
        /// Width of the access.
        bytes: usize,
    },
    /// The simulated DMA wrote `bytes` bytes of memory at `addr`.
    DmaWrite {
        /// Address written.
        addr: usize,
        /// Width of the access.
        bytes: usize,
    },
    /// The simulated hardware stopped and will not touch memory again until restarted.
    Stopped,
    /// Free text, for engine-specific milestones.
    Note(&'static str),
}

/// A shared, append-only event log. Cloning shares the log.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Event>>>);

impl Recorder {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `event`.
    pub fn push(&self, event: Event) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).push(event);
    }

    /// A copy of everything logged so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Empties the log.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// A `'static` handle to this log, for a [`RecordingFence`] (which must be `Copy`).
    /// Leaks one `Arc` clone; meant for tests.
    pub fn leak(&self) -> &'static Recorder {
        Box::leak(Box::new(self.clone()))
    }
}

/// A [`DmaFence`] that logs every call into a [`Recorder`], then behaves as
/// `Inner` (the [`CompilerFence`] by default).
///
/// ```
/// use dma_impl_mock::record::{Event, Recorder, RecordingFence};
/// use dma_traits::{Access, DmaFence};
/// let log = Recorder::new();
/// let fence = RecordingFence::new(log.leak());
/// let buf = [0u32; 2];
/// fence.release(core::ptr::slice_from_raw_parts(buf.as_ptr(), 2), Access::DmaReads).unwrap();
/// assert!(matches!(log.events()[0], Event::Release { bytes: 8, .. }));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct RecordingFence<Inner: DmaFence = CompilerFence> {
    log: &'static Recorder,
    inner: Inner,
}

impl RecordingFence {
    /// Logs into `log`, fencing like [`CompilerFence`].
    pub fn new(log: &'static Recorder) -> Self {
        RecordingFence { log, inner: CompilerFence }
    }
}

impl<Inner: DmaFence> RecordingFence<Inner> {
    /// Logs into `log`, fencing like `inner`.
    pub fn wrapping(log: &'static Recorder, inner: Inner) -> Self {
        RecordingFence { log, inner }
    }
}

fn extent<W>(buf: *const [W]) -> (usize, usize) {
    (buf.cast::<W>() as usize, buf.len() * core::mem::size_of::<W>())
}

// SAFETY: every call is forwarded to `Inner`, which meets the contract; the
// logging only adds a lock and a push around it and never touches `buf`'s memory.
unsafe impl<Inner: DmaFence> DmaFence for RecordingFence<Inner> {
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError> {
        self.inner.release(buf, access)?;
        let (addr, bytes) = extent(buf);
        self.log.push(Event::Release { addr, bytes, access });
        Ok(())
    }

    fn acquire<W>(self, buf: *const [W], access: Access) {
        let (addr, bytes) = extent(buf);
        self.log.push(Event::Acquire { addr, bytes, access });
        self.inner.acquire(buf, access);
    }
}

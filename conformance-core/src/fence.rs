//! The recording fence: a [`DmaFence`] that logs every call into a static,
//! critical-section-protected log, then runs the real fence it wraps.
//!
//! The suite gives no fence to the harness: the harness builds its channels
//! with `RecordingFence<TheChipsFence>` (a zero-sized `Copy` value), and the
//! suite reads the one global [`log`] around the transfers it starts. The log
//! also holds the suite's own [`Mark`]s, so one order covers both.
//!
//! One suite at a time per program: the log is global. On the host, run the
//! suite from one test (one thread).

use core::cell::RefCell;

use critical_section::Mutex;
use dma_traits::{Access, CompilerFence, DmaFence, FenceError};

/// How many entries the log keeps; later ones are counted as lost.
pub const CAPACITY: usize = 24;

/// What the suite marks in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// The call that starts a transfer returned it.
    Started,
    /// The call that ends the transfer (`wait`, `stop`, drop) returned.
    Ended,
}

/// One entry of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `release(buffer, access)`; `ok` is what the wrapped fence returned.
    Release {
        /// Start address of the buffer.
        addr: usize,
        /// Its length in bytes.
        bytes: usize,
        /// The access named.
        access: Access,
        /// Whether the wrapped fence accepted it.
        ok: bool,
    },
    /// `acquire(buffer, access)`.
    Acquire {
        /// Start address of the buffer.
        addr: usize,
        /// Its length in bytes.
        bytes: usize,
        /// The access named.
        access: Access,
    },
    /// A point the suite passed.
    Mark(Mark),
}

/// A copy of the log: the entries in order, and how many did not fit.
#[derive(Debug, Clone, Copy)]
pub struct Log {
    entries: [Option<Entry>; CAPACITY],
    len: usize,
    lost: usize,
}

impl Log {
    const EMPTY: Log = Log { entries: [None; CAPACITY], len: 0, lost: 0 };

    /// The entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = (usize, Entry)> + '_ {
        self.entries.iter().take(self.len).flatten().copied().enumerate()
    }

    /// Entries that did not fit.
    pub fn lost(&self) -> usize {
        self.lost
    }

    /// The index of the first `mark`, if any.
    pub fn mark(&self, mark: Mark) -> Option<usize> {
        self.entries().find(|(_, e)| *e == Entry::Mark(mark)).map(|(i, _)| i)
    }

    fn push(&mut self, entry: Entry) {
        match self.entries.get_mut(self.len) {
            Some(slot) => {
                *slot = Some(entry);
                self.len += 1;
            }
            None => self.lost = self.lost.saturating_add(1),
        }
    }
}

static LOG: Mutex<RefCell<Log>> = Mutex::new(RefCell::new(Log::EMPTY));

/// Empties the log.
pub fn clear() {
    critical_section::with(|cs| *LOG.borrow_ref_mut(cs) = Log::EMPTY);
}

/// A copy of the log as it is now.
pub fn log() -> Log {
    critical_section::with(|cs| *LOG.borrow_ref(cs))
}

/// Appends a suite mark.
pub fn mark(mark: Mark) {
    push(Entry::Mark(mark));
}

fn push(entry: Entry) {
    // `try_borrow_mut` rather than `borrow_mut`: the fence runs inside a
    // transfer's `stop` / `Drop`, which must not panic.
    critical_section::with(|cs| {
        if let Ok(mut log) = LOG.borrow(cs).try_borrow_mut() {
            log.push(entry);
        }
    });
}

fn span<W>(buf: *const [W]) -> (usize, usize) {
    (buf.cast::<u8>() as usize, buf.len().saturating_mul(core::mem::size_of::<W>()))
}

/// A fence that logs every call, then runs `F` (by default
/// [`CompilerFence`]; on an Armv8-M target wrap [`DmbFence`](dma_traits::DmbFence),
/// on a Cortex-M7 with its cache on the cache fence: the log is for the
/// suite, the wrapped fence keeps the transfer correct).
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordingFence<F = CompilerFence>(pub F);

// SAFETY: every call does what the wrapped fence `F` does, in the same
// order relative to the caller's accesses (the logging touches only the
// static log, inside a critical section, never the buffer), and `release`
// returns `F`'s result, so `F`'s guarantees carry over unchanged.
unsafe impl<F: DmaFence> DmaFence for RecordingFence<F> {
    fn release<W>(self, buf: *const [W], access: Access) -> Result<(), FenceError> {
        let result = self.0.release(buf, access);
        let (addr, bytes) = span(buf);
        push(Entry::Release { addr, bytes, access, ok: result.is_ok() });
        result
    }

    fn acquire<W>(self, buf: *const [W], access: Access) {
        let (addr, bytes) = span(buf);
        push(Entry::Acquire { addr, bytes, access });
        self.0.acquire(buf, access);
    }
}

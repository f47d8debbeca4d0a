//! One transfer's word-by-word execution, shared by the worker thread and
//! the step mode.

use core::ptr;
use core::sync::atomic::{fence, Ordering};
use std::time::Duration;

use dma_traits::WordWidth;

use super::{ChannelCore, Fault, Side};
use crate::record::{Event, Recorder};

/// What one attempt to move a word did.
pub(crate) enum Step {
    /// A word was moved.
    Moved,
    /// The source port had no word yet.
    Starved,
}

/// A started transfer, owned by whoever runs it (worker or stepper).
#[derive(Debug)]
pub(crate) struct Job {
    pub(crate) source: Side,
    pub(crate) destination: Side,
    pub(crate) width: WordWidth,
    pub(crate) count: usize,
    pub(crate) circular: bool,
    pub(crate) fault: Option<Fault>,
    /// Words moved so far (keeps counting in circular mode).
    pub(crate) moved: usize,
}

// SAFETY: a job holds raw memory addresses, which the engine dereferences
// only under the contract of `Channel::start` (valid until the channel
// reports a final status, not accessed by the CPU meanwhile); moving the job
// to the worker thread is exactly what that contract allows.
unsafe impl Send for Job {}

/// Why a job will not move another word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Halt {
    /// All words moved (one-shot).
    Complete,
    /// The injected error struck.
    Failed,
    /// The injected stall holds the channel until it is stopped.
    Stalled,
}

impl Job {
    /// The address of word `index` on a memory side.
    fn address(base: *mut u8, increment: bool, index: usize, width: WordWidth) -> *mut u8 {
        if increment {
            base.wrapping_add(index * width.bytes())
        } else {
            base
        }
    }

    /// Whether the job must stop moving words now, and why.
    pub(crate) fn halt(&self) -> Option<Halt> {
        match self.fault {
            Some(Fault::ErrorAfter(n)) if self.moved >= n => return Some(Halt::Failed),
            Some(Fault::StallAfter(n)) if self.moved >= n => return Some(Halt::Stalled),
            _ => {}
        }
        (!self.circular && self.moved >= self.count).then_some(Halt::Complete)
    }

    /// The delay between the last word and the completion flag.
    pub(crate) fn completion_delay(&self) -> Duration {
        match self.fault {
            Some(Fault::SlowCompletion(delay)) => delay,
            _ => Duration::ZERO,
        }
    }

    /// Moves word number `self.moved` (modulo the count in circular mode).
    ///
    /// # Safety
    ///
    /// The memory sides are valid for accesses of `count` words of `width`
    /// (one word if not incrementing), aligned, and not accessed by anyone
    /// else without synchronization (contract of `Channel::start`).
    pub(crate) unsafe fn step(&mut self, core: &ChannelCore, log: &Recorder) -> Step {
        let index = if self.count == 0 { 0 } else { self.moved % self.count };
        let width = self.width;
        let bits = match &self.source {
            Side::Memory { address, increment } => {
                let at = Self::address(*address, *increment, index, width);
                // SAFETY: `at` is word `index < count` of the source, valid
                // and aligned (caller's contract).
                let bits = unsafe { read_word(at, width) };
                log.push(Event::DmaRead { addr: at as usize, bytes: width.bytes() });
                bits
            }
            Side::Port(wire) => match wire.pop_incoming() {
                Some(bits) => bits,
                None => return Step::Starved,
            },
        };
        match &self.destination {
            Side::Memory { address, increment } => {
                let at = Self::address(*address, *increment, index, width);
                if self.circular && width != WordWidth::Bits64 {
                    // A circular transfer writes memory the CPU copies out
                    // while the DMA runs (`DmaReadStream`): one atomic store
                    // of the beat, as the bus writes it, so a copy racing it
                    // reads a whole old or new word and Miri sees no race.
                    // SAFETY: as above, for the destination; the CPU side
                    // only reads it with same-width atomic loads meanwhile.
                    unsafe { store_word(at, width, bits) };
                } else {
                    // SAFETY: as above, for the destination.
                    unsafe { write_word(at, width, bits) };
                }
                log.push(Event::DmaWrite { addr: at as usize, bytes: width.bytes() });
            }
            Side::Port(wire) => wire.push_sent(bits),
        }
        self.moved += 1;
        core.moved.store(self.moved, Ordering::SeqCst);
        if self.circular && self.count > 0 {
            let position = self.moved % self.count;
            if position == self.count / 2 && self.count >= 2 {
                core.half_events.fetch_add(1, Ordering::SeqCst);
                log.push(Event::Note("half transfer"));
            } else if position == 0 {
                core.full_events.fetch_add(1, Ordering::SeqCst);
                log.push(Event::Note("transfer complete"));
            }
            // Orders the event before every later store into the buffer: a
            // CPU whose copy read such a store, and then fences and reads
            // the events, sees this one (the seqlock pairing of `read_half`).
            fence(Ordering::Release);
        }
        Step::Moved
    }
}

/// Reads one word of `width` at `at`, zero-extended.
///
/// # Safety
///
/// `at` is valid for a read of `width` bytes and aligned for it.
unsafe fn read_word(at: *mut u8, width: WordWidth) -> u64 {
    match width {
        // SAFETY: the caller's contract, for one byte.
        WordWidth::Bits8 => u64::from(unsafe { ptr::read_volatile(at) }),
        // SAFETY: the caller's contract, for two aligned bytes.
        WordWidth::Bits16 => u64::from(unsafe { ptr::read_volatile(at.cast::<u16>()) }),
        // SAFETY: the caller's contract, for four aligned bytes.
        WordWidth::Bits32 => u64::from(unsafe { ptr::read_volatile(at.cast::<u32>()) }),
        // SAFETY: the caller's contract, for eight aligned bytes.
        WordWidth::Bits64 => unsafe { ptr::read_volatile(at.cast::<u64>()) },
    }
}

/// Stores the low `width` bytes of `bits` at `at` with one atomic store.
///
/// # Safety
///
/// `at` is valid for a write of `width` bytes and aligned for it, `width` is
/// at most 32 bits, and every other access to it meanwhile is atomic.
#[allow(clippy::cast_possible_truncation)] // keeping the low bytes is the point
unsafe fn store_word(at: *mut u8, width: WordWidth, bits: u64) {
    match width {
        // SAFETY: the caller's contract, for one byte.
        WordWidth::Bits8 => unsafe { dma_mmio::store_as_dma(at, bits as u8) },
        // SAFETY: the caller's contract, for two aligned bytes.
        WordWidth::Bits16 => unsafe { dma_mmio::store_as_dma(at.cast::<u16>(), bits as u16) },
        // SAFETY: the caller's contract, for four aligned bytes; 64-bit
        // beats never come here.
        WordWidth::Bits32 | WordWidth::Bits64 => unsafe {
            dma_mmio::store_as_dma(at.cast::<u32>(), bits as u32)
        },
    }
}

/// Writes the low `width` bytes of `bits` at `at`.
///
/// # Safety
///
/// `at` is valid for a write of `width` bytes and aligned for it.
#[allow(clippy::cast_possible_truncation)] // keeping the low bytes is the point
unsafe fn write_word(at: *mut u8, width: WordWidth, bits: u64) {
    match width {
        // SAFETY: the caller's contract, for one byte.
        WordWidth::Bits8 => unsafe { ptr::write_volatile(at, bits as u8) },
        // SAFETY: the caller's contract, for two aligned bytes.
        WordWidth::Bits16 => unsafe { ptr::write_volatile(at.cast::<u16>(), bits as u16) },
        // SAFETY: the caller's contract, for four aligned bytes.
        WordWidth::Bits32 => unsafe { ptr::write_volatile(at.cast::<u32>(), bits as u32) },
        // SAFETY: the caller's contract, for eight aligned bytes.
        WordWidth::Bits64 => unsafe { ptr::write_volatile(at.cast::<u64>(), bits) },
    }
}

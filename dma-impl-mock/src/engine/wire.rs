//! The peripheral side of a mock transfer: queues of words on a "wire".

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use dma_traits::Word;

use crate::bits::{from_bits, to_bits};

#[derive(Debug, Default)]
struct Queues {
    /// Words the peripheral sent (memory-to-peripheral), oldest first.
    sent: Vec<u64>,
    /// Words waiting to be received (peripheral-to-memory), next first.
    incoming: VecDeque<u64>,
    /// Bit times until the last word sent has left the shift register.
    shifting: u32,
}

/// Bit times a word spends in the mock's shift register after the DMA
/// handed it over: a UART frame (start, 8 data, stop).
pub const FRAME_BITS: u32 = 10;

/// The far end of a mock peripheral: what it sent, and what it will receive.
///
/// Cloning shares the wire. Words are stored as bits, so a wire carries any
/// word width; the typed methods convert.
///
/// ```
/// use dma_impl_mock::Wire;
/// let wire = Wire::default();
/// wire.deliver(&[1u16, 2]);
/// assert_eq!(wire.pending(), 2);
/// assert!(wire.take_sent::<u16>().is_empty());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Wire(Arc<Mutex<Queues>>);

impl Wire {
    fn queues(&self) -> MutexGuard<'_, Queues> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `words` to be received by the peripheral, after what is already queued.
    pub fn deliver<W: Word>(&self, words: &[W]) {
        self.queues().incoming.extend(words.iter().map(|w| to_bits(*w)));
    }

    /// Number of words queued and not yet received.
    pub fn pending(&self) -> usize {
        self.queues().incoming.len()
    }

    /// Drops every queued incoming word.
    pub fn clear_pending(&self) {
        self.queues().incoming.clear();
    }

    /// Everything sent since the last [`take_sent`](Self::take_sent) (kept
    /// on the wire), the word still shifting out included.
    pub fn sent<W: Word>(&self) -> Vec<W> {
        self.queues().sent.iter().map(|b| from_bits(*b)).collect()
    }

    /// Everything sent since the last `take_sent`, removed from the wire.
    pub fn take_sent<W: Word>(&self) -> Vec<W> {
        let taken = std::mem::take(&mut self.queues().sent);
        taken.into_iter().map(from_bits).collect()
    }

    /// The engine's side: a word arrives from memory, into the shift register.
    pub(crate) fn push_sent(&self, bits: u64) {
        let mut queues = self.queues();
        queues.sent.push(bits);
        queues.shifting = FRAME_BITS;
    }

    /// The transmitter's status, as a driver polls it: each look is one bit
    /// time, so the last word leaves [`FRAME_BITS`] looks after the DMA
    /// handed it over. `true` once nothing is left to shift out.
    pub fn shift_register_empty(&self) -> bool {
        let mut queues = self.queues();
        queues.shifting = queues.shifting.saturating_sub(1);
        queues.shifting == 0
    }

    /// The engine's side: the next word to store in memory, if one is there.
    pub(crate) fn pop_incoming(&self) -> Option<u64> {
        self.queues().incoming.pop_front()
    }
}

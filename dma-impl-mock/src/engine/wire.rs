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
}

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

    /// Everything sent so far (kept on the wire).
    pub fn sent<W: Word>(&self) -> Vec<W> {
        self.queues().sent.iter().map(|b| from_bits(*b)).collect()
    }

    /// Everything sent so far, removed from the wire.
    pub fn take_sent<W: Word>(&self) -> Vec<W> {
        let taken = std::mem::take(&mut self.queues().sent);
        taken.into_iter().map(from_bits).collect()
    }

    /// The engine's side: a word arrives from memory.
    pub(crate) fn push_sent(&self, bits: u64) {
        self.queues().sent.push(bits);
    }

    /// The engine's side: the next word to store in memory, if one is there.
    pub(crate) fn pop_incoming(&self) -> Option<u64> {
        self.queues().incoming.pop_front()
    }
}

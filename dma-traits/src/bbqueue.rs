//! bbqueue grants as DMA buffers (feature `bbqueue`, bbqueue 0.5).
//!
//! A `GrantW` is a contiguous, not yet committed region of a `BBBuffer` that
//! the producer may fill: lend it to a DMA read (peripheral-to-memory), then
//! `commit` exactly the `transferred` bytes. A `GrantR` is a committed region
//! the consumer may drain: lend it to a DMA write, then `release` exactly
//! what was sent. The framed grants lend their payload (after the length
//! header, which `commit` writes once the DMA is done).
//!
//! Why each requirement of [`DmaReadBuffer`] / [`DmaWriteBuffer`] holds:
//!
//! 1. **Indirection**: the bytes live in the `BBBuffer`, not in the grant,
//!    which holds only a slice reference and counters.
//! 2. **Stable target**: a grant's region is fixed when it is granted; every
//!    call returns the same pointer and length, and moving the grant moves
//!    the reference, not the bytes. While a write grant is outstanding the
//!    producer hands out no other grant, and the consumer sees no byte of it
//!    until it is committed; while a read grant is outstanding the producer
//!    never writes into it (its bytes are not released), so nothing but the
//!    DMA accesses the region.
//! 3. **Valid while owned, even if forgotten**: the region belongs to the
//!    `BBBuffer`, which outlives the grant (`'a`). A forgotten transfer never
//!    drops its grant: the queue then stays "grant in progress" (later
//!    grants fail with an error, nothing is freed or reused), which is a
//!    leak, not a hazard. With a `'static` queue, `GrantW<'static, N>` is a
//!    [`StaticWriteBuffer`](crate::StaticWriteBuffer), so the safe
//!    constructors take it; a grant of a queue on the stack is not `'static`
//!    and only reaches `unsafe` or scoped constructors, as it must (its queue
//!    can be freed).
//! 4. **Valid bits**: the words are `u8`, for which any bits are valid, and a
//!    byte is always aligned. A read grant's bytes were committed, so written.
//!
//! Dropping a grant after the transfer ended is safe: a dropped `GrantW`
//! commits nothing (unless `to_commit` was set), a dropped `GrantR` releases
//! nothing.
//!
//! A grant is lent wrapped in a [`DmaGrant`]: coherence does not let this
//! crate implement the buffer traits for bbqueue's types directly (they
//! would overlap the `StableDeref` blanket impls if bbqueue ever made its
//! grants `StableDeref`).
//!
//! ```
//! use bbqueue::BBBuffer;
//! use dma_traits::bbqueue::DmaGrant;
//! use dma_traits::{DmaReadBuffer, DmaWriteBuffer, StaticReadBuffer, StaticWriteBuffer};
//!
//! static QUEUE: BBBuffer<64> = BBBuffer::new();
//! fn lend_for_reception<B: StaticWriteBuffer<Word = u8>>(b: B) -> B { b }
//! fn lend_for_sending<B: StaticReadBuffer<Word = u8>>(b: B) -> B { b }
//!
//! let (mut producer, mut consumer) = QUEUE.try_split().unwrap();
//! let mut grant = lend_for_reception(DmaGrant::new(producer.grant_exact(8).unwrap()));
//! let (ptr, len) = grant.dma_write_buffer();
//! // ... the DMA writes `len` bytes at `ptr`, say 5, and stops ...
//! # // SAFETY: stands in for the DMA: 5 of the granted bytes.
//! # unsafe { core::ptr::copy_nonoverlapping(b"hello".as_ptr(), ptr, 5) };
//! grant.into_inner().commit(5);
//! let grant = lend_for_sending(DmaGrant::new(consumer.read().unwrap()));
//! assert_eq!(grant.dma_read_buffer().1, 5);
//! grant.into_inner().release(5);
//! ```

use bbqueue::framed::{FrameGrantR, FrameGrantW};
use bbqueue::{GrantR, GrantW};

use crate::{DmaReadBuffer, DmaWriteBuffer};

/// A bbqueue grant lent to a DMA transfer; see the [module docs](self).
#[derive(Debug)]
pub struct DmaGrant<G>(G);

impl<G> DmaGrant<G> {
    /// Wraps `grant` for lending.
    pub fn new(grant: G) -> Self {
        DmaGrant(grant)
    }

    /// The grant, to look at (not while a DMA uses it).
    pub fn get(&self) -> &G {
        &self.0
    }

    /// The grant, to `commit` or `release` what the DMA moved.
    pub fn into_inner(self) -> G {
        self.0
    }
}

macro_rules! grant_buffers {
    ($($grant:ident),+) => {$(
        // SAFETY: see the module docs: the region is in the queue's storage,
        // fixed for the grant's life, accessed by nothing else while granted,
        // and alive for `'a` even if the grant is forgotten; bytes are
        // always valid and aligned. `deref` returns that region every time.
        unsafe impl<'a, const N: usize> DmaReadBuffer for DmaGrant<$grant<'a, N>> {
            type Word = u8;
            fn dma_read_buffer(&self) -> (*const u8, usize) {
                let region: &[u8] = &self.0;
                (region.as_ptr(), region.len())
            }
        }
    )+};
}

grant_buffers!(GrantR, FrameGrantR);

macro_rules! grant_write_buffers {
    ($($grant:ident),+) => {$(
        // SAFETY: as for read grants; any bytes the DMA writes are valid
        // `u8`s, and the consumer cannot see them before `commit`.
        unsafe impl<'a, const N: usize> DmaWriteBuffer for DmaGrant<$grant<'a, N>> {
            type Word = u8;
            fn dma_write_buffer(&mut self) -> (*mut u8, usize) {
                let region: &mut [u8] = &mut self.0;
                (region.as_mut_ptr(), region.len())
            }
        }
    )+};
}

grant_write_buffers!(GrantW, FrameGrantW);

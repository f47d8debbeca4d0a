//! A serial port by DMA over a bbqueue (feature `bbqueue`): reception fills
//! the queue's write grants, transmission drains its read grants.
//!
//! Written once against [`DmaRead<u8>`] / [`DmaWrite<u8>`]: it runs on any
//! port of any chip. Exactly the bytes the DMA moved are committed (received)
//! or released (sent) — on completion, on error and on
//! [`stop`](Reception::stop) — so no byte is lost or handed on twice, across
//! grant boundaries and the queue's wrap-around alike. Dropping a transfer
//! in flight abandons it: the DMA is stopped and its grant dropped, which
//! commits (or releases) nothing. Forgetting one is sound: the queue keeps
//! the grant outstanding and refuses further grants (`QueueError::Queue`). A grant is contiguous, so
//! one call moves at most up to the end of the queue's storage; the next
//! call continues from its start.
//!
//! ```
//! use bbqueue::BBBuffer;
//! use dma_drivers::queued::{receive, transmit};
//! use dma_impl_mock::{record::Recorder, MockDma, MockSerial};
//!
//! static QUEUE: BBBuffer<32> = BBBuffer::new();
//! let (mut producer, mut consumer) = QUEUE.try_split().unwrap();
//! let dma = MockDma::threaded(Recorder::new());
//! let port = MockSerial::with_default_fence(&dma);
//! port.wire().deliver(b"ping");
//!
//! let received = receive(port, &mut producer, 4).unwrap().wait();
//! assert_eq!((received.moved, received.error), (4, None));
//! let sent = transmit(received.port, &mut consumer).unwrap().wait();
//! assert_eq!(sent.moved, 4);
//! assert_eq!(sent.port.wire().take_sent::<u8>(), b"ping");
//! ```

use bbqueue::{Consumer, GrantR, GrantW, Producer};
use dma_traits::bbqueue::DmaGrant;
use dma_traits::{DmaRead, DmaWrite, Transfer, TransferError};

/// Why a transfer did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueError<E> {
    /// The queue had no room (reception) or no data (transmission), or a
    /// grant of it is still outstanding (a transfer was forgotten).
    Queue(bbqueue::Error),
    /// The port refused the grant (too long, unreachable memory, ...).
    Port(E),
}

/// A refusal: the error and the port (a refused grant is given back to the
/// queue untouched: nothing is committed or released).
#[derive(Debug)]
pub struct NotStarted<P, E> {
    /// Why.
    pub error: QueueError<E>,
    /// The port, ready for another try.
    pub port: P,
}

/// How a transfer over the queue ended.
#[derive(Debug)]
pub struct Moved<P, E> {
    /// The port.
    pub port: P,
    /// Bytes the DMA moved, and so committed (reception) or released
    /// (transmission).
    pub moved: usize,
    /// The port's error, if the transfer failed; `moved` bytes still count.
    pub error: Option<E>,
}

/// Reception into a write grant, in flight. Ending it (`wait`, `stop`)
/// commits exactly the bytes the DMA wrote.
#[derive(Debug)]
pub struct Reception<P, T, const N: usize> {
    transfer: T,
    _port: core::marker::PhantomData<P>,
}

/// Transmission from a read grant, in flight. Ending it (`wait`, `stop`)
/// releases exactly the bytes the DMA sent.
#[derive(Debug)]
pub struct Transmission<P, T, const N: usize> {
    transfer: T,
    _port: core::marker::PhantomData<P>,
}

/// Starts receiving up to `max` bytes into the largest contiguous grant
/// (at most `max`) the queue has room for.
#[allow(clippy::type_complexity)]
pub fn receive<P, const N: usize>(
    port: P,
    producer: &mut Producer<'static, N>,
    max: usize,
) -> Result<Reception<P, P::Transfer<DmaGrant<GrantW<'static, N>>>, N>, NotStarted<P, P::Error>>
where
    P: DmaRead<u8>,
{
    let grant = match producer.grant_max_remaining(max) {
        Ok(grant) => grant,
        Err(error) => return Err(NotStarted { error: QueueError::Queue(error), port }),
    };
    match port.read_exact(DmaGrant::new(grant)) {
        Ok(transfer) => Ok(Reception { transfer, _port: core::marker::PhantomData }),
        // Dropping the grant commits nothing.
        Err(refused) => {
            Err(NotStarted { error: QueueError::Port(refused.error), port: refused.resources })
        }
    }
}

/// Starts sending the oldest contiguous committed bytes of the queue.
#[allow(clippy::type_complexity)]
pub fn transmit<P, const N: usize>(
    port: P,
    consumer: &mut Consumer<'static, N>,
) -> Result<Transmission<P, P::Transfer<DmaGrant<GrantR<'static, N>>>, N>, NotStarted<P, P::Error>>
where
    P: DmaWrite<u8>,
{
    let grant = match consumer.read() {
        Ok(grant) => grant,
        Err(error) => return Err(NotStarted { error: QueueError::Queue(error), port }),
    };
    match port.write_all(DmaGrant::new(grant)) {
        Ok(transfer) => Ok(Transmission { transfer, _port: core::marker::PhantomData }),
        // Dropping the grant releases nothing.
        Err(refused) => {
            Err(NotStarted { error: QueueError::Port(refused.error), port: refused.resources })
        }
    }
}

/// How a transfer of a grant ended, as `Transfer::stop` reports it.
type GrantOutcome<G, P, E> =
    Result<dma_traits::Finished<DmaGrant<G>, P>, TransferError<E, DmaGrant<G>, P>>;

/// Ends `outcome`'s grant with `settle(grant, bytes)` and reports it.
fn settle<P, G, E>(outcome: GrantOutcome<G, P, E>, settle: impl FnOnce(G, usize)) -> Moved<P, E> {
    match outcome {
        Ok(done) => {
            settle(done.buffer.into_inner(), done.transferred);
            Moved { port: done.resources, moved: done.transferred, error: None }
        }
        Err(failed) => {
            settle(failed.buffer.into_inner(), failed.transferred);
            Moved { port: failed.resources, moved: failed.transferred, error: Some(failed.error) }
        }
    }
}

macro_rules! queued_transfer {
    ($name:ident, $grant:ident, $settle:ident, $what:literal) => {
        impl<P, T, const N: usize> $name<P, T, N>
        where
            T: Transfer<Buffer = DmaGrant<$grant<'static, N>>, Resources = P>,
        {
            /// Whether the DMA has finished. Does not block.
            pub fn is_done(&self) -> bool {
                self.transfer.is_done()
            }

            /// Waits for the transfer, then
            #[doc = $what]
            /// exactly the bytes it moved.
            pub fn wait(self) -> Moved<P, T::Error> {
                settle(self.transfer.wait(), |grant, n| grant.$settle(n))
            }

            /// Stops the transfer now, then
            #[doc = $what]
            /// exactly the bytes it moved.
            pub fn stop(self) -> Moved<P, T::Error> {
                settle(self.transfer.stop(), |grant, n| grant.$settle(n))
            }
        }
    };
}

queued_transfer!(Reception, GrantW, commit, "commits");
queued_transfer!(Transmission, GrantR, release, "releases");

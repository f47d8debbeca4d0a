//! In-flight transfers, shared by all peripherals.
//!
//! A transfer owns the peripheral (an [`Engine`]) and the buffer(s). Whatever
//! ends it — [`Transfer::wait`], [`Transfer::stop`] or `Drop` — first makes the
//! peripheral stop and observes its stopped event, then runs the acquire
//! fence, and only then gives the buffer back (or drops it).
//!
//! While the DMA runs, a buffer is kept in a [`MaybeUninit`] ("parked"), put
//! there before the start task: moving a `&mut` buffer re-asserts its
//! uniqueness (a retag, which counts as a write to the memory it points to)
//! and would race the DMA; a union is never retagged, so the transfer can be
//! moved freely.

use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr;

use dma_traits::{
    Access, DmaFence, DmaReadBuffer, DmaWriteBuffer, Finished, Outcome, Transfer, TransferError,
};

use crate::chip::sealed::Sealed;
use crate::Error;

/// Crate-private proof that a call comes from this crate.
pub(crate) mod token {
    /// Only this crate can make one, so only this crate's transfers can make
    /// an [`Engine`](super::Engine) stop.
    #[derive(Debug, Clone, Copy)]
    pub struct Token(pub(crate) ());
}
pub(crate) use token::Token;

/// A peripheral that runs one EasyDMA transaction at a time.
///
/// Sealed, and its `halt` takes a token only this crate can make: the
/// transfers' soundness rests on `halt` (it must not return before EasyDMA has
/// let go), and a `halt` on a peripheral nothing started would wait for a
/// stopped event that never comes. Implemented by this crate's peripherals;
/// a transfer drives it.
///
/// ```compile_fail
/// use dma_impl_nrf::{Engine, Error};
/// struct Fake;
/// impl Engine for Fake {
///     type Fence = dma_traits::CompilerFence;
///     fn fence(&self) -> Self::Fence { dma_traits::CompilerFence }
///     fn is_finished(&self) -> bool { true }
/// }
/// ```
pub trait Engine: Sealed + Sized {
    /// The fence the peripheral was given.
    type Fence: DmaFence;

    /// The fence for this transaction.
    fn fence(&self) -> Self::Fence;

    /// Whether the transaction has ended (completed or failed).
    fn is_finished(&self) -> bool;

    /// Stops the transaction if it still runs, waits for the stopped event
    /// and clears the events. Returns the outcome and the words moved
    /// (`AMOUNT`). After it returns, EasyDMA no longer touches memory.
    ///
    /// `tx` and `rx` are the lengths the transaction asked for on each
    /// channel (0 for a channel it does not use). A transaction that ended
    /// by itself with an `AMOUNT` short of its length is an
    /// [`Error::Truncated`]: the hardware's `MAXCNT` is narrower than the
    /// chip type promised.
    #[doc(hidden)]
    fn halt(&mut self, token: Token, tx: usize, rx: usize) -> (Result<(), Error>, usize);
}

/// `Ok`, unless a transaction that ended by itself moved fewer words than
/// it asked for.
pub(crate) fn complete(ended: bool, asked: usize, moved: usize) -> Result<(), Error> {
    if ended && moved < asked {
        Err(Error::Truncated { asked, moved })
    } else {
        Ok(())
    }
}

fn read_extent<B: DmaReadBuffer>(buffer: &B) -> *const [B::Word] {
    let (p, len) = buffer.dma_read_buffer();
    ptr::slice_from_raw_parts(p, len)
}

fn write_extent<B: DmaWriteBuffer>(buffer: &mut B) -> *const [B::Word] {
    let (p, len) = buffer.dma_write_buffer();
    ptr::slice_from_raw_parts(p.cast_const(), len)
}

fn outcome<B, E>(
    result: Result<(), Error>,
    buffer: B,
    resources: E,
    transferred: usize,
) -> Result<Finished<B, E>, TransferError<Error, B, E>> {
    match result {
        Ok(()) => Ok(Finished { buffer, resources, transferred }),
        Err(error) => Err(TransferError { error, buffer, resources, transferred }),
    }
}

/// EasyDMA reads a buffer: UARTE TX, TWIM write.
#[derive(Debug)]
pub struct TxTransfer<E: Engine, B: DmaReadBuffer> {
    engine: ManuallyDrop<E>,
    buffer: MaybeUninit<B>,
    /// Words the transaction asked for.
    len: usize,
}

impl<E: Engine, B: DmaReadBuffer> TxTransfer<E, B> {
    /// Takes over a started transaction of `len` words.
    pub(crate) fn started(engine: E, buffer: MaybeUninit<B>, len: usize) -> Self {
        TxTransfer { engine: ManuallyDrop::new(engine), buffer, len }
    }

    fn halt_and_acquire(&mut self) -> (Result<(), Error>, usize) {
        let (result, transferred) = self.engine.halt(Token(()), self.len, 0);
        let fence = self.engine.fence();
        // SAFETY: parked initialized by `started`; the DMA has stopped (`halt`).
        let buffer = unsafe { self.buffer.assume_init_mut() };
        fence.acquire(read_extent(buffer), Access::DmaReads);
        (result, transferred)
    }
}

// SAFETY: `stop` and `Drop` both halt the engine (which returns only after
// the stopped event) and run the acquire fence before the buffer leaves.
unsafe impl<E: Engine, B: DmaReadBuffer> Transfer for TxTransfer<E, B> {
    type Buffer = B;
    type Resources = E;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.engine.is_finished()
    }

    fn stop(self) -> Outcome<Self> {
        let mut this = ManuallyDrop::new(self);
        let (result, transferred) = this.halt_and_acquire();
        // SAFETY: `this` is never dropped (ManuallyDrop) and each field,
        // initialized by `started`, is taken exactly once, after the hardware stopped.
        let buffer = unsafe { this.buffer.assume_init_read() };
        // SAFETY: as above.
        let engine = unsafe { ManuallyDrop::take(&mut this.engine) };
        outcome(result, buffer, engine, transferred)
    }
}

impl<E: Engine, B: DmaReadBuffer> Drop for TxTransfer<E, B> {
    fn drop(&mut self) {
        let _outcome = self.halt_and_acquire();
        // SAFETY: the fields, initialized by `started`, are dropped once, here,
        // after the hardware stopped; `stop` never lets `Drop` run.
        unsafe { self.buffer.assume_init_drop() };
        // SAFETY: as above.
        unsafe { ManuallyDrop::drop(&mut self.engine) };
    }
}

/// EasyDMA writes a buffer: UARTE RX, TWIM read.
#[derive(Debug)]
pub struct RxTransfer<E: Engine, B: DmaWriteBuffer> {
    engine: ManuallyDrop<E>,
    buffer: MaybeUninit<B>,
    /// Words the transaction asked for.
    len: usize,
}

impl<E: Engine, B: DmaWriteBuffer> RxTransfer<E, B> {
    /// Takes over a started transaction of `len` words.
    pub(crate) fn started(engine: E, buffer: MaybeUninit<B>, len: usize) -> Self {
        RxTransfer { engine: ManuallyDrop::new(engine), buffer, len }
    }

    fn halt_and_acquire(&mut self) -> (Result<(), Error>, usize) {
        let (result, transferred) = self.engine.halt(Token(()), 0, self.len);
        let fence = self.engine.fence();
        // SAFETY: parked initialized by `started`; the DMA has stopped (`halt`).
        let buffer = unsafe { self.buffer.assume_init_mut() };
        fence.acquire(write_extent(buffer), Access::DmaWrites);
        (result, transferred)
    }
}

// SAFETY: as for `TxTransfer`.
unsafe impl<E: Engine, B: DmaWriteBuffer> Transfer for RxTransfer<E, B> {
    type Buffer = B;
    type Resources = E;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.engine.is_finished()
    }

    fn stop(self) -> Outcome<Self> {
        let mut this = ManuallyDrop::new(self);
        let (result, transferred) = this.halt_and_acquire();
        // SAFETY: `this` is never dropped and each field, initialized by
        // `started`, is taken exactly once, after the hardware stopped.
        let buffer = unsafe { this.buffer.assume_init_read() };
        // SAFETY: as above.
        let engine = unsafe { ManuallyDrop::take(&mut this.engine) };
        outcome(result, buffer, engine, transferred)
    }
}

impl<E: Engine, B: DmaWriteBuffer> Drop for RxTransfer<E, B> {
    fn drop(&mut self) {
        let _outcome = self.halt_and_acquire();
        // SAFETY: the fields, initialized by `started`, are dropped once, here,
        // after the hardware stopped; `stop` never lets `Drop` run.
        unsafe { self.buffer.assume_init_drop() };
        // SAFETY: as above.
        unsafe { ManuallyDrop::drop(&mut self.engine) };
    }
}

/// EasyDMA reads one buffer and writes another: SPIM, TWIM write-then-read.
#[derive(Debug)]
pub struct DuplexTransfer<E: Engine, TX: DmaReadBuffer, RX: DmaWriteBuffer> {
    engine: ManuallyDrop<E>,
    tx: MaybeUninit<TX>,
    rx: MaybeUninit<RX>,
    /// Words the transaction asked for, per channel.
    lens: (usize, usize),
}

impl<E: Engine, TX: DmaReadBuffer, RX: DmaWriteBuffer> DuplexTransfer<E, TX, RX> {
    /// Takes over a started transaction of `lens` (TX, RX) words.
    pub(crate) fn started(
        engine: E,
        tx: MaybeUninit<TX>,
        rx: MaybeUninit<RX>,
        lens: (usize, usize),
    ) -> Self {
        DuplexTransfer { engine: ManuallyDrop::new(engine), tx, rx, lens }
    }

    fn halt_and_acquire(&mut self) -> (Result<(), Error>, usize) {
        let (result, transferred) = self.engine.halt(Token(()), self.lens.0, self.lens.1);
        let fence = self.engine.fence();
        // SAFETY: parked initialized by `started`; the DMA has stopped (`halt`).
        let tx = unsafe { self.tx.assume_init_mut() };
        fence.acquire(read_extent(tx), Access::DmaReads);
        // SAFETY: as above.
        let rx = unsafe { self.rx.assume_init_mut() };
        fence.acquire(write_extent(rx), Access::DmaWrites);
        (result, transferred)
    }
}

// SAFETY: as for `TxTransfer`, for both buffers.
unsafe impl<E: Engine, TX: DmaReadBuffer, RX: DmaWriteBuffer> Transfer
    for DuplexTransfer<E, TX, RX>
{
    type Buffer = (TX, RX);
    type Resources = E;
    type Error = Error;

    fn is_done(&self) -> bool {
        self.engine.is_finished()
    }

    fn stop(self) -> Outcome<Self> {
        let mut this = ManuallyDrop::new(self);
        let (result, transferred) = this.halt_and_acquire();
        // SAFETY: `this` is never dropped and each field, initialized by
        // `started`, is taken exactly once, after the hardware stopped.
        let tx = unsafe { this.tx.assume_init_read() };
        // SAFETY: as above.
        let rx = unsafe { this.rx.assume_init_read() };
        // SAFETY: as above.
        let engine = unsafe { ManuallyDrop::take(&mut this.engine) };
        outcome(result, (tx, rx), engine, transferred)
    }
}

impl<E: Engine, TX: DmaReadBuffer, RX: DmaWriteBuffer> Drop for DuplexTransfer<E, TX, RX> {
    fn drop(&mut self) {
        let _outcome = self.halt_and_acquire();
        // SAFETY: the fields, initialized by `started`, are dropped once, here,
        // after the hardware stopped; `stop` never lets `Drop` run.
        unsafe { self.tx.assume_init_drop() };
        // SAFETY: as above.
        unsafe { self.rx.assume_init_drop() };
        // SAFETY: as above.
        unsafe { ManuallyDrop::drop(&mut self.engine) };
    }
}

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

use crate::Error;

/// A peripheral that runs one EasyDMA transaction at a time.
///
/// Implemented by this crate's peripherals; a transfer drives it.
pub trait Engine: Sized {
    /// The fence the peripheral was given.
    type Fence: DmaFence;

    /// The fence for this transaction.
    fn fence(&self) -> Self::Fence;

    /// Whether the transaction has ended (completed or failed).
    fn is_finished(&self) -> bool;

    /// Stops the transaction if it still runs, waits for the stopped event
    /// and clears the events. Returns the outcome and the words moved
    /// (`AMOUNT`). After it returns, EasyDMA no longer touches memory.
    fn halt(&mut self) -> (Result<(), Error>, usize);
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
}

impl<E: Engine, B: DmaReadBuffer> TxTransfer<E, B> {
    /// Takes over a started transaction.
    pub(crate) fn started(engine: E, buffer: MaybeUninit<B>) -> Self {
        TxTransfer { engine: ManuallyDrop::new(engine), buffer }
    }

    fn halt_and_acquire(&mut self) -> (Result<(), Error>, usize) {
        let (result, transferred) = self.engine.halt();
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
}

impl<E: Engine, B: DmaWriteBuffer> RxTransfer<E, B> {
    /// Takes over a started transaction.
    pub(crate) fn started(engine: E, buffer: MaybeUninit<B>) -> Self {
        RxTransfer { engine: ManuallyDrop::new(engine), buffer }
    }

    fn halt_and_acquire(&mut self) -> (Result<(), Error>, usize) {
        let (result, transferred) = self.engine.halt();
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
}

impl<E: Engine, TX: DmaReadBuffer, RX: DmaWriteBuffer> DuplexTransfer<E, TX, RX> {
    /// Takes over a started transaction.
    pub(crate) fn started(engine: E, tx: MaybeUninit<TX>, rx: MaybeUninit<RX>) -> Self {
        DuplexTransfer { engine: ManuallyDrop::new(engine), tx, rx }
    }

    fn halt_and_acquire(&mut self) -> (Result<(), Error>, usize) {
        let (result, transferred) = self.engine.halt();
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

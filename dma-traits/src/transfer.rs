//! Device-agnostic transfers: what a driver holds while the DMA runs.
//!
//! # For driver authors
//!
//! Bound a peripheral on [`DmaWrite<u8>`](DmaWrite), [`DmaRead`] or
//! [`DmaFullDuplex`] (a memory-to-memory channel on [`DmaCopy`]), start with the safe methods (`'static` buffers) or the
//! `*_scoped` ones (borrowed buffers), and get the buffer and the peripheral
//! back from [`Transfer::wait`] / [`Transfer::stop`], on success and on error.
//!
//! ```
//! use dma_traits::{DmaWrite, Transfer};
//!
//! /// Sends a greeting on any serial port of any chip that can DMA bytes out.
//! fn greet<S: DmaWrite<u8>>(serial: S) -> S {
//!     match serial.write_all("hello\r\n") {
//!         Ok(transfer) => match transfer.wait() {
//!             Ok(done) => done.resources,
//!             Err(failed) => failed.resources,
//!         },
//!         Err(rejected) => rejected.resources,
//!     }
//! }
//! # mod support { include!("../tests/support/serial.rs"); }
//! # use support::Serial;
//! # let _ = greet::<Serial>;
//! ```
//!
//! # For HAL authors
//!
//! Implement [`Transfer`] for your in-flight type and the `*_unchecked`
//! constructor of the peripheral traits; the safe `'static` and scoped
//! constructors come with the trait, so no HAL can ship a safe constructor
//! that forgets `'static`. Your `Drop` must stop the channel, wait until the
//! hardware reads stopped, then run the acquire fence.

use core::mem::ManuallyDrop;

use crate::{DmaReadBuffer, DmaWriteBuffer, StaticReadBuffer, StaticWriteBuffer, Word};

/// What a transfer gives back when it ends without error.
///
/// `repr(C)`, with the fields it shares with [`TransferError`] first and in
/// the same order: in an [`Outcome`] the buffer, the resources and the count
/// then sit at the same offsets in `Ok` and `Err`, so code that takes them
/// from either reads one place instead of choosing between two addresses
/// for every field (`bench/README.md`, "Outcome layout").
#[derive(Debug)]
#[repr(C)]
pub struct Finished<B, R> {
    /// The buffer, after the acquire fence.
    pub buffer: B,
    /// The channel and peripheral the transfer owned.
    pub resources: R,
    /// Words really moved (less than the buffer's length if it was stopped early).
    pub transferred: usize,
}

/// A transfer that was refused or failed, with everything it owned.
///
/// `repr(C)`, laid out as [`Finished`] with the error last.
#[derive(Debug)]
#[repr(C)]
pub struct TransferError<E, B, R> {
    /// The buffer, after the acquire fence.
    pub buffer: B,
    /// The channel and peripheral.
    pub resources: R,
    /// Words moved before the failure (0 when the transfer never started).
    pub transferred: usize,
    /// Why.
    pub error: E,
}

impl<E, B, R> TransferError<E, B, R> {
    /// The error for a transfer refused before it started.
    #[inline]
    pub fn rejected(error: E, buffer: B, resources: R) -> Self {
        TransferError { error, buffer, resources, transferred: 0 }
    }
}

impl<E: core::fmt::Display, B, R> core::fmt::Display for TransferError<E, B, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} (after {} words)", self.error, self.transferred)
    }
}

#[cfg(feature = "defmt")]
impl<E: defmt::Format, B, R> defmt::Format for TransferError<E, B, R> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{} (after {} words)", self.error, self.transferred)
    }
}

/// The result of ending a transfer.
pub type Outcome<T> =
    Result<Finished<<T as Transfer>::Buffer, <T as Transfer>::Resources>, Failure<T>>;

/// The [`TransferError`] of a transfer type `T`.
pub type Failure<T> =
    TransferError<<T as Transfer>::Error, <T as Transfer>::Buffer, <T as Transfer>::Resources>;

/// A DMA transfer in flight. It owns the buffer and the resources until it ends.
///
/// # Safety
///
/// For **implementors**: when [`stop`](Self::stop) or [`wait`](Self::wait)
/// returns (`Ok` or `Err`), and when the value is dropped, the hardware no
/// longer accesses the buffer, and the acquire fence has run over it. This
/// holds on every path, because safe code ([`scoped`]) relies on it to lend
/// borrowed buffers. In particular `stop`, `wait`, [`is_done`](Self::is_done)
/// and `Drop` never unwind while the hardware may still access the buffer: a
/// panic that leaves them early would free or hand back memory the DMA still
/// writes (a panic after the hardware has let go and the fence has run is
/// allowed). Nor may they wait for an event of hardware that was never
/// started: a transfer whose start failed or that ended on its own returns
/// at once.
///
/// For **callers**: nothing; a transfer that is leaked keeps running, which is
/// why safe constructors require `'static` buffers.
///
/// Implementation note: hold the buffer in a `MaybeUninit<B>` (or another
/// wrapper that hides it from the aliasing model) from before its DMA pointer
/// is taken until the hardware stopped. A `Box` or `&mut` kept as a plain
/// field is retagged every time the transfer value moves, which the aliasing
/// model counts as an access racing the DMA (Miri reports it).
pub unsafe trait Transfer: Sized {
    /// The buffer (or buffers) the transfer owns.
    type Buffer;
    /// The channel and peripheral it owns.
    type Resources;
    /// What can go wrong; its [`kind`](crate::Error::kind) tells a driver
    /// for every chip what to do about it.
    type Error: crate::Error;

    /// Whether the hardware has finished (completed or failed). Does not block.
    fn is_done(&self) -> bool;

    /// Ends the transfer now: stops the hardware if it is still running, waits
    /// until it has let go, runs the acquire fence and gives everything back.
    fn stop(self) -> Outcome<Self>;

    /// Blocks until the hardware has finished, then ends the transfer.
    #[inline]
    fn wait(self) -> Outcome<Self> {
        while !self.is_done() {
            core::hint::spin_loop();
        }
        self.stop()
    }
}

/// Runs `body` while `transfer` runs, then waits for it; if `body` panics, the
/// transfer is stopped before the panic leaves this function.
///
/// This is what makes borrowed buffers safe: the transfer never leaves this
/// frame, so it cannot be leaked, and the frame cannot be left (by return or
/// unwind) while the DMA still uses the buffer.
///
/// ```
/// use dma_traits::{scoped, DmaWrite};
/// # mod support { include!("../tests/support/serial.rs"); }
/// # use support::Serial;
/// let mut stack_frame = [0x55u8; 16]; // not 'static
/// // SAFETY: the transfer goes straight into `scoped`, which cannot leak it.
/// let transfer = unsafe { Serial::default().write_all_unchecked(&mut stack_frame[..]) }.ok().unwrap();
/// let (_, outcome) = scoped(transfer, |t| { /* draw the next frame */ });
/// assert_eq!(outcome.ok().unwrap().transferred, 16);
/// ```
#[inline]
pub fn scoped<T: Transfer, R>(transfer: T, body: impl FnOnce(&T) -> R) -> (R, Outcome<T>) {
    /// Stops the transfer when dropped, i.e. when `body` unwinds.
    struct StopOnUnwind<T: Transfer>(ManuallyDrop<T>);

    impl<T: Transfer> Drop for StopOnUnwind<T> {
        #[inline]
        fn drop(&mut self) {
            // SAFETY: `self.0` is initialized and, being in `drop`, is never
            // used again; the only other `take` disarms this guard first.
            let transfer = unsafe { ManuallyDrop::take(&mut self.0) };
            drop(transfer.stop());
        }
    }

    let guard = StopOnUnwind(ManuallyDrop::new(transfer));
    let value = body(&guard.0);
    let mut disarmed = ManuallyDrop::new(guard);
    // SAFETY: `disarmed` wraps the guard in `ManuallyDrop`, so its `Drop` (the
    // only other `take`) never runs; the transfer is taken exactly once.
    let transfer = unsafe { ManuallyDrop::take(&mut disarmed.0) };
    (value, transfer.wait())
}

/// The result of starting a transfer: the transfer in flight, or the refusal
/// with the buffer and the resources.
pub type Started<T> = Result<T, Failure<T>>;

/// Runs a just-started transfer in [`scoped`]; a refusal skips `body`.
#[inline]
fn scoped_start<T: Transfer, R>(
    started: Started<T>,
    body: impl FnOnce(&T) -> R,
) -> ScopedOutcome<R, T> {
    match started {
        Ok(transfer) => {
            let (value, outcome) = scoped(transfer, body);
            (Some(value), outcome)
        }
        Err(rejected) => (None, Err(rejected)),
    }
}

/// Outcome of a `*_scoped` call: the body's value (`None` if the transfer was
/// refused and the body never ran) and how the transfer ended.
pub type ScopedOutcome<R, T> = (Option<R>, Outcome<T>);

/// A peripheral that sends words from memory by DMA (memory-to-peripheral).
///
/// # Safety
///
/// For **implementors**: `Transfer<B>` meets [`Transfer`]'s contract, and
/// `write_all_unchecked` either starts a transfer that reads exactly the
/// buffer's `dma_read_buffer` pair (after the release fence), or returns an
/// error with the buffer and `self` untouched by the DMA.
///
/// For **callers**: see each method.
pub unsafe trait DmaWrite<W: Word>: Sized {
    /// What can go wrong; its [`kind`](crate::Error::kind) tells a driver
    /// for every chip what to do about it.
    type Error: crate::Error;
    /// The transfer in flight.
    type Transfer<B: DmaReadBuffer<Word = W>>: Transfer<
        Buffer = B,
        Resources = Self,
        Error = Self::Error,
    >;

    /// The most words one transfer can move: a longer buffer is refused
    /// with an error of kind [`TooLong { max }`](crate::ErrorKind::TooLong)
    /// with this `max`. The default, `usize::MAX`, says only memory limits
    /// it; a HAL whose counter or chip has a limit overrides it.
    #[inline]
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Starts sending `buffer` without requiring `'static`.
    ///
    /// # Safety
    ///
    /// The caller makes sure the buffer's memory outlives the DMA: either `B`
    /// is `'static`, or the transfer is ended (`stop`, `wait` or drop) before
    /// the memory is freed or reused, and is never leaked (`mem::forget`, an
    /// `Rc` cycle). [`scoped`] is a safe way to do this.
    unsafe fn write_all_unchecked<B: DmaReadBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>>;

    /// Starts sending a `'static` buffer. Leaking the transfer is harmless.
    #[inline]
    fn write_all<B: StaticReadBuffer<Word = W>>(self, buffer: B) -> Started<Self::Transfer<B>> {
        // SAFETY: `B: 'static`, so its memory outlives even a leaked transfer.
        unsafe { self.write_all_unchecked(buffer) }
    }

    /// Sends a borrowed buffer while `body` runs, and waits (see [`scoped`]).
    #[inline]
    fn write_all_scoped<B: DmaReadBuffer<Word = W>, R>(
        self,
        buffer: B,
        body: impl FnOnce(&Self::Transfer<B>) -> R,
    ) -> ScopedOutcome<R, Self::Transfer<B>> {
        // SAFETY: the transfer goes straight into `scoped`, which ends it
        // before returning or unwinding and never lets it be leaked.
        scoped_start(unsafe { self.write_all_unchecked(buffer) }, body)
    }
}

/// A peripheral that receives words into memory by DMA (peripheral-to-memory).
///
/// # Safety
///
/// As for [`DmaWrite`], with the buffer's `dma_write_buffer` pair, which the
/// DMA may write and nothing else.
pub unsafe trait DmaRead<W: Word>: Sized {
    /// What can go wrong; its [`kind`](crate::Error::kind) tells a driver
    /// for every chip what to do about it.
    type Error: crate::Error;
    /// The transfer in flight.
    type Transfer<B: DmaWriteBuffer<Word = W>>: Transfer<
        Buffer = B,
        Resources = Self,
        Error = Self::Error,
    >;

    /// The most words one transfer can move: a longer buffer is refused
    /// with an error of kind [`TooLong { max }`](crate::ErrorKind::TooLong)
    /// with this `max`. The default, `usize::MAX`, says only memory limits
    /// it; a HAL whose counter or chip has a limit overrides it.
    #[inline]
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Starts filling `buffer` without requiring `'static`.
    ///
    /// # Safety
    ///
    /// As for [`DmaWrite::write_all_unchecked`].
    unsafe fn read_exact_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Transfer<B>>;

    /// Starts filling a `'static` buffer. Leaking the transfer is harmless.
    #[inline]
    fn read_exact<B: StaticWriteBuffer<Word = W>>(self, buffer: B) -> Started<Self::Transfer<B>> {
        // SAFETY: `B: 'static`, so its memory outlives even a leaked transfer.
        unsafe { self.read_exact_unchecked(buffer) }
    }

    /// Fills a borrowed buffer while `body` runs, and waits (see [`scoped`]).
    #[inline]
    fn read_exact_scoped<B: DmaWriteBuffer<Word = W>, R>(
        self,
        buffer: B,
        body: impl FnOnce(&Self::Transfer<B>) -> R,
    ) -> ScopedOutcome<R, Self::Transfer<B>> {
        // SAFETY: as in `DmaWrite::write_all_scoped`.
        scoped_start(unsafe { self.read_exact_unchecked(buffer) }, body)
    }
}

/// A peripheral that sends and receives at once (SPI), each side by DMA.
///
/// # Safety
///
/// As for [`DmaWrite`] and [`DmaRead`], for the two buffers; the transfer ends
/// only when both directions have stopped.
pub unsafe trait DmaFullDuplex<W: Word>: Sized {
    /// What can go wrong; its [`kind`](crate::Error::kind) tells a driver
    /// for every chip what to do about it.
    type Error: crate::Error;
    /// The transfer in flight; it owns `(tx, rx)`.
    type Transfer<TX: DmaReadBuffer<Word = W>, RX: DmaWriteBuffer<Word = W>>: Transfer<
        Buffer = (TX, RX),
        Resources = Self,
        Error = Self::Error,
    >;

    /// The most words one transfer can move: a longer buffer is refused
    /// with an error of kind [`TooLong { max }`](crate::ErrorKind::TooLong)
    /// with this `max`. The default, `usize::MAX`, says only memory limits
    /// it; a HAL whose counter or chip has a limit overrides it.
    #[inline]
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Starts sending `tx` while receiving into `rx`, without requiring `'static`.
    ///
    /// # Safety
    ///
    /// As for [`DmaWrite::write_all_unchecked`], for both buffers.
    unsafe fn transfer_unchecked<TX, RX>(self, tx: TX, rx: RX) -> Started<Self::Transfer<TX, RX>>
    where
        TX: DmaReadBuffer<Word = W>,
        RX: DmaWriteBuffer<Word = W>;

    /// Starts a full-duplex transfer of `'static` buffers.
    #[inline]
    fn transfer<TX, RX>(self, tx: TX, rx: RX) -> Started<Self::Transfer<TX, RX>>
    where
        TX: StaticReadBuffer<Word = W>,
        RX: StaticWriteBuffer<Word = W>,
    {
        // SAFETY: both buffers are `'static`.
        unsafe { self.transfer_unchecked(tx, rx) }
    }

    /// A full-duplex transfer of borrowed buffers while `body` runs (see [`scoped`]).
    #[inline]
    fn transfer_scoped<TX, RX, R>(
        self,
        tx: TX,
        rx: RX,
        body: impl FnOnce(&Self::Transfer<TX, RX>) -> R,
    ) -> ScopedOutcome<R, Self::Transfer<TX, RX>>
    where
        TX: DmaReadBuffer<Word = W>,
        RX: DmaWriteBuffer<Word = W>,
    {
        // SAFETY: as in `DmaWrite::write_all_scoped`.
        scoped_start(unsafe { self.transfer_unchecked(tx, rx) }, body)
    }
}

/// A channel that copies memory to memory by DMA, owning the source and the
/// destination while it runs.
///
/// The same three tiers as the peripheral traits: the HAL implements the
/// `unsafe` [`copy_unchecked`](Self::copy_unchecked), and gets the safe
/// `'static` [`copy`](Self::copy) and the scoped
/// [`copy_scoped`](Self::copy_scoped) from the trait, so no HAL ships a safe
/// constructor that forgets `'static`.
///
/// ```
/// use dma_traits::{DmaCopy, Transfer};
///
/// /// Copies a frame with whatever memory-to-memory channel the chip has.
/// fn blit<C: DmaCopy<u32>>(channel: C, frame: &'static [u32], out: &'static mut [u32]) -> C {
///     match channel.copy(frame, out) {
///         Ok(copy) => match copy.wait() {
///             Ok(done) => done.resources,
///             Err(failed) => failed.resources,
///         },
///         Err(refused) => refused.resources,
///     }
/// }
/// # let _ = blit::<support::Copier>;
/// # mod support { include!("../tests/support/copier.rs"); }
/// ```
///
/// # Safety
///
/// For **implementors**: `Transfer<S, D>` meets [`Transfer`]'s contract for
/// both buffers, and `copy_unchecked` either starts a transfer that reads
/// exactly the source's `dma_read_buffer` pair and writes exactly the
/// destination's `dma_write_buffer` pair (after the release fence over both),
/// or returns an error with both buffers and `self`, untouched by the DMA.
/// Buffers of different lengths are refused, never truncated.
///
/// For **callers**: see each method.
pub unsafe trait DmaCopy<W: Word>: Sized {
    /// What can go wrong; its [`kind`](crate::Error::kind) tells a driver
    /// for every chip what to do about it.
    type Error: crate::Error;
    /// The copy in flight; it owns `(source, destination)`.
    type Transfer<S: DmaReadBuffer<Word = W>, D: DmaWriteBuffer<Word = W>>: Transfer<
        Buffer = (S, D),
        Resources = Self,
        Error = Self::Error,
    >;

    /// The most words one transfer can move: a longer buffer is refused
    /// with an error of kind [`TooLong { max }`](crate::ErrorKind::TooLong)
    /// with this `max`. The default, `usize::MAX`, says only memory limits
    /// it; a HAL whose counter or chip has a limit overrides it.
    #[inline]
    fn max_len(&self) -> usize {
        usize::MAX
    }

    /// Starts copying `source` into `destination`, without requiring `'static`.
    ///
    /// # Safety
    ///
    /// As for [`DmaWrite::write_all_unchecked`], for both buffers.
    unsafe fn copy_unchecked<S, D>(
        self,
        source: S,
        destination: D,
    ) -> Started<Self::Transfer<S, D>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>;

    /// Starts copying between `'static` buffers. Leaking the copy is harmless.
    #[inline]
    fn copy<S, D>(self, source: S, destination: D) -> Started<Self::Transfer<S, D>>
    where
        S: StaticReadBuffer<Word = W>,
        D: StaticWriteBuffer<Word = W>,
    {
        // SAFETY: both buffers are `'static`.
        unsafe { self.copy_unchecked(source, destination) }
    }

    /// Copies between borrowed buffers while `body` runs, and waits (see [`scoped`]).
    #[inline]
    fn copy_scoped<S, D, R>(
        self,
        source: S,
        destination: D,
        body: impl FnOnce(&Self::Transfer<S, D>) -> R,
    ) -> ScopedOutcome<R, Self::Transfer<S, D>>
    where
        S: DmaReadBuffer<Word = W>,
        D: DmaWriteBuffer<Word = W>,
    {
        // SAFETY: as in `DmaWrite::write_all_scoped`.
        scoped_start(unsafe { self.copy_unchecked(source, destination) }, body)
    }
}

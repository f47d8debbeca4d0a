//! The DMA interrupt, for `async` transfers (issue #18): a handle the
//! channel's vector uses while a transfer owns the channel.
//!
//! [`Channel::interrupt`](crate::channel::Channel::interrupt) and
//! [`Stream::interrupt`](crate::stream::Stream::interrupt) turn a
//! [`Polled`] channel into an [`Irq`] one, whose transfers enable its
//! interrupt sources (`TCIE`, `TEIE`, on streams `DMEIE`, and `HTIE` when
//! circular, with the rest of the configuration, before `EN`), and return
//! an [`Interrupt`]: a `Copy` token whose only powers are to *acknowledge*
//! the channel's flags (move them from the hardware into the channel's
//! [`InterruptFlags`], where the transfer still sees them) and, with
//! feature `async`, to wake a [`DmaWaker`](dma_traits::future::DmaWaker).
//!
//! ```ignore
//! static TX_DONE: DmaWaker = DmaWaker::new();
//! static TX_FLAGS: InterruptFlags = InterruptFlags::new();
//! static TX_IRQ: Mutex<Cell<Option<Interrupt>>> = Mutex::new(Cell::new(None));
//!
//! #[interrupt]
//! fn DMA2_STREAM7() {
//!     if let Some(irq) = critical_section::with(|cs| TX_IRQ.borrow(cs).get()) {
//!         irq.on_interrupt(&TX_DONE);
//!     }
//! }
//!
//! // Thread mode:
//! let stream = dma2.stream::<7>(4).unwrap();
//! // `Err(stream)`: TX_FLAGS serves another stream.
//! let (stream, irq) = stream.interrupt(&TX_FLAGS).unwrap();
//! critical_section::with(|cs| TX_IRQ.borrow(cs).set(Some(irq)));
//! let tx = usart.transmitter(stream, fence);
//! let done = TransferFuture::new(tx.write_all(buf)?, &TX_DONE).await;
//! ```
//!
//! # Why the handler acknowledges and does not mask
//!
//! The interrupt line is level-sensitive: it stays asserted while a flag is
//! set with its enable bit (RM0008 §13.3.6 "Interrupts", RM0090 §10.4), so
//! the handler must clear one of the two. The enable bits share the control
//! register (`CCR`, `SxCR`) with `EN` and, on a stream, `CT`, which the
//! *hardware* changes: a stream clears `EN` at the end of a transfer and on
//! an error, and toggles `CT` at each switch of a double-buffered transfer
//! (RM0090 §10.5.5); a channel clears `EN` on an error (RM0008 §13.3.7). A
//! read-modify-write of that register, critical section or not, writes
//! back the `EN` and `CT` it read: if the hardware changed them between the
//! read and the write, a stopped stream is enabled again with its flags set,
//! which RM0090 §10.5.5 forbids (review finding 3, reproduced in
//! `tests/review_interrupt_mask.rs`).
//!
//! So the handler never writes the control register. It clears the
//! channel's *flags* instead: the flag-clear registers (`IFCR`, `LIFCR`,
//! `HIFCR`) are write-1-to-clear, one store that changes only the flags it
//! names, nothing the hardware is changing. The line drops. And because the
//! transfer's completion, half-transfer and error logic reads those flags,
//! the handler keeps what it cleared in the channel's [`InterruptFlags`],
//! a `static` the transfer reads together with the hardware's flags: the
//! channel's status is the hardware's flags *or* the kept ones.
//!
//! # The races, and why none loses a flag
//!
//! * The handler reads the flags, clears exactly the ones it read and adds
//!   them to the kept ones, inside a critical section: a flag the hardware
//!   sets after the read stays in the hardware for the next entry (the
//!   line is still asserted).
//! * The owner reads its status as "hardware, then kept": a handler that
//!   runs between the two reads has moved the flag to where the second read
//!   looks. (On the host, where a token may run on another thread, the pair
//!   is one critical section.)
//! * The owner clears a flag (starting a transfer, taking a half, ending)
//!   in the hardware *and* among the kept ones inside a critical section,
//!   so no handler can move a newer flag between the two and have it
//!   forgotten with the old one.
//! * The owner's own control-register accesses (the start's single store
//!   with `EN`, the stop's read-modify-write of `EN`) are as they were
//!   without interrupts: the token no longer touches that register.
//!
//! The token cannot make the DMA touch memory (it writes only flag-clear
//! registers and its channel's `InterruptFlags`), so it is `Copy`, `Send`
//! and `Sync` and usable from safe code. Each `InterruptFlags` serves one
//! channel: [`Stream::interrupt`](crate::stream::Stream::interrupt) and
//! [`Channel::interrupt`](crate::channel::Channel::interrupt) refuse one
//! that another channel claimed, since a stream that read another
//! channel's flags as its own would end transfers early. A multi-core part
//! whose two cores share the controller is outside this argument and not
//! supported.

use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use dma_mmio::Reg;

use crate::hw::Sealed;

/// Whether a channel's transfers use its interrupt, as a type parameter of
/// [`Channel`](crate::channel::Channel) and
/// [`Stream`](crate::stream::Stream): [`Polled`], the default, or [`Irq`],
/// which only `interrupt` makes. A `Polled` transfer's code has no
/// interrupt path at all (no kept flags to read or clear, no enables);
/// an `Irq` one enables the sources and reads the flags its handler kept.
///
/// Sealed: exactly these two.
pub trait Mode: Sealed {
    /// Where the channel's handler keeps the flags it took: `None` for
    /// [`Polled`].
    fn kept(&self) -> Option<&'static InterruptFlags>;
}

/// No interrupt: the channel's transfers are waited for by polling (the
/// default mode).
#[derive(Debug, Clone, Copy, Default)]
pub struct Polled;

/// The channel's interrupt is on: made by `interrupt`, which also returns
/// the channel's [`Interrupt`] token and claims its [`InterruptFlags`].
#[derive(Debug, Clone, Copy)]
pub struct Irq {
    flags: &'static InterruptFlags,
}

impl Irq {
    pub(crate) fn new(flags: &'static InterruptFlags) -> Self {
        Irq { flags }
    }
}

impl Sealed for Polled {}
impl Sealed for Irq {}

impl Mode for Polled {
    #[inline(always)]
    fn kept(&self) -> Option<&'static InterruptFlags> {
        None
    }
}

impl Mode for Irq {
    #[inline(always)]
    fn kept(&self) -> Option<&'static InterruptFlags> {
        Some(self.flags)
    }
}

/// The flags a channel's interrupt handler took from the hardware, kept
/// for the channel's transfers (see the [module](self)): one `static` per
/// channel, given to its `interrupt`.
#[derive(Debug, Default)]
pub struct InterruptFlags {
    /// The channel's flags (at their positions shifted down to bit 0) that
    /// the handler cleared in the hardware and the owner has not cleared.
    kept: AtomicU32,
    /// The channel this serves (its control register's address), 0 while
    /// unclaimed.
    owner: AtomicUsize,
}

impl InterruptFlags {
    /// Unclaimed, nothing kept.
    pub const fn new() -> Self {
        InterruptFlags { kept: AtomicU32::new(0), owner: AtomicUsize::new(0) }
    }

    /// Claims these flags for channel `id`: whether they are (now) its.
    pub(crate) fn claim(&self, id: usize) -> bool {
        critical_section::with(|_| match self.owner.load(Ordering::Relaxed) {
            0 => {
                self.owner.store(id, Ordering::Relaxed);
                true
            }
            owner => owner == id,
        })
    }

    /// The kept flags. (Single-core: every change is in a critical section,
    /// so program order is all the ordering a reader needs.)
    #[inline(always)]
    pub(crate) fn kept(&self) -> u32 {
        self.kept.load(Ordering::Relaxed)
    }

    /// Adds `bits`. Call in a critical section.
    fn keep(&self, bits: u32) {
        self.kept.store(self.kept.load(Ordering::Relaxed) | bits, Ordering::Relaxed);
    }

    /// Forgets `bits`. Call in a critical section.
    #[inline(always)]
    pub(crate) fn forget(&self, bits: u32) {
        self.kept.store(self.kept.load(Ordering::Relaxed) & !bits, Ordering::Relaxed);
    }
}

/// The acknowledge-and-wake handle of one channel or stream (see the
/// [module](self)). `Copy`: keep one in a `static` for the vector. Its
/// registers stay valid as long as it is used: the controller's `unsafe`
/// constructor promises that (`stream::Dma::from_base`,
/// `channel::Dma::new`); on the host the simulator must outlive it.
#[derive(Debug, Clone, Copy)]
pub struct Interrupt {
    /// The flags register (`ISR`, `LISR`, `HISR`).
    status: Reg,
    /// Its write-1-to-clear register (`IFCR`, `LIFCR`, `HIFCR`).
    clear: Reg,
    /// Where the channel's flags start in both.
    shift: u32,
    /// The channel's flags the handler takes (shifted down).
    events: u32,
    flags: &'static InterruptFlags,
}

// SAFETY: an `Interrupt` reads a flags register, writes the channel's bits
// of its write-1-to-clear register and its `InterruptFlags`, each change in
// a critical section; the module documentation shows no interleaving loses a
// flag, and none of it lets the DMA access memory, from any context.
unsafe impl Send for Interrupt {}
// SAFETY: as for `Send`: every method takes `self` by value.
unsafe impl Sync for Interrupt {}

impl Interrupt {
    pub(crate) fn new(
        status: Reg,
        clear: Reg,
        shift: u32,
        events: u32,
        flags: &'static InterruptFlags,
    ) -> Self {
        Interrupt { status, clear, shift, events, flags }
    }

    /// Takes the channel's flags: clears them in the hardware, so the
    /// interrupt line drops, and keeps them in its [`InterruptFlags`],
    /// where its transfers see them. Leaves the control register (`EN`,
    /// `CT`, the enables) alone. Call it from the channel's handler.
    #[inline]
    pub fn acknowledge(self) {
        critical_section::with(|_| {
            let bits = (self.status.read() >> self.shift) & self.events;
            if bits != 0 {
                self.clear.write(bits << self.shift);
                self.flags.keep(bits);
            }
        });
    }

    /// Whether the hardware holds a flag of the channel that no
    /// [`acknowledge`](Self::acknowledge) has taken (the line is asserted
    /// while one is set with its enable bit).
    pub fn is_pending(self) -> bool {
        (self.status.read() >> self.shift) & self.events != 0
    }

    /// The handler: [`acknowledge`](Self::acknowledge), then wake the task
    /// waiting on `waker` (the one its
    /// [`TransferFuture`](dma_traits::future::TransferFuture) registered).
    /// Call it from the channel's vector.
    #[cfg(feature = "async")]
    #[inline]
    pub fn on_interrupt(self, waker: &dma_traits::future::DmaWaker) {
        self.acknowledge();
        waker.wake();
    }
}

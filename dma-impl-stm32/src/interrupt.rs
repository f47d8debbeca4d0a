//! The DMA interrupt, for `async` transfers (issue #18): a handle the
//! channel's vector uses while a transfer owns the channel.
//!
//! [`Channel::interrupt`](crate::channel::Channel::interrupt) and
//! [`Stream::interrupt`](crate::stream::Stream::interrupt) turn the
//! channel's interrupt sources on for every later transfer (each transfer
//! enables `TCIE`, `TEIE`, on streams `DMEIE`, and `HTIE` when circular,
//! with the rest of its configuration, before `EN`) and return an
//! [`Interrupt`]: a `Copy` token whose only powers are to *mask* those
//! sources and, with feature `async`, to wake a
//! [`DmaWaker`](dma_traits::future::DmaWaker).
//!
//! ```ignore
//! static TX_DONE: DmaWaker = DmaWaker::new();
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
//! let mut stream = dma2.stream::<7>(4).unwrap();
//! critical_section::with(|cs| TX_IRQ.borrow(cs).set(Some(stream.interrupt())));
//! let tx = usart.transmitter(stream, fence);
//! let done = TransferFuture::new(tx.write_all(buf)?, &TX_DONE).await;
//! ```
//!
//! # Why the handler masks and does not clear
//!
//! The interrupt line is level-sensitive: it stays asserted while a flag is
//! set with its enable bit (RM0008 §13.3.6 "Interrupts", RM0090 §10.4). The
//! transfer's own completion logic reads `TCIF`/`TEIF` (and a stream's
//! `HTIF`), so a handler that cleared them would steal the event the
//! future's next poll must see. The handler clears the *enable* bits
//! instead: the line drops, the flags stay for the transfer to read, and the
//! next transfer on the channel enables the sources again as it starts.
//! Masking is allowed while the channel runs. RM0008 restricts to a
//! disabled channel only `CNDTR` (§13.4.4: "can only be written when the
//! channel is disabled"), `CPAR` and `CMAR` (§13.4.5, §13.4.6: "must not be
//! written when the channel is enabled"); its `CCR` description (§13.4.3)
//! sets no such rule for `TEIE`/`HTIE`/`TCIE`. RM0090 §10.5.5 marks the
//! configuration fields of `SxCR` (`CHSEL`, `MBURST`, `PBURST`, `CT`, `DBM`,
//! `PL`, `PINCOS`, `MSIZE`, `PSIZE`, `MINC`, `PINC`, `CIRC`, `DIR`,
//! `PFCTRL`) "protected and can be written only if EN is '0'", not the
//! `*IE` bits. ST's own HAL masks them with `EN` = 1, in its handler and its
//! abort (`HAL_DMA_IRQHandler`, `HAL_DMA_Abort`). (The section numbers are
//! those of the manual revisions this crate cites elsewhere; check them
//! against yours.)
//!
//! # The read-modify-write race with thread mode
//!
//! The enable bits share the control register with `EN` and the
//! configuration, so the mask is a read-modify-write: read `CCR`, clear the
//! `*IE` bits, write the rest back. On the single-core parts this crate
//! supports:
//!
//! * the mask runs inside a critical section, so nothing (thread mode, or
//!   a higher-priority handler that owns the channel) runs between its read
//!   and its write: it writes back exactly the `EN` and configuration it
//!   read, and changes only the enable bits;
//! * the owner's accesses are a single store (the start: the configuration
//!   with `EN`, written while `EN` reads 0) or a read-modify-write of `EN`
//!   (the stop). A mask before the start's store is overwritten by it (the
//!   new transfer enables its sources, as meant). The mask may preempt the
//!   stop between its read and its write: then the owner's write puts the
//!   enable bits back as it read them and sets `EN` as it meant to. Its
//!   intent is kept; the mask's is undone, which leaves the line asserted,
//!   so the (level-sensitive) interrupt is taken again after the write and
//!   the handler masks again: a spurious wake at worst, which a future
//!   answers by polling.
//!
//! So no interleaving can change `EN` or the configuration behind the
//! owner's back: the token cannot make the DMA touch memory, which is why it
//! may be `Copy`, `Send` and `Sync` and used from safe code. (On the host,
//! where the mask may run on another thread, the owner's control-register
//! accesses take the same critical section.) A multi-core part whose two
//! cores share the controller is outside this argument and not supported.

use dma_mmio::Reg;

/// The mask-and-wake handle of one channel or stream (see the
/// [module](self)). `Copy`: keep one in a `static` for the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupt {
    cr: Reg,
    sources: u32,
}

// SAFETY: an `Interrupt` only clears interrupt-enable bits of one control
// register, in a critical section; the module documentation shows that no
// interleaving with the owner's accesses changes `EN` or the configuration,
// so using it from any context cannot make the DMA access memory.
unsafe impl Send for Interrupt {}
// SAFETY: as for `Send`: every method takes `self` by value and makes one
// read-modify-write inside a critical section.
unsafe impl Sync for Interrupt {}

impl Interrupt {
    pub(crate) fn new(cr: Reg, sources: u32) -> Self {
        Interrupt { cr, sources }
    }

    /// Clears the channel's interrupt-enable bits (`TCIE`, `HTIE`, `TEIE`,
    /// on streams `DMEIE`), leaving `EN`, the configuration and the flags
    /// as they are: the interrupt line drops, the transfer still sees its
    /// events. Call it from the channel's interrupt handler.
    #[inline]
    pub fn mask(self) {
        critical_section::with(|_| self.cr.modify(|v| v & !self.sources));
    }

    /// Whether every source is masked (none enabled).
    pub fn is_masked(self) -> bool {
        self.cr.read() & self.sources == 0
    }

    /// The handler: [`mask`](Self::mask), then wake the task waiting on
    /// `waker` (the one its [`TransferFuture`](dma_traits::future::TransferFuture)
    /// registered). Call it from the channel's vector.
    #[cfg(feature = "async")]
    #[inline]
    pub fn on_interrupt(self, waker: &dma_traits::future::DmaWaker) {
        self.mask();
        waker.wake();
    }
}

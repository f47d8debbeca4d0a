//! The channel-based DMA controller (RM0008 §13, RM0316 §13, RM0351 §11).
//!
//! Registers: see [`regs::channel`](crate::regs::channel) (checked against
//! the PACs by `dma-pac-oracle`).
//!
//! A channel keeps `EN` set after its last transfer (RM0008 §13.3.3
//! "Pointer incrementation": in non-circular mode no request is served once
//! the counter is zero; §13.4.4: "whether the channel is enabled or not"),
//! and `CNDTR`/`CPAR`/`CMAR` can be written only while `EN` is 0
//! (§13.4.4–§13.4.6): so every transfer ends by clearing `EN`.
//!
//! The controller and its channels are typed by [`Controller`]: [`Dma1`] /
//! [`Dma2`] from a chip's `take()` (or [`Dma::new`]), which a chip's
//! peripherals check against their request map, or [`Any`] from
//! [`Dma::from_base`], whose channels only go to peripherals built with
//! their own `unsafe` constructor. `CSELR` (L4), one register shared by all
//! channels, is only ever changed by a read-modify-write inside a critical
//! section ([`Dma::channel_for_request`], or a chip's peripheral selecting
//! its request), so channels owned by different contexts cannot lose each
//! other's selection.

use core::marker::PhantomData;

use dma_mmio::Reg;

use crate::hw::{host_atomic, Direction, Internal, Sealed, Select, Setup, Status};
use crate::interrupt::{Interrupt, InterruptFlags, Irq, Mode, Polled};
use crate::{DmaChannel, Owner, Priority};

use crate::regs::channel::{
    CCR, CIRC, CMAR, CNDTR, CPAR, CSELR, CSELR_BITS, DIR, EN, FLAG_STRIDE, GIF, HTIE, HTIF, IFCR,
    ISR, MEM2MEM, MINC, MSIZE_SHIFT, PINC, PL_SHIFT, PSIZE_SHIFT, STRIDE, TCIE, TCIF, TEIE, TEIF,
};

/// Which controller of a chip a channel belongs to: [`Dma1`], [`Dma2`], or
/// [`Any`] (not said). Sealed.
///
/// A chip's peripheral accepts a channel by its type (number and
/// controller), so the controller is part of the type: DMA2 channel 4 is not
/// DMA1 channel 4. The chip itself is not: it is in the peripheral's type
/// ([`chip::stm32f1::Usart1`](crate::chip) and the like), and one program
/// runs on one chip.
pub trait Controller: Sealed {}

/// DMA1 of a chip (from the chip's `take()`, or [`Dma::new`]).
#[derive(Debug)]
pub enum Dma1 {}
/// DMA2 of a chip (from the chip's `take()`, or [`Dma::new`]).
#[derive(Debug)]
pub enum Dma2 {}
/// A controller no chip map names, from [`Dma::from_base`]: its channels go
/// only to peripherals built with their own `unsafe` constructor (a
/// [`Usart`](crate::usart::Usart) on a bare register map), whose caller
/// vouches for the wiring.
#[derive(Debug)]
pub enum Any {}

impl Sealed for Dma1 {}
impl Sealed for Dma2 {}
impl Sealed for Any {}
impl Controller for Dma1 {}
impl Controller for Dma2 {}
impl Controller for Any {}

/// A channel-based DMA controller `C`, from which each channel is taken once.
#[derive(Debug)]
pub struct Dma<C: Controller = Any> {
    base: Reg,
    channels: u8,
    taken: u8,
    _controller: PhantomData<C>,
}

impl Dma<Any> {
    /// The controller whose registers start at `base`, with `channels`
    /// channels (at most 7), typed as no chip's controller ([`Any`]).
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of a channel-based DMA
    /// controller (on the host: a live simulator's
    /// [`Mapping::base`](dma_mmio::host::Mapping::base)) that nothing else
    /// uses while this value or a channel taken from it lives, and that
    /// stays valid as long as any [`Interrupt`]
    /// token taken from its channels is used (on the chip it always is; on
    /// the host, the simulator outlives the tokens: they are `'static` and
    /// `Copy`, review 4); and the controller has at least `channels`
    /// channels.
    pub unsafe fn from_base(base: *mut u32, channels: u8) -> Self {
        // SAFETY: the caller's contract is `new`'s (`Any` names no chip).
        unsafe { Self::new(base, channels) }
    }
}

impl<C: Controller> Dma<C> {
    /// Controller `C` of the chip, whose registers start at `base`, with
    /// `channels` channels (at most 7). On the chip the `take()` of
    /// [`chip`](crate::chip) calls this; on the host, tests do.
    ///
    /// # Safety
    ///
    /// For **callers**: as [`Dma::from_base`]; and unless `C` is [`Any`],
    /// `base` behaves as controller `C` of the chip whose peripherals its
    /// channels are given to: each request the chip's map (in
    /// [`chip`](crate::chip)) wires to a channel of `C` reaches that channel
    /// (on the host: the simulator is wired so).
    pub unsafe fn new(base: *mut u32, channels: u8) -> Self {
        Dma {
            // SAFETY: the caller's contract is `Reg::from_ptr`'s for the block.
            base: unsafe { Reg::from_ptr(base) },
            channels: channels.min(7),
            taken: 0,
            _controller: PhantomData,
        }
    }

    /// Channel `N` (1-based, as in the reference manual), once; `None` if it
    /// was taken before or does not exist.
    pub fn channel<const N: u8>(&mut self) -> Option<Channel<N, C>> {
        if N == 0 || N > self.channels || self.taken & (1 << N) != 0 {
            return None;
        }
        self.taken |= 1 << N;
        Some(Channel {
            base: self.base,
            priority: Priority::Low,
            mode: Polled,
            _not_sync: PhantomData,
        })
    }

    /// Channel `N`, once, with its request selection `CxS` in `CSELR` set to
    /// `request` (STM32L4, RM0351 table 41: USART1_TX is channel 4, request
    /// 2). Only for controllers that have `CSELR`; on the others use
    /// [`Dma::channel`]. `None` as for `channel`, or if `request > 15`.
    ///
    /// A peripheral of a chip map ([`chip::stm32l4::Usart1`](crate::chip))
    /// selects its request itself: take its channels with
    /// [`Dma::channel`].
    pub fn channel_for_request<const N: u8>(&mut self, request: u8) -> Option<Channel<N, C>> {
        if request > 15 {
            return None;
        }
        let mut channel = self.channel::<N>()?;
        channel.select(request, Internal::new());
        Some(channel)
    }
}

/// Sets channel `n`'s (1..=7) field of `CSELR` to `request` (0..=15).
///
/// `CSELR` is one register for all channels, which may be owned by
/// different contexts (an interrupt handler, the main loop): every write of
/// it in this crate is this read-modify-write inside a critical section, so
/// none loses another's field.
fn select_request(base: Reg, n: u8, request: u8) {
    let shift = CSELR_BITS * u32::from(n.wrapping_sub(1));
    // SAFETY: `CSELR` is inside the block; the field changed is channel
    // `n`'s, which its owner may set; the critical section serializes this
    // with every other change of the register (see above).
    let cselr = unsafe { base.offset(CSELR) };
    critical_section::with(|_| {
        cselr.modify(|v| (v & !(0xF << shift)) | u32::from(request & 0xF) << shift);
    });
}

/// Channel `N` of controller `C` of a channel-based DMA, in interrupt mode
/// `M` ([`Polled`] until [`interrupt`](Self::interrupt)). Owning it is the
/// right to use it.
#[derive(Debug)]
pub struct Channel<const N: u8, C: Controller = Any, M: Mode = Polled> {
    base: Reg,
    priority: Priority,
    /// With [`Irq`], where the channel's handler keeps the flags it takes;
    /// then transfers enable the channel's interrupt sources.
    mode: M,
    _not_sync: PhantomData<(*const (), C)>,
}

// SAFETY: the channel's registers may be used from any context that owns the
// value; it is not `Sync`, so only one context does at a time. The mode is
// `Polled` or `Irq`, a `&'static InterruptFlags` of atomics.
unsafe impl<const N: u8, C: Controller, M: Mode> Send for Channel<N, C, M> {}

impl<const N: u8, C: Controller> Channel<N, C, Polled> {
    /// This channel with its interrupt, and the token for its vector:
    /// every transfer on the returned channel enables `TCIE` and `TEIE`
    /// (and `HTIE` when circular) as it starts, and the [`Interrupt`]
    /// acknowledges the channel's flags from the handler into `flags`,
    /// where the channel's transfers read them (see
    /// [`interrupt`](crate::interrupt)). It takes `TCIF`, `HTIF` and
    /// `TEIF` one by one, never through `CGIF`, which would also clear a
    /// flag set after its read (RM0008 §13.4.2).
    ///
    /// `Err` with this channel if `flags` already serves another channel
    /// or stream.
    #[allow(clippy::type_complexity)]
    pub fn interrupt(
        self,
        flags: &'static InterruptFlags,
    ) -> Result<(Channel<N, C, Irq>, Interrupt), Self> {
        if !flags.claim(self.ccr().addr()) {
            return Err(self);
        }
        // SAFETY: `ISR` is inside the block.
        let status = unsafe { self.base.offset(ISR) };
        // SAFETY: `IFCR` is inside the block.
        let clear = unsafe { self.base.offset(IFCR) };
        let token = Interrupt::new(status, clear, Self::SHIFT, TCIF | HTIF | TEIF, flags);
        let Channel { base, priority, .. } = self;
        Ok((Channel { base, priority, mode: Irq::new(flags), _not_sync: PhantomData }, token))
    }
}

impl<const N: u8, C: Controller, M: Mode> Channel<N, C, M> {
    /// This channel with priority `priority` for its next transfers.
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    const INDEX: usize = (N as usize).wrapping_sub(1);
    const SHIFT: u32 = FLAG_STRIDE * (N as u32).wrapping_sub(1);

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `N` is 1..=7 (checked by `Dma::channel`), so the offset lies
        // inside the controller's block, which this channel's owner may use.
        unsafe { self.base.offset(offset + STRIDE * Self::INDEX) }
    }

    fn ccr(&self) -> Reg {
        self.reg(CCR)
    }

    fn isr(&self) -> Reg {
        // SAFETY: `ISR` is inside the block; reading it has no side effect.
        unsafe { self.base.offset(ISR) }
    }

    /// Clears `bits` of the channel's flags, in the hardware and among
    /// those its handler kept (one critical section: see
    /// [`crate::interrupt`]).
    #[inline(always)]
    fn clear(&self, bits: u32) {
        // SAFETY: `IFCR` is inside the block; writing 1s clears only this
        // channel's flags (the shift selects its group).
        let ifcr = unsafe { self.base.offset(IFCR) };
        match self.mode.kept() {
            None => ifcr.write(bits << Self::SHIFT),
            Some(kept) => critical_section::with(|_| {
                ifcr.write(bits << Self::SHIFT);
                kept.forget(bits);
            }),
        }
    }
}

impl<const N: u8, C: Controller, M: Mode> Sealed for Channel<N, C, M> {}

impl<const N: u8, C: Controller, M: Mode> Select for Channel<N, C, M> {
    fn select(&mut self, request: u8, _: Internal) {
        select_request(self.base, N, request);
    }
}

impl<const N: u8, C: Controller, M: Mode> DmaChannel for Channel<N, C, M> {
    const DOUBLE_BUFFER: bool = false;

    #[inline(always)]
    fn program(&self, setup: &Setup) -> u32 {
        let direction = match setup.direction {
            Direction::PeripheralToMemory => 0,
            Direction::MemoryToPeripheral => DIR,
            Direction::MemoryToMemory => MEM2MEM,
        };
        let mut ccr = direction
            | MINC
            | setup.size << PSIZE_SHIFT
            | setup.size << MSIZE_SHIFT
            | self.priority.bits() << PL_SHIFT;
        if setup.circular {
            ccr |= CIRC;
        }
        if self.mode.kept().is_some() {
            ccr |= TCIE | TEIE | if setup.circular { HTIE } else { 0 };
        }
        if setup.peripheral_increment {
            ccr |= PINC;
        }
        self.clear_all();
        self.reg(CNDTR).write(u32::from(setup.items));
        self.reg(CPAR).write_ptr(setup.peripheral);
        self.reg(CMAR).write_ptr(setup.memory);
        ccr
    }

    #[inline(always)]
    unsafe fn enable(&self, control: u32) {
        host_atomic(|| self.ccr().write(control | EN));
    }

    #[inline(always)]
    fn disable(&self) {
        let ccr = self.ccr();
        host_atomic(|| ccr.modify(|v| v & !EN));
        while ccr.read() & EN != 0 {
            core::hint::spin_loop();
        }
    }

    #[inline(always)]
    fn is_enabled(&self) -> bool {
        self.ccr().read() & EN != 0
    }

    #[inline(always)]
    fn status(&self) -> Status {
        // The hardware's flags, then those the handler took from it (in
        // that order: see `crate::interrupt`).
        let bits = match self.mode.kept() {
            None => self.isr().read() >> Self::SHIFT,
            Some(kept) => host_atomic(|| (self.isr().read() >> Self::SHIFT) | kept.kept()),
        };
        Status {
            complete: bits & TCIF != 0,
            half: bits & HTIF != 0,
            error: bits & TEIF != 0,
            fifo: false,
            direct_mode: false,
        }
    }

    fn clear_half(&self) {
        self.clear(HTIF);
    }

    fn clear_complete(&self) {
        self.clear(TCIF);
    }

    fn clear_progress(&self) {
        self.clear(HTIF | TCIF);
    }

    #[inline(always)]
    fn clear_all(&self) {
        self.clear(GIF | TCIF | HTIF | TEIF);
    }

    #[inline(always)]
    fn remaining(&self) -> u16 {
        (self.reg(CNDTR).read() & 0xFFFF) as u16
    }

    fn current_target(&self) -> usize {
        0
    }
}

/// A bare channel owns itself, for [memory-to-memory copies](crate::memory).
impl<const N: u8, C: Controller, M: Mode> Owner for Channel<N, C, M> {
    type Channel = Self;
    fn dma(&self, _: Internal) -> &Self {
        self
    }
}

//! The stream-based DMA controller (RM0090 §10, RM0385 §8).
//!
//! Registers: see [`regs::stream`](crate::regs::stream) (checked against the
//! PACs by `dma-pac-oracle`).
//!
//! Ending a transfer follows RM0090 §10.3.14 ("DMA transfer suspension") and
//! §10.3.17 ("Stream configuration procedure"): clearing `EN` takes effect
//! only once the current transfer has finished, so the driver reads `EN`
//! until it is 0 before it touches the buffer or the registers again; the
//! stream's flags (a software disable sets `TCIF`) are cleared before `EN`
//! is set again (§10.5.5, the note on `EN`).

use core::cell::Cell;
use core::marker::PhantomData;

use dma_mmio::Reg;

use crate::hw::{host_atomic, Direction, Internal, Sealed, Select, Setup, Status};
use crate::interrupt::{Interrupt, InterruptFlags, Irq, Mode, Polled};
use crate::regs::stream::{
    CHSEL_SHIFT, CIRC, CR, CT, DBM, DIR_M2M, DIR_M2P, DIR_P2M, DIR_SHIFT, DMDIS, DMEIE, DMEIF, EN,
    FCR, FEIF, FLAG_SHIFTS, FTH_FULL, FTH_SHIFT, HIFCR, HISR, HTIE, HTIF, LIFCR, LISR, M0AR, M1AR,
    MINC, MSIZE_SHIFT, NDTR, PAR, PINC, PL_SHIFT, PSIZE_SHIFT, STRIDE, TCIE, TCIF, TEIE, TEIF,
};
use crate::{DmaChannel, Owner, Priority};

/// `SxFCR` for memory-to-memory: direct mode disabled, threshold full FIFO.
const FIFO_MODE: u32 = DMDIS | FTH_FULL << FTH_SHIFT;

const ALL: u32 = FEIF | DMEIF | TEIF | HTIF | TCIF;

/// A family of stream-DMA parts, by the width of `SxCR.CHSEL`.
///
/// Sealed: [`F4`] and [`F76x`].
pub trait Part: Sealed {
    /// The number of request channels (`CHSEL` values) per stream.
    const REQUESTS: u8;
}

/// F2, F4, F74x, F75x: `CHSEL` is 3 bits (25:27), 8 requests per stream
/// (RM0090 §10.5.5, RM0385 §8.5.5; bit 28 is reserved).
#[derive(Debug)]
pub enum F4 {}
/// F76x, F77x: `CHSEL` is 4 bits (25:28), 16 requests per stream (RM0410 §8.5.5).
#[derive(Debug)]
pub enum F76x {}

impl Sealed for F4 {}
impl Sealed for F76x {}
impl Part for F4 {
    const REQUESTS: u8 = 8;
}
impl Part for F76x {
    const REQUESTS: u8 = 16;
}

/// Which controller of a part a [`Dma`] is: [`Dma1`] or [`Dma2`]. Sealed.
pub trait Controller: Sealed {
    /// The part, for the `CHSEL` range.
    type Part: Part;
}

/// DMA1 of part `P`. Only DMA2 can copy memory to memory (RM0090 §10.3.6
/// "Memory-to-memory mode"; RM0385 §8.3.6): a copy on a DMA1 stream does
/// not compile.
#[derive(Debug)]
pub struct Dma1<P: Part = F4>(PhantomData<P>);
/// DMA2 of part `P`: every direction, memory-to-memory included.
#[derive(Debug)]
pub struct Dma2<P: Part = F4>(PhantomData<P>);

impl<P: Part> Sealed for Dma1<P> {}
impl<P: Part> Sealed for Dma2<P> {}
impl<P: Part> Controller for Dma1<P> {
    type Part = P;
}
impl<P: Part> Controller for Dma2<P> {
    type Part = P;
}

/// A stream-based DMA controller, from which each stream is taken once.
///
/// `C` says which controller of which part it is ([`Dma1`] or [`Dma2`] of
/// [`F4`] or [`F76x`]): it bounds `CHSEL` and decides whether its streams
/// can copy memory to memory.
#[derive(Debug)]
pub struct Dma<C: Controller = Dma2> {
    base: Reg,
    taken: u8,
    _controller: PhantomData<C>,
}

impl<C: Controller> Dma<C> {
    /// The controller whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of a stream-based DMA
    /// controller (on the host: a live simulator's
    /// [`Mapping::base`](dma_mmio::host::Mapping::base)) that nothing else
    /// uses while this value or a stream taken from it lives, and that
    /// stays valid as long as any [`Interrupt`]
    /// token taken from its streams is used (on the chip it always is; on
    /// the host, the simulator outlives the tokens: they are `'static` and
    /// `Copy`, review 4); and `base`
    /// is controller `C` (DMA1 or DMA2 of the part) of the chip whose
    /// peripherals its streams are given to: each request the chip's map (in
    /// [`chip`](crate::chip)) wires to a stream of `C` reaches that stream
    /// with that `CHSEL` (on the host: the simulator is wired so).
    pub unsafe fn from_base(base: *mut u32) -> Self {
        Dma {
            // SAFETY: the caller's contract is `Reg::from_ptr`'s for the block.
            base: unsafe { Reg::from_ptr(base) },
            taken: 0,
            _controller: PhantomData,
        }
    }

    /// Stream `N` (0..=7), once, serving request channel `request` (`CHSEL`,
    /// from the reference manual's request map: USART1_TX is DMA2 stream 7,
    /// channel 4 on an F4). `None` if taken before, `N > 7`, or `request`
    /// does not fit the part's `CHSEL` (at most 7 on [`F4`], 15 on [`F76x`]).
    ///
    /// `request` is for peripherals built with their own `unsafe`
    /// constructor (a [`Usart`](crate::usart::Usart) on a bare register
    /// map). A peripheral of a chip map (`chip::stm32f4::Usart1`) sets
    /// `CHSEL` from its map when it takes the stream, whatever `request`
    /// was given here, so with one the user cannot select a wrong request.
    pub fn stream<const N: u8>(&mut self, request: u8) -> Option<Stream<N, C>> {
        if N > 7 || request >= C::Part::REQUESTS || self.taken & (1 << N) != 0 {
            return None;
        }
        self.taken |= 1 << N;
        Some(Stream {
            base: self.base,
            request,
            priority: Priority::Low,
            mode: Polled,
            fifo_mode: Cell::new(false),
            _not_sync: PhantomData,
            _controller: PhantomData,
        })
    }
}

/// Stream `N` of controller `C`, in interrupt mode `M` ([`Polled`] until
/// [`interrupt`](Self::interrupt)). Owning it is the right to use it.
#[derive(Debug)]
pub struct Stream<const N: u8, C: Controller = Dma2, M: Mode = Polled> {
    base: Reg,
    request: u8,
    priority: Priority,
    /// With [`Irq`], where the stream's handler keeps the flags it takes;
    /// then transfers enable the stream's interrupt sources.
    mode: M,
    /// Whether the last `program` chose FIFO mode (`SxFCR.DMDIS`): only
    /// then is `FEIF` an error.
    fifo_mode: Cell<bool>,
    _not_sync: PhantomData<*const ()>,
    _controller: PhantomData<C>,
}

// SAFETY: as for `channel::Channel`: owned, not `Sync` (the controller
// marker is a type-level tag, never a value; the mode is `Polled` or a
// `&'static InterruptFlags` of atomics).
unsafe impl<const N: u8, C: Controller, M: Mode> Send for Stream<N, C, M> {}

impl<const N: u8, C: Controller> Stream<N, C, Polled> {
    /// This stream with its interrupt, and the token for its vector: every
    /// transfer on the returned stream enables `TCIE`, `TEIE` and `DMEIE`
    /// (and `HTIE` when circular) as it starts, and the [`Interrupt`]
    /// acknowledges the stream's flags from the handler into `flags`,
    /// where the stream's transfers read them (see
    /// [`interrupt`](crate::interrupt)). `FEIE` stays off: in direct mode
    /// `FEIF` is no error (RM0090 §10.3.18).
    ///
    /// `Err` with this stream if `flags` already serves another stream or
    /// channel.
    #[allow(clippy::type_complexity)]
    pub fn interrupt(
        self,
        flags: &'static InterruptFlags,
    ) -> Result<(Stream<N, C, Irq>, Interrupt), Self> {
        if !flags.claim(self.cr().addr()) {
            return Err(self);
        }
        // SAFETY: `LISR`/`HISR` is inside the block.
        let status = unsafe { self.base.offset(Self::FLAGS.0) };
        // SAFETY: `LIFCR`/`HIFCR` is inside the block.
        let clear = unsafe { self.base.offset(Self::FLAGS.1) };
        let token = Interrupt::new(status, clear, Self::SHIFT, ALL, flags);
        let Stream { base, request, priority, fifo_mode, .. } = self;
        let stream = Stream {
            base,
            request,
            priority,
            mode: Irq::new(flags),
            fifo_mode,
            _not_sync: PhantomData,
            _controller: PhantomData,
        };
        Ok((stream, token))
    }
}

impl<const N: u8, C: Controller, M: Mode> Stream<N, C, M> {
    /// This stream with priority `priority` for its next transfers.
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    /// The stream's flags register (`LISR`/`HISR`) and clear register.
    const FLAGS: (usize, usize) = if N < 4 { (LISR, LIFCR) } else { (HISR, HIFCR) };
    // `N % 4 < 4 = FLAG_SHIFTS.len()`: the index is in range for every `N`.
    #[allow(clippy::indexing_slicing)]
    const SHIFT: u32 = FLAG_SHIFTS[(N % 4) as usize];

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `N <= 7` (checked by `Dma::stream`), so the offset lies in
        // the controller's block, which this stream's owner may use.
        unsafe { self.base.offset(offset + STRIDE * N as usize) }
    }

    fn cr(&self) -> Reg {
        self.reg(CR)
    }

    /// Clears `bits` of the stream's flags, in the hardware and among those
    /// its handler kept (one critical section: see [`crate::interrupt`]).
    #[inline(always)]
    fn clear(&self, bits: u32) {
        // SAFETY: `LIFCR`/`HIFCR` is inside the block; the shift selects only
        // this stream's flags.
        let ifcr = unsafe { self.base.offset(Self::FLAGS.1) };
        match self.mode.kept() {
            None => ifcr.write(bits << Self::SHIFT),
            Some(kept) => critical_section::with(|_| {
                ifcr.write(bits << Self::SHIFT);
                kept.forget(bits);
            }),
        }
    }
}

impl<const N: u8, C: Controller, M: Mode> Sealed for Stream<N, C, M> {}

impl<const N: u8, C: Controller, M: Mode> Select for Stream<N, C, M> {
    fn select(&mut self, request: u8, _: Internal) {
        // A map's request always fits its part's `CHSEL`; the mask keeps a
        // wrong one from reaching other bits of `SxCR` all the same.
        self.request = request % C::Part::REQUESTS;
    }
}

impl<const N: u8, C: Controller, M: Mode> DmaChannel for Stream<N, C, M> {
    const DOUBLE_BUFFER: bool = true;

    #[inline(always)]
    fn program(&self, setup: &Setup) -> u32 {
        let direction = match setup.direction {
            Direction::PeripheralToMemory => DIR_P2M,
            Direction::MemoryToPeripheral => DIR_M2P,
            Direction::MemoryToMemory => DIR_M2M,
        };
        let mut cr = u32::from(self.request) << CHSEL_SHIFT
            | self.priority.bits() << PL_SHIFT
            | setup.size << MSIZE_SHIFT
            | setup.size << PSIZE_SHIFT
            | MINC
            | direction << DIR_SHIFT;
        if setup.circular {
            cr |= CIRC;
        }
        if self.mode.kept().is_some() {
            cr |= TCIE | TEIE | DMEIE | if setup.circular { HTIE } else { 0 };
        }
        if setup.peripheral_increment {
            cr |= PINC;
        }
        self.clear_all();
        self.reg(NDTR).write(u32::from(setup.items));
        self.reg(PAR).write_ptr(setup.peripheral);
        self.reg(M0AR).write_ptr(setup.memory);
        if let Some(second) = setup.memory1 {
            self.reg(M1AR).write_ptr(second);
            cr |= DBM;
        }
        // Memory-to-memory needs the FIFO (RM0090 §10.3.6: circular and
        // direct mode are not allowed memory to memory); the rest runs in direct mode.
        let fcr = if direction == DIR_M2M { FIFO_MODE } else { 0 };
        self.reg(FCR).write(fcr);
        self.fifo_mode.set(fcr & DMDIS != 0);
        cr
    }

    #[inline(always)]
    unsafe fn enable(&self, control: u32) {
        host_atomic(|| self.cr().write(control | EN));
    }

    #[inline(always)]
    fn disable(&self) {
        let cr = self.cr();
        // After `TCIF` or `TEIF` the hardware has cleared `EN` already
        // (RM0090 §10.5.5): one load. Only the owner sets `EN`, so once it
        // reads 0 it stays 0 and the stream no longer accesses memory.
        let running = host_atomic(|| {
            let v = cr.read();
            if v & EN != 0 {
                cr.write(v & !EN);
            }
            v & EN != 0
        });
        if running {
            while cr.read() & EN != 0 {
                core::hint::spin_loop();
            }
        }
    }

    #[inline(always)]
    fn is_enabled(&self) -> bool {
        self.cr().read() & EN != 0
    }

    #[inline(always)]
    fn status(&self) -> Status {
        // SAFETY: `LISR`/`HISR` is inside the block; reading has no side effect.
        let isr = unsafe { self.base.offset(Self::FLAGS.0) };
        // The hardware's flags, then those the handler took from it (in
        // that order: see `crate::interrupt`).
        let bits = match self.mode.kept() {
            None => isr.read() >> Self::SHIFT,
            Some(kept) => host_atomic(|| (isr.read() >> Self::SHIFT) | kept.kept()),
        };
        // FEIF is an error only in FIFO mode. In direct mode the manual lets
        // it be set by an overrun / underrun under bus load, with no data
        // lost and the stream still running ("the faulty stream is not
        // automatically disabled ... there is no data loss", RM0090 §10.3.18
        // Error management; RM0385 §8.3.18): a USART transfer must not fail
        // for it. Whether FIFO mode is on is what `program` wrote to `DMDIS`.
        let fifo = bits & FEIF != 0 && self.fifo_mode.get();
        Status {
            complete: bits & TCIF != 0,
            half: bits & HTIF != 0,
            error: bits & TEIF != 0,
            fifo,
            direct_mode: bits & DMEIF != 0,
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
        self.clear(ALL);
    }

    #[inline(always)]
    fn remaining(&self) -> u16 {
        (self.reg(NDTR).read() & 0xFFFF) as u16
    }

    fn current_target(&self) -> usize {
        usize::from(self.cr().read() & CT != 0)
    }
}

/// A bare stream owns itself, for [memory-to-memory copies](crate::memory).
impl<const N: u8, C: Controller, M: Mode> Owner for Stream<N, C, M> {
    type Channel = Self;
    fn dma(&self, _: Internal) -> &Self {
        self
    }
}

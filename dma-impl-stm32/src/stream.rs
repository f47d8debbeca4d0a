//! The stream-based DMA controller (RM0090 §10, RM0385 §8).
//!
//! Registers: `LISR` 0x00 / `HISR` 0x04 (streams 0–3 / 4–7) and `LIFCR` 0x08 /
//! `HIFCR` 0x0C (write 1 to clear), six flag bits per stream at bit 0, 6, 16,
//! 22 of its register: `FEIF` 0, `DMEIF` 2, `TEIF` 3, `HTIF` 4, `TCIF` 5. Per
//! stream x at `0x18·x`: `SxCR` 0x10, `SxNDTR` 0x14, `SxPAR` 0x18,
//! `SxM0AR` 0x1C, `SxM1AR` 0x20, `SxFCR` 0x24.

use core::marker::PhantomData;

use dma_mmio::Reg;

use crate::hw::{Direction, Sealed, Setup, Status};
use crate::{DmaChannel, Owner, Priority};

/// `SxCR` bits.
const EN: u32 = 1 << 0;
const DIR: u32 = 6;
const CIRC: u32 = 1 << 8;
const PINC: u32 = 1 << 9;
const MINC: u32 = 1 << 10;
const PSIZE: u32 = 11;
const MSIZE: u32 = 13;
const PL: u32 = 16;
const DBM: u32 = 1 << 18;
const CT: u32 = 1 << 19;
const CHSEL: u32 = 25;

/// `SxFCR`: direct mode disabled, threshold full FIFO.
const FIFO_MODE: u32 = 1 << 2 | 0b11;

/// Flag bits inside a stream's group.
const FEIF: u32 = 1 << 0;
const DMEIF: u32 = 1 << 2;
const TEIF: u32 = 1 << 3;
const HTIF: u32 = 1 << 4;
const TCIF: u32 = 1 << 5;
const ALL: u32 = FEIF | DMEIF | TEIF | HTIF | TCIF;

/// A stream-based DMA controller, from which each stream is taken once.
#[derive(Debug)]
pub struct Dma {
    base: Reg,
    taken: u8,
}

impl Dma {
    /// The controller whose registers start at `base`.
    ///
    /// # Safety
    ///
    /// For **callers**: `base` is the register block of a stream-based DMA
    /// controller (on the host: a live simulator's
    /// [`Mapping::base`](dma_mmio::host::Mapping::base)) that nothing else
    /// uses while this value or a stream taken from it lives.
    pub unsafe fn from_base(base: *mut u32) -> Self {
        Dma {
            // SAFETY: the caller's contract is `Reg::from_ptr`'s for the block.
            base: unsafe { Reg::from_ptr(base) },
            taken: 0,
        }
    }

    /// Stream `N` (0..=7), once, serving request channel `request` (`CHSEL`,
    /// from the reference manual's request map: USART1_TX is DMA2 stream 7,
    /// channel 4 on an F4). `None` if taken before, `N > 7` or `request > 15`
    /// (F2/F4 have 8 request channels, F7 16).
    pub fn stream<const N: u8>(&mut self, request: u8) -> Option<Stream<N>> {
        if N > 7 || request > 15 || self.taken & (1 << N) != 0 {
            return None;
        }
        self.taken |= 1 << N;
        Some(Stream { base: self.base, request, priority: Priority::Low, _not_sync: PhantomData })
    }
}

/// Stream `N` of a stream-based controller. Owning it is the right to use it.
#[derive(Debug)]
pub struct Stream<const N: u8> {
    base: Reg,
    request: u8,
    priority: Priority,
    _not_sync: PhantomData<*const ()>,
}

// SAFETY: as for `channel::Channel`: owned, not `Sync`.
unsafe impl<const N: u8> Send for Stream<N> {}

impl<const N: u8> Stream<N> {
    /// This stream with priority `priority` for its next transfers.
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }

    /// The stream's flags register (`LISR`/`HISR`) and clear register.
    const FLAGS: (usize, usize) = if N < 4 { (0x00, 0x08) } else { (0x04, 0x0C) };
    const SHIFT: u32 = match N % 4 {
        0 => 0,
        1 => 6,
        2 => 16,
        _ => 22,
    };

    fn reg(&self, offset: usize) -> Reg {
        // SAFETY: `N <= 7` (checked by `Dma::stream`), so the offset lies in
        // the controller's block, which this stream's owner may use.
        unsafe { self.base.offset(offset + 0x18 * N as usize) }
    }

    fn cr(&self) -> Reg {
        self.reg(0x10)
    }

    fn clear(&self, bits: u32) {
        // SAFETY: `LIFCR`/`HIFCR` is inside the block; the shift selects only
        // this stream's flags.
        unsafe { self.base.offset(Self::FLAGS.1) }.write(bits << Self::SHIFT);
    }
}

impl<const N: u8> Sealed for Stream<N> {}

impl<const N: u8> DmaChannel for Stream<N> {
    const DOUBLE_BUFFER: bool = true;

    #[inline(always)]
    fn program(&self, setup: &Setup) {
        let direction = match setup.direction {
            Direction::PeripheralToMemory => 0b00,
            Direction::MemoryToPeripheral => 0b01,
            Direction::MemoryToMemory => 0b10,
        };
        let mut cr = u32::from(self.request) << CHSEL
            | self.priority.bits() << PL
            | setup.size << MSIZE
            | setup.size << PSIZE
            | MINC
            | direction << DIR;
        if setup.circular {
            cr |= CIRC;
        }
        if setup.peripheral_increment {
            cr |= PINC;
        }
        self.clear_all();
        self.reg(0x14).write(u32::from(setup.items));
        self.reg(0x18).write_ptr(setup.peripheral);
        self.reg(0x1C).write_ptr(setup.memory);
        if let Some(second) = setup.memory1 {
            self.reg(0x20).write_ptr(second);
            cr |= DBM;
        }
        // Memory-to-memory needs the FIFO; the rest runs in direct mode.
        let fcr = if direction == 0b10 { FIFO_MODE } else { 0 };
        self.reg(0x24).write(fcr);
        self.cr().write(cr);
    }

    #[inline(always)]
    unsafe fn enable(&self) {
        self.cr().modify(|v| v | EN);
    }

    #[inline(always)]
    fn disable(&self) {
        let cr = self.cr();
        cr.modify(|v| v & !EN);
        while cr.read() & EN != 0 {
            core::hint::spin_loop();
        }
    }

    #[inline(always)]
    fn is_enabled(&self) -> bool {
        self.cr().read() & EN != 0
    }

    #[inline(always)]
    fn status(&self) -> Status {
        // SAFETY: `LISR`/`HISR` is inside the block; reading has no side effect.
        let bits = unsafe { self.base.offset(Self::FLAGS.0) }.read() >> Self::SHIFT;
        Status {
            complete: bits & TCIF != 0,
            half: bits & HTIF != 0,
            error: bits & TEIF != 0,
            fifo: bits & FEIF != 0,
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
        (self.reg(0x14).read() & 0xFFFF) as u16
    }

    fn current_target(&self) -> usize {
        usize::from(self.cr().read() & CT != 0)
    }
}

/// A bare stream owns itself, for [memory-to-memory copies](crate::memory).
impl<const N: u8> Owner for Stream<N> {
    type Channel = Self;
    fn dma(&self) -> &Self {
        self
    }
}

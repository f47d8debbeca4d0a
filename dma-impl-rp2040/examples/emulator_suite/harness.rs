//! The conformance-suite harnesses of the RP2040 HAL on rp2040js: one DMA
//! channel for memory-to-memory, and SPI0 (two channels) for writes and
//! reads, its frames observed and fed through a mailbox that
//! `emulator/run.mjs` keeps in SRAM5 (unused by the firmware, see
//! `memory/rp2040.x`): at [`MAILBOX`] `+0` the count of frames the SPI sent,
//! `+4`/`+8` the length and position of the queue of answers, `+0x10` the
//! sent frames (`u16`, a ring of [`RING`]), `+0x810` the answers (`u16`).
//! A frame sent with the queue empty is answered with its complement.

use dma_conformance_core::{
    CopyHarness, Harness, Memory, ReadHarness, RecordingFence, WriteHarness,
};
use dma_impl_rp2040::{regs, Channel, Dma, Spi, Spi0};
use dma_traits::{CompilerFence, Word, WordWidth};

/// The mailbox `run.mjs` writes (SRAM5, §2.2.2: 0x2004_1000..0x2004_2000).
pub(crate) const MAILBOX: usize = 0x2004_1000;
/// Entries of the sent-frame ring and of the answer queue.
pub(crate) const RING: usize = 1024;

fn read_word(addr: usize) -> u32 {
    // SAFETY: a register of the RP2040 (§2.2.2, §2.5.7, §4.4.4) or a word
    // of the mailbox in SRAM5, which no Rust reference covers; read only.
    unsafe { (addr as *const u32).read_volatile() }
}

fn write_word(addr: usize, value: u32) {
    // SAFETY: as in `read_word`: a register, or the mailbox (written only by
    // this program and by the emulator between instructions).
    unsafe { (addr as *mut u32).write_volatile(value) }
}

fn half(addr: usize) -> *mut u16 {
    addr as *mut u16
}

/// The low `W::WIDTH` bytes of `bits` as a `W`.
#[allow(clippy::cast_possible_truncation)]
fn from_bits<W: Word>(bits: u32) -> W {
    match W::WIDTH {
        // SAFETY: `Word`'s contract: `W` is exactly this many bytes of plain
        // data for which every bit pattern is valid.
        WordWidth::Bits8 => unsafe { core::mem::transmute_copy::<u8, W>(&(bits as u8)) },
        // SAFETY: as above, two bytes.
        WordWidth::Bits16 => unsafe { core::mem::transmute_copy::<u16, W>(&(bits as u16)) },
        // SAFETY: as above, four bytes (wider words are never built here).
        _ => unsafe { core::mem::transmute_copy::<u32, W>(&bits) },
    }
}

/// The bits of `word` (8 or 16 bits wide), zero-extended.
fn to_bits<W: Word>(word: W) -> u32 {
    match W::WIDTH {
        // SAFETY: `W` is one byte of plain data (`Word`).
        WordWidth::Bits8 => u32::from(unsafe { core::mem::transmute_copy::<W, u8>(&word) }),
        // SAFETY: `W` is two bytes of plain data (`Word`).
        _ => u32::from(unsafe { core::mem::transmute_copy::<W, u16>(&word) }),
    }
}

/// Whether the channels `mask` are all idle (`CTRL.BUSY` clear).
fn idle(mask: u32) -> bool {
    (0..regs::CHANNELS).filter(|n| mask & (1 << n) != 0).all(|n| {
        read_word(regs::DMA_BASE + regs::channel(n) + regs::AL1_CTRL) & regs::CTRL_BUSY == 0
    })
}

/// The suite's memory: two 8-byte-aligned statics of `BYTES`.
pub(crate) const BYTES: usize = 512;

#[repr(C, align(8))]
pub(crate) struct Region(pub(crate) [u8; BYTES]);

/// One harness for both subjects: a copy channel, and SPI0 on two channels.
pub(crate) struct Rp2040Harness {
    memory: Memory,
    copy: usize,
    spi: (usize, usize),
    spare_channel: Option<Channel<RecordingFence<CompilerFence>>>,
    spare_spi: Option<Spi<Spi0, RecordingFence<CompilerFence>>>,
    /// Frames of the mailbox already reported.
    seen: u32,
}

impl Rp2040Harness {
    /// The harness.
    ///
    /// # Safety
    ///
    /// For **callers**: `memory` meets [`Harness`]'s contract; channels
    /// `copy`, `spi.0` and `spi.1` are used by nothing else, nor is SPI0
    /// (configured for 8-bit frames) or the mailbox; the harness is used only
    /// by the suite's `check_*` functions, which hold one channel (or
    /// peripheral) at a time.
    pub(crate) unsafe fn new(memory: Memory, copy: usize, spi: (usize, usize)) -> Self {
        let seen = read_word(MAILBOX);
        Rp2040Harness { memory, copy, spi, spare_channel: None, spare_spi: None, seen }
    }

    /// Ends the run: SPI0 quiet, the answer queue emptied (later frames
    /// are answered with their complement again).
    pub(crate) fn finish(&mut self) {
        Self::spi_quiet();
        write_word(MAILBOX + 4, 0);
    }

    fn steal(index: usize) -> Option<Channel<RecordingFence<CompilerFence>>> {
        // SAFETY: the DMA block (§2.2.2); of its channels only `index` is
        // kept, which `new`'s caller reserved for this harness, and the
        // suite holds one value of it at a time: when it asks again without
        // recycling, the previous one went with a transfer it dropped (which
        // stopped it) or leaked after `settle` saw the channel idle.
        let channels = unsafe { Dma::steal(regs::DMA_BASE as *mut u32) };
        channels.into_iter().nth(index).map(|c| c.with_fence(RecordingFence(CompilerFence)))
    }

    fn spi(&mut self) -> Option<Spi<Spi0, RecordingFence<CompilerFence>>> {
        if let Some(spi) = self.spare_spi.take() {
            return Some(spi);
        }
        let (tx, rx) = (Self::steal(self.spi.0)?, Self::steal(self.spi.1)?);
        // SAFETY: SPI0's block, used by nothing else (`new`).
        Some(unsafe { Spi::new(regs::SPI0_BASE as *mut u32, tx, rx) })
    }

    /// SPI0 idle: nothing in the transmit FIFO or shifting (`SSPSR.BSY`),
    /// then its receive FIFO emptied (`SSPSR.RNE`).
    fn spi_quiet() {
        while read_word(regs::SPI0_BASE + regs::SSPSR) & regs::SSPSR_BSY != 0 {}
        // The answer of the last frame arrives a frame time after BSY.
        for _ in 0..2000 {
            cortex_m::asm::nop();
        }
        while read_word(regs::SPI0_BASE + regs::SSPSR) & regs::SSPSR_RNE != 0 {
            let _ = read_word(regs::SPI0_BASE + regs::SSPDR);
        }
    }
}

// SAFETY: the memory is the caller's promise (`new`); the harness holds
// nothing (`hold` is false: rp2040js has no way to keep an accepted
// transfer from moving); `settle` returns once the channels read not BUSY
// (their sequences ended, every write done, §2.5.7 CTRL `BUSY`).
unsafe impl Harness for Rp2040Harness {
    fn memory(&mut self) -> Memory {
        self.memory
    }

    fn hold(&mut self) -> bool {
        false
    }

    fn release(&mut self) {}

    fn settle(&mut self) {
        let mask = (1 << self.copy) | (1 << self.spi.0) | (1 << self.spi.1);
        while !idle(mask) {}
    }
}

impl<W: Word> CopyHarness<W> for Rp2040Harness {
    type Channel = Channel<RecordingFence<CompilerFence>>;

    fn channel(&mut self) -> Option<Self::Channel> {
        self.spare_channel.take().or_else(|| Self::steal(self.copy))
    }

    fn recycle(&mut self, channel: Self::Channel) {
        self.spare_channel = Some(channel);
    }

    fn max_len(&self) -> Option<usize> {
        None
    }

    fn supports_width(&self) -> bool {
        W::WIDTH != WordWidth::Bits64
    }
}

fn spi_width<W: Word>() -> bool {
    // SPI0 is set up for 8-bit frames (the HAL also takes 16-bit words,
    // which would need `SSPCR0.DSS` = 15: not exercised here).
    W::WIDTH == WordWidth::Bits8
}

impl<W: Word> WriteHarness<W> for Rp2040Harness {
    type Peripheral = Spi<Spi0, RecordingFence<CompilerFence>>;

    fn peripheral(&mut self) -> Option<Self::Peripheral> {
        self.spi()
    }

    fn recycle(&mut self, spi: Self::Peripheral) {
        self.spare_spi = Some(spi);
    }

    /// The frames `run.mjs` logged since the last call, the newest that fit.
    fn received(&mut self, out: &mut [W]) -> usize {
        Self::spi_quiet();
        let sent = read_word(MAILBOX);
        let new = sent.wrapping_sub(self.seen) as usize;
        self.seen = sent;
        if !spi_width::<W>() {
            return 0;
        }
        let k = new.min(out.len()).min(RING);
        let first = sent as usize - k;
        for (j, slot) in out.iter_mut().take(k).enumerate() {
            let at = MAILBOX + 0x10 + 2 * ((first + j) % RING);
            // SAFETY: an entry of the mailbox's ring (SRAM5, `new`).
            let frame = unsafe { half(at).read_volatile() };
            *slot = from_bits(u32::from(frame));
        }
        k
    }

    fn max_len(&self) -> Option<usize> {
        None
    }

    fn supports_width(&self) -> bool {
        spi_width::<W>()
    }
}

impl<W: Word> ReadHarness<W> for Rp2040Harness {
    type Peripheral = Spi<Spi0, RecordingFence<CompilerFence>>;

    fn peripheral(&mut self) -> Option<Self::Peripheral> {
        self.spi()
    }

    fn recycle(&mut self, spi: Self::Peripheral) {
        self.spare_spi = Some(spi);
    }

    /// Queues the answers `word(0..len)` in the mailbox.
    fn feed(&mut self, len: usize, word: &dyn Fn(usize) -> W) -> bool {
        if !spi_width::<W>() {
            return false;
        }
        Self::spi_quiet();
        let len = len.min(RING);
        write_word(MAILBOX + 4, 0);
        for i in 0..len {
            let at = MAILBOX + 0x810 + 2 * i;
            // SAFETY: an entry of the mailbox's queue (SRAM5, `new`); the
            // queue is empty (length 0) while it is written.
            unsafe { half(at).write_volatile(to_bits(word(i)) as u16) };
        }
        write_word(MAILBOX + 8, 0);
        write_word(MAILBOX + 4, len as u32);
        // Frames the suite's last transfer left are not this one's.
        self.seen = read_word(MAILBOX);
        true
    }

    fn max_len(&self) -> Option<usize> {
        None
    }

    fn supports_width(&self) -> bool {
        spi_width::<W>()
    }
}

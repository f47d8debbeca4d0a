//! Reception without end ([`DmaReadStream`]) from a paced peripheral, on a
//! ring of linked-list items.
//!
//! A [`StreamRx`] is a [`Channel`] and a [`PacedSource`] (a peripheral's data
//! register and its DMA request line). Its stream fills one buffer in two
//! halves, over and over, peripheral-to-memory with the DMAC as the flow
//! controller (`FlowCntrl` = 2, DDI 0196 §3.4.19, Table 3-20), one item per
//! request of the line (`SrcPeripheral`). The halves are programmed as a
//! **ring of four LLIs** in the channel's LLI pool
//! ([`Channel::with_lli_pool`], at least 4 items; a channel without a pool
//! is not a `StreamRx` at all, by its type):
//!
//! ```text
//! registers: half 0 ──► LLI 1: half 1 ──► LLI 2: half 0 ──► LLI 3: half 1 ──► LLI 0: half 0 ─┐
//!                       ▲                                                                  │
//!                       └──────────────────────────────────────────────────────────────────┘
//! ```
//!
//! Each LLI is one segment of `half` items (at most the channel's
//! [`segment_limit`](Channel::segment_limit), 4095: `TransferSize` is 12
//! bits, §3.4.18), and the last points back to the first, so the channel
//! never finishes: after each item's data the channel loads the item its
//! `DMACCxLLI` names (the TRM's scatter/gather description, §3.4.17), and
//! `E` clears by itself only when an item with a zero next-LLI word
//! completes, or on an error (§3.4.19), which a ring never reaches. The pool and the buffer are `'static` for
//! the safe constructor, so a leaked stream leaves the DMA writing memory
//! nobody else owns, reading LLIs nobody rewrites.
//!
//! # Where the DMA is, and the ambiguity that must be resolved
//!
//! Number the segments the DMA runs `j = 0, 1, 2, …`: segment `j` writes
//! half `j % 2` and was loaded from LLI `j % 4` (segment 0 from the
//! registers). `DMACCxLLI` holds the *next* item's address while a segment
//! runs (§3.4.17), so one read of it names the running segment modulo 4.
//! That is a single snapshot, stale as soon as it is read (the manual of
//! NXP's LPC17xx GPDMA, a PL080, warns so for its address registers:
//! UM10360 §31.5.17-18), and the model here assumes the DMA can move any
//! distance between two register reads. A position modulo 4 cannot tell a
//! DMA one segment ahead from one five segments ahead. A terminal count on
//! every half (`Control.I` set in every LLI, raised into
//! `DMACRawIntTCStatus`, §3.4.6, §3.4.18) does not resolve it either: it is
//! one sticky bit per channel, so "one half completed" and "five halves
//! completed" both read as 1. Any fixed ring has that hole (its state seen
//! by the CPU is a finite automaton that the DMA can go round unseen).
//!
//! The stream closes it by **moving the `I` bit**: while the CPU waits for
//! segment `d`, exactly one LLI of the ring has `I` set, the one segment
//! `d + 3` will be loaded from; segments `d`, `d + 1` and `d + 2` run with
//! `I` clear. So, with the terminal count cleared whenever the ring is
//! (re)programmed:
//!
//! * terminal count 0 ⟹ segment `d + 3` has not ended, so the DMA is in a
//!   segment `j` with `d <= j <= d + 3`, and `DMACCxLLI` (read *before* the
//!   terminal count) names that `j` exactly;
//! * terminal count 1 ⟹ the DMA has reached segment `d + 4` or later: the
//!   CPU is more than a half late (an overrun).
//!
//! When half `d` is taken the mark moves on: the CPU stores the control word
//! of LLI `(d + 3) % 4` without `I` and that of LLI `d % 4` with `I`, each
//! one aligned 32-bit store (atomic; the DMA reads an LLI's control word as
//! one AHB word read, so it sees the old or the new word, which differ only
//! in `I`), then releases the pool through the fence. Both items are two
//! segments away from any load that can be under way: LLI `d % 4` was last
//! loaded for segment `d`, which has ended, and is next loaded for segment
//! `d + 4`; LLI `(d + 3) % 4` was last loaded for segment `d - 1` and is next
//! loaded when segment `d + 2` ends, and the check after the copy (below)
//! shows the DMA still in segment `d + 1` after the stores, so segment
//! `d + 2` had not even been loaded then.
//!
//! # Taking a half
//!
//! [`read_half`](ReadStream::read_half) for the half of segment `d`:
//!
//! 1. Reads `DMACCxLLI`, then `DMACRawIntTCStatus`. Terminal count set, or
//!    the DMA in segment `d + 2` or `d + 3`: overrun. In segment `d`: not
//!    complete, `Ok(None)`. In segment `d + 1`: the DMA has loaded the next
//!    LLI, which it does only after the current item's data has all been
//!    transferred (§3.4.17; UM10360 §31.5.18 likewise), so every item of
//!    segment `d` is in memory.
//! 2. Moves the mark (above), runs the fence's `acquire` over the half and
//!    copies it with `dma_mmio::load_from_dma` (one atomic load of the word's
//!    width per item: the half may be written again while it is copied;
//!    never a plain read, never a reference).
//! 3. After an acquire fence, reads `DMACCxLLI` and the terminal count again.
//!    The mark now sits on the LLI segment `d + 4` loads from, and the DMA
//!    was in segment `d + 1` at step 1, so terminal count 0 puts it in
//!    `d + 1 ..= d + 4`, which `DMACCxLLI` names exactly counted from
//!    `d + 1` (counted from `d`, as in step 1, segment `d + 4` would read
//!    as `d`: review 2, finding 1, `tests/review2_ring_check_after_copy.rs`).
//!    Only if they show the DMA still in segment `d + 1` is the copy handed
//!    out: the DMA had then not loaded segment `d + 2`, the first to write
//!    half `d % 2` again, so every item copied is the one segment `d` wrote.
//!    (The fence: a load that saw a later write would make the DMA's LLI
//!    load, which precedes that write, visible to the register read.)
//!    Otherwise: an overrun, and nothing copied is returned.
//!
//! # Overrun
//!
//! The stream then stops the channel (set `H`, wait until `A` reads 0, clear
//! `E`, wait until `E` reads 0: §3.4.19, the FIFO drained into memory),
//! reads where it stopped (`DMACCxLLI` and `TransferSize`, which is
//! meaningful once the channel is disabled, §3.4.18), reprograms the
//! registers to go on from exactly there, with the ring's marks set for the
//! half just completed, clears the terminal count and enables the channel
//! again. The channel is stopped while all of this is written, so nothing
//! races. The half the DMA completed last is then due (it stays intact until
//! the DMA finishes the half it is in); the halves skipped are
//! [`Error::Overrun`]'s `lost` and are added to
//! [`lost_words`](ReadStream::lost_words). The count is the least consistent
//! with what was read: four halves (two turns of the buffer) that went by
//! entirely unseen cannot be told from none, so `lost` is exact up to whole
//! turns of the ring, and is never more than was lost. While the channel is
//! stopped the peripheral's request waits (items stay in the peripheral;
//! one whose own receive FIFO overflows in that time reports it itself).
//!
//! # Stop, drop, leak
//!
//! `stop` and drop halt the channel as above (the crate's procedure for
//! every transfer) and return only once `E` reads 0, run the fence's
//! `acquire` over both halves and the ring, and only then give back (or
//! drop) the buffer and the [`StreamRx`] (channel, with its pool, and
//! source). `mem::forget` of a stream of a `'static` buffer is harmless: the
//! DMA goes on writing the buffer and reading the pool and the source
//! register, all of which stay valid for ever (the buffer and the pool are
//! `'static`; the source's validity for ever is [`PacedSource::new`]'s
//! promise), and the CPU never touches them again.
//!
//! Interrupts: the stream leaves `ITC` clear (the terminal count of an
//! overrun shows in the raw status only; the crate's
//! [`Interrupt`](crate::Interrupt) handler, which acts once a channel has
//! stopped, would be entered again and again by a running ring's terminal
//! count) and sets `IE`, so a bus error, which stops the channel, raises the
//! controller's interrupt.

use core::mem::ManuallyDrop;
use core::sync::atomic::{AtomicU32, Ordering};

use dma_traits::{
    DmaFence, DmaReadStream, DmaWriteBuffer, Finished, Outcome, ReadStream, Region, Started,
    Transfer, TransferError, Word, WordWidth,
};

use crate::dmac::{bus_word, low32, Channel, Hw, Lli, LliPool};
use crate::held::Held;
use crate::reach::{Anywhere, Reach};
use crate::transfer::{aligned, reachable, width_code};
use crate::{regs, Error};

/// LLIs in a stream's ring.
pub const RING: usize = 4;

/// A peripheral's data register and the DMA request line that says it holds
/// data: the source of a [`StreamRx`].
///
/// The MPS2 images wire no paced receive peripheral to their PL081s that
/// QEMU models; this is for boards that have one (a UART, an ADC, an I²S
/// receiver on one of the 16 request lines), and for the host simulator
/// (`dma_impl_mock::sim::pl08x::Pl08xSim::paced_source`).
///
/// Not `Clone`: the register is promised to one stream at a time.
#[derive(Debug, PartialEq, Eq)]
pub struct PacedSource {
    address: *mut u8,
    line: u8,
}

// SAFETY: an address and a line number; the caller of `new` promised the
// register for as long as any value or stream of it exists, wherever it runs.
unsafe impl Send for PacedSource {}

impl PacedSource {
    /// The data register at `address`, whose peripheral requests DMA on
    /// request line `line` (0..16) while it holds data. A line of 16 or more
    /// is refused.
    ///
    /// # Safety
    ///
    /// For **callers**: `address` is the data register of a peripheral the
    /// DMA can read with accesses of the width of the stream's words; the
    /// peripheral asserts request line `line` of this controller while that
    /// register holds a received word (so each request is one word); nothing
    /// else reads the register while a stream runs; and the register stays
    /// valid as long as this value and any stream of it exist (for ever, if
    /// a stream is leaked). On the host, it is a simulator's register.
    pub unsafe fn new(address: *mut u8, line: u8) -> Result<Self, Error> {
        if line >= regs::REQUEST_LINES {
            return Err(Error::NoSuchRequestLine(line));
        }
        Ok(PacedSource { address, line })
    }

    /// The data register's address.
    pub fn address(&self) -> *mut u8 {
        self.address
    }

    /// The request line.
    pub fn line(&self) -> u8 {
        self.line
    }
}

/// A channel receiving from a [`PacedSource`]: a [`DmaReadStream`] for 8,
/// 16 and 32-bit words (see the [module](self)). The channel has an LLI
/// pool ([`Channel::with_lli_pool`]), of at least [`RING`] items (a smaller
/// one is refused at the start).
///
/// ```
/// use dma_impl_mock::sim::pl08x::Pl08xSim;
/// use dma_impl_pl08x::{Anywhere, Lli, PacedSource, Pl081, StreamRx};
/// use dma_traits::{DmaReadStream, ReadStream, Transfer};
///
/// let sim = Pl08xSim::pl081();
/// // SAFETY: a simulated PL081 and peripheral this example owns, alive
/// // until its end.
/// let mut dmac = unsafe { Pl081::new(sim.base(), Anywhere) };
/// // SAFETY: as above; the simulator's peripheral requests on line 3.
/// let adc = unsafe { PacedSource::new(sim.paced_source(3), 3) }.unwrap();
/// let channel = dmac.channel(0).unwrap().with_lli_pool(Box::leak(Box::new([Lli::EMPTY; 4])));
/// let buffer: &'static mut [u16] = Box::leak(Box::new([0u16; 8]));
/// let mut stream = StreamRx::new(channel, adc).read_stream(buffer).ok().unwrap();
/// sim.feed(3, &[1, 2, 3, 4, 5]);
/// sim.run(100);
/// let mut half = [0u16; 4];
/// assert_eq!(stream.read_half(&mut half).ok(), Some(Some(4)));
/// assert_eq!(half, [1, 2, 3, 4]);
/// assert_eq!(stream.read_half(&mut half).ok(), Some(None), "5 alone is not a half");
/// let done = stream.stop().ok().unwrap();
/// assert_eq!(done.transferred, 5);
/// ```
#[derive(Debug)]
pub struct StreamRx<const N: usize, F: DmaFence = crate::DmbFence, A: Reach = Anywhere> {
    channel: Channel<N, F, LliPool, A>,
    source: PacedSource,
}

impl<const N: usize, F: DmaFence, A: Reach> StreamRx<N, F, A> {
    /// `channel` receiving from `source`.
    pub fn new(channel: Channel<N, F, LliPool, A>, source: PacedSource) -> Self {
        StreamRx { channel, source }
    }

    /// The channel.
    pub fn channel(&self) -> &Channel<N, F, LliPool, A> {
        &self.channel
    }

    /// Gives the channel (with its LLI pool) and the source back.
    pub fn into_parts(self) -> (Channel<N, F, LliPool, A>, PacedSource) {
        (self.channel, self.source)
    }
}

/// The least `j >= floor` with `j % 4 == residue`.
fn at_least(floor: u64, residue: u64, modulus: u64) -> u64 {
    let r = floor % modulus;
    floor.saturating_add((residue + modulus - r) % modulus)
}

/// Stops the channel without losing the FIFO's data and waits until it has
/// let go: set `H` (later requests are ignored), poll `A` until 0 (the FIFO
/// drained), clear `E`, poll `E` until 0 (DDI 0196 §3.4.19). Returns at once
/// if `E` already reads 0.
fn halt<A: Reach>(hw: &Hw<A>) {
    let config = hw.reg(regs::CONFIG);
    let now = config.read();
    if now & regs::CONFIG_E == 0 {
        return;
    }
    config.write(now | regs::CONFIG_H);
    while config.read() & regs::CONFIG_A != 0 {
        core::hint::spin_loop();
    }
    config.write((now | regs::CONFIG_H) & !regs::CONFIG_E);
    while config.read() & regs::CONFIG_E != 0 {
        core::hint::spin_loop();
    }
}

/// Loads word `at` with one atomic access of its width; `None` for 64-bit
/// words (never streamed: refused at the start).
///
/// # Safety
///
/// For **callers**: `at` is valid for reads of one `W`, aligned, writable
/// memory, and raced only by the DMA's writes of the same width.
unsafe fn load<W: Word>(at: *const W) -> Option<W> {
    match W::WIDTH {
        WordWidth::Bits8 => {
            // SAFETY: the caller's contract, for one byte.
            let bits = unsafe { dma_mmio::load_from_dma(at.cast::<u8>()) };
            // SAFETY: `Word`'s contract: a `W` of width 8 is one byte, and
            // every bit pattern is a valid `W`.
            Some(unsafe { core::mem::transmute_copy(&bits) })
        }
        WordWidth::Bits16 => {
            // SAFETY: the caller's contract, for two aligned bytes.
            let bits = unsafe { dma_mmio::load_from_dma(at.cast::<u16>()) };
            // SAFETY: as above, two bytes.
            Some(unsafe { core::mem::transmute_copy(&bits) })
        }
        WordWidth::Bits32 => {
            // SAFETY: the caller's contract, for four aligned bytes.
            let bits = unsafe { dma_mmio::load_from_dma(at.cast::<u32>()) };
            // SAFETY: as above, four bytes.
            Some(unsafe { core::mem::transmute_copy(&bits) })
        }
        WordWidth::Bits64 => None,
    }
}

/// What one look at the channel found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The segment the DMA was in when `DMACCxLLI` was read (exact).
    In(u64),
    /// The terminal count: the DMA has reached segment `due + 4` or later.
    Lapped,
    /// `DMACCxLLI` named no item of the ring (never, with this driver).
    Lost,
}

/// A stream in flight: see the [module](self). From
/// [`StreamRx`]'s [`DmaReadStream::read_stream`].
///
/// `stop` (or drop) halts the channel and gives the buffer and the
/// [`StreamRx`] back; its `transferred` is the words received since the
/// start as far as the registers show it (exact up to whole turns of the
/// ring that went by unseen, saturating).
pub struct RingStream<B: DmaWriteBuffer, const N: usize, F: DmaFence, A: Reach = Anywhere> {
    buffer: ManuallyDrop<Held<B>>,
    rx: ManuallyDrop<StreamRx<N, F, A>>,
    hw: Hw<A>,
    fence: F,
    /// The buffer's first word (its `dma_write_buffer` pointer).
    start: *mut B::Word,
    half: usize,
    /// The ring: `RING` items of the channel's pool.
    ring: *mut Lli,
    /// `DMACCxControl` of a whole half, `I` clear.
    control: u32,
    /// `DMACCxConfiguration`, enabling.
    config: u32,
    /// The segment whose half is due next.
    due: u64,
    lost: u64,
}

impl<B: DmaWriteBuffer, const N: usize, F: DmaFence, A: Reach> core::fmt::Debug
    for RingStream<B, N, F, A>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RingStream")
            .field("channel", &self.hw.index)
            .field("half", &self.half)
            .field("due", &self.due)
            .field("lost", &self.lost)
            .finish_non_exhaustive()
    }
}

// SAFETY: the raw pointers name memory owned by the buffer (`start`) and by
// the channel's pool (`ring`), both owned by the stream and used only
// through `&mut self` or by the stream's end; sending the stream sends that
// ownership.
unsafe impl<B: DmaWriteBuffer + Send, const N: usize, F: DmaFence + Send, A: Reach + Send> Send
    for RingStream<B, N, F, A>
{
}

impl<B: DmaWriteBuffer, const N: usize, F: DmaFence, A: Reach> RingStream<B, N, F, A> {
    /// LLI `k % RING` of the ring.
    fn slot(&self, k: u64) -> *mut Lli {
        // `k % RING` is below 4: the item is inside the ring.
        #[allow(clippy::cast_possible_truncation)]
        let k = (k % RING as u64) as usize;
        self.ring.wrapping_add(k)
    }

    /// The first word of the half segment `j` writes.
    fn half_start(&self, j: u64) -> *mut B::Word {
        self.start.wrapping_add(if j.is_multiple_of(2) { 0 } else { self.half })
    }

    fn half_region(&self, j: u64) -> Region {
        Region::dma_writes(self.half_start(j), self.half)
    }

    fn ring_region(&self) -> Region {
        Region::dma_reads(self.ring.cast_const(), RING)
    }

    /// Stores the control word of the LLI segment `j` is loaded from, `I`
    /// set or clear, with one atomic 32-bit store.
    fn mark(&self, j: u64, interrupt: bool) {
        let control = if interrupt { self.control | regs::I } else { self.control };
        let slot = self.slot(j);
        // SAFETY: `slot` is one of the ring's items, inside the channel's
        // `'static` pool, which this stream owns: the place is in bounds
        // (only its address is taken, nothing is read).
        let field = unsafe { core::ptr::addr_of_mut!((*slot).control) };
        // SAFETY: `field` is an aligned `u32` (`Lli` is `repr(C,
        // align(16))`) of writable memory that lives for ever; the DMA only
        // reads it, with one word read (the simulator: an atomic load of the
        // same width), so this atomic store races at worst with atomics.
        let word = unsafe { AtomicU32::from_ptr(field) };
        word.store(control, Ordering::Relaxed);
    }

    /// Whether the channel reported a bus error (`DMACRawIntErrorStatus`).
    fn failed(&self) -> bool {
        self.hw.global(regs::RAW_INT_ERROR_STATUS).read() & self.hw.bit() != 0
    }

    /// The ring item `DMACCxLLI` names, if any.
    fn next_item(&self) -> Option<u64> {
        let next = self.hw.reg(regs::LLI).read() & !0b11;
        (0..RING as u64).find(|&k| low32(self.slot(k).cast::<u8>()) == next)
    }

    /// Reads `DMACCxLLI`, then the raw terminal count (see the module docs:
    /// in this order, the pair names the segment exactly while the DMA is
    /// within `floor..=floor + 3`). `floor` is the first segment the DMA
    /// may still be in: `due` before the copy-out; `due + 1` after it, when
    /// the mark has moved on to `due + 4` and the first look saw `due + 1`
    /// running (with `due` there, a DMA in `due + 4` would read as `due`
    /// and its overwrite of the copied half go unseen: review 2, finding 1).
    fn look(&self, floor: u64) -> Seen {
        let next = self.next_item();
        let tc = self.hw.global(regs::RAW_INT_TC_STATUS).read() & self.hw.bit() != 0;
        if tc {
            return Seen::Lapped;
        }
        match next {
            // The running segment precedes the one `DMACCxLLI` names.
            Some(k) => Seen::In(at_least(floor, (k + 3) % RING as u64, RING as u64)),
            None => Seen::Lost,
        }
    }

    /// Programs the channel (stopped) to run the rest of segment `j`,
    /// `left` items from the end of its half, then on round the ring, with
    /// the marks for taking segment `j - 1`; clears the terminal count and
    /// enables it. `Err` (the channel left stopped) if the fence refuses
    /// the ring.
    fn resume(&self, j: u64, left: usize) -> Result<(), Error> {
        let hw = &self.hw;
        for (k, interrupt) in [(1, false), (2, true), (3, false), (4, false)] {
            self.mark(j + k, interrupt);
        }
        let done = self.half - left.min(self.half);
        hw.reg(regs::SRC_ADDR).write_ptr(self.rx.source.address.cast_const());
        hw.reg(regs::DEST_ADDR).write_ptr(self.half_start(j).wrapping_add(done).cast_const());
        hw.reg(regs::LLI).write_ptr(self.slot(j + 1).cast_const());
        // `left` is at most `half`, at most 4095 (checked at the start).
        #[allow(clippy::cast_possible_truncation)]
        let left = left as u32 & regs::TRANSFER_SIZE_MASK;
        hw.reg(regs::CONTROL).write((self.control & !regs::TRANSFER_SIZE_MASK) | left);
        hw.global(regs::INT_TC_CLEAR).write(hw.bit());
        self.ring_region().release(self.fence).map_err(Error::Fence)?;
        hw.enable(self.config);
        Ok(())
    }

    /// The DMA reached segment `floor` or later, writing the half due:
    /// stop, resume from where it stopped with the last completed half due
    /// (see the module docs); the error to report.
    fn overrun(&mut self, floor: u64) -> Error {
        halt(&self.hw);
        if self.failed() {
            return Error::Bus;
        }
        let remaining = (self.hw.reg(regs::CONTROL).read() & regs::TRANSFER_SIZE_MASK) as usize;
        let (running, left) = match self.next_item() {
            Some(k) => {
                let j = at_least(floor, (k + 3) % RING as u64, RING as u64);
                if remaining == 0 || remaining > self.half {
                    // Stopped between a segment's last item and the next
                    // load: go on with the next segment, whole.
                    (j + 1, self.half)
                } else {
                    (j, remaining)
                }
            }
            // Not one of the ring's items (never, with this driver): start
            // a whole segment afresh.
            None => (floor, self.half),
        };
        if let Err(e) = self.resume(running, left) {
            return e;
        }
        let due = running - 1;
        let lost = due.saturating_sub(self.due).saturating_mul(self.half as u64);
        self.due = due;
        self.lost = self.lost.saturating_add(lost);
        Error::Overrun { lost: usize::try_from(lost).unwrap_or(usize::MAX) }
    }

    /// Halts the channel, runs the acquire fences, and says how many words
    /// arrived and whether it failed; leaves the channel idle.
    fn end(&mut self) -> (usize, bool) {
        // Not unwinding while the DMA may run (see `dma_traits::abort_on_unwind`).
        dma_traits::abort_on_unwind(|| {
            halt(&self.hw);
            for j in 0..2 {
                self.half_region(j).acquire(self.fence);
            }
            self.ring_region().acquire(self.fence);
            let hw = &self.hw;
            let remaining = (hw.reg(regs::CONTROL).read() & regs::TRANSFER_SIZE_MASK) as usize;
            let moved = self.half - remaining.min(self.half);
            let running = match self.next_item() {
                Some(k) => at_least(self.due, (k + 3) % RING as u64, RING as u64),
                None => self.due,
            };
            let words = running.saturating_mul(self.half as u64).saturating_add(moved as u64);
            let error = self.failed();
            hw.global(regs::INT_TC_CLEAR).write(hw.bit());
            hw.global(regs::INT_ERR_CLEAR).write(hw.bit());
            hw.reg(regs::CONFIG).write(0);
            (usize::try_from(words).unwrap_or(usize::MAX), error)
        })
    }
}

impl<B: DmaWriteBuffer, const N: usize, F: DmaFence, A: Reach> Drop for RingStream<B, N, F, A> {
    fn drop(&mut self) {
        self.end();
        // SAFETY: `drop` runs once, and `stop` (the only other taker) keeps
        // it from running; the channel has stopped and the fences ran.
        unsafe { ManuallyDrop::drop(&mut self.buffer) };
        // SAFETY: as above, for the channel and source.
        unsafe { ManuallyDrop::drop(&mut self.rx) };
    }
}

// SAFETY: `stop` and drop (the only ways out besides a leak) run `end`,
// which returns only after `halt` saw `E` read 0 (the channel makes no more
// bus access, §3.4.19) and `acquire` ran over both halves and the ring;
// only then are the buffer and the channel given back or dropped. Nothing
// in `end` panics (no indexing, no unwrap, saturating arithmetic), and it
// runs under `abort_on_unwind` (a host register access that unwinds
// aborts). `halt`
// waits only on a channel it saw enabled. `is_done` only reads.
unsafe impl<B: DmaWriteBuffer, const N: usize, F: DmaFence, A: Reach> Transfer
    for RingStream<B, N, F, A>
{
    type Buffer = B;
    type Resources = StreamRx<N, F, A>;
    type Error = Error;

    /// True only once the channel stopped: a bus error (or a refusal of the
    /// fence when the stream resynchronized).
    fn is_done(&self) -> bool {
        self.failed() || self.hw.reg(regs::CONFIG).read() & regs::CONFIG_E == 0
    }

    fn stop(self) -> Outcome<Self> {
        let mut this = ManuallyDrop::new(self);
        let (transferred, error) = this.end();
        // SAFETY: `this` is never dropped; each field is taken once, here.
        let buffer = unsafe { ManuallyDrop::take(&mut this.buffer) }.into_inner();
        // SAFETY: as above, for the channel and source.
        let resources = unsafe { ManuallyDrop::take(&mut this.rx) };
        if error {
            Err(TransferError { error: Error::Bus, buffer, resources, transferred })
        } else {
            Ok(Finished { buffer, resources, transferred })
        }
    }
}

impl<B: DmaWriteBuffer, const N: usize, F: DmaFence, A: Reach> ReadStream<B::Word>
    for RingStream<B, N, F, A>
{
    fn half_len(&self) -> usize {
        self.half
    }

    fn lost_words(&self) -> u64 {
        self.lost
    }

    fn read_half(&mut self, out: &mut [B::Word]) -> Result<Option<usize>, Error> {
        if self.failed() {
            return Err(Error::Bus);
        }
        if self.hw.reg(regs::CONFIG).read() & regs::CONFIG_E == 0 {
            // Stopped by a refusal of the fence while resynchronizing.
            return Err(Error::Bus);
        }
        let d = self.due;
        match self.look(d) {
            Seen::Lapped => return Err(self.overrun(d + 4)),
            Seen::Lost => return Ok(None),
            Seen::In(j) if j <= d => return Ok(None),
            Seen::In(j) if j >= d + 2 => return Err(self.overrun(j)),
            Seen::In(_) => {}
        }
        // Segment `d + 1` runs: half `d` is complete. Move the mark on to
        // the item segment `d + 4` loads (module docs).
        self.mark(d + 3, false);
        self.mark(d + 4, true);
        self.ring_region().release(self.fence).map_err(Error::Fence)?;
        let region = self.half_region(d);
        region.acquire(self.fence);
        let src = self.half_start(d).cast_const();
        let n = out.len().min(self.half);
        for (i, slot) in out.iter_mut().take(n).enumerate() {
            // SAFETY: word `i < half` of half `d % 2` of the buffer, which
            // the stream owns and keeps alive; `start` came from its
            // `dma_write_buffer` pair (valid, aligned for the word: checked
            // at the start, writable); the channel writes it with beats of
            // `DWidth` = the word's width, and nothing else writes it.
            match unsafe { load(src.wrapping_add(i)) } {
                Some(word) => *slot = word,
                None => return Err(Error::UnsupportedWidth(WordWidth::Bits64)),
            }
        }
        // The copy's loads before the registers' reads (a DMB on the chip).
        core::sync::atomic::fence(Ordering::Acquire);
        match self.look(d + 1) {
            Seen::In(j) if j <= d + 1 => {}
            Seen::In(j) => return Err(self.overrun(j)),
            Seen::Lapped => return Err(self.overrun(d + 4)),
            Seen::Lost => return Err(self.overrun(d + 2)),
        }
        self.due = d + 1;
        Ok(Some(n))
    }
}

// SAFETY: `read_stream_unchecked` refuses (width, length, pool, alignment,
// reach, fence) before `DMACCxConfiguration` is written, giving back the
// buffer and `self` untouched by the DMA; otherwise it programs the channel
// to write only the buffer's `dma_write_buffer` pair (the two halves, one
// segment each, `DI` set, `half` items each) and to read the source
// register and the ring's items, releases the halves and the ring, and
// enables it with one register write. `RingStream` meets `Transfer`'s
// contract (see its impl) and hands out only copies that the check after
// the copy shows were not overwritten (module docs).
unsafe impl<W: Word, const N: usize, F: DmaFence, A: Reach> DmaReadStream<W> for StreamRx<N, F, A> {
    type Error = Error;
    type Stream<B: DmaWriteBuffer<Word = W>> = RingStream<B, N, F, A>;

    /// Two segments: twice the channel's segment limit (8190 words).
    fn max_len(&self) -> usize {
        self.channel.segment.get().saturating_mul(2)
    }

    unsafe fn read_stream_unchecked<B: DmaWriteBuffer<Word = W>>(
        self,
        buffer: B,
    ) -> Started<Self::Stream<B>> {
        let mut held = Held::new(buffer);
        let (start, len) = held.get_mut().dma_write_buffer();
        let hw = self.channel.hw;
        let fence = self.channel.fence;
        let half = len / 2;
        let checked = (|| {
            let code = width_code(W::WIDTH)?;
            if len == 0 {
                return Err(Error::Empty);
            }
            if !len.is_multiple_of(2) {
                return Err(Error::OddLength { items: len });
            }
            let max = self.channel.segment.get().saturating_mul(2);
            if half > self.channel.segment.get() {
                return Err(Error::TooLong { items: len, max });
            }
            let (ring, available) = self.channel.pool.items();
            if available < RING {
                return Err(Error::LliPoolTooSmall { needed: RING, available });
            }
            aligned(start.cast::<u8>(), W::WIDTH)?;
            aligned(self.source.address, W::WIDTH)?;
            let bytes =
                len.checked_mul(W::WIDTH.bytes()).ok_or(Error::TooLong { items: len, max })?;
            reachable(&hw, start.cast::<u8>(), bytes)?;
            reachable(&hw, ring.cast::<u8>(), RING * core::mem::size_of::<Lli>())?;
            Ok((code, ring))
        })();
        let (code, ring) = match checked {
            Ok(ok) => ok,
            Err(e) => return Err(TransferError::rejected(e, held.into_inner(), self)),
        };
        // `half` is at most the segment limit, at most 4095 (checked).
        #[allow(clippy::cast_possible_truncation)]
        let items = half as u32 & regs::TRANSFER_SIZE_MASK;
        let control =
            (code << regs::SWIDTH_SHIFT) | (code << regs::DWIDTH_SHIFT) | regs::DI | items;
        let config = (regs::FLOW_PERIPHERAL_TO_MEMORY << regs::FLOW_SHIFT)
            | (u32::from(self.source.line) << regs::SRC_PERIPHERAL_SHIFT)
            | regs::CONFIG_IE
            | regs::CONFIG_E;
        let second = start.wrapping_add(half);
        for k in 0..RING {
            let item = Lli {
                src: bus_word(self.source.address),
                dst: bus_word(if k.is_multiple_of(2) { start } else { second }.cast::<u8>()),
                next: bus_word(ring.wrapping_add((k + 1) % RING).cast::<u8>()),
                // Segment 3 (from item 3) is the first marked (module docs).
                control: if k == 3 { control | regs::I } else { control },
            };
            // SAFETY: `k < RING <= available`: the item is inside the
            // channel's pool, which the channel owns exclusively
            // (`with_lli_pool`) and no DMA reads (the channel is idle: a
            // running transfer would own it).
            unsafe { ring.wrapping_add(k).write(item) };
        }
        let regions = [
            Region::dma_writes(start, half),
            Region::dma_writes(second, half),
            Region::dma_reads(ring.cast_const(), RING),
        ];
        // Old status of the channel cleared (W1C, §3.4.3, §3.4.5), segment 0
        // programmed with the channel disabled (§3.4.15-18).
        hw.global(regs::INT_TC_CLEAR).write(hw.bit());
        hw.global(regs::INT_ERR_CLEAR).write(hw.bit());
        hw.reg(regs::SRC_ADDR).write_ptr(self.source.address.cast_const());
        hw.reg(regs::DEST_ADDR).write_ptr(start.cast_const());
        hw.reg(regs::LLI).write_ptr(ring.wrapping_add(1).cast_const());
        hw.reg(regs::CONTROL).write(control);
        if let Err(e) = Region::release_all(&regions, fence) {
            return Err(TransferError::rejected(Error::Fence(e), held.into_inner(), self));
        }
        // The one enabling write, after the release fence.
        hw.enable(config);
        Ok(RingStream {
            buffer: ManuallyDrop::new(held),
            rx: ManuallyDrop::new(self),
            hw,
            fence,
            start,
            half,
            ring,
            control,
            config,
            due: 0,
            lost: 0,
        })
    }
}

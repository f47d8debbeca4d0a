//! A register-level simulator of the ARM PrimeCell PL080 (8 channels) and
//! PL081 (2 channels) DMA controllers.
//!
//! It follows the TRMs, ARM DDI 0196 (PL080) and DDI 0218 (PL081); section
//! numbers below are DDI 0196's (DDI 0218 has the same register chapter with
//! two channels). Register offsets and bits agree with QEMU's
//! `hw/dma/pl080.c`.
//!
//! Modelled:
//! * `DMACConfiguration.E`: while 0, no channel moves (§3.4.13).
//! * Channel enable `E`, cleared by the hardware when the last LLI completes
//!   or on an error (§3.4.19); `DMACEnbldChns` (§3.4.8).
//! * Halt `H` (later DMA requests are ignored, the FIFO still drains) and
//!   Active `A` (the FIFO holds data, read-only) (§3.4.19). The FIFO holds
//!   one item here (the real one holds four words): each [`step`](Pl08xSim::step)
//!   is one bus beat, either a source read into the FIFO or a destination
//!   write out of it, so a CPU access can fall between the two.
//! * Clearing `E` while the FIFO holds data loses that data (§3.4.19).
//! * `TransferSize` counting down as items reach the destination, the
//!   address registers following the increments, and linked-list items
//!   loaded when a segment's count reaches 0 (§3.4.15–§3.4.18 and the TRM's
//!   "Scatter/gather" description of the LLI: source, destination, next LLI,
//!   control); `I` of the ending LLI raises the terminal count.
//! * `TransferSize` reads back as the items still to move in the current
//!   LLI, as QEMU (`size--` per element) and Linux's `amba-pl08x` driver
//!   (`pl08x_getbytes_chan`) read it; the TRM's note that the value is only
//!   meaningful once the channel is disabled again is what the HAL obeys.
//! * Terminal-count and error status, raw (§3.4.6, §3.4.7) and masked by the
//!   channel's `ITC`/`IE` (§3.4.1, §3.4.2, §3.4.4), cleared by writing 1 to
//!   `DMACIntTCClear` / `DMACIntErrClr` (§3.4.3, §3.4.5).
//! * Channel priority: channel 0 first (§2.2.3 "DMA channel priority").
//! * Flow control `FlowCntrl` 0, 1, 2 (DMAC as flow controller): memory to
//!   memory moves freely, memory-to-peripheral waits for the destination's
//!   request line, peripheral-to-memory for the source's (§3.4.19,
//!   Table 3-20); a test drives the lines with [`Pl08xSim::set_request`].
//! * Receiving peripherals ([`Pl08xSim::paced_source`]): a data register
//!   backed by a receive FIFO that [`Pl08xSim::feed`] fills. The peripheral
//!   holds its single-transfer request (`DMACSREQ`) high while its FIFO holds
//!   data; each DMA read of the register takes the oldest word, and the
//!   request falls when the FIFO empties (the TRM's peripheral request
//!   interface, DDI 0196 chapter 2: a single request `DMACSREQ` is answered
//!   by one transfer and the clear `DMACCLR`, after which the peripheral
//!   keeps or drops its request). An empty register reads 0.
//! * A linked-list item's control word is read with one atomic 32-bit load:
//!   a driver may rewrite the control word of an item the channel is not
//!   about to load while the channel runs (`dma_impl_pl08x`'s stream moves
//!   its `I` bits), which on the chip is one aligned word store racing at
//!   worst one aligned word read of the DMA, each single-copy atomic.
//! * What the TRM says software must not do is recorded as a
//!   [violation](Pl08xSim::violations) and the write ignored: writing a
//!   channel's address, LLI or control register while it is enabled
//!   (§3.4.15–§3.4.18: program them before enabling), and enabling a channel
//!   again without reprogramming it with `H` clear ("restarting the channel
//!   by setting the Channel Enable bit has unpredictable effects", §3.4.19).
//! * An AHB error response: a memory address the CPU never gave a pointer
//!   for (null, or written as a plain number), a misaligned one, or an
//!   injected fault ([`Pl08xSim::fail_after`], [`Pl08xSim::fault`]) sets the
//!   channel's raw error status and disables it (§3.4.7, §3.4.19).
//! * The peripheral and PrimeCell ID registers at 0xFE0..0xFFC (§3.4.20–23;
//!   values as QEMU's `pl080_id` / `pl081_id`).
//!
//! QEMU's model runs every enabled channel to its end inside the register
//! write that enables it (and never raises an error, sets `A` or honours
//! request lines). The TRM leaves transfer timing open, so
//! [`Pl08xSim::set_qemu_mode`] offers the whole-transfer-at-once timing as an
//! option; the rest of the model stays the TRM's.
//!
//! Memory beats: a destination write is one [`dma_mmio::store_as_dma`] of the
//! destination width (`DWidth`), so a driver's racing `dma_mmio::load_from_dma`
//! is a race of atomics; a source read is one volatile load of `SWidth`
//! (see `Shared::beat` for why not an atomic one).
//!
//! On the host an LLI's address words are pointer-wide (a driver writes
//! pointers, as it writes address registers with `Reg::write_ptr`), in the
//! TRM's order: source, destination, next LLI, control (32 bits).
//!
//! ```
//! use dma_impl_mock::sim::pl08x::Pl08xSim;
//! let sim = Pl08xSim::pl081();
//! assert_eq!(sim.register(0xFE0), 0x81); // PL081 PeriphID0
//! assert!(!sim.step()); // nothing enabled
//! ```

use std::sync::atomic::{fence, AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use dma_mmio::host::interleave::Interleaving;
use dma_mmio::host::{map, Device, Mapping};

use crate::sim::adversary::Adversary;

// Offsets (DDI 0196 §3.3, Table 3-1).
const INT_STATUS: usize = 0x000;
const INT_TC_STATUS: usize = 0x004;
const INT_TC_CLEAR: usize = 0x008;
const INT_ERROR_STATUS: usize = 0x00C;
const INT_ERR_CLEAR: usize = 0x010;
const RAW_INT_TC_STATUS: usize = 0x014;
const RAW_INT_ERROR_STATUS: usize = 0x018;
const ENABLED_CHANNELS: usize = 0x01C;
const CONFIGURATION: usize = 0x030;
const SYNC: usize = 0x034;
const CHANNELS_AT: usize = 0x100;
const BLOCK: usize = 0x1000;

// Channel control bits (§3.4.18).
const SIZE_MASK: u32 = 0xFFF;
const SI: u32 = 1 << 26;
const DI: u32 = 1 << 27;
const I: u32 = 1 << 31;
// Channel configuration bits (§3.4.19).
const E: u32 = 1 << 0;
const IE: u32 = 1 << 14;
const ITC: u32 = 1 << 15;
const A: u32 = 1 << 17;
const H: u32 = 1 << 18;

/// A pointer a driver wrote (keeps its provenance).
#[derive(Clone, Copy, Debug)]
struct Addr(*mut u8);

// SAFETY: a bus address; the engine dereferences it only under the protocol
// described at `Shared::beat` (the driver's buffer contract).
unsafe impl Send for Addr {}

#[derive(Debug, Default, Clone)]
struct Chan {
    src: Option<Addr>,
    src_reg: u32,
    dst: Option<Addr>,
    dst_reg: u32,
    lli: Option<Addr>,
    lli_reg: u32,
    control: u32,
    config: u32,
    fifo: Option<u32>,
    /// Reprogrammed (an address, LLI or control write) since last enabled.
    programmed: bool,
    /// Fault armed for the next enable: fail at the read of item n.
    armed: Option<u32>,
    fail_at: Option<u32>,
    /// Items read since enabled.
    moved: u32,
}

/// A receiving peripheral: its data register's address and receive FIFO.
#[derive(Debug)]
struct Source {
    line: u32,
    /// The data register (never read by the CPU; its address is the key).
    register: Box<AtomicU32>,
    fifo: std::collections::VecDeque<u32>,
}

#[derive(Debug, Default)]
struct State {
    configuration: u32,
    sources: Vec<Source>,
    sync: u32,
    raw_tc: u32,
    raw_err: u32,
    requests: u32,
    qemu: bool,
    writes: u64,
    violations: Vec<String>,
    ch: Vec<Chan>,
}

/// The handler connected to the interrupt line.
type Handler = Arc<dyn Fn() + Send + Sync>;

struct Shared {
    regs: Box<[AtomicU32]>,
    state: Mutex<State>,
    id: [u32; 8],
    /// The handler of `DMACINTR` ([`Pl08xSim::on_interrupt`]).
    irq: Mutex<Option<Handler>>,
    /// Handler runs.
    irqs: AtomicU32,
    /// Handler runs that returned with the line still high.
    left_pending: AtomicU32,
}

impl State {
    /// `DMACIntStatus` (§3.4.1): the terminal-count and error status of each
    /// channel after masking by its `ITC` / `IE` (§3.4.2, §3.4.4); the
    /// combined interrupt `DMACINTR` is high while it is not 0 (TRM §2.x
    /// "Interrupt generation": `DMACINTR` is the OR of `DMACINTTC` and
    /// `DMACINTERR`, each the OR of the masked channel statuses). Bits 0..8
    /// terminal count, 8..16 error (two fields, so that a channel's error
    /// rising while its terminal count is high is a rise too).
    fn int_status(&self) -> u32 {
        let mask = |bit: u32| -> u32 {
            self.ch
                .iter()
                .enumerate()
                .filter(|(_, c)| c.config & bit != 0)
                .fold(0, |m, (n, _)| m | 1 << n)
        };
        (self.raw_tc & mask(ITC) & 0xFF) | ((self.raw_err & mask(IE) & 0xFF) << 8)
    }
}

fn low32(p: *mut u8) -> u32 {
    // The register holds the low 32 bits of a host pointer, as a 32-bit bus would.
    #[allow(clippy::cast_possible_truncation)]
    let v = p.addr() as u32;
    v
}

fn width(code: u32) -> Option<u32> {
    // SWidth/DWidth: 0 = 8, 1 = 16, 2 = 32 bits; 3..7 reserved (§3.4.18).
    match code & 7 {
        0 => Some(1),
        1 => Some(2),
        2 => Some(4),
        _ => None,
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state, then the interrupt handler if a channel's
    /// masked status rose: a terminal count or an error raised while its
    /// `ITC` / `IE` is set, or a mask bit set while its status is (the
    /// interrupt is a level, §3.4.1). With the lock let go: the handler
    /// accesses the registers.
    fn run<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let (out, rose) = {
            let mut s = self.lock();
            let before = s.int_status();
            let out = f(&mut s);
            (out, s.int_status() & !before != 0)
        };
        if rose {
            let handler = self.irq.lock().unwrap_or_else(PoisonError::into_inner).clone();
            if let Some(handler) = handler {
                self.irqs.fetch_add(1, Ordering::SeqCst);
                handler();
                if self.lock().int_status() != 0 {
                    self.left_pending.fetch_add(1, Ordering::SeqCst);
                }
            }
        }
        out
    }

    fn read(&self, offset: usize) -> u32 {
        let s = self.lock();
        let mask = |bit: u32| -> u32 {
            s.ch.iter()
                .enumerate()
                .filter(|(_, c)| c.config & bit != 0)
                .fold(0, |m, (n, _)| m | 1 << n)
        };
        match offset {
            INT_STATUS => (s.raw_tc & mask(ITC)) | (s.raw_err & mask(IE)),
            INT_TC_STATUS => s.raw_tc & mask(ITC),
            INT_ERROR_STATUS => s.raw_err & mask(IE),
            RAW_INT_TC_STATUS => s.raw_tc,
            RAW_INT_ERROR_STATUS => s.raw_err,
            ENABLED_CHANNELS => mask(E),
            CONFIGURATION => s.configuration,
            SYNC => s.sync,
            o if (0xFE0..BLOCK).contains(&o) => self.id.get((o - 0xFE0) / 4).copied().unwrap_or(0),
            o if o >= CHANNELS_AT && o < CHANNELS_AT + 0x20 * s.ch.len() => {
                let Some(c) = s.ch.get((o - CHANNELS_AT) / 0x20) else { return 0 };
                match o % 0x20 {
                    0x00 => c.src_reg,
                    0x04 => c.dst_reg,
                    0x08 => c.lli_reg,
                    0x0C => c.control,
                    // A reads 1 while the enabled channel's FIFO holds data.
                    0x10 => {
                        let active = c.config & E != 0 && c.fifo.is_some();
                        (c.config & !A) | if active { A } else { 0 }
                    }
                    _ => 0,
                }
            }
            _ => 0,
        }
    }

    fn write(&self, offset: usize, value: u32, ptr: Option<*mut u8>) {
        self.run(|s| Self::write_locked(s, offset, value, ptr));
    }

    fn write_locked(s: &mut State, offset: usize, value: u32, ptr: Option<*mut u8>) {
        match offset {
            INT_TC_CLEAR => s.raw_tc &= !value,
            INT_ERR_CLEAR => s.raw_err &= !value,
            // M1/M2 (big-endian masters) are stored but not modelled.
            CONFIGURATION => s.configuration = value & 0b111,
            SYNC => s.sync = value & 0xFFFF,
            o if o >= CHANNELS_AT && o < CHANNELS_AT + 0x20 * s.ch.len() => {
                let n = (o - CHANNELS_AT) / 0x20;
                let reg = o % 0x20;
                Self::write_channel(s, n, reg, value, ptr);
            }
            _ => {}
        }
        if s.qemu {
            Self::run_all(s);
        }
    }

    fn write_channel(s: &mut State, n: usize, reg: usize, value: u32, ptr: Option<*mut u8>) {
        let Some(c) = s.ch.get_mut(n) else { return };
        let enabled = c.config & E != 0;
        if reg != 0x10 && enabled {
            s.violations.push(format!(
                "channel {n}: register {reg:#x} written while enabled (DDI 0196 §3.4.15-18)"
            ));
            return;
        }
        let addr = ptr.filter(|p| !p.is_null()).map(Addr);
        match reg {
            0x00 => (c.src, c.src_reg, c.programmed) = (addr, value, true),
            0x04 => (c.dst, c.dst_reg, c.programmed) = (addr, value, true),
            0x08 => (c.lli, c.lli_reg, c.programmed) = (addr, value, true),
            0x0C => (c.control, c.programmed) = (value, true),
            0x10 => {
                let value = value & !A; // read-only
                let on = value & E != 0;
                if on && !enabled {
                    if !c.programmed && value & H == 0 {
                        s.violations.push(format!(
                            "channel {n}: enabled again without reprogramming (DDI 0196 §3.4.19: unpredictable)"
                        ));
                    }
                    c.programmed = false;
                    c.fifo = None;
                    c.moved = 0;
                    c.fail_at = c.armed.take();
                } else if !on && enabled {
                    // §3.4.19: clearing E loses any data in the FIFO.
                    c.fifo = None;
                }
                c.config = value;
            }
            _ => {}
        }
    }

    /// Runs every enabled channel until nothing moves (QEMU's timing).
    fn run_all(s: &mut State) {
        for _ in 0..(1u32 << 26) {
            if !Self::step_locked(s) {
                break;
            }
        }
    }

    fn step(&self) -> bool {
        self.run(Self::step_locked)
    }

    /// One beat of the highest-priority channel that can move (§2.2.3).
    fn step_locked(s: &mut State) -> bool {
        if s.configuration & 1 == 0 {
            return false;
        }
        (0..s.ch.len()).any(|n| Self::beat(s, n))
    }

    /// The channel reports an AHB error: raw error status, disabled (§3.4.7, §3.4.19).
    fn error(s: &mut State, n: usize) {
        s.raw_err |= 1 << n;
        if let Some(c) = s.ch.get_mut(n) {
            c.config &= !E;
            c.fifo = None;
        }
    }

    /// One beat on channel `n`.
    ///
    /// The memory accesses dereference pointers a driver wrote into the
    /// address registers or LLIs of the transfer it enabled. By the driver's
    /// contract (`DmaReadBuffer` / `DmaWriteBuffer`, the LLI pool it owns),
    /// the memory is valid for the programmed items and the CPU does not
    /// access it (other than by `dma_mmio::load_from_dma`, an atomic of the
    /// same width) while the channel is enabled; the driver's register
    /// writes, which take this simulator's lock, order its earlier writes
    /// before these accesses.
    fn beat(s: &mut State, n: usize) -> bool {
        let requests = s.requests;
        let Some(c) = s.ch.get_mut(n) else { return false };
        if c.config & E == 0 {
            return false;
        }
        let (Some(sw), Some(dw)) = (width(c.control >> 18), width(c.control >> 21)) else {
            s.violations.push(format!("channel {n}: reserved width (DDI 0196 §3.4.18)"));
            Self::error(s, n);
            return true;
        };
        if sw != dw {
            s.violations.push(format!("channel {n}: SWidth != DWidth (packing not modelled)"));
            Self::error(s, n);
            return true;
        }
        if let Some(value) = c.fifo {
            // The FIFO drains even while halted (§3.4.19, H).
            let Some(dst) = c.dst.filter(|d| d.0.addr() % dw as usize == 0) else {
                Self::error(s, n);
                return true;
            };
            fence(Ordering::Release);
            // Truncation to the destination width is the bus access's.
            #[allow(clippy::cast_possible_truncation)]
            match dw {
                // SAFETY: see above; aligned (checked) for the width.
                1 => unsafe { dma_mmio::store_as_dma(dst.0, value as u8) },
                // SAFETY: as above.
                2 => unsafe { dma_mmio::store_as_dma(dst.0.cast::<u16>(), value as u16) },
                // SAFETY: as above.
                _ => unsafe { dma_mmio::store_as_dma(dst.0.cast::<u32>(), value) },
            }
            c.fifo = None;
            if c.control & DI != 0 {
                c.dst = Some(Addr(dst.0.wrapping_add(dw as usize)));
                c.dst_reg = c.dst_reg.wrapping_add(dw);
            }
            let size = (c.control & SIZE_MASK).saturating_sub(1);
            c.control = (c.control & !SIZE_MASK) | size;
            s.writes += 1;
            if size == 0 {
                Self::segment_done(s, n);
            }
            return true;
        }
        if c.config & H != 0 {
            return false;
        }
        if c.control & SIZE_MASK == 0 {
            // Enabled with nothing (left) to move: the segment is done.
            Self::segment_done(s, n);
            return true;
        }
        let requested = match (c.config >> 11) & 7 {
            0 => true,
            1 => requests & (1 << ((c.config >> 6) & 0xF)) != 0,
            2 => requests & (1 << ((c.config >> 1) & 0xF)) != 0,
            _ => false,
        };
        if !requested {
            return false;
        }
        if c.fail_at == Some(c.moved) {
            Self::error(s, n);
            return true;
        }
        let Some(src) = c.src.filter(|p| p.0.addr() % sw as usize == 0) else {
            Self::error(s, n);
            return true;
        };
        if let Some(k) = s.sources.iter().position(|d| d.register.as_ptr().addr() == src.0.addr()) {
            // A simulated peripheral's data register: the read takes the
            // oldest received word; the request falls with an empty FIFO.
            let Some(device) = s.sources.get_mut(k) else { return false };
            let value = device.fifo.pop_front().unwrap_or(0);
            if device.fifo.is_empty() {
                s.requests &= !(1u32.checked_shl(device.line).unwrap_or(0));
            }
            let Some(c) = s.ch.get_mut(n) else { return false };
            c.fifo = Some(value);
            c.moved += 1;
            return true;
        }
        let Some(c) = s.ch.get_mut(n) else { return false };
        // The source is read with a plain (volatile) load of `SWidth`, not an
        // atomic one: an atomic load goes through `&AtomicU32`, which needs
        // write permission in Rust's aliasing model (Miri, Stacked Borrows,
        // rejects it on a `&[u32]` source), and nothing writes a source while
        // the DMA may read it (the `DmaReadBuffer` contract), so no race.
        let value = match sw {
            // SAFETY: see above; aligned (checked) for the width.
            1 => u32::from(unsafe { src.0.read_volatile() }),
            // SAFETY: as above.
            2 => u32::from(unsafe { src.0.cast::<u16>().read_volatile() }),
            // SAFETY: as above.
            _ => unsafe { src.0.cast::<u32>().read_volatile() },
        };
        c.fifo = Some(value);
        c.moved += 1;
        if c.control & SI != 0 {
            c.src = Some(Addr(src.0.wrapping_add(sw as usize)));
            c.src_reg = c.src_reg.wrapping_add(sw);
        }
        true
    }

    /// The count of the running segment reached 0: load the next LLI, or
    /// finish (E cleared, terminal count if `I`) (§3.4.17, §3.4.18, §3.4.19).
    fn segment_done(s: &mut State, n: usize) {
        let Some(c) = s.ch.get_mut(n) else { return };
        if c.control & I != 0 {
            s.raw_tc |= 1 << n;
        }
        let Some(c) = s.ch.get_mut(n) else { return };
        match c.lli {
            None => c.config &= !E,
            Some(lli) => {
                let words = lli.0.cast::<*mut u8>();
                if words.addr() % core::mem::align_of::<*mut u8>() != 0 {
                    Self::error(s, n);
                    return;
                }
                // Each read: see `beat`: a word of an LLI of the driver's
                // pool, aligned (checked), written before the channel was
                // enabled; `wrapping_add` stays inside the item.
                // SAFETY: as above, word 0 (source).
                let src = unsafe { words.read() };
                // SAFETY: as above, word 1 (destination).
                let dst = unsafe { words.wrapping_add(1).read() };
                // SAFETY: as above, word 2 (next LLI).
                let next = unsafe { words.wrapping_add(2).read() };
                // SAFETY: as above, word 3 (control, 32 bits), with one
                // atomic load: a driver may store a new control word (an
                // atomic store of the same width) into an item while the
                // channel runs (see the module docs); the pool is writable
                // memory the driver owns, so the atomic may touch it.
                let control = unsafe {
                    AtomicU32::from_ptr(words.wrapping_add(3).cast::<u32>()).load(Ordering::Relaxed)
                };
                // Bits [1:0] of the next-LLI word are LM and reserved.
                let next = next.wrapping_sub(next.addr() & 3);
                let opt = |p: *mut u8| (!p.is_null()).then_some(Addr(p));
                (c.src, c.src_reg) = (opt(src), low32(src));
                (c.dst, c.dst_reg) = (opt(dst), low32(dst));
                (c.lli, c.lli_reg) = (opt(next), low32(next));
                c.control = control;
            }
        }
    }
}

impl Device for Shared {
    fn read(&self, offset: usize) -> u32 {
        Shared::read(self, offset)
    }

    fn write(&self, offset: usize, value: u32) {
        Shared::write(self, offset, value, None);
    }

    fn write_ptr(&self, offset: usize, ptr: *mut u8) {
        Shared::write(self, offset, low32(ptr), Some(ptr));
    }
}

/// A simulated PL080/PL081: its registers, mapping and (optionally) worker.
pub struct Pl08xSim {
    shared: Arc<Shared>,
    mapping: Mapping,
    worker: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

impl core::fmt::Debug for Pl08xSim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pl08xSim").field("base", &self.mapping.base()).finish()
    }
}

impl Pl08xSim {
    fn build(channels: usize, threaded: bool) -> Self {
        let channels = if channels == 8 { 8 } else { 2 };
        // PeriphID0..3 and PCellID0..3 (§3.4.20-23; QEMU `pl080_id`/`pl081_id`).
        let part = if channels == 8 { 0x80 } else { 0x81 };
        let state = State { ch: vec![Chan::default(); channels], ..State::default() };
        let shared = Arc::new(Shared {
            regs: (0..BLOCK / 4).map(|_| AtomicU32::new(0)).collect(),
            state: Mutex::new(state),
            id: [part, 0x10, 0x04, 0x0A, 0x0D, 0xF0, 0x05, 0xB1],
            irq: Mutex::new(None),
            irqs: AtomicU32::new(0),
            left_pending: AtomicU32::new(0),
        });
        let mapping = map(&shared.regs, Arc::clone(&shared) as Arc<dyn Device>);
        let worker = threaded.then(|| {
            let quit = Arc::new(AtomicBool::new(false));
            let (q, s) = (Arc::clone(&quit), Arc::clone(&shared));
            let handle = std::thread::spawn(move || {
                while !q.load(Ordering::SeqCst) {
                    if !s.step() {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                }
            });
            (quit, handle)
        });
        Pl08xSim { shared, mapping, worker }
    }

    /// A controller with `channels` channels (8: PL080, otherwise 2: PL081)
    /// in step mode: nothing moves until [`step`](Self::step).
    pub fn new(channels: usize) -> Self {
        Self::build(channels, false)
    }

    /// A PL080 in step mode.
    pub fn pl080() -> Self {
        Self::new(8)
    }

    /// A PL081 in step mode.
    pub fn pl081() -> Self {
        Self::new(2)
    }

    /// A controller whose hardware runs on its own thread until dropped.
    pub fn threaded(channels: usize) -> Self {
        Self::build(channels, true)
    }

    /// The register block's base address, for the driver's `unsafe` constructor.
    pub fn base(&self) -> *mut u32 {
        self.mapping.base()
    }

    /// One bus beat of the highest-priority channel that can move; whether
    /// anything happened.
    pub fn step(&self) -> bool {
        self.shared.step()
    }

    /// Steps until nothing moves (at most `limit` beats); the beats made.
    pub fn run(&self, limit: usize) -> usize {
        (0..limit).take_while(|_| self.step()).count()
    }

    /// Connects `handler` to the controller's combined interrupt `DMACINTR`,
    /// as its vector in the NVIC: it runs whenever a channel's masked status
    /// rises (DDI 0196 §3.4.1 `DMACIntStatus`, §3.4.2 / §3.4.4: the terminal
    /// count of an LLI with `I` set, or an error, while the channel's `ITC` /
    /// `IE` is set; and setting `ITC` / `IE` while the status is set, a
    /// level). It runs on the thread that raised it (the worker, or the
    /// caller of [`step`](Self::step) or of the register write), with no
    /// lock held. Replaces any earlier handler.
    ///
    /// The simulator calls it once per rise; on the chip a handler returning
    /// with the line high is entered again at once:
    /// [`interrupts_left_pending`](Self::interrupts_left_pending) counts those.
    ///
    /// ```
    /// use dma_impl_mock::sim::pl08x::Pl08xSim;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let sim = Pl08xSim::pl081();
    /// let calls = Arc::new(AtomicUsize::new(0));
    /// let seen = Arc::clone(&calls);
    /// sim.on_interrupt(move || { seen.fetch_add(1, Ordering::SeqCst); });
    /// // SAFETY: channel 1's registers in the simulator's block.
    /// let reg = |offset| unsafe { dma_mmio::Reg::from_ptr(sim.base().wrapping_byte_add(offset)) };
    /// reg(0x12C).write(0); // DMACC1Control: programmed (nothing to move)
    /// reg(0x130).write(1); // DMACC1Configuration: E, IE and ITC masked
    /// sim.fault(1); // an AHB error: raw status, E cleared
    /// assert_eq!((sim.register(0x018), calls.load(Ordering::SeqCst)), (1 << 1, 0));
    /// reg(0x130).write(1 << 14); // IE: the pending error raises the line
    /// assert_eq!(calls.load(Ordering::SeqCst), 1);
    /// ```
    pub fn on_interrupt(&self, handler: impl Fn() + Send + Sync + 'static) {
        *self.shared.irq.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(handler));
    }

    /// How many times the interrupt handler ran.
    pub fn interrupts(&self) -> u32 {
        self.shared.irqs.load(Ordering::SeqCst)
    }

    /// How many times the handler returned with the line still high: on the
    /// chip, an interrupt storm.
    pub fn interrupts_left_pending(&self) -> u32 {
        self.shared.left_pending.load(Ordering::SeqCst)
    }

    /// Lets `adversary` step this controller before every CPU access the
    /// current thread makes, 0..=K beats as its schedule says, until the
    /// guard is dropped. For a controller in step mode.
    pub fn adversarial(&self, adversary: &Adversary) -> Interleaving {
        let shared = Arc::clone(&self.shared);
        adversary.attach(move || shared.step())
    }

    /// A function that makes one bus beat of this controller, as
    /// [`step`](Self::step) does, and stays usable from a hook a test
    /// installs with `dma_mmio::host::interleave` (to let the DMA advance at
    /// a CPU access of its choosing).
    pub fn stepper(&self) -> impl Fn() -> bool + Send + Sync + 'static {
        let shared = Arc::clone(&self.shared);
        move || shared.step()
    }

    /// QEMU's timing: every enabled channel runs to its end inside the
    /// register write that enables it (or the controller).
    pub fn set_qemu_mode(&self, on: bool) {
        self.shared.lock().qemu = on;
    }

    /// Asserts (or releases) DMA request line `line` (0..16) of a peripheral.
    pub fn set_request(&self, line: u32, on: bool) {
        self.shared.run(|s| {
            let bit = 1u32.checked_shl(line).unwrap_or(0) & 0xFFFF;
            if on {
                s.requests |= bit;
            } else {
                s.requests &= !bit;
            }
            if s.qemu {
                Shared::run_all(s);
            }
        });
    }

    /// Adds a receiving peripheral paced by request line `line` (0..16) and
    /// returns the address of its data register, for the driver's unsafe
    /// constructor. A DMA read of that address takes the oldest word
    /// [`feed`](Self::feed) delivered (truncated to the read's width); the
    /// line is high while words wait (see the module docs).
    ///
    /// ```
    /// use dma_impl_mock::sim::pl08x::Pl08xSim;
    /// let sim = Pl08xSim::pl081();
    /// let data = sim.paced_source(3);
    /// assert!(!data.is_null());
    /// sim.feed(3, &[7, 8]);
    /// assert_eq!(sim.pending(3), 2);
    /// ```
    pub fn paced_source(&self, line: u32) -> *mut u8 {
        let register = Box::new(AtomicU32::new(0));
        let address = register.as_ptr().cast::<u8>();
        self.shared.lock().sources.push(Source {
            line,
            register,
            fifo: std::collections::VecDeque::new(),
        });
        address
    }

    /// Words arrive at the peripheral on `line` ([`paced_source`](Self::paced_source)):
    /// they join its receive FIFO and its request line goes high.
    pub fn feed(&self, line: u32, words: &[u32]) {
        self.shared.run(|s| {
            let Some(device) = s.sources.iter_mut().find(|d| d.line == line) else { return };
            device.fifo.extend(words.iter().copied());
            if !device.fifo.is_empty() {
                s.requests |= 1u32.checked_shl(line).unwrap_or(0) & 0xFFFF;
            }
            if s.qemu {
                Shared::run_all(s);
            }
        });
    }

    /// Words still waiting in the receive FIFO of the peripheral on `line`.
    pub fn pending(&self, line: u32) -> usize {
        self.shared.lock().sources.iter().find(|d| d.line == line).map_or(0, |d| d.fifo.len())
    }

    /// Arms a bus error: the next transfer enabled on `channel` fails at the
    /// source read of item `items` (0 = the first).
    pub fn fail_after(&self, channel: usize, items: u32) {
        if let Some(c) = self.shared.lock().ch.get_mut(channel) {
            c.armed = Some(items);
        }
    }

    /// An AHB error on `channel` now (if enabled).
    pub fn fault(&self, channel: usize) {
        self.shared.run(|s| {
            if s.ch.get(channel).is_some_and(|c| c.config & E != 0) {
                Shared::error(s, channel);
            }
        });
    }

    /// The value a CPU read of the register at byte `offset` returns.
    pub fn register(&self, offset: usize) -> u32 {
        self.shared.read(offset)
    }

    /// Whether `channel`'s enable bit is set.
    pub fn is_enabled(&self, channel: usize) -> bool {
        self.shared.lock().ch.get(channel).is_some_and(|c| c.config & E != 0)
    }

    /// Destination writes made so far (all channels).
    pub fn dma_writes(&self) -> u64 {
        self.shared.lock().writes
    }

    /// What the driver did that the TRM forbids or leaves unpredictable.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }
}

impl Drop for Pl08xSim {
    fn drop(&mut self) {
        if let Some((quit, handle)) = self.worker.take() {
            quit.store(true, Ordering::SeqCst);
            // A panicking worker has already reported itself.
            drop(handle.join());
        }
    }
}

#[cfg(test)]
mod tests;

//! A register-level simulator of the RP2040's DMA (12 channels) with the
//! two SPI (PL022) and two UART (PL011) blocks that pace it.
//!
//! It follows the *RP2040 Datasheet* (section numbers below are its) and
//! the errata; register offsets and bits are `dma_impl_rp2040::regs`'s, which
//! `pac-oracle/tests/rp2040.rs` checks against `rp2040-pac`; they are
//! repeated here (not imported: this crate cannot depend on the HAL).
//!
//! Modelled:
//! * Triggers (§2.5.2.1, Table 125): a write to `CTRL_TRIG`,
//!   `AL1_TRANS_COUNT_TRIG`, `AL2_WRITE_ADDR_TRIG`, `AL3_READ_ADDR_TRIG`
//!   (a write of 0 to the last three is a null trigger), `MULTI_CHAN_TRIGGER`
//!   (§2.5.7), and `CHAIN_TO` at the end of a sequence (its own number: no
//!   chaining). A channel with `EN` clear ignores triggers; a trigger of a
//!   `BUSY` channel is recorded as a [violation](Rp2040Sim::violations) and
//!   ignored.
//! * `TRANS_COUNT`: writes set the reload value, copied into the live count
//!   at each trigger; reads give the live count, which drops "each time a
//!   write transfer completes" (§2.5.7 `CH0_TRANS_COUNT`); `DBG_TCR` reads the
//!   reload value.
//! * `BUSY` from the trigger until the last write completes; `EN` cleared
//!   while busy pauses (no transfer is issued, in-flight ones complete,
//!   `BUSY` stays high; §2.5.7 CTRL `EN`).
//! * `DATA_SIZE` 1/2/4 bytes, `INCR_READ` / `INCR_WRITE` (§2.5.7 CTRL).
//! * Ring mode (§2.5.7 CTRL `RING_SIZE` / `RING_SEL`): on the side `RING_SEL` picks, only the low `RING_SIZE`
//!   bits of the incrementing address change, so it wraps on a
//!   `1 << RING_SIZE` byte boundary; the count runs on as usual.
//! * `TREQ_SEL` pacing (§2.5.3): `DREQ_SPIx_TX/RX` and `DREQ_UARTx_TX/RX`
//!   from the simulated blocks (when their `SSPDMACR` / `UARTDMACR` enable
//!   bit is set), `0x3F` permanent; pacing timers run as permanent (their
//!   X/Y rate is not modelled); other DREQs never request.
//! * Each channel has one transfer in flight at most: a beat either issues a
//!   transfer (the read, into the channel's slot of the transfer-data FIFO)
//!   or completes its write; `FIFO_LEVELS` reports the filled slots as
//!   `TDF_LVL` and `WAF_LVL`. Channels are served round-robin (§2.5.1).
//! * Bus latency: a transfer in flight, and an abort, complete within
//!   [`LATENCY`] CPU accesses of the DMA block (or at an engine step before).
//! * `CHAN_ABORT` (§2.5.5.3): a written bit reads 1 until the engine's next
//!   step (or the latency), which clears the count and `BUSY`. RP2040-E13: if the channel had
//!   a read done and its write pending, the abort bit and `BUSY` still clear
//!   at that step, the write lands at a later beat and raises the channel's
//!   `INTR` flag (a spurious completion).
//! * `INTR` (raw, write 1 to clear), `INTE0/1`, `INTF0/1`, `INTS0/1` =
//!   `(INTR | INTFx) & INTEx`, write 1 to clear `INTR` (§2.5.7); set at the
//!   end of a sequence unless `IRQ_QUIET`, and on a bus error.
//! * `READ_ERROR` / `WRITE_ERROR` (write 1 to clear) and `AHB_ERROR`: an
//!   injected fault ([`Rp2040Sim::fail_after`]) or an address the CPU never
//!   gave a pointer for (a plain number that is no simulated register)
//!   halts the channel (`BUSY` stays high until aborted) and raises its IRQ
//!   flag (§2.5.7 CTRL `AHB_ERROR`).
//! * A CPU write of a value the datasheet does not define panics in the
//!   writing (test) thread, citing it: `DATA_SIZE` 3, a `TREQ_SEL` that is
//!   no DREQ, timer or permanent request (40..=0x3A), a `CHAIN_TO` above 11,
//!   and a trigger of a channel whose `CHAN_ABORT` bit still reads 1
//!   ("Following an abort, the channel must not be restarted until the
//!   corresponding bit in CHAN_ABORT is once again seen low", §2.5.5.3).
//! * SPI (§4.4): 8-entry transmit and receive FIFOs; one frame shifts per
//!   step while the transmit FIFO holds data, receiving the next word a
//!   test [fed](Rp2040Sim::feed_spi) (0 otherwise), dropped if the receive
//!   FIFO is full (overrun); `SSPSR` (`TFE`, `TNF`, `RNE`, `BSY`); CPU reads
//!   of `SSPDR` pop the receive FIFO. UART (§4.2): 32-entry FIFOs, one byte
//!   per step each way.
//!
//! Not modelled: byte swap, sniffing, `HIGH_PRIORITY`, the DREQ
//! counters (`DBG_CTDREQ` reads 0; a request is its level at issue time),
//! the peripherals' formats and clocks. Using swap or sniff is
//! recorded as a violation.
//!
//! Every DMA memory access is logged into the [`Recorder`] as
//! `Event::DmaRead` / `Event::DmaWrite`, and `Event::Stopped` when a
//! channel has let go (its sequence ended, was aborted with nothing in
//! flight, or halted on an error).
//!
//! ```
//! use dma_impl_mock::{record::Recorder, sim::rp2040::Rp2040Sim};
//! let sim = Rp2040Sim::new(Recorder::new());
//! assert_eq!(sim.register(0x448), 12); // N_CHANNELS
//! assert!(!sim.step()); // nothing runs
//! ```

use std::collections::VecDeque;
use std::sync::atomic::{fence, AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use dma_mmio::host::interleave::Interleaving;
use dma_mmio::host::{map, Device, Mapping};

use crate::record::{Event, Recorder};
use crate::sim::adversary::Adversary;

const CHANNELS: usize = 12;
/// The DMA block's registers end at 0xAC4 (§2.5.7, `CH11_DBG_TCR`); the
/// block is mapped with its atomic aliases (§2.1.2: +0x1000 XOR, +0x2000
/// set, +0x3000 clear).
const BLOCK: usize = 0x4000;
/// The offset of the atomic set alias (§2.1.2).
const ALIAS_SET: usize = 0x2000;
/// The offset of the atomic clear alias (§2.1.2).
const ALIAS_CLR: usize = 0x3000;
/// The offset of the atomic XOR alias (§2.1.2).
const ALIAS_XOR: usize = 0x1000;
/// The registers of an SPI or UART block the model has end below 0x100
/// (§4.4.4, §4.2.8): only that much is mapped (4 KiB windows on the chip).
const SERIAL_BLOCK: usize = 0x100;

// Channel registers (§2.5.7, Table 128), offsets within a channel's 0x40.
const READ_ADDR: usize = 0x00;
const WRITE_ADDR: usize = 0x04;
const TRANS_COUNT: usize = 0x08;
const CTRL_TRIG: usize = 0x0C;
const AL1_CTRL: usize = 0x10;
const AL1_READ_ADDR: usize = 0x14;
const AL1_WRITE_ADDR: usize = 0x18;
const AL1_TRANS_COUNT_TRIG: usize = 0x1C;
const AL2_CTRL: usize = 0x20;
const AL2_TRANS_COUNT: usize = 0x24;
const AL2_READ_ADDR: usize = 0x28;
const AL2_WRITE_ADDR_TRIG: usize = 0x2C;
const AL3_CTRL: usize = 0x30;
const AL3_WRITE_ADDR: usize = 0x34;
const AL3_TRANS_COUNT: usize = 0x38;
const AL3_READ_ADDR_TRIG: usize = 0x3C;
// Shared registers.
const INTR: usize = 0x400;
const INTE0: usize = 0x404;
const INTF0: usize = 0x408;
const INTS0: usize = 0x40C;
const INTE1: usize = 0x414;
const INTF1: usize = 0x418;
const INTS1: usize = 0x41C;
const MULTI_CHAN_TRIGGER: usize = 0x430;
const FIFO_LEVELS: usize = 0x440;
const CHAN_ABORT: usize = 0x444;
const N_CHANNELS: usize = 0x448;
const DBG_TCR: usize = 0x804;

// CTRL (§2.5.7, CH0_CTRL_TRIG).
const EN: u32 = 1 << 0;
const INCR_READ: u32 = 1 << 4;
const INCR_WRITE: u32 = 1 << 5;
const RING_SIZE: u32 = 0xF << 6;
const RING_SEL: u32 = 1 << 10;
const IRQ_QUIET: u32 = 1 << 21;
const BSWAP: u32 = 1 << 22;
const SNIFF_EN: u32 = 1 << 23;
const BUSY: u32 = 1 << 24;
const WRITE_ERROR: u32 = 1 << 29;
const READ_ERROR: u32 = 1 << 30;
const AHB_ERROR: u32 = 1 << 31;
/// The bits software writes (23:0); BUSY and AHB_ERROR are read-only, the
/// error flags write-1-to-clear.
const CTRL_RW: u32 = 0x00FF_FFFF;

// DREQs (§2.5.3.1, Table 120).
const DREQ_SPI0_TX: u32 = 16;
const DREQ_UART0_TX: u32 = 20;
const TREQ_TIMER0: u32 = 0x3B;
const TREQ_PERMANENT: u32 = 0x3F;

// SPI (§4.4.4) and UART (§4.2.8).
const SSPDR: usize = 0x008;
const SSPSR: usize = 0x00C;
const SSPDMACR: usize = 0x024;
const UARTDR: usize = 0x000;
const UARTFR: usize = 0x018;
const UARTDMACR: usize = 0x048;
const SPI_FIFO: usize = 8;
/// Bus latency, counted in CPU accesses of the DMA block: a transfer in
/// flight completes its write, and a requested abort completes, by the
/// `LATENCY`-th CPU access after it started, whatever the engine's own
/// stepping does. The datasheet bounds both in cycles ("generally takes
/// only a few cycles", §2.5.5.3; one read and one write per cycle, §2.5.1),
/// and every CPU access takes cycles, so a driver that polls long enough
/// sees them done; one that does not poll (or polls too little) races them.
pub const LATENCY: u32 = 4;
const UART_FIFO: usize = 32;

/// Which bus access of a transfer an injected error hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The read of the item (`READ_ERROR`).
    Read,
    /// The write of the item (`WRITE_ERROR`).
    Write,
}

/// A pointer a driver wrote (keeps its provenance).
#[derive(Clone, Copy, Debug)]
struct Addr(*mut u8);

// SAFETY: a bus address; the engine dereferences it only under the protocol
// described at `Shared::issue`.
unsafe impl Send for Addr {}

/// Where a DMA access goes.
#[derive(Clone, Copy, Debug)]
enum Target {
    Memory(Addr),
    Spi(usize),
    Uart(usize),
    /// Nothing the CPU gave a pointer for: a bus error.
    Nowhere,
}

#[derive(Debug, Default, Clone)]
struct Chan {
    read: Option<Addr>,
    read_reg: u32,
    write: Option<Addr>,
    write_reg: u32,
    count: u32,
    reload: u32,
    ctrl: u32,
    busy: bool,
    errors: u32,
    /// A transfer read and not yet written: the value and where it goes.
    pending: Option<(u32, u32)>,
    aborting: bool,
    /// CPU accesses of the DMA block since the transfer in flight was issued
    /// (or the abort requested): see [`LATENCY`].
    age: u32,
    armed_fault: Option<(Side, u32)>,
    fault: Option<(Side, u32)>,
    armed_stall: Option<u32>,
    stall: Option<u32>,
    issued: u32,
    written: u32,
}

#[derive(Debug, Default)]
struct Serial {
    dmacr: u32,
    tx: VecDeque<u32>,
    rx: VecDeque<u32>,
    feed: VecDeque<u32>,
    sent: Vec<u32>,
}

#[derive(Debug)]
struct State {
    ch: Vec<Chan>,
    intr: u32,
    inte: [u32; 2],
    intf: [u32; 2],
    spi: [Serial; 2],
    uart: [Serial; 2],
    next: usize,
    writes: u64,
    violations: Vec<String>,
    log: Recorder,
    /// Bases of the SPI and UART blocks (for routing DMA accesses).
    spi_at: [usize; 2],
    uart_at: [usize; 2],
}

/// A handler connected to `DMA_IRQ_0` or `DMA_IRQ_1`.
type Handler = Arc<dyn Fn() + Send + Sync>;

struct Shared {
    dma_regs: Box<[AtomicU32]>,
    spi_regs: [Box<[AtomicU32]>; 2],
    uart_regs: [Box<[AtomicU32]>; 2],
    state: Mutex<State>,
    /// The handlers of `DMA_IRQ_0` and `DMA_IRQ_1` ([`Rp2040Sim::on_interrupt`]).
    irq: [Mutex<Option<Handler>>; 2],
    /// Handler runs, per line.
    irqs: [AtomicU32; 2],
    /// Handler runs that returned with the line still high, per line.
    left_pending: [AtomicU32; 2],
}

/// The address bits a ring leaves to change on the read (`write` false) or
/// write side: §2.5.7 CTRL `RING_SIZE` (bits 9:6) "If 0, don't wrap. For
/// values n > 0, only the lower n bits of the address will change. This
/// wraps the address on a (1 << n) byte boundary, facilitating access to
/// naturally-aligned ring buffers"; `RING_SEL` (bit 10) "If 0, read
/// addresses are wrapped. If 1, write addresses are wrapped". `u32::MAX`:
/// no ring on that side.
fn ring_mask(ctrl: u32, write: bool) -> u32 {
    let size = (ctrl & RING_SIZE) >> 6;
    if size == 0 || (ctrl & RING_SEL != 0) != write {
        u32::MAX
    } else {
        (1 << size) - 1
    }
}

/// An incrementing address after a transfer of `bytes`, its bits outside
/// `ring` kept (`ring_mask`). The pointer moves by the same amount as the
/// register, so it keeps the provenance the driver gave it.
fn advance(ptr: Option<Addr>, reg: u32, bytes: usize, ring: u32) -> (Option<Addr>, u32) {
    // The register keeps the low 32 bits, as the 32-bit bus would.
    #[allow(clippy::cast_possible_truncation)]
    let b = bytes as u32;
    let next = (reg & !ring) | (reg.wrapping_add(b) & ring);
    // The step within the 32-bit address space: `b` forward, or back by
    // the ring's size minus `b` when it wraps.
    let delta = next.wrapping_sub(reg) as i32 as isize;
    (ptr.map(|a| Addr(a.0.wrapping_offset(delta))), next)
}

fn low32(p: *mut u8) -> u32 {
    // The register holds the low 32 bits of a host pointer, as a 32-bit bus would.
    #[allow(clippy::cast_possible_truncation)]
    let v = p.addr() as u32;
    v
}

fn block(bytes: usize) -> Box<[AtomicU32]> {
    // One zeroed allocation (a word at a time took a third of some Miri
    // runs), seen as atomics.
    const _: () = assert!(
        core::mem::size_of::<u32>() == core::mem::size_of::<AtomicU32>()
            && core::mem::align_of::<u32>() == core::mem::align_of::<AtomicU32>()
    );
    let words = Box::into_raw(vec![0u32; bytes / 4].into_boxed_slice());
    // SAFETY: `AtomicU32` has the in-memory representation of `u32` (its
    // documentation), and the assertion above shows the same size and
    // alignment here, so the allocation's layout is the same for both
    // element types and every `u32` is a valid `AtomicU32`; the box is
    // rebuilt once from the pointer `into_raw` gave up.
    unsafe { Box::from_raw(words as *mut [AtomicU32]) }
}

/// A CPU write the datasheet does not define: panics in the writing thread.
fn invalid(what: String) -> ! {
    // Deliberate: the test that drove the HAL into it fails with the citation.
    #[allow(clippy::panic)]
    {
        panic!("RP2040 simulator: {what}")
    }
}

impl State {
    fn serial(&mut self, kind: Device2, i: usize) -> Option<&mut Serial> {
        match kind {
            Device2::Spi => self.spi.get_mut(i),
            Device2::Uart => self.uart.get_mut(i),
        }
    }

    /// Where an address a channel holds goes.
    fn target(&self, addr: Option<Addr>) -> Target {
        let Some(a) = addr else { return Target::Nowhere };
        let at = a.0.addr();
        for i in 0..2 {
            if self.spi_at.get(i).is_some_and(|&b| at == b + SSPDR) {
                return Target::Spi(i);
            }
            if self.uart_at.get(i).is_some_and(|&b| at == b + UARTDR) {
                return Target::Uart(i);
            }
        }
        let in_block =
            self.spi_at.iter().chain(&self.uart_at).any(|&b| at >= b && at < b + SERIAL_BLOCK);
        if in_block || a.0.is_null() {
            Target::Nowhere
        } else {
            Target::Memory(a)
        }
    }

    /// Whether `treq` requests now (§2.5.3).
    fn requesting(&self, treq: u32) -> bool {
        if treq == TREQ_PERMANENT || treq >= TREQ_TIMER0 {
            return true; // timers run as permanent
        }
        let (idx, rx) = (treq.wrapping_sub(DREQ_SPI0_TX), treq % 2 == 1);
        let serial = match idx {
            0..=3 => self.spi.get((idx / 2) as usize),
            _ => match treq.wrapping_sub(DREQ_UART0_TX) {
                i @ 0..=3 => self.uart.get((i / 2) as usize),
                _ => None,
            },
        };
        let depth = if idx <= 3 { SPI_FIFO } else { UART_FIFO };
        serial.is_some_and(|s| {
            if rx {
                s.dmacr & 1 != 0 && !s.rx.is_empty()
            } else {
                s.dmacr & 2 != 0 && s.tx.len() < depth
            }
        })
    }

    fn trigger(&mut self, n: usize) {
        let Some(c) = self.ch.get_mut(n) else { return };
        if c.aborting {
            invalid(format!(
                "channel {n} triggered while its CHAN_ABORT bit reads 1 (datasheet §2.5.5.3: \
                 the channel must not be restarted until the bit is once again seen low)"
            ));
        }
        if c.ctrl & EN == 0 {
            return; // §2.5.7 CTRL EN: a disabled channel ignores triggers
        }
        if c.busy {
            self.violations.push(format!("channel {n}: triggered while BUSY (ignored)"));
            return;
        }
        c.busy = true;
        c.count = c.reload;
        c.issued = 0;
        c.written = 0;
        c.fault = c.armed_fault.take();
        c.stall = c.armed_stall.take();
        if c.ctrl & (BSWAP | SNIFF_EN) != 0 {
            self.violations.push(format!("channel {n}: bswap/sniff not modelled"));
        }
        if c.count == 0 {
            self.complete(n);
        }
    }

    /// The channel's sequence ended: BUSY low, IRQ, chain (§2.5.2, §2.5.7).
    fn complete(&mut self, n: usize) {
        let Some(c) = self.ch.get_mut(n) else { return };
        c.busy = false;
        let (quiet, chain) = (c.ctrl & IRQ_QUIET != 0, ((c.ctrl >> 11) & 0xF) as usize);
        if !quiet {
            self.intr |= 1 << n;
        }
        self.log.push(Event::Stopped);
        if chain != n {
            self.trigger(chain);
        }
    }

    fn halt_on_error(&mut self, n: usize, flag: u32) {
        let Some(c) = self.ch.get_mut(n) else { return };
        c.errors |= flag;
        c.pending = None;
        self.intr |= 1 << n;
        self.log.push(Event::Stopped);
    }

    fn write_ctrl(&mut self, n: usize, value: u32) {
        let size = (value >> 2) & 3;
        let treq = (value >> 15) & 0x3F;
        let chain = (value >> 11) & 0xF;
        if size == 3 {
            invalid(format!("channel {n}: DATA_SIZE 3 is no size (datasheet §2.5.7 CTRL 3:2)"));
        }
        if treq > 39 && treq < TREQ_TIMER0 {
            invalid(format!(
                "channel {n}: TREQ_SEL {treq:#x} is no DREQ, timer or permanent request \
                 (datasheet §2.5.3.1, Table 120)"
            ));
        }
        if chain as usize >= CHANNELS {
            invalid(format!("channel {n}: CHAIN_TO {chain} (RP2040 has 12 channels, §2.5.7)"));
        }
        let Some(c) = self.ch.get_mut(n) else { return };
        c.errors &= !(value & (READ_ERROR | WRITE_ERROR));
        c.ctrl = value & CTRL_RW;
    }

    fn read_ctrl(&self, n: usize) -> u32 {
        let Some(c) = self.ch.get(n) else { return 0 };
        let busy = if c.busy { BUSY } else { 0 };
        let ahb = if c.errors != 0 { AHB_ERROR } else { 0 };
        c.ctrl | busy | c.errors | ahb
    }

    fn set_addr(&mut self, n: usize, write: bool, value: u32, ptr: Option<*mut u8>) {
        let Some(c) = self.ch.get_mut(n) else { return };
        // A plain number (not written with `write_ptr`) carries no
        // pointer: the engine's access to it is a bus error.
        let addr = ptr.map(Addr);
        if write {
            (c.write, c.write_reg) = (addr, value);
        } else {
            (c.read, c.read_reg) = (addr, value);
        }
    }

    /// `INTS0` and `INTS1`: `(INTR | INTFx) & INTEx` (§2.5.7), the levels of
    /// `DMA_IRQ_0` / `DMA_IRQ_1` per channel.
    fn ints(&self) -> [u32; 2] {
        let ([f0, f1], [e0, e1]) = (self.intf, self.inte);
        [(self.intr | f0) & e0, (self.intr | f1) & e1]
    }

    /// A CPU write to an atomic alias of the DMA block (§2.1.2: "atomic
    /// XOR / bitmask set / bitmask clear on write"). Modelled for the plain
    /// read/write registers `INTE0/1` and `INTF0/1`; an alias write to any
    /// other register is a violation (ignored).
    fn write_alias(&mut self, offset: usize, value: u32) {
        let reg = offset % ALIAS_XOR;
        if !matches!(reg, INTE0 | INTE1 | INTF0 | INTF1) {
            self.violations.push(format!("atomic alias write at {offset:#x} not modelled"));
            return;
        }
        let old = self.read(reg);
        let new = match offset - reg {
            ALIAS_XOR => old ^ value,
            ALIAS_SET => old | value,
            ALIAS_CLR => old & !value,
            _ => old,
        };
        self.write(reg, new, None);
    }

    fn read(&self, offset: usize) -> u32 {
        match offset {
            INTR => self.intr,
            INTE0 => self.inte[0],
            INTF0 => self.intf[0],
            INTS0 => (self.intr | self.intf[0]) & self.inte[0],
            INTE1 => self.inte[1],
            INTF1 => self.intf[1],
            INTS1 => (self.intr | self.intf[1]) & self.inte[1],
            FIFO_LEVELS => {
                let pending = self.ch.iter().filter(|c| c.pending.is_some()).count();
                // At most 12: fits both 8-bit fields.
                #[allow(clippy::cast_possible_truncation)]
                let p = pending as u32;
                (p << 8) | p
            }
            CHAN_ABORT => self
                .ch
                .iter()
                .enumerate()
                .filter(|(_, c)| c.aborting)
                .fold(0, |m, (n, _)| m | 1 << n),
            N_CHANNELS => 12,
            o if o < CHANNELS * 0x40 => {
                let (n, reg) = (o / 0x40, o % 0x40);
                let Some(c) = self.ch.get(n) else { return 0 };
                match reg {
                    READ_ADDR | AL1_READ_ADDR | AL2_READ_ADDR | AL3_READ_ADDR_TRIG => c.read_reg,
                    WRITE_ADDR | AL1_WRITE_ADDR | AL2_WRITE_ADDR_TRIG | AL3_WRITE_ADDR => {
                        c.write_reg
                    }
                    TRANS_COUNT | AL1_TRANS_COUNT_TRIG | AL2_TRANS_COUNT | AL3_TRANS_COUNT => {
                        c.count
                    }
                    CTRL_TRIG | AL1_CTRL | AL2_CTRL | AL3_CTRL => self.read_ctrl(n),
                    _ => 0,
                }
            }
            o if (0x800..0x800 + CHANNELS * 0x40).contains(&o) && o % 0x40 == DBG_TCR - 0x800 => {
                self.ch.get((o - 0x800) / 0x40).map_or(0, |c| c.reload)
            }
            _ => 0,
        }
    }

    fn write(&mut self, offset: usize, value: u32, ptr: Option<*mut u8>) {
        match offset {
            INTR | INTS0 | INTS1 => self.intr &= !value,
            INTE0 => self.inte[0] = value & 0xFFF,
            INTF0 => self.intf[0] = value & 0xFFF,
            INTE1 => self.inte[1] = value & 0xFFF,
            INTF1 => self.intf[1] = value & 0xFFF,
            MULTI_CHAN_TRIGGER => {
                for n in (0..CHANNELS).filter(|n| value & (1 << n) != 0) {
                    self.trigger(n);
                }
            }
            CHAN_ABORT => {
                for n in (0..CHANNELS).filter(|n| value & (1 << n) != 0) {
                    if let Some(c) = self.ch.get_mut(n) {
                        if !c.aborting {
                            c.aborting = true;
                            c.age = 0;
                        }
                    }
                }
            }
            o if o < CHANNELS * 0x40 => {
                let (n, reg) = (o / 0x40, o % 0x40);
                match reg {
                    READ_ADDR | AL1_READ_ADDR | AL2_READ_ADDR => {
                        self.set_addr(n, false, value, ptr)
                    }
                    AL3_READ_ADDR_TRIG => {
                        self.set_addr(n, false, value, ptr);
                        if value != 0 {
                            self.trigger(n);
                        }
                    }
                    WRITE_ADDR | AL1_WRITE_ADDR | AL3_WRITE_ADDR => {
                        self.set_addr(n, true, value, ptr)
                    }
                    AL2_WRITE_ADDR_TRIG => {
                        self.set_addr(n, true, value, ptr);
                        if value != 0 {
                            self.trigger(n);
                        }
                    }
                    TRANS_COUNT | AL2_TRANS_COUNT | AL3_TRANS_COUNT => {
                        if let Some(c) = self.ch.get_mut(n) {
                            c.reload = value;
                        }
                    }
                    AL1_TRANS_COUNT_TRIG => {
                        if let Some(c) = self.ch.get_mut(n) {
                            c.reload = value;
                        }
                        if value != 0 {
                            self.trigger(n);
                        }
                    }
                    AL1_CTRL | AL2_CTRL | AL3_CTRL => self.write_ctrl(n, value),
                    CTRL_TRIG => {
                        self.write_ctrl(n, value);
                        self.trigger(n);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// A CPU access of the DMA block: transfers in flight and aborts older
    /// than [`LATENCY`] accesses complete now.
    fn cpu_access(&mut self) {
        for n in 0..CHANNELS {
            let Some(c) = self.ch.get_mut(n) else { continue };
            if c.pending.is_none() && !c.aborting {
                continue;
            }
            c.age += 1;
            if c.age < LATENCY {
                continue;
            }
            let (aborting, pending) = (c.aborting, c.pending);
            let bytes = 1usize << ((c.ctrl >> 2) & 3);
            if aborting {
                self.finish_abort(n);
            }
            if let Some((value, _)) = pending {
                self.complete_write(n, value, bytes);
            }
        }
    }

    /// One step: aborts complete, the peripherals shift one word each, and
    /// one channel (round-robin) makes one beat.
    fn step(&mut self) -> bool {
        let mut moved = false;
        // A channel whose abort completes in this step makes no beat in it
        // (its pending write, E13, lands at a later one).
        let mut aborted = 0u32;
        for n in 0..CHANNELS {
            if self.ch.get(n).is_some_and(|c| c.aborting) {
                self.finish_abort(n);
                aborted |= 1 << n;
                moved = true;
            }
        }
        moved |= self.shift();
        for k in 0..CHANNELS {
            let n = (self.next + k) % CHANNELS;
            if aborted & (1 << n) == 0 && self.beat(n) {
                self.next = (n + 1) % CHANNELS;
                return true;
            }
        }
        moved
    }

    /// §2.5.5.3: the abort clears the count and forces the channel inactive;
    /// RP2040-E13: a transfer whose write is pending still lands later.
    fn finish_abort(&mut self, n: usize) {
        let Some(c) = self.ch.get_mut(n) else { return };
        c.aborting = false;
        c.count = 0;
        let was = c.busy;
        c.busy = false;
        if c.pending.is_none() && was {
            self.log.push(Event::Stopped);
        }
    }

    fn shift(&mut self) -> bool {
        let mut moved = false;
        for spi in &mut self.spi {
            if let Some(word) = spi.tx.pop_front() {
                spi.sent.push(word);
                let incoming = spi.feed.pop_front().unwrap_or(0);
                if spi.rx.len() < SPI_FIFO {
                    spi.rx.push_back(incoming);
                }
                moved = true;
            }
        }
        for uart in &mut self.uart {
            if let Some(byte) = uart.tx.pop_front() {
                uart.sent.push(byte);
                moved = true;
            }
            if uart.rx.len() < UART_FIFO {
                if let Some(byte) = uart.feed.pop_front() {
                    uart.rx.push_back(byte);
                    moved = true;
                }
            }
        }
        moved
    }

    /// One beat of channel `n`: its pending write, or a new transfer.
    fn beat(&mut self, n: usize) -> bool {
        let Some(c) = self.ch.get(n) else { return false };
        if c.errors != 0 {
            return false; // halted on a bus error
        }
        let bytes = 1usize << ((c.ctrl >> 2) & 3);
        if let Some((value, _)) = c.pending {
            return self.complete_write(n, value, bytes);
        }
        let can_issue =
            c.busy && c.ctrl & EN != 0 && c.count > 0 && c.stall.is_none_or(|s| c.issued < s);
        if !can_issue || !self.requesting((c.ctrl >> 15) & 0x3F) {
            return false;
        }
        self.issue(n, bytes)
    }

    /// The read of a transfer.
    ///
    /// Memory accesses dereference pointers a driver wrote into the address
    /// registers of the sequence it triggered. By the driver's contract
    /// (`DmaReadBuffer` / `DmaWriteBuffer`) the memory is valid for the
    /// programmed transfers and the CPU does not access it (other than by
    /// `dma_mmio::load_from_dma`) while the channel is busy; the driver's
    /// register writes, which take this simulator's lock, order its earlier
    /// writes before these accesses.
    fn issue(&mut self, n: usize, bytes: usize) -> bool {
        let Some(c) = self.ch.get(n) else { return false };
        let (read, incr) = (c.read, c.ctrl & INCR_READ != 0);
        if c.fault == Some((Side::Read, c.issued)) {
            self.halt_on_error(n, READ_ERROR);
            return true;
        }
        let value = match self.target(read) {
            Target::Memory(a) if a.0.addr() % bytes == 0 => {
                self.log.push(Event::DmaRead { addr: a.0.addr(), bytes });
                // A plain volatile load (see the PL08x simulator's `beat`:
                // nothing writes a source while the DMA may read it).
                match bytes {
                    // SAFETY: see above; aligned (checked) for the width.
                    1 => u32::from(unsafe { a.0.read_volatile() }),
                    // SAFETY: as above.
                    2 => u32::from(unsafe { a.0.cast::<u16>().read_volatile() }),
                    // SAFETY: as above.
                    _ => unsafe { a.0.cast::<u32>().read_volatile() },
                }
            }
            Target::Spi(i) => self.spi.get_mut(i).and_then(|s| s.rx.pop_front()).unwrap_or(0),
            Target::Uart(i) => self.uart.get_mut(i).and_then(|s| s.rx.pop_front()).unwrap_or(0),
            _ => {
                self.halt_on_error(n, READ_ERROR);
                return true;
            }
        };
        let Some(c) = self.ch.get_mut(n) else { return false };
        c.pending = Some((value, 0));
        c.age = 0;
        c.issued += 1;
        if incr {
            let ring = ring_mask(c.ctrl, false);
            (c.read, c.read_reg) = advance(c.read, c.read_reg, bytes, ring);
        }
        true
    }

    /// The write of a transfer (see `issue` for the memory protocol).
    fn complete_write(&mut self, n: usize, value: u32, bytes: usize) -> bool {
        let Some(c) = self.ch.get(n) else { return false };
        let (write, incr) = (c.write, c.ctrl & INCR_WRITE != 0);
        if c.fault == Some((Side::Write, c.written)) {
            self.halt_on_error(n, WRITE_ERROR);
            return true;
        }
        match self.target(write) {
            Target::Memory(a) if a.0.addr() % bytes == 0 => {
                self.log.push(Event::DmaWrite { addr: a.0.addr(), bytes });
                fence(Ordering::Release);
                // Truncation to the data size is the bus access's.
                #[allow(clippy::cast_possible_truncation)]
                match bytes {
                    // SAFETY: see `issue`; aligned (checked) for the width.
                    1 => unsafe { dma_mmio::store_as_dma(a.0, value as u8) },
                    // SAFETY: as above.
                    2 => unsafe { dma_mmio::store_as_dma(a.0.cast::<u16>(), value as u16) },
                    // SAFETY: as above.
                    _ => unsafe { dma_mmio::store_as_dma(a.0.cast::<u32>(), value) },
                }
                self.writes += 1;
            }
            Target::Spi(i) | Target::Uart(i) => {
                let mask = if bytes == 1 {
                    0xFF
                } else if bytes == 2 {
                    0xFFFF
                } else {
                    u32::MAX
                };
                let spi = matches!(self.target(write), Target::Spi(_));
                let kind = if spi { Device2::Spi } else { Device2::Uart };
                if let Some(s) = self.serial(kind, i) {
                    s.tx.push_back(value & mask);
                }
                self.writes += 1;
            }
            _ => {
                self.halt_on_error(n, WRITE_ERROR);
                return true;
            }
        }
        let Some(c) = self.ch.get_mut(n) else { return false };
        c.pending = None;
        c.written += 1;
        if incr {
            let ring = ring_mask(c.ctrl, true);
            (c.write, c.write_reg) = advance(c.write, c.write_reg, bytes, ring);
        }
        if c.busy {
            c.count = c.count.saturating_sub(1);
            if c.count == 0 {
                self.complete(n);
            }
        } else {
            // RP2040-E13: the write of an aborted channel landed after the
            // abort completed, and raises the channel's IRQ flag.
            self.intr |= 1 << n;
            self.log.push(Event::Stopped);
        }
        true
    }
}

#[derive(Clone, Copy)]
enum Device2 {
    Spi,
    Uart,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the state, then the handler of each line on which a
    /// channel's `INTS` bit rose (§2.5.7: `DMA_IRQ_x` is asserted while any
    /// bit of `INTSx = (INTR | INTFx) & INTEx` is set; the flag rises at the
    /// end of a sequence unless `IRQ_QUIET`, and on a bus error, and a line
    /// also rises when `INTEx` enables a flag already set: a level). The
    /// handlers run with the lock let go: they access the registers.
    fn run<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let (out, rising) = {
            let mut s = self.lock();
            let before = s.ints();
            let out = f(&mut s);
            let after = s.ints();
            (out, [after[0] & !before[0], after[1] & !before[1]])
        };
        for (line, bits) in rising.into_iter().enumerate() {
            if bits != 0 {
                self.fire(line);
            }
        }
        out
    }

    /// `DMA_IRQ_<line>` enters its handler, if one is connected.
    fn fire(&self, line: usize) {
        let (Some(slot), Some(count), Some(left)) =
            (self.irq.get(line), self.irqs.get(line), self.left_pending.get(line))
        else {
            return;
        };
        let handler = slot.lock().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(handler) = handler {
            count.fetch_add(1, Ordering::SeqCst);
            handler();
            if self.lock().ints().get(line).is_some_and(|&bits| bits != 0) {
                left.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

/// The DMA block as the CPU sees it.
struct DmaPort(Arc<Shared>);
/// An SPI or UART block as the CPU sees it.
struct SerialPort(Arc<Shared>, Device2, usize);

impl Device for DmaPort {
    fn read(&self, offset: usize) -> u32 {
        self.0.run(|s| {
            s.cpu_access();
            s.read(offset % ALIAS_XOR)
        })
    }
    fn write(&self, offset: usize, value: u32) {
        self.0.run(|s| {
            s.cpu_access();
            if offset >= ALIAS_XOR {
                s.write_alias(offset, value);
            } else {
                s.write(offset, value, None);
            }
        });
    }
    fn write_ptr(&self, offset: usize, ptr: *mut u8) {
        self.0.run(|s| {
            s.cpu_access();
            s.write(offset, low32(ptr), Some(ptr));
        });
    }
}

impl Device for SerialPort {
    fn read(&self, offset: usize) -> u32 {
        let mut s = self.0.lock();
        let (depth, spi) = match self.1 {
            Device2::Spi => (SPI_FIFO, true),
            Device2::Uart => (UART_FIFO, false),
        };
        let Some(d) = s.serial(self.1, self.2) else { return 0 };
        match (spi, offset) {
            (true, SSPDR) | (false, UARTDR) => d.rx.pop_front().unwrap_or(0),
            (true, SSPSR) => {
                // TFE 0, TNF 1, RNE 2, RFF 3, BSY 4 (§4.4.4 SSPSR).
                let tfe = u32::from(d.tx.is_empty());
                let tnf = u32::from(d.tx.len() < depth) << 1;
                let rne = u32::from(!d.rx.is_empty()) << 2;
                let rff = u32::from(d.rx.len() >= depth) << 3;
                let bsy = u32::from(!d.tx.is_empty()) << 4;
                tfe | tnf | rne | rff | bsy
            }
            (false, UARTFR) => {
                // BUSY 3, RXFE 4, TXFF 5, RXFF 6, TXFE 7 (§4.2.8 UARTFR);
                // BUSY while a byte waits (the shift is one step).
                let busy = u32::from(!d.tx.is_empty()) << 3;
                let rxfe = u32::from(d.rx.is_empty()) << 4;
                let txff = u32::from(d.tx.len() >= depth) << 5;
                let txfe = u32::from(d.tx.is_empty()) << 7;
                busy | rxfe | txff | txfe
            }
            (true, SSPDMACR) | (false, UARTDMACR) => d.dmacr,
            _ => 0,
        }
    }
    fn write(&self, offset: usize, value: u32) {
        let mut s = self.0.lock();
        let spi = matches!(self.1, Device2::Spi);
        let Some(d) = s.serial(self.1, self.2) else { return };
        match (spi, offset) {
            (true, SSPDR) => d.tx.push_back(value & 0xFFFF),
            (false, UARTDR) => d.tx.push_back(value & 0xFF),
            (true, SSPDMACR) => d.dmacr = value & 3,
            (false, UARTDMACR) => d.dmacr = value & 7,
            _ => {}
        }
    }
}

/// A simulated RP2040 DMA with SPI0/1 and UART0/1: registers, mappings and
/// (optionally) a worker thread playing the hardware.
pub struct Rp2040Sim {
    shared: Arc<Shared>,
    dma: Mapping,
    spi: [Mapping; 2],
    uart: [Mapping; 2],
    worker: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

impl core::fmt::Debug for Rp2040Sim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Rp2040Sim").field("base", &self.dma.base()).finish_non_exhaustive()
    }
}

impl Rp2040Sim {
    fn build(log: Recorder, threaded: bool) -> Self {
        let state = State {
            ch: vec![Chan::default(); CHANNELS],
            intr: 0,
            inte: [0; 2],
            intf: [0; 2],
            spi: Default::default(),
            uart: Default::default(),
            next: 0,
            writes: 0,
            violations: Vec::new(),
            log,
            spi_at: [0; 2],
            uart_at: [0; 2],
        };
        let shared = Arc::new(Shared {
            dma_regs: block(BLOCK),
            spi_regs: [block(SERIAL_BLOCK), block(SERIAL_BLOCK)],
            uart_regs: [block(SERIAL_BLOCK), block(SERIAL_BLOCK)],
            state: Mutex::new(state),
            irq: [Mutex::new(None), Mutex::new(None)],
            irqs: [AtomicU32::new(0), AtomicU32::new(0)],
            left_pending: [AtomicU32::new(0), AtomicU32::new(0)],
        });
        let dma = map(&shared.dma_regs, Arc::new(DmaPort(Arc::clone(&shared))));
        let serial = |kind, i: usize, regs: &[AtomicU32]| {
            map(regs, Arc::new(SerialPort(Arc::clone(&shared), kind, i)))
        };
        let spi = [
            serial(Device2::Spi, 0, &shared.spi_regs[0]),
            serial(Device2::Spi, 1, &shared.spi_regs[1]),
        ];
        let uart = [
            serial(Device2::Uart, 0, &shared.uart_regs[0]),
            serial(Device2::Uart, 1, &shared.uart_regs[1]),
        ];
        {
            let mut s = shared.lock();
            s.spi_at = [spi[0].base() as usize, spi[1].base() as usize];
            s.uart_at = [uart[0].base() as usize, uart[1].base() as usize];
        }
        let worker = threaded.then(|| {
            let quit = Arc::new(AtomicBool::new(false));
            let (q, s) = (Arc::clone(&quit), Arc::clone(&shared));
            let handle = std::thread::spawn(move || {
                while !q.load(Ordering::SeqCst) {
                    if !s.run(State::step) {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                }
            });
            (quit, handle)
        });
        Rp2040Sim { shared, dma, spi, uart, worker }
    }

    /// A simulator in step mode (nothing moves until [`step`](Self::step)),
    /// logging into `log`.
    pub fn new(log: Recorder) -> Self {
        Self::build(log, false)
    }

    /// A simulator whose hardware runs on its own thread until dropped.
    pub fn threaded(log: Recorder) -> Self {
        Self::build(log, true)
    }

    /// The DMA block's base, for `dma_impl_rp2040::Dma::steal`.
    pub fn base(&self) -> *mut u32 {
        self.dma.base()
    }

    /// SPI `i`'s (0 or 1) block base.
    pub fn spi_base(&self, i: usize) -> *mut u32 {
        self.spi.get(i).map_or(core::ptr::null_mut(), Mapping::base)
    }

    /// UART `i`'s block base.
    pub fn uart_base(&self, i: usize) -> *mut u32 {
        self.uart.get(i).map_or(core::ptr::null_mut(), Mapping::base)
    }

    /// One step of the hardware; whether anything happened.
    pub fn step(&self) -> bool {
        self.shared.run(State::step)
    }

    /// Steps until nothing moves (at most `limit` steps); the steps made.
    pub fn run(&self, limit: usize) -> usize {
        (0..limit).take_while(|_| self.step()).count()
    }

    /// Steps the simulator once before every CPU access the current thread
    /// makes (register reads and writes, `load_from_dma`), until the guard is
    /// dropped: the hardware advances with the program, deterministically and
    /// without a worker thread (for step mode, e.g. under Miri).
    pub fn driven(&self) -> Interleaving {
        let shared = Arc::clone(&self.shared);
        dma_mmio::host::interleave::interleave(move |_| {
            shared.run(State::step);
        })
    }

    /// Lets `adversary` step the simulator before every CPU access the
    /// current thread makes, until the guard is dropped (step mode).
    pub fn adversarial(&self, adversary: &Adversary) -> Interleaving {
        let shared = Arc::clone(&self.shared);
        adversary.attach(move || shared.run(State::step))
    }

    /// Connects `handler` to `DMA_IRQ_<line>` (`line` 0 or 1; others are
    /// ignored), as its vector in the NVIC: it runs whenever a channel's bit
    /// of `INTS<line>` rises (§2.5.7, `INTR` / `INTEx` / `INTFx` / `INTSx`:
    /// `DMA_IRQ_x` is high while `(INTR | INTFx) & INTEx` is not 0; `INTR`
    /// is raised at the end of a sequence unless `IRQ_QUIET`, and on a bus
    /// error; so enabling a set flag raises the line at once, a level). It
    /// runs on the thread that raised it
    /// (the worker, or the caller of [`step`](Self::step) or of the register
    /// access), with no lock held. Replaces any earlier handler.
    ///
    /// The simulator calls the handler once per rise; on the chip a handler
    /// returning with the line high is entered again at once:
    /// [`interrupts_left_pending`](Self::interrupts_left_pending) counts those.
    ///
    /// ```
    /// use dma_impl_mock::{record::Recorder, sim::rp2040::Rp2040Sim};
    /// use dma_mmio::Reg;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let sim = Rp2040Sim::new(Recorder::new());
    /// // SAFETY: registers of the simulator's block, which outlives them.
    /// let reg = |offset| unsafe { Reg::from_ptr(sim.base().wrapping_byte_add(offset)) };
    /// let calls = Arc::new(AtomicUsize::new(0));
    /// let seen = Arc::clone(&calls);
    /// sim.on_interrupt(0, move || { seen.fetch_add(1, Ordering::SeqCst); });
    /// reg(0x2000 + 0x404).write(1 << 3); // INTE0, set alias: channel 3
    /// reg(0x408).write(1 << 3); // INTF0: force channel 3's interrupt
    /// assert_eq!(calls.load(Ordering::SeqCst), 1);
    /// reg(0x3000 + 0x404).write(1 << 3); // INTE0, clear alias
    /// assert_eq!(sim.register(0x40C), 0); // INTS0
    /// ```
    pub fn on_interrupt(&self, line: usize, handler: impl Fn() + Send + Sync + 'static) {
        if let Some(slot) = self.shared.irq.get(line) {
            *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(handler));
        }
    }

    /// How many times the handler of `DMA_IRQ_<line>` ran.
    pub fn interrupts(&self, line: usize) -> u32 {
        self.shared.irqs.get(line).map_or(0, |c| c.load(Ordering::SeqCst))
    }

    /// How many times the handler of `DMA_IRQ_<line>` returned with the line
    /// still high: on the chip, an interrupt storm.
    pub fn interrupts_left_pending(&self, line: usize) -> u32 {
        self.shared.left_pending.get(line).map_or(0, |c| c.load(Ordering::SeqCst))
    }

    /// Arms a bus error for the next sequence triggered on `channel`: at the
    /// `side` access of item `items` (0 = the first).
    pub fn fail_after(&self, channel: usize, items: u32, side: Side) {
        if let Some(c) = self.shared.lock().ch.get_mut(channel) {
            c.armed_fault = Some((side, items));
        }
    }

    /// Arms a stall for the next sequence on `channel`: it issues `items`
    /// transfers, then none until aborted.
    pub fn stall_after(&self, channel: usize, items: u32) {
        if let Some(c) = self.shared.lock().ch.get_mut(channel) {
            c.armed_stall = Some(items);
        }
    }

    /// Queues words SPI `i` receives, one per frame it sends.
    pub fn feed_spi(&self, i: usize, words: &[u32]) {
        if let Some(s) = self.shared.lock().spi.get_mut(i) {
            s.feed.extend(words);
        }
    }

    /// With a worker thread: waits (up to a second) until the transmit FIFO
    /// of SPI `i` (`spi`) or UART `i` has shifted out what it holds.
    /// In step mode it steps (at most 100 000 times) until nothing moves.
    fn drained(&self, spi: bool, i: usize) {
        let kind = if spi { Device2::Spi } else { Device2::Uart };
        if self.worker.is_none() {
            // Until nothing moves: a transfer still running (a forgotten
            // one, say) delivers the rest of its words too.
            self.run(100_000);
            return;
        }
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(1) {
            let mut s = self.shared.lock();
            if s.serial(kind, i).is_none_or(|d| d.tx.is_empty()) {
                return;
            }
            drop(s);
            std::thread::yield_now();
        }
    }

    /// Takes the frames SPI `i` sent, once its transmit FIFO has shifted out
    /// (with a worker: waiting up to a second; in step mode: stepping until
    /// nothing moves).
    pub fn spi_sent(&self, i: usize) -> Vec<u32> {
        self.drained(true, i);
        self.shared.lock().spi.get_mut(i).map(|s| std::mem::take(&mut s.sent)).unwrap_or_default()
    }

    /// Queues bytes UART `i` receives.
    pub fn feed_uart(&self, i: usize, bytes: &[u8]) {
        if let Some(s) = self.shared.lock().uart.get_mut(i) {
            s.feed.extend(bytes.iter().map(|&b| u32::from(b)));
        }
    }

    /// Takes the bytes UART `i` sent, once its transmit FIFO has shifted out
    /// (as [`spi_sent`](Self::spi_sent)).
    pub fn uart_sent(&self, i: usize) -> Vec<u8> {
        self.drained(false, i);
        let mut s = self.shared.lock();
        let Some(u) = s.uart.get_mut(i) else { return Vec::new() };
        // UARTDR holds 8 data bits: the truncation is the register's.
        #[allow(clippy::cast_possible_truncation)]
        let bytes = std::mem::take(&mut u.sent).into_iter().map(|w| w as u8).collect();
        bytes
    }

    /// The value a CPU read of the DMA register at `offset` returns.
    pub fn register(&self, offset: usize) -> u32 {
        self.shared.lock().read(offset)
    }

    /// Whether `channel` reads BUSY.
    pub fn is_busy(&self, channel: usize) -> bool {
        self.shared.lock().ch.get(channel).is_some_and(|c| c.busy)
    }

    /// Whether anything is in flight on `channel` (a read whose write is pending).
    pub fn in_flight(&self, channel: usize) -> bool {
        self.shared.lock().ch.get(channel).is_some_and(|c| c.pending.is_some())
    }

    /// Writes the DMA made (memory and device registers).
    pub fn dma_writes(&self) -> u64 {
        self.shared.lock().writes
    }

    /// What the driver did that the model records as wrong or unmodelled.
    pub fn violations(&self) -> Vec<String> {
        self.shared.lock().violations.clone()
    }
}

impl Drop for Rp2040Sim {
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

//! The DMA engine shared by both controller simulators; the families differ
//! only in register layout ([`Family`]).

use std::sync::atomic::{fence, AtomicBool, AtomicU32, Ordering};

use super::regs;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use dma_mmio::host::interleave::Interleaving;
use dma_mmio::host::{map, Device, Mapping};

use super::DmaRequest;
use crate::record::{Event, Recorder};
use crate::sim::adversary::Adversary;

/// Which request line of a peripheral drives a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// Transmit: the peripheral wants data (`TXE` with `DMAT`).
    Tx,
    /// Receive: the peripheral has data (`RXNE` with `DMAR`).
    Rx,
}

/// A fault a test injects into a running channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A bus error: `TEIF` is set and the hardware clears `EN`.
    Transfer,
    /// A FIFO error (`FEIF`, stream DMA only); the stream keeps running.
    Fifo,
    /// A direct-mode error (`DMEIF`, stream DMA only); the stream keeps running.
    DirectMode,
    /// Bus load (stream DMA): in direct mode the memory port was not granted
    /// in time, so `FEIF` is set (an underrun memory to peripheral, an
    /// overrun peripheral to memory) while no data is lost and the stream
    /// keeps running (RM0090 §10.3.18 "Error management"). In FIFO mode the
    /// FIFO absorbs the delay: nothing is flagged.
    BusLoad,
}

/// Transfer direction decoded from a control register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    PeriphToMem,
    MemToPeriph,
    MemToMem,
}

/// A decoded control register.
#[derive(Debug, Clone, Copy)]
struct Cfg {
    en: bool,
    dir: Dir,
    circ: bool,
    pinc: bool,
    minc: bool,
    psize: usize,
    msize: usize,
    dbm: bool,
    ct: usize,
    request: u32,
    /// The register value, for the validity checks.
    raw: u32,
}

/// Flag bits, relative to a channel's flag group.
#[derive(Debug, Clone, Copy)]
struct Flags {
    tc: u32,
    ht: u32,
    te: u32,
    fe: u32,
    dme: u32,
    /// Global flag (channel DMA): set with any other.
    global: u32,
}

/// What distinguishes the two controller families.
trait Family: Send + Sync + 'static {
    /// The manual of the family, for messages.
    const MANUAL: &'static str;
    /// Channel DMA keeps `EN` at 1 after the last item of a non-circular
    /// transfer (RM0008 §13.3.3 "Pointer incrementation", §13.4.4: with
    /// `CNDTR` = 0 no request is served "whether the channel is enabled or
    /// not"); stream DMA clears it (RM0090 §10.5.5, `EN`: "cleared by
    /// hardware on a DMA end of transfer").
    const KEEPS_EN_AFTER_TC: bool;
    /// Stream DMA: a software disable drains (RM0090 §10.3.14), `EN` is
    /// refused while flags are set and the configuration is write-protected
    /// while `EN` reads 1 (§10.5.5).
    const STREAM: bool;
    const CHANNELS: usize;
    const WORDS: usize;
    const FLAGS: Flags;
    fn cr(ch: usize) -> usize;
    fn ndtr(ch: usize) -> usize;
    fn par(ch: usize) -> usize;
    /// Memory address registers: M0AR (CMAR) and M1AR if present.
    fn mar(ch: usize, which: usize) -> Option<usize>;
    /// (status register offset, clear register offset, bit shift) of a channel's flags.
    fn flag_group(ch: usize) -> (usize, usize, u32);
    /// `SxFCR` of stream `ch` (stream DMA only).
    fn fcr(_ch: usize) -> Option<usize> {
        None
    }
    fn decode(cr: u32) -> Cfg;
    /// What the manual forbids in `cfg` when `EN` is set (with `fcr`, and
    /// the simulator's part settings): one message per rule broken.
    fn invalid(cfg: &Cfg, fcr: u32, options: &Options) -> Vec<String>;
    /// The request select of channel `ch` kept outside its control register
    /// (channel DMA of the L4: `CSELR`), if any.
    fn request_select(_regs: &[AtomicU32], _ch: usize) -> Option<u32> {
        None
    }
    /// The interrupt-enable bits of the control register.
    const IE: u32;
    /// Whether the channel's interrupt line is asserted: a flag of its group
    /// (`flags`, shifted down) set with its enable bit in `cr`.
    fn asserted(cr: u32, flags: u32) -> bool;
    /// `cr` with `EN` cleared.
    fn without_en(cr: u32) -> u32 {
        cr & !1
    }
    /// `cr` with `CT` set to `ct`.
    fn with_ct(cr: u32, _ct: usize) -> u32 {
        cr
    }
}

fn size_code(code: u32) -> usize {
    match code & 0b11 {
        0 => 1,
        1 => 2,
        _ => 4,
    }
}

/// The settings in which parts of a family differ.
#[derive(Debug)]
struct Options {
    /// `CHSEL` values the part has (8: F2/F4/F74x/F75x, 16: F76x/F77x).
    requests: AtomicU32,
    /// Whether this controller can copy memory to memory (stream DMA: DMA2 only).
    memory_to_memory: AtomicBool,
    /// CPU reads of `SxCR` / engine steps between a software disable and
    /// `EN` reading 0 (stream DMA); beats still move meanwhile.
    disable_latency: AtomicU32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            requests: AtomicU32::new(8),
            memory_to_memory: AtomicBool::new(true),
            disable_latency: AtomicU32::new(3),
        }
    }
}

/// `PSIZE`/`MSIZE` = 0b11 is reserved (RM0008 §13.4.3, RM0090 §10.5.5).
fn reserved_sizes(raw: u32, psize: u32, msize: u32, manual: &str, section: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (name, at) in [("PSIZE", psize), ("MSIZE", msize)] {
        if (raw >> at) & 0b11 == 0b11 {
            out.push(format!("{name} = 0b11 is reserved ({manual} {section})"));
        }
    }
    out
}

/// The channel-based controller (RM0008 §13.4).
struct V1;

impl Family for V1 {
    const MANUAL: &'static str = "RM0008";
    /// `TCIE`, `HTIE`, `TEIE` (RM0008 §13.4.3): bits 1..3, as their flags.
    const IE: u32 = 0b1110;
    /// RM0008 §13.3.6 "Interrupts": "For each DMA channel, an interrupt can
    /// be produced on a Half-transfer, Transfer complete or Transfer error";
    /// the line is the OR of each flag with its enable bit.
    fn asserted(cr: u32, flags: u32) -> bool {
        cr & flags & Self::IE != 0
    }
    const KEEPS_EN_AFTER_TC: bool = true;
    const STREAM: bool = false;
    const CHANNELS: usize = regs::channel::CHANNELS;
    /// Up to and including `CSELR` (0xA8, L4 only; zero elsewhere).
    const WORDS: usize = 0xAC / 4;
    const FLAGS: Flags = {
        use regs::channel::{GIF, HTIF, TCIF, TEIF};
        Flags { global: GIF, tc: TCIF, ht: HTIF, te: TEIF, fe: 0, dme: 0 }
    };
    fn cr(ch: usize) -> usize {
        regs::channel::CCR + regs::channel::STRIDE * ch
    }
    fn ndtr(ch: usize) -> usize {
        regs::channel::CNDTR + regs::channel::STRIDE * ch
    }
    fn par(ch: usize) -> usize {
        regs::channel::CPAR + regs::channel::STRIDE * ch
    }
    fn mar(ch: usize, which: usize) -> Option<usize> {
        (which == 0).then_some(regs::channel::CMAR + regs::channel::STRIDE * ch)
    }
    fn flag_group(ch: usize) -> (usize, usize, u32) {
        use regs::channel::{FLAG_STRIDE, IFCR, ISR};
        (ISR, IFCR, FLAG_STRIDE * u32::try_from(ch).unwrap_or(0))
    }
    fn decode(cr: u32) -> Cfg {
        use regs::channel::{CIRC, DIR, EN, MEM2MEM, MINC, MSIZE, PINC, PSIZE};
        let bit = |n: u32| cr & (1 << n) != 0;
        let dir = if bit(MEM2MEM) {
            Dir::MemToMem
        } else if bit(DIR) {
            Dir::MemToPeriph
        } else {
            Dir::PeriphToMem
        };
        Cfg {
            en: bit(EN),
            dir,
            circ: bit(CIRC),
            pinc: bit(PINC),
            minc: bit(MINC),
            psize: size_code(cr >> PSIZE),
            msize: size_code(cr >> MSIZE),
            dbm: false,
            ct: 0,
            request: 0,
            raw: cr,
        }
    }
    fn invalid(cfg: &Cfg, _fcr: u32, _options: &Options) -> Vec<String> {
        use regs::channel::{MSIZE, PSIZE};
        let mut out = reserved_sizes(cfg.raw, PSIZE, MSIZE, Self::MANUAL, "§13.4.3");
        if cfg.dir == Dir::MemToMem && cfg.circ {
            out.push(
                "MEM2MEM with CIRC: memory-to-memory mode cannot be circular (RM0008 §13.3.3 \
                 \"Memory-to-memory mode\")"
                    .into(),
            );
        }
        out
    }
    fn request_select(regs: &[AtomicU32], ch: usize) -> Option<u32> {
        use regs::channel::{CSELR, CSELR_BITS};
        let cselr = regs.get(CSELR / 4)?.load(Ordering::SeqCst);
        Some((cselr >> (CSELR_BITS * u32::try_from(ch).ok()?)) & 0xF)
    }
}

/// The stream-based controller (RM0090 §10.5).
struct V2;

impl Family for V2 {
    const MANUAL: &'static str = "RM0090";
    /// `DMEIE`, `TEIE`, `HTIE`, `TCIE` (RM0090 §10.5.5): bits 1..4, each one
    /// below its flag (`DMEIF` 2, `TEIF` 3, `HTIF` 4, `TCIF` 5). `FEIE`
    /// (`SxFCR` bit 7) is not modelled: the driver never sets it.
    const IE: u32 = 0b1_1110;
    /// RM0090 §10.4 "DMA interrupts": each event raises the stream's
    /// interrupt when its enable bit is set.
    fn asserted(cr: u32, flags: u32) -> bool {
        (cr & Self::IE) << 1 & flags != 0
    }
    const KEEPS_EN_AFTER_TC: bool = false;
    const STREAM: bool = true;
    const CHANNELS: usize = regs::stream::STREAMS;
    const WORDS: usize = (regs::stream::CR + regs::stream::STRIDE * regs::stream::STREAMS) / 4;
    const FLAGS: Flags = {
        use regs::stream::{DMEIF, FEIF, HTIF, TCIF, TEIF};
        Flags { global: 0, fe: FEIF, dme: DMEIF, te: TEIF, ht: HTIF, tc: TCIF }
    };
    fn cr(ch: usize) -> usize {
        regs::stream::CR + regs::stream::STRIDE * ch
    }
    fn ndtr(ch: usize) -> usize {
        regs::stream::NDTR + regs::stream::STRIDE * ch
    }
    fn par(ch: usize) -> usize {
        regs::stream::PAR + regs::stream::STRIDE * ch
    }
    fn mar(ch: usize, which: usize) -> Option<usize> {
        let first = regs::stream::M0AR + regs::stream::STRIDE * ch;
        Some(if which == 0 { first } else { first - regs::stream::M0AR + regs::stream::M1AR })
    }
    fn fcr(ch: usize) -> Option<usize> {
        Some(regs::stream::FCR + regs::stream::STRIDE * ch)
    }
    fn flag_group(ch: usize) -> (usize, usize, u32) {
        use regs::stream::{FLAG_SHIFTS, HIFCR, HISR, LIFCR, LISR};
        let shift = FLAG_SHIFTS.get(ch % 4).copied().unwrap_or(0);
        if ch < 4 {
            (LISR, LIFCR, shift)
        } else {
            (HISR, HIFCR, shift)
        }
    }
    fn decode(cr: u32) -> Cfg {
        use regs::stream::{CHSEL, CIRC, CT, DBM, DIR, EN, MINC, MSIZE, PINC, PSIZE};
        let bit = |n: u32| cr & (1 << n) != 0;
        let dir = match (cr >> DIR) & 0b11 {
            0b00 => Dir::PeriphToMem,
            0b01 => Dir::MemToPeriph,
            _ => Dir::MemToMem,
        };
        Cfg {
            en: bit(EN),
            dir,
            circ: bit(CIRC),
            pinc: bit(PINC),
            minc: bit(MINC),
            psize: size_code(cr >> PSIZE),
            msize: size_code(cr >> MSIZE),
            dbm: bit(DBM),
            ct: usize::from(bit(CT)),
            request: (cr >> CHSEL) & 0xF,
            raw: cr,
        }
    }
    fn invalid(cfg: &Cfg, fcr: u32, options: &Options) -> Vec<String> {
        use regs::stream::{DIR, DMDIS, MSIZE, PSIZE};
        let mut out = reserved_sizes(cfg.raw, PSIZE, MSIZE, Self::MANUAL, "§10.5.5");
        if (cfg.raw >> DIR) & 0b11 == 0b11 {
            out.push("DIR = 0b11 is reserved (RM0090 §10.5.5)".into());
        }
        let requests = options.requests.load(Ordering::SeqCst);
        if cfg.request >= requests {
            out.push(format!(
                "CHSEL = {} but this part has {requests} request channels (CHSEL is 3 bits, \
                 25:27, on F2/F4/F74x/F75x; 4 bits only on F76x/F77x: RM0090 §10.5.5, \
                 RM0410 §8.5.5)",
                cfg.request
            ));
        }
        if cfg.dir == Dir::MemToMem {
            if !options.memory_to_memory.load(Ordering::SeqCst) {
                out.push(
                    "memory-to-memory on a controller that cannot (only DMA2: RM0090 §10.3.6)"
                        .into(),
                );
            }
            if fcr & (1 << DMDIS) == 0 {
                out.push("memory-to-memory in direct mode: not allowed (RM0090 §10.3.6)".into());
            }
            if cfg.circ || cfg.dbm {
                out.push(
                    "memory-to-memory with CIRC/DBM: circular mode is not allowed \
                     (RM0090 §10.3.6, §10.3.9)"
                        .into(),
                );
            }
        }
        out
    }
    fn with_ct(cr: u32, ct: usize) -> u32 {
        use regs::stream::CT;
        if ct == 0 {
            cr & !(1 << CT)
        } else {
            cr | (1 << CT)
        }
    }
}

/// A pointer the CPU wrote into an address register (keeps its provenance).
#[derive(Clone, Copy)]
struct Addr(*mut u8);

// SAFETY: a bus address; the engine only dereferences it under the
// register-block protocol described in `Engine::beat`.
unsafe impl Send for Addr {}

#[derive(Clone, Default)]
struct Channel {
    /// Peripheral address (`CPAR`/`PAR`), `None` if written as a plain number.
    par: Option<Addr>,
    /// Memory addresses (`CMAR`/`M0AR`, `M1AR`).
    mar: [Option<Addr>; 2],
    /// Items to move per cycle, latched when `EN` is set.
    total: u32,
    /// Items moved in the current cycle.
    done: u32,
    /// Peripherals whose request lines reach this channel: (request select, peripheral, line).
    wired: Vec<(u32, Arc<dyn DmaRequest>, Line)>,
    /// Faults armed for the next enable: (fail after n items, stall after n
    /// items, bus load after n items).
    armed: (Option<u32>, Option<u32>, Option<u32>),
    /// Faults of the running transfer, counted in items since `EN` was set.
    active: (Option<u32>, Option<u32>, Option<u32>),
    /// Items moved since `EN` was set (across circular cycles).
    moved: u32,
    /// Stream DMA after a software disable: ticks left until `EN` reads 0
    /// (0: not draining).
    draining: u32,
}

/// A channel's interrupt handler (its "vector").
type Handler = Arc<dyn Fn() + Send + Sync>;

/// How often a handler may return with its line still asserted before the
/// simulator calls it a storm (a handler that neither masks nor clears).
const REENTRIES: usize = 8;

struct Shared<F: Family> {
    regs: Box<[AtomicU32]>,
    engine: Mutex<Vec<Channel>>,
    /// The interrupt handler of each channel, if one is registered.
    handlers: Mutex<Vec<Option<Handler>>>,
    /// Set while handlers run: a line raised by their own accesses is seen
    /// by the loop that called them.
    raising: AtomicBool,
    /// Whether any handler is registered (the common case, none, costs a load).
    vectored: AtomicBool,
    log: Recorder,
    options: Options,
    /// Register writes the manual calls invalid, with the rule broken.
    violations: Mutex<Vec<String>>,
    _family: core::marker::PhantomData<F>,
}

impl<F: Family> Shared<F> {
    /// The register at byte `offset`; `None` outside the block.
    fn reg(&self, offset: usize) -> Option<&AtomicU32> {
        self.regs.get(offset / 4)
    }

    fn load(&self, offset: usize) -> u32 {
        self.reg(offset).map_or(0, |r| r.load(Ordering::SeqCst))
    }

    fn store(&self, offset: usize, value: u32) {
        if let Some(r) = self.reg(offset) {
            r.store(value, Ordering::SeqCst);
        }
    }

    fn set_flags(&self, ch: usize, bits: u32) {
        let (status, _, shift) = F::flag_group(ch);
        let bits = if bits == 0 { 0 } else { bits | F::FLAGS.global };
        if let Some(r) = self.reg(status) {
            r.fetch_or(bits << shift, Ordering::SeqCst);
        }
    }

    fn stop(&self, ch: usize) {
        let cr = self.load(F::cr(ch));
        self.store(F::cr(ch), F::without_en(cr));
        self.log.push(Event::Stopped);
    }

    /// Records a CPU write the manual calls invalid; the simulator's owner
    /// panics with the list when it is dropped (see [`ChannelDma`]).
    fn violate(&self, ch: usize, what: &str) {
        let mut list = self.violations.lock().unwrap_or_else(PoisonError::into_inner);
        list.push(format!("{} channel/stream index {ch}: {what}", F::MANUAL));
    }

    /// The end of a software disable (stream DMA): `EN` reads 0 from now on
    /// and `TCIF` is set "to indicate the end of transfer" (RM0090 §10.3.14
    /// "DMA transfer suspension").
    fn drained(&self, ch: usize, state: &mut Channel) {
        state.draining = 0;
        self.set_flags(ch, F::FLAGS.tc);
        self.stop(ch);
    }

    /// Whether channel `ch`'s interrupt line is asserted.
    fn asserted(&self, ch: usize) -> bool {
        let (status, _, shift) = F::flag_group(ch);
        F::asserted(self.load(F::cr(ch)), self.load(status) >> shift)
    }

    /// Takes the interrupts whose lines are asserted: calls each handler
    /// again as long as its line stays asserted (level-sensitive, as the
    /// NVIC sees a DMA line, RM0008 §13.3.6 / RM0090 §10.4), at most
    /// [`REENTRIES`] times, then records a violation. Runs on the calling
    /// thread, between two of its register accesses (as an interrupt
    /// preempts thread mode), never inside the engine's lock.
    fn raise(&self) {
        if !self.vectored.load(Ordering::SeqCst) || self.raising.swap(true, Ordering::SeqCst) {
            return;
        }
        for ch in 0..F::CHANNELS {
            let handler = {
                let handlers = self.handlers.lock().unwrap_or_else(PoisonError::into_inner);
                handlers.get(ch).cloned().flatten()
            };
            let Some(handler) = handler else { continue };
            let mut taken = 0;
            while self.asserted(ch) {
                if taken == REENTRIES {
                    self.violate(
                        ch,
                        "interrupt line still asserted after its handler ran 8 times: a \
                         level-sensitive line needs the handler to mask or clear its source",
                    );
                    break;
                }
                handler();
                taken += 1;
            }
        }
        self.raising.store(false, Ordering::SeqCst);
    }

    /// One item on every enabled channel whose request is asserted.
    fn step(&self) -> bool {
        let mut channels = self.engine.lock().unwrap_or_else(PoisonError::into_inner);
        let mut moved = false;
        for (ch, state) in channels.iter_mut().enumerate() {
            moved |= self.beat(ch, state);
        }
        moved
    }

    /// Moves one item on channel `ch` if it is enabled and requested.
    fn beat(&self, ch: usize, state: &mut Channel) -> bool {
        let mut cfg = F::decode(self.load(F::cr(ch)));
        if let Some(request) = F::request_select(&self.regs, ch) {
            cfg.request = request;
        }
        if !cfg.en || state.total == 0 {
            return false;
        }
        if state.draining > 0 {
            // RM0090 §10.3.14: "The stream may take time to be disabled
            // (ongoing transfer is completed first)": `EN` reads 1 and
            // beats still move until the drain is over.
            state.draining -= 1;
            if state.draining == 0 {
                self.drained(ch, state);
                return true;
            }
        }
        if state.active.2 == Some(state.moved) {
            state.active.2 = None;
            self.bus_load(ch);
        }
        if state.active.0 == Some(state.moved) {
            self.set_flags(ch, F::FLAGS.te);
            self.stop(ch);
            return true;
        }
        if state.active.1 == Some(state.moved) {
            return false;
        }
        let peripheral = state
            .wired
            .iter()
            .find(|(request, _, _)| *request == cfg.request)
            .map(|(_, p, line)| (Arc::clone(p), *line));
        let requested = match (&peripheral, cfg.dir) {
            (_, Dir::MemToMem) => true,
            (Some((p, line)), _) => p.requesting(*line),
            (None, _) => false,
        };
        if !requested {
            // A peripheral that will raise its request by itself (a USART
            // shifting out a frame): time passed, the transfer goes on.
            return matches!(&peripheral, Some((p, line)) if p.busy(*line));
        }
        let mem = state.mar.get(cfg.ct).copied().flatten();
        let mem_at = mem
            .map(|a| a.0.wrapping_add(if cfg.minc { state.done as usize * cfg.msize } else { 0 }));
        let par_at = state
            .par
            .map(|a| a.0.wrapping_add(if cfg.pinc { state.done as usize * cfg.psize } else { 0 }));
        // RM0090 §10.3.11: a half-word or word item's address must be aligned
        // to it. A driver that programs a misaligned memory address fails the
        // test, and no access is made through it (the simulator's beats are
        // aligned accesses of the item's width).
        let misaligned = |at: Option<*mut u8>, bytes: usize| {
            at.is_some_and(|p| bytes > 1 && !(p as usize).is_multiple_of(bytes))
        };
        let bad = match cfg.dir {
            Dir::PeriphToMem | Dir::MemToPeriph => misaligned(mem_at, cfg.msize),
            Dir::MemToMem => misaligned(par_at, cfg.psize) || misaligned(mem_at, cfg.msize),
        };
        if bad {
            self.violate(ch, "a memory address not aligned to its item size (RM0090 §10.3.11)");
            self.set_flags(ch, F::FLAGS.te);
            self.stop(ch);
            return true;
        }
        let ok = match cfg.dir {
            Dir::PeriphToMem => match (peripheral, par_at, mem_at) {
                (Some((p, _)), Some(src), Some(dst)) if !dst.is_null() => {
                    match p.dma_read(src as usize) {
                        // SAFETY: see `memory_write`.
                        Some(v) => unsafe { self.memory_write(dst, cfg.msize, v) },
                        None => false,
                    }
                }
                _ => false,
            },
            Dir::MemToPeriph => match (peripheral, par_at, mem_at) {
                (Some((p, _)), Some(dst), Some(src)) if !src.is_null() => {
                    // SAFETY: see `memory_read`.
                    let v = unsafe { self.memory_read(src, cfg.msize) };
                    p.dma_write(dst as usize, v)
                }
                _ => false,
            },
            Dir::MemToMem => match (par_at, mem_at) {
                (Some(src), Some(dst)) if !src.is_null() && !dst.is_null() => {
                    // SAFETY: see `memory_read` / `memory_write`.
                    let v = unsafe { self.memory_read(src, cfg.psize) };
                    // SAFETY: as above.
                    unsafe { self.memory_write(dst, cfg.msize, v) }
                }
                _ => false,
            },
        };
        if !ok {
            self.set_flags(ch, F::FLAGS.te);
            self.stop(ch);
            return true;
        }
        state.done += 1;
        state.moved += 1;
        let left = state.total - state.done;
        self.store(F::ndtr(ch), left);
        // Half transfer (RM0090 §10.4, RM0008 §13.3.6: `HTIF` is set when half
        // of the items have been moved), once per cycle: in circular mode and
        // in double-buffer mode for each buffer in turn (RM0090 §10.3.8,
        // §10.3.9), since the count restarts with every cycle. The flags are
        // sticky until the CPU clears them: events of the same kind merge.
        if state.done == state.total / 2 && state.total >= 2 {
            self.set_flags(ch, F::FLAGS.ht);
        }
        // End of a cycle: circular reload of the counter (RM0090 §10.3.8,
        // RM0008 §13.3.3 "Circular mode") and, with `DBM`, the switch of `CT`
        // to the other memory address (RM0090 §10.3.9), then `TCIF`.
        if left == 0 {
            state.done = 0;
            if cfg.dbm {
                let cr = self.load(F::cr(ch));
                self.store(F::cr(ch), F::with_ct(cr, 1 - cfg.ct));
            }
            if cfg.circ || cfg.dbm {
                self.store(F::ndtr(ch), state.total);
                self.set_flags(ch, F::FLAGS.tc);
            } else if F::KEEPS_EN_AFTER_TC {
                // Channel DMA: `EN` stays 1 (see `KEEPS_EN_AFTER_TC`), the
                // counter is 0, nothing more moves.
                self.set_flags(ch, F::FLAGS.tc);
                state.total = 0;
                self.log.push(Event::Stopped);
            } else {
                state.draining = 0;
                self.set_flags(ch, F::FLAGS.tc);
                self.stop(ch);
            }
        }
        true
    }

    /// # Safety
    ///
    /// `at` is a pointer a driver wrote into a memory address register for the
    /// running transfer: by the driver's contract (`DmaReadBuffer`), its
    /// buffer is valid for reads of the programmed items and the CPU does not
    /// write it while `EN` is set. The driver's enabling register write
    /// (SeqCst, observed by this thread's load of `CR`) orders its earlier
    /// buffer writes before this read.
    unsafe fn memory_read(&self, at: *mut u8, bytes: usize) -> u32 {
        self.log.push(Event::DmaRead { addr: at as usize, bytes });
        // SAFETY (each arm): the caller's contract; `at` is aligned for `bytes`:
        // `beat` makes no access through a misaligned address.
        match bytes {
            // SAFETY: as above.
            1 => u32::from(unsafe { at.read_volatile() }),
            // SAFETY: as above.
            2 => u32::from(unsafe { at.cast::<u16>().read_volatile() }),
            // SAFETY: as above.
            _ => unsafe { at.cast::<u32>().read_volatile() },
        }
    }

    /// # Safety
    ///
    /// As for `memory_read`, for writes (`DmaWriteBuffer`); the flag or `EN`
    /// store that follows (SeqCst) is what the driver's completion check
    /// synchronizes with.
    ///
    /// A streaming driver (circular, double buffer) copies out of the buffer
    /// while the channel keeps running, and may race this write when it is
    /// late. So the beat is one atomic store of the memory width (`MSIZE`,
    /// RM0090 §10.3.10 / RM0008 §13.3.4: the DMA writes each item as one
    /// bus access of that width), which the driver's `load_from_dma` of the
    /// same width races without undefined behaviour. The release fence before
    /// it orders every earlier register store of this engine (the flags of
    /// the previous beats) before it: a driver that reads this value and then
    /// runs an acquire fence sees those flags (fence-to-fence
    /// synchronization), which is how it learns that its copy was overtaken.
    unsafe fn memory_write(&self, at: *mut u8, bytes: usize, value: u32) -> bool {
        self.log.push(Event::DmaWrite { addr: at as usize, bytes });
        fence(Ordering::Release);
        // The value is truncated to the memory width, as the hardware packs it.
        #[allow(clippy::cast_possible_truncation)]
        match bytes {
            // SAFETY: the caller's contract (valid for the write, aligned, as
            // in `memory_read`); every racing access is a driver's
            // `load_from_dma` of the same width.
            1 => unsafe { dma_mmio::store_as_dma(at, value as u8) },
            // SAFETY: as above.
            2 => unsafe { dma_mmio::store_as_dma(at.cast::<u16>(), value as u16) },
            // SAFETY: as above.
            _ => unsafe { dma_mmio::store_as_dma(at.cast::<u32>(), value) },
        }
        true
    }

    /// `FEIF` under bus load: only in direct mode (RM0090 §10.3.18: "In
    /// direct mode, the FIFO error flag can also be set" on an overrun or
    /// underrun; the stream is not disabled, no data is lost).
    fn bus_load(&self, ch: usize) {
        let direct = F::fcr(ch).is_some_and(|fcr| self.load(fcr) & (1 << regs::stream::DMDIS) == 0);
        if direct {
            self.set_flags(ch, F::FLAGS.fe);
        }
    }

    fn channel_of(offset: usize) -> Option<(usize, usize)> {
        (0..F::CHANNELS).find_map(|ch| {
            let regs = [F::cr(ch), F::ndtr(ch), F::par(ch)];
            if let Some(i) = regs.iter().position(|&r| r == offset) {
                return Some((ch, i));
            }
            (0..2).find_map(|m| (F::mar(ch, m) == Some(offset)).then_some((ch, 3 + m)))
        })
    }

    fn write_reg(&self, offset: usize, value: u32, ptr: Option<*mut u8>) {
        let mut channels = self.engine.lock().unwrap_or_else(PoisonError::into_inner);
        // Flag-clear registers: write 1 to clear, read as 0.
        for ch in 0..F::CHANNELS {
            let (status, clear, _) = F::flag_group(ch);
            if offset == clear {
                if let Some(r) = self.reg(status) {
                    r.fetch_and(!value, Ordering::SeqCst);
                }
                if F::FLAGS.global != 0 {
                    self.clear_global(status);
                }
                return;
            }
        }
        let Some((ch, which)) = Self::channel_of(offset) else {
            // `SxFCR` is write-protected while `EN` reads 1 (RM0090 §10.5.5,
            // §10.5.10).
            let fcr_of = (0..F::CHANNELS).find(|&ch| F::fcr(ch) == Some(offset));
            if let Some(ch) = fcr_of {
                if F::decode(self.load(F::cr(ch))).en {
                    self.violate(ch, "SxFCR written while EN reads 1 (RM0090 §10.5.5, §10.5.10)");
                    return;
                }
            }
            // Status registers are read-only; other words just hold.
            let status = (0..F::CHANNELS).any(|ch| F::flag_group(ch).0 == offset);
            if !status {
                self.store(offset, value);
            }
            return;
        };
        let Some(state) = channels.get_mut(ch) else {
            return;
        };
        let current = self.load(F::cr(ch));
        let enabled = F::decode(current).en;
        match which {
            0 => {
                let now = F::decode(value).en;
                if now && !enabled {
                    self.enable(ch, state, offset, value);
                } else if !now && enabled {
                    self.disable(ch, state, offset, current, value);
                } else if now
                    && F::STREAM
                    && F::with_ct(value, 0) | F::IE != F::with_ct(current, 0) | F::IE
                {
                    // RM0090 §10.5.5: the configuration bits are
                    // write-protected while `EN` reads 1 (the interrupt
                    // enables are not).
                    self.violate(ch, "SxCR reconfigured while EN reads 1 (RM0090 §10.5.5)");
                } else if F::STREAM && state.draining > 0 {
                    // Draining: only the interrupt enables take.
                    self.store(offset, (current & !F::IE) | (value & F::IE));
                } else if now && F::STREAM {
                    // `CT` "can be written only if EN is '0'"; with `EN` set
                    // it "operates as a status flag" (RM0090 §10.5.5): the
                    // stream's own `CT` stays, whatever was written.
                    self.store(offset, F::with_ct(value, F::decode(current).ct));
                } else {
                    self.store(offset, value);
                }
            }
            // With `DBM`, the memory address register the stream is not
            // using may be rewritten on the fly (RM0090 §10.3.9).
            m @ (3 | 4)
                if enabled
                    && F::STREAM
                    && F::decode(current).dbm
                    && F::decode(current).ct != m - 3 =>
            {
                self.store(offset, value);
                if let Some(slot) = state.mar.get_mut(m - 3) {
                    *slot = ptr.map(Addr);
                }
            }
            // Counter and addresses are read-only while the channel runs
            // (RM0008 §13.4.4–§13.4.6: written "only when the channel is
            // disabled"; RM0090 §10.5.6–§10.5.9): ignored, and a violation.
            _ if enabled => {
                let names = ["CR", "NDTR", "PAR", "M0AR", "M1AR"];
                let name = names.get(which).copied().unwrap_or("?");
                self.violate(
                    ch,
                    &format!(
                        "{name} written while EN reads 1: ignored (RM0008 §13.4.4-§13.4.6, \
                         RM0090 §10.5.6-§10.5.9)"
                    ),
                );
            }
            1 => self.store(offset, value & 0xFFFF),
            _ => {
                self.store(offset, value);
                let addr = ptr.map(Addr);
                match which {
                    2 => state.par = addr,
                    m => {
                        if let Some(slot) = state.mar.get_mut(m - 3) {
                            *slot = addr;
                        }
                    }
                }
            }
        }
    }

    /// The CPU sets `EN`.
    fn enable(&self, ch: usize, state: &mut Channel, offset: usize, value: u32) {
        let cfg = F::decode(value);
        let fcr = F::fcr(ch).map_or(0, |at| self.load(at));
        let (status, _, shift) = F::flag_group(ch);
        let flags = (self.load(status) >> shift) & 0x3F;
        if F::STREAM && flags != 0 {
            // RM0090 §10.5.5 (`EN`): "Before setting EN bit to '1' to start
            // a new transfer, the event flags corresponding to the stream in
            // DMA_LISR or DMA_HISR register must be cleared." The stream
            // stays disabled.
            self.violate(
                ch,
                &format!(
                    "EN set with the stream's flags {flags:#04x} not cleared (RM0090 §10.5.5)"
                ),
            );
            self.store(offset, F::without_en(value));
            return;
        }
        for what in F::invalid(&cfg, fcr, &self.options) {
            self.violate(ch, &what);
        }
        state.total = self.load(F::ndtr(ch)) & 0xFFFF;
        state.moved = 0;
        state.active = core::mem::take(&mut state.armed);
        state.done = 0;
        state.draining = 0;
        self.store(offset, value);
    }

    /// The CPU clears `EN`.
    fn disable(&self, ch: usize, state: &mut Channel, offset: usize, current: u32, value: u32) {
        let running = state.total != 0 && self.load(F::ndtr(ch)) != 0;
        let latency = self.options.disable_latency.load(Ordering::SeqCst);
        if !F::STREAM {
            // Channel DMA: the engine is idle (we hold its lock), so `EN`
            // reads 0 from here on (RM0008 §13.4.3 gives no latency).
            self.store(offset, value);
            self.log.push(Event::Stopped);
        } else if state.draining > 0 {
            // Already draining: the write changes nothing (§10.5.5).
        } else if running && latency > 0 {
            // RM0090 §10.3.14 / §10.3.17: "Writing this bit to 0 is not
            // immediately effective since it is actually written to 0 once
            // all the current transfers have finished."
            state.draining = latency;
            self.store(offset, current);
        } else {
            self.store(offset, value);
            // A software disable sets `TCIF` (RM0090 §10.3.14).
            self.set_flags(ch, F::FLAGS.tc);
            self.log.push(Event::Stopped);
        }
    }

    /// Channel DMA: `GIFx` stays set only while another flag of channel x is.
    fn clear_global(&self, status: usize) {
        let mut isr = self.load(status);
        for ch in 0..F::CHANNELS {
            let (_, _, shift) = F::flag_group(ch);
            let group = (isr >> shift) & 0xF;
            if group & !F::FLAGS.global == 0 {
                isr &= !(F::FLAGS.global << shift);
            }
        }
        self.store(status, isr);
    }
}

impl<F: Family> Device for Shared<F> {
    /// A CPU read is served between beats, never inside one: a beat's
    /// counter update, its flags (`HTIF`/`TCIF` with `GIF`) and the `CT`
    /// switch are one controller event for the bus (RM0090 §10.3.3: a
    /// transfer is the load, the store and the post-decrement of `NDTR`;
    /// §10.4 for the flags it sets; RM0008 §13.4.1 and §13.4.4; the manuals
    /// give no ordering inside one transfer, so the model does
    /// not expose one). Without the engine's lock a threaded read could see
    /// `NDTR` past a half-transfer point whose flag was not yet set.
    ///
    /// Reading the `SxCR` of a draining stream lets one tick of the drain
    /// pass (as the engine's steps do), so a driver polling `EN` sees it go
    /// to 0 in step mode too, and sees beats move before it does.
    fn read(&self, offset: usize) -> u32 {
        let mut channels = self.engine.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((ch, 0)) = Self::channel_of(offset) {
            if let Some(state) = channels.get_mut(ch) {
                if state.draining > 0 {
                    self.beat(ch, state);
                }
            }
        }
        self.load(offset)
    }

    /// A write may assert an interrupt line (an enable bit set while its
    /// flag is): the interrupt is taken right after it.
    fn write(&self, offset: usize, value: u32) {
        self.write_reg(offset, value, None);
        self.raise();
    }

    fn write_ptr(&self, offset: usize, ptr: *mut u8) {
        #[allow(clippy::cast_possible_truncation)]
        self.write_reg(offset, ptr as usize as u32, Some(ptr));
        self.raise();
    }
}

/// A simulated controller of family `F`: its registers, mapping and worker.
struct Sim<F: Family> {
    shared: Arc<Shared<F>>,
    mapping: Mapping,
    worker: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

impl<F: Family> Sim<F> {
    fn new(log: Recorder, threaded: bool) -> Self {
        let shared = Arc::new(Shared::<F> {
            regs: (0..F::WORDS).map(|_| AtomicU32::new(0)).collect(),
            engine: Mutex::new(vec![Channel::default(); F::CHANNELS]),
            handlers: Mutex::new(vec![None; F::CHANNELS]),
            raising: AtomicBool::new(false),
            vectored: AtomicBool::new(false),
            log,
            options: Options::default(),
            violations: Mutex::new(Vec::new()),
            _family: core::marker::PhantomData,
        });
        let mapping = map(&shared.regs, Arc::clone(&shared) as Arc<dyn Device>);
        let worker = threaded.then(|| {
            let quit = Arc::new(AtomicBool::new(false));
            let (q, s) = (Arc::clone(&quit), Arc::clone(&shared));
            let handle = std::thread::spawn(move || {
                while !q.load(Ordering::SeqCst) {
                    let moved = s.step();
                    // The vectors, as on the chip: the hardware's own
                    // thread takes the interrupt, whatever the CPU's is doing.
                    s.raise();
                    if !moved {
                        std::thread::sleep(Duration::from_micros(20));
                    }
                }
            });
            (quit, handle)
        });
        Sim { shared, mapping, worker }
    }

    fn wire(&self, ch: usize, request: u32, peripheral: Arc<dyn DmaRequest>, line: Line) {
        let mut channels = self.shared.engine.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = channels.get_mut(ch) {
            state.wired.push((request, peripheral, line));
        }
    }

    fn arm(&self, ch: usize, fail: Option<u32>, stall: Option<u32>, load: Option<u32>) {
        let mut channels = self.shared.engine.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(state) = channels.get_mut(ch) {
            state.armed.0 = fail.or(state.armed.0);
            state.armed.1 = stall.or(state.armed.1);
            state.armed.2 = load.or(state.armed.2);
        }
    }

    fn take_violations(&self) -> Vec<String> {
        core::mem::take(&mut *self.shared.violations.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn fault(&self, ch: usize, fault: Fault) {
        let _engine = self.shared.engine.lock().unwrap_or_else(PoisonError::into_inner);
        let flags = F::FLAGS;
        match fault {
            Fault::Transfer => {
                self.shared.set_flags(ch, flags.te);
                if F::decode(self.shared.load(F::cr(ch))).en {
                    self.shared.stop(ch);
                }
            }
            Fault::Fifo => self.shared.set_flags(ch, flags.fe),
            Fault::DirectMode => self.shared.set_flags(ch, flags.dme),
            Fault::BusLoad => self.shared.bus_load(ch),
        }
    }
}

impl<F: Family> Drop for Sim<F> {
    // Failing the test that owns the simulator is the point: a register
    // value the manual forbids is a driver bug.
    #[allow(clippy::panic)]
    fn drop(&mut self) {
        if let Some((quit, handle)) = self.worker.take() {
            quit.store(true, Ordering::SeqCst);
            // A panicking worker has already reported itself; nothing to add.
            drop(handle.join());
        }
        let violations = self.take_violations();
        if !violations.is_empty() && !std::thread::panicking() {
            panic!(
                "the driver wrote register values the reference manual forbids:\n  {}",
                violations.join("\n  ")
            );
        }
    }
}

macro_rules! controller {
    ($(#[$doc:meta])* $name:ident, $family:ty, $unit:literal, $first:literal) => {
        $(#[$doc])*
        pub struct $name(Sim<$family>);

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name)).field("base", &self.0.mapping.base()).finish()
            }
        }

        impl $name {
            /// A controller in step mode: nothing moves until [`Self::step`].
            pub fn new(log: Recorder) -> Self {
                $name(Sim::new(log, false))
            }

            /// A controller whose hardware runs on its own thread until dropped.
            pub fn threaded(log: Recorder) -> Self {
                $name(Sim::new(log, true))
            }

            /// The register block's base address, for the driver's `unsafe` constructor.
            pub fn base(&self) -> *mut u32 {
                self.0.mapping.base()
            }

            /// Moves one item on every enabled, requested
            #[doc = $unit]
            /// ; returns whether anything happened.
            pub fn step(&self) -> bool {
                let moved = self.0.shared.step();
                self.0.shared.raise();
                moved
            }

            /// Registers the interrupt handler of
            #[doc = $unit]
            /// `number` (its vector): called on the thread that steps the
            /// controller ([`Self::step`]) or writes its registers, right
            /// after the step or write that leaves the line asserted, and
            /// again while it stays so (level-sensitive). A threaded
            /// controller's worker calls it too, after each of its steps,
            /// concurrently with the test's thread (a stronger adversary
            /// than a single core, where the handler preempts the thread;
            /// one handler runs at a time, as on one core).
            pub fn on_interrupt(&self, number: usize, handler: impl Fn() + Send + Sync + 'static) {
                let mut handlers =
                    self.0.shared.handlers.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(slot) = handlers.get_mut(number.wrapping_sub($first)) {
                    *slot = Some(Arc::new(handler));
                    self.0.shared.vectored.store(true, Ordering::SeqCst);
                }
            }

            /// Lets `adversary` step this controller before every CPU access
            /// the current thread makes (register reads and writes, and
            /// `dma_mmio::load_from_dma`), as many beats as its schedule
            /// chooses, until the returned guard is dropped. Use it on a
            /// controller in step mode ([`Self::new`]).
            pub fn adversarial(&self, adversary: &Adversary) -> Interleaving {
                let shared = Arc::clone(&self.0.shared);
                adversary.attach(move || shared.step())
            }

            /// Steps until nothing moves any more (at most `limit` steps).
            pub fn run(&self, limit: usize) -> usize {
                (0..limit).take_while(|_| self.step()).count()
            }

            /// Arms a bus error: the next transfer started on
            #[doc = $unit]
            /// `number` raises `TEIF` (and stops) after moving `items` items.
            pub fn fail_after(&self, number: usize, items: u32) {
                self.0.arm(number.wrapping_sub($first), Some(items), None, None);
            }

            /// Arms a stall: the next transfer started on
            #[doc = $unit]
            /// `number` moves `items` items and then waits for a request that never comes.
            pub fn stall_after(&self, number: usize, items: u32) {
                self.0.arm(number.wrapping_sub($first), None, Some(items), None);
            }

            /// Injects `fault` into
            #[doc = $unit]
            /// `number` now.
            pub fn fault(&self, number: usize, fault: Fault) {
                self.0.fault(number.wrapping_sub($first), fault);
            }

            /// The raw value of the register at byte `offset` (for assertions).
            pub fn register(&self, offset: usize) -> u32 {
                self.0.shared.load(offset)
            }

            /// The CPU writes so far that the reference manual calls invalid
            /// (each with the rule and its section), taken: a test that
            /// provokes one on purpose asserts on it here. Any left when
            /// the simulator is dropped make the drop panic, failing the test.
            pub fn take_violations(&self) -> Vec<String> {
                self.0.take_violations()
            }
        }
    };
}

controller!(
    /// The channel-based STM32 DMA (F0/F1/F3/L4/G0/G4), 7 channels numbered from 1.
    ///
    /// ```
    /// use dma_impl_mock::{record::Recorder, sim::stm32::ChannelDma};
    /// let dma = ChannelDma::new(Recorder::new());
    /// assert!(!dma.base().is_null());
    /// assert!(!dma.step()); // nothing enabled
    /// ```
    ChannelDma, V1, "channel", 1
);

controller!(
    /// The stream-based STM32 DMA (F2/F4/F7), 8 streams numbered from 0.
    ///
    /// ```
    /// use dma_impl_mock::{record::Recorder, sim::stm32::StreamDma};
    /// let dma = StreamDma::new(Recorder::new());
    /// assert_eq!(dma.register(0x10), 0); // S0CR
    /// ```
    StreamDma, V2, "stream", 0
);

impl ChannelDma {
    /// Connects `line` of `peripheral` to channel `number` (1..=7), as the
    /// chip's fixed request map does (USART1_TX to channel 4 on an F1).
    pub fn wire(&self, number: usize, peripheral: Arc<dyn DmaRequest>, line: Line) {
        self.0.wire(number.wrapping_sub(1), 0, peripheral, line);
    }

    /// As [`Self::wire`], for a chip with request selection (`CSELR` on an
    /// L4): the request reaches the channel only while its `CxS` field is `request`.
    pub fn wire_request(
        &self,
        number: usize,
        request: u32,
        peripheral: Arc<dyn DmaRequest>,
        line: Line,
    ) {
        self.0.wire(number.wrapping_sub(1), request, peripheral, line);
    }
}

impl StreamDma {
    /// Connects `line` of `peripheral` to stream `number` (0..=7) under
    /// channel select `chsel` (USART1_TX is stream 7, channel 4 of DMA2 on an F4).
    pub fn wire(&self, number: usize, chsel: u32, peripheral: Arc<dyn DmaRequest>, line: Line) {
        self.0.wire(number, chsel, peripheral, line);
    }

    /// The part's number of request channels: 8 (F2/F4/F74x/F75x, `CHSEL`
    /// 3 bits; the default) or 16 (F76x/F77x). A larger `CHSEL` is a violation.
    pub fn set_requests(&self, requests: u32) {
        self.0.shared.options.requests.store(requests, Ordering::SeqCst);
    }

    /// Whether this controller can copy memory to memory: DMA2 (the
    /// default) can, DMA1 cannot (RM0090 §10.3.6); a copy started on a
    /// controller set to `false` is a violation.
    pub fn set_memory_to_memory(&self, allowed: bool) {
        self.0.shared.options.memory_to_memory.store(allowed, Ordering::SeqCst);
    }

    /// Ticks (CPU reads of `SxCR` or engine steps) between a software
    /// disable of a running stream and `EN` reading 0 (RM0090 §10.3.14);
    /// beats still move meanwhile. Default 3; 0 stops at once.
    pub fn set_disable_latency(&self, ticks: u32) {
        self.0.shared.options.disable_latency.store(ticks, Ordering::SeqCst);
    }

    /// Arms bus load: the next transfer started on stream `number` gets
    /// `FEIF` after moving `items` items if it runs in direct mode, and
    /// goes on moving every item ([`Fault::BusLoad`]).
    pub fn bus_load_after(&self, number: usize, items: u32) {
        self.0.arm(number, None, None, Some(items));
    }
}

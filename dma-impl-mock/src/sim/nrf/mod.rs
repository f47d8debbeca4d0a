//! A register-level simulator of nRF52 EasyDMA peripherals: UARTE, SPIM, TWIM.
//!
//! One [`EasyDmaSim`] plays one peripheral instance. The driver under test
//! gets [`EasyDmaSim::base`] as its base address and talks to it through
//! `dma_mmio::Reg` exactly as on the chip:
//!
//! * a write of 1 to a `TASKS_*` register triggers the task;
//! * `EVENTS_*` registers are set by the hardware and cleared by writing 0;
//! * `ERRORSRC` is write-1-to-clear;
//! * `PTR`/`MAXCNT` are latched by the start tasks (so the next `RXD.PTR` may
//!   be written once `RXSTARTED` is seen), `MAXCNT` is cut to the chip's
//!   width, `AMOUNT` holds what the last transaction really moved;
//! * the UARTE transmitter holds the byte EasyDMA read last until it has
//!   left on the wire, one step (a frame time) later (`TXDRDY`): `ENDTX`
//!   comes when EasyDMA has read the last byte, while it is still in the
//!   transmitter, and `TXSTOPPED` only once the transmitter holds none (in
//!   [`Timing::Step`] the frame passes inside the `STOPTX` write);
//! * events are levels: a second occurrence before the CPU clears one merges
//!   into it (PS "Peripheral interface", "Events"), and the UARTE
//!   `ENDRX -> STARTRX` short latches whatever `RXD.PTR` holds at that moment;
//! * a peripheral whose `ENABLE` register does not hold its value ignores
//!   every task, and a stop task raises a stopped event only for a unit that
//!   runs. Deviation from the PS: out of reset (and after
//!   [`EasyDmaSim::reset`]) `ENABLE` reads as enabled, as if the driver had
//!   configured the pins, so tests need not; write 0 to `ENABLE`
//!   ([`EasyDmaSim::disable`]) to model a peripheral nobody enabled;
//! * `BAUDRATE`, `FREQUENCY`, `PSEL.*`, `CONFIG` and the TWIM `ADDRESS` are
//!   not plain storage: a value the PS calls invalid (not in the `BAUDRATE` /
//!   `FREQUENCY` table, a `PSEL` port the chip lacks or reserved bits set, a
//!   `PSEL` written while the peripheral is enabled, reserved `CONFIG` bits)
//!   **fails the test**: the CPU write that makes it panics, in the thread
//!   that made it (the driver's), with a message naming the PS rule (see
//!   `valid.rs`). A panic at the write points at the driver line that broke
//!   the rule; a violation recorded for later could be lost with a leaked
//!   simulator or hidden behind a test's own panic;
//! * parts differ where [`SimConfig`] says: `MAXCNT` width, data RAM, GPIO
//!   ports, UARTE `CONFIG` fields, and nRF52832 anomaly 58 (an SPIM
//!   transaction with `RXD.MAXCNT` = 1 and `TXD.MAXCNT` <= 1 clocks out one
//!   more byte, the `ORC`, and drops the byte clocked in with it).
//!
//! The wire is modelled too: bytes the master sent ([`EasyDmaSim::take_sent`]),
//! bytes it will receive ([`EasyDmaSim::feed`]: UART RX line, SPI MISO, TWI
//! slave data), a hold on the line ([`EasyDmaSim::stall_after`]), and faults
//! ([`EasyDmaSim::inject_uart_error`], [`EasyDmaSim::inject_twi_fault`]).
//!
//! Every byte the simulated EasyDMA reads or writes is pushed to the
//! [`Recorder`] as [`Event::DmaRead`](crate::record::Event::DmaRead) /
//! [`Event::DmaWrite`](crate::record::Event::DmaWrite), and
//! [`Event::Stopped`](crate::record::Event::Stopped) when a channel lets go,
//! and [`Event::Note`](crate::record::Event::Note)`(`[`START_TASK`]`)` when
//! the CPU triggers a start task.
//!
//! A harness that cannot hang: a CPU that reads event registers
//! [`POLL_LIMIT`] times in a row, finding them clear, while nothing can raise
//! any (no EasyDMA channel or transaction active, no byte in the transmitter,
//! no stop task pending, in either timing), fails the test at once with the
//! event and the task it waits for ("EVENTS_TXSTOPPED polled 1000000 times
//! but nothing can raise it: was TASKS_STOPTX triggered?"), instead of
//! spinning for ever in the driver's `wait`. Any progress of the hardware
//! and any CPU register write start the count again, so a threaded
//! simulator that is still moving bytes is never accused. (While the thread
//! already unwinds from a failure, the simulator reports the event set
//! instead, so that the driver's unwinding stop returns and the first
//! failure is the one reported.)
//!
//! [`EasyDmaSim::adversarial`] steps a [`Timing::Step`] simulator under an
//! [`Adversary`]'s schedule before every CPU access the driver makes.
//!
//! [`Timing::Threaded`] runs the hardware on a worker thread (stop tasks take
//! effect there, a little later, as on the chip); [`Timing::Step`] moves one
//! byte per [`EasyDmaSim::step`] call on the test's thread for exact tests
//! (stop tasks then take effect at once, inside the register write).
//!
//! ```
//! use dma_impl_mock::record::Recorder;
//! use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
//! let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
//! assert!(!sim.base().is_null());
//! ```

mod engine;
pub mod regs;
#[cfg(test)]
mod tests;
mod valid;

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use dma_mmio::host::{Device, Mapping};

use crate::record::Recorder;
use crate::sim::adversary::Adversary;
use dma_mmio::host::interleave::Interleaving;
use engine::State;
pub use engine::START_TASK;

/// Which peripheral a simulator plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// UART with EasyDMA.
    Uarte,
    /// SPI master with EasyDMA.
    Spim,
    /// I2C (TWI) master with EasyDMA.
    Twim,
}

impl Kind {
    /// The `ENABLE` value that switches the block on as this peripheral.
    fn enable_value(self) -> u32 {
        match self {
            Kind::Uarte => regs::ENABLE_UARTE,
            Kind::Spim => regs::ENABLE_SPIM,
            Kind::Twim => regs::ENABLE_TWIM,
        }
    }
}

/// Who plays the hardware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// A worker thread moves bytes as soon as it can.
    Threaded,
    /// Nothing moves until the test calls [`EasyDmaSim::step`].
    Step,
}

/// The chip's EasyDMA limits, the facts where the parts differ, and the
/// simulator's timing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Width of the `MAXCNT` registers in bits (8 on nRF52832, 16 on nRF52833/840).
    pub maxcnt_bits: u32,
    /// The bus addresses EasyDMA reaches (data RAM).
    pub data_ram: Range<u32>,
    /// GPIO ports: 1 on the nRF52832 (no `PSEL.PORT` field), 2 on the
    /// nRF52833/840. A `PSEL` write naming a port the chip lacks fails the test.
    pub gpio_ports: u8,
    /// The `CONFIG` bits the UARTE has: HWFC and PARITY (0x0F) on the
    /// nRF52832, STOP (bit 4) too on the nRF52840, PARITYTYPE (bit 8) too on
    /// the nRF52833 (each chip's PS, UARTE `CONFIG`).
    pub uarte_config_mask: u32,
    /// nRF52832 Errata, anomaly 58: an SPIM transaction with `RXD.MAXCNT` =
    /// 1 and `TXD.MAXCNT` <= 1 clocks out one byte more than asked.
    pub anomaly_58: bool,
    /// Who plays the hardware.
    pub timing: Timing,
}

impl SimConfig {
    /// Any nRF52832: 8-bit `MAXCNT`, 32 KiB data RAM (the QFAB part; the
    /// QFAA has 64 KiB, [`nrf52832_qfaa`](Self::nrf52832_qfaa)), one GPIO
    /// port, anomaly 58.
    pub fn nrf52832() -> Self {
        SimConfig {
            maxcnt_bits: 8,
            data_ram: 0x2000_0000..0x2000_8000,
            gpio_ports: 1,
            uarte_config_mask: 0x0F,
            anomaly_58: true,
            timing: Timing::Threaded,
        }
    }

    /// nRF52832-QFAA: as [`nrf52832`](Self::nrf52832) with 64 KiB data RAM.
    pub fn nrf52832_qfaa() -> Self {
        SimConfig { data_ram: 0x2000_0000..0x2001_0000, ..Self::nrf52832() }
    }

    /// nRF52833: 16-bit `MAXCNT`, 128 KiB data RAM, two GPIO ports.
    pub fn nrf52833() -> Self {
        SimConfig {
            maxcnt_bits: 16,
            data_ram: 0x2000_0000..0x2002_0000,
            gpio_ports: 2,
            uarte_config_mask: 0x11F,
            anomaly_58: false,
            timing: Timing::Threaded,
        }
    }

    /// nRF52840: 16-bit `MAXCNT`, 256 KiB data RAM, two GPIO ports.
    pub fn nrf52840() -> Self {
        SimConfig {
            maxcnt_bits: 16,
            data_ram: 0x2000_0000..0x2004_0000,
            gpio_ports: 2,
            uarte_config_mask: 0x1F,
            anomaly_58: false,
            timing: Timing::Threaded,
        }
    }

    /// The same chip in [`Timing::Step`] mode.
    pub fn step(self) -> Self {
        SimConfig { timing: Timing::Step, ..self }
    }
}

/// A fault the simulated I2C slave produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TwiFault {
    /// The slave does not acknowledge its address (`ERRORSRC.ANACK`).
    AddressNack,
    /// The slave NACKs the data byte after `n` bytes were written (`ERRORSRC.DNACK`).
    DataNackAfter(usize),
    /// The byte after `n` received bytes is lost before EasyDMA stored it
    /// (`ERRORSRC.OVERRUN`).
    OverrunAfter(usize),
}

/// The handler connected to the interrupt line.
type Handler = Arc<dyn Fn() + Send + Sync>;

pub(crate) struct Shared {
    kind: Kind,
    config: SimConfig,
    regs: Box<[AtomicU32]>,
    state: Mutex<State>,
    recorder: Mutex<Recorder>,
    shutdown: AtomicBool,
    /// What [`EasyDmaSim::on_interrupt`] connected.
    interrupt: Mutex<Option<Handler>>,
    /// The line rose since the handler last ran.
    raised: AtomicBool,
    /// Handler runs.
    interrupts: AtomicUsize,
    /// Handler runs that returned with the line still high.
    left_pending: AtomicUsize,
    /// CPU reads of event registers that found them clear since the hardware
    /// last made progress or the CPU last wrote a register.
    polls: AtomicUsize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn log(&self, event: crate::record::Event) {
        self.recorder.lock().unwrap_or_else(PoisonError::into_inner).push(event);
    }

    fn reg(&self, offset: usize) -> u32 {
        self.regs.get(offset / 4).map_or(0, |r| r.load(Ordering::SeqCst))
    }

    fn set_reg(&self, offset: usize, value: u32) {
        if let Some(r) = self.regs.get(offset / 4) {
            r.store(value, Ordering::SeqCst);
        }
    }
}

struct Handle(Arc<Shared>);

/// Clear event reads in a row after which a poll that nothing can answer
/// fails the test ([`EasyDmaSim`]'s "A harness that cannot hang").
pub const POLL_LIMIT: usize = 1_000_000;

impl Device for Handle {
    fn read(&self, offset: usize) -> u32 {
        let value = self.0.reg(offset);
        if value != 0 || !(regs::EVENTS_STOPPED - 4..0x180).contains(&offset) {
            self.0.polls.store(0, Ordering::Relaxed);
            return value;
        }
        let polls = self.0.polls.fetch_add(1, Ordering::Relaxed) + 1;
        if polls >= POLL_LIMIT {
            self.0.polls.store(0, Ordering::Relaxed);
            if !engine::can_raise(&self.0) {
                return engine::hopeless_poll(&self.0, offset, polls);
            }
        }
        value
    }

    fn write(&self, offset: usize, value: u32) {
        engine::cpu_write(&self.0, offset, value);
    }

    fn write_ptr(&self, offset: usize, ptr: *mut u8) {
        engine::cpu_write_ptr(&self.0, offset, ptr);
    }
}

/// One simulated EasyDMA peripheral, mapped for `dma_mmio` until dropped.
pub struct EasyDmaSim {
    shared: Arc<Shared>,
    worker: Option<JoinHandle<()>>,
    mapping: Mapping,
}

impl core::fmt::Debug for EasyDmaSim {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EasyDmaSim")
            .field("kind", &self.shared.kind)
            .field("config", &self.shared.config)
            .field("mapping", &self.mapping)
            .finish()
    }
}

impl EasyDmaSim {
    /// A simulator of `kind`, logging into `recorder`.
    pub fn new(kind: Kind, recorder: &Recorder, config: SimConfig) -> Self {
        let regs: Box<[AtomicU32]> = (0..regs::BLOCK_WORDS).map(|_| AtomicU32::new(0)).collect();
        let timing = config.timing;
        let shared = Arc::new(Shared {
            kind,
            config,
            regs,
            state: Mutex::new(State::default()),
            recorder: Mutex::new(recorder.clone()),
            shutdown: AtomicBool::new(false),
            interrupt: Mutex::new(None),
            raised: AtomicBool::new(false),
            interrupts: AtomicUsize::new(0),
            left_pending: AtomicUsize::new(0),
            polls: AtomicUsize::new(0),
        });
        shared.set_reg(regs::ENABLE, kind.enable_value());
        let mapping = dma_mmio::host::map(&shared.regs, Arc::new(Handle(Arc::clone(&shared))));
        let worker = match timing {
            Timing::Threaded => {
                let shared = Arc::clone(&shared);
                Some(std::thread::spawn(move || {
                    while !shared.shutdown.load(Ordering::SeqCst) {
                        if !engine::step(&shared) {
                            std::thread::yield_now();
                        }
                    }
                }))
            }
            Timing::Step => None,
        };
        EasyDmaSim { shared, worker, mapping }
    }

    /// A UARTE simulator.
    pub fn uarte(recorder: &Recorder, config: SimConfig) -> Self {
        Self::new(Kind::Uarte, recorder, config)
    }

    /// A SPIM simulator.
    pub fn spim(recorder: &Recorder, config: SimConfig) -> Self {
        Self::new(Kind::Spim, recorder, config)
    }

    /// A TWIM simulator.
    pub fn twim(recorder: &Recorder, config: SimConfig) -> Self {
        Self::new(Kind::Twim, recorder, config)
    }

    /// The register block's base address, for the driver's `unsafe` constructor.
    pub fn base(&self) -> *mut u32 {
        self.mapping.base()
    }

    /// Moves the hardware one byte (or handles one pending task); `false` when
    /// nothing could happen. Meant for [`Timing::Step`].
    pub fn step(&self) -> bool {
        engine::step(&self.shared)
    }

    /// A `'static` handle that does what [`step`](Self::step) does, for hooks
    /// that outlive a borrow of the simulator (it keeps the hardware state
    /// alive, not the mapping: stepping after the simulator was dropped moves
    /// nothing a driver can see).
    pub fn stepper(&self) -> impl Fn() -> bool + 'static {
        let shared = Arc::clone(&self.shared);
        move || engine::step(&shared)
    }

    /// Lets `adversary` advance this simulator before every CPU access the
    /// current thread makes (register reads and writes, `load_from_dma`),
    /// until the returned guard is dropped. For [`Timing::Step`].
    pub fn adversarial(&self, adversary: &Adversary) -> Interleaving {
        adversary.attach(self.stepper())
    }

    /// Steps until nothing more can happen (at most `limit` steps); returns the
    /// number of steps that made progress.
    pub fn run(&self, limit: usize) -> usize {
        (0..limit).take_while(|_| self.step()).count()
    }

    /// Connects `handler` to the peripheral's interrupt line, as its vector
    /// in the NVIC: it runs whenever an event is raised while its `INTEN`
    /// bit is set, and when `INTENSET` enables an event that is already set
    /// (PS "Peripheral interface", "Interrupts", nRF52840 PS v1.1 §6.1.7:
    /// the interrupt is pending while an event and its `INTEN` bit are both
    /// set). It runs on the thread that raised the line (the worker in
    /// [`Timing::Threaded`], the caller of [`step`](Self::step) or of the
    /// register write in [`Timing::Step`]), with no simulator lock held, so
    /// it may access the registers. Replaces any earlier handler.
    ///
    /// The simulator calls the handler once per rise of the line. On the chip
    /// a handler that returns with the line still high is entered again at
    /// once; [`interrupts_left_pending`](Self::interrupts_left_pending)
    /// counts those returns.
    ///
    /// ```
    /// use dma_impl_mock::record::Recorder;
    /// use dma_impl_mock::sim::nrf::{regs, EasyDmaSim, SimConfig};
    /// use dma_mmio::Reg;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use std::sync::Arc;
    ///
    /// let sim = EasyDmaSim::uarte(&Recorder::new(), SimConfig::nrf52840().step());
    /// // SAFETY: registers of the simulator's block, which outlives them.
    /// let reg = |offset| unsafe { Reg::from_ptr(sim.base().wrapping_byte_add(offset)) };
    /// let calls = Arc::new(AtomicUsize::new(0));
    /// let seen = Arc::clone(&calls);
    /// sim.on_interrupt(move || { seen.fetch_add(1, Ordering::SeqCst); });
    /// reg(regs::INTENSET).write(regs::inten_bit(regs::EVENTS_TXSTARTED).unwrap());
    /// reg(regs::TASKS_STARTTX).write(1); // TXSTARTED, enabled: the line rises
    /// assert_eq!(calls.load(Ordering::SeqCst), 1);
    /// assert_eq!(sim.interrupts_left_pending(), 1, "nothing masked it");
    /// ```
    pub fn on_interrupt(&self, handler: impl Fn() + Send + Sync + 'static) {
        *self.shared.interrupt.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Arc::new(handler));
    }

    /// Whether the interrupt line is high now (an event set and enabled).
    pub fn interrupt_line(&self) -> bool {
        engine::line(&self.shared)
    }

    /// How many times the interrupt handler ran.
    pub fn interrupts(&self) -> usize {
        self.shared.interrupts.load(Ordering::SeqCst)
    }

    /// How many times the handler returned with the line still high and not
    /// raised again meanwhile: on the chip, an interrupt storm.
    pub fn interrupts_left_pending(&self) -> usize {
        self.shared.left_pending.load(Ordering::SeqCst)
    }

    /// Queues bytes the master will receive: the UART RX line, SPI MISO, or
    /// the data an I2C slave returns.
    pub fn feed(&self, bytes: &[u8]) {
        self.shared.lock().incoming.extend(bytes.iter().copied());
    }

    /// Takes the bytes the master has sent so far (UART TX line, SPI MOSI,
    /// bytes written to the I2C slave).
    pub fn take_sent(&self) -> Vec<u8> {
        core::mem::take(&mut self.shared.lock().sent)
    }

    /// Bytes queued by [`feed`](Self::feed) and not yet received.
    pub fn pending_feed(&self) -> usize {
        self.shared.lock().incoming.len()
    }

    /// Holds the line after `bytes` more bytes (a UART peer holding CTS, a
    /// slave stretching the clock): the transfer stays unfinished until
    /// [`resume`](Self::resume) or a stop task.
    pub fn stall_after(&self, bytes: usize) {
        self.shared.lock().budget = Some(bytes);
    }

    /// In [`Timing::Step`] mode, stop tasks from now on take effect at the
    /// next [`step`](Self::step) instead of inside the task's register
    /// write, as on the chip, where the stopped event comes only once the
    /// peripheral has stopped (the SPIM "will complete the
    /// transmission/reception of the current byte before stopping", PS SPIM
    /// chapter, "SPI master transaction sequence"): a test can then look at
    /// the registers between a stop task and its stopped event.
    ///
    /// ```
    /// use dma_impl_mock::record::Recorder;
    /// use dma_impl_mock::sim::nrf::{EasyDmaSim, SimConfig};
    /// let sim = EasyDmaSim::spim(&Recorder::new(), SimConfig::nrf52840().step());
    /// sim.defer_stops();
    /// assert!(sim.is_idle());
    /// ```
    pub fn defer_stops(&self) {
        self.shared.lock().defer_stops = true;
    }

    /// Lets the line run again after [`stall_after`](Self::stall_after).
    pub fn resume(&self) {
        self.shared.lock().budget = None;
    }

    /// UARTE: the byte received after `after` more good bytes is corrupt:
    /// it is dropped, `ERRORSRC |= errorsrc` and `EVENTS_ERROR` is set, and
    /// the line then holds (as after [`stall_after`](Self::stall_after))
    /// until a stop task, so `AMOUNT` is exactly `after`.
    pub fn inject_uart_error(&self, after: usize, errorsrc: u32) {
        self.shared.lock().uart_error = Some((after, errorsrc));
    }

    /// UARTE: the byte received after `after` more good bytes is lost to an
    /// overrun (`ERRORSRC.OVERRUN`, `EVENTS_ERROR`), and reception goes on
    /// (unlike [`inject_uart_error`](Self::inject_uart_error), the line does
    /// not hold).
    pub fn inject_uart_overrun(&self, after: usize) {
        self.shared.lock().uart_overrun = Some(after);
    }

    /// TWIM: the slave produces `fault` in the next transaction.
    pub fn inject_twi_fault(&self, fault: TwiFault) {
        self.shared.lock().twi_fault = Some(fault);
    }

    /// The value of the register at `offset`, as the CPU would read it.
    pub fn register(&self, offset: usize) -> u32 {
        self.shared.reg(offset)
    }

    /// A hardware reset: every channel stops where it is (a forgotten
    /// transfer's buffer is no longer touched), registers read zero, the wire
    /// and the faults are cleared, and the log becomes `recorder`. For
    /// harnesses that build one peripheral after another on one simulator.
    pub fn reset(&self, recorder: &Recorder) {
        let mut st = self.shared.lock();
        *st = State::default();
        for reg in self.shared.regs.iter() {
            reg.store(0, Ordering::SeqCst);
        }
        self.shared.set_reg(regs::ENABLE, self.shared.kind.enable_value());
        *self.shared.recorder.lock().unwrap_or_else(PoisonError::into_inner) = recorder.clone();
    }

    /// Writes 0 to `ENABLE`, as a peripheral nobody configured: every task is
    /// then ignored (nothing starts, and no stopped event ever comes).
    pub fn disable(&self) {
        engine::cpu_write(&self.shared, regs::ENABLE, 0);
    }

    /// How many start tasks (`STARTTX`, `STARTRX`, `START`) were triggered.
    pub fn starts(&self) -> usize {
        self.shared.lock().starts
    }

    /// TWIM: the 7-bit address latched by the last start task.
    pub fn twi_address(&self) -> Option<u8> {
        self.shared.lock().twi_address
    }

    /// Whether no EasyDMA channel is active.
    pub fn is_idle(&self) -> bool {
        self.shared.lock().is_idle()
    }

    /// UARTE: the speed `BAUDRATE` selects, in baud (`None` if not a table value).
    pub fn baud(&self) -> Option<u32> {
        valid::lookup(&regs::UARTE_BAUDRATES, self.shared.reg(regs::BAUDRATE_OR_FREQUENCY))
    }

    /// SPIM / TWIM: the clock `FREQUENCY` selects, in bits per second.
    pub fn frequency(&self) -> Option<u32> {
        let value = self.shared.reg(regs::BAUDRATE_OR_FREQUENCY);
        match self.shared.kind {
            Kind::Spim => valid::lookup(&regs::SPIM_FREQUENCIES, value),
            Kind::Twim => valid::lookup(&regs::TWIM_FREQUENCIES, value),
            Kind::Uarte => None,
        }
    }

    /// Incoming bytes queued: used by tests that feed a stream in parts.
    pub fn incoming(&self) -> VecDeque<u8> {
        self.shared.lock().incoming.clone()
    }
}

impl Drop for EasyDmaSim {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        if let Some(worker) = self.worker.take() {
            // A worker that panicked has nothing left to clean up.
            drop(worker.join());
        }
    }
}

//! What the simulated hardware does: task handling and one step of data movement.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::PoisonError;

use super::regs::*;
use super::{Kind, Shared, Timing, TwiFault};
use crate::record::Event;

/// The note logged when the CPU triggers a start task (so that tests can
/// check the release fence came first).
pub const START_TASK: &str = "nRF start task";

/// A pointer the driver gave to an EasyDMA address register.
#[derive(Debug, Clone, Copy)]
struct DmaPtr(*mut u8);

// SAFETY: the pointer is only dereferenced by the simulated EasyDMA while the
// driver has lent the memory to it (see `dma_read`); sending the address to
// the worker thread moves no access.
unsafe impl Send for DmaPtr {}

impl Default for DmaPtr {
    fn default() -> Self {
        DmaPtr(core::ptr::null_mut())
    }
}

/// One EasyDMA channel as latched by a start task.
#[derive(Debug, Default, Clone, Copy)]
struct Channel {
    ptr: DmaPtr,
    len: usize,
    pos: usize,
    active: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum TwiPhase {
    #[default]
    Idle,
    Transmit,
    Receive,
    /// The bus is held, until the STOP task: after an error, or after the
    /// last byte when no short triggers STOP (PS TWIM chapter, "Master write
    /// sequence": the TWIM holds SCL low until STOP, or a new start task).
    Halted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Rx,
    Tx,
}

#[derive(Debug, Default)]
pub(super) struct State {
    /// Step mode: stop tasks take effect at the next step, not inside the
    /// task's write (see `EasyDmaSim::defer_stops`).
    pub(super) defer_stops: bool,
    pub(super) incoming: VecDeque<u8>,
    pub(super) sent: Vec<u8>,
    pub(super) budget: Option<usize>,
    pub(super) uart_error: Option<(usize, u32)>,
    /// UARTE: bytes until one is lost to an overrun, reception going on.
    pub(super) uart_overrun: Option<usize>,
    pub(super) twi_fault: Option<TwiFault>,
    pub(super) starts: usize,
    pub(super) twi_address: Option<u8>,
    rx_ptr: DmaPtr,
    tx_ptr: DmaPtr,
    rx: Channel,
    tx: Channel,
    /// UARTE: the transmitter was started (STARTTX) and not yet stopped.
    tx_on: bool,
    /// UARTE: the receiver was started (STARTRX) and not yet stopped.
    rx_on: bool,
    /// UARTE: the byte EasyDMA read into the transmitter, not yet on the
    /// wire (it leaves one step, a frame time, later).
    tx_shift: Option<u8>,
    stop_rx: bool,
    stop_tx: bool,
    stop: bool,
    spi_active: bool,
    /// nRF52832 anomaly 58: the SPIM clocks one frame more after its
    /// channels are done.
    spi_extra_frame: bool,
    twi_phase: TwiPhase,
    twi_addressed: bool,
}

impl State {
    pub(super) fn is_idle(&self) -> bool {
        !self.rx.active
            && !self.tx.active
            && self.tx_shift.is_none()
            && !self.spi_active
            && matches!(self.twi_phase, TwiPhase::Idle | TwiPhase::Halted)
    }

    fn has_budget(&self) -> bool {
        self.budget != Some(0)
    }

    fn spend(&mut self) {
        if let Some(n) = self.budget {
            self.budget = Some(n.saturating_sub(1));
        }
    }
}

fn low_byte(value: u32) -> u8 {
    let [low, ..] = value.to_le_bytes();
    low
}

fn to_reg(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The hardware raises the event at `offset`. PS "Peripheral interface",
/// "Interrupts" (nRF52840 PS v1.1 §6.1.7): the peripheral's interrupt is
/// pending while an event is set and its `INTEN` bit is set; an event raised
/// while enabled raises the line (the handler runs once the lock is let go,
/// see [`fire`]).
fn set(shared: &Shared, offset: usize) {
    shared.set_reg(offset, 1);
    if inten_bit(offset).is_some_and(|bit| shared.reg(INTEN) & bit != 0) {
        shared.raised.store(true, Ordering::SeqCst);
    }
}

/// Whether the peripheral's interrupt line is high: some event is set whose
/// `INTEN` bit is set (PS "Peripheral interface", "Interrupts").
pub(super) fn line(shared: &Shared) -> bool {
    let inten = shared.reg(INTEN);
    (0..32u32).any(|id| inten & (1 << id) != 0 && shared.reg(0x100 + 4 * id as usize) != 0)
}

/// Runs the interrupt handler if the line was raised since the last call, as
/// the NVIC would enter the peripheral's vector. Called with no simulator lock
/// held, because the handler makes register accesses of its own. A handler
/// that returns with the line still high (it neither masked nor cleared what
/// raised it) would be re-entered at once on the chip, for ever: the
/// simulator counts it ([`EasyDmaSim::interrupts_left_pending`](super::EasyDmaSim::interrupts_left_pending))
/// instead of looping.
pub(super) fn fire(shared: &Shared) {
    if !shared.raised.swap(false, Ordering::SeqCst) {
        return;
    }
    let handler = shared.interrupt.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(handler) = handler {
        shared.interrupts.fetch_add(1, Ordering::SeqCst);
        handler();
        if line(shared) && !shared.raised.load(Ordering::SeqCst) {
            shared.left_pending.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Reads the byte at the channel's position, as EasyDMA would.
fn dma_read(shared: &Shared, ch: &Channel) -> u8 {
    let at = ch.ptr.0.wrapping_add(ch.pos);
    // SAFETY: `ch` was latched from a `PTR`/`MAXCNT` pair the driver wrote
    // and `pos < len`, so `at` is inside the buffer the driver lent to the
    // DMA; the driver promises (the `Transfer` contract) that the memory stays
    // valid and that it makes no access until it has observed the stop. The
    // happens-before edges are the SeqCst register accesses: the start task
    // write came after the driver's last buffer write, the completion event
    // is stored after this access. A driver that breaks this is what Miri is
    // here to catch.
    let byte = unsafe { at.read_volatile() };
    shared.log(Event::DmaRead { addr: at as usize, bytes: 1 });
    byte
}

/// Writes `byte` at the channel's position, as EasyDMA would: one beat, a
/// relaxed atomic store of the byte's width (`dma_mmio::store_as_dma`), so a
/// driver that copies out with `dma_mmio::load_from_dma` races an atomic, and
/// a driver that reads plainly is reported by Miri.
fn dma_write(shared: &Shared, ch: &Channel, byte: u8) {
    let at = ch.ptr.0.wrapping_add(ch.pos);
    // SAFETY: as in `dma_read`; the driver lent this memory for writing, and
    // a byte store is trivially aligned. The only accesses the contract lets
    // race it are the driver's `load_from_dma` (a same-width atomic load).
    unsafe { dma_mmio::store_as_dma(at, byte) };
    shared.log(Event::DmaWrite { addr: at as usize, bytes: 1 });
}

/// A start task latches `PTR` and `MAXCNT` (PS "EasyDMA": the `.PTR` and
/// `.MAXCNT` registers are double-buffered, so the next buffer may be
/// written once the `STARTED`/`RXSTARTED`/`TXSTARTED` event came); only the
/// chip's `MAXCNT` width counts (each chip's PS, `TXD.MAXCNT`/`RXD.MAXCNT`
/// field width: the upper bits are not stored); a pointer outside data RAM
/// moves nothing (PS "EasyDMA": EasyDMA can only reach data RAM; the chip
/// raises a bus error, not modelled: the channel simply does not start).
fn latch(shared: &Shared, st: &State, dir: Dir) -> Channel {
    let (ptr, maxcnt) = match dir {
        Dir::Rx => (st.rx_ptr, RXD_MAXCNT),
        Dir::Tx => (st.tx_ptr, TXD_MAXCNT),
    };
    let mask = 1u32.checked_shl(shared.config.maxcnt_bits).map_or(u32::MAX, |m| m - 1);
    let len = (shared.reg(maxcnt) & mask) as usize;
    let reachable = dma_mmio::in_window(ptr.0, len, shared.config.data_ram.clone());
    if !reachable {
        shared.log(Event::Note("EasyDMA pointer outside data RAM: channel not started"));
    }
    Channel { ptr, len, pos: 0, active: reachable }
}

/// A channel that ends stores what it moved in `AMOUNT` (PS "EasyDMA",
/// `.AMOUNT`: the number of bytes transferred in the last transaction, also
/// after a stop).
fn end(shared: &Shared, ch: &mut Channel, amount: usize) {
    if ch.active {
        ch.active = false;
        shared.set_reg(amount, to_reg(ch.pos));
    }
}

/// A CPU write to the register at `offset`; then the interrupt handler, if
/// the write (or a stop it completed) raised the line.
pub(super) fn cpu_write(shared: &Shared, offset: usize, value: u32) {
    shared.polls.store(0, Ordering::Relaxed);
    // Before the lock: a write the PS calls invalid fails the test here.
    super::valid::check_write(shared, offset, value);
    write_locked(shared, offset, value);
    fire(shared);
}

fn write_locked(shared: &Shared, offset: usize, value: u32) {
    let mut st = shared.lock();
    // PS, each peripheral's ENABLE register and "Peripheral interface: Tasks":
    // a disabled peripheral ignores its tasks, so a start never starts and a
    // stop never produces a stopped event.
    let trigger = value & 1 == 1 && shared.reg(ENABLE) == shared.kind.enable_value();
    match (shared.kind, offset) {
        (Kind::Uarte, TASKS_STARTTX) | (Kind::Twim, TASKS_STARTTX) if trigger => {
            st.starts += 1;
            shared.log(Event::Note(START_TASK));
            st.tx = latch(shared, &st, Dir::Tx);
            st.tx_on = shared.kind == Kind::Uarte;
            if shared.kind == Kind::Twim {
                st.twi_address = Some(low_byte(shared.reg(TWIM_ADDRESS)));
                st.twi_phase = TwiPhase::Transmit;
                st.twi_addressed = false;
            }
            set(shared, EVENTS_TXSTARTED);
        }
        (Kind::Uarte, TASKS_STARTRX) | (Kind::Twim, TASKS_STARTRX) if trigger => {
            st.starts += 1;
            shared.log(Event::Note(START_TASK));
            st.rx = latch(shared, &st, Dir::Rx);
            st.rx_on = shared.kind == Kind::Uarte;
            if shared.kind == Kind::Twim {
                st.twi_address = Some(low_byte(shared.reg(TWIM_ADDRESS)));
                st.twi_phase = TwiPhase::Receive;
                st.twi_addressed = false;
            }
            set(shared, EVENTS_RXSTARTED);
        }
        (Kind::Spim, TASKS_START) if trigger => {
            st.starts += 1;
            shared.log(Event::Note(START_TASK));
            st.tx = latch(shared, &st, Dir::Tx);
            st.rx = latch(shared, &st, Dir::Rx);
            st.spi_active = st.tx.active && st.rx.active;
            // nRF52832 Errata, anomaly 58 ("SPIM: An additional byte is
            // clocked out when RXD.MAXCNT == 1 and TXD.MAXCNT <= 1").
            st.spi_extra_frame = shared.config.anomaly_58 && st.rx.len == 1 && st.tx.len <= 1;
            set(shared, EVENTS_RXSTARTED);
        }
        (Kind::Uarte, TASKS_STOPTX) if trigger => st.stop_tx = true,
        (Kind::Uarte, TASKS_STOPRX) if trigger => st.stop_rx = true,
        (Kind::Spim | Kind::Twim, TASKS_STOP) if trigger => st.stop = true,
        (Kind::Uarte, TASKS_STARTRX..=TASKS_STOP) => {}
        (Kind::Spim | Kind::Twim, TASKS_STARTRX..=TASKS_STOP) => {}
        // PS UARTE and TWIM `ERRORSRC`: "read / write one to clear".
        (Kind::Uarte, UARTE_ERRORSRC) | (Kind::Twim, TWIM_ERRORSRC) => {
            shared.set_reg(offset, shared.reg(offset) & !value);
        }
        // PS "Peripheral interface", "Interrupts": INTENSET / INTENCLR set /
        // clear `INTEN` bits where 1 is written (0 leaves a bit as it is);
        // both read as `INTEN`. Interrupts are levels: enabling an event that
        // is already set raises the line at once.
        (_, INTEN | INTENSET | INTENCLR) => {
            let inten = match offset {
                INTENSET => shared.reg(INTEN) | value,
                INTENCLR => shared.reg(INTEN) & !value,
                _ => value,
            };
            let was = line(shared);
            for at in [INTEN, INTENSET, INTENCLR] {
                shared.set_reg(at, inten);
            }
            if !was && line(shared) {
                shared.raised.store(true, Ordering::SeqCst);
            }
        }
        _ => shared.set_reg(offset, value),
    }
    if shared.config.timing == Timing::Step && !st.defer_stops {
        stops(shared, &mut st);
    }
}

/// A CPU write of a memory address to `RXD.PTR` / `TXD.PTR`.
pub(super) fn cpu_write_ptr(shared: &Shared, offset: usize, ptr: *mut u8) {
    let mut st = shared.lock();
    match offset {
        RXD_PTR => st.rx_ptr = DmaPtr(ptr),
        TXD_PTR => st.tx_ptr = DmaPtr(ptr),
        _ => {}
    }
    #[allow(clippy::cast_possible_truncation)] // a 32-bit register keeps the low bits
    shared.set_reg(offset, ptr as usize as u32);
}

/// Handles pending stop tasks; `true` if there were any.
///
/// A stopped event is the end of something that ran: the PS generates
/// `TXSTOPPED` "when the UARTE transmitter has stopped", `RXTO` when the
/// receiver has stopped (UARTE chapter, "Transmission" and "Reception"),
/// SPIM and TWIM `STOPPED` when a transaction has stopped (SPIM chapter,
/// "SPI master transaction sequence"; TWIM chapter, "Master write sequence"
/// and "Master read sequence"). The PS promises none for a stop task on a unit
/// that is not running, so this simulator raises none: the reading worst for
/// a driver, which must never wait for the stop of something it did not
/// start (an SPIM that just raised `END`, say).
fn stops(shared: &Shared, st: &mut State) -> bool {
    let mut any = false;
    if st.stop_tx || st.stop_rx || st.stop {
        // A stop ends the line's hold (stall or error) for the next transfer.
        st.budget = None;
    }
    if st.stop_tx {
        if st.tx_on {
            // EasyDMA reads no more at once; the byte already in the
            // transmitter still leaves, and TXSTOPPED ("the UARTE transmitter
            // has stopped") comes only once it has: a stopped transmitter
            // drives nothing (see `uarte_step`). In step mode the frame
            // passes inside the stop, as every stop takes effect at once.
            if st.tx.active {
                end(shared, &mut st.tx, TXD_AMOUNT);
                any = true;
            }
            if shared.config.timing == Timing::Step {
                any |= tx_shift_out(shared, st);
            }
            if st.tx_shift.is_none() {
                st.stop_tx = false;
                st.tx_on = false;
                set(shared, EVENTS_TXSTOPPED);
                shared.log(Event::Stopped);
                any = true;
            }
        } else {
            st.stop_tx = false;
            any = true;
        }
    }
    if st.stop_rx {
        st.stop_rx = false;
        if st.rx_on {
            st.rx_on = false;
            // PS UARTE "Reception": an impending ENDRX is generated before RXTO,
            // explicitly if the buffer is not full.
            if st.rx.active {
                end(shared, &mut st.rx, RXD_AMOUNT);
                set(shared, EVENTS_ENDRX);
            }
            set(shared, EVENTS_RXTO);
            shared.log(Event::Stopped);
        }
        any = true;
    }
    if st.stop {
        st.stop = false;
        let running = match shared.kind {
            Kind::Spim => st.spi_active,
            Kind::Twim => st.twi_phase != TwiPhase::Idle,
            Kind::Uarte => false,
        };
        if running {
            end(shared, &mut st.tx, TXD_AMOUNT);
            end(shared, &mut st.rx, RXD_AMOUNT);
            st.spi_active = false;
            st.twi_phase = TwiPhase::Idle;
            set(shared, EVENTS_STOPPED);
            shared.log(Event::Stopped);
        }
        any = true;
    }
    any
}

/// One unit of hardware work; `false` if nothing could happen. The
/// interrupt handler runs after it, if the work raised the line.
pub(super) fn step(shared: &Shared) -> bool {
    let progressed = step_locked(shared);
    if progressed {
        shared.polls.store(0, Ordering::Relaxed);
    }
    fire(shared);
    progressed
}

/// Whether the hardware could still raise an event by itself: a channel or
/// transaction runs, the transmitter holds a byte, or a stop task is pending.
pub(super) fn can_raise(shared: &Shared) -> bool {
    let st = shared.lock();
    !st.is_idle() || st.stop_tx || st.stop_rx || st.stop
}

/// The name of the event at `offset` and the task that would raise it.
fn event_and_task(kind: Kind, offset: usize) -> (&'static str, &'static str) {
    match (kind, offset) {
        (Kind::Uarte, EVENTS_TXSTOPPED) => ("EVENTS_TXSTOPPED", "TASKS_STOPTX"),
        (Kind::Uarte, EVENTS_RXTO) => ("EVENTS_RXTO", "TASKS_STOPRX"),
        (_, EVENTS_STOPPED) => ("EVENTS_STOPPED", "TASKS_STOP"),
        (Kind::Uarte, EVENTS_ENDTX) => ("EVENTS_ENDTX", "TASKS_STARTTX (and not stopped before)"),
        (Kind::Spim, EVENTS_ENDTX) => ("EVENTS_ENDTX", "TASKS_START"),
        (Kind::Spim, EVENTS_ENDRX) => ("EVENTS_ENDRX", "TASKS_START"),
        (_, EVENTS_ENDRX) => ("EVENTS_ENDRX", "TASKS_STARTRX (and bytes fed)"),
        (_, EVENTS_END) => ("EVENTS_END", "TASKS_START"),
        (Kind::Spim, EVENTS_RXSTARTED) => ("EVENTS_STARTED", "TASKS_START"),
        (_, EVENTS_RXSTARTED) => ("EVENTS_RXSTARTED", "TASKS_STARTRX"),
        (_, EVENTS_TXSTARTED) => ("EVENTS_TXSTARTED", "TASKS_STARTTX"),
        (_, EVENTS_ERROR) => ("EVENTS_ERROR", "a start task (and a fault injected)"),
        (_, EVENTS_LASTTX) => ("EVENTS_LASTTX", "TASKS_STARTTX"),
        (_, EVENTS_LASTRX) => ("EVENTS_LASTRX", "TASKS_STARTRX"),
        _ => ("an EVENTS_* register", "the task that raises it"),
    }
}

/// A CPU polls an event nothing can raise: fails the test with what it
/// waits for (or, if the thread already unwinds from a failure, reports the
/// event set, so that the driver's unwinding stop returns).
#[allow(clippy::panic)] // failing the test is the point
pub(super) fn hopeless_poll(shared: &Shared, offset: usize, polls: usize) -> u32 {
    let (event, task) = event_and_task(shared.kind, offset);
    if std::thread::panicking() {
        eprintln!("nRF simulator: {event} reported set so that an unwinding driver can return");
        return 1;
    }
    panic!(
        "nRF simulator: {event} (offset {offset:#x}) polled {polls} times but nothing can raise \
         it (no channel active, no task pending): was {task} triggered?"
    )
}

fn step_locked(shared: &Shared) -> bool {
    let mut st = shared.lock();
    if stops(shared, &mut st) {
        return true;
    }
    match shared.kind {
        Kind::Uarte => uarte_step(shared, &mut st),
        Kind::Spim => spim_step(shared, &mut st),
        Kind::Twim => twim_step(shared, &mut st),
    }
}

/// The byte in the UARTE transmitter leaves on the wire (`TXDRDY`, PS UARTE
/// "Transmission": "After each byte has been sent over the TXD line, a
/// TXDRDY event will be generated"); `false` if the transmitter held none.
fn tx_shift_out(shared: &Shared, st: &mut State) -> bool {
    match st.tx_shift.take() {
        Some(byte) => {
            st.sent.push(byte);
            set(shared, EVENTS_TXDRDY);
            true
        }
        None => false,
    }
}

/// One UARTE byte each way (PS UARTE "Transmission": EasyDMA reads a byte
/// into the transmitter, which sends it over the wire one step (a frame
/// time) later; ENDTX once EasyDMA has read `MAXCNT` bytes (PS "EasyDMA":
/// "the ENDRX and ENDTX events indicate that the EasyDMA is finished
/// accessing the RX or TX buffer in RAM"), so the last byte is still in the
/// transmitter then; the transmitter stays started until STOPTX;
/// "Reception": ENDRX once the buffer is full, and the `ENDRX_STARTRX`
/// short latches whatever `RXD.PTR` holds at that moment; "Error
/// conditions": an error sets `ERRORSRC` and `ERROR`).
fn uarte_step(shared: &Shared, st: &mut State) -> bool {
    let mut progressed = tx_shift_out(shared, st);
    if st.tx.active && st.tx.pos < st.tx.len && st.has_budget() {
        st.spend();
        let byte = dma_read(shared, &st.tx);
        st.tx_shift = Some(byte);
        st.tx.pos += 1;
        progressed = true;
    }
    if st.tx.active && st.tx.pos >= st.tx.len {
        end(shared, &mut st.tx, TXD_AMOUNT);
        set(shared, EVENTS_ENDTX);
        shared.log(Event::Stopped);
        progressed = true;
    }
    if st.rx.active && st.rx.pos < st.rx.len && st.has_budget() {
        if let Some(byte) = st.incoming.pop_front() {
            st.spend();
            // PS UARTE "Error conditions": an OVERRUN loses the byte and
            // sets ERRORSRC.OVERRUN and ERROR; reception goes on.
            let lost = match st.uart_overrun {
                Some(0) => {
                    st.uart_overrun = None;
                    shared.set_reg(UARTE_ERRORSRC, shared.reg(UARTE_ERRORSRC) | 1);
                    set(shared, EVENTS_ERROR);
                    true
                }
                Some(n) => {
                    st.uart_overrun = Some(n - 1);
                    false
                }
                None => false,
            };
            match st.uart_error {
                _ if lost => {}
                Some((0, bits)) => {
                    st.uart_error = None;
                    st.budget = Some(0);
                    shared.set_reg(UARTE_ERRORSRC, shared.reg(UARTE_ERRORSRC) | bits);
                    set(shared, EVENTS_ERROR);
                }
                Some((n, bits)) => {
                    st.uart_error = Some((n - 1, bits));
                    dma_write(shared, &st.rx, byte);
                    st.rx.pos += 1;
                }
                None => {
                    dma_write(shared, &st.rx, byte);
                    st.rx.pos += 1;
                }
            }
            progressed = true;
        }
    }
    if st.rx.active && st.rx.pos >= st.rx.len {
        end(shared, &mut st.rx, RXD_AMOUNT);
        set(shared, EVENTS_ENDRX);
        shared.log(Event::Stopped);
        if shared.reg(SHORTS) & SHORT_ENDRX_STARTRX != 0 {
            st.starts += 1;
            st.rx = latch(shared, st, Dir::Rx);
            set(shared, EVENTS_RXSTARTED);
        }
        progressed = true;
    }
    progressed
}

/// One SPI frame (PS SPIM "SPI master transaction sequence": a frame out
/// and one in per clocked byte; the ORC is clocked out once the TX buffer
/// is exhausted, bytes in beyond the RX buffer are dropped; ENDTX / ENDRX
/// per channel, END when both are done).
fn spim_step(shared: &Shared, st: &mut State) -> bool {
    if !st.spi_active {
        return false;
    }
    if st.tx.pos < st.tx.len || st.rx.pos < st.rx.len {
        if !st.has_budget() {
            return false;
        }
        st.spend();
        let out = if st.tx.pos < st.tx.len {
            let byte = dma_read(shared, &st.tx);
            st.tx.pos += 1;
            byte
        } else {
            low_byte(shared.reg(SPIM_ORC))
        };
        st.sent.push(out);
        let miso = st.incoming.pop_front().unwrap_or(0xFF);
        if st.rx.pos < st.rx.len {
            dma_write(shared, &st.rx, miso);
            st.rx.pos += 1;
        }
    }
    if st.tx.active && st.tx.pos >= st.tx.len {
        end(shared, &mut st.tx, TXD_AMOUNT);
        set(shared, EVENTS_ENDTX);
    }
    if st.rx.active && st.rx.pos >= st.rx.len {
        end(shared, &mut st.rx, RXD_AMOUNT);
        set(shared, EVENTS_ENDRX);
    }
    if !st.tx.active && !st.rx.active {
        if st.spi_extra_frame {
            // Anomaly 58: one frame more on the wire (this simulator clocks
            // the ORC out); the byte clocked in with it goes nowhere.
            st.spi_extra_frame = false;
            st.sent.push(low_byte(shared.reg(SPIM_ORC)));
            st.incoming.pop_front();
            return true;
        }
        st.spi_active = false;
        set(shared, EVENTS_END);
        shared.log(Event::Stopped);
    }
    true
}

fn twi_error(shared: &Shared, st: &mut State, bits: u32) {
    end(shared, &mut st.tx, TXD_AMOUNT);
    end(shared, &mut st.rx, RXD_AMOUNT);
    st.twi_phase = TwiPhase::Halted;
    shared.set_reg(TWIM_ERRORSRC, shared.reg(TWIM_ERRORSRC) | bits);
    set(shared, EVENTS_ERROR);
}

fn twi_stop(shared: &Shared, st: &mut State) {
    st.twi_phase = TwiPhase::Idle;
    set(shared, EVENTS_STOPPED);
    shared.log(Event::Stopped);
}

/// One I2C step (PS TWIM "Master write sequence", "Master read sequence",
/// "Master repeated start sequence": the address, then one byte per step;
/// LASTTX / LASTRX at the end of a buffer, the shorts then start the read or
/// stop the bus; a NACK or overrun sets `ERRORSRC` and `ERROR` and holds the
/// bus until STOP).
fn twim_step(shared: &Shared, st: &mut State) -> bool {
    let phase = st.twi_phase;
    if !matches!(phase, TwiPhase::Transmit | TwiPhase::Receive) {
        return false;
    }
    if !st.twi_addressed {
        st.twi_addressed = true;
        if st.twi_fault == Some(TwiFault::AddressNack) {
            st.twi_fault = None;
            twi_error(shared, st, TWIM_ANACK);
        }
        return true;
    }
    if phase == TwiPhase::Transmit {
        if st.tx.pos < st.tx.len {
            if st.twi_fault == Some(TwiFault::DataNackAfter(st.tx.pos)) {
                st.twi_fault = None;
                twi_error(shared, st, TWIM_DNACK);
                return true;
            }
            if !st.has_budget() {
                return false;
            }
            st.spend();
            let byte = dma_read(shared, &st.tx);
            st.sent.push(byte);
            st.tx.pos += 1;
        }
        if st.tx.pos >= st.tx.len {
            end(shared, &mut st.tx, TXD_AMOUNT);
            set(shared, EVENTS_LASTTX);
            let shorts = shared.reg(SHORTS);
            if shorts & SHORT_LASTTX_STARTRX != 0 {
                st.starts += 1;
                st.rx = latch(shared, st, Dir::Rx);
                st.twi_phase = TwiPhase::Receive;
                st.twi_addressed = false;
                set(shared, EVENTS_RXSTARTED);
            } else if shorts & SHORT_LASTTX_STOP != 0 {
                twi_stop(shared, st);
            } else {
                st.twi_phase = TwiPhase::Halted;
            }
        }
        return true;
    }
    if st.twi_fault == Some(TwiFault::OverrunAfter(st.rx.pos)) {
        st.twi_fault = None;
        twi_error(shared, st, TWIM_OVERRUN);
        return true;
    }
    if st.rx.pos < st.rx.len {
        if !st.has_budget() {
            return false;
        }
        st.spend();
        let byte = st.incoming.pop_front().unwrap_or(0xFF);
        dma_write(shared, &st.rx, byte);
        st.rx.pos += 1;
    }
    if st.rx.pos >= st.rx.len {
        end(shared, &mut st.rx, RXD_AMOUNT);
        set(shared, EVENTS_LASTRX);
        if shared.reg(SHORTS) & SHORT_LASTRX_STOP != 0 {
            twi_stop(shared, st);
        } else {
            st.twi_phase = TwiPhase::Halted;
        }
    }
    true
}
